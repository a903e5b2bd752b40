//! Golden encoding tests of the client: for every frame the real Python client sent, the
//! same call with the same arguments (`index.json`) and the same api_call_id gives the
//! identical bytes.

use linstor_client::encode_request;
use linstor_client::requests::*;
use linstor_proto::Request;
use linstor_proto::messages::*;
use linstor_tests::{load_hex, load_index};
use serde_json::Value;

fn s(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v}"))
        .to_owned()
}

fn opt_s(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(s).collect())
        .unwrap_or_default()
}

fn props(v: &Value) -> Props {
    v.as_object()
        .map(|o| o.iter().map(|(k, v)| (k.clone(), s(v))).collect())
        .unwrap_or_default()
}

fn int(v: &Value) -> Option<i64> {
    v.as_i64()
}

/// Unix milliseconds of a naive `YYYY-MM-DDTHH:MM:SS` taken as UTC (the capture's zone).
fn utc_ms(v: &Value) -> Option<u64> {
    let t = v.as_str()?;
    let n = |r: std::ops::Range<usize>| t[r].parse::<i64>().expect("digits");
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    let secs = days * 86_400 + n(11..13) * 3600 + n(14..16) * 60 + n(17..19);
    u64::try_from(secs * 1000).ok()
}

fn object(v: &Value) -> ObjectIdentifier {
    let o = &v["ObjectIdentifier"];
    ObjectIdentifier {
        node_name: opt_s(&o["node_name"]),
        resource_name: opt_s(&o["resource_name"]),
        volume_number: int(&o["volume_number"]).map(|n| n as i32),
        snapshot_name: opt_s(&o["snapshot_name"]),
    }
}

fn placement(a: &Value, pool_key: &str) -> PlacementFilter {
    PlacementFilter {
        place_count: a["place_count"].as_u64().expect("place_count") as u32,
        storage_pool: opt_s(&a[pool_key]),
        do_not_place_with: strings(&a["do_not_place_with"]),
        do_not_place_with_regex: opt_s(&a["do_not_place_with_regex"]),
        replicas_on_same: strings(&a["replicas_on_same"]),
        replicas_on_different: strings(&a["replicas_on_different"]),
    }
}

/// The frame the client sends for vector `v`.
fn frame_for(v: &Value) -> bytes::Bytes {
    let a = &v["args"];
    let id = v["api_call_id"].as_i64().expect("id");
    let part = v["frame_of_call"].as_str().unwrap_or("1/1");
    let enc = |r: &dyn Fn(i64) -> Result<bytes::Bytes, linstor_client::ClientError>| {
        r(id).expect("request builds")
    };
    macro_rules! req {
        ($e:expr) => {
            enc(&|id| encode_request(id, &$e))
        };
    }
    let method = v["method"].as_str().expect("method");
    match method {
        "node_create" => {
            let mut n = NodeCreate::new(s(&a["node_name"]), s(&a["node_type"]), s(&a["ip"]));
            if let Some(c) = opt_s(&a["com_type"]) {
                n.com_type = c;
            }
            n.port = int(&a["port"]).map(|p| p as i32);
            if let Some(i) = opt_s(&a["netif_name"]) {
                n.netif_name = i;
            }
            req!(n)
        }
        "node_create_swordfish_target" => req!(NodeCreateSwordfishTarget {
            node_name: s(&a["node_name"]),
            storage_service: s(&a["storage_service"])
        }),
        "node_modify" => req!(NodeModify {
            node_name: s(&a["node_name"]),
            node_type: opt_s(&a["node_type"]),
            property_dict: props(&a["property_dict"]),
            delete_props: strings(&a["delete_props"]),
        }),
        "node_delete" => req!(Request::DelNode(MsgDelNode {
            node_name: s(&a["node_name"]),
            ..Default::default()
        })),
        "node_lost" => req!(Request::LostNode(MsgDelNode {
            node_name: s(&a["node_name"]),
            ..Default::default()
        })),
        "node_reconnect" => req!(Request::NodeReconnect(MsgNodeReconnect {
            nodes: strings(&a["node_names"])
        })),
        "netinterface_create" | "netinterface_modify" => {
            let args = NetInterfaceArgs {
                node_name: s(&a["node_name"]),
                interface_name: s(&a["interface_name"]),
                ip: s(&a["ip"]),
                port: int(&a["port"]).map(|p| p as i32),
                com_type: opt_s(&a["com_type"]),
            };
            if method == "netinterface_create" {
                req!(NetInterfaceCreate(args.clone()))
            } else {
                req!(NetInterfaceModify(args.clone()))
            }
        }
        "netinterface_delete" => req!(Request::DelNetIf(MsgDelNetInterface {
            node_name: s(&a["node_name"]),
            net_if_name: s(&a["interface_name"])
        })),
        "node_list" | "node_list_raise" => req!(Request::LstNode),
        "storage_pool_dfn_create" => req!(StoragePoolDfnCreate {
            name: s(&a["name"])
        }),
        "storage_pool_dfn_modify" => req!(StoragePoolDfnModify {
            name: s(&a["name"]),
            property_dict: props(&a["property_dict"]),
            delete_props: strings(&a["delete_props"]),
        }),
        "storage_pool_dfn_delete" => req!(Request::DelStorPoolDfn(MsgDelStorPoolDfn {
            stor_pool_name: s(&a["name"]),
            ..Default::default()
        })),
        "storage_pool_dfn_list" => req!(Request::LstStorPoolDfn),
        "storage_pool_dfn_max_vlm_sizes" => req!(MaxVolumeSizes {
            filter: placement(a, "storage_pool_name")
        }),
        "storage_pool_create" => req!(StoragePoolCreate {
            node_name: s(&a["node_name"]),
            storage_pool_name: s(&a["storage_pool_name"]),
            storage_driver: s(&a["storage_driver"]),
            driver_pool_name: opt_s(&a["driver_pool_name"]),
            shared_space: opt_s(&a["shared_space"]),
            property_dict: props(&a["property_dict"]),
        }),
        "storage_pool_modify" => req!(StoragePoolModify {
            node_name: s(&a["node_name"]),
            storage_pool_name: s(&a["storage_pool_name"]),
            property_dict: props(&a["property_dict"]),
            delete_props: strings(&a["delete_props"]),
        }),
        "storage_pool_delete" => req!(Request::DelStorPool(MsgDelStorPool {
            node_name: s(&a["node_name"]),
            stor_pool_name: s(&a["storage_pool_name"]),
            ..Default::default()
        })),
        "storage_pool_list" | "storage_pool_list_raise" => req!(Request::LstStorPool(Some(
            ListFilter {
                nodes: strings(&a["filter_by_nodes"]),
                stor_pools: strings(&a["filter_by_stor_pools"]),
                ..Default::default()
            }
            .wire()
        ))),
        "resource_dfn_create" => req!(ResourceDfnCreate {
            name: s(&a["name"]),
            port: int(&a["port"]).map(|p| p as i32)
        }),
        "resource_dfn_modify" => req!(ResourceDfnModify {
            name: s(&a["name"]),
            property_dict: props(&a["property_dict"]),
            delete_props: strings(&a["delete_props"]),
        }),
        "resource_dfn_delete" => req!(Request::DelRscDfn(MsgDelRscDfn {
            rsc_name: s(&a["name"]),
            ..Default::default()
        })),
        "resource_dfn_list" | "resource_dfn_props_list" | "_volume_dfn_size" => {
            req!(Request::LstRscDfn)
        }
        "volume_dfn_create" => req!(VolumeDfnCreate {
            rsc_name: s(&a["rsc_name"]),
            size: int(&a["size"]).expect("size"),
            volume_nr: int(&a["volume_nr"]).map(|n| n as i32),
            minor_nr: int(&a["minor_nr"]).map(|n| n as i32),
            encrypt: a["encrypt"].as_bool().unwrap_or(false),
            storage_pool: opt_s(&a["storage_pool"]),
        }),
        "volume_dfn_modify" => req!(VolumeDfnModify {
            rsc_name: s(&a["rsc_name"]),
            volume_nr: int(&a["volume_nr"]).expect("volume_nr") as i32,
            set_properties: props(&a["set_properties"]),
            delete_properties: strings(&a["delete_properties"]),
            size: int(&a["size"]),
        }),
        "volume_dfn_delete" => req!(Request::DelVlmDfn(MsgDelVlmDfn {
            rsc_name: s(&a["rsc_name"]),
            vlm_nr: int(&a["volume_nr"]).expect("nr") as i32,
            ..Default::default()
        })),
        "resource_create" => req!(ResourceCreate {
            rscs: a["rscs"]
                .as_array()
                .expect("rscs")
                .iter()
                .map(|r| {
                    let r = &r["ResourceData"];
                    ResourceData {
                        node_name: s(&r["node_name"]),
                        rsc_name: s(&r["rsc_name"]),
                        diskless: r["diskless"].as_bool().unwrap_or(false),
                        storage_pool: opt_s(&r["storage_pool"]),
                        node_id: int(&r["node_id"]).map(|n| n as i32),
                    }
                })
                .collect(),
        }),
        "resource_auto_place" => req!(ResourceAutoPlace {
            rsc_name: s(&a["rsc_name"]),
            filter: placement(a, "storage_pool"),
            diskless_on_remaining: a["diskless_on_remaining"].as_bool().unwrap_or(false),
        }),
        "resource_create_and_auto_place" => match part {
            "1/3" => req!(ResourceDfnCreate {
                name: s(&a["rsc_name"]),
                port: None
            }),
            "2/3" => req!(VolumeDfnCreate {
                rsc_name: s(&a["rsc_name"]),
                size: int(&a["size"]).expect("size"),
                storage_pool: opt_s(&a["storage_pool"]),
                ..Default::default()
            }),
            _ => req!(ResourceAutoPlace {
                rsc_name: s(&a["rsc_name"]),
                filter: placement(a, "storage_pool"),
                diskless_on_remaining: a["diskless_on_remaining"].as_bool().unwrap_or(false),
            }),
        },
        "resource_modify" => req!(ResourceModify {
            node_name: s(&a["node_name"]),
            rsc_name: s(&a["rsc_name"]),
            property_dict: props(&a["property_dict"]),
            delete_props: strings(&a["delete_props"]),
        }),
        "resource_delete" => req!(Request::DelRsc(MsgDelRsc {
            node_name: s(&a["node_name"]),
            rsc_name: s(&a["rsc_name"]),
            ..Default::default()
        })),
        "resource_delete_if_diskless" => match part {
            "1/2" => req!(Request::LstRsc(Some(
                ListFilter {
                    nodes: vec![s(&a["node_name"])],
                    resources: vec![s(&a["rsc_name"])],
                    ..Default::default()
                }
                .wire()
            ))),
            _ => req!(Request::DelRsc(MsgDelRsc {
                node_name: s(&a["node_name"]),
                rsc_name: s(&a["rsc_name"]),
                ..Default::default()
            })),
        },
        "resource_list" => req!(Request::LstRsc(Some(
            ListFilter {
                nodes: strings(&a["filter_by_nodes"]),
                resources: strings(&a["filter_by_resources"]),
                ..Default::default()
            }
            .wire()
        ))),
        "volume_list" => req!(Request::LstVlm(Some(
            ListFilter {
                nodes: strings(&a["filter_by_nodes"]),
                stor_pools: strings(&a["filter_by_stor_pools"]),
                resources: strings(&a["filter_by_resources"]),
            }
            .wire()
        ))),
        "resource_toggle_disk" => req!(Request::ToggleDisk(MsgToggleDisk {
            node_name: s(&a["node_name"]),
            rsc_name: s(&a["rsc_name"]),
            stor_pool_name: opt_s(&a["storage_pool"]),
            diskless: Some(a["diskless"].as_bool().unwrap_or(false)),
            migrate_from: opt_s(&a["migrate_from"]),
            ..Default::default()
        })),
        "controller_props" => req!(Request::LstCfgVal),
        "controller_set_prop" => req!(ControllerSetProp {
            key: s(&a["key"]),
            value: s(&a["value"])
        }),
        "controller_del_prop" => req!(ControllerDelProp { key: s(&a["key"]) }),
        "controller_shutdown" => req!(ControllerShutdown),
        "crypt_create_passphrase" => req!(Request::CrtCryptPass(MsgCrtCryptPassphrase {
            passphrase: s(&a["passphrase"])
        })),
        "crypt_enter_passphrase" => req!(Request::EnterCryptPass(MsgEnterCryptPassphrase {
            passphrase: s(&a["passphrase"])
        })),
        "crypt_modify_passphrase" => {
            req!(Request::ModCryptPass(MsgModCryptPassphrase {
                old_passphrase: s(&a["old_passphrase"]),
                new_passphrase: s(&a["new_passphrase"])
            }))
        }
        "resource_conn_modify" => req!(ResourceConnModify {
            rsc_name: s(&a["rsc_name"]),
            node_a: s(&a["node_a"]),
            node_b: s(&a["node_b"]),
            property_dict: props(&a["property_dict"]),
            delete_props: strings(&a["delete_props"]),
        }),
        "resource_conn_list" => req!(Request::ReqRscConnList(MsgReqRscConn {
            rsc_name: s(&a["rsc_name"])
        })),
        "drbd_proxy_enable" => req!(Request::EnableDrbdProxy(MsgEnableDrbdProxy {
            rsc_name: s(&a["rsc_name"]),
            node_1_name: s(&a["node_a"]),
            node_2_name: s(&a["node_b"]),
            port: int(&a["port"]).map(|p| p as i32),
            ..Default::default()
        })),
        "drbd_proxy_disable" => req!(Request::DisableDrbdProxy(MsgDisableDrbdProxy {
            rsc_name: s(&a["rsc_name"]),
            node_1_name: s(&a["node_a"]),
            node_2_name: s(&a["node_b"]),
            ..Default::default()
        })),
        "drbd_proxy_modify" => req!(DrbdProxyModify {
            rsc_name: s(&a["rsc_name"]),
            property_dict: props(&a["property_dict"]),
            delete_props: strings(&a["delete_props"]),
            compression_type: opt_s(&a["compression_type"]),
            compression_property_dict: props(&a["compression_property_dict"]),
        }),
        "snapshot_create" => req!(SnapshotCreate {
            node_names: strings(&a["node_names"]),
            rsc_name: s(&a["rsc_name"]),
            snapshot_name: s(&a["snapshot_name"]),
        }),
        "snapshot_volume_definition_restore" => {
            req!(Request::RestoreVlmDfn(MsgRestoreSnapshotVlmDfn {
                from_resource_name: s(&a["from_resource"]),
                from_snapshot_name: s(&a["from_snapshot"]),
                to_resource_name: s(&a["to_resource"])
            }))
        }
        "snapshot_resource_restore" => req!(SnapshotResourceRestore {
            node_names: strings(&a["node_names"]),
            from_resource: s(&a["from_resource"]),
            from_snapshot: s(&a["from_snapshot"]),
            to_resource: s(&a["to_resource"]),
        }),
        "snapshot_delete" => req!(Request::DelSnapshot(MsgDelSnapshot {
            rsc_name: s(&a["rsc_name"]),
            snapshot_name: s(&a["snapshot_name"]),
            ..Default::default()
        })),
        "snapshot_rollback" => req!(Request::RollbackSnapshot(MsgRollbackSnapshot {
            rsc_name: s(&a["rsc_name"]),
            snapshot_name: s(&a["snapshot_name"]),
            ..Default::default()
        })),
        "snapshot_dfn_list" => req!(Request::LstSnapshotDfn),
        "error_report_list" => req!(Request::ReqErrorReports(MsgReqErrorReport {
            node_names: strings(&a["nodes"]),
            with_content: Some(a["with_content"].as_bool().unwrap_or(false)),
            since: utc_ms(&a["since"]),
            to: utc_ms(&a["to"]),
            ids: strings(&a["ids"]),
        })),
        "keyvaluestore_modify" => req!(KeyValueStoreModify {
            instance_name: s(&a["instance_name"]),
            property_dict: props(&a["property_dict"]),
            delete_props: strings(&a["delete_props"]),
        }),
        "keyvaluestore_list" => req!(Request::LstKvsProps(MsgLstKvsProps {
            instance_name: s(&a["instance_name"])
        })),
        "ping" => req!(Request::Ping),
        "hostname" => req!(Request::Hostname),
        "watch_events" => match part {
            "1/2" => req!(WatchCreate {
                watch_id: 1,
                object: object(&a["object_identifier"])
            }),
            _ => req!(Request::DelWatch(MsgDelWatch { watch_id: 1 })),
        },
        "watch_create" => req!(WatchCreate {
            watch_id: a["watch_id"].as_i64().expect("watch_id") as i32,
            object: object(&a["object_identifier"])
        }),
        "_watch_delete" => req!(Request::DelWatch(MsgDelWatch {
            watch_id: a["watch_id"].as_i64().expect("watch_id") as i32
        })),
        other => panic!("no mapping for method {other}"),
    }
}

#[test]
fn golden_client_encodes_every_request_frame_identically() {
    let index = load_index("requests");
    let vectors = index["vectors"].as_array().expect("vectors");
    assert_eq!(vectors.len(), 117);
    let mut methods = std::collections::BTreeSet::new();
    for v in vectors {
        let file = v["file"].as_str().expect("file");
        let expected = load_hex("requests", file);
        let got = frame_for(v);
        assert_eq!(&got[..], &expected[..], "{file}: {}", v["method"]);
        methods.insert(v["msg_content"].as_str().expect("content").to_owned());
    }
    assert_eq!(methods.len(), 58, "every call name is covered");
}

#[test]
fn golden_error_report_times_are_utc_milliseconds() {
    assert_eq!(
        utc_ms(&Value::from("2019-03-01T00:00:00")),
        Some(1_551_398_400_000)
    );
    assert_eq!(
        utc_ms(&Value::from("2019-03-02T12:30:00")),
        Some(1_551_529_800_000)
    );
}
