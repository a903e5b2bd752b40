//! The mock's I/O seen from the wire (issue 10): a half-closed client still gets the
//! deferred answers and `COMPLETE` of its calls, a burst of connects beyond the default
//! listen backlog is queued, a failed state-file save answers the call with an error, and
//! an idle connection lets go of the buffer a large frame needed.

use linstor_codec::{FrameType, Header};
use linstor_mock::{Config, MockController};
use linstor_proto::ReturnCode as RC;
use linstor_proto::messages::*;
use linstor_tests::raw::RawClient;
use tokio::io::AsyncWriteExt;

fn rsc_dfn(name: &str) -> MsgCrtRscDfn {
    MsgCrtRscDfn {
        rsc_dfn: RscDfn {
            rsc_name: name.into(),
            ..Default::default()
        },
    }
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("linstor-mock-io-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Finding 4: the deferred part of an asynchronous call reaches a client that has shut down
/// its write side, and only then does the mock close the connection.
#[tokio::test]
async fn a_half_closed_client_gets_the_deferred_answers_and_complete() {
    let mock = MockController::start(Config {
        demo: true,
        // Long enough that the half-close arrives before the script runs.
        event_delay: std::time::Duration::from_millis(300),
        ..Config::default()
    })
    .await
    .expect("mock starts");
    let (mut c, _) = RawClient::connect(mock.addr()).await;
    c.call("CrtRscDfn", Some(&rsc_dfn("res1"))).await;
    let vd = MsgCrtVlmDfn {
        rsc_name: "res1".into(),
        vlm_dfns: vec![VlmDfn {
            vlm_size: 1024,
            vlm_props: vec![LinStorMapEntry {
                key: "StorPoolName".into(),
                value: "drbdpool".into(),
            }],
            ..Default::default()
        }],
        ..Default::default()
    };
    c.call("CrtVlmDfn", Some(&vd)).await;
    let crt = MsgCrtRsc {
        rscs: vec![Rsc {
            name: "res1".into(),
            node_name: "alpha".into(),
            ..Default::default()
        }],
    };
    let id = c.send("CrtRsc", Some(&crt)).await;
    c.stream.shutdown().await.expect("half-close");
    let r = c.collect(id).await;
    assert_eq!(r.eoia, 1);
    assert_eq!(
        r.deferred_messages().last().map(String::as_str),
        Some("Resource 'res1' on 'alpha' ready"),
        "the satellites' answer arrives after the half-close"
    );
    assert!(c.read_frame().await.is_none(), "then the connection closes");
    assert_eq!(
        mock.model().resources(),
        [("res1".to_owned(), "alpha".to_owned())]
    );
}

/// Finding 4, with an injected answer delay: every answer of the call is deferred.
#[tokio::test]
async fn a_half_closed_client_gets_delayed_answers() {
    let mock = MockController::start(Config {
        faults: linstor_mock::Faults {
            answer_delay: std::time::Duration::from_millis(200),
            ..Default::default()
        },
        ..Config::default()
    })
    .await
    .expect("mock starts");
    let (mut c, _) = RawClient::connect(mock.addr()).await;
    let ping = c.send("Ping", None).await;
    let lst = c.send("LstNode", None).await;
    c.stream.shutdown().await.expect("half-close");
    assert_eq!(c.collect(ping).await.first().content(), "Pong");
    assert_eq!(c.collect(lst).await.first().content(), "LstNode");
    assert!(c.read_frame().await.is_none());
}

/// Finding 5: 1,000 connects while the mock does not get to accept all fit in the listen
/// queue (the default backlog of 128 dropped the SYNs past it, so those connects failed).
#[tokio::test(flavor = "current_thread")]
async fn a_burst_of_connects_beyond_128_is_queued_not_dropped() {
    let mock = MockController::start(Config::default())
        .await
        .expect("mock starts");
    let addr = mock.addr();
    // Blocking connects on the runtime's only thread: the accept loop cannot run meanwhile,
    // so every connection waits in the kernel's accept queue.
    let mut streams = Vec::new();
    for i in 0..1000 {
        match std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(3)) {
            Ok(s) => streams.push(s),
            Err(e) => panic!("connect {i} failed: {e}"),
        }
    }
    // Once the runtime runs again, the queued connections are served.
    let last = streams.pop().expect("a stream");
    last.set_nonblocking(true).expect("nonblocking");
    let mut last = tokio::net::TcpStream::from_std(last).expect("tokio stream");
    let mut head = [0u8; 16];
    tokio::time::timeout(
        linstor_tests::raw::TIMEOUT,
        tokio::io::AsyncReadExt::read_exact(&mut last, &mut head),
    )
    .await
    .expect("greeting in time")
    .expect("the greeting's header");
    assert_eq!(&head[..4], &[0, 0, 0, 0], "a DATA frame");
}

/// Finding 6: when the state file cannot be written, the change call is answered with
/// `FAIL_UNKNOWN_ERROR` naming the cause, first, instead of a success.
#[tokio::test]
async fn a_failed_state_save_answers_the_call_with_an_error() {
    let dir = temp_dir("save-fails");
    let sub = dir.join("state");
    std::fs::create_dir_all(&sub).expect("state dir");
    let path = sub.join("state.json");
    let mock = MockController::start(Config {
        state_file: Some(path.clone()),
        ..Config::default()
    })
    .await
    .expect("mock starts");
    let (mut c, _) = RawClient::connect(mock.addr()).await;
    let ok = c.call("CrtRscDfn", Some(&rsc_dfn("saved"))).await;
    assert_eq!(ok.replies()[0].ret_code & 0xC000_0000_0000_0000, 0);
    // The state file's folder becomes a plain file: no temporary file can be created there.
    std::fs::remove_dir_all(&sub).expect("remove the state dir");
    std::fs::write(&sub, b"not a folder").expect("a file in its place");
    let r = c.call("CrtRscDfn", Some(&rsc_dfn("unsaved"))).await;
    let first = &r.replies()[0];
    assert_eq!(first.ret_code, RC::FAIL_UNKNOWN_ERROR.0, "{first:?}");
    assert!(
        first.message.contains(&path.display().to_string()),
        "the message names the file: {}",
        first.message
    );
    assert!(first.cause.is_some(), "{first:?}");
    // Reading calls still work, and the next change reports the same.
    assert_eq!(c.call("LstNode", None).await.first().content(), "LstNode");
    let r = c.call("CrtRscDfn", Some(&rsc_dfn("unsaved2"))).await;
    assert_eq!(r.replies()[0].ret_code, RC::FAIL_UNKNOWN_ERROR.0);
    mock.shutdown().await;
    std::fs::remove_dir_all(&dir).expect("clean up");
}

/// A frame of `header` followed by `tail`, raw bytes after the `MsgHeader`.
fn frame_with_tail(header: &MsgHeader, tail: &[u8]) -> Vec<u8> {
    let mut payload = prost::Message::encode_length_delimited_to_vec(header);
    payload.extend_from_slice(tail);
    let mut out = Vec::new();
    Header::new(FrameType::Data, payload.len() as u32).write(&mut out);
    out.extend(payload);
    out
}

/// Finding 3: a connection that read a large frame goes back to a small read buffer, so
/// idle connections hold a few KiB each, not the size of the largest frame they ever read.
#[tokio::test]
async fn an_idle_connection_lets_go_of_the_buffer_of_a_large_frame() {
    let mock = MockController::start(Config::default())
        .await
        .expect("mock starts");
    let mut clients = Vec::new();
    for _ in 0..4 {
        let (mut c, _) = RawClient::connect(mock.addr()).await;
        // 4 MiB of empty messages after the header of a header-only call.
        let tail = vec![0u8; 4 << 20];
        c.send_raw(&frame_with_tail(&MsgHeader::api_call(1, "LstNode"), &tail))
            .await;
        assert_eq!(c.collect(1).await.first().content(), "LstNode");
        // One more small call: the buffer a large frame left behind would be reused for it.
        c.send_raw(&frame_with_tail(&MsgHeader::api_call(2, "Ping"), &[]))
            .await;
        assert_eq!(c.collect(2).await.first().content(), "Pong");
        clients.push(c);
    }
    let stats = mock.stats();
    assert_eq!(stats.connections, 4);
    assert!(
        stats.read_buffer_bytes <= 4 * 64 * 1024,
        "4 idle connections hold {} bytes of read buffers",
        stats.read_buffer_bytes
    );
    assert!(
        stats.write_buffer_bytes <= 4 * 64 * 1024,
        "4 idle connections hold {} bytes of write buffers",
        stats.write_buffer_bytes
    );
}

/// Past `max_connections`, a new connection is closed without a greeting; the open ones
/// are served, and a place that frees up is taken again.
#[tokio::test]
async fn connections_past_the_limit_are_closed_at_once() {
    let mock = MockController::start(Config {
        max_connections: 2,
        ..Config::default()
    })
    .await
    .expect("mock starts");
    let (mut a, _) = RawClient::connect(mock.addr()).await;
    let (b, _) = RawClient::connect(mock.addr()).await;
    let mut third = tokio::net::TcpStream::connect(mock.addr())
        .await
        .expect("accepted by the kernel");
    let mut buf = [0u8; 16];
    let n = tokio::time::timeout(
        linstor_tests::raw::TIMEOUT,
        tokio::io::AsyncReadExt::read(&mut third, &mut buf),
    )
    .await
    .expect("closed in time")
    .unwrap_or(0);
    assert_eq!(n, 0, "closed without a greeting");
    assert_eq!(a.call("Ping", None).await.first().content(), "Pong");
    drop(b);
    // Wait (bounded) until the mock has seen the close, then connect again.
    for _ in 0..1000 {
        if mock.stats().connections < 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(mock.stats().connections, 1);
    let (mut c, _) = RawClient::connect(mock.addr()).await;
    assert_eq!(c.call("Ping", None).await.first().content(), "Pong");
}

/// A client that sends request after request and never reads does not block the mock: it
/// keeps reading, and closes the connection once the unsent answers pass the limit.
#[tokio::test]
async fn a_client_that_never_reads_is_closed_at_the_output_limit() {
    let mock = MockController::start(Config {
        demo: true,
        max_payload: 4096,
        max_output_bytes: 64 * 1024,
        ..Config::default()
    })
    .await
    .expect("mock starts");
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(16 * 1024).expect("SO_RCVBUF");
    let mut stream = socket.connect(mock.addr()).await.expect("connect");
    // 50,000 LstNode calls of the demo cluster: about 20 MB of answers, far more than the
    // kernel's socket buffers hold.
    let mut requests = Vec::new();
    for id in 1..=50_000i64 {
        requests.extend_from_slice(
            &linstor_codec::Outgoing::new(&MsgHeader::api_call(id, "LstNode"), &[]).to_bytes(),
        );
    }
    let written = tokio::time::timeout(linstor_tests::raw::TIMEOUT, stream.write_all(&requests))
        .await
        .expect("the mock reads while the client does not: the write ends");
    // The write completes, or fails because the mock has closed the connection.
    let _ = written;
    let mut received = Vec::new();
    let end = tokio::time::timeout(
        linstor_tests::raw::TIMEOUT,
        tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut received),
    )
    .await
    .expect("the connection ends");
    let _ = end; // EOF or a reset: both are the close.
    let mut codec = linstor_codec::FrameCodec::new();
    let mut buf = bytes::BytesMut::from(&received[..]);
    let mut completes = 0;
    while let Ok(Some(frame)) = tokio_util::codec::Decoder::decode(&mut codec, &mut buf) {
        if let Ok(env) = linstor_codec::Envelope::decode(frame.payload_bytes())
            && env.msg_type() == msg_header::MsgType::Complete
        {
            completes += 1;
        }
    }
    assert!(
        completes < 50_000,
        "closed before every call was answered ({completes} were)"
    );
    let (mut other, _) = RawClient::connect(mock.addr()).await;
    assert_eq!(other.call("Ping", None).await.first().content(), "Pong");
}

/// A partial frame that makes no progress for `stalled_frame_timeout` closes the
/// connection; an idle connection without a partial frame stays open.
#[tokio::test]
async fn a_stalled_partial_frame_closes_the_connection_idle_ones_stay() {
    let mock = MockController::start(Config {
        stalled_frame_timeout: std::time::Duration::from_millis(200),
        ..Config::default()
    })
    .await
    .expect("mock starts");
    let (mut idle, _) = RawClient::connect(mock.addr()).await;
    let (mut stalled, _) = RawClient::connect(mock.addr()).await;
    let request = frame_with_tail(&MsgHeader::api_call(1, "LstNode"), &[]);
    stalled.send_raw(&request[..10]).await;
    assert!(
        stalled.read_frame().await.is_none(),
        "the connection with half a header is closed"
    );
    assert_eq!(idle.call("Ping", None).await.first().content(), "Pong");
}

/// The payload limit applies to what the mock sends: an answer the client would refuse
/// is replaced by an error entry saying so, and the connection stays usable.
#[tokio::test]
async fn an_answer_above_the_payload_limit_becomes_an_error_entry() {
    let mock = MockController::start(Config {
        demo: true,
        max_payload: 256,
        ..Config::default()
    })
    .await
    .expect("mock starts");
    let (mut c, _) = RawClient::connect(mock.addr()).await;
    let r = c.call("LstNode", None).await;
    let e = &r.replies()[0];
    assert_eq!(e.ret_code, RC::FAIL_UNKNOWN_ERROR.0);
    assert!(
        e.message.contains("'LstNode'") && e.message.contains("limit of 256 bytes"),
        "{}",
        e.message
    );
    assert_eq!(c.call("Ping", None).await.first().content(), "Pong");
}

/// Shutdown lets a call's delayed tail reach the client before the connection closes.
#[tokio::test]
async fn shutdown_delivers_pending_deferred_answers_first() {
    let mock = MockController::start(Config {
        faults: linstor_mock::Faults {
            answer_delay: std::time::Duration::from_millis(300),
            ..Default::default()
        },
        ..Config::default()
    })
    .await
    .expect("mock starts");
    let (mut c, _) = RawClient::connect(mock.addr()).await;
    let id = c.send("CrtRscDfn", Some(&rsc_dfn("res1"))).await;
    // Wait (bounded) until the mock has applied the call; its answers are still pending.
    for _ in 0..1000 {
        if !mock.model().resource_definition_names().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    let shutdown = tokio::spawn(mock.shutdown());
    let r = c.collect(id).await;
    assert_eq!(r.replies()[0].ret_code & 0xC000_0000_0000_0000, 0);
    assert_eq!(r.eoia, 1);
    assert!(c.read_frame().await.is_none(), "then the connection closes");
    tokio::time::timeout(linstor_tests::raw::TIMEOUT, shutdown)
        .await
        .expect("shutdown ends")
        .expect("shutdown task");
}

/// `serve_io` runs a connection over an in-memory pipe: greeting, answers, close.
#[tokio::test]
async fn serve_io_answers_calls_over_an_in_memory_pipe() {
    let mock = MockController::start(Config::default())
        .await
        .expect("mock starts");
    let (mut client, server) = tokio::io::duplex(64 * 1024);
    let served = mock.serve_io(server);
    let request = linstor_codec::Outgoing::new(&MsgHeader::api_call(7, "LstNode"), &[]).to_bytes();
    client.write_all(&request).await.expect("write");
    client.shutdown().await.expect("half-close");
    let mut received = Vec::new();
    tokio::time::timeout(
        linstor_tests::raw::TIMEOUT,
        tokio::io::AsyncReadExt::read_to_end(&mut client, &mut received),
    )
    .await
    .expect("in time")
    .expect("read");
    let mut codec = linstor_codec::FrameCodec::new();
    let mut buf = bytes::BytesMut::from(&received[..]);
    let mut seen = Vec::new();
    while let Some(frame) =
        tokio_util::codec::Decoder::decode(&mut codec, &mut buf).expect("frames decode")
    {
        let env = linstor_codec::Envelope::decode(frame.payload_bytes()).expect("envelope");
        seen.push((env.msg_type(), env.content().to_owned()));
    }
    use msg_header::MsgType;
    assert_eq!(
        seen,
        [
            (MsgType::Oneway, "Version".to_owned()),
            (MsgType::Answer, "LstNode".to_owned()),
            (MsgType::Answer, "EndOfImmediateAnswers".to_owned()),
            (MsgType::Complete, String::new()),
        ]
    );
    assert!(buf.is_empty());
    served.await.expect("the connection task ends");
}
