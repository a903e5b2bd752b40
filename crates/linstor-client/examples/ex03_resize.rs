//! Documentation example 3 (Resizing): set volume 0 of `foo` to 100 MiB, then grow it by
//! 10 MiB.

#[path = "support/mod.rs"]
mod support;

use linstor_client::highlevel::parse_size;

fn main() -> std::process::ExitCode {
    support::run(|| async {
        let client = support::connect().await?;
        let mut rsc = support::resource_foo(&client).await?;
        let target = parse_size("100 MiB")?.max(rsc.volume(0).map_or(0, |v| v.size()));
        rsc.resize(0, target).await?;
        rsc.grow(0, parse_size("10 MiB")?).await?;
        let size = rsc.volume(0).map_or(0, |v| v.size());
        println!("volume 0 of foo: {size} bytes");
        support::check(size == target + (10 << 20), "the volume grew by 10 MiB")
    })
}
