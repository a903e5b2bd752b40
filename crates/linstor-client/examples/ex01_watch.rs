//! Documentation example 1 (Watches): watch resource `rsc1` until a disk state is
//! `UpToDate`; stop on `CloseNoConnection`. (Places `rsc1` first when it does not exist.)

#[path = "support/mod.rs"]
mod support;

use std::time::Duration;

use linstor_client::EventAction;
use linstor_client::highlevel::{Resource, Volume};
use linstor_client::requests::ObjectIdentifier;

fn main() -> std::process::ExitCode {
    support::run(|| async {
        let client = support::connect().await?;
        let mut rsc1 = Resource::open(&client, "rsc1").await?;
        if rsc1.diskful_nodes().is_empty() {
            rsc1.set_volume(0, Volume::new(64 << 20));
            rsc1.autoplace().await?;
        }
        let watched = client.watch_events(
            ObjectIdentifier {
                resource_name: Some("rsc1".into()),
                ..Default::default()
            },
            |reply| reply.first_error().map(|e| format!("watch failed: {e}")),
            |event| match &event.action {
                EventAction::CloseNoConnection if event.event_name == "VlmDiskState" => {
                    Some("no connection".to_owned())
                }
                EventAction::VolumeDiskState(d) if d.disk_state.as_deref() == Some("UpToDate") => {
                    Some("Done".to_owned())
                }
                _ => None,
            },
        );
        let result = tokio::time::timeout(Duration::from_secs(30), watched).await??;
        println!("{}", result.clone().unwrap_or_default());
        support::check(
            result.as_deref() == Some("Done"),
            "a disk state became UpToDate",
        )
    })
}
