//! What a call returns: [`Answers`], the answers in arrival order, with
//! [`ApiCallResponse`] entries (return-code helpers) and typed list messages.

use linstor_codec::Envelope;
use linstor_proto::calls::answers;
use linstor_proto::messages::{self, MsgApiCallResponse};
use linstor_proto::{Body, ReturnCode};

/// One `MsgApiCallResponse` entry of a `Reply`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiCallResponse(pub MsgApiCallResponse);

impl ApiCallResponse {
    /// The return code.
    pub fn ret_code(&self) -> ReturnCode {
        ReturnCode(self.0.ret_code)
    }

    /// Severity success.
    pub fn is_success(&self) -> bool {
        self.ret_code().is_success()
    }

    /// Severity error.
    pub fn is_error(&self) -> bool {
        self.ret_code().is_error()
    }

    /// Severity warning (errors are not warnings here, unlike in the Python client).
    pub fn is_warning(&self) -> bool {
        self.ret_code().is_warning()
    }

    /// Severity info.
    pub fn is_info(&self) -> bool {
        self.ret_code().is_info()
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The cause, if any.
    pub fn cause(&self) -> Option<&str> {
        self.0.cause.as_deref()
    }

    /// The correction, if any.
    pub fn correction(&self) -> Option<&str> {
        self.0.correction.as_deref()
    }

    /// The details, if any.
    pub fn details(&self) -> Option<&str> {
        self.0.details.as_deref()
    }

    /// The object references (`Node`, `RscDfn`, `UUID`, ...), in order.
    pub fn object_refs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .obj_refs
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_str()))
    }

    /// The error report ids.
    pub fn error_report_ids(&self) -> &[String] {
        &self.0.error_report_ids
    }
}

impl std::fmt::Display for ApiCallResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.0.message, self.ret_code())
    }
}

/// One answer of a call.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // answers are few and short-lived; boxing buys nothing
pub enum Answer {
    /// An entry of a `Reply`.
    Reply(ApiCallResponse),
    /// A list or data message (`MsgLstNode`, `MsgErrorReport`, ...).
    Message(Body),
}

/// The answers of one call, in arrival order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Answers(pub Vec<Answer>);

/// A message type that arrives as the body of a list answer.
pub trait ListMessage: Sized {
    /// The message in `body`, if it is of this type.
    fn from_body(body: &Body) -> Option<&Self>;
}

macro_rules! list_messages {
    ($($t:ident),*) => {
        $(
            impl ListMessage for messages::$t {
                fn from_body(body: &Body) -> Option<&Self> {
                    match body {
                        Body::$t(m) => Some(m),
                        _ => None,
                    }
                }
            }
        )*
    };
}

list_messages!(
    MsgLstNode,
    MsgLstStorPoolDfn,
    MsgLstStorPool,
    MsgLstRscDfn,
    MsgLstRsc,
    MsgLstSnapshotDfn,
    MsgLstCtrlCfgProps,
    MsgLstRscConn,
    MsgHostname,
    MsgErrorReport,
    MsgRspMaxVlmSizes,
    MsgRspKvsProps
);

impl Answers {
    /// Decodes the answer envelopes of one call, in order; an envelope whose bodies do not
    /// decode is skipped (and logged).
    pub(crate) fn from_envelopes(envelopes: &[Envelope]) -> Answers {
        let mut all = Vec::with_capacity(envelopes.len());
        for env in envelopes {
            let content = env.content();
            match env.decode_bodies() {
                Ok(bodies) => all.extend(bodies.into_iter().map(|body| match body {
                    Body::MsgApiCallResponse(r) if content == answers::REPLY => {
                        Answer::Reply(ApiCallResponse(r))
                    }
                    other => Answer::Message(other),
                })),
                Err(e) => tracing::warn!(content, "skipping an answer that does not decode: {e}"),
            }
        }
        Answers(all)
    }

    /// The `Reply` entries, in order.
    pub fn replies(&self) -> impl Iterator<Item = &ApiCallResponse> {
        self.0.iter().filter_map(|a| match a {
            Answer::Reply(r) => Some(r),
            Answer::Message(_) => None,
        })
    }

    /// The first answer.
    pub fn first(&self) -> Option<&Answer> {
        self.0.first()
    }

    /// Whether the first answer is a success entry (how the Python client judges a call).
    pub fn is_success(&self) -> bool {
        matches!(self.first(), Some(Answer::Reply(r)) if r.is_success())
    }

    /// Whether no entry is an error.
    pub fn no_error(&self) -> bool {
        self.replies().all(|r| !r.is_error())
    }

    /// The first error entry, if any.
    pub fn first_error(&self) -> Option<&ApiCallResponse> {
        self.replies().find(|r| r.is_error())
    }

    /// The first list message of type `M`.
    pub fn list<M: ListMessage>(&self) -> Option<&M> {
        self.0.iter().find_map(|a| match a {
            Answer::Message(b) => M::from_body(b),
            Answer::Reply(_) => None,
        })
    }

    /// Every message of type `M` (e.g. one `MsgErrorReport` per report).
    pub fn all<M: ListMessage>(&self) -> Vec<&M> {
        self.0
            .iter()
            .filter_map(|a| match a {
                Answer::Message(b) => M::from_body(b),
                Answer::Reply(_) => None,
            })
            .collect()
    }

    /// Number of answers.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no answers.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
