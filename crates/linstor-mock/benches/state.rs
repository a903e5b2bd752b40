//! Figures of `--state` (run with `cargo bench -p linstor-mock --bench state`; a plain
//! binary, not a timed test):
//!
//! * calls/s with 16 connections changing the model, without and with `--state`;
//! * the cost of one change when the model holds 1,000 / 10,000 / 30,000 resource
//!   definitions (the same change, timed after seeding);
//! * recovery time of a store whose log holds 100,000 calls;
//! * the long kill -9 run (100 rounds).
//!
//! `STATE_BENCH=kill|throughput|size|recovery` runs one part.

#[path = "../tests/support/kill.rs"]
mod kill;
use kill::connect;

use std::net::SocketAddr;
use std::time::Instant;

use bytes::BytesMut;
use linstor_codec::{Envelope, FrameCodec, Outgoing};
use linstor_proto::messages::{
    LinStorMapEntry, MsgApiCallResponse, MsgCrtRsc, MsgCrtRscDfn, MsgCrtVlmDfn, MsgHeader,
    MsgModKvsProps, MsgSetCtrlCfgProp, Rsc, RscDfn, VlmDfn, msg_header::MsgType,
};
use linstor_proto::{Request, WireMessage};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::codec::Decoder;

fn spawn(state: Option<&std::path::Path>) -> (kill::Mock, SocketAddr) {
    spawn_with(state, &[])
}

fn spawn_with(state: Option<&std::path::Path>, args: &[&str]) -> (kill::Mock, SocketAddr) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_linstor-mock"));
    cmd.args(["--listen", "127.0.0.1:0"]).args(args);
    if let Some(state) = state {
        cmd.arg("--state").arg(state);
    }
    // STATE_BENCH_LOG=debug: the mock's log (e.g. the commit thread's batch figures) on
    // stderr.
    let log = std::env::var("STATE_BENCH_LOG").ok();
    cmd.env("RUST_LOG", log.as_deref().unwrap_or("error"))
        .stderr(if log.is_some() {
            std::process::Stdio::inherit()
        } else {
            std::process::Stdio::null()
        });
    kill::start(&mut cmd)
}

/// Sends `requests` one after the other (each waits for its COMPLETE); returns the first
/// error answer, if any.
async fn run_calls(
    mut s: TcpStream,
    requests: Vec<(&'static str, Box<dyn WireMessage>)>,
) -> Option<String> {
    let (mut buf, mut codec) = (BytesMut::new(), FrameCodec::new());
    let mut error = None;
    for (i, (call, body)) in requests.into_iter().enumerate() {
        let id = i as i64 + 1;
        let header = MsgHeader::api_call(id, call);
        s.write_all(&Outgoing::new(&header, &[body.as_ref()]).to_bytes())
            .await
            .expect("write");
        'wait: loop {
            while let Some(frame) = codec.decode(&mut buf).expect("frames") {
                let env = Envelope::decode(frame.payload_bytes()).expect("envelope");
                if env.msg_type() == MsgType::Answer
                    && env.body_count() > 0
                    && error.is_none()
                    && let Ok(reply) = env.body::<MsgApiCallResponse>(0)
                    && linstor_proto::ReturnCode(reply.ret_code).is_error()
                {
                    error = Some(format!("{call}: {}", reply.message));
                }
                if env.msg_type() == MsgType::Complete && env.api_call_id() == Some(id) {
                    break 'wait;
                }
            }
            assert!(s.read_buf(&mut buf).await.expect("read") > 0, "closed");
        }
    }
    error
}

fn crt_vlm_dfn(rsc: &str) -> (&'static str, Box<dyn WireMessage>) {
    (
        "CrtVlmDfn",
        Box::new(MsgCrtVlmDfn {
            rsc_name: rsc.into(),
            rsc_dfn_uuid: None,
            vlm_dfns: vec![VlmDfn {
                vlm_size: 1024 * 1024,
                ..Default::default()
            }],
        }),
    )
}

/// Resources of `rsc` on alpha and bravo of the demo cluster, in its pool `drbdpool`.
fn crt_rsc(rsc: &str) -> (&'static str, Box<dyn WireMessage>) {
    let on = |node: &str| Rsc {
        name: rsc.into(),
        node_name: node.into(),
        props: vec![LinStorMapEntry {
            key: "StorPoolName".into(),
            value: "drbdpool".into(),
        }],
        ..Default::default()
    };
    (
        "CrtRsc",
        Box::new(MsgCrtRsc {
            rscs: vec![on("alpha"), on("bravo")],
        }),
    )
}

fn kvs(conn: usize, i: usize) -> (&'static str, Box<dyn WireMessage>) {
    (
        "ModifyKvsProps",
        Box::new(MsgModKvsProps {
            instance_name: "bench".into(),
            override_props: vec![LinStorMapEntry {
                key: format!("c{conn}-{i}"),
                value: "v".into(),
            }],
            delete_prop_keys: vec![],
        }),
    )
}

fn crt_rsc_dfn(name: String) -> (&'static str, Box<dyn WireMessage>) {
    (
        "CrtRscDfn",
        Box::new(MsgCrtRscDfn {
            rsc_dfn: RscDfn {
                rsc_name: name,
                ..Default::default()
            },
        }),
    )
}

/// Ports 7000-60000 for new resource definitions (the default range holds 1,000).
fn wide_port_range() -> (&'static str, Box<dyn WireMessage>) {
    (
        "SetCfgVal",
        Box::new(MsgSetCtrlCfgProp {
            key: "TcpPortAutoRange".into(),
            value: "7000-60000".into(),
            namespace: None,
        }),
    )
}

/// Sends `requests` keeping up to `window` in flight (a new one goes out as each COMPLETE
/// arrives).
async fn run_window(
    mut s: TcpStream,
    requests: Vec<(&'static str, Box<dyn WireMessage>)>,
    window: usize,
) {
    let (mut buf, mut codec) = (BytesMut::new(), FrameCodec::new());
    let count = requests.len();
    let mut requests = requests.into_iter();
    let (mut sent, mut done) = (0usize, 0usize);
    while done < count {
        let mut out = Vec::new();
        while sent < count && sent - done < window {
            let Some((call, body)) = requests.next() else {
                break;
            };
            sent += 1;
            let header = MsgHeader::api_call(sent as i64, call);
            out.extend_from_slice(&Outgoing::new(&header, &[body.as_ref()]).to_bytes());
        }
        if !out.is_empty() {
            s.write_all(&out).await.expect("write");
        }
        let before = done;
        while done == before {
            while let Some(frame) = codec.decode(&mut buf).expect("frames") {
                let env = Envelope::decode(frame.payload_bytes()).expect("envelope");
                if env.msg_type() == MsgType::Complete {
                    done += 1;
                }
            }
            if done == before {
                assert!(s.read_buf(&mut buf).await.expect("read") > 0, "closed");
            }
        }
    }
}

/// What the throughput connections create.
#[derive(Clone, Copy, Debug)]
enum Creates {
    /// A new key of a key-value store per call (`ModifyKvsProps`).
    KvsKeys,
    /// A new resource definition per call (`CrtRscDfn`, port and minor drawn).
    RscDfns,
}

fn creates(kind: Creates, conn: usize, i: usize) -> (&'static str, Box<dyn WireMessage>) {
    match kind {
        Creates::KvsKeys => kvs(conn, i),
        Creates::RscDfns => crt_rsc_dfn(format!("tp{conn}x{i}")),
    }
}

/// Calls/s of `conns` connections each sending `per_conn` creating calls, `window` in
/// flight per connection.
async fn throughput(
    state: Option<&std::path::Path>,
    kind: Creates,
    conns: usize,
    window: usize,
    per_conn: usize,
) -> f64 {
    let (_mock, addr) = spawn(state);
    if matches!(kind, Creates::RscDfns) {
        run_calls(connect(addr).await, vec![wide_port_range()]).await;
    }
    let mut streams = Vec::new();
    for _ in 0..conns {
        streams.push(connect(addr).await);
    }
    let started = Instant::now();
    let tasks: Vec<_> = streams
        .into_iter()
        .enumerate()
        .map(|(c, s)| {
            let calls = (0..per_conn).map(|i| creates(kind, c, i)).collect();
            tokio::spawn(run_window(s, calls, window))
        })
        .collect();
    for t in tasks {
        t.await.expect("task");
    }
    (conns * per_conn) as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let only = std::env::var("STATE_BENCH").ok();
    let part = |name: &str| only.as_deref().is_none_or(|o| o == name);
    let dir = std::env::temp_dir().join(format!("linstor-mock-state-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    if part("throughput") {
        // STATE_BENCH_CALLS: calls per connection (default 2,000).
        let per_conn = std::env::var("STATE_BENCH_CALLS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(2000);
        for (kind, window) in [
            (Creates::KvsKeys, 1),
            (Creates::KvsKeys, 8),
            (Creates::RscDfns, 1),
            (Creates::RscDfns, 8),
        ] {
            let memory = throughput(None, kind, 16, window, per_conn).await;
            let path = dir.join("tp.db");
            let _ = std::fs::remove_file(&path);
            let durable = throughput(Some(&path), kind, 16, window, per_conn).await;
            println!(
                "16 connections x {window} in flight, {kind:?}: {memory:.0} calls/s in memory, {durable:.0} calls/s with --state ({:.2}x)",
                durable / memory
            );
        }
    }
    if part("size") {
        // The same changes timed after seeding 1,000 / 10,000 / 30,000 resource definitions,
        // in memory and with --state (demo cluster, no event delay: the figures are the
        // controller's, not the event script's).
        for n in [1_000usize, 10_000, 30_000] {
            for durable in [false, true] {
                let path = dir.join(format!("size-{n}.db"));
                let _ = std::fs::remove_file(&path);
                let state = durable.then_some(path.as_path());
                let (mut mock, addr) = spawn_with(state, &["--demo", "--event-delay-ms", "0"]);
                // Seed n definitions from 8 connections.
                run_calls(connect(addr).await, vec![wide_port_range()]).await;
                let tasks: Vec<_> = (0..8)
                    .map(|c| {
                        let names: Vec<_> = (0..n / 8)
                            .map(|i| crt_rsc_dfn(format!("s{c}x{i}")))
                            .collect();
                        async move { run_calls(connect(addr).await, names).await }
                    })
                    .map(tokio::spawn)
                    .collect();
                for t in tasks {
                    assert_eq!(t.await.expect("seed"), None, "seeding");
                }
                // The timed changes, from one connection: 2,000 new KVS keys; 500 new
                // definitions (auto port and minor); 200 volumes (definition, volume
                // definition, resources on two nodes: three calls each).
                let s = connect(addr).await;
                let started = Instant::now();
                let kvs_error = run_calls(s, (0..2000).map(|i| kvs(0, i)).collect()).await;
                let kvs_cost = started.elapsed() / 2000;
                let s = connect(addr).await;
                let started = Instant::now();
                let crt = (0..500).map(|i| crt_rsc_dfn(format!("t{i}"))).collect();
                let crt_error = run_calls(s, crt).await;
                let crt_cost = started.elapsed() / 500;
                let s = connect(addr).await;
                let started = Instant::now();
                let volumes = (0..200)
                    .flat_map(|i| {
                        let name = format!("v{i}");
                        [
                            crt_rsc_dfn(name.clone()),
                            crt_vlm_dfn(&name),
                            crt_rsc(&name),
                        ]
                    })
                    .collect();
                let vol_error = run_calls(s, volumes).await;
                let vol_cost = started.elapsed() / 200;
                mock.kill();
                for e in [kvs_error, crt_error, vol_error].into_iter().flatten() {
                    println!("  error answer: {e}");
                }
                let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                let _ = std::fs::remove_file(&path);
                println!(
                    "{n} definitions, {}: ModifyKvsProps {kvs_cost:?}/change, CrtRscDfn {crt_cost:?}/change, volume (CrtRscDfn+CrtVlmDfn+CrtRsc x2) {vol_cost:?}/volume{}",
                    if durable { "--state" } else { "in memory" },
                    if durable {
                        format!(" (store {size} bytes)")
                    } else {
                        String::new()
                    }
                );
            }
        }
    }
    if part("recovery") {
        // A store whose log holds 100,000 calls: written directly (no compaction).
        let path = dir.join("recovery.db");
        let _ = std::fs::remove_file(&path);
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_linstor-mock"));
        cmd.args([
            "--listen",
            "127.0.0.1:0",
            "--state-compact-bytes",
            "1000000000",
            "--state",
        ])
        .arg(&path)
        .env("RUST_LOG", "error")
        .stderr(std::process::Stdio::null());
        let (mut mock, addr) = kill::start(&mut cmd);
        let tasks: Vec<_> = (0..16)
            .map(|c| async move {
                run_calls(
                    connect(addr).await,
                    (0..100_000 / 16).map(|i| kvs(c, i)).collect(),
                )
                .await
            })
            .map(tokio::spawn)
            .collect();
        for t in tasks {
            t.await.expect("fill");
        }
        mock.kill();
        let started = Instant::now();
        let (_mock, addr) = spawn(Some(&path));
        let _s = connect(addr).await;
        println!(
            "recovery of a 100,000-call log (after kill -9): listening after {:?}",
            started.elapsed()
        );
        let _ = Request::LstNode;
    }
    if part("kill") {
        let kdir = dir.join("kill");
        std::fs::create_dir_all(&kdir).expect("dir");
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        let started = Instant::now();
        // STATE_BENCH_KILL_ROUNDS: rounds (default 100).
        let rounds = std::env::var("STATE_BENCH_KILL_ROUNDS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(100);
        let summary = kill::run(&kdir, rounds, 8, 500..3000, seed).await;
        println!(
            "kill -9 x{rounds}, 8 connections (seed {seed}): {summary:?} in {:?}",
            started.elapsed()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
