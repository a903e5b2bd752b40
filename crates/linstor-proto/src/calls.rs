//! The one table of API calls and what is generated from it: [`Call`] (which call: wire
//! name, request body type, main answer, controller style), [`Request`] (a call with its
//! body, decoded from and encoded to the wire) and [`ListCall`] (the typed list answer of
//! each list call); plus the answer contents a client understands and the one-way names.
//!
//! Adding a call is one row of `api_calls!` below; the compiler then points at every
//! `match` that must handle it (the mock's `Model::apply` among them). Nothing outside this
//! module compares a call name as a string. `docs/calls.md` explains the table.

use crate::messages::*;
use crate::{MessageKind, RequestBody, WireMessage};

/// Why a request could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The call name is not in the table.
    #[error("unknown API call {0:?}")]
    UnknownCall(String),
    /// The call needs a body message and the frame has none.
    #[error("API call {} has no body message", .call.name())]
    MissingBody {
        /// The call.
        call: Call,
    },
    /// The body does not decode as the call's request type.
    #[error("body message 0 does not decode as {message}: {source}")]
    Decode {
        /// The call.
        call: Call,
        /// Full protobuf name of the expected message.
        message: &'static str,
        /// What prost reported.
        #[source]
        source: prost::DecodeError,
    },
    /// The body lacks a proto2 `required` field.
    #[error("body message 0: {source}")]
    MissingRequired {
        /// The call.
        call: Call,
        /// The missing field.
        #[source]
        source: crate::MissingField,
    },
}

impl RequestError {
    /// The call whose request failed to decode; `None` for an unknown call name.
    pub fn call(&self) -> Option<Call> {
        match self {
            RequestError::UnknownCall(_) => None,
            RequestError::MissingBody { call }
            | RequestError::Decode { call, .. }
            | RequestError::MissingRequired { call, .. } => Some(*call),
        }
    }
}

/// A call whose main answer is one list message (the answer content [`Call::answer`]).
/// Implemented by one marker type per list call in [`list`], so a client method names the
/// call once and takes its argument and answer types from the table.
pub trait ListCall {
    /// The call.
    const CALL: Call;
    /// What the request carries: its body message, `Option<Filter>`, or `()`.
    type Args;
    /// The list message of the answer.
    type Answer: prost::Message + prost::Name + Default;
    /// The request for `args`.
    fn request(args: Self::Args) -> Request;
}

macro_rules! api_calls {
    ($($variant:ident = $name:literal, [$($body:ty)?], $answer:ident $(($list:ty))?, $style:ident;)*) => {
        /// Every API call of the target client, as a plain value (`docs/calls.md`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Call {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
        }

        impl Call {
            /// Every call, in the table's order.
            pub const ALL: &'static [Call] = &[$(Call::$variant,)*];

            /// Wire string in `MsgHeader.msg_content`, e.g. `CrtNode`.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Call::$variant => $name,)*
                }
            }

            /// The call with this wire name (exact and case-sensitive, as the controller
            /// dispatches).
            pub fn from_name(name: &str) -> Option<Call> {
                match name {
                    $($name => Some(Call::$variant),)*
                    _ => None,
                }
            }

            /// Type of the body message after the `MsgHeader`; `None` for header-only
            /// calls. For the `Option<Filter>` calls the body may also be absent.
            pub fn request_kind(self) -> Option<MessageKind> {
                match self {
                    $(Call::$variant => api_calls!(@kind $($body)?),)*
                }
            }

            /// Content name of the main answer: [`answers::REPLY`] or a list name such as
            /// `LstNode`. Calls with a list answer may still answer `Reply` on failure.
            pub const fn answer(self) -> &'static str {
                match self {
                    $(Call::$variant => answers::$answer,)*
                }
            }

            /// Whether the controller may send part of the answers after
            /// `EndOfImmediateAnswers` (the satellites' part); a synchronous call answers
            /// everything before it.
            pub const fn is_async(self) -> bool {
                match self {
                    $(Call::$variant => api_calls!(@style $style),)*
                }
            }
        }

        impl std::fmt::Display for Call {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }

        /// One API call with its request body: what a client sends and the mock applies.
        #[derive(Debug, Clone, PartialEq)]
        #[allow(clippy::large_enum_variant)]
        pub enum Request {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant $(($body))?,
            )*
        }

        impl Request {
            /// Which call this is.
            pub const fn call(&self) -> Call {
                match self {
                    $(Request::$variant { .. } => Call::$variant,)*
                }
            }

            /// The body message to send after the `MsgHeader`, if any.
            pub fn body(&self) -> Option<&dyn WireMessage> {
                match self {
                    $($(Request::$variant(body) => <$body as RequestBody>::wire(body),)?)*
                    _ => None,
                }
            }

            /// Decodes the request of `call` from its first body message (`None` when the
            /// frame has none), checking proto2 `required` fields. A body sent with a
            /// header-only call is ignored, as the controller does.
            ///
            /// # Errors
            ///
            /// [`RequestError::MissingBody`], [`RequestError::Decode`] or
            /// [`RequestError::MissingRequired`].
            pub fn decode(call: Call, body: Option<&[u8]>) -> Result<Request, RequestError> {
                Ok(match call {
                    $(Call::$variant => Request::$variant $((
                        <$body as RequestBody>::decode_body(body)
                            .map_err(|e| e.for_call(call))?
                    ))?,)*
                })
            }
        }

        /// Marker types of the list calls, named as their [`Call`]; see [`ListCall`].
        pub mod list {
            #[allow(unused_imports)]
            use super::*;
            $(api_calls!(@list $variant, [$($body)?], $answer $(($list))?);)*
        }
    };
    (@kind) => { None };
    (@kind $body:ty) => { Some(<$body as RequestBody>::KIND) };
    (@style sync) => { false };
    (@style async) => { true };
    (@list $variant:ident, [$($body:ty)?], $answer:ident) => {};
    (@list $variant:ident, [], $answer:ident ($list:ty)) => {
        api_calls!(@marker $variant, (), $list, |_args| Request::$variant);
    };
    (@list $variant:ident, [$body:ty], $answer:ident ($list:ty)) => {
        api_calls!(@marker $variant, $body, $list, |args| Request::$variant(args));
    };
    (@marker $variant:ident, $args:ty, $list:ty, |$a:ident| $make:expr) => {
        #[doc = concat!("`", stringify!($variant), "`, answered by a `", stringify!($list), "`.")]
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct $variant;

        impl ListCall for $variant {
            const CALL: Call = Call::$variant;
            type Args = $args;
            type Answer = $list;
            fn request($a: $args) -> Request {
                $make
            }
        }
    };
}

// Variant = wire name, [request body], main answer (typed list answer), controller style.
// The rows follow constants.md §2's order (docs/calls.md).
api_calls! {
    Ping = "Ping", [], PONG, async;
    CrtNode = "CrtNode", [MsgCrtNode], REPLY, sync;
    CrtSfTargetNode = "CrtSfTargetNode", [MsgCrtSfTargetNode], REPLY, sync;
    ModNode = "ModNode", [MsgModNode], REPLY, sync;
    DelNode = "DelNode", [MsgDelNode], REPLY, async;
    LostNode = "LostNode", [MsgDelNode], REPLY, async;
    NodeReconnect = "NodeReconnect", [MsgNodeReconnect], REPLY, sync;
    CrtNetIf = "CrtNetIf", [MsgCrtNetInterface], REPLY, sync;
    ModNetIf = "ModNetIf", [MsgModNetInterface], REPLY, sync;
    DelNetIf = "DelNetIf", [MsgDelNetInterface], REPLY, sync;
    LstNode = "LstNode", [], LST_NODE(MsgLstNode), sync;
    CrtStorPoolDfn = "CrtStorPoolDfn", [MsgCrtStorPoolDfn], REPLY, sync;
    ModStorPoolDfn = "ModStorPoolDfn", [MsgModStorPoolDfn], REPLY, sync;
    DelStorPoolDfn = "DelStorPoolDfn", [MsgDelStorPoolDfn], REPLY, sync;
    LstStorPoolDfn = "LstStorPoolDfn", [], LST_STOR_POOL_DFN(MsgLstStorPoolDfn), sync;
    QryMaxVlmSize = "QryMaxVlmSize", [MsgQryMaxVlmSizes], RSP_MAX_VLM_SIZE(MsgRspMaxVlmSizes), async;
    CrtStorPool = "CrtStorPool", [MsgCrtStorPool], REPLY, async;
    ModStorPool = "ModStorPool", [MsgModStorPool], REPLY, sync;
    DelStorPool = "DelStorPool", [MsgDelStorPool], REPLY, sync;
    LstStorPool = "LstStorPool", [Option<Filter>], LST_STOR_POOL(MsgLstStorPool), async;
    CrtRscDfn = "CrtRscDfn", [MsgCrtRscDfn], REPLY, sync;
    ModRscDfn = "ModRscDfn", [MsgModRscDfn], REPLY, sync;
    DelRscDfn = "DelRscDfn", [MsgDelRscDfn], REPLY, async;
    LstRscDfn = "LstRscDfn", [], LST_RSC_DFN(MsgLstRscDfn), sync;
    CrtVlmDfn = "CrtVlmDfn", [MsgCrtVlmDfn], REPLY, sync;
    ModVlmDfn = "ModVlmDfn", [MsgModVlmDfn], REPLY, async;
    DelVlmDfn = "DelVlmDfn", [MsgDelVlmDfn], REPLY, async;
    CrtRsc = "CrtRsc", [MsgCrtRsc], REPLY, async;
    AutoPlaceRsc = "AutoPlaceRsc", [MsgAutoPlaceRsc], REPLY, async;
    ModRsc = "ModRsc", [MsgModRsc], REPLY, sync;
    DelRsc = "DelRsc", [MsgDelRsc], REPLY, async;
    LstRsc = "LstRsc", [Option<Filter>], LST_RSC(MsgLstRsc), sync;
    LstVlm = "LstVlm", [Option<Filter>], LST_VLM(MsgLstRsc), async;
    ToggleDisk = "ToggleDisk", [MsgToggleDisk], REPLY, async;
    LstCfgVal = "LstCfgVal", [], LST_CFG_VAL(MsgLstCtrlCfgProps), sync;
    SetCfgVal = "SetCfgVal", [MsgSetCtrlCfgProp], REPLY, sync;
    DelCfgVal = "DelCfgVal", [MsgDelCtrlCfgProp], REPLY, sync;
    ControlCtrl = "ControlCtrl", [MsgControlCtrl], REPLY, sync;
    CrtWatch = "CrtWatch", [MsgCrtWatch], REPLY, sync;
    DelWatch = "DelWatch", [MsgDelWatch], REPLY, sync;
    CrtCryptPass = "CrtCryptPass", [MsgCrtCryptPassphrase], REPLY, sync;
    EnterCryptPass = "EnterCryptPass", [MsgEnterCryptPassphrase], REPLY, sync;
    ModCryptPass = "ModCryptPass", [MsgModCryptPassphrase], REPLY, sync;
    ModRscConn = "ModRscConn", [MsgModRscConn], REPLY, sync;
    ReqRscConnList = "ReqRscConnList", [MsgReqRscConn], LST_RSC_CONN(MsgLstRscConn), sync;
    EnableDrbdProxy = "EnableDrbdProxy", [MsgEnableDrbdProxy], REPLY, async;
    DisableDrbdProxy = "DisableDrbdProxy", [MsgDisableDrbdProxy], REPLY, async;
    ModifyDrbdProxy = "ModifyDrbdProxy", [MsgModDrbdProxy], REPLY, sync;
    CrtSnapshot = "CrtSnapshot", [MsgCrtSnapshot], REPLY, async;
    RestoreVlmDfn = "RestoreVlmDfn", [MsgRestoreSnapshotVlmDfn], REPLY, sync;
    RestoreSnapshot = "RestoreSnapshot", [MsgRestoreSnapshotRsc], REPLY, sync;
    DelSnapshot = "DelSnapshot", [MsgDelSnapshot], REPLY, async;
    RollbackSnapshot = "RollbackSnapshot", [MsgRollbackSnapshot], REPLY, async;
    LstSnapshotDfn = "LstSnapshotDfn", [], LST_SNAPSHOT_DFN(MsgLstSnapshotDfn), sync;
    ReqErrorReports = "ReqErrorReports", [MsgReqErrorReport], LST_ERROR_REPORTS, async;
    ModifyKvsProps = "ModifyKvsProps", [MsgModKvsProps], REPLY, sync;
    LstKvsProps = "LstKvsProps", [MsgLstKvsProps], LST_KVS_PROPS(MsgRspKvsProps), sync;
    Hostname = "Hostname", [], HOSTNAME(MsgHostname), sync;
}

/// Whether an API call named `name` is the liveness `Pong` a controller accepts without
/// answering (framing: the API-level ping); it is no call of the table.
pub fn is_liveness_pong(name: &str) -> bool {
    name == answers::PONG
}

/// Answer content names (`MsgHeader.msg_content` of ANSWER frames) and what follows them.
pub mod answers {
    use crate::MessageKind;

    /// One answer content the target client understands (constants.md §3).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct AnswerContent {
        /// Wire string, e.g. `Reply`.
        pub name: &'static str,
        /// Type of the messages after the header; `None` when nothing follows.
        pub message: Option<MessageKind>,
        /// Whether any number of messages may follow (`Reply`, `LstErrorReports`) rather than
        /// exactly one.
        pub repeated: bool,
    }

    macro_rules! answer_contents {
        ($($konst:ident = $name:literal, $message:expr, $repeated:literal;)*) => {
            $(
                #[doc = concat!("`", $name, "`")]
                pub const $konst: &str = $name;
            )*

            /// Every answer content of the target client, in constants.md §3 order.
            pub const ANSWERS: &[AnswerContent] = &[
                $(AnswerContent { name: $name, message: $message, repeated: $repeated },)*
            ];
        };
    }

    use MessageKind as K;

    answer_contents! {
        REPLY = "Reply", Some(K::MsgApiCallResponse), true;
        END_OF_IMMEDIATE_ANSWERS = "EndOfImmediateAnswers", None, false;
        PONG = "Pong", None, false;
        LST_NODE = "LstNode", Some(K::MsgLstNode), false;
        LST_STOR_POOL_DFN = "LstStorPoolDfn", Some(K::MsgLstStorPoolDfn), false;
        LST_STOR_POOL = "LstStorPool", Some(K::MsgLstStorPool), false;
        LST_RSC_DFN = "LstRscDfn", Some(K::MsgLstRscDfn), false;
        LST_RSC = "LstRsc", Some(K::MsgLstRsc), false;
        LST_VLM = "LstVlm", Some(K::MsgLstRsc), false;
        LST_SNAPSHOT_DFN = "LstSnapshotDfn", Some(K::MsgLstSnapshotDfn), false;
        LST_CFG_VAL = "LstCfgVal", Some(K::MsgLstCtrlCfgProps), false;
        LST_RSC_CONN = "LstRscConn", Some(K::MsgLstRscConn), false;
        HOSTNAME = "Hostname", Some(K::MsgHostname), false;
        LST_ERROR_REPORTS = "LstErrorReports", Some(K::MsgErrorReport), true;
        RSP_MAX_VLM_SIZE = "RspMaxVlmSize", Some(K::MsgRspMaxVlmSizes), false;
        LST_KVS_PROPS = "LstKvsProps", Some(K::MsgRspKvsProps), false;
    }

    /// The answer content with this wire name.
    pub fn by_name(name: &str) -> Option<&'static AnswerContent> {
        ANSWERS.iter().find(|a| a.name == name)
    }
}

/// ONEWAY content names (controller to client).
pub mod oneway {
    use crate::MessageKind;

    /// `Version`: sent once, right after accept; body `MsgApiVersion`.
    pub const VERSION: &str = "Version";
    /// `Event`: body `MsgEvent`, then for action `Value` one event-data message.
    pub const EVENT: &str = "Event";

    /// Type of the first body message of a ONEWAY frame with this content.
    pub fn message(name: &str) -> Option<MessageKind> {
        match name {
            VERSION => Some(MessageKind::MsgApiVersion),
            EVENT => Some(MessageKind::MsgEvent),
            _ => None,
        }
    }
}

/// API names defined in `consts.json` that the target client never sends (constants.md §5);
/// a controller may answer all of them with `UNKNOWN_API_CALL`.
pub const UNUSED_API_NAMES: &[&str] = &[
    "CrtNodeConn",
    "CrtRscConn",
    "CrtVlmConn",
    "ModNodeConn",
    "ModVlmConn",
    "ModVlm",
    "ModSnapshot",
    "DelNodeConn",
    "DelRscConn",
    "DelVlmConn",
    "SignIn",
    "CrtDbgCnsl",
    "DstrDbgCnsl",
    "LstNetIf",
    "LstVlmDfn",
    "RptSpc",
    "ModInf",
    "VsnInf",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_58_distinct_calls() {
        assert_eq!(Call::ALL.len(), 58);
        for (i, call) in Call::ALL.iter().enumerate() {
            assert!(
                Call::ALL[i + 1..].iter().all(|c| c.name() != call.name()),
                "{call}"
            );
            assert!(answers::by_name(call.answer()).is_some(), "{call}");
            assert_eq!(Call::from_name(call.name()), Some(*call));
        }
        assert_eq!(answers::ANSWERS.len(), 16);
    }

    #[test]
    fn header_only_calls_match_the_vectors_readme() {
        let header_only: Vec<_> = Call::ALL
            .iter()
            .filter(|c| c.request_kind().is_none())
            .map(|c| c.name())
            .collect();
        assert_eq!(
            header_only,
            [
                "Ping",
                "LstNode",
                "LstStorPoolDfn",
                "LstRscDfn",
                "LstCfgVal",
                "LstSnapshotDfn",
                "Hostname"
            ]
        );
    }

    #[test]
    fn lookups_are_exact() {
        assert_eq!(
            Call::from_name("LstVlm").map(Call::request_kind),
            Some(Some(MessageKind::Filter))
        );
        assert!(Call::from_name("lstnode").is_none());
        assert!(is_liveness_pong("Pong") && Call::from_name("Pong").is_none());
        assert_eq!(oneway::message("Event"), Some(MessageKind::MsgEvent));
        assert_eq!(
            answers::by_name("LstVlm").and_then(|a| a.message),
            Some(MessageKind::MsgLstRsc)
        );
    }

    #[test]
    fn list_markers_agree_with_the_answer_table() {
        fn check<L: ListCall>() {
            let answer = answers::by_name(L::CALL.answer()).and_then(|a| a.message);
            assert_eq!(
                answer.map(MessageKind::name),
                Some(<L::Answer as prost::Name>::NAME),
                "{}",
                L::CALL
            );
        }
        check::<list::LstNode>();
        check::<list::LstStorPoolDfn>();
        check::<list::QryMaxVlmSize>();
        check::<list::LstStorPool>();
        check::<list::LstRscDfn>();
        check::<list::LstRsc>();
        check::<list::LstVlm>();
        check::<list::LstCfgVal>();
        check::<list::ReqRscConnList>();
        check::<list::LstSnapshotDfn>();
        check::<list::LstKvsProps>();
        check::<list::Hostname>();
        assert_eq!(list::LstRsc::request(None), Request::LstRsc(None));
        assert_eq!(list::LstNode::request(()).call(), Call::LstNode);
    }

    fn encoded(message: &impl prost::Message) -> Vec<u8> {
        message.encode_to_vec()
    }

    #[test]
    fn requests_decode_from_their_body_and_encode_back() {
        let crt = MsgDelNode {
            uuid: None,
            node_name: "alpha".into(),
        };
        let bytes = encoded(&crt);
        for call in [Call::DelNode, Call::LostNode] {
            let request = Request::decode(call, Some(&bytes)).unwrap();
            assert_eq!(request.call(), call);
            let mut out = bytes::BytesMut::new();
            request.body().unwrap().write_wire(&mut out);
            assert_eq!(&out[..], &bytes[..]);
        }
        // Header-only calls ignore a body; optional filters may be absent.
        assert_eq!(
            Request::decode(Call::LstNode, Some(&bytes)),
            Ok(Request::LstNode)
        );
        assert_eq!(
            Request::decode(Call::LstRsc, None),
            Ok(Request::LstRsc(None))
        );
        assert!(Request::LstRsc(None).body().is_none());
        assert!(Request::Ping.body().is_none());
    }

    #[test]
    fn bad_bodies_are_typed_errors() {
        assert_eq!(
            Request::decode(Call::CrtNode, None),
            Err(RequestError::MissingBody {
                call: Call::CrtNode
            })
        );
        // An empty message lacks MsgCrtNode.node.
        let err = Request::decode(Call::CrtNode, Some(&[])).unwrap_err();
        assert!(
            matches!(&err, RequestError::MissingRequired { call: Call::CrtNode, source } if source.field == "node"),
            "{err}"
        );
        // Field 1 as a varint where a message is expected.
        let err = Request::decode(Call::CrtNode, Some(&[0x08, 0x01])).unwrap_err();
        assert!(
            matches!(
                err,
                RequestError::Decode {
                    call: Call::CrtNode,
                    ..
                }
            ),
            "{err}"
        );
        assert!(
            err.to_string().starts_with(
                "body message 0 does not decode as com.linbit.linstor.proto.MsgCrtNode"
            )
        );
        // A bad optional filter is still an error.
        assert!(Request::decode(Call::LstRsc, Some(&[0x0a, 0x05])).is_err());
    }

    #[test]
    fn sync_calls_are_the_table_s() {
        let asynchronous: Vec<_> = Call::ALL
            .iter()
            .filter(|c| c.is_async())
            .map(|c| c.name())
            .collect();
        assert_eq!(
            asynchronous,
            [
                "Ping",
                "DelNode",
                "LostNode",
                "QryMaxVlmSize",
                "CrtStorPool",
                "LstStorPool",
                "DelRscDfn",
                "ModVlmDfn",
                "DelVlmDfn",
                "CrtRsc",
                "AutoPlaceRsc",
                "DelRsc",
                "LstVlm",
                "ToggleDisk",
                "EnableDrbdProxy",
                "DisableDrbdProxy",
                "CrtSnapshot",
                "DelSnapshot",
                "RollbackSnapshot",
                "ReqErrorReports"
            ]
        );
    }
}
