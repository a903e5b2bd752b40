//! Documentation example 7 (Dual primary): allow two primaries on `foo`, then forbid them.

#[path = "support/mod.rs"]
mod support;

fn main() -> std::process::ExitCode {
    support::run(|| async {
        let client = support::connect().await?;
        let mut rsc = support::resource_foo(&client).await?;
        rsc.set_allow_two_primaries(true).await?;
        rsc.refresh().await?;
        support::check(rsc.allow_two_primaries(), "two primaries allowed")?;
        rsc.set_allow_two_primaries(false).await?;
        rsc.refresh().await?;
        println!("allow-two-primaries: {}", rsc.allow_two_primaries());
        support::check(!rsc.allow_two_primaries(), "two primaries forbidden again")
    })
}
