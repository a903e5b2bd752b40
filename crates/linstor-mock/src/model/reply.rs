//! Building `MsgApiCallResponse` entries the way the controller does: the call's operation
//! and object masks added where those bit groups are still zero, object references, the
//! context description appended to the details of errors and warnings, and an error-report
//! id for logged failures.

use bytes::{BufMut, Bytes, BytesMut};
use linstor_proto::calls::answers;
use linstor_proto::consts::keys::obj_refs;
use linstor_proto::messages::{LinStorMapEntry, MsgApiCallResponse};
use linstor_proto::return_code::{MASK_BITS_OBJ, MASK_BITS_OP, Object, Operation, Severity};
use linstor_proto::{Body, ReturnCode, WireMessage};

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

/// One ANSWER frame already encoded: what a connection writes for a list call and what
/// its list cache keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodedAnswer {
    /// `MsgHeader.msg_content`, e.g. `LstRsc`.
    pub content: &'static str,
    /// Body messages, encoded.
    pub bodies: Vec<RawMessage>,
}

impl EncodedAnswer {
    /// `answer`, each body encoded once.
    pub fn of(answer: &Answer) -> EncodedAnswer {
        EncodedAnswer {
            content: answer.content,
            bodies: answer
                .bodies
                .iter()
                .map(|b| RawMessage::encode(b))
                .collect(),
        }
    }
}

/// A body message already encoded (without its length delimiter).
#[derive(Debug, Clone, PartialEq)]
pub struct RawMessage(pub Bytes);

impl RawMessage {
    /// Encodes `message` once.
    pub fn encode(message: &dyn WireMessage) -> RawMessage {
        let mut buf = BytesMut::with_capacity(message.wire_len());
        message.write_wire(&mut buf);
        RawMessage(buf.freeze())
    }
}

impl WireMessage for RawMessage {
    fn wire_len(&self) -> usize {
        self.0.len()
    }
    fn write_wire(&self, buf: &mut BytesMut) {
        buf.put_slice(&self.0);
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
    pub events: Vec<super::events::StreamEvent>,
    /// Whether the model changed (for persistence).
    pub changed: bool,
}

impl Outcome {
    pub(crate) fn reply(entries: Vec<MsgApiCallResponse>) -> Outcome {
        Outcome {
            immediate: vec![Answer::reply(entries)],
            ..Outcome::default()
        }
    }

    pub(crate) fn one(entry: MsgApiCallResponse) -> Outcome {
        Outcome::reply(vec![entry])
    }

    pub(crate) fn list(content: &'static str, body: impl Into<Body>) -> Outcome {
        Outcome {
            immediate: vec![Answer::list(content, body)],
            ..Outcome::default()
        }
    }

    pub(crate) fn changed(mut self) -> Outcome {
        self.changed = true;
        self
    }

    pub(crate) fn deferred(mut self, entries: Vec<MsgApiCallResponse>) -> Outcome {
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

/// The context of one call: masks, object references and the context description.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    op: Operation,
    obj: Option<Object>,
    refs: Vec<(&'static str, String)>,
    context: String,
}

impl Ctx {
    pub(crate) fn new(op: Operation, obj: Object, context: impl Into<String>) -> Ctx {
        Ctx {
            op,
            obj: Some(obj),
            refs: Vec::new(),
            context: context.into(),
        }
    }

    pub(crate) fn with_ref(mut self, key: &'static str, value: impl Into<String>) -> Ctx {
        self.refs.push((key, value.into()));
        self
    }

    pub(crate) fn rc(&self, code: ReturnCode) -> u64 {
        let mut v = code.0;
        if v & MASK_BITS_OP == 0 {
            v |= self.op.mask();
        }
        if let Some(obj) = self.obj
            && v & MASK_BITS_OBJ == 0
        {
            v |= obj.mask();
        }
        v
    }

    fn entry(&self, code: ReturnCode, message: String) -> MsgApiCallResponse {
        MsgApiCallResponse {
            ret_code: self.rc(code),
            obj_refs: self.refs.iter().map(|(k, v)| map_entry(k, v)).collect(),
            message,
            ..MsgApiCallResponse::default()
        }
    }

    /// A success entry with `<Object> UUID is: <uuid>` details and a `UUID` reference.
    pub(crate) fn success(
        &self,
        code: ReturnCode,
        message: impl Into<String>,
        uuid_details: &str,
        uuid: &str,
    ) -> MsgApiCallResponse {
        let mut e = self.entry(code, message.into());
        e.details = Some(format!("{uuid_details} {uuid}"));
        e.obj_refs.push(map_entry(obj_refs::UUID, uuid));
        e
    }

    /// A success or info entry with no details.
    pub(crate) fn plain(&self, code: ReturnCode, message: impl Into<String>) -> MsgApiCallResponse {
        self.entry(code, message.into())
    }

    /// An error or warning entry: details end with the context description. Errors get an
    /// error-report id when they are answered, warnings do not (see [`Problem`]).
    pub(crate) fn problem(&self, code: ReturnCode, message: impl Into<String>) -> Problem {
        let mut entry = self.entry(code, message.into());
        if !self.context.is_empty() {
            entry.details = Some(self.context.clone());
        }
        Problem {
            entry,
            logged: code.severity() == Severity::Error,
        }
    }

    /// The not-found error of a referenced object: message, cause, the standard correction.
    pub(crate) fn not_found(&self, code: ReturnCode, message: String, cause: String) -> Problem {
        self.problem(code, message)
            .cause(cause)
            .correction("Check the name and create the object first if necessary.")
    }

    /// `FAIL_NOT_FOUND_NODE` for `name`.
    pub(crate) fn node_not_found(&self, name: &str) -> Problem {
        self.not_found(
            ReturnCode::FAIL_NOT_FOUND_NODE,
            format!("Node '{name}' not found."),
            format!("The specified node '{name}' could not be found in the database"),
        )
    }

    /// `FAIL_NOT_FOUND_NET_IF` for interface `net_if` of `node`.
    pub(crate) fn net_if_not_found(&self, node: &str, net_if: &str) -> Problem {
        self.not_found(
            ReturnCode::FAIL_NOT_FOUND_NET_IF,
            format!("Node '{node}' has no network interface named '{net_if}'."),
            format!(
                "The specified network interface '{net_if}' could not be found in the database"
            ),
        )
    }

    /// `FAIL_NOT_FOUND_STOR_POOL_DFN` for `name`.
    pub(crate) fn spd_not_found(&self, name: &str) -> Problem {
        self.not_found(
            ReturnCode::FAIL_NOT_FOUND_STOR_POOL_DFN,
            format!("Storage pool definition '{name}' not found."),
            format!(
                "The specified storage pool definition '{name}' could not be found in the database"
            ),
        )
    }

    /// A storage pool missing on a node: the controller's code is
    /// `FAIL_NOT_FOUND_STOR_POOL_DFN` (`docs/controller-rules.md#storage-pools`).
    pub(crate) fn pool_not_found(&self, node: &str, pool: &str) -> Problem {
        self.not_found(
            ReturnCode::FAIL_NOT_FOUND_STOR_POOL_DFN,
            format!("Storage pool '{pool}' on node '{node}' not found."),
            format!(
                "The specified storage pool '{pool}' on node '{node}' could not be found in the database"
            ),
        )
    }

    /// `FAIL_NOT_FOUND_RSC_DFN` for `name`.
    pub(crate) fn rsc_dfn_not_found(&self, name: &str) -> Problem {
        self.not_found(
            ReturnCode::FAIL_NOT_FOUND_RSC_DFN,
            format!("Resource definition '{name}' not found."),
            format!(
                "The specified resource definition '{name}' could not be found in the database"
            ),
        )
    }

    /// `FAIL_NOT_FOUND_VLM_DFN` for volume `nr` of resource definition `rsc`.
    pub(crate) fn vlm_dfn_not_found(&self, rsc: &str, nr: i32) -> Problem {
        self.not_found(
            ReturnCode::FAIL_NOT_FOUND_VLM_DFN,
            format!("Volume definition '{rsc}' with volume number '{nr}' not found."),
            format!(
                "The specified volume definition with number '{nr}' could not be found in the database"
            ),
        )
    }

    /// `FAIL_NOT_FOUND_RSC` for resource `rsc` on `node`.
    pub(crate) fn rsc_not_found(&self, node: &str, rsc: &str) -> Problem {
        self.not_found(
            ReturnCode::FAIL_NOT_FOUND_RSC,
            format!("Resource '{rsc}' on node '{node}' not found."),
            format!(
                "The specified resource '{rsc}' on node '{node}' could not be found in the database"
            ),
        )
    }
}

/// Why a call stopped: the error (or warning) entry it answers, and whether the controller
/// logs it as an error report. A logged problem gets a fresh error-report id in
/// [`Model::apply`](super::Model::apply), the one place where an `Err` becomes the answer.
///
/// [`Ctx::problem`] logs errors and not warnings, which is the controller's rule almost
/// everywhere; [`Problem::logged`] and [`Problem::unlogged`] mark the exceptions.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    entry: MsgApiCallResponse,
    logged: bool,
}

impl Problem {
    pub(crate) fn cause(mut self, cause: impl Into<String>) -> Problem {
        self.entry.cause = Some(cause.into());
        self
    }

    pub(crate) fn correction(mut self, correction: impl Into<String>) -> Problem {
        self.entry.correction = Some(correction.into());
        self
    }

    /// Details placed before the context description.
    pub(crate) fn details(mut self, details: impl Into<String>) -> Problem {
        let details = details.into();
        self.entry.details = Some(match self.entry.details.take() {
            Some(context) => format!("{details}\n{context}"),
            None => details,
        });
        self
    }

    /// An entry built by hand: some calls answer errors in their own format (no context
    /// description, no masks). Never logged.
    pub(crate) fn bare(entry: MsgApiCallResponse) -> Problem {
        Problem {
            entry,
            logged: false,
        }
    }

    /// The controller logs an error report for this warning.
    pub(crate) fn logged(mut self) -> Problem {
        self.logged = true;
        self
    }

    /// The controller logs no error report for this error.
    pub(crate) fn unlogged(mut self) -> Problem {
        self.logged = false;
        self
    }

    /// Whether the answer gets an error-report id.
    pub(crate) fn is_logged(&self) -> bool {
        self.logged
    }

    /// The entry with the given error-report id (`None` for an unlogged problem).
    pub(crate) fn into_entry(self, report_id: Option<String>) -> MsgApiCallResponse {
        let mut entry = self.entry;
        entry.error_report_ids.extend(report_id);
        entry
    }

    /// A warning that goes into a successful answer as one of its entries; it is never
    /// logged.
    pub(crate) fn warning(self) -> MsgApiCallResponse {
        debug_assert!(
            !self.logged,
            "a logged problem is answered through Model::answer"
        );
        self.entry
    }

    /// Rewrites the ret_code (for the few entries whose masks differ from the call's).
    pub(crate) fn map_rc(mut self, f: impl FnOnce(u64) -> u64) -> Problem {
        self.entry.ret_code = f(self.entry.ret_code);
        self
    }
}

/// `Err(problem())` unless `cond` holds: one guard per line.
pub(crate) fn ensure(cond: bool, problem: impl FnOnce() -> Problem) -> Result<(), Problem> {
    if cond { Ok(()) } else { Err(problem()) }
}

pub(crate) fn map_entry(key: &str, value: &str) -> LinStorMapEntry {
    LinStorMapEntry {
        key: key.to_owned(),
        value: value.to_owned(),
    }
}

/// A context with no object references.
pub(crate) fn ctx(op: Operation, obj: Object, context: impl Into<String>) -> Ctx {
    Ctx::new(op, obj, context)
}

pub(crate) fn node_ctx(op: Operation, node: &str) -> Ctx {
    ctx(op, Object::Node, format!("Node: {node}")).with_ref(obj_refs::NODE, node)
}

pub(crate) fn net_if_ctx(op: Operation, node: &str, net_if: &str) -> Ctx {
    ctx(
        op,
        Object::NetInterface,
        format!("Node: '{node}', NetIfName: {net_if}'"),
    )
    .with_ref(obj_refs::NODE, node)
}

pub(crate) fn spd_ctx(op: Operation, name: &str) -> Ctx {
    ctx(
        op,
        Object::StoragePoolDefinition,
        format!("Storage pool definition: {name}"),
    )
    .with_ref(obj_refs::STOR_POOL_DFN, name)
}

pub(crate) fn pool_ctx(op: Operation, node: &str, pool: &str) -> Ctx {
    ctx(
        op,
        Object::StoragePool,
        format!("Node: {node}, Storage pool name: {pool}"),
    )
    .with_ref(obj_refs::NODE, node)
    .with_ref(obj_refs::STOR_POOL_DFN, pool)
}

pub(crate) fn rsc_dfn_ctx(op: Operation, name: &str) -> Ctx {
    ctx(
        op,
        Object::ResourceDefinition,
        format!("Resource definition: {name}"),
    )
    .with_ref(obj_refs::RSC_DFN, name)
}

pub(crate) fn vlm_dfn_ctx(op: Operation, rsc: &str, nr: i32) -> Ctx {
    ctx(
        op,
        Object::VolumeDefinition,
        format!("Resource definition: {rsc}, Volume number: {nr}"),
    )
    .with_ref(obj_refs::RSC_DFN, rsc)
    .with_ref(obj_refs::VLM_NR, nr.to_string())
}

pub(crate) fn rsc_ctx(op: Operation, node: &str, rsc: &str) -> Ctx {
    ctx(
        op,
        Object::Resource,
        format!("Node: {node}, Resource: {rsc}"),
    )
    .with_ref(obj_refs::NODE, node)
    .with_ref(obj_refs::RSC_DFN, rsc)
}

pub(crate) fn snap_ctx(op: Operation, rsc: &str, snap: &str, nodes: &[String]) -> Ctx {
    let prefix = if nodes.is_empty() {
        String::new()
    } else {
        format!("Nodes: {}; ", nodes.join(", "))
    };
    ctx(
        op,
        Object::Snapshot,
        format!("{prefix}Resource: {rsc}, Snapshot: {snap}"),
    )
    .with_ref(obj_refs::RSC_DFN, rsc)
    .with_ref(obj_refs::SNAPSHOT, snap)
}

pub(crate) fn cfg_ctx(op: Operation) -> Ctx {
    ctx(op, Object::ControllerConfig, "")
}

pub(crate) fn conn_ctx(op: Operation, n1: &str, n2: &str, rsc: &str) -> Ctx {
    ctx(
        op,
        Object::ResourceConnection,
        format!("Node 1: {n1}, Node 2: {n2}, Resource: {rsc}"),
    )
    .with_ref(obj_refs::FIRST_NODE, n1)
    .with_ref(obj_refs::SECOND_NODE, n2)
    .with_ref(obj_refs::RSC_DFN, rsc)
}
