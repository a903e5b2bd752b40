//! The scenario calls of a running controller ([`MockController`]): one step now, or a
//! whole timeline from now.

use std::time::Duration;

use super::{Action, Scenario, ScenarioError, driver};
use crate::model::{DiskState, PoolCapacity, ResyncRule};
use crate::server::{MockController, lock};

impl MockController {
    /// Runs one scenario action now (`docs/scenarios.md#file-format`): the model changes, the
    /// events reach the watches before this returns, and with a state store a snapshot is
    /// queued. Starts the scenario driver if it does not run yet (resyncs need it).
    ///
    /// # Errors
    ///
    /// [`ScenarioError::Cluster`] when the model refuses the change (no such node, ...).
    pub fn run_action(&self, action: &Action) -> Result<(), ScenarioError> {
        if matches!(action, Action::Resync(_)) {
            driver::spawn_driver(self.inner());
        }
        let mut shared = lock(&self.inner().shared);
        driver::execute(&mut shared, action)?;
        Ok(())
    }

    /// Plays a timeline: every step runs at its time from now, on the controller's scenario
    /// driver. A step that fails when its time comes is logged and listed by
    /// [`MockController::scenario_failures`]; the others still run.
    ///
    /// # Errors
    ///
    /// [`ScenarioError::DriverBusy`] when the controller has stopped or 1,024 timelines are
    /// waiting to be scheduled.
    pub fn play(&self, scenario: Scenario) -> Result<(), ScenarioError> {
        driver::spawn_driver(self.inner());
        if lock(&self.inner().shared).scenario.play(scenario) {
            Ok(())
        } else {
            Err(ScenarioError::DriverBusy)
        }
    }

    /// The latest scenario steps that failed when their time came (at most 100), oldest
    /// first, each naming the step and the cause.
    pub fn scenario_failures(&self) -> Vec<String> {
        lock(&self.inner().shared).scenario.failures()
    }

    /// Takes a node's satellite offline ([`Action::NodeOffline`]).
    ///
    /// # Errors
    ///
    /// As [`MockController::run_action`].
    pub fn node_offline(&self, node: &str) -> Result<(), ScenarioError> {
        self.run_action(&Action::NodeOffline {
            node: node.to_owned(),
        })
    }

    /// Brings a node's satellite back ([`Action::NodeOnline`]).
    ///
    /// # Errors
    ///
    /// As [`MockController::run_action`].
    pub fn node_online(&self, node: &str) -> Result<(), ScenarioError> {
        self.run_action(&Action::NodeOnline {
            node: node.to_owned(),
        })
    }

    /// Sets a volume's disk state ([`Action::DiskState`]).
    ///
    /// # Errors
    ///
    /// As [`MockController::run_action`].
    pub fn set_disk_state(
        &self,
        node: &str,
        resource: &str,
        volume: i32,
        state: DiskState,
    ) -> Result<(), ScenarioError> {
        self.run_action(&Action::DiskState {
            node: node.to_owned(),
            resource: resource.to_owned(),
            volume,
            state,
        })
    }

    /// Sets a resync rule for new replicas ([`Action::Resync`]).
    ///
    /// # Errors
    ///
    /// As [`MockController::run_action`].
    pub fn set_resync(&self, rule: ResyncRule) -> Result<(), ScenarioError> {
        self.run_action(&Action::Resync(rule))
    }

    /// Sets a pool's capacity ([`Action::PoolCapacity`]).
    ///
    /// # Errors
    ///
    /// As [`MockController::run_action`].
    pub fn set_pool_capacity(
        &self,
        node: &str,
        pool: &str,
        capacity: PoolCapacity,
    ) -> Result<(), ScenarioError> {
        self.run_action(&Action::PoolCapacity {
            node: node.to_owned(),
            pool: pool.to_owned(),
            capacity,
        })
    }

    /// Makes a node's satellite slow ([`Action::SlowSatellite`]; zero: not slow).
    pub fn set_satellite_delay(&self, node: &str, delay: Duration) {
        let action = Action::SlowSatellite {
            node: node.to_owned(),
            delay,
        };
        // Cannot fail: it changes no model object.
        let _ = self.run_action(&action);
    }
}
