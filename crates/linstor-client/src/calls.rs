//! Every API call of the Python client as a [`Client`] method. Methods that send a request
//! return its [`Answers`]; list methods return the list message (or
//! [`ClientError::ApiCall`] when the controller answered with an error entry). Each method
//! names its call once; the request body and list answer types come from the call table
//! (`linstor_proto::calls`), so a method cannot send one call with another's body.

use linstor_proto::Request;
use linstor_proto::calls::list;
use linstor_proto::messages::*;

use crate::answers::Answers;
use crate::requests::*;
use crate::{Client, ClientError};

/// Methods taking an argument struct of [`crate::requests`] (calls with client-side logic).
macro_rules! builder_calls {
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

/// Methods whose argument is the call's request message itself.
macro_rules! message_calls {
    ($($(#[$doc:meta])* $name:ident($body:ty) => $variant:ident;)*) => {
        impl Client {
            $(
                $(#[$doc])*
                ///
                /// # Errors
                ///
                /// [`ClientError::Timeout`], [`ClientError::Disconnected`].
                ///
                /// # Cancel safety
                ///
                /// Cancel safe (see [`Client::call`]).
                pub async fn $name(&self, body: $body) -> Result<Answers, ClientError> {
                    self.call(&Request::$variant(body)).await
                }
            )*
        }
    };
}

/// Methods of the list calls: `method(argument) -> list message`, typed by
/// [`linstor_proto::ListCall`].
macro_rules! list_calls {
    ($($(#[$doc:meta])* $name:ident($($arg:ident: $args:ty => $conv:expr)?) -> $call:ident;)*) => {
        impl Client {
            $(
                $(#[$doc])*
                ///
                /// # Errors
                ///
                /// [`ClientError::ApiCall`] when the controller answers with an error entry,
                /// and the errors of [`Client::call`].
                ///
                /// # Cancel safety
                ///
                /// Cancel safe (see [`Client::call`]).
                pub async fn $name(
                    &self,
                    $($arg: $args)?
                ) -> Result<<list::$call as linstor_proto::ListCall>::Answer, ClientError> {
                    self.list::<list::$call>(list_calls!(@args $($conv)?)).await
                }
            )*
        }
    };
    (@args) => { () };
    (@args $conv:expr) => { $conv };
}

builder_calls! {
    /// `CrtStorPoolDfn`.
    storage_pool_dfn_create(StoragePoolDfnCreate);
    /// `CrtRscDfn`.
    resource_dfn_create(ResourceDfnCreate);
    /// `CrtNode`.
    node_create(NodeCreate);
    /// `CrtSfTargetNode`.
    node_create_swordfish_target(NodeCreateSwordfishTarget);
    /// `ModNode`.
    node_modify(NodeModify);
    /// `CrtNetIf`.
    netinterface_create(NetInterfaceCreate);
    /// `ModNetIf`.
    netinterface_modify(NetInterfaceModify);
    /// `ModStorPoolDfn`.
    storage_pool_dfn_modify(StoragePoolDfnModify);
    /// `QryMaxVlmSize` (answer `RspMaxVlmSize`, or a `Reply` when nothing fits).
    storage_pool_dfn_max_vlm_sizes(MaxVolumeSizes);
    /// `CrtStorPool`.
    storage_pool_create(StoragePoolCreate);
    /// `ModStorPool`.
    storage_pool_modify(StoragePoolModify);
    /// `ModRscDfn`.
    resource_dfn_modify(ResourceDfnModify);
    /// `CrtVlmDfn`.
    volume_dfn_create(VolumeDfnCreate);
    /// `ModVlmDfn`.
    volume_dfn_modify(VolumeDfnModify);
    /// `CrtRsc`.
    resource_create(ResourceCreate);
    /// `AutoPlaceRsc`.
    resource_auto_place(ResourceAutoPlace);
    /// `ModRsc`.
    resource_modify(ResourceModify);
    /// `SetCfgVal` (the key is split at its last `/`).
    controller_set_prop(ControllerSetProp);
    /// `DelCfgVal`.
    controller_del_prop(ControllerDelProp);
    /// `ControlCtrl Shutdown`.
    controller_shutdown(ControllerShutdown);
    /// `CrtWatch` with an explicit watch id (events are only delivered to watches made with
    /// [`Client::watch`]).
    watch_create(WatchCreate);
    /// `ModRscConn`.
    resource_conn_modify(ResourceConnModify);
    /// `ModifyDrbdProxy`.
    drbd_proxy_modify(DrbdProxyModify);
    /// `CrtSnapshot`.
    snapshot_create(SnapshotCreate);
    /// `RestoreSnapshot`.
    snapshot_resource_restore(SnapshotResourceRestore);
    /// `ModifyKvsProps`.
    keyvaluestore_modify(KeyValueStoreModify);
}

message_calls! {
    /// `DelNode`.
    node_delete(MsgDelNode) => DelNode;
    /// `LostNode`.
    node_lost(MsgDelNode) => LostNode;
    /// `NodeReconnect`.
    node_reconnect(MsgNodeReconnect) => NodeReconnect;
    /// `DelNetIf`.
    netinterface_delete(MsgDelNetInterface) => DelNetIf;
    /// `DelStorPoolDfn`.
    storage_pool_dfn_delete(MsgDelStorPoolDfn) => DelStorPoolDfn;
    /// `DelStorPool`.
    storage_pool_delete(MsgDelStorPool) => DelStorPool;
    /// `DelRscDfn`.
    resource_dfn_delete(MsgDelRscDfn) => DelRscDfn;
    /// `DelVlmDfn`.
    volume_dfn_delete(MsgDelVlmDfn) => DelVlmDfn;
    /// `DelRsc`.
    resource_delete(MsgDelRsc) => DelRsc;
    /// `ToggleDisk`.
    resource_toggle_disk(MsgToggleDisk) => ToggleDisk;
    /// `DelWatch`.
    watch_delete(MsgDelWatch) => DelWatch;
    /// `CrtCryptPass`.
    crypt_create_passphrase(MsgCrtCryptPassphrase) => CrtCryptPass;
    /// `EnterCryptPass`.
    crypt_enter_passphrase(MsgEnterCryptPassphrase) => EnterCryptPass;
    /// `ModCryptPass`.
    crypt_modify_passphrase(MsgModCryptPassphrase) => ModCryptPass;
    /// `EnableDrbdProxy`.
    drbd_proxy_enable(MsgEnableDrbdProxy) => EnableDrbdProxy;
    /// `DisableDrbdProxy`.
    drbd_proxy_disable(MsgDisableDrbdProxy) => DisableDrbdProxy;
    /// `RestoreVlmDfn`.
    snapshot_volume_definition_restore(MsgRestoreSnapshotVlmDfn) => RestoreVlmDfn;
    /// `DelSnapshot`.
    snapshot_delete(MsgDelSnapshot) => DelSnapshot;
    /// `RollbackSnapshot`.
    snapshot_rollback(MsgRollbackSnapshot) => RollbackSnapshot;
    /// `ReqErrorReports` (one `MsgErrorReport` per report; zero is fine).
    error_report_list(MsgReqErrorReport) => ReqErrorReports;
}

list_calls! {
    /// `LstNode`.
    node_list() -> LstNode;
    /// `LstStorPoolDfn`.
    storage_pool_dfn_list() -> LstStorPoolDfn;
    /// `LstRscDfn`.
    resource_dfn_list() -> LstRscDfn;
    /// `LstCfgVal`.
    controller_props() -> LstCfgVal;
    /// `LstSnapshotDfn`.
    snapshot_dfn_list() -> LstSnapshotDfn;
    /// `Hostname` (satellite connections only).
    hostname() -> Hostname;
    /// `LstStorPool` (the filter is always sent).
    storage_pool_list(filter: &ListFilter => Some(filter.wire())) -> LstStorPool;
    /// `LstRsc` (the filter is always sent).
    resource_list(filter: &ListFilter => Some(filter.wire())) -> LstRsc;
    /// `ReqRscConnList`.
    resource_conn_list(body: MsgReqRscConn => body) -> ReqRscConnList;
    /// `LstKvsProps`.
    keyvaluestore_list(body: MsgLstKvsProps => body) -> LstKvsProps;
}

impl Client {
    /// `LstVlm` (the list answer, then a usually empty `Reply`; the filter is always sent).
    ///
    /// # Errors
    ///
    /// As [`Client::call`].
    ///
    /// # Cancel safety
    ///
    /// Cancel safe (see [`Client::call`]).
    pub async fn volume_list(&self, filter: &ListFilter) -> Result<Answers, ClientError> {
        self.call(&Request::LstVlm(Some(filter.wire()))).await
    }

    /// API-level `Ping`; returns when the `COMPLETE` arrives.
    ///
    /// # Errors
    ///
    /// As [`Client::call`].
    pub async fn ping(&self) -> Result<(), ClientError> {
        self.call(&Request::Ping).await.map(|_| ())
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
            .resource_dfn_create(&ResourceDfnCreate {
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
            .resource_list(&ListFilter {
                nodes: vec![node_name.to_owned()],
                resources: vec![rsc_name.to_owned()],
                ..Default::default()
            })
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
        self.resource_delete(MsgDelRsc {
            node_name: node_name.to_owned(),
            rsc_name: rsc_name.to_owned(),
            ..Default::default()
        })
        .await
        .map(Some)
    }
}
