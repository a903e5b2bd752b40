//! TLS for `linstor+ssl://` (rustls with the ring provider): trust from a CA file, an
//! optional client certificate, and the server name checked against the certificate. An
//! explicit, loudly named option accepts any certificate, as the 2019 Python client did.

use std::path::PathBuf;
use std::sync::Arc;

use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::{
    self, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use crate::ClientError;
use crate::error::Cause;

/// TLS settings of a `linstor+ssl://` connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// PEM file of the certificate authorities to trust (required unless
    /// `dangerous_accept_any_certificate`).
    pub ca_file: Option<PathBuf>,
    /// PEM files of a client certificate chain and its key.
    pub client_cert: Option<(PathBuf, PathBuf)>,
    /// Name to check the certificate against (default: the URI's host).
    pub server_name: Option<String>,
    /// Accept any certificate without checking it, like the 2019 Python client. Only for
    /// tests and trusted networks.
    pub dangerous_accept_any_certificate: bool,
}

fn tls_error(what: &str, e: impl std::error::Error + Send + Sync + 'static) -> ClientError {
    ClientError::Tls {
        what: what.to_owned(),
        source: Cause::new(e),
    }
}

/// A PEM file error; an I/O error (a missing or unreadable file) is kept as the source
/// itself rather than inside the PEM error, which has no `source()`.
fn pem_error(what: &str, e: pem::Error) -> ClientError {
    match e {
        pem::Error::Io(e) => tls_error(what, e),
        e => tls_error(what, e),
    }
}

/// Builds the connector and the server name to present.
pub(crate) fn connector(
    options: &TlsOptions,
    host: &str,
) -> Result<(TlsConnector, ServerName<'static>), ClientError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error("setup", e))?;
    let builder = if options.dangerous_accept_any_certificate {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAny(provider)))
    } else {
        let ca = options.ca_file.as_ref().ok_or_else(|| {
            ClientError::InvalidArgument(
                "TLS setup: a CA file is required to verify the controller".into(),
            )
        })?;
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(ca)
            .map_err(|e| pem_error(&format!("CA file {}", ca.display()), e))?
        {
            let cert = cert.map_err(|e| pem_error(&format!("CA file {}", ca.display()), e))?;
            roots
                .add(cert)
                .map_err(|e| tls_error(&format!("CA file {}", ca.display()), e))?;
        }
        builder.with_root_certificates(roots)
    };
    let config = match &options.client_cert {
        Some((cert, key)) => {
            let chain = CertificateDer::pem_file_iter(cert)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| pem_error(&format!("client certificate {}", cert.display()), e))?;
            let key = PrivateKeyDer::from_pem_file(key)
                .map_err(|e| pem_error(&format!("client key {}", key.display()), e))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| tls_error("client certificate", e))?
        }
        None => builder.with_no_client_auth(),
    };
    let name = options
        .server_name
        .clone()
        .unwrap_or_else(|| host.to_owned());
    let name = ServerName::try_from(name).map_err(|e| tls_error("server name", e))?;
    Ok((TlsConnector::from(Arc::new(config)), name))
}

#[derive(Debug)]
struct AcceptAny(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    fn error(options: &TlsOptions) -> ClientError {
        match connector(options, "localhost") {
            Ok(_) => panic!("the TLS setup should fail"),
            Err(e) => e,
        }
    }

    #[test]
    fn a_missing_ca_file_has_its_io_error_as_source() {
        let err = error(&TlsOptions {
            ca_file: Some("/nonexistent/linstor-ca.pem".into()),
            ..TlsOptions::default()
        });
        assert!(matches!(err, ClientError::Tls { .. }), "{err}");
        assert!(
            err.to_string().contains("/nonexistent/linstor-ca.pem"),
            "{err}"
        );
        let io = err
            .source()
            .and_then(|s| s.downcast_ref::<std::io::Error>())
            .expect("an io::Error source");
        assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
    }

    #[test]
    fn a_ca_file_without_certificates_has_the_rustls_error_as_source() {
        let dir = std::env::temp_dir().join(format!("linstor-client-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let ca = dir.join("garbage.pem");
        std::fs::write(
            &ca,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .expect("write");
        let err = error(&TlsOptions {
            ca_file: Some(ca),
            ..TlsOptions::default()
        });
        std::fs::remove_dir_all(&dir).ok();
        assert!(matches!(err, ClientError::Tls { .. }), "{err}");
        assert!(
            err.source().is_some_and(|s| s.is::<rustls::Error>()),
            "{err:?}"
        );
    }

    #[test]
    fn no_ca_file_is_an_invalid_argument() {
        let err = error(&TlsOptions::default());
        assert!(matches!(err, ClientError::InvalidArgument(_)), "{err}");
        assert!(err.source().is_none());
    }
}
