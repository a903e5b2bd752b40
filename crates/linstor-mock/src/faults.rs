//! Faults that plugin authors inject to test their error handling: delayed answers (of
//! every call, or of the calls of one name), connections dropped after N frames, refused
//! connections, calls that fail with a chosen return code (always, or only the next N of
//! them). They can be changed while the controller runs
//! ([`MockController::set_faults`](crate::MockController::set_faults), or the admin API's
//! `PUT /api/v1/faults`).

use std::time::Duration;

use linstor_proto::messages::MsgApiCallResponse;
use linstor_proto::{Call, ReturnCode};

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
    /// Calls that fail with the given return code, changing nothing.
    pub fail_calls: Vec<(Call, ReturnCode)>,
    /// The next calls of a name that fail with a return code, counted down; these come
    /// before `fail_calls`, and an exhausted one is removed.
    pub fail_next: Vec<FailNext>,
    /// Calls of a name whose answers are sent this much later (added to `answer_delay`).
    pub delay_calls: Vec<(Call, Duration)>,
}

/// "Fail the next `remaining` calls of `call` with `code`."
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailNext {
    /// The call.
    pub call: Call,
    /// The return code of the injected failure.
    pub code: ReturnCode,
    /// How many more calls fail.
    pub remaining: u64,
}

impl Faults {
    /// The injected failure for a call, if any.
    pub(crate) fn failure(&self, call: Call) -> Option<Outcome> {
        let (_, rc) = self.fail_calls.iter().find(|(c, _)| *c == call)?;
        Some(injected(call, *rc))
    }

    /// Whether the next call of `call` gets an injected failure.
    pub(crate) fn would_fail(&self, call: Call) -> bool {
        self.fail_next
            .iter()
            .any(|f| f.call == call && f.remaining > 0)
            || self.fail_calls.iter().any(|(c, _)| *c == call)
    }

    /// The injected failure for a call, counting down a matching `fail_next` first.
    pub(crate) fn take_failure(&mut self, call: Call) -> Option<Outcome> {
        if let Some(i) = self
            .fail_next
            .iter()
            .position(|f| f.call == call && f.remaining > 0)
        {
            let code = self.fail_next[i].code;
            self.fail_next[i].remaining -= 1;
            if self.fail_next[i].remaining == 0 {
                self.fail_next.remove(i);
            }
            return Some(injected(call, code));
        }
        self.failure(call)
    }

    /// The delay of every answer of `call`: `answer_delay` plus its `delay_calls` entry.
    pub(crate) fn delay_of(&self, call: Option<Call>) -> Duration {
        let extra = call
            .and_then(|call| self.delay_calls.iter().find(|(c, _)| *c == call))
            .map_or(Duration::ZERO, |(_, d)| *d);
        self.answer_delay.saturating_add(extra)
    }
}

/// The answer of an injected failure.
fn injected(call: Call, rc: ReturnCode) -> Outcome {
    let entry = MsgApiCallResponse {
        ret_code: rc.0,
        message: format!("Injected failure of '{call}'"),
        cause: Some("linstor-mock fault injection".into()),
        ..Default::default()
    };
    Outcome {
        immediate: vec![Answer::reply(vec![entry])],
        ..Outcome::default()
    }
}

/// A `NAME=CODE` fault spec that did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FailCallError {
    /// The name is not a call of the table (names are case-sensitive, e.g. `CrtRsc`).
    #[error("unknown API call '{name}'")]
    UnknownCall {
        /// The name part of the spec.
        name: String,
    },
    /// No `=` between the call name and the code.
    #[error("expected NAME=CODE, got '{spec}'")]
    MissingEquals {
        /// The whole spec.
        spec: String,
    },
    /// `0x` followed by something that is not a 64-bit hex number.
    #[error("bad hex code '{code}': {source}")]
    BadHex {
        /// The code part of the spec.
        code: String,
        /// Why it did not parse.
        #[source]
        source: std::num::ParseIntError,
    },
    /// Neither a number nor the name of a code constant.
    #[error("unknown return code '{code}'")]
    UnknownCode {
        /// The code part of the spec.
        code: String,
    },
}

/// Parses `CALL=CODE`: a call name of the table such as `CrtRsc`, and a code in decimal, in
/// `0x` hex, or as a constant name such as `FAIL_IN_USE`.
///
/// # Errors
///
/// A [`FailCallError`] holding the part that did not parse.
pub fn parse_fail_call(spec: &str) -> Result<(Call, ReturnCode), FailCallError> {
    let (name, code) = spec
        .split_once('=')
        .ok_or_else(|| FailCallError::MissingEquals { spec: spec.into() })?;
    let call =
        Call::from_name(name).ok_or_else(|| FailCallError::UnknownCall { name: name.into() })?;
    Ok((call, parse_return_code(code)?))
}

/// Parses a return code in decimal, in `0x` hex, or as a constant name such as
/// `FAIL_IN_USE`.
///
/// # Errors
///
/// [`FailCallError::BadHex`] or [`FailCallError::UnknownCode`] holding the code.
pub fn parse_return_code(code: &str) -> Result<ReturnCode, FailCallError> {
    let rc = if let Some(hex) = code.strip_prefix("0x").or_else(|| code.strip_prefix("0X")) {
        ReturnCode(
            u64::from_str_radix(hex, 16).map_err(|source| FailCallError::BadHex {
                code: code.into(),
                source,
            })?,
        )
    } else if let Ok(n) = code.parse::<u64>() {
        ReturnCode(n)
    } else {
        ReturnCode::from_name(code)
            .ok_or_else(|| FailCallError::UnknownCode { code: code.into() })?
    };
    Ok(rc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fail_call_specs() {
        assert_eq!(
            parse_fail_call("CrtRsc=0xC0000000000003E5"),
            Ok((Call::CrtRsc, ReturnCode::FAIL_IN_USE))
        );
        assert_eq!(
            parse_fail_call("CrtRsc=FAIL_IN_USE"),
            Ok((Call::CrtRsc, ReturnCode::FAIL_IN_USE))
        );
        assert_eq!(
            parse_fail_call("LstNode=3"),
            Ok((Call::LstNode, ReturnCode::MODIFIED))
        );
        assert_eq!(
            parse_fail_call("Hostname=UNKNOWN_API_CALL"),
            Ok((Call::Hostname, ReturnCode::UNKNOWN_API_CALL))
        );
        assert_eq!(
            parse_fail_call("CrtRsc=WARN_NOT_FOUND"),
            Ok((Call::CrtRsc, ReturnCode::WARN_NOT_FOUND))
        );
    }

    #[test]
    fn fail_call_errors_hold_the_bad_input() {
        assert_eq!(
            parse_fail_call("CrtRsc"),
            Err(FailCallError::MissingEquals {
                spec: "CrtRsc".into()
            })
        );
        assert_eq!(
            parse_fail_call("crtrsc=FAIL_IN_USE"),
            Err(FailCallError::UnknownCall {
                name: "crtrsc".into()
            })
        );
        assert_eq!(
            parse_fail_call("CrtRsc=NOPE"),
            Err(FailCallError::UnknownCode {
                code: "NOPE".into()
            })
        );
        let err = parse_fail_call("CrtRsc=0xZZ").unwrap_err();
        assert!(
            matches!(&err, FailCallError::BadHex { code, .. } if code == "0xZZ"),
            "{err:?}"
        );
        assert!(std::error::Error::source(&err).is_some());
        assert_eq!(
            parse_fail_call("CrtRsc=fail_in_use")
                .unwrap_err()
                .to_string(),
            "unknown return code 'fail_in_use'"
        );
    }

    #[test]
    fn failure_replaces_the_answer() {
        let faults = Faults {
            fail_calls: vec![(Call::CrtNode, ReturnCode::FAIL_IN_USE)],
            ..Faults::default()
        };
        let out = faults.failure(Call::CrtNode).unwrap();
        assert_eq!(
            out.entries().next().unwrap().ret_code,
            ReturnCode::FAIL_IN_USE.0
        );
        assert!(faults.failure(Call::LstNode).is_none());
    }

    #[test]
    fn fail_next_counts_down_then_falls_back() {
        let mut faults = Faults {
            fail_calls: vec![(Call::CrtNode, ReturnCode::FAIL_IN_USE)],
            fail_next: vec![FailNext {
                call: Call::CrtNode,
                code: ReturnCode::FAIL_EXISTS_NODE,
                remaining: 2,
            }],
            ..Faults::default()
        };
        let code = |o: Option<Outcome>| o.map(|o| o.entries().next().map(|e| e.ret_code));
        for _ in 0..2 {
            assert_eq!(
                code(faults.take_failure(Call::CrtNode)),
                Some(Some(ReturnCode::FAIL_EXISTS_NODE.0))
            );
        }
        assert!(faults.fail_next.is_empty(), "exhausted entries are removed");
        assert_eq!(
            code(faults.take_failure(Call::CrtNode)),
            Some(Some(ReturnCode::FAIL_IN_USE.0))
        );
        assert!(faults.take_failure(Call::LstNode).is_none());
    }

    #[test]
    fn delay_of_adds_the_call_delay() {
        let faults = Faults {
            answer_delay: Duration::from_millis(5),
            delay_calls: vec![(Call::LstNode, Duration::from_millis(100))],
            ..Faults::default()
        };
        assert_eq!(
            faults.delay_of(Some(Call::LstNode)),
            Duration::from_millis(105)
        );
        assert_eq!(
            faults.delay_of(Some(Call::LstRsc)),
            Duration::from_millis(5)
        );
        assert_eq!(faults.delay_of(None), Duration::from_millis(5));
    }
}
