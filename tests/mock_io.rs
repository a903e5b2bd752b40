//! The mock's I/O findings of issue 10, each reproduced as a user would: a client that
//! half-closes after an asynchronous call still gets the deferred answers and `COMPLETE`;
//! a burst of connects is greeted, also while the mock cannot accept; an idle
//! connection lets go of the buffer a large frame needed. And the limits that keep its I/O
//! bounded: connections, unsent output, stalled frames, oversize answers, shutdown with
//! pending answers, and `serve_io` over an in-memory pipe.

//! (A change whose commit to the state store fails is answered with an error and leaves the
//! model unchanged: `linstor-mock`'s `store::tests`, with an injected I/O error; removing the
//! store's folder no longer makes writes fail, the database file stays open.)

use std::time::Duration;

use futures::StreamExt;
use linstor_codec::{Envelope, FrameCodec, Outgoing};
use linstor_mock::{Config, MockController};
use linstor_proto::ReturnCode as RC;
use linstor_proto::messages::msg_header::MsgType;
use linstor_proto::messages::*;
use linstor_tests::raw::{RawClient, frame_with_tail, rsc_dfn, start_mock};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_util::codec::FramedRead;

const LIMIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn a_half_closed_client_still_gets_deferred_answers_and_complete() {
    let (mock, mut setup) = start_mock(Config {
        demo: true,
        event_delay: Duration::from_millis(50),
        ..Config::default()
    })
    .await;
    let rd = MsgCrtRscDfn {
        rsc_dfn: RscDfn {
            rsc_name: "half".into(),
            vlm_dfns: vec![VlmDfn {
                vlm_size: 1024,
                ..Default::default()
            }],
            ..Default::default()
        },
    };
    assert!(setup.call("CrtRscDfn", Some(&rd)).await.replies()[0].ret_code < 0x8000_0000_0000_0000);

    let stream = TcpStream::connect(mock.addr()).await.expect("connect");
    let (read, mut write) = stream.into_split();
    let mut frames = FramedRead::new(read, FrameCodec::new());
    let place = MsgAutoPlaceRsc {
        rsc_name: "half".into(),
        select_filter: AutoSelectFilter {
            place_count: 2,
            ..Default::default()
        },
        diskless_on_remaining: None,
    };
    let header = MsgHeader::api_call(1, "AutoPlaceRsc");
    write
        .write_all(&Outgoing::new(&header, &[&place]).to_bytes())
        .await
        .expect("send");
    // Half-close right away: the satellites' part is still to come.
    write.shutdown().await.expect("half-close");
    let mut after_eoia = Vec::new();
    let mut eoia = false;
    loop {
        let frame = tokio::time::timeout(LIMIT, frames.next())
            .await
            .expect("the mock answers in time")
            .expect("the connection stays open until COMPLETE")
            .expect("frames decode");
        let env = Envelope::decode(frame.payload_bytes()).expect("envelope");
        match env.msg_type() {
            MsgType::Oneway => continue,
            MsgType::Complete => break,
            _ if env.content() == "EndOfImmediateAnswers" => eoia = true,
            _ if eoia => after_eoia.push(env),
            _ => {}
        }
    }
    assert!(eoia);
    assert!(
        !after_eoia.is_empty(),
        "the deferred answers arrive after the half-close"
    );
    // Then the mock closes the connection.
    let end = tokio::time::timeout(LIMIT, frames.next())
        .await
        .expect("closes");
    assert!(end.is_none(), "closed after COMPLETE");
    assert_eq!(mock.model().resources().len(), 2, "both replicas placed");
}

#[tokio::test]
async fn a_burst_of_connects_is_greeted() {
    let mock = MockController::start(Config::default())
        .await
        .expect("mock starts");
    let addr = mock.addr();
    let tasks: Vec<_> = (0..1500)
        .map(|_| {
            tokio::spawn(async move {
                let stream = TcpStream::connect(addr).await.expect("connect");
                let mut frames = FramedRead::new(stream, FrameCodec::new());
                let greeting = tokio::time::timeout(LIMIT, frames.next())
                    .await
                    .expect("greeted in time")
                    .expect("a frame")
                    .expect("decodes");
                Envelope::decode(greeting.payload_bytes())
                    .expect("envelope")
                    .content()
                    .to_owned()
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.expect("task"), "Version");
    }
}

/// Finding 4, with an injected answer delay: every answer of the calls is deferred, and
/// all of them reach a client that half-closed right after sending.
#[tokio::test]
async fn a_half_closed_client_gets_delayed_answers() {
    let mock = MockController::start(Config {
        faults: linstor_mock::Faults {
            answer_delay: Duration::from_millis(200),
            ..Default::default()
        },
        ..Config::default()
    })
    .await
    .expect("mock starts");
    let stream = TcpStream::connect(mock.addr()).await.expect("connect");
    let (read, mut write) = stream.into_split();
    let mut frames = FramedRead::new(read, FrameCodec::new());
    let mut requests = Outgoing::new(&MsgHeader::api_call(1, "Ping"), &[])
        .to_bytes()
        .to_vec();
    requests.extend_from_slice(&Outgoing::new(&MsgHeader::api_call(2, "LstNode"), &[]).to_bytes());
    write.write_all(&requests).await.expect("send");
    write.shutdown().await.expect("half-close");
    let mut seen = Vec::new();
    loop {
        let frame = tokio::time::timeout(LIMIT, frames.next())
            .await
            .expect("the mock answers in time");
        let Some(frame) = frame else { break };
        let env =
            Envelope::decode(frame.expect("frames decode").payload_bytes()).expect("envelope");
        seen.push((env.msg_type(), env.api_call_id(), env.content().to_owned()));
    }
    let answers: Vec<_> = seen
        .iter()
        .filter(|(t, _, _)| *t != MsgType::Oneway)
        .map(|(t, id, c)| (*t, *id, c.as_str()))
        .collect();
    assert_eq!(
        answers,
        [
            (MsgType::Answer, Some(1), "Pong"),
            (MsgType::Answer, Some(1), "EndOfImmediateAnswers"),
            (MsgType::Complete, Some(1), ""),
            (MsgType::Answer, Some(2), "LstNode"),
            (MsgType::Answer, Some(2), "EndOfImmediateAnswers"),
            (MsgType::Complete, Some(2), ""),
        ],
        "every answer, then the close"
    );
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
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(3)) {
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
    let (mock, mut a) = start_mock(Config {
        max_connections: 2,
        ..Config::default()
    })
    .await;
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
        tokio::time::sleep(Duration::from_millis(10)).await;
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
    let (mock, mut idle) = start_mock(Config {
        stalled_frame_timeout: Duration::from_millis(200),
        ..Config::default()
    })
    .await;
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
    let (_mock, mut c) = start_mock(Config {
        demo: true,
        max_payload: 256,
        ..Config::default()
    })
    .await;
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
    let (mock, mut c) = start_mock(Config {
        faults: linstor_mock::Faults {
            answer_delay: Duration::from_millis(300),
            ..Default::default()
        },
        ..Config::default()
    })
    .await;
    let id = c.send("CrtRscDfn", Some(&rsc_dfn("res1"))).await;
    // Wait (bounded) until the mock has applied the call; its answers are still pending.
    for _ in 0..1000 {
        if !mock.model().resource_definition_names().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
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
    let received = linstor_tests::raw::read_to_end(&mut client).await;
    let seen: Vec<_> = linstor_tests::raw::decode_frames(&received)
        .iter()
        .map(|env| (env.msg_type(), env.content().to_owned()))
        .collect();
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
    served.await.expect("the connection task ends");
}

/// A transport that counts the writes that reached it.
struct CountingWrites<S> {
    io: S,
    writes: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl<S: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for CountingWrites<S> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<S: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for CountingWrites<S> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let written = std::pin::Pin::new(&mut self.io).poll_write(cx, buf);
        if let std::task::Poll::Ready(Ok(n)) = &written
            && *n > 0
        {
            self.writes
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        written
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// Pipelined requests that arrived together are all answered before the answers are
/// written, so they share a write instead of costing one each; every call still gets its
/// answers and its `COMPLETE`, in order.
#[tokio::test]
async fn pipelined_requests_share_one_write_for_their_answers() {
    const CALLS: i64 = 64;
    let mock = MockController::start(Config::default())
        .await
        .expect("mock starts");
    let (mut client, server) = tokio::io::duplex(1024 * 1024);
    let writes = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let served = mock.serve_io(CountingWrites {
        io: server,
        writes: writes.clone(),
    });
    let mut requests = Vec::new();
    for id in 1..=CALLS {
        requests
            .extend_from_slice(&Outgoing::new(&MsgHeader::api_call(id, "LstNode"), &[]).to_bytes());
    }
    client.write_all(&requests).await.expect("write");
    client.shutdown().await.expect("half-close");
    let received = linstor_tests::raw::read_to_end(&mut client).await;
    served.await.expect("the connection task ends");
    let completed: Vec<i64> = linstor_tests::raw::decode_frames(&received)
        .iter()
        .filter(|env| env.msg_type() == MsgType::Complete)
        .map(|env| env.api_call_id().expect("id"))
        .collect();
    assert_eq!(completed, (1..=CALLS).collect::<Vec<_>>());
    // The greeting, then the answers in as few writes as the pipe takes (one per request
    // before), whatever the chunks the requests were read in.
    let writes = writes.load(std::sync::atomic::Ordering::Relaxed);
    assert!(writes <= 4, "{writes} writes for {CALLS} pipelined calls");
}

/// The events of one change to many watches of one connection are queued together and
/// written together (one write per watch before), each watch still getting its event.
#[tokio::test]
async fn one_change_to_many_watches_of_a_connection_shares_one_write() {
    const WATCHES: i32 = 100;
    let mock = MockController::start(Config {
        demo: true,
        event_delay: Duration::ZERO,
        ..Config::default()
    })
    .await
    .expect("mock starts");
    let (mut admin, _) = RawClient::connect(mock.addr()).await;
    let rd = MsgCrtRscDfn {
        rsc_dfn: RscDfn {
            rsc_name: "many".into(),
            ..RscDfn::default()
        },
    };
    assert!(RC(admin.call("CrtRscDfn", Some(&rd)).await.replies()[0].ret_code).is_success());
    let (client, server) = tokio::io::duplex(1024 * 1024);
    let writes = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let _served = mock.serve_io(CountingWrites {
        io: server,
        writes: writes.clone(),
    });
    let (read, mut write) = tokio::io::split(client);
    let mut frames = FramedRead::new(read, FrameCodec::new());
    let mut next = async || {
        let frame = tokio::time::timeout(LIMIT, frames.next())
            .await
            .expect("in time")
            .expect("open")
            .expect("frame");
        Envelope::decode(frame.payload_bytes()).expect("envelope")
    };
    assert_eq!(next().await.content(), "Version");
    for watch_id in 1..=WATCHES {
        let watch = MsgCrtWatch {
            watch_id,
            resource_name: Some("many".into()),
            ..MsgCrtWatch::default()
        };
        let header = MsgHeader::api_call(watch_id.into(), "CrtWatch");
        let request = Outgoing::new(&header, &[&watch]).to_bytes();
        write.write_all(&request).await.expect("write");
        while next().await.msg_type() != MsgType::Complete {}
    }
    let before = writes.load(std::sync::atomic::Ordering::SeqCst);
    let rsc = MsgCrtRsc {
        rscs: vec![Rsc {
            name: "many".into(),
            node_name: "alpha".into(),
            ..Rsc::default()
        }],
    };
    assert!(RC(admin.call("CrtRsc", Some(&rsc)).await.replies()[0].ret_code).is_success());
    let mut seen = Vec::new();
    while seen.len() < WATCHES as usize {
        let event = next().await;
        assert_eq!(event.content(), "Event");
        let event: MsgEvent = event.body(0).expect("MsgEvent");
        assert_eq!(event.resource_name.as_deref(), Some("many"));
        seen.push(event.watch_id);
    }
    seen.sort_unstable();
    assert_eq!(seen, (1..=WATCHES).collect::<Vec<_>>(), "every watch once");
    let writes = writes.load(std::sync::atomic::Ordering::SeqCst) - before;
    assert!(
        writes <= 2,
        "{writes} writes for the events of {WATCHES} watches"
    );
}
