//! Documentation example 4: make `foo` available on `bravo` (a diskless assignment if it
//! has none).

#[path = "support/mod.rs"]
mod support;

fn main() -> std::process::ExitCode {
    support::run(|| async {
        let client = support::connect().await?;
        let mut rsc = support::resource_foo(&client).await?;
        rsc.activate("bravo").await?;
        println!(
            "bravo: assigned {}, diskless {}",
            rsc.is_assigned("bravo"),
            rsc.is_diskless("bravo")
        );
        support::check(rsc.is_assigned("bravo"), "foo is assigned to bravo")
    })
}
