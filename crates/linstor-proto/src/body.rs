//! [`MessageKind`] names every message type of `proto/`; [`Body`] holds one decoded message
//! of any of them, so a message whose type is only known at run time (from the call table)
//! can be decoded, inspected and encoded again.

use bytes::{Buf, BufMut, BytesMut};
use prost::Message as _;

/// A message that can be written as one body message of a frame: every generated message
/// and [`Body`]. Object safe, so a frame's bodies can be a `&[&dyn WireMessage]`.
pub trait WireMessage: Send + Sync {
    /// Length of the encoded message, without its delimiter.
    fn wire_len(&self) -> usize;
    /// Appends the encoded message, without its delimiter.
    fn write_wire(&self, buf: &mut BytesMut);
}

impl<M: prost::Message + Send + Sync> WireMessage for M {
    fn wire_len(&self) -> usize {
        self.encoded_len()
    }
    fn write_wire(&self, buf: &mut BytesMut) {
        self.encode_raw(buf);
    }
}

impl WireMessage for Body {
    fn wire_len(&self) -> usize {
        self.encoded_len()
    }
    fn write_wire(&self, buf: &mut BytesMut) {
        self.encode_raw(buf);
    }
}

use crate::messages;

/// A type that can be the request body of a call in the table: every generated message
/// (the body is required) and `Option` of one (the body may be absent, as with the
/// `Filter` of `LstRsc`).
pub trait RequestBody: Sized {
    /// The message type on the wire.
    const KIND: MessageKind;

    /// Decodes the body from the first body message of a frame, checking proto2
    /// `required` fields.
    ///
    /// # Errors
    ///
    /// [`BodyError::Missing`] when a required body is absent, or the decode error.
    fn decode_body(bytes: Option<&[u8]>) -> Result<Self, BodyError>;

    /// The message to encode, if any.
    fn wire(&self) -> Option<&dyn WireMessage>;
}

/// Why a body message could not be decoded as the type the table names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// No body message where one is required.
    #[error("no body message")]
    Missing,
    /// prost could not decode it.
    #[error("does not decode as {message}: {source}")]
    Decode {
        /// Full protobuf name of the expected message.
        message: &'static str,
        /// What prost reported.
        #[source]
        source: prost::DecodeError,
    },
    /// A proto2 `required` field is absent.
    #[error(transparent)]
    MissingRequired(#[from] crate::MissingField),
}

impl BodyError {
    /// The same error, for `call`.
    pub fn for_call(self, call: crate::calls::Call) -> crate::calls::RequestError {
        use crate::calls::RequestError;
        match self {
            BodyError::Missing => RequestError::MissingBody { call },
            BodyError::Decode { message, source } => RequestError::Decode {
                call,
                message,
                source,
            },
            BodyError::MissingRequired(source) => RequestError::MissingRequired { call, source },
        }
    }
}

/// Decodes one message of `kind`'s type and checks its `required` fields.
fn decode_checked<M: prost::Message + Default>(
    kind: MessageKind,
    bytes: &[u8],
) -> Result<M, BodyError> {
    let message = M::decode(bytes).map_err(|source| BodyError::Decode {
        message: kind.full_name(),
        source,
    })?;
    crate::required::check_required(kind.full_name(), bytes)?;
    Ok(message)
}

macro_rules! message_kinds {
    ($($variant:ident => $path:path, $full:literal;)*) => {
        /// Every message type of the protocol, named as in `proto/`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum MessageKind {
            $($variant,)*
        }

        impl MessageKind {
            /// All message kinds, in `proto/` declaration order.
            pub const ALL: &'static [MessageKind] = &[$(MessageKind::$variant,)*];

            /// The full protobuf name, e.g. `com.linbit.linstor.proto.MsgCrtNode`.
            pub fn full_name(self) -> &'static str {
                match self {
                    $(MessageKind::$variant => $full,)*
                }
            }

            /// The short name, e.g. `MsgCrtNode`.
            pub fn name(self) -> &'static str {
                match self {
                    $(MessageKind::$variant => stringify!($variant),)*
                }
            }

            /// The kind with this full or short protobuf name.
            pub fn from_name(name: &str) -> Option<MessageKind> {
                MessageKind::ALL
                    .iter()
                    .copied()
                    .find(|k| k.full_name() == name || k.name() == name)
            }
        }

        /// One decoded message of any kind.
        #[derive(Debug, Clone, PartialEq)]
        #[allow(missing_docs, clippy::large_enum_variant)]
        pub enum Body {
            $($variant($path),)*
        }

        impl Body {
            /// Decodes `bytes` (one message without its length delimiter) as `kind`.
            ///
            /// prost does not check proto2 `required` fields; see
            /// [`check_required`](crate::check_required).
            ///
            /// # Errors
            ///
            /// The prost decode error when the bytes are not a valid `kind` message.
            pub fn decode(kind: MessageKind, bytes: impl Buf) -> Result<Body, prost::DecodeError> {
                Ok(match kind {
                    $(MessageKind::$variant => Body::$variant(<$path>::decode(bytes)?),)*
                })
            }

            /// The kind of the message held.
            pub fn kind(&self) -> MessageKind {
                match self {
                    $(Body::$variant(_) => MessageKind::$variant,)*
                }
            }

            /// Length of the encoded message (without delimiter).
            pub fn encoded_len(&self) -> usize {
                match self {
                    $(Body::$variant(m) => m.encoded_len(),)*
                }
            }

            /// Appends the encoded message (without delimiter) to `buf`.
            pub fn encode_raw(&self, buf: &mut impl BufMut) {
                match self {
                    $(Body::$variant(m) => m.encode_raw(buf),)*
                }
            }
        }

        $(
            impl From<$path> for Body {
                fn from(m: $path) -> Body {
                    Body::$variant(m)
                }
            }

            impl RequestBody for $path {
                const KIND: MessageKind = MessageKind::$variant;
                fn decode_body(bytes: Option<&[u8]>) -> Result<Self, BodyError> {
                    decode_checked(Self::KIND, bytes.ok_or(BodyError::Missing)?)
                }
                fn wire(&self) -> Option<&dyn WireMessage> {
                    Some(self)
                }
            }

            impl RequestBody for Option<$path> {
                const KIND: MessageKind = MessageKind::$variant;
                fn decode_body(bytes: Option<&[u8]>) -> Result<Self, BodyError> {
                    bytes.map(|b| decode_checked(Self::KIND, b)).transpose()
                }
                fn wire(&self) -> Option<&dyn WireMessage> {
                    self.as_ref().map(|m| m as &dyn WireMessage)
                }
            }
        )*
    };
}

message_kinds! {
    MsgHeader => messages::MsgHeader, "com.linbit.linstor.proto.MsgHeader";
    MsgApiVersion => messages::MsgApiVersion, "com.linbit.linstor.proto.MsgApiVersion";
    MsgApiCallResponse => messages::MsgApiCallResponse, "com.linbit.linstor.proto.MsgApiCallResponse";
    LinStorMapEntry => messages::LinStorMapEntry, "com.linbit.linstor.proto.LinStorMapEntry";
    Filter => messages::Filter, "com.linbit.linstor.proto.Filter";
    MsgCrtWatch => messages::MsgCrtWatch, "com.linbit.linstor.proto.MsgCrtWatch";
    MsgDelWatch => messages::MsgDelWatch, "com.linbit.linstor.proto.MsgDelWatch";
    MsgEvent => messages::MsgEvent, "com.linbit.linstor.proto.MsgEvent";
    Node => messages::Node, "com.linbit.linstor.proto.Node";
    NetInterface => messages::NetInterface, "com.linbit.linstor.proto.NetInterface";
    StorPoolDfn => messages::StorPoolDfn, "com.linbit.linstor.proto.StorPoolDfn";
    StorPool => messages::StorPool, "com.linbit.linstor.proto.StorPool";
    StorPoolFreeSpace => messages::StorPoolFreeSpace, "com.linbit.linstor.proto.StorPoolFreeSpace";
    RscDfn => messages::RscDfn, "com.linbit.linstor.proto.RscDfn";
    VlmDfn => messages::VlmDfn, "com.linbit.linstor.proto.VlmDfn";
    Rsc => messages::Rsc, "com.linbit.linstor.proto.Rsc";
    Vlm => messages::Vlm, "com.linbit.linstor.proto.Vlm";
    RscState => messages::RscState, "com.linbit.linstor.proto.RscState";
    VlmState => messages::VlmState, "com.linbit.linstor.proto.VlmState";
    RscConn => messages::RscConn, "com.linbit.linstor.proto.RscConn";
    SnapshotDfn => messages::SnapshotDfn, "com.linbit.linstor.proto.SnapshotDfn";
    Snapshot => messages::Snapshot, "com.linbit.linstor.proto.Snapshot";
    SnapshotVlmDfn => messages::SnapshotVlmDfn, "com.linbit.linstor.proto.SnapshotVlmDfn";
    AutoSelectFilter => messages::AutoSelectFilter, "com.linbit.linstor.proto.AutoSelectFilter";
    Candidate => messages::Candidate, "com.linbit.linstor.proto.Candidate";
    RestoreNode => messages::RestoreNode, "com.linbit.linstor.proto.RestoreNode";
    MsgCrtNode => messages::MsgCrtNode, "com.linbit.linstor.proto.MsgCrtNode";
    MsgCrtSfTargetNode => messages::MsgCrtSfTargetNode, "com.linbit.linstor.proto.MsgCrtSfTargetNode";
    MsgModNode => messages::MsgModNode, "com.linbit.linstor.proto.MsgModNode";
    MsgDelNode => messages::MsgDelNode, "com.linbit.linstor.proto.MsgDelNode";
    MsgNodeReconnect => messages::MsgNodeReconnect, "com.linbit.linstor.proto.MsgNodeReconnect";
    MsgCrtNetInterface => messages::MsgCrtNetInterface, "com.linbit.linstor.proto.MsgCrtNetInterface";
    MsgModNetInterface => messages::MsgModNetInterface, "com.linbit.linstor.proto.MsgModNetInterface";
    MsgDelNetInterface => messages::MsgDelNetInterface, "com.linbit.linstor.proto.MsgDelNetInterface";
    MsgCrtStorPoolDfn => messages::MsgCrtStorPoolDfn, "com.linbit.linstor.proto.MsgCrtStorPoolDfn";
    MsgModStorPoolDfn => messages::MsgModStorPoolDfn, "com.linbit.linstor.proto.MsgModStorPoolDfn";
    MsgDelStorPoolDfn => messages::MsgDelStorPoolDfn, "com.linbit.linstor.proto.MsgDelStorPoolDfn";
    MsgCrtStorPool => messages::MsgCrtStorPool, "com.linbit.linstor.proto.MsgCrtStorPool";
    MsgModStorPool => messages::MsgModStorPool, "com.linbit.linstor.proto.MsgModStorPool";
    MsgDelStorPool => messages::MsgDelStorPool, "com.linbit.linstor.proto.MsgDelStorPool";
    MsgQryMaxVlmSizes => messages::MsgQryMaxVlmSizes, "com.linbit.linstor.proto.MsgQryMaxVlmSizes";
    MsgRspMaxVlmSizes => messages::MsgRspMaxVlmSizes, "com.linbit.linstor.proto.MsgRspMaxVlmSizes";
    MsgCrtRscDfn => messages::MsgCrtRscDfn, "com.linbit.linstor.proto.MsgCrtRscDfn";
    MsgModRscDfn => messages::MsgModRscDfn, "com.linbit.linstor.proto.MsgModRscDfn";
    MsgDelRscDfn => messages::MsgDelRscDfn, "com.linbit.linstor.proto.MsgDelRscDfn";
    MsgCrtVlmDfn => messages::MsgCrtVlmDfn, "com.linbit.linstor.proto.MsgCrtVlmDfn";
    MsgModVlmDfn => messages::MsgModVlmDfn, "com.linbit.linstor.proto.MsgModVlmDfn";
    MsgDelVlmDfn => messages::MsgDelVlmDfn, "com.linbit.linstor.proto.MsgDelVlmDfn";
    MsgCrtRsc => messages::MsgCrtRsc, "com.linbit.linstor.proto.MsgCrtRsc";
    MsgAutoPlaceRsc => messages::MsgAutoPlaceRsc, "com.linbit.linstor.proto.MsgAutoPlaceRsc";
    MsgModRsc => messages::MsgModRsc, "com.linbit.linstor.proto.MsgModRsc";
    MsgDelRsc => messages::MsgDelRsc, "com.linbit.linstor.proto.MsgDelRsc";
    MsgToggleDisk => messages::MsgToggleDisk, "com.linbit.linstor.proto.MsgToggleDisk";
    MsgModRscConn => messages::MsgModRscConn, "com.linbit.linstor.proto.MsgModRscConn";
    MsgReqRscConn => messages::MsgReqRscConn, "com.linbit.linstor.proto.MsgReqRscConn";
    MsgEnableDrbdProxy => messages::MsgEnableDrbdProxy, "com.linbit.linstor.proto.MsgEnableDrbdProxy";
    MsgDisableDrbdProxy => messages::MsgDisableDrbdProxy, "com.linbit.linstor.proto.MsgDisableDrbdProxy";
    MsgModDrbdProxy => messages::MsgModDrbdProxy, "com.linbit.linstor.proto.MsgModDrbdProxy";
    MsgCrtSnapshot => messages::MsgCrtSnapshot, "com.linbit.linstor.proto.MsgCrtSnapshot";
    MsgDelSnapshot => messages::MsgDelSnapshot, "com.linbit.linstor.proto.MsgDelSnapshot";
    MsgRollbackSnapshot => messages::MsgRollbackSnapshot, "com.linbit.linstor.proto.MsgRollbackSnapshot";
    MsgRestoreSnapshotVlmDfn => messages::MsgRestoreSnapshotVlmDfn, "com.linbit.linstor.proto.MsgRestoreSnapshotVlmDfn";
    MsgRestoreSnapshotRsc => messages::MsgRestoreSnapshotRsc, "com.linbit.linstor.proto.MsgRestoreSnapshotRsc";
    MsgLstNode => messages::MsgLstNode, "com.linbit.linstor.proto.MsgLstNode";
    MsgLstStorPoolDfn => messages::MsgLstStorPoolDfn, "com.linbit.linstor.proto.MsgLstStorPoolDfn";
    MsgLstStorPool => messages::MsgLstStorPool, "com.linbit.linstor.proto.MsgLstStorPool";
    MsgLstRscDfn => messages::MsgLstRscDfn, "com.linbit.linstor.proto.MsgLstRscDfn";
    MsgLstRsc => messages::MsgLstRsc, "com.linbit.linstor.proto.MsgLstRsc";
    MsgLstRscConn => messages::MsgLstRscConn, "com.linbit.linstor.proto.MsgLstRscConn";
    MsgLstSnapshotDfn => messages::MsgLstSnapshotDfn, "com.linbit.linstor.proto.MsgLstSnapshotDfn";
    MsgLstCtrlCfgProps => messages::MsgLstCtrlCfgProps, "com.linbit.linstor.proto.MsgLstCtrlCfgProps";
    MsgSetCtrlCfgProp => messages::MsgSetCtrlCfgProp, "com.linbit.linstor.proto.MsgSetCtrlCfgProp";
    MsgDelCtrlCfgProp => messages::MsgDelCtrlCfgProp, "com.linbit.linstor.proto.MsgDelCtrlCfgProp";
    MsgControlCtrl => messages::MsgControlCtrl, "com.linbit.linstor.proto.MsgControlCtrl";
    MsgCrtCryptPassphrase => messages::MsgCrtCryptPassphrase, "com.linbit.linstor.proto.MsgCrtCryptPassphrase";
    MsgEnterCryptPassphrase => messages::MsgEnterCryptPassphrase, "com.linbit.linstor.proto.MsgEnterCryptPassphrase";
    MsgModCryptPassphrase => messages::MsgModCryptPassphrase, "com.linbit.linstor.proto.MsgModCryptPassphrase";
    MsgReqErrorReport => messages::MsgReqErrorReport, "com.linbit.linstor.proto.MsgReqErrorReport";
    MsgErrorReport => messages::MsgErrorReport, "com.linbit.linstor.proto.MsgErrorReport";
    MsgHostname => messages::MsgHostname, "com.linbit.linstor.proto.MsgHostname";
    MsgLstKvsProps => messages::MsgLstKvsProps, "com.linbit.linstor.proto.MsgLstKvsProps";
    MsgModKvsProps => messages::MsgModKvsProps, "com.linbit.linstor.proto.MsgModKvsProps";
    MsgRspKvsProps => messages::MsgRspKvsProps, "com.linbit.linstor.proto.MsgRspKvsProps";
    MsgCancelWatch => messages::MsgCancelWatch, "com.linbit.linstor.proto.MsgCancelWatch";
    MsgSignIn => messages::MsgSignIn, "com.linbit.linstor.proto.MsgSignIn";
    NodeConn => messages::NodeConn, "com.linbit.linstor.proto.NodeConn";
    VlmConn => messages::VlmConn, "com.linbit.linstor.proto.VlmConn";
    MsgCrtNodeConn => messages::MsgCrtNodeConn, "com.linbit.linstor.proto.MsgCrtNodeConn";
    MsgModNodeConn => messages::MsgModNodeConn, "com.linbit.linstor.proto.MsgModNodeConn";
    MsgDelNodeConn => messages::MsgDelNodeConn, "com.linbit.linstor.proto.MsgDelNodeConn";
    MsgCrtRscConn => messages::MsgCrtRscConn, "com.linbit.linstor.proto.MsgCrtRscConn";
    MsgDelRscConn => messages::MsgDelRscConn, "com.linbit.linstor.proto.MsgDelRscConn";
    MsgCrtVlmConn => messages::MsgCrtVlmConn, "com.linbit.linstor.proto.MsgCrtVlmConn";
    MsgModVlmConn => messages::MsgModVlmConn, "com.linbit.linstor.proto.MsgModVlmConn";
    MsgDelVlmConn => messages::MsgDelVlmConn, "com.linbit.linstor.proto.MsgDelVlmConn";
    EventRscState => messages::eventdata::EventRscState, "com.linbit.linstor.proto.eventdata.EventRscState";
    EventVlmDiskState => messages::eventdata::EventVlmDiskState, "com.linbit.linstor.proto.eventdata.EventVlmDiskState";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_a_kind_with_a_unique_name() {
        assert_eq!(MessageKind::ALL.len(), 97);
        for kind in MessageKind::ALL {
            assert_eq!(MessageKind::from_name(kind.full_name()), Some(*kind));
            assert_eq!(MessageKind::from_name(kind.name()), Some(*kind));
            assert!(
                crate::required::schema(kind.full_name()).is_some(),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn body_round_trips_through_its_kind() {
        let msg = messages::MsgDelWatch { watch_id: 7 };
        let body = Body::from(msg);
        let mut buf = Vec::new();
        body.encode_raw(&mut buf);
        assert_eq!(buf.len(), body.encoded_len());
        assert_eq!(
            Body::decode(MessageKind::MsgDelWatch, &buf[..]).unwrap(),
            body
        );
    }
}
