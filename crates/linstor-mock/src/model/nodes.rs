//! Nodes and their network interfaces, lost nodes and reconnection
//! (`docs/controller-rules.md#nodes`).

use linstor_proto::consts::{drivers, keys, names as special, node_types};
use linstor_proto::messages::{
    MsgCrtNetInterface, MsgCrtNode, MsgCrtSfTargetNode, MsgDelNetInterface, MsgDelNode, MsgLstNode,
    MsgModNetInterface, MsgModNode, MsgNodeReconnect, NetInterface as WireNetIf, Node as WireNode,
    node::ConnectionStatus,
};
use linstor_proto::return_code::{Object, Operation};
use linstor_proto::{ReturnCode as RC, calls::answers};

use super::events::StreamAction;
use super::names::{key, valid_ip, valid_net_if_name, valid_node_name, valid_port};
use super::props::{RuleSet, modify_props};
use super::reply::{Answer, Ctx, Outcome, Problem, ctx, ensure, net_if_ctx, node_ctx};
use super::state::{
    Model, NODE_TYPES, NetIf, Node, Props, StorPool, driver_allowed, props_to_wire,
};

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

    /// Validates one interface of a node being created or an interface being added.
    fn check_net_if(
        &mut self,
        ctx: &Ctx,
        wire: &WireNetIf,
        existing: &[NetIf],
    ) -> Result<NetIf, Problem> {
        ensure(valid_net_if_name(&wire.name), || {
            ctx.problem(
                RC::FAIL_INVLD_NET_NAME,
                format!(
                    "The specified net interface name '{}' is invalid.",
                    wire.name
                ),
            )
        })?;
        ensure(valid_ip(&wire.address), || {
            invalid_address(ctx, &wire.address)
        })?;
        ensure(
            !existing
                .iter()
                .any(|n| n.name.eq_ignore_ascii_case(&wire.name)),
            || {
                ctx.problem(
                    RC::FAIL_EXISTS_NET_IF,
                    format!(
                        "A net interface with the name '{}' already exists.",
                        wire.name
                    ),
                )
            },
        )?;
        let stlt = check_stlt(ctx, wire)?;
        let uuid = self.uuid();
        Ok(NetIf {
            uuid,
            name: wire.name.clone(),
            address: wire.address.clone(),
            stlt,
        })
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
        let nodes = self
            .nodes
            .values()
            .map(|n| WireNode {
                uuid: Some(n.uuid.clone()),
                name: n.name.clone(),
                r#type: n.node_type.clone(),
                props: props_to_wire(&n.props),
                flags: n.flags.clone(),
                net_interfaces: n
                    .net_ifs
                    .iter()
                    .map(|i| WireNetIf {
                        uuid: Some(i.uuid.clone()),
                        name: i.name.clone(),
                        address: i.address.clone(),
                        stlt_port: i.stlt.as_ref().map(|s| s.0),
                        stlt_encryption_type: i.stlt.as_ref().map(|s| s.1.clone()),
                    })
                    .collect(),
                connection_status: Some(ConnectionStatus::Online as i32),
            })
            .collect();
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
                    .rscs
                    .iter()
                    .filter(|((r, _), _)| r == rsc_key)
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
        self.rsc_conns
            .retain(|(_, a, b), _| *a != node_key && *b != node_key);
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

    pub(crate) fn crt_net_if(&mut self, msg: MsgCrtNetInterface) -> Result<Outcome, Problem> {
        let node_name = msg.node_name;
        let ctx = net_if_ctx(Operation::Create, &node_name, &msg.net_if.name);
        let mut node = self
            .node(&node_name)
            .cloned()
            .ok_or_else(|| ctx.node_not_found(&node_name))?;
        ensure(node.node_type != "SWORDFISH_TARGET", || {
            ctx.problem(
                RC::FAIL_INVLD_NODE_TYPE,
                "Network interfaces cannot be added to Swordfish target nodes.",
            )
        })?;
        let exists = node
            .net_ifs
            .iter()
            .any(|n| n.name.eq_ignore_ascii_case(&msg.net_if.name));
        ensure(!exists || !valid_net_if_name(&msg.net_if.name), || {
            ctx.problem(
                RC::FAIL_EXISTS_NET_IF,
                format!(
                    "NetInterface '{}' on node '{}' already exists.",
                    msg.net_if.name, node.name
                ),
            )
        })?;
        let net_if = self.check_net_if(&ctx, &msg.net_if, &node.net_ifs)?;
        let has_stlt = node.net_ifs.iter().any(|n| n.stlt.is_some());
        ensure(msg.net_if.stlt_port.is_none() || !has_stlt, || {
            ctx.problem(
                RC::FAIL_EXISTS_STLT_CONN,
                "Only one satellite connection allowed",
            )
        })?;
        let (uuid, if_name) = (net_if.uuid.clone(), net_if.name.clone());
        if net_if.stlt.is_some() {
            node.props
                .insert(keys::CUR_STLT_CONN_NAME.to_owned(), if_name.clone());
        }
        node.net_ifs.push(net_if);
        let display = node.name.clone();
        self.nodes.insert(key(&display), node);
        Ok(Outcome::one(ctx.success(
            RC::CREATED,
            format!("New netInterface '{if_name}' on node '{display}' registered."),
            "NetInterface UUID is:",
            &uuid,
        ))
        .changed())
    }

    pub(crate) fn mod_net_if(&mut self, msg: MsgModNetInterface) -> Result<Outcome, Problem> {
        let node_name = msg.node_name;
        let if_name = msg.net_if.name.clone();
        let ctx = net_if_ctx(Operation::Modify, &node_name, &if_name);
        let mut node = self
            .node(&node_name)
            .cloned()
            .ok_or_else(|| ctx.node_not_found(&node_name))?;
        let display = node.name.clone();
        let idx = node
            .net_ifs
            .iter()
            .position(|n| n.name.eq_ignore_ascii_case(&if_name))
            .ok_or_else(|| ctx.net_if_not_found(&display, &if_name))?;
        ensure(valid_ip(&msg.net_if.address), || {
            invalid_address(&ctx, &msg.net_if.address)
        })?;
        if let Some(stlt) = check_stlt(&ctx, &msg.net_if)? {
            node.net_ifs[idx].stlt = Some(stlt);
            node.props.insert(
                keys::CUR_STLT_CONN_NAME.to_owned(),
                node.net_ifs[idx].name.clone(),
            );
        }
        node.net_ifs[idx].address = msg.net_if.address.clone();
        let uuid = node.net_ifs[idx].uuid.clone();
        let stored = node.net_ifs[idx].name.clone();
        self.nodes.insert(key(&display), node);
        Ok(Outcome::one(ctx.success(
            RC::MODIFIED,
            format!("NetInterface '{stored}' on node '{display}' modified."),
            "NetInterface UUID is:",
            &uuid,
        ))
        .changed())
    }

    pub(crate) fn del_net_if(&mut self, msg: MsgDelNetInterface) -> Result<Outcome, Problem> {
        let (node_name, if_name) = (msg.node_name, msg.net_if_name);
        let ctx = net_if_ctx(Operation::Delete, &node_name, &if_name);
        let mut node = self
            .node(&node_name)
            .cloned()
            .ok_or_else(|| ctx.node_not_found(&node_name))?;
        let display = node.name.clone();
        let idx = node
            .net_ifs
            .iter()
            .position(|n| n.name.eq_ignore_ascii_case(&if_name))
            .ok_or_else(|| {
                ctx.problem(
                    RC::WARN_NOT_FOUND,
                    format!(
                        "Deletion of netInterface '{if_name}' on node '{display}' had no effect."
                    ),
                )
                .cause(format!(
                    "NetInterface '{if_name}' on node '{display}' does not exist."
                ))
            })?;
        let removed = node.net_ifs.remove(idx);
        if node.props.get(keys::CUR_STLT_CONN_NAME) == Some(&removed.name) {
            node.props.remove(keys::CUR_STLT_CONN_NAME);
        }
        self.nodes.insert(key(&display), node);
        Ok(Outcome::one(ctx.success(
            RC::DELETED,
            format!(
                "NetInterface '{}' on node '{display}' deleted.",
                removed.name
            ),
            "NetInterface UUID was:",
            &removed.uuid,
        ))
        .changed())
    }
}

fn invalid_address(ctx: &Ctx, address: &str) -> Problem {
    ctx.problem(
        RC::FAIL_INVLD_NET_ADDR,
        format!("The specified net interface address '{address}' is invalid."),
    )
}

/// The satellite connection of an interface: only when both port and encryption type are
/// given; both checked.
fn check_stlt(ctx: &Ctx, wire: &WireNetIf) -> Result<Option<(i32, String)>, Problem> {
    let (Some(port), Some(enc)) = (wire.stlt_port, wire.stlt_encryption_type.as_deref()) else {
        return Ok(None);
    };
    ensure(valid_port(port), || {
        ctx.problem(
            RC::FAIL_INVLD_NET_PORT,
            format!("The specified port '{port}' is invalid."),
        )
    })?;
    let enc = enc.to_ascii_uppercase();
    ensure(enc == "PLAIN" || enc == "SSL", || {
        ctx.problem(
            RC::FAIL_INVLD_NET_TYPE,
            format!("The specified encryption type '{enc}' is invalid."),
        )
    })?;
    Ok(Some((port, enc)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::{crt_node, is, ok, refused};
    use linstor_proto::Request;

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
}
