//! The `linstor-mock` binary with `--state PATH`: every acknowledged change survives a
//! SIGKILL at any moment (read back with `linstor-mock state export`), and a corrupt file is
//! refused and left as it was. (`state_kill.rs` has the many-connection, random-moment rounds.)

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::Duration;

use bytes::BytesMut;
use linstor_codec::{Envelope, FrameCodec, Outgoing};
use linstor_proto::messages::{MsgCrtRscDfn, MsgHeader, MsgLstRscDfn, RscDfn, msg_header::MsgType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::codec::Decoder;

#[path = "support/kill.rs"]
#[allow(dead_code)] // this test uses its start, Mock and connect
mod kill;
use kill::{Mock, connect};

const TIMEOUT: Duration = Duration::from_secs(10);

/// The binary on the store `state`, and where it listens; its log goes to `log`.
fn spawn(state: &std::path::Path, log: &std::path::Path) -> (Mock, SocketAddr) {
    let log = std::fs::File::create(log).map_or_else(|_| Stdio::null(), Stdio::from);
    kill::start(
        Command::new(env!("CARGO_BIN_EXE_linstor-mock"))
            .args(["--no-admin", "--listen", "127.0.0.1:0", "--state"])
            .arg(state)
            .env("RUST_LOG", "warn")
            .stderr(log),
    )
}

/// Reads envelopes until the COMPLETE of `id`; `None` when the connection closes first.
async fn until_complete(
    s: &mut TcpStream,
    buf: &mut BytesMut,
    codec: &mut FrameCodec,
    id: i64,
) -> Option<()> {
    loop {
        while let Some(frame) = codec.decode(buf).expect("frames decode") {
            let env = Envelope::decode(frame.payload_bytes()).expect("envelope");
            if env.msg_type() == MsgType::Complete && env.api_call_id() == Some(id) {
                return Some(());
            }
        }
        let n = tokio::time::timeout(TIMEOUT, s.read_buf(buf))
            .await
            .expect("in time")
            .ok()?;
        if n == 0 {
            return None;
        }
    }
}

fn names_in(state: &std::path::Path) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_linstor-mock"))
        .args(["state", "export"])
        .arg(state)
        .output()
        .expect("export runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("export is JSON");
    json["rsc_dfns"]
        .as_object()
        .expect("rsc_dfns")
        .values()
        .map(|d| d["name"].as_str().expect("name").to_owned())
        .collect()
}

#[tokio::test]
async fn acknowledged_changes_survive_kills() {
    let dir = std::env::temp_dir().join(format!("linstor-mock-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let state = dir.join("state.db");
    let _ = std::fs::remove_file(&state);
    let mut acknowledged = 0usize;
    let log = dir.join("mock.log");
    for round in 0..5 {
        let (mut child, addr) = spawn(&state, &log);
        let mut s = connect(addr).await;
        let (mut buf, mut codec) = (BytesMut::new(), FrameCodec::new());
        // Stream changes; kill the process after a varying number of them, mid-stream.
        let kill_after = 3 + round * 2;
        for i in 0..kill_after + 5 {
            let id = i as i64 + 1;
            let body = MsgCrtRscDfn {
                rsc_dfn: RscDfn {
                    rsc_name: format!("res{:04}", acknowledged),
                    ..Default::default()
                },
            };
            let header = MsgHeader::api_call(id, "CrtRscDfn");
            s.write_all(&Outgoing::new(&header, &[&body]).to_bytes())
                .await
                .expect("write");
            if i == kill_after {
                child.kill();
            }
            match until_complete(&mut s, &mut buf, &mut codec, id).await {
                Some(()) => acknowledged += 1,
                None => {
                    assert!(
                        i >= kill_after,
                        "round {round}: call {id} ended with the connection before the kill; the mock's log: {}",
                        std::fs::read_to_string(&log).unwrap_or_default()
                    );
                    break;
                }
            }
        }
        child.kill();
        let names = names_in(&state);
        assert!(
            names.len() >= acknowledged,
            "round {round}: {} stored, {acknowledged} acknowledged",
            names.len()
        );
        acknowledged = names.len();
    }
    assert!(acknowledged >= 15);

    // A corrupt file is refused, not replaced.
    std::fs::write(&state, b"torn, not a database").expect("write");
    let status = Command::new(env!("CARGO_BIN_EXE_linstor-mock"))
        .args(["--no-admin", "--listen", "127.0.0.1:0", "--state"])
        .arg(&state)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("binary runs");
    assert!(!status.status.success());
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(stderr.contains("corrupt"), "{stderr}");
    assert!(stderr.contains(&state.display().to_string()), "{stderr}");
    assert_eq!(
        std::fs::read(&state).expect("still there"),
        b"torn, not a database"
    );
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

/// A client that pipelines changes and a list call: the mock reads on while the changes
/// wait for their commit, answers every call in the order it was sent (the list after the
/// changes before it, showing them), and every change is in the store after a SIGKILL.
#[tokio::test]
async fn pipelined_calls_are_answered_in_order_after_their_commit() {
    let dir = std::env::temp_dir().join(format!("linstor-mock-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let state = dir.join("state.db");
    let _ = std::fs::remove_file(&state);
    let (mut child, addr) = spawn(&state, &dir.join("mock.log"));
    let mut s = connect(addr).await;
    let crt = |name: &str| MsgCrtRscDfn {
        rsc_dfn: RscDfn {
            rsc_name: name.into(),
            ..Default::default()
        },
    };
    // One write: 100 definitions, a list of them, one more definition.
    let mut out = Vec::new();
    for i in 0..100i64 {
        let header = MsgHeader::api_call(i + 1, "CrtRscDfn");
        out.extend_from_slice(&Outgoing::new(&header, &[&crt(&format!("p{i:03}"))]).to_bytes());
    }
    out.extend_from_slice(&Outgoing::new(&MsgHeader::api_call(101, "LstRscDfn"), &[]).to_bytes());
    let header = MsgHeader::api_call(102, "CrtRscDfn");
    out.extend_from_slice(&Outgoing::new(&header, &[&crt("last")]).to_bytes());
    s.write_all(&out).await.expect("write");

    let (mut buf, mut codec) = (BytesMut::new(), FrameCodec::new());
    let mut completes = Vec::new();
    let mut listed = None;
    'read: loop {
        while let Some(frame) = codec.decode(&mut buf).expect("frames decode") {
            let env = Envelope::decode(frame.payload_bytes()).expect("envelope");
            match env.msg_type() {
                MsgType::Complete => completes.push(env.api_call_id().expect("id")),
                MsgType::Answer if env.api_call_id() == Some(101) && env.body_count() > 0 => {
                    let list: MsgLstRscDfn = env.body(0).expect("a list");
                    listed = Some(list.rsc_dfns.len());
                }
                _ => {}
            }
        }
        if completes.len() == 102 {
            break 'read;
        }
        let n = tokio::time::timeout(TIMEOUT, s.read_buf(&mut buf))
            .await
            .expect("in time")
            .expect("read");
        assert!(n > 0, "closed early");
    }
    assert_eq!(
        completes,
        (1..=102).collect::<Vec<i64>>(),
        "answered in order"
    );
    assert_eq!(
        listed,
        Some(100),
        "the list shows the changes sent before it"
    );
    child.kill();
    let mut names = names_in(&state);
    names.sort();
    assert_eq!(names.len(), 101);
    assert_eq!(names.last().map(String::as_str), Some("p099"));
    assert!(names.contains(&"last".to_owned()));
    std::fs::remove_dir_all(&dir).expect("cleanup");
}
