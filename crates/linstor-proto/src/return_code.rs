//! [`ReturnCode`]: the 64-bit `MsgApiCallResponse.ret_code` with its severity, operation,
//! object and code fields (docs/return-codes.md#layout), and a named constant for every code.
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
    /// operation and object masks are added (docs/return-codes.md#how-a-code-is-built adds them only where those
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

/// Declares every code constant once. Each block names the severity of its codes; from it
/// come the constants (with a doc line naming the code and its severity),
/// [`ReturnCode::ALL`], [`ReturnCode::name`] and [`ReturnCode::from_name`], and a
/// compile-time check that every value carries the severity of its block.
macro_rules! return_codes {
    (@severity success) => { Severity::Success };
    (@severity info) => { Severity::Info };
    (@severity warn) => { Severity::Warning };
    (@severity error) => { Severity::Error };
    ($($severity:ident { $($name:ident = $value:literal;)* })*) => {
        /// Every code constant of docs/return-codes.md#names, before operation and object masks are
        /// added.
        impl ReturnCode {
            $($(
                #[doc = concat!("`", stringify!($name), "` (", stringify!($severity), ").")]
                pub const $name: ReturnCode = ReturnCode($value);
            )*)*

            /// Every code constant, in the order of docs/return-codes.md#names.
            pub const ALL: &'static [ReturnCode] = &[$($(ReturnCode::$name,)*)*];

            /// The name of the code constant this code carries (ignoring operation and
            /// object), e.g. `FAIL_EXISTS_NODE`; `None` for unknown codes.
            pub fn name(self) -> Option<&'static str> {
                let base = if self.is_special() {
                    self
                } else {
                    ReturnCode(self.0 & (MASK_BITS_TYPE | MASK_BITS_CODE))
                };
                Some(match base {
                    $($(ReturnCode::$name => stringify!($name),)*)*
                    _ => return None,
                })
            }

            /// The code constant of this name (exact spelling, e.g. `FAIL_IN_USE`); `None`
            /// for unknown names.
            pub fn from_name(name: &str) -> Option<ReturnCode> {
                match name {
                    $($(stringify!($name) => Some(ReturnCode::$name),)*)*
                    _ => None,
                }
            }
        }

        $($(
            const _: () = assert!(
                matches!(ReturnCode::$name.severity(), return_codes!(@severity $severity)),
                concat!("`", stringify!($name), "` is not of severity ", stringify!($severity)),
            );
        )*)*
    };
}

return_codes! {
    success {
        CREATED = 0x0000_0000_0000_0001;
        DELETED = 0x0000_0000_0000_0002;
        MODIFIED = 0x0000_0000_0000_0003;
        PASSPHRASE_ACCEPTED = 0x0000_0000_0000_0004;
    }
    error {
        FAIL_SQL = 0xC000_0000_0000_0064;
        FAIL_SQL_ROLLBACK = 0xC000_0000_0000_0065;
        FAIL_INVLD_NODE_NAME = 0xC000_0000_0000_00C8;
        FAIL_INVLD_NODE_TYPE = 0xC000_0000_0000_00C9;
        FAIL_INVLD_RSC_NAME = 0xC000_0000_0000_00CA;
        FAIL_INVLD_RSC_PORT = 0xC000_0000_0000_00CB;
        FAIL_INVLD_NODE_ID = 0xC000_0000_0000_00CC;
        FAIL_INVLD_VLM_NR = 0xC000_0000_0000_00CD;
        FAIL_INVLD_VLM_SIZE = 0xC000_0000_0000_00CE;
        FAIL_INVLD_MINOR_NR = 0xC000_0000_0000_00CF;
        FAIL_INVLD_STOR_POOL_NAME = 0xC000_0000_0000_00D0;
        FAIL_INVLD_NET_NAME = 0xC000_0000_0000_00D1;
        FAIL_INVLD_NET_ADDR = 0xC000_0000_0000_00D2;
        FAIL_INVLD_NET_PORT = 0xC000_0000_0000_00D3;
        FAIL_INVLD_NET_TYPE = 0xC000_0000_0000_00D4;
        FAIL_INVLD_PROP = 0xC000_0000_0000_00D5;
        FAIL_INVLD_TRANSPORT_TYPE = 0xC000_0000_0000_00D6;
        FAIL_INVLD_TCP_PORT = 0xC000_0000_0000_00D7;
        FAIL_INVLD_CRYPT_PASSPHRASE = 0xC000_0000_0000_00D8;
        FAIL_INVLD_ENCRYPT_TYPE = 0xC000_0000_0000_00D9;
        FAIL_INVLD_SNAPSHOT_NAME = 0xC000_0000_0000_00DA;
        FAIL_INVLD_PLACE_COUNT = 0xC000_0000_0000_00DB;
        FAIL_INVLD_FREE_SPACE_MGR_NAME = 0xC000_0000_0000_00DC;
        FAIL_INVLD_STOR_DRIVER = 0xC000_0000_0000_00DD;
        FAIL_INVLD_DRBD_PROXY_COMPRESSION_TYPE = 0xC000_0000_0000_00DE;
        FAIL_INVLD_KVS_NAME = 0xC000_0000_0000_00DF;
        FAIL_NOT_FOUND_NODE = 0xC000_0000_0000_012C;
        FAIL_NOT_FOUND_RSC_DFN = 0xC000_0000_0000_012D;
        FAIL_NOT_FOUND_RSC = 0xC000_0000_0000_012E;
        FAIL_NOT_FOUND_VLM_DFN = 0xC000_0000_0000_012F;
        FAIL_NOT_FOUND_VLM = 0xC000_0000_0000_0130;
        FAIL_NOT_FOUND_NET_IF = 0xC000_0000_0000_0131;
        FAIL_NOT_FOUND_NODE_CONN = 0xC000_0000_0000_0132;
        FAIL_NOT_FOUND_RSC_CONN = 0xC000_0000_0000_0133;
        FAIL_NOT_FOUND_VLM_CONN = 0xC000_0000_0000_0134;
        FAIL_NOT_FOUND_STOR_POOL_DFN = 0xC000_0000_0000_0135;
        FAIL_NOT_FOUND_STOR_POOL = 0xC000_0000_0000_0136;
        FAIL_NOT_FOUND_DFLT_STOR_POOL = 0xC000_0000_0000_0137;
        FAIL_NOT_FOUND_CRYPT_KEY = 0xC000_0000_0000_0138;
        FAIL_NOT_FOUND_SNAPSHOT_DFN = 0xC000_0000_0000_0139;
        FAIL_NOT_FOUND_SNAPSHOT_VLM_DFN = 0xC000_0000_0000_013A;
        FAIL_NOT_FOUND_SNAPSHOT = 0xC000_0000_0000_013B;
        FAIL_ACC_DENIED_NODE = 0xC000_0000_0000_0190;
        FAIL_ACC_DENIED_RSC_DFN = 0xC000_0000_0000_0191;
        FAIL_ACC_DENIED_RSC = 0xC000_0000_0000_0192;
        FAIL_ACC_DENIED_VLM_DFN = 0xC000_0000_0000_0193;
        FAIL_ACC_DENIED_VLM = 0xC000_0000_0000_0194;
        FAIL_ACC_DENIED_STOR_POOL_DFN = 0xC000_0000_0000_0195;
        FAIL_ACC_DENIED_STOR_POOL = 0xC000_0000_0000_0196;
        FAIL_ACC_DENIED_NODE_CONN = 0xC000_0000_0000_0197;
        FAIL_ACC_DENIED_RSC_CONN = 0xC000_0000_0000_0198;
        FAIL_ACC_DENIED_VLM_CONN = 0xC000_0000_0000_0199;
        FAIL_ACC_DENIED_STLT_CONN = 0xC000_0000_0000_019A;
        FAIL_ACC_DENIED_CTRL_CFG = 0xC000_0000_0000_019B;
        FAIL_ACC_DENIED_COMMAND = 0xC000_0000_0000_019C;
        FAIL_ACC_DENIED_WATCH = 0xC000_0000_0000_019D;
        FAIL_ACC_DENIED_SNAPSHOT_DFN = 0xC000_0000_0000_019E;
        FAIL_ACC_DENIED_SNAPSHOT = 0xC000_0000_0000_019F;
        FAIL_ACC_DENIED_SNAPSHOT_VLM_DFN = 0xC000_0000_0000_01A0;
        FAIL_ACC_DENIED_FREE_SPACE_MGR = 0xC000_0000_0000_01A1;
        FAIL_ACC_DENIED_KVS = 0xC000_0000_0000_01A2;
        FAIL_EXISTS_NODE = 0xC000_0000_0000_01F4;
        FAIL_EXISTS_RSC_DFN = 0xC000_0000_0000_01F5;
        FAIL_EXISTS_RSC = 0xC000_0000_0000_01F6;
        FAIL_EXISTS_VLM_DFN = 0xC000_0000_0000_01F7;
        FAIL_EXISTS_VLM = 0xC000_0000_0000_01F8;
        FAIL_EXISTS_NET_IF = 0xC000_0000_0000_01F9;
        FAIL_EXISTS_NODE_CONN = 0xC000_0000_0000_01FA;
        FAIL_EXISTS_RSC_CONN = 0xC000_0000_0000_01FB;
        FAIL_EXISTS_VLM_CONN = 0xC000_0000_0000_01FC;
        FAIL_EXISTS_STOR_POOL_DFN = 0xC000_0000_0000_01FD;
        FAIL_EXISTS_STOR_POOL = 0xC000_0000_0000_01FE;
        FAIL_EXISTS_STLT_CONN = 0xC000_0000_0000_01FF;
        FAIL_EXISTS_CRYPT_PASSPHRASE = 0xC000_0000_0000_0200;
        FAIL_EXISTS_WATCH = 0xC000_0000_0000_0201;
        FAIL_EXISTS_SNAPSHOT_DFN = 0xC000_0000_0000_0202;
        FAIL_EXISTS_SWORDFISH_TARGET_PER_RSC_DFN = 0xC000_0000_0000_0203;
        FAIL_EXISTS_SNAPSHOT = 0xC000_0000_0000_0204;
        FAIL_MISSING_PROPS = 0xC000_0000_0000_0258;
        FAIL_MISSING_PROPS_NETCOM_TYPE = 0xC000_0000_0000_0259;
        FAIL_MISSING_PROPS_NETCOM_PORT = 0xC000_0000_0000_025A;
        FAIL_MISSING_NETCOM = 0xC000_0000_0000_025B;
        FAIL_MISSING_PROPS_NETIF_NAME = 0xC000_0000_0000_025C;
        FAIL_MISSING_STLT_CONN = 0xC000_0000_0000_025D;
        FAIL_UUID_NODE = 0xC000_0000_0000_02BC;
        FAIL_UUID_RSC_DFN = 0xC000_0000_0000_02BD;
        FAIL_UUID_RSC = 0xC000_0000_0000_02BE;
        FAIL_UUID_VLM_DFN = 0xC000_0000_0000_02BF;
        FAIL_UUID_VLM = 0xC000_0000_0000_02C0;
        FAIL_UUID_NET_IF = 0xC000_0000_0000_02C1;
        FAIL_UUID_NODE_CONN = 0xC000_0000_0000_02C2;
        FAIL_UUID_RSC_CONN = 0xC000_0000_0000_02C3;
        FAIL_UUID_VLM_CONN = 0xC000_0000_0000_02C4;
        FAIL_UUID_STOR_POOL_DFN = 0xC000_0000_0000_02C5;
        FAIL_UUID_STOR_POOL = 0xC000_0000_0000_02C6;
        FAIL_POOL_EXHAUSTED_VLM_NR = 0xC000_0000_0000_0320;
        FAIL_POOL_EXHAUSTED_MINOR_NR = 0xC000_0000_0000_0321;
        FAIL_POOL_EXHAUSTED_TCP_PORT = 0xC000_0000_0000_0322;
        FAIL_POOL_EXHAUSTED_NODE_ID = 0xC000_0000_0000_0323;
        FAIL_STOR_POOL_CONFIGURATION_ERROR = 0xC000_0000_0000_03DE;
        FAIL_INSUFFICIENT_REPLICA_COUNT = 0xC000_0000_0000_03DF;
        FAIL_RSC_BUSY = 0xC000_0000_0000_03E0;
        FAIL_INSUFFICIENT_PEER_SLOTS = 0xC000_0000_0000_03E1;
        FAIL_SNAPSHOTS_NOT_SUPPORTED = 0xC000_0000_0000_03E2;
        FAIL_NOT_CONNECTED = 0xC000_0000_0000_03E3;
        FAIL_NOT_ENOUGH_NODES = 0xC000_0000_0000_03E4;
        FAIL_IN_USE = 0xC000_0000_0000_03E5;
        FAIL_UNKNOWN_ERROR = 0xC000_0000_0000_03E6;
        FAIL_IMPL_ERROR = 0xC000_0000_0000_03E7;
    }
    warn {
        WARN_INVLD_OPT_PROP_NETCOM_ENABLED = 0x8000_0000_0000_03E9;
        WARN_NOT_CONNECTED = 0x8000_0000_0000_03EA;
        WARN_STLT_NOT_UPDATED = 0x8000_0000_0000_03EB;
        WARN_NO_STLT_CONN_DEFINED = 0x8000_0000_0000_03EC;
        WARN_DEL_UNSET_PROP = 0x8000_0000_0000_03ED;
        WARN_RSC_ALREADY_DEPLOYED = 0x8000_0000_0000_03EE;
        WARN_RSC_ALREADY_HAS_DISK = 0x8000_0000_0000_03EF;
        WARN_RSC_ALREADY_DISKLESS = 0x8000_0000_0000_03F0;
        WARN_ALL_DISKLESS = 0x8000_0000_0000_03F1;
        WARN_STORAGE_ERROR = 0x8000_0000_0000_03F2;
        WARN_NOT_FOUND = 0x8000_0000_0000_0BB8;
    }
    error {
        UNKNOWN_API_CALL = 0xCFFF_FFFF_FFFF_FFFF;
        API_CALL_AUTH_REQ = 0xCFFF_FFFF_FFFF_FFFE;
        API_CALL_PARSE_ERROR = 0xCFFF_FFFF_FFFF_FFFD;
    }
    success {
        RC_SIGNIN_PASS = 0x0000_0000_0000_2710;
    }
    error {
        RC_SIGNIN_FAIL = 0xC000_0000_0000_2710;
    }
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

    #[test]
    fn every_code_round_trips_through_its_name() {
        for &rc in ReturnCode::ALL {
            let name = rc.name().expect("every constant has a name");
            assert_eq!(ReturnCode::from_name(name), Some(rc), "{name}");
        }
        assert_eq!(
            ReturnCode::from_name("FAIL_IN_USE"),
            Some(ReturnCode::FAIL_IN_USE)
        );
        assert_eq!(ReturnCode::from_name("fail_in_use"), None);
        assert_eq!(ReturnCode::from_name("NOPE"), None);
    }

    #[test]
    fn codes_and_names_are_unique() {
        assert_eq!(ReturnCode::ALL.len(), 129);
        let names: std::collections::HashSet<_> =
            ReturnCode::ALL.iter().map(|rc| rc.name()).collect();
        assert_eq!(names.len(), ReturnCode::ALL.len());
        let values: std::collections::HashSet<_> = ReturnCode::ALL.iter().collect();
        assert_eq!(values.len(), ReturnCode::ALL.len());
    }

    #[test]
    fn doc_severities_match_the_values() {
        assert_eq!(ReturnCode::RC_SIGNIN_PASS.severity(), Severity::Success);
        assert_eq!(ReturnCode::RC_SIGNIN_FAIL.severity(), Severity::Error);
        assert_eq!(ReturnCode::WARN_NOT_FOUND.severity(), Severity::Warning);
        assert_eq!(ReturnCode::RC_SIGNIN_PASS.name(), Some("RC_SIGNIN_PASS"));
        assert_eq!(ReturnCode::RC_SIGNIN_FAIL.name(), Some("RC_SIGNIN_FAIL"));
    }
}
