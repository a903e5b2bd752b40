//! Client round trips, in one criterion group so ratios come from one run: the raw
//! loopback ping-pong of a 32-byte frame over a plain tokio TCP pair (the floor), the
//! client's API `Ping` against the in-process mock, and calls per second with 1, 16 and
//! 128 calls in flight on one connection.

use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use linstor_client::Client;
use linstor_mock::{Config, MockController};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn client(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("client");

    // (a) Raw ping-pong: 32 bytes out, 32 bytes back, over loopback TCP.
    let (mut raw, _echo) = rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let echo = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.expect("accept");
            s.set_nodelay(true).expect("nodelay");
            let mut buf = [0u8; 32];
            while s.read_exact(&mut buf).await.is_ok() {
                if s.write_all(&buf).await.is_err() {
                    break;
                }
            }
        });
        let s = TcpStream::connect(addr).await.expect("connect");
        s.set_nodelay(true).expect("nodelay");
        (s, echo)
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("raw_tcp_ping_pong_32B", |b| {
        let mut buf = [7u8; 32];
        b.iter(|| {
            rt.block_on(async {
                raw.write_all(&buf).await.expect("write");
                raw.read_exact(&mut buf).await.expect("read");
            })
        });
    });

    // (b) The client's API Ping against the mock.
    let mock = rt
        .block_on(MockController::start(Config::default()))
        .expect("mock starts");
    let api = rt
        .block_on(Client::connect(&format!("linstor://{}", mock.addr())))
        .expect("client connects");
    group.bench_function("client_api_ping", |b| {
        b.iter(|| rt.block_on(api.ping()).expect("ping"));
    });

    // (c) Calls per second with N in flight on one connection.
    for in_flight in [1usize, 16, 128] {
        group.throughput(Throughput::Elements(in_flight as u64));
        group.bench_function(format!("lst_node_in_flight/{in_flight}"), |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iters {
                        let calls = (0..in_flight).map(|_| api.node_list());
                        for r in futures::future::join_all(calls).await {
                            r.expect("list");
                        }
                    }
                    start.elapsed()
                })
            });
        });
    }
    group.finish();
}

criterion_group!(benches, client);
criterion_main!(benches);
