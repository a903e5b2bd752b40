//! The proxy between `linstor_client::Client` and the in-process mock: the recording holds
//! every frame exactly as the client encodes it, answers with their latency, and bytes
//! pass unchanged (also bytes that are not frames); replay against a fresh mock finds no
//! difference, against a mock with an injected fault exactly that one.

use std::path::PathBuf;
use std::time::Duration;

use base64::Engine as _;
use linstor_client::requests::{ControllerSetProp, NodeCreate};
use linstor_client::{Client, encode_request};
use linstor_mock::{Config, Faults, MockController};
use linstor_proto::{Call, Request, ReturnCode};
mod common;
use linstor_wire::proxy::{Print, Proxy, ProxyConfig};
use linstor_wire::record::{Direction, Record, RecordKind, read_recording};
use linstor_wire::replay::{DifferenceKind, ReplayOptions, replay};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn temp_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("linstor-wire-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

async fn start_proxy(upstream: std::net::SocketAddr, record: Option<PathBuf>) -> Proxy {
    Proxy::start(ProxyConfig {
        listen: "127.0.0.1:0".parse().expect("address"),
        upstream: upstream.to_string(),
        record,
        print: Print::Nothing,
        max_payload: linstor_codec::DEFAULT_MAX_PAYLOAD,
    })
    .await
    .expect("proxy starts")
}

/// The session: greeting, then these calls in order (ids 1..=5).
async fn session(client: &Client) {
    let node = NodeCreate::new("alpha", "Satellite", "10.0.0.1");
    assert!(client.call(&node).await.expect("CrtNode").is_success());
    client.call(&Request::LstNode).await.expect("LstNode");
    let prop = ControllerSetProp {
        key: "DrbdOptions/Net/max-buffers".into(),
        value: "8000".into(),
    };
    assert!(client.call(&prop).await.expect("SetCfgVal").is_success());
    client.call(&Request::LstCfgVal).await.expect("LstCfgVal");
    client.call(&Request::Ping).await.expect("Ping");
}

fn raw(r: &Record) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(r.raw.as_deref().expect("raw"))
        .expect("base64")
}

/// Runs `linstor-wire replay PATH --to ADDR` off the runtime's thread.
async fn run_replay(path: &std::path::Path, to: std::net::SocketAddr) -> std::process::Output {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_linstor-wire"))
            .arg("replay")
            .arg(&path)
            .args(["--to", &to.to_string()])
            .output()
            .expect("runs")
    })
    .await
    .expect("joins")
}

async fn record_session(name: &str) -> (PathBuf, Vec<Record>) {
    let mock = MockController::start(Config::default())
        .await
        .expect("mock starts");
    let path = temp_file(name);
    let proxy = start_proxy(mock.addr(), Some(path.clone())).await;
    let client = Client::connect(&format!("linstor://{}", proxy.addr()))
        .await
        .expect("client connects through the proxy");
    assert_eq!(
        client.controller_info(),
        Some(linstor_mock::DEFAULT_CONTROLLER_INFO)
    );
    session(&client).await;
    drop(client);
    // The connection closes once the client is gone; wait for its close record.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if text.contains("\"kind\":\"close\"") {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no close record: {text}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    proxy.shutdown().await.expect("recording written");
    mock.shutdown().await;
    let records = read_recording(&path).expect("recording reads");
    (path, records)
}

#[tokio::test]
async fn the_recording_holds_every_frame_as_the_client_sent_it() {
    let (path, records) = record_session("session.jsonl").await;
    // `decode` reads the recording back to the same records (views re-derived from `raw`).
    let again = linstor_wire::input::decode_input(
        &std::fs::read(&path).expect("recording"),
        &linstor_wire::input::DecodeOptions::default(),
    )
    .expect("decodes");
    assert_eq!(again, records);
    assert_eq!(records.first().map(|r| r.kind), Some(RecordKind::Open));
    assert_eq!(records.last().map(|r| r.kind), Some(RecordKind::Close));
    assert!(records.last().and_then(|r| r.error.as_ref()).is_none());
    assert!(records.iter().all(|r| r.conn == 1));
    assert!(records.iter().all(|r| r.kind != RecordKind::Error));

    // Requests: exactly the frames linstor-client encodes, ids 1..=5, offsets contiguous.
    let requests: Vec<&Record> = records
        .iter()
        .filter(|r| r.kind == RecordKind::Frame && r.dir == Direction::ToController)
        .collect();
    let expected = [
        encode_request(1, &NodeCreate::new("alpha", "Satellite", "10.0.0.1")),
        encode_request(2, &Request::LstNode),
        encode_request(
            3,
            &ControllerSetProp {
                key: "DrbdOptions/Net/max-buffers".into(),
                value: "8000".into(),
            },
        ),
        encode_request(4, &Request::LstCfgVal),
        encode_request(5, &Request::Ping),
    ];
    assert_eq!(requests.len(), expected.len());
    let mut offset = 0;
    for (r, e) in requests.iter().zip(expected) {
        let e = e.expect("encodes");
        assert_eq!(raw(r), &e[..]);
        assert_eq!(r.offset, offset);
        offset += e.len() as u64;
    }
    let contents: Vec<&str> = requests
        .iter()
        .map(|r| {
            r.frame
                .as_ref()
                .and_then(|f| f.content.as_deref())
                .unwrap_or("")
        })
        .collect();
    assert_eq!(
        contents,
        ["CrtNode", "LstNode", "SetCfgVal", "LstCfgVal", "Ping"]
    );

    // Answers: the greeting first, then per call its answers, EOIA and COMPLETE, each
    // with the call's name and a latency; the raw bytes are the decoded frames.
    let answers: Vec<&Record> = records
        .iter()
        .filter(|r| r.kind == RecordKind::Frame && r.dir == Direction::ToClient)
        .collect();
    let greeting = answers[0].frame.as_ref().expect("frame");
    assert_eq!(greeting.content.as_deref(), Some("Version"));
    let mut completes = Vec::new();
    for r in &answers[1..] {
        let frame = r.frame.as_ref().expect("frame");
        assert!(r.latency_us.is_some(), "{r:?}");
        if frame.msg_type.as_deref() == Some("COMPLETE") {
            completes.push((frame.api_call_id, r.call.clone()));
        }
        assert_eq!(linstor_wire::view::FrameView::decode(&raw(r)), *frame);
    }
    let names = ["CrtNode", "LstNode", "SetCfgVal", "LstCfgVal", "Ping"];
    let expected: Vec<(Option<i64>, Option<String>)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (Some(i as i64 + 1), Some((*n).to_owned())))
        .collect();
    assert_eq!(completes, expected);
    let lst_node = answers
        .iter()
        .find(|r| r.frame.as_ref().and_then(|f| f.content.as_deref()) == Some("LstNode"))
        .expect("LstNode answer");
    let fields = lst_node.frame.as_ref().expect("frame").messages[0]
        .fields
        .as_ref()
        .expect("fields");
    assert_eq!(fields["nodes"][0]["name"], "alpha");
}

/// An upstream that echoes whatever it gets.
async fn echo_server() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (mut r, mut w) = s.split();
                let _ = tokio::io::copy(&mut r, &mut w).await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn bytes_pass_unchanged_even_when_they_are_not_frames() {
    let upstream = echo_server().await;
    let path = temp_file("echo.jsonl");
    let proxy = start_proxy(upstream, Some(path.clone())).await;
    // Several connections at once, each with its own pseudo-random bytes (a golden
    // frame, then garbage with a huge length field, then another frame).
    let mut tasks = Vec::new();
    for n in 0..4u64 {
        let addr = proxy.addr();
        tasks.push(tokio::spawn(async move {
            let mut data = common::load_hex("requests", "001-node_create.hex");
            let mut x = n.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
            for _ in 0..200_000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                data.push(x as u8);
            }
            data.extend(common::load_hex("requests", "002-node_create.hex"));
            let mut s = tokio::net::TcpStream::connect(addr)
                .await
                .expect("connects");
            let (mut r, mut w) = s.split();
            let send = async {
                w.write_all(&data).await.expect("writes");
                w.shutdown().await.expect("half-close");
            };
            let mut back = Vec::new();
            let recv = async { r.read_to_end(&mut back).await.expect("reads") };
            tokio::join!(send, recv);
            assert_eq!(back.len(), data.len());
            assert!(back == data, "connection {n}: bytes changed");
        }));
    }
    for t in tasks {
        t.await.expect("connection task");
    }
    proxy.shutdown().await.expect("recording written");
    let records = read_recording(&path).expect("recording reads");
    for conn in 1..=4 {
        for dir in [Direction::ToController, Direction::ToClient] {
            let of = |kind| {
                records
                    .iter()
                    .filter(|r| r.conn == conn && r.dir == dir && r.kind == kind)
                    .count()
            };
            // The first frame decodes; the garbage is reported; whether the last frame is
            // found depends on where resynchronisation lands in the random bytes.
            assert!(of(RecordKind::Frame) >= 1, "conn {conn} {dir:?}");
            assert!(of(RecordKind::Error) >= 1, "conn {conn} {dir:?}");
        }
    }
    let first_error = records
        .iter()
        .find(|r| r.kind == RecordKind::Error)
        .expect("an error record");
    assert_eq!(
        first_error.offset, 84,
        "the garbage starts after the 84-byte frame"
    );
}

#[tokio::test]
async fn replay_against_a_fresh_mock_finds_no_difference() {
    let (path, records) = record_session("fresh.jsonl").await;
    let mock = MockController::start(Config::default())
        .await
        .expect("mock starts");
    for strict in [false, true] {
        let options = ReplayOptions {
            strict,
            ..ReplayOptions::default()
        };
        // A fresh mock each time: the first replay changed the model.
        let fresh = MockController::start(Config::default())
            .await
            .expect("mock starts");
        let report = replay(&records, &fresh.addr().to_string(), &options)
            .await
            .expect("replays");
        assert_eq!(report.calls, 5);
        assert_eq!(report.connections, 1);
        assert!(report.differences.is_empty(), "strict={strict}: {report}");
        fresh.shutdown().await;
    }
    mock.shutdown().await;

    // The binary says so too, and exits 0.
    let target = MockController::start(Config::default())
        .await
        .expect("mock starts");
    let out = run_replay(&path, target.addr()).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_eq!(
        stdout.trim(),
        "replayed 5 call(s) on 1 connection(s), 0 event frame(s) received: 0 difference(s)"
    );
    target.shutdown().await;
}

#[tokio::test]
async fn replay_against_a_faulty_mock_reports_exactly_the_fault() {
    let (path, records) = record_session("fault.jsonl").await;
    let faulty = MockController::start(Config {
        faults: Faults {
            fail_calls: vec![(Call::SetCfgVal, ReturnCode::FAIL_INVLD_PROP)],
            ..Faults::default()
        },
        ..Config::default()
    })
    .await
    .expect("mock starts");
    let report = replay(
        &records,
        &faulty.addr().to_string(),
        &ReplayOptions::default(),
    )
    .await
    .expect("replays");
    assert_eq!(report.differences.len(), 1, "{report}");
    let d = &report.differences[0];
    assert_eq!(
        (d.conn, d.api_call_id, d.call.as_str()),
        (1, Some(3), "SetCfgVal")
    );
    let DifferenceKind::ReturnCodes { recorded, replayed } = &d.what else {
        panic!("{d}");
    };
    assert_eq!(replayed, &[ReturnCode::FAIL_INVLD_PROP.0]);
    assert_eq!(recorded.len(), 1);
    assert_ne!(recorded[0], ReturnCode::FAIL_INVLD_PROP.0);
    faulty.shutdown().await;

    let faulty = MockController::start(Config {
        faults: Faults {
            fail_calls: vec![(Call::SetCfgVal, ReturnCode::FAIL_INVLD_PROP)],
            ..Faults::default()
        },
        ..Config::default()
    })
    .await
    .expect("mock starts");
    let out = run_replay(&path, faulty.addr()).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].starts_with("DIFF conn 1 id 3 SetCfgVal: return codes differ: recorded ["),
        "{stdout}"
    );
    assert!(
        lines[0].ends_with("replayed [FAIL_INVLD_PROP (0xC0000000000000D5)]"),
        "{stdout}"
    );
    faulty.shutdown().await;
}

#[tokio::test]
async fn an_unreachable_upstream_closes_the_client_and_is_recorded() {
    // A port that was just free: nothing listens there.
    let free = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let upstream = free.local_addr().expect("address");
    drop(free);
    let path = temp_file("unreachable.jsonl");
    let proxy = start_proxy(upstream, Some(path.clone())).await;
    let mut s = tokio::net::TcpStream::connect(proxy.addr())
        .await
        .expect("connects");
    let mut buf = Vec::new();
    let n = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut buf))
        .await
        .expect("closed in time")
        .unwrap_or(0);
    assert_eq!(n, 0, "nothing is sent to the client");
    proxy.shutdown().await.expect("recording written");
    let records = read_recording(&path).expect("recording reads");
    assert_eq!(records.len(), 2, "{records:?}");
    assert_eq!(records[0].kind, RecordKind::Open);
    assert_eq!(records[0].upstream, None);
    assert_eq!(records[1].kind, RecordKind::Close);
    let error = records[1].error.as_deref().expect("error");
    assert!(
        error.starts_with(&format!("cannot connect to {upstream}: ")),
        "{error}"
    );
}
