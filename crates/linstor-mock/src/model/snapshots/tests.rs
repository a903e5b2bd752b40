//! The snapshot rules of `snapshots.rs`, through [`Model::apply`]: creation, the list,
//! restoring, rollback and deletion.

use super::*;
use crate::model::test_support::{
    body, cluster, codes, crt_diskless, crt_pool, crt_rsc, crt_rsc_dfn, crt_vlm_dfn, entry, is, ok,
    refused, web_on_three,
};
use linstor_proto::Request;
use linstor_proto::messages::Filter;

#[test]
fn a_missing_definition_is_named_before_the_snapshot() {
    let mut m = cluster(&["alpha"]);
    let del = |rsc: &str| {
        Request::DelSnapshot(MsgDelSnapshot {
            rsc_name: rsc.into(),
            snapshot_name: "s1".into(),
            ..Default::default()
        })
    };
    let rollback = |rsc: &str| {
        Request::RollbackSnapshot(MsgRollbackSnapshot {
            rsc_name: rsc.into(),
            snapshot_name: "s1".into(),
            ..Default::default()
        })
    };
    let e = refused(&mut m, del("nope"));
    assert_eq!(e.ret_code, 0xC000_0000_030C_012D);
    assert_eq!(e.message, "Resource definition 'nope' not found.");
    assert_eq!(e.error_report_ids.len(), 1);
    assert!(is(
        &refused(&mut m, rollback("nope")),
        RC::FAIL_NOT_FOUND_RSC_DFN
    ));
    ok(&mut m, crt_rsc_dfn("res"));
    let e = refused(&mut m, del("res"));
    assert_eq!(e.ret_code, 0xC000_0000_030C_0139);
    assert_eq!(e.message, "Snapshot 's1' of resource 'res' not found.");
    assert!(is(
        &refused(&mut m, rollback("res")),
        RC::FAIL_NOT_FOUND_SNAPSHOT_DFN
    ));
}

fn crt(rsc: &str, snap: &str, nodes: &[&str]) -> Request {
    Request::CrtSnapshot(MsgCrtSnapshot {
        snapshot_dfn: linstor_proto::messages::SnapshotDfn {
            rsc_name: rsc.into(),
            snapshot_name: snap.into(),
            snapshots: nodes
                .iter()
                .map(|n| Snapshot {
                    node_name: (*n).into(),
                })
                .collect(),
            ..Default::default()
        },
    })
}

fn restore(to: &str, nodes: &[&str]) -> Request {
    Request::RestoreSnapshot(MsgRestoreSnapshotRsc {
        from_resource_name: "res".into(),
        from_snapshot_name: "s1".into(),
        to_resource_name: to.into(),
        nodes: nodes
            .iter()
            .map(|n| linstor_proto::messages::RestoreNode { name: (*n).into() })
            .collect(),
    })
}

/// alpha and bravo (thin pools), charlie with a thick pool; `res` on alpha and bravo,
/// diskless on charlie.
fn deployed() -> Model {
    let mut m = cluster(&["alpha", "bravo", "charlie"]);
    for r in [
        crt_rsc_dfn("res"),
        crt_vlm_dfn("res", 1024),
        crt_rsc("res", &["alpha", "bravo"]),
        crt_diskless("res", "charlie"),
    ] {
        ok(&mut m, r);
    }
    m
}

#[test]
fn create_list_rollback_delete() {
    let mut m = deployed();
    let out = ok(&mut m, crt("res", "s1", &[]));
    assert_eq!(codes(&out)[0], 0x010C_0001);
    assert_eq!(
        out.deferred[0].entries().count(),
        6,
        "three steps per diskful node"
    );
    let out = ok(&mut m, crt("res", "s2", &["alpha"]));
    assert_eq!(
        out.immediate[0]
            .entries()
            .next()
            .map(|e| e.message.as_str()),
        Some("New snapshot 's2' of resource 'res' on nodes 'alpha' registered.")
    );
    let Some(linstor_proto::Body::MsgLstSnapshotDfn(list)) =
        m.lst_snapshot_dfn().immediate[0].bodies.first().cloned()
    else {
        panic!("list");
    };
    let names: Vec<(String, usize)> = list
        .snapshot_dfns
        .iter()
        .map(|s| (s.snapshot_name.clone(), s.snapshots.len()))
        .collect();
    assert_eq!(names, [("s1".into(), 2), ("s2".into(), 1)]);

    let rollback = |snap: &str| {
        Request::RollbackSnapshot(MsgRollbackSnapshot {
            rsc_name: "res".into(),
            snapshot_name: snap.into(),
            ..Default::default()
        })
    };
    let e = refused(&mut m, rollback("s1"));
    assert_eq!(
        e.message,
        "Rollback is only allowed with the most recent snapshot"
    );
    let e = refused(&mut m, rollback("s2"));
    assert_eq!(
        e.message,
        "Snapshot 's2' of resource 'res' on node 'bravo' not found."
    );
    let del = |snap: &str| {
        Request::DelSnapshot(MsgDelSnapshot {
            rsc_name: "res".into(),
            snapshot_name: snap.into(),
            ..Default::default()
        })
    };
    let out = ok(&mut m, del("S2"));
    assert_eq!(codes(&out), [0x030C_0002, 0x030C_0003, 0x030C_0002]);
    let out = ok(&mut m, rollback("s1"));
    assert_eq!(codes(&out)[0], 0x020C_0003);
    assert!(!out.changed, "a rollback changes nothing visible");
}

#[test]
fn creation_errors() {
    let mut m = deployed();
    ok(&mut m, crt_pool("charlie", "thick", "LvmDriver"));
    assert!(is(
        &refused(&mut m, crt("nope", "s1", &[])),
        RC::FAIL_NOT_FOUND_RSC_DFN
    ));
    assert!(is(
        &refused(&mut m, crt("res", "1", &[])),
        RC::FAIL_INVLD_SNAPSHOT_NAME
    ));
    let e = refused(&mut m, crt("res", "s1", &["charlie"]));
    assert_eq!(
        e.message,
        "Cannot create snapshot from diskless resource on node 'charlie'"
    );
    let e = refused(&mut m, crt("res", "s1", &["alpha", "nope"]));
    assert!(is(&e, RC::FAIL_NOT_FOUND_RSC));
    ok(&mut m, crt("res", "s1", &[]));
    assert!(is(
        &refused(&mut m, crt("res", "S1", &[])),
        RC::FAIL_EXISTS_SNAPSHOT_DFN
    ));
    ok(&mut m, crt_rsc_dfn("empty"));
    let e = refused(&mut m, crt("empty", "s1", &[]));
    assert_eq!(e.message, "No resources found for snapshotting");
    for r in [crt_rsc_dfn("fat"), crt_vlm_dfn("fat", 1024)] {
        ok(&mut m, r);
    }
    let mut on_thick = crt_rsc("fat", &["charlie"]);
    if let Request::CrtRsc(msg) = &mut on_thick {
        msg.rscs[0].props = vec![entry("StorPoolName", "thick")];
    }
    ok(&mut m, on_thick);
    let e = refused(&mut m, crt("fat", "s1", &[]));
    assert_eq!(
        e.message,
        "Storage driver 'LvmDriver' does not support snapshots."
    );
}

#[test]
fn restore_volume_definitions_and_resources() {
    let mut m = deployed();
    ok(&mut m, crt("res", "s1", &[]));
    let restore_vd = |to: &str| {
        Request::RestoreVlmDfn(MsgRestoreSnapshotVlmDfn {
            from_resource_name: "res".into(),
            from_snapshot_name: "s1".into(),
            to_resource_name: to.into(),
        })
    };
    assert!(is(
        &refused(&mut m, restore_vd("copy")),
        RC::FAIL_NOT_FOUND_RSC_DFN
    ));
    ok(&mut m, crt_rsc_dfn("copy"));
    let out = ok(&mut m, restore_vd("copy"));
    assert_eq!(codes(&out), [0x010C_0002], "the controller's DELETED quirk");
    assert_eq!(m.rsc_dfns["COPY"].vlm_dfns[&0].size_kib, 1024);
    assert!(is(
        &refused(&mut m, restore_vd("copy")),
        RC::FAIL_EXISTS_VLM_DFN
    ));

    assert!(is(
        &refused(&mut m, restore("copy", &["nope"])),
        RC::FAIL_NOT_FOUND_NODE
    ));
    let e = refused(&mut m, restore("copy", &["charlie"]));
    assert_eq!(e.message, "Snapshot 's1' on node 'charlie' not found.");
    let out = ok(&mut m, restore("copy", &[]));
    assert_eq!(
        out.entries().next().map(|e| e.message.as_str()),
        Some("Resource 'copy' restored from resource 'res', snapshot 's1'.")
    );
    let nodes: Vec<_> = m
        .rscs
        .values()
        .filter(|r| r.rsc_name == "copy")
        .map(|r| r.node_name.as_str())
        .collect();
    assert_eq!(nodes, ["alpha", "bravo"]);
    let e = refused(&mut m, restore("copy", &[]));
    assert_eq!(
        e.message,
        "Cannot restore to resource defintion which already has resources"
    );
    // A target without volume definitions: the warning comes first.
    ok(&mut m, crt_rsc_dfn("bare"));
    let out = ok(&mut m, restore("bare", &["alpha"]));
    assert_eq!(codes(&out), [0x8000_0000_010C_0BB8, 0x010C_0001]);
}

/// [`web_on_three`] with a disk added to its diskless resource (all three in `drbdpool`),
/// and its snapshot `s1`.
fn web_snapshotted() -> Model {
    let mut m = web_on_three();
    let node = m
        .rscs
        .values()
        .find(|r| r.is_diskless())
        .map(|r| r.node_name.clone())
        .expect("a diskless resource");
    ok(
        &mut m,
        Request::ToggleDisk(linstor_proto::messages::MsgToggleDisk {
            node_name: node,
            rsc_name: "web".into(),
            diskless: Some(false),
            stor_pool_name: Some("drbdpool".into()),
            ..Default::default()
        }),
    );
    assert_eq!(codes(&m.apply(crt("web", "s1", &[])))[0], 0x010C_0001);
    m
}

#[test]
fn a_snapshot_covers_every_diskful_resource_and_exists_once() {
    let mut m = web_snapshotted();
    assert_eq!(RC(codes(&m.apply(crt("web", "s1", &[])))[0]).code(), 514);
    let list = body!(m.apply(Request::LstSnapshotDfn), MsgLstSnapshotDfn);
    assert_eq!(list.snapshot_dfns[0].snapshots.len(), 3);
    assert_eq!(list.snapshot_dfns[0].snapshot_dfn_flags, ["SUCCESSFUL"]);
}

#[test]
fn restoring_into_a_new_definition_deploys_on_every_snapshot_node() {
    let mut m = web_snapshotted();
    ok(&mut m, crt_rsc_dfn("web2"));
    let rv = Request::RestoreVlmDfn(MsgRestoreSnapshotVlmDfn {
        from_resource_name: "web".into(),
        from_snapshot_name: "s1".into(),
        to_resource_name: "web2".into(),
    });
    assert_eq!(codes(&m.apply(rv)), [0x010C_0002]);
    let rr = Request::RestoreSnapshot(MsgRestoreSnapshotRsc {
        from_resource_name: "web".into(),
        from_snapshot_name: "s1".into(),
        to_resource_name: "web2".into(),
        nodes: vec![],
    });
    assert_eq!(codes(&m.apply(rr)), [0x010C_0001]);
    let only_web2 = Filter {
        resource_names: vec!["web2".into()],
        ..Default::default()
    };
    let list = body!(m.apply(Request::LstRsc(Some(only_web2))), MsgLstRsc);
    assert_eq!(list.resources.len(), 3);
}

#[test]
fn the_only_snapshot_rolls_back_and_deletes() {
    let mut m = web_snapshotted();
    let rb = Request::RollbackSnapshot(MsgRollbackSnapshot {
        rsc_name: "web".into(),
        snapshot_name: "s1".into(),
        ..Default::default()
    });
    assert_eq!(codes(&m.apply(rb))[0], 0x020C_0003);
    let ds = Request::DelSnapshot(MsgDelSnapshot {
        rsc_name: "web".into(),
        snapshot_name: "s1".into(),
        ..Default::default()
    });
    assert_eq!(codes(&m.apply(ds))[0], 0x030C_0002);
}
