//! Documentation example 12: resource `rsc` with a 10 MiB volume on `alpha` and `bravo`
//! (with the list of `ResourceData` the real signature takes).

#[path = "support/mod.rs"]
mod support;

use linstor_client::requests::{ResourceCreate, ResourceData, ResourceDfnCreate, VolumeDfnCreate};
use linstor_proto::ReturnCode;

fn main() -> std::process::ExitCode {
    support::run(|| async {
        let client = support::connect().await?;
        let ok_or_exists = |a: &linstor_client::Answers, exists: ReturnCode| {
            a.replies()
                .next()
                .is_some_and(|r| r.is_success() || r.ret_code().is_code(exists))
        };
        let a = client
            .resource_dfn_create(&ResourceDfnCreate {
                name: "rsc".into(),
                port: None,
            })
            .await?;
        support::check(
            ok_or_exists(&a, ReturnCode::FAIL_EXISTS_RSC_DFN),
            "resource definition rsc",
        )?;
        let defs = client.resource_dfn_list().await?;
        if defs
            .rsc_dfns
            .iter()
            .any(|d| d.rsc_name == "rsc" && d.vlm_dfns.is_empty())
        {
            let a = client
                .volume_dfn_create(&VolumeDfnCreate {
                    rsc_name: "rsc".into(),
                    size: 10240,
                    ..Default::default()
                })
                .await?;
            support::check(a.is_success(), "volume definition of 10240 KiB")?;
        }
        for node in ["alpha", "bravo"] {
            let mut data = ResourceData::new(node, "rsc");
            data.storage_pool = Some("drbdpool".into());
            let a = client
                .resource_create(&ResourceCreate { rscs: vec![data] })
                .await?;
            println!(
                "{node}: {}",
                a.replies()
                    .next()
                    .map(|r| r.message().to_owned())
                    .unwrap_or_default()
            );
            support::check(
                ok_or_exists(&a, ReturnCode::FAIL_EXISTS_RSC),
                "resource created",
            )?;
        }
        Ok(())
    })
}
