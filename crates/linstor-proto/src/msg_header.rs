//! Constructors for the `MsgHeader` of each kind of frame, as the reference implementations
//! write them (msg_type always explicit, even ONEWAY = 0).

use crate::messages::{MsgHeader, msg_header::MsgType};

impl MsgHeader {
    /// `API_CALL` with an id and a call name (client to controller).
    pub fn api_call(api_call_id: i64, call: &str) -> MsgHeader {
        MsgHeader {
            msg_type: Some(MsgType::ApiCall as i32),
            api_call_id: Some(api_call_id),
            msg_content: Some(call.to_owned()),
        }
    }

    /// `ANSWER` for a call, with an answer content name such as `Reply` or `LstNode`.
    pub fn answer(api_call_id: i64, content: &str) -> MsgHeader {
        MsgHeader {
            msg_type: Some(MsgType::Answer as i32),
            api_call_id: Some(api_call_id),
            msg_content: Some(content.to_owned()),
        }
    }

    /// `COMPLETE` for a call (no content).
    pub fn complete(api_call_id: i64) -> MsgHeader {
        MsgHeader {
            msg_type: Some(MsgType::Complete as i32),
            api_call_id: Some(api_call_id),
            msg_content: None,
        }
    }

    /// `ONEWAY` with a content name such as `Version` or `Event`.
    pub fn oneway(content: &str) -> MsgHeader {
        MsgHeader {
            msg_type: Some(MsgType::Oneway as i32),
            api_call_id: None,
            msg_content: Some(content.to_owned()),
        }
    }
}
