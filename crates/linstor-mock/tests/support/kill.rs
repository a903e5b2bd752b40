//! Kill -9 rounds against the `linstor-mock --state` binary, shared by the test
//! (`tests/state_kill.rs`, a few seconds) and the longer bench (`benches/state_kill.rs`).
//!
//! Each round starts the binary on the same store, opens `conns` connections, and streams
//! `ModifyKvsProps` calls from each (key `c{conn}-{seq:06}` of the key-value store `kill`, a
//! window of requests in flight; a change whose cost does not grow with the model), then
//! SIGKILLs the process at a random moment (the log is compacted every few KiB, so many
//! kills land during a snapshot). After the kill the store is read with `state export`:
//! per connection the stored names must be a prefix of the sent order, holding at least every
//! call whose COMPLETE was received. The next round continues each stream where the store
//! ends.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::BytesMut;
use linstor_codec::{Envelope, FrameCodec, Outgoing};
use linstor_proto::messages::{
    LinStorMapEntry, MsgApiCallResponse, MsgHeader, MsgModKvsProps, msg_header::MsgType,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::codec::Decoder;

const TIMEOUT: Duration = Duration::from_secs(20);
/// Requests in flight per connection.
const WINDOW: usize = 8;

/// What the rounds did.
#[derive(Debug, Default)]
pub struct Summary {
    pub rounds: usize,
    pub sent: usize,
    pub acknowledged: usize,
    pub stored: usize,
}

/// A small deterministic generator (xorshift), seeded per run and printed, for the kill
/// moments.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// A spawned mock, SIGKILLed when dropped (a failing test leaves no process behind).
pub struct Mock(Child);

impl Mock {
    /// SIGKILL, and reap.
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts `cmd`, the binary with `--listen 127.0.0.1:0`, and reads the address it prints
/// on its first line once it listens. The port is the binary's own choice: no other test can
/// have been given the same one, and no connection is tried before it listens (tried
/// connections to a port of the ephemeral range can end up connected to themselves).
pub fn start(cmd: &mut Command) -> (Mock, SocketAddr) {
    let mut child = cmd.stdout(Stdio::piped()).spawn().expect("binary starts");
    let mut line = String::new();
    if let Some(stdout) = child.stdout.take() {
        let _ = BufReader::new(stdout).read_line(&mut line);
    }
    let mock = Mock(child);
    let addr = line
        .trim()
        .strip_prefix("linstor-mock listening on ")
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("the binary printed no address: {line:?}"));
    (mock, addr)
}

/// The binary on the store `state` (compacted every 4 KiB), and where it listens.
pub fn spawn(state: &Path) -> (Mock, SocketAddr) {
    start(
        Command::new(env!("CARGO_BIN_EXE_linstor-mock"))
            .args([
                "--listen",
                "127.0.0.1:0",
                "--state-compact-bytes",
                "4096",
                // Not the default admin address, which another mock on the machine may hold.
                "--no-admin",
                "--state",
            ])
            .arg(state)
            .env("RUST_LOG", "error")
            .stderr(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(state.with_extension("stderr"))
                    .map(Stdio::from)
                    .unwrap_or_else(|_| Stdio::null()),
            ),
    )
}

/// A connection to a mock that listens (see [`start`]).
pub async fn connect(addr: SocketAddr) -> TcpStream {
    tokio::time::timeout(TIMEOUT, TcpStream::connect(addr))
        .await
        .expect("connects in time")
        .expect("the mock accepts")
}

/// The stored keys of the key-value store `kill`, from `linstor-mock state export`.
pub fn stored_names(state: &Path) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_linstor-mock"))
        .args(["state", "export"])
        .arg(state)
        .env("RUST_LOG", "error")
        .output()
        .expect("export runs");
    assert!(
        out.status.success(),
        "state export failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("export is JSON");
    json["kvs"]
        .as_object()
        .expect("kvs")
        .values()
        .flat_map(|props| props.as_object().expect("props").keys().cloned())
        .collect()
}

fn name(conn: usize, seq: usize) -> String {
    format!("c{conn}-{seq:06}")
}

/// Streams `count` calls from `start` on one connection, pipelined; returns how many got
/// their COMPLETE (in order) before the connection closed.
async fn stream(
    mut s: TcpStream,
    conn: usize,
    start: usize,
    count: usize,
    acked: Arc<AtomicUsize>,
) -> (usize, usize) {
    let (mut buf, mut codec) = (BytesMut::new(), FrameCodec::new());
    let (mut sent, mut done) = (0usize, 0usize);
    'outer: while done < count {
        while sent < count && sent - done < WINDOW {
            let body = MsgModKvsProps {
                instance_name: "kill".into(),
                override_props: vec![LinStorMapEntry {
                    key: name(conn, start + sent),
                    value: "v".into(),
                }],
                delete_prop_keys: vec![],
            };
            let header = MsgHeader::api_call(sent as i64 + 1, "ModifyKvsProps");
            if s.write_all(&Outgoing::new(&header, &[&body]).to_bytes())
                .await
                .is_err()
            {
                break 'outer;
            }
            sent += 1;
        }
        loop {
            while let Some(frame) = codec.decode(&mut buf).expect("frames decode") {
                let env = Envelope::decode(frame.payload_bytes()).expect("envelope");
                if env.msg_type() == MsgType::Answer && env.body_count() > 0 {
                    // Every call of the stream is a change: an error answer fails the run
                    // (it would not be a change to look for after the kill).
                    let reply: MsgApiCallResponse = env.body(0).expect("a reply");
                    assert!(
                        !linstor_proto::ReturnCode(reply.ret_code).is_error(),
                        "conn {conn}: {reply:?}"
                    );
                }
                if env.msg_type() == MsgType::Complete {
                    assert_eq!(
                        env.api_call_id(),
                        Some(done as i64 + 1),
                        "COMPLETEs in order"
                    );
                    done += 1;
                    acked.fetch_add(1, Ordering::Relaxed);
                    continue 'outer;
                }
            }
            match tokio::time::timeout(TIMEOUT, s.read_buf(&mut buf)).await {
                Ok(Ok(n)) if n > 0 => {}
                _ => break 'outer,
            }
        }
    }
    (sent, done)
}

/// Runs `rounds` kill rounds on `conns` connections, in a new store in `dir`: each round is
/// killed once a random number of calls in `kill_after` has been acknowledged (so every
/// round sends at least its start), at a moment unrelated to the commits and snapshots.
pub async fn run(
    dir: &Path,
    rounds: usize,
    conns: usize,
    kill_after: std::ops::Range<usize>,
    seed: u64,
) -> Summary {
    let per_conn = kill_after.end.div_ceil(conns) + 2 * WINDOW;
    let state: PathBuf = dir.join("state.db");
    let _ = std::fs::remove_file(&state);
    let mut rng = Rng::new(seed);
    let mut next = vec![0usize; conns];
    let mut summary = Summary::default();
    for round in 0..rounds {
        // The mock starts (on the store the last kill left) and serves every connection.
        let t0 = std::time::Instant::now();
        let (mut child, addr) = spawn(&state);
        let mut streams = Vec::with_capacity(conns);
        for _ in 0..conns {
            streams.push(connect(addr).await);
        }
        let started = t0.elapsed();
        let acked = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = streams
            .into_iter()
            .enumerate()
            .map(|(c, s)| tokio::spawn(stream(s, c, next[c], per_conn, acked.clone())))
            .collect();
        let span = (kill_after.end - kill_after.start) as u64;
        let target = kill_after.start + rng.below(span) as usize;
        let deadline = tokio::time::Instant::now() + TIMEOUT;
        let killer = async {
            while acked.load(Ordering::Relaxed) < target && tokio::time::Instant::now() < deadline {
                tokio::time::sleep(Duration::from_micros(200)).await;
            }
        };
        tokio::pin!(killer);
        let all = futures_join(tasks);
        tokio::pin!(all);
        let results = tokio::select! {
            r = &mut all => { child.kill(); r }
            () = &mut killer => { child.kill(); all.await }
        };
        let stored = stored_names(&state);
        let mut by_conn = vec![Vec::new(); conns];
        for n in &stored {
            let (c, seq) = n[1..].split_once('-').expect("name");
            by_conn[c.parse::<usize>().expect("conn")].push(seq.parse::<usize>().expect("seq"));
        }
        for (c, (sent, acked)) in results.into_iter().enumerate() {
            let seqs = &mut by_conn[c];
            seqs.sort_unstable();
            // A prefix of the sent order: 0..k without a gap.
            assert!(
                seqs.iter().enumerate().all(|(i, s)| i == *s),
                "round {round} conn {c}: stored {seqs:?} is not a prefix"
            );
            let k = seqs.len();
            assert!(
                k >= next[c] + acked,
                "round {round} conn {c}: {k} stored < {} acknowledged",
                next[c] + acked
            );
            assert!(
                k <= next[c] + sent,
                "round {round} conn {c}: more stored than sent"
            );
            summary.sent += sent;
            summary.acknowledged += acked;
            next[c] = k;
        }
        if std::env::var_os("KILL_VERBOSE").is_some() {
            eprintln!(
                "round {round}: started in {started:?}, round {:?}, {} stored",
                t0.elapsed(),
                stored.len()
            );
        }
        summary.rounds += 1;
        summary.stored = stored.len();
    }
    // The mock starts on the final store and serves it.
    let (mut child, addr) = spawn(&state);
    let _s = connect(addr).await;
    child.kill();
    summary
}

/// Awaits every task; a task that panicked fails the run.
async fn futures_join(tasks: Vec<tokio::task::JoinHandle<(usize, usize)>>) -> Vec<(usize, usize)> {
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        out.push(t.await.expect("stream task"));
    }
    out
}
