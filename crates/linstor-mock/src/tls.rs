//! The optional TLS listener (`linstor+ssl://`, port 3377 by default): rustls with the
//! ring provider, a certificate chain and key from PEM files, no client authentication
//! (the 2019 controller asked for none). Framing inside TLS is the same as on plain TCP.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, ServerConfig};

/// Where and with what certificate the TLS listener runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSettings {
    /// Address of the TLS listener (the binary defaults to `127.0.0.1:3377`).
    pub listen: SocketAddr,
    /// PEM file with the certificate chain, leaf first.
    pub cert: PathBuf,
    /// PEM file with the private key.
    pub key: PathBuf,
}

/// Builds the acceptor from the PEM files.
///
/// # Errors
///
/// An I/O error (kind `InvalidData` for bad PEM or a key that does not fit) naming the file.
pub(crate) fn acceptor(settings: &TlsSettings) -> std::io::Result<TlsAcceptor> {
    let invalid = |what: &str, path: &PathBuf, e: &dyn std::fmt::Display| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{what} {}: {e}", path.display()),
        )
    };
    let certs = CertificateDer::pem_file_iter(&settings.cert)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| invalid("certificate file", &settings.cert, &e))?;
    if certs.is_empty() {
        return Err(invalid(
            "certificate file",
            &settings.cert,
            &"no certificate found",
        ));
    }
    let key = PrivateKeyDer::from_pem_file(&settings.key)
        .map_err(|e| invalid("key file", &settings.key, &e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid("TLS setup for", &settings.cert, &e))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| invalid("certificate and key", &settings.cert, &e))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}
