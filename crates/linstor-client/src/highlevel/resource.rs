//! [`Resource`] and [`Volume`]: the Python `linstor.Resource` — a resource definition, its
//! volumes and its placement on nodes, managed through one [`Client`]. Where the 2019
//! Python class has bugs (docs/calls.md#high-level-api), this follows the documented intent.

use std::collections::BTreeMap;
use std::time::Duration;

use linstor_proto::consts::{flags, keys};
use linstor_proto::messages::{
    MsgDelRsc, MsgDelRscDfn, MsgDelSnapshot, MsgLstRsc, MsgRestoreSnapshotVlmDfn,
    MsgRollbackSnapshot, MsgToggleDisk,
};

use super::size::kib_round_up;
use crate::answers::Answers;
use crate::requests::*;
use crate::{Client, ClientError, EventAction, ReplicaProblem};

/// `Node.connection_status` of a node whose satellite is not connected (`OFFLINE`).
const CONN_STATUS_OFFLINE: i32 = 0;

/// Where new assignments go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// Diskful replicas made by [`Resource::autoplace`] (default 2).
    pub redundancy: u32,
    /// Storage pool for diskful assignments.
    pub storage_pool: Option<String>,
    /// Storage pool for diskless assignments.
    pub diskless_storage_pool: Option<String>,
    /// Auto-place also adds diskless assignments on every other satellite.
    pub diskless_on_remaining: bool,
}

impl Default for Placement {
    fn default() -> Self {
        Placement {
            redundancy: 2,
            storage_pool: None,
            diskless_storage_pool: None,
            diskless_on_remaining: false,
        }
    }
}

/// A volume of a resource.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Volume {
    size_bytes: u64,
    /// Minor number to request (only before deployment).
    pub minor: Option<i32>,
    deployed: bool,
    backing_disk: Option<String>,
    device_path: Option<String>,
    storage_pool_name: Option<String>,
}

impl Volume {
    /// A volume of `size_bytes` (see [`parse_size`](super::parse_size) for `"20 MiB"`).
    pub fn new(size_bytes: u64) -> Volume {
        Volume {
            size_bytes,
            ..Volume::default()
        }
    }

    /// Size in bytes.
    pub fn size(&self) -> u64 {
        self.size_bytes
    }

    /// Backing device of the first assignment that has one, e.g. `/dev/drbdpool/rsc_00000`.
    pub fn backing_disk(&self) -> Option<&str> {
        self.backing_disk.as_deref()
    }

    /// DRBD device path, e.g. `/dev/drbd1000`.
    pub fn device_path(&self) -> Option<&str> {
        self.device_path.as_deref()
    }

    /// Storage pool of the first assignment.
    pub fn storage_pool_name(&self) -> Option<&str> {
        self.storage_pool_name.as_deref()
    }

    /// Whether the volume definition exists on the controller.
    pub fn is_deployed(&self) -> bool {
        self.deployed
    }
}

/// A resource: definition, volumes, assignments.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mock = linstor_mock::MockController::start(linstor_mock::Config { demo: true, ..Default::default() }).await?;
/// # let client = linstor_client::Client::connect(&format!("linstor://{}", mock.addr())).await?;
/// use linstor_client::highlevel::{parse_size, Resource, Volume};
///
/// let mut foo = Resource::open(&client, "foo").await?;
/// foo.set_volume(0, Volume::new(parse_size("20 MiB")?));
/// foo.placement.redundancy = 3;
/// foo.autoplace().await?;
/// assert_eq!(foo.diskful_nodes().len(), 3);
/// foo.wait_ready(std::time::Duration::from_secs(10)).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Resource {
    client: Client,
    name: String,
    /// DRBD port to request when the definition is created.
    pub port: Option<i32>,
    /// Where new assignments go.
    pub placement: Placement,
    volumes: BTreeMap<i32, Volume>,
    defined: bool,
    /// Node name to diskless flag, from the last listing.
    assignments: BTreeMap<String, bool>,
    allow_two_primaries: bool,
}

fn first_must_succeed(answers: Answers) -> Result<Answers, ClientError> {
    if let Some(e) = answers.first_error() {
        return Err(ClientError::ApiCall(Box::new(e.clone())));
    }
    Ok(answers)
}

impl Resource {
    /// Loads the resource `name` (which need not exist yet).
    ///
    /// # Errors
    ///
    /// The errors of the list calls.
    pub async fn open(client: &Client, name: &str) -> Result<Resource, ClientError> {
        let mut r = Resource {
            client: client.clone(),
            name: name.to_owned(),
            port: None,
            placement: Placement::default(),
            volumes: BTreeMap::new(),
            defined: false,
            assignments: BTreeMap::new(),
            allow_two_primaries: false,
        };
        r.refresh().await?;
        Ok(r)
    }

    /// The resource name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the resource definition exists.
    pub fn is_defined(&self) -> bool {
        self.defined
    }

    /// The volumes by number.
    pub fn volumes(&self) -> &BTreeMap<i32, Volume> {
        &self.volumes
    }

    /// Volume `nr`.
    pub fn volume(&self, nr: i32) -> Option<&Volume> {
        self.volumes.get(&nr)
    }

    /// Adds or replaces a volume that is not deployed yet (created by the next placement).
    pub fn set_volume(&mut self, nr: i32, volume: Volume) {
        self.volumes.insert(nr, volume);
    }

    /// Re-reads definition, volumes and assignments from the controller.
    ///
    /// # Errors
    ///
    /// The errors of the list calls.
    pub async fn refresh(&mut self) -> Result<(), ClientError> {
        let dfns = self.client.resource_dfn_list().await?;
        let dfn = dfns
            .rsc_dfns
            .into_iter()
            .find(|d| d.rsc_name.eq_ignore_ascii_case(&self.name));
        self.defined = dfn.is_some();
        if let Some(d) = dfn {
            self.port = d.rsc_dfn_port;
            self.allow_two_primaries = d
                .rsc_dfn_props
                .iter()
                .any(|e| e.key == keys::ALLOW_TWO_PRIMARIES && e.value == "yes");
            for v in d.vlm_dfns {
                let nr = v.vlm_nr.unwrap_or(0);
                let vol = self.volumes.entry(nr).or_default();
                vol.size_bytes = u64::try_from(v.vlm_size).unwrap_or(0) * 1024;
                vol.minor = v.vlm_minor;
                vol.deployed = true;
            }
        }
        let list: MsgLstRsc = self
            .client
            .resource_list(&ListFilter {
                resources: vec![self.name.clone()],
                ..Default::default()
            })
            .await?;
        self.assignments.clear();
        for r in &list.resources {
            self.assignments.insert(
                r.node_name.clone(),
                r.rsc_flags.iter().any(|f| f == flags::DISKLESS),
            );
            for v in &r.vlms {
                if let Some(vol) = self.volumes.get_mut(&v.vlm_nr) {
                    vol.device_path = v.device_path.clone().or(vol.device_path.take());
                    if vol.backing_disk.is_none() {
                        vol.backing_disk = v.backing_disk.clone();
                    }
                    if vol.storage_pool_name.is_none() {
                        vol.storage_pool_name = v.stor_pool_name.clone();
                    }
                }
            }
        }
        Ok(())
    }

    async fn define(&mut self) -> Result<(), ClientError> {
        if self.defined {
            return Ok(());
        }
        first_must_succeed(
            self.client
                .resource_dfn_create(&ResourceDfnCreate {
                    name: self.name.clone(),
                    port: self.port,
                })
                .await?,
        )?;
        self.defined = true;
        if self.allow_two_primaries {
            self.set_allow_two_primaries(true).await?;
        }
        Ok(())
    }

    async fn create_volumes(&mut self) -> Result<(), ClientError> {
        let pending: Vec<(i32, Volume)> = self
            .volumes
            .iter()
            .filter(|(_, v)| !v.deployed)
            .map(|(n, v)| (*n, v.clone()))
            .collect();
        for (nr, v) in pending {
            let req = VolumeDfnCreate {
                rsc_name: self.name.clone(),
                size: kib_round_up(v.size_bytes),
                volume_nr: Some(nr),
                minor_nr: v.minor,
                ..Default::default()
            };
            first_must_succeed(self.client.volume_dfn_create(&req).await?)?;
            if let Some(vol) = self.volumes.get_mut(&nr) {
                vol.deployed = true;
            }
        }
        Ok(())
    }

    /// Places `placement.redundancy` diskful replicas (auto-place before the volume
    /// definitions are created, as the Python class does; they then reach every placed node).
    ///
    /// # Errors
    ///
    /// [`ClientError::ApiCall`] when the controller refuses, and the calls' errors.
    pub async fn autoplace(&mut self) -> Result<(), ClientError> {
        self.define().await?;
        let req = ResourceAutoPlace {
            rsc_name: self.name.clone(),
            filter: PlacementFilter {
                place_count: self.placement.redundancy,
                storage_pool: self.placement.storage_pool.clone(),
                ..Default::default()
            },
            diskless_on_remaining: self.placement.diskless_on_remaining,
        };
        let answers = self.client.resource_auto_place(&req).await?;
        match answers.first() {
            Some(crate::Answer::Reply(r))
                if r.is_success()
                    || r.ret_code()
                        .is_code(linstor_proto::ReturnCode::WARN_RSC_ALREADY_DEPLOYED) => {}
            _ => {
                first_must_succeed(answers)?;
            }
        }
        self.create_volumes().await?;
        self.refresh().await
    }

    /// Grows volume `nr` to `size_bytes` (rounded up to KiB); shrinking a deployed volume is
    /// refused locally.
    ///
    /// # Errors
    ///
    /// [`ClientError::InvalidArgument`] for a shrink or an unknown volume, and the call's errors.
    pub async fn resize(&mut self, nr: i32, size_bytes: u64) -> Result<(), ClientError> {
        let vol = self
            .volumes
            .get(&nr)
            .ok_or_else(|| ClientError::InvalidArgument(format!("no volume {nr}")))?;
        if !vol.deployed {
            self.volumes.insert(
                nr,
                Volume {
                    size_bytes,
                    ..vol.clone()
                },
            );
            return Ok(());
        }
        if size_bytes < vol.size_bytes {
            return Err(ClientError::InvalidArgument(format!(
                "volume {nr} can only grow ({} < {} bytes)",
                size_bytes, vol.size_bytes
            )));
        }
        let req = VolumeDfnModify {
            rsc_name: self.name.clone(),
            volume_nr: nr,
            size: Some(kib_round_up(size_bytes)),
            ..Default::default()
        };
        first_must_succeed(self.client.volume_dfn_modify(&req).await?)?;
        self.refresh().await
    }

    /// Grows volume `nr` by `delta_bytes` (the Python `size += ...`).
    ///
    /// # Errors
    ///
    /// As [`Resource::resize`].
    pub async fn grow(&mut self, nr: i32, delta_bytes: u64) -> Result<(), ClientError> {
        let current = self
            .volumes
            .get(&nr)
            .map(Volume::size)
            .ok_or_else(|| ClientError::InvalidArgument(format!("no volume {nr}")))?;
        self.resize(nr, current.saturating_add(delta_bytes)).await
    }

    async fn assign(&mut self, node: &str, diskless: bool) -> Result<(), ClientError> {
        self.define().await?;
        match self
            .assignments
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(node))
            .map(|(_, d)| *d)
        {
            None => {
                let pool = if diskless {
                    self.placement.diskless_storage_pool.clone()
                } else {
                    self.diskful_pool()
                };
                let data = ResourceData {
                    node_name: node.to_owned(),
                    rsc_name: self.name.clone(),
                    diskless,
                    storage_pool: pool,
                    node_id: None,
                };
                self.create_volumes_if_no_assignment().await?;
                first_must_succeed(
                    self.client
                        .resource_create(&ResourceCreate { rscs: vec![data] })
                        .await?,
                )?;
            }
            Some(current) if current != diskless => {
                let pool = if diskless { None } else { self.diskful_pool() };
                let req = MsgToggleDisk {
                    node_name: node.to_owned(),
                    rsc_name: self.name.clone(),
                    stor_pool_name: pool,
                    diskless: Some(diskless),
                    migrate_from: None,
                    ..Default::default()
                };
                first_must_succeed(self.client.resource_toggle_disk(req).await?)?;
            }
            Some(_) => {}
        }
        self.create_volumes().await?;
        self.refresh().await
    }

    /// The pool for new disks: the placement's, else the one the existing disks use.
    fn diskful_pool(&self) -> Option<String> {
        self.placement.storage_pool.clone().or_else(|| {
            self.volumes
                .get(&0)
                .and_then(|v| v.storage_pool_name.clone())
        })
    }

    async fn create_volumes_if_no_assignment(&mut self) -> Result<(), ClientError> {
        if self.assignments.is_empty() {
            self.create_volumes().await
        } else {
            Ok(())
        }
    }

    /// Makes the assignment on `node` diskful (creating or toggling it).
    ///
    /// # Errors
    ///
    /// [`ClientError::ApiCall`] when the controller refuses, and the calls' errors.
    pub async fn diskful(&mut self, node: &str) -> Result<(), ClientError> {
        self.assign(node, false).await
    }

    /// Makes the assignment on `node` diskless (creating or toggling it).
    ///
    /// # Errors
    ///
    /// As [`Resource::diskful`].
    pub async fn diskless(&mut self, node: &str) -> Result<(), ClientError> {
        self.assign(node, true).await
    }

    /// Makes the resource available on `node`: a diskless assignment unless one exists.
    ///
    /// # Errors
    ///
    /// As [`Resource::diskful`].
    pub async fn activate(&mut self, node: &str) -> Result<(), ClientError> {
        if self.is_assigned(node) {
            return Ok(());
        }
        self.assign(node, true).await
    }

    /// Removes a diskless assignment from `node`; diskful assignments stay.
    ///
    /// # Errors
    ///
    /// As [`Resource::delete_on`].
    pub async fn deactivate(&mut self, node: &str) -> Result<(), ClientError> {
        if self.is_diskless(node) {
            self.delete_on(node).await
        } else {
            Ok(())
        }
    }

    /// Deletes the assignment on `node`.
    ///
    /// # Errors
    ///
    /// [`ClientError::ApiCall`] when the controller refuses, and the calls' errors.
    pub async fn delete_on(&mut self, node: &str) -> Result<(), ClientError> {
        first_must_succeed(
            self.client
                .resource_delete(MsgDelRsc {
                    node_name: node.to_owned(),
                    rsc_name: self.name.clone(),
                    ..Default::default()
                })
                .await?,
        )?;
        self.refresh().await
    }

    /// Deletes the whole resource, its snapshots first.
    ///
    /// # Errors
    ///
    /// As [`Resource::delete_on`].
    pub async fn delete(&mut self) -> Result<(), ClientError> {
        let snaps = self.client.snapshot_dfn_list().await?;
        for s in snaps
            .snapshot_dfns
            .iter()
            .filter(|s| s.rsc_name.eq_ignore_ascii_case(&self.name))
        {
            self.snapshot_delete(&s.snapshot_name).await?;
        }
        first_must_succeed(
            self.client
                .resource_dfn_delete(MsgDelRscDfn {
                    rsc_name: self.name.clone(),
                    ..Default::default()
                })
                .await?,
        )?;
        self.volumes.clear();
        self.refresh().await
    }

    /// Sets `DrbdOptions/Net/allow-two-primaries` (remembered until the definition exists).
    ///
    /// # Errors
    ///
    /// As [`Resource::delete_on`].
    pub async fn set_allow_two_primaries(&mut self, allow: bool) -> Result<(), ClientError> {
        self.allow_two_primaries = allow;
        if !self.defined {
            return Ok(());
        }
        let req = ResourceDfnModify {
            name: self.name.clone(),
            property_dict: vec![(
                keys::ALLOW_TWO_PRIMARIES.to_owned(),
                if allow { "yes" } else { "no" }.to_owned(),
            )],
            delete_props: vec![],
        };
        first_must_succeed(self.client.resource_dfn_modify(&req).await?).map(|_| ())
    }

    /// Whether dual primaries are allowed.
    pub fn allow_two_primaries(&self) -> bool {
        self.allow_two_primaries
    }

    /// Nodes with a diskless assignment.
    pub fn diskless_nodes(&self) -> Vec<String> {
        self.assignments
            .iter()
            .filter(|(_, d)| **d)
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// Nodes with a diskful assignment.
    pub fn diskful_nodes(&self) -> Vec<String> {
        self.assignments
            .iter()
            .filter(|(_, d)| !**d)
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// Whether `node` has an assignment.
    pub fn is_assigned(&self, node: &str) -> bool {
        self.assignments
            .keys()
            .any(|n| n.eq_ignore_ascii_case(node))
    }

    /// Whether `node` has a diskful assignment.
    pub fn is_diskful(&self, node: &str) -> bool {
        self.assignments
            .iter()
            .any(|(n, d)| n.eq_ignore_ascii_case(node) && !*d)
    }

    /// Whether `node` has a diskless assignment.
    pub fn is_diskless(&self, node: &str) -> bool {
        self.assignments
            .iter()
            .any(|(n, d)| n.eq_ignore_ascii_case(node) && *d)
    }

    /// Whether volume 0's storage pool is thin.
    ///
    /// # Errors
    ///
    /// The errors of `LstStorPool`.
    pub async fn is_thin(&self) -> Result<bool, ClientError> {
        let Some(pool) = self
            .volumes
            .get(&0)
            .and_then(|v| v.storage_pool_name.clone())
        else {
            return Ok(false);
        };
        let pools = self
            .client
            .storage_pool_list(&ListFilter {
                stor_pools: vec![pool],
                ..Default::default()
            })
            .await?;
        Ok(pools.stor_pools.first().is_some_and(|p| {
            p.static_traits
                .iter()
                .any(|t| t.key == keys::PROVISIONING && t.value == "Thin")
        }))
    }

    /// Takes a snapshot on every diskful node.
    ///
    /// # Errors
    ///
    /// As [`Resource::delete_on`].
    pub async fn snapshot_create(&self, snapshot: &str) -> Result<(), ClientError> {
        let req = SnapshotCreate {
            node_names: vec![],
            rsc_name: self.name.clone(),
            snapshot_name: snapshot.to_owned(),
        };
        first_must_succeed(self.client.snapshot_create(&req).await?).map(|_| ())
    }

    /// Deletes a snapshot.
    ///
    /// # Errors
    ///
    /// As [`Resource::delete_on`].
    pub async fn snapshot_delete(&self, snapshot: &str) -> Result<(), ClientError> {
        let req = MsgDelSnapshot {
            rsc_name: self.name.clone(),
            snapshot_name: snapshot.to_owned(),
            ..Default::default()
        };
        first_must_succeed(self.client.snapshot_delete(req).await?).map(|_| ())
    }

    /// Rolls back to a snapshot (the newest only).
    ///
    /// # Errors
    ///
    /// As [`Resource::delete_on`].
    pub async fn snapshot_rollback(&self, snapshot: &str) -> Result<(), ClientError> {
        let req = MsgRollbackSnapshot {
            rsc_name: self.name.clone(),
            snapshot_name: snapshot.to_owned(),
            ..Default::default()
        };
        first_must_succeed(self.client.snapshot_rollback(req).await?).map(|_| ())
    }

    /// Restores a snapshot into a new resource `to` (definition, volume definitions and
    /// resources on every node of the snapshot) and returns it.
    ///
    /// # Errors
    ///
    /// As [`Resource::delete_on`].
    pub async fn restore_from_snapshot(
        &self,
        snapshot: &str,
        to: &str,
    ) -> Result<Resource, ClientError> {
        first_must_succeed(
            self.client
                .resource_dfn_create(&ResourceDfnCreate {
                    name: to.to_owned(),
                    port: None,
                })
                .await?,
        )?;
        let vd = MsgRestoreSnapshotVlmDfn {
            from_resource_name: self.name.clone(),
            from_snapshot_name: snapshot.to_owned(),
            to_resource_name: to.to_owned(),
        };
        first_must_succeed(self.client.snapshot_volume_definition_restore(vd).await?)?;
        let rr = SnapshotResourceRestore {
            node_names: vec![],
            from_resource: self.name.clone(),
            from_snapshot: snapshot.to_owned(),
            to_resource: to.to_owned(),
        };
        first_must_succeed(self.client.snapshot_resource_restore(&rr).await?)?;
        Resource::open(&self.client, to).await
    }

    /// Waits through a watch until every volume of every diskful assignment is `UpToDate`.
    ///
    /// `Inconsistent`, `Outdated` and `SyncTarget(..)` volumes are waited for (a resync
    /// ends); what waiting cannot mend ends the wait at once, naming the node, the volume
    /// and what happened.
    ///
    /// # Errors
    ///
    /// [`ClientError::ReplicaFailed`] when a diskful assignment's satellite is offline
    /// (listed `OFFLINE`, or its stream closes with `CloseNoConnection`), one of its
    /// volumes reports `Failed` or `Diskless` (detached), or it is removed;
    /// [`ClientError::NotReady`] naming what is not up to date (`node/volume: state`) when
    /// `timeout` passes; and the watch's errors.
    pub async fn wait_ready(&mut self, timeout: Duration) -> Result<(), ClientError> {
        self.refresh().await?;
        let mut pending: BTreeMap<(String, i32), String> = BTreeMap::new();
        let diskful = self.diskful_nodes();
        for node in &diskful {
            for nr in self.volumes.keys() {
                pending.insert((node.to_ascii_lowercase(), *nr), "unknown".to_owned());
            }
        }
        if pending.is_empty() {
            return Ok(());
        }
        let failed =
            |node: &str, volume: Option<i32>, problem: ReplicaProblem| ClientError::ReplicaFailed {
                resource: self.name.clone(),
                node: node.to_owned(),
                volume,
                problem,
            };
        // A satellite already offline never reports: say so instead of timing out.
        let nodes = self.client.node_list().await?;
        if let Some(offline) = nodes.nodes.iter().find(|n| {
            n.connection_status == Some(CONN_STATUS_OFFLINE)
                && diskful.iter().any(|d| d.eq_ignore_ascii_case(&n.name))
        }) {
            return Err(failed(
                &offline.name,
                None,
                ReplicaProblem::SatelliteOffline,
            ));
        }
        let mut watch = self
            .client
            .watch(ObjectIdentifier {
                resource_name: Some(self.name.clone()),
                ..Default::default()
            })
            .await?;
        let wait = async {
            while let Some(item) = watch.next_event().await {
                let event = item?;
                let Some(node) = event.node_name.as_deref() else {
                    continue;
                };
                let lower = node.to_ascii_lowercase();
                let waits_for = |nr: Option<i32>| {
                    pending
                        .keys()
                        .any(|(n, v)| *n == lower && nr.is_none_or(|nr| nr == *v))
                };
                match (&event.action, event.volume_number) {
                    (EventAction::VolumeDiskState(d), Some(nr)) => {
                        let key = (lower.clone(), nr);
                        let state = d.disk_state.clone().unwrap_or_default();
                        if state == "UpToDate" {
                            pending.remove(&key);
                        } else if pending.contains_key(&key)
                            && (state == "Failed" || state == "Diskless")
                        {
                            return Err(failed(node, Some(nr), ReplicaProblem::Disk { state }));
                        } else if let Some(s) = pending.get_mut(&key) {
                            *s = state;
                        }
                        if pending.is_empty() {
                            return Ok(());
                        }
                    }
                    (EventAction::CloseNoConnection, nr) if waits_for(nr) => {
                        return Err(failed(node, None, ReplicaProblem::SatelliteOffline));
                    }
                    (EventAction::CloseRemoved, nr) if waits_for(nr) => {
                        return Err(failed(node, nr, ReplicaProblem::Removed));
                    }
                    _ => {}
                }
            }
            Err(self.client.disconnected())
        };
        let result = tokio::time::timeout(timeout, wait).await;
        match result {
            Ok(r) => r,
            Err(_) => Err(ClientError::NotReady {
                resource: self.name.clone(),
                pending: pending
                    .into_iter()
                    .map(|((n, v), s)| format!("{n}/{v}: {s}"))
                    .collect(),
            }),
        }
    }
}
