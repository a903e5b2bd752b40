//! [`Client`]: a cheap, cloneable handle (`Send + Sync`) on one connection. Every API call
//! of the Python client is a method; many calls can be in flight at once. This file owns
//! [`ClientConfig`], connecting, the handshake (the first frame read from the connection's
//! one `Framed` driver, which then goes to the connection task), and the call path from a
//! handle to the task: encoding, the bounded command queue, timeouts and cancellation.

use std::sync::Arc;
use std::sync::atomic::{AtomicI32, AtomicI64, Ordering};
use std::time::Duration;

use futures::StreamExt;
use linstor_codec::{CodecError, Envelope, Frame, FrameCodec, FrameType, Outgoing};
use linstor_proto::consts::API_VERSION;
use linstor_proto::messages::{MsgApiVersion, MsgHeader};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio_util::codec::Framed;

use crate::ClientError;
use crate::answers::{Answer, Answers};
use crate::connection::{
    self, Channels, CloseReason, Command, Control, RawAnswers, TaskConfig, WatchRegistration,
};
use crate::error::Cause;
use crate::requests::{IntoRequest, ObjectIdentifier, WatchCreate};
use crate::tls::TlsOptions;
use crate::uri::ControllerUri;
use crate::watch::Watch;
use linstor_proto::{ListCall, Request};

/// Default limit of an answer's payload: 1 GiB.
pub const DEFAULT_MAX_ANSWER_PAYLOAD: u32 = 1 << 30;

/// Connection settings.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Limit for TCP connect plus the greeting (default 10 s).
    pub connect_timeout: Duration,
    /// Limit for each call up to its `COMPLETE`, including any wait for room in the
    /// connection's command queue (default 300 s, the Python client's).
    pub call_timeout: Duration,
    /// Send an API-level `Ping` this often (the Python client's keep-alive: 5 s).
    pub keep_alive: Option<Duration>,
    /// Keep-alive pings in a row without an answer after which the connection is closed as
    /// dead, failing every pending call and watch (default 3; 0 counts as 1). An answer to a
    /// ping also answers the older ones. Used only with `keep_alive`.
    pub keep_alive_misses: u32,
    /// Close the connection when nothing arrived for this long.
    pub idle_timeout: Option<Duration>,
    /// Events buffered per watch before the watch ends with `WatchOverflow`.
    pub watch_buffer: usize,
    /// Largest request payload sent (default 16 MiB, what the controller accepts). A larger
    /// request fails with [`ClientError::RequestTooLarge`] without being sent.
    pub max_payload: u32,
    /// Largest answer payload received (default 1 GiB: a controller's list of tens of
    /// thousands of resources is tens of MB). A larger frame from the peer ends the
    /// connection. The read buffer grows with the bytes that arrive, not by the announced
    /// length.
    pub max_answer_payload: u32,
    /// TLS settings for `linstor+ssl://` URIs.
    pub tls: TlsOptions,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            connect_timeout: Duration::from_secs(10),
            call_timeout: Duration::from_secs(300),
            keep_alive: None,
            keep_alive_misses: 3,
            idle_timeout: None,
            watch_buffer: 1024,
            max_payload: linstor_codec::DEFAULT_MAX_PAYLOAD,
            max_answer_payload: DEFAULT_MAX_ANSWER_PAYLOAD,
            tls: TlsOptions::default(),
        }
    }
}

/// How one call is made.
#[derive(Debug, Clone, Copy, Default)]
pub struct CallOptions {
    /// Return at `EndOfImmediateAnswers` (the Python `async_msg=True`); later answers are
    /// discarded.
    pub until_eoia: bool,
    /// Override the client's call timeout.
    pub timeout: Option<Duration>,
}

pub(crate) struct Inner {
    pub(crate) commands: mpsc::Sender<Command>,
    /// Cancellations and watch deletions: unbounded, so a full command queue cannot lose
    /// them; each call and watch sends at most one.
    pub(crate) control: mpsc::UnboundedSender<Control>,
    pub(crate) next_id: Arc<AtomicI64>,
    next_watch: AtomicI32,
    controller_info: Option<String>,
    config: ClientConfig,
    closed: CloseReason,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner")
            .field("controller_info", &self.controller_info)
            .finish_non_exhaustive()
    }
}

/// A handle on one controller connection.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mock = linstor_mock::MockController::start(Default::default()).await?;
/// # let uri = format!("linstor://{}", mock.addr());
/// use linstor_client::{Client, requests::NodeCreate};
///
/// let client = Client::connect(&uri).await?;
/// let answers = client.node_create(&NodeCreate::new("alpha", "Satellite", "10.0.0.20")).await?;
/// assert!(answers.is_success());
/// let nodes = client.node_list().await?;
/// assert_eq!(nodes.nodes[0].name, "alpha");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

/// Drop guard of a queued call, owning the receiver of its answers: if the caller's future
/// is dropped (or times out) before the call completed, the receiver is closed first and
/// then the task is told on the control channel. The task frees the call's slot, or, when
/// the call is still queued, sees the closed receiver and never sends it.
struct InFlight<'a> {
    client: &'a Client,
    id: i64,
    answer: oneshot::Receiver<Result<RawAnswers, ClientError>>,
    done: bool,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.answer.close();
            let _ = self.client.inner.control.send(Control::Cancel(self.id));
        }
    }
}

impl Client {
    /// Connects to `uri` (`linstor://host[:port]`) with the default settings.
    ///
    /// # Errors
    ///
    /// See [`Client::connect_with`].
    pub async fn connect(uri: &str) -> Result<Client, ClientError> {
        Client::connect_with(uri, ClientConfig::default()).await
    }

    /// Connects to `uri`, reads and checks the `Version` greeting, and starts the connection
    /// task.
    ///
    /// # Errors
    ///
    /// [`ClientError::InvalidUri`], [`ClientError::Connect`], [`ClientError::ConnectTimeout`],
    /// [`ClientError::VersionMismatch`], [`ClientError::Handshake`]; for `linstor+ssl://`
    /// also TLS setup errors ([`ClientError::Tls`]; [`ClientError::InvalidArgument`] without
    /// a CA file) and failed TLS handshakes ([`ClientError::Connect`]).
    pub async fn connect_with(uri: &str, config: ClientConfig) -> Result<Client, ClientError> {
        let parsed = ControllerUri::parse(uri)?;
        let tls = if parsed.tls {
            Some(crate::tls::connector(&config.tls, &parsed.host)?)
        } else {
            None
        };
        let connect = async {
            let stream = TcpStream::connect((parsed.host.as_str(), parsed.port))
                .await
                .map_err(|source| ClientError::Connect {
                    uri: uri.to_owned(),
                    source,
                })?;
            let _ = stream.set_nodelay(true);
            match tls {
                None => Client::handshake(stream, parsed.expects_version, config.clone()).await,
                Some((connector, name)) => {
                    let stream = connector.connect(name, stream).await.map_err(|source| {
                        ClientError::Connect {
                            uri: uri.to_owned(),
                            source,
                        }
                    })?;
                    Client::handshake(stream, parsed.expects_version, config.clone()).await
                }
            }
        };
        tokio::time::timeout(config.connect_timeout, connect)
            .await
            .map_err(|_| ClientError::ConnectTimeout {
                uri: uri.to_owned(),
                after: config.connect_timeout,
            })?
    }

    /// Tries every URI in order and keeps the first that connects (the Python
    /// `MultiLinstor`); a comma-separated string can be split with [`ControllerUri::list`].
    ///
    /// # Errors
    ///
    /// [`ClientError::AllControllersFailed`] with every URI's error.
    pub async fn connect_any(uris: &[String], config: ClientConfig) -> Result<Client, ClientError> {
        let mut errors = Vec::new();
        for uri in uris {
            match Client::connect_with(uri, config.clone()).await {
                Ok(c) => return Ok(c),
                Err(e) => errors.push((uri.clone(), e)),
            }
        }
        Err(ClientError::AllControllersFailed(errors))
    }

    /// Runs the protocol over any transport (TLS, an in-memory pipe, ...): reads the
    /// greeting when `expects_version`, then starts the connection task.
    ///
    /// # Errors
    ///
    /// [`ClientError::VersionMismatch`], [`ClientError::Handshake`], or
    /// [`ClientError::Disconnected`] when the stream ends first.
    pub async fn handshake<S>(
        stream: S,
        expects_version: bool,
        config: ClientConfig,
    ) -> Result<Client, ClientError>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        // The one reader and writer of this connection, from the greeting on.
        let mut framed = Framed::new(
            stream,
            FrameCodec::with_limits(config.max_answer_payload, config.max_payload),
        );
        framed.set_backpressure_boundary(connection::WRITE_BUFFER_SOFT_LIMIT);
        let mut controller_info = None;
        if expects_version {
            let frame = match framed.next().await {
                Some(Ok(frame)) => frame,
                Some(Err(CodecError::Io(e))) => {
                    return Err(ClientError::Disconnected {
                        reason: e.to_string(),
                        source: Some(Cause::new(e)),
                    });
                }
                Some(Err(e @ CodecError::Truncated { .. })) => {
                    return Err(ClientError::Disconnected {
                        reason: format!("closed inside the Version greeting: {e}"),
                        source: Some(Cause::new(e)),
                    });
                }
                Some(Err(e)) => return Err(ClientError::handshake(e)),
                None => {
                    return Err(ClientError::Disconnected {
                        reason: "closed before the Version greeting".into(),
                        source: None,
                    });
                }
            };
            if frame.frame_type() != FrameType::Data {
                return Err(ClientError::Handshake {
                    reason: format!("a header-only {:?} frame", frame.frame_type()),
                    source: None,
                });
            }
            let env = Envelope::decode(frame.payload_bytes()).map_err(ClientError::handshake)?;
            if env.content() != linstor_proto::calls::oneway::VERSION {
                return Err(ClientError::Handshake {
                    reason: format!("first message is '{}', not 'Version'", env.content()),
                    source: None,
                });
            }
            let version: MsgApiVersion = env.body(0).map_err(ClientError::handshake)?;
            if version.version != API_VERSION {
                return Err(ClientError::VersionMismatch {
                    client: API_VERSION,
                    controller: version.version,
                });
            }
            controller_info = Some(version.controller_info.unwrap_or_default());
        }
        let (commands, commands_rx) = mpsc::channel(connection::COMMAND_QUEUE);
        let (control, control_rx) = mpsc::unbounded_channel();
        let next_id = Arc::new(AtomicI64::new(1));
        let closed: CloseReason = Arc::default();
        let task_config = TaskConfig {
            keep_alive: config.keep_alive,
            keep_alive_misses: config.keep_alive_misses,
            idle_timeout: config.idle_timeout,
        };
        let channels = Channels {
            commands: commands_rx,
            control: control_rx,
            next_id: next_id.clone(),
        };
        // Bytes read after the greeting stay in `framed`'s read buffer for the task.
        tokio::spawn(connection::run(
            framed,
            channels,
            task_config,
            closed.clone(),
        ));
        Ok(Client {
            inner: Arc::new(Inner {
                commands,
                control,
                next_id,
                next_watch: AtomicI32::new(1),
                controller_info,
                config,
                closed,
            }),
        })
    }

    /// The `controller_info` of the greeting (`None` for satellite connections).
    pub fn controller_info(&self) -> Option<&str> {
        self.inner.controller_info.as_deref()
    }

    /// Whether the connection is still open.
    pub fn is_connected(&self) -> bool {
        connection::lock(&self.inner.closed).is_none() && !self.inner.commands.is_closed()
    }

    pub(crate) fn disconnected(&self) -> ClientError {
        match &*connection::lock(&self.inner.closed) {
            Some(closed) => closed.error(),
            None => ClientError::Disconnected {
                reason: "the connection task ended".into(),
                source: None,
            },
        }
    }

    /// Sends one request and collects its answers up to `COMPLETE`.
    ///
    /// # Errors
    ///
    /// The request's local argument errors, [`ClientError::Timeout`],
    /// [`ClientError::Disconnected`].
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future frees the call's slot; its late answers are
    /// discarded.
    pub async fn call(&self, request: &impl IntoRequest) -> Result<Answers, ClientError> {
        self.call_with(request, CallOptions::default()).await
    }

    /// [`Client::call`] with options (return at `EndOfImmediateAnswers`, timeout).
    ///
    /// # Errors
    ///
    /// As [`Client::call`].
    ///
    /// # Cancel safety
    ///
    /// As [`Client::call`].
    pub async fn call_with(
        &self,
        request: &impl IntoRequest,
        options: CallOptions,
    ) -> Result<Answers, ClientError> {
        let request = request.request()?;
        let raw = self.send(request, options, None).await?;
        Ok(Answers::from_envelopes(&raw))
    }

    async fn send(
        &self,
        request: Request,
        options: CallOptions,
        watch: Option<WatchRegistration>,
    ) -> Result<RawAnswers, ClientError> {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let call = request.call().name();
        let frame = encode_frame(id, &request).map_err(|source| ClientError::RequestTooLarge {
            call,
            api_call_id: id,
            source,
        })?;
        let (reply, answer) = oneshot::channel();
        let command = Command {
            id,
            call,
            frame,
            until_eoia: options.until_eoia,
            reply,
            watch,
        };
        // The timeout covers the wait for room in the command queue too. Dropped while
        // waiting there, the command is not queued (`Sender::send` is cancel safe).
        let timeout = options.timeout.unwrap_or(self.inner.config.call_timeout);
        let deadline = tokio::time::Instant::now() + timeout;
        let timed_out = || ClientError::Timeout {
            call,
            api_call_id: id,
            after: timeout,
        };
        match tokio::time::timeout_at(deadline, self.inner.commands.send(command)).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return Err(self.disconnected()),
            Err(_) => return Err(timed_out()),
        }
        let mut guard = InFlight {
            client: self,
            id,
            answer,
            done: false,
        };
        match tokio::time::timeout_at(deadline, &mut guard.answer).await {
            Ok(Ok(answers)) => {
                guard.done = true;
                answers
            }
            Ok(Err(_)) => {
                guard.done = true;
                Err(self.disconnected())
            }
            // The guard cancels the call.
            Err(_) => Err(timed_out()),
        }
    }

    /// Sends the request of list call `L` and returns its list message.
    ///
    /// # Errors
    ///
    /// [`ClientError::ApiCall`] when the first answer is a `Reply` entry,
    /// [`ClientError::NoAnswer`] when there is none, and the errors of [`Client::call`].
    ///
    /// # Cancel safety
    ///
    /// As [`Client::call`].
    pub async fn list<L: ListCall>(&self, args: L::Args) -> Result<L::Answer, ClientError> {
        let request = L::request(args);
        let raw = self.send(request, CallOptions::default(), None).await?;
        // The list is decoded once, straight from the frame into the caller's value.
        let content = L::CALL.answer();
        if let Some(env) = raw.iter().find(|env| env.content() == content) {
            return env
                .body::<L::Answer>(0)
                .map_err(|source| ClientError::BadAnswer {
                    call: L::CALL.name(),
                    api_call_id: env.api_call_id().unwrap_or_default(),
                    content,
                    source,
                });
        }
        match Answers::from_envelopes(&raw).0.into_iter().next() {
            Some(Answer::Reply(r)) => Err(ClientError::ApiCall(Box::new(r))),
            _ => Err(ClientError::NoAnswer {
                call: L::CALL.name(),
                api_call_id: raw
                    .first()
                    .and_then(Envelope::api_call_id)
                    .unwrap_or_default(),
            }),
        }
    }

    /// Creates a watch on `object` (the Python `watch_create` with an allocated id). Events
    /// that arrive before the reply are kept.
    ///
    /// # Errors
    ///
    /// The errors of [`Client::call`]; an error entry of the controller is in
    /// [`Watch::reply`].
    pub async fn watch(&self, object: ObjectIdentifier) -> Result<Watch, ClientError> {
        let watch_id = self.inner.next_watch.fetch_add(1, Ordering::Relaxed);
        let capacity = self.inner.config.watch_buffer.max(1);
        let (tx, events) = mpsc::channel(capacity + 1);
        let request = WatchCreate {
            watch_id,
            object: object.clone(),
        }
        .request()?;
        let registration = WatchRegistration {
            watch_id,
            events: tx,
            capacity,
        };
        // Built before the call, so that a failed or abandoned call still deletes the watch
        // (when `watch` is dropped).
        let mut watch = Watch {
            watch_id,
            events,
            client: self.clone(),
            reply: Answers::default(),
            ended: false,
            object,
        };
        let raw = self
            .send(request, CallOptions::default(), Some(registration))
            .await?;
        watch.reply = Answers::from_envelopes(&raw);
        Ok(watch)
    }

    /// The Python `watch_events`: creates a watch, passes its reply to `on_reply` (a
    /// `Some` result ends it there), then each event to `on_event` until one returns `Some`;
    /// the watch is always deleted. `Ok(None)` when the connection ends first.
    ///
    /// # Errors
    ///
    /// The errors of [`Client::watch`].
    pub async fn watch_events<T>(
        &self,
        object: ObjectIdentifier,
        on_reply: impl FnOnce(&Answers) -> Option<T>,
        mut on_event: impl FnMut(&connection::Event) -> Option<T>,
    ) -> Result<Option<T>, ClientError> {
        let mut watch = self.watch(object).await?;
        if let Some(t) = on_reply(watch.reply()) {
            return Ok(Some(t));
        }
        while let Some(item) = watch.next_event().await {
            match item {
                Ok(event) => {
                    if let Some(t) = on_event(&event) {
                        return Ok(Some(t));
                    }
                }
                Err(e) if e.is_disconnect() => return Ok(None),
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }
}

pub(crate) fn encode(id: i64, request: &Request) -> bytes::Bytes {
    let header = MsgHeader::api_call(id, request.call().name());
    match request.body() {
        Some(body) => Outgoing::new(&header, &[body]).to_bytes(),
        None => Outgoing::new(&header, &[]).to_bytes(),
    }
}

/// The frame of `request` with `id`, to go through the connection's encoder (which checks
/// it against the payload limit).
pub(crate) fn encode_frame(id: i64, request: &Request) -> Result<Frame, CodecError> {
    let header = MsgHeader::api_call(id, request.call().name());
    match request.body() {
        Some(body) => Outgoing::new(&header, &[body]).to_frame(),
        None => Outgoing::new(&header, &[]).to_frame(),
    }
}

/// The frame the client sends for `request` with `api_call_id` (for tests and tools).
pub fn encode_request(
    api_call_id: i64,
    request: &impl IntoRequest,
) -> Result<bytes::Bytes, ClientError> {
    Ok(encode(api_call_id, &request.request()?))
}
