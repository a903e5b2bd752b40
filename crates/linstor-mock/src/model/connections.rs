//! Resource connections and DRBD proxy (`docs/controller-rules.md#resource-connections-and-drbd-proxy`).

use linstor_proto::ReturnCode as RC;
use linstor_proto::calls::answers;
use linstor_proto::consts::flags;
use linstor_proto::messages::{
    MsgApiCallResponse, MsgDisableDrbdProxy, MsgEnableDrbdProxy, MsgLstRscConn, MsgModDrbdProxy,
    MsgModRscConn, MsgReqRscConn, RscConn as WireRscConn,
};
use linstor_proto::return_code::Operation;

use super::names::{key, valid_port, valid_rsc_name};
use super::props::{PropError, RuleSet, clean_key, modify_props};
use super::reply::{Ctx, Outcome, Problem, conn_ctx, ensure, rsc_dfn_ctx};
use super::state::{Model, Props, RscConn, props_to_wire};

/// The deferred answers of enabling or disabling DRBD proxy: one notice per node.
fn proxy_notices(ctx: &Ctx, n1: &str, n2: &str, rsc: &str) -> Vec<MsgApiCallResponse> {
    [n1, n2]
        .iter()
        .map(|n| {
            ctx.plain(
                RC::MODIFIED,
                format!("Notified '{n}' of proxy connection for '{rsc}'"),
            )
        })
        .collect()
}

/// Connection key: resource key and the two node keys in sorted order.
fn conn_key(rsc: &str, n1: &str, n2: &str) -> (String, String, String) {
    let (a, b) = (key(n1), key(n2));
    if a <= b {
        (key(rsc), a, b)
    } else {
        (key(rsc), b, a)
    }
}

/// A resource definition missing for these calls: no cause or correction.
fn rsc_dfn_missing(ctx: &Ctx, rsc: &str) -> Problem {
    ctx.problem(
        RC::FAIL_NOT_FOUND_RSC_DFN,
        format!("Resource definition '{rsc}' not found."),
    )
}

impl Model {
    /// The two resources of a connection must exist, each after its node and the resource
    /// definition (`FAIL_NOT_FOUND_NODE`, `FAIL_NOT_FOUND_RSC_DFN`, then
    /// `FAIL_NOT_FOUND_RSC`).
    fn both_resources(&self, ctx: &Ctx, rsc: &str, n1: &str, n2: &str) -> Result<(), Problem> {
        for n in [n1, n2] {
            self.must_node(ctx, n)?;
            self.must_rsc_dfn(ctx, rsc)?;
            ensure(self.rscs.contains_key(&(key(rsc), key(n))), || {
                ctx.problem(
                    RC::FAIL_NOT_FOUND_RSC,
                    format!("Resource '{rsc}' on node '{n}' not found."),
                )
            })?;
        }
        Ok(())
    }

    /// The stored connection, or a new one (not yet stored).
    fn conn_or_new(&mut self, ck: &(String, String, String), n1: &str, n2: &str) -> RscConn {
        match self.rsc_conns.get(ck).cloned() {
            Some(c) => c,
            None => RscConn {
                uuid: self.uuid(),
                node_1: n1.to_owned(),
                node_2: n2.to_owned(),
                props: Props::new(),
                flags: vec![],
                port: None,
            },
        }
    }

    /// `ModRscConn`: creates the connection if missing; `Paths/<path>/<node>` keys name an
    /// interface of that node, all other keys are DRBD net and peer-device options.
    pub(crate) fn mod_rsc_conn(&mut self, msg: MsgModRscConn) -> Result<Outcome, Problem> {
        let (n1, n2, rsc) = (
            msg.node_1_name.clone(),
            msg.node_2_name.clone(),
            msg.rsc_name.clone(),
        );
        let ctx = conn_ctx(Operation::Modify, &n1, &n2, &rsc);
        self.both_resources(&ctx, &rsc, &n1, &n2)?;
        let ck = conn_key(&rsc, &n1, &n2);
        let mut conn = self.conn_or_new(&ck, &n1, &n2);
        let mut plain = Vec::new();
        for e in &msg.override_props {
            if let Some(rest) = e.key.strip_prefix("Paths/") {
                let node_ok = rest
                    .rsplit_once('/')
                    .map(|(_, node)| node)
                    .filter(|node| *node == n1 || *node == n2);
                let value_ok = node_ok
                    .and_then(|node| self.node(node))
                    .is_some_and(|node| node.net_ifs.iter().any(|i| i.name == e.value));
                ensure(value_ok, || {
                    PropError::BadValue {
                        key: e.key.clone(),
                        value: e.value.clone(),
                        rule: "an interface name of the node".into(),
                    }
                    .problem(&ctx)
                })?;
                conn.props.insert(clean_key(&e.key), e.value.clone());
            } else {
                plain.push(e.clone());
            }
        }
        modify_props(
            &ctx,
            RuleSet::RscConn,
            &mut conn.props,
            &plain,
            &msg.delete_prop_keys,
        )?;
        let uuid = conn.uuid.clone();
        self.put_rsc_conn(ck, conn);
        Ok(Outcome::one(ctx.success(
            RC::MODIFIED,
            format!(
                "Resource connection between nodes '{n1}' and '{n2}' of resource '{rsc}' modified."
            ),
            "Resource connection UUID is:",
            &uuid,
        ))
        .changed())
    }

    /// `ReqRscConnList`: every stored connection of the definition, plus a synthesized one
    /// for each pair of its resources without one.
    pub(crate) fn req_rsc_conn_list(&mut self, msg: MsgReqRscConn) -> Result<Outcome, Problem> {
        let rsc = msg.rsc_name;
        let ctx = rsc_dfn_ctx(Operation::Create, &rsc);
        ensure(valid_rsc_name(&rsc), || {
            ctx.problem(RC::FAIL_INVLD_RSC_NAME, "Invalid resource name used")
                .unlogged()
        })?;
        let rsc_key = key(&rsc);
        ensure(self.rsc_dfns.contains_key(&rsc_key), || {
            rsc_dfn_missing(&ctx, &rsc)
        })?;
        let nodes: Vec<String> = self
            .rscs_of(&rsc_key)
            .map(|(_, x)| x.node_name.clone())
            .collect();
        let display = self.rsc_dfns[&rsc_key].name.clone();
        let mut rsc_connections = Vec::new();
        for (i, a) in nodes.iter().enumerate() {
            for b in &nodes[i + 1..] {
                let wire = match self.rsc_conns.get(&conn_key(&rsc, a, b)).cloned() {
                    Some(c) => WireRscConn {
                        rsc_conn_uuid: Some(c.uuid),
                        node_name_1: c.node_1,
                        node_name_2: c.node_2,
                        rsc_name: display.clone(),
                        rsc_conn_props: props_to_wire(&c.props),
                        rsc_conn_flags: c.flags,
                        port: c.port,
                        ..Default::default()
                    },
                    None => WireRscConn {
                        rsc_conn_uuid: Some(self.uuid()),
                        node_name_1: a.clone(),
                        node_name_2: b.clone(),
                        rsc_name: display.clone(),
                        ..Default::default()
                    },
                };
                rsc_connections.push(wire);
            }
        }
        Ok(Outcome::list(
            answers::LST_RSC_CONN,
            MsgLstRscConn { rsc_connections },
        ))
    }

    pub(crate) fn enable_drbd_proxy(
        &mut self,
        msg: MsgEnableDrbdProxy,
    ) -> Result<Outcome, Problem> {
        let (n1, n2, rsc) = (msg.node_1_name, msg.node_2_name, msg.rsc_name);
        let ctx = conn_ctx(Operation::Modify, &n1, &n2, &rsc);
        self.both_resources(&ctx, &rsc, &n1, &n2)?;
        let port = match msg.port {
            Some(p) => {
                ensure(valid_port(p), || {
                    ctx.problem(
                        RC::FAIL_INVLD_RSC_PORT,
                        format!("The specified TCP port '{p}' is invalid."),
                    )
                })?;
                p
            }
            None => self.lowest_free_port(7000, 7999).unwrap_or(7000),
        };
        let ck = conn_key(&rsc, &n1, &n2);
        let mut conn = self.conn_or_new(&ck, &n1, &n2);
        if !conn.flags.iter().any(|f| f == flags::LOCAL_DRBD_PROXY) {
            conn.flags.push(flags::LOCAL_DRBD_PROXY.to_owned());
        }
        conn.port = Some(port);
        self.put_rsc_conn(ck, conn);
        let deferred = proxy_notices(&ctx, &n1, &n2, &rsc);
        Ok(Outcome::one(ctx.plain(RC::MODIFIED, format!("DRBD Proxy enabled on resource connection between nodes '{n1}' and '{n2}' of resource '{rsc}'.")))
            .changed()
            .deferred(deferred))
    }

    pub(crate) fn disable_drbd_proxy(
        &mut self,
        msg: MsgDisableDrbdProxy,
    ) -> Result<Outcome, Problem> {
        let (n1, n2, rsc) = (msg.node_1_name, msg.node_2_name, msg.rsc_name);
        let ctx = conn_ctx(Operation::Modify, &n1, &n2, &rsc);
        self.both_resources(&ctx, &rsc, &n1, &n2)?;
        let ck = conn_key(&rsc, &n1, &n2);
        let mut conn = self.rsc_conns.get(&ck).cloned().ok_or_else(|| {
            ctx.problem(
                RC::FAIL_NOT_FOUND_RSC_CONN,
                format!("Resource connection between '{n1}' and '{n2}' of '{rsc}' not found."),
            )
        })?;
        conn.flags.retain(|f| f != flags::LOCAL_DRBD_PROXY);
        conn.port = None;
        self.put_rsc_conn(ck, conn);
        let deferred = proxy_notices(&ctx, &n1, &n2, &rsc);
        Ok(Outcome::one(ctx.plain(RC::MODIFIED, format!("DRBD Proxy disabled on resource connection between nodes '{n1}' and '{n2}' of resource '{rsc}'.")))
            .changed()
            .deferred(deferred))
    }

    /// `ModifyDrbdProxy`: DRBD proxy options and compression, stored in the resource
    /// definition's properties.
    pub(crate) fn mod_drbd_proxy(&mut self, msg: MsgModDrbdProxy) -> Result<Outcome, Problem> {
        let rsc = msg.rsc_name;
        let ctx = rsc_dfn_ctx(Operation::Modify, &rsc);
        let rsc_key = key(&rsc);
        let mut dfn = self
            .rsc_dfns
            .get(&rsc_key)
            .cloned()
            .ok_or_else(|| rsc_dfn_missing(&ctx, &rsc))?;
        let mut entries = Vec::new();
        for k in &msg.delete_prop_keys {
            if !dfn.props.contains_key(&clean_key(k)) {
                entries.push(ctx.problem(RC::WARN_DEL_UNSET_PROP, format!("Could not delete property '{k}' as it did not exist. This operation had no effect.")).warning());
            }
        }
        modify_props(
            &ctx,
            RuleSet::DrbdProxy,
            &mut dfn.props,
            &msg.override_props,
            &msg.delete_prop_keys,
        )?;
        if let Some(t) = msg.compression_type.as_deref() {
            dfn.props
                .retain(|k, _| !k.starts_with("DrbdOptions/ProxyCompression/"));
            let rules = match t {
                "none" => None,
                "zlib" => Some(RuleSet::DrbdProxyZlib),
                "lzma" => Some(RuleSet::DrbdProxyLzma),
                "lz4" => Some(RuleSet::AuxOnly),
                other => {
                    return Err(ctx.problem(
                        RC::FAIL_INVLD_DRBD_PROXY_COMPRESSION_TYPE,
                        format!("Unknown compression type '{other}'"),
                    ));
                }
            };
            match rules {
                None => {
                    dfn.props.remove("DrbdProxy/CompressionType");
                }
                Some(rules) => {
                    dfn.props
                        .insert("DrbdProxy/CompressionType".to_owned(), t.to_owned());
                    modify_props(&ctx, rules, &mut dfn.props, &msg.compression_props, &[])?;
                }
            }
        }
        let display = dfn.name.clone();
        self.put_rsc_dfn(rsc_key, dfn);
        entries.push(ctx.plain(
            RC::MODIFIED,
            format!("Proxy options for resource definition '{display}' modified."),
        ));
        Ok(Outcome::reply(entries).changed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::{
        body, cluster, codes, crt_rsc, crt_rsc_dfn, crt_vlm_dfn, drbdpool_cluster, entry, is, ok,
        refused,
    };
    use linstor_proto::Request;

    #[test]
    fn connection_calls_name_a_missing_parent() {
        let mut m = cluster(&["alpha", "bravo", "charlie"]);
        ok(&mut m, crt_rsc_dfn("res"));
        ok(&mut m, crt_vlm_dfn("res", 1024));
        ok(&mut m, crt_rsc("res", &["alpha", "bravo"]));
        let modify = |n2: &str, rsc: &str| {
            Request::ModRscConn(MsgModRscConn {
                node_1_name: "alpha".into(),
                node_2_name: n2.into(),
                rsc_name: rsc.into(),
                ..Default::default()
            })
        };
        let e = refused(&mut m, modify("nope", "res"));
        assert_eq!(e.ret_code, 0xC000_0000_0224_012C);
        assert_eq!(e.message, "Node 'nope' not found.");
        assert!(is(
            &refused(&mut m, modify("bravo", "nope")),
            RC::FAIL_NOT_FOUND_RSC_DFN
        ));
        let e = refused(&mut m, modify("charlie", "res"));
        assert!(is(&e, RC::FAIL_NOT_FOUND_RSC));
        assert_eq!(e.message, "Resource 'res' on node 'charlie' not found.");
        let disable = |n2: &str| {
            Request::DisableDrbdProxy(MsgDisableDrbdProxy {
                node_1_name: "alpha".into(),
                node_2_name: n2.into(),
                rsc_name: "res".into(),
                ..Default::default()
            })
        };
        assert!(is(
            &refused(&mut m, disable("nope")),
            RC::FAIL_NOT_FOUND_NODE
        ));
        assert!(is(
            &refused(&mut m, disable("charlie")),
            RC::FAIL_NOT_FOUND_RSC
        ));
        let e = refused(&mut m, disable("bravo"));
        assert!(
            is(&e, RC::FAIL_NOT_FOUND_RSC_CONN),
            "both resources, no connection"
        );
    }

    fn deployed() -> Model {
        let mut m = cluster(&["alpha", "bravo", "charlie"]);
        ok(&mut m, crt_rsc_dfn("res"));
        ok(&mut m, crt_vlm_dfn("res", 1024));
        ok(&mut m, crt_rsc("res", &["alpha", "bravo", "charlie"]));
        m
    }

    fn list(m: &mut Model) -> Vec<WireRscConn> {
        let out = ok(
            m,
            Request::ReqRscConnList(MsgReqRscConn {
                rsc_name: "RES".into(),
            }),
        );
        match &out.immediate[0].bodies[0] {
            linstor_proto::Body::MsgLstRscConn(l) => l.rsc_connections.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn modify_and_list_connections() {
        let mut m = deployed();
        assert_eq!(list(&mut m).len(), 3, "one synthesized entry per pair");
        let modify = |props: &[(&str, &str)]| {
            Request::ModRscConn(MsgModRscConn {
                node_1_name: "bravo".into(),
                node_2_name: "alpha".into(),
                rsc_name: "res".into(),
                override_props: props.iter().map(|(k, v)| entry(k, v)).collect(),
                ..Default::default()
            })
        };
        let out = ok(
            &mut m,
            modify(&[
                ("Paths/p1/alpha", "default"),
                ("DrbdOptions/Net/protocol", "A"),
            ]),
        );
        assert_eq!(codes(&out), [0x0224_0003]);
        let stored = list(&mut m);
        let conn = stored
            .iter()
            .find(|c| !c.rsc_conn_props.is_empty())
            .expect("stored connection");
        assert_eq!(
            (conn.node_name_1.as_str(), conn.node_name_2.as_str()),
            ("bravo", "alpha")
        );
        assert_eq!(conn.rsc_conn_props.len(), 2);
        let e = refused(&mut m, modify(&[("Paths/p1/alpha", "eth9")]));
        assert_eq!(e.message, "Invalid property value");
        let e = refused(&mut m, modify(&[("DrbdOptions/Disk/al-updates", "yes")]));
        assert_eq!(e.ret_code, 0xC000_0000_0224_00D5);
        let e = refused(
            &mut m,
            Request::ReqRscConnList(MsgReqRscConn {
                rsc_name: "1".into(),
            }),
        );
        assert!(is(&e, RC::FAIL_INVLD_RSC_NAME) && e.error_report_ids.is_empty());
    }

    #[test]
    fn drbd_proxy_enable_disable_modify() {
        let mut m = deployed();
        let enable = |port: Option<i32>| {
            Request::EnableDrbdProxy(MsgEnableDrbdProxy {
                node_1_name: "alpha".into(),
                node_2_name: "bravo".into(),
                rsc_name: "res".into(),
                port,
                ..Default::default()
            })
        };
        assert!(is(
            &refused(&mut m, enable(Some(0))),
            RC::FAIL_INVLD_RSC_PORT
        ));
        let out = ok(&mut m, enable(None));
        assert_eq!(codes(&out), [0x0224_0003, 0x0224_0003, 0x0224_0003]);
        let conn = m.rsc_conns.values().next().expect("connection");
        assert_eq!(
            conn.port,
            Some(7001),
            "the next port after the definition's"
        );
        assert_eq!(conn.flags, ["LOCAL_DRBD_PROXY"]);
        let out = ok(
            &mut m,
            Request::DisableDrbdProxy(MsgDisableDrbdProxy {
                node_1_name: "bravo".into(),
                node_2_name: "alpha".into(),
                rsc_name: "res".into(),
                ..Default::default()
            }),
        );
        assert_eq!(codes(&out).len(), 3);
        assert!(
            m.rsc_conns
                .values()
                .all(|c| c.flags.is_empty() && c.port.is_none())
        );

        let proxy = |compression: Option<&str>, props: &[(&str, &str)]| {
            Request::ModifyDrbdProxy(MsgModDrbdProxy {
                rsc_name: "res".into(),
                override_props: vec![entry("DrbdOptions/Proxy/memlimit", "16777216")],
                compression_type: compression.map(Into::into),
                compression_props: props.iter().map(|(k, v)| entry(k, v)).collect(),
                ..Default::default()
            })
        };
        ok(
            &mut m,
            proxy(Some("zlib"), &[("DrbdOptions/ProxyCompression/level", "9")]),
        );
        let props = &m.rsc_dfns["RES"].props;
        assert_eq!(props["DrbdProxy/CompressionType"], "zlib");
        assert_eq!(props["DrbdOptions/ProxyCompression/level"], "9");
        let e = refused(
            &mut m,
            proxy(
                Some("zlib"),
                &[("DrbdOptions/ProxyCompression/mode", "fast")],
            ),
        );
        assert!(is(&e, RC::FAIL_INVLD_PROP), "mode is an lzma option");
        let e = refused(&mut m, proxy(Some("gzip"), &[]));
        assert_eq!(e.message, "Unknown compression type 'gzip'");
        ok(&mut m, proxy(Some("none"), &[]));
        let props = &m.rsc_dfns["RES"].props;
        assert!(!props.contains_key("DrbdProxy/CompressionType"));
        assert!(!props.contains_key("DrbdOptions/ProxyCompression/level"));
        let e = refused(
            &mut m,
            Request::ModifyDrbdProxy(MsgModDrbdProxy {
                rsc_name: "nope".into(),
                ..Default::default()
            }),
        );
        assert_eq!(e.message, "Resource definition 'nope' not found.");
    }

    /// alpha and bravo (`drbdpool` each) holding `rsc1`, which has no volume definition.
    fn rsc1_on_two() -> Model {
        let mut m = drbdpool_cluster(&["alpha", "bravo"]);
        ok(&mut m, crt_rsc_dfn("rsc1"));
        ok(&mut m, crt_rsc("rsc1", &["alpha", "bravo"]));
        m
    }

    fn rsc1_connections(m: &mut Model) -> Vec<WireRscConn> {
        let out = m.apply(Request::ReqRscConnList(MsgReqRscConn {
            rsc_name: "rsc1".into(),
        }));
        body!(out, MsgLstRscConn).rsc_connections
    }

    #[test]
    fn a_connection_keeps_whitelisted_props_and_is_listed_with_them() {
        let mut m = rsc1_on_two();
        let conn = |key: &str, value: &str| {
            Request::ModRscConn(MsgModRscConn {
                node_1_name: "alpha".into(),
                node_2_name: "bravo".into(),
                rsc_name: "rsc1".into(),
                override_props: vec![entry(key, value)],
                ..Default::default()
            })
        };
        assert_eq!(
            codes(&m.apply(conn("DrbdOptions/Net/protocol", "C"))),
            [0x0224_0003]
        );
        assert_eq!(
            codes(&m.apply(conn("StorPoolName", "x"))),
            [0xC000_0000_0224_00D5]
        );
        let list = rsc1_connections(&mut m);
        assert_eq!(list.len(), 1);
        assert_eq!(
            list[0].rsc_conn_props,
            [entry("DrbdOptions/Net/protocol", "C")]
        );
    }

    #[test]
    fn drbd_proxy_takes_the_next_free_port_and_disabling_clears_it() {
        let mut m = rsc1_on_two();
        let out = m.apply(Request::EnableDrbdProxy(MsgEnableDrbdProxy {
            node_1_name: "bravo".into(),
            node_2_name: "alpha".into(),
            rsc_name: "rsc1".into(),
            ..Default::default()
        }));
        assert!(RC(codes(&out)[0]).is_success());
        let list = rsc1_connections(&mut m);
        assert_eq!(list[0].rsc_conn_flags, ["LOCAL_DRBD_PROXY"]);
        assert_eq!(
            list[0].port,
            Some(7001),
            "the next free port after the definition's 7000"
        );
        let out = m.apply(Request::DisableDrbdProxy(MsgDisableDrbdProxy {
            node_1_name: "alpha".into(),
            node_2_name: "bravo".into(),
            rsc_name: "rsc1".into(),
            ..Default::default()
        }));
        assert!(RC(codes(&out)[0]).is_success());
        let list = rsc1_connections(&mut m);
        assert!(list[0].rsc_conn_flags.is_empty() && list[0].port.is_none());
    }

    #[test]
    fn drbd_proxy_compression_is_stored_on_the_definition() {
        let mut m = rsc1_on_two();
        let out = m.apply(Request::ModifyDrbdProxy(MsgModDrbdProxy {
            rsc_name: "rsc1".into(),
            override_props: vec![entry("DrbdOptions/Proxy/memlimit", "134217728")],
            compression_type: Some("zlib".into()),
            compression_props: vec![entry("DrbdOptions/ProxyCompression/level", "9")],
            ..Default::default()
        }));
        assert_eq!(codes(&out), [0x0238_0003]);
        let dfns = body!(m.apply(Request::LstRscDfn), MsgLstRscDfn);
        assert!(
            dfns.rsc_dfns[0]
                .rsc_dfn_props
                .contains(&entry("DrbdProxy/CompressionType", "zlib"))
        );
    }
}
