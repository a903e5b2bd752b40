//! Network interfaces of nodes (`docs/controller-rules.md#nodes`).

use linstor_proto::ReturnCode as RC;
use linstor_proto::consts::keys;
use linstor_proto::messages::{MsgCrtNetInterface, MsgDelNetInterface, MsgModNetInterface};
use linstor_proto::return_code::Operation;

use super::names::{key, valid_ip, valid_net_if_name};
use super::reply::{Outcome, Problem, ensure, net_if_ctx};
use super::state::{Model, check_stlt, invalid_address};

impl Model {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::{
        body, codes, crt_node, drbdpool_cluster, first, is, net_if, ok, refused,
    };
    use linstor_proto::Request;
    use linstor_proto::messages::NetInterface as WireNetIf;

    fn crt_if(node: &str, net_if: WireNetIf) -> Request {
        Request::CrtNetIf(MsgCrtNetInterface {
            node_name: node.into(),
            net_if,
        })
    }

    #[test]
    fn interfaces_create_modify_delete() {
        let mut m = Model::default();
        ok(&mut m, crt_node("alpha", "Satellite", "10.0.0.1"));
        let create = |i: WireNetIf| crt_if("alpha", i);
        let out = ok(&mut m, create(net_if("eth1", "10.1.0.1", None)));
        assert_eq!(codes(&out), [0x011C_0001]);
        let e = refused(&mut m, create(net_if("ETH1", "10.1.0.2", None)));
        assert_eq!(
            e.message,
            "NetInterface 'ETH1' on node 'alpha' already exists."
        );
        let e = refused(&mut m, create(net_if("eth2", "10.1.0.2", Some(3367))));
        assert_eq!(e.message, "Only one satellite connection allowed");
        let e = refused(&mut m, crt_if("nope", net_if("eth2", "10.1.0.2", None)));
        assert!(is(&e, RC::FAIL_NOT_FOUND_NODE));

        let modify = |name: &str| {
            Request::ModNetIf(MsgModNetInterface {
                node_name: "alpha".into(),
                net_if: net_if(name, "10.1.0.9", None),
            })
        };
        assert_eq!(codes(&ok(&mut m, modify("eth1"))), [0x021C_0003]);
        assert_eq!(
            m.node("alpha").expect("node").net_ifs[1].address,
            "10.1.0.9"
        );
        let e = refused(&mut m, modify("eth9"));
        assert_eq!(
            e.message,
            "Node 'alpha' has no network interface named 'eth9'."
        );
        assert_eq!(e.error_report_ids.len(), 1);

        let del = |name: &str| {
            Request::DelNetIf(MsgDelNetInterface {
                node_name: "alpha".into(),
                net_if_name: name.into(),
            })
        };
        assert_eq!(codes(&ok(&mut m, del("eth1"))), [0x031C_0002]);
        let e = refused(&mut m, del("eth1"));
        assert_eq!(e.ret_code, 0x8000_0000_031C_0BB8);
        // Deleting the satellite interface drops CurStltConnName.
        ok(&mut m, del("default"));
        assert!(m.node("alpha").expect("node").props.is_empty());
    }

    #[test]
    fn a_new_interface_is_registered_once() {
        let mut m = drbdpool_cluster(&["alpha"]);
        let eth1 = || {
            crt_if(
                "alpha",
                WireNetIf {
                    name: "eth1".into(),
                    address: "10.9.9.9".into(),
                    ..Default::default()
                },
            )
        };
        let out = m.apply(eth1());
        assert_eq!(codes(&out), [0x011C_0001]);
        assert_eq!(
            first(&out).message,
            "New netInterface 'eth1' on node 'alpha' registered."
        );
        assert_eq!(RC(codes(&m.apply(eth1()))[0]).code(), 505);
    }

    #[test]
    fn modifying_an_interface_sets_address_port_and_encryption() {
        let mut m = drbdpool_cluster(&["alpha"]);
        ok(&mut m, crt_if("alpha", net_if("eth1", "10.9.9.9", None)));
        let modify = |encryption: &str| {
            Request::ModNetIf(MsgModNetInterface {
                node_name: "alpha".into(),
                net_if: WireNetIf {
                    name: "eth1".into(),
                    address: "10.9.9.10".into(),
                    stlt_port: Some(3367),
                    stlt_encryption_type: Some(encryption.into()),
                    ..Default::default()
                },
            })
        };
        assert_eq!(codes(&m.apply(modify("SSL"))), [0x021C_0003]);
        assert_eq!(RC(codes(&m.apply(modify("Carrier")))[0]).code(), 212);
        let list = body!(m.apply(Request::LstNode), MsgLstNode);
        let eth1 = list.nodes[0]
            .net_interfaces
            .iter()
            .find(|i| i.name == "eth1")
            .expect("eth1 listed");
        assert_eq!(
            (
                eth1.address.as_str(),
                eth1.stlt_port,
                eth1.stlt_encryption_type.as_deref()
            ),
            ("10.9.9.10", Some(3367), Some("SSL"))
        );
    }

    #[test]
    fn deleting_a_missing_interface_warns() {
        let mut m = drbdpool_cluster(&["alpha"]);
        let e = refused(
            &mut m,
            Request::DelNetIf(MsgDelNetInterface {
                node_name: "alpha".into(),
                net_if_name: "nope".into(),
            }),
        );
        assert_eq!(
            e.message,
            "Deletion of netInterface 'nope' on node 'alpha' had no effect."
        );
        assert!(RC(e.ret_code).is_warning());
    }

    #[test]
    fn swordfish_targets_take_no_interfaces() {
        let mut m = Model::default();
        ok(&mut m, crt_node("sf1", "SWORDFISH_TARGET", "10.0.0.1"));
        let e = refused(&mut m, crt_if("sf1", net_if("eth1", "10.1.0.1", None)));
        assert!(is(&e, RC::FAIL_INVLD_NODE_TYPE));
        assert_eq!(
            e.message,
            "Network interfaces cannot be added to Swordfish target nodes."
        );
    }
}
