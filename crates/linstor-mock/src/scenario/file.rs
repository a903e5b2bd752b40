//! The scenario file format (`docs/scenarios.md#file-format`): JSON parsing and checking of
//! every step, with errors that name the file, the step and what is wrong.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::{Action, MAX_PROGRESS_STEPS, MAX_STEPS, MAX_TIME, Scenario, Step};
use crate::model::{DiskState, PoolCapacity, ResyncRule};

/// Largest scenario file read (4 MiB).
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// What is wrong with one step of a scenario.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("step {number}{}: {reason}", .action.as_deref().map(|a| format!(" ({a})")).unwrap_or_default())]
pub struct StepError {
    /// The step's number, from 1, in file order.
    pub number: usize,
    /// Its action name, when it has a valid one.
    pub action: Option<String>,
    /// What is wrong.
    pub reason: String,
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioFileError {
    /// The file cannot be read.
    #[error("scenario file '{}': {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than 4 MiB.
    #[error("scenario file '{}': larger than {MAX_FILE_BYTES} bytes", .path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
    /// The text is not JSON, or not an object with a `steps` list.
    #[error("{}not a scenario: {source}", where_(.path))]
    Syntax {
        /// The file, if read from one.
        path: Option<PathBuf>,
        /// The JSON error (with line and column).
        #[source]
        source: serde_json::Error,
    },
    /// More than [`MAX_STEPS`] steps.
    #[error("{}{count} steps, at most {MAX_STEPS} allowed", where_(.path))]
    TooManySteps {
        /// The file, if read from one.
        path: Option<PathBuf>,
        /// Steps found.
        count: usize,
    },
    /// A step is wrong.
    #[error("{}{source}", where_(.path))]
    Step {
        /// The file, if read from one.
        path: Option<PathBuf>,
        /// The step and what is wrong.
        #[source]
        source: StepError,
    },
}

fn where_(path: &Option<PathBuf>) -> String {
    match path {
        Some(p) => format!("scenario file '{}': ", p.display()),
        None => "scenario: ".to_owned(),
    }
}

pub(super) fn load(path: &Path) -> Result<Scenario, ScenarioFileError> {
    let read = |source| ScenarioFileError::Read {
        path: path.to_owned(),
        source,
    };
    let len = std::fs::metadata(path).map_err(read)?.len();
    if len > MAX_FILE_BYTES {
        return Err(ScenarioFileError::TooLarge {
            path: path.to_owned(),
        });
    }
    let text = std::fs::read_to_string(path).map_err(read)?;
    parse(&text, Some(path))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    steps: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
enum RawAction {
    NodeOffline {
        node: String,
    },
    NodeOnline {
        node: String,
    },
    DiskState {
        node: String,
        resource: String,
        #[serde(default)]
        volume: i32,
        state: String,
    },
    Resync {
        #[serde(default)]
        node: Option<String>,
        #[serde(default)]
        resource: Option<String>,
        duration: String,
        #[serde(default)]
        progress_steps: u32,
    },
    PoolCapacity {
        node: String,
        pool: String,
        total_kib: Option<u64>,
        #[serde(default)]
        reserved_kib: u64,
    },
    SlowSatellite {
        node: String,
        delay: String,
    },
}

pub(super) fn parse(text: &str, path: Option<&Path>) -> Result<Scenario, ScenarioFileError> {
    let path = path.map(Path::to_owned);
    let raw: RawScenario =
        serde_json::from_str(text).map_err(|source| ScenarioFileError::Syntax {
            path: path.clone(),
            source,
        })?;
    if raw.steps.len() > MAX_STEPS {
        return Err(ScenarioFileError::TooManySteps {
            path,
            count: raw.steps.len(),
        });
    }
    let mut steps = Vec::with_capacity(raw.steps.len());
    for (i, value) in raw.steps.into_iter().enumerate() {
        let step = parse_step(i + 1, value).map_err(|source| ScenarioFileError::Step {
            path: path.clone(),
            source,
        })?;
        steps.push(step);
    }
    steps.sort_by_key(|s| s.at);
    Ok(Scenario { steps })
}

pub(super) fn parse_step(number: usize, value: serde_json::Value) -> Result<Step, StepError> {
    let fail = |action: Option<&str>, reason: String| StepError {
        number,
        action: action.map(str::to_owned),
        reason,
    };
    let serde_json::Value::Object(mut object) = value else {
        return Err(fail(None, "a step must be an object".to_owned()));
    };
    let name = match object.get("action") {
        Some(serde_json::Value::String(a)) => a.clone(),
        Some(_) => return Err(fail(None, "\"action\" must be a string".to_owned())),
        None => return Err(fail(None, "no \"action\"".to_owned())),
    };
    let action = Some(name.as_str());
    let at = match object.remove("at") {
        None => Duration::ZERO,
        Some(serde_json::Value::String(s)) => {
            duration(&s).map_err(|r| fail(action, format!("\"at\": {r}")))?
        }
        Some(_) => {
            return Err(fail(
                action,
                "\"at\" must be a duration string such as \"2s\" or \"1500ms\"".to_owned(),
            ));
        }
    };
    let raw: RawAction = serde_json::from_value(serde_json::Value::Object(object))
        .map_err(|e| fail(action, e.to_string()))?;
    let check_name = |what: &str, value: &str| {
        if value.is_empty() {
            Err(fail(action, format!("\"{what}\" is empty")))
        } else {
            Ok(())
        }
    };
    let action = match raw {
        RawAction::NodeOffline { node } => {
            check_name("node", &node)?;
            Action::NodeOffline { node }
        }
        RawAction::NodeOnline { node } => {
            check_name("node", &node)?;
            Action::NodeOnline { node }
        }
        RawAction::DiskState {
            node,
            resource,
            volume,
            state,
        } => {
            check_name("node", &node)?;
            check_name("resource", &resource)?;
            if volume < 0 {
                return Err(fail(action, format!("\"volume\" {volume} is negative")));
            }
            let state: DiskState = state
                .parse()
                .map_err(|e: crate::model::UnknownDiskState| fail(action, e.to_string()))?;
            Action::DiskState {
                node,
                resource,
                volume,
                state,
            }
        }
        RawAction::Resync {
            node,
            resource,
            duration: d,
            progress_steps,
        } => {
            let d = duration(&d).map_err(|r| fail(action, format!("\"duration\": {r}")))?;
            if progress_steps > MAX_PROGRESS_STEPS {
                return Err(fail(
                    action,
                    format!(
                        "\"progress_steps\" {progress_steps} is more than {MAX_PROGRESS_STEPS}"
                    ),
                ));
            }
            Action::Resync(ResyncRule {
                node,
                resource,
                duration_ms: u64::try_from(d.as_millis()).unwrap_or(u64::MAX),
                progress_steps,
            })
        }
        RawAction::PoolCapacity {
            node,
            pool,
            total_kib,
            reserved_kib,
        } => {
            check_name("node", &node)?;
            check_name("pool", &pool)?;
            Action::PoolCapacity {
                node,
                pool,
                capacity: PoolCapacity {
                    total_kib,
                    reserved_kib,
                },
            }
        }
        RawAction::SlowSatellite { node, delay } => {
            check_name("node", &node)?;
            let delay = duration(&delay).map_err(|r| fail(action, format!("\"delay\": {r}")))?;
            Action::SlowSatellite { node, delay }
        }
    };
    Ok(Step { at, action })
}

/// A duration string (`2s`, `1500ms`, `1m 30s`), at most [`MAX_TIME`].
fn duration(text: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(text.trim()).map_err(|e| {
        format!("'{text}' is not a duration ({e}); write e.g. \"2s\" or \"1500ms\"")
    })?;
    if d > MAX_TIME {
        return Err(format!("'{text}' is longer than one day"));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_parses_and_steps_sort_by_time() {
        let s = Scenario::from_json(
            r#"{"description": "demo", "steps": [
                {"at": "10s", "action": "node_online", "node": "bravo"},
                {"at": "2s", "action": "node_offline", "node": "bravo"},
                {"action": "resync", "resource": "r1", "node": "alpha", "duration": "5s", "progress_steps": 4},
                {"at": "3s", "action": "disk_state", "node": "charlie", "resource": "r1", "volume": 0, "state": "Failed"},
                {"action": "pool_capacity", "node": "alpha", "pool": "drbdpool", "total_kib": 1024, "reserved_kib": 10},
                {"action": "pool_capacity", "node": "alpha", "pool": "other", "total_kib": null},
                {"at": "1500ms", "action": "slow_satellite", "node": "bravo", "delay": "250ms"}
            ]}"#,
        )
        .unwrap();
        let names: Vec<(u128, &str)> = s
            .steps
            .iter()
            .map(|s| (s.at.as_millis(), s.action.name()))
            .collect();
        assert_eq!(
            names,
            [
                (0, "resync"),
                (0, "pool_capacity"),
                (0, "pool_capacity"),
                (1500, "slow_satellite"),
                (2000, "node_offline"),
                (3000, "disk_state"),
                (10_000, "node_online")
            ]
        );
        assert_eq!(
            s.steps[0].action,
            Action::Resync(ResyncRule {
                node: Some("alpha".into()),
                resource: Some("r1".into()),
                duration_ms: 5000,
                progress_steps: 4
            })
        );
        assert_eq!(
            s.steps[2].action,
            Action::PoolCapacity {
                node: "alpha".into(),
                pool: "other".into(),
                capacity: PoolCapacity {
                    total_kib: None,
                    reserved_kib: 0
                }
            }
        );
    }

    fn error(text: &str) -> String {
        Scenario::from_json(text).unwrap_err().to_string()
    }

    #[test]
    fn a_bad_step_is_named_with_what_is_wrong() {
        assert_eq!(
            error(
                r#"{"steps": [{"action": "node_offline", "node": "a"}, {"at": "2 parsecs", "action": "node_online", "node": "a"}]}"#
            ),
            "scenario: step 2 (node_online): \"at\": '2 parsecs' is not a duration (unknown time unit \"parsecs\", supported units: ns, us/µs, ms, sec, min, hours, days, weeks, months, years (and few variations)); write e.g. \"2s\" or \"1500ms\""
        );
        assert_eq!(
            error(r#"{"steps": [{"action": "explode", "node": "a"}]}"#),
            "scenario: step 1 (explode): unknown variant `explode`, expected one of `node_offline`, `node_online`, `disk_state`, `resync`, `pool_capacity`, `slow_satellite`"
        );
        assert_eq!(
            error(r#"{"steps": [{"action": "node_offline"}]}"#),
            "scenario: step 1 (node_offline): missing field `node`"
        );
        assert_eq!(
            error(r#"{"steps": [{"action": "node_offline", "node": "a", "nod": "b"}]}"#),
            "scenario: step 1 (node_offline): unknown field `nod`, expected `node`"
        );
        assert!(
            error(r#"{"steps": [{"action": "disk_state", "node": "a", "resource": "r", "state": "Broken"}]}"#)
                .starts_with("scenario: step 1 (disk_state): unknown disk state 'Broken'")
        );
        assert_eq!(
            error(r#"{"steps": [{"action": "slow_satellite", "node": "a", "delay": "2 days"}]}"#),
            "scenario: step 1 (slow_satellite): \"delay\": '2 days' is longer than one day"
        );
        assert_eq!(
            error(r#"{"steps": [3]}"#),
            "scenario: step 1: a step must be an object"
        );
        assert_eq!(
            error(r#"{"steps": [{"node": "a"}]}"#),
            "scenario: step 1: no \"action\""
        );
        assert!(
            error(r#"{"step": []}"#).starts_with("scenario: not a scenario: unknown field `step`")
        );
        assert!(error("{").starts_with("scenario: not a scenario: EOF while parsing"));
    }

    #[test]
    fn a_file_error_names_the_file() {
        let dir =
            std::env::temp_dir().join(format!("linstor-mock-scenario-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bad.json");
        std::fs::write(
            &path,
            r#"{"steps": [{"action": "node_offline", "node": ""}]}"#,
        )
        .unwrap();
        let e = Scenario::load(&path).unwrap_err().to_string();
        assert_eq!(
            e,
            format!(
                "scenario file '{}': step 1 (node_offline): \"node\" is empty",
                path.display()
            )
        );
        let missing = dir.join("missing.json");
        let e = Scenario::load(&missing).unwrap_err();
        assert!(matches!(e, ScenarioFileError::Read { .. }));
        assert!(
            e.to_string()
                .starts_with(&format!("scenario file '{}': ", missing.display()))
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
