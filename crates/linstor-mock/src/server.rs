//! The TCP side: the accept loop, one task per connection, the Version greeting, request
//! dispatch to the model, answer framing (immediate answers, `EndOfImmediateAnswers`,
//! deferred answers, `COMPLETE`), batching of ready frames into one write, and shutdown.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use linstor_codec::{CodecError, Envelope, FrameCodec, FrameType, Outgoing};
use linstor_proto::calls::{self, answers, oneway};
use linstor_proto::messages::{MsgApiVersion, MsgHeader, msg_header::MsgType};
use linstor_proto::{Call, Request, WireMessage};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_util::codec::Decoder;

use crate::faults::Faults;
use crate::model::{self, Answer, Model, ModelConfig, Outcome, StreamEvent};
use crate::persist::StateError;
use crate::tls::TlsSettings;
use crate::watches::Registry;

/// The `controller_info` the mock announces (docs/controller-rules.md#controller-info).
pub const DEFAULT_CONTROLLER_INFO: &str = "LINSTOR,Controller,0.7.4-mock,d255ba048e1bec73377ec42fe7de35fe3b8f2b0d,2019-01-22T14:31:02+00:00";

/// Settings of a mock controller.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on (default `127.0.0.1:0`; the binary defaults to port 3376).
    pub listen: SocketAddr,
    /// API version announced in the greeting (default 3).
    pub api_version: u32,
    /// `MsgApiVersion.controller_info` of the greeting.
    pub controller_info: String,
    /// Largest accepted request payload; a longer one closes the connection.
    pub max_payload: u32,
    /// Outgoing event frames queued per connection before it is closed as not reading
    /// (default 65,536: room for one call's events to thousands of watches).
    pub event_queue: usize,
    /// Whether `ControlCtrl Shutdown` stops the server (the real controller exits).
    pub exit_on_shutdown: bool,
    /// Delay of the event script: a call that changes event streams sends its immediate
    /// answers and `EndOfImmediateAnswers` at once, and its events, deferred answers and
    /// `COMPLETE` this much later, as the satellites would (default 20 ms).
    pub event_delay: Duration,
    /// Injected faults (none by default).
    pub faults: Faults,
    /// Seed the demo cluster (nodes `alpha`, `bravo`, `charlie`, each with an LVM-thin pool
    /// `drbdpool`) instead of starting empty (ignored when a state file exists).
    pub demo: bool,
    /// State file: loaded at start, saved atomically after every change.
    pub state_file: Option<std::path::PathBuf>,
    /// Whether the plain listener runs (default true).
    pub plain: bool,
    /// The optional TLS listener, beside or (with `plain: false`) instead of the plain one.
    pub tls: Option<TlsSettings>,
    /// Model settings.
    pub model: ModelConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            api_version: linstor_proto::consts::API_VERSION,
            controller_info: DEFAULT_CONTROLLER_INFO.to_owned(),
            max_payload: linstor_codec::DEFAULT_MAX_PAYLOAD,
            event_queue: 65_536,
            exit_on_shutdown: false,
            event_delay: Duration::from_millis(20),
            faults: Faults::default(),
            demo: false,
            state_file: None,
            plain: true,
            tls: None,
            model: ModelConfig::default(),
        }
    }
}

/// Longest wait for a client's TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// State shared by all connections: the model and the watch registry, under one lock so
/// that events are delivered in the order the model produced them.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) model: Model,
    pub(crate) registry: Registry,
    pub(crate) faults: Faults,
    pub(crate) state_file: Option<std::path::PathBuf>,
}

impl Shared {
    /// Applies a request of connection `conn`: the watch calls to its watches (the frames
    /// of a new watch's current values go to `out`), every other call to the model.
    fn apply_from(&mut self, conn: u64, request: Request, out: &mut BytesMut) -> Outcome {
        let reply = match request {
            Request::CrtWatch(msg) => {
                let (reply, initial) = self.registry.create_watch(conn, msg, &self.model);
                for frame in initial {
                    out.extend_from_slice(&frame);
                }
                reply
            }
            Request::DelWatch(msg) => self.registry.delete_watch(conn, msg),
            request => return self.apply(request),
        };
        Outcome {
            immediate: vec![Answer::reply(vec![reply])],
            ..Outcome::default()
        }
    }

    /// Applies a call to the model and saves the state file when the model changed. A
    /// failed save is not acknowledged: the call is answered `FAIL_UNKNOWN_ERROR` naming the
    /// cause instead of its success (the change stays in the memory model).
    fn apply(&mut self, request: Request) -> Outcome {
        let call = request.call();
        let outcome = self.model.apply(request);
        if outcome.changed
            && let Some(path) = &self.state_file
            && let Err(e) = crate::persist::save(path, &self.model)
        {
            tracing::error!("{e}");
            return model::save_failed(call, &e);
        }
        outcome
    }
}

/// Why [`MockController::start`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The state file cannot be read, does not parse, or cannot be written.
    #[error(transparent)]
    State(#[from] StateError),
    /// The TLS certificate or key cannot be used (the message names the file).
    #[error("TLS listener: {0}")]
    Tls(#[source] std::io::Error),
    /// Neither the plain nor a TLS listener is configured.
    #[error("no listener: plain disabled and no TLS settings")]
    NoListener,
    /// A listener cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

/// For callers returning `std::io::Result`: the kind of the underlying I/O error, else
/// `InvalidData` (state file, TLS files) or `InvalidInput` (no listener); the `StartError`
/// is the inner error.
impl From<StartError> for std::io::Error {
    fn from(e: StartError) -> std::io::Error {
        let kind = match &e {
            StartError::Bind { source, .. } => source.kind(),
            StartError::State(StateError::Io { source, .. }) => source.kind(),
            StartError::NoListener => std::io::ErrorKind::InvalidInput,
            _ => std::io::ErrorKind::InvalidData,
        };
        std::io::Error::new(kind, e)
    }
}

/// A running mock controller. Dropping it stops the server and closes every connection.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let mock = linstor_mock::MockController::start(linstor_mock::Config::default()).await?;
/// let addr = mock.addr(); // 127.0.0.1:<ephemeral port>
/// assert!(addr.ip().is_loopback());
/// assert!(mock.model().node_names().is_empty());
/// mock.shutdown().await;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct MockController {
    addr: SocketAddr,
    tls_addr: Option<SocketAddr>,
    shared: Arc<Mutex<Shared>>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl MockController {
    /// Binds `config.listen` and starts serving (loading the state file first, if any).
    /// Ready when this returns.
    ///
    /// # Errors
    ///
    /// [`StartError::State`] for a state file that cannot be read or does not parse,
    /// [`StartError::Tls`], [`StartError::NoListener`], [`StartError::Bind`].
    pub async fn start(config: Config) -> Result<MockController, StartError> {
        let loaded = match &config.state_file {
            Some(path) => crate::persist::load(path)?,
            None => None,
        };
        let acceptor = config
            .tls
            .as_ref()
            .map(crate::tls::acceptor)
            .transpose()
            .map_err(StartError::Tls)?;
        if !config.plain && acceptor.is_none() {
            return Err(StartError::NoListener);
        }
        let bind = |addr: SocketAddr| async move {
            let listener = listen(addr).map_err(|source| StartError::Bind { addr, source })?;
            let local = listener
                .local_addr()
                .map_err(|source| StartError::Bind { addr, source })?;
            Ok::<_, StartError>((listener, local))
        };
        let mut listeners = Vec::new();
        if config.plain {
            listeners.push((bind(config.listen).await?, None));
        }
        if let (Some(tls), Some(acceptor)) = (&config.tls, acceptor) {
            listeners.push((bind(tls.listen).await?, Some(acceptor)));
        }
        let addr = listeners[0].0.1;
        let tls_addr = match listeners.last() {
            Some(((_, local), Some(_))) => Some(*local),
            _ => None,
        };
        let model = match loaded {
            Some(model) => model,
            None => {
                let mut model = Model::new(config.model.clone());
                if config.tls.is_some() {
                    model.set_tls_connector_started();
                }
                if config.demo {
                    model.seed_demo();
                }
                if let Some(path) = &config.state_file {
                    crate::persist::save(path, &model)?;
                }
                model
            }
        };
        let shared = Arc::new(Mutex::new(Shared {
            model,
            registry: Registry::default(),
            faults: config.faults.clone(),
            state_file: config.state_file.clone(),
        }));
        let (stop, stopped) = watch::channel(false);
        let config = Arc::new(config);
        let tasks = listeners
            .into_iter()
            .map(|((listener, _), tls)| {
                tokio::spawn(accept_loop(
                    listener,
                    tls,
                    config.clone(),
                    shared.clone(),
                    stop.clone(),
                    stopped.clone(),
                ))
            })
            .collect();
        tracing::info!(%addr, ?tls_addr, "mock controller listening");
        Ok(MockController {
            addr,
            tls_addr,
            shared,
            stop,
            tasks,
        })
    }

    /// The address of the plain listener (of the TLS listener when plain is disabled).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address of the TLS listener, if one runs.
    pub fn tls_addr(&self) -> Option<SocketAddr> {
        self.tls_addr
    }

    /// The model, to inspect or seed it. Do not hold the guard across an await.
    pub fn model(&self) -> ModelGuard<'_> {
        ModelGuard(lock(&self.shared))
    }

    /// Applies an API call to the model as if a client had sent it (for seeding), and
    /// delivers its events to the watches. The watch calls need a connection: they are
    /// answered as unknown here.
    pub fn apply(&self, request: Request) -> Outcome {
        let mut shared = lock(&self.shared);
        let outcome = shared.apply(request);
        shared.registry.deliver(&outcome.events);
        outcome
    }

    /// Replaces the injected faults; they apply to the next frames and connections.
    pub fn set_faults(&self, faults: Faults) {
        lock(&self.shared).faults = faults;
    }

    /// Number of watches over all connections.
    pub fn watch_count(&self) -> usize {
        lock(&self.shared).registry.watch_count()
    }

    /// A future that resolves when the server stops (shutdown, drop, or an exiting
    /// `ControlCtrl Shutdown`).
    pub fn stopped(&self) -> impl std::future::Future<Output = ()> + use<> {
        let mut rx = self.stop.subscribe();
        async move { until_stopped(&mut rx).await }
    }

    /// Stops accepting, closes every connection, and waits for the server task.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
    }
}

impl Drop for MockController {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Runs one connection handler of a controller with `config` over `io` (any byte stream,
/// e.g. one end of [`tokio::io::duplex`]), without a listener: the greeting, then every
/// frame the peer sends, until the peer closes and every answer is out. For fuzzing and for
/// tests that need no sockets.
pub async fn serve_io<S: AsyncRead + AsyncWrite + Unpin>(config: Config, io: S) {
    let mut model = Model::new(config.model.clone());
    if config.demo {
        model.seed_demo();
    }
    let shared = Arc::new(Mutex::new(Shared {
        model,
        registry: Registry::default(),
        faults: config.faults.clone(),
        state_file: None,
    }));
    let (stop, stopped) = watch::channel(false);
    Connection::new(1, Arc::new(config), shared, stop)
        .run(io, stopped)
        .await;
}

/// Exclusive access to the model of a running controller.
#[derive(Debug)]
pub struct ModelGuard<'a>(MutexGuard<'a, Shared>);

impl std::ops::Deref for ModelGuard<'_> {
    type Target = Model;
    fn deref(&self) -> &Model {
        &self.0.model
    }
}

impl std::ops::DerefMut for ModelGuard<'_> {
    fn deref_mut(&mut self) -> &mut Model {
        &mut self.0.model
    }
}

/// Listen backlog: room for a burst of connects (the default of 128 overflowed at 2,000).
pub const LISTEN_BACKLOG: u32 = 4096;

/// A listener on `addr` with [`LISTEN_BACKLOG`] and `SO_REUSEADDR` (as std sets it).
fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Resolves once the stop flag is set (or its sender is gone).
async fn until_stopped(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}

pub(crate) fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    // The model is only mutated by complete calls; a panicking call leaves no half state
    // that matters more than keeping the other connections served.
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    config: Arc<Config>,
    shared: Arc<Mutex<Shared>>,
    stop: watch::Sender<bool>,
    mut stopped: watch::Receiver<bool>,
) {
    static NEXT_CONN: AtomicU64 = AtomicU64::new(1);
    let mut conns = tokio::task::JoinSet::new();
    let conn_stopped = stopped.clone();
    loop {
        tokio::select! {
            _ = until_stopped(&mut stopped) => break,
            accepted = listener.accept() => match accepted {
                Ok((socket, peer)) => {
                    if lock(&shared).faults.refuse_connections {
                        tracing::info!(%peer, "refusing connection (fault injection)");
                        drop(socket);
                        continue;
                    }
                    let id = NEXT_CONN.fetch_add(1, Ordering::Relaxed);
                    let conn = Connection::new(id, config.clone(), shared.clone(), stop.clone());
                    let stopped = conn_stopped.clone();
                    let tls = tls.clone();
                    conns.spawn(async move {
                        if let Err(e) = socket.set_nodelay(true) {
                            tracing::warn!(connection = id, "TCP_NODELAY: {e}");
                        }
                        tracing::debug!(connection = id, %peer, tls = tls.is_some(), "accepted");
                        match tls {
                            None => conn.run(socket, stopped).await,
                            Some(acceptor) => match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(socket)).await {
                                Ok(Ok(stream)) => conn.run(stream, stopped).await,
                                Ok(Err(e)) => tracing::warn!(connection = id, %peer, "TLS handshake failed: {e}"),
                                Err(_) => tracing::warn!(connection = id, %peer, "TLS handshake timed out"),
                            },
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    conns.shutdown().await;
}

/// One client connection.
struct Connection {
    id: u64,
    config: Arc<Config>,
    shared: Arc<Mutex<Shared>>,
    stop: watch::Sender<bool>,
}

/// What one request frame produced.
enum Reaction {
    /// Nothing to send.
    Silent,
    /// Bytes to write now.
    Now,
    /// Answers to send later: the bytes to write now, and the rest after `delay`.
    Later {
        delay: Duration,
        events: Vec<StreamEvent>,
        frames: BytesMut,
    },
    /// Close the connection unanswered (fault injection).
    Drop,
}

impl Connection {
    fn new(
        id: u64,
        config: Arc<Config>,
        shared: Arc<Mutex<Shared>>,
        stop: watch::Sender<bool>,
    ) -> Connection {
        Connection {
            id,
            config,
            shared,
            stop,
        }
    }

    async fn run<S: AsyncRead + AsyncWrite + Unpin>(
        self,
        mut socket: S,
        mut stopped: watch::Receiver<bool>,
    ) {
        let (events_tx, mut events_rx) = mpsc::channel::<Bytes>(self.config.event_queue.max(1));
        lock(&self.shared)
            .registry
            .register(self.id, events_tx.clone());
        drop(events_tx);
        // The delayed tail of a call (its events, deferred answers and COMPLETE) comes back
        // through `tails` after its events went into `events_rx`; `pending` counts the tails
        // still out, so a client that half-closes still gets them before the connection ends.
        let (tails_tx, mut tails_rx) = mpsc::unbounded_channel::<Bytes>();
        let mut pending = 0usize;
        let mut reading = true;
        let mut frames_seen = 0u64;
        let result = async {
            let mut out = BytesMut::new();
            self.greeting(&mut out);
            write_bounded(&mut socket, &out).await?;
            out.clear();
            let mut codec = FrameCodec::with_max_payload(self.config.max_payload);
            let mut input = BytesMut::with_capacity(READ_BUFFER);
            loop {
                if !reading && pending == 0 {
                    return Ok(());
                }
                tokio::select! {
                    biased;
                    _ = until_stopped(&mut stopped) => return Ok(()),
                    event = events_rx.recv() => match event {
                        Some(frame) => {
                            out.extend_from_slice(&frame);
                            while let Ok(frame) = events_rx.try_recv() {
                                out.extend_from_slice(&frame);
                            }
                        }
                        None => return Err(ConnError::Overloaded),
                    },
                    Some(tail) = tails_rx.recv() => {
                        pending = pending.saturating_sub(1);
                        out.extend_from_slice(&tail);
                    },
                    read = socket.read_buf(&mut input), if reading => {
                        if read? == 0 {
                            // Half-closed (or closed): answer what is still out, then end.
                            reading = false;
                            if !input.is_empty() {
                                tracing::debug!(connection = self.id, bytes = input.len(), "ignoring a partial frame at end of stream");
                            }
                        }
                        let mut large = false;
                        loop {
                            let frame = match codec.decode(&mut input) {
                                Ok(Some(frame)) => frame,
                                Ok(None) => break,
                                Err(e) => {
                                    // The frames before the bad one are answered first.
                                    write_bounded(&mut socket, &out).await?;
                                    return Err(ConnError::Codec(e));
                                }
                            };
                            frames_seen += 1;
                            large |= frame.payload().len() > MAX_IDLE_BUFFER;
                            match self.on_frame(frame, frames_seen, &mut out) {
                                Reaction::Silent | Reaction::Now => {}
                                Reaction::Drop => {
                                    write_bounded(&mut socket, &out).await?;
                                    return Err(ConnError::Dropped(frames_seen));
                                }
                                Reaction::Later { delay, events, frames } => {
                                    pending += 1;
                                    let (shared, tails) = (self.shared.clone(), tails_tx.clone());
                                    tokio::spawn(async move {
                                        tokio::time::sleep(delay).await;
                                        lock(&shared).registry.deliver_held(&events);
                                        let _ = tails.send(frames.freeze());
                                    });
                                }
                            }
                        }
                        if large {
                            // What is left of the read buffer still shares the large
                            // frame's allocation, however small its capacity looks.
                            input = reallocated(&input);
                        }
                        shrink_idle(&mut input);
                    }
                }
                if !out.is_empty() {
                    write_bounded(&mut socket, &out).await?;
                    out.clear();
                    shrink_idle(&mut out);
                }
                let stopping = self.config.exit_on_shutdown && *self.stop.borrow();
                if stopping {
                    return Ok(());
                }
            }
        }
        .await;
        lock(&self.shared).registry.unregister(self.id);
        match result {
            Ok(()) => tracing::debug!(connection = self.id, "closed"),
            Err(e) => tracing::warn!(connection = self.id, "closing: {e}"),
        }
        let _ = socket.shutdown().await;
    }

    fn greeting(&self, out: &mut BytesMut) {
        let header = MsgHeader::oneway(oneway::VERSION);
        let version = MsgApiVersion {
            version: self.config.api_version,
            min_version: linstor_proto::consts::API_VERSION,
            features: Some(0),
            controller_info: Some(self.config.controller_info.clone()),
        };
        write(out, &header, &[&version]);
    }

    fn on_frame(&self, frame: linstor_codec::Frame, seen: u64, out: &mut BytesMut) -> Reaction {
        let faults = lock(&self.shared).faults.clone();
        if faults.drop_after_frames.is_some_and(|n| seen >= n) {
            return Reaction::Drop;
        }
        match frame.frame_type() {
            FrameType::Data => {}
            FrameType::Ping => {
                out.extend_from_slice(linstor_codec::Frame::pong().as_bytes());
                return Reaction::Now;
            }
            FrameType::Pong => return Reaction::Silent,
            FrameType::Other(t) => {
                tracing::debug!(
                    connection = self.id,
                    frame_type = t,
                    "ignoring frame of unknown type"
                );
                return Reaction::Silent;
            }
        }
        let envelope = match Envelope::decode(frame.payload_bytes()) {
            Ok(e) => e,
            Err(e) => {
                tracing::debug!(connection = self.id, "ignoring undecodable payload: {e}");
                return Reaction::Silent;
            }
        };
        if envelope.msg_type() != MsgType::ApiCall {
            tracing::debug!(connection = self.id, msg_type = ?envelope.msg_type(), "ignoring non-request frame");
            return Reaction::Silent;
        }
        let Some(id) = envelope.api_call_id() else {
            tracing::debug!(
                connection = self.id,
                "ignoring API call without api_call_id"
            );
            return Reaction::Silent;
        };
        let Some(outcome) = Call::from_name(envelope.content())
            .and_then(|call| faults.failure(call))
            .or_else(|| self.dispatch(&envelope, out))
        else {
            return Reaction::Silent;
        };
        let script = !outcome.events.is_empty() && !self.config.event_delay.is_zero();
        if faults.answer_delay.is_zero() && !script {
            lock(&self.shared).registry.deliver(&outcome.events);
            write_outcome(out, id, &outcome, true, true);
            return Reaction::Now;
        }
        lock(&self.shared).registry.hold(&outcome.events);
        let mut frames = BytesMut::new();
        let delay = faults.answer_delay
            + if script {
                self.config.event_delay
            } else {
                Duration::ZERO
            };
        let now = faults.answer_delay.is_zero();
        if now {
            write_outcome(out, id, &outcome, true, false);
        }
        write_outcome(&mut frames, id, &outcome, !now, true);
        Reaction::Later {
            delay,
            events: outcome.events,
            frames,
        }
    }

    /// Runs one request; `None` when it gets no answer at all (an API call `Pong`).
    /// Events are returned in the outcome, not yet delivered.
    fn dispatch(&self, envelope: &Envelope, out: &mut BytesMut) -> Option<Outcome> {
        if calls::is_liveness_pong(envelope.content()) {
            return None;
        }
        let mut shared = lock(&self.shared);
        let request = match envelope.request() {
            Ok(request) => request,
            Err(e) => return Some(shared.model.reject(&e)),
        };
        let shutdown = matches!(request, Request::ControlCtrl(_));
        let outcome = shared.apply_from(self.id, request, out);
        if shutdown && self.config.exit_on_shutdown && outcome.entries().any(|e| e.ret_code == 0) {
            tracing::info!("ControlCtrl Shutdown: stopping");
            let _ = self.stop.send(true);
        }
        Some(outcome)
    }
}

/// Initial capacity of a connection's read buffer.
const READ_BUFFER: usize = 8 * 1024;

/// Largest buffer a connection keeps between frames; a larger one (left by a large frame)
/// is replaced by a small one.
const MAX_IDLE_BUFFER: usize = 64 * 1024;

/// Replaces a buffer left large by a large frame with a small one holding the same bytes,
/// so an idle connection holds a few KiB.
fn shrink_idle(buf: &mut BytesMut) {
    if buf.capacity() > MAX_IDLE_BUFFER && buf.len() <= READ_BUFFER {
        let mut small = BytesMut::with_capacity(READ_BUFFER);
        small.extend_from_slice(buf);
        *buf = small;
    }
}

/// A fresh small buffer holding the bytes of `buf`.
fn reallocated(buf: &BytesMut) -> BytesMut {
    let mut fresh = BytesMut::with_capacity(READ_BUFFER.max(buf.len()));
    fresh.extend_from_slice(buf);
    fresh
}

/// Longest time one write may take before the client counts as not reading.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

async fn write_bounded<S: AsyncWrite + Unpin>(
    socket: &mut S,
    bytes: &[u8],
) -> Result<(), ConnError> {
    match tokio::time::timeout(WRITE_TIMEOUT, socket.write_all(bytes)).await {
        Ok(r) => Ok(r?),
        Err(_) => Err(ConnError::Overloaded),
    }
}

/// Why a connection was closed.
#[derive(Debug, thiserror::Error)]
enum ConnError {
    #[error("{0}")]
    Codec(#[from] CodecError),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    #[error("the client does not read its events")]
    Overloaded,
    #[error("dropped after {0} frames (fault injection)")]
    Dropped(u64),
}

/// Writes the immediate answers and `EndOfImmediateAnswers` (`head`), and the deferred
/// answers and `COMPLETE` (`tail`).
fn write_outcome(out: &mut BytesMut, id: i64, outcome: &Outcome, head: bool, tail: bool) {
    if head {
        for answer in &outcome.immediate {
            write_answer(out, id, answer);
        }
        write(
            out,
            &MsgHeader::answer(id, answers::END_OF_IMMEDIATE_ANSWERS),
            &[],
        );
    }
    if tail {
        for answer in &outcome.deferred {
            write_answer(out, id, answer);
        }
        write(out, &MsgHeader::complete(id), &[]);
    }
}

fn write(out: &mut BytesMut, header: &MsgHeader, bodies: &[&dyn WireMessage]) {
    let len = Outgoing::new(header, bodies).payload_len();
    linstor_codec::write_frame(out, header, bodies, len);
}

fn write_answer(out: &mut BytesMut, id: i64, answer: &Answer) {
    let bodies: Vec<&dyn WireMessage> = answer
        .bodies
        .iter()
        .map(|b| b as &dyn WireMessage)
        .collect();
    write(out, &MsgHeader::answer(id, answer.content), &bodies);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_left_large_by_a_large_frame_shrink_back() {
        let mut buf = BytesMut::with_capacity(16 << 20);
        buf.extend_from_slice(&[1, 2, 3]);
        shrink_idle(&mut buf);
        assert_eq!(&buf[..], &[1, 2, 3]);
        assert!(buf.capacity() <= MAX_IDLE_BUFFER, "{}", buf.capacity());
        // A buffer still holding a large partial frame keeps it.
        let mut big = BytesMut::with_capacity(1 << 20);
        big.resize(512 << 10, 7);
        shrink_idle(&mut big);
        assert_eq!(big.len(), 512 << 10);
        // Small buffers are left alone.
        let mut small = BytesMut::with_capacity(READ_BUFFER);
        let before = small.capacity();
        shrink_idle(&mut small);
        assert_eq!(small.capacity(), before);
    }
}
