//! Meaningful request sequences for the model, from arbitrary bytes, and the check shared by
//! the `model_calls` fuzz target, its corpus replay and the property test
//! (`tests/model_invariants.rs`): apply the calls one by one and check
//! [`Model::check_invariants`] after each.
//!
//! A request is built by reflection: the bytes choose a [`Call`] (watch calls excluded;
//! calls that create objects weighted four times, deletions and lists once, the rest twice)
//! and fill a `DynamicMessage` of its body type field by field: required fields always,
//! optional ones half of the time (UUIDs rarely), repeated ones with mostly one element
//! (property, flag and placement-constraint lists mostly none), nested messages to a
//! bounded depth. Strings come from a small vocabulary per field name (nodes alpha-delta,
//! resources r0-r3, pools pool0, drbdpool and the two default pools, snapshots s0 and s1,
//! drivers, node types, property keys with values that suit them, flags, ...), numbers from
//! a few values per field (volume numbers 0-2, sizes from 4 KiB to 1 TiB, ports and minors
//! of the automatic ranges), so that calls meet on the same objects; one value in ten is an
//! odd one (invalid, or another case). The body is encoded and decoded by
//! [`Request::decode`], as the mock does with a frame; a body that does not decode (it
//! cannot happen with these vocabularies) is skipped.

use std::fmt;
use std::sync::LazyLock;

use arbitrary::Unstructured;
use linstor_mock::Model;
use linstor_mock::model::InvariantError;
use linstor_proto::{Call, Request};
use prost::Message as _;
use prost_reflect::{Cardinality, DynamicMessage, FieldDescriptor, Kind, MessageDescriptor, Value};

use crate::descriptor;

/// Calls the fuzz target applies at most per input.
pub const MAX_CALLS: usize = 64;

/// Nesting depth of body messages beyond which only required fields are filled.
const MAX_DEPTH: usize = 4;

/// A vocabulary: the usual values, and odd ones (invalid, other case) drawn one time in
/// ten.
type Vocab<T> = (&'static [T], &'static [T]);

// Repeated entries make a value more likely: sequences meet on r0 and on the demo nodes.
const NODES: Vocab<&str> = (
    &["alpha", "bravo", "charlie", "alpha", "bravo", "delta"],
    &["ALPHA", "-bad", ""],
);
const RSCS: Vocab<&str> = (
    &["r0", "r0", "r0", "r1", "r1", "r2"],
    &["r3", "R0", "all", "0r"],
);
const POOLS: Vocab<&str> = (
    &[
        "drbdpool",
        "drbdpool",
        "DfltStorPool",
        "pool0",
        "DfltDisklessStorPool",
    ],
    &["pool1", "p", "POOL0"],
);
const SNAPSHOTS: Vocab<&str> = (&["s0", "s1"], &["S0", "-"]);
const DRIVERS: Vocab<&str> = (
    &[
        "LvmDriver",
        "LvmThinDriver",
        "ZfsDriver",
        "ZfsThinDriver",
        "DisklessDriver",
    ],
    &[
        "SwordfishTargetDriver",
        "SwordfishInitiatorDriver",
        "NoDriver",
    ],
);
const NODE_TYPES: Vocab<&str> = (
    &["Satellite", "Satellite", "Combined", "Controller"],
    &["Auxiliary", "SWORDFISH_TARGET", "satellite", "Other"],
);
const NET_IFS: Vocab<&str> = (&["default", "eth1"], &["x", "DEFAULT"]);
const ADDRESSES: Vocab<&str> = (
    &["127.0.0.1", "127.0.0.2", "10.0.0.4", "::1"],
    &["10.0.0.300"],
);
const ENCRYPTION: Vocab<&str> = (&["Plain", "SSL"], &["ssl", "None"]);
const FLAGS: Vocab<&str> = (&["DISKLESS"], &["ENCRYPTED", "DELETE", "QIGNORE"]);
const PASSPHRASES: Vocab<&str> = (&["pw0", "pw1"], &[""]);
const KVS: Vocab<&str> = (&["kvs0", "kvs1"], &["x"]);
const COMMANDS: Vocab<&str> = (&["Shutdown"], &["Restart"]);
const COMPRESSION: Vocab<&str> = (&["none", "zlib", "lzma", "lz4"], &["zstd"]);
const TRANSPORTS: Vocab<&str> = (&["IP", "RDMA"], &["tcp"]);
const REGEXES: Vocab<&str> = (&["r.*", "r[01]", ""], &["("]);
const REPLICAS: Vocab<&str> = (&["Aux/site", "Aux/site=a"], &["Aux/rack"]);
const NAMESPACES: Vocab<&str> = (&["", "DrbdOptions/Net", "Aux"], &["/"]);
const UUIDS: Vocab<&str> = (&["00000000-0000-4000-8000-000000000000"], &[]);
const GENERIC: Vocab<&str> = (&["x", "alpha", "r0", "pool0"], &[""]);

/// Property keys with values that suit them, valid and not; each object accepts some of
/// them (`docs/controller-rules.md#property-whitelist`).
const PROPS: &[(&str, &[&str])] = &[
    (
        "StorPoolName",
        &[
            "drbdpool",
            "drbdpool",
            "DfltStorPool",
            "pool0",
            "DfltDisklessStorPool",
            "p",
        ],
    ),
    ("Aux/site", &["a", "b"]),
    // The two above are accepted by most objects: drawn as often as all others together.
    ("/Aux//rack/", &["1"]),
    ("PeerSlots", &["7", "40"]),
    ("PeerSlotsNewResource", &["7"]),
    ("PrefNic", &["default", "eth1"]),
    ("MaxOversubscriptionRatio", &["2", "5000"]),
    ("TcpPortAutoRange", &["7000-7002", "9-3", "0-70000"]),
    ("MinorNrAutoRange", &["1000-1002", "5-1"]),
    ("StorDriver/LvmVg", &["vg0", "vg 0"]),
    ("StorDriver/ThinPool", &["thin"]),
    ("StorDriver/ZPool", &["tank"]),
    ("DrbdOptions/Net/protocol", &["C", "D"]),
    ("DrbdOptions/Resource/quorum", &["majority", "2"]),
    ("DrbdOptions/Disk/al-updates", &["yes", "NO"]),
    ("DrbdOptions/Proxy/memlimit", &["16777216"]),
    ("DrbdOptions/ProxyCompression/level", &["3", "10"]),
    ("DrbdProxy/CompressionType", &["zlib"]),
    ("AllowLargerVolumeSize", &["true"]),
    ("Paths/p1/alpha", &["default", "eth1"]),
    ("Paths/p1/bravo", &["default"]),
    ("CurStltConnName", &["default"]),
    ("Bogus/key", &["1"]),
];

/// Body fields the controller does not read in requests (output fields of shared
/// messages): never generated, so the bytes go to fields that matter.
const SKIPPED: &[&str] = &[
    "vlms",
    "static_traits",
    "free_space",
    "free_space_mgr_name",
    "connection_status",
    "rsc_dfn_down",
];

/// Every call but the watch calls (which act on a connection, not on the model), weighted:
/// calls that create objects four times, deletions, lists and the harmless calls once, the
/// others twice; so sequences build more than they tear down.
static CALLS: LazyLock<Vec<Call>> = LazyLock::new(|| {
    let mut calls = Vec::new();
    for &call in Call::ALL {
        let name = call.name();
        let weight = match call {
            Call::CrtWatch | Call::DelWatch => 0,
            Call::Ping
            | Call::Hostname
            | Call::ReqErrorReports
            | Call::ControlCtrl
            | Call::QryMaxVlmSize
            | Call::ReqRscConnList
            | Call::LostNode
            | Call::NodeReconnect => 1,
            Call::AutoPlaceRsc | Call::RestoreSnapshot | Call::RestoreVlmDfn => 4,
            _ if name.starts_with("Lst") || name.starts_with("Del") => 1,
            _ if name.starts_with("Crt") => 4,
            _ => 2,
        };
        calls.extend(std::iter::repeat_n(call, weight));
    }
    calls
});

/// Picks from a vocabulary: an odd value one time in ten (never for zero bytes).
fn pick<T: Copy>(u: &mut Unstructured<'_>, (usual, odd): Vocab<T>) -> arbitrary::Result<T> {
    if !odd.is_empty() && !u.ratio(9, 10)? {
        return Ok(*u.choose(odd)?);
    }
    Ok(*u.choose(usual)?)
}

/// Elements of a repeated field: mostly one; lists that narrow a call down (properties,
/// flags, placement constraints) three times in four none.
fn repeat_count(u: &mut Unstructured<'_>, field: &FieldDescriptor) -> arbitrary::Result<usize> {
    let name = field.name();
    let narrowing = name.ends_with("props")
        || name.ends_with("flags")
        || name.starts_with("replicas_on")
        || name.starts_with("not_place_with")
        || name == "delete_prop_keys";
    if narrowing && u.ratio(3, 4)? {
        return Ok(0);
    }
    Ok(*u.choose(&[1, 0, 1, 1, 2, 0, 3])?)
}

/// The next request from `u`; `Ok(None)` when the body the bytes made does not decode as
/// the call's request (an impossible combination, skipped).
///
/// # Errors
///
/// When `u` runs out in a way `arbitrary` reports (in practice it fills with zeros).
pub fn request(u: &mut Unstructured<'_>) -> arbitrary::Result<Option<Request>> {
    let call = *u.choose(&CALLS)?;
    let Some(kind) = call.request_kind() else {
        return Ok(Request::decode(call, None).ok());
    };
    // The `Option<Filter>` calls may come without a body.
    if matches!(call, Call::LstStorPool | Call::LstRsc | Call::LstVlm) && u.ratio(1, 3)? {
        return Ok(Request::decode(call, None).ok());
    }
    let body = message(u, &descriptor(kind.full_name()), 0)?;
    Ok(Request::decode(call, Some(&body.encode_to_vec())).ok())
}

/// A message of type `desc` with fields drawn from `u`.
fn message(
    u: &mut Unstructured<'_>,
    desc: &MessageDescriptor,
    depth: usize,
) -> arbitrary::Result<DynamicMessage> {
    let mut msg = DynamicMessage::new(desc.clone());
    if desc.name() == "LinStorMapEntry" {
        let common = u.ratio(1, 2)?;
        let (key, values) = *u.choose(if common { &PROPS[..2] } else { PROPS })?;
        let value = if u.ratio(3, 4)? {
            *u.choose(values)?
        } else {
            *u.choose(&PROP_VALUES)?
        };
        msg.set_field_by_name("key", Value::String(key.to_owned()));
        msg.set_field_by_name("value", Value::String(value.to_owned()));
        return Ok(msg);
    }
    for field in desc.fields() {
        if SKIPPED.contains(&field.name()) {
            continue;
        }
        let deep = depth >= MAX_DEPTH;
        match field.cardinality() {
            Cardinality::Required => {
                let v = value(u, desc, &field, depth)?;
                msg.set_field(&field, v);
            }
            Cardinality::Optional => {
                // UUIDs rarely (the zero bytes of a shrunk input leave them out).
                let present = if field.name().contains("uuid") {
                    !u.ratio(7, 8)?
                } else {
                    u.ratio(1, 2)?
                };
                if !deep && present {
                    let v = value(u, desc, &field, depth)?;
                    msg.set_field(&field, v);
                }
            }
            Cardinality::Repeated => {
                let n = if deep { 0 } else { repeat_count(u, &field)? };
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(value(u, desc, &field, depth)?);
                }
                if !items.is_empty() {
                    msg.set_field(&field, Value::List(items));
                }
            }
        }
    }
    Ok(msg)
}

/// One value of `field` (one element of a repeated field).
fn value(
    u: &mut Unstructured<'_>,
    parent: &MessageDescriptor,
    field: &FieldDescriptor,
    depth: usize,
) -> arbitrary::Result<Value> {
    let name = field.name();
    Ok(match field.kind() {
        Kind::Message(m) => Value::Message(message(u, &m, depth + 1)?),
        Kind::Enum(e) => {
            let numbers: Vec<i32> = e.values().map(|v| v.number()).collect();
            Value::EnumNumber(*u.choose(&numbers)?)
        }
        Kind::String => Value::String(pick(u, strings(parent.name(), name))?.to_owned()),
        Kind::Bool => Value::Bool(u.arbitrary()?),
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => Value::I32(pick(u, ints(name))?),
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => Value::I64(match name {
            "vlm_size" => pick(u, SIZES)?,
            _ => i64::from(pick(u, ints(name))?),
        }),
        Kind::Uint32 | Kind::Fixed32 => {
            Value::U32(u32::try_from(pick(u, ints(name))?).unwrap_or_default())
        }
        Kind::Uint64 | Kind::Fixed64 => Value::U64(u.int_in_range(0..=4)?),
        Kind::Float => Value::F32(0.0),
        Kind::Double => Value::F64(0.0),
        Kind::Bytes => Value::Bytes(bytes::Bytes::new()),
    })
}

/// The vocabulary of a string field, by its name (and its message's, for `name`).
fn strings(message: &str, field: &str) -> Vocab<&'static str> {
    match (message, field) {
        ("Node" | "MsgCrtSfTargetNode" | "RestoreNode", "name")
        | (
            _,
            "node_name" | "node_1_name" | "node_2_name" | "node_name_1" | "node_name_2"
            | "node_names" | "nodes" | "migrate_from",
        ) => NODES,
        ("Rsc", "name")
        | (
            _,
            "rsc_name" | "resource_names" | "from_resource_name" | "to_resource_name"
            | "not_place_with_rsc",
        ) => RSCS,
        ("NetInterface", "name") | (_, "net_if_name") => NET_IFS,
        (_, "stor_pool_name" | "stor_pool_names" | "storage_pool") => POOLS,
        (_, "snapshot_name" | "from_snapshot_name") => SNAPSHOTS,
        (_, "driver") => DRIVERS,
        ("Node", "type") | (_, "node_type") => NODE_TYPES,
        (_, "address") => ADDRESSES,
        (_, "stlt_encryption_type") => ENCRYPTION,
        (_, "key" | "delete_prop_keys") => (&PROP_KEYS, &[]),
        (_, "value") => (&PROP_VALUES, &[]),
        (_, "namespace") => NAMESPACES,
        (_, "instance_name") => KVS,
        (_, "command") => COMMANDS,
        (_, "compression_type") => COMPRESSION,
        (_, "rsc_dfn_transport_type") => TRANSPORTS,
        (_, "not_place_with_rsc_regex") => REGEXES,
        (_, "replicas_on_same" | "replicas_on_different") => REPLICAS,
        (_, f) if f.ends_with("flags") => FLAGS,
        (_, f) if f.contains("passphrase") => PASSPHRASES,
        (_, f) if f.contains("uuid") => UUIDS,
        _ => GENERIC,
    }
}

static PROP_KEYS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| PROPS.iter().map(|(k, _)| *k).collect());
static PROP_VALUES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| PROPS.iter().flat_map(|(_, v)| v.iter().copied()).collect());

/// The values of an integer field, by its name.
fn ints(field: &str) -> Vocab<i32> {
    match field {
        "vlm_nr" | "volume_number" => (&[0, 1, 2, 0], &[-1, 65535]),
        "vlm_minor" => (&[1000, 1001, 1002, 2000], &[-1, 1 << 21]),
        "rsc_dfn_port" | "port" | "stlt_port" => (&[7000, 7001, 7002, 3366], &[0, 70000]),
        "node_id" => (&[0, 1, 2, 31], &[32, -1]),
        "place_count" => (&[1, 2, 3, 2], &[0, 5]),
        _ => (&[0, 1, 2, 3], &[]),
    }
}

/// Volume sizes in KiB: small ones and the 1 TiB of a default pool; too small and too
/// large ones.
const SIZES: Vocab<i64> = (&[4, 1024, 4096, 1 << 20, 1 << 30], &[3, 1 << 41]);

/// A failed step of a call sequence: the calls applied so far and the broken invariant.
#[derive(Debug)]
pub struct StepFailure {
    /// Whether the model was seeded with the demo cluster.
    pub seeded: bool,
    /// The calls applied, the last one broke the invariant (empty: the start state).
    pub history: Vec<Request>,
    /// The broken invariant.
    pub error: InvariantError,
}

impl fmt::Display for StepFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let start = if self.seeded { "demo" } else { "fresh" };
        writeln!(
            f,
            "after {} call(s) on a {start} model: {}",
            self.history.len(),
            self.error
        )?;
        for (i, r) in self.history.iter().enumerate() {
            writeln!(f, "  {}: {r:?}", i + 1)?;
        }
        Ok(())
    }
}

/// Checks `model`, then applies up to `max_calls` requests generated from `u`, checking
/// the invariants after each; stops when `u` is used up. Returns the number of calls
/// applied.
///
/// # Errors
///
/// The first broken invariant, with the calls that led to it.
pub fn run(
    model: &mut Model,
    seeded: bool,
    u: &mut Unstructured<'_>,
    max_calls: usize,
) -> Result<usize, Box<StepFailure>> {
    let mut history = Vec::new();
    let fail = |history: &[Request], error| {
        Box::new(StepFailure {
            seeded,
            history: history.to_vec(),
            error,
        })
    };
    model.check_invariants().map_err(|e| fail(&history, e))?;
    while history.len() < max_calls && !u.is_empty() {
        let Ok(next) = request(u) else { break };
        let Some(request) = next else { continue };
        history.push(request.clone());
        model.apply(request);
        model.check_invariants().map_err(|e| fail(&history, e))?;
    }
    Ok(history.len())
}

/// The check of the `model_calls` fuzz target: the first byte chooses a fresh or a
/// demo-seeded model (`Model::seed_demo`), the rest up to [`MAX_CALLS`] calls. Returns
/// the number of calls applied.
///
/// # Panics
///
/// When an invariant breaks: a model bug.
pub fn model_calls(data: &[u8]) -> usize {
    let mut u = Unstructured::new(data);
    let seeded = u.arbitrary::<u8>().is_ok_and(|b| b & 1 == 1);
    let mut model = Model::default();
    if seeded {
        model.seed_demo();
    }
    match run(&mut model, seeded, &mut u, MAX_CALLS) {
        Ok(calls) => calls,
        Err(failure) => panic!("model invariant broken {failure}"),
    }
}
