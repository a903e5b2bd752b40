//! Request builders of the controller, watch and key/value-store calls with client-side
//! logic (`SetCfgVal` key splitting, shutdown, watch objects).

use linstor_proto::Request;
#[allow(unused_imports)]
use linstor_proto::consts::*;
use linstor_proto::messages::*;

use super::*;
use crate::ClientError;

/// Splits a full controller property key at the last `/` into (namespace, key).
pub(super) fn split_key(full: &str) -> (Option<String>, String) {
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
        Ok(Request::SetCfgVal(MsgSetCtrlCfgProp {
            key,
            value: self.value.clone(),
            namespace,
        }))
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
        Ok(Request::DelCfgVal(MsgDelCtrlCfgProp { key, namespace }))
    }
}

/// `controller_shutdown`: `ControlCtrl` with command `Shutdown`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ControllerShutdown;

impl IntoRequest for ControllerShutdown {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::ControlCtrl(MsgControlCtrl {
            command: Some(names::CMD_SHUTDOWN.to_owned()),
        }))
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
        Ok(Request::CrtWatch(MsgCrtWatch {
            watch_id: self.watch_id,
            event_name: None,
            resource_name: o.resource_name.clone(),
            node_name: o.node_name.clone(),
            filter_by_volume_number: o.volume_number.map(|_| true),
            volume_number: o.volume_number,
            snapshot_name: o.snapshot_name.clone(),
        }))
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
        Ok(Request::ModifyKvsProps(MsgModKvsProps {
            instance_name: self.instance_name.clone(),
            override_props: entries(&self.property_dict),
            delete_prop_keys: self.delete_props.clone(),
        }))
    }
}
