//! Cluster conditions a scenario sets (`docs/scenarios.md`): satellites that go offline and
//! come back, disk states of volumes, resyncs of new replicas, pool capacity. Pure state and
//! rules, no time: the scenario driver (`src/scenario/`) decides *when*; this file says what
//! each change does to the model and which events follow. What is set here is part of the
//! model (and of its snapshots), so replaying logged calls on top of it stays deterministic.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use linstor_proto::consts::flags;

use super::events::{StreamAction, StreamEvent};
use super::names::key;
use super::state::Model;

/// Resync rules kept at most ([`Model::set_resync_rule`]).
pub const MAX_RESYNC_RULES: usize = 1024;

/// A DRBD disk state (`constants.md` §4), as `VlmDiskState` events and `LstRsc` carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiskState {
    /// No local disk (a diskless resource, or a disk detached after an I/O error).
    Diskless,
    /// Attaching the disk.
    Attaching,
    /// Detaching the disk.
    Detaching,
    /// The disk failed (I/O error).
    Failed,
    /// Negotiating with the peers.
    Negotiating,
    /// Data not consistent (a new replica before its resync).
    Inconsistent,
    /// Consistent but older than a peer's.
    Outdated,
    /// State unknown.
    DUnknown,
    /// Consistent, whether up to date is not known.
    Consistent,
    /// Up to date.
    UpToDate,
    /// Resyncing as target, with the percentage done in hundredths (`SyncTarget(42.17%)`).
    SyncTarget(u16),
}

impl DiskState {
    /// The states without a parameter, with their names.
    const NAMED: [(DiskState, &'static str); 10] = [
        (DiskState::Diskless, "Diskless"),
        (DiskState::Attaching, "Attaching"),
        (DiskState::Detaching, "Detaching"),
        (DiskState::Failed, "Failed"),
        (DiskState::Negotiating, "Negotiating"),
        (DiskState::Inconsistent, "Inconsistent"),
        (DiskState::Outdated, "Outdated"),
        (DiskState::DUnknown, "DUnknown"),
        (DiskState::Consistent, "Consistent"),
        (DiskState::UpToDate, "UpToDate"),
    ];
}

impl fmt::Display for DiskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let DiskState::SyncTarget(p) = self {
            return write!(f, "SyncTarget({}.{:02}%)", p / 100, p % 100);
        }
        let name = DiskState::NAMED
            .iter()
            .find(|(s, _)| s == self)
            .map_or("DUnknown", |(_, n)| n);
        f.write_str(name)
    }
}

/// A disk-state name that is none of `constants.md` §4.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown disk state '{0}' (one of Diskless, Attaching, Detaching, Failed, Negotiating, Inconsistent, Outdated, DUnknown, Consistent, UpToDate, SyncTarget(<0.00-100.00>%))"
)]
pub struct UnknownDiskState(pub String);

impl FromStr for DiskState {
    type Err = UnknownDiskState;

    fn from_str(s: &str) -> Result<DiskState, UnknownDiskState> {
        if let Some((_, state)) = DiskState::NAMED
            .iter()
            .map(|(st, n)| (n, st))
            .find(|(n, _)| **n == s)
        {
            return Ok(*state);
        }
        let bad = || UnknownDiskState(s.to_owned());
        let pct = s
            .strip_prefix("SyncTarget(")
            .and_then(|r| r.strip_suffix("%)"))
            .ok_or_else(bad)?;
        let (whole, frac) = pct.split_once('.').unwrap_or((pct, "0"));
        let whole: u16 = whole.parse().map_err(|_| bad())?;
        let frac: u16 = match frac.len() {
            1 => frac.parse::<u16>().map_err(|_| bad())? * 10,
            2 => frac.parse().map_err(|_| bad())?,
            _ => return Err(bad()),
        };
        let hundredths = whole.checked_mul(100).and_then(|w| w.checked_add(frac));
        match hundredths {
            Some(h) if h <= 10_000 => Ok(DiskState::SyncTarget(h)),
            _ => Err(bad()),
        }
    }
}

impl serde::Serialize for DiskState {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for DiskState {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<DiskState, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// "When a replica of `resource` is created on `node`, it resyncs for `duration_ms`": new
/// diskful replicas that match start `Inconsistent` and become `UpToDate` after the duration,
/// passing through `progress_steps - 1` intermediate `SyncTarget(<p>%)` states. Unset names
/// match every node or resource (case-insensitively).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ResyncRule {
    /// Node name, or every node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// Resource name, or every resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// How long the resync takes, in milliseconds (0 removes the rule).
    pub duration_ms: u64,
    /// Number of steps: `progress_steps - 1` `SyncTarget` events before `UpToDate`
    /// (0 or 1: none).
    #[serde(default)]
    pub progress_steps: u32,
}

impl ResyncRule {
    fn matches(&self, node: &str, resource: &str) -> bool {
        self.node
            .as_deref()
            .is_none_or(|n| n.eq_ignore_ascii_case(node))
            && self
                .resource
                .as_deref()
                .is_none_or(|r| r.eq_ignore_ascii_case(resource))
    }

    fn same_target(&self, other: &ResyncRule) -> bool {
        let eq = |a: &Option<String>, b: &Option<String>| match (a, b) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            (None, None) => true,
            _ => false,
        };
        eq(&self.node, &other.node) && eq(&self.resource, &other.resource)
    }
}

/// A resync running on one volume (see [`ResyncRule`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Resync {
    /// Its number: a timer finishes only the resync it was started for.
    pub id: u64,
    /// Node name, as created.
    pub node: String,
    /// Resource name, as created.
    pub resource: String,
    /// Volume number.
    pub volume: i32,
    /// Total duration in milliseconds.
    pub duration_ms: u64,
    /// Steps of progress (see [`ResyncRule::progress_steps`]).
    pub progress_steps: u32,
}

/// Total and reserved capacity of a storage pool ([`Model::set_pool_capacity`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct PoolCapacity {
    /// Total capacity in KiB; `None` makes it unknown (the pool is unusable for
    /// auto-place and shows no free space).
    pub total_kib: Option<u64>,
    /// KiB used outside LINSTOR's volumes: the free capacity is the total minus this minus
    /// (thick pools) the volumes placed in the pool.
    #[serde(default)]
    pub reserved_kib: u64,
}

/// What the scenario part of the model holds.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct ClusterState {
    #[serde(default)]
    pub resync_rules: Vec<ResyncRule>,
    /// Running resyncs by (resource key, node key, volume); a list of pairs when serialized.
    #[serde(default, with = "resync_pairs")]
    pub resyncs: BTreeMap<(String, String, i32), Resync>,
    #[serde(default)]
    pub next_resync: u64,
}

mod resync_pairs {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serializer};

    use super::Resync;

    type Map = BTreeMap<(String, String, i32), Resync>;

    pub(super) fn serialize<S: Serializer>(map: &Map, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.values())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Map, D::Error> {
        Ok(Vec::<Resync>::deserialize(d)?
            .into_iter()
            .map(|r| ((super::key(&r.resource), super::key(&r.node), r.volume), r))
            .collect())
    }
}

/// What the streams of one resource show: node and resource names as created, each
/// volume's disk state, and `ready`.
pub(crate) type EventState = (String, String, Vec<(i32, String)>, bool);

/// Why a cluster change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClusterError {
    /// No such node.
    #[error("node '{0}' does not exist")]
    NodeNotFound(String),
    /// No such resource.
    #[error("resource '{resource}' does not exist on node '{node}'")]
    ResourceNotFound {
        /// Node name.
        node: String,
        /// Resource name.
        resource: String,
    },
    /// No such volume.
    #[error("resource '{resource}' on node '{node}' has no volume {volume}")]
    VolumeNotFound {
        /// Node name.
        node: String,
        /// Resource name.
        resource: String,
        /// Volume number.
        volume: i32,
    },
    /// A diskless volume can only be `Diskless`.
    #[error("volume {volume} of '{resource}' on '{node}' is diskless: it cannot be {state}")]
    DisklessVolume {
        /// Node name.
        node: String,
        /// Resource name.
        resource: String,
        /// Volume number.
        volume: i32,
        /// The state asked for.
        state: DiskState,
    },
    /// No such storage pool.
    #[error("storage pool '{pool}' does not exist on node '{node}'")]
    PoolNotFound {
        /// Node name.
        node: String,
        /// Pool name.
        pool: String,
    },
    /// Diskless pools always report the largest capacity.
    #[error("storage pool '{pool}' on node '{node}' is diskless: its capacity is fixed")]
    DisklessPool {
        /// Node name.
        node: String,
        /// Pool name.
        pool: String,
    },
    /// [`MAX_RESYNC_RULES`] rules are set already.
    #[error("too many resync rules (at most {MAX_RESYNC_RULES})")]
    TooManyRules,
}

impl Model {
    /// Whether the node's satellite is online (`None`: no such node).
    pub fn is_node_online(&self, node: &str) -> Option<bool> {
        self.node(node).map(|n| !n.offline)
    }

    pub(crate) fn node_key_online(&self, node_key: &str) -> bool {
        self.nodes.get(node_key).is_some_and(|n| !n.offline)
    }

    /// Takes a node's satellite offline or brings it back (`docs/scenarios.md#satellites`).
    ///
    /// Offline: `LstNode` shows `OFFLINE`, every stream of the node's resources closes with
    /// `CloseNoConnection` (volumes first, per resource), and peers whose readiness depended
    /// on the node's disks get a new `ResourceState`. Online: deletions that waited for the
    /// satellite complete, the node's streams reopen with their current values, and the
    /// peers' states follow. Setting the state a node already has changes nothing.
    ///
    /// # Errors
    ///
    /// [`ClusterError::NodeNotFound`].
    pub fn set_node_online(
        &mut self,
        node: &str,
        online: bool,
    ) -> Result<Vec<StreamEvent>, ClusterError> {
        let node_key = key(node);
        let entry = self
            .nodes
            .get_mut(&node_key)
            .ok_or_else(|| ClusterError::NodeNotFound(node.to_owned()))?;
        let mut out = Vec::new();
        if entry.offline != online {
            return Ok(out);
        }
        entry.offline = !online;
        let rsc_keys: Vec<String> = self
            .rscs
            .keys()
            .filter(|(_, n)| *n == node_key)
            .map(|(r, _)| r.clone())
            .collect();
        if online {
            self.finish_pending_deletions(&node_key);
        }
        for rsc_key in &rsc_keys {
            if online {
                self.emit_resource_state(&mut out, rsc_key, &node_key);
            } else if let Some(rsc) = self.rscs.get(&(rsc_key.clone(), node_key.clone())) {
                let (n, r) = (rsc.node_name.clone(), rsc.rsc_name.clone());
                self.close_resource_streams(&mut out, &n, &r, StreamAction::CloseNoConnection);
            }
        }
        for rsc_key in &rsc_keys {
            self.emit_definition_state(&mut out, rsc_key);
        }
        Ok(out)
    }

    /// Removes the resources of a node that were deleted while its satellite was offline.
    fn finish_pending_deletions(&mut self, node_key: &str) {
        let pending: Vec<(String, String)> = self
            .rscs
            .iter()
            .filter(|((_, n), r)| n == node_key && r.flags.iter().any(|f| f == flags::DELETE))
            .map(|(k, _)| k.clone())
            .collect();
        for k in pending {
            self.rscs.remove(&k);
            self.remove_rsc_conns_where(|(r, a, b)| *r == k.0 && (*a == k.1 || *b == k.1));
            self.cluster
                .resyncs
                .retain(|(r, n, _), _| *r != k.0 || *n != k.1);
        }
    }

    /// Sets the disk state of one volume (`docs/scenarios.md#disk-states`): its
    /// `VlmDiskState` gets the new value, then its `ResourceState` (`up_to_date`, `ready`)
    /// and the peers' `ResourceState` where their readiness changes. A running resync of
    /// the volume stops. Setting the default state (`UpToDate` for a diskful volume)
    /// returns the volume to it. On an offline node the state is kept and its events come
    /// when the node is online again.
    ///
    /// # Errors
    ///
    /// [`ClusterError::NodeNotFound`], [`ClusterError::ResourceNotFound`],
    /// [`ClusterError::VolumeNotFound`], [`ClusterError::DisklessVolume`].
    pub fn set_disk_state(
        &mut self,
        node: &str,
        resource: &str,
        volume: i32,
        state: DiskState,
    ) -> Result<Vec<StreamEvent>, ClusterError> {
        let (rsc_key, node_key) = (key(resource), key(node));
        self.set_volume_disk(&rsc_key, &node_key, volume, state, node, resource)?;
        self.cluster
            .resyncs
            .remove(&(rsc_key.clone(), node_key, volume));
        let mut out = Vec::new();
        self.emit_definition_state(&mut out, &rsc_key);
        Ok(out)
    }

    fn set_volume_disk(
        &mut self,
        rsc_key: &str,
        node_key: &str,
        volume: i32,
        state: DiskState,
        node: &str,
        resource: &str,
    ) -> Result<(), ClusterError> {
        if !self.nodes.contains_key(node_key) {
            return Err(ClusterError::NodeNotFound(node.to_owned()));
        }
        let rsc = self
            .rscs
            .get_mut(&(rsc_key.to_owned(), node_key.to_owned()))
            .ok_or_else(|| ClusterError::ResourceNotFound {
                node: node.to_owned(),
                resource: resource.to_owned(),
            })?;
        let (n, r) = (rsc.node_name.clone(), rsc.rsc_name.clone());
        let vlm = rsc
            .vlms
            .get_mut(&volume)
            .ok_or_else(|| ClusterError::VolumeNotFound {
                node: n.clone(),
                resource: r.clone(),
                volume,
            })?;
        if vlm.diskless && state != DiskState::Diskless {
            return Err(ClusterError::DisklessVolume {
                node: n,
                resource: r,
                volume,
                state,
            });
        }
        let default = if vlm.diskless {
            DiskState::Diskless
        } else {
            DiskState::UpToDate
        };
        vlm.disk = (state != default).then(|| state.to_string());
        Ok(())
    }

    /// Sets a storage pool's total and reserved capacity (`docs/scenarios.md#capacity`).
    /// `LstStorPool`, the `CrtRsc` size check, `AutoPlaceRsc` and `QryMaxVlmSize` use the
    /// new numbers from the next call on.
    ///
    /// # Errors
    ///
    /// [`ClusterError::PoolNotFound`], [`ClusterError::DisklessPool`].
    pub fn set_pool_capacity(
        &mut self,
        node: &str,
        pool: &str,
        capacity: PoolCapacity,
    ) -> Result<(), ClusterError> {
        let found = self.pools.get_mut(&(key(node), key(pool))).ok_or_else(|| {
            ClusterError::PoolNotFound {
                node: node.to_owned(),
                pool: pool.to_owned(),
            }
        })?;
        if found.is_diskless() {
            return Err(ClusterError::DisklessPool {
                node: found.node_name.clone(),
                pool: found.name.clone(),
            });
        }
        found.total_kib = capacity.total_kib;
        found.reserved_kib = capacity.reserved_kib;
        Ok(())
    }

    /// Adds a resync rule, replacing the one for the same node and resource; a duration of 0
    /// removes it. Applies to replicas created from now on.
    ///
    /// # Errors
    ///
    /// [`ClusterError::TooManyRules`].
    pub fn set_resync_rule(&mut self, rule: ResyncRule) -> Result<(), ClusterError> {
        let rules = &mut self.cluster.resync_rules;
        rules.retain(|r| !r.same_target(&rule));
        if rule.duration_ms == 0 {
            return Ok(());
        }
        if rules.len() >= MAX_RESYNC_RULES {
            return Err(ClusterError::TooManyRules);
        }
        rules.push(rule);
        Ok(())
    }

    /// The resync rules, in the order they were set.
    pub fn resync_rules(&self) -> &[ResyncRule] {
        &self.cluster.resync_rules
    }

    /// The resyncs running now.
    pub fn running_resyncs(&self) -> impl Iterator<Item = &Resync> {
        self.cluster.resyncs.values()
    }

    /// Moves a running resync on: `SyncTarget(<percent>%)` (`hundredths` of a percent).
    /// Nothing happens unless resync `id` still runs.
    pub fn resync_progress(&mut self, id: u64, hundredths: u16) -> Vec<StreamEvent> {
        let Some((k, _)) = self.resync_by_id(id) else {
            return Vec::new();
        };
        let state = DiskState::SyncTarget(hundredths.min(9_999));
        if let Some(v) = self
            .rscs
            .get_mut(&(k.0.clone(), k.1.clone()))
            .and_then(|r| r.vlms.get_mut(&k.2))
        {
            v.disk = Some(state.to_string());
        }
        let mut out = Vec::new();
        self.emit_definition_state(&mut out, &k.0);
        out
    }

    /// Ends a running resync: the volume becomes `UpToDate`. Nothing happens unless resync
    /// `id` still runs (the volume was deleted, its state set, or the model replaced since).
    pub fn finish_resync(&mut self, id: u64) -> Vec<StreamEvent> {
        let Some((k, _)) = self.resync_by_id(id) else {
            return Vec::new();
        };
        self.cluster.resyncs.remove(&k);
        if let Some(v) = self
            .rscs
            .get_mut(&(k.0.clone(), k.1.clone()))
            .and_then(|r| r.vlms.get_mut(&k.2))
        {
            v.disk = None;
        }
        let mut out = Vec::new();
        self.emit_definition_state(&mut out, &k.0);
        out
    }

    fn resync_by_id(&self, id: u64) -> Option<((String, String, i32), Resync)> {
        self.cluster
            .resyncs
            .iter()
            .find(|(_, r)| r.id == id)
            .map(|(k, r)| (k.clone(), r.clone()))
    }

    /// Starts the resyncs of newly created resources (`node_keys` of definition `rsc_key`,
    /// in creation order) that a rule matches: a diskful volume with a sync source (an
    /// `UpToDate` replica on another node, existing or created earlier in the same call)
    /// starts `Inconsistent`. Without a source the replica is the first: it is `UpToDate`
    /// at once, as DRBD skips the initial sync of a new resource.
    pub(crate) fn start_resyncs(&mut self, rsc_key: &str, node_keys: &[String]) {
        if self.cluster.resync_rules.is_empty() {
            return;
        }
        for (i, node_key) in node_keys.iter().enumerate() {
            let Some(rsc) = self.rscs.get(&(rsc_key.to_owned(), node_key.clone())) else {
                continue;
            };
            if rsc.is_diskless() {
                continue;
            }
            let Some(rule) = self
                .cluster
                .resync_rules
                .iter()
                .rev()
                .find(|r| r.matches(&rsc.node_name, &rsc.rsc_name))
                .cloned()
            else {
                continue;
            };
            let later = &node_keys[i + 1..];
            let (node, name) = (rsc.node_name.clone(), rsc.rsc_name.clone());
            let nrs: Vec<i32> = rsc
                .vlms
                .values()
                .filter(|v| !v.diskless)
                .map(|v| v.nr)
                .collect();
            for nr in nrs {
                let has_source = self.rscs_of(rsc_key).any(|((_, n), peer)| {
                    n != node_key
                        && !later.contains(n)
                        && self.node_key_online(n)
                        && peer
                            .vlms
                            .get(&nr)
                            .is_some_and(|v| v.disk_state() == "UpToDate")
                });
                if !has_source {
                    continue;
                }
                if let Some(v) = self
                    .rscs
                    .get_mut(&(rsc_key.to_owned(), node_key.clone()))
                    .and_then(|r| r.vlms.get_mut(&nr))
                {
                    v.disk = Some(DiskState::Inconsistent.to_string());
                }
                let id = self.cluster.next_resync;
                self.cluster.next_resync += 1;
                self.cluster.resyncs.insert(
                    (rsc_key.to_owned(), node_key.clone(), nr),
                    Resync {
                        id,
                        node: node.clone(),
                        resource: name.clone(),
                        volume: nr,
                        duration_ms: rule.duration_ms,
                        progress_steps: rule.progress_steps,
                    },
                );
            }
        }
    }

    /// What the event streams of a resource show (`docs/scenarios.md#disk-states`): node and
    /// resource names, each volume's disk state, and `ready`. `None` for a missing resource
    /// or an offline node (its streams are closed).
    ///
    /// A volume can reach up-to-date data when it is `UpToDate`, when an online peer's
    /// replica is, or when it is diskless and no peer has a disk at all (a resource
    /// diskless everywhere, which the mock has always called ready).
    pub(crate) fn resource_event_state(&self, rsc_key: &str, node_key: &str) -> Option<EventState> {
        let all: Vec<(&String, &super::state::Rsc)> =
            self.rscs_of(rsc_key).map(|((_, n), r)| (n, r)).collect();
        self.event_state_among(&all, node_key)
    }

    /// [`Model::resource_event_state`] of the resource on `node_key` among `all` the
    /// resources of its definition (node key, resource), found once for all of them.
    pub(crate) fn event_state_among(
        &self,
        all: &[(&String, &super::state::Rsc)],
        node_key: &str,
    ) -> Option<EventState> {
        if !self.node_key_online(node_key) {
            return None;
        }
        let (_, rsc) = all.iter().find(|(n, _)| n.as_str() == node_key)?;
        let peers = || all.iter().filter(|(n, _)| n.as_str() != node_key);
        let ready = rsc.vlms.values().all(|v| {
            let state = v.disk_state();
            state == "UpToDate"
                || peers().any(|(n, p)| {
                    self.node_key_online(n)
                        && p.vlms
                            .get(&v.nr)
                            .is_some_and(|pv| pv.disk_state() == "UpToDate")
                })
                || (v.diskless && v.disk.is_none() && peers().all(|(_, p)| p.is_diskless()))
        });
        let volumes = rsc
            .vlms
            .values()
            .map(|v| (v.nr, v.disk_state().to_owned()))
            .collect();
        Some((rsc.node_name.clone(), rsc.rsc_name.clone(), volumes, ready))
    }
}

#[cfg(test)]
mod tests;
