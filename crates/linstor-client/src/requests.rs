//! One argument struct per API call of the Python client, and how each becomes a request
//! (call name from the call table plus body message), exactly as python-linstor 0.7.3
//! encodes it: optional arguments that are not given are not sent; given ones are sent even
//! when zero; map entries keep their order.
//!
//! Building a request is pure, so the golden tests compare these bytes with the frames the
//! Python client sent.

use linstor_proto::Body;
use linstor_proto::calls::{self, ApiCall};
use linstor_proto::consts::{drivers, flags, keys, names, netcom, node_types, ports};
use linstor_proto::messages::*;

use crate::ClientError;

/// A request ready to send: the call and its body.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The call (from the one call table).
    pub call: &'static ApiCall,
    /// The body message, if the call has one.
    pub body: Option<Body>,
}

impl Request {
    fn new(call: &'static ApiCall, body: impl Into<Body>) -> Request {
        Request {
            call,
            body: Some(body.into()),
        }
    }

    fn bare(call: &'static ApiCall) -> Request {
        Request { call, body: None }
    }
}

/// Something that becomes one request.
pub trait IntoRequest {
    /// Builds the request.
    ///
    /// # Errors
    ///
    /// [`ClientError::InvalidArgument`] for arguments the Python client refuses locally.
    fn request(&self) -> Result<Request, ClientError>;
}

/// Ordered property entries (`property_dict` of the Python client).
pub type Props = Vec<(String, String)>;

fn entries(props: &[(String, String)]) -> Vec<LinStorMapEntry> {
    props
        .iter()
        .map(|(k, v)| LinStorMapEntry {
            key: k.clone(),
            value: v.clone(),
        })
        .collect()
}

fn invalid(msg: impl Into<String>) -> ClientError {
    ClientError::InvalidArgument(msg.into())
}

macro_rules! bare_calls {
    ($($name:ident => $call:path, $doc:literal;)*) => {
        $(
            #[doc = $doc]
            #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
            pub struct $name;

            impl IntoRequest for $name {
                fn request(&self) -> Result<Request, ClientError> {
                    Ok(Request::bare(&$call))
                }
            }
        )*
    };
}

bare_calls! {
    NodeList => calls::LST_NODE, "`node_list`: `LstNode`.";
    StoragePoolDfnList => calls::LST_STOR_POOL_DFN, "`storage_pool_dfn_list`: `LstStorPoolDfn`.";
    ResourceDfnList => calls::LST_RSC_DFN, "`resource_dfn_list`: `LstRscDfn`.";
    ControllerProps => calls::LST_CFG_VAL, "`controller_props`: `LstCfgVal`.";
    SnapshotDfnList => calls::LST_SNAPSHOT_DFN, "`snapshot_dfn_list`: `LstSnapshotDfn`.";
    Ping => calls::PING, "`ping`: `Ping`.";
    Hostname => calls::HOSTNAME, "`hostname`: `Hostname` (satellites only).";
}

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
        Ok(Request::new(
            &calls::CRT_NODE,
            MsgCrtNode {
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
            },
        ))
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
        Ok(Request::new(
            &calls::CRT_SF_TARGET_NODE,
            MsgCrtSfTargetNode {
                name: self.node_name.clone(),
                props: entries(&[(
                    keys::STOR_DRIVER_SF_STOR_SVC.to_owned(),
                    self.storage_service.clone(),
                )]),
            },
        ))
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
        Ok(Request::new(
            &calls::MOD_NODE,
            MsgModNode {
                node_uuid: None,
                node_name: self.node_name.clone(),
                node_type: self.node_type.clone(),
                override_props: entries(&self.property_dict),
                delete_prop_keys: self.delete_props.clone(),
            },
        ))
    }
}

/// `node_delete`: `DelNode`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeDelete {
    /// Node name.
    pub node_name: String,
}

impl IntoRequest for NodeDelete {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::DEL_NODE,
            MsgDelNode {
                uuid: None,
                node_name: self.node_name.clone(),
            },
        ))
    }
}

/// `node_lost`: `LostNode` (body `MsgDelNode`), for nodes whose satellite is gone for good.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeLost {
    /// Node name.
    pub node_name: String,
}

impl IntoRequest for NodeLost {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::LOST_NODE,
            MsgDelNode {
                uuid: None,
                node_name: self.node_name.clone(),
            },
        ))
    }
}

/// `node_reconnect`: `NodeReconnect`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeReconnect {
    /// Node names.
    pub node_names: Vec<String>,
}

impl IntoRequest for NodeReconnect {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::NODE_RECONNECT,
            MsgNodeReconnect {
                nodes: self.node_names.clone(),
            },
        ))
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
        Ok(Request::new(
            &calls::CRT_NET_IF,
            MsgCrtNetInterface {
                node_name: self.0.node_name.clone(),
                net_if: self.0.wire()?,
            },
        ))
    }
}

/// `netinterface_modify`: `ModNetIf` (the address is always sent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetInterfaceModify(pub NetInterfaceArgs);

impl IntoRequest for NetInterfaceModify {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::MOD_NET_IF,
            MsgModNetInterface {
                node_name: self.0.node_name.clone(),
                net_if: self.0.wire()?,
            },
        ))
    }
}

/// `netinterface_delete`: `DelNetIf`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetInterfaceDelete {
    /// Node name.
    pub node_name: String,
    /// Interface name.
    pub interface_name: String,
}

impl IntoRequest for NetInterfaceDelete {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::DEL_NET_IF,
            MsgDelNetInterface {
                node_name: self.node_name.clone(),
                net_if_name: self.interface_name.clone(),
            },
        ))
    }
}

/// `storage_pool_dfn_create`: `CrtStorPoolDfn`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoragePoolDfnCreate {
    /// Name.
    pub name: String,
}

impl IntoRequest for StoragePoolDfnCreate {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::CRT_STOR_POOL_DFN,
            MsgCrtStorPoolDfn {
                stor_pool_dfn: StorPoolDfn {
                    uuid: None,
                    stor_pool_name: self.name.clone(),
                    props: vec![],
                },
            },
        ))
    }
}

/// `storage_pool_dfn_modify`: `ModStorPoolDfn`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoragePoolDfnModify {
    /// Name.
    pub name: String,
    /// Properties to set.
    pub property_dict: Props,
    /// Property keys to delete.
    pub delete_props: Vec<String>,
}

impl IntoRequest for StoragePoolDfnModify {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::MOD_STOR_POOL_DFN,
            MsgModStorPoolDfn {
                stor_pool_dfn_uuid: None,
                stor_pool_name: self.name.clone(),
                override_props: entries(&self.property_dict),
                delete_prop_keys: self.delete_props.clone(),
            },
        ))
    }
}

/// `storage_pool_dfn_delete`: `DelStorPoolDfn`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoragePoolDfnDelete {
    /// Name.
    pub name: String,
}

impl IntoRequest for StoragePoolDfnDelete {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::DEL_STOR_POOL_DFN,
            MsgDelStorPoolDfn {
                uuid: None,
                stor_pool_name: self.name.clone(),
            },
        ))
    }
}

/// The auto-place filter arguments shared by `storage_pool_dfn_max_vlm_sizes` and
/// `resource_auto_place`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlacementFilter {
    /// Number of diskful replicas.
    pub place_count: u32,
    /// Storage pool to use.
    pub storage_pool: Option<String>,
    /// Resources not to share a node with.
    pub do_not_place_with: Vec<String>,
    /// Regular expression of resources not to share a node with.
    pub do_not_place_with_regex: Option<String>,
    /// Node property keys (or `key=value`) replicas must share.
    pub replicas_on_same: Vec<String>,
    /// Node property keys whose values replicas must not share.
    pub replicas_on_different: Vec<String>,
}

impl PlacementFilter {
    fn wire(&self) -> AutoSelectFilter {
        AutoSelectFilter {
            place_count: self.place_count,
            storage_pool: self.storage_pool.clone(),
            not_place_with_rsc: self.do_not_place_with.clone(),
            not_place_with_rsc_regex: self.do_not_place_with_regex.clone(),
            replicas_on_same: self.replicas_on_same.clone(),
            replicas_on_different: self.replicas_on_different.clone(),
        }
    }
}

/// `storage_pool_dfn_max_vlm_sizes`: `QryMaxVlmSize`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MaxVolumeSizes {
    /// The placement filter (its `storage_pool` is the Python `storage_pool_name`).
    pub filter: PlacementFilter,
}

impl IntoRequest for MaxVolumeSizes {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::QRY_MAX_VLM_SIZE,
            MsgQryMaxVlmSizes {
                select_filter: self.filter.wire(),
            },
        ))
    }
}

/// `storage_pool_create`: `CrtStorPool`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoragePoolCreate {
    /// Node name.
    pub node_name: String,
    /// Storage pool name.
    pub storage_pool_name: String,
    /// Driver string, e.g. `LvmThinDriver`.
    pub storage_driver: String,
    /// Backing pool: volume group (`LvmDriver`), `VG/LV` (`LvmThinDriver`), zpool (ZFS).
    pub driver_pool_name: Option<String>,
    /// Shared space name (`free_space_mgr_name`).
    pub shared_space: Option<String>,
    /// Extra properties, after the driver properties.
    pub property_dict: Props,
}

impl IntoRequest for StoragePoolCreate {
    fn request(&self) -> Result<Request, ClientError> {
        let pool = self.driver_pool_name.clone().unwrap_or_default();
        let mut props: Props = match self.storage_driver.as_str() {
            drivers::LVM => vec![(keys::STOR_DRIVER_LVM_VG.to_owned(), pool)],
            drivers::LVM_THIN => match pool.split_once('/') {
                Some((vg, lv)) if !vg.is_empty() && !lv.is_empty() && !lv.contains('/') => vec![
                    (keys::STOR_DRIVER_LVM_VG.to_owned(), vg.to_owned()),
                    (keys::STOR_DRIVER_THIN_POOL.to_owned(), lv.to_owned()),
                ],
                _ => {
                    return Err(invalid(format!(
                        "LvmThin driver pool name must be VG/LV, got '{pool}'"
                    )));
                }
            },
            drivers::ZFS => vec![(keys::STOR_DRIVER_ZPOOL.to_owned(), pool)],
            drivers::ZFS_THIN => vec![(keys::STOR_DRIVER_ZPOOL_THIN.to_owned(), pool)],
            drivers::DISKLESS | drivers::SWORDFISH_TARGET | drivers::SWORDFISH_INITIATOR => vec![],
            other => return Err(invalid(format!("Unknown storage driver '{other}'"))),
        };
        props.extend(self.property_dict.iter().cloned());
        Ok(Request::new(
            &calls::CRT_STOR_POOL,
            MsgCrtStorPool {
                stor_pool: StorPool {
                    node_name: self.node_name.clone(),
                    stor_pool_name: self.storage_pool_name.clone(),
                    driver: self.storage_driver.clone(),
                    props: entries(&props),
                    free_space_mgr_name: self.shared_space.clone(),
                    ..Default::default()
                },
            },
        ))
    }
}

/// `storage_pool_modify`: `ModStorPool`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoragePoolModify {
    /// Node name.
    pub node_name: String,
    /// Storage pool name.
    pub storage_pool_name: String,
    /// Properties to set.
    pub property_dict: Props,
    /// Property keys to delete.
    pub delete_props: Vec<String>,
}

impl IntoRequest for StoragePoolModify {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::MOD_STOR_POOL,
            MsgModStorPool {
                stor_pool_uuid: None,
                node_name: self.node_name.clone(),
                stor_pool_name: self.storage_pool_name.clone(),
                override_props: entries(&self.property_dict),
                delete_prop_keys: self.delete_props.clone(),
            },
        ))
    }
}

/// `storage_pool_delete`: `DelStorPool`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoragePoolDelete {
    /// Node name.
    pub node_name: String,
    /// Storage pool name.
    pub storage_pool_name: String,
}

impl IntoRequest for StoragePoolDelete {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::DEL_STOR_POOL,
            MsgDelStorPool {
                uuid: None,
                node_name: self.node_name.clone(),
                stor_pool_name: self.storage_pool_name.clone(),
            },
        ))
    }
}

/// `storage_pool_list`, `resource_list` and `volume_list`: a `Filter` (always sent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Node names.
    pub nodes: Vec<String>,
    /// Storage pool names (`storage_pool_list`, `volume_list`).
    pub stor_pools: Vec<String>,
    /// Resource names (`resource_list`, `volume_list`).
    pub resources: Vec<String>,
}

impl ListFilter {
    fn wire(&self) -> Filter {
        Filter {
            node_names: self.nodes.clone(),
            stor_pool_names: self.stor_pools.clone(),
            resource_names: self.resources.clone(),
        }
    }
}

/// `storage_pool_list`: `LstStorPool`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoragePoolList(pub ListFilter);

impl IntoRequest for StoragePoolList {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(&calls::LST_STOR_POOL, self.0.wire()))
    }
}

/// `resource_list`: `LstRsc`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceList(pub ListFilter);

impl IntoRequest for ResourceList {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(&calls::LST_RSC, self.0.wire()))
    }
}

/// `volume_list`: `LstVlm`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VolumeList(pub ListFilter);

impl IntoRequest for VolumeList {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(&calls::LST_VLM, self.0.wire()))
    }
}

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
        Ok(Request::new(
            &calls::CRT_RSC_DFN,
            MsgCrtRscDfn {
                rsc_dfn: RscDfn {
                    rsc_name: self.name.clone(),
                    rsc_dfn_port: self.port,
                    ..Default::default()
                },
            },
        ))
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
        Ok(Request::new(
            &calls::MOD_RSC_DFN,
            MsgModRscDfn {
                rsc_dfn_uuid: None,
                rsc_name: self.name.clone(),
                rsc_dfn_port: None,
                override_props: entries(&self.property_dict),
                delete_prop_keys: self.delete_props.clone(),
            },
        ))
    }
}

/// `resource_dfn_delete`: `DelRscDfn`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceDfnDelete {
    /// Name.
    pub name: String,
}

impl IntoRequest for ResourceDfnDelete {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::DEL_RSC_DFN,
            MsgDelRscDfn {
                uuid: None,
                rsc_name: self.name.clone(),
            },
        ))
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
        Ok(Request::new(
            &calls::CRT_VLM_DFN,
            MsgCrtVlmDfn {
                rsc_name: self.rsc_name.clone(),
                rsc_dfn_uuid: None,
                vlm_dfns: vec![vlm],
            },
        ))
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
        Ok(Request::new(
            &calls::MOD_VLM_DFN,
            MsgModVlmDfn {
                vlm_dfn_uuid: None,
                rsc_name: self.rsc_name.clone(),
                vlm_nr: self.volume_nr,
                vlm_minor: None,
                vlm_size: self.size.filter(|s| *s != 0),
                override_props: entries(&self.set_properties),
                delete_prop_keys: self.delete_properties.clone(),
            },
        ))
    }
}

/// `volume_dfn_delete`: `DelVlmDfn`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VolumeDfnDelete {
    /// Resource name.
    pub rsc_name: String,
    /// Volume number.
    pub volume_nr: i32,
}

impl IntoRequest for VolumeDfnDelete {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::DEL_VLM_DFN,
            MsgDelVlmDfn {
                vlm_dfn_uuid: None,
                rsc_name: self.rsc_name.clone(),
                vlm_nr: self.volume_nr,
            },
        ))
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
        Ok(Request::new(&calls::CRT_RSC, MsgCrtRsc { rscs }))
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
        Ok(Request::new(
            &calls::AUTO_PLACE_RSC,
            MsgAutoPlaceRsc {
                rsc_name: self.rsc_name.clone(),
                select_filter: self.filter.wire(),
                diskless_on_remaining: Some(self.diskless_on_remaining),
            },
        ))
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
        Ok(Request::new(
            &calls::MOD_RSC,
            MsgModRsc {
                rsc_uuid: None,
                node_name: self.node_name.clone(),
                rsc_name: self.rsc_name.clone(),
                override_props: entries(&self.property_dict),
                delete_prop_keys: self.delete_props.clone(),
            },
        ))
    }
}

/// `resource_delete`: `DelRsc`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceDelete {
    /// Node name.
    pub node_name: String,
    /// Resource name.
    pub rsc_name: String,
}

impl IntoRequest for ResourceDelete {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::DEL_RSC,
            MsgDelRsc {
                uuid: None,
                node_name: self.node_name.clone(),
                rsc_name: self.rsc_name.clone(),
            },
        ))
    }
}

/// `resource_toggle_disk`: `ToggleDisk`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceToggleDisk {
    /// Node name.
    pub node_name: String,
    /// Resource name.
    pub rsc_name: String,
    /// Storage pool for the new disk.
    pub storage_pool: Option<String>,
    /// `true` removes the disk, `false` adds one (always sent).
    pub diskless: bool,
    /// Node whose resource is deleted once the disk is added.
    pub migrate_from: Option<String>,
}

impl IntoRequest for ResourceToggleDisk {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::TOGGLE_DISK,
            MsgToggleDisk {
                rsc_uuid: None,
                node_name: self.node_name.clone(),
                rsc_name: self.rsc_name.clone(),
                stor_pool_name: self.storage_pool.clone(),
                diskless: Some(self.diskless),
                migrate_from: self.migrate_from.clone(),
            },
        ))
    }
}

/// Splits a full controller property key at the last `/` into (namespace, key).
fn split_key(full: &str) -> (Option<String>, String) {
    match full.rsplit_once('/') {
        Some((ns, key)) => (Some(ns.to_owned()), key.to_owned()),
        None => (None, full.to_owned()),
    }
}

/// `controller_set_prop`: `SetCfgVal`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ControllerSetProp {
    /// Full key, e.g. `DrbdOptions/Net/max-buffers`.
    pub key: String,
    /// Value.
    pub value: String,
}

impl IntoRequest for ControllerSetProp {
    fn request(&self) -> Result<Request, ClientError> {
        let (namespace, key) = split_key(&self.key);
        Ok(Request::new(
            &calls::SET_CFG_VAL,
            MsgSetCtrlCfgProp {
                key,
                value: self.value.clone(),
                namespace,
            },
        ))
    }
}

/// `controller_del_prop`: `DelCfgVal`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ControllerDelProp {
    /// Full key.
    pub key: String,
}

impl IntoRequest for ControllerDelProp {
    fn request(&self) -> Result<Request, ClientError> {
        let (namespace, key) = split_key(&self.key);
        Ok(Request::new(
            &calls::DEL_CFG_VAL,
            MsgDelCtrlCfgProp { key, namespace },
        ))
    }
}

/// `controller_shutdown`: `ControlCtrl` with command `Shutdown`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ControllerShutdown;

impl IntoRequest for ControllerShutdown {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::CONTROL_CTRL,
            MsgControlCtrl {
                command: Some(names::CMD_SHUTDOWN.to_owned()),
            },
        ))
    }
}

/// The object a watch observes (the Python `ObjectIdentifier`); unset parts are wildcards.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectIdentifier {
    /// Node name.
    pub node_name: Option<String>,
    /// Resource name.
    pub resource_name: Option<String>,
    /// Volume number (needs the resource name).
    pub volume_number: Option<i32>,
    /// Snapshot name.
    pub snapshot_name: Option<String>,
}

/// `watch_create`: `CrtWatch` with an explicit watch id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WatchCreate {
    /// Watch id (chosen by the client).
    pub watch_id: i32,
    /// What to watch.
    pub object: ObjectIdentifier,
}

impl IntoRequest for WatchCreate {
    fn request(&self) -> Result<Request, ClientError> {
        let o = &self.object;
        Ok(Request::new(
            &calls::CRT_WATCH,
            MsgCrtWatch {
                watch_id: self.watch_id,
                event_name: None,
                resource_name: o.resource_name.clone(),
                node_name: o.node_name.clone(),
                filter_by_volume_number: o.volume_number.map(|_| true),
                volume_number: o.volume_number,
                snapshot_name: o.snapshot_name.clone(),
            },
        ))
    }
}

/// `_watch_delete`: `DelWatch`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WatchDelete {
    /// Watch id.
    pub watch_id: i32,
}

impl IntoRequest for WatchDelete {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::DEL_WATCH,
            MsgDelWatch {
                watch_id: self.watch_id,
            },
        ))
    }
}

/// `crypt_create_passphrase`: `CrtCryptPass`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CryptCreatePassphrase {
    /// The master passphrase.
    pub passphrase: String,
}

impl IntoRequest for CryptCreatePassphrase {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::CRT_CRYPT_PASS,
            MsgCrtCryptPassphrase {
                passphrase: self.passphrase.clone(),
            },
        ))
    }
}

/// `crypt_enter_passphrase`: `EnterCryptPass`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CryptEnterPassphrase {
    /// The master passphrase.
    pub passphrase: String,
}

impl IntoRequest for CryptEnterPassphrase {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::ENTER_CRYPT_PASS,
            MsgEnterCryptPassphrase {
                passphrase: self.passphrase.clone(),
            },
        ))
    }
}

/// `crypt_modify_passphrase`: `ModCryptPass`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CryptModifyPassphrase {
    /// Current passphrase.
    pub old_passphrase: String,
    /// New passphrase.
    pub new_passphrase: String,
}

impl IntoRequest for CryptModifyPassphrase {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::MOD_CRYPT_PASS,
            MsgModCryptPassphrase {
                old_passphrase: self.old_passphrase.clone(),
                new_passphrase: self.new_passphrase.clone(),
            },
        ))
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
        Ok(Request::new(
            &calls::MOD_RSC_CONN,
            MsgModRscConn {
                rsc_conn_uuid: None,
                node_1_name: self.node_a.clone(),
                node_2_name: self.node_b.clone(),
                rsc_name: self.rsc_name.clone(),
                override_props: entries(&self.property_dict),
                delete_prop_keys: self.delete_props.clone(),
            },
        ))
    }
}

/// `resource_conn_list`: `ReqRscConnList`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceConnList {
    /// Resource name.
    pub rsc_name: String,
}

impl IntoRequest for ResourceConnList {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::REQ_RSC_CONN_LIST,
            MsgReqRscConn {
                rsc_name: self.rsc_name.clone(),
            },
        ))
    }
}

/// `drbd_proxy_enable`: `EnableDrbdProxy`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DrbdProxyEnable {
    /// Resource name.
    pub rsc_name: String,
    /// First node.
    pub node_a: String,
    /// Second node.
    pub node_b: String,
    /// Proxy port (auto-allocated when absent).
    pub port: Option<i32>,
}

impl IntoRequest for DrbdProxyEnable {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::ENABLE_DRBD_PROXY,
            MsgEnableDrbdProxy {
                rsc_conn_uuid: None,
                node_1_name: self.node_a.clone(),
                node_2_name: self.node_b.clone(),
                rsc_name: self.rsc_name.clone(),
                port: self.port,
            },
        ))
    }
}

/// `drbd_proxy_disable`: `DisableDrbdProxy`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DrbdProxyDisable {
    /// Resource name.
    pub rsc_name: String,
    /// First node.
    pub node_a: String,
    /// Second node.
    pub node_b: String,
}

impl IntoRequest for DrbdProxyDisable {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::DISABLE_DRBD_PROXY,
            MsgDisableDrbdProxy {
                rsc_conn_uuid: None,
                node_1_name: self.node_a.clone(),
                node_2_name: self.node_b.clone(),
                rsc_name: self.rsc_name.clone(),
            },
        ))
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
        Ok(Request::new(
            &calls::MOD_DRBD_PROXY,
            MsgModDrbdProxy {
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
            },
        ))
    }
}

/// `snapshot_create`: `CrtSnapshot`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotCreate {
    /// Nodes (empty: every diskful node).
    pub node_names: Vec<String>,
    /// Resource name.
    pub rsc_name: String,
    /// Snapshot name.
    pub snapshot_name: String,
}

impl IntoRequest for SnapshotCreate {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::CRT_SNAPSHOT,
            MsgCrtSnapshot {
                snapshot_dfn: SnapshotDfn {
                    snapshot_name: self.snapshot_name.clone(),
                    rsc_name: self.rsc_name.clone(),
                    snapshots: self
                        .node_names
                        .iter()
                        .map(|n| Snapshot {
                            node_name: n.clone(),
                        })
                        .collect(),
                    ..Default::default()
                },
            },
        ))
    }
}

/// `snapshot_volume_definition_restore`: `RestoreVlmDfn`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotVolumeDfnRestore {
    /// Source resource.
    pub from_resource: String,
    /// Source snapshot.
    pub from_snapshot: String,
    /// Target resource definition.
    pub to_resource: String,
}

impl IntoRequest for SnapshotVolumeDfnRestore {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::RESTORE_VLM_DFN,
            MsgRestoreSnapshotVlmDfn {
                from_resource_name: self.from_resource.clone(),
                from_snapshot_name: self.from_snapshot.clone(),
                to_resource_name: self.to_resource.clone(),
            },
        ))
    }
}

/// `snapshot_resource_restore`: `RestoreSnapshot`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotResourceRestore {
    /// Nodes (empty: every node holding the snapshot).
    pub node_names: Vec<String>,
    /// Source resource.
    pub from_resource: String,
    /// Source snapshot.
    pub from_snapshot: String,
    /// Target resource definition.
    pub to_resource: String,
}

impl IntoRequest for SnapshotResourceRestore {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::RESTORE_SNAPSHOT,
            MsgRestoreSnapshotRsc {
                nodes: self
                    .node_names
                    .iter()
                    .map(|n| RestoreNode { name: n.clone() })
                    .collect(),
                from_resource_name: self.from_resource.clone(),
                from_snapshot_name: self.from_snapshot.clone(),
                to_resource_name: self.to_resource.clone(),
            },
        ))
    }
}

/// `snapshot_delete`: `DelSnapshot`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotDelete {
    /// Resource name.
    pub rsc_name: String,
    /// Snapshot name.
    pub snapshot_name: String,
}

impl IntoRequest for SnapshotDelete {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::DEL_SNAPSHOT,
            MsgDelSnapshot {
                uuid: None,
                rsc_name: self.rsc_name.clone(),
                snapshot_name: self.snapshot_name.clone(),
            },
        ))
    }
}

/// `snapshot_rollback`: `RollbackSnapshot` (the newest snapshot only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotRollback {
    /// Resource name.
    pub rsc_name: String,
    /// Snapshot name.
    pub snapshot_name: String,
}

impl IntoRequest for SnapshotRollback {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::ROLLBACK_SNAPSHOT,
            MsgRollbackSnapshot {
                uuid: None,
                rsc_name: self.rsc_name.clone(),
                snapshot_name: self.snapshot_name.clone(),
            },
        ))
    }
}

/// `error_report_list`: `ReqErrorReports`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorReportList {
    /// Node names.
    pub nodes: Vec<String>,
    /// Include the report texts (always sent).
    pub with_content: bool,
    /// From this Unix time in milliseconds.
    pub since_ms: Option<u64>,
    /// Up to this Unix time in milliseconds.
    pub to_ms: Option<u64>,
    /// Report id prefixes.
    pub ids: Vec<String>,
}

impl IntoRequest for ErrorReportList {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::REQ_ERROR_REPORTS,
            MsgReqErrorReport {
                node_names: self.nodes.clone(),
                with_content: Some(self.with_content),
                since: self.since_ms,
                to: self.to_ms,
                ids: self.ids.clone(),
            },
        ))
    }
}

/// `keyvaluestore_modify`: `ModifyKvsProps`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyValueStoreModify {
    /// Store instance name.
    pub instance_name: String,
    /// Keys to set.
    pub property_dict: Props,
    /// Keys to delete.
    pub delete_props: Vec<String>,
}

impl IntoRequest for KeyValueStoreModify {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::MOD_KVS_PROPS,
            MsgModKvsProps {
                instance_name: self.instance_name.clone(),
                override_props: entries(&self.property_dict),
                delete_prop_keys: self.delete_props.clone(),
            },
        ))
    }
}

/// `keyvaluestore_list`: `LstKvsProps`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyValueStoreList {
    /// Store instance name.
    pub instance_name: String,
}

impl IntoRequest for KeyValueStoreList {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::new(
            &calls::LST_KVS_PROPS,
            MsgLstKvsProps {
                instance_name: self.instance_name.clone(),
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_satellite_ports_follow_the_python_client() {
        let port = |com: &str, kind: &str| {
            let mut n = NodeCreate::new("a", kind, "1.2.3.4");
            n.com_type = com.into();
            match n.request().unwrap().body {
                Some(Body::MsgCrtNode(m)) => m.node.net_interfaces[0].stlt_port,
                _ => None,
            }
        };
        assert_eq!(port("Plain", "Satellite"), Some(3366));
        assert_eq!(port("Plain", "Controller"), Some(3376));
        assert_eq!(port("SSL", "Satellite"), Some(3367));
        assert_eq!(port("SSL", "Combined"), Some(3377));
        assert!(
            NodeCreate {
                com_type: "Carrier-Pigeon".into(),
                ..NodeCreate::new("a", "Satellite", "1.2.3.4")
            }
            .request()
            .is_err()
        );
        assert!(
            NodeCreate::new("a", "SWORDFISH_TARGET", "1.2.3.4")
                .request()
                .is_err()
        );
    }

    #[test]
    fn local_argument_checks() {
        let thin = StoragePoolCreate {
            storage_driver: "LvmThinDriver".into(),
            driver_pool_name: Some("novg".into()),
            ..Default::default()
        };
        assert!(matches!(
            thin.request(),
            Err(ClientError::InvalidArgument(_))
        ));
        let netif = NetInterfaceCreate(NetInterfaceArgs {
            port: Some(3366),
            ..Default::default()
        });
        assert!(netif.request().is_err());
        assert_eq!(split_key("a/b/c"), (Some("a/b".into()), "c".into()));
        assert_eq!(split_key("plain"), (None, "plain".into()));
    }
}
