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
//! Run with `cargo bench --bench client_perf` (`-- --quick` for a short run). It prints one
//! table of figures and ratios; the goals of each row are in the README.

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

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--serve-mock") {
        child_server::serve_mock(linstor_mock::Config::default());
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let serial = if quick { 2_000 } else { 20_000 };
    let mut mock = ChildServer::spawn("--serve-mock");
    let addr = mock.addr;
    let rt = current_thread();
    rt.block_on(seed(addr));

    let mut rows = Vec::new();
    // Round-trip frames (fixed api_call_id so every answer has the same length).
    let ping = linstor_client::encode_request(7, &Request::Ping).expect("ping frame");
    let lst_node = linstor_client::encode_request(7, &Request::LstNode).expect("frame");
    let ping_answer_len = rt.block_on(answer_len(addr, &ping));
    let lst_answer = rt.block_on(answer_bytes(addr, &lst_node));

    let raw_ping = rt.block_on(raw_round_trips(addr, &ping, ping_answer_len, serial));
    let raw_lst = rt.block_on(raw_round_trips(addr, &lst_node, lst_answer.len(), serial));
    let decode = bare_decode(&lst_answer, serial);
    let blocking = blocking_client(addr, &lst_node, serial);
    let client = rt
        .block_on(Client::connect(&format!("linstor://{addr}")))
        .expect("client");
    let api_ping = rt.block_on(serial_calls(serial, || async {
        client.ping().await.expect("ping")
    }));
    let api_lst = rt.block_on(serial_calls(serial, || async {
        assert_eq!(client.node_list().await.expect("list").nodes.len(), NODES);
    }));

    rows.push(Row::new("raw ping-pong (current-thread)", &raw_ping));
    rows.push(Row::new("client ping() (current-thread)", &api_ping).vs(&raw_ping, "raw ping"));
    rows.push(Row::new("raw LstNode round trip", &raw_lst));
    let floor = Sample {
        p50: raw_lst.p50,
        cpu_per_call: raw_lst.cpu_per_call + decode,
        calls_per_s: raw_lst.calls_per_s,
    };
    rows.push(Row::new("raw + bare prost decode", &floor));
    rows.push(Row::new("blocking minimal client", &blocking));
    rows.push(Row::new("client node_list() (current-thread)", &api_lst).vs(&floor, "raw+prost"));

    let mt = multi_thread();
    let mt_client = mt
        .block_on(Client::connect(&format!("linstor://{addr}")))
        .expect("client");
    let mt_serial = mt.block_on(serial_calls(serial, || async {
        mt_client.node_list().await.expect("list");
    }));
    rows.push(Row::new("client node_list() (multi-thread)", &mt_serial).vs(&floor, "raw+prost"));
    // The same with the caller in a task of the runtime, as a plugin's code usually is.
    let in_task = mt
        .block_on({
            let c = mt_client.clone();
            mt.spawn(async move {
                serial_calls(serial, || async {
                    c.node_list().await.expect("list");
                })
                .await
            })
        })
        .expect("task");
    rows.push(
        Row::new(
            "client node_list() (multi-thread, caller in a task)",
            &in_task,
        )
        .vs(&floor, "raw+prost"),
    );
    for in_flight in [16usize, 128, 1024] {
        let batches = (serial / in_flight).max(4);
        let s = mt.block_on(concurrent_calls(&mt_client, in_flight, batches));
        rows.push(
            Row::new(
                &format!("node_list() {in_flight} in flight (multi-thread)"),
                &s,
            )
            .vs(&mt_serial, "serial mt"),
        );
    }
    let s = rt.block_on(concurrent_calls(&client, 128, (serial / 128).max(4)));
    rows.push(Row::new("node_list() 128 in flight (current-thread)", &s).vs(&api_lst, "serial ct"));

    println!();
    println!("client_perf: {NODES} nodes, {serial} serial calls per row, mock in its own process");
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

fn sample(latencies: &mut [Duration], cpu: Duration, wall: Duration, calls: usize) -> Sample {
    latencies.sort_unstable();
    let p50 = latencies
        .get(latencies.len() / 2)
        .copied()
        .unwrap_or_default();
    Sample {
        p50,
        cpu_per_call: cpu / calls as u32,
        calls_per_s: calls as f64 / wall.as_secs_f64(),
    }
}

/// Calls `f` one after another: a tenth to warm up, then `n` measured.
async fn serial_calls<F, Fut>(n: usize, mut f: F) -> Sample
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..n / 10 {
        f().await;
    }
    let mut latencies = Vec::with_capacity(n);
    let (cpu0, wall0) = (process_cpu(), Instant::now());
    for _ in 0..n {
        let t = Instant::now();
        f().await;
        latencies.push(t.elapsed());
    }
    let (cpu, wall) = (process_cpu() - cpu0, wall0.elapsed());
    sample(&mut latencies, cpu, wall, n)
}

/// `batches` rounds of `in_flight` concurrent `node_list` calls on one connection; the
/// latency is that of a whole round divided by nothing (each call's own time is not taken).
async fn concurrent_calls(client: &Client, in_flight: usize, batches: usize) -> Sample {
    let round = || async {
        let calls = (0..in_flight).map(|_| client.node_list());
        for r in futures::future::join_all(calls).await {
            assert_eq!(r.expect("list").nodes.len(), NODES);
        }
    };
    for _ in 0..(batches / 10).max(1) {
        round().await;
    }
    let mut latencies = Vec::with_capacity(batches);
    let (cpu0, wall0) = (process_cpu(), Instant::now());
    for _ in 0..batches {
        let t = Instant::now();
        round().await;
        latencies.push(t.elapsed());
    }
    let (cpu, wall) = (process_cpu() - cpu0, wall0.elapsed());
    sample(&mut latencies, cpu, wall, batches * in_flight)
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

async fn raw_round_trips(addr: SocketAddr, request: &[u8], answer: usize, n: usize) -> Sample {
    let mut s = raw_connection(addr).await;
    let mut buf = vec![0u8; answer];
    let mut latencies = Vec::with_capacity(n);
    for _ in 0..n / 10 {
        s.write_all(request).await.expect("write");
        s.read_exact(&mut buf).await.expect("read");
    }
    let (cpu0, wall0) = (process_cpu(), Instant::now());
    for _ in 0..n {
        let t = Instant::now();
        s.write_all(request).await.expect("write");
        s.read_exact(&mut buf).await.expect("read");
        latencies.push(t.elapsed());
    }
    let (cpu, wall) = (process_cpu() - cpu0, wall0.elapsed());
    sample(&mut latencies, cpu, wall, n)
}

/// CPU per bare prost decode of the list in `answer` (its first frame's second message).
fn bare_decode(answer: &[u8], n: usize) -> Duration {
    let len = u32::from_be_bytes([answer[4], answer[5], answer[6], answer[7]]) as usize;
    let payload = Bytes::copy_from_slice(&answer[16..16 + len]);
    let env = linstor_codec::Envelope::decode(payload).expect("envelope");
    let body = env.body_bytes(0).expect("list body");
    let cpu0 = process_cpu();
    for _ in 0..n {
        let m = MsgLstNode::decode(body.clone()).expect("decode");
        assert_eq!(m.nodes.len(), NODES);
    }
    (process_cpu() - cpu0) / n as u32
}

/// One call at a time on a blocking socket, reading frame by frame and decoding the list.
fn blocking_client(addr: SocketAddr, request: &[u8], n: usize) -> Sample {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_nodelay(true).expect("nodelay");
    let read_frame = |s: &mut std::net::TcpStream| -> Vec<u8> {
        let mut header = [0u8; 16];
        s.read_exact(&mut header).expect("header");
        let len = u32::from_be_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let mut payload = vec![0u8; len];
        s.read_exact(&mut payload).expect("payload");
        payload
    };
    read_frame(&mut s); // greeting
    let call = |s: &mut std::net::TcpStream| {
        use linstor_proto::messages::msg_header::MsgType;
        s.write_all(request).expect("write");
        loop {
            let env = linstor_codec::Envelope::decode(Bytes::from(read_frame(s))).expect("env");
            match env.msg_type() {
                MsgType::Complete => break,
                MsgType::Answer if env.content() == "LstNode" => {
                    let m: MsgLstNode = env.body(0).expect("list");
                    assert_eq!(m.nodes.len(), NODES);
                }
                _ => {}
            }
        }
    };
    for _ in 0..n / 10 {
        call(&mut s);
    }
    let mut latencies = Vec::with_capacity(n);
    let (cpu0, wall0) = (process_cpu(), Instant::now());
    for _ in 0..n {
        let t = Instant::now();
        call(&mut s);
        latencies.push(t.elapsed());
    }
    let (cpu, wall) = (process_cpu() - cpu0, wall0.elapsed());
    sample(&mut latencies, cpu, wall, n)
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
