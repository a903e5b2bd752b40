//! The handle: [`Config`], [`MockController`] (start, inspect, seed, shutdown), the state
//! every connection shares ([`Shared`]: model, watch registry, faults, state file, under one
//! lock) and what the tasks of one controller share ([`Inner`]: the task tracker, the stop
//! and abort tokens, the connection limit, the counters behind [`Stats`]).
//!
//! The accept loops are in `listener.rs`, the connection handler in `connection.rs`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use linstor_codec::Frame;
use linstor_proto::{Call, Request, RequestError};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::faults::Faults;
use crate::list_cache::{self, ListCache};
use crate::model::{Answer, Model, ModelConfig, Outcome};
use crate::store::{Record, Store, StoreError, Ticket};
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
    /// Largest payload in either direction (default 16 MiB). A longer request closes the
    /// connection; an answer that would be longer is replaced by a `FAIL_UNKNOWN_ERROR`
    /// Reply saying so, because the client would refuse it.
    pub max_payload: u32,
    /// Outgoing event frames queued per connection before it is closed as not reading
    /// (default 65,536: room for one call's events to thousands of watches).
    pub event_queue: usize,
    /// Encoded bytes a connection may hold unsent before it is closed as not reading
    /// (default 32 MiB; never less than one frame of `max_payload`). The mock keeps reading
    /// requests while it writes, so this is what bounds a client that sends but never reads.
    pub max_output_bytes: usize,
    /// A partial frame, incoming or outgoing, that makes no progress for this long closes
    /// the connection (default 60 s). Idle connections between frames are never closed.
    pub stalled_frame_timeout: Duration,
    /// Open connections at most (default 10,000); past it a new connection is closed at
    /// once, with a log line, and the open ones are unaffected.
    pub max_connections: usize,
    /// Length of the kernel's queue of connections not yet accepted (default 4,096; the
    /// kernel caps it at `net.core.somaxconn`).
    pub listen_backlog: u32,
    /// How long [`MockController::shutdown`] lets connections finish what they owe (the
    /// delayed tails of their calls, unsent answers) before it closes them (default 5 s).
    pub shutdown_grace: Duration,
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
    /// State store (docs/state.md): a redb database holding a snapshot and the log of the
    /// calls applied since; loaded at start, and every call that changes the model is
    /// committed durably before it is answered. A call whose commit fails is answered with
    /// `FAIL_UNKNOWN_ERROR` naming the cause, and the model goes back to the last commit.
    pub state_file: Option<std::path::PathBuf>,
    /// The log is compacted into a new snapshot once it holds this many bytes and at least
    /// as many as the last snapshot (default [`crate::store::DEFAULT_COMPACT_BYTES`]).
    pub state_compact_bytes: u64,
    /// Whether the plain listener runs (default true).
    pub plain: bool,
    /// The optional TLS listener, beside or (with `plain: false`) instead of the plain one.
    pub tls: Option<TlsSettings>,
    /// Model settings.
    pub model: ModelConfig,
    /// Address of the admin API and dashboard (`None`, the default: off; the binary
    /// defaults to `127.0.0.1:3380`). While it runs, the request journal records every call.
    pub admin: Option<SocketAddr>,
    /// Entries the request journal keeps at most (default 100,000); the oldest go first.
    pub journal_limit: usize,
    /// A cluster scenario played from the start (docs/scenarios.md; default none).
    pub scenario: Option<crate::scenario::Scenario>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            api_version: linstor_proto::consts::API_VERSION,
            controller_info: DEFAULT_CONTROLLER_INFO.to_owned(),
            max_payload: linstor_codec::DEFAULT_MAX_PAYLOAD,
            event_queue: 65_536,
            max_output_bytes: 32 * 1024 * 1024,
            stalled_frame_timeout: Duration::from_secs(60),
            max_connections: 10_000,
            listen_backlog: 4096,
            shutdown_grace: Duration::from_secs(5),
            exit_on_shutdown: false,
            event_delay: Duration::from_millis(20),
            faults: Faults::default(),
            demo: false,
            state_file: None,
            state_compact_bytes: crate::store::DEFAULT_COMPACT_BYTES,
            plain: true,
            tls: None,
            model: ModelConfig::default(),
            admin: None,
            journal_limit: 100_000,
            scenario: None,
        }
    }
}

/// State shared by all connections: the model and the watch registry, under one lock so
/// that events are delivered in the order the model produced them.
#[derive(Debug)]
pub(crate) struct Shared {
    /// The model. Change it only through [`Shared::apply`] or a [`ModelGuard`], or call
    /// [`Shared::touch`] after changing it: the list cache relies on that.
    pub(crate) model: Model,
    pub(crate) registry: Registry,
    pub(crate) faults: Faults,
    pub(crate) store: Option<Store>,
    /// Moves on whenever the model may have changed (see `list_cache.rs`).
    pub(crate) generation: u64,
    /// The encoded answers of list calls at `generation`.
    pub(crate) lists: ListCache,
    /// Slow satellites and the scenario driver's queue (`scenario/driver.rs`).
    pub(crate) scenario: crate::scenario::Runtime,
}

/// The state store's part of a call that changed the model: its queued record, answered
/// once the record is durable.
#[derive(Debug)]
pub(crate) struct Save {
    ticket: Ticket,
    path: Arc<std::path::Path>,
}

/// Longest wait for a commit before the call is answered with an error.
const SAVE_TIMEOUT: Duration = Duration::from_secs(30);

impl Save {
    pub(crate) fn new(store: &Store, ticket: Ticket) -> Save {
        Save {
            ticket,
            path: store.shared_path(),
        }
    }

    /// Waits for the commit.
    pub(crate) async fn wait(self) -> Result<(), SaveError> {
        self.ticket
            .wait(SAVE_TIMEOUT, &self.path)
            .await
            .map_err(SaveError)
    }
}

impl Shared {
    /// Records that the model may have changed: cached list answers are not used again.
    pub(crate) fn touch(&mut self) {
        self.generation += 1;
    }

    /// Applies a request of connection `conn`: the watch calls to its watches (returning the
    /// event frames of a new watch's current values, to be sent before the answer), every
    /// other call to the model.
    pub(crate) fn apply_from(
        &mut self,
        conn: u64,
        request: Request,
    ) -> (Outcome, Vec<Frame>, Option<Save>) {
        let (reply, initial) = match request {
            Request::CrtWatch(msg) => self.registry.create_watch(conn, msg, &self.model),
            Request::DelWatch(msg) => (self.registry.delete_watch(conn, msg), Vec::new()),
            request => {
                let (outcome, save) = self.apply(request);
                return (outcome, Vec::new(), save);
            }
        };
        let outcome = Outcome {
            immediate: vec![Answer::reply(vec![reply])],
            ..Outcome::default()
        };
        (outcome, initial, None)
    }

    /// Applies a call to the model; when a state store is kept and the call changed the
    /// model (or drew from its id counters), also queues its record for the next commit
    /// (awaited by the caller, outside the lock).
    pub(crate) fn apply(&mut self, request: Request) -> (Outcome, Option<Save>) {
        if !list_cache::cacheable(request.call()) {
            self.touch();
        }
        let Some(store) = &self.store else {
            let outcome = self.model.apply(request);
            self.scenario.after_call(&self.model);
            return (outcome, None);
        };
        let before = self.model.generators();
        let record = Record::Call(request.clone());
        let outcome = self.model.apply(request);
        self.scenario.after_call(&self.model);
        let save = crate::store::logged(&outcome, before, &self.model)
            .then(|| Save::new(store, store.append(record)));
        (outcome, save)
    }

    /// Answers a request that did not decode ([`Model::reject`]); one that drew an
    /// error-report id is logged like a call.
    pub(crate) fn reject(&mut self, error: &RequestError) -> (Outcome, Option<(Call, Save)>) {
        let before = self.model.generators();
        let outcome = self.model.reject(error);
        let save = match (&self.store, error.call()) {
            (Some(store), Some(call)) if crate::store::logged(&outcome, before, &self.model) => {
                Some((call, Save::new(store, store.append(Record::Rejected(call)))))
            }
            _ => None,
        };
        (outcome, save)
    }
}

/// Why a change was not committed to the state store (shared by the calls of one batch).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub(crate) struct SaveError(pub(crate) Arc<StoreError>);

/// Answers a change that was not committed with the model's `FAIL_UNKNOWN_ERROR` entry
/// naming the cause, instead of its own answers: the change is not acknowledged, and the
/// commit thread has put the model back to the last commit (with every change queued after
/// it, which fail alike). The events stay: they were delivered, or are held for the call's
/// delayed tail.
pub(crate) fn save_failed(call: Call, outcome: &mut Outcome, error: &SaveError) {
    tracing::error!("{error}");
    let failed = crate::model::save_failed(call, error);
    outcome.immediate = failed.immediate;
    outcome.deferred = failed.deferred;
}

/// Counters of the connections of one controller, in bytes or connections.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) connections: AtomicUsize,
    pub(crate) read_buffer_bytes: AtomicUsize,
    pub(crate) write_buffer_bytes: AtomicUsize,
}

impl Counters {
    /// Replaces a connection's contribution `old` to `counter` by `new`.
    pub(crate) fn adjust(counter: &AtomicUsize, old: usize, new: usize) {
        if new > old {
            counter.fetch_add(new - old, Ordering::Relaxed);
        } else if old > new {
            counter.fetch_sub(old - new, Ordering::Relaxed);
        }
    }
}

/// What one controller's tasks share.
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) config: Config,
    pub(crate) shared: Mutex<Shared>,
    /// Every task of this controller: accept loops, connections, delayed tails, saves.
    pub(crate) tracker: TaskTracker,
    /// Stop accepting and reading; connections finish what they owe, then close. Cancelled
    /// only through [`Inner::stop_all`], which connections rely on to notice it.
    pub(crate) stop: CancellationToken,
    /// End every task now (its child `stop` is cancelled with it). Cancelled only through
    /// [`Inner::abort_all`], as `stop`.
    pub(crate) abort: CancellationToken,
    /// Set before `stop` or `abort` is cancelled ([`Inner::stop_all`], [`Inner::abort_all`]):
    /// a connection reads this flag on every wake-up instead of polling both tokens, whose
    /// every poll locks the state all connections' tokens share.
    pub(crate) signalled: AtomicBool,
    /// One permit per open connection, `Config::max_connections` in all.
    pub(crate) permits: Arc<Semaphore>,
    pub(crate) counters: Counters,
    /// What the control plane collects (journal, connections, metrics, SSE).
    pub(crate) admin: Arc<crate::admin::Hub>,
}

impl Inner {
    /// Cancels `stop`: stop accepting and reading.
    pub(crate) fn stop_all(&self) {
        self.signalled.store(true, Ordering::SeqCst);
        self.stop.cancel();
    }

    /// Cancels `abort` (and with it `stop`): end every task now.
    pub(crate) fn abort_all(&self) {
        self.signalled.store(true, Ordering::SeqCst);
        self.abort.cancel();
    }

    /// The tasks' shared state for `model`, without any task yet.
    fn new(config: Config, model: Model, store: Option<Store>) -> Inner {
        let abort = CancellationToken::new();
        let admin = Arc::new(crate::admin::Hub::new(
            config.admin.is_some(),
            config.journal_limit,
        ));
        Inner {
            shared: Mutex::new(Shared {
                model,
                registry: Registry::with_hub(admin.clone()),
                faults: config.faults.clone(),
                store,
                generation: 0,
                lists: ListCache::default(),
                scenario: crate::scenario::Runtime::default(),
            }),
            tracker: TaskTracker::new(),
            stop: abort.child_token(),
            abort,
            signalled: AtomicBool::new(false),
            permits: Arc::new(Semaphore::new(
                config.max_connections.min(Semaphore::MAX_PERMITS),
            )),
            counters: Counters::default(),
            admin,
            config,
        }
    }
}

/// Why [`MockController::start`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The state store cannot be read, is refused, or cannot be written.
    #[error(transparent)]
    State(#[from] StoreError),
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
            StartError::State(e) if e.io_kind().is_some() => {
                e.io_kind().unwrap_or(std::io::ErrorKind::Other)
            }
            StartError::NoListener => std::io::ErrorKind::InvalidInput,
            _ => std::io::ErrorKind::InvalidData,
        };
        std::io::Error::new(kind, e)
    }
}

/// What the connections of a running controller hold, for tests and diagnostics
/// ([`MockController::stats`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Open connections.
    pub connections: usize,
    /// Bytes allocated for the read buffers of all connections. A buffer that grew for a
    /// large frame counts with that frame's size until it is replaced by a small one.
    pub read_buffer_bytes: usize,
    /// Bytes allocated for the write buffers of all connections, counted the same way.
    pub write_buffer_bytes: usize,
}

/// A running mock controller. Dropping it stops the server and closes every connection at
/// once; [`MockController::shutdown`] lets them finish first.
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
    admin_addr: Option<SocketAddr>,
    inner: Arc<Inner>,
}

impl MockController {
    /// Binds `config.listen` (and the TLS address) with a backlog of
    /// `config.listen_backlog` and starts serving (loading the state file first, if any).
    /// Ready when this returns.
    ///
    /// # Errors
    ///
    /// [`StartError::State`] for a state file that cannot be read or does not parse,
    /// [`StartError::Tls`], [`StartError::NoListener`], [`StartError::Bind`].
    pub async fn start(config: Config) -> Result<MockController, StartError> {
        let loaded = match &config.state_file {
            Some(path) => {
                let (loaded, opened) = crate::store::open(path, || fresh_model(&config))?;
                tracing::info!(path = %path.display(), ?opened, "state store opened");
                Some(loaded)
            }
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
        let mut listeners = Vec::new();
        if config.plain {
            listeners.push((
                crate::listener::bind(config.listen, config.listen_backlog)?,
                None,
            ));
        }
        if let (Some(tls), Some(acceptor)) = (&config.tls, acceptor) {
            listeners.push((
                crate::listener::bind(tls.listen, config.listen_backlog)?,
                Some(acceptor),
            ));
        }
        let local = |listener: &tokio::net::TcpListener, addr: SocketAddr| {
            listener
                .local_addr()
                .map_err(|source| StartError::Bind { addr, source })
        };
        let addr = local(&listeners[0].0, config.listen)?;
        let tls_addr = match (listeners.last(), &config.tls) {
            (Some((listener, Some(_))), Some(tls)) => Some(local(listener, tls.listen)?),
            _ => None,
        };
        let compact = config.state_compact_bytes;
        let admin = config.admin;
        let inner = Arc::new_cyclic(|weak: &Weak<Inner>| match loaded {
            Some(loaded) => {
                let model = loaded.model().clone();
                let store = loaded.start(Box::new(SharedRollback(weak.clone())), compact);
                Inner::new(config, model, Some(store))
            }
            None => {
                let model = fresh_model(&config);
                Inner::new(config, model, None)
            }
        });
        let admin_addr = match admin {
            Some(addr) => Some(crate::admin::serve(&inner, addr).await?),
            None => None,
        };
        crate::scenario::start(&inner);
        for (listener, tls) in listeners {
            inner
                .tracker
                .spawn(crate::listener::accept_loop(listener, tls, inner.clone()));
        }
        tracing::info!(%addr, ?tls_addr, ?admin_addr, "mock controller listening");
        Ok(MockController {
            addr,
            tls_addr,
            admin_addr,
            inner,
        })
    }

    /// What the tasks of this controller share.
    pub(crate) fn inner(&self) -> &Arc<Inner> {
        &self.inner
    }

    /// The address of the plain listener (of the TLS listener when plain is disabled).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address of the admin API and dashboard, if it runs ([`Config::admin`]).
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin_addr
    }

    /// The address of the TLS listener, if one runs.
    pub fn tls_addr(&self) -> Option<SocketAddr> {
        self.tls_addr
    }

    /// Serves one more connection over `io`, any byte stream (a `tokio::io::duplex` half,
    /// a socket accepted elsewhere), exactly as an accepted TCP connection: the greeting,
    /// calls, events, limits and faults (except `refuse_connections`, which the accept loop
    /// applies). It counts against `max_connections` (past it, `io` is closed at once) and
    /// runs as a task of this controller, so shutdown waits for it. The handle resolves when
    /// the connection is closed. Meant for in-memory tests and fuzz targets.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use tokio::io::{AsyncReadExt, AsyncWriteExt};
    ///
    /// let mock = linstor_mock::MockController::start(linstor_mock::Config::default()).await?;
    /// let (mut client, server) = tokio::io::duplex(64 * 1024);
    /// let served = mock.serve_io(server);
    /// client.shutdown().await?; // no requests
    /// let mut greeting = Vec::new();
    /// client.read_to_end(&mut greeting).await?; // the Version greeting, then the close
    /// assert_eq!(&greeting[..4], &[0, 0, 0, 0]);
    /// served.await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn serve_io<S>(&self, io: S) -> tokio::task::JoinHandle<()>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let inner = self.inner.clone();
        self.inner.tracker.spawn(async move {
            let Ok(permit) = inner.permits.clone().try_acquire_owned() else {
                tracing::warn!(
                    limit = inner.config.max_connections,
                    "connection limit reached: closing the new connection"
                );
                return;
            };
            let id = crate::connection::next_id();
            crate::connection::serve(inner, id, None, io, permit).await;
        })
    }

    /// The model, to inspect or seed it. Do not hold the guard across an await. With a
    /// state store, a guard that was used mutably queues a snapshot of the model when it is
    /// dropped (durable before any later call's commit; see docs/state.md).
    pub fn model(&self) -> ModelGuard<'_> {
        ModelGuard {
            shared: lock(&self.inner.shared),
            dirty: false,
        }
    }

    /// Applies an API call to the model as if a client had sent it (for seeding), and
    /// delivers its events to the watches. The watch calls need a connection: they are
    /// answered as unknown here. With a state store the change is committed before this
    /// returns (blocking); a failed commit is answered `FAIL_UNKNOWN_ERROR` naming the cause
    /// and leaves the model as it was.
    pub fn apply(&self, request: Request) -> Outcome {
        let call = request.call();
        let (mut outcome, save) = {
            let mut shared = lock(&self.inner.shared);
            let (outcome, save) = shared.apply(request);
            shared.registry.deliver(&outcome.events);
            (outcome, save)
        };
        if let Some(save) = save
            && let Err(e) = save.ticket.wait_blocking(SAVE_TIMEOUT, &save.path)
        {
            save_failed(call, &mut outcome, &SaveError(e));
        }
        outcome
    }

    /// Replaces the injected faults; they apply to the next frames and connections.
    pub fn set_faults(&self, faults: Faults) {
        lock(&self.inner.shared).faults = faults;
    }

    /// Number of watches over all connections.
    pub fn watch_count(&self) -> usize {
        lock(&self.inner.shared).registry.watch_count()
    }

    /// What the open connections hold now.
    pub fn stats(&self) -> Stats {
        let c = &self.inner.counters;
        Stats {
            connections: c.connections.load(Ordering::Relaxed),
            read_buffer_bytes: c.read_buffer_bytes.load(Ordering::Relaxed),
            write_buffer_bytes: c.write_buffer_bytes.load(Ordering::Relaxed),
        }
    }

    /// A future that resolves when the server stops (shutdown, drop, or an exiting
    /// `ControlCtrl Shutdown`).
    pub fn stopped(&self) -> impl std::future::Future<Output = ()> + use<> {
        self.inner.stop.clone().cancelled_owned()
    }

    /// Stops accepting and reading; lets every connection send what it owes (the delayed
    /// tails of its calls, unsent answers) for up to `Config::shutdown_grace`; then closes
    /// what is left and waits until every task of this controller has ended.
    pub async fn shutdown(self) {
        let inner = &self.inner;
        // Whatever was queued for the store (a model changed through `model()`) is durable
        // before the controller stops.
        let flush = lock(&inner.shared)
            .store
            .as_ref()
            .map(|s| (s.barrier(), s.path().to_owned()));
        if let Some((ticket, path)) = flush
            && let Err(e) = ticket.wait(SAVE_TIMEOUT, &path).await
        {
            tracing::error!("{e}");
        }
        inner.stop_all();
        inner.tracker.close();
        let grace = inner.config.shutdown_grace;
        if tokio::time::timeout(grace, inner.tracker.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                tasks = inner.tracker.len(),
                "shutdown grace of {grace:?} passed: closing the remaining connections"
            );
        }
        inner.abort_all();
        inner.tracker.wait().await;
    }
}

impl Drop for MockController {
    fn drop(&mut self) {
        self.inner.tracker.close();
        self.inner.abort_all();
    }
}

/// Runs one connection handler of a controller with `config` over `io` (any byte stream,
/// e.g. one end of [`tokio::io::duplex`]), without a listener and without a state file (a
/// fresh model, the demo cluster with `config.demo`): the greeting, then every frame the peer
/// sends, until the peer closes and every answer is out, or a limit closes the connection.
/// Returns once the handler and every task it started have ended. For fuzzing and for tests
/// that need no sockets; [`MockController::serve_io`] serves one more connection of a running
/// controller instead.
pub async fn serve_io<S: AsyncRead + AsyncWrite + Unpin>(config: Config, io: S) {
    let config = Config {
        state_file: None,
        ..config
    };
    let model = fresh_model(&config);
    let inner = Arc::new(Inner::new(config, model, None));
    if let Ok(permit) = inner.permits.clone().try_acquire_owned() {
        let id = crate::connection::next_id();
        crate::connection::serve(inner.clone(), id, None, io, permit).await;
    }
    inner.tracker.close();
    inner.abort_all();
    inner.tracker.wait().await;
}

/// The start state of a controller without a state file: a fresh model (with the TLS
/// connector's property when a TLS listener is configured), or the demo cluster.
pub(crate) fn fresh_model(config: &Config) -> Model {
    let mut model = Model::new(config.model.clone());
    if config.tls.is_some() {
        model.set_tls_connector_started();
    }
    if config.demo {
        model.seed_demo();
    }
    model
}

/// Exclusive access to the model of a running controller.
#[derive(Debug)]
pub struct ModelGuard<'a> {
    shared: MutexGuard<'a, Shared>,
    /// Whether it was used mutably (the store then takes a snapshot at the drop).
    dirty: bool,
}

impl std::ops::Deref for ModelGuard<'_> {
    type Target = Model;
    fn deref(&self) -> &Model {
        &self.shared.model
    }
}

impl std::ops::DerefMut for ModelGuard<'_> {
    fn deref_mut(&mut self) -> &mut Model {
        self.shared.touch();
        self.dirty = true;
        &mut self.shared.model
    }
}

impl Drop for ModelGuard<'_> {
    fn drop(&mut self) {
        if self.dirty
            && let Some(store) = &self.shared.store
        {
            // Queued under the lock, so it is ordered before every later call; not awaited
            // (a drop cannot wait): a later call's commit, or the shutdown, includes it.
            let _ticket = store.reset(self.shared.model.clone());
        }
    }
}

/// The store's way back to the live model after a failed commit.
struct SharedRollback(Weak<Inner>);

impl crate::store::Rollback for SharedRollback {
    fn with_model(&self, f: &mut dyn FnMut(&mut Model)) -> bool {
        match self.0.upgrade() {
            Some(inner) => {
                f(&mut lock(&inner.shared).model);
                true
            }
            None => false,
        }
    }
}

pub(crate) fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    // The model is only mutated by complete calls; a panicking call leaves no half state
    // that matters more than keeping the other connections served.
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}
