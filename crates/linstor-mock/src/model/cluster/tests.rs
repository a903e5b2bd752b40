//! The cluster transitions of `cluster.rs`, one test per transition: the events each emits,
//! what the lists show afterwards, and the return codes of the calls they affect.

use super::*;
use crate::model::EventData;
use crate::model::test_support::{
    auto_place, body, cluster, codes, crt_diskless, crt_pool, crt_rsc, crt_rsc_dfn, crt_vlm_dfn,
    deferred_messages, is, ok, refused,
};
use linstor_proto::messages::{MsgCrtSnapshot, MsgDelRsc, MsgLstRsc, SnapshotDfn};
use linstor_proto::{Request, ReturnCode as RC};

/// `node/resource[/volume] Action [value]` for each event.
fn show(events: &[StreamEvent]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            let obj = match e.key.volume {
                Some(v) => format!("{}/{}/{v}", e.key.node, e.key.resource),
                None => format!("{}/{}", e.key.node, e.key.resource),
            };
            let value = match &e.action {
                StreamAction::Value(EventData::Volume(v)) => {
                    format!(" {}", v.disk_state.as_deref().unwrap_or("?"))
                }
                StreamAction::Value(EventData::Resource(r)) => format!(
                    " ready={} up_to_date={}",
                    r.ready.unwrap_or(false),
                    r.up_to_date.unwrap_or(false)
                ),
                _ => String::new(),
            };
            format!("{obj} {}{value}", e.action.name())
        })
        .collect()
}

/// The satellites `nodes` (as [`cluster`] makes them) and the definition of `r1` with one
/// 1 MiB volume, placed on none of them yet.
fn r1_defined(nodes: &[&str]) -> Model {
    let mut m = cluster(nodes);
    ok(&mut m, crt_rsc_dfn("r1"));
    ok(&mut m, crt_vlm_dfn("r1", 1024));
    m
}

/// alpha, bravo, charlie; `r1` (one 1 MiB volume) on alpha and bravo, diskless on charlie.
fn three() -> Model {
    let mut m = r1_defined(&["alpha", "bravo", "charlie"]);
    ok(&mut m, crt_rsc("r1", &["alpha", "bravo"]));
    ok(&mut m, crt_diskless("r1", "charlie"));
    m
}

/// alpha alone, with an LVM (thick) pool `thick` of `total_kib`, `reserved_kib` of it
/// reserved.
fn alpha_with_thick_pool(total_kib: u64, reserved_kib: u64) -> Model {
    let mut m = cluster(&["alpha"]);
    ok(&mut m, crt_pool("alpha", "thick", "LvmDriver"));
    m.set_pool_capacity(
        "alpha",
        "thick",
        PoolCapacity {
            total_kib: Some(total_kib),
            reserved_kib,
        },
    )
    .unwrap();
    m
}

/// `CrtRsc` of `rsc` on alpha in its pool `thick`.
fn crt_rsc_in_thick(rsc: &str) -> Request {
    let mut msg = crt_rsc(rsc, &["alpha"]);
    if let Request::CrtRsc(c) = &mut msg {
        c.rscs[0].props = crate::model::test_support::entries(&[("StorPoolName", "thick")]);
    }
    msg
}

fn check(m: &Model) {
    if let Err(e) = m.check_invariants() {
        panic!("{e}");
    }
}

fn statuses(m: &mut Model) -> Vec<(String, Option<i32>)> {
    let out = m.apply(Request::LstNode);
    body!(out, MsgLstNode)
        .nodes
        .into_iter()
        .map(|n| (n.name, n.connection_status))
        .collect()
}

fn lst_rsc(m: &mut Model) -> MsgLstRsc {
    let out = m.apply(Request::LstRsc(None));
    body!(out, MsgLstRsc)
}

#[test]
fn offline_closes_the_nodes_streams_and_lists_it_offline() {
    let mut m = three();
    let events = m.set_node_online("BRAVO", false).unwrap();
    assert_eq!(
        show(&events),
        ["bravo/r1/0 CloseNoConnection", "bravo/r1 CloseNoConnection"]
    );
    assert_eq!(m.is_node_online("bravo"), Some(false));
    assert_eq!(
        statuses(&mut m),
        [
            ("alpha".to_owned(), Some(2)),
            ("bravo".to_owned(), Some(0)),
            ("charlie".to_owned(), Some(2))
        ]
    );
    // The resource is still there; the satellite reports no state for it.
    let list = lst_rsc(&mut m);
    assert_eq!(list.resources.len(), 3);
    let reported: Vec<&str> = list
        .resource_states
        .iter()
        .map(|s| s.node_name.as_str())
        .collect();
    assert_eq!(reported, ["alpha", "charlie"]);
    // Its pools show no free space.
    let out = m.apply(Request::LstStorPool(None));
    for pool in body!(out, MsgLstStorPool).stor_pools {
        assert_eq!(
            pool.free_space.is_none(),
            pool.node_name == "bravo",
            "{pool:?}"
        );
    }
    check(&m);
    // Again: nothing changes.
    assert!(m.set_node_online("bravo", false).unwrap().is_empty());
    assert_eq!(
        m.set_node_online("nope", false),
        Err(ClusterError::NodeNotFound("nope".into()))
    );
}

#[test]
fn online_reopens_the_streams_with_current_values() {
    let mut m = three();
    m.set_node_online("bravo", false).unwrap();
    m.set_disk_state("bravo", "r1", 0, DiskState::Outdated)
        .unwrap();
    let events = m.set_node_online("bravo", true).unwrap();
    assert_eq!(
        show(&events),
        [
            "bravo/r1/0 Value Outdated",
            "bravo/r1 Value ready=true up_to_date=false"
        ]
    );
    assert_eq!(statuses(&mut m)[1], ("bravo".to_owned(), Some(2)));
    check(&m);
}

#[test]
fn a_diskless_peer_is_not_ready_when_every_disk_is_offline() {
    let mut m = three();
    m.set_node_online("alpha", false).unwrap();
    let events = m.set_node_online("bravo", false).unwrap();
    assert_eq!(
        show(&events),
        [
            "bravo/r1/0 CloseNoConnection",
            "bravo/r1 CloseNoConnection",
            "charlie/r1 Value ready=false up_to_date=false"
        ]
    );
    check(&m);
    let events = m.set_node_online("alpha", true).unwrap();
    assert_eq!(
        show(&events),
        [
            "alpha/r1/0 Value UpToDate",
            "alpha/r1 Value ready=true up_to_date=true",
            "charlie/r1 Value ready=true up_to_date=false"
        ]
    );
}

#[test]
fn a_resource_created_on_an_offline_node_waits_for_its_satellite() {
    let mut m = r1_defined(&["alpha", "bravo"]);
    m.set_node_online("bravo", false).unwrap();
    let out = ok(&mut m, crt_rsc("r1", &["alpha", "bravo"]));
    assert_eq!(
        deferred_messages(&out),
        [
            "Created resource 'r1' on 'alpha'",
            "No connection to satellite 'bravo'",
            "Resource 'r1' on 'alpha' ready"
        ]
    );
    let warning = out
        .entries()
        .find(|e| e.message.starts_with("No connection"))
        .cloned()
        .unwrap();
    assert!(is(&warning, RC::WARN_NOT_CONNECTED), "{warning:?}");
    assert_eq!(
        show(&out.events),
        [
            "alpha/r1/0 Value UpToDate",
            "alpha/r1 Value ready=true up_to_date=true"
        ]
    );
    check(&m);
    let events = m.set_node_online("bravo", true).unwrap();
    assert_eq!(
        show(&events),
        [
            "bravo/r1/0 Value UpToDate",
            "bravo/r1 Value ready=true up_to_date=true"
        ]
    );
    check(&m);
}

#[test]
fn auto_place_uses_online_nodes_only() {
    let mut m = cluster(&["alpha", "bravo", "charlie"]);
    ok(&mut m, crt_rsc_dfn("r1"));
    m.set_node_online("charlie", false).unwrap();
    let e = refused(&mut m, auto_place("r1", 3, false));
    assert!(is(&e, RC::FAIL_NOT_ENOUGH_NODES), "{e:?}");
    ok(&mut m, auto_place("r1", 2, false));
    let nodes: Vec<String> = lst_rsc(&mut m)
        .resources
        .into_iter()
        .map(|r| r.node_name)
        .collect();
    assert_eq!(nodes, ["alpha", "bravo"]);
}

#[test]
fn a_deletion_on_an_offline_node_completes_when_it_is_back() {
    let mut m = three();
    m.set_node_online("bravo", false).unwrap();
    let out = ok(
        &mut m,
        Request::DelRsc(MsgDelRsc {
            node_name: "bravo".into(),
            rsc_name: "r1".into(),
            ..Default::default()
        }),
    );
    assert_eq!(
        out.immediate[0].entries().next().map(|e| e.message.clone()),
        Some("Node: bravo, Resource: r1 marked for deletion.".to_owned())
    );
    assert_eq!(
        deferred_messages(&out),
        [
            "No connection to satellite 'bravo'",
            "Notified 'alpha' that 'r1' is being deleted on 'bravo'",
            "Notified 'charlie' that 'r1' is being deleted on 'bravo'"
        ]
    );
    assert!(out.events.is_empty());
    let flagged: Vec<(String, Vec<String>)> = lst_rsc(&mut m)
        .resources
        .into_iter()
        .map(|r| (r.node_name, r.rsc_flags))
        .collect();
    assert_eq!(flagged[1], ("bravo".to_owned(), vec!["DELETE".to_owned()]));
    check(&m);
    let events = m.set_node_online("bravo", true).unwrap();
    assert!(events.is_empty(), "{:?}", show(&events));
    assert_eq!(lst_rsc(&mut m).resources.len(), 2);
    check(&m);
}

#[test]
fn snapshots_need_every_satellite() {
    let mut m = r1_defined(&["alpha", "bravo"]);
    ok(&mut m, crt_rsc("r1", &["alpha", "bravo"]));
    m.set_node_online("bravo", false).unwrap();
    let snap = Request::CrtSnapshot(MsgCrtSnapshot {
        snapshot_dfn: SnapshotDfn {
            rsc_name: "r1".into(),
            snapshot_name: "s1".into(),
            ..Default::default()
        },
    });
    let e = refused(&mut m, snap.clone());
    assert_eq!(e.ret_code, RC::FAIL_NOT_CONNECTED.0 | 0x010C_0000);
    assert_eq!(
        e.message,
        "Snapshots cannot be created when the corresponding satellites are not connected."
    );
    m.set_node_online("bravo", true).unwrap();
    ok(&mut m, snap);
}

#[test]
fn a_failed_disk_is_reported_with_the_resource_state() {
    let mut m = three();
    let events = m
        .set_disk_state("bravo", "r1", 0, DiskState::Failed)
        .unwrap();
    assert_eq!(
        show(&events),
        [
            "bravo/r1/0 Value Failed",
            "bravo/r1 Value ready=true up_to_date=false"
        ]
    );
    let states = lst_rsc(&mut m).resource_states;
    let bravo = states.iter().find(|s| s.node_name == "bravo").unwrap();
    assert_eq!(bravo.vlm_states[0].disk_state.as_deref(), Some("Failed"));
    check(&m);
    // With alpha's disk failed too, nothing is up to date anywhere.
    let events = m
        .set_disk_state("alpha", "r1", 0, DiskState::Failed)
        .unwrap();
    assert_eq!(
        show(&events),
        [
            "alpha/r1/0 Value Failed",
            "alpha/r1 Value ready=false up_to_date=false",
            "bravo/r1 Value ready=false up_to_date=false",
            "charlie/r1 Value ready=false up_to_date=false"
        ]
    );
    check(&m);
}

#[test]
fn detach_outdated_inconsistent_and_back_to_up_to_date() {
    let mut m = three();
    for (state, shown) in [
        (DiskState::Diskless, "Diskless"),
        (DiskState::Outdated, "Outdated"),
        (DiskState::Inconsistent, "Inconsistent"),
    ] {
        let events = m.set_disk_state("alpha", "r1", 0, state).unwrap();
        assert_eq!(show(&events)[0], format!("alpha/r1/0 Value {shown}"));
        check(&m);
    }
    let events = m
        .set_disk_state("alpha", "r1", 0, DiskState::UpToDate)
        .unwrap();
    assert_eq!(
        show(&events),
        [
            "alpha/r1/0 Value UpToDate",
            "alpha/r1 Value ready=true up_to_date=true"
        ]
    );
    // Back at the default: the model holds no override.
    assert_eq!(m.rscs[&("R1".into(), "ALPHA".into())].vlms[&0].disk, None);
    // The same state again sends nothing.
    assert!(
        m.set_disk_state("alpha", "r1", 0, DiskState::UpToDate)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn disk_states_need_an_existing_diskful_volume() {
    let mut m = three();
    assert!(matches!(
        m.set_disk_state("charlie", "r1", 0, DiskState::Failed),
        Err(ClusterError::DisklessVolume { .. })
    ));
    assert!(
        m.set_disk_state("charlie", "r1", 0, DiskState::Diskless)
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        m.set_disk_state("alpha", "r1", 7, DiskState::Failed),
        Err(ClusterError::VolumeNotFound { volume: 7, .. })
    ));
    assert!(matches!(
        m.set_disk_state("alpha", "r2", 0, DiskState::Failed),
        Err(ClusterError::ResourceNotFound { .. })
    ));
    assert_eq!(
        m.set_disk_state("delta", "r1", 0, DiskState::Failed),
        Err(ClusterError::NodeNotFound("delta".into()))
    );
}

#[test]
fn a_new_replica_resyncs_from_an_up_to_date_peer() {
    let mut m = r1_defined(&["alpha", "bravo"]);
    m.set_resync_rule(ResyncRule {
        node: None,
        resource: Some("R1".into()),
        duration_ms: 5000,
        progress_steps: 2,
    })
    .unwrap();
    let out = ok(&mut m, crt_rsc("r1", &["alpha", "bravo"]));
    // alpha is the first replica: no sync source, up to date at once.
    assert_eq!(
        show(&out.events),
        [
            "alpha/r1/0 Value UpToDate",
            "alpha/r1 Value ready=true up_to_date=true",
            "bravo/r1/0 Value Inconsistent",
            "bravo/r1 Value ready=true up_to_date=false"
        ]
    );
    let running: Vec<Resync> = m.running_resyncs().cloned().collect();
    assert_eq!(running.len(), 1);
    let r = &running[0];
    assert_eq!(
        (
            r.node.as_str(),
            r.resource.as_str(),
            r.volume,
            r.duration_ms
        ),
        ("bravo", "r1", 0, 5000)
    );
    check(&m);
    assert_eq!(
        show(&m.resync_progress(r.id, 5000)),
        ["bravo/r1/0 Value SyncTarget(50.00%)"]
    );
    check(&m);
    assert_eq!(
        show(&m.finish_resync(r.id)),
        [
            "bravo/r1/0 Value UpToDate",
            "bravo/r1 Value ready=true up_to_date=true"
        ]
    );
    assert_eq!(m.running_resyncs().count(), 0);
    // A finished resync's timer changes nothing.
    assert!(m.finish_resync(r.id).is_empty());
    check(&m);
}

#[test]
fn a_disk_state_set_during_a_resync_stops_it() {
    let mut m = r1_defined(&["alpha", "bravo"]);
    ok(&mut m, crt_rsc("r1", &["alpha"]));
    m.set_resync_rule(ResyncRule {
        node: Some("bravo".into()),
        resource: None,
        duration_ms: 1000,
        progress_steps: 0,
    })
    .unwrap();
    ok(&mut m, crt_rsc("r1", &["bravo"]));
    let id = m.running_resyncs().next().unwrap().id;
    m.set_disk_state("bravo", "r1", 0, DiskState::Failed)
        .unwrap();
    assert!(m.finish_resync(id).is_empty());
    assert_eq!(
        m.rscs[&("R1".into(), "BRAVO".into())].vlms[&0].disk_state(),
        "Failed"
    );
    // Duration 0 removes the rule: the next replica is up to date at once.
    m.set_resync_rule(ResyncRule {
        node: Some("BRAVO".into()),
        resource: None,
        duration_ms: 0,
        progress_steps: 0,
    })
    .unwrap();
    assert!(m.resync_rules().is_empty());
}

#[test]
fn thick_pool_capacity_is_consumed_and_returned() {
    let mut m = alpha_with_thick_pool(10 * 1024, 1024);
    let free = |m: &mut Model| {
        let out = m.apply(Request::LstStorPool(None));
        body!(out, MsgLstStorPool)
            .stor_pools
            .into_iter()
            .find(|p| p.stor_pool_name == "thick")
            .and_then(|p| p.free_space)
            .map(|f| (f.free_capacity, f.total_capacity))
    };
    assert_eq!(free(&mut m), Some((9 * 1024, 10 * 1024)));
    for name in ["rsc_a", "rsc_b"] {
        ok(&mut m, crt_rsc_dfn(name));
        ok(&mut m, crt_vlm_dfn(name, 6 * 1024));
        let msg = crt_rsc_in_thick(name);
        if name == "rsc_a" {
            ok(&mut m, msg);
            assert_eq!(free(&mut m), Some((3 * 1024, 10 * 1024)));
        } else {
            let e = refused(&mut m, msg.clone());
            assert!(is(&e, RC::FAIL_INVLD_VLM_SIZE), "{e:?}");
            assert_eq!(
                e.message,
                "Not enough free space available for volume 0 of resource 'rsc_b'."
            );
            // Deleting `rsc_a` returns its space.
            ok(
                &mut m,
                Request::DelRsc(MsgDelRsc {
                    node_name: "alpha".into(),
                    rsc_name: "rsc_a".into(),
                    ..Default::default()
                }),
            );
            assert_eq!(free(&mut m), Some((9 * 1024, 10 * 1024)));
            ok(&mut m, msg);
        }
    }
    assert_eq!(
        m.set_pool_capacity("alpha", "DfltDisklessStorPool", PoolCapacity::default()),
        Err(ClusterError::DisklessPool {
            node: "alpha".into(),
            pool: "DfltDisklessStorPool".into()
        })
    );
    assert!(matches!(
        m.set_pool_capacity("alpha", "nope", PoolCapacity::default()),
        Err(ClusterError::PoolNotFound { .. })
    ));
}

#[test]
fn auto_place_honours_capacity_and_unknown_capacity() {
    let mut m = cluster(&["alpha", "bravo", "charlie"]);
    ok(&mut m, crt_rsc_dfn("r1"));
    ok(&mut m, crt_vlm_dfn("r1", 100 * 1024));
    // A thin pool of 10 MiB offers 200 MiB (ratio 20); 95 MiB reserved leaves 100 MiB.
    let cap = |total: Option<u64>, reserved: u64| PoolCapacity {
        total_kib: total,
        reserved_kib: reserved,
    };
    m.set_pool_capacity(
        "alpha",
        "DfltStorPool",
        cap(Some(10 * 1024), 5 * 1024 + 512),
    )
    .unwrap();
    m.set_pool_capacity("bravo", "DfltStorPool", cap(None, 0))
        .unwrap();
    let e = refused(&mut m, auto_place("r1", 2, false));
    assert!(is(&e, RC::FAIL_NOT_ENOUGH_NODES), "{e:?}");
    m.set_pool_capacity("alpha", "DfltStorPool", cap(Some(10 * 1024), 5 * 1024))
        .unwrap();
    let out = ok(&mut m, auto_place("r1", 2, false));
    assert_eq!(
        codes(&out)[0],
        0x0134_0001,
        "{:?}",
        out.entries().collect::<Vec<_>>()
    );
    let nodes: Vec<String> = lst_rsc(&mut m)
        .resources
        .into_iter()
        .map(|r| r.node_name)
        .collect();
    assert_eq!(nodes, ["alpha", "charlie"]);
}

#[test]
fn the_size_check_skips_offline_nodes() {
    let mut m = alpha_with_thick_pool(1024, 0);
    ok(&mut m, crt_rsc_dfn("big"));
    ok(&mut m, crt_vlm_dfn("big", 4096));
    let msg = crt_rsc_in_thick("big");
    assert!(is(&refused(&mut m, msg.clone()), RC::FAIL_INVLD_VLM_SIZE));
    m.set_node_online("alpha", false).unwrap();
    ok(&mut m, msg);
}

#[test]
fn the_cluster_state_survives_serialization() {
    let mut m = three();
    m.set_resync_rule(ResyncRule {
        node: Some("charlie".into()),
        resource: None,
        duration_ms: 700,
        progress_steps: 3,
    })
    .unwrap();
    m.set_node_online("bravo", false).unwrap();
    m.set_disk_state("alpha", "r1", 0, DiskState::Failed)
        .unwrap();
    let json = serde_json::to_string(&m).unwrap();
    let mut back: Model = serde_json::from_str(&json).unwrap();
    back.rebuild_streams();
    assert_eq!(back.is_node_online("bravo"), Some(false));
    assert_eq!(back.resync_rules(), m.resync_rules());
    let a: Vec<_> = back
        .streams()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let b: Vec<_> = m.streams().map(|(k, v)| (k.clone(), v.clone())).collect();
    assert_eq!(a, b);
    check(&back);
    // A state file written before these fields existed still loads: everything online.
    let mut old: serde_json::Value = serde_json::to_value(three()).unwrap();
    old.as_object_mut().unwrap().remove("cluster");
    for node in old["nodes"].as_object_mut().unwrap().values_mut() {
        node.as_object_mut().unwrap().remove("offline");
    }
    let old: Model = serde_json::from_value(old).unwrap();
    assert_eq!(old.is_node_online("bravo"), Some(true));
}

#[test]
fn disk_state_names_parse_and_print() {
    for name in [
        "Diskless",
        "Attaching",
        "Detaching",
        "Failed",
        "Negotiating",
        "Inconsistent",
        "Outdated",
        "DUnknown",
        "Consistent",
        "UpToDate",
        "SyncTarget(42.17%)",
        "SyncTarget(0.00%)",
        "SyncTarget(100.00%)",
    ] {
        let state: DiskState = name.parse().unwrap();
        assert_eq!(state.to_string(), name);
    }
    assert_eq!(
        "SyncTarget(5.5%)".parse::<DiskState>(),
        Ok(DiskState::SyncTarget(550))
    );
    for bad in ["uptodate", "SyncTarget(100.01%)", "SyncTarget(x%)", ""] {
        assert!(bad.parse::<DiskState>().is_err(), "{bad}");
    }
}

#[test]
fn a_disk_added_by_toggle_disk_resyncs_too() {
    let mut m = three();
    m.set_resync_rule(ResyncRule {
        node: Some("charlie".into()),
        resource: None,
        duration_ms: 100,
        progress_steps: 0,
    })
    .unwrap();
    let out = ok(
        &mut m,
        Request::ToggleDisk(linstor_proto::messages::MsgToggleDisk {
            node_name: "charlie".into(),
            rsc_name: "r1".into(),
            diskless: Some(false),
            ..Default::default()
        }),
    );
    assert_eq!(show(&out.events), ["charlie/r1/0 Value Inconsistent",]);
    let id = m.running_resyncs().next().unwrap().id;
    assert_eq!(
        show(&m.finish_resync(id)),
        [
            "charlie/r1/0 Value UpToDate",
            "charlie/r1 Value ready=true up_to_date=true"
        ]
    );
    check(&m);
}
