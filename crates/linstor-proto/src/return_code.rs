//! [`ReturnCode`]: the 64-bit `MsgApiCallResponse.ret_code` with its severity, operation,
//! object and code fields (constants.md §7), and a named constant for every code.
//!
//! Severity, operation and object are enumerations stored in bit fields: they are compared
//! whole (`rc & MASK == VALUE`), never bit by bit, so an error is not also a warning and a
//! delete is not also a create.

/// A LINSTOR return code.
///
/// ```
/// use linstor_proto::return_code::{Object, Operation, ReturnCode, Severity};
///
/// let rc = ReturnCode(0xC000_0000_013C_01F4); // FAIL_EXISTS_NODE | MASK_CRT | MASK_NODE
/// assert_eq!(rc.severity(), Severity::Error);
/// assert_eq!(rc.operation(), Some(Operation::Create));
/// assert_eq!(rc.object(), Some(Object::Node));
/// assert_eq!(rc.code(), 500);
/// assert!(rc.is_code(ReturnCode::FAIL_EXISTS_NODE));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReturnCode(pub u64);

/// Severity bits 62-63.
pub const MASK_BITS_TYPE: u64 = 0xC000_0000_0000_0000;
/// Operation bits 24-25.
pub const MASK_BITS_OP: u64 = 0x0000_0000_0300_0000;
/// Object type bits 18-21.
pub const MASK_BITS_OBJ: u64 = 0x0000_0000_003C_0000;
/// Code number bits 0-14.
pub const MASK_BITS_CODE: u64 = 0x0000_0000_0000_7FFF;

/// Severity of a return code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// `MASK_SUCCESS` (0).
    Success,
    /// `MASK_INFO` (`0x4000000000000000`).
    Info,
    /// `MASK_WARN` (`0x8000000000000000`).
    Warning,
    /// `MASK_ERROR` (`0xC000000000000000`).
    Error,
}

impl Severity {
    /// The bit-field value of this severity.
    pub const fn mask(self) -> u64 {
        match self {
            Severity::Success => 0,
            Severity::Info => 0x4000_0000_0000_0000,
            Severity::Warning => 0x8000_0000_0000_0000,
            Severity::Error => 0xC000_0000_0000_0000,
        }
    }
}

/// Operation of a return code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `MASK_CRT`.
    Create,
    /// `MASK_MOD`.
    Modify,
    /// `MASK_DEL` (both operation bits).
    Delete,
}

impl Operation {
    /// The bit-field value of this operation.
    pub const fn mask(self) -> u64 {
        match self {
            Operation::Create => 0x0100_0000,
            Operation::Modify => 0x0200_0000,
            Operation::Delete => 0x0300_0000,
        }
    }
}

macro_rules! objects {
    ($($variant:ident = $value:literal, $doc:literal;)*) => {
        /// Object type of a return code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Object {
            $(#[doc = $doc] $variant,)*
        }

        impl Object {
            /// The bit-field value of this object type.
            pub const fn mask(self) -> u64 {
                match self {
                    $(Object::$variant => $value << 18,)*
                }
            }

            fn from_field(field: u64) -> Option<Object> {
                match field {
                    $(x if x == $value << 18 => Some(Object::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

objects! {
    Node = 15, "`MASK_NODE`";
    ResourceDefinition = 14, "`MASK_RSC_DFN`";
    Resource = 13, "`MASK_RSC`";
    VolumeDefinition = 12, "`MASK_VLM_DFN`";
    Volume = 11, "`MASK_VLM`";
    NodeConnection = 10, "`MASK_NODE_CONN`";
    ResourceConnection = 9, "`MASK_RSC_CONN`";
    VolumeConnection = 8, "`MASK_VLM_CONN`";
    NetInterface = 7, "`MASK_NET_IF`";
    StoragePoolDefinition = 6, "`MASK_STOR_POOL_DFN`";
    StoragePool = 5, "`MASK_STOR_POOL`";
    ControllerConfig = 4, "`MASK_CTRL_CONF`";
    Snapshot = 3, "`MASK_SNAPSHOT`";
}

impl ReturnCode {
    /// Builds a code the way the controller does: `code` carries its severity; the
    /// operation and object masks are added (constants.md §7.1 adds them only where those
    /// bit groups are still zero, which holds for every code constant).
    pub const fn new(code: ReturnCode, op: Operation, obj: Object) -> ReturnCode {
        ReturnCode(code.0 | op.mask() | obj.mask())
    }

    /// Adds an operation mask only (used where the controller names no object).
    pub const fn with_op(self, op: Operation) -> ReturnCode {
        ReturnCode(self.0 | op.mask())
    }

    /// The severity field.
    pub const fn severity(self) -> Severity {
        match self.0 & MASK_BITS_TYPE {
            0 => Severity::Success,
            0x4000_0000_0000_0000 => Severity::Info,
            0x8000_0000_0000_0000 => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// The operation field, `None` when zero.
    pub const fn operation(self) -> Option<Operation> {
        match self.0 & MASK_BITS_OP {
            0x0100_0000 => Some(Operation::Create),
            0x0200_0000 => Some(Operation::Modify),
            0x0300_0000 => Some(Operation::Delete),
            _ => None,
        }
    }

    /// The object field, `None` when zero or not a known object.
    pub fn object(self) -> Option<Object> {
        Object::from_field(self.0 & MASK_BITS_OBJ)
    }

    /// The code number (bits 0-14).
    pub const fn code(self) -> u64 {
        self.0 & MASK_BITS_CODE
    }

    /// Whether this is one of the three special codes (`UNKNOWN_API_CALL`,
    /// `API_CALL_AUTH_REQ`, `API_CALL_PARSE_ERROR`), which set every operation and object bit
    /// and must be compared whole.
    pub const fn is_special(self) -> bool {
        self.0 == Self::UNKNOWN_API_CALL.0
            || self.0 == Self::API_CALL_AUTH_REQ.0
            || self.0 == Self::API_CALL_PARSE_ERROR.0
    }

    /// Severity error.
    pub const fn is_error(self) -> bool {
        matches!(self.severity(), Severity::Error)
    }

    /// Severity warning (not true for errors, unlike the Python client's `is_warning`).
    pub const fn is_warning(self) -> bool {
        matches!(self.severity(), Severity::Warning)
    }

    /// Severity info (not true for errors, unlike the Python client's `is_info`).
    pub const fn is_info(self) -> bool {
        matches!(self.severity(), Severity::Info)
    }

    /// Severity success (all severity bits zero).
    pub const fn is_success(self) -> bool {
        matches!(self.severity(), Severity::Success)
    }

    /// Whether this code is the constant `code` with any operation and object: severity and
    /// code number compared whole; special codes compared as whole values.
    pub const fn is_code(self, code: ReturnCode) -> bool {
        if code.is_special() || self.is_special() {
            return self.0 == code.0;
        }
        (self.0 & (MASK_BITS_TYPE | MASK_BITS_CODE)) == (code.0 & (MASK_BITS_TYPE | MASK_BITS_CODE))
    }

    /// The name of the code constant this code carries (ignoring operation and object),
    /// e.g. `FAIL_EXISTS_NODE`; `None` for unknown codes.
    pub fn name(self) -> Option<&'static str> {
        let base = if self.is_special() {
            self
        } else {
            ReturnCode(self.0 & (MASK_BITS_TYPE | MASK_BITS_CODE))
        };
        Some(match base {
            ReturnCode::RC_SIGNIN_PASS => "RC_SIGNIN_PASS",
            ReturnCode::RC_SIGNIN_FAIL => "RC_SIGNIN_FAIL",
            ReturnCode::CREATED => "CREATED",
            ReturnCode::DELETED => "DELETED",
            ReturnCode::MODIFIED => "MODIFIED",
            ReturnCode::PASSPHRASE_ACCEPTED => "PASSPHRASE_ACCEPTED",
            ReturnCode::FAIL_SQL => "FAIL_SQL",
            ReturnCode::FAIL_SQL_ROLLBACK => "FAIL_SQL_ROLLBACK",
            ReturnCode::FAIL_INVLD_NODE_NAME => "FAIL_INVLD_NODE_NAME",
            ReturnCode::FAIL_INVLD_NODE_TYPE => "FAIL_INVLD_NODE_TYPE",
            ReturnCode::FAIL_INVLD_RSC_NAME => "FAIL_INVLD_RSC_NAME",
            ReturnCode::FAIL_INVLD_RSC_PORT => "FAIL_INVLD_RSC_PORT",
            ReturnCode::FAIL_INVLD_NODE_ID => "FAIL_INVLD_NODE_ID",
            ReturnCode::FAIL_INVLD_VLM_NR => "FAIL_INVLD_VLM_NR",
            ReturnCode::FAIL_INVLD_VLM_SIZE => "FAIL_INVLD_VLM_SIZE",
            ReturnCode::FAIL_INVLD_MINOR_NR => "FAIL_INVLD_MINOR_NR",
            ReturnCode::FAIL_INVLD_STOR_POOL_NAME => "FAIL_INVLD_STOR_POOL_NAME",
            ReturnCode::FAIL_INVLD_NET_NAME => "FAIL_INVLD_NET_NAME",
            ReturnCode::FAIL_INVLD_NET_ADDR => "FAIL_INVLD_NET_ADDR",
            ReturnCode::FAIL_INVLD_NET_PORT => "FAIL_INVLD_NET_PORT",
            ReturnCode::FAIL_INVLD_NET_TYPE => "FAIL_INVLD_NET_TYPE",
            ReturnCode::FAIL_INVLD_PROP => "FAIL_INVLD_PROP",
            ReturnCode::FAIL_INVLD_TRANSPORT_TYPE => "FAIL_INVLD_TRANSPORT_TYPE",
            ReturnCode::FAIL_INVLD_TCP_PORT => "FAIL_INVLD_TCP_PORT",
            ReturnCode::FAIL_INVLD_CRYPT_PASSPHRASE => "FAIL_INVLD_CRYPT_PASSPHRASE",
            ReturnCode::FAIL_INVLD_ENCRYPT_TYPE => "FAIL_INVLD_ENCRYPT_TYPE",
            ReturnCode::FAIL_INVLD_SNAPSHOT_NAME => "FAIL_INVLD_SNAPSHOT_NAME",
            ReturnCode::FAIL_INVLD_PLACE_COUNT => "FAIL_INVLD_PLACE_COUNT",
            ReturnCode::FAIL_INVLD_FREE_SPACE_MGR_NAME => "FAIL_INVLD_FREE_SPACE_MGR_NAME",
            ReturnCode::FAIL_INVLD_STOR_DRIVER => "FAIL_INVLD_STOR_DRIVER",
            ReturnCode::FAIL_INVLD_DRBD_PROXY_COMPRESSION_TYPE => {
                "FAIL_INVLD_DRBD_PROXY_COMPRESSION_TYPE"
            }
            ReturnCode::FAIL_INVLD_KVS_NAME => "FAIL_INVLD_KVS_NAME",
            ReturnCode::FAIL_NOT_FOUND_NODE => "FAIL_NOT_FOUND_NODE",
            ReturnCode::FAIL_NOT_FOUND_RSC_DFN => "FAIL_NOT_FOUND_RSC_DFN",
            ReturnCode::FAIL_NOT_FOUND_RSC => "FAIL_NOT_FOUND_RSC",
            ReturnCode::FAIL_NOT_FOUND_VLM_DFN => "FAIL_NOT_FOUND_VLM_DFN",
            ReturnCode::FAIL_NOT_FOUND_VLM => "FAIL_NOT_FOUND_VLM",
            ReturnCode::FAIL_NOT_FOUND_NET_IF => "FAIL_NOT_FOUND_NET_IF",
            ReturnCode::FAIL_NOT_FOUND_NODE_CONN => "FAIL_NOT_FOUND_NODE_CONN",
            ReturnCode::FAIL_NOT_FOUND_RSC_CONN => "FAIL_NOT_FOUND_RSC_CONN",
            ReturnCode::FAIL_NOT_FOUND_VLM_CONN => "FAIL_NOT_FOUND_VLM_CONN",
            ReturnCode::FAIL_NOT_FOUND_STOR_POOL_DFN => "FAIL_NOT_FOUND_STOR_POOL_DFN",
            ReturnCode::FAIL_NOT_FOUND_STOR_POOL => "FAIL_NOT_FOUND_STOR_POOL",
            ReturnCode::FAIL_NOT_FOUND_DFLT_STOR_POOL => "FAIL_NOT_FOUND_DFLT_STOR_POOL",
            ReturnCode::FAIL_NOT_FOUND_CRYPT_KEY => "FAIL_NOT_FOUND_CRYPT_KEY",
            ReturnCode::FAIL_NOT_FOUND_SNAPSHOT_DFN => "FAIL_NOT_FOUND_SNAPSHOT_DFN",
            ReturnCode::FAIL_NOT_FOUND_SNAPSHOT_VLM_DFN => "FAIL_NOT_FOUND_SNAPSHOT_VLM_DFN",
            ReturnCode::FAIL_NOT_FOUND_SNAPSHOT => "FAIL_NOT_FOUND_SNAPSHOT",
            ReturnCode::FAIL_ACC_DENIED_NODE => "FAIL_ACC_DENIED_NODE",
            ReturnCode::FAIL_ACC_DENIED_RSC_DFN => "FAIL_ACC_DENIED_RSC_DFN",
            ReturnCode::FAIL_ACC_DENIED_RSC => "FAIL_ACC_DENIED_RSC",
            ReturnCode::FAIL_ACC_DENIED_VLM_DFN => "FAIL_ACC_DENIED_VLM_DFN",
            ReturnCode::FAIL_ACC_DENIED_VLM => "FAIL_ACC_DENIED_VLM",
            ReturnCode::FAIL_ACC_DENIED_STOR_POOL_DFN => "FAIL_ACC_DENIED_STOR_POOL_DFN",
            ReturnCode::FAIL_ACC_DENIED_STOR_POOL => "FAIL_ACC_DENIED_STOR_POOL",
            ReturnCode::FAIL_ACC_DENIED_NODE_CONN => "FAIL_ACC_DENIED_NODE_CONN",
            ReturnCode::FAIL_ACC_DENIED_RSC_CONN => "FAIL_ACC_DENIED_RSC_CONN",
            ReturnCode::FAIL_ACC_DENIED_VLM_CONN => "FAIL_ACC_DENIED_VLM_CONN",
            ReturnCode::FAIL_ACC_DENIED_STLT_CONN => "FAIL_ACC_DENIED_STLT_CONN",
            ReturnCode::FAIL_ACC_DENIED_CTRL_CFG => "FAIL_ACC_DENIED_CTRL_CFG",
            ReturnCode::FAIL_ACC_DENIED_COMMAND => "FAIL_ACC_DENIED_COMMAND",
            ReturnCode::FAIL_ACC_DENIED_WATCH => "FAIL_ACC_DENIED_WATCH",
            ReturnCode::FAIL_ACC_DENIED_SNAPSHOT_DFN => "FAIL_ACC_DENIED_SNAPSHOT_DFN",
            ReturnCode::FAIL_ACC_DENIED_SNAPSHOT => "FAIL_ACC_DENIED_SNAPSHOT",
            ReturnCode::FAIL_ACC_DENIED_SNAPSHOT_VLM_DFN => "FAIL_ACC_DENIED_SNAPSHOT_VLM_DFN",
            ReturnCode::FAIL_ACC_DENIED_FREE_SPACE_MGR => "FAIL_ACC_DENIED_FREE_SPACE_MGR",
            ReturnCode::FAIL_ACC_DENIED_KVS => "FAIL_ACC_DENIED_KVS",
            ReturnCode::FAIL_EXISTS_NODE => "FAIL_EXISTS_NODE",
            ReturnCode::FAIL_EXISTS_RSC_DFN => "FAIL_EXISTS_RSC_DFN",
            ReturnCode::FAIL_EXISTS_RSC => "FAIL_EXISTS_RSC",
            ReturnCode::FAIL_EXISTS_VLM_DFN => "FAIL_EXISTS_VLM_DFN",
            ReturnCode::FAIL_EXISTS_VLM => "FAIL_EXISTS_VLM",
            ReturnCode::FAIL_EXISTS_NET_IF => "FAIL_EXISTS_NET_IF",
            ReturnCode::FAIL_EXISTS_NODE_CONN => "FAIL_EXISTS_NODE_CONN",
            ReturnCode::FAIL_EXISTS_RSC_CONN => "FAIL_EXISTS_RSC_CONN",
            ReturnCode::FAIL_EXISTS_VLM_CONN => "FAIL_EXISTS_VLM_CONN",
            ReturnCode::FAIL_EXISTS_STOR_POOL_DFN => "FAIL_EXISTS_STOR_POOL_DFN",
            ReturnCode::FAIL_EXISTS_STOR_POOL => "FAIL_EXISTS_STOR_POOL",
            ReturnCode::FAIL_EXISTS_STLT_CONN => "FAIL_EXISTS_STLT_CONN",
            ReturnCode::FAIL_EXISTS_CRYPT_PASSPHRASE => "FAIL_EXISTS_CRYPT_PASSPHRASE",
            ReturnCode::FAIL_EXISTS_WATCH => "FAIL_EXISTS_WATCH",
            ReturnCode::FAIL_EXISTS_SNAPSHOT_DFN => "FAIL_EXISTS_SNAPSHOT_DFN",
            ReturnCode::FAIL_EXISTS_SWORDFISH_TARGET_PER_RSC_DFN => {
                "FAIL_EXISTS_SWORDFISH_TARGET_PER_RSC_DFN"
            }
            ReturnCode::FAIL_EXISTS_SNAPSHOT => "FAIL_EXISTS_SNAPSHOT",
            ReturnCode::FAIL_MISSING_PROPS => "FAIL_MISSING_PROPS",
            ReturnCode::FAIL_MISSING_PROPS_NETCOM_TYPE => "FAIL_MISSING_PROPS_NETCOM_TYPE",
            ReturnCode::FAIL_MISSING_PROPS_NETCOM_PORT => "FAIL_MISSING_PROPS_NETCOM_PORT",
            ReturnCode::FAIL_MISSING_NETCOM => "FAIL_MISSING_NETCOM",
            ReturnCode::FAIL_MISSING_PROPS_NETIF_NAME => "FAIL_MISSING_PROPS_NETIF_NAME",
            ReturnCode::FAIL_MISSING_STLT_CONN => "FAIL_MISSING_STLT_CONN",
            ReturnCode::FAIL_UUID_NODE => "FAIL_UUID_NODE",
            ReturnCode::FAIL_UUID_RSC_DFN => "FAIL_UUID_RSC_DFN",
            ReturnCode::FAIL_UUID_RSC => "FAIL_UUID_RSC",
            ReturnCode::FAIL_UUID_VLM_DFN => "FAIL_UUID_VLM_DFN",
            ReturnCode::FAIL_UUID_VLM => "FAIL_UUID_VLM",
            ReturnCode::FAIL_UUID_NET_IF => "FAIL_UUID_NET_IF",
            ReturnCode::FAIL_UUID_NODE_CONN => "FAIL_UUID_NODE_CONN",
            ReturnCode::FAIL_UUID_RSC_CONN => "FAIL_UUID_RSC_CONN",
            ReturnCode::FAIL_UUID_VLM_CONN => "FAIL_UUID_VLM_CONN",
            ReturnCode::FAIL_UUID_STOR_POOL_DFN => "FAIL_UUID_STOR_POOL_DFN",
            ReturnCode::FAIL_UUID_STOR_POOL => "FAIL_UUID_STOR_POOL",
            ReturnCode::FAIL_POOL_EXHAUSTED_VLM_NR => "FAIL_POOL_EXHAUSTED_VLM_NR",
            ReturnCode::FAIL_POOL_EXHAUSTED_MINOR_NR => "FAIL_POOL_EXHAUSTED_MINOR_NR",
            ReturnCode::FAIL_POOL_EXHAUSTED_TCP_PORT => "FAIL_POOL_EXHAUSTED_TCP_PORT",
            ReturnCode::FAIL_POOL_EXHAUSTED_NODE_ID => "FAIL_POOL_EXHAUSTED_NODE_ID",
            ReturnCode::FAIL_STOR_POOL_CONFIGURATION_ERROR => "FAIL_STOR_POOL_CONFIGURATION_ERROR",
            ReturnCode::FAIL_INSUFFICIENT_REPLICA_COUNT => "FAIL_INSUFFICIENT_REPLICA_COUNT",
            ReturnCode::FAIL_RSC_BUSY => "FAIL_RSC_BUSY",
            ReturnCode::FAIL_INSUFFICIENT_PEER_SLOTS => "FAIL_INSUFFICIENT_PEER_SLOTS",
            ReturnCode::FAIL_SNAPSHOTS_NOT_SUPPORTED => "FAIL_SNAPSHOTS_NOT_SUPPORTED",
            ReturnCode::FAIL_NOT_CONNECTED => "FAIL_NOT_CONNECTED",
            ReturnCode::FAIL_NOT_ENOUGH_NODES => "FAIL_NOT_ENOUGH_NODES",
            ReturnCode::FAIL_IN_USE => "FAIL_IN_USE",
            ReturnCode::FAIL_UNKNOWN_ERROR => "FAIL_UNKNOWN_ERROR",
            ReturnCode::FAIL_IMPL_ERROR => "FAIL_IMPL_ERROR",
            ReturnCode::WARN_INVLD_OPT_PROP_NETCOM_ENABLED => "WARN_INVLD_OPT_PROP_NETCOM_ENABLED",
            ReturnCode::WARN_NOT_CONNECTED => "WARN_NOT_CONNECTED",
            ReturnCode::WARN_STLT_NOT_UPDATED => "WARN_STLT_NOT_UPDATED",
            ReturnCode::WARN_NO_STLT_CONN_DEFINED => "WARN_NO_STLT_CONN_DEFINED",
            ReturnCode::WARN_DEL_UNSET_PROP => "WARN_DEL_UNSET_PROP",
            ReturnCode::WARN_RSC_ALREADY_DEPLOYED => "WARN_RSC_ALREADY_DEPLOYED",
            ReturnCode::WARN_RSC_ALREADY_HAS_DISK => "WARN_RSC_ALREADY_HAS_DISK",
            ReturnCode::WARN_RSC_ALREADY_DISKLESS => "WARN_RSC_ALREADY_DISKLESS",
            ReturnCode::WARN_ALL_DISKLESS => "WARN_ALL_DISKLESS",
            ReturnCode::WARN_STORAGE_ERROR => "WARN_STORAGE_ERROR",
            ReturnCode::WARN_NOT_FOUND => "WARN_NOT_FOUND",
            ReturnCode::UNKNOWN_API_CALL => "UNKNOWN_API_CALL",
            ReturnCode::API_CALL_AUTH_REQ => "API_CALL_AUTH_REQ",
            ReturnCode::API_CALL_PARSE_ERROR => "API_CALL_PARSE_ERROR",
            _ => return None,
        })
    }
}

impl std::fmt::Display for ReturnCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name} (0x{:016X})", self.0),
            None => write!(f, "0x{:016X}", self.0),
        }
    }
}

impl From<u64> for ReturnCode {
    fn from(v: u64) -> ReturnCode {
        ReturnCode(v)
    }
}

/// Every code constant of constants.md §7.2, before operation and object masks are added.
impl ReturnCode {
    /// `CREATED` (success).
    pub const CREATED: ReturnCode = ReturnCode(0x0000_0000_0000_0001);
    /// `DELETED` (success).
    pub const DELETED: ReturnCode = ReturnCode(0x0000_0000_0000_0002);
    /// `MODIFIED` (success).
    pub const MODIFIED: ReturnCode = ReturnCode(0x0000_0000_0000_0003);
    /// `PASSPHRASE_ACCEPTED` (success).
    pub const PASSPHRASE_ACCEPTED: ReturnCode = ReturnCode(0x0000_0000_0000_0004);
    /// `FAIL_SQL` (error).
    pub const FAIL_SQL: ReturnCode = ReturnCode(0xC000_0000_0000_0064);
    /// `FAIL_SQL_ROLLBACK` (error).
    pub const FAIL_SQL_ROLLBACK: ReturnCode = ReturnCode(0xC000_0000_0000_0065);
    /// `FAIL_INVLD_NODE_NAME` (error).
    pub const FAIL_INVLD_NODE_NAME: ReturnCode = ReturnCode(0xC000_0000_0000_00C8);
    /// `FAIL_INVLD_NODE_TYPE` (error).
    pub const FAIL_INVLD_NODE_TYPE: ReturnCode = ReturnCode(0xC000_0000_0000_00C9);
    /// `FAIL_INVLD_RSC_NAME` (error).
    pub const FAIL_INVLD_RSC_NAME: ReturnCode = ReturnCode(0xC000_0000_0000_00CA);
    /// `FAIL_INVLD_RSC_PORT` (error).
    pub const FAIL_INVLD_RSC_PORT: ReturnCode = ReturnCode(0xC000_0000_0000_00CB);
    /// `FAIL_INVLD_NODE_ID` (error).
    pub const FAIL_INVLD_NODE_ID: ReturnCode = ReturnCode(0xC000_0000_0000_00CC);
    /// `FAIL_INVLD_VLM_NR` (error).
    pub const FAIL_INVLD_VLM_NR: ReturnCode = ReturnCode(0xC000_0000_0000_00CD);
    /// `FAIL_INVLD_VLM_SIZE` (error).
    pub const FAIL_INVLD_VLM_SIZE: ReturnCode = ReturnCode(0xC000_0000_0000_00CE);
    /// `FAIL_INVLD_MINOR_NR` (error).
    pub const FAIL_INVLD_MINOR_NR: ReturnCode = ReturnCode(0xC000_0000_0000_00CF);
    /// `FAIL_INVLD_STOR_POOL_NAME` (error).
    pub const FAIL_INVLD_STOR_POOL_NAME: ReturnCode = ReturnCode(0xC000_0000_0000_00D0);
    /// `FAIL_INVLD_NET_NAME` (error).
    pub const FAIL_INVLD_NET_NAME: ReturnCode = ReturnCode(0xC000_0000_0000_00D1);
    /// `FAIL_INVLD_NET_ADDR` (error).
    pub const FAIL_INVLD_NET_ADDR: ReturnCode = ReturnCode(0xC000_0000_0000_00D2);
    /// `FAIL_INVLD_NET_PORT` (error).
    pub const FAIL_INVLD_NET_PORT: ReturnCode = ReturnCode(0xC000_0000_0000_00D3);
    /// `FAIL_INVLD_NET_TYPE` (error).
    pub const FAIL_INVLD_NET_TYPE: ReturnCode = ReturnCode(0xC000_0000_0000_00D4);
    /// `FAIL_INVLD_PROP` (error).
    pub const FAIL_INVLD_PROP: ReturnCode = ReturnCode(0xC000_0000_0000_00D5);
    /// `FAIL_INVLD_TRANSPORT_TYPE` (error).
    pub const FAIL_INVLD_TRANSPORT_TYPE: ReturnCode = ReturnCode(0xC000_0000_0000_00D6);
    /// `FAIL_INVLD_TCP_PORT` (error).
    pub const FAIL_INVLD_TCP_PORT: ReturnCode = ReturnCode(0xC000_0000_0000_00D7);
    /// `FAIL_INVLD_CRYPT_PASSPHRASE` (error).
    pub const FAIL_INVLD_CRYPT_PASSPHRASE: ReturnCode = ReturnCode(0xC000_0000_0000_00D8);
    /// `FAIL_INVLD_ENCRYPT_TYPE` (error).
    pub const FAIL_INVLD_ENCRYPT_TYPE: ReturnCode = ReturnCode(0xC000_0000_0000_00D9);
    /// `FAIL_INVLD_SNAPSHOT_NAME` (error).
    pub const FAIL_INVLD_SNAPSHOT_NAME: ReturnCode = ReturnCode(0xC000_0000_0000_00DA);
    /// `FAIL_INVLD_PLACE_COUNT` (error).
    pub const FAIL_INVLD_PLACE_COUNT: ReturnCode = ReturnCode(0xC000_0000_0000_00DB);
    /// `FAIL_INVLD_FREE_SPACE_MGR_NAME` (error).
    pub const FAIL_INVLD_FREE_SPACE_MGR_NAME: ReturnCode = ReturnCode(0xC000_0000_0000_00DC);
    /// `FAIL_INVLD_STOR_DRIVER` (error).
    pub const FAIL_INVLD_STOR_DRIVER: ReturnCode = ReturnCode(0xC000_0000_0000_00DD);
    /// `FAIL_INVLD_DRBD_PROXY_COMPRESSION_TYPE` (error).
    pub const FAIL_INVLD_DRBD_PROXY_COMPRESSION_TYPE: ReturnCode =
        ReturnCode(0xC000_0000_0000_00DE);
    /// `FAIL_INVLD_KVS_NAME` (error).
    pub const FAIL_INVLD_KVS_NAME: ReturnCode = ReturnCode(0xC000_0000_0000_00DF);
    /// `FAIL_NOT_FOUND_NODE` (error).
    pub const FAIL_NOT_FOUND_NODE: ReturnCode = ReturnCode(0xC000_0000_0000_012C);
    /// `FAIL_NOT_FOUND_RSC_DFN` (error).
    pub const FAIL_NOT_FOUND_RSC_DFN: ReturnCode = ReturnCode(0xC000_0000_0000_012D);
    /// `FAIL_NOT_FOUND_RSC` (error).
    pub const FAIL_NOT_FOUND_RSC: ReturnCode = ReturnCode(0xC000_0000_0000_012E);
    /// `FAIL_NOT_FOUND_VLM_DFN` (error).
    pub const FAIL_NOT_FOUND_VLM_DFN: ReturnCode = ReturnCode(0xC000_0000_0000_012F);
    /// `FAIL_NOT_FOUND_VLM` (error).
    pub const FAIL_NOT_FOUND_VLM: ReturnCode = ReturnCode(0xC000_0000_0000_0130);
    /// `FAIL_NOT_FOUND_NET_IF` (error).
    pub const FAIL_NOT_FOUND_NET_IF: ReturnCode = ReturnCode(0xC000_0000_0000_0131);
    /// `FAIL_NOT_FOUND_NODE_CONN` (error).
    pub const FAIL_NOT_FOUND_NODE_CONN: ReturnCode = ReturnCode(0xC000_0000_0000_0132);
    /// `FAIL_NOT_FOUND_RSC_CONN` (error).
    pub const FAIL_NOT_FOUND_RSC_CONN: ReturnCode = ReturnCode(0xC000_0000_0000_0133);
    /// `FAIL_NOT_FOUND_VLM_CONN` (error).
    pub const FAIL_NOT_FOUND_VLM_CONN: ReturnCode = ReturnCode(0xC000_0000_0000_0134);
    /// `FAIL_NOT_FOUND_STOR_POOL_DFN` (error).
    pub const FAIL_NOT_FOUND_STOR_POOL_DFN: ReturnCode = ReturnCode(0xC000_0000_0000_0135);
    /// `FAIL_NOT_FOUND_STOR_POOL` (error).
    pub const FAIL_NOT_FOUND_STOR_POOL: ReturnCode = ReturnCode(0xC000_0000_0000_0136);
    /// `FAIL_NOT_FOUND_DFLT_STOR_POOL` (error).
    pub const FAIL_NOT_FOUND_DFLT_STOR_POOL: ReturnCode = ReturnCode(0xC000_0000_0000_0137);
    /// `FAIL_NOT_FOUND_CRYPT_KEY` (error).
    pub const FAIL_NOT_FOUND_CRYPT_KEY: ReturnCode = ReturnCode(0xC000_0000_0000_0138);
    /// `FAIL_NOT_FOUND_SNAPSHOT_DFN` (error).
    pub const FAIL_NOT_FOUND_SNAPSHOT_DFN: ReturnCode = ReturnCode(0xC000_0000_0000_0139);
    /// `FAIL_NOT_FOUND_SNAPSHOT_VLM_DFN` (error).
    pub const FAIL_NOT_FOUND_SNAPSHOT_VLM_DFN: ReturnCode = ReturnCode(0xC000_0000_0000_013A);
    /// `FAIL_NOT_FOUND_SNAPSHOT` (error).
    pub const FAIL_NOT_FOUND_SNAPSHOT: ReturnCode = ReturnCode(0xC000_0000_0000_013B);
    /// `FAIL_ACC_DENIED_NODE` (error).
    pub const FAIL_ACC_DENIED_NODE: ReturnCode = ReturnCode(0xC000_0000_0000_0190);
    /// `FAIL_ACC_DENIED_RSC_DFN` (error).
    pub const FAIL_ACC_DENIED_RSC_DFN: ReturnCode = ReturnCode(0xC000_0000_0000_0191);
    /// `FAIL_ACC_DENIED_RSC` (error).
    pub const FAIL_ACC_DENIED_RSC: ReturnCode = ReturnCode(0xC000_0000_0000_0192);
    /// `FAIL_ACC_DENIED_VLM_DFN` (error).
    pub const FAIL_ACC_DENIED_VLM_DFN: ReturnCode = ReturnCode(0xC000_0000_0000_0193);
    /// `FAIL_ACC_DENIED_VLM` (error).
    pub const FAIL_ACC_DENIED_VLM: ReturnCode = ReturnCode(0xC000_0000_0000_0194);
    /// `FAIL_ACC_DENIED_STOR_POOL_DFN` (error).
    pub const FAIL_ACC_DENIED_STOR_POOL_DFN: ReturnCode = ReturnCode(0xC000_0000_0000_0195);
    /// `FAIL_ACC_DENIED_STOR_POOL` (error).
    pub const FAIL_ACC_DENIED_STOR_POOL: ReturnCode = ReturnCode(0xC000_0000_0000_0196);
    /// `FAIL_ACC_DENIED_NODE_CONN` (error).
    pub const FAIL_ACC_DENIED_NODE_CONN: ReturnCode = ReturnCode(0xC000_0000_0000_0197);
    /// `FAIL_ACC_DENIED_RSC_CONN` (error).
    pub const FAIL_ACC_DENIED_RSC_CONN: ReturnCode = ReturnCode(0xC000_0000_0000_0198);
    /// `FAIL_ACC_DENIED_VLM_CONN` (error).
    pub const FAIL_ACC_DENIED_VLM_CONN: ReturnCode = ReturnCode(0xC000_0000_0000_0199);
    /// `FAIL_ACC_DENIED_STLT_CONN` (error).
    pub const FAIL_ACC_DENIED_STLT_CONN: ReturnCode = ReturnCode(0xC000_0000_0000_019A);
    /// `FAIL_ACC_DENIED_CTRL_CFG` (error).
    pub const FAIL_ACC_DENIED_CTRL_CFG: ReturnCode = ReturnCode(0xC000_0000_0000_019B);
    /// `FAIL_ACC_DENIED_COMMAND` (error).
    pub const FAIL_ACC_DENIED_COMMAND: ReturnCode = ReturnCode(0xC000_0000_0000_019C);
    /// `FAIL_ACC_DENIED_WATCH` (error).
    pub const FAIL_ACC_DENIED_WATCH: ReturnCode = ReturnCode(0xC000_0000_0000_019D);
    /// `FAIL_ACC_DENIED_SNAPSHOT_DFN` (error).
    pub const FAIL_ACC_DENIED_SNAPSHOT_DFN: ReturnCode = ReturnCode(0xC000_0000_0000_019E);
    /// `FAIL_ACC_DENIED_SNAPSHOT` (error).
    pub const FAIL_ACC_DENIED_SNAPSHOT: ReturnCode = ReturnCode(0xC000_0000_0000_019F);
    /// `FAIL_ACC_DENIED_SNAPSHOT_VLM_DFN` (error).
    pub const FAIL_ACC_DENIED_SNAPSHOT_VLM_DFN: ReturnCode = ReturnCode(0xC000_0000_0000_01A0);
    /// `FAIL_ACC_DENIED_FREE_SPACE_MGR` (error).
    pub const FAIL_ACC_DENIED_FREE_SPACE_MGR: ReturnCode = ReturnCode(0xC000_0000_0000_01A1);
    /// `FAIL_ACC_DENIED_KVS` (error).
    pub const FAIL_ACC_DENIED_KVS: ReturnCode = ReturnCode(0xC000_0000_0000_01A2);
    /// `FAIL_EXISTS_NODE` (error).
    pub const FAIL_EXISTS_NODE: ReturnCode = ReturnCode(0xC000_0000_0000_01F4);
    /// `FAIL_EXISTS_RSC_DFN` (error).
    pub const FAIL_EXISTS_RSC_DFN: ReturnCode = ReturnCode(0xC000_0000_0000_01F5);
    /// `FAIL_EXISTS_RSC` (error).
    pub const FAIL_EXISTS_RSC: ReturnCode = ReturnCode(0xC000_0000_0000_01F6);
    /// `FAIL_EXISTS_VLM_DFN` (error).
    pub const FAIL_EXISTS_VLM_DFN: ReturnCode = ReturnCode(0xC000_0000_0000_01F7);
    /// `FAIL_EXISTS_VLM` (error).
    pub const FAIL_EXISTS_VLM: ReturnCode = ReturnCode(0xC000_0000_0000_01F8);
    /// `FAIL_EXISTS_NET_IF` (error).
    pub const FAIL_EXISTS_NET_IF: ReturnCode = ReturnCode(0xC000_0000_0000_01F9);
    /// `FAIL_EXISTS_NODE_CONN` (error).
    pub const FAIL_EXISTS_NODE_CONN: ReturnCode = ReturnCode(0xC000_0000_0000_01FA);
    /// `FAIL_EXISTS_RSC_CONN` (error).
    pub const FAIL_EXISTS_RSC_CONN: ReturnCode = ReturnCode(0xC000_0000_0000_01FB);
    /// `FAIL_EXISTS_VLM_CONN` (error).
    pub const FAIL_EXISTS_VLM_CONN: ReturnCode = ReturnCode(0xC000_0000_0000_01FC);
    /// `FAIL_EXISTS_STOR_POOL_DFN` (error).
    pub const FAIL_EXISTS_STOR_POOL_DFN: ReturnCode = ReturnCode(0xC000_0000_0000_01FD);
    /// `FAIL_EXISTS_STOR_POOL` (error).
    pub const FAIL_EXISTS_STOR_POOL: ReturnCode = ReturnCode(0xC000_0000_0000_01FE);
    /// `FAIL_EXISTS_STLT_CONN` (error).
    pub const FAIL_EXISTS_STLT_CONN: ReturnCode = ReturnCode(0xC000_0000_0000_01FF);
    /// `FAIL_EXISTS_CRYPT_PASSPHRASE` (error).
    pub const FAIL_EXISTS_CRYPT_PASSPHRASE: ReturnCode = ReturnCode(0xC000_0000_0000_0200);
    /// `FAIL_EXISTS_WATCH` (error).
    pub const FAIL_EXISTS_WATCH: ReturnCode = ReturnCode(0xC000_0000_0000_0201);
    /// `FAIL_EXISTS_SNAPSHOT_DFN` (error).
    pub const FAIL_EXISTS_SNAPSHOT_DFN: ReturnCode = ReturnCode(0xC000_0000_0000_0202);
    /// `FAIL_EXISTS_SWORDFISH_TARGET_PER_RSC_DFN` (error).
    pub const FAIL_EXISTS_SWORDFISH_TARGET_PER_RSC_DFN: ReturnCode =
        ReturnCode(0xC000_0000_0000_0203);
    /// `FAIL_EXISTS_SNAPSHOT` (error).
    pub const FAIL_EXISTS_SNAPSHOT: ReturnCode = ReturnCode(0xC000_0000_0000_0204);
    /// `FAIL_MISSING_PROPS` (error).
    pub const FAIL_MISSING_PROPS: ReturnCode = ReturnCode(0xC000_0000_0000_0258);
    /// `FAIL_MISSING_PROPS_NETCOM_TYPE` (error).
    pub const FAIL_MISSING_PROPS_NETCOM_TYPE: ReturnCode = ReturnCode(0xC000_0000_0000_0259);
    /// `FAIL_MISSING_PROPS_NETCOM_PORT` (error).
    pub const FAIL_MISSING_PROPS_NETCOM_PORT: ReturnCode = ReturnCode(0xC000_0000_0000_025A);
    /// `FAIL_MISSING_NETCOM` (error).
    pub const FAIL_MISSING_NETCOM: ReturnCode = ReturnCode(0xC000_0000_0000_025B);
    /// `FAIL_MISSING_PROPS_NETIF_NAME` (error).
    pub const FAIL_MISSING_PROPS_NETIF_NAME: ReturnCode = ReturnCode(0xC000_0000_0000_025C);
    /// `FAIL_MISSING_STLT_CONN` (error).
    pub const FAIL_MISSING_STLT_CONN: ReturnCode = ReturnCode(0xC000_0000_0000_025D);
    /// `FAIL_UUID_NODE` (error).
    pub const FAIL_UUID_NODE: ReturnCode = ReturnCode(0xC000_0000_0000_02BC);
    /// `FAIL_UUID_RSC_DFN` (error).
    pub const FAIL_UUID_RSC_DFN: ReturnCode = ReturnCode(0xC000_0000_0000_02BD);
    /// `FAIL_UUID_RSC` (error).
    pub const FAIL_UUID_RSC: ReturnCode = ReturnCode(0xC000_0000_0000_02BE);
    /// `FAIL_UUID_VLM_DFN` (error).
    pub const FAIL_UUID_VLM_DFN: ReturnCode = ReturnCode(0xC000_0000_0000_02BF);
    /// `FAIL_UUID_VLM` (error).
    pub const FAIL_UUID_VLM: ReturnCode = ReturnCode(0xC000_0000_0000_02C0);
    /// `FAIL_UUID_NET_IF` (error).
    pub const FAIL_UUID_NET_IF: ReturnCode = ReturnCode(0xC000_0000_0000_02C1);
    /// `FAIL_UUID_NODE_CONN` (error).
    pub const FAIL_UUID_NODE_CONN: ReturnCode = ReturnCode(0xC000_0000_0000_02C2);
    /// `FAIL_UUID_RSC_CONN` (error).
    pub const FAIL_UUID_RSC_CONN: ReturnCode = ReturnCode(0xC000_0000_0000_02C3);
    /// `FAIL_UUID_VLM_CONN` (error).
    pub const FAIL_UUID_VLM_CONN: ReturnCode = ReturnCode(0xC000_0000_0000_02C4);
    /// `FAIL_UUID_STOR_POOL_DFN` (error).
    pub const FAIL_UUID_STOR_POOL_DFN: ReturnCode = ReturnCode(0xC000_0000_0000_02C5);
    /// `FAIL_UUID_STOR_POOL` (error).
    pub const FAIL_UUID_STOR_POOL: ReturnCode = ReturnCode(0xC000_0000_0000_02C6);
    /// `FAIL_POOL_EXHAUSTED_VLM_NR` (error).
    pub const FAIL_POOL_EXHAUSTED_VLM_NR: ReturnCode = ReturnCode(0xC000_0000_0000_0320);
    /// `FAIL_POOL_EXHAUSTED_MINOR_NR` (error).
    pub const FAIL_POOL_EXHAUSTED_MINOR_NR: ReturnCode = ReturnCode(0xC000_0000_0000_0321);
    /// `FAIL_POOL_EXHAUSTED_TCP_PORT` (error).
    pub const FAIL_POOL_EXHAUSTED_TCP_PORT: ReturnCode = ReturnCode(0xC000_0000_0000_0322);
    /// `FAIL_POOL_EXHAUSTED_NODE_ID` (error).
    pub const FAIL_POOL_EXHAUSTED_NODE_ID: ReturnCode = ReturnCode(0xC000_0000_0000_0323);
    /// `FAIL_STOR_POOL_CONFIGURATION_ERROR` (error).
    pub const FAIL_STOR_POOL_CONFIGURATION_ERROR: ReturnCode = ReturnCode(0xC000_0000_0000_03DE);
    /// `FAIL_INSUFFICIENT_REPLICA_COUNT` (error).
    pub const FAIL_INSUFFICIENT_REPLICA_COUNT: ReturnCode = ReturnCode(0xC000_0000_0000_03DF);
    /// `FAIL_RSC_BUSY` (error).
    pub const FAIL_RSC_BUSY: ReturnCode = ReturnCode(0xC000_0000_0000_03E0);
    /// `FAIL_INSUFFICIENT_PEER_SLOTS` (error).
    pub const FAIL_INSUFFICIENT_PEER_SLOTS: ReturnCode = ReturnCode(0xC000_0000_0000_03E1);
    /// `FAIL_SNAPSHOTS_NOT_SUPPORTED` (error).
    pub const FAIL_SNAPSHOTS_NOT_SUPPORTED: ReturnCode = ReturnCode(0xC000_0000_0000_03E2);
    /// `FAIL_NOT_CONNECTED` (error).
    pub const FAIL_NOT_CONNECTED: ReturnCode = ReturnCode(0xC000_0000_0000_03E3);
    /// `FAIL_NOT_ENOUGH_NODES` (error).
    pub const FAIL_NOT_ENOUGH_NODES: ReturnCode = ReturnCode(0xC000_0000_0000_03E4);
    /// `FAIL_IN_USE` (error).
    pub const FAIL_IN_USE: ReturnCode = ReturnCode(0xC000_0000_0000_03E5);
    /// `FAIL_UNKNOWN_ERROR` (error).
    pub const FAIL_UNKNOWN_ERROR: ReturnCode = ReturnCode(0xC000_0000_0000_03E6);
    /// `FAIL_IMPL_ERROR` (error).
    pub const FAIL_IMPL_ERROR: ReturnCode = ReturnCode(0xC000_0000_0000_03E7);
    /// `WARN_INVLD_OPT_PROP_NETCOM_ENABLED` (warn).
    pub const WARN_INVLD_OPT_PROP_NETCOM_ENABLED: ReturnCode = ReturnCode(0x8000_0000_0000_03E9);
    /// `WARN_NOT_CONNECTED` (warn).
    pub const WARN_NOT_CONNECTED: ReturnCode = ReturnCode(0x8000_0000_0000_03EA);
    /// `WARN_STLT_NOT_UPDATED` (warn).
    pub const WARN_STLT_NOT_UPDATED: ReturnCode = ReturnCode(0x8000_0000_0000_03EB);
    /// `WARN_NO_STLT_CONN_DEFINED` (warn).
    pub const WARN_NO_STLT_CONN_DEFINED: ReturnCode = ReturnCode(0x8000_0000_0000_03EC);
    /// `WARN_DEL_UNSET_PROP` (warn).
    pub const WARN_DEL_UNSET_PROP: ReturnCode = ReturnCode(0x8000_0000_0000_03ED);
    /// `WARN_RSC_ALREADY_DEPLOYED` (warn).
    pub const WARN_RSC_ALREADY_DEPLOYED: ReturnCode = ReturnCode(0x8000_0000_0000_03EE);
    /// `WARN_RSC_ALREADY_HAS_DISK` (warn).
    pub const WARN_RSC_ALREADY_HAS_DISK: ReturnCode = ReturnCode(0x8000_0000_0000_03EF);
    /// `WARN_RSC_ALREADY_DISKLESS` (warn).
    pub const WARN_RSC_ALREADY_DISKLESS: ReturnCode = ReturnCode(0x8000_0000_0000_03F0);
    /// `WARN_ALL_DISKLESS` (warn).
    pub const WARN_ALL_DISKLESS: ReturnCode = ReturnCode(0x8000_0000_0000_03F1);
    /// `WARN_STORAGE_ERROR` (warn).
    pub const WARN_STORAGE_ERROR: ReturnCode = ReturnCode(0x8000_0000_0000_03F2);
    /// `WARN_NOT_FOUND` (warn).
    pub const WARN_NOT_FOUND: ReturnCode = ReturnCode(0x8000_0000_0000_0BB8);
    /// `UNKNOWN_API_CALL` (error).
    pub const UNKNOWN_API_CALL: ReturnCode = ReturnCode(0xCFFF_FFFF_FFFF_FFFF);
    /// `API_CALL_AUTH_REQ` (error).
    pub const API_CALL_AUTH_REQ: ReturnCode = ReturnCode(0xCFFF_FFFF_FFFF_FFFE);
    /// `API_CALL_PARSE_ERROR` (error).
    pub const API_CALL_PARSE_ERROR: ReturnCode = ReturnCode(0xCFFF_FFFF_FFFF_FFFD);
    /// `RC_SIGNIN_PASS` (success).
    pub const RC_SIGNIN_PASS: ReturnCode = ReturnCode(0x0000_0000_0000_2710);
    /// `RC_SIGNIN_FAIL` (error).
    pub const RC_SIGNIN_FAIL: ReturnCode = ReturnCode(0xC000_0000_0000_2710);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_sheet_examples() {
        let rc = ReturnCode(0x0000_0000_013C_0001);
        assert_eq!(
            rc,
            ReturnCode::new(ReturnCode::CREATED, Operation::Create, Object::Node)
        );
        assert!(rc.is_success());
        let del = ReturnCode(0x8000_0000_033C_0BB8);
        assert_eq!(del.severity(), Severity::Warning);
        assert_eq!(del.operation(), Some(Operation::Delete));
        assert_eq!(del.object(), Some(Object::Node));
        assert!(del.is_code(ReturnCode::WARN_NOT_FOUND));
        assert!(!del.is_error());
    }

    #[test]
    fn fields_are_compared_whole() {
        let err = ReturnCode::FAIL_UNKNOWN_ERROR;
        assert!(err.is_error() && !err.is_warning() && !err.is_info());
        let modify = ReturnCode(0x0200_0000);
        assert_eq!(modify.operation(), Some(Operation::Modify));
        assert_ne!(ReturnCode(0x0300_0000).operation(), Some(Operation::Create));
        assert_eq!(ReturnCode(0x0034_0000).object(), Some(Object::Resource));
        assert_eq!(ReturnCode(0x003C_0000).object(), Some(Object::Node));
        assert_eq!(ReturnCode(0).object(), None);
    }

    #[test]
    fn special_codes_compare_whole() {
        assert!(ReturnCode::UNKNOWN_API_CALL.is_special());
        assert!(!ReturnCode::UNKNOWN_API_CALL.is_code(ReturnCode::API_CALL_PARSE_ERROR));
        assert!(!ReturnCode(0xC000_0000_0000_7FFF).is_code(ReturnCode::UNKNOWN_API_CALL));
        assert_eq!(
            ReturnCode::API_CALL_PARSE_ERROR.name(),
            Some("API_CALL_PARSE_ERROR")
        );
    }

    #[test]
    fn names_and_display() {
        let rc = ReturnCode::new(
            ReturnCode::FAIL_NOT_ENOUGH_NODES,
            Operation::Create,
            Object::Resource,
        );
        assert_eq!(rc.0, 0xC000_0000_0134_03E4);
        assert_eq!(rc.name(), Some("FAIL_NOT_ENOUGH_NODES"));
        assert_eq!(rc.to_string(), "FAIL_NOT_ENOUGH_NODES (0xC0000000013403E4)");
        assert_eq!(ReturnCode(0x1234).name(), None);
    }
}
