//! The controller's in-memory model: pure state plus the rules of every API call
//! (semantics.md). [`Model::apply`] is a function of the state and one request; it returns
//! the answers (immediate ones, before `EndOfImmediateAnswers`, and deferred ones) and the
//! event-stream changes the call caused. No I/O happens here.

// Handlers return the controller's error entry as `Err`: a rare path, and the entry is the
// answer itself, so it is not boxed.
#![allow(clippy::result_large_err)]

mod controller;
mod events;
mod nodes;
mod props;
mod reply;
mod resources;
mod snapshots;
mod storage;

pub(crate) mod names;

use std::collections::BTreeMap;

use linstor_proto::calls::answers;
use linstor_proto::consts::names as special;
use linstor_proto::messages::{LinStorMapEntry, MsgApiCallResponse};
use linstor_proto::return_code::{Object, Operation};
use linstor_proto::{Body, Call, Request, RequestError, ReturnCode};

pub use events::{EventData, StreamAction, StreamEvent, StreamKey, StreamKind, WatchFilter};

use reply::Ctx;

/// One ANSWER frame: a content name and its body messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// `MsgHeader.msg_content`, e.g. `Reply` or `LstNode`.
    pub content: &'static str,
    /// Body messages (for `Reply`: `MsgApiCallResponse` entries).
    pub bodies: Vec<Body>,
}

impl Answer {
    /// A `Reply` frame holding `entries`.
    pub fn reply(entries: Vec<MsgApiCallResponse>) -> Answer {
        Answer {
            content: answers::REPLY,
            bodies: entries.into_iter().map(Body::from).collect(),
        }
    }

    /// A list answer holding one message.
    pub fn list(content: &'static str, body: impl Into<Body>) -> Answer {
        Answer {
            content,
            bodies: vec![body.into()],
        }
    }

    /// The `MsgApiCallResponse` entries of a `Reply` (empty for other answers).
    pub fn entries(&self) -> impl Iterator<Item = &MsgApiCallResponse> {
        self.bodies.iter().filter_map(|b| match b {
            Body::MsgApiCallResponse(e) => Some(e),
            _ => None,
        })
    }
}

/// What one call produced.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Outcome {
    /// Answers sent before `EndOfImmediateAnswers`.
    pub immediate: Vec<Answer>,
    /// Answers sent after `EndOfImmediateAnswers` (the satellites' part).
    pub deferred: Vec<Answer>,
    /// Event streams that changed, in order.
    pub events: Vec<StreamEvent>,
    /// Whether the model changed (for persistence).
    pub changed: bool,
}

impl Outcome {
    fn reply(entries: Vec<MsgApiCallResponse>) -> Outcome {
        Outcome {
            immediate: vec![Answer::reply(entries)],
            ..Outcome::default()
        }
    }

    fn one(entry: MsgApiCallResponse) -> Outcome {
        Outcome::reply(vec![entry])
    }

    fn list(content: &'static str, body: impl Into<Body>) -> Outcome {
        Outcome {
            immediate: vec![Answer::list(content, body)],
            ..Outcome::default()
        }
    }

    fn changed(mut self) -> Outcome {
        self.changed = true;
        self
    }

    fn deferred(mut self, entries: Vec<MsgApiCallResponse>) -> Outcome {
        if !entries.is_empty() {
            self.deferred.push(Answer::reply(entries));
        }
        self
    }

    /// Every entry of every Reply, immediate first.
    pub fn entries(&self) -> impl Iterator<Item = &MsgApiCallResponse> {
        self.immediate
            .iter()
            .chain(&self.deferred)
            .flat_map(Answer::entries)
    }
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

/// Properties: a sorted map, as the controller lists them.
pub(crate) type Props = BTreeMap<String, String>;

pub(crate) fn props_to_wire(props: &Props) -> Vec<LinStorMapEntry> {
    props.iter().map(|(k, v)| reply::map_entry(k, v)).collect()
}

/// The whole controller state. It serializes (for the state file) without the event
/// streams, which follow from the resources.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Model {
    pub(crate) config: ModelConfig,
    pub(crate) nodes: BTreeMap<String, nodes::Node>,
    pub(crate) spds: BTreeMap<String, storage::StorPoolDfn>,
    /// Keyed by (node key, pool key).
    #[serde(with = "pairs")]
    pub(crate) pools: BTreeMap<(String, String), storage::StorPool>,
    pub(crate) rsc_dfns: BTreeMap<String, resources::RscDfn>,
    /// Keyed by (resource key, node key).
    #[serde(with = "pairs")]
    pub(crate) rscs: BTreeMap<(String, String), resources::Rsc>,
    #[serde(with = "pairs")]
    pub(crate) rsc_conns: BTreeMap<(String, String, String), controller::RscConn>,
    pub(crate) ctrl_props: Props,
    pub(crate) kvs: BTreeMap<String, Props>,
    pub(crate) passphrase: Option<String>,
    #[serde(skip)]
    pub(crate) streams: BTreeMap<StreamKey, EventData>,
    next_id: u64,
    next_report: u64,
    pub(crate) next_snapshot_seq: u64,
}

impl Default for Model {
    fn default() -> Self {
        Model::new(ModelConfig::default())
    }
}

/// The 27 connector properties of a fresh controller (semantics.md §19), sorted.
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
    /// A fresh controller (semantics.md §19): the two default storage pool definitions and
    /// the connector properties, nothing else.
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
            streams: BTreeMap::new(),
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
                storage::StorPoolDfn {
                    uuid: uuid.to_owned(),
                    name: name.to_owned(),
                    props: Props::new(),
                },
            );
        }
        model
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

    /// Applies one API call: the rules of the 2019 controller for it (`docs/controller-rules.md`).
    /// A synchronous call (see [`Call::is_async`]) answers everything before
    /// `EndOfImmediateAnswers`.
    ///
    /// The watch calls act on a connection's watches, which the server keeps; here they
    /// answer as an unknown call would.
    pub fn apply(&mut self, request: Request) -> Outcome {
        use Request as R;
        let call = request.call();
        let mut outcome = match request {
            R::Ping => Outcome {
                immediate: vec![Answer {
                    content: answers::PONG,
                    bodies: vec![],
                }],
                ..Outcome::default()
            },
            R::CrtNode(m) => self.crt_node(m),
            R::CrtSfTargetNode(m) => self.crt_sf_target_node(m),
            R::ModNode(m) => self.mod_node(m),
            R::DelNode(m) => self.del_node(m, false),
            R::LostNode(m) => self.del_node(m, true),
            R::NodeReconnect(m) => self.node_reconnect(m),
            R::CrtNetIf(m) => self.crt_net_if(m),
            R::ModNetIf(m) => self.mod_net_if(m),
            R::DelNetIf(m) => self.del_net_if(m),
            R::LstNode => self.lst_node(),
            R::CrtStorPoolDfn(m) => self.crt_stor_pool_dfn(m),
            R::ModStorPoolDfn(m) => self.mod_stor_pool_dfn(m),
            R::DelStorPoolDfn(m) => self.del_stor_pool_dfn(m),
            R::LstStorPoolDfn => self.lst_stor_pool_dfn(),
            R::QryMaxVlmSize(m) => self.qry_max_vlm_size(m),
            R::CrtStorPool(m) => self.crt_stor_pool(m),
            R::ModStorPool(m) => self.mod_stor_pool(m),
            R::DelStorPool(m) => self.del_stor_pool(m),
            R::LstStorPool(filter) => self.lst_stor_pool(filter.unwrap_or_default()),
            R::CrtRscDfn(m) => self.crt_rsc_dfn(m),
            R::ModRscDfn(m) => self.mod_rsc_dfn(m),
            R::DelRscDfn(m) => self.del_rsc_dfn(m),
            R::LstRscDfn => self.lst_rsc_dfn(),
            R::CrtVlmDfn(m) => self.crt_vlm_dfn(m),
            R::ModVlmDfn(m) => self.mod_vlm_dfn(m),
            R::DelVlmDfn(m) => self.del_vlm_dfn(m),
            R::CrtRsc(m) => self.crt_rsc(m),
            R::AutoPlaceRsc(m) => self.auto_place_rsc(m),
            R::ModRsc(m) => self.mod_rsc(m),
            R::DelRsc(m) => self.del_rsc(m),
            R::LstRsc(filter) => self.lst_rsc(filter.unwrap_or_default()),
            R::LstVlm(filter) => self.lst_vlm(filter.unwrap_or_default()),
            R::ToggleDisk(m) => self.toggle_disk(m),
            R::LstCfgVal => self.lst_cfg_val(),
            R::SetCfgVal(m) => self.set_cfg_val(m),
            R::DelCfgVal(m) => self.del_cfg_val(m),
            R::ControlCtrl(m) => self.control_ctrl(m),
            R::CrtWatch(_) | R::DelWatch(_) => unknown_call(call.name()),
            R::CrtCryptPass(m) => self.crt_crypt_pass(m),
            R::EnterCryptPass(m) => self.enter_crypt_pass(m),
            R::ModCryptPass(m) => self.mod_crypt_pass(m),
            R::ModRscConn(m) => self.mod_rsc_conn(m),
            R::ReqRscConnList(m) => self.req_rsc_conn_list(m),
            R::EnableDrbdProxy(m) => self.enable_drbd_proxy(m),
            R::DisableDrbdProxy(m) => self.disable_drbd_proxy(m),
            R::ModifyDrbdProxy(m) => self.mod_drbd_proxy(m),
            R::CrtSnapshot(m) => self.crt_snapshot(m),
            R::RestoreVlmDfn(m) => self.restore_vlm_dfn(m),
            R::RestoreSnapshot(m) => self.restore_snapshot(m),
            R::DelSnapshot(m) => self.del_snapshot(m),
            R::RollbackSnapshot(m) => self.rollback_snapshot(m),
            R::LstSnapshotDfn => self.lst_snapshot_dfn(),
            R::ReqErrorReports(m) => self.req_error_reports(m),
            R::ModifyKvsProps(m) => self.mod_kvs_props(m),
            R::LstKvsProps(m) => self.lst_kvs_props(m),
            // Satellites answer `Hostname`; the controller does not know it.
            R::Hostname => unknown_call(call.name()),
        };
        if !call.is_async() {
            let deferred = std::mem::take(&mut outcome.deferred);
            outcome.immediate.extend(deferred);
        }
        outcome
    }

    /// Looks up a node by case-insensitive name.
    pub(crate) fn node(&self, name: &str) -> Option<&nodes::Node> {
        self.nodes.get(&names::key(name))
    }

    /// The latest value of every open event stream.
    pub fn streams(&self) -> impl Iterator<Item = (&StreamKey, &EventData)> {
        self.streams.iter()
    }

    /// Seeds the demo cluster: satellites `alpha`, `bravo`, `charlie` on 127.0.0.1-3, each
    /// with an LVM-thin storage pool `drbdpool` (volume group `drbdpool`, thin pool
    /// `thinpool`).
    pub fn seed_demo(&mut self) {
        use linstor_proto::messages::{MsgCrtNode, MsgCrtStorPool, NetInterface, Node, StorPool};
        for (i, name) in ["alpha", "bravo", "charlie"].into_iter().enumerate() {
            let node = Node {
                name: name.to_owned(),
                r#type: "Satellite".to_owned(),
                net_interfaces: vec![NetInterface {
                    name: special::DEFAULT_NET_IF.to_owned(),
                    address: format!("127.0.0.{}", i + 1),
                    stlt_port: Some(i32::from(linstor_proto::consts::ports::STLT_PLAIN)),
                    stlt_encryption_type: Some("Plain".to_owned()),
                    ..Default::default()
                }],
                ..Default::default()
            };
            self.crt_node(MsgCrtNode { node });
            let pool = StorPool {
                node_name: name.to_owned(),
                stor_pool_name: "drbdpool".to_owned(),
                driver: linstor_proto::consts::drivers::LVM_THIN.to_owned(),
                props: vec![
                    reply::map_entry(linstor_proto::consts::keys::STOR_DRIVER_LVM_VG, "drbdpool"),
                    reply::map_entry(
                        linstor_proto::consts::keys::STOR_DRIVER_THIN_POOL,
                        "thinpool",
                    ),
                ],
                ..Default::default()
            };
            self.crt_stor_pool(MsgCrtStorPool { stor_pool: pool });
        }
    }

    /// Records that the TLS connector runs: `defaultSslConSvc` becomes `SslConnector`
    /// (semantics.md §19).
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

/// The controller's answer to an API name it has no handler for.
pub fn unknown_call(call: &str) -> Outcome {
    Outcome::one(MsgApiCallResponse {
        ret_code: ReturnCode::UNKNOWN_API_CALL.0,
        message: "The requested function call cannot be executed.".into(),
        details: Some(format!("The requested function call name was '{call}'.")),
        ..Default::default()
    })
}

/// The controller's answer to a body that does not parse or lacks required fields.
pub fn parse_error(call: &str, cause: String, report_id: String) -> Outcome {
    Outcome::one(MsgApiCallResponse {
        ret_code: ReturnCode::API_CALL_PARSE_ERROR.0,
        message: "Controller couldn't parse message.".into(),
        cause: Some(cause),
        details: Some(format!("The request was: '{call}'.")),
        error_report_ids: vec![report_id],
        ..Default::default()
    })
}

impl Model {
    /// The controller's answer to a request that did not decode
    /// (`docs/framing.md#malformed-input`): an unknown call name, a missing body
    /// (`FAIL_UNKNOWN_ERROR`), or a body that does not parse (`API_CALL_PARSE_ERROR`, with
    /// a fresh error-report id).
    pub fn reject(&mut self, error: &RequestError) -> Outcome {
        match error {
            RequestError::UnknownCall(name) => unknown_call(name),
            RequestError::MissingBody { call } => missing_body(*call),
            _ => {
                let id = self.report_id();
                let call = error.call().map_or("", Call::name);
                parse_error(call, error.to_string(), id)
            }
        }
    }
}

/// The answer to a call whose required body was absent: a Reply with
/// `FAIL_UNKNOWN_ERROR`; the controller may omit EOIA here, the mock does not.
fn missing_body(call: Call) -> Outcome {
    Outcome::one(MsgApiCallResponse {
        ret_code: ReturnCode::FAIL_UNKNOWN_ERROR.0,
        message: "Failed with unhandled error".into(),
        details: Some(format!("In API call '{call}'.")),
        ..Default::default()
    })
}

impl Model {
    /// The standard "not found" error entry (semantics.md §1.4), with an error-report id.
    pub(crate) fn not_found(
        &mut self,
        ctx: &Ctx,
        code: ReturnCode,
        message: String,
        cause: String,
    ) -> MsgApiCallResponse {
        let id = self.report_id();
        ctx.problem(code, message)
            .cause(cause)
            .correction("Check the name and create the object first if necessary.")
            .report(id)
            .0
    }

    /// `FAIL_NOT_FOUND_NODE` for `name`.
    pub(crate) fn node_not_found(&mut self, ctx: &Ctx, name: &str) -> MsgApiCallResponse {
        self.not_found(
            ctx,
            ReturnCode::FAIL_NOT_FOUND_NODE,
            format!("Node '{name}' not found."),
            format!("The specified node '{name}' could not be found in the database"),
        )
    }
}

/// Shared `Ctx` shortcuts.
pub(crate) fn ctx(op: Operation, obj: Object, context: impl Into<String>) -> Ctx {
    Ctx::new(op, obj, context)
}
