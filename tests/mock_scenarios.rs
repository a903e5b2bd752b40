//! Cluster scenarios of the mock (docs/scenarios.md) seen by a real client with real
//! watches: satellites offline and back over TCP, a failed disk, a resync, full pools, a
//! slow satellite, and a whole scenario file played in paused time with every event
//! asserted in order.

use std::time::Duration;

use linstor_client::requests::ObjectIdentifier;
use linstor_client::{Client, ClientConfig, Event, EventAction, Watch};
use linstor_mock::model::{DiskState, PoolCapacity, ResyncRule};
use linstor_mock::scenario::Scenario;
use linstor_mock::{Config, MockController};
use linstor_proto::messages::{
    AutoSelectFilter, MsgAutoPlaceRsc, MsgCrtRsc, MsgCrtRscDfn, MsgCrtVlmDfn, MsgLstNode,
    MsgLstRsc, MsgLstStorPool, Rsc, RscDfn, VlmDfn,
};
use linstor_proto::{Request, ReturnCode};
use linstor_tests::mock::demo;

const WAIT: Duration = Duration::from_secs(10);

fn crt_rsc_dfn(name: &str, size_kib: i64) -> Vec<Request> {
    vec![
        Request::CrtRscDfn(MsgCrtRscDfn {
            rsc_dfn: RscDfn {
                rsc_name: name.into(),
                ..Default::default()
            },
        }),
        Request::CrtVlmDfn(MsgCrtVlmDfn {
            rsc_name: name.into(),
            vlm_dfns: vec![VlmDfn {
                vlm_size: size_kib,
                ..Default::default()
            }],
            ..Default::default()
        }),
    ]
}

fn crt_rsc(name: &str, nodes: &[&str], diskless: bool) -> Request {
    Request::CrtRsc(MsgCrtRsc {
        rscs: nodes
            .iter()
            .map(|n| Rsc {
                name: name.into(),
                node_name: (*n).into(),
                props: vec![linstor_proto::messages::LinStorMapEntry {
                    key: "StorPoolName".into(),
                    value: if diskless {
                        "DfltDisklessStorPool".into()
                    } else {
                        "drbdpool".into()
                    },
                }],
                rsc_flags: if diskless {
                    vec!["DISKLESS".into()]
                } else {
                    vec![]
                },
                ..Default::default()
            })
            .collect(),
    })
}

/// Applies calls that must not fail.
async fn ok(client: &Client, requests: Vec<Request>) {
    for r in requests {
        let answers = client.call(&r).await.expect("answered");
        assert!(answers.no_error(), "{r:?}: {:?}", answers.first_error());
    }
}

/// `node/resource[/volume] Action[ value]`, as the watches of this file show events.
fn show(e: &Event) -> String {
    let mut obj = format!(
        "{}/{}",
        e.node_name.as_deref().unwrap_or("?"),
        e.resource_name.as_deref().unwrap_or("?")
    );
    if let Some(v) = e.volume_number {
        obj.push_str(&format!("/{v}"));
    }
    match &e.action {
        EventAction::VolumeDiskState(d) => {
            format!("{obj} {}", d.disk_state.as_deref().unwrap_or("?"))
        }
        EventAction::ResourceState(r) => format!(
            "{obj} ready={} up_to_date={}",
            r.ready.unwrap_or(false),
            r.up_to_date.unwrap_or(false)
        ),
        EventAction::CloseNoConnection => format!("{obj} CloseNoConnection"),
        EventAction::CloseRemoved => format!("{obj} CloseRemoved"),
        EventAction::Value => format!("{obj} Value"),
    }
}

async fn next(watch: &mut Watch) -> String {
    let e = tokio::time::timeout(WAIT, watch.next_event())
        .await
        .expect("an event in time")
        .expect("the watch goes on")
        .expect("an event");
    show(&e)
}

async fn take(watch: &mut Watch, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(next(watch).await);
    }
    out
}

async fn watch_all(client: &Client) -> Watch {
    let w = client
        .watch(ObjectIdentifier::default())
        .await
        .expect("watch");
    assert!(w.reply().is_success());
    w
}

async fn statuses(client: &Client) -> Vec<(String, Option<i32>)> {
    let answers = client.call(&Request::LstNode).await.expect("listed");
    let list: &MsgLstNode = answers.list().expect("LstNode");
    list.nodes
        .iter()
        .map(|n| (n.name.clone(), n.connection_status))
        .collect()
}

#[tokio::test]
async fn a_satellite_goes_offline_and_comes_back() {
    let (mock, client) = demo().await;
    let mut seed = crt_rsc_dfn("r1", 1024);
    seed.push(crt_rsc("r1", &["alpha", "bravo"], false));
    ok(&client, seed).await;
    let mut watch = watch_all(&client).await;
    assert_eq!(take(&mut watch, 4).await.len(), 4, "the current values");

    mock.node_offline("bravo").expect("bravo exists");
    assert_eq!(
        take(&mut watch, 2).await,
        ["bravo/r1/0 CloseNoConnection", "bravo/r1 CloseNoConnection"]
    );
    assert_eq!(
        statuses(&client).await,
        [
            ("alpha".to_owned(), Some(2)),
            ("bravo".to_owned(), Some(0)),
            ("charlie".to_owned(), Some(2))
        ]
    );
    // Its pools report no free space; its resources no state.
    let answers = client
        .call(&Request::LstStorPool(None))
        .await
        .expect("listed");
    let pools: &MsgLstStorPool = answers.list().expect("LstStorPool");
    assert!(
        pools
            .stor_pools
            .iter()
            .all(|p| p.free_space.is_none() == (p.node_name == "bravo"))
    );
    let answers = client.call(&Request::LstRsc(None)).await.expect("listed");
    let list: &MsgLstRsc = answers.list().expect("LstRsc");
    assert_eq!(list.resources.len(), 2);
    assert!(list.resource_states.iter().all(|s| s.node_name != "bravo"));

    // A resource created on it is stored; its satellite steps warn.
    ok(&client, crt_rsc_dfn("r2", 1024)).await;
    let answers = client
        .call(&crt_rsc("r2", &["alpha", "bravo"], false))
        .await
        .expect("answered");
    let warnings: Vec<(u64, String)> = answers
        .replies()
        .filter(|r| r.ret_code().is_code(ReturnCode::WARN_NOT_CONNECTED))
        .map(|r| (r.ret_code().0, r.message().to_owned()))
        .collect();
    assert_eq!(
        warnings,
        [(
            0x8000_0000_0134_03EA,
            "No connection to satellite 'bravo'".to_owned()
        )]
    );
    assert_eq!(
        take(&mut watch, 2).await,
        ["alpha/r2/0 UpToDate", "alpha/r2 ready=true up_to_date=true"]
    );
    // Auto-place passes it over.
    ok(&client, crt_rsc_dfn("r3", 1024)).await;
    let answers = client
        .call(&Request::AutoPlaceRsc(MsgAutoPlaceRsc {
            rsc_name: "r3".into(),
            select_filter: AutoSelectFilter {
                place_count: 3,
                ..Default::default()
            },
            diskless_on_remaining: Some(false),
        }))
        .await
        .expect("answered");
    assert!(
        answers
            .first_error()
            .is_some_and(|e| e.ret_code().is_code(ReturnCode::FAIL_NOT_ENOUGH_NODES))
    );

    mock.node_online("bravo").expect("bravo exists");
    assert_eq!(
        take(&mut watch, 4).await,
        [
            "bravo/r1/0 UpToDate",
            "bravo/r1 ready=true up_to_date=true",
            "bravo/r2/0 UpToDate",
            "bravo/r2 ready=true up_to_date=true"
        ]
    );
    assert_eq!(statuses(&client).await[1], ("bravo".to_owned(), Some(2)));
    assert!(mock.node_offline("nope").is_err());
}

#[tokio::test]
async fn a_failed_disk_reaches_the_watches_and_the_lists() {
    let (mock, client) = demo().await;
    let mut seed = crt_rsc_dfn("r1", 1024);
    seed.push(crt_rsc("r1", &["alpha", "bravo"], false));
    seed.push(crt_rsc("r1", &["charlie"], true));
    ok(&client, seed).await;
    let mut watch = client
        .watch(ObjectIdentifier {
            node_name: Some("charlie".into()),
            ..Default::default()
        })
        .await
        .expect("watch");
    take(&mut watch, 2).await;
    let mut all = watch_all(&client).await;
    take(&mut all, 6).await;

    mock.set_disk_state("alpha", "r1", 0, DiskState::Failed)
        .expect("set");
    assert_eq!(
        take(&mut all, 2).await,
        ["alpha/r1/0 Failed", "alpha/r1 ready=true up_to_date=false"]
    );
    mock.set_disk_state("bravo", "r1", 0, DiskState::Diskless)
        .expect("set");
    assert_eq!(
        take(&mut all, 4).await,
        [
            "alpha/r1 ready=false up_to_date=false",
            "bravo/r1/0 Diskless",
            "bravo/r1 ready=false up_to_date=false",
            "charlie/r1 ready=false up_to_date=false"
        ]
    );
    // The diskless client sees only its own stream change.
    assert_eq!(
        take(&mut watch, 1).await,
        ["charlie/r1 ready=false up_to_date=false"]
    );
    let answers = client.call(&Request::LstRsc(None)).await.expect("listed");
    let list: &MsgLstRsc = answers.list().expect("LstRsc");
    let states: Vec<(String, Option<String>)> = list
        .resource_states
        .iter()
        .map(|s| (s.node_name.clone(), s.vlm_states[0].disk_state.clone()))
        .collect();
    assert_eq!(
        states,
        [
            ("alpha".to_owned(), Some("Failed".to_owned())),
            ("bravo".to_owned(), Some("Diskless".to_owned())),
            ("charlie".to_owned(), Some("Diskless".to_owned()))
        ]
    );
    assert!(
        mock.set_disk_state("charlie", "r1", 0, DiskState::Failed)
            .is_err()
    );
}

#[tokio::test]
async fn a_new_replica_resyncs_over_the_given_duration() {
    let (mock, client) = demo().await;
    mock.set_resync(ResyncRule {
        node: Some("bravo".into()),
        resource: None,
        duration_ms: 600,
        progress_steps: 3,
    })
    .expect("rule");
    let mut watch = watch_all(&client).await;
    let mut seed = crt_rsc_dfn("r1", 1024);
    seed.push(crt_rsc("r1", &["alpha", "bravo"], false));
    let started = tokio::time::Instant::now();
    ok(&client, seed).await;
    assert_eq!(
        take(&mut watch, 4).await,
        [
            "alpha/r1/0 UpToDate",
            "alpha/r1 ready=true up_to_date=true",
            "bravo/r1/0 Inconsistent",
            "bravo/r1 ready=true up_to_date=false"
        ]
    );
    assert_eq!(
        take(&mut watch, 4).await,
        [
            "bravo/r1/0 SyncTarget(33.33%)",
            "bravo/r1/0 SyncTarget(66.66%)",
            "bravo/r1/0 UpToDate",
            "bravo/r1 ready=true up_to_date=true"
        ]
    );
    assert!(started.elapsed() >= Duration::from_millis(600));
}

#[tokio::test]
async fn pools_fill_up_and_auto_place_honours_them() {
    let (mock, client) = demo().await;
    // alpha's thin pool: 1 MiB total, 20 MiB placeable (ratio 20).
    mock.set_pool_capacity(
        "alpha",
        "drbdpool",
        PoolCapacity {
            total_kib: Some(1024),
            reserved_kib: 0,
        },
    )
    .expect("set");
    ok(&client, crt_rsc_dfn("big", 100 * 1024)).await;
    let answers = client
        .call(&crt_rsc("big", &["alpha"], false))
        .await
        .expect("answered");
    let e = answers.first_error().expect("refused");
    assert_eq!(
        e.ret_code().0,
        ReturnCode::FAIL_INVLD_VLM_SIZE.0 | 0x0134_0000
    );
    assert_eq!(
        e.message(),
        "Not enough free space available for volume 0 of resource 'big'."
    );
    let place = |n| {
        Request::AutoPlaceRsc(MsgAutoPlaceRsc {
            rsc_name: "big".into(),
            select_filter: AutoSelectFilter {
                place_count: n,
                ..Default::default()
            },
            diskless_on_remaining: Some(false),
        })
    };
    let answers = client.call(&place(3)).await.expect("answered");
    assert!(
        answers
            .first_error()
            .is_some_and(|e| e.ret_code().is_code(ReturnCode::FAIL_NOT_ENOUGH_NODES))
    );
    let answers = client.call(&place(2)).await.expect("answered");
    assert!(answers.no_error(), "{:?}", answers.first_error());
    let answers = client.call(&Request::LstRsc(None)).await.expect("listed");
    let list: &MsgLstRsc = answers.list().expect("LstRsc");
    let nodes: Vec<&str> = list
        .resources
        .iter()
        .map(|r| r.node_name.as_str())
        .collect();
    assert_eq!(nodes, ["bravo", "charlie"]);
    // The free space reported shrinks by the reserved part.
    mock.set_pool_capacity(
        "alpha",
        "drbdpool",
        PoolCapacity {
            total_kib: Some(4096),
            reserved_kib: 1024,
        },
    )
    .expect("set");
    let answers = client
        .call(&Request::LstStorPool(None))
        .await
        .expect("listed");
    let pools: &MsgLstStorPool = answers.list().expect("LstStorPool");
    let alpha = pools
        .stor_pools
        .iter()
        .find(|p| p.node_name == "alpha" && p.stor_pool_name == "drbdpool")
        .and_then(|p| p.free_space.as_ref())
        .map(|f| (f.free_capacity, f.total_capacity));
    assert_eq!(alpha, Some((3072, 4096)));
}

#[tokio::test]
async fn a_slow_satellite_delays_the_deferred_answers_of_its_calls() {
    let (mock, client) = demo().await;
    mock.set_satellite_delay("bravo", Duration::from_millis(700));
    let mut seed = crt_rsc_dfn("fast", 1024);
    seed.extend(crt_rsc_dfn("slow", 1024));
    ok(&client, seed).await;
    let started = tokio::time::Instant::now();
    ok(&client, vec![crt_rsc("fast", &["alpha"], false)]).await;
    let fast = started.elapsed();
    let started = tokio::time::Instant::now();
    ok(&client, vec![crt_rsc("slow", &["bravo"], false)]).await;
    let slow = started.elapsed();
    assert!(fast < Duration::from_millis(500), "{fast:?}");
    assert!(slow >= Duration::from_millis(700), "{slow:?}");
    mock.set_satellite_delay("bravo", Duration::ZERO);
    ok(&client, crt_rsc_dfn("again", 1024)).await;
    let started = tokio::time::Instant::now();
    ok(&client, vec![crt_rsc("again", &["bravo"], false)]).await;
    assert!(started.elapsed() < Duration::from_millis(500));
}

/// The timeline of `tests/scenarios/failover.json`, played in paused time over an in-memory
/// connection: every event, in order, at its time (ms from the start).
#[tokio::test(start_paused = true)]
async fn a_scenario_file_plays_its_timeline_in_order() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/failover.json");
    let scenario = Scenario::load(&path).expect("the scenario loads");
    let start = tokio::time::Instant::now();
    let mock = MockController::start(Config {
        demo: true,
        scenario: Some(scenario),
        ..Config::default()
    })
    .await
    .expect("mock starts");
    let (client_io, server_io) = tokio::io::duplex(1 << 16);
    let _served = mock.serve_io(server_io);
    let client = Client::handshake(client_io, true, ClientConfig::default())
        .await
        .expect("handshake");
    let mut watch = watch_all(&client).await;
    let mut seed = crt_rsc_dfn("r1", 1024);
    seed.push(crt_rsc("r1", &["alpha", "bravo"], false));
    ok(&client, seed).await;
    let mut seen = Vec::new();
    for i in 0..23 {
        if i == 4 {
            ok(&client, vec![crt_rsc("r1", &["charlie"], true)]).await;
        }
        let e = next(&mut watch).await;
        seen.push(format!("{:>5} {e}", start.elapsed().as_millis()));
        if e == "charlie/r1 CloseNoConnection" {
            // While charlie is away, LstNode says so.
            let s = statuses(&client).await;
            assert_eq!(s[2], ("charlie".to_owned(), Some(0)));
        }
    }
    let expected = [
        "   20 alpha/r1/0 UpToDate",
        "   20 alpha/r1 ready=true up_to_date=true",
        "   20 bravo/r1/0 Inconsistent",
        "   20 bravo/r1 ready=true up_to_date=false",
        "   40 charlie/r1/0 Diskless",
        "   40 charlie/r1 ready=true up_to_date=false",
        " 2000 charlie/r1/0 CloseNoConnection",
        " 2000 charlie/r1 CloseNoConnection",
        " 2020 bravo/r1/0 SyncTarget(50.00%)",
        " 3000 alpha/r1/0 Failed",
        " 3000 alpha/r1 ready=false up_to_date=false",
        " 3000 bravo/r1 ready=false up_to_date=false",
        " 4020 alpha/r1 ready=true up_to_date=false",
        " 4020 bravo/r1/0 UpToDate",
        " 4020 bravo/r1 ready=true up_to_date=true",
        "10000 charlie/r1/0 Diskless",
        "10000 charlie/r1 ready=true up_to_date=false",
        "12000 alpha/r1/0 UpToDate",
        "12000 alpha/r1 ready=true up_to_date=true",
        "15000 bravo/r1/0 CloseNoConnection",
        "15000 bravo/r1 CloseNoConnection",
        "16000 bravo/r1/0 UpToDate",
        "16000 bravo/r1 ready=true up_to_date=true",
    ];
    assert_eq!(seen, expected);
    assert!(
        mock.scenario_failures().is_empty(),
        "{:?}",
        mock.scenario_failures()
    );
    // Nothing more comes.
    assert!(
        tokio::time::timeout(Duration::from_secs(60), watch.next_event())
            .await
            .is_err()
    );
}

/// Scenario changes go into the state store in order with the calls around them: after a
/// restart the model is the same, and the calls logged after a step replay on top of it.
#[tokio::test]
async fn scenario_changes_survive_a_restart_with_the_calls_around_them() {
    let dir = std::env::temp_dir().join(format!("linstor-scenario-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("state.redb");
    let _ = std::fs::remove_file(&path);
    let config = || Config {
        demo: true,
        state_file: Some(path.clone()),
        ..Config::default()
    };
    let mock = MockController::start(config()).await.expect("mock starts");
    for r in crt_rsc_dfn("r1", 1024) {
        assert!(
            mock.apply(r)
                .entries()
                .all(|e| !ReturnCode(e.ret_code).is_error())
        );
    }
    mock.apply(crt_rsc("r1", &["alpha", "bravo"], false));
    mock.set_resync(ResyncRule {
        node: Some("charlie".into()),
        resource: None,
        duration_ms: 3_600_000,
        progress_steps: 0,
    })
    .expect("rule");
    // Logged after the rule: a replica that resyncs from alpha.
    mock.apply(crt_rsc("r1", &["charlie"], false));
    mock.set_disk_state("alpha", "r1", 0, DiskState::Outdated)
        .expect("set");
    mock.node_offline("bravo").expect("offline");
    // Logged after the steps: a deletion that waits for bravo.
    mock.apply(Request::DelRsc(linstor_proto::messages::MsgDelRsc {
        node_name: "bravo".into(),
        rsc_name: "r1".into(),
        ..Default::default()
    }));
    let before = serde_json::to_value(&*mock.model()).expect("json");
    mock.shutdown().await;

    let mock = MockController::start(config())
        .await
        .expect("mock restarts");
    let after = serde_json::to_value(&*mock.model()).expect("json");
    assert_eq!(before, after);
    {
        let model = mock.model();
        assert_eq!(model.is_node_online("bravo"), Some(false));
        assert_eq!(model.running_resyncs().count(), 1);
        let streams: Vec<String> = model
            .streams()
            .map(|(k, _)| format!("{}/{}/{:?}", k.node, k.resource, k.volume))
            .collect();
        assert_eq!(
            streams,
            [
                "alpha/r1/None",
                "alpha/r1/Some(0)",
                "charlie/r1/None",
                "charlie/r1/Some(0)"
            ]
        );
    }
    mock.node_online("bravo").expect("online");
    assert_eq!(
        mock.model().resources(),
        [
            ("r1".to_owned(), "alpha".to_owned()),
            ("r1".to_owned(), "charlie".to_owned())
        ]
    );
    mock.shutdown().await;
    std::fs::remove_dir_all(&dir).expect("clean up");
}
