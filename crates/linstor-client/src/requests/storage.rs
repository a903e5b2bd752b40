//! Request builders of the storage pool (definition) calls with client-side logic: driver
//! names and their pool properties, property modifications, max-volume-size queries.

use linstor_proto::Request;
#[allow(unused_imports)]
use linstor_proto::consts::*;
use linstor_proto::messages::*;

use super::*;
use crate::ClientError;

/// `storage_pool_dfn_create`: `CrtStorPoolDfn`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoragePoolDfnCreate {
    /// Name.
    pub name: String,
}

impl IntoRequest for StoragePoolDfnCreate {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::CrtStorPoolDfn(MsgCrtStorPoolDfn {
            stor_pool_dfn: StorPoolDfn {
                uuid: None,
                stor_pool_name: self.name.clone(),
                props: vec![],
            },
        }))
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
        Ok(Request::ModStorPoolDfn(MsgModStorPoolDfn {
            stor_pool_dfn_uuid: None,
            stor_pool_name: self.name.clone(),
            override_props: entries(&self.property_dict),
            delete_prop_keys: self.delete_props.clone(),
        }))
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
        Ok(Request::QryMaxVlmSize(MsgQryMaxVlmSizes {
            select_filter: self.filter.wire(),
        }))
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
        Ok(Request::CrtStorPool(MsgCrtStorPool {
            stor_pool: StorPool {
                node_name: self.node_name.clone(),
                stor_pool_name: self.storage_pool_name.clone(),
                driver: self.storage_driver.clone(),
                props: entries(&props),
                free_space_mgr_name: self.shared_space.clone(),
                ..Default::default()
            },
        }))
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
        Ok(Request::ModStorPool(MsgModStorPool {
            stor_pool_uuid: None,
            node_name: self.node_name.clone(),
            stor_pool_name: self.storage_pool_name.clone(),
            override_props: entries(&self.property_dict),
            delete_prop_keys: self.delete_props.clone(),
        }))
    }
}
