//! A bounded load test of the mock controller: many connections, many calls each, every
//! call gets exactly one COMPLETE (the raw client checks ids and order), and the process's
//! resident memory stays flat from one round to the next.

use linstor_mock::{Config, MockController};
use linstor_proto::messages::{MsgCrtRscDfn, MsgDelRscDfn, RscDfn};
use linstor_tests::raw::RawClient;

const CONNECTIONS: usize = 32;
const CALLS: usize = 150;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

async fn round(addr: std::net::SocketAddr) {
    let tasks: Vec<_> = (0..CONNECTIONS)
        .map(|c| {
            tokio::spawn(async move {
                let (mut client, _) = RawClient::connect(addr).await;
                for i in 0..CALLS {
                    let r = match i % 3 {
                        0 => client.call("Ping", None).await,
                        1 => {
                            let body = MsgCrtRscDfn {
                                rsc_dfn: RscDfn {
                                    rsc_name: format!("load{c}x{i}"),
                                    ..Default::default()
                                },
                            };
                            client.call("CrtRscDfn", Some(&body)).await
                        }
                        _ => {
                            let body = MsgDelRscDfn {
                                rsc_name: format!("load{c}x{}", i - 1),
                                ..Default::default()
                            };
                            client.call("DelRscDfn", Some(&body)).await
                        }
                    };
                    assert_eq!(r.eoia, 1);
                    assert!(!r.immediate.is_empty());
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("client task");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_connections_many_calls_memory_flat() {
    let mock = MockController::start(Config::default())
        .await
        .expect("mock starts");
    round(mock.addr()).await;
    let after_warmup = rss_kib();
    for _ in 0..3 {
        round(mock.addr()).await;
    }
    let after = rss_kib();
    assert!(
        mock.model().resource_definition_names().is_empty(),
        "every created definition was deleted"
    );
    assert!(
        after < after_warmup + 32 * 1024,
        "resident memory grew from {after_warmup} KiB to {after} KiB"
    );
}
