//! The invariants the model keeps whatever sequence of calls it is given
//! (`docs/controller-rules.md#invariants-the-model-keeps`): [`Model::check_invariants`] checks
//! them all, and the model fuzz target and its property test call it after every step.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use linstor_proto::consts::names as special;
use linstor_proto::messages::eventdata::{EventRscState, EventVlmDiskState};
use linstor_proto::messages::{MsgLstKvsProps, MsgReqRscConn};
use linstor_proto::{Body, Request, check_required};

use super::events::{EventData, StreamKey, StreamKind};
use super::names::{key, valid_port};
use super::state::{Model, NODE_TYPES, Rsc, driver_allowed};

/// One rule the model keeps (`docs/controller-rules.md#invariants-the-model-keeps`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Invariant {
    /// Every object is stored under the upper-cased key of its name (volumes and volume
    /// definitions under their number), and what names another object names it as created.
    KeyedByName,
    /// A node's type is one of the upper-case node types.
    NodeType,
    /// A storage pool is on an existing node whose type allows its driver.
    PoolOnNode,
    /// A storage pool has a storage pool definition of its name.
    PoolHasDefinition,
    /// A resource definition's TCP port is valid (1-65535) and no other definition has it.
    PortUnique,
    /// A volume definition's number is 0-65534 and its size within the size limits.
    VlmDfnInRange,
    /// A volume definition's minor number is valid and no other volume definition has it.
    MinorUnique,
    /// A resource is on an existing node.
    RscOnNode,
    /// A resource belongs to an existing resource definition.
    RscOfDefinition,
    /// The DRBD node ids of a definition's resources are 0-31 and distinct.
    NodeIdUnique,
    /// A resource has exactly one volume per volume definition of its definition.
    VolumesMatchDefinition,
    /// A volume is diskless exactly when its resource is flagged `DISKLESS`.
    DisklessVolumes,
    /// The storage pool of every volume exists on the volume's node: no resource is on a
    /// node without the pool it uses.
    VolumePoolOnNode,
    /// The volumes of a diskless resource are in a diskless pool.
    DisklessVolumeInDisklessPool,
    /// A resource connection joins two existing resources of its definition.
    RscConnEnds,
    /// A snapshot's nodes are its placement, its placement holds exactly its volume
    /// numbers, and its sequence number was handed out.
    SnapshotConsistent,
    /// Every event stream is of an existing resource or volume, with the value the model
    /// gives that object now.
    StreamOfObject,
    /// Every resource and every volume has its event stream.
    StreamPerObject,
    /// A list call answers without changing the model, and every body of its answer
    /// decodes from its encoding, has its required fields and re-encodes byte-identically.
    ListRoundTrip,
    /// The index of ports and minors in use (when built) is the one the state gives.
    NumbersIndexed,
}

impl Invariant {
    /// The rule in words.
    pub fn text(self) -> &'static str {
        match self {
            Invariant::KeyedByName => "stored under the key of its name, naming others as created",
            Invariant::NodeType => "a node's type is a known node type",
            Invariant::PoolOnNode => "a storage pool is on an existing node that allows its driver",
            Invariant::PoolHasDefinition => "a storage pool has a definition",
            Invariant::PortUnique => "TCP ports are valid and unique across resource definitions",
            Invariant::VlmDfnInRange => "volume numbers and sizes are within their limits",
            Invariant::MinorUnique => "minor numbers are valid and unique across all volumes",
            Invariant::RscOnNode => "a resource is on an existing node",
            Invariant::RscOfDefinition => "a resource is of an existing resource definition",
            Invariant::NodeIdUnique => "node ids are valid and unique within a resource definition",
            Invariant::VolumesMatchDefinition => {
                "a resource's volumes match its definition's volume definitions"
            }
            Invariant::DisklessVolumes => "a volume is diskless exactly when its resource is",
            Invariant::VolumePoolOnNode => "the storage pool of a volume exists on its node",
            Invariant::DisklessVolumeInDisklessPool => {
                "a diskless resource's volumes are in a diskless pool"
            }
            Invariant::RscConnEnds => "a resource connection joins two existing resources",
            Invariant::SnapshotConsistent => "a snapshot's nodes, placement and volumes agree",
            Invariant::StreamOfObject => {
                "an event stream is of an existing object and carries its current value"
            }
            Invariant::StreamPerObject => "every resource and volume has its event stream",
            Invariant::NumbersIndexed => "the index of ports and minors in use matches the state",
            Invariant::ListRoundTrip => {
                "a list answer leaves the model alone and round-trips byte-identically"
            }
        }
    }
}

impl fmt::Display for Invariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

/// A broken invariant: the object that breaks it, the rule, and what was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{object}: {rule}: {found}")]
pub struct InvariantError {
    /// The object, e.g. `resource 'r0' on node 'alpha'`.
    pub object: String,
    /// The rule it breaks.
    pub rule: Invariant,
    /// What was found instead.
    pub found: String,
}

/// `Err` unless `cond` holds.
fn ensure(
    cond: bool,
    rule: Invariant,
    object: impl FnOnce() -> String,
    found: impl FnOnce() -> String,
) -> Result<(), InvariantError> {
    if cond {
        Ok(())
    } else {
        Err(InvariantError {
            object: object(),
            rule,
            found: found(),
        })
    }
}

fn rsc_obj(r: &Rsc) -> String {
    format!("resource '{}' on node '{}'", r.rsc_name, r.node_name)
}

impl Model {
    /// Checks every invariant of the model (`docs/controller-rules.md#invariants-the-model-keeps`):
    /// names and keys, node types, pools on nodes with definitions, unique TCP ports, minors
    /// and node ids, resources on existing nodes and of existing definitions with one
    /// volume per volume definition in a pool that exists on their node, diskless volumes
    /// exactly on diskless resources and in diskless pools, resource connections between
    /// existing resources, consistent snapshots, one event stream per resource and volume
    /// with its current value and no other, and list answers (run on a clone) that
    /// round-trip through their encoding.
    ///
    /// # Errors
    ///
    /// The first broken rule found, naming the object.
    pub fn check_invariants(&self) -> Result<(), InvariantError> {
        self.check_nodes_and_pools()?;
        self.check_definitions()?;
        self.check_resources()?;
        self.check_connections()?;
        self.check_snapshots()?;
        self.check_streams()?;
        self.check_numbers()?;
        self.check_lists()
    }

    fn check_numbers(&self) -> Result<(), InvariantError> {
        let Some(indexed) = &self.numbers else {
            return Ok(());
        };
        let fresh = super::numbers::Numbers::of(self);
        ensure(
            *indexed == fresh,
            Invariant::NumbersIndexed,
            || "the model".to_owned(),
            || format!("indexed {indexed:?}, the state has {fresh:?}"),
        )
    }

    fn check_nodes_and_pools(&self) -> Result<(), InvariantError> {
        for (k, n) in &self.nodes {
            let obj = || format!("node '{}'", n.name);
            ensure(*k == key(&n.name), Invariant::KeyedByName, obj, || {
                format!("stored as '{k}'")
            })?;
            ensure(
                NODE_TYPES.contains(&n.node_type.as_str()),
                Invariant::NodeType,
                obj,
                || format!("type '{}'", n.node_type),
            )?;
        }
        for (k, d) in &self.spds {
            ensure(
                *k == key(&d.name),
                Invariant::KeyedByName,
                || format!("storage pool definition '{}'", d.name),
                || format!("stored as '{k}'"),
            )?;
        }
        for ((n, p), pool) in &self.pools {
            let obj = || format!("storage pool '{}' on node '{}'", pool.name, pool.node_name);
            ensure(
                (n, p) == (&key(&pool.node_name), &key(&pool.name)),
                Invariant::KeyedByName,
                obj,
                || format!("stored as ('{n}', '{p}')"),
            )?;
            let node = self.nodes.get(n);
            ensure(node.is_some(), Invariant::PoolOnNode, obj, || {
                "no such node".to_owned()
            })?;
            if let Some(node) = node {
                ensure(
                    node.name == pool.node_name,
                    Invariant::KeyedByName,
                    obj,
                    || format!("the node is named '{}'", node.name),
                )?;
                ensure(
                    driver_allowed(&node.node_type, &pool.driver),
                    Invariant::PoolOnNode,
                    obj,
                    || {
                        format!(
                            "driver '{}' on a node of type '{}'",
                            pool.driver, node.node_type
                        )
                    },
                )?;
            }
            ensure(
                self.spds.contains_key(p),
                Invariant::PoolHasDefinition,
                obj,
                || "no storage pool definition of that name".to_owned(),
            )?;
        }
        Ok(())
    }

    fn check_definitions(&self) -> Result<(), InvariantError> {
        let mut ports: BTreeMap<i32, &str> = BTreeMap::new();
        let mut minors: BTreeMap<i32, (&str, i32)> = BTreeMap::new();
        for (k, d) in &self.rsc_dfns {
            let obj = || format!("resource definition '{}'", d.name);
            ensure(*k == key(&d.name), Invariant::KeyedByName, obj, || {
                format!("stored as '{k}'")
            })?;
            ensure(valid_port(d.port), Invariant::PortUnique, obj, || {
                format!("port {}", d.port)
            })?;
            if let Some(other) = ports.insert(d.port, &d.name) {
                return Err(InvariantError {
                    object: obj(),
                    rule: Invariant::PortUnique,
                    found: format!("port {} also used by '{other}'", d.port),
                });
            }
            for (nr, v) in &d.vlm_dfns {
                let obj = || format!("volume definition {} of '{}'", v.nr, d.name);
                ensure(*nr == v.nr, Invariant::KeyedByName, obj, || {
                    format!("stored as {nr}")
                })?;
                ensure(
                    (0..=special::VLM_NR_MAX).contains(&v.nr)
                        && (special::VLM_SIZE_MIN_KIB..=special::VLM_SIZE_MAX_KIB)
                            .contains(&v.size_kib),
                    Invariant::VlmDfnInRange,
                    obj,
                    || format!("number {}, size {} KiB", v.nr, v.size_kib),
                )?;
                ensure(
                    (0..=special::MINOR_MAX).contains(&v.minor),
                    Invariant::MinorUnique,
                    obj,
                    || format!("minor {}", v.minor),
                )?;
                if let Some((other, other_nr)) = minors.insert(v.minor, (&d.name, v.nr)) {
                    return Err(InvariantError {
                        object: obj(),
                        rule: Invariant::MinorUnique,
                        found: format!(
                            "minor {} also used by volume definition {other_nr} of '{other}'",
                            v.minor
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    fn check_resources(&self) -> Result<(), InvariantError> {
        let mut node_ids: BTreeMap<(&str, i32), &str> = BTreeMap::new();
        for ((rk, nk), r) in &self.rscs {
            let obj = || rsc_obj(r);
            ensure(
                (rk, nk) == (&key(&r.rsc_name), &key(&r.node_name)),
                Invariant::KeyedByName,
                obj,
                || format!("stored as ('{rk}', '{nk}')"),
            )?;
            let node = self.nodes.get(nk).ok_or_else(|| InvariantError {
                object: obj(),
                rule: Invariant::RscOnNode,
                found: "no such node".to_owned(),
            })?;
            ensure(
                node.name == r.node_name,
                Invariant::KeyedByName,
                obj,
                || format!("the node is named '{}'", node.name),
            )?;
            let dfn = self.rsc_dfns.get(rk).ok_or_else(|| InvariantError {
                object: obj(),
                rule: Invariant::RscOfDefinition,
                found: "no such resource definition".to_owned(),
            })?;
            ensure(dfn.name == r.rsc_name, Invariant::KeyedByName, obj, || {
                format!("the definition is named '{}'", dfn.name)
            })?;
            ensure(
                (0..=special::NODE_ID_MAX).contains(&r.node_id),
                Invariant::NodeIdUnique,
                obj,
                || format!("node id {}", r.node_id),
            )?;
            if let Some(other) = node_ids.insert((rk, r.node_id), &r.node_name) {
                return Err(InvariantError {
                    object: obj(),
                    rule: Invariant::NodeIdUnique,
                    found: format!("node id {} also used on node '{other}'", r.node_id),
                });
            }
            let have: Vec<i32> = r.vlms.keys().copied().collect();
            let want: Vec<i32> = dfn.vlm_dfns.keys().copied().collect();
            ensure(have == want, Invariant::VolumesMatchDefinition, obj, || {
                format!("volumes {have:?}, volume definitions {want:?}")
            })?;
            let diskless = r.is_diskless();
            for (nr, v) in &r.vlms {
                let obj = || format!("volume {} of {}", v.nr, rsc_obj(r));
                ensure(*nr == v.nr, Invariant::KeyedByName, obj, || {
                    format!("stored as {nr}")
                })?;
                ensure(
                    v.diskless == diskless,
                    Invariant::DisklessVolumes,
                    obj,
                    || {
                        format!(
                            "volume diskless: {}, resource diskless: {diskless}",
                            v.diskless
                        )
                    },
                )?;
                let pool = self.pools.get(&(nk.clone(), key(&v.stor_pool)));
                ensure(pool.is_some(), Invariant::VolumePoolOnNode, obj, || {
                    format!("storage pool '{}' is not on the node", v.stor_pool)
                })?;
                if let Some(pool) = pool {
                    ensure(
                        !diskless || pool.is_diskless(),
                        Invariant::DisklessVolumeInDisklessPool,
                        obj,
                        || format!("pool '{}' has driver '{}'", pool.name, pool.driver),
                    )?;
                }
            }
        }
        Ok(())
    }

    fn check_connections(&self) -> Result<(), InvariantError> {
        for ((rk, a, b), c) in &self.rsc_conns {
            let rsc = self
                .rsc_dfns
                .get(rk)
                .map_or(rk.as_str(), |d| d.name.as_str());
            let obj = || {
                format!(
                    "resource connection of '{rsc}' between '{}' and '{}'",
                    c.node_1, c.node_2
                )
            };
            let ends: BTreeSet<String> = [key(&c.node_1), key(&c.node_2)].into();
            ensure(
                a <= b && ends == [a.clone(), b.clone()].into(),
                Invariant::KeyedByName,
                obj,
                || format!("stored as ('{rk}', '{a}', '{b}')"),
            )?;
            for n in [a, b] {
                ensure(
                    self.rscs.contains_key(&(rk.clone(), n.clone())),
                    Invariant::RscConnEnds,
                    obj,
                    || format!("no resource on node '{n}'"),
                )?;
            }
        }
        Ok(())
    }

    fn check_snapshots(&self) -> Result<(), InvariantError> {
        let mut seqs: BTreeMap<u64, String> = BTreeMap::new();
        for d in self.rsc_dfns.values() {
            for (k, s) in &d.snapshots {
                let obj = || format!("snapshot '{}' of '{}'", s.name, d.name);
                ensure(*k == key(&s.name), Invariant::KeyedByName, obj, || {
                    format!("stored as '{k}'")
                })?;
                let nodes: BTreeSet<String> = s.nodes.iter().map(|n| key(n)).collect();
                let placed: BTreeSet<String> = s.placement.keys().cloned().collect();
                ensure(
                    nodes == placed && nodes.len() == s.nodes.len(),
                    Invariant::SnapshotConsistent,
                    obj,
                    || format!("nodes {:?}, placement {placed:?}", s.nodes),
                )?;
                let volumes: Vec<i32> = s.vlm_sizes.keys().copied().collect();
                for (n, (_, pools)) in &s.placement {
                    let on_node: Vec<i32> = pools.keys().copied().collect();
                    ensure(
                        on_node == volumes,
                        Invariant::SnapshotConsistent,
                        obj,
                        || format!("volumes {volumes:?}, on node '{n}' {on_node:?}"),
                    )?;
                }
                ensure(
                    s.seq < self.next_snapshot_seq,
                    Invariant::SnapshotConsistent,
                    obj,
                    || {
                        format!(
                            "sequence number {} not yet handed out (next {})",
                            s.seq, self.next_snapshot_seq
                        )
                    },
                )?;
                if let Some(other) = seqs.insert(s.seq, obj()) {
                    return Err(InvariantError {
                        object: obj(),
                        rule: Invariant::SnapshotConsistent,
                        found: format!("sequence number {} also used by {other}", s.seq),
                    });
                }
            }
        }
        Ok(())
    }

    fn check_streams(&self) -> Result<(), InvariantError> {
        for (k, data) in self.streams() {
            let obj = || match k.volume {
                Some(nr) => format!(
                    "{} stream of volume {nr} of '{}' on '{}'",
                    k.kind.event_name(),
                    k.resource,
                    k.node
                ),
                None => format!(
                    "{} stream of '{}' on '{}'",
                    k.kind.event_name(),
                    k.resource,
                    k.node
                ),
            };
            let shape_ok = k.rsc_key == key(&k.resource)
                && k.node_key == key(&k.node)
                && (k.kind == StreamKind::VolumeDiskState) == k.volume.is_some();
            ensure(shape_ok, Invariant::KeyedByName, obj, || format!("{k:?}"))?;
            let rsc = self
                .rscs
                .get(&(k.rsc_key.clone(), k.node_key.clone()))
                .ok_or_else(|| InvariantError {
                    object: obj(),
                    rule: Invariant::StreamOfObject,
                    found: "no such resource".to_owned(),
                })?;
            ensure(
                rsc.rsc_name == k.resource && rsc.node_name == k.node,
                Invariant::StreamOfObject,
                obj,
                || format!("the resource is '{}' on '{}'", rsc.rsc_name, rsc.node_name),
            )?;
            let (_, _, volumes, ready) = self
                .resource_event_state(&k.rsc_key, &k.node_key)
                .ok_or_else(|| InvariantError {
                    object: obj(),
                    rule: Invariant::StreamOfObject,
                    found: "a stream of a node whose satellite is offline".to_owned(),
                })?;
            let expected = match k.volume {
                Some(nr) => {
                    let v = rsc.vlms.get(&nr).ok_or_else(|| InvariantError {
                        object: obj(),
                        rule: Invariant::StreamOfObject,
                        found: "no such volume".to_owned(),
                    })?;
                    EventData::Volume(EventVlmDiskState {
                        disk_state: Some(v.disk_state().to_owned()),
                    })
                }
                None => EventData::Resource(EventRscState {
                    ready: Some(ready),
                    in_use: Some(false),
                    up_to_date: Some(volumes.iter().all(|(_, s)| s == "UpToDate")),
                }),
            };
            ensure(*data == expected, Invariant::StreamOfObject, obj, || {
                format!("value {data:?}, expected {expected:?}")
            })?;
        }
        // Offline satellites have their streams closed.
        for r in self
            .rscs
            .values()
            .filter(|r| self.is_node_online(&r.node_name) == Some(true))
        {
            let has = |k: StreamKey| self.streams.get(&k).is_some();
            ensure(
                has(StreamKey::resource(&r.node_name, &r.rsc_name)),
                Invariant::StreamPerObject,
                || rsc_obj(r),
                || "no ResourceState stream".to_owned(),
            )?;
            for nr in r.vlms.keys() {
                ensure(
                    has(StreamKey::volume(&r.node_name, &r.rsc_name, *nr)),
                    Invariant::StreamPerObject,
                    || format!("volume {nr} of {}", rsc_obj(r)),
                    || "no VlmDiskState stream".to_owned(),
                )?;
            }
        }
        Ok(())
    }

    /// Applies every list call to a clone: the clone must not change, and every body of
    /// the answers must survive encode → decode → encode.
    fn check_lists(&self) -> Result<(), InvariantError> {
        let mut requests = vec![
            Request::LstNode,
            Request::LstStorPoolDfn,
            Request::LstStorPool(None),
            Request::LstRscDfn,
            Request::LstRsc(None),
            Request::LstVlm(None),
            Request::LstSnapshotDfn,
            Request::LstCfgVal,
        ];
        requests.extend(self.kvs.keys().map(|name| {
            Request::LstKvsProps(MsgLstKvsProps {
                instance_name: name.clone(),
            })
        }));
        requests.extend(self.rsc_dfns.values().map(|d| {
            Request::ReqRscConnList(MsgReqRscConn {
                rsc_name: d.name.clone(),
            })
        }));
        let mut clone = self.clone();
        for request in requests {
            let call = request.call();
            let obj = || match &request {
                Request::LstKvsProps(m) => format!("{call} of store '{}'", m.instance_name),
                Request::ReqRscConnList(m) => format!("{call} of '{}'", m.rsc_name),
                _ => call.to_string(),
            };
            let outcome = clone.apply(request.clone());
            ensure(
                !outcome.changed && outcome.events.is_empty(),
                Invariant::ListRoundTrip,
                obj,
                || "the call changed the model".to_owned(),
            )?;
            ensure(
                outcome
                    .immediate
                    .first()
                    .is_some_and(|a| a.content == call.answer()),
                Invariant::ListRoundTrip,
                obj,
                || {
                    format!(
                        "answered {:?}",
                        outcome.immediate.first().map(|a| a.content)
                    )
                },
            )?;
            for answer in outcome.immediate.iter().chain(&outcome.deferred) {
                for body in &answer.bodies {
                    round_trip(body).map_err(|found| InvariantError {
                        object: format!("{} answer of {}", answer.content, obj()),
                        rule: Invariant::ListRoundTrip,
                        found,
                    })?;
                }
            }
        }
        Ok(())
    }
}

/// Encode → decode (with the required-field check) → encode must give the same bytes and
/// the same message.
fn round_trip(body: &Body) -> Result<(), String> {
    let kind = body.kind();
    let mut bytes = Vec::with_capacity(body.encoded_len());
    body.encode_raw(&mut bytes);
    let decoded =
        Body::decode(kind, bytes.as_slice()).map_err(|e| format!("{}: {e}", kind.name()))?;
    check_required(kind.full_name(), &bytes).map_err(|e| format!("{}: {e}", kind.name()))?;
    let mut again = Vec::with_capacity(bytes.len());
    decoded.encode_raw(&mut again);
    if again != bytes {
        return Err(format!("{} re-encodes to other bytes", kind.name()));
    }
    if decoded != *body {
        return Err(format!("{} decodes to another value", kind.name()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::state::Vlm;
    use crate::model::test_support::{
        cluster, crt_diskless, crt_rsc, crt_rsc_dfn, crt_vlm_dfn, ok,
    };

    /// alpha, bravo, charlie with `DfltStorPool`; `r0` with one volume on alpha and bravo,
    /// diskless on charlie.
    fn deployed() -> Model {
        let mut m = cluster(&["alpha", "bravo", "charlie"]);
        ok(&mut m, crt_rsc_dfn("r0"));
        ok(&mut m, crt_vlm_dfn("r0", 1024));
        ok(&mut m, crt_rsc("r0", &["alpha", "bravo"]));
        ok(&mut m, crt_diskless("r0", "charlie"));
        m
    }

    fn broken(m: &Model) -> Invariant {
        m.check_invariants()
            .expect_err("an invariant is broken")
            .rule
    }

    #[test]
    fn fresh_demo_and_deployed_models_keep_every_invariant() {
        Model::default().check_invariants().expect("fresh");
        let mut demo = Model::default();
        demo.seed_demo();
        demo.check_invariants().expect("demo");
        deployed().check_invariants().expect("deployed");
    }

    fn rsc<'m>(m: &'m mut Model, r: &str, n: &str) -> &'m mut Rsc {
        m.rscs.get_mut(&(key(r), key(n))).expect("deployed")
    }

    fn vlm0<'m>(m: &'m mut Model, r: &str, n: &str) -> &'m mut Vlm {
        rsc(m, r, n).vlms.get_mut(&0).expect("volume 0")
    }

    #[test]
    fn each_corruption_names_its_rule() {
        type Corruption = fn(&mut Model);
        let cases: [(Invariant, Corruption); 17] = [
            (Invariant::KeyedByName, |m| {
                let n = m.nodes.remove("ALPHA").expect("alpha");
                m.nodes.insert("alpha".into(), n);
            }),
            (Invariant::NodeType, |m| {
                m.nodes.get_mut("ALPHA").expect("alpha").node_type = "Satellite".into()
            }),
            (Invariant::PoolOnNode, |m| {
                m.nodes.get_mut("ALPHA").expect("alpha").node_type = "CONTROLLER".into()
            }),
            (Invariant::PoolHasDefinition, |m| {
                m.spds.remove("DFLTSTORPOOL");
            }),
            (Invariant::PortUnique, |m| {
                ok(m, crt_rsc_dfn("r1"));
                m.rsc_dfns.get_mut("R1").expect("r1").port = m.rsc_dfns["R0"].port;
            }),
            (Invariant::VlmDfnInRange, |m| {
                let d = m.rsc_dfns.get_mut("R0").expect("r0");
                d.vlm_dfns.get_mut(&0).expect("volume 0").size_kib = 0;
            }),
            (Invariant::MinorUnique, |m| {
                ok(m, crt_rsc_dfn("r1"));
                ok(m, crt_vlm_dfn("r1", 1024));
                let minor = m.rsc_dfns["R0"].vlm_dfns[&0].minor;
                let d = m.rsc_dfns.get_mut("R1").expect("r1");
                d.vlm_dfns.get_mut(&0).expect("volume 0").minor = minor;
            }),
            (Invariant::RscOnNode, |m| {
                m.nodes.remove("CHARLIE");
                m.pools.retain(|(n, _), _| n != "CHARLIE");
            }),
            (Invariant::RscOfDefinition, |m| {
                m.rsc_dfns.remove("R0");
            }),
            (Invariant::NodeIdUnique, |m| {
                rsc(m, "r0", "bravo").node_id = 0
            }),
            (Invariant::VolumesMatchDefinition, |m| {
                rsc(m, "r0", "alpha").vlms.clear()
            }),
            (Invariant::DisklessVolumes, |m| {
                vlm0(m, "r0", "alpha").diskless = true
            }),
            (Invariant::VolumePoolOnNode, |m| {
                vlm0(m, "r0", "alpha").stor_pool = "pool9".into()
            }),
            (Invariant::DisklessVolumeInDisklessPool, |m| {
                vlm0(m, "r0", "charlie").stor_pool = "DfltStorPool".into()
            }),
            (Invariant::StreamPerObject, |m| m.streams.clear()),
            (Invariant::NumbersIndexed, |m| {
                // Past the index: the port changes, the index still has the old one.
                m.rsc_dfns.get_mut("R0").expect("r0").port = 7999;
            }),
            // charlie gets a disk without telling its streams.
            (Invariant::StreamOfObject, |m| {
                rsc(m, "r0", "charlie").flags.clear();
                let v = vlm0(m, "r0", "charlie");
                (v.diskless, v.stor_pool) = (false, "DfltStorPool".into());
            }),
        ];
        for (rule, corrupt) in cases {
            let mut m = deployed();
            corrupt(&mut m);
            assert_eq!(broken(&m), rule, "{:?}", m.check_invariants());
        }
    }

    #[test]
    fn connections_and_snapshots_are_checked() {
        use linstor_proto::messages::{MsgCrtSnapshot, MsgModRscConn, SnapshotDfn};
        let mut m = deployed();
        ok(
            &mut m,
            Request::ModRscConn(MsgModRscConn {
                node_1_name: "bravo".into(),
                node_2_name: "alpha".into(),
                rsc_name: "r0".into(),
                ..Default::default()
            }),
        );
        m.check_invariants()
            .expect("a connection between existing resources");
        let mut dangling = m.clone();
        dangling.rscs.remove(&(key("r0"), key("bravo")));
        dangling.streams.clear();
        dangling.rebuild_streams();
        assert_eq!(broken(&dangling), Invariant::RscConnEnds);

        ok(
            &mut m,
            Request::CrtSnapshot(MsgCrtSnapshot {
                snapshot_dfn: SnapshotDfn {
                    rsc_name: "r0".into(),
                    snapshot_name: "s0".into(),
                    ..Default::default()
                },
            }),
        );
        m.check_invariants().expect("a snapshot");
        let mut bad = m.clone();
        let d = bad.rsc_dfns.get_mut("R0").expect("r0");
        d.snapshots.get_mut("S0").expect("s0").nodes.pop();
        assert_eq!(broken(&bad), Invariant::SnapshotConsistent);
    }

    #[test]
    fn the_error_names_object_and_rule() {
        let mut m = deployed();
        m.rscs
            .get_mut(&(key("r0"), key("alpha")))
            .expect("r0 on alpha")
            .vlms
            .clear();
        let e = m.check_invariants().expect_err("broken");
        assert_eq!(e.object, "resource 'r0' on node 'alpha'");
        assert_eq!(
            e.to_string(),
            "resource 'r0' on node 'alpha': a resource's volumes match its definition's \
             volume definitions: volumes [], volume definitions [0]"
        );
    }

    /// A volume definition added to a definition with a diskless resource whose
    /// `StorPoolName` names no pool on its node: refused, as the controller refuses it,
    /// instead of a volume in a pool that does not exist.
    #[test]
    fn a_new_volume_of_a_diskless_resource_needs_its_pool() {
        use crate::model::test_support::{entries, refused};
        use linstor_proto::ReturnCode as RC;
        use linstor_proto::messages::MsgModRsc;
        let mut m = cluster(&["alpha", "bravo"]);
        ok(&mut m, crt_rsc_dfn("r0"));
        ok(&mut m, crt_rsc("r0", &["alpha"]));
        ok(&mut m, crt_diskless("r0", "bravo"));
        for (pool, code) in [
            ("pool9", RC::FAIL_NOT_FOUND_DFLT_STOR_POOL),
            ("DfltStorPool", RC::FAIL_INVLD_STOR_POOL_NAME),
        ] {
            let mut m = m.clone();
            ok(
                &mut m,
                Request::ModRsc(MsgModRsc {
                    node_name: "bravo".into(),
                    rsc_name: "r0".into(),
                    override_props: entries(&[("StorPoolName", pool)]),
                    ..Default::default()
                }),
            );
            let entry = refused(&mut m, crt_vlm_dfn("r0", 1024));
            assert!(RC(entry.ret_code).is_code(code), "{pool}: {entry:#?}");
            m.check_invariants().expect("nothing created");
        }
    }

    /// Found by the property test: with no satellite left, the default diskless pool
    /// definition can be deleted; the next satellite's diskless pool brings it back.
    #[test]
    fn a_satellite_brings_back_the_diskless_pool_definition() {
        use crate::model::test_support::crt_node;
        use linstor_proto::messages::MsgDelStorPoolDfn;
        let mut m = Model::default();
        ok(
            &mut m,
            Request::DelStorPoolDfn(MsgDelStorPoolDfn {
                stor_pool_name: special::DFLT_DISKLESS_STOR_POOL.into(),
                ..Default::default()
            }),
        );
        ok(&mut m, crt_node("alpha", "Satellite", "10.0.0.1"));
        m.check_invariants()
            .expect("the pool has its definition again");
    }

    /// Found by the property test: a node named twice in CrtSnapshot is refused instead of
    /// listed twice in the snapshot.
    #[test]
    fn a_snapshot_names_each_node_once() {
        use crate::model::test_support::refused;
        use linstor_proto::ReturnCode as RC;
        use linstor_proto::messages::{MsgCrtSnapshot, Snapshot, SnapshotDfn};
        let mut m = deployed();
        let entry = refused(
            &mut m,
            Request::CrtSnapshot(MsgCrtSnapshot {
                snapshot_dfn: SnapshotDfn {
                    rsc_name: "r0".into(),
                    snapshot_name: "s0".into(),
                    snapshots: ["alpha", "ALPHA"]
                        .map(|n| Snapshot {
                            node_name: n.into(),
                        })
                        .into(),
                    ..Default::default()
                },
            }),
        );
        assert!(
            RC(entry.ret_code).is_code(RC::FAIL_EXISTS_SNAPSHOT),
            "{entry:#?}"
        );
        m.check_invariants().expect("nothing created");
    }

    /// ToggleDisk with `migrate_from` deletes the resource it migrates from: its resource
    /// connections go with it, as with DelRsc.
    #[test]
    fn migrating_a_disk_drops_the_old_resources_connections() {
        use linstor_proto::messages::{MsgModRscConn, MsgToggleDisk};
        let mut m = deployed();
        ok(
            &mut m,
            Request::ModRscConn(MsgModRscConn {
                node_1_name: "alpha".into(),
                node_2_name: "charlie".into(),
                rsc_name: "r0".into(),
                ..Default::default()
            }),
        );
        ok(
            &mut m,
            Request::ToggleDisk(MsgToggleDisk {
                node_name: "charlie".into(),
                rsc_name: "r0".into(),
                diskless: Some(false),
                migrate_from: Some("alpha".into()),
                ..Default::default()
            }),
        );
        m.check_invariants()
            .expect("no connection to the migrated-from resource");
    }

    /// A snapshot does not keep its storage pool: restoring it after the pool was deleted is
    /// refused instead of creating volumes in a pool that is not there.
    #[test]
    fn a_restore_needs_the_snapshots_pools() {
        use crate::model::test_support::refused;
        use linstor_proto::ReturnCode as RC;
        use linstor_proto::messages::{
            MsgCrtSnapshot, MsgDelRsc, MsgDelStorPool, MsgRestoreSnapshotRsc,
            MsgRestoreSnapshotVlmDfn, SnapshotDfn,
        };
        let mut m = cluster(&["alpha"]);
        ok(&mut m, crt_rsc_dfn("r0"));
        ok(&mut m, crt_vlm_dfn("r0", 1024));
        ok(&mut m, crt_rsc("r0", &["alpha"]));
        let snapshot = SnapshotDfn {
            rsc_name: "r0".into(),
            snapshot_name: "s0".into(),
            ..Default::default()
        };
        ok(
            &mut m,
            Request::CrtSnapshot(MsgCrtSnapshot {
                snapshot_dfn: snapshot,
            }),
        );
        let (node, rsc, pool) = (
            "alpha".to_owned(),
            "r0".to_owned(),
            "DfltStorPool".to_owned(),
        );
        ok(
            &mut m,
            Request::DelRsc(MsgDelRsc {
                node_name: node.clone(),
                rsc_name: rsc,
                uuid: None,
            }),
        );
        ok(
            &mut m,
            Request::DelStorPool(MsgDelStorPool {
                node_name: node,
                stor_pool_name: pool,
                uuid: None,
            }),
        );
        ok(&mut m, crt_rsc_dfn("r1"));
        let (from, snap, to) = ("r0".to_owned(), "s0".to_owned(), "r1".to_owned());
        ok(
            &mut m,
            Request::RestoreVlmDfn(MsgRestoreSnapshotVlmDfn {
                from_resource_name: from.clone(),
                from_snapshot_name: snap.clone(),
                to_resource_name: to.clone(),
            }),
        );
        let entry = refused(
            &mut m,
            Request::RestoreSnapshot(MsgRestoreSnapshotRsc {
                from_resource_name: from,
                from_snapshot_name: snap,
                to_resource_name: to,
                nodes: vec![],
            }),
        );
        assert!(
            RC(entry.ret_code).is_code(RC::FAIL_NOT_FOUND_STOR_POOL_DFN),
            "{entry:#?}"
        );
        m.check_invariants().expect("nothing restored");
    }
}
