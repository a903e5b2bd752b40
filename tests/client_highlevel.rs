//! The high-level `Resource`, `Volume` and `Kv` API against the in-process mock.

use std::time::Duration;

use linstor_client::ClientError;
use linstor_client::highlevel::{Kv, Resource, Volume, parse_size};
use linstor_tests::mock::demo;

#[tokio::test]
async fn resource_lifecycle() {
    let (mock, client) = demo().await;
    let mut r = Resource::open(&client, "data").await.expect("open");
    assert!(!r.is_defined());
    r.set_volume(0, Volume::new(parse_size("20 MiB").unwrap()));
    r.set_volume(1, Volume::new(parse_size("1 GiB").unwrap()));
    r.placement.redundancy = 2;
    r.set_allow_two_primaries(true).await.expect("remembered");
    r.autoplace().await.expect("autoplace");
    assert!(r.is_defined() && r.allow_two_primaries());
    assert_eq!(r.diskful_nodes().len(), 2);
    let v0 = r.volume(0).expect("volume 0");
    assert_eq!(v0.size(), 20 << 20);
    assert!(v0.device_path().is_some_and(|p| p.starts_with("/dev/drbd")));
    assert_eq!(v0.backing_disk(), Some("/dev/drbdpool/data_00000"));
    assert_eq!(v0.storage_pool_name(), Some("drbdpool"));
    assert!(r.is_thin().await.expect("pools"));

    r.grow(0, parse_size("10 MiB").unwrap())
        .await
        .expect("grow");
    assert_eq!(r.volume(0).unwrap().size(), 30 << 20);
    assert!(
        matches!(
            r.resize(0, 1 << 20).await,
            Err(ClientError::InvalidArgument(_))
        ),
        "no shrinking"
    );

    let third = ["alpha", "bravo", "charlie"]
        .into_iter()
        .find(|n| !r.is_assigned(n))
        .expect("a free node");
    r.activate(third).await.expect("activate");
    assert!(r.is_diskless(third) && r.diskless_nodes() == [third.to_owned()]);
    r.diskful(third).await.expect("toggle to diskful");
    assert!(r.is_diskful(third));
    r.diskless(third).await.expect("toggle back");
    r.deactivate(third).await.expect("deactivate");
    assert!(!r.is_assigned(third));
    let diskful = r.diskful_nodes()[0].clone();
    r.deactivate(&diskful).await.expect("no-op");
    assert!(
        r.is_diskful(&diskful),
        "deactivate keeps diskful assignments"
    );

    r.wait_ready(Duration::from_secs(10)).await.expect("ready");
    r.snapshot_create("s1").await.expect("snapshot");
    r.snapshot_rollback("s1").await.expect("rollback");
    let copy = r
        .restore_from_snapshot("s1", "data2")
        .await
        .expect("restore");
    assert_eq!(copy.diskful_nodes(), r.diskful_nodes());
    assert_eq!(copy.volume(1).map(Volume::size), Some(1 << 30));
    r.delete().await.expect("delete, snapshots first");
    assert!(!r.is_defined());
    assert_eq!(mock.model().resource_definition_names(), ["data2"]);
    r.set_allow_two_primaries(false)
        .await
        .expect("remembered for later");
}

#[tokio::test]
async fn wait_ready_reports_what_is_not_ready() {
    let (_mock, client) = demo().await;
    let mut r = Resource::open(&client, "slow").await.expect("open");
    r.set_volume(0, Volume::new(4 << 20));
    r.placement.redundancy = 1;
    r.autoplace().await.expect("placed");
    r.wait_ready(Duration::from_secs(10))
        .await
        .expect("volume 0 is up to date");
    // A volume that exists only locally never reports a disk state.
    r.set_volume(7, Volume::new(4 << 20));
    let node = r.diskful_nodes()[0].clone();
    let err = r.wait_ready(Duration::from_millis(200)).await.unwrap_err();
    match err {
        ClientError::NotReady { resource, pending } => {
            assert_eq!(resource, "slow");
            assert_eq!(pending, [format!("{node}/7: unknown")]);
        }
        other => panic!("unexpected {other}"),
    }
}

#[tokio::test]
async fn key_value_store_namespaces() {
    let (_mock, client) = demo().await;
    let mut kv = Kv::open(&client, "myKV", "/foo/bar/").await.expect("open");
    kv.set("key", "val").await.expect("set");
    assert_eq!(kv.items(), [("key".to_owned(), "val".to_owned())]);
    kv.set_namespace("/");
    assert_eq!(kv.items(), [("/foo/bar/key".to_owned(), "val".to_owned())]);
    kv.set("foo/baz/key", "val2").await.expect("set");
    kv.set_namespace("/foo/bar");
    assert_eq!(kv.namespace(), "/foo/bar/");
    assert_eq!(kv.keys(), ["key"]);
    let other = Kv::open(&client, "myKV", "/foo/")
        .await
        .expect("reload from the controller");
    assert_eq!(other.keys(), ["bar/key", "baz/key"]);
    assert_eq!(
        other.items_with_prefix("baz/"),
        [("baz/key".to_owned(), "val2".to_owned())]
    );
    kv.delete("key").await.expect("delete");
    assert!(!kv.contains("key"));
    kv.set_namespace("/foo/");
    kv.clear().await.expect("clear");
    let again = Kv::open(&client, "myKV", "/").await.expect("open");
    assert!(again.items().is_empty());
    let err = Kv::open(&client, "bad name!", "/")
        .await
        .expect("lists nothing")
        .set("k", "v")
        .await
        .unwrap_err();
    assert!(err.is_api_call(), "{err}");
}
