//! Documentation example 8 (Queries): diskless nodes, assignment questions, and volume 0's
//! backing disk and device path.

#[path = "support/mod.rs"]
mod support;

fn main() -> std::process::ExitCode {
    support::run(|| async {
        let client = support::connect().await?;
        let rsc = support::resource_foo(&client).await?;
        let v0 = rsc.volume(0).ok_or("no volume 0")?;
        println!("diskless nodes: {:?}", rsc.diskless_nodes());
        println!("diskful on alpha: {}", rsc.is_diskful("alpha"));
        println!("assigned to bravo: {}", rsc.is_assigned("bravo"));
        println!("backing disk: {:?}", v0.backing_disk());
        println!("device path: {:?}", v0.device_path());
        support::check(
            v0.device_path().is_some_and(|p| p.starts_with("/dev/drbd")),
            "a DRBD device path",
        )?;
        support::check(v0.backing_disk().is_some(), "a backing disk")
    })
}
