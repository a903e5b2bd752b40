//! [`ClientError`]: everything a call, a connect or a watch can fail with.

use std::sync::Arc;
use std::time::Duration;

use crate::answers::ApiCallResponse;

/// A client error. Predicates tell the families apart.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// An argument the Python client refuses locally, before any I/O.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The TLS configuration of a `linstor+ssl://` connection is unusable: a CA, certificate
    /// or key file cannot be read or parsed, rustls refuses it, or the server name is
    /// invalid. A missing CA file option is [`ClientError::InvalidArgument`].
    #[error("TLS {what}: {source}")]
    Tls {
        /// What was being set up, e.g. `CA file /etc/linstor/ca.pem`.
        what: String,
        /// The I/O, PEM or rustls error.
        #[source]
        source: Cause,
    },
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
    #[error("unexpected greeting from the controller: {reason}")]
    Handshake {
        /// What was wrong with it.
        reason: String,
        /// The codec or envelope error, when the greeting did not decode.
        #[source]
        source: Option<Cause>,
    },
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
    /// A request was refused before it was sent: its frame is larger than the payload limit
    /// ([`ClientConfig::max_payload`](crate::ClientConfig::max_payload)). Nothing was sent;
    /// the connection stays up.
    #[error("API call {call} (id {api_call_id}) was not sent: {source}")]
    RequestTooLarge {
        /// Call name.
        call: &'static str,
        /// The api_call_id it would have had.
        api_call_id: i64,
        /// The codec's [`CodecError::PayloadTooLarge`](linstor_codec::CodecError::PayloadTooLarge).
        #[source]
        source: linstor_codec::CodecError,
    },
    /// The connection is gone (closed by either side, an I/O or protocol error, or a missed
    /// idle or keep-alive deadline).
    #[error("disconnected from the controller: {reason}")]
    Disconnected {
        /// What ended the connection.
        reason: String,
        /// The I/O or codec error that ended it, if one did.
        #[source]
        source: Option<Cause>,
    },
    /// A list call got a `Reply` instead of its list (the Python `*_raise` helpers).
    #[error("the controller answered with an error: {0}")]
    ApiCall(Box<ApiCallResponse>),
    /// The list answer of a call did not decode (the other answers of the call are lost
    /// with it; the connection stays up).
    #[error("the answer {content} to API call {call} (id {api_call_id}) does not decode: {source}")]
    BadAnswer {
        /// Call name.
        call: &'static str,
        /// Its api_call_id.
        api_call_id: i64,
        /// The answer's content name.
        content: &'static str,
        /// What did not decode.
        #[source]
        source: linstor_codec::EnvelopeError,
    },
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
    /// `Resource::wait_ready` saw a replica that cannot become ready by waiting: a disk
    /// `Failed` or detached (`Diskless` on a diskful assignment), a satellite that lost its
    /// connection (`CloseNoConnection`, or `OFFLINE` in `LstNode`), or a replica removed.
    #[error("resource {resource} on node {node}{}: {problem}", .volume.map(|v| format!(" volume {v}")).unwrap_or_default())]
    ReplicaFailed {
        /// The resource.
        resource: String,
        /// The node, as the controller names it.
        node: String,
        /// The volume, for disk problems.
        volume: Option<i32>,
        /// What happened.
        problem: ReplicaProblem,
    },
    /// Every controller of a multi-controller list failed.
    #[error("unable to connect to any of the given controller hosts: {}", .0.iter().map(|(u, e)| format!("{u}: {e}")).collect::<Vec<_>>().join("; "))]
    AllControllersFailed(Vec<(String, ClientError)>),
}

/// What made [`ClientError::ReplicaFailed`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplicaProblem {
    /// The volume reported this disk state (`Failed`, or `Diskless` after a detach).
    Disk {
        /// The DRBD disk state.
        state: String,
    },
    /// The node's satellite is not connected to the controller.
    SatelliteOffline,
    /// The replica was deleted while waiting.
    Removed,
}

impl std::fmt::Display for ReplicaProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReplicaProblem::Disk { state } => write!(f, "disk state {state}"),
            ReplicaProblem::SatelliteOffline => f.write_str("satellite offline"),
            ReplicaProblem::Removed => f.write_str("replica removed"),
        }
    }
}

/// The lower-level error behind a [`ClientError`]: an I/O, codec, envelope, PEM or rustls
/// error. It is shared, cheap to clone, because one lost connection fails every pending call
/// and watch with the same cause.
///
/// It dereferences to the error itself, and that error (not this wrapper) is what
/// [`std::error::Error::source`] of the `ClientError` returns, so it downcasts to its type:
///
/// ```
/// # fn check(err: &linstor_client::ClientError) -> Option<std::io::ErrorKind> {
/// let io = std::error::Error::source(err)?.downcast_ref::<std::io::Error>()?;
/// # Some(io.kind())
/// # }
/// ```
///
/// It deliberately does not implement `Error` itself, so that it never appears as a link
/// of its own in the source chain.
#[derive(Debug, Clone)]
pub struct Cause(Arc<dyn std::error::Error + Send + Sync + 'static>);

impl Cause {
    pub(crate) fn new(error: impl std::error::Error + Send + Sync + 'static) -> Cause {
        Cause(Arc::new(error))
    }
}

impl std::ops::Deref for Cause {
    type Target = dyn std::error::Error + Send + Sync + 'static;

    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl ClientError {
    /// A greeting that does not decode, keeping the decode error as the source.
    pub(crate) fn handshake(e: impl std::error::Error + Send + Sync + 'static) -> ClientError {
        ClientError::Handshake {
            reason: e.to_string(),
            source: Some(Cause::new(e)),
        }
    }

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

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use linstor_codec::{CodecError, EnvelopeError, Frame, FrameType, Header};
    use tokio::io::AsyncWriteExt;

    use crate::{Client, ClientConfig, ClientError};

    #[tokio::test]
    async fn a_disconnect_by_a_codec_error_carries_it() {
        let (ours, mut theirs) = tokio::io::duplex(1024);
        let client = Client::handshake(ours, false, ClientConfig::default())
            .await
            .expect("no greeting expected");
        let mut header = Vec::new();
        Header::new(FrameType::Data, u32::MAX).write(&mut header);
        theirs.write_all(&header).await.expect("write");
        let err = client.ping().await.expect_err("the connection breaks");
        assert!(err.is_disconnect(), "{err}");
        assert!(err.to_string().contains("protocol error"), "{err}");
        let source = err.source().expect("a source");
        assert!(
            matches!(
                source.downcast_ref::<CodecError>(),
                Some(CodecError::PayloadTooLarge { .. })
            ),
            "{source:?}"
        );
        // Later calls fail with the same cause.
        let again = client.ping().await.expect_err("still disconnected");
        assert!(
            again.source().is_some_and(|s| s.is::<CodecError>()),
            "{again:?}"
        );
    }

    #[tokio::test]
    async fn a_greeting_that_does_not_decode_is_the_source_of_the_handshake_error() {
        let (ours, mut theirs) = tokio::io::duplex(1024);
        theirs
            .write_all(Frame::data(&[]).as_bytes())
            .await
            .expect("write");
        let err = Client::handshake(ours, true, ClientConfig::default())
            .await
            .expect_err("an empty greeting");
        assert!(matches!(err, ClientError::Handshake { .. }), "{err}");
        assert!(
            matches!(
                err.source().and_then(|s| s.downcast_ref::<EnvelopeError>()),
                Some(EnvelopeError::MissingHeader)
            ),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn a_greeting_cut_short_is_a_disconnect_without_a_source() {
        let (ours, theirs) = tokio::io::duplex(1024);
        drop(theirs);
        let err = Client::handshake(ours, true, ClientConfig::default())
            .await
            .expect_err("no greeting");
        assert!(err.is_disconnect(), "{err}");
        assert!(err.source().is_none());
    }
}
