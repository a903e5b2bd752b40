//! Mock controller throughput, in one criterion group: API calls per second over 1 and 16
//! connections (each connection one call at a time, as the Python client does), and the
//! time for one resource change to reach 1,000 watches; and LstNode calls on a controller
//! whose request journal records them (admin API on).

use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use linstor_mock::{Config, MockController};
use linstor_proto::messages::{MsgCrtRsc, MsgCrtWatch, MsgNodeReconnect, Rsc};
use linstor_tests::raw::RawClient;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn mock(c: &mut Criterion) {
    let rt = runtime();
    let config = Config {
        demo: true,
        event_delay: Duration::ZERO,
        ..Config::default()
    };
    let server = rt
        .block_on(MockController::start(config))
        .expect("mock starts");
    let addr = server.addr();
    let mut group = c.benchmark_group("mock");

    for conns in [1usize, 16] {
        group.throughput(Throughput::Elements(conns as u64));
        group.bench_function(format!("lst_node_calls/{conns}_connections"), |b| {
            let mut clients: Vec<RawClient> = rt.block_on(async {
                let mut v = Vec::new();
                for _ in 0..conns {
                    v.push(RawClient::connect(addr).await.0);
                }
                v
            });
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let start = Instant::now();
                    let tasks: Vec<_> = clients
                        .drain(..)
                        .map(|mut client| {
                            tokio::spawn(async move {
                                for _ in 0..iters {
                                    client.call("LstNode", None).await;
                                }
                                client
                            })
                        })
                        .collect();
                    for t in tasks {
                        clients.push(t.await.expect("client task"));
                    }
                    start.elapsed()
                })
            });
        });
    }

    // One NodeReconnect closes and reopens the two streams of a resource on alpha: 4 events
    // per watch. 1,000 watches: 100 on each of 10 connections, and one on each of 1,000
    // connections (all with watch id 1, so each event is encoded once and shared).
    rt.block_on(async {
        let (mut admin, _) = RawClient::connect(addr).await;
        let crt = linstor_proto::messages::MsgCrtRscDfn {
            rsc_dfn: linstor_proto::messages::RscDfn {
                rsc_name: "bench".into(),
                ..Default::default()
            },
        };
        admin.call("CrtRscDfn", Some(&crt)).await;
        let vd = linstor_proto::messages::MsgCrtVlmDfn {
            rsc_name: "bench".into(),
            vlm_dfns: vec![linstor_proto::messages::VlmDfn {
                vlm_size: 1024,
                ..Default::default()
            }],
            ..Default::default()
        };
        admin.call("CrtVlmDfn", Some(&vd)).await;
        let rsc = MsgCrtRsc {
            rscs: vec![Rsc {
                name: "bench".into(),
                node_name: "alpha".into(),
                rsc_flags: vec!["DISKLESS".into()],
                ..Default::default()
            }],
        };
        admin.call("CrtRsc", Some(&rsc)).await;
    });
    let (mut admin, _) = rt.block_on(RawClient::connect(addr));
    for (conns, per_conn) in [(10usize, 100i32), (1000, 1)] {
        let mut watchers: Vec<RawClient> = rt.block_on(async {
            let mut v = Vec::new();
            for _ in 0..conns {
                let (mut w, _) = RawClient::connect(addr).await;
                for id in 0..per_conn {
                    w.call(
                        "CrtWatch",
                        Some(&MsgCrtWatch {
                            watch_id: id + 1,
                            ..Default::default()
                        }),
                    )
                    .await;
                }
                v.push(w);
            }
            v
        });
        group.throughput(Throughput::Elements(1000));
        group.bench_function(format!("event_to_1000_watches/{conns}_connections"), |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let start = Instant::now();
                        admin
                            .call(
                                "NodeReconnect",
                                Some(&MsgNodeReconnect {
                                    nodes: vec!["alpha".into()],
                                }),
                            )
                            .await;
                        // Every connection reads its events concurrently.
                        let readers = watchers.iter_mut().map(|w| async move {
                            for _ in 0..4 * per_conn {
                                w.read_envelope().await.expect("event");
                            }
                        });
                        futures::future::join_all(readers).await;
                        total += start.elapsed();
                    }
                    total
                })
            });
        });
    }
    // The same LstNode calls on a controller whose admin API runs, so the journal records
    // each call (request and answers as JSON): the journal's cost per call.
    let journaled = rt
        .block_on(MockController::start(Config {
            demo: true,
            event_delay: Duration::ZERO,
            admin: Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0))),
            ..Config::default()
        }))
        .expect("mock starts");
    let journaled_addr = journaled.addr();
    group.throughput(Throughput::Elements(1));
    group.bench_function("lst_node_calls_journaled/1_connections", |b| {
        let mut client = rt.block_on(RawClient::connect(journaled_addr)).0;
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    client.call("LstNode", None).await;
                }
                start.elapsed()
            })
        });
    });
    group.finish();
}

criterion_group!(benches, mock);
criterion_main!(benches);
