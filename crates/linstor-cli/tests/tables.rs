//! Table output compared with expected files (tests/snapshots/*.txt; regenerate with
//! `UPDATE_SNAPSHOTS=1`), the 0.7.3 column sets, and `-m` JSON parsed back into the
//! same protobuf messages the client gets.

mod support;

use std::path::PathBuf;

use linstor_client::requests::ListFilter;
use linstor_proto::messages::{
    MsgApiCallResponse, MsgLstNode, MsgLstRsc, MsgLstRscDfn, MsgLstSnapshotDfn, MsgLstStorPool,
};
use prost::Message;
use prost_reflect::{DescriptorPool, DynamicMessage};
use support::{Mock, columns};

/// The demo cluster with rsc1 on alpha and bravo and a snapshot of it.
fn cluster() -> Mock {
    let m = Mock::demo();
    m.ok(&["rd", "c", "rsc1"]);
    m.ok(&["vd", "c", "rsc1", "10M"]);
    m.ok(&["r", "c", "--auto-place", "2", "rsc1"]);
    m.ok(&["r", "c", "charlie", "rsc1", "--diskless"]);
    m.ok(&["s", "c", "rsc1", "snap1"]);
    m.ok(&[
        "rc",
        "sp",
        "alpha",
        "bravo",
        "rsc1",
        "DrbdOptions/Net/protocol",
        "C",
    ]);
    m
}

fn check_snapshot(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_SNAPSHOTS=1)", path.display()));
    assert_eq!(
        actual,
        expected,
        "{name}: output differs from {}",
        path.display()
    );
}

const TABLES: &[(&str, &[&str], &[&str])] = &[
    (
        "node-list",
        &["node", "list"],
        &["Node", "NodeType", "Addresses", "State"],
    ),
    (
        "storage-pool-list",
        &["storage-pool", "list"],
        &[
            "StoragePool",
            "Node",
            "Driver",
            "PoolName",
            "FreeCapacity",
            "TotalCapacity",
            "SupportsSnapshots",
        ],
    ),
    (
        "storage-pool-definition-list",
        &["spd", "list"],
        &["StoragePool"],
    ),
    (
        "resource-definition-list",
        &["rd", "list"],
        &["ResourceName", "Port", "State"],
    ),
    (
        "volume-definition-list",
        &["vd", "list"],
        &["ResourceName", "VolumeNr", "VolumeMinor", "Size", "State"],
    ),
    (
        "resource-list",
        &["r", "list"],
        &["ResourceName", "Node", "Port", "Usage", "State"],
    ),
    (
        "resource-list-volumes",
        &["r", "list-volumes"],
        &[
            "Node",
            "Resource",
            "StoragePool",
            "VolumeNr",
            "MinorNr",
            "DeviceName",
            "Allocated",
            "InUse",
            "State",
        ],
    ),
    (
        "snapshot-list",
        &["snapshot", "list"],
        &[
            "ResourceName",
            "SnapshotName",
            "NodeNames",
            "Volumes",
            "State",
        ],
    ),
    (
        "resource-connection-list",
        &["rc", "list", "rsc1"],
        &["Source", "Target", "Properties", "Port"],
    ),
    (
        "interface-list",
        &["node", "interface", "list", "alpha"],
        &["alpha", "NetInterface", "IP"],
    ),
    (
        "node-list-properties",
        &["node", "list-properties", "alpha"],
        &["Key", "Value"],
    ),
];

#[test]
fn tables_have_the_0_7_3_columns_and_match_the_snapshots() {
    let m = cluster();
    for (name, args, cols) in TABLES {
        let mut ascii_args = vec!["--no-utf8"];
        ascii_args.extend_from_slice(args);
        let ascii = m.ok(&ascii_args);
        assert_eq!(columns(&ascii), *cols, "{name}:\n{ascii}");
        assert!(
            !ascii.contains('\u{1b}'),
            "{name}: no colours when stdout is not a terminal"
        );
        assert!(ascii.is_ascii(), "{name}: ASCII only with --no-utf8");
        check_snapshot(&format!("{name}.ascii"), &ascii);
        let utf8 = m.ok(args);
        check_snapshot(&format!("{name}.utf8"), &utf8);
    }
    let pastable = m.ok(&["node", "list", "-p"]);
    check_snapshot("node-list.pastable", &pastable);
    let grouped = m.ok(&["--no-utf8", "r", "l", "-g", "Node"]);
    check_snapshot("resource-list.by-node.ascii", &grouped);
    let tree = m.ok(&["node", "describe"]);
    check_snapshot("node-describe.utf8", &tree);
}

fn pool() -> DescriptorPool {
    DescriptorPool::decode(linstor_proto::FILE_DESCRIPTOR_SET).expect("descriptors")
}

/// Parses element `i` of a `-m` array back into message `M`.
fn parse_back<M: Message + Default>(json: &serde_json::Value, full_name: &str) -> M {
    let descriptor = pool()
        .get_message_by_name(full_name)
        .expect("message known");
    let dynamic = DynamicMessage::deserialize(descriptor, json.clone())
        .unwrap_or_else(|e| panic!("{full_name}: {e}\n{json:#}"));
    M::decode(dynamic.encode_to_vec().as_slice()).expect("decodes")
}

fn array(text: &str) -> Vec<serde_json::Value> {
    match serde_json::from_str(text) {
        Ok(serde_json::Value::Array(a)) => a,
        other => panic!("not a JSON array: {other:?}\n{text}"),
    }
}

#[test]
fn machine_readable_output_parses_back_into_the_same_messages() {
    let m = cluster();
    let client = m.client();
    let rt = &m.runtime;

    let nodes = array(&m.ok(&["-m", "node", "list"]));
    assert_eq!(nodes.len(), 1);
    let parsed: MsgLstNode = parse_back(&nodes[0], "com.linbit.linstor.proto.MsgLstNode");
    assert_eq!(parsed, rt.block_on(client.node_list()).expect("list"));
    assert_eq!(
        nodes[0]["nodes"][0]["name"], "alpha",
        "protobuf field names"
    );
    assert!(
        nodes[0]["nodes"][0]["connection_status"].is_number(),
        "enums as numbers"
    );

    let rds = array(&m.ok(&["-m", "rd", "list"]));
    let parsed: MsgLstRscDfn = parse_back(&rds[0], "com.linbit.linstor.proto.MsgLstRscDfn");
    assert_eq!(
        parsed,
        rt.block_on(client.resource_dfn_list()).expect("list")
    );
    assert!(
        rds[0]["rsc_dfns"][0]["vlm_dfns"][0]["vlm_size"].is_u64(),
        "64-bit sizes as numbers"
    );

    let rs = array(&m.ok(&["-m", "r", "list"]));
    let parsed: MsgLstRsc = parse_back(&rs[0], "com.linbit.linstor.proto.MsgLstRsc");
    assert_eq!(
        parsed,
        rt.block_on(client.resource_list(&ListFilter::default()))
            .expect("list")
    );

    let sps = array(&m.ok(&["-m", "sp", "list"]));
    let parsed: MsgLstStorPool = parse_back(&sps[0], "com.linbit.linstor.proto.MsgLstStorPool");
    assert_eq!(
        parsed,
        rt.block_on(client.storage_pool_list(&ListFilter::default()))
            .expect("list")
    );

    let snaps = array(&m.ok(&["-m", "s", "list"]));
    let parsed: MsgLstSnapshotDfn =
        parse_back(&snaps[0], "com.linbit.linstor.proto.MsgLstSnapshotDfn");
    assert_eq!(
        parsed,
        rt.block_on(client.snapshot_dfn_list()).expect("list")
    );

    // The answers of a call: one array, every entry a MsgApiCallResponse.
    let created = array(&m.ok(&["-m", "rd", "c", "rsc9"]));
    assert!(!created.is_empty());
    let first: MsgApiCallResponse =
        parse_back(&created[0], "com.linbit.linstor.proto.MsgApiCallResponse");
    assert!(linstor_proto::ReturnCode(first.ret_code).is_success());
    assert!(first.message.contains("rsc9"), "{first:?}");
    let failed = m.expect(10, &["-m", "rd", "c", "rsc9"]);
    let failed = array(&failed);
    let entry: MsgApiCallResponse =
        parse_back(&failed[0], "com.linbit.linstor.proto.MsgApiCallResponse");
    assert!(linstor_proto::ReturnCode(entry.ret_code).is_error());
    assert!(failed[0]["ret_code"].is_u64());
    // Several calls of one command (delete on two nodes) give one array.
    let r = m.run(&["-m", "sp", "d", "alpha", "bravo", "nosuchpool"]);
    let both = array(&r.stdout);
    assert!(both.len() >= 2, "{both:?}");
    let any_error = both.iter().any(|e| {
        let entry: MsgApiCallResponse =
            parse_back(e, "com.linbit.linstor.proto.MsgApiCallResponse");
        linstor_proto::ReturnCode(entry.ret_code).is_error()
    });
    assert_eq!(r.code, if any_error { 10 } else { 0 }, "{r:?}");
    // Properties as 0.7.3 printed them: a list per object of {key, value}.
    let props: serde_json::Value =
        serde_json::from_str(&m.ok(&["-m", "n", "lp", "alpha"])).expect("json");
    assert_eq!(props[0][0]["key"], "CurStltConnName");
}
