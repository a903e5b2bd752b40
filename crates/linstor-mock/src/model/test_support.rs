//! Helpers for the model's unit tests: requests in one line, a cluster built through
//! [`Model::apply`], and the entries of an answer.

use linstor_proto::messages::{
    AutoSelectFilter, LinStorMapEntry, MsgApiCallResponse, MsgAutoPlaceRsc, MsgCrtNode, MsgCrtRsc,
    MsgCrtRscDfn, MsgCrtStorPool, MsgCrtVlmDfn, NetInterface, NetInterface as WireNetIf, Node, Rsc,
    RscDfn, StorPool, VlmDfn,
};
use linstor_proto::{Request, ReturnCode as RC};

use super::reply::{Answer, Outcome};
use super::state::Model;

pub(crate) fn entry(key: &str, value: &str) -> LinStorMapEntry {
    LinStorMapEntry {
        key: key.into(),
        value: value.into(),
    }
}

pub(crate) fn entries(props: &[(&str, &str)]) -> Vec<LinStorMapEntry> {
    props.iter().map(|(k, v)| entry(k, v)).collect()
}

/// `CrtNode` of a node with one interface `default` that carries the satellite connection.
pub(crate) fn crt_node(name: &str, kind: &str, ip: &str) -> Request {
    Request::CrtNode(MsgCrtNode {
        node: Node {
            name: name.into(),
            r#type: kind.into(),
            net_interfaces: vec![NetInterface {
                name: "default".into(),
                address: ip.into(),
                stlt_port: Some(3366),
                stlt_encryption_type: Some("Plain".into()),
                ..Default::default()
            }],
            ..Default::default()
        },
    })
}

pub(crate) fn crt_pool(node: &str, pool: &str, driver: &str) -> Request {
    Request::CrtStorPool(MsgCrtStorPool {
        stor_pool: StorPool {
            node_name: node.into(),
            stor_pool_name: pool.into(),
            driver: driver.into(),
            ..Default::default()
        },
    })
}

pub(crate) fn crt_rsc_dfn(name: &str) -> Request {
    Request::CrtRscDfn(MsgCrtRscDfn {
        rsc_dfn: RscDfn {
            rsc_name: name.into(),
            ..Default::default()
        },
    })
}

pub(crate) fn crt_vlm_dfn(rsc: &str, size_kib: i64) -> Request {
    Request::CrtVlmDfn(MsgCrtVlmDfn {
        rsc_name: rsc.into(),
        vlm_dfns: vec![VlmDfn {
            vlm_size: size_kib,
            ..Default::default()
        }],
        ..Default::default()
    })
}

pub(crate) fn crt_rsc(rsc: &str, nodes: &[&str]) -> Request {
    Request::CrtRsc(MsgCrtRsc {
        rscs: nodes
            .iter()
            .map(|n| Rsc {
                name: rsc.into(),
                node_name: (*n).into(),
                ..Default::default()
            })
            .collect(),
    })
}

pub(crate) fn crt_diskless(rsc: &str, node: &str) -> Request {
    Request::CrtRsc(MsgCrtRsc {
        rscs: vec![Rsc {
            name: rsc.into(),
            node_name: node.into(),
            rsc_flags: vec!["DISKLESS".into()],
            ..Default::default()
        }],
    })
}

/// `(name, type, props, pools as (pool, driver))` of one node.
pub(crate) type NodeSpec<'a> = (
    &'a str,
    &'a str,
    &'a [(&'a str, &'a str)],
    &'a [(&'a str, &'a str)],
);

/// A model holding these nodes (addresses 10.0.0.1, .2, ...) and their pools.
pub(crate) fn model(nodes: &[NodeSpec<'_>]) -> Model {
    let mut m = Model::default();
    for (i, (name, kind, props, pools)) in nodes.iter().enumerate() {
        let mut request = crt_node(name, kind, &format!("10.0.0.{}", i + 1));
        if let Request::CrtNode(msg) = &mut request {
            msg.node.props = entries(props);
        }
        ok(&mut m, request);
        for (pool, driver) in *pools {
            ok(&mut m, crt_pool(name, pool, driver));
        }
    }
    m
}

/// Satellites with an LVM-thin `DfltStorPool` each, so resources need no pool props.
pub(crate) fn cluster(nodes: &[&str]) -> Model {
    let specs: Vec<NodeSpec<'_>> = nodes
        .iter()
        .map(|n| {
            (
                *n,
                "Satellite",
                &[][..],
                &[("DfltStorPool", "LvmThinDriver")][..],
            )
        })
        .collect();
    model(&specs)
}

/// Satellites on 10.0.0.1, .2, ... with an LVM-thin pool `drbdpool` each (volume group
/// `drbdpool`, thin pool `thinpool`), every call checked for its one success entry.
pub(crate) fn drbdpool_cluster(nodes: &[&str]) -> Model {
    let mut m = Model::default();
    for (i, n) in nodes.iter().enumerate() {
        let out = m.apply(crt_node(n, "Satellite", &format!("10.0.0.{}", i + 1)));
        assert_eq!(codes(&out), [0x013C_0001], "{n}");
        let mut pool = crt_pool(n, "drbdpool", "LvmThinDriver");
        if let Request::CrtStorPool(msg) = &mut pool {
            msg.stor_pool.props = entries(&[
                ("StorDriver/LvmVg", "drbdpool"),
                ("StorDriver/ThinPool", "thinpool"),
            ]);
        }
        assert_eq!(codes(&m.apply(pool)), [0x0114_0001], "{n}");
    }
    m
}

/// `AutoPlaceRsc` of `rsc` on `count` nodes.
pub(crate) fn auto_place(rsc: &str, count: u32, diskless_on_remaining: bool) -> Request {
    Request::AutoPlaceRsc(MsgAutoPlaceRsc {
        rsc_name: rsc.into(),
        select_filter: AutoSelectFilter {
            place_count: count,
            ..Default::default()
        },
        diskless_on_remaining: Some(diskless_on_remaining),
    })
}

/// `web` auto-placed on 2 of alpha, bravo, charlie (`drbdpool` each), diskless on the
/// third, then given a 4 MiB volume definition.
pub(crate) fn web_on_three() -> Model {
    let mut m = drbdpool_cluster(&["alpha", "bravo", "charlie"]);
    assert_eq!(codes(&m.apply(crt_rsc_dfn("web"))), [0x0138_0001]);
    let out = m.apply(auto_place("web", 2, true));
    assert_eq!(codes(&out)[0], 0x0134_0001);
    assert_eq!(
        first(&out).message,
        "Resource 'web' successfully autoplaced on 2 nodes"
    );
    assert_eq!(codes(&m.apply(crt_vlm_dfn("web", 4096))), [0x0130_0001]);
    m
}

/// Applies a call that must succeed: no entry is an error.
pub(crate) fn ok(m: &mut Model, request: Request) -> Outcome {
    let call = request.call();
    let out = m.apply(request);
    let errors: Vec<&MsgApiCallResponse> = out
        .entries()
        .filter(|e| RC(e.ret_code).is_error())
        .collect();
    assert!(errors.is_empty(), "{call}: {errors:#?}");
    out
}

/// Applies a call that must stop: its answer is one entry, returned.
pub(crate) fn refused(m: &mut Model, request: Request) -> MsgApiCallResponse {
    let out = m.apply(request);
    let all: Vec<MsgApiCallResponse> = out.entries().cloned().collect();
    assert_eq!(all.len(), 1, "{all:#?}");
    assert!(!out.changed);
    all.into_iter().next().expect("one entry")
}

/// The ret_code of every entry, immediate first.
pub(crate) fn codes(out: &Outcome) -> Vec<u64> {
    out.entries().map(|e| e.ret_code).collect()
}

/// The message of every entry, immediate first.
pub(crate) fn messages(out: &Outcome) -> Vec<String> {
    out.entries().map(|e| e.message.clone()).collect()
}

/// The messages of the entries answered after `EndOfImmediateAnswers`.
pub(crate) fn deferred_messages(out: &Outcome) -> Vec<String> {
    out.deferred
        .iter()
        .flat_map(Answer::entries)
        .map(|e| e.message.clone())
        .collect()
}

/// The first entry of an answer.
pub(crate) fn first(out: &Outcome) -> &MsgApiCallResponse {
    out.entries().next().expect("at least one entry")
}

/// The body of a list answer (the first immediate answer), as the `Body` variant named:
/// `body!(out, MsgLstNode)`.
macro_rules! body {
    ($out:expr, $variant:ident) => {
        match $out.immediate[0].bodies.first() {
            Some(linstor_proto::Body::$variant(list)) => list.clone(),
            other => panic!("expected {}, got {other:?}", stringify!($variant)),
        }
    };
}
pub(crate) use body;

/// Whether `entry` has `code` (severity and number; masks ignored).
pub(crate) fn is(entry: &MsgApiCallResponse, code: RC) -> bool {
    RC(entry.ret_code).is_code(code)
}

pub(crate) fn net_if(name: &str, address: &str, port: Option<i32>) -> WireNetIf {
    WireNetIf {
        name: name.into(),
        address: address.into(),
        stlt_port: port,
        stlt_encryption_type: port.map(|_| "Plain".into()),
        ..Default::default()
    }
}
