//! The controller's state: [`Model`] and every object it holds (nodes, storage pools,
//! resource and volume definitions, resources, snapshots, resource connections), with the
//! small facts about them that several call families share (driver kinds, capacity).
//!
//! The serialized form (field names) is the state file's format: renaming a field breaks
//! existing state files.

use std::collections::BTreeMap;

use linstor_proto::ReturnCode as RC;
use linstor_proto::consts::{drivers, flags, keys, names as special};
use linstor_proto::messages::{LinStorMapEntry, MsgApiCallResponse, NetInterface as WireNetIf};

use super::events::{EventData, StreamAction, StreamEvent, StreamKey, StreamKind, Streams};
use super::names::{self, valid_ip, valid_net_if_name, valid_port};
use super::reply::{Ctx, Problem, ensure, map_entry};

/// Properties: a sorted map, as the controller lists them.
pub(crate) type Props = BTreeMap<String, String>;

pub(crate) fn props_to_wire(props: &Props) -> Vec<LinStorMapEntry> {
    props.iter().map(|(k, v)| map_entry(k, v)).collect()
}

/// Settings of the model.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ModelConfig {
    /// Total capacity reported for thick and thin pools, KiB (default 1 TiB).
    pub pool_capacity_kib: u64,
}

impl Default for ModelConfig {
    fn default() -> Self {
        ModelConfig {
            pool_capacity_kib: 1 << 30,
        }
    }
}

/// The whole controller state. It serializes (for the state file) without the event
/// streams, which follow from the resources.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Model {
    pub(crate) config: ModelConfig,
    pub(crate) nodes: BTreeMap<String, Node>,
    pub(crate) spds: BTreeMap<String, StorPoolDfn>,
    /// Keyed by (node key, pool key).
    #[serde(with = "pairs")]
    pub(crate) pools: BTreeMap<(String, String), StorPool>,
    pub(crate) rsc_dfns: BTreeMap<String, RscDfn>,
    /// Keyed by (resource key, node key).
    #[serde(with = "pairs")]
    pub(crate) rscs: BTreeMap<(String, String), Rsc>,
    #[serde(with = "pairs")]
    pub(crate) rsc_conns: BTreeMap<(String, String, String), RscConn>,
    pub(crate) ctrl_props: Props,
    pub(crate) kvs: BTreeMap<String, Props>,
    pub(crate) passphrase: Option<String>,
    /// What a scenario set: resync rules and running resyncs (`cluster.rs`).
    #[serde(default)]
    pub(crate) cluster: super::cluster::ClusterState,
    #[serde(skip)]
    pub(crate) streams: Streams,
    /// The ports and minors in use, built on first use (`numbers.rs`).
    #[serde(skip)]
    pub(crate) numbers: Option<super::numbers::Numbers>,
    next_id: u64,
    next_report: u64,
    pub(crate) next_snapshot_seq: u64,
}

/// A node.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Node {
    pub uuid: String,
    pub name: String,
    /// Upper-case type, e.g. `SATELLITE`.
    pub node_type: String,
    pub props: Props,
    pub flags: Vec<String>,
    pub net_ifs: Vec<NetIf>,
    /// Whether its satellite is unreachable (a scenario's; `cluster.rs`).
    #[serde(default)]
    pub offline: bool,
}

/// A network interface of a node.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct NetIf {
    pub uuid: String,
    pub name: String,
    pub address: String,
    /// Port and upper-case encryption type, when this interface can carry the satellite
    /// connection.
    pub stlt: Option<(i32, String)>,
}

/// The node types, upper case as stored.
pub(crate) const NODE_TYPES: &[&str] = &[
    "CONTROLLER",
    "SATELLITE",
    "COMBINED",
    "AUXILIARY",
    "SWORDFISH_TARGET",
];

/// A storage pool definition.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct StorPoolDfn {
    pub uuid: String,
    pub name: String,
    pub props: Props,
}

/// A storage pool on a node.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct StorPool {
    pub uuid: String,
    pub node_name: String,
    pub name: String,
    pub driver: String,
    pub props: Props,
    /// Total capacity in KiB (`None`: unknown, pool unusable for placement).
    pub total_kib: Option<u64>,
    /// Capacity in KiB used by something other than LINSTOR's volumes (a scenario's
    /// "the pool fills up"; `cluster.rs`): subtracted from the free capacity.
    #[serde(default)]
    pub reserved_kib: u64,
}

impl StorPool {
    pub(crate) fn new(
        uuid: String,
        node: &str,
        name: &str,
        driver: &str,
        props: Props,
    ) -> StorPool {
        StorPool {
            uuid,
            node_name: node.to_owned(),
            name: name.to_owned(),
            driver: driver.to_owned(),
            props,
            total_kib: None,
            reserved_kib: 0,
        }
    }

    pub(crate) fn is_diskless(&self) -> bool {
        is_diskless_driver(&self.driver)
    }

    pub(crate) fn is_thin(&self) -> bool {
        self.driver == drivers::LVM_THIN || self.driver == drivers::ZFS_THIN
    }

    pub(crate) fn supports_snapshots(&self) -> bool {
        [drivers::LVM_THIN, drivers::ZFS, drivers::ZFS_THIN].contains(&self.driver.as_str())
    }
}

pub(crate) fn is_diskless_driver(driver: &str) -> bool {
    driver == drivers::DISKLESS || driver == drivers::SWORDFISH_INITIATOR
}

/// Every storage driver the controller knows.
pub(crate) const DRIVERS: &[&str] = &[
    drivers::LVM,
    drivers::LVM_THIN,
    drivers::ZFS,
    drivers::ZFS_THIN,
    drivers::DISKLESS,
    drivers::SWORDFISH_TARGET,
    drivers::SWORDFISH_INITIATOR,
];

/// Whether a node of this (upper-case) type may hold a pool with this driver
/// (`docs/controller-rules.md#storage-pools`).
pub(crate) fn driver_allowed(node_type: &str, driver: &str) -> bool {
    match node_type {
        "SATELLITE" | "COMBINED" => driver != drivers::SWORDFISH_TARGET,
        "SWORDFISH_TARGET" => driver == drivers::SWORDFISH_TARGET,
        _ => false,
    }
}

/// Free and total capacity reported for diskless pools.
pub(crate) const DISKLESS_CAPACITY: u64 = i64::MAX as u64;
/// Default `MaxOversubscriptionRatio`.
pub(crate) const DEFAULT_OVERSUBSCRIPTION: u64 = 20;

/// A resource definition.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct RscDfn {
    pub uuid: String,
    pub name: String,
    pub port: i32,
    pub secret: String,
    pub props: Props,
    pub vlm_dfns: BTreeMap<i32, VlmDfn>,
    pub snapshots: BTreeMap<String, SnapshotDfn>,
}

/// A volume definition.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct VlmDfn {
    pub uuid: String,
    pub nr: i32,
    pub size_kib: i64,
    pub minor: i32,
    pub flags: Vec<String>,
    pub props: Props,
}

/// A resource: a resource definition deployed on a node.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Rsc {
    pub uuid: String,
    pub node_name: String,
    pub rsc_name: String,
    pub node_id: i32,
    pub flags: Vec<String>,
    pub props: Props,
    pub vlms: BTreeMap<i32, Vlm>,
}

impl Rsc {
    pub(crate) fn is_diskless(&self) -> bool {
        self.flags.iter().any(|f| f == flags::DISKLESS)
    }
}

/// A volume of a resource.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Vlm {
    pub uuid: String,
    pub nr: i32,
    pub stor_pool: String,
    pub diskless: bool,
    /// The disk state a scenario set (`None`: the default, `UpToDate` or `Diskless`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk: Option<String>,
}

impl Vlm {
    /// A new volume in its default state.
    pub(crate) fn new(uuid: String, nr: i32, stor_pool: String, diskless: bool) -> Vlm {
        Vlm {
            uuid,
            nr,
            stor_pool,
            diskless,
            disk: None,
        }
    }

    pub(crate) fn disk_state(&self) -> &str {
        match &self.disk {
            Some(state) => state,
            None if self.diskless => "Diskless",
            None => "UpToDate",
        }
    }
}

/// A resource with the objects its list entry shows ([`Model::rscs_in_order`]).
pub(crate) struct RscEntry<'a> {
    pub rsc: &'a Rsc,
    pub node: Option<&'a Node>,
    pub dfn: Option<&'a RscDfn>,
    /// The value of its `ResourceState` stream.
    pub state: Option<&'a EventData>,
}

/// A snapshot definition and where it was taken.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct SnapshotDfn {
    pub uuid: String,
    pub name: String,
    pub seq: u64,
    /// Nodes holding the snapshot, as named at creation.
    pub nodes: Vec<String>,
    /// Volume number → size KiB.
    pub vlm_sizes: BTreeMap<i32, i64>,
    pub flags: Vec<String>,
    /// Node key → (DRBD node id, volume number → pool name).
    pub placement: BTreeMap<String, (i32, BTreeMap<i32, String>)>,
}

/// A resource connection between two resources of one definition.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct RscConn {
    pub uuid: String,
    pub node_1: String,
    pub node_2: String,
    pub props: Props,
    pub flags: Vec<String>,
    pub port: Option<i32>,
}

impl Default for Model {
    fn default() -> Self {
        Model::new(ModelConfig::default())
    }
}

/// The 27 connector properties of a fresh controller (`docs/controller-rules.md#controller-properties`),
/// sorted.
const FRESH_CTRL_PROPS: &[(&str, &str)] = &[
    ("defaultDebugSslConnector", "DebugSslConnector"),
    ("defaultPlainConSvc", "PlainConnector"),
    ("defaultSslConSvc", ""),
    ("netcom/DebugSslConnector/bindaddress", "::0"),
    ("netcom/DebugSslConnector/enabled", "true"),
    ("netcom/DebugSslConnector/keyPasswd", "linstor"),
    ("netcom/DebugSslConnector/keyStore", "ssl/keystore.jks"),
    ("netcom/DebugSslConnector/keyStorePasswd", "linstor"),
    ("netcom/DebugSslConnector/port", "3373"),
    ("netcom/DebugSslConnector/sslProtocol", "TLSv1.2"),
    (
        "netcom/DebugSslConnector/trustStore",
        "ssl/certificates.jks",
    ),
    ("netcom/DebugSslConnector/trustStorePasswd", "linstor"),
    ("netcom/DebugSslConnector/type", "ssl"),
    ("netcom/PlainConnector/bindaddress", "::0"),
    ("netcom/PlainConnector/enabled", "true"),
    ("netcom/PlainConnector/port", "3376"),
    ("netcom/PlainConnector/type", "plain"),
    ("netcom/SslConnector/bindaddress", "::0"),
    ("netcom/SslConnector/enabled", "true"),
    ("netcom/SslConnector/keyPasswd", "linstor"),
    ("netcom/SslConnector/keyStore", "ssl/keystore.jks"),
    ("netcom/SslConnector/keyStorePasswd", "linstor"),
    ("netcom/SslConnector/port", "3377"),
    ("netcom/SslConnector/sslProtocol", "TLSv1.2"),
    ("netcom/SslConnector/trustStore", "ssl/certificates.jks"),
    ("netcom/SslConnector/trustStorePasswd", "linstor"),
    ("netcom/SslConnector/type", "ssl"),
];

impl Model {
    /// A fresh controller (`docs/controller-rules.md#controller-properties`): the two default
    /// storage pool definitions and the connector properties, nothing else.
    pub fn new(config: ModelConfig) -> Model {
        let mut model = Model {
            config,
            nodes: BTreeMap::new(),
            spds: BTreeMap::new(),
            pools: BTreeMap::new(),
            rsc_dfns: BTreeMap::new(),
            rscs: BTreeMap::new(),
            rsc_conns: BTreeMap::new(),
            ctrl_props: FRESH_CTRL_PROPS
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            kvs: BTreeMap::new(),
            passphrase: None,
            cluster: super::cluster::ClusterState::default(),
            streams: Streams::default(),
            numbers: None,
            next_id: 1,
            next_report: 1,
            next_snapshot_seq: 1,
        };
        for (name, uuid) in [
            (special::DFLT_STOR_POOL, special::DFLT_STOR_POOL_UUID),
            (
                special::DFLT_DISKLESS_STOR_POOL,
                special::DFLT_DISKLESS_STOR_POOL_UUID,
            ),
        ] {
            model.spds.insert(
                names::key(name),
                StorPoolDfn {
                    uuid: uuid.to_owned(),
                    name: name.to_owned(),
                    props: Props::new(),
                },
            );
        }
        model
    }

    /// The counters every id, uuid, secret and error-report id is drawn from (the store
    /// logs a call that advanced them, so that replay draws the same ones).
    pub(crate) fn generators(&self) -> [u64; 3] {
        [self.next_id, self.next_report, self.next_snapshot_seq]
    }

    /// A fresh, deterministic UUID (version-4 layout, from a counter).
    pub(crate) fn uuid(&mut self) -> String {
        let n = self.next_id;
        self.next_id += 1;
        let a = splitmix(n);
        let b = splitmix(a ^ n);
        format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            (a >> 32) as u32,
            (a >> 16) as u16,
            a & 0xfff,
            (b >> 48) & 0xfff,
            b & 0xffff_ffff_ffff
        )
    }

    /// A 20-character base64 secret from 15 pseudo-random bytes.
    pub(crate) fn secret(&mut self) -> String {
        const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut bytes = Vec::with_capacity(15);
        while bytes.len() < 15 {
            self.next_id += 1;
            bytes.extend_from_slice(&splitmix(self.next_id ^ 0x5eed).to_le_bytes()[..5]);
        }
        bytes
            .chunks(3)
            .flat_map(|c| {
                let n = (u32::from(c[0]) << 16) | (u32::from(c[1]) << 8) | u32::from(c[2]);
                [18, 12, 6, 0].map(|s| B64[((n >> s) & 63) as usize] as char)
            })
            .collect()
    }

    /// A new error-report id in the controller's format.
    pub(crate) fn report_id(&mut self) -> String {
        let n = self.next_report;
        self.next_report += 1;
        format!("5C470D8E-00000-{n:06}")
    }

    /// The answer entry of a problem: with a fresh error-report id when the controller logs
    /// it. [`Model::apply`] answers every `Err` of a call this way.
    pub(crate) fn answer(&mut self, problem: Problem) -> MsgApiCallResponse {
        let id = problem.is_logged().then(|| self.report_id());
        problem.into_entry(id)
    }

    /// Looks up a node by case-insensitive name.
    pub(crate) fn node(&self, name: &str) -> Option<&Node> {
        self.nodes.get(&names::key(name))
    }

    /// The node, or `FAIL_NOT_FOUND_NODE`. Calls load the objects theirs hangs off this way
    /// ("must exist") before they look for it, so a missing parent is the parent's error even
    /// where a missing object is only a warning (`docs/controller-rules.md#nodes`).
    pub(crate) fn must_node(&self, ctx: &Ctx, name: &str) -> Result<&Node, Problem> {
        self.node(name).ok_or_else(|| ctx.node_not_found(name))
    }

    /// The resource definition, or `FAIL_NOT_FOUND_RSC_DFN` (see [`Model::must_node`]).
    pub(crate) fn must_rsc_dfn(&self, ctx: &Ctx, name: &str) -> Result<&RscDfn, Problem> {
        self.rsc_dfns
            .get(&names::key(name))
            .ok_or_else(|| ctx.rsc_dfn_not_found(name))
    }

    /// The resource of `rsc` on `node`: node and resource definition must exist, then the
    /// resource (`FAIL_NOT_FOUND_RSC`); see [`Model::must_node`].
    pub(crate) fn must_rsc(&self, ctx: &Ctx, node: &str, rsc: &str) -> Result<&Rsc, Problem> {
        self.must_node(ctx, node)?;
        self.must_rsc_dfn(ctx, rsc)?;
        self.rscs
            .get(&(names::key(rsc), names::key(node)))
            .ok_or_else(|| ctx.rsc_not_found(node, rsc))
    }

    /// The storage pool definition, or `FAIL_NOT_FOUND_STOR_POOL_DFN` (see
    /// [`Model::must_node`]).
    pub(crate) fn must_spd(&self, ctx: &Ctx, name: &str) -> Result<&StorPoolDfn, Problem> {
        self.spds
            .get(&names::key(name))
            .ok_or_else(|| ctx.spd_not_found(name))
    }

    /// The latest value of every open event stream.
    pub fn streams(&self) -> impl Iterator<Item = (&StreamKey, &EventData)> {
        self.streams.iter()
    }

    /// Records that the TLS connector runs: `defaultSslConSvc` becomes `SslConnector`
    /// (`docs/controller-rules.md#controller-properties`).
    pub fn set_tls_connector_started(&mut self) {
        self.ctrl_props
            .insert("defaultSslConSvc".to_owned(), "SslConnector".to_owned());
    }

    /// Recomputes the event streams from the resources (after loading a state file).
    pub(crate) fn rebuild_streams(&mut self) {
        self.streams.clear();
        let keys: Vec<(String, String)> = self.rscs.keys().cloned().collect();
        let mut ignored = Vec::new();
        for (r, n) in keys {
            self.emit_resource_state(&mut ignored, &r, &n);
        }
    }

    /// Names of all nodes, as created.
    pub fn node_names(&self) -> Vec<String> {
        self.nodes.values().map(|n| n.name.clone()).collect()
    }

    /// Names of all resource definitions, as created.
    pub fn resource_definition_names(&self) -> Vec<String> {
        self.rsc_dfns.values().map(|r| r.name.clone()).collect()
    }

    /// `(resource, node)` of every resource, as created.
    pub fn resources(&self) -> Vec<(String, String)> {
        self.rscs
            .values()
            .map(|r| (r.rsc_name.clone(), r.node_name.clone()))
            .collect()
    }

    /// The event script of a deployed resource (see [`Streams::resource_state`]); nothing
    /// for a resource whose satellite is offline (its streams are closed).
    pub(crate) fn emit_resource_state(
        &mut self,
        out: &mut Vec<StreamEvent>,
        rsc_key: &str,
        node_key: &str,
    ) {
        let Some((node, name, volumes, ready)) = self.resource_event_state(rsc_key, node_key)
        else {
            return;
        };
        self.streams
            .resource_state(out, &node, &name, volumes, ready);
    }

    /// The resources of definition `rsc_key`, in node order (a range of the map, not a scan).
    pub(crate) fn rscs_of<'a>(
        &'a self,
        rsc_key: &'a str,
    ) -> impl Iterator<Item = (&'a (String, String), &'a Rsc)> + 'a {
        self.rscs
            .range((rsc_key.to_owned(), String::new())..)
            .take_while(move |((r, _), _)| r == rsc_key)
    }

    /// Every resource in key order with its node, its definition and its `ResourceState`
    /// stream, found by walking the four maps side by side (all sorted by resource key, then
    /// node key) instead of looking each up: a list costs the same per resource at any size
    /// and builds no key.
    pub(crate) fn rscs_in_order(&self) -> impl Iterator<Item = RscEntry<'_>> {
        let mut dfns = self.rsc_dfns.iter().peekable();
        let mut streams = self.streams.iter().peekable();
        self.rscs.iter().map(move |((rk, nk), rsc)| {
            while dfns.next_if(|(k, _)| *k < rk).is_some() {}
            let dfn = dfns.peek().filter(|(k, _)| *k == rk).map(|(_, d)| *d);
            let target = (rk.as_str(), nk.as_str(), StreamKind::ResourceState);
            while streams
                .next_if(|(k, _)| (k.rsc_key.as_str(), k.node_key.as_str(), k.kind) < target)
                .is_some()
            {}
            let state = streams
                .peek()
                .filter(|(k, _)| (k.rsc_key.as_str(), k.node_key.as_str(), k.kind) == target)
                .map(|(_, d)| *d);
            RscEntry {
                rsc,
                node: self.nodes.get(nk),
                dfn,
                state,
            }
        })
    }

    /// The event script of every resource of a definition, in node order.
    pub(crate) fn emit_definition_state(&mut self, out: &mut Vec<StreamEvent>, rsc_key: &str) {
        // The definition's resources are found once, not once per resource.
        let all: Vec<(&String, &Rsc)> = self.rscs_of(rsc_key).map(|((_, n), r)| (n, r)).collect();
        let states: Vec<_> = all
            .iter()
            .filter_map(|(n, _)| self.event_state_among(&all, n))
            .collect();
        for (node, name, volumes, ready) in states {
            self.streams
                .resource_state(out, &node, &name, volumes, ready);
        }
    }

    /// Closes every stream of a resource: volumes first, then the resource state.
    pub(crate) fn close_resource_streams(
        &mut self,
        out: &mut Vec<StreamEvent>,
        node: &str,
        resource: &str,
        action: StreamAction,
    ) {
        self.streams.close_resource(out, node, resource, action);
    }

    /// Free capacity in KiB (thick: total minus placed volumes; thin: total; diskless: max).
    pub(crate) fn free_kib(&self, pool: &StorPool) -> Option<u64> {
        if pool.is_diskless() {
            return Some(DISKLESS_CAPACITY);
        }
        let total = pool.total_kib?;
        let total = total.saturating_sub(pool.reserved_kib);
        if pool.is_thin() {
            return Some(total);
        }
        let used: u64 = self
            .volumes_in_pool(&pool.node_name, &pool.name)
            .iter()
            .map(|(_, _, size)| (*size).max(0) as u64)
            .sum();
        Some(total.saturating_sub(used))
    }

    /// The capacity a new volume can use: free, times the oversubscription ratio for thin pools.
    pub(crate) fn placeable_kib(&self, pool: &StorPool) -> Option<u64> {
        let free = self.free_kib(pool)?;
        if pool.is_thin() {
            let ratio = self
                .spds
                .get(&names::key(&pool.name))
                .and_then(|d| d.props.get(keys::MAX_OVERSUBSCRIPTION_RATIO))
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(DEFAULT_OVERSUBSCRIPTION);
            return Some(free.saturating_mul(ratio));
        }
        Some(free)
    }

    /// `(resource, volume number, size KiB)` of every volume in the pool.
    pub(crate) fn volumes_in_pool(&self, node: &str, pool: &str) -> Vec<(String, i32, i64)> {
        let node_key = names::key(node);
        self.rscs
            .iter()
            .filter(|((_, n), _)| *n == node_key)
            .flat_map(|((r, _), rsc)| {
                let sizes = self.rsc_dfns.get(r);
                rsc.vlms
                    .values()
                    .filter(|v| v.stor_pool.eq_ignore_ascii_case(pool))
                    .map(move |v| {
                        let size = sizes
                            .and_then(|d| d.vlm_dfns.get(&v.nr))
                            .map_or(0, |d| d.size_kib);
                        (rsc.rsc_name.clone(), v.nr, size)
                    })
            })
            .collect()
    }
}

impl Model {
    /// The lowest TCP port of the automatic range that no resource definition or
    /// connection uses.
    pub(crate) fn free_port(&mut self) -> Option<i32> {
        let (lo, hi) = range(
            self.ctrl_props.get(keys::TCP_PORT_AUTO_RANGE),
            special::TCP_PORT_AUTO_RANGE,
        );
        self.lowest_free_port(lo, hi)
    }

    /// The lowest minor of the automatic range that no volume definition uses.
    pub(crate) fn free_minor(&mut self) -> Option<i32> {
        let (lo, hi) = range(
            self.ctrl_props.get(keys::MINOR_NR_AUTO_RANGE),
            special::MINOR_AUTO_RANGE,
        );
        self.lowest_free_minor(lo, hi)
    }
}

impl Model {
    /// Validates one interface of a node being created or an interface being added, and
    /// gives it a UUID (`docs/controller-rules.md#nodes`).
    pub(crate) fn check_net_if(
        &mut self,
        ctx: &Ctx,
        wire: &WireNetIf,
        existing: &[NetIf],
    ) -> Result<NetIf, Problem> {
        ensure(valid_net_if_name(&wire.name), || {
            ctx.problem(
                RC::FAIL_INVLD_NET_NAME,
                format!(
                    "The specified net interface name '{}' is invalid.",
                    wire.name
                ),
            )
        })?;
        ensure(valid_ip(&wire.address), || {
            invalid_address(ctx, &wire.address)
        })?;
        ensure(
            !existing
                .iter()
                .any(|n| n.name.eq_ignore_ascii_case(&wire.name)),
            || {
                ctx.problem(
                    RC::FAIL_EXISTS_NET_IF,
                    format!(
                        "A net interface with the name '{}' already exists.",
                        wire.name
                    ),
                )
            },
        )?;
        let stlt = check_stlt(ctx, wire)?;
        let uuid = self.uuid();
        Ok(NetIf {
            uuid,
            name: wire.name.clone(),
            address: wire.address.clone(),
            stlt,
        })
    }
}

pub(crate) fn invalid_address(ctx: &Ctx, address: &str) -> Problem {
    ctx.problem(
        RC::FAIL_INVLD_NET_ADDR,
        format!("The specified net interface address '{address}' is invalid."),
    )
}

/// The satellite connection of an interface: only when both port and encryption type are
/// given; both checked.
pub(crate) fn check_stlt(ctx: &Ctx, wire: &WireNetIf) -> Result<Option<(i32, String)>, Problem> {
    let (Some(port), Some(enc)) = (wire.stlt_port, wire.stlt_encryption_type.as_deref()) else {
        return Ok(None);
    };
    ensure(valid_port(port), || {
        ctx.problem(
            RC::FAIL_INVLD_NET_PORT,
            format!("The specified port '{port}' is invalid."),
        )
    })?;
    let enc = enc.to_ascii_uppercase();
    ensure(enc == "PLAIN" || enc == "SSL", || {
        ctx.problem(
            RC::FAIL_INVLD_NET_TYPE,
            format!("The specified encryption type '{enc}' is invalid."),
        )
    })?;
    Ok(Some((port, enc)))
}

/// Parses a `min-max` range property.
fn range(value: Option<&String>, default: (i32, i32)) -> (i32, i32) {
    value
        .and_then(|v| v.split_once('-'))
        .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
        .unwrap_or(default)
}

/// Maps with tuple keys serialize as lists of pairs (JSON keys must be strings).
mod pairs {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<S: Serializer, K: Serialize, V: Serialize>(
        map: &BTreeMap<K, V>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.iter())
    }

    pub(super) fn deserialize<'de, D, K, V>(d: D) -> Result<BTreeMap<K, V>, D::Error>
    where
        D: Deserializer<'de>,
        K: Deserialize<'de> + Ord,
        V: Deserialize<'de>,
    {
        Ok(Vec::<(K, V)>::deserialize(d)?.into_iter().collect())
    }
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}
