//! `linstor+ssl://` against the mock's TLS listener, with certificates made in the test:
//! trusted CA and matching name connect; a wrong name or no trust fails; the explicit
//! accept-any option connects like the 2019 Python client.

use linstor_client::{Client, ClientConfig, ClientError, TlsOptions};
use linstor_mock::{Config, MockController, TlsSettings};

struct Certs {
    dir: std::path::PathBuf,
    cert: std::path::PathBuf,
}

impl Drop for Certs {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn tls_mock(tag: &str) -> (MockController, Certs) {
    let dir = std::env::temp_dir().join(format!("linstor-client-tls-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("cert");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, ck.cert.pem()).expect("write");
    std::fs::write(&key, ck.signing_key.serialize_pem()).expect("write");
    let tls = TlsSettings {
        listen: "127.0.0.1:0".parse().expect("addr"),
        cert: cert.clone(),
        key,
    };
    let mock = MockController::start(Config {
        tls: Some(tls),
        plain: false,
        demo: true,
        ..Config::default()
    })
    .await
    .expect("mock");
    (mock, Certs { dir, cert })
}

fn uri(mock: &MockController) -> String {
    format!(
        "linstor+ssl://localhost:{}",
        mock.tls_addr().expect("tls").port()
    )
}

#[tokio::test]
async fn trusted_certificate_and_name_connect() {
    let (mock, certs) = tls_mock("ok").await;
    let config = ClientConfig {
        tls: TlsOptions {
            ca_file: Some(certs.cert.clone()),
            ..TlsOptions::default()
        },
        ..ClientConfig::default()
    };
    let client = Client::connect_with(&uri(&mock), config)
        .await
        .expect("TLS connect");
    assert_eq!(client.node_list().await.expect("list").nodes.len(), 3);
}

#[tokio::test]
async fn wrong_name_or_missing_trust_fails() {
    let (mock, certs) = tls_mock("bad").await;
    let wrong = ClientConfig {
        tls: TlsOptions {
            ca_file: Some(certs.cert.clone()),
            server_name: Some("otherhost".into()),
            ..TlsOptions::default()
        },
        ..ClientConfig::default()
    };
    let err = Client::connect_with(&uri(&mock), wrong).await.unwrap_err();
    assert!(
        matches!(&err, ClientError::Connect { source, .. } if source.to_string().contains("otherhost")),
        "{err}"
    );
    let err = Client::connect_with(&uri(&mock), ClientConfig::default())
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::InvalidArgument(_)), "{err}");
    let any = ClientConfig {
        tls: TlsOptions {
            dangerous_accept_any_certificate: true,
            ..TlsOptions::default()
        },
        ..ClientConfig::default()
    };
    Client::connect_with(&uri(&mock), any)
        .await
        .expect("accept-any connects")
        .ping()
        .await
        .expect("ping");
}
