//! Building `MsgApiCallResponse` entries the way the controller does: the call's operation
//! and object masks added where those bit groups are still zero, object references, the
//! context description appended to the details of errors and warnings, and an error-report
//! id for logged failures.

use linstor_proto::ReturnCode;
use linstor_proto::consts::keys::obj_refs;
use linstor_proto::messages::{LinStorMapEntry, MsgApiCallResponse};
use linstor_proto::return_code::{MASK_BITS_OBJ, MASK_BITS_OP, Object, Operation};

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

    /// An error or warning entry: details end with the context description.
    pub(crate) fn problem(&self, code: ReturnCode, message: impl Into<String>) -> Problem {
        let mut e = self.entry(code, message.into());
        if !self.context.is_empty() {
            e.details = Some(self.context.clone());
        }
        Problem(e)
    }
}

/// An error or warning entry under construction.
#[derive(Debug, Clone)]
pub(crate) struct Problem(pub MsgApiCallResponse);

impl Problem {
    pub(crate) fn cause(mut self, cause: impl Into<String>) -> Problem {
        self.0.cause = Some(cause.into());
        self
    }

    pub(crate) fn correction(mut self, correction: impl Into<String>) -> Problem {
        self.0.correction = Some(correction.into());
        self
    }

    /// Details placed before the context description.
    pub(crate) fn details(mut self, details: impl Into<String>) -> Problem {
        let details = details.into();
        self.0.details = Some(match self.0.details.take() {
            Some(context) => format!("{details}\n{context}"),
            None => details,
        });
        self
    }

    pub(crate) fn report(mut self, id: String) -> Problem {
        self.0.error_report_ids.push(id);
        self
    }
}

pub(crate) fn map_entry(key: &str, value: &str) -> LinStorMapEntry {
    LinStorMapEntry {
        key: key.to_owned(),
        value: value.to_owned(),
    }
}
