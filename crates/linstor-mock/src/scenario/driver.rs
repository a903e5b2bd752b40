//! The time of scenarios: the per-controller driver task that runs timelines and resync
//! timers, the scenario part of the shared state ([`Runtime`]: slow satellites, the
//! driver's queue, failed steps), and [`execute`], which applies one action under the
//! shared lock (model change, events to the watches, snapshot to the state store).

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use linstor_proto::consts::keys::obj_refs;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::{Action, Scenario};
use crate::model::{ClusterError, Model, Outcome, StreamEvent};
use crate::server::{Inner, Shared, lock};

/// Commands queued for the driver at most.
const QUEUE: usize = 1024;
/// Timers the driver holds at most (steps and resync timers); past it a resync finishes at
/// once and a step is refused.
pub(crate) const MAX_TIMERS: usize = 100_000;
/// Failed steps remembered ([`Runtime::failures`]).
const MAX_FAILURES: usize = 100;

/// What the driver is asked to do.
#[derive(Debug)]
pub(crate) enum Command {
    /// Run a timeline from now.
    Play(Scenario),
    /// Resyncs may have started: schedule their timers.
    Wake,
}

/// The scenario part of the state every connection shares (under the shared lock).
#[derive(Debug, Default)]
pub(crate) struct Runtime {
    /// The driver's queue, once it runs.
    tx: Option<mpsc::Sender<Command>>,
    /// Extra delay of the delayed tail of calls involving a node: node key → (name as
    /// given, delay).
    slow: HashMap<String, (String, Duration)>,
    /// The model's resync counter when the driver was last woken.
    seen_resync: u64,
    /// The latest steps that failed, oldest first.
    failures: VecDeque<String>,
}

impl Runtime {
    /// After a call: wakes the driver when the call started resyncs.
    pub(crate) fn after_call(&mut self, model: &Model) {
        let next = model.cluster.next_resync;
        if next != self.seen_resync {
            self.seen_resync = next;
            self.wake();
        }
    }

    fn wake(&self) {
        if let Some(tx) = &self.tx {
            // A full queue holds a wake or a play already, and every command schedules
            // every running resync.
            let _ = tx.try_send(Command::Wake);
        }
    }

    /// Queues a timeline; `false` when the driver does not run or its queue is full.
    pub(crate) fn play(&self, scenario: Scenario) -> bool {
        self.tx
            .as_ref()
            .is_some_and(|tx| tx.try_send(Command::Play(scenario)).is_ok())
    }

    pub(crate) fn is_running(&self) -> bool {
        self.tx.as_ref().is_some_and(|tx| !tx.is_closed())
    }

    /// The extra delay of a call's delayed part: the largest delay of a slow satellite whose
    /// node has an event in the outcome or is named by a deferred answer entry.
    pub(crate) fn satellite_delay(&self, outcome: &Outcome) -> Duration {
        if self.slow.is_empty() {
            return Duration::ZERO;
        }
        let from_events = outcome.events.iter().map(|e| e.key.node_key.clone());
        let from_entries = outcome
            .deferred
            .iter()
            .flat_map(|a| a.entries())
            .flat_map(|e| &e.obj_refs)
            .filter(|r| r.key == obj_refs::NODE)
            .map(|r| crate::model::names::key(&r.value));
        from_events
            .chain(from_entries)
            .filter_map(|n| self.slow.get(&n).map(|(_, d)| *d))
            .max()
            .unwrap_or_default()
    }

    /// Slow satellites (node name, delay), sorted.
    pub(crate) fn slow_satellites(&self) -> Vec<(String, Duration)> {
        let mut list: Vec<(String, Duration)> = self.slow.values().cloned().collect();
        list.sort();
        list
    }

    /// The latest failed steps (at most 100), oldest first.
    pub(crate) fn failures(&self) -> Vec<String> {
        self.failures.iter().cloned().collect()
    }

    fn fail(&mut self, message: String) {
        tracing::warn!("scenario: {message}");
        if self.failures.len() == MAX_FAILURES {
            self.failures.pop_front();
        }
        self.failures.push_back(message);
    }
}

/// Applies one action under the shared lock: the model changes (the list cache is
/// invalidated), its events reach the watches at once, and with a state store a snapshot of
/// the model is queued (ordered before every later call's commit, as a `model()` guard's).
pub(crate) fn execute(shared: &mut Shared, action: &Action) -> Result<(), ClusterError> {
    let events = match action {
        Action::SlowSatellite { node, delay } => {
            let k = crate::model::names::key(node);
            if delay.is_zero() {
                shared.scenario.slow.remove(&k);
            } else {
                shared.scenario.slow.insert(k, (node.clone(), *delay));
            }
            return Ok(());
        }
        Action::NodeOffline { node } => shared.model.set_node_online(node, false)?,
        Action::NodeOnline { node } => shared.model.set_node_online(node, true)?,
        Action::DiskState {
            node,
            resource,
            volume,
            state,
        } => shared
            .model
            .set_disk_state(node, resource, *volume, *state)?,
        Action::Resync(rule) => {
            shared.model.set_resync_rule(rule.clone())?;
            Vec::new()
        }
        Action::PoolCapacity {
            node,
            pool,
            capacity,
        } => {
            shared.model.set_pool_capacity(node, pool, *capacity)?;
            Vec::new()
        }
    };
    changed(shared, &events);
    Ok(())
}

/// After the model changed outside a call: the list cache, the watches, the store.
fn changed(shared: &mut Shared, events: &[StreamEvent]) {
    shared.touch();
    shared.registry.deliver(events);
    if let Some(store) = &shared.store {
        // Not awaited, as a `model()` guard's snapshot: a later commit includes it.
        let _ticket = store.reset(shared.model.clone());
    }
}

/// Starts the driver of a controller, unless it runs already; it schedules the resyncs the
/// model holds (from a state file) at once.
pub(crate) fn spawn_driver(inner: &Arc<Inner>) {
    let rx = {
        let mut shared = lock(&inner.shared);
        if shared.scenario.is_running() {
            return;
        }
        let (tx, rx) = mpsc::channel(QUEUE);
        let _ = tx.try_send(Command::Wake);
        shared.scenario.seen_resync = shared.model.cluster.next_resync;
        shared.scenario.tx = Some(tx);
        rx
    };
    let inner2 = inner.clone();
    inner
        .tracker
        .spawn(async move { Driver::new(inner2).run(rx).await });
}

/// What a timer does when it is due.
#[derive(Debug)]
enum Timer {
    Step(Box<Action>),
    Progress { id: u64, hundredths: u16 },
    Finish { id: u64 },
}

struct Driver {
    inner: Arc<Inner>,
    timers: BTreeMap<(Instant, u64), Timer>,
    seq: u64,
    /// Resyncs with timers.
    scheduled: HashSet<u64>,
}

impl Driver {
    fn new(inner: Arc<Inner>) -> Driver {
        Driver {
            inner,
            timers: BTreeMap::new(),
            seq: 0,
            scheduled: HashSet::new(),
        }
    }

    async fn run(mut self, mut rx: mpsc::Receiver<Command>) {
        let stop = self.inner.stop.clone();
        loop {
            let next = self.timers.first_key_value().map(|((t, _), _)| *t);
            tokio::select! {
                biased;
                _ = stop.cancelled() => break,
                _ = sleep_until(next), if next.is_some() => self.run_due(),
                command = rx.recv() => match command {
                    None => break,
                    Some(Command::Play(scenario)) => self.play(scenario),
                    Some(Command::Wake) => {}
                },
            }
            self.schedule_resyncs();
        }
    }

    fn add(&mut self, at: Instant, timer: Timer) -> bool {
        if self.timers.len() >= MAX_TIMERS {
            return false;
        }
        self.seq += 1;
        self.timers.insert((at, self.seq), timer);
        true
    }

    fn play(&mut self, scenario: Scenario) {
        let now = Instant::now();
        for step in scenario.steps {
            let name = step.action.name();
            if !self.add(now + step.at, Timer::Step(Box::new(step.action))) {
                lock(&self.inner.shared).scenario.fail(format!(
                    "step {name} at {:?} dropped: {MAX_TIMERS} timers pending",
                    step.at
                ));
            }
        }
    }

    /// Timers for every running resync that has none. A resync starts when the satellite
    /// reports the new replica, after the call's event delay.
    fn schedule_resyncs(&mut self) {
        let start = Instant::now() + self.inner.config.event_delay;
        let new: Vec<crate::model::Resync> = {
            let shared = lock(&self.inner.shared);
            shared
                .model
                .running_resyncs()
                .filter(|r| !self.scheduled.contains(&r.id))
                .cloned()
                .collect()
        };
        for r in new {
            self.scheduled.insert(r.id);
            let total = Duration::from_millis(r.duration_ms);
            let steps = r.progress_steps.max(1);
            let mut ok = true;
            for i in 1..steps {
                let hundredths =
                    u16::try_from(10_000 * u64::from(i) / u64::from(steps)).unwrap_or(9_999);
                ok &= self.add(
                    start + total * i / steps,
                    Timer::Progress {
                        id: r.id,
                        hundredths,
                    },
                );
            }
            if !self.add(start + total, Timer::Finish { id: r.id }) || !ok {
                // No room to wait: the resync ends now rather than never.
                let mut shared = lock(&self.inner.shared);
                let events = shared.model.finish_resync(r.id);
                changed(&mut shared, &events);
                shared.scenario.fail(format!(
                    "resync of volume {} of '{}' on '{}' finished at once: {MAX_TIMERS} timers pending",
                    r.volume, r.resource, r.node
                ));
            }
        }
    }

    fn run_due(&mut self) {
        let now = Instant::now();
        while let Some(entry) = self.timers.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let timer = entry.remove();
            let mut shared = lock(&self.inner.shared);
            match timer {
                Timer::Step(action) => {
                    if let Err(e) = execute(&mut shared, &action) {
                        shared
                            .scenario
                            .fail(format!("step {} failed: {e}", action.name()));
                    }
                }
                Timer::Progress { id, hundredths } => {
                    if shared.model.running_resyncs().any(|r| r.id == id) {
                        let events = shared.model.resync_progress(id, hundredths);
                        changed(&mut shared, &events);
                    }
                }
                Timer::Finish { id } => {
                    self.scheduled.remove(&id);
                    if shared.model.running_resyncs().any(|r| r.id == id) {
                        let events = shared.model.finish_resync(id);
                        changed(&mut shared, &events);
                    }
                }
            }
        }
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
