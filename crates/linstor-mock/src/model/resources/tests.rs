//! The resource rules of `resources.rs`, through [`Model::apply`]: creation, the lists
//! and their filters, modification, ToggleDisk and deletion.

use super::*;
use crate::model::test_support::{
    body, cluster, codes, crt_diskless, crt_rsc, crt_rsc_dfn, crt_vlm_dfn, deferred_messages,
    drbdpool_cluster, entry, first, is, messages, ok, refused, web_on_three,
};
use linstor_proto::Request;
use linstor_proto::messages::{MsgCrtVlmDfn, VlmDfn};

fn del(node: &str, rsc: &str) -> Request {
    Request::DelRsc(MsgDelRsc {
        node_name: node.into(),
        rsc_name: rsc.into(),
        ..Default::default()
    })
}

/// alpha and bravo with `DfltStorPool`; `res` (one volume) deployed on alpha.
fn deployed() -> Model {
    let mut m = cluster(&["alpha", "bravo"]);
    ok(&mut m, crt_rsc_dfn("res"));
    ok(&mut m, crt_vlm_dfn("res", 1024));
    ok(&mut m, crt_rsc("res", &["alpha"]));
    m
}

#[test]
fn deleting_under_a_missing_parent_names_the_parent() {
    let mut m = deployed();
    let e = refused(&mut m, del("nope", "res"));
    assert_eq!(e.ret_code, 0xC000_0000_0334_012C);
    assert_eq!(e.message, "Node 'nope' not found.");
    assert!(e.correction.is_some());
    assert_eq!(e.error_report_ids.len(), 1);
    let e = refused(&mut m, del("alpha", "nope"));
    assert_eq!(e.ret_code, 0xC000_0000_0334_012D);
    assert_eq!(e.message, "Resource definition 'nope' not found.");
    assert_eq!(
        e.cause.as_deref(),
        Some("The specified resource definition 'nope' could not be found in the database")
    );
    assert_eq!(e.error_report_ids.len(), 1);
    // Only the resource itself missing: the warning (which the controller logs).
    let e = refused(&mut m, del("bravo", "res"));
    assert_eq!(e.ret_code, 0x8000_0000_0334_0BB8);
    assert_eq!(e.message, "Node: bravo, Resource: res not found.");
    assert_eq!(e.error_report_ids.len(), 1);
}

#[test]
fn modifying_under_a_missing_parent_names_the_parent() {
    let mut m = deployed();
    let modify = |node: &str, rsc: &str| {
        Request::ModRsc(MsgModRsc {
            node_name: node.into(),
            rsc_name: rsc.into(),
            ..Default::default()
        })
    };
    let toggle = |node: &str, from: Option<&str>| {
        Request::ToggleDisk(MsgToggleDisk {
            node_name: node.into(),
            rsc_name: "res".into(),
            migrate_from: from.map(Into::into),
            ..Default::default()
        })
    };
    assert!(is(
        &refused(&mut m, modify("nope", "res")),
        RC::FAIL_NOT_FOUND_NODE
    ));
    assert!(is(
        &refused(&mut m, modify("alpha", "nope")),
        RC::FAIL_NOT_FOUND_RSC_DFN
    ));
    let e = refused(&mut m, modify("bravo", "res"));
    assert!(is(&e, RC::FAIL_NOT_FOUND_RSC));
    assert_eq!(e.message, "Resource 'res' on node 'bravo' not found.");
    assert!(is(
        &refused(&mut m, toggle("nope", None)),
        RC::FAIL_NOT_FOUND_NODE
    ));
    ok(
        &mut m,
        crate::model::test_support::crt_diskless("res", "bravo"),
    );
    let e = refused(&mut m, toggle("bravo", Some("nope")));
    assert!(is(&e, RC::FAIL_NOT_FOUND_NODE), "migrate_from's node");
}

fn listed(out: &Outcome) -> Vec<(String, String, Vec<String>)> {
    match &out.immediate[0].bodies[0] {
        linstor_proto::Body::MsgLstRsc(l) => l
            .resources
            .iter()
            .map(|r| (r.name.clone(), r.node_name.clone(), r.rsc_flags.clone()))
            .collect(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn create_list_modify_delete() {
    let mut m = cluster(&["alpha", "bravo"]);
    ok(&mut m, crt_rsc_dfn("res"));
    ok(&mut m, crt_vlm_dfn("res", 1024));
    let out = ok(&mut m, crt_rsc("res", &["alpha"]));
    let immediate: Vec<(u64, &str)> = out.immediate[0]
        .entries()
        .map(|e| (e.ret_code, e.message.as_str()))
        .collect();
    assert_eq!(
        immediate,
        [
            (
                0x0134_0001,
                "New resource 'res' on node 'alpha' registered."
            ),
            (
                0x012C_0001,
                "Volume with number '0' on resource 'res' on node 'alpha' successfully registered"
            ),
        ]
    );
    let deferred: Vec<&str> = out.deferred[0]
        .entries()
        .map(|e| e.message.as_str())
        .collect();
    assert_eq!(
        deferred,
        [
            "Created resource 'res' on 'alpha'",
            "Resource 'res' on 'alpha' ready"
        ]
    );
    let r = &m.rscs[&("RES".into(), "ALPHA".into())];
    assert_eq!((r.node_id, r.props["PeerSlots"].as_str()), (0, "7"));
    let out = ok(&mut m, crt_diskless("res", "bravo"));
    assert!(
        out.deferred[0]
            .entries()
            .any(|e| e.message == "Added peer(s) 'bravo' to resource 'res' on 'alpha'")
    );
    assert_eq!(
        m.rscs[&("RES".into(), "BRAVO".into())].props["StorPoolName"],
        "DfltDisklessStorPool"
    );

    let all = m.lst_rsc(Filter::default());
    assert_eq!(
        listed(&all),
        [
            ("res".into(), "alpha".into(), vec![]),
            ("res".into(), "bravo".into(), vec!["DISKLESS".into()]),
        ]
    );
    let filtered = m.lst_rsc(Filter {
        node_names: vec!["BRAVO".into(), "-not-validated".into()],
        ..Default::default()
    });
    assert_eq!(listed(&filtered).len(), 1);

    let out = ok(
        &mut m,
        Request::ModRsc(MsgModRsc {
            node_name: "alpha".into(),
            rsc_name: "res".into(),
            override_props: vec![entry("PrefNic", "default")],
            ..Default::default()
        }),
    );
    assert_eq!(codes(&out), [0x0234_0003]);

    let e = refused(&mut m, del("alpha", "res"));
    assert_eq!(
        e.message,
        "Last resource of 'res' with disk still has diskless resources attached."
    );
    let out = ok(&mut m, del("bravo", "res"));
    assert_eq!(codes(&out)[0], 0x0334_0002);
    assert_eq!(
        out.deferred[0].entries().last().map(|e| e.message.as_str()),
        Some("Node: bravo, Resource: res deletion complete.")
    );
    ok(&mut m, del("alpha", "res"));
    assert!(m.rscs.is_empty() && m.streams().next().is_none());
}

#[test]
fn creation_errors() {
    let mut m = cluster(&["alpha"]);
    ok(
        &mut m,
        crate::model::test_support::crt_node("bare", "Satellite", "10.0.0.9"),
    );
    ok(&mut m, crt_rsc_dfn("res"));
    ok(&mut m, crt_vlm_dfn("res", 1024));
    let e = refused(&mut m, Request::CrtRsc(MsgCrtRsc { rscs: vec![] }));
    assert_eq!(
        (e.ret_code, e.message.as_str()),
        (0x8000_0000_0134_0BB8, "No resources specified")
    );
    ok(&mut m, crt_rsc_dfn("other"));
    let mut mixed = crt_rsc("res", &["alpha"]);
    if let Request::CrtRsc(msg) = &mut mixed {
        msg.rscs.push(WireRsc {
            name: "other".into(),
            node_name: "alpha".into(),
            ..Default::default()
        });
    }
    assert!(is(&refused(&mut m, mixed), RC::FAIL_INVLD_RSC_NAME));
    assert!(is(
        &refused(&mut m, crt_rsc("res", &["nope"])),
        RC::FAIL_NOT_FOUND_NODE
    ));
    assert!(is(
        &refused(&mut m, crt_rsc("nope", &["alpha"])),
        RC::FAIL_NOT_FOUND_RSC_DFN
    ));
    let e = refused(&mut m, crt_rsc("res", &["bare"]));
    assert_eq!(
        e.message,
        "The storage pool 'DfltStorPool' for resource 'res' for volume number '0' is not deployed on node 'bare'."
    );
    ok(&mut m, crt_rsc("res", &["alpha"]));
    assert!(is(
        &refused(&mut m, crt_rsc("res", &["alpha"])),
        RC::FAIL_EXISTS_RSC
    ));
    // Nothing of a refused call is stored.
    assert_eq!(m.rscs.len(), 1);
}

#[test]
fn toggle_disk_both_ways_and_migration() {
    let mut m = cluster(&["alpha", "bravo", "charlie"]);
    for r in [
        crt_rsc_dfn("res"),
        crt_vlm_dfn("res", 1024),
        crt_rsc("res", &["alpha"]),
        crt_diskless("res", "bravo"),
    ] {
        ok(&mut m, r);
    }
    let toggle = |node: &str, diskless: bool, from: Option<&str>| {
        Request::ToggleDisk(MsgToggleDisk {
            node_name: node.into(),
            rsc_name: "res".into(),
            diskless: Some(diskless),
            migrate_from: from.map(Into::into),
            ..Default::default()
        })
    };
    let e = refused(&mut m, toggle("alpha", false, None));
    assert_eq!(e.ret_code, 0x8000_0000_0234_03EF, "already has a disk");
    let e = refused(&mut m, toggle("bravo", true, None));
    assert!(is(&e, RC::WARN_RSC_ALREADY_DISKLESS));
    let e = refused(&mut m, toggle("alpha", true, None));
    assert!(is(&e, RC::FAIL_INSUFFICIENT_REPLICA_COUNT));

    let out = ok(&mut m, toggle("bravo", false, Some("alpha")));
    assert_eq!(
        out.immediate[0]
            .entries()
            .next()
            .map(|e| e.message.as_str()),
        Some("Addition of disk to resource 'res' on node 'bravo' registered")
    );
    assert_eq!(
        out.deferred[0].entries().last().map(|e| e.message.as_str()),
        Some("Deleted 'res' on 'alpha'")
    );
    let nodes: Vec<_> = m
        .rscs
        .values()
        .map(|r| (r.node_name.as_str(), r.is_diskless()))
        .collect();
    assert_eq!(nodes, [("bravo", false)], "alpha migrated away");

    ok(&mut m, crt_rsc("res", &["charlie"]));
    let out = ok(&mut m, toggle("charlie", true, None));
    assert_eq!(
        out.immediate[0]
            .entries()
            .next()
            .map(|e| e.message.as_str()),
        Some("Removal of disk from resource 'res' on node 'charlie' registered")
    );
    let charlie = &m.rscs[&("RES".into(), "CHARLIE".into())];
    assert!(charlie.is_diskless() && charlie.vlms[&0].diskless);
}

#[test]
fn volume_list_validates_its_filter() {
    let mut m = cluster(&["alpha"]);
    for r in [
        crt_rsc_dfn("res"),
        crt_vlm_dfn("res", 1024),
        crt_rsc("res", &["alpha"]),
    ] {
        ok(&mut m, r);
    }
    let out = m.lst_vlm(Filter::default()).expect("list");
    let linstor_proto::Body::MsgLstRsc(l) = &out.immediate[0].bodies[0] else {
        panic!("{out:#?}");
    };
    assert_eq!(l.resources[0].vlms[0].allocated_size, Some(1024));
    assert_eq!(out.immediate[1].bodies.len(), 0);
    let out = m
        .lst_vlm(Filter {
            stor_pool_names: vec!["otherpool".into()],
            ..Default::default()
        })
        .expect("list");
    let linstor_proto::Body::MsgLstRsc(l) = &out.immediate[0].bodies[0] else {
        panic!("{out:#?}");
    };
    assert!(
        l.resources.is_empty(),
        "no volume left: the resource is omitted"
    );
    for (filter, code) in [
        (
            Filter {
                node_names: vec!["-x".into()],
                ..Default::default()
            },
            0xC000_0000_012C_00C8,
        ),
        (
            Filter {
                resource_names: vec!["1x".into()],
                ..Default::default()
            },
            0xC000_0000_012C_00CA,
        ),
    ] {
        let e = refused(&mut m, Request::LstVlm(Some(filter)));
        assert_eq!(e.ret_code, code);
    }
}

/// alpha, bravo and charlie with `drbdpool` each; `rsc1` with one 1 GiB volume in
/// `drbdpool`, not deployed.
fn rsc1_defined() -> Model {
    let mut m = drbdpool_cluster(&["alpha", "bravo", "charlie"]);
    assert_eq!(codes(&m.apply(crt_rsc_dfn("rsc1"))), [0x0138_0001]);
    let out = m.apply(Request::CrtVlmDfn(MsgCrtVlmDfn {
        rsc_name: "rsc1".into(),
        vlm_dfns: vec![VlmDfn {
            vlm_size: 1 << 20,
            vlm_props: vec![entry("StorPoolName", "drbdpool")],
            ..Default::default()
        }],
        ..Default::default()
    }));
    assert_eq!(codes(&out), [0x0130_0001]);
    assert!(first(&out).obj_refs.contains(&entry("MinorNr", "1000")));
    m
}

/// [`rsc1_defined`], deployed on alpha and bravo, diskless on charlie.
fn rsc1_deployed() -> Model {
    let mut m = rsc1_defined();
    ok(&mut m, crt_rsc("rsc1", &["alpha", "bravo"]));
    ok(&mut m, crt_diskless("rsc1", "charlie"));
    m
}

#[test]
fn creating_answers_each_resource_and_volume_then_the_satellites() {
    let mut m = rsc1_defined();
    let out = m.apply(crt_rsc("rsc1", &["alpha", "bravo"]));
    let cs = codes(&out);
    assert_eq!(
        cs[..4],
        [0x0134_0001, 0x012C_0001, 0x0134_0001, 0x012C_0001],
        "registered, volume, registered, volume"
    );
    let all = messages(&out);
    assert_eq!(all[0], "New resource 'rsc1' on node 'alpha' registered.");
    assert_eq!(
        all[1],
        "Volume with number '0' on resource 'rsc1' on node 'alpha' successfully registered"
    );
    assert_eq!(
        deferred_messages(&out),
        [
            "Created resource 'rsc1' on 'alpha'",
            "Created resource 'rsc1' on 'bravo'",
            "Resource 'rsc1' on 'alpha' ready",
            "Resource 'rsc1' on 'bravo' ready"
        ]
    );
}

#[test]
fn a_resource_exists_once_per_node_case_insensitively() {
    let mut m = rsc1_defined();
    ok(&mut m, crt_rsc("rsc1", &["alpha", "bravo"]));
    let e = refused(&mut m, crt_rsc("rsc1", &["ALPHA"]));
    assert_eq!(e.ret_code, 0xC000_0000_0134_01F6);
}

#[test]
fn a_diskless_resource_is_added_as_a_peer_of_the_diskful_ones() {
    let mut m = rsc1_defined();
    ok(&mut m, crt_rsc("rsc1", &["alpha", "bravo"]));
    let out = ok(&mut m, crt_diskless("rsc1", "charlie"));
    assert_eq!(
        deferred_messages(&out)[0],
        "Added peer(s) 'charlie' to resource 'rsc1' on 'alpha'"
    );
}

#[test]
fn the_resource_list_shows_node_ids_volumes_and_states() {
    let mut m = rsc1_deployed();
    let list = body!(m.apply(Request::LstRsc(Some(Filter::default()))), MsgLstRsc);
    assert_eq!(list.resources.len(), 3);
    let alpha = &list.resources[0];
    assert_eq!(
        (alpha.node_name.as_str(), alpha.node_id),
        ("alpha", Some(0))
    );
    assert!(alpha.props.contains(&entry("PeerSlots", "7")));
    let v = &alpha.vlms[0];
    assert_eq!(v.device_path.as_deref(), Some("/dev/drbd1000"));
    assert_eq!(v.backing_disk.as_deref(), Some("/dev/drbdpool/rsc1_00000"));
    assert_eq!(
        (v.stor_pool_name.as_deref(), v.vlm_minor_nr),
        (Some("drbdpool"), Some(1000))
    );
    let charlie = &list.resources[2];
    assert_eq!(charlie.rsc_flags, ["DISKLESS"]);
    assert!(
        charlie
            .props
            .contains(&entry("StorPoolName", "DfltDisklessStorPool"))
    );
    assert_eq!(charlie.vlms[0].backing_disk, None);
    assert_eq!(list.resource_states.len(), 3);
    assert_eq!(
        list.resource_states[0].vlm_states[0].disk_state.as_deref(),
        Some("UpToDate")
    );
    assert_eq!(
        list.resource_states[2].vlm_states[0].disk_state.as_deref(),
        Some("Diskless")
    );
}

#[test]
fn list_filters_ignore_case_and_an_invalid_name_matches_nothing() {
    let mut m = rsc1_deployed();
    let by_node = Filter {
        node_names: vec!["Bravo".into()],
        resource_names: vec!["RSC1".into()],
        ..Default::default()
    };
    let list = body!(m.apply(Request::LstRsc(Some(by_node))), MsgLstRsc);
    assert_eq!(list.resources.len(), 1);
    let invalid_matches_nothing = Filter {
        node_names: vec!["-x".into()],
        ..Default::default()
    };
    let list = body!(
        m.apply(Request::LstRsc(Some(invalid_matches_nothing.clone()))),
        MsgLstRsc
    );
    assert!(list.resources.is_empty());
    let out = m.apply(Request::LstVlm(Some(invalid_matches_nothing)));
    assert_eq!(
        out.immediate[0].content, "Reply",
        "LstVlm validates its filter"
    );
}

#[test]
fn deleting_twice_warns_and_the_last_disk_with_diskless_peers_stays() {
    // A missing node or definition: `deleting_under_a_missing_parent_names_the_parent`.
    let mut m = rsc1_deployed();
    assert_eq!(codes(&m.apply(del("alpha", "rsc1")))[0], 0x0334_0002);
    let e = refused(&mut m, del("alpha", "rsc1"));
    assert_eq!(e.ret_code, 0x8000_0000_0334_0BB8);
    assert_eq!(e.message, "Node: alpha, Resource: rsc1 not found.");
    let e = refused(&mut m, del("bravo", "rsc1"));
    assert_eq!(
        e.message,
        "Last resource of 'rsc1' with disk still has diskless resources attached."
    );
}

#[test]
fn toggling_a_disk_in_is_registered_once_then_warns() {
    let mut m = web_on_three();
    let node = m
        .rscs
        .values()
        .find(|r| r.is_diskless())
        .map(|r| r.node_name.clone())
        .expect("a diskless resource");
    let toggle = || {
        Request::ToggleDisk(MsgToggleDisk {
            node_name: node.clone(),
            rsc_name: "web".into(),
            diskless: Some(false),
            stor_pool_name: Some("drbdpool".into()),
            ..Default::default()
        })
    };
    let out = m.apply(toggle());
    assert_eq!(
        first(&out).message,
        format!("Addition of disk to resource 'web' on node '{node}' registered")
    );
    let out = m.apply(toggle());
    assert!(RC(codes(&out)[0]).is_code(RC::WARN_RSC_ALREADY_HAS_DISK));
}

#[test]
fn the_lists_encoded_as_they_are_walked_are_the_typed_lists_encoded() {
    let mut m = rsc1_deployed();
    ok(&mut m, crt_rsc_dfn("web"));
    let in_drbdpool = |size| VlmDfn {
        vlm_size: size,
        vlm_props: vec![entry("StorPoolName", "drbdpool")],
        ..Default::default()
    };
    ok(
        &mut m,
        Request::CrtVlmDfn(MsgCrtVlmDfn {
            rsc_name: "web".into(),
            vlm_dfns: vec![in_drbdpool(2048), in_drbdpool(4096)],
            ..Default::default()
        }),
    );
    ok(&mut m, crt_rsc("web", &["bravo", "alpha"]));
    let filters = [
        None,
        Some(Filter::default()),
        Some(Filter {
            node_names: vec!["Bravo".into()],
            ..Default::default()
        }),
        Some(Filter {
            resource_names: vec!["web".into()],
            stor_pool_names: vec!["drbdpool".into()],
            ..Default::default()
        }),
        Some(Filter {
            node_names: vec!["nowhere".into()],
            ..Default::default()
        }),
    ];
    for filter in filters {
        for request in [
            Request::LstRsc(filter.clone()),
            Request::LstVlm(filter.clone()),
        ] {
            let encoded = m
                .encode_list(&request)
                .expect("a list walked as it is encoded");
            let out = m.apply(request.clone());
            let typed: Vec<EncodedAnswer> = out.immediate.iter().map(EncodedAnswer::of).collect();
            assert_eq!(encoded, typed, "{request:?}");
            let listed = match &out.immediate[0].bodies[0] {
                linstor_proto::Body::MsgLstRsc(l) => l.resources.len(),
                other => panic!("{other:?}"),
            };
            assert!(
                listed > 0 || filter.as_ref().is_some_and(|f| !f.node_names.is_empty()),
                "{request:?} lists something"
            );
        }
    }
    // A refused filter is answered by `apply`, with its reply.
    let bad = Request::LstVlm(Some(Filter {
        resource_names: vec!["-x".into()],
        ..Default::default()
    }));
    assert!(m.encode_list(&bad).is_none());
    assert!(m.encode_list(&Request::LstNode).is_none());
}

/// `EncodedLstRsc::finish` builds the body three ways: in the room reserved after the first
/// resource, as an exact copy of a filtered list, and as an exact copy when the states do
/// not fit the room left. Each is the typed list encoded.
#[test]
fn an_encoded_list_is_the_typed_list_whichever_way_its_buffer_went() {
    use prost::Message;
    let rsc = |name: &str| WireRsc {
        name: name.into(),
        node_name: "alpha".into(),
        ..Default::default()
    };
    let state = |name: &str| RscState {
        rsc_name: name.into(),
        node_name: "alpha".into(),
        ..Default::default()
    };
    let long = "r".repeat(200);
    let cases = [
        (
            "room",
            2,
            vec![rsc("a"), rsc("b")],
            vec![state("a"), state("b")],
        ),
        ("filtered", 1_000, vec![rsc("a")], vec![state("a")]),
        ("no room", 2, vec![rsc("a"), rsc(&long)], vec![state(&long)]),
        ("no states", 1, vec![rsc("a")], vec![]),
    ];
    for (case, most, resources, states) in cases {
        let mut list = EncodedLstRsc {
            resources: BytesMut::new(),
            states: BytesMut::new(),
            most,
        };
        for r in &resources {
            list.resource(r.clone());
        }
        for s in &states {
            list.state(s.clone());
        }
        let encoded = list.finish(answers::LST_RSC);
        let typed = MsgLstRsc {
            resources,
            resource_states: states,
        }
        .encode_to_vec();
        assert_eq!(encoded.bodies.len(), 1, "{case}");
        assert_eq!(encoded.bodies[0].0.as_ref(), typed.as_slice(), "{case}");
    }
}
