//! Nodes: creation (with their interfaces), modification, deletion, lost nodes and
//! reconnection (`docs/controller-rules.md#nodes`). Interfaces added later: `net_interfaces.rs`.

use linstor_proto::consts::{drivers, keys, names as special, node_types};
use linstor_proto::messages::{
    MsgCrtNode, MsgCrtSfTargetNode, MsgDelNode, MsgLstNode, MsgModNode, MsgNodeReconnect,
    NetInterface as WireNetIf, Node as WireNode,
};
use linstor_proto::return_code::{Object, Operation};
use linstor_proto::{ReturnCode as RC, calls::answers};

use super::events::StreamAction;
use super::names::{key, valid_node_name};
use super::props::{RuleSet, modify_props};
use super::reply::{Answer, Outcome, Problem, ctx, ensure, node_ctx};
use super::state::{Model, NODE_TYPES, NetIf, Node, Props, StorPool, StorPoolDfn, driver_allowed};
use super::wire::wire_node;

impl Model {
    pub(crate) fn crt_node(&mut self, msg: MsgCrtNode) -> Result<Outcome, Problem> {
        self.create_node(msg.node)
    }

    fn create_node(&mut self, node: WireNode) -> Result<Outcome, Problem> {
        let name = node.name.clone();
        let ctx = node_ctx(Operation::Create, &name);
        ensure(!node.net_interfaces.is_empty(), || {
            ctx.problem(RC::FAIL_MISSING_NETCOM, format!("Registration of node '{name}' failed."))
                .cause("No network interfaces were given.")
                .correction("At least one network interface has to be given and be marked to be used for controller-satellite communitaction.")
        })?;
        ensure(valid_node_name(&name), || {
            ctx.problem(
                RC::FAIL_INVLD_NODE_NAME,
                format!("The given node name '{name}' is invalid."),
            )
        })?;
        let node_type = node.r#type.to_ascii_uppercase();
        ensure(NODE_TYPES.contains(&node_type.as_str()), || {
            ctx.problem(
                RC::FAIL_INVLD_NODE_TYPE,
                format!("The specified node type '{}' is invalid.", node.r#type),
            )
        })?;
        ensure(self.node(&name).is_none(), || {
            ctx.problem(
                RC::FAIL_EXISTS_NODE,
                format!("Registration of node '{name}' failed."),
            )
            .cause(format!(
                "A node with the specified name '{name}' already exists."
            ))
        })?;
        let mut props = Props::new();
        modify_props(&ctx, RuleSet::Node, &mut props, &node.props, &[])?;
        let mut net_ifs: Vec<NetIf> = Vec::new();
        for wire in &node.net_interfaces {
            let net_if = self.check_net_if(&ctx, wire, &net_ifs)?;
            net_ifs.push(net_if);
        }
        let mut entries = Vec::new();
        match net_ifs.iter().find(|n| n.stlt.is_some()) {
            Some(stlt) => {
                props.insert(keys::CUR_STLT_CONN_NAME.to_owned(), stlt.name.clone());
            }
            None => entries.push(
                ctx.problem(
                    RC::WARN_NO_STLT_CONN_DEFINED,
                    format!("No satellite connection defined for node '{name}'"),
                )
                .warning(),
            ),
        }
        let uuid = self.uuid();
        let node_key = key(&name);
        if node_type == "SATELLITE" || node_type == "COMBINED" {
            // Its definition may have been deleted while no node had the pool: it comes
            // back, as CrtStorPool creates a missing definition.
            let spd_key = key(special::DFLT_DISKLESS_STOR_POOL);
            if !self.spds.contains_key(&spd_key) {
                let uuid = self.uuid();
                self.spds.insert(
                    spd_key,
                    StorPoolDfn {
                        uuid,
                        name: special::DFLT_DISKLESS_STOR_POOL.to_owned(),
                        props: Props::new(),
                    },
                );
            }
            let pool_uuid = self.uuid();
            self.pools.insert(
                (node_key.clone(), key(special::DFLT_DISKLESS_STOR_POOL)),
                StorPool::new(
                    pool_uuid,
                    &name,
                    special::DFLT_DISKLESS_STOR_POOL,
                    drivers::DISKLESS,
                    Props::new(),
                ),
            );
        }
        self.nodes.insert(
            node_key,
            Node {
                uuid: uuid.clone(),
                name: name.clone(),
                node_type,
                props,
                flags: Vec::new(),
                net_ifs,
                offline: false,
            },
        );
        entries.push(ctx.success(
            RC::CREATED,
            format!("New node '{name}' registered."),
            "Node UUID is:",
            &uuid,
        ));
        Ok(Outcome::reply(entries).changed())
    }

    pub(crate) fn crt_sf_target_node(
        &mut self,
        msg: MsgCrtSfTargetNode,
    ) -> Result<Outcome, Problem> {
        let used: Vec<i32> = self
            .nodes
            .values()
            .flat_map(|n| {
                n.net_ifs
                    .iter()
                    .filter_map(|i| i.stlt.as_ref().map(|s| s.0))
            })
            .collect();
        let port = (10000..=10999).find(|p| !used.contains(p)).unwrap_or(10000);
        self.create_node(WireNode {
            name: msg.name,
            r#type: node_types::SWORDFISH_TARGET.to_owned(),
            props: msg.props,
            net_interfaces: vec![WireNetIf {
                name: special::DEFAULT_NET_IF.to_owned(),
                address: "127.0.0.1".to_owned(),
                stlt_port: Some(port),
                stlt_encryption_type: Some("Plain".to_owned()),
                ..Default::default()
            }],
            ..Default::default()
        })
    }

    pub(crate) fn lst_node(&self) -> Outcome {
        let nodes = self.nodes.values().map(wire_node).collect();
        Outcome::list(answers::LST_NODE, MsgLstNode { nodes })
    }

    pub(crate) fn mod_node(&mut self, msg: MsgModNode) -> Result<Outcome, Problem> {
        let name = msg.node_name;
        let ctx = node_ctx(Operation::Modify, &name);
        let mut node = self
            .node(&name)
            .cloned()
            .ok_or_else(|| ctx.node_not_found(&name))?;
        if let Some(t) = msg.node_type.as_deref() {
            let upper = t.to_ascii_uppercase();
            ensure(NODE_TYPES.contains(&upper.as_str()), || {
                ctx.problem(
                    RC::FAIL_INVLD_NODE_TYPE,
                    format!("The specified node type '{t}' is invalid."),
                )
            })?;
            // Every pool counts, the default diskless one included: a node with any pool
            // cannot become a Controller or Auxiliary node.
            let node_key = key(&node.name);
            let blocked = self
                .pools
                .iter()
                .any(|((n, _), p)| *n == node_key && !driver_allowed(&upper, &p.driver));
            ensure(!blocked, || {
                ctx.problem(RC::FAIL_INVLD_STOR_DRIVER, "Failed to change node type")
            })?;
            node.node_type = upper;
        }
        modify_props(
            &ctx,
            RuleSet::Node,
            &mut node.props,
            &msg.override_props,
            &msg.delete_prop_keys,
        )?;
        let uuid = node.uuid.clone();
        let display = node.name.clone();
        self.nodes.insert(key(&display), node);
        Ok(Outcome::one(ctx.success(
            RC::MODIFIED,
            format!("Node '{display}' modified."),
            "Node UUID is:",
            &uuid,
        ))
        .changed())
    }

    /// `DelNode`, or `LostNode` when `lost`: the same checks, lost nodes skip the satellite
    /// steps.
    pub(crate) fn del_node(&mut self, msg: MsgDelNode, lost: bool) -> Result<Outcome, Problem> {
        let name = msg.node_name;
        let ctx = node_ctx(Operation::Delete, &name);
        ensure(valid_node_name(&name), || {
            ctx.problem(
                RC::FAIL_INVLD_NODE_NAME,
                format!("The given node name '{name}' is invalid."),
            )
        })?;
        let node_key = key(&name);
        let node = self.nodes.get(&node_key).cloned().ok_or_else(|| {
            ctx.problem(
                RC::WARN_NOT_FOUND,
                format!("Deletion of node '{name}' had no effect."),
            )
            .cause(format!("Node '{name}' does not exist."))
        })?;
        let display = node.name.clone();
        let has_snapshots = self.rsc_dfns.values().any(|d| {
            d.snapshots
                .values()
                .any(|s| s.nodes.iter().any(|n| key(n) == node_key))
        });
        ensure(lost || !has_snapshots, || {
            ctx.problem(
                RC::FAIL_EXISTS_SNAPSHOT,
                format!("Cannot delete '{display}' because it has snapshots."),
            )
        })?;
        let rsc_keys: Vec<(String, String)> = self
            .rscs
            .keys()
            .filter(|(_, n)| *n == node_key)
            .cloned()
            .collect();
        let mut out = Outcome::default().changed();
        let mut deferred = Vec::new();
        for (rsc_key, _) in &rsc_keys {
            if let Some(rsc) = self.rscs.remove(&(rsc_key.clone(), node_key.clone())) {
                self.close_resource_streams(
                    &mut out.events,
                    &rsc.node_name,
                    &rsc.rsc_name,
                    StreamAction::CloseRemoved,
                );
                let peers: Vec<String> = self
                    .rscs_of(rsc_key)
                    .map(|(_, p)| p.node_name.clone())
                    .collect();
                if lost {
                    for peer in peers {
                        deferred.push(ctx.plain(
                            RC::MODIFIED,
                            format!("Notified '{peer}' that '{display}' has been lost"),
                        ));
                    }
                } else {
                    deferred.push(ctx.plain(
                        RC::MODIFIED,
                        format!("Deleted resource '{}' on '{display}'", rsc.rsc_name),
                    ));
                    for peer in peers {
                        deferred.push(ctx.plain(
                            RC::MODIFIED,
                            format!("Notified '{peer}' that resource '{}' on '{display}' is being deleted", rsc.rsc_name),
                        ));
                    }
                }
            }
        }
        self.pools.retain(|(n, _), _| *n != node_key);
        self.remove_rsc_conns_where(|(_, a, b)| *a == node_key || *b == node_key);
        self.nodes.remove(&node_key);
        let deleted = ctx.success(
            RC::DELETED,
            format!("Node '{display}' deleted."),
            "Node UUID was:",
            &node.uuid,
        );
        if rsc_keys.is_empty() || lost {
            out.immediate.push(Answer::reply(vec![deleted]));
        } else {
            let marked = ctx.success(
                RC::DELETED,
                format!("Node '{display}' marked for deletion."),
                "Node UUID is:",
                &node.uuid,
            );
            out.immediate.push(Answer::reply(vec![marked]));
            deferred.push(deleted);
        }
        Ok(out.deferred(deferred))
    }

    pub(crate) fn node_reconnect(&mut self, msg: MsgNodeReconnect) -> Result<Outcome, Problem> {
        let ctx = ctx(
            Operation::Modify,
            Object::Node,
            format!("Nodes: {}", msg.nodes.join(", ")),
        );
        let mut display = Vec::new();
        for name in &msg.nodes {
            let node = self.node(name).ok_or_else(|| ctx.node_not_found(name))?;
            display.push(node.name.clone());
        }
        let mut out = Outcome::one(ctx.plain(
            RC(0),
            format!("Nodes [{}] will be reconnected.", display.join(",")),
        ));
        // The satellites reconnect at once: streams close and reopen with their values.
        let keys: Vec<(String, String)> = self
            .rscs
            .keys()
            .filter(|(_, n)| display.iter().any(|d| key(d) == *n))
            .cloned()
            .collect();
        for (rsc_key, node_key) in keys {
            if let Some(rsc) = self.rscs.get(&(rsc_key.clone(), node_key.clone())) {
                let (node, name) = (rsc.node_name.clone(), rsc.rsc_name.clone());
                self.close_resource_streams(
                    &mut out.events,
                    &node,
                    &name,
                    StreamAction::CloseNoConnection,
                );
                self.emit_resource_state(&mut out.events, &rsc_key, &node_key);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::{
        body, cluster, codes, crt_node, crt_rsc, crt_rsc_dfn, crt_vlm_dfn, drbdpool_cluster, entry,
        first, is, ok, refused,
    };
    use linstor_proto::Request;

    fn del_node(name: &str) -> Request {
        Request::DelNode(MsgDelNode {
            node_name: name.into(),
            ..Default::default()
        })
    }

    fn retype(node: &str, kind: &str) -> Request {
        Request::ModNode(MsgModNode {
            node_name: node.into(),
            node_type: Some(kind.into()),
            ..Default::default()
        })
    }

    #[test]
    fn a_node_with_any_pool_cannot_become_a_controller() {
        let mut m = Model::default();
        // A satellite holds only its default diskless pool.
        ok(&mut m, crt_node("alpha", "Satellite", "10.0.0.1"));
        let e = refused(&mut m, retype("alpha", "Controller"));
        assert_eq!(e.ret_code, 0xC000_0000_023C_00DD);
        assert_eq!(e.message, "Failed to change node type");
        assert_eq!(e.error_report_ids.len(), 1);
        assert_eq!(
            m.node("alpha").map(|n| n.node_type.as_str()),
            Some("SATELLITE")
        );
        assert!(is(
            &refused(&mut m, retype("alpha", "Auxiliary")),
            RC::FAIL_INVLD_STOR_DRIVER
        ));
        ok(&mut m, retype("alpha", "Combined"));
        // A node without pools changes freely.
        ok(&mut m, crt_node("ctrl", "Controller", "10.0.0.2"));
        ok(&mut m, retype("ctrl", "Satellite"));
        ok(&mut m, retype("ctrl", "Auxiliary"));
    }

    fn nodes(m: &mut Model) -> Vec<WireNode> {
        let out = m.apply(Request::LstNode);
        assert_eq!(out.immediate[0].content, "LstNode");
        body!(out, MsgLstNode).nodes
    }

    fn with(f: &dyn Fn(&mut WireNode)) -> Request {
        let Request::CrtNode(mut msg) = crt_node("alpha", "Satellite", "10.0.0.1") else {
            unreachable!()
        };
        f(&mut msg.node);
        Request::CrtNode(msg)
    }

    #[test]
    fn a_new_node_is_answered_with_its_name_and_uuid() {
        let mut m = Model::default();
        let out = m.apply(crt_node("alpha", "Satellite", "127.0.0.10"));
        let e = first(&out);
        assert_eq!(e.ret_code, 0x0000_0000_013C_0001);
        assert_eq!(e.message, "New node 'alpha' registered.");
        assert!(
            e.details
                .as_deref()
                .is_some_and(|d| d.starts_with("Node UUID is: "))
        );
        assert_eq!(e.obj_refs[0], entry("Node", "alpha"));
        assert_eq!(e.obj_refs[1].key, "UUID");
    }

    #[test]
    fn node_names_are_case_insensitive_and_a_duplicate_is_logged() {
        let mut m = Model::default();
        ok(&mut m, crt_node("alpha", "Satellite", "127.0.0.10"));
        let e = refused(&mut m, crt_node("ALPHA", "Satellite", "127.0.0.11"));
        assert_eq!(e.ret_code, 0xC000_0000_013C_01F4);
        assert_eq!(
            e.cause.as_deref(),
            Some("A node with the specified name 'ALPHA' already exists.")
        );
        assert_eq!(e.error_report_ids.len(), 1);
    }

    #[test]
    fn the_node_list_shows_types_connections_and_satellite_ports() {
        let mut m = Model::default();
        ok(&mut m, crt_node("alpha", "Satellite", "127.0.0.10"));
        // No satellite connection: the warning comes first, then the success entry.
        let out = m.apply(with(&|n| {
            n.name = "charlie".into();
            n.r#type = "Auxiliary".into();
            n.net_interfaces[0].address = "10.1.1.1".into();
            n.net_interfaces[0].stlt_port = None;
        }));
        let cs = codes(&out);
        assert!(RC(cs[0]).is_code(RC::WARN_NO_STLT_CONN_DEFINED), "{cs:x?}");
        assert_eq!(cs[1], 0x013C_0001);
        let list = nodes(&mut m);
        let names: Vec<_> = list
            .iter()
            .map(|n| (n.name.as_str(), n.r#type.as_str()))
            .collect();
        assert_eq!(names, [("alpha", "SATELLITE"), ("charlie", "AUXILIARY")]);
        let alpha = &list[0];
        assert_eq!(alpha.connection_status, Some(2));
        assert_eq!(alpha.props, [entry("CurStltConnName", "default")]);
        assert_eq!(
            alpha.net_interfaces[0].stlt_encryption_type.as_deref(),
            Some("PLAIN")
        );
        assert_eq!(alpha.net_interfaces[0].stlt_port, Some(3366));
        assert_eq!(list[1].net_interfaces[0].stlt_port, None);
    }

    #[test]
    fn node_props_are_checked_against_the_whitelist() {
        let mut m = drbdpool_cluster(&["alpha"]);
        let modify = |node: &str, key: &str, value: &str| {
            Request::ModNode(MsgModNode {
                node_name: node.into(),
                override_props: vec![entry(key, value)],
                ..Default::default()
            })
        };
        assert_eq!(
            codes(&m.apply(modify("Alpha", "Aux/rack", "7"))),
            [0x023C_0003]
        );
        let e = refused(&mut m, modify("alpha", "PrefNic", "x"));
        assert_eq!(e.ret_code, 0xC000_0000_023C_00D5);
        assert_eq!(e.message, "Invalid property key");
        assert_eq!(
            e.cause.as_deref(),
            Some("The key 'PrefNic' is not whitelisted.")
        );
    }

    #[test]
    fn deleting_a_missing_node_warns_without_a_report() {
        let mut m = drbdpool_cluster(&["alpha"]);
        let e = refused(&mut m, del_node("zulu"));
        assert_eq!(e.ret_code, 0x8000_0000_033C_0BB8);
        assert!(e.error_report_ids.is_empty());
    }

    #[test]
    fn a_node_without_resources_is_deleted_at_once() {
        let mut m = drbdpool_cluster(&["alpha"]);
        let out = m.apply(del_node("alpha"));
        assert_eq!(codes(&out), [0x033C_0002]);
        assert_eq!(first(&out).message, "Node 'alpha' deleted.");
        assert!(nodes(&mut m).is_empty());
    }

    #[test]
    fn create_list_modify_delete() {
        let mut m = Model::default();
        let out = ok(&mut m, crt_node("alpha", "satellite", "10.0.0.1"));
        let e = out.entries().next().expect("entry");
        assert_eq!(e.ret_code, 0x013C_0001);
        assert_eq!(e.message, "New node 'alpha' registered.");
        assert!(out.changed);
        let listed = nodes(&mut m);
        assert_eq!(listed[0].r#type, "SATELLITE");
        assert_eq!(listed[0].props, [entry("CurStltConnName", "default")]);
        assert_eq!(
            listed[0].net_interfaces[0].stlt_encryption_type.as_deref(),
            Some("PLAIN")
        );
        assert!(
            m.pools
                .contains_key(&("ALPHA".into(), "DFLTDISKLESSSTORPOOL".into()))
        );

        let out = ok(
            &mut m,
            Request::ModNode(MsgModNode {
                node_name: "ALPHA".into(),
                override_props: vec![entry("Aux/rack", "7")],
                delete_prop_keys: vec!["absent".into()],
                ..Default::default()
            }),
        );
        assert_eq!(codes(&out), [0x023C_0003]);
        assert_eq!(m.node("alpha").expect("node").props["Aux/rack"], "7");

        let del = del_node("alpha");
        let out = ok(&mut m, del.clone());
        assert_eq!(codes(&out), [0x033C_0002]);
        assert!(m.nodes.is_empty() && m.pools.is_empty());
        let e = refused(&mut m, del);
        assert_eq!(e.ret_code, 0x8000_0000_033C_0BB8);
        assert_eq!(e.message, "Deletion of node 'alpha' had no effect.");
        assert!(e.error_report_ids.is_empty());
    }

    #[test]
    fn creation_is_validated_in_the_controllers_order() {
        let mut m = Model::default();
        let e = refused(&mut m, with(&|n| n.net_interfaces.clear()));
        assert_eq!(e.ret_code, 0xC000_0000_013C_025B);
        assert_eq!(e.error_report_ids.len(), 1);
        let e = refused(&mut m, with(&|n| n.name = "-bad".into()));
        assert_eq!(e.ret_code, 0xC000_0000_013C_00C8);
        assert_eq!(e.message, "The given node name '-bad' is invalid.");
        let e = refused(&mut m, with(&|n| n.r#type = "Robot".into()));
        assert_eq!(e.ret_code, 0xC000_0000_013C_00C9);
        assert!(is(&e, RC::FAIL_INVLD_NODE_TYPE));
        let e = refused(&mut m, with(&|n| n.props = vec![entry("Foo", "1")]));
        assert_eq!(
            (e.message.as_str(), e.cause.as_deref()),
            (
                "Invalid property key",
                Some("The key 'Foo' is not whitelisted.")
            )
        );
        let e = refused(
            &mut m,
            with(&|n| n.net_interfaces[0].address = "1.2.3.04".into()),
        );
        assert!(is(&e, RC::FAIL_INVLD_NET_ADDR));
        assert_eq!(RC(e.ret_code).code(), 210);
        let e = refused(&mut m, with(&|n| n.net_interfaces[0].stlt_port = Some(0)));
        assert!(is(&e, RC::FAIL_INVLD_NET_PORT));
        assert!(m.nodes.is_empty(), "nothing stored");
        ok(&mut m, with(&|_| {}));
    }

    #[test]
    fn deleting_a_node_with_resources_and_snapshots() {
        let mut m = cluster(&["alpha", "bravo"]);
        for r in [
            crt_rsc_dfn("res"),
            crt_vlm_dfn("res", 1024),
            crt_rsc("res", &["alpha", "bravo"]),
        ] {
            ok(&mut m, r);
        }
        let out = ok(&mut m, del_node("alpha"));
        let immediate: Vec<&str> = out.immediate[0]
            .entries()
            .map(|e| e.message.as_str())
            .collect();
        assert_eq!(immediate, ["Node 'alpha' marked for deletion."]);
        let deferred: Vec<&str> = out.deferred[0]
            .entries()
            .map(|e| e.message.as_str())
            .collect();
        assert_eq!(
            deferred,
            [
                "Deleted resource 'res' on 'alpha'",
                "Notified 'bravo' that resource 'res' on 'alpha' is being deleted",
                "Node 'alpha' deleted.",
            ]
        );
        assert!(
            out.events
                .iter()
                .all(|e| e.action == crate::model::StreamAction::CloseRemoved)
        );
        let snap = Request::CrtSnapshot(linstor_proto::messages::MsgCrtSnapshot {
            snapshot_dfn: linstor_proto::messages::SnapshotDfn {
                rsc_name: "res".into(),
                snapshot_name: "s1".into(),
                ..Default::default()
            },
        });
        ok(&mut m, snap);
        let e = refused(&mut m, del_node("bravo"));
        assert_eq!(e.message, "Cannot delete 'bravo' because it has snapshots.");
        let lost = Request::LostNode(MsgDelNode {
            node_name: "bravo".into(),
            ..Default::default()
        });
        assert_eq!(codes(&ok(&mut m, lost)), [0x033C_0002]);
        assert!(m.rscs.is_empty());
    }

    #[test]
    fn reconnect_reopens_streams_and_swordfish_targets_get_a_port() {
        let mut m = cluster(&["alpha"]);
        for r in [
            crt_rsc_dfn("res"),
            crt_vlm_dfn("res", 1024),
            crt_rsc("res", &["alpha"]),
        ] {
            ok(&mut m, r);
        }
        let reconnect = |nodes: &[&str]| {
            Request::NodeReconnect(MsgNodeReconnect {
                nodes: nodes.iter().map(|n| (*n).into()).collect(),
            })
        };
        let out = ok(&mut m, reconnect(&["ALPHA"]));
        let e = out.entries().next().expect("entry");
        assert_eq!(
            (e.ret_code, e.message.as_str()),
            (0x023C_0000, "Nodes [alpha] will be reconnected.")
        );
        let actions: Vec<&str> = out.events.iter().map(|e| e.action.name()).collect();
        assert_eq!(
            actions,
            ["CloseNoConnection", "CloseNoConnection", "Value", "Value"]
        );
        assert!(is(
            &refused(&mut m, reconnect(&["alpha", "nope"])),
            RC::FAIL_NOT_FOUND_NODE
        ));

        let sf = Request::CrtSfTargetNode(MsgCrtSfTargetNode {
            name: "sf1".into(),
            props: vec![entry("StorDriver/SwordfishStorSvc", "svc")],
        });
        ok(&mut m, sf);
        let node = m.node("sf1").expect("node");
        assert_eq!(node.node_type, "SWORDFISH_TARGET");
        assert_eq!(node.net_ifs[0].stlt, Some((10000, "PLAIN".into())));
    }
}
