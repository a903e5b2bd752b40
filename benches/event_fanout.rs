//! How long one change takes to reach every watch, per watch, against one mock controller in
//! its own process (this binary started again with `--serve-mock`, event delay 0).
//!
//! N connections each create W watches on one resource; then each round creates that
//! resource on a node (one `ResourceState` value per watch) or deletes it again (one
//! `CloseRemoved` per watch), from a separate connection. Every watch's latency is the time
//! from just before the change's request is written to the moment its reader task has the
//! event frame decoded. The table gives p50 / p99 / max over all (watch, round) samples and
//! the mock's CPU time per change (from `/proc`, so Linux only).
//!
//! Run with `cargo bench --bench event_fanout` (`-- --quick` for fewer rounds). The goal of
//! the 1,000 x 1 row (issue 11) is p99 within 2 ms.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use linstor_proto::messages::{MsgCrtRsc, MsgCrtRscDfn, MsgCrtWatch, MsgDelRsc, Rsc, RscDfn};
use linstor_tests::raw::RawClient;
use tokio::sync::mpsc;

/// The resource every watch follows.
const RESOURCE: &str = "fanout";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--serve-mock") {
        serve_mock();
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let rounds = if quick { 40 } else { 200 };
    let mut mock = MockProcess::spawn();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    println!(
        "{:<28} {:>8} {:>9} {:>9} {:>9} {:>14}",
        "connections x watches", "samples", "p50 ms", "p99 ms", "max ms", "mock CPU/change"
    );
    for (conns, watches) in [(1000, 1), (100, 10), (10, 100), (1, 1)] {
        let row = rt.block_on(fan_out(mock.addr, mock.pid(), conns, watches, rounds));
        println!(
            "{:<28} {:>8} {:>9.3} {:>9.3} {:>9.3} {:>11.3} ms",
            format!("{conns} x {watches}"),
            row.samples,
            ms(row.p50),
            ms(row.p99),
            ms(row.max),
            ms(row.mock_cpu_per_change),
        );
    }
    mock.stop();
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

struct Row {
    samples: usize,
    p50: Duration,
    p99: Duration,
    max: Duration,
    mock_cpu_per_change: Duration,
}

async fn fan_out(addr: SocketAddr, pid: u32, conns: usize, watches: i32, rounds: usize) -> Row {
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
    let (tx, mut rx) = mpsc::unbounded_channel::<Duration>();
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
    let expected = conns * watches as usize;
    let cpu_before = process_cpu(pid);
    let mut samples = Vec::with_capacity(rounds * expected);
    for round in 0..rounds {
        let rsc = Rsc {
            name: name.clone(),
            node_name: "alpha".into(),
            ..Rsc::default()
        };
        *start.lock().expect("start") = Instant::now();
        if round % 2 == 0 {
            admin
                .call("CrtRsc", Some(&MsgCrtRsc { rscs: vec![rsc] }))
                .await;
        } else {
            admin
                .call(
                    "DelRsc",
                    Some(&MsgDelRsc {
                        uuid: None,
                        node_name: "alpha".into(),
                        rsc_name: name.clone(),
                    }),
                )
                .await;
        }
        for _ in 0..expected {
            let sample = tokio::time::timeout(Duration::from_secs(10), rx.recv())
                .await
                .expect("every watch sees the change within 10 s")
                .expect("readers run");
            samples.push(sample);
        }
    }
    let mock_cpu = process_cpu(pid).saturating_sub(cpu_before);
    for r in readers {
        r.abort();
    }
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
    Row {
        samples: samples.len(),
        p50: at(0.50),
        p99: at(0.99),
        max: at(1.0),
        mock_cpu_per_change: mock_cpu / rounds as u32,
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

struct MockProcess {
    child: Child,
    addr: SocketAddr,
}

impl MockProcess {
    fn spawn() -> MockProcess {
        let exe = std::env::current_exe().expect("own path");
        let mut child = Command::new(exe)
            .arg("--serve-mock")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("mock process");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("address");
        let addr = line.trim().parse().expect("an address");
        MockProcess { child, addr }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn stop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

fn serve_mock() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let mock = linstor_mock::MockController::start(linstor_mock::Config {
            demo: true,
            event_delay: Duration::ZERO,
            max_connections: 4096,
            admin: None,
            ..linstor_mock::Config::default()
        })
        .await
        .expect("mock starts");
        println!("{}", mock.addr());
        // Until the parent closes our stdin.
        tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
        })
        .await
        .expect("stdin");
        mock.shutdown().await;
    });
}
