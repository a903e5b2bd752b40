//! Documentation example 6 (Assignment state): with storage pool `drbdpool`, make `foo` on
//! `alpha` diskful, diskless, delete it, and make it diskless again.

#[path = "support/mod.rs"]
mod support;

fn main() -> std::process::ExitCode {
    support::run(|| async {
        let client = support::connect().await?;
        let mut rsc = support::resource_foo(&client).await?;
        rsc.placement.storage_pool = Some("drbdpool".into());
        rsc.diskful("alpha").await?;
        support::check(rsc.is_diskful("alpha"), "diskful on alpha")?;
        rsc.diskless("alpha").await?;
        support::check(rsc.is_diskless("alpha"), "diskless on alpha")?;
        rsc.delete_on("alpha").await?;
        support::check(!rsc.is_assigned("alpha"), "not on alpha")?;
        rsc.diskless("alpha").await?;
        println!("alpha: diskless {}", rsc.is_diskless("alpha"));
        support::check(rsc.is_diskless("alpha"), "diskless on alpha again")
    })
}
