//! The mock controller over TCP, call family by call family: return codes, entry order,
//! list contents and filters, message texts (docs/controller-rules.md).

use linstor_mock::{Config, MockController};
use linstor_proto::ReturnCode as RC;
use linstor_proto::messages::*;
use linstor_tests::raw::{CallResult, RawClient};

async fn setup() -> (MockController, RawClient) {
    let mock = MockController::start(Config::default())
        .await
        .expect("mock starts");
    let (client, _) = RawClient::connect(mock.addr()).await;
    (mock, client)
}

fn entry(key: &str, value: &str) -> LinStorMapEntry {
    LinStorMapEntry {
        key: key.into(),
        value: value.into(),
    }
}

fn satellite(name: &str, ip: &str) -> MsgCrtNode {
    MsgCrtNode {
        node: Node {
            name: name.into(),
            r#type: "Satellite".into(),
            net_interfaces: vec![NetInterface {
                name: "default".into(),
                address: ip.into(),
                stlt_port: Some(3366),
                stlt_encryption_type: Some("Plain".into()),
                ..Default::default()
            }],
            ..Default::default()
        },
    }
}

fn codes(r: &CallResult) -> Vec<u64> {
    r.replies().iter().map(|e| e.ret_code).collect()
}

async fn cluster(client: &mut RawClient, nodes: &[&str]) {
    for (i, n) in nodes.iter().enumerate() {
        let r = client
            .call("CrtNode", Some(&satellite(n, &format!("10.0.0.{}", i + 1))))
            .await;
        assert_eq!(codes(&r), [0x013C_0001], "{n}");
        let pool = MsgCrtStorPool {
            stor_pool: StorPool {
                node_name: (*n).into(),
                stor_pool_name: "drbdpool".into(),
                driver: "LvmThinDriver".into(),
                props: vec![
                    entry("StorDriver/LvmVg", "drbdpool"),
                    entry("StorDriver/ThinPool", "thinpool"),
                ],
                ..Default::default()
            },
        };
        let r = client.call("CrtStorPool", Some(&pool)).await;
        assert_eq!(codes(&r), [0x0114_0001], "{n}");
    }
}

#[tokio::test]
async fn node_creation_validation_and_listing() {
    let (_mock, mut c) = setup().await;
    let r = c
        .call("CrtNode", Some(&satellite("alpha", "127.0.0.10")))
        .await;
    let e = &r.replies()[0];
    assert_eq!(e.ret_code, 0x0000_0000_013C_0001);
    assert_eq!(e.message, "New node 'alpha' registered.");
    assert!(
        e.details
            .as_deref()
            .is_some_and(|d| d.starts_with("Node UUID is: "))
    );
    assert_eq!(e.obj_refs[0], entry("Node", "alpha"));
    assert_eq!(e.obj_refs[1].key, "UUID");

    // Names are case-insensitive.
    let r = c
        .call("CrtNode", Some(&satellite("ALPHA", "127.0.0.11")))
        .await;
    assert_eq!(codes(&r), [0xC000_0000_013C_01F4]);
    assert_eq!(
        r.replies()[0].cause.as_deref(),
        Some("A node with the specified name 'ALPHA' already exists.")
    );
    assert_eq!(r.replies()[0].error_report_ids.len(), 1);

    let r = c
        .call("CrtNode", Some(&satellite("-bad", "127.0.0.12")))
        .await;
    assert_eq!(codes(&r), [0xC000_0000_013C_00C8]);
    assert_eq!(
        r.replies()[0].message,
        "The given node name '-bad' is invalid."
    );

    let mut no_if = satellite("bravo", "1.2.3.4");
    no_if.node.net_interfaces.clear();
    assert_eq!(
        codes(&c.call("CrtNode", Some(&no_if)).await),
        [0xC000_0000_013C_025B]
    );

    let mut bad_type = satellite("bravo", "1.2.3.4");
    bad_type.node.r#type = "Robot".into();
    assert_eq!(
        codes(&c.call("CrtNode", Some(&bad_type)).await),
        [0xC000_0000_013C_00C9]
    );

    let mut bad_ip = satellite("bravo", "1.2.3.04");
    bad_ip.node.net_interfaces[0].address = "1.2.3.04".into();
    assert_eq!(
        RC(codes(&c.call("CrtNode", Some(&bad_ip)).await)[0]).code(),
        210
    );

    // No satellite connection: the warning comes first, then the success entry.
    let mut aux = satellite("charlie", "10.1.1.1");
    aux.node.r#type = "Auxiliary".into();
    aux.node.net_interfaces[0].stlt_port = None;
    let r = c.call("CrtNode", Some(&aux)).await;
    let cs = codes(&r);
    assert!(RC(cs[0]).is_code(RC::WARN_NO_STLT_CONN_DEFINED), "{cs:x?}");
    assert_eq!(cs[1], 0x013C_0001);

    let r = c.call("LstNode", None).await;
    assert_eq!(r.first().content(), "LstNode");
    let list: MsgLstNode = r.first().body(0).unwrap();
    let names: Vec<_> = list
        .nodes
        .iter()
        .map(|n| (n.name.as_str(), n.r#type.as_str()))
        .collect();
    assert_eq!(names, [("alpha", "SATELLITE"), ("charlie", "AUXILIARY")]);
    let alpha = &list.nodes[0];
    assert_eq!(alpha.connection_status, Some(2));
    assert_eq!(alpha.props, [entry("CurStltConnName", "default")]);
    assert_eq!(
        alpha.net_interfaces[0].stlt_encryption_type.as_deref(),
        Some("PLAIN")
    );
    assert_eq!(alpha.net_interfaces[0].stlt_port, Some(3366));
    assert_eq!(list.nodes[1].net_interfaces[0].stlt_port, None);
}

#[tokio::test]
async fn node_modify_delete_and_interfaces() {
    let (_mock, mut c) = setup().await;
    cluster(&mut c, &["alpha"]).await;
    let m = MsgModNode {
        node_name: "Alpha".into(),
        override_props: vec![entry("Aux/rack", "7")],
        ..Default::default()
    };
    assert_eq!(codes(&c.call("ModNode", Some(&m)).await), [0x023C_0003]);
    let bad = MsgModNode {
        node_name: "alpha".into(),
        override_props: vec![entry("PrefNic", "x")],
        ..Default::default()
    };
    let r = c.call("ModNode", Some(&bad)).await;
    assert_eq!(codes(&r), [0xC000_0000_023C_00D5]);
    assert_eq!(r.replies()[0].message, "Invalid property key");
    assert_eq!(
        r.replies()[0].cause.as_deref(),
        Some("The key 'PrefNic' is not whitelisted.")
    );

    let netif = MsgCrtNetInterface {
        node_name: "alpha".into(),
        net_if: NetInterface {
            name: "eth1".into(),
            address: "10.9.9.9".into(),
            ..Default::default()
        },
    };
    let r = c.call("CrtNetIf", Some(&netif)).await;
    assert_eq!(codes(&r), [0x011C_0001]);
    assert_eq!(
        r.replies()[0].message,
        "New netInterface 'eth1' on node 'alpha' registered."
    );
    assert_eq!(
        RC(codes(&c.call("CrtNetIf", Some(&netif)).await)[0]).code(),
        505
    );
    let modify = MsgModNetInterface {
        node_name: "alpha".into(),
        net_if: NetInterface {
            name: "eth1".into(),
            address: "10.9.9.10".into(),
            stlt_port: Some(3367),
            stlt_encryption_type: Some("SSL".into()),
            ..Default::default()
        },
    };
    assert_eq!(
        codes(&c.call("ModNetIf", Some(&modify)).await),
        [0x021C_0003]
    );
    let bad_type = MsgModNetInterface {
        net_if: NetInterface {
            stlt_encryption_type: Some("Carrier".into()),
            ..modify.net_if.clone()
        },
        ..modify.clone()
    };
    assert_eq!(
        RC(codes(&c.call("ModNetIf", Some(&bad_type)).await)[0]).code(),
        212
    );
    let list: MsgLstNode = c.call("LstNode", None).await.first().body(0).unwrap();
    let eth1 = list.nodes[0]
        .net_interfaces
        .iter()
        .find(|i| i.name == "eth1")
        .unwrap();
    assert_eq!(
        (
            eth1.address.as_str(),
            eth1.stlt_port,
            eth1.stlt_encryption_type.as_deref()
        ),
        ("10.9.9.10", Some(3367), Some("SSL"))
    );
    let del = MsgDelNetInterface {
        node_name: "alpha".into(),
        net_if_name: "nope".into(),
    };
    let r = c.call("DelNetIf", Some(&del)).await;
    assert_eq!(
        r.replies()[0].message,
        "Deletion of netInterface 'nope' on node 'alpha' had no effect."
    );
    assert!(RC(codes(&r)[0]).is_warning());

    let r = c
        .call(
            "DelNode",
            Some(&MsgDelNode {
                node_name: "zulu".into(),
                ..Default::default()
            }),
        )
        .await;
    assert_eq!(codes(&r), [0x8000_0000_033C_0BB8]);
    assert!(r.replies()[0].error_report_ids.is_empty());
    let r = c
        .call(
            "DelNode",
            Some(&MsgDelNode {
                node_name: "alpha".into(),
                ..Default::default()
            }),
        )
        .await;
    assert_eq!(codes(&r), [0x033C_0002]);
    assert_eq!(r.replies()[0].message, "Node 'alpha' deleted.");
    let list: MsgLstNode = c.call("LstNode", None).await.first().body(0).unwrap();
    assert!(list.nodes.is_empty());
}

#[tokio::test]
async fn fresh_controller_and_storage_pools() {
    let (_mock, mut c) = setup().await;
    let dfns: MsgLstStorPoolDfn = c
        .call("LstStorPoolDfn", None)
        .await
        .first()
        .body(0)
        .unwrap();
    let names: Vec<_> = dfns
        .stor_pool_dfns
        .iter()
        .map(|d| d.stor_pool_name.as_str())
        .collect();
    assert_eq!(names, ["DfltStorPool"]);
    assert_eq!(
        dfns.stor_pool_dfns[0].uuid.as_deref(),
        Some("f51611c6-528f-4793-a87a-866d09e6733a")
    );
    let cfg: MsgLstCtrlCfgProps = c.call("LstCfgVal", None).await.first().body(0).unwrap();
    assert_eq!(cfg.props.len(), 27);
    assert!(
        cfg.props
            .contains(&entry("netcom/PlainConnector/port", "3376"))
    );

    cluster(&mut c, &["alpha", "bravo"]).await;
    let r = c.call("LstStorPool", Some(&Filter::default())).await;
    assert_eq!(r.immediate.len(), 2, "list then an empty Reply");
    assert_eq!(r.immediate[1].content(), "Reply");
    let pools: MsgLstStorPool = r.first().body(0).unwrap();
    assert_eq!(pools.stor_pools.len(), 2, "DfltDisklessStorPool is hidden");
    let p = &pools.stor_pools[0];
    assert_eq!(
        (p.node_name.as_str(), p.driver.as_str()),
        ("alpha", "LvmThinDriver")
    );
    let free = p.free_space.as_ref().unwrap();
    assert_eq!(
        (free.free_capacity, free.total_capacity),
        (1 << 30, 1 << 30)
    );
    assert!(p.static_traits.contains(&entry("Provisioning", "Thin")));
    let filter = Filter {
        node_names: vec!["BRAVO".into()],
        ..Default::default()
    };
    let pools: MsgLstStorPool = c
        .call("LstStorPool", Some(&filter))
        .await
        .first()
        .body(0)
        .unwrap();
    assert_eq!(pools.stor_pools.len(), 1);
    let bad = Filter {
        node_names: vec!["-x".into()],
        ..Default::default()
    };
    assert_eq!(
        RC(codes(&c.call("LstStorPool", Some(&bad)).await)[0]).code(),
        200
    );

    let del = MsgDelStorPool {
        node_name: "alpha".into(),
        stor_pool_name: "DfltDisklessStorPool".into(),
        ..Default::default()
    };
    let r = c.call("DelStorPool", Some(&del)).await;
    assert_eq!(
        r.replies()[0].message,
        "The default diskless storage pool cannot be deleted!"
    );
    let dup = MsgCrtStorPoolDfn {
        stor_pool_dfn: StorPoolDfn {
            stor_pool_name: "DfltDisklessStorPool".into(),
            ..Default::default()
        },
    };
    assert_eq!(
        RC(codes(&c.call("CrtStorPoolDfn", Some(&dup)).await)[0]).code(),
        509
    );
    let in_use = MsgDelStorPoolDfn {
        stor_pool_name: "drbdpool".into(),
        ..Default::default()
    };
    let r = c.call("DelStorPoolDfn", Some(&in_use)).await;
    assert_eq!(
        r.replies()[0].message,
        "Storage pool definition 'drbdpool' has still storage pools on node(s): 'alpha', 'bravo'."
    );

    let q = MsgQryMaxVlmSizes {
        select_filter: AutoSelectFilter {
            place_count: 2,
            ..Default::default()
        },
    };
    let r = c.call("QryMaxVlmSize", Some(&q)).await;
    let sizes: MsgRspMaxVlmSizes = r.first().body(0).unwrap();
    assert_eq!(sizes.candidates.len(), 1);
    assert_eq!(
        sizes.candidates[0].max_vlm_size, 21_474_836_480,
        "thin: 1 TiB x 20"
    );
    assert_eq!(sizes.candidates[0].all_thin, Some(true));
}

#[tokio::test]
async fn resources_volumes_and_their_answers() {
    let (_mock, mut c) = setup().await;
    cluster(&mut c, &["alpha", "bravo", "charlie"]).await;
    let rd = MsgCrtRscDfn {
        rsc_dfn: RscDfn {
            rsc_name: "rsc1".into(),
            ..Default::default()
        },
    };
    let r = c.call("CrtRscDfn", Some(&rd)).await;
    assert_eq!(codes(&r), [0x0138_0001]);
    let vd = MsgCrtVlmDfn {
        rsc_name: "rsc1".into(),
        vlm_dfns: vec![VlmDfn {
            vlm_size: 1 << 20,
            vlm_props: vec![entry("StorPoolName", "drbdpool")],
            ..Default::default()
        }],
        ..Default::default()
    };
    let r = c.call("CrtVlmDfn", Some(&vd)).await;
    assert_eq!(codes(&r), [0x0130_0001]);
    assert!(r.replies()[0].obj_refs.contains(&entry("MinorNr", "1000")));
    let dfns: MsgLstRscDfn = c.call("LstRscDfn", None).await.first().body(0).unwrap();
    let d = &dfns.rsc_dfns[0];
    assert_eq!(
        (
            d.rsc_dfn_port,
            d.vlm_dfns[0].vlm_minor,
            d.vlm_dfns[0].vlm_nr
        ),
        (Some(7000), Some(1000), Some(0))
    );
    assert_eq!(d.rsc_dfn_secret.as_ref().map(String::len), Some(20));

    let rsc = |node: &str, flags: &[&str]| Rsc {
        name: "rsc1".into(),
        node_name: node.into(),
        rsc_flags: flags.iter().map(|f| (*f).to_owned()).collect(),
        ..Default::default()
    };
    let crt = MsgCrtRsc {
        rscs: vec![rsc("alpha", &[]), rsc("bravo", &[])],
    };
    let r = c.call("CrtRsc", Some(&crt)).await;
    let cs = codes(&r);
    assert_eq!(
        cs[..4],
        [0x0134_0001, 0x012C_0001, 0x0134_0001, 0x012C_0001],
        "registered, volume, registered, volume"
    );
    assert_eq!(
        r.replies()[0].message,
        "New resource 'rsc1' on node 'alpha' registered."
    );
    assert_eq!(
        r.replies()[1].message,
        "Volume with number '0' on resource 'rsc1' on node 'alpha' successfully registered"
    );
    let deferred = r.deferred_messages();
    assert_eq!(
        deferred,
        [
            "Created resource 'rsc1' on 'alpha'",
            "Created resource 'rsc1' on 'bravo'",
            "Resource 'rsc1' on 'alpha' ready",
            "Resource 'rsc1' on 'bravo' ready"
        ]
    );
    let again = c
        .call(
            "CrtRsc",
            Some(&MsgCrtRsc {
                rscs: vec![rsc("ALPHA", &[])],
            }),
        )
        .await;
    assert_eq!(codes(&again), [0xC000_0000_0134_01F6]);

    let r = c
        .call(
            "CrtRsc",
            Some(&MsgCrtRsc {
                rscs: vec![rsc("charlie", &["DISKLESS"])],
            }),
        )
        .await;
    let deferred = r.deferred_messages();
    assert_eq!(
        deferred[0],
        "Added peer(s) 'charlie' to resource 'rsc1' on 'alpha'"
    );

    let list: MsgLstRsc = c
        .call("LstRsc", Some(&Filter::default()))
        .await
        .first()
        .body(0)
        .unwrap();
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

    let by_node = Filter {
        node_names: vec!["Bravo".into()],
        resource_names: vec!["RSC1".into()],
        ..Default::default()
    };
    let list: MsgLstRsc = c
        .call("LstRsc", Some(&by_node))
        .await
        .first()
        .body(0)
        .unwrap();
    assert_eq!(list.resources.len(), 1);
    let invalid_matches_nothing = Filter {
        node_names: vec!["-x".into()],
        ..Default::default()
    };
    let list: MsgLstRsc = c
        .call("LstRsc", Some(&invalid_matches_nothing))
        .await
        .first()
        .body(0)
        .unwrap();
    assert!(list.resources.is_empty());
    let r = c.call("LstVlm", Some(&invalid_matches_nothing)).await;
    assert_eq!(r.first().content(), "Reply", "LstVlm validates its filter");

    // Volume definitions may only grow once deployed.
    let shrink = MsgModVlmDfn {
        rsc_name: "rsc1".into(),
        vlm_nr: 0,
        vlm_size: Some(1024),
        ..Default::default()
    };
    let r = c.call("ModVlmDfn", Some(&shrink)).await;
    assert_eq!(
        r.replies()[0].message,
        "Deployed volumes can only grow in size, not shrink."
    );

    // Deleting: a missing parent is an error naming it, a missing leaf a warning; refusal
    // for the last disk.
    let del = |node: &str| MsgDelRsc {
        node_name: node.into(),
        rsc_name: "rsc1".into(),
        ..Default::default()
    };
    let r = c.call("DelRsc", Some(&del("delta"))).await;
    assert_eq!(codes(&r), [0xC000_0000_0334_012C]);
    assert_eq!(r.replies()[0].message, "Node 'delta' not found.");
    let r = c
        .call(
            "DelRsc",
            Some(&MsgDelRsc {
                node_name: "alpha".into(),
                rsc_name: "nosuchrsc".into(),
                ..Default::default()
            }),
        )
        .await;
    assert_eq!(codes(&r), [0xC000_0000_0334_012D], "{:?}", r.replies());
    assert_eq!(
        codes(&c.call("DelRsc", Some(&del("alpha"))).await)[0],
        0x0334_0002
    );
    let r = c.call("DelRsc", Some(&del("alpha"))).await;
    assert_eq!(codes(&r), [0x8000_0000_0334_0BB8]);
    assert_eq!(
        r.replies()[0].message,
        "Node: alpha, Resource: rsc1 not found."
    );
    let r = c.call("DelRsc", Some(&del("bravo"))).await;
    assert_eq!(
        r.replies()[0].message,
        "Last resource of 'rsc1' with disk still has diskless resources attached."
    );
    let r = c
        .call(
            "DelRscDfn",
            Some(&MsgDelRscDfn {
                rsc_name: "rsc1".into(),
                ..Default::default()
            }),
        )
        .await;
    assert_eq!(
        r.replies()[0].message,
        "Resource definition 'rsc1' marked for deletion."
    );
    assert_eq!(
        r.replies().last().unwrap().message,
        "Resource definition 'rsc1' deleted."
    );
    let r = c
        .call(
            "DelRscDfn",
            Some(&MsgDelRscDfn {
                rsc_name: "rsc1".into(),
                ..Default::default()
            }),
        )
        .await;
    assert_eq!(codes(&r), [0x8000_0000_0338_0BB8]);
}

#[tokio::test]
async fn auto_place_toggle_disk_and_snapshots() {
    let (_mock, mut c) = setup().await;
    cluster(&mut c, &["alpha", "bravo", "charlie"]).await;
    let rd = MsgCrtRscDfn {
        rsc_dfn: RscDfn {
            rsc_name: "web".into(),
            ..Default::default()
        },
    };
    c.call("CrtRscDfn", Some(&rd)).await;
    let ap = MsgAutoPlaceRsc {
        rsc_name: "web".into(),
        select_filter: AutoSelectFilter {
            place_count: 2,
            ..Default::default()
        },
        diskless_on_remaining: Some(true),
    };
    let r = c.call("AutoPlaceRsc", Some(&ap)).await;
    assert_eq!(codes(&r)[0], 0x0134_0001);
    assert_eq!(
        r.replies()[0].message,
        "Resource 'web' successfully autoplaced on 2 nodes"
    );
    let vd = MsgCrtVlmDfn {
        rsc_name: "web".into(),
        vlm_dfns: vec![VlmDfn {
            vlm_size: 4096,
            ..Default::default()
        }],
        ..Default::default()
    };
    assert_eq!(codes(&c.call("CrtVlmDfn", Some(&vd)).await), [0x0130_0001]);
    let list: MsgLstRsc = c
        .call("LstRsc", Some(&Filter::default()))
        .await
        .first()
        .body(0)
        .unwrap();
    assert_eq!(
        list.resources.len(),
        3,
        "two diskful, one diskless on the remaining satellite"
    );
    assert!(
        list.resources.iter().all(|r| r.vlms.len() == 1),
        "the later volume definition reaches every placed node"
    );
    let diskless: Vec<_> = list
        .resources
        .iter()
        .filter(|r| r.rsc_flags.contains(&"DISKLESS".to_owned()))
        .collect();
    assert_eq!(diskless.len(), 1);
    let again = MsgAutoPlaceRsc {
        diskless_on_remaining: Some(false),
        ..ap.clone()
    };
    let r = c
        .call(
            "AutoPlaceRsc",
            Some(&MsgAutoPlaceRsc {
                select_filter: AutoSelectFilter {
                    place_count: 3,
                    ..Default::default()
                },
                ..again
            }),
        )
        .await;
    assert!(RC(codes(&r)[0]).is_warning(), "already deployed on 3 nodes");
    let too_many = MsgAutoPlaceRsc {
        rsc_name: "web".into(),
        select_filter: AutoSelectFilter {
            place_count: 9,
            ..Default::default()
        },
        diskless_on_remaining: Some(false),
    };
    assert_eq!(
        RC(codes(&c.call("AutoPlaceRsc", Some(&too_many)).await)[0]).code(),
        996
    );

    let node = diskless[0].node_name.clone();
    let toggle = MsgToggleDisk {
        node_name: node.clone(),
        rsc_name: "web".into(),
        diskless: Some(false),
        stor_pool_name: Some("drbdpool".into()),
        ..Default::default()
    };
    let r = c.call("ToggleDisk", Some(&toggle)).await;
    assert_eq!(
        r.replies()[0].message,
        format!("Addition of disk to resource 'web' on node '{node}' registered")
    );
    let r = c.call("ToggleDisk", Some(&toggle)).await;
    assert!(RC(codes(&r)[0]).is_code(RC::WARN_RSC_ALREADY_HAS_DISK));

    let snap = MsgCrtSnapshot {
        snapshot_dfn: SnapshotDfn {
            rsc_name: "web".into(),
            snapshot_name: "s1".into(),
            ..Default::default()
        },
    };
    assert_eq!(
        codes(&c.call("CrtSnapshot", Some(&snap)).await)[0],
        0x010C_0001
    );
    assert_eq!(
        RC(codes(&c.call("CrtSnapshot", Some(&snap)).await)[0]).code(),
        514
    );
    let list: MsgLstSnapshotDfn = c
        .call("LstSnapshotDfn", None)
        .await
        .first()
        .body(0)
        .unwrap();
    assert_eq!(list.snapshot_dfns[0].snapshots.len(), 3);
    assert_eq!(list.snapshot_dfns[0].snapshot_dfn_flags, ["SUCCESSFUL"]);
    let rd2 = MsgCrtRscDfn {
        rsc_dfn: RscDfn {
            rsc_name: "web2".into(),
            ..Default::default()
        },
    };
    c.call("CrtRscDfn", Some(&rd2)).await;
    let rv = MsgRestoreSnapshotVlmDfn {
        from_resource_name: "web".into(),
        from_snapshot_name: "s1".into(),
        to_resource_name: "web2".into(),
    };
    assert_eq!(
        codes(&c.call("RestoreVlmDfn", Some(&rv)).await),
        [0x010C_0002]
    );
    let rr = MsgRestoreSnapshotRsc {
        from_resource_name: "web".into(),
        from_snapshot_name: "s1".into(),
        to_resource_name: "web2".into(),
        nodes: vec![],
    };
    assert_eq!(
        codes(&c.call("RestoreSnapshot", Some(&rr)).await),
        [0x010C_0001]
    );
    let list: MsgLstRsc = c
        .call(
            "LstRsc",
            Some(&Filter {
                resource_names: vec!["web2".into()],
                ..Default::default()
            }),
        )
        .await
        .first()
        .body(0)
        .unwrap();
    assert_eq!(list.resources.len(), 3);
    let rb = MsgRollbackSnapshot {
        rsc_name: "web".into(),
        snapshot_name: "s1".into(),
        ..Default::default()
    };
    assert_eq!(
        codes(&c.call("RollbackSnapshot", Some(&rb)).await)[0],
        0x020C_0003
    );
    let ds = MsgDelSnapshot {
        rsc_name: "web".into(),
        snapshot_name: "s1".into(),
        ..Default::default()
    };
    assert_eq!(
        codes(&c.call("DelSnapshot", Some(&ds)).await)[0],
        0x030C_0002
    );
}

#[tokio::test]
async fn controller_properties_kvs_and_crypt() {
    let (_mock, mut c) = setup().await;
    let set = |k: &str, v: &str| MsgSetCtrlCfgProp {
        key: k.into(),
        value: v.into(),
        namespace: None,
    };
    let r = c.call("SetCfgVal", Some(&set("Nope", "1"))).await;
    assert_eq!(codes(&r), [0xC000_0000_0110_00D5]);
    assert_eq!(r.replies()[0].message, "The key 'Nope' is not whitelisted");
    let r = c
        .call("SetCfgVal", Some(&set("TcpPortAutoRange", "0-10")))
        .await;
    assert_eq!(
        codes(&r),
        [RC::FAIL_INVLD_TCP_PORT.0, 0x0110_0001],
        "error entry, then success (quirk)"
    );
    let r = c
        .call("SetCfgVal", Some(&set("TcpPortAutoRange", "9000-9100")))
        .await;
    assert_eq!(codes(&r), [3, 0x0110_0001]);
    let r = c
        .call(
            "SetCfgVal",
            Some(&MsgSetCtrlCfgProp {
                key: "allow-two-primaries".into(),
                value: "YES".into(),
                namespace: Some("DrbdOptions/Net".into()),
            }),
        )
        .await;
    assert_eq!(
        r.replies()[0].message,
        "Successfully set property 'DrbdOptions/Net/allow-two-primaries' to value 'yes'"
    );
    let rd = MsgCrtRscDfn {
        rsc_dfn: RscDfn {
            rsc_name: "r1".into(),
            ..Default::default()
        },
    };
    c.call("CrtRscDfn", Some(&rd)).await;
    let dfns: MsgLstRscDfn = c.call("LstRscDfn", None).await.first().body(0).unwrap();
    assert_eq!(
        dfns.rsc_dfns[0].rsc_dfn_port,
        Some(9000),
        "allocation uses the new range"
    );
    assert_eq!(
        codes(
            &c.call(
                "DelCfgVal",
                Some(&MsgDelCtrlCfgProp {
                    key: "absent".into(),
                    namespace: None
                })
            )
            .await
        ),
        [0x0310_0002]
    );

    let kv = MsgModKvsProps {
        instance_name: "store".into(),
        override_props: vec![entry("/foo/bar/key", "val")],
        delete_prop_keys: vec!["nope".into()],
    };
    assert_eq!(
        codes(&c.call("ModifyKvsProps", Some(&kv)).await),
        [0x0210_0003]
    );
    let list: MsgRspKvsProps = c
        .call(
            "LstKvsProps",
            Some(&MsgLstKvsProps {
                instance_name: "STORE".into(),
            }),
        )
        .await
        .first()
        .body(0)
        .unwrap();
    assert_eq!(list.props, [entry("foo/bar/key", "val")]);
    let bad = MsgModKvsProps {
        instance_name: "1x".into(),
        ..Default::default()
    };
    assert_eq!(
        codes(&c.call("ModifyKvsProps", Some(&bad)).await),
        [0xC000_0000_0000_00DF]
    );

    let wrong = MsgEnterCryptPassphrase {
        passphrase: "x".into(),
    };
    assert!(RC(codes(&c.call("EnterCryptPass", Some(&wrong)).await)[0]).is_error());
    assert_eq!(
        codes(
            &c.call(
                "CrtCryptPass",
                Some(&MsgCrtCryptPassphrase {
                    passphrase: "pw".into()
                })
            )
            .await
        ),
        [0x0110_0001]
    );
    assert_eq!(
        codes(
            &c.call(
                "EnterCryptPass",
                Some(&MsgEnterCryptPassphrase {
                    passphrase: "pw".into()
                })
            )
            .await
        ),
        [0x0010_0004]
    );

    let r = c
        .call(
            "ControlCtrl",
            Some(&MsgControlCtrl {
                command: Some("Shutdown".into()),
            }),
        )
        .await;
    assert_eq!(
        (codes(&r), r.replies()[0].message.as_str()),
        (vec![0], "Controller will shutdown now.")
    );
    let r = c
        .call(
            "ControlCtrl",
            Some(&MsgControlCtrl {
                command: Some("Dance".into()),
            }),
        )
        .await;
    assert_eq!(codes(&r), [RC::UNKNOWN_API_CALL.0]);
    assert_eq!(
        c.call("Ping", None).await.first().content(),
        "Pong",
        "still serving after Shutdown"
    );
}

#[tokio::test]
async fn resource_connections_and_drbd_proxy() {
    let (_mock, mut c) = setup().await;
    cluster(&mut c, &["alpha", "bravo"]).await;
    c.call(
        "CrtRscDfn",
        Some(&MsgCrtRscDfn {
            rsc_dfn: RscDfn {
                rsc_name: "rsc1".into(),
                ..Default::default()
            },
        }),
    )
    .await;
    let rscs = ["alpha", "bravo"].map(|n| Rsc {
        name: "rsc1".into(),
        node_name: n.into(),
        ..Default::default()
    });
    c.call(
        "CrtRsc",
        Some(&MsgCrtRsc {
            rscs: rscs.to_vec(),
        }),
    )
    .await;
    let conn = MsgModRscConn {
        node_1_name: "alpha".into(),
        node_2_name: "bravo".into(),
        rsc_name: "rsc1".into(),
        override_props: vec![entry("DrbdOptions/Net/protocol", "C")],
        ..Default::default()
    };
    assert_eq!(
        codes(&c.call("ModRscConn", Some(&conn)).await),
        [0x0224_0003]
    );
    let bad = MsgModRscConn {
        override_props: vec![entry("StorPoolName", "x")],
        ..conn.clone()
    };
    assert_eq!(
        codes(&c.call("ModRscConn", Some(&bad)).await),
        [0xC000_0000_0224_00D5]
    );
    let list: MsgLstRscConn = c
        .call(
            "ReqRscConnList",
            Some(&MsgReqRscConn {
                rsc_name: "rsc1".into(),
            }),
        )
        .await
        .first()
        .body(0)
        .unwrap();
    assert_eq!(list.rsc_connections.len(), 1);
    assert_eq!(
        list.rsc_connections[0].rsc_conn_props,
        [entry("DrbdOptions/Net/protocol", "C")]
    );
    let enable = MsgEnableDrbdProxy {
        node_1_name: "bravo".into(),
        node_2_name: "alpha".into(),
        rsc_name: "rsc1".into(),
        ..Default::default()
    };
    let r = c.call("EnableDrbdProxy", Some(&enable)).await;
    assert!(RC(codes(&r)[0]).is_success());
    let list: MsgLstRscConn = c
        .call(
            "ReqRscConnList",
            Some(&MsgReqRscConn {
                rsc_name: "rsc1".into(),
            }),
        )
        .await
        .first()
        .body(0)
        .unwrap();
    assert_eq!(list.rsc_connections[0].rsc_conn_flags, ["LOCAL_DRBD_PROXY"]);
    assert_eq!(
        list.rsc_connections[0].port,
        Some(7001),
        "the next free port after the definition's 7000"
    );
    let disable = MsgDisableDrbdProxy {
        node_1_name: "alpha".into(),
        node_2_name: "bravo".into(),
        rsc_name: "rsc1".into(),
        ..Default::default()
    };
    assert!(RC(codes(&c.call("DisableDrbdProxy", Some(&disable)).await)[0]).is_success());
    let list: MsgLstRscConn = c
        .call(
            "ReqRscConnList",
            Some(&MsgReqRscConn {
                rsc_name: "rsc1".into(),
            }),
        )
        .await
        .first()
        .body(0)
        .unwrap();
    assert!(
        list.rsc_connections[0].rsc_conn_flags.is_empty() && list.rsc_connections[0].port.is_none()
    );
    let proxy = MsgModDrbdProxy {
        rsc_name: "rsc1".into(),
        override_props: vec![entry("DrbdOptions/Proxy/memlimit", "134217728")],
        compression_type: Some("zlib".into()),
        compression_props: vec![entry("DrbdOptions/ProxyCompression/level", "9")],
        ..Default::default()
    };
    assert_eq!(
        codes(&c.call("ModifyDrbdProxy", Some(&proxy)).await),
        [0x0238_0003]
    );
    let dfns: MsgLstRscDfn = c.call("LstRscDfn", None).await.first().body(0).unwrap();
    assert!(
        dfns.rsc_dfns[0]
            .rsc_dfn_props
            .contains(&entry("DrbdProxy/CompressionType", "zlib"))
    );
}
