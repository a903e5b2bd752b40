//! Request builders of the resource-definition, volume-definition, resource,
//! resource-connection and DRBD-proxy calls with client-side logic (property changes,
//! sizes, flags, placement filters).

use linstor_proto::Request;
#[allow(unused_imports)]
use linstor_proto::consts::*;
use linstor_proto::messages::*;

use super::*;
use crate::ClientError;

/// `resource_dfn_create`: `CrtRscDfn`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceDfnCreate {
    /// Name.
    pub name: String,
    /// DRBD port (auto-allocated when absent).
    pub port: Option<i32>,
}

impl IntoRequest for ResourceDfnCreate {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::CrtRscDfn(MsgCrtRscDfn {
            rsc_dfn: RscDfn {
                rsc_name: self.name.clone(),
                rsc_dfn_port: self.port,
                ..Default::default()
            },
        }))
    }
}

/// `resource_dfn_modify`: `ModRscDfn`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceDfnModify {
    /// Name.
    pub name: String,
    /// Properties to set.
    pub property_dict: Props,
    /// Property keys to delete.
    pub delete_props: Vec<String>,
}

impl IntoRequest for ResourceDfnModify {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::ModRscDfn(MsgModRscDfn {
            rsc_dfn_uuid: None,
            rsc_name: self.name.clone(),
            rsc_dfn_port: None,
            override_props: entries(&self.property_dict),
            delete_prop_keys: self.delete_props.clone(),
        }))
    }
}

/// `volume_dfn_create`: `CrtVlmDfn` with one volume definition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VolumeDfnCreate {
    /// Resource name.
    pub rsc_name: String,
    /// Size in KiB.
    pub size: i64,
    /// Volume number (lowest free when absent).
    pub volume_nr: Option<i32>,
    /// Minor number (auto when absent).
    pub minor_nr: Option<i32>,
    /// Flag `ENCRYPTED`.
    pub encrypt: bool,
    /// Volume property `StorPoolName`.
    pub storage_pool: Option<String>,
}

impl IntoRequest for VolumeDfnCreate {
    fn request(&self) -> Result<Request, ClientError> {
        let vlm = VlmDfn {
            vlm_dfn_uuid: None,
            vlm_nr: self.volume_nr,
            vlm_size: self.size,
            vlm_minor: self.minor_nr,
            vlm_flags: if self.encrypt {
                vec![flags::ENCRYPTED.to_owned()]
            } else {
                vec![]
            },
            vlm_props: self
                .storage_pool
                .iter()
                .map(|p| LinStorMapEntry {
                    key: keys::STOR_POOL_NAME.to_owned(),
                    value: p.clone(),
                })
                .collect(),
        };
        Ok(Request::CrtVlmDfn(MsgCrtVlmDfn {
            rsc_name: self.rsc_name.clone(),
            rsc_dfn_uuid: None,
            vlm_dfns: vec![vlm],
        }))
    }
}

/// `volume_dfn_modify`: `ModVlmDfn`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VolumeDfnModify {
    /// Resource name.
    pub rsc_name: String,
    /// Volume number.
    pub volume_nr: i32,
    /// Properties to set.
    pub set_properties: Props,
    /// Property keys to delete.
    pub delete_properties: Vec<String>,
    /// New size in KiB (sent only when non-zero).
    pub size: Option<i64>,
}

impl IntoRequest for VolumeDfnModify {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::ModVlmDfn(MsgModVlmDfn {
            vlm_dfn_uuid: None,
            rsc_name: self.rsc_name.clone(),
            vlm_nr: self.volume_nr,
            vlm_minor: None,
            vlm_size: self.size.filter(|s| *s != 0),
            override_props: entries(&self.set_properties),
            delete_prop_keys: self.delete_properties.clone(),
        }))
    }
}

/// One resource of `resource_create` (the Python `ResourceData`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceData {
    /// Node name.
    pub node_name: String,
    /// Resource name.
    pub rsc_name: String,
    /// Flag `DISKLESS`.
    pub diskless: bool,
    /// Property `StorPoolName`.
    pub storage_pool: Option<String>,
    /// DRBD node id (sent with `override_node_id`).
    pub node_id: Option<i32>,
}

impl ResourceData {
    /// A diskful resource with the controller's choices.
    pub fn new(node_name: impl Into<String>, rsc_name: impl Into<String>) -> ResourceData {
        ResourceData {
            node_name: node_name.into(),
            rsc_name: rsc_name.into(),
            ..Default::default()
        }
    }
}

/// `resource_create`: `CrtRsc`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceCreate {
    /// The resources, all of one resource definition.
    pub rscs: Vec<ResourceData>,
}

impl IntoRequest for ResourceCreate {
    fn request(&self) -> Result<Request, ClientError> {
        let rscs = self
            .rscs
            .iter()
            .map(|r| Rsc {
                name: r.rsc_name.clone(),
                node_name: r.node_name.clone(),
                props: r
                    .storage_pool
                    .iter()
                    .map(|p| LinStorMapEntry {
                        key: keys::STOR_POOL_NAME.to_owned(),
                        value: p.clone(),
                    })
                    .collect(),
                rsc_flags: if r.diskless {
                    vec![flags::DISKLESS.to_owned()]
                } else {
                    vec![]
                },
                node_id: r.node_id,
                override_node_id: r.node_id.map(|_| true),
                ..Default::default()
            })
            .collect();
        Ok(Request::CrtRsc(MsgCrtRsc { rscs }))
    }
}

/// `resource_auto_place`: `AutoPlaceRsc`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceAutoPlace {
    /// Resource name.
    pub rsc_name: String,
    /// The placement filter.
    pub filter: PlacementFilter,
    /// Diskless resources on every other satellite (always sent).
    pub diskless_on_remaining: bool,
}

impl IntoRequest for ResourceAutoPlace {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::AutoPlaceRsc(MsgAutoPlaceRsc {
            rsc_name: self.rsc_name.clone(),
            select_filter: self.filter.wire(),
            diskless_on_remaining: Some(self.diskless_on_remaining),
        }))
    }
}

/// `resource_modify`: `ModRsc`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceModify {
    /// Node name.
    pub node_name: String,
    /// Resource name.
    pub rsc_name: String,
    /// Properties to set.
    pub property_dict: Props,
    /// Property keys to delete.
    pub delete_props: Vec<String>,
}

impl IntoRequest for ResourceModify {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::ModRsc(MsgModRsc {
            rsc_uuid: None,
            node_name: self.node_name.clone(),
            rsc_name: self.rsc_name.clone(),
            override_props: entries(&self.property_dict),
            delete_prop_keys: self.delete_props.clone(),
        }))
    }
}

/// `resource_conn_modify`: `ModRscConn`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceConnModify {
    /// Resource name.
    pub rsc_name: String,
    /// First node.
    pub node_a: String,
    /// Second node.
    pub node_b: String,
    /// Properties to set.
    pub property_dict: Props,
    /// Property keys to delete.
    pub delete_props: Vec<String>,
}

impl IntoRequest for ResourceConnModify {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::ModRscConn(MsgModRscConn {
            rsc_conn_uuid: None,
            node_1_name: self.node_a.clone(),
            node_2_name: self.node_b.clone(),
            rsc_name: self.rsc_name.clone(),
            override_props: entries(&self.property_dict),
            delete_prop_keys: self.delete_props.clone(),
        }))
    }
}

/// `drbd_proxy_modify`: `ModifyDrbdProxy`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DrbdProxyModify {
    /// Resource name.
    pub rsc_name: String,
    /// Proxy properties to set.
    pub property_dict: Props,
    /// Property keys to delete.
    pub delete_props: Vec<String>,
    /// `none`, `zlib`, `lzma` or `lz4`.
    pub compression_type: Option<String>,
    /// Compression properties (sent only with a compression type).
    pub compression_property_dict: Props,
}

impl IntoRequest for DrbdProxyModify {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::ModifyDrbdProxy(MsgModDrbdProxy {
            rsc_dfn_uuid: None,
            rsc_name: self.rsc_name.clone(),
            override_props: entries(&self.property_dict),
            delete_prop_keys: self.delete_props.clone(),
            compression_type: self.compression_type.clone(),
            compression_props: if self.compression_type.is_some() {
                entries(&self.compression_property_dict)
            } else {
                vec![]
            },
        }))
    }
}
