//! The runtime faults as JSON (`GET`/`PUT /api/v1/faults`): call names of the call table,
//! return codes as constant names (or numbers, `0x` hex), delays in milliseconds.

use std::time::Duration;

use linstor_proto::{Call, ReturnCode};
use serde::{Deserialize, Serialize};

use crate::faults::{FailNext, Faults, parse_return_code};

/// A return code as the API shows it: its constant's name, else `0x` hex.
fn code_text(rc: ReturnCode) -> String {
    rc.name()
        .filter(|name| ReturnCode::from_name(name) == Some(rc))
        .map_or_else(|| format!("{:#x}", rc.0), str::to_owned)
}

/// `fail_calls` entry.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FailCallJson {
    pub call: String,
    pub code: CodeInput,
}

/// `fail_next` entry: the next `count` calls of `call` fail with `code`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FailNextJson {
    pub call: String,
    pub code: CodeInput,
    pub count: u64,
}

/// `delay_calls` entry.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DelayCallJson {
    pub call: String,
    pub delay_ms: u64,
}

/// A code given as a number or as text (name, decimal or `0x` hex).
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum CodeInput {
    Number(u64),
    Text(String),
}

/// Every fault, as JSON. Missing fields mean "none".
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct FaultsJson {
    pub answer_delay_ms: u64,
    pub drop_after_frames: Option<u64>,
    pub refuse_connections: bool,
    pub fail_calls: Vec<FailCallJson>,
    pub fail_next: Vec<FailNextJson>,
    pub delay_calls: Vec<DelayCallJson>,
}

/// Longest delay accepted (one hour), so no call waits without bound.
const MAX_DELAY_MS: u64 = 3_600_000;
/// Most entries in each list.
const MAX_ENTRIES: usize = 1000;

fn call(name: &str) -> Result<Call, String> {
    Call::from_name(name).ok_or_else(|| format!("unknown API call '{name}'"))
}

fn code(input: &CodeInput) -> Result<ReturnCode, String> {
    match input {
        CodeInput::Number(n) => Ok(ReturnCode(*n)),
        CodeInput::Text(t) => parse_return_code(t).map_err(|e| e.to_string()),
    }
}

fn delay(ms: u64) -> Result<Duration, String> {
    if ms > MAX_DELAY_MS {
        return Err(format!(
            "delay of {ms} ms is above the limit of {MAX_DELAY_MS} ms"
        ));
    }
    Ok(Duration::from_millis(ms))
}

impl FaultsJson {
    pub(crate) fn of(f: &Faults) -> FaultsJson {
        FaultsJson {
            answer_delay_ms: u64::try_from(f.answer_delay.as_millis()).unwrap_or(u64::MAX),
            drop_after_frames: f.drop_after_frames,
            refuse_connections: f.refuse_connections,
            fail_calls: f
                .fail_calls
                .iter()
                .map(|(c, rc)| FailCallJson {
                    call: c.name().to_owned(),
                    code: CodeInput::Text(code_text(*rc)),
                })
                .collect(),
            fail_next: f
                .fail_next
                .iter()
                .map(|n| FailNextJson {
                    call: n.call.name().to_owned(),
                    code: CodeInput::Text(code_text(n.code)),
                    count: n.remaining,
                })
                .collect(),
            delay_calls: f
                .delay_calls
                .iter()
                .map(|(c, d)| DelayCallJson {
                    call: c.name().to_owned(),
                    delay_ms: u64::try_from(d.as_millis()).unwrap_or(u64::MAX),
                })
                .collect(),
        }
    }

    /// The faults, or what is wrong with them.
    pub(crate) fn to_faults(&self) -> Result<Faults, String> {
        if self.fail_calls.len() + self.fail_next.len() + self.delay_calls.len() > MAX_ENTRIES {
            return Err(format!("more than {MAX_ENTRIES} fault entries"));
        }
        Ok(Faults {
            answer_delay: delay(self.answer_delay_ms)?,
            drop_after_frames: self.drop_after_frames,
            refuse_connections: self.refuse_connections,
            fail_calls: self
                .fail_calls
                .iter()
                .map(|f| Ok((call(&f.call)?, code(&f.code)?)))
                .collect::<Result<_, String>>()?,
            fail_next: self
                .fail_next
                .iter()
                .map(|f| {
                    Ok(FailNext {
                        call: call(&f.call)?,
                        code: code(&f.code)?,
                        remaining: f.count,
                    })
                })
                .collect::<Result<_, String>>()?,
            delay_calls: self
                .delay_calls
                .iter()
                .map(|d| Ok((call(&d.call)?, delay(d.delay_ms)?)))
                .collect::<Result<_, String>>()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_names_codes() {
        let faults = Faults {
            answer_delay: Duration::from_millis(7),
            fail_calls: vec![(Call::CrtRsc, ReturnCode::FAIL_IN_USE)],
            fail_next: vec![FailNext {
                call: Call::CrtNode,
                code: ReturnCode(0x1234),
                remaining: 2,
            }],
            delay_calls: vec![(Call::LstNode, Duration::from_millis(300))],
            ..Faults::default()
        };
        let json = serde_json::to_value(FaultsJson::of(&faults)).unwrap();
        assert_eq!(json["fail_calls"][0]["code"], "FAIL_IN_USE");
        assert_eq!(json["fail_next"][0]["code"], "0x1234");
        let back: FaultsJson = serde_json::from_value(json).unwrap();
        assert_eq!(back.to_faults().unwrap(), faults);
    }

    #[test]
    fn refuses_unknown_names_and_long_delays() {
        let bad = |text: &str| {
            serde_json::from_str::<FaultsJson>(text)
                .map_err(|e| e.to_string())
                .and_then(|f| f.to_faults())
                .unwrap_err()
        };
        assert!(bad(r#"{"fail_calls":[{"call":"Nope","code":"FAIL_IN_USE"}]}"#).contains("Nope"));
        assert!(bad(r#"{"fail_calls":[{"call":"CrtRsc","code":"NOPE"}]}"#).contains("NOPE"));
        assert!(bad(r#"{"answer_delay_ms": 99999999}"#).contains("limit"));
        assert!(bad(r#"{"surprise": 1}"#).contains("surprise"));
    }
}
