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

use linstor_proto::calls::{self, ApiCall, answers};
use linstor_proto::consts::names as special;
use linstor_proto::messages::{LinStorMapEntry, MsgApiCallResponse};
use linstor_proto::return_code::{Object, Operation};
use linstor_proto::{Body, ReturnCode};

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

    /// Applies one API call. `body` is the request body decoded as the call table names it
    /// (`None` when the request had none).
    pub fn apply(&mut self, call: &ApiCall, body: Option<Body>) -> Outcome {
        use Body as B;
        let name = call.name;
        macro_rules! on {
            ($konst:path, $variant:ident, $handler:expr) => {
                if name == $konst.name {
                    return match body {
                        Some(B::$variant(m)) => $handler(self, m),
                        _ => missing_body(name),
                    };
                }
            };
        }
        // Calls whose body is an optional Filter (absent = no filter).
        if name == calls::LST_STOR_POOL.name
            || name == calls::LST_RSC.name
            || name == calls::LST_VLM.name
        {
            let filter = match body {
                Some(B::Filter(f)) => f,
                _ => Default::default(),
            };
            return if name == calls::LST_STOR_POOL.name {
                self.lst_stor_pool(filter)
            } else if name == calls::LST_RSC.name {
                self.lst_rsc(filter)
            } else {
                self.lst_vlm(filter)
            };
        }
        if name == calls::LST_NODE.name {
            return self.lst_node();
        }
        if name == calls::LST_STOR_POOL_DFN.name {
            return self.lst_stor_pool_dfn();
        }
        if name == calls::LST_RSC_DFN.name {
            return self.lst_rsc_dfn();
        }
        if name == calls::LST_CFG_VAL.name {
            return self.lst_cfg_val();
        }
        if name == calls::LST_SNAPSHOT_DFN.name {
            return self.lst_snapshot_dfn();
        }
        on!(calls::CRT_NODE, MsgCrtNode, Model::crt_node);
        on!(
            calls::CRT_SF_TARGET_NODE,
            MsgCrtSfTargetNode,
            Model::crt_sf_target_node
        );
        on!(calls::MOD_NODE, MsgModNode, Model::mod_node);
        on!(calls::DEL_NODE, MsgDelNode, |m: &mut Model, b| m
            .del_node(b, false));
        on!(calls::LOST_NODE, MsgDelNode, |m: &mut Model, b| m
            .del_node(b, true));
        on!(
            calls::NODE_RECONNECT,
            MsgNodeReconnect,
            Model::node_reconnect
        );
        on!(calls::CRT_NET_IF, MsgCrtNetInterface, Model::crt_net_if);
        on!(calls::MOD_NET_IF, MsgModNetInterface, Model::mod_net_if);
        on!(calls::DEL_NET_IF, MsgDelNetInterface, Model::del_net_if);
        on!(
            calls::CRT_STOR_POOL_DFN,
            MsgCrtStorPoolDfn,
            Model::crt_stor_pool_dfn
        );
        on!(
            calls::MOD_STOR_POOL_DFN,
            MsgModStorPoolDfn,
            Model::mod_stor_pool_dfn
        );
        on!(
            calls::DEL_STOR_POOL_DFN,
            MsgDelStorPoolDfn,
            Model::del_stor_pool_dfn
        );
        on!(
            calls::QRY_MAX_VLM_SIZE,
            MsgQryMaxVlmSizes,
            Model::qry_max_vlm_size
        );
        on!(calls::CRT_STOR_POOL, MsgCrtStorPool, Model::crt_stor_pool);
        on!(calls::MOD_STOR_POOL, MsgModStorPool, Model::mod_stor_pool);
        on!(calls::DEL_STOR_POOL, MsgDelStorPool, Model::del_stor_pool);
        on!(calls::CRT_RSC_DFN, MsgCrtRscDfn, Model::crt_rsc_dfn);
        on!(calls::MOD_RSC_DFN, MsgModRscDfn, Model::mod_rsc_dfn);
        on!(calls::DEL_RSC_DFN, MsgDelRscDfn, Model::del_rsc_dfn);
        on!(calls::CRT_VLM_DFN, MsgCrtVlmDfn, Model::crt_vlm_dfn);
        on!(calls::MOD_VLM_DFN, MsgModVlmDfn, Model::mod_vlm_dfn);
        on!(calls::DEL_VLM_DFN, MsgDelVlmDfn, Model::del_vlm_dfn);
        on!(calls::CRT_RSC, MsgCrtRsc, Model::crt_rsc);
        on!(
            calls::AUTO_PLACE_RSC,
            MsgAutoPlaceRsc,
            Model::auto_place_rsc
        );
        on!(calls::MOD_RSC, MsgModRsc, Model::mod_rsc);
        on!(calls::DEL_RSC, MsgDelRsc, Model::del_rsc);
        on!(calls::TOGGLE_DISK, MsgToggleDisk, Model::toggle_disk);
        on!(calls::SET_CFG_VAL, MsgSetCtrlCfgProp, Model::set_cfg_val);
        on!(calls::DEL_CFG_VAL, MsgDelCtrlCfgProp, Model::del_cfg_val);
        on!(calls::CONTROL_CTRL, MsgControlCtrl, Model::control_ctrl);
        on!(
            calls::CRT_CRYPT_PASS,
            MsgCrtCryptPassphrase,
            Model::crt_crypt_pass
        );
        on!(
            calls::ENTER_CRYPT_PASS,
            MsgEnterCryptPassphrase,
            Model::enter_crypt_pass
        );
        on!(
            calls::MOD_CRYPT_PASS,
            MsgModCryptPassphrase,
            Model::mod_crypt_pass
        );
        on!(calls::MOD_RSC_CONN, MsgModRscConn, Model::mod_rsc_conn);
        on!(
            calls::REQ_RSC_CONN_LIST,
            MsgReqRscConn,
            Model::req_rsc_conn_list
        );
        on!(
            calls::ENABLE_DRBD_PROXY,
            MsgEnableDrbdProxy,
            Model::enable_drbd_proxy
        );
        on!(
            calls::DISABLE_DRBD_PROXY,
            MsgDisableDrbdProxy,
            Model::disable_drbd_proxy
        );
        on!(
            calls::MOD_DRBD_PROXY,
            MsgModDrbdProxy,
            Model::mod_drbd_proxy
        );
        on!(calls::CRT_SNAPSHOT, MsgCrtSnapshot, Model::crt_snapshot);
        on!(
            calls::RESTORE_VLM_DFN,
            MsgRestoreSnapshotVlmDfn,
            Model::restore_vlm_dfn
        );
        on!(
            calls::RESTORE_SNAPSHOT,
            MsgRestoreSnapshotRsc,
            Model::restore_snapshot
        );
        on!(calls::DEL_SNAPSHOT, MsgDelSnapshot, Model::del_snapshot);
        on!(
            calls::ROLLBACK_SNAPSHOT,
            MsgRollbackSnapshot,
            Model::rollback_snapshot
        );
        on!(
            calls::REQ_ERROR_REPORTS,
            MsgReqErrorReport,
            Model::req_error_reports
        );
        on!(calls::MOD_KVS_PROPS, MsgModKvsProps, Model::mod_kvs_props);
        on!(calls::LST_KVS_PROPS, MsgLstKvsProps, Model::lst_kvs_props);
        // Ping, the watch calls (connection state) and Hostname (satellites only) are the
        // server's; anything else is unknown here.
        unknown_call(name)
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

/// The answer to a call whose required body was absent (framing.md §11): a Reply with
/// `FAIL_UNKNOWN_ERROR`; the controller may omit EOIA here, the mock does not.
fn missing_body(call: &str) -> Outcome {
    Outcome::one(MsgApiCallResponse {
        ret_code: ReturnCode::FAIL_UNKNOWN_ERROR.0,
        message: "Failed with unhandled error".into(),
        details: Some(format!("In API call '{call}'.")),
        ..Default::default()
    })
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
    /// Parse-error answer with a fresh error-report id.
    pub fn parse_error(&mut self, call: &str, cause: String) -> Outcome {
        let id = self.report_id();
        parse_error(call, cause, id)
    }
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
