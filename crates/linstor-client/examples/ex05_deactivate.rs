//! Documentation example 5: remove a diskless assignment of `foo` from `bravo` (a diskful
//! one stays).

#[path = "support/mod.rs"]
mod support;

fn main() -> std::process::ExitCode {
    support::run(|| async {
        let client = support::connect().await?;
        let mut rsc = support::resource_foo(&client).await?;
        let was_diskful = rsc.is_diskful("bravo");
        rsc.deactivate("bravo").await?;
        println!("bravo: assigned {}", rsc.is_assigned("bravo"));
        support::check(
            rsc.is_assigned("bravo") == was_diskful,
            "only a diskless assignment is removed",
        )
    })
}
