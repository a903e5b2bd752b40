//! What a call costs the client, beside the baselines that stand for the Python client, in
//! one run against one mock controller in its own process (this binary started again with
//! `--serve-mock`), so that the CPU time read here is the client's alone.
//!
//! Baselines (python-linstor 0.7.3 is not on the package index, so these stand for it):
//!
//! * `raw`: the prebuilt request frame written on a tokio `TcpStream` and the known number of
//!   answer bytes read back, on the same current-thread runtime as the client: the floor of
//!   a round trip with this placement.
//! * `raw + prost`: the raw round trip plus a bare `prost` decode of the same answer bytes:
//!   the least a client can do for `node_list`.
//! * `blocking`: a minimal blocking client (std `TcpStream`, one call at a time, reading
//!   frames and decoding the list with prost), the way the Python client works.
//!
//! Every row is measured in ten turns, in turn with the others, so that a machine whose
//! speed drifts during the run moves all rows alike. Run with `cargo bench --bench
//! client_perf` (`-- --quick` for a short run). It prints one table of figures and ratios;
//! the goals of each row are in the README.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use linstor_client::{Client, requests::NodeCreate};
use linstor_proto::Request;
use linstor_proto::messages::MsgLstNode;
use prost::Message;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[path = "support/child_server.rs"]
#[allow(dead_code)] // each bench uses part of it
mod child_server;
use child_server::ChildServer;

/// Nodes in the model, as in the figures.
const NODES: usize = 50;

/// Rounds each way of calling is measured in, in turn with the others.
const ROUNDS: usize = 10;

/// One way of calling: makes `n` calls and says what they took.
type Probe<'a> = Box<dyn FnMut(usize) -> Measured + 'a>;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--serve-mock") {
        child_server::serve_mock(linstor_mock::Config::default());
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let serial = if quick { 2_000 } else { 20_000 };
    let per_round = serial / ROUNDS;
    let mut mock = ChildServer::spawn("--serve-mock");
    let addr = mock.addr;
    let rt = current_thread();
    rt.block_on(seed(addr));

    // Round-trip frames (fixed api_call_id so every answer has the same length).
    let ping = linstor_client::encode_request(7, &Request::Ping).expect("ping frame");
    let lst_node = linstor_client::encode_request(7, &Request::LstNode).expect("frame");
    let ping_answer_len = rt.block_on(answer_len(addr, &ping));
    let lst_answer = rt.block_on(answer_bytes(addr, &lst_node));
    let client = rt
        .block_on(Client::connect(&format!("linstor://{addr}")))
        .expect("client");
    let mt = multi_thread();
    let mt_client = mt
        .block_on(Client::connect(&format!("linstor://{addr}")))
        .expect("client");
    let mut raw_ping_conn = rt.block_on(raw_connection(addr));
    let mut raw_lst_conn = rt.block_on(raw_connection(addr));
    let mut blocking = BlockingClient::connect(addr);

    // Every way of calling, measured in `ROUNDS` turns (after one warm-up turn each), so
    // that a machine whose speed drifts during the run (this VM's does, by 2x) moves every
    // row alike and the ratios between rows hold.
    let mut probes: Vec<(&str, Probe<'_>)> = vec![
        (
            "raw ping-pong (current-thread)",
            Box::new(|n| {
                rt.block_on(raw_round_trips(
                    &mut raw_ping_conn,
                    &ping,
                    ping_answer_len,
                    n,
                ))
            }),
        ),
        (
            "client ping() (current-thread)",
            Box::new(|n| {
                rt.block_on(serial_calls(n, || async {
                    client.ping().await.expect("ping")
                }))
            }),
        ),
        (
            "raw LstNode round trip",
            Box::new(|n| {
                rt.block_on(raw_round_trips(
                    &mut raw_lst_conn,
                    &lst_node,
                    lst_answer.len(),
                    n,
                ))
            }),
        ),
        (
            "bare prost decode",
            Box::new(|n| bare_decode(&lst_answer, n)),
        ),
        (
            "blocking minimal client",
            Box::new(|n| blocking.calls(&lst_node, n)),
        ),
        (
            "client node_list() (current-thread)",
            Box::new(|n| {
                rt.block_on(serial_calls(n, || async {
                    assert_eq!(client.node_list().await.expect("list").nodes.len(), NODES);
                }))
            }),
        ),
        (
            "client node_list() (multi-thread)",
            Box::new(|n| {
                mt.block_on(serial_calls(n, || async {
                    mt_client.node_list().await.expect("list");
                }))
            }),
        ),
        (
            // The caller in a task of the runtime, as a plugin's code usually is.
            "client node_list() (multi-thread, caller in a task)",
            Box::new(|n| {
                let c = mt_client.clone();
                mt.block_on(mt.spawn(async move {
                    serial_calls(n, || async {
                        c.node_list().await.expect("list");
                    })
                    .await
                }))
                .expect("task")
            }),
        ),
    ];
    for in_flight in [16usize, 128, 1024] {
        let c = &mt_client;
        let mt = &mt;
        probes.push((
            match in_flight {
                16 => "node_list() 16 in flight (multi-thread)",
                128 => "node_list() 128 in flight (multi-thread)",
                _ => "node_list() 1024 in flight (multi-thread)",
            },
            Box::new(move |n| mt.block_on(concurrent_calls(c, in_flight, (n / in_flight).max(1)))),
        ));
    }
    probes.push((
        "node_list() 128 in flight (current-thread)",
        Box::new(|n| rt.block_on(concurrent_calls(&client, 128, (n / 128).max(1)))),
    ));

    for (_, probe) in &mut probes {
        probe((per_round / 5).max(1));
    }
    let mut measured: Vec<Measured> = probes.iter().map(|_| Measured::default()).collect();
    for _ in 0..ROUNDS {
        for ((_, probe), total) in probes.iter_mut().zip(&mut measured) {
            total.add(probe(per_round));
        }
    }
    let samples: Vec<(&str, Sample)> = probes
        .iter()
        .zip(measured)
        .map(|((name, _), m)| (*name, m.sample()))
        .collect();
    drop(probes);
    let get = |name: &str| {
        samples
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| *s)
            .expect("a measured row")
    };
    let raw_ping = get("raw ping-pong (current-thread)");
    let raw_lst = get("raw LstNode round trip");
    let floor = Sample {
        p50: raw_lst.p50,
        cpu_per_call: raw_lst.cpu_per_call + get("bare prost decode").cpu_per_call,
        calls_per_s: raw_lst.calls_per_s,
    };
    let serial_ct = get("client node_list() (current-thread)");
    let serial_mt = get("client node_list() (multi-thread)");
    let mut rows = Vec::new();
    for (name, sample) in &samples {
        let row = Row::new(name, sample);
        let row = match *name {
            "bare prost decode" => continue,
            "client ping() (current-thread)" => row.vs(&raw_ping, "raw ping"),
            "node_list() 128 in flight (current-thread)" => row.vs(&serial_ct, "serial ct"),
            n if n.contains("in flight") => row.vs(&serial_mt, "serial mt"),
            n if n.starts_with("client node_list()") => row.vs(&floor, "raw+prost"),
            _ => row,
        };
        rows.push(row);
        if *name == "raw LstNode round trip" {
            rows.push(Row::new("raw + bare prost decode", &floor));
        }
    }

    println!();
    println!(
        "client_perf: {NODES} nodes, {serial} serial calls per row in {ROUNDS} rounds, mock in its own process"
    );
    println!();
    println!(
        "| what | p50 µs | client CPU µs/call | calls/s | vs | p50 ratio | CPU ratio | calls/s ratio |"
    );
    println!("|---|---:|---:|---:|---|---:|---:|---:|");
    for row in rows {
        println!("{row}");
    }
    drop(client);
    drop(mt_client);
    mock.stop();
}

/// What one or more turns of a way of calling took: each call's latency (for concurrent
/// calls: each round's), the client's CPU time and the wall-clock time, and the calls made.
#[derive(Default)]
struct Measured {
    latencies: Vec<Duration>,
    cpu: Duration,
    wall: Duration,
    calls: usize,
}

impl Measured {
    fn add(&mut self, turn: Measured) {
        self.latencies.extend(turn.latencies);
        self.cpu += turn.cpu;
        self.wall += turn.wall;
        self.calls += turn.calls;
    }

    fn sample(mut self) -> Sample {
        self.latencies.sort_unstable();
        Sample {
            p50: self
                .latencies
                .get(self.latencies.len() / 2)
                .copied()
                .unwrap_or_default(),
            cpu_per_call: self.cpu / self.calls.max(1) as u32,
            calls_per_s: self.calls as f64 / self.wall.as_secs_f64(),
        }
    }
}

/// The client's CPU and wall-clock time from a start, and the latency of each call since.
struct Stopwatch {
    cpu: Duration,
    wall: Instant,
    latencies: Vec<Duration>,
}

impl Stopwatch {
    fn start(n: usize) -> Stopwatch {
        Stopwatch {
            cpu: process_cpu(),
            wall: Instant::now(),
            latencies: Vec::with_capacity(n),
        }
    }

    fn stop(self, calls: usize) -> Measured {
        Measured {
            cpu: process_cpu() - self.cpu,
            wall: self.wall.elapsed(),
            latencies: self.latencies,
            calls,
        }
    }
}

/// Times `n` runs of `call`: the latency of each, and the CPU and wall-clock time of all.
fn timed(n: usize, calls_each: usize, mut call: impl FnMut()) -> Measured {
    let mut clock = Stopwatch::start(n);
    for _ in 0..n {
        let t = Instant::now();
        call();
        clock.latencies.push(t.elapsed());
    }
    clock.stop(n * calls_each)
}

/// [`timed`] for an async call.
async fn timed_async<F, Fut>(n: usize, calls_each: usize, mut call: F) -> Measured
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut clock = Stopwatch::start(n);
    for _ in 0..n {
        let t = Instant::now();
        call().await;
        clock.latencies.push(t.elapsed());
    }
    clock.stop(n * calls_each)
}

/// One measured way of making calls.
#[derive(Clone, Copy)]
struct Sample {
    p50: Duration,
    cpu_per_call: Duration,
    calls_per_s: f64,
}

struct Row {
    name: String,
    sample: Sample,
    against: Option<(Sample, &'static str)>,
}

impl Row {
    fn new(name: &str, sample: &Sample) -> Row {
        Row {
            name: name.to_owned(),
            sample: *sample,
            against: None,
        }
    }

    fn vs(mut self, baseline: &Sample, name: &'static str) -> Row {
        self.against = Some((*baseline, name));
        self
    }
}

impl std::fmt::Display for Row {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.sample;
        write!(
            f,
            "| {} | {:.1} | {:.1} | {:.0} |",
            self.name,
            micros(s.p50),
            micros(s.cpu_per_call),
            s.calls_per_s
        )?;
        match &self.against {
            Some((b, name)) => write!(
                f,
                " {name} | {:.2}x | {:.2}x | {:.2}x |",
                micros(s.p50) / micros(b.p50),
                micros(s.cpu_per_call) / micros(b.cpu_per_call),
                s.calls_per_s / b.calls_per_s
            ),
            None => write!(f, " | | | |"),
        }
    }
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// CPU time of this whole process (every thread of the client; the mock is elsewhere).
fn process_cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// `n` calls of `f`, one after another.
async fn serial_calls<F, Fut>(n: usize, f: F) -> Measured
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    timed_async(n, 1, f).await
}

/// `batches` rounds of `in_flight` concurrent `node_list` calls on one connection; the
/// latency is that of a whole round.
async fn concurrent_calls(client: &Client, in_flight: usize, batches: usize) -> Measured {
    timed_async(batches, in_flight, || async {
        let calls = (0..in_flight).map(|_| client.node_list());
        for r in futures::future::join_all(calls).await {
            assert_eq!(r.expect("list").nodes.len(), NODES);
        }
    })
    .await
}

/// A connection that has read the greeting.
async fn raw_connection(addr: SocketAddr) -> tokio::net::TcpStream {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    s.set_nodelay(true).expect("nodelay");
    let mut header = [0u8; 16];
    s.read_exact(&mut header).await.expect("greeting header");
    let len = u32::from_be_bytes([header[4], header[5], header[6], header[7]]) as usize;
    let mut payload = vec![0u8; len];
    s.read_exact(&mut payload).await.expect("greeting");
    s
}

/// The answer frames of one call of `request`, up to and including its `COMPLETE`.
async fn answer_bytes(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    use linstor_proto::messages::msg_header::MsgType;
    let mut s = raw_connection(addr).await;
    s.write_all(request).await.expect("write");
    let mut all = Vec::new();
    loop {
        let mut header = [0u8; 16];
        s.read_exact(&mut header).await.expect("header");
        let len = u32::from_be_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let mut payload = vec![0u8; len];
        s.read_exact(&mut payload).await.expect("payload");
        all.extend_from_slice(&header);
        all.extend_from_slice(&payload);
        let env = linstor_codec::Envelope::decode(Bytes::from(payload)).expect("envelope");
        if env.msg_type() == MsgType::Complete {
            return all;
        }
    }
}

async fn answer_len(addr: SocketAddr, request: &[u8]) -> usize {
    answer_bytes(addr, request).await.len()
}

/// `n` round trips of `request` on `s`, reading the `answer` bytes it is known to bring.
async fn raw_round_trips(
    s: &mut tokio::net::TcpStream,
    request: &[u8],
    answer: usize,
    n: usize,
) -> Measured {
    let mut buf = vec![0u8; answer];
    let mut clock = Stopwatch::start(n);
    for _ in 0..n {
        let t = Instant::now();
        s.write_all(request).await.expect("write");
        s.read_exact(&mut buf).await.expect("read");
        clock.latencies.push(t.elapsed());
    }
    clock.stop(n)
}

/// `n` bare prost decodes of the list in `answer` (its first frame's second message).
fn bare_decode(answer: &[u8], n: usize) -> Measured {
    let len = u32::from_be_bytes([answer[4], answer[5], answer[6], answer[7]]) as usize;
    let payload = Bytes::copy_from_slice(&answer[16..16 + len]);
    let env = linstor_codec::Envelope::decode(payload).expect("envelope");
    let body = env.body_bytes(0).expect("list body");
    timed(n, 1, || {
        let m = MsgLstNode::decode(body.clone()).expect("decode");
        assert_eq!(m.nodes.len(), NODES);
    })
}

/// A minimal blocking client: one call at a time on a std `TcpStream`, reading frame by
/// frame and decoding the list, the way the Python client works.
struct BlockingClient(std::net::TcpStream);

impl BlockingClient {
    fn connect(addr: SocketAddr) -> BlockingClient {
        let s = std::net::TcpStream::connect(addr).expect("connect");
        s.set_nodelay(true).expect("nodelay");
        let mut c = BlockingClient(s);
        c.read_frame(); // greeting
        c
    }

    fn read_frame(&mut self) -> Vec<u8> {
        let mut header = [0u8; 16];
        self.0.read_exact(&mut header).expect("header");
        let len = u32::from_be_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let mut payload = vec![0u8; len];
        self.0.read_exact(&mut payload).expect("payload");
        payload
    }

    fn call(&mut self, request: &[u8]) {
        use linstor_proto::messages::msg_header::MsgType;
        self.0.write_all(request).expect("write");
        loop {
            let env = linstor_codec::Envelope::decode(Bytes::from(self.read_frame())).expect("env");
            match env.msg_type() {
                MsgType::Complete => break,
                MsgType::Answer if env.content() == "LstNode" => {
                    let m: MsgLstNode = env.body(0).expect("list");
                    assert_eq!(m.nodes.len(), NODES);
                }
                _ => {}
            }
        }
    }

    /// `n` calls of `request`.
    fn calls(&mut self, request: &[u8], n: usize) -> Measured {
        timed(n, 1, || self.call(request))
    }
}

async fn seed(addr: SocketAddr) {
    let client = Client::connect(&format!("linstor://{addr}"))
        .await
        .expect("seed client");
    for i in 0..NODES {
        let node = NodeCreate::new(format!("node-{i:02}"), "Satellite", format!("10.0.0.{i}"));
        assert!(client.node_create(&node).await.expect("node").is_success());
    }
}

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn multi_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}
