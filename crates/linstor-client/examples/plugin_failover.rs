//! A storage plugin reacting to cluster failures: it provisions `vol1` (20 MiB) on alpha and
//! bravo, then watches it. When a disk fails it replaces that replica on a spare node and
//! waits for the resync; when a satellite is lost it reports the volume degraded and waits
//! for the satellite to come back. It ends once both have been handled (at most 60 s).
//!
//! Run it against the mock playing the matching scenario:
//!
//! ```text
//! linstor-mock --demo --scenario crates/linstor-client/examples/plugin_failover.json &
//! cargo run -p linstor-client --example plugin_failover -- linstor://127.0.0.1:3376
//! ```

#[path = "support/mod.rs"]
mod support;

use std::time::Duration;

use linstor_client::highlevel::{Resource, Volume, parse_size};
use linstor_client::requests::ObjectIdentifier;
use linstor_client::{ClientError, EventAction, ReplicaProblem};

const NODES: [&str; 3] = ["alpha", "bravo", "charlie"];

fn main() -> std::process::ExitCode {
    support::run(|| async {
        let client = support::connect().await?;
        let mut vol = Resource::open(&client, "vol1").await?;
        vol.set_volume(0, Volume::new(parse_size("20 MiB")?));
        vol.placement.storage_pool = Some("drbdpool".into());
        for node in ["alpha", "bravo"] {
            vol.diskful(node).await?;
        }
        vol.wait_ready(Duration::from_secs(10)).await?;
        println!("vol1 ready on {}", vol.diskful_nodes().join(", "));

        let mut watch = client
            .watch(ObjectIdentifier {
                resource_name: Some("vol1".into()),
                ..Default::default()
            })
            .await?;
        let (mut replaced, mut lost): (bool, Option<String>) = (false, None);
        let mut recovered = false;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while !(replaced && recovered) {
            let Ok(Some(event)) = tokio::time::timeout_at(deadline, watch.next_event()).await
            else {
                return Err("the failures did not come (is the scenario running?)".into());
            };
            let event = event?;
            let node = event.node_name.clone().unwrap_or_default();
            match &event.action {
                EventAction::VolumeDiskState(d)
                    if d.disk_state.as_deref() == Some("Failed") && vol.is_diskful(&node) =>
                {
                    println!(
                        "disk of vol1/{} failed on {node}: replacing the replica",
                        event.volume_number.unwrap_or(0)
                    );
                    vol.delete_on(&node).await?;
                    let spare = NODES
                        .into_iter()
                        .find(|n| !vol.is_assigned(n) && *n != node)
                        .ok_or("no spare node")?;
                    vol.diskful(spare).await?;
                    match vol.wait_ready(Duration::from_secs(30)).await {
                        Ok(()) => {
                            println!("vol1 redundant again on {}", vol.diskful_nodes().join(", "))
                        }
                        Err(ClientError::ReplicaFailed { node, problem, .. }) => {
                            println!("vol1 still degraded: {node}: {problem}");
                        }
                        Err(e) => return Err(e.into()),
                    }
                    replaced = true;
                }
                EventAction::CloseNoConnection if event.volume_number.is_none() => {
                    println!("satellite {node} lost: vol1 degraded, served by its peers");
                    lost = Some(node);
                }
                EventAction::ResourceState(_) if lost.as_deref() == Some(node.as_str()) => {
                    println!("satellite {node} is back");
                    lost = None;
                    match vol.wait_ready(Duration::from_secs(30)).await {
                        Ok(()) => println!("vol1 healthy on {}", vol.diskful_nodes().join(", ")),
                        Err(ClientError::ReplicaFailed {
                            node,
                            problem: ReplicaProblem::SatelliteOffline,
                            ..
                        }) => println!("{node} went away again"),
                        Err(e) => return Err(e.into()),
                    }
                    recovered = true;
                }
                _ => {}
            }
        }
        support::check(vol.diskful_nodes().len() == 2, "two replicas at the end")
    })
}
