//! The mock controller's answers on the wire (docs/framing.md): every call of every family
//! gets its answer frames, exactly one `EndOfImmediateAnswers` and exactly one `COMPLETE`;
//! a synchronous call answers everything before `EndOfImmediateAnswers`, the satellites'
//! part of an asynchronous one comes after it. The call rules themselves (codes, entry
//! order, messages, lists) are unit tests of the model, beside each family in
//! `crates/linstor-mock/src/model/`.

use linstor_codec::Envelope;
use linstor_mock::Config;
use linstor_proto::WireMessage;
use linstor_proto::messages::*;
use linstor_tests::raw::{CallResult, RawClient, rsc_dfn, start_mock};

fn entry(key: &str, value: &str) -> LinStorMapEntry {
    LinStorMapEntry {
        key: key.into(),
        value: value.into(),
    }
}

fn contents(envelopes: &[Envelope]) -> Vec<&str> {
    envelopes.iter().map(Envelope::content).collect()
}

/// Sends one call and checks its framing: exactly one `EndOfImmediateAnswers`, these
/// answer contents before and after it, then `COMPLETE` (which `RawClient::collect` waits
/// for; a second `COMPLETE` would fail the next call as an answer for another id).
async fn expect(
    c: &mut RawClient,
    call: &str,
    body: Option<&dyn WireMessage>,
    immediate: &[&str],
    deferred: &[&str],
) -> CallResult {
    let r = c.call(call, body).await;
    assert_eq!(r.eoia, 1, "{call}: one EndOfImmediateAnswers");
    assert_eq!(
        (contents(&r.immediate), contents(&r.deferred)),
        (immediate.to_vec(), deferred.to_vec()),
        "{call}: answers before and after EndOfImmediateAnswers"
    );
    r
}

const REPLY: &[&str] = &["Reply"];
const NONE: &[&str] = &[];

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

fn pool(node: &str) -> MsgCrtStorPool {
    MsgCrtStorPool {
        stor_pool: StorPool {
            node_name: node.into(),
            stor_pool_name: "drbdpool".into(),
            driver: "LvmThinDriver".into(),
            props: vec![
                entry("StorDriver/LvmVg", "drbdpool"),
                entry("StorDriver/ThinPool", "thinpool"),
            ],
            ..Default::default()
        },
    }
}

fn rsc(name: &str, nodes: &[&str]) -> MsgCrtRsc {
    MsgCrtRsc {
        rscs: nodes
            .iter()
            .map(|n| Rsc {
                name: name.into(),
                node_name: (*n).into(),
                ..Default::default()
            })
            .collect(),
    }
}

/// One 1 GiB volume in `drbdpool`.
fn vlm_dfn(rsc: &str) -> MsgCrtVlmDfn {
    MsgCrtVlmDfn {
        rsc_name: rsc.into(),
        vlm_dfns: vec![VlmDfn {
            vlm_size: 1 << 20,
            vlm_props: vec![entry("StorPoolName", "drbdpool")],
            ..Default::default()
        }],
        ..Default::default()
    }
}

#[tokio::test]
async fn every_family_answers_with_one_end_of_immediate_answers_and_one_complete() {
    let (_mock, mut c) = start_mock(Config::default()).await;
    let c = &mut c;
    // Nodes and interfaces: synchronous, a refusal framed like a success.
    for (name, ip) in [("alpha", "10.0.0.1"), ("bravo", "10.0.0.2")] {
        expect(c, "CrtNode", Some(&satellite(name, ip)), REPLY, NONE).await;
    }
    let dup = satellite("ALPHA", "10.0.0.3");
    expect(c, "CrtNode", Some(&dup), REPLY, NONE).await;
    let net_if = MsgCrtNetInterface {
        node_name: "alpha".into(),
        net_if: NetInterface {
            name: "eth1".into(),
            address: "10.9.9.9".into(),
            ..Default::default()
        },
    };
    expect(c, "CrtNetIf", Some(&net_if), REPLY, NONE).await;
    expect(c, "LstNode", None, &["LstNode"], NONE).await;

    // Storage pools: an asynchronous create with nothing deferred; the list then an empty
    // Reply, both before EndOfImmediateAnswers.
    for node in ["alpha", "bravo"] {
        expect(c, "CrtStorPool", Some(&pool(node)), REPLY, NONE).await;
    }
    expect(c, "LstStorPoolDfn", None, &["LstStorPoolDfn"], NONE).await;
    let all = Filter::default();
    expect(
        c,
        "LstStorPool",
        Some(&all),
        &["LstStorPool", "Reply"],
        NONE,
    )
    .await;
    let q = MsgQryMaxVlmSizes {
        select_filter: AutoSelectFilter {
            place_count: 2,
            ..Default::default()
        },
    };
    expect(c, "QryMaxVlmSize", Some(&q), &["RspMaxVlmSize"], NONE).await;

    // Definitions, then resources: the satellites' part after EndOfImmediateAnswers.
    expect(c, "CrtRscDfn", Some(&rsc_dfn("rsc1")), REPLY, NONE).await;
    expect(c, "CrtVlmDfn", Some(&vlm_dfn("rsc1")), REPLY, NONE).await;
    expect(c, "LstRscDfn", None, &["LstRscDfn"], NONE).await;
    let both = rsc("rsc1", &["alpha", "bravo"]);
    expect(c, "CrtRsc", Some(&both), REPLY, REPLY).await;
    let again = rsc("rsc1", &["ALPHA"]);
    expect(c, "CrtRsc", Some(&again), REPLY, NONE).await;
    expect(c, "LstRsc", Some(&all), &["LstRsc"], NONE).await;
    expect(c, "LstVlm", Some(&all), &["LstVlm", "Reply"], NONE).await;

    // Connections and the proxy.
    let conn = MsgModRscConn {
        node_1_name: "alpha".into(),
        node_2_name: "bravo".into(),
        rsc_name: "rsc1".into(),
        override_props: vec![entry("DrbdOptions/Net/protocol", "C")],
        ..Default::default()
    };
    expect(c, "ModRscConn", Some(&conn), REPLY, NONE).await;
    let list = MsgReqRscConn {
        rsc_name: "rsc1".into(),
    };
    expect(c, "ReqRscConnList", Some(&list), &["LstRscConn"], NONE).await;

    // Snapshots.
    let snap = MsgCrtSnapshot {
        snapshot_dfn: SnapshotDfn {
            rsc_name: "rsc1".into(),
            snapshot_name: "s1".into(),
            ..Default::default()
        },
    };
    expect(c, "CrtSnapshot", Some(&snap), REPLY, REPLY).await;
    expect(c, "LstSnapshotDfn", None, &["LstSnapshotDfn"], NONE).await;
    let del_snap = MsgDelSnapshot {
        rsc_name: "rsc1".into(),
        snapshot_name: "s1".into(),
        ..Default::default()
    };
    expect(c, "DelSnapshot", Some(&del_snap), REPLY, REPLY).await;

    // Controller properties (the quirk's two entries in one Reply), the key/value store.
    let range = MsgSetCtrlCfgProp {
        key: "TcpPortAutoRange".into(),
        value: "0-10".into(),
        namespace: None,
    };
    let r = expect(c, "SetCfgVal", Some(&range), REPLY, NONE).await;
    assert_eq!(r.replies().len(), 2, "error entry, then success");
    expect(c, "LstCfgVal", None, &["LstCfgVal"], NONE).await;
    let kv = MsgModKvsProps {
        instance_name: "store".into(),
        override_props: vec![entry("/foo/bar/key", "val")],
        delete_prop_keys: vec![],
    };
    expect(c, "ModifyKvsProps", Some(&kv), REPLY, NONE).await;
    let lst_kv = MsgLstKvsProps {
        instance_name: "store".into(),
    };
    expect(c, "LstKvsProps", Some(&lst_kv), &["LstKvsProps"], NONE).await;

    // Deleting: marked for deletion at once, deleted after the satellites.
    let del_rsc = MsgDelRsc {
        node_name: "alpha".into(),
        rsc_name: "rsc1".into(),
        ..Default::default()
    };
    expect(c, "DelRsc", Some(&del_rsc), REPLY, REPLY).await;
    let del_dfn = MsgDelRscDfn {
        rsc_name: "rsc1".into(),
        ..Default::default()
    };
    let r = expect(c, "DelRscDfn", Some(&del_dfn), REPLY, REPLY).await;
    assert_eq!(
        r.deferred_messages().last().map(String::as_str),
        Some("Resource definition 'rsc1' deleted.")
    );
    let del_node = MsgDelNode {
        node_name: "zulu".into(),
        ..Default::default()
    };
    expect(c, "DelNode", Some(&del_node), REPLY, NONE).await;
    expect(c, "Ping", None, &["Pong"], NONE).await;
}

#[tokio::test]
async fn the_satellites_part_of_an_answer_comes_after_end_of_immediate_answers() {
    let (_mock, mut c) = start_mock(Config::default()).await;
    for (name, ip) in [("alpha", "10.0.0.1"), ("bravo", "10.0.0.2")] {
        c.call("CrtNode", Some(&satellite(name, ip))).await;
        c.call("CrtStorPool", Some(&pool(name))).await;
    }
    c.call("CrtRscDfn", Some(&rsc_dfn("rsc1"))).await;
    c.call("CrtVlmDfn", Some(&vlm_dfn("rsc1"))).await;
    let r = c
        .call("CrtRsc", Some(&rsc("rsc1", &["alpha", "bravo"])))
        .await;
    let immediate: Vec<String> = r
        .immediate
        .iter()
        .flat_map(|e| (0..e.body_count()).map(move |i| e.body(i).expect("entry decodes")))
        .map(|e: MsgApiCallResponse| e.message)
        .collect();
    assert_eq!(
        immediate,
        [
            "New resource 'rsc1' on node 'alpha' registered.",
            "Volume with number '0' on resource 'rsc1' on node 'alpha' successfully registered",
            "New resource 'rsc1' on node 'bravo' registered.",
            "Volume with number '0' on resource 'rsc1' on node 'bravo' successfully registered",
        ]
    );
    assert_eq!(
        r.deferred_messages(),
        [
            "Created resource 'rsc1' on 'alpha'",
            "Created resource 'rsc1' on 'bravo'",
            "Resource 'rsc1' on 'alpha' ready",
            "Resource 'rsc1' on 'bravo' ready"
        ]
    );
}

#[tokio::test]
async fn shutdown_is_answered_and_the_connection_still_served() {
    let (_mock, mut c) = start_mock(Config::default()).await;
    let shutdown = MsgControlCtrl {
        command: Some("Shutdown".into()),
    };
    let r = expect(&mut c, "ControlCtrl", Some(&shutdown), REPLY, NONE).await;
    assert_eq!(
        r.replies()[0].message,
        "Controller will shutdown now.",
        "exit_on_shutdown is off by default"
    );
    assert_eq!(
        c.call("Ping", None).await.first().content(),
        "Pong",
        "still serving after Shutdown"
    );
}

/// The bodies of the first answer, as bytes.
fn first_bodies(r: &CallResult) -> Vec<bytes::Bytes> {
    let first = r.first();
    (0..first.body_count())
        .map(|i| first.body_bytes(i).expect("body"))
        .collect()
}

#[tokio::test]
async fn a_repeated_list_answers_the_same_bytes_until_the_model_changes() {
    let (mock, mut client) = start_mock(Config::default()).await;
    let node = |name: &str| MsgCrtNode {
        node: Node {
            name: name.into(),
            r#type: "Satellite".into(),
            net_interfaces: vec![NetInterface {
                name: "default".into(),
                address: "10.0.0.1".into(),
                ..Default::default()
            }],
            ..Default::default()
        },
    };
    let names = |r: &CallResult| -> Vec<String> {
        let list: MsgLstNode = r.first().body(0).expect("list");
        list.nodes.into_iter().map(|n| n.name).collect()
    };
    client.call("CrtNode", Some(&node("alpha"))).await;
    let first = client.call("LstNode", None).await;
    let again = client.call("LstNode", None).await;
    assert_eq!(names(&first), ["alpha"]);
    assert_eq!(first_bodies(&first), first_bodies(&again));
    assert_eq!(
        (again.eoia, again.immediate.len()),
        (1, 1),
        "answer, EOIA, COMPLETE"
    );
    // A change through a call, a failed call, and a change through the handle: each is seen.
    client.call("CrtNode", Some(&node("bravo"))).await;
    assert_eq!(
        names(&client.call("LstNode", None).await),
        ["alpha", "bravo"]
    );
    let refused = client.call("CrtNode", Some(&node("bravo"))).await;
    assert!(
        linstor_proto::ReturnCode(refused.replies()[0].ret_code).is_error(),
        "bravo exists"
    );
    assert_eq!(
        names(&client.call("LstNode", None).await),
        ["alpha", "bravo"]
    );
    // Past the shared apply path: straight on the model behind the handle.
    let direct = mock
        .model()
        .apply(linstor_proto::Request::CrtNode(node("charlie")));
    assert!(
        direct
            .entries()
            .all(|e| !linstor_proto::ReturnCode(e.ret_code).is_error())
    );
    assert_eq!(
        names(&client.call("LstNode", None).await),
        ["alpha", "bravo", "charlie"]
    );
    // Another request body is another entry: each key-value store lists its own.
    let set = MsgModKvsProps {
        instance_name: "store-a".into(),
        override_props: vec![entry("k", "v")],
        ..Default::default()
    };
    client.call("ModifyKvsProps", Some(&set)).await;
    let props = |r: &CallResult| {
        r.first()
            .body::<MsgRspKvsProps>(0)
            .expect("list")
            .props
            .len()
    };
    for _ in 0..2 {
        let a = client
            .call(
                "LstKvsProps",
                Some(&MsgLstKvsProps {
                    instance_name: "store-a".into(),
                }),
            )
            .await;
        let b = client
            .call(
                "LstKvsProps",
                Some(&MsgLstKvsProps {
                    instance_name: "store-b".into(),
                }),
            )
            .await;
        assert_eq!((props(&a), props(&b)), (1, 0));
    }
}

#[tokio::test]
async fn the_resource_lists_on_the_wire_are_the_typed_lists_encoded() {
    let (mock, mut client) = start_mock(Config {
        demo: true,
        ..Config::default()
    })
    .await;
    let typed = |request: linstor_proto::Request| -> Vec<bytes::Bytes> {
        let outcome = mock.model().apply(request);
        outcome.immediate[0]
            .bodies
            .iter()
            .map(|b| {
                let mut buf = bytes::BytesMut::new();
                b.write_wire(&mut buf);
                buf.freeze()
            })
            .collect()
    };
    client.call("CrtRscDfn", Some(&rsc_dfn("web"))).await;
    client.call("CrtVlmDfn", Some(&vlm_dfn("web"))).await;
    let created = client
        .call("CrtRsc", Some(&rsc("web", &["alpha", "charlie"])))
        .await;
    assert!(
        created
            .replies()
            .iter()
            .all(|e| !linstor_proto::ReturnCode(e.ret_code).is_error()),
        "{:?}",
        created.replies()
    );
    let bravo = Filter {
        node_names: vec!["bravo".into()],
        ..Default::default()
    };
    for filter in [None, Some(Filter::default()), Some(bravo)] {
        let listed = match &filter {
            Some(f) => client.call("LstRsc", Some(f)).await,
            None => client.call("LstRsc", None).await,
        };
        assert_eq!(
            first_bodies(&listed),
            typed(linstor_proto::Request::LstRsc(filter.clone())),
            "LstRsc {filter:?}"
        );
        let listed = match &filter {
            Some(f) => client.call("LstVlm", Some(f)).await,
            None => client.call("LstVlm", None).await,
        };
        assert_eq!(contents(&listed.immediate), ["LstVlm", "Reply"]);
        assert_eq!(
            first_bodies(&listed),
            typed(linstor_proto::Request::LstVlm(filter.clone())),
            "LstVlm {filter:?}"
        );
    }
    // The walked list follows a change, and an LstVlm filter the controller refuses is
    // still answered by its rules.
    client.call("CrtRsc", Some(&rsc("web", &["bravo"]))).await;
    let listed = client.call("LstRsc", None).await;
    let list: MsgLstRsc = listed.first().body(0).expect("list");
    let nodes: Vec<&str> = list
        .resources
        .iter()
        .map(|r| r.node_name.as_str())
        .collect();
    assert_eq!(nodes, ["alpha", "bravo", "charlie"]);
    let bad = Filter {
        resource_names: vec!["-x".into()],
        ..Default::default()
    };
    let refused = client.call("LstVlm", Some(&bad)).await;
    assert!(
        linstor_proto::ReturnCode(refused.replies()[0].ret_code).is_error(),
        "{:?}",
        refused.replies()
    );
}
