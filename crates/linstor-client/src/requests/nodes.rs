//! Request builders of the node calls with client-side logic: `node_create` (default
//! port by connection and node type), `node_create_swordfish_target`, `node_modify`, and the
//! network-interface calls (port and connection type go together).

use linstor_proto::Request;
#[allow(unused_imports)]
use linstor_proto::consts::*;
use linstor_proto::messages::*;

use super::*;
use crate::ClientError;

/// `node_create`: `CrtNode` with one network interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeCreate {
    /// Node name.
    pub node_name: String,
    /// `Controller`, `Satellite`, `Combined` or `Auxiliary`.
    pub node_type: String,
    /// Address of the interface.
    pub ip: String,
    /// `Plain` (default) or `SSL`.
    pub com_type: String,
    /// Satellite port; default by connection and node type (3366/3367/3376/3377).
    pub port: Option<i32>,
    /// Interface name (default `default`).
    pub netif_name: String,
}

impl NodeCreate {
    /// A node with the defaults of the Python client.
    pub fn new(
        node_name: impl Into<String>,
        node_type: impl Into<String>,
        ip: impl Into<String>,
    ) -> NodeCreate {
        NodeCreate {
            node_name: node_name.into(),
            node_type: node_type.into(),
            ip: ip.into(),
            com_type: netcom::PLAIN.to_owned(),
            port: None,
            netif_name: names::DEFAULT_NET_IF.to_owned(),
        }
    }
}

impl IntoRequest for NodeCreate {
    fn request(&self) -> Result<Request, ClientError> {
        let known = [
            node_types::CONTROLLER,
            node_types::AUXILIARY,
            node_types::COMBINED,
            node_types::SATELLITE,
        ];
        if !known.contains(&self.node_type.as_str()) {
            return Err(invalid(format!(
                "Unknown node type '{}'. Known types are: {}",
                self.node_type,
                known.join(", ")
            )));
        }
        let port = match self.port {
            Some(p) => p,
            None => i32::from(match (self.com_type.as_str(), self.node_type.as_str()) {
                (netcom::PLAIN, node_types::CONTROLLER) => ports::CTRL_PLAIN,
                (netcom::PLAIN, _) => ports::STLT_PLAIN,
                (netcom::SSL, node_types::SATELLITE) => ports::STLT_SSL,
                (netcom::SSL, _) => ports::CTRL_SSL,
                (other, _) => {
                    return Err(invalid(format!(
                        "Communication type {other} has no default port"
                    )));
                }
            }),
        };
        Ok(Request::CrtNode(MsgCrtNode {
            node: Node {
                name: self.node_name.clone(),
                r#type: self.node_type.clone(),
                net_interfaces: vec![NetInterface {
                    name: self.netif_name.clone(),
                    address: self.ip.clone(),
                    stlt_port: Some(port),
                    stlt_encryption_type: Some(self.com_type.clone()),
                    uuid: None,
                }],
                ..Default::default()
            },
        }))
    }
}

/// `node_create_swordfish_target`: `CrtSfTargetNode`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeCreateSwordfishTarget {
    /// Node name.
    pub node_name: String,
    /// Storage service (`StorDriver/SwordfishStorSvc`).
    pub storage_service: String,
}

impl IntoRequest for NodeCreateSwordfishTarget {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::CrtSfTargetNode(MsgCrtSfTargetNode {
            name: self.node_name.clone(),
            props: entries(&[(
                keys::STOR_DRIVER_SF_STOR_SVC.to_owned(),
                self.storage_service.clone(),
            )]),
        }))
    }
}

/// `node_modify`: `ModNode`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeModify {
    /// Node name.
    pub node_name: String,
    /// New node type.
    pub node_type: Option<String>,
    /// Properties to set.
    pub property_dict: Props,
    /// Property keys to delete.
    pub delete_props: Vec<String>,
}

impl IntoRequest for NodeModify {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::ModNode(MsgModNode {
            node_uuid: None,
            node_name: self.node_name.clone(),
            node_type: self.node_type.clone(),
            override_props: entries(&self.property_dict),
            delete_prop_keys: self.delete_props.clone(),
        }))
    }
}

/// The interface arguments of `netinterface_create` and `netinterface_modify`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetInterfaceArgs {
    /// Node name.
    pub node_name: String,
    /// Interface name.
    pub interface_name: String,
    /// Address.
    pub ip: String,
    /// Satellite port (sent only when non-zero); with it, `com_type` must be given too.
    pub port: Option<i32>,
    /// `Plain` or `SSL`.
    pub com_type: Option<String>,
}

impl NetInterfaceArgs {
    fn wire(&self) -> Result<NetInterface, ClientError> {
        let (stlt_port, stlt_encryption_type) =
            match (self.port.filter(|p| *p != 0), &self.com_type) {
                (Some(p), Some(t)) => (Some(p), Some(t.clone())),
                (Some(_), None) => {
                    return Err(invalid("a satellite port needs a communication type"));
                }
                (None, _) => (None, None),
            };
        Ok(NetInterface {
            uuid: None,
            name: self.interface_name.clone(),
            address: self.ip.clone(),
            stlt_port,
            stlt_encryption_type,
        })
    }
}

/// `netinterface_create`: `CrtNetIf`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetInterfaceCreate(pub NetInterfaceArgs);

impl IntoRequest for NetInterfaceCreate {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::CrtNetIf(MsgCrtNetInterface {
            node_name: self.0.node_name.clone(),
            net_if: self.0.wire()?,
        }))
    }
}

/// `netinterface_modify`: `ModNetIf` (the address is always sent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetInterfaceModify(pub NetInterfaceArgs);

impl IntoRequest for NetInterfaceModify {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::ModNetIf(MsgModNetInterface {
            node_name: self.0.node_name.clone(),
            net_if: self.0.wire()?,
        }))
    }
}
