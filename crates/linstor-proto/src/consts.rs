//! Protocol constants other than calls and return codes (docs/framing.md#handshake, docs/events.md#event-frames, docs/controller-rules.md#crtnode, docs/controller-rules.md#lstnode, docs/controller-rules.md#flags, docs/framing.md#transport, docs/controller-rules.md#crtstorpool, docs/controller-rules.md#property-whitelist, docs/controller-rules.md#names-and-values):
//! API version, ports, node types, events, flags, drivers, property keys and special names.

/// API version the controller announces and the client accepts (exactly 3).
pub const API_VERSION: u32 = 3;

/// Default ports.
pub mod ports {
    /// Controller, plain TCP (`linstor://`).
    pub const CTRL_PLAIN: u16 = 3376;
    /// Controller, TLS (`linstor+ssl://`).
    pub const CTRL_SSL: u16 = 3377;
    /// Satellite, plain TCP.
    pub const STLT_PLAIN: u16 = 3366;
    /// Satellite, TLS.
    pub const STLT_SSL: u16 = 3367;
}

/// URI schemes the client accepts.
pub mod schemes {
    /// Controller, plain TCP.
    pub const LINSTOR: &str = "linstor";
    /// Controller, TLS.
    pub const LINSTOR_SSL: &str = "linstor+ssl";
    /// Direct satellite connection, plain TCP (no `Version` frame).
    pub const SATELLITE: &str = "linstorstlt";
    /// Direct satellite connection, TLS.
    pub const SATELLITE_SSL: &str = "linstorstlt+ssl";
}

/// Node types as the client sends them; the controller lists them upper-cased.
pub mod node_types {
    /// `Controller`.
    pub const CONTROLLER: &str = "Controller";
    /// `Satellite`.
    pub const SATELLITE: &str = "Satellite";
    /// `Combined`.
    pub const COMBINED: &str = "Combined";
    /// `Auxiliary`.
    pub const AUXILIARY: &str = "Auxiliary";
    /// `SWORDFISH_TARGET` (created with `CrtSfTargetNode`).
    pub const SWORDFISH_TARGET: &str = "SWORDFISH_TARGET";
}

/// Net-com (satellite connection encryption) types.
pub mod netcom {
    /// `Plain`.
    pub const PLAIN: &str = "Plain";
    /// `SSL`.
    pub const SSL: &str = "SSL";
}

/// Event names and actions (docs/events.md#event-frames, docs/events.md#disk-states).
pub mod events {
    /// Event name `ResourceState` (data: `EventRscState`).
    pub const RESOURCE_STATE: &str = "ResourceState";
    /// Event name `VlmDiskState` (data: `EventVlmDiskState`).
    pub const VOLUME_DISK_STATE: &str = "VlmDiskState";
    /// Action `Value`: a new value; event data follows.
    pub const VALUE: &str = "Value";
    /// Action `CloseRemoved`: the object is gone; the stream ends.
    pub const CLOSE_REMOVED: &str = "CloseRemoved";
    /// Action `CloseNoConnection`: the satellite connection is lost; the stream ends.
    pub const CLOSE_NO_CONNECTION: &str = "CloseNoConnection";
    /// DRBD disk states that appear in `disk_state` (plus `SyncTarget(<pct>%)`).
    pub const DISK_STATES: &[&str] = &[
        "Diskless",
        "Attaching",
        "Detaching",
        "Failed",
        "Negotiating",
        "Inconsistent",
        "Outdated",
        "DUnknown",
        "Consistent",
        "UpToDate",
    ];
}

/// Flag strings (docs/controller-rules.md#flags).
pub mod flags {
    /// `CLEAN`.
    pub const CLEAN: &str = "CLEAN";
    /// `DELETE`.
    pub const DELETE: &str = "DELETE";
    /// `DISKLESS`.
    pub const DISKLESS: &str = "DISKLESS";
    /// `QIGNORE`.
    pub const QIGNORE: &str = "QIGNORE";
    /// `ENCRYPTED`.
    pub const ENCRYPTED: &str = "ENCRYPTED";
    /// `SUCCESSFUL`.
    pub const SUCCESSFUL: &str = "SUCCESSFUL";
    /// `FAILED_DEPLOYMENT`.
    pub const FAILED_DEPLOYMENT: &str = "FAILED_DEPLOYMENT";
    /// `FAILED_DISCONNECT`.
    pub const FAILED_DISCONNECT: &str = "FAILED_DISCONNECT";
    /// `RESIZE`.
    pub const RESIZE: &str = "RESIZE";
    /// `DRBD_RESIZE`.
    pub const DRBD_RESIZE: &str = "DRBD_RESIZE";
    /// `DISK_ADDING`.
    pub const DISK_ADDING: &str = "DISK_ADDING";
    /// `DISK_ADD_REQUESTED`.
    pub const DISK_ADD_REQUESTED: &str = "DISK_ADD_REQUESTED";
    /// `DISK_REMOVING`.
    pub const DISK_REMOVING: &str = "DISK_REMOVING";
    /// `DISK_REMOVE_REQUESTED`.
    pub const DISK_REMOVE_REQUESTED: &str = "DISK_REMOVE_REQUESTED";
    /// `DELETED` (resource connections).
    pub const DELETED: &str = "DELETED";
    /// `LOCAL_DRBD_PROXY` (resource connections).
    pub const LOCAL_DRBD_PROXY: &str = "LOCAL_DRBD_PROXY";
}

/// Storage pool driver strings (docs/controller-rules.md#crtstorpool).
pub mod drivers {
    /// `LvmDriver`.
    pub const LVM: &str = "LvmDriver";
    /// `LvmThinDriver`.
    pub const LVM_THIN: &str = "LvmThinDriver";
    /// `ZfsDriver`.
    pub const ZFS: &str = "ZfsDriver";
    /// `ZfsThinDriver`.
    pub const ZFS_THIN: &str = "ZfsThinDriver";
    /// `DisklessDriver`.
    pub const DISKLESS: &str = "DisklessDriver";
    /// `SwordfishTargetDriver`.
    pub const SWORDFISH_TARGET: &str = "SwordfishTargetDriver";
    /// `SwordfishInitiatorDriver`.
    pub const SWORDFISH_INITIATOR: &str = "SwordfishInitiatorDriver";
}

/// Property keys and namespaces (docs/return-codes.md#object-references, docs/controller-rules.md#crtstorpool, docs/controller-rules.md#property-whitelist).
pub mod keys {
    /// `StorPoolName`.
    pub const STOR_POOL_NAME: &str = "StorPoolName";
    /// `StorDriver/LvmVg`.
    pub const STOR_DRIVER_LVM_VG: &str = "StorDriver/LvmVg";
    /// `StorDriver/ThinPool`.
    pub const STOR_DRIVER_THIN_POOL: &str = "StorDriver/ThinPool";
    /// `StorDriver/ZPool`.
    pub const STOR_DRIVER_ZPOOL: &str = "StorDriver/ZPool";
    /// `StorDriver/ZPoolThin`.
    pub const STOR_DRIVER_ZPOOL_THIN: &str = "StorDriver/ZPoolThin";
    /// `StorDriver/SwordfishStorSvc`.
    pub const STOR_DRIVER_SF_STOR_SVC: &str = "StorDriver/SwordfishStorSvc";
    /// `DrbdOptions/Net/allow-two-primaries`.
    pub const ALLOW_TWO_PRIMARIES: &str = "DrbdOptions/Net/allow-two-primaries";
    /// `CurStltConnName` (node).
    pub const CUR_STLT_CONN_NAME: &str = "CurStltConnName";
    /// `PeerSlots` (resource).
    pub const PEER_SLOTS: &str = "PeerSlots";
    /// `PeerSlotsNewResource` (controller, resource definition).
    pub const PEER_SLOTS_NEW_RESOURCE: &str = "PeerSlotsNewResource";
    /// `AutoSelectedStorPoolName` (auto-placed resource).
    pub const AUTO_SELECTED_STOR_POOL_NAME: &str = "AutoSelectedStorPoolName";
    /// `RestoreFromResource` (restored volume).
    pub const RESTORE_FROM_RESOURCE: &str = "RestoreFromResource";
    /// `RestoreFromSnapshot` (restored volume).
    pub const RESTORE_FROM_SNAPSHOT: &str = "RestoreFromSnapshot";
    /// `MaxOversubscriptionRatio` (storage pool definition).
    pub const MAX_OVERSUBSCRIPTION_RATIO: &str = "MaxOversubscriptionRatio";
    /// `TcpPortAutoRange` (controller).
    pub const TCP_PORT_AUTO_RANGE: &str = "TcpPortAutoRange";
    /// `MinorNrAutoRange` (controller).
    pub const MINOR_NR_AUTO_RANGE: &str = "MinorNrAutoRange";
    /// `PrefNic` (storage pool, resource).
    pub const PREF_NIC: &str = "PrefNic";
    /// Storage pool static trait `Provisioning` (`Fat`/`Thin`).
    pub const PROVISIONING: &str = "Provisioning";
    /// Storage pool static trait `SupportsSnapshots` (`true`/`false`).
    pub const SUPPORTS_SNAPSHOTS: &str = "SupportsSnapshots";
    /// Storage pool static trait `AllocationUnit` (not reported at this version).
    pub const ALLOCATION_UNIT: &str = "AllocationUnit";
    /// Namespace of user properties accepted on every object.
    pub const NAMESPC_AUX: &str = "Aux";

    /// Object-reference keys of `MsgApiCallResponse.obj_refs`.
    pub mod obj_refs {
        /// `Node`.
        pub const NODE: &str = "Node";
        /// `RscDfn`.
        pub const RSC_DFN: &str = "RscDfn";
        /// `VlmNr`.
        pub const VLM_NR: &str = "VlmNr";
        /// `MinorNr`.
        pub const MINOR_NR: &str = "MinorNr";
        /// `StorPoolDfn`.
        pub const STOR_POOL_DFN: &str = "StorPoolDfn";
        /// `Snapshot`.
        pub const SNAPSHOT: &str = "Snapshot";
        /// `FirstNode`.
        pub const FIRST_NODE: &str = "FirstNode";
        /// `SecondNode`.
        pub const SECOND_NODE: &str = "SecondNode";
        /// `UUID`.
        pub const UUID: &str = "UUID";
    }
}

/// Special names and numeric ranges (docs/controller-rules.md#names-and-values).
pub mod names {
    /// Default storage pool.
    pub const DFLT_STOR_POOL: &str = "DfltStorPool";
    /// Fixed UUID of the default storage pool definition.
    pub const DFLT_STOR_POOL_UUID: &str = "f51611c6-528f-4793-a87a-866d09e6733a";
    /// Default diskless storage pool (auto-created on satellite and combined nodes).
    pub const DFLT_DISKLESS_STOR_POOL: &str = "DfltDisklessStorPool";
    /// Fixed UUID of the default diskless storage pool definition.
    pub const DFLT_DISKLESS_STOR_POOL_UUID: &str = "622807eb-c8c4-44f0-b03d-a08173c8fa1b";
    /// Default network interface name used by the client.
    pub const DEFAULT_NET_IF: &str = "default";
    /// `ControlCtrl` command.
    pub const CMD_SHUTDOWN: &str = "Shutdown";
    /// Boolean true string.
    pub const VAL_TRUE: &str = "True";
    /// Boolean false string.
    pub const VAL_FALSE: &str = "False";
    /// Default peer slots.
    pub const DEFAULT_PEER_SLOTS: u32 = 7;
    /// Auto-allocated TCP port range (inclusive).
    pub const TCP_PORT_AUTO_RANGE: (i32, i32) = (7000, 7999);
    /// Auto-allocated minor number range (inclusive).
    pub const MINOR_AUTO_RANGE: (i32, i32) = (1000, 49999);
    /// Highest valid minor number.
    pub const MINOR_MAX: i32 = 1_048_575;
    /// Highest valid volume number.
    pub const VLM_NR_MAX: i32 = 65534;
    /// Highest DRBD node id.
    pub const NODE_ID_MAX: i32 = 31;
    /// Smallest volume size (KiB).
    pub const VLM_SIZE_MIN_KIB: i64 = 4;
    /// Largest volume size (KiB): 2^40.
    pub const VLM_SIZE_MAX_KIB: i64 = 1 << 40;
}
