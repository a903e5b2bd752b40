//! How long one change takes to reach every watch, per watch, against one mock controller in
//! its own process (this binary started again with `--serve-mock`, event delay 0).
//!
//! N connections each create W watches on one resource; then each round creates that
//! resource on a node (one `ResourceState` value per watch) or deletes it again (one
//! `CloseRemoved` per watch), from a separate connection. Every watch's latency is the time
//! from just before the change's request is written to the moment its reader task has the
//! event frame decoded. The table gives p50 / p99 / max over all (watch, round) samples and
//! the server's CPU time per change (from `/proc`, so Linux only).
//!
//! Each row is measured twice, against the mock and against the floor: a bare server in its
//! own process (`--serve-floor`) that speaks just enough of the protocol for this bench and,
//! on the change's request, writes the event frames of every watch straight to their
//! sockets from the task that read the request (one write per socket), then answers. That
//! is one write per connection and nothing else: what the kernel and this machine's cores
//! cost, whatever a controller does besides. Both servers are watched at once and measured
//! in turns of four rounds, so that the machine's drifting speed moves both alike.
//!
//! Run with `cargo bench --bench event_fanout` (`-- --quick` for fewer rounds). The goal of
//! the 1,000 x 1 row (issue 11) is p99 within 2 ms.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use linstor_codec::{Envelope, FrameCodec, Outgoing};
use linstor_proto::WireMessage;
use linstor_proto::messages::eventdata::EventRscState;
use linstor_proto::messages::{
    MsgApiCallResponse, MsgApiVersion, MsgCrtRsc, MsgCrtRscDfn, MsgCrtWatch, MsgDelRsc, MsgEvent,
    MsgHeader, Rsc, RscDfn,
};
use linstor_tests::raw::RawClient;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_util::codec::Decoder;

#[path = "support/child_server.rs"]
mod child_server;
use child_server::ChildServer;

/// The resource every watch follows.
const RESOURCE: &str = "fanout";

/// The `linstor-mock` binary's allocator, for the mock and the floor server alike.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--serve-mock") {
        child_server::serve_mock(linstor_mock::Config {
            demo: true,
            event_delay: Duration::ZERO,
            max_connections: 4096,
            admin: None,
            ..linstor_mock::Config::default()
        });
        return;
    }
    if args.iter().any(|a| a == "--serve-floor") {
        child_server::run_child(serve_floor());
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let rounds = if quick { 40 } else { 200 };
    let mut mock = ChildServer::spawn("--serve-mock");
    let mut floor = ChildServer::spawn("--serve-floor");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    println!(
        "{:<24} {:>8} {:>9} {:>9} {:>9} {:>16} {:>10}",
        "connections x watches",
        "samples",
        "p50 ms",
        "p99 ms",
        "max ms",
        "server CPU/change",
        "p99/floor"
    );
    for (conns, watches) in [(1000, 1), (100, 10), (10, 100), (1, 1)] {
        // Both servers watched at once, and measured in turns of a few rounds each, so that
        // the machine's drifting speed moves both sides of the ratio alike.
        let (mut on_floor, mut on_mock) = rt.block_on(async {
            (
                FanOut::start(floor.addr, floor.pid(), conns, watches).await,
                FanOut::start(mock.addr, mock.pid(), conns, watches).await,
            )
        });
        for _ in 0..rounds / TURN {
            rt.block_on(on_floor.rounds(TURN));
            rt.block_on(on_mock.rounds(TURN));
        }
        let (base, row) = (on_floor.finish(), on_mock.finish());
        for (server, r, ratio) in [
            ("mock", &row, format!("{:.2}x", ms(row.p99) / ms(base.p99))),
            ("floor", &base, String::new()),
        ] {
            println!(
                "{:<24} {:>8} {:>9.3} {:>9.3} {:>9.3} {:>13.3} ms {:>10}",
                format!("{conns} x {watches} {server}"),
                r.samples,
                ms(r.p50),
                ms(r.p99),
                ms(r.max),
                ms(r.cpu_per_change),
                ratio,
            );
        }
    }
    mock.stop();
    floor.stop();
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

struct Row {
    samples: usize,
    p50: Duration,
    p99: Duration,
    max: Duration,
    /// The server process's CPU time per change.
    cpu_per_change: Duration,
}

/// Rounds measured on one server before the other takes its turn (even: each turn creates
/// the resource and deletes it again).
const TURN: usize = 4;

/// `conns` connections to one server with `watches` watches each on one resource, and the
/// latencies seen so far of the changes made to it.
struct FanOut {
    admin: RawClient,
    name: String,
    pid: u32,
    start: Arc<Mutex<Instant>>,
    seen: mpsc::UnboundedReceiver<Duration>,
    readers: Vec<tokio::task::JoinHandle<()>>,
    expected: usize,
    samples: Vec<Duration>,
    server_cpu: Duration,
    rounds: usize,
}

impl FanOut {
    async fn start(addr: SocketAddr, pid: u32, conns: usize, watches: i32) -> FanOut {
        let name = format!("{RESOURCE}{conns}x{watches}");
        let (mut admin, _) = RawClient::connect(addr).await;
        let crt = admin
            .call(
                "CrtRscDfn",
                Some(&MsgCrtRscDfn {
                    rsc_dfn: RscDfn {
                        rsc_name: name.clone(),
                        ..RscDfn::default()
                    },
                }),
            )
            .await;
        assert_eq!(crt.replies()[0].ret_code & (3 << 62), 0, "CrtRscDfn");
        let start = Arc::new(Mutex::new(Instant::now()));
        let (tx, seen) = mpsc::unbounded_channel::<Duration>();
        let mut readers = Vec::new();
        for _ in 0..conns {
            let (mut client, _) = RawClient::connect(addr).await;
            for w in 1..=watches {
                let reply = client
                    .call(
                        "CrtWatch",
                        Some(&MsgCrtWatch {
                            watch_id: w,
                            resource_name: Some(name.clone()),
                            ..MsgCrtWatch::default()
                        }),
                    )
                    .await;
                assert_eq!(reply.replies()[0].ret_code & (3 << 62), 0, "CrtWatch");
            }
            let (start, tx) = (start.clone(), tx.clone());
            readers.push(tokio::spawn(async move {
                while client.read_envelope().await.is_some() {
                    let elapsed = start.lock().expect("start").elapsed();
                    if tx.send(elapsed).is_err() {
                        break;
                    }
                }
            }));
        }
        FanOut {
            admin,
            name,
            pid,
            start,
            seen,
            readers,
            expected: conns * watches as usize,
            samples: Vec::new(),
            server_cpu: Duration::ZERO,
            rounds: 0,
        }
    }

    /// `n` more changes (creating the resource, then deleting it), each awaited until every
    /// watch has seen it.
    async fn rounds(&mut self, n: usize) {
        let cpu_before = process_cpu(self.pid);
        for _ in 0..n {
            *self.start.lock().expect("start") = Instant::now();
            if self.rounds.is_multiple_of(2) {
                let rsc = Rsc {
                    name: self.name.clone(),
                    node_name: "alpha".into(),
                    ..Rsc::default()
                };
                self.admin
                    .call("CrtRsc", Some(&MsgCrtRsc { rscs: vec![rsc] }))
                    .await;
            } else {
                self.admin
                    .call(
                        "DelRsc",
                        Some(&MsgDelRsc {
                            uuid: None,
                            node_name: "alpha".into(),
                            rsc_name: self.name.clone(),
                        }),
                    )
                    .await;
            }
            self.rounds += 1;
            for _ in 0..self.expected {
                let sample = tokio::time::timeout(Duration::from_secs(10), self.seen.recv())
                    .await
                    .expect("every watch sees the change within 10 s")
                    .expect("readers run");
                self.samples.push(sample);
            }
        }
        self.server_cpu += process_cpu(self.pid).saturating_sub(cpu_before);
    }

    /// Stops the readers and sums the latencies up.
    fn finish(mut self) -> Row {
        for r in &self.readers {
            r.abort();
        }
        self.samples.sort();
        let at = |q: f64| self.samples[((self.samples.len() - 1) as f64 * q) as usize];
        Row {
            samples: self.samples.len(),
            p50: at(0.50),
            p99: at(0.99),
            max: at(1.0),
            cpu_per_change: self.server_cpu / self.rounds.max(1) as u32,
        }
    }
}

/// User + system CPU time of process `pid` so far (`/proc/PID/stat`, clock ticks of 10 ms).
fn process_cpu(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name, which is in parentheses.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// The watching sockets of the floor server: per connection, the socket and its watch ids.
type Watchers = Arc<Mutex<HashMap<u64, (Arc<TcpStream>, Vec<i32>)>>>;

/// The floor server (see the module's text): greets, answers every call with one `Reply`
/// entry of code 0, `EndOfImmediateAnswers` and `COMPLETE`, registers `CrtWatch` ids, and on
/// `CrtRsc` / `DelRsc` writes the event to every watch before answering.
async fn serve_floor() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    println!("{}", listener.local_addr().expect("address"));
    let watchers = Watchers::default();
    let accept = async {
        for id in 0u64.. {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(floor_connection(id, Arc::new(stream), watchers.clone()));
        }
    };
    tokio::select! {
        _ = accept => {}
        _ = child_server::until_stdin_closes() => {}
    }
}

async fn floor_connection(id: u64, stream: Arc<TcpStream>, watchers: Watchers) {
    let version = MsgApiVersion {
        version: linstor_proto::consts::API_VERSION,
        min_version: linstor_proto::consts::API_VERSION,
        features: Some(0),
        controller_info: Some("floor".into()),
    };
    write_all(&stream, &frame(&MsgHeader::oneway("Version"), &[&version])).await;
    let mut codec = FrameCodec::new();
    let mut buf = BytesMut::with_capacity(8 * 1024);
    loop {
        while let Ok(Some(request)) = codec.decode(&mut buf) {
            let Ok(envelope) = Envelope::decode(request.payload_bytes()) else {
                continue;
            };
            let Some(call_id) = envelope.api_call_id() else {
                continue;
            };
            match envelope.content() {
                "CrtWatch" => {
                    let watch: MsgCrtWatch = envelope.body(0).expect("MsgCrtWatch");
                    lock(&watchers)
                        .entry(id)
                        .or_insert_with(|| (stream.clone(), Vec::new()))
                        .1
                        .push(watch.watch_id);
                }
                call @ ("CrtRsc" | "DelRsc") => {
                    let targets: Vec<(Arc<TcpStream>, Vec<i32>)> =
                        lock(&watchers).values().cloned().collect();
                    // Encoded once per watch id, as the mock does; one write per socket.
                    let mut frames: HashMap<i32, Bytes> = HashMap::new();
                    let mut out = BytesMut::new();
                    for (socket, ids) in &targets {
                        out.clear();
                        for watch_id in ids {
                            let event = frames
                                .entry(*watch_id)
                                .or_insert_with(|| event_frame(*watch_id, call == "CrtRsc"));
                            out.extend_from_slice(event);
                        }
                        write_all(socket, &out).await;
                    }
                }
                _ => {}
            }
            let entry = MsgApiCallResponse {
                ret_code: 0,
                message: "done".into(),
                ..MsgApiCallResponse::default()
            };
            let mut answer = BytesMut::new();
            answer.extend_from_slice(&frame(&MsgHeader::answer(call_id, "Reply"), &[&entry]));
            answer.extend_from_slice(&frame(
                &MsgHeader::answer(call_id, "EndOfImmediateAnswers"),
                &[],
            ));
            answer.extend_from_slice(&frame(&MsgHeader::complete(call_id), &[]));
            write_all(&stream, &answer).await;
        }
        if stream.readable().await.is_err() {
            break;
        }
        match stream.try_read_buf(&mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => break,
        }
    }
    lock(&watchers).remove(&id);
}

/// One `Event` frame of the watched resource: a `ResourceState` value, or its removal.
fn event_frame(watch_id: i32, created: bool) -> Bytes {
    let event = MsgEvent {
        watch_id,
        event_action: if created { "Value" } else { "CloseRemoved" }.into(),
        event_name: "ResourceState".into(),
        resource_name: Some(RESOURCE.into()),
        node_name: Some("alpha".into()),
        ..MsgEvent::default()
    };
    let state = EventRscState::default();
    let header = MsgHeader::oneway("Event");
    if created {
        frame(&header, &[&event as &dyn WireMessage, &state])
    } else {
        frame(&header, &[&event])
    }
}

fn frame(header: &MsgHeader, bodies: &[&dyn WireMessage]) -> Bytes {
    Outgoing::new(header, bodies).to_bytes()
}

/// Writes all of `bytes` (the floor's sockets are shared by their reader task and the
/// fan-out; in this bench a watching connection sends nothing after its watches, so their
/// writes never interleave).
async fn write_all(stream: &TcpStream, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        match stream.try_write(bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if stream.writable().await.is_err() {
                    return;
                }
            }
            Err(_) => return,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
