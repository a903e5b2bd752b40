//! The TLS listener: a client that trusts the mock's certificate gets the Version greeting
//! and answers over TLS; the plain listener keeps working beside it.

use std::sync::Arc;

use bytes::BytesMut;
use linstor_codec::{Envelope, FrameCodec, Outgoing};
use linstor_mock::{Config, MockController, TlsSettings};
use linstor_proto::messages::{MsgApiVersion, MsgHeader, msg_header::MsgType};
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};
use tokio_util::codec::Decoder;

async fn next_envelope<S: AsyncRead + Unpin>(
    s: &mut S,
    buf: &mut BytesMut,
    codec: &mut FrameCodec,
) -> Envelope {
    loop {
        if let Some(frame) = codec.decode(buf).expect("frames decode") {
            return Envelope::decode(frame.payload_bytes()).expect("envelope");
        }
        let n = tokio::time::timeout(std::time::Duration::from_secs(10), s.read_buf(buf))
            .await
            .expect("in time")
            .expect("read");
        assert!(n > 0, "closed early");
    }
}

#[tokio::test]
async fn tls_listener_serves_the_protocol() {
    let dir = std::env::temp_dir().join(format!("linstor-mock-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("certificate");
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, ck.cert.pem()).expect("write cert");
    std::fs::write(&key_path, ck.signing_key.serialize_pem()).expect("write key");
    let tls = TlsSettings {
        listen: "127.0.0.1:0".parse().expect("addr"),
        cert: cert_path,
        key: key_path,
    };
    let mock = MockController::start(Config {
        tls: Some(tls),
        ..Config::default()
    })
    .await
    .expect("mock starts");
    let tls_addr = mock.tls_addr().expect("TLS listener");
    assert_ne!(tls_addr, mock.addr());

    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from(ck.cert.der().to_vec()))
        .expect("trust the cert");
    let config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("protocols")
            .with_root_certificates(roots)
            .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(tls_addr)
        .await
        .expect("connect");
    let mut stream = connector
        .connect(ServerName::try_from("localhost").expect("name"), tcp)
        .await
        .expect("handshake");
    let (mut buf, mut codec) = (BytesMut::new(), FrameCodec::new());
    let greeting = next_envelope(&mut stream, &mut buf, &mut codec).await;
    assert_eq!(greeting.content(), "Version");
    let version: MsgApiVersion = greeting.body(0).expect("version");
    assert_eq!(version.version, 3);
    stream
        .write_all(&Outgoing::new(&MsgHeader::api_call(1, "Ping"), &[]).to_bytes())
        .await
        .expect("write");
    let pong = next_envelope(&mut stream, &mut buf, &mut codec).await;
    assert_eq!((pong.msg_type(), pong.content()), (MsgType::Answer, "Pong"));

    // A plain connection to the TLS port does not get the greeting.
    let mut plain = tokio::net::TcpStream::connect(tls_addr)
        .await
        .expect("connect");
    plain.write_all(&[0u8; 64]).await.expect("write");
    let mut junk = [0u8; 64];
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), plain.read(&mut junk))
        .await
        .expect("in time")
        .unwrap_or(0);
    assert!(
        n == 0 || junk[..n].first() != Some(&0),
        "no protocol frames without TLS"
    );
    std::fs::remove_dir_all(&dir).expect("cleanup");
}
