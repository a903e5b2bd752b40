//! Cluster scenarios (`docs/scenarios.md`): a timeline of steps ([`Scenario`], [`Step`],
//! [`Action`]) that takes satellites offline and back, sets disk states, resync rules, pool
//! capacity and slow satellites. This module owns the step types and the JSON file format
//! (`file.rs`); `driver.rs` owns the time (the task that runs a timeline and the resync
//! timers) and applies steps to a running controller. What a step does to the model is in
//! `model/cluster.rs`.

mod control;
pub(crate) mod driver;
mod file;

use std::time::Duration;

pub use crate::model::{ClusterError, DiskState, PoolCapacity, ResyncRule};
pub(crate) use driver::{Runtime, spawn_driver};

/// Starts the driver of a new controller when it has something to do: a scenario from the
/// configuration, or resync rules and running resyncs from a state file.
pub(crate) fn start(inner: &std::sync::Arc<crate::server::Inner>) {
    let needed = {
        let shared = crate::server::lock(&inner.shared);
        !shared.model.resync_rules().is_empty() || shared.model.running_resyncs().next().is_some()
    };
    if let Some(scenario) = inner.config.scenario.clone() {
        spawn_driver(inner);
        // A fresh queue has room.
        let _ = crate::server::lock(&inner.shared).scenario.play(scenario);
    } else if needed {
        spawn_driver(inner);
    }
}
pub use file::{ScenarioFileError, StepError};

/// Steps a scenario holds at most.
pub const MAX_STEPS: usize = 10_000;
/// Latest time a step may have, and longest resync or satellite delay (one day).
pub const MAX_TIME: Duration = Duration::from_secs(24 * 60 * 60);
/// Most progress steps of a resync.
pub const MAX_PROGRESS_STEPS: u32 = 1000;

/// A timeline of cluster changes. Times are relative to when the scenario starts: the
/// controller's start for [`Config::scenario`](crate::Config::scenario) and `--scenario`,
/// the call for [`MockController::play`](crate::MockController::play) and the admin API.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scenario {
    /// The steps, in the order they are run (by time, then file order).
    pub steps: Vec<Step>,
}

/// One step: at `at`, do `action`.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// When, from the start of the scenario.
    pub at: Duration,
    /// What.
    pub action: Action,
}

/// A change to the cluster.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Action {
    /// The node's satellite becomes unreachable ([`crate::Model::set_node_online`]).
    NodeOffline {
        /// Node name.
        node: String,
    },
    /// The node's satellite is reachable again.
    NodeOnline {
        /// Node name.
        node: String,
    },
    /// A volume's disk state changes ([`crate::Model::set_disk_state`]).
    DiskState {
        /// Node name.
        node: String,
        /// Resource name.
        resource: String,
        /// Volume number.
        volume: i32,
        /// The new state.
        state: DiskState,
    },
    /// New replicas resync ([`crate::Model::set_resync_rule`]).
    Resync(ResyncRule),
    /// A pool's capacity changes ([`crate::Model::set_pool_capacity`]).
    PoolCapacity {
        /// Node name.
        node: String,
        /// Pool name.
        pool: String,
        /// The capacity.
        capacity: PoolCapacity,
    },
    /// The deferred answers and events of calls that involve the node come this much later
    /// (zero: no delay).
    SlowSatellite {
        /// Node name.
        node: String,
        /// The extra delay.
        delay: Duration,
    },
}

impl Action {
    /// The action's name in scenario files.
    pub fn name(&self) -> &'static str {
        match self {
            Action::NodeOffline { .. } => "node_offline",
            Action::NodeOnline { .. } => "node_online",
            Action::DiskState { .. } => "disk_state",
            Action::Resync(_) => "resync",
            Action::PoolCapacity { .. } => "pool_capacity",
            Action::SlowSatellite { .. } => "slow_satellite",
        }
    }
}

impl Scenario {
    /// Parses a scenario in the JSON format of `docs/scenarios.md` (the steps are sorted by
    /// time, stably).
    ///
    /// # Errors
    ///
    /// [`ScenarioFileError`] naming the step and what is wrong with it (no path).
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioFileError> {
        file::parse(text, None)
    }

    /// Reads and parses a scenario file.
    ///
    /// # Errors
    ///
    /// [`ScenarioFileError`] naming the file, and the step and what is wrong with it.
    pub fn load(path: &std::path::Path) -> Result<Scenario, ScenarioFileError> {
        file::load(path)
    }
}

impl Step {
    /// Parses one step (an object of the `steps` list of `docs/scenarios.md`).
    ///
    /// # Errors
    ///
    /// [`StepError`] (as step 1) saying what is wrong.
    pub fn from_json(text: &str) -> Result<Step, StepError> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| StepError {
            number: 1,
            action: None,
            reason: e.to_string(),
        })?;
        file::parse_step(1, value)
    }
}

/// Why a step could not be run on a running controller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The model refused the change.
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    /// The controller has stopped, or its scenario queue is full.
    #[error("the controller's scenario driver is not running or its queue is full")]
    DriverBusy,
}
