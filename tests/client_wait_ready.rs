//! `Resource::wait_ready` against mock cluster scenarios (docs/scenarios.md): it waits
//! through a resync, and reports a failed or detached disk, a lost satellite and a removed
//! replica precisely (node, volume, state), and what is still pending at the timeout.

use std::time::Duration;

use linstor_client::highlevel::{Resource, Volume};
use linstor_client::{Client, ClientError, ReplicaProblem};
use linstor_mock::MockController;
use linstor_mock::model::{DiskState, ResyncRule};
use linstor_proto::Request;
use linstor_proto::messages::MsgDelRsc;

const WAIT: Duration = Duration::from_secs(10);

/// The demo cluster and `r1` (one 4 MiB volume) auto-placed on two nodes.
async fn placed() -> (MockController, Client, Resource, Vec<String>) {
    let (mock, client) = linstor_tests::mock::demo().await;
    let mut r = Resource::open(&client, "r1").await.expect("open");
    r.set_volume(0, Volume::new(4 << 20));
    r.placement.redundancy = 2;
    r.autoplace().await.expect("placed");
    let nodes = r.diskful_nodes();
    assert_eq!(nodes.len(), 2);
    (mock, client, r, nodes)
}

fn replica_failed(err: ClientError) -> (String, String, Option<i32>, ReplicaProblem) {
    match err {
        ClientError::ReplicaFailed {
            resource,
            node,
            volume,
            problem,
        } => (resource, node, volume, problem),
        other => panic!("unexpected {other}"),
    }
}

#[tokio::test]
async fn a_failed_disk_ends_the_wait_naming_node_volume_and_state() {
    let (mock, _client, mut r, nodes) = placed().await;
    mock.set_disk_state(&nodes[1], "r1", 0, DiskState::Failed)
        .expect("set");
    let err = r.wait_ready(WAIT).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "resource r1 on node {} volume 0: disk state Failed",
            nodes[1]
        )
    );
    assert_eq!(
        replica_failed(err),
        (
            "r1".to_owned(),
            nodes[1].clone(),
            Some(0),
            ReplicaProblem::Disk {
                state: "Failed".into()
            }
        )
    );
    // Detached: diskless under a diskful assignment.
    mock.set_disk_state(&nodes[1], "r1", 0, DiskState::Diskless)
        .expect("set");
    let (_, _, _, problem) = replica_failed(r.wait_ready(WAIT).await.unwrap_err());
    assert_eq!(
        problem,
        ReplicaProblem::Disk {
            state: "Diskless".into()
        }
    );
    // Replaced: ready again.
    mock.set_disk_state(&nodes[1], "r1", 0, DiskState::UpToDate)
        .expect("set");
    r.wait_ready(WAIT).await.expect("ready");
}

#[tokio::test]
async fn an_offline_satellite_ends_the_wait_at_once() {
    let (mock, _client, mut r, nodes) = placed().await;
    mock.node_offline(&nodes[0]).expect("offline");
    let started = tokio::time::Instant::now();
    let (resource, node, volume, problem) = replica_failed(r.wait_ready(WAIT).await.unwrap_err());
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        (resource.as_str(), node.as_str(), volume, problem),
        (
            "r1",
            nodes[0].as_str(),
            None,
            ReplicaProblem::SatelliteOffline
        )
    );
    mock.node_online(&nodes[0]).expect("online");
    r.wait_ready(WAIT).await.expect("ready");
}

#[tokio::test]
async fn a_satellite_lost_during_a_resync_ends_the_wait() {
    let (mock, client, mut r, nodes) = placed().await;
    let third = ["alpha", "bravo", "charlie"]
        .into_iter()
        .find(|n| !nodes.iter().any(|d| d == n))
        .expect("a free node");
    mock.set_resync(ResyncRule {
        node: Some(third.into()),
        resource: None,
        duration_ms: 60_000,
        progress_steps: 0,
    })
    .expect("rule");
    r.diskful(third).await.expect("third replica");
    let waiter = tokio::spawn(async move {
        let err = r.wait_ready(WAIT).await.unwrap_err();
        (r, err)
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    mock.node_offline(third).expect("offline");
    let (mut r, err) = waiter.await.expect("task");
    let (_, node, _, problem) = replica_failed(err);
    assert_eq!(
        (node.as_str(), problem),
        (third, ReplicaProblem::SatelliteOffline)
    );
    drop(client);
    // Back online, still resyncing: the timeout names the state.
    mock.node_online(third).expect("online");
    match r.wait_ready(Duration::from_millis(300)).await.unwrap_err() {
        ClientError::NotReady { resource, pending } => {
            assert_eq!(resource, "r1");
            assert_eq!(pending, [format!("{third}/0: Inconsistent")]);
        }
        other => panic!("unexpected {other}"),
    }
}

#[tokio::test]
async fn the_wait_goes_through_a_resync() {
    let (mock, _client, mut r, nodes) = placed().await;
    let third = ["alpha", "bravo", "charlie"]
        .into_iter()
        .find(|n| !nodes.iter().any(|d| d == n))
        .expect("a free node");
    mock.set_resync(ResyncRule {
        node: None,
        resource: Some("r1".into()),
        duration_ms: 400,
        progress_steps: 4,
    })
    .expect("rule");
    r.diskful(third).await.expect("third replica");
    let started = tokio::time::Instant::now();
    r.wait_ready(WAIT).await.expect("ready after the resync");
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn an_outdated_replica_is_waited_for_and_reported_at_the_timeout() {
    let (mock, _client, mut r, nodes) = placed().await;
    mock.set_disk_state(&nodes[0], "r1", 0, DiskState::Outdated)
        .expect("set");
    match r.wait_ready(Duration::from_millis(300)).await.unwrap_err() {
        ClientError::NotReady { pending, .. } => {
            assert_eq!(pending, [format!("{}/0: Outdated", nodes[0])]);
        }
        other => panic!("unexpected {other}"),
    }
}

#[tokio::test]
async fn a_replica_removed_during_the_wait_is_reported() {
    let (mock, client, mut r, nodes) = placed().await;
    mock.set_disk_state(&nodes[1], "r1", 0, DiskState::Inconsistent)
        .expect("set");
    let waiter = tokio::spawn(async move { r.wait_ready(WAIT).await.unwrap_err() });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let answers = client
        .call(&Request::DelRsc(MsgDelRsc {
            node_name: nodes[1].clone(),
            rsc_name: "r1".into(),
            ..Default::default()
        }))
        .await
        .expect("deleted");
    assert!(answers.no_error());
    let (_, node, volume, problem) = replica_failed(waiter.await.expect("task"));
    assert_eq!(
        (node, volume, problem),
        (nodes[1].clone(), Some(0), ReplicaProblem::Removed)
    );
}
