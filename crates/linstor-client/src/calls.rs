//! Every API call of the Python client as a [`Client`] method. Methods that send a request
//! return its [`Answers`]; list methods return the list message (or
//! [`ClientError::ApiCall`] when the controller answered with an error entry).

use linstor_proto::messages::{
    MsgHostname, MsgLstCtrlCfgProps, MsgLstNode, MsgLstRsc, MsgLstRscConn, MsgLstRscDfn,
    MsgLstSnapshotDfn, MsgLstStorPool, MsgLstStorPoolDfn, MsgRspKvsProps,
};

use crate::answers::Answers;
use crate::requests::*;
use crate::{Client, ClientError};

macro_rules! answer_calls {
    ($($(#[$doc:meta])* $name:ident($args:ty);)*) => {
        impl Client {
            $(
                $(#[$doc])*
                ///
                /// # Errors
                ///
                /// Local argument errors, [`ClientError::Timeout`], [`ClientError::Disconnected`].
                ///
                /// # Cancel safety
                ///
                /// Cancel safe (see [`Client::call`]).
                pub async fn $name(&self, args: &$args) -> Result<Answers, ClientError> {
                    self.call(args).await
                }
            )*
        }
    };
}

answer_calls! {
    /// `CrtNode`.
    node_create(NodeCreate);
    /// `CrtSfTargetNode`.
    node_create_swordfish_target(NodeCreateSwordfishTarget);
    /// `ModNode`.
    node_modify(NodeModify);
    /// `DelNode`.
    node_delete(NodeDelete);
    /// `LostNode`.
    node_lost(NodeLost);
    /// `NodeReconnect`.
    node_reconnect(NodeReconnect);
    /// `CrtNetIf`.
    netinterface_create(NetInterfaceCreate);
    /// `ModNetIf`.
    netinterface_modify(NetInterfaceModify);
    /// `DelNetIf`.
    netinterface_delete(NetInterfaceDelete);
    /// `CrtStorPoolDfn`.
    storage_pool_dfn_create(StoragePoolDfnCreate);
    /// `ModStorPoolDfn`.
    storage_pool_dfn_modify(StoragePoolDfnModify);
    /// `DelStorPoolDfn`.
    storage_pool_dfn_delete(StoragePoolDfnDelete);
    /// `QryMaxVlmSize` (answer `RspMaxVlmSize`, or a `Reply` when nothing fits).
    storage_pool_dfn_max_vlm_sizes(MaxVolumeSizes);
    /// `CrtStorPool`.
    storage_pool_create(StoragePoolCreate);
    /// `ModStorPool`.
    storage_pool_modify(StoragePoolModify);
    /// `DelStorPool`.
    storage_pool_delete(StoragePoolDelete);
    /// `CrtRscDfn`.
    resource_dfn_create(ResourceDfnCreate);
    /// `ModRscDfn`.
    resource_dfn_modify(ResourceDfnModify);
    /// `DelRscDfn`.
    resource_dfn_delete(ResourceDfnDelete);
    /// `CrtVlmDfn`.
    volume_dfn_create(VolumeDfnCreate);
    /// `ModVlmDfn`.
    volume_dfn_modify(VolumeDfnModify);
    /// `DelVlmDfn`.
    volume_dfn_delete(VolumeDfnDelete);
    /// `CrtRsc`.
    resource_create(ResourceCreate);
    /// `AutoPlaceRsc`.
    resource_auto_place(ResourceAutoPlace);
    /// `ModRsc`.
    resource_modify(ResourceModify);
    /// `DelRsc`.
    resource_delete(ResourceDelete);
    /// `ToggleDisk`.
    resource_toggle_disk(ResourceToggleDisk);
    /// `LstVlm` (the list answer, then a usually empty `Reply`).
    volume_list(VolumeList);
    /// `SetCfgVal` (the key is split at its last `/`).
    controller_set_prop(ControllerSetProp);
    /// `DelCfgVal`.
    controller_del_prop(ControllerDelProp);
    /// `ControlCtrl Shutdown`.
    controller_shutdown(ControllerShutdown);
    /// `CrtWatch` with an explicit watch id (events are only delivered to watches made with
    /// [`Client::watch`]).
    watch_create(WatchCreate);
    /// `DelWatch`.
    watch_delete(WatchDelete);
    /// `CrtCryptPass`.
    crypt_create_passphrase(CryptCreatePassphrase);
    /// `EnterCryptPass`.
    crypt_enter_passphrase(CryptEnterPassphrase);
    /// `ModCryptPass`.
    crypt_modify_passphrase(CryptModifyPassphrase);
    /// `ModRscConn`.
    resource_conn_modify(ResourceConnModify);
    /// `EnableDrbdProxy`.
    drbd_proxy_enable(DrbdProxyEnable);
    /// `DisableDrbdProxy`.
    drbd_proxy_disable(DrbdProxyDisable);
    /// `ModifyDrbdProxy`.
    drbd_proxy_modify(DrbdProxyModify);
    /// `CrtSnapshot`.
    snapshot_create(SnapshotCreate);
    /// `RestoreVlmDfn`.
    snapshot_volume_definition_restore(SnapshotVolumeDfnRestore);
    /// `RestoreSnapshot`.
    snapshot_resource_restore(SnapshotResourceRestore);
    /// `DelSnapshot`.
    snapshot_delete(SnapshotDelete);
    /// `RollbackSnapshot`.
    snapshot_rollback(SnapshotRollback);
    /// `ReqErrorReports` (one `MsgErrorReport` per report; zero is fine).
    error_report_list(ErrorReportList);
    /// `ModifyKvsProps`.
    keyvaluestore_modify(KeyValueStoreModify);
}

macro_rules! list_calls {
    ($($(#[$doc:meta])* $name:ident($args:ty) -> $msg:ty;)*) => {
        impl Client {
            $(
                $(#[$doc])*
                ///
                /// # Errors
                ///
                /// [`ClientError::ApiCall`] when the controller answers with an error entry,
                /// and the errors of [`Client::call`].
                pub async fn $name(&self, args: &$args) -> Result<$msg, ClientError> {
                    self.call_list(args).await
                }
            )*
        }
    };
}

list_calls! {
    /// `LstStorPool`.
    storage_pool_list(StoragePoolList) -> MsgLstStorPool;
    /// `LstRsc`.
    resource_list(ResourceList) -> MsgLstRsc;
    /// `ReqRscConnList`.
    resource_conn_list(ResourceConnList) -> MsgLstRscConn;
    /// `LstKvsProps`.
    keyvaluestore_list(KeyValueStoreList) -> MsgRspKvsProps;
}

impl Client {
    /// `LstNode`.
    ///
    /// # Errors
    ///
    /// As [`Client::call_list`].
    pub async fn node_list(&self) -> Result<MsgLstNode, ClientError> {
        self.call_list(&NodeList).await
    }

    /// `LstStorPoolDfn`.
    ///
    /// # Errors
    ///
    /// As [`Client::call_list`].
    pub async fn storage_pool_dfn_list(&self) -> Result<MsgLstStorPoolDfn, ClientError> {
        self.call_list(&StoragePoolDfnList).await
    }

    /// `LstRscDfn`.
    ///
    /// # Errors
    ///
    /// As [`Client::call_list`].
    pub async fn resource_dfn_list(&self) -> Result<MsgLstRscDfn, ClientError> {
        self.call_list(&ResourceDfnList).await
    }

    /// `LstCfgVal`.
    ///
    /// # Errors
    ///
    /// As [`Client::call_list`].
    pub async fn controller_props(&self) -> Result<MsgLstCtrlCfgProps, ClientError> {
        self.call_list(&ControllerProps).await
    }

    /// `LstSnapshotDfn`.
    ///
    /// # Errors
    ///
    /// As [`Client::call_list`].
    pub async fn snapshot_dfn_list(&self) -> Result<MsgLstSnapshotDfn, ClientError> {
        self.call_list(&SnapshotDfnList).await
    }

    /// `Hostname` (satellite connections only).
    ///
    /// # Errors
    ///
    /// As [`Client::call_list`].
    pub async fn hostname(&self) -> Result<MsgHostname, ClientError> {
        self.call_list(&Hostname).await
    }

    /// API-level `Ping`; returns when the `COMPLETE` arrives.
    ///
    /// # Errors
    ///
    /// As [`Client::call`].
    pub async fn ping(&self) -> Result<(), ClientError> {
        self.call(&Ping).await.map(|_| ())
    }

    /// The Python `resource_create_and_auto_place`: `CrtRscDfn`, `CrtVlmDfn`, `AutoPlaceRsc`,
    /// stopping at the first step whose first answer is not a success.
    ///
    /// # Errors
    ///
    /// As [`Client::call`].
    pub async fn resource_create_and_auto_place(
        &self,
        rsc_name: &str,
        size_kib: i64,
        filter: PlacementFilter,
        diskless_on_remaining: bool,
    ) -> Result<Answers, ClientError> {
        let answers = self
            .call(&ResourceDfnCreate {
                name: rsc_name.to_owned(),
                port: None,
            })
            .await?;
        if !answers.is_success() {
            return Ok(answers);
        }
        let vd = VolumeDfnCreate {
            rsc_name: rsc_name.to_owned(),
            size: size_kib,
            storage_pool: filter.storage_pool.clone(),
            ..Default::default()
        };
        let answers = self.call(&vd).await?;
        if !answers.is_success() {
            return Ok(answers);
        }
        self.call(&ResourceAutoPlace {
            rsc_name: rsc_name.to_owned(),
            filter,
            diskless_on_remaining,
        })
        .await
    }

    /// The Python `resource_delete_if_diskless`: `LstRsc`, then `DelRsc` only when the
    /// resource exists on the node and is diskless; `Ok(None)` otherwise.
    ///
    /// # Errors
    ///
    /// As [`Client::call`].
    pub async fn resource_delete_if_diskless(
        &self,
        node_name: &str,
        rsc_name: &str,
    ) -> Result<Option<Answers>, ClientError> {
        let list = self
            .resource_list(&ResourceList(ListFilter {
                nodes: vec![node_name.to_owned()],
                resources: vec![rsc_name.to_owned()],
                ..Default::default()
            }))
            .await?;
        let diskless = list.resources.iter().any(|r| {
            r.name.eq_ignore_ascii_case(rsc_name)
                && r.node_name.eq_ignore_ascii_case(node_name)
                && r.rsc_flags
                    .iter()
                    .any(|f| f == linstor_proto::consts::flags::DISKLESS)
        });
        if !diskless {
            return Ok(None);
        }
        self.resource_delete(&ResourceDelete {
            node_name: node_name.to_owned(),
            rsc_name: rsc_name.to_owned(),
        })
        .await
        .map(Some)
    }
}
