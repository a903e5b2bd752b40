//! [`ClientError`]: everything a call, a connect or a watch can fail with.

use std::time::Duration;

use crate::answers::ApiCallResponse;

/// A client error. Predicates tell the families apart.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// An argument the Python client refuses locally, before any I/O.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The controller URI does not parse.
    #[error("invalid controller URI '{uri}': {reason}")]
    InvalidUri {
        /// The URI.
        uri: String,
        /// Why.
        reason: String,
    },
    /// The TCP (or TLS) connection could not be made.
    #[error("cannot connect to {uri}: {source}")]
    Connect {
        /// The URI.
        uri: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Connecting (including the greeting) took longer than the connect timeout.
    #[error("connecting to {uri} timed out after {after:?}")]
    ConnectTimeout {
        /// The URI.
        uri: String,
        /// The timeout.
        after: Duration,
    },
    /// The controller speaks another API version.
    #[error("client API version '{client}' is incompatible with controller version '{controller}'")]
    VersionMismatch {
        /// Version of this client (3).
        client: u32,
        /// Version the controller announced.
        controller: u32,
    },
    /// The first frame was not the `Version` greeting.
    #[error("unexpected greeting from the controller: {0}")]
    Handshake(String),
    /// No `COMPLETE` within the call timeout. The controller may still complete the call;
    /// query the state again before retrying.
    #[error(
        "API call {call} (id {api_call_id}) timed out after {after:?}; the controller may still complete it"
    )]
    Timeout {
        /// Call name.
        call: &'static str,
        /// Its api_call_id.
        api_call_id: i64,
        /// The timeout.
        after: Duration,
    },
    /// The connection is gone (closed by either side, or an I/O or protocol error).
    #[error("disconnected from the controller: {reason}")]
    Disconnected {
        /// What ended the connection.
        reason: String,
    },
    /// A list call got a `Reply` instead of its list (the Python `*_raise` helpers).
    #[error("the controller answered with an error: {0}")]
    ApiCall(Box<ApiCallResponse>),
    /// A call that needs an answer got none before `COMPLETE`.
    #[error("no answer received for API call {call} (id {api_call_id})")]
    NoAnswer {
        /// Call name.
        call: &'static str,
        /// Its api_call_id.
        api_call_id: i64,
    },
    /// A watch's event buffer filled up because its stream was not read; events were lost
    /// from this point on and the watch ended.
    #[error("watch {watch_id} overflowed its buffer of {capacity} events and was closed")]
    WatchOverflow {
        /// The watch id.
        watch_id: i32,
        /// The buffer size.
        capacity: usize,
    },
    /// `Resource::wait_ready` timed out; `pending` names the volumes not up to date
    /// (`node/volume: state`).
    #[error("resource {resource} is not ready: {}", .pending.join(", "))]
    NotReady {
        /// The resource.
        resource: String,
        /// What is not up to date.
        pending: Vec<String>,
    },
    /// Every controller of a multi-controller list failed.
    #[error("unable to connect to any of the given controller hosts: {}", .0.iter().map(|(u, e)| format!("{u}: {e}")).collect::<Vec<_>>().join("; "))]
    AllControllersFailed(Vec<(String, ClientError)>),
}

impl ClientError {
    /// A call or connect timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            ClientError::Timeout { .. } | ClientError::ConnectTimeout { .. }
        )
    }

    /// The connection is gone.
    pub fn is_disconnect(&self) -> bool {
        matches!(self, ClientError::Disconnected { .. })
    }

    /// The controller speaks another API version.
    pub fn is_version_mismatch(&self) -> bool {
        matches!(self, ClientError::VersionMismatch { .. })
    }

    /// The controller answered with an error entry instead of a list.
    pub fn is_api_call(&self) -> bool {
        matches!(self, ClientError::ApiCall(_))
    }
}
