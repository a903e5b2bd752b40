//! The one table of API calls (wire name, request body, main answer, controller style), the
//! answer contents a client understands, and the one-way names. The codec, the mock
//! controller and the client all read these tables; nothing else spells a call name.

use crate::MessageKind;

/// One API call as the target client sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiCall {
    /// Wire string in `MsgHeader.msg_content`, e.g. `CrtNode`.
    pub name: &'static str,
    /// Type of the body message that follows the `MsgHeader`; `None` for header-only calls.
    pub request: Option<MessageKind>,
    /// Content name of the main answer: [`answers::REPLY`] or a list name such as `LstNode`.
    /// Calls with a list answer may still answer `Reply` on failure.
    pub answer: &'static str,
    /// Whether the controller may send part of the answers after `EndOfImmediateAnswers`.
    pub asynchronous: bool,
}

impl ApiCall {
    /// Whether the main answer is a `Reply` (a list of `MsgApiCallResponse`).
    pub fn answers_reply(&self) -> bool {
        self.answer == answers::REPLY
    }
}

macro_rules! api_calls {
    ($($konst:ident = $name:literal, $request:expr, $answer:expr, $style:ident;)*) => {
        $(
            #[doc = concat!("`", $name, "`")]
            pub const $konst: ApiCall = ApiCall {
                name: $name,
                request: $request,
                answer: $answer,
                asynchronous: api_calls!(@style $style),
            };
        )*

        /// Every API call of the target client (constants.md §2), in that table's order.
        pub const CALLS: &[ApiCall] = &[$($konst,)*];
    };
    (@style sync) => { false };
    (@style async) => { true };
}

use MessageKind as K;
use answers::REPLY;

api_calls! {
    PING = "Ping", None, answers::PONG, async;
    CRT_NODE = "CrtNode", Some(K::MsgCrtNode), REPLY, sync;
    CRT_SF_TARGET_NODE = "CrtSfTargetNode", Some(K::MsgCrtSfTargetNode), REPLY, sync;
    MOD_NODE = "ModNode", Some(K::MsgModNode), REPLY, sync;
    DEL_NODE = "DelNode", Some(K::MsgDelNode), REPLY, async;
    LOST_NODE = "LostNode", Some(K::MsgDelNode), REPLY, async;
    NODE_RECONNECT = "NodeReconnect", Some(K::MsgNodeReconnect), REPLY, sync;
    CRT_NET_IF = "CrtNetIf", Some(K::MsgCrtNetInterface), REPLY, sync;
    MOD_NET_IF = "ModNetIf", Some(K::MsgModNetInterface), REPLY, sync;
    DEL_NET_IF = "DelNetIf", Some(K::MsgDelNetInterface), REPLY, sync;
    LST_NODE = "LstNode", None, answers::LST_NODE, sync;
    CRT_STOR_POOL_DFN = "CrtStorPoolDfn", Some(K::MsgCrtStorPoolDfn), REPLY, sync;
    MOD_STOR_POOL_DFN = "ModStorPoolDfn", Some(K::MsgModStorPoolDfn), REPLY, sync;
    DEL_STOR_POOL_DFN = "DelStorPoolDfn", Some(K::MsgDelStorPoolDfn), REPLY, sync;
    LST_STOR_POOL_DFN = "LstStorPoolDfn", None, answers::LST_STOR_POOL_DFN, sync;
    QRY_MAX_VLM_SIZE = "QryMaxVlmSize", Some(K::MsgQryMaxVlmSizes), answers::RSP_MAX_VLM_SIZE, async;
    CRT_STOR_POOL = "CrtStorPool", Some(K::MsgCrtStorPool), REPLY, async;
    MOD_STOR_POOL = "ModStorPool", Some(K::MsgModStorPool), REPLY, sync;
    DEL_STOR_POOL = "DelStorPool", Some(K::MsgDelStorPool), REPLY, sync;
    LST_STOR_POOL = "LstStorPool", Some(K::Filter), answers::LST_STOR_POOL, async;
    CRT_RSC_DFN = "CrtRscDfn", Some(K::MsgCrtRscDfn), REPLY, sync;
    MOD_RSC_DFN = "ModRscDfn", Some(K::MsgModRscDfn), REPLY, sync;
    DEL_RSC_DFN = "DelRscDfn", Some(K::MsgDelRscDfn), REPLY, async;
    LST_RSC_DFN = "LstRscDfn", None, answers::LST_RSC_DFN, sync;
    CRT_VLM_DFN = "CrtVlmDfn", Some(K::MsgCrtVlmDfn), REPLY, sync;
    MOD_VLM_DFN = "ModVlmDfn", Some(K::MsgModVlmDfn), REPLY, async;
    DEL_VLM_DFN = "DelVlmDfn", Some(K::MsgDelVlmDfn), REPLY, async;
    CRT_RSC = "CrtRsc", Some(K::MsgCrtRsc), REPLY, async;
    AUTO_PLACE_RSC = "AutoPlaceRsc", Some(K::MsgAutoPlaceRsc), REPLY, async;
    MOD_RSC = "ModRsc", Some(K::MsgModRsc), REPLY, sync;
    DEL_RSC = "DelRsc", Some(K::MsgDelRsc), REPLY, async;
    LST_RSC = "LstRsc", Some(K::Filter), answers::LST_RSC, sync;
    LST_VLM = "LstVlm", Some(K::Filter), answers::LST_VLM, async;
    TOGGLE_DISK = "ToggleDisk", Some(K::MsgToggleDisk), REPLY, async;
    LST_CFG_VAL = "LstCfgVal", None, answers::LST_CFG_VAL, sync;
    SET_CFG_VAL = "SetCfgVal", Some(K::MsgSetCtrlCfgProp), REPLY, sync;
    DEL_CFG_VAL = "DelCfgVal", Some(K::MsgDelCtrlCfgProp), REPLY, sync;
    CONTROL_CTRL = "ControlCtrl", Some(K::MsgControlCtrl), REPLY, sync;
    CRT_WATCH = "CrtWatch", Some(K::MsgCrtWatch), REPLY, sync;
    DEL_WATCH = "DelWatch", Some(K::MsgDelWatch), REPLY, sync;
    CRT_CRYPT_PASS = "CrtCryptPass", Some(K::MsgCrtCryptPassphrase), REPLY, sync;
    ENTER_CRYPT_PASS = "EnterCryptPass", Some(K::MsgEnterCryptPassphrase), REPLY, sync;
    MOD_CRYPT_PASS = "ModCryptPass", Some(K::MsgModCryptPassphrase), REPLY, sync;
    MOD_RSC_CONN = "ModRscConn", Some(K::MsgModRscConn), REPLY, sync;
    REQ_RSC_CONN_LIST = "ReqRscConnList", Some(K::MsgReqRscConn), answers::LST_RSC_CONN, sync;
    ENABLE_DRBD_PROXY = "EnableDrbdProxy", Some(K::MsgEnableDrbdProxy), REPLY, async;
    DISABLE_DRBD_PROXY = "DisableDrbdProxy", Some(K::MsgDisableDrbdProxy), REPLY, async;
    MOD_DRBD_PROXY = "ModifyDrbdProxy", Some(K::MsgModDrbdProxy), REPLY, sync;
    CRT_SNAPSHOT = "CrtSnapshot", Some(K::MsgCrtSnapshot), REPLY, async;
    RESTORE_VLM_DFN = "RestoreVlmDfn", Some(K::MsgRestoreSnapshotVlmDfn), REPLY, sync;
    RESTORE_SNAPSHOT = "RestoreSnapshot", Some(K::MsgRestoreSnapshotRsc), REPLY, sync;
    DEL_SNAPSHOT = "DelSnapshot", Some(K::MsgDelSnapshot), REPLY, async;
    ROLLBACK_SNAPSHOT = "RollbackSnapshot", Some(K::MsgRollbackSnapshot), REPLY, async;
    LST_SNAPSHOT_DFN = "LstSnapshotDfn", None, answers::LST_SNAPSHOT_DFN, sync;
    REQ_ERROR_REPORTS = "ReqErrorReports", Some(K::MsgReqErrorReport), answers::LST_ERROR_REPORTS, async;
    MOD_KVS_PROPS = "ModifyKvsProps", Some(K::MsgModKvsProps), REPLY, sync;
    LST_KVS_PROPS = "LstKvsProps", Some(K::MsgLstKvsProps), answers::LST_KVS_PROPS, sync;
    HOSTNAME = "Hostname", None, answers::HOSTNAME, sync;
}

/// The API call with this wire name (exact, case-sensitive, as the controller dispatches).
pub fn by_name(name: &str) -> Option<&'static ApiCall> {
    CALLS.iter().find(|c| c.name == name)
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
        assert_eq!(CALLS.len(), 58);
        for (i, call) in CALLS.iter().enumerate() {
            assert!(
                CALLS[i + 1..].iter().all(|c| c.name != call.name),
                "{}",
                call.name
            );
            assert!(answers::by_name(call.answer).is_some(), "{}", call.name);
            assert_eq!(by_name(call.name), Some(call));
        }
        assert_eq!(answers::ANSWERS.len(), 16);
    }

    #[test]
    fn header_only_calls_match_the_vectors_readme() {
        let header_only: Vec<_> = CALLS
            .iter()
            .filter(|c| c.request.is_none())
            .map(|c| c.name)
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
            by_name("LstVlm").map(|c| c.request),
            Some(Some(MessageKind::Filter))
        );
        assert!(by_name("lstnode").is_none());
        assert_eq!(oneway::message("Event"), Some(MessageKind::MsgEvent));
        assert_eq!(
            answers::by_name("LstVlm").and_then(|a| a.message),
            Some(MessageKind::MsgLstRsc)
        );
    }
}
