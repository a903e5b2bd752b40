//! Documentation example 9 (Key/value store): a namespaced view on store `myKV`.

#[path = "support/mod.rs"]
mod support;

use linstor_client::highlevel::Kv;

fn main() -> std::process::ExitCode {
    support::run(|| async {
        let client = support::connect().await?;
        let mut kv = Kv::open(&client, "myKV", "/foo/bar/").await?;
        kv.set("key", "val").await?;
        println!("{:?}", kv.items());
        support::check(
            kv.items() == [("key".to_owned(), "val".to_owned())],
            "key in /foo/bar/",
        )?;
        kv.set_namespace("/");
        println!("{:?}", kv.items());
        support::check(
            kv.get("/foo/bar/key") == Some("val"),
            "listed as /foo/bar/key at /",
        )?;
        kv.set("foo/baz/key", "val2").await?;
        kv.set_namespace("/foo/bar");
        println!("{:?}", kv.items());
        support::check(kv.keys() == ["key"], "only key visible in /foo/bar/")
    })
}
