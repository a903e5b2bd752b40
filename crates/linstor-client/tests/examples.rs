//! Every documentation example runs green, in order and a second time, against a mock
//! controller started like `linstor-mock --demo`. (`cargo test` builds the examples.)

use std::path::PathBuf;
use std::process::Command;

use linstor_mock::{Config, MockController};

const EXAMPLES: &[&str] = &[
    "ex01_watch",
    "ex02_create_redundant",
    "ex03_resize",
    "ex04_activate",
    "ex05_deactivate",
    "ex06_assignment_state",
    "ex07_dual_primary",
    "ex08_queries",
    "ex09_kv",
    "ex10_list_nodes",
    "ex11_create_node",
    "ex12_two_nodes",
];

fn example(name: &str) -> PathBuf {
    // target/<profile>/deps/examples-<hash> -> target/<profile>/examples/<name>
    let exe = std::env::current_exe().expect("test binary path");
    exe.parent()
        .and_then(|d| d.parent())
        .expect("target dir")
        .join("examples")
        .join(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documentation_examples_run_green_against_the_demo_cluster() {
    let mock = MockController::start(Config {
        demo: true,
        ..Config::default()
    })
    .await
    .expect("mock starts");
    let uri = format!("linstor://{}", mock.addr());
    for round in 0..2 {
        for name in EXAMPLES {
            let path = example(name);
            assert!(path.exists(), "{} is not built", path.display());
            let out = tokio::task::spawn_blocking({
                let uri = uri.clone();
                move || Command::new(path).arg(uri).output().expect("example runs")
            })
            .await
            .expect("join");
            assert!(
                out.status.success(),
                "round {round}: {name} failed:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[tokio::test]
async fn an_example_fails_when_what_it_shows_does_not_hold() {
    // Against a fresh controller without nodes, listing nodes shows nothing: exit non-zero.
    let mock = MockController::start(Config::default())
        .await
        .expect("mock starts");
    let path = example("ex10_list_nodes");
    let uri = format!("linstor://{}", mock.addr());
    let out = tokio::task::spawn_blocking(move || {
        Command::new(path).arg(uri).output().expect("example runs")
    })
    .await
    .expect("join");
    assert!(!out.status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_failover_plugin_reacts_to_a_failed_disk_and_a_lost_satellite() {
    let scenario =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/plugin_failover.json");
    let mock = MockController::start(Config {
        demo: true,
        scenario: Some(linstor_mock::scenario::Scenario::load(&scenario).expect("loads")),
        ..Config::default()
    })
    .await
    .expect("mock starts");
    let path = example("plugin_failover");
    assert!(path.exists(), "{} is not built", path.display());
    let uri = format!("linstor://{}", mock.addr());
    let out = tokio::task::spawn_blocking(move || {
        Command::new(path).arg(uri).output().expect("example runs")
    })
    .await
    .expect("join");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            "vol1 ready on alpha, bravo",
            "disk of vol1/0 failed on bravo: replacing the replica",
            "vol1 redundant again on alpha, charlie",
            "satellite charlie lost: vol1 degraded, served by its peers",
            "satellite charlie is back",
            "vol1 healthy on alpha, charlie",
        ]
    );
    assert!(mock.scenario_failures().is_empty());
}
