//! Faults that plugin authors inject to test their error handling: delayed answers,
//! connections dropped after N frames, refused connections, and calls that fail with a
//! chosen return code. They can be changed while the controller runs
//! ([`MockController::set_faults`](crate::MockController::set_faults)).

use std::time::Duration;

use linstor_proto::ReturnCode;
use linstor_proto::messages::MsgApiCallResponse;

use crate::model::{Answer, Outcome};

/// The injected faults; the default injects none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// Every answer (and the `COMPLETE`) of every call is sent this much later.
    pub answer_delay: Duration,
    /// A connection is closed, unanswered, when its N-th request frame arrives.
    pub drop_after_frames: Option<u64>,
    /// New connections are accepted and closed at once, without the greeting.
    pub refuse_connections: bool,
    /// Calls (by wire name) that fail with the given return code, changing nothing.
    pub fail_calls: Vec<(String, ReturnCode)>,
}

impl Faults {
    /// The injected failure for a call, if any.
    pub(crate) fn failure(&self, call: &str) -> Option<Outcome> {
        let (_, rc) = self.fail_calls.iter().find(|(name, _)| name == call)?;
        let entry = MsgApiCallResponse {
            ret_code: rc.0,
            message: format!("Injected failure of '{call}'"),
            cause: Some("linstor-mock fault injection".into()),
            ..Default::default()
        };
        Some(Outcome {
            immediate: vec![Answer::reply(vec![entry])],
            ..Outcome::default()
        })
    }
}

/// Parses `NAME=CODE` (decimal or `0x` hex, or a constant name such as `FAIL_IN_USE`).
///
/// # Errors
///
/// A message naming what did not parse.
pub fn parse_fail_call(spec: &str) -> Result<(String, ReturnCode), String> {
    let (name, code) = spec
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=CODE, got '{spec}'"))?;
    let rc = if let Some(hex) = code.strip_prefix("0x").or_else(|| code.strip_prefix("0X")) {
        u64::from_str_radix(hex, 16).map_err(|e| format!("bad hex code '{code}': {e}"))?
    } else if let Ok(n) = code.parse::<u64>() {
        n
    } else {
        named_code(code)
            .ok_or_else(|| format!("unknown return code '{code}'"))?
            .0
    };
    Ok((name.to_owned(), ReturnCode(rc)))
}

fn named_code(name: &str) -> Option<ReturnCode> {
    // Every code number fits in the low bits; search the named constants by name.
    (0..=0x7fffu64)
        .flat_map(|n| [n, n | 0xC000_0000_0000_0000, n | 0x8000_0000_0000_0000])
        .chain([
            ReturnCode::UNKNOWN_API_CALL.0,
            ReturnCode::API_CALL_PARSE_ERROR.0,
            ReturnCode::API_CALL_AUTH_REQ.0,
        ])
        .map(ReturnCode)
        .find(|rc| rc.name() == Some(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fail_call_specs() {
        assert_eq!(
            parse_fail_call("CrtRsc=0xC0000000000003E5"),
            Ok(("CrtRsc".into(), ReturnCode::FAIL_IN_USE))
        );
        assert_eq!(
            parse_fail_call("CrtRsc=FAIL_IN_USE"),
            Ok(("CrtRsc".into(), ReturnCode::FAIL_IN_USE))
        );
        assert_eq!(
            parse_fail_call("LstNode=3"),
            Ok(("LstNode".into(), ReturnCode::MODIFIED))
        );
        assert!(parse_fail_call("CrtRsc").is_err());
        assert!(parse_fail_call("CrtRsc=NOPE").is_err());
    }

    #[test]
    fn failure_replaces_the_answer() {
        let faults = Faults {
            fail_calls: vec![("CrtNode".into(), ReturnCode::FAIL_IN_USE)],
            ..Faults::default()
        };
        let out = faults.failure("CrtNode").unwrap();
        assert_eq!(
            out.entries().next().unwrap().ret_code,
            ReturnCode::FAIL_IN_USE.0
        );
        assert!(faults.failure("LstNode").is_none());
    }
}
