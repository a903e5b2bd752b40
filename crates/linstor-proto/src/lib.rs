//! LINSTOR API version 3 protocol definitions: the protobuf messages (generated from
//! `proto/` at build time), the one table of API calls, answer and one-way names, the
//! protocol constants and the [`ReturnCode`] type.
//!
//! Nothing here knows about sockets or tokio; the codec, the mock controller and the client
//! all read the same tables.
//!
//! ```
//! use linstor_proto::{Call, MessageKind, Request, ReturnCode};
//! use linstor_proto::messages::MsgDelNode;
//!
//! let call = Call::from_name("CrtNode").unwrap();
//! assert_eq!(call.request_kind(), Some(MessageKind::MsgCrtNode));
//! let request = Request::LostNode(MsgDelNode { uuid: None, node_name: "alpha".into() });
//! assert_eq!(request.call().name(), "LostNode");
//! assert!(ReturnCode(0xC000_0000_013C_01F4).is_error());
//! ```

#![warn(missing_docs)]

pub mod body;
pub mod calls;
pub mod consts;
mod msg_header;
pub mod required;
pub mod return_code;

pub use body::{Body, BodyError, MessageKind, RequestBody, WireMessage};
pub use calls::{Call, ListCall, Request, RequestError};
pub use required::{MissingField, check_required};
pub use return_code::ReturnCode;

/// The generated protobuf messages of package `com.linbit.linstor.proto`.
///
/// Field types follow prost's proto2 mapping: `required` scalars are plain fields,
/// `optional` scalars are `Option<T>` (presence is kept, so a present zero round-trips),
/// `repeated LinStorMapEntry` stays a list so map entries keep their wire order.
#[allow(missing_docs, clippy::all, clippy::pedantic)]
pub mod messages {
    include!(concat!(env!("OUT_DIR"), "/com.linbit.linstor.proto.rs"));

    /// The generated event payload messages of package `com.linbit.linstor.proto.eventdata`.
    pub mod eventdata {
        include!(concat!(
            env!("OUT_DIR"),
            "/com.linbit.linstor.proto.eventdata.rs"
        ));
    }
}

/// The serialized `FileDescriptorSet` of `proto/`, for reflection (e.g. JSON rendering in
/// tests) without `protoc`.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/descriptor.bin"));
