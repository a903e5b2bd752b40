//! Documentation example 2: create resource `foo` with one 20 MiB volume, three times
//! redundant.

#[path = "support/mod.rs"]
mod support;

fn main() -> std::process::ExitCode {
    support::run(|| async {
        let client = support::connect().await?;
        let rsc = support::resource_foo(&client).await?;
        println!(
            "foo is diskful on {:?}, diskless on {:?}",
            rsc.diskful_nodes(),
            rsc.diskless_nodes()
        );
        // Three replicas; a later example (6) may have made alpha's diskless since.
        support::check(
            rsc.diskful_nodes().len() + rsc.diskless_nodes().len() == 3,
            "placed on three nodes",
        )?;
        support::check(
            rsc.volume(0).is_some_and(|v| v.size() >= 20 << 20),
            "volume 0 has at least 20 MiB (example 3 grows it)",
        )
    })
}
