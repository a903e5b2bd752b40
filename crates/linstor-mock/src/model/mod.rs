//! The controller's in-memory model: pure state plus the rules of every API call
//! (`docs/controller-rules.md`). [`Model::apply`] is a function of the state and one request;
//! it returns the answers (immediate ones, before `EndOfImmediateAnswers`, and deferred ones)
//! and the event-stream changes the call caused. No I/O happens here.
//!
//! Where things live:
//!
//! * one file per call family: `nodes.rs`, `net_interfaces.rs`, `storage_pool_dfns.rs`,
//!   `storage_pools.rs`, `resource_dfns.rs`, `volume_dfns.rs`, `resources.rs` (with ToggleDisk
//!   and the lists), `placement.rs` (AutoPlaceRsc, QryMaxVlmSize), `snapshots.rs`,
//!   `controller.rs` (properties, shutdown, crypt, error reports), `connections.rs` (resource
//!   connections, DRBD proxy), `kvs.rs`; `cluster.rs` holds what scenarios change (satellites
//!   offline, disk states, resyncs, pool capacity; `docs/scenarios.md`);
//! * below them, what several families share: `state.rs` (the `Model` and every object it
//!   holds), `props.rs` (the property whitelist), `reply.rs` (building answer entries,
//!   `Problem`), `names.rs`, `events.rs` (event streams), `deploy.rs` (pool
//!   resolution, creating volume definitions and resources), `candidates.rs` (the auto-place
//!   candidate search) and `wire.rs` (nodes and volumes in list answers). Family files use
//!   these and never each other.
//!
//! Every fallible handler returns `Result<Outcome, Problem>`: a guard that fails stops the
//! call with `?`, and `apply` turns the problem into the answer, attaching a fresh
//! error-report id when the controller logs one.

// A `Problem` is the answer entry itself (a few hundred bytes) and a rare path, so it is not
// boxed.
#![allow(clippy::result_large_err)]

mod candidates;
mod cluster;
mod connections;
mod controller;
mod deploy;
mod events;
mod invariants;
mod kvs;
mod net_interfaces;
mod nodes;
mod numbers;
mod placement;
mod props;
mod reply;
mod resource_dfns;
mod resources;
mod snapshots;
mod state;
mod storage_pool_dfns;
mod storage_pools;
#[cfg(test)]
mod test_support;
mod volume_dfns;
mod wire;

pub(crate) mod names;

use linstor_proto::calls::answers;
use linstor_proto::consts::names as special;
use linstor_proto::messages::MsgApiCallResponse;
use linstor_proto::{Call, Request, RequestError, ReturnCode};

pub use cluster::{
    ClusterError, DiskState, MAX_RESYNC_RULES, PoolCapacity, Resync, ResyncRule, UnknownDiskState,
};
pub use events::{EventData, StreamAction, StreamEvent, StreamKey, StreamKind, WatchFilter};
pub use invariants::{Invariant, InvariantError};
pub use reply::{Answer, EncodedAnswer, Outcome, RawMessage};
pub use state::{Model, ModelConfig};

impl Model {
    /// The answers of a list call that can be encoded as its list is walked, without
    /// holding the list as messages: `LstRsc` and `LstVlm` (a valid filter), the same bytes
    /// as [`Model::apply`]'s answers encoded, in time linear in the number of resources.
    /// `None` for any other request, which [`Model::apply`] answers. The server answers
    /// these calls so.
    ///
    /// ```
    /// use linstor_mock::model::EncodedAnswer;
    /// use linstor_mock::{Model, ModelConfig};
    /// use linstor_proto::Request;
    ///
    /// let mut model = Model::new(ModelConfig::default());
    /// model.seed_demo();
    /// let encoded = model.encode_list(&Request::LstRsc(None)).unwrap();
    /// let typed: Vec<EncodedAnswer> = model
    ///     .apply(Request::LstRsc(None))
    ///     .immediate
    ///     .iter()
    ///     .map(EncodedAnswer::of)
    ///     .collect();
    /// assert_eq!(encoded, typed);
    /// assert!(model.encode_list(&Request::LstNode).is_none());
    /// ```
    pub fn encode_list(&self, request: &Request) -> Option<Vec<EncodedAnswer>> {
        self.encode_rsc_list(request)
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
        let result = match request {
            R::Ping => Ok(Outcome {
                immediate: vec![Answer {
                    content: answers::PONG,
                    bodies: vec![],
                }],
                ..Outcome::default()
            }),
            R::CrtNode(m) => self.crt_node(m),
            R::CrtSfTargetNode(m) => self.crt_sf_target_node(m),
            R::ModNode(m) => self.mod_node(m),
            R::DelNode(m) => self.del_node(m, false),
            R::LostNode(m) => self.del_node(m, true),
            R::NodeReconnect(m) => self.node_reconnect(m),
            R::CrtNetIf(m) => self.crt_net_if(m),
            R::ModNetIf(m) => self.mod_net_if(m),
            R::DelNetIf(m) => self.del_net_if(m),
            R::LstNode => Ok(self.lst_node()),
            R::CrtStorPoolDfn(m) => self.crt_stor_pool_dfn(m),
            R::ModStorPoolDfn(m) => self.mod_stor_pool_dfn(m),
            R::DelStorPoolDfn(m) => self.del_stor_pool_dfn(m),
            R::LstStorPoolDfn => Ok(self.lst_stor_pool_dfn()),
            R::QryMaxVlmSize(m) => self.qry_max_vlm_size(m),
            R::CrtStorPool(m) => self.crt_stor_pool(m),
            R::ModStorPool(m) => self.mod_stor_pool(m),
            R::DelStorPool(m) => self.del_stor_pool(m),
            R::LstStorPool(filter) => self.lst_stor_pool(filter.unwrap_or_default()),
            R::CrtRscDfn(m) => self.crt_rsc_dfn(m),
            R::ModRscDfn(m) => self.mod_rsc_dfn(m),
            R::DelRscDfn(m) => self.del_rsc_dfn(m),
            R::LstRscDfn => Ok(self.lst_rsc_dfn()),
            R::CrtVlmDfn(m) => self.crt_vlm_dfn(m),
            R::ModVlmDfn(m) => self.mod_vlm_dfn(m),
            R::DelVlmDfn(m) => self.del_vlm_dfn(m),
            R::CrtRsc(m) => self.crt_rsc(m),
            R::AutoPlaceRsc(m) => self.auto_place_rsc(m),
            R::ModRsc(m) => self.mod_rsc(m),
            R::DelRsc(m) => self.del_rsc(m),
            R::LstRsc(filter) => Ok(self.lst_rsc(filter.unwrap_or_default())),
            R::LstVlm(filter) => self.lst_vlm(filter.unwrap_or_default()),
            R::ToggleDisk(m) => self.toggle_disk(m),
            R::LstCfgVal => Ok(self.lst_cfg_val()),
            R::SetCfgVal(m) => self.set_cfg_val(m),
            R::DelCfgVal(m) => Ok(self.del_cfg_val(m)),
            R::ControlCtrl(m) => self.control_ctrl(m),
            R::CrtWatch(_) | R::DelWatch(_) => Ok(unknown_call(call.name())),
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
            R::LstSnapshotDfn => Ok(self.lst_snapshot_dfn()),
            R::ReqErrorReports(m) => Ok(self.req_error_reports(m)),
            R::ModifyKvsProps(m) => self.mod_kvs_props(m),
            R::LstKvsProps(m) => Ok(self.lst_kvs_props(m)),
            // Satellites answer `Hostname`; the controller does not know it.
            R::Hostname => Ok(unknown_call(call.name())),
        };
        // A call that stopped answers its problem alone, with an error-report id when the
        // controller logs it.
        let mut outcome = result.unwrap_or_else(|problem| Outcome::one(self.answer(problem)));
        if !call.is_async() {
            let deferred = std::mem::take(&mut outcome.deferred);
            outcome.immediate.extend(deferred);
        }
        outcome
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
            let created = self.crt_node(MsgCrtNode { node });
            debug_assert!(created.is_ok(), "demo node {name}");
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
            let created = self.crt_stor_pool(MsgCrtStorPool { stor_pool: pool });
            debug_assert!(created.is_ok(), "demo pool on {name}");
        }
    }
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

/// The answer to a call whose change could not be saved to the state file: the change is not
/// acknowledged (`FAIL_UNKNOWN_ERROR` with the cause), although the memory model has it.
pub fn save_failed(call: Call, error: &dyn std::error::Error) -> Outcome {
    Outcome::one(MsgApiCallResponse {
        ret_code: ReturnCode::FAIL_UNKNOWN_ERROR.0,
        message: format!("The change could not be saved to the state file: {error}"),
        cause: Some(error.to_string()),
        details: Some(format!("In API call '{call}'.")),
        ..Default::default()
    })
}
