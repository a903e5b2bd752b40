//! One client connection, from the greeting to the close: a single task drives one
//! [`Framed`] transport with the [`FrameCodec`], so the payload limit applies to what it
//! reads and to everything it sends (greeting, answers, events, PONG).
//!
//! The task waits for whatever comes first and never lets one side wait for the other: it
//! writes queued output while it reads the next requests, so a client that sends much and
//! reads late is not deadlocked (requests already received are answered first, so that
//! pipelined calls share one write); the output it has not read is bounded
//! (`Config::max_output_bytes`, plus the event queue of `Config::event_queue` frames), and
//! past that bound the connection is closed with the numbers logged. A partial frame that
//! makes no progress, in either direction, for `Config::stalled_frame_timeout` closes the
//! connection. After a frame larger than 64 KiB the read buffer goes back to 8 KiB, and the
//! write buffer likewise after a large answer, so an idle connection holds a few KiB.
//!
//! Per request: the frame is dispatched to the model under the shared lock (events are
//! delivered or held there, in model order); a change is queued there for the state store's
//! group commit, and the call is answered once it is durable (requests of one connection are
//! handled in order, so reading pauses meanwhile, writing does not). The answers are the
//! immediate ones, `EndOfImmediateAnswers`, the deferred ones and `COMPLETE`; when the call
//! changed event streams, or answers are delayed by fault injection, the rest is sent by a
//! tracked task after the delay ([`Push::Tail`]) through the connection's queue, behind the
//! events it delivered.
//!
//! The connection ends at a read error, a write error, one of the limits, an injected drop,
//! or when the client has half-closed (EOF) or the controller stops and nothing is owed any
//! more: every delayed tail sent, every byte written. The abort of the controller ends it at
//! once.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use bytes::BytesMut;
use futures_core::Stream;
use futures_sink::Sink;
use linstor_codec::{CodecError, Envelope, Frame, FrameCodec, FrameType, HEADER_LEN, Outgoing};
use linstor_proto::calls::{self, answers, oneway};
use linstor_proto::messages::{MsgApiCallResponse, MsgApiVersion, MsgHeader, msg_header::MsgType};
use linstor_proto::{Call, Request, ReturnCode, WireMessage};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::{OwnedSemaphorePermit, mpsc};
use tokio::time::{Instant, Sleep};
use tokio_util::codec::Framed;
use tokio_util::sync::WaitForCancellationFutureOwned;

use crate::faults::Faults;
use crate::list_cache::{self, EncodedAnswers};
use crate::model::EncodedAnswer;
use crate::model::{Answer, Outcome, StreamEvent};
use crate::server::{Counters, Inner, SaveError, lock, save_failed};

/// Capacity the read and write buffers shrink back to after a large frame.
pub(crate) const BUFFER_CAPACITY: usize = 8 * 1024;
/// A buffer whose allocation grew beyond this is replaced by one of [`BUFFER_CAPACITY`] as
/// soon as it holds no more than that.
pub(crate) const KEEP_CAPACITY: usize = 64 * 1024;
/// Below this much free room the read buffer is given [`BUFFER_CAPACITY`] more before a read.
const READ_ROOM_MIN: usize = 1024;
/// Answers queued beyond this are written before more buffered requests are handled.
const COALESCE_BYTES: usize = 64 * 1024;
/// Longest wait for the last bytes and the shutdown of a closing connection.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// The next connection id (unique in the process, for the logs and the watch registry).
pub(crate) fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// What other tasks queue for a connection to send.
#[derive(Debug)]
pub(crate) enum Push {
    /// An event frame for one of its watches (from the registry).
    Event(Frame),
    /// The delayed part of one of its calls (boxed: the queue's slots stay the size of a
    /// frame, and every connection allocates a block of them).
    Tail(Box<Tail>),
}

/// The delayed part of one call: the deferred answers and `COMPLETE`, and with `head`
/// also the immediate answers and `EndOfImmediateAnswers`.
#[derive(Debug)]
pub(crate) struct Tail {
    id: i64,
    outcome: Outcome,
    head: bool,
}

/// How a call is answered, decided under the lock when its events are delivered or held.
#[derive(Debug)]
struct Answering {
    id: i64,
    outcome: Outcome,
    /// The outcome's answers already encoded (a list call's, also kept in the list cache).
    encoded: Option<EncodedAnswers>,
    /// `None`: everything now; else the rest after this delay (the events are held).
    delay: Option<Duration>,
    /// With a delay: whether the immediate answers and EOIA go out now.
    head_now: bool,
    /// The call's journal entry, recorded when its answers are decided.
    journal: Option<crate::admin::Pending>,
}

/// Calls of one connection waiting for their commit to the state store, at most: requests
/// are read on while earlier ones are being committed, so a client's pipelined calls share
/// one commit.
const MAX_SAVING: usize = 64;

/// A call waiting for its commit to the state store, or (`done: None`) a call that changed
/// nothing, answered in order after the commits before it.
struct Saving {
    answering: Answering,
    done: Option<(Call, SaveWait)>,
}

type SaveWait = Pin<Box<dyn Future<Output = Result<(), SaveError>> + Send>>;

/// Why a connection was closed.
#[derive(Debug, thiserror::Error)]
enum ConnError {
    #[error("reading: {0}")]
    Read(#[source] CodecError),
    #[error("writing: {0}")]
    Write(#[source] CodecError),
    #[error("cannot encode a frame: {0}")]
    Encode(#[source] CodecError),
    #[error("the client does not read: {queued} bytes unsent, above the limit of {limit}")]
    NotReading { queued: usize, limit: usize },
    #[error("the client does not read its events: the event queue of {0} frames overflowed")]
    EventQueueFull(usize),
    #[error("a partial {what} frame made no progress for {timeout:?} ({bytes} bytes buffered)")]
    Stalled {
        what: &'static str,
        timeout: Duration,
        bytes: usize,
    },
    #[error("dropped after {0} frames (fault injection)")]
    Dropped(u64),
}

impl ConnError {
    /// Whether the bytes already queued should still be written before closing.
    fn flushes(&self) -> bool {
        matches!(self, ConnError::Read(_) | ConnError::Dropped(_))
    }
}

/// What woke the connection.
enum Wake {
    Abort,
    Stop,
    Frame(Frame),
    ReadError(CodecError),
    Eof,
    Push(Push),
    /// The registry dropped the connection's queue (it was full).
    Kicked,
    Saved(Result<(), SaveError>),
    WriteError(CodecError),
    /// Everything queued is written.
    Flushed,
    /// A partial frame in direction `what` made no progress; `bytes` are buffered.
    Stalled {
        what: &'static str,
        bytes: usize,
    },
}

/// How `run` ended without an error.
enum End {
    /// Nothing more to do: close after writing what is queued.
    Done,
    /// The controller aborts: close now.
    Aborted,
}

/// A deadline armed while a partial frame makes no progress.
struct Stall {
    timer: Option<Pin<Box<Sleep>>>,
    armed: bool,
    /// Buffered bytes when it was last armed.
    mark: usize,
}

impl Stall {
    fn new() -> Stall {
        Stall {
            timer: None,
            armed: false,
            mark: 0,
        }
    }

    /// Arms the deadline `timeout` from now (restarting it).
    fn arm(&mut self, timeout: Duration, mark: usize) {
        let deadline = Instant::now() + timeout;
        match &mut self.timer {
            Some(timer) => timer.as_mut().reset(deadline),
            None => self.timer = Some(Box::pin(tokio::time::sleep_until(deadline))),
        }
        self.armed = true;
        self.mark = mark;
    }

    fn disarm(&mut self) {
        self.armed = false;
    }

    /// Whether the armed deadline has passed (registering the waker if not).
    fn poll_expired(&mut self, cx: &mut Context<'_>) -> bool {
        match &mut self.timer {
            Some(timer) if self.armed => timer.as_mut().poll(cx).is_ready(),
            _ => false,
        }
    }
}

/// Serves one connection until it closes. `permit` is its place under the connection limit.
pub(crate) async fn serve<S>(
    inner: Arc<Inner>,
    id: u64,
    peer: Option<std::net::SocketAddr>,
    io: S,
    permit: OwnedSemaphorePermit,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    inner.admin.conn_opened(id, peer);
    let codec = FrameCodec::with_max_payload(inner.config.max_payload);
    // No buffer is reserved up front: an idle connection holds only what it was sent and
    // sent (the codec grows the read buffer with the bytes that arrive, the encoder
    // reserves each frame's size).
    let mut framed = Framed::with_capacity(io, codec, 0);
    *framed.write_buffer_mut() = BytesMut::new();
    // Output is bounded by `max_output_bytes`, checked after every step, so `poll_ready`
    // never needs to flush: frames are queued with `start_send` directly.
    framed.set_backpressure_boundary(usize::MAX);
    inner.counters.connections.fetch_add(1, Ordering::Relaxed);
    let mut conn = Connection {
        id,
        output_limit: inner
            .config
            .max_output_bytes
            .max(inner.config.max_payload as usize + HEADER_LEN),
        abort: Box::pin(inner.abort.clone().cancelled_owned()),
        stop: Some(Box::pin(inner.stop.clone().cancelled_owned())),
        signal_waker: None,
        inner,
        framed,
        pushes: None,
        own: None,
        draining: false,
        pending_tails: 0,
        saving: VecDeque::new(),
        frames_seen: 0,
        read_stall: Stall::new(),
        write_stall: Stall::new(),
        read_peak: 0,
        write_peak: 0,
        reported_read: 0,
        reported_write: 0,
        _permit: permit,
    };
    let result = conn.run().await;
    let flush = match &result {
        Ok(End::Done) => {
            tracing::debug!(connection = id, "closed");
            true
        }
        Ok(End::Aborted) => {
            tracing::debug!(connection = id, "closed: the controller stops");
            false
        }
        Err(e) => {
            tracing::warn!(connection = id, "closing: {e}");
            e.flushes()
        }
    };
    if !matches!(result, Ok(End::Aborted)) {
        // Boxed: the task of a connection does not carry the room of its closing.
        Box::pin(conn.close(flush)).await;
    }
}

/// The state of one connection.
struct Connection<S> {
    id: u64,
    inner: Arc<Inner>,
    framed: Framed<S, FrameCodec>,
    /// The event queue, made by the first watch or delayed answer ([`Connection::queue`]).
    pushes: Option<mpsc::Receiver<Push>>,
    /// Its sender for delayed tails (the registry holds the only strong one).
    own: Option<mpsc::WeakSender<Push>>,
    abort: Pin<Box<WaitForCancellationFutureOwned>>,
    /// `None` once the stop was seen.
    stop: Option<Pin<Box<WaitForCancellationFutureOwned>>>,
    /// The waker `abort` and `stop` hold: they are polled again only when the task's waker
    /// changed or `Inner::signalled` is set.
    signal_waker: Option<Waker>,
    /// No more requests are read (the client half-closed, or the controller stops).
    draining: bool,
    /// Delayed tails scheduled and not yet received back.
    pending_tails: usize,
    /// Answers waiting for commits, in the order of the requests.
    saving: VecDeque<Saving>,
    frames_seen: u64,
    read_stall: Stall,
    write_stall: Stall,
    /// Size of the allocation the read buffer grew to for a large frame (0: none).
    read_peak: usize,
    /// Size the write buffer grew to beyond [`KEEP_CAPACITY`] (0: none).
    write_peak: usize,
    reported_read: usize,
    reported_write: usize,
    output_limit: usize,
    _permit: OwnedSemaphorePermit,
}

impl<S> Drop for Connection<S> {
    fn drop(&mut self) {
        lock(&self.inner.shared).registry.unregister(self.id);
        self.inner.admin.conn_closed(self.id);
        let c = &self.inner.counters;
        c.connections.fetch_sub(1, Ordering::Relaxed);
        Counters::adjust(&c.read_buffer_bytes, self.reported_read, 0);
        Counters::adjust(&c.write_buffer_bytes, self.reported_write, 0);
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Connection<S> {
    async fn run(&mut self) -> Result<End, ConnError> {
        self.greeting()?;
        loop {
            self.report();
            if self.draining
                && self.pending_tails == 0
                && self.saving.is_empty()
                && self.framed.write_buffer().is_empty()
            {
                return Ok(End::Done);
            }
            let wake = std::future::poll_fn(|cx| self.poll_wake(cx)).await;
            match wake {
                Wake::Abort => return Ok(End::Aborted),
                Wake::Stop => self.draining = true,
                Wake::Eof => self.draining = true,
                Wake::Frame(frame) => {
                    let wire_len = frame.wire_len();
                    self.on_frame(frame)?;
                    self.after_frame(wire_len);
                }
                Wake::ReadError(e) => return Err(ConnError::Read(e)),
                Wake::WriteError(e) => return Err(ConnError::Write(e)),
                Wake::Flushed => {}
                Wake::Push(Push::Event(frame)) => self.send(frame)?,
                Wake::Push(Push::Tail(tail)) => {
                    self.pending_tails = self.pending_tails.saturating_sub(1);
                    self.write_outcome(tail.id, &tail.outcome, tail.head, true)?;
                }
                Wake::Kicked => {
                    return Err(ConnError::EventQueueFull(self.inner.config.event_queue));
                }
                Wake::Saved(result) => {
                    if let Some(saving) = self.saving.pop_front() {
                        let mut answering = saving.answering;
                        if let (Err(e), Some((call, _))) = (result, saving.done) {
                            save_failed(call, &mut answering.outcome, &e);
                        }
                        self.answer(answering)?;
                    }
                }
                Wake::Stalled { what, bytes } => {
                    return Err(ConnError::Stalled {
                        what,
                        timeout: self.inner.config.stalled_frame_timeout,
                        bytes,
                    });
                }
            }
            let queued = self.framed.write_buffer().len();
            if queued > self.output_limit {
                return Err(ConnError::NotReading {
                    queued,
                    limit: self.output_limit,
                });
            }
        }
    }

    /// Polls everything the connection waits for, the write side first, so that neither
    /// side ever waits for the other; only requests already in the read buffer go before a
    /// write (bounded by `COALESCE_BYTES`), so that their answers share it.
    fn poll_wake(&mut self, cx: &mut Context<'_>) -> Poll<Wake> {
        let rewake = self
            .signal_waker
            .as_ref()
            .is_none_or(|w| !w.will_wake(cx.waker()));
        if rewake || self.inner.signalled.load(Ordering::SeqCst) {
            if rewake {
                self.signal_waker = Some(cx.waker().clone());
            }
            if self.abort.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Wake::Abort);
            }
            if let Some(stop) = &mut self.stop
                && stop.as_mut().poll(cx).is_ready()
            {
                self.stop = None;
                return Poll::Ready(Wake::Stop);
            }
        }
        let timeout = self.inner.config.stalled_frame_timeout;
        let before = self.framed.write_buffer().len();
        // Events already queued, and requests already received, are queued before what is
        // queued is written (up to `COALESCE_BYTES`): the events of one change to many
        // watches, and pipelined calls' answers, cost one write.
        let below = before < COALESCE_BYTES;
        if below && let Some(push) = self.poll_push(cx) {
            return Poll::Ready(push);
        }
        let coalesce = below
            && !self.draining
            && self.saving.len() < MAX_SAVING
            && self
                .framed
                .codec()
                .frame_buffered(self.framed.read_buffer());
        if before > 0 && !coalesce {
            match poll_flush(&mut self.framed, cx) {
                Poll::Ready(Ok(())) => {
                    self.write_stall.disarm();
                    self.shrink_write_buffer();
                    // Everything is written: the connection may be done.
                    return Poll::Ready(Wake::Flushed);
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Wake::WriteError(e)),
                Poll::Pending => {
                    let after = self.framed.write_buffer().len();
                    if after < before || !self.write_stall.armed {
                        self.write_stall.arm(timeout, after);
                    }
                }
            }
        }
        if !below && let Some(push) = self.poll_push(cx) {
            return Poll::Ready(push);
        }
        if let Some(saving) = self.saving.front_mut() {
            match &mut saving.done {
                None => return Poll::Ready(Wake::Saved(Ok(()))),
                Some((_, done)) => {
                    if let Poll::Ready(result) = done.as_mut().poll(cx) {
                        return Poll::Ready(Wake::Saved(result));
                    }
                }
            }
        }
        if !self.draining && self.saving.len() < MAX_SAVING {
            // Room to read what has arrived in one go (the codec grows it for a large
            // frame); an idle connection holds none (below).
            let buffer = self.framed.read_buffer_mut();
            if buffer.capacity() - buffer.len() < READ_ROOM_MIN {
                buffer.reserve(BUFFER_CAPACITY);
            }
            match Pin::new(&mut self.framed).poll_next(cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    self.read_stall.disarm();
                    return Poll::Ready(Wake::Frame(frame));
                }
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Wake::ReadError(e)),
                Poll::Ready(None) => return Poll::Ready(Wake::Eof),
                Poll::Pending => {
                    let buffered = self.framed.read_buffer().len();
                    if buffered == 0 {
                        // Nothing is pending: the room is let go until bytes arrive.
                        *self.framed.read_buffer_mut() = BytesMut::new();
                        self.read_stall.disarm();
                    } else if !self.read_stall.armed || buffered != self.read_stall.mark {
                        self.read_stall.arm(timeout, buffered);
                    }
                }
            }
        } else {
            self.read_stall.disarm();
        }
        if self.read_stall.poll_expired(cx) {
            return Poll::Ready(Wake::Stalled {
                what: "request",
                bytes: self.framed.read_buffer().len(),
            });
        }
        if self.write_stall.poll_expired(cx) {
            return Poll::Ready(Wake::Stalled {
                what: "outgoing",
                bytes: self.framed.write_buffer().len(),
            });
        }
        Poll::Pending
    }

    /// The next push from the event queue, if one is there (`Kicked` once the registry
    /// dropped the queue).
    fn poll_push(&mut self, cx: &mut Context<'_>) -> Option<Wake> {
        match self.pushes.as_mut()?.poll_recv(cx) {
            Poll::Ready(push) => Some(push.map_or(Wake::Kicked, Wake::Push)),
            Poll::Pending => None,
        }
    }

    /// Queues one frame through the codec's encoder (which checks the payload limit).
    fn send<I>(&mut self, item: I) -> Result<(), ConnError>
    where
        Framed<S, FrameCodec>: Sink<I, Error = CodecError>,
    {
        Pin::new(&mut self.framed)
            .start_send(item)
            .map_err(ConnError::Encode)?;
        let capacity = self.framed.write_buffer().capacity();
        if capacity > KEEP_CAPACITY {
            self.write_peak = self.write_peak.max(capacity);
        }
        Ok(())
    }

    fn greeting(&mut self) -> Result<(), ConnError> {
        let header = MsgHeader::oneway(oneway::VERSION);
        let version = MsgApiVersion {
            version: self.inner.config.api_version,
            min_version: linstor_proto::consts::API_VERSION,
            features: Some(0),
            controller_info: Some(self.inner.config.controller_info.clone()),
        };
        self.send(Outgoing::new(&header, &[&version]))
    }

    fn on_frame(&mut self, frame: Frame) -> Result<(), ConnError> {
        self.frames_seen += 1;
        let faults = lock(&self.inner.shared).faults.clone();
        if faults
            .drop_after_frames
            .is_some_and(|n| self.frames_seen >= n)
        {
            return Err(ConnError::Dropped(self.frames_seen));
        }
        match frame.frame_type() {
            FrameType::Data => {}
            FrameType::Ping => return self.send(Frame::pong()),
            FrameType::Pong => return Ok(()),
            FrameType::Other(t) => {
                tracing::debug!(
                    connection = self.id,
                    frame_type = t,
                    "ignoring frame of unknown type"
                );
                return Ok(());
            }
        }
        let envelope = match Envelope::decode(frame.payload_bytes()) {
            Ok(e) => e,
            Err(e) => {
                tracing::debug!(connection = self.id, "ignoring undecodable payload: {e}");
                return Ok(());
            }
        };
        if envelope.msg_type() != MsgType::ApiCall {
            tracing::debug!(connection = self.id, msg_type = ?envelope.msg_type(), "ignoring non-request frame");
            return Ok(());
        }
        let Some(id) = envelope.api_call_id() else {
            tracing::debug!(
                connection = self.id,
                "ignoring API call without api_call_id"
            );
            return Ok(());
        };
        if calls::is_liveness_pong(envelope.content()) {
            return Ok(());
        }
        let journal = self.inner.admin.begin(&envelope, id);
        // Behind pending commits an answer waits its turn (below); a list answered here would
        // not.
        if self.saving.is_empty()
            && let Some(answers) = self.list_answers(&envelope, &faults)
        {
            if let Some(pending) = journal {
                self.inner.admin.record_encoded(pending, self.id, &answers);
            }
            return self.write_encoded(id, &answers);
        }
        if Call::from_name(envelope.content()) == Some(Call::CrtWatch) {
            self.queue();
        }
        let (mut answering, initial, save) = self.dispatch(id, &envelope, &faults);
        answering.journal = journal;
        for frame in initial {
            self.send(frame)?;
        }
        match save {
            None if self.saving.is_empty() => self.answer(answering),
            None => {
                self.saving.push_back(Saving {
                    answering,
                    done: None,
                });
                Ok(())
            }
            Some((call, save)) => {
                self.saving.push_back(Saving {
                    answering,
                    done: Some((call, Box::pin(save.wait()))),
                });
                Ok(())
            }
        }
    }

    /// Runs one request under the shared lock: the injected failure or the model's (or the
    /// registry's) outcome, its events delivered now or held for the delayed tail, the
    /// frames of a new watch's current values, and the commit to wait for.
    fn dispatch(
        &self,
        id: i64,
        envelope: &Envelope,
        faults: &Faults,
    ) -> (Answering, Vec<Frame>, Option<(Call, crate::server::Save)>) {
        let config = &self.inner.config;
        let mut shared = lock(&self.inner.shared);
        let call = Call::from_name(envelope.content());
        let answer_delay = faults.delay_of(call);
        let (outcome, initial, save) = match call.and_then(|call| shared.faults.take_failure(call))
        {
            Some(failure) => (failure, Vec::new(), None),
            None => match envelope.request() {
                Err(e) => {
                    let (outcome, save) = shared.reject(&e);
                    (outcome, Vec::new(), save)
                }
                Ok(request) => {
                    let call = request.call();
                    let shutdown = matches!(request, Request::ControlCtrl(_));
                    let (outcome, initial, save) = shared.apply_from(self.id, request);
                    if shutdown
                        && config.exit_on_shutdown
                        && outcome.entries().any(|e| e.ret_code == 0)
                    {
                        tracing::info!("ControlCtrl Shutdown: stopping");
                        self.inner.stop_all();
                    }
                    (outcome, initial, save.map(|save| (call, save)))
                }
            },
        };
        let script = !outcome.events.is_empty() && !config.event_delay.is_zero();
        // Slow satellites (docs/scenarios.md#slow-satellites) delay the tail further.
        let slow = shared.scenario.satellite_delay(&outcome);
        // A list answer without entries (an injected failure has one), events or changes
        // is kept encoded for the next identical call (`list_cache.rs`).
        let encoded = match call {
            Some(call)
                if list_cache::cacheable(call)
                    && answer_delay.is_zero()
                    && !outcome.changed
                    && outcome.events.is_empty()
                    && outcome.deferred.is_empty()
                    && outcome.entries().next().is_none() =>
            {
                let encoded = encode_answers(&outcome);
                let generation = shared.generation;
                let body = envelope.body_bytes(0);
                shared
                    .lists
                    .put(generation, call, body.as_deref(), encoded.clone());
                Some(encoded)
            }
            _ => None,
        };
        let answering = if answer_delay.is_zero() && !script && slow.is_zero() {
            shared.registry.deliver(&outcome.events);
            Answering {
                id,
                outcome,
                encoded,
                delay: None,
                head_now: true,
                journal: None,
            }
        } else {
            shared.registry.hold(&outcome.events);
            let script_delay = if script {
                config.event_delay
            } else {
                Duration::ZERO
            };
            Answering {
                id,
                outcome,
                encoded: None,
                delay: Some(answer_delay + script_delay + slow),
                head_now: answer_delay.is_zero(),
                journal: None,
            }
        };
        (answering, initial, save)
    }

    /// The connection's event queue, made and registered for events when first needed (by
    /// its first watch or delayed answer): an idle connection has none. Returns the sender
    /// for delayed tails.
    fn queue(&mut self) -> mpsc::WeakSender<Push> {
        if let Some(own) = &self.own {
            return own.clone();
        }
        let (tx, rx) = mpsc::channel::<Push>(self.inner.config.event_queue.max(1));
        let own = tx.downgrade();
        lock(&self.inner.shared).registry.register(self.id, tx);
        self.pushes = Some(rx);
        self.own = Some(own.clone());
        own
    }

    /// Sends the answers that are due now and schedules the delayed tail.
    fn answer(&mut self, answering: Answering) -> Result<(), ConnError> {
        let Answering {
            id,
            mut outcome,
            encoded,
            delay,
            head_now,
            journal,
        } = answering;
        if let Some(pending) = journal {
            self.inner.admin.record(pending, self.id, &outcome);
        }
        if let Some(encoded) = encoded {
            return self.write_encoded(id, &encoded);
        }
        let Some(delay) = delay else {
            return self.write_outcome(id, &outcome, true, true);
        };
        if head_now {
            self.write_outcome(id, &outcome, true, false)?;
        }
        let events = std::mem::take(&mut outcome.events);
        self.spawn_tail(
            delay,
            events,
            Tail {
                id,
                outcome,
                head: !head_now,
            },
        );
        Ok(())
    }

    /// After `delay`: delivers the held events to every watch, then hands the tail to this
    /// connection (behind the events of its own watches), even after the client half-closed.
    /// The events are delivered even when the connection is gone.
    fn spawn_tail(&mut self, delay: Duration, events: Vec<StreamEvent>, tail: Tail) {
        self.pending_tails += 1;
        let inner = self.inner.clone();
        let own = self.queue();
        self.inner.tracker.spawn(async move {
            tokio::select! {
                _ = inner.abort.cancelled() => return,
                _ = tokio::time::sleep(delay) => {}
            }
            lock(&inner.shared).registry.deliver_held(&events);
            if let Some(tx) = own.upgrade() {
                tokio::select! {
                    _ = inner.abort.cancelled() => {}
                    _ = tx.send(Push::Tail(Box::new(tail))) => {}
                }
            }
        });
    }

    /// The encoded answers of a list call when no fault applies: from the list cache, or
    /// encoded as the model walks the list ([`crate::Model::encode_list`]) and kept in the
    /// cache. `None` sends the request through [`Connection::dispatch`].
    fn list_answers(&self, envelope: &Envelope, faults: &Faults) -> Option<EncodedAnswers> {
        let call = Call::from_name(envelope.content()).filter(|c| list_cache::cacheable(*c))?;
        if !faults.delay_of(Some(call)).is_zero() || faults.would_fail(call) {
            return None;
        }
        let body = envelope.body_bytes(0);
        let mut shared = lock(&self.inner.shared);
        let generation = shared.generation;
        if let Some(cached) = shared.lists.get(generation, call, body.as_deref()) {
            return Some(cached);
        }
        let request = envelope.request().ok()?;
        let encoded: EncodedAnswers = shared.model.encode_list(&request)?.into();
        shared
            .lists
            .put(generation, call, body.as_deref(), encoded.clone());
        Some(encoded)
    }

    /// Queues encoded answers (all immediate), `EndOfImmediateAnswers` and `COMPLETE`.
    fn write_encoded(&mut self, id: i64, answers: &[EncodedAnswer]) -> Result<(), ConnError> {
        for answer in answers {
            let bodies: Vec<&dyn WireMessage> = answer
                .bodies
                .iter()
                .map(|b| b as &dyn WireMessage)
                .collect();
            self.send_answer(id, answer.content, &bodies)?;
        }
        let eoia = MsgHeader::answer(id, answers::END_OF_IMMEDIATE_ANSWERS);
        self.send(Outgoing::new(&eoia, &[]))?;
        self.send(Outgoing::new(&MsgHeader::complete(id), &[]))
    }

    /// Queues the immediate answers and `EndOfImmediateAnswers` (`head`), and the deferred
    /// answers and `COMPLETE` (`tail`).
    fn write_outcome(
        &mut self,
        id: i64,
        outcome: &Outcome,
        head: bool,
        tail: bool,
    ) -> Result<(), ConnError> {
        if head {
            for answer in &outcome.immediate {
                self.send_typed_answer(id, answer)?;
            }
            let eoia = MsgHeader::answer(id, answers::END_OF_IMMEDIATE_ANSWERS);
            self.send(Outgoing::new(&eoia, &[]))?;
        }
        if tail {
            for answer in &outcome.deferred {
                self.send_typed_answer(id, answer)?;
            }
            self.send(Outgoing::new(&MsgHeader::complete(id), &[]))?;
        }
        Ok(())
    }

    /// Queues one ANSWER frame; one the client's limit would refuse is replaced by a
    /// `FAIL_UNKNOWN_ERROR` Reply saying so.
    fn send_typed_answer(&mut self, id: i64, answer: &Answer) -> Result<(), ConnError> {
        let bodies: Vec<&dyn WireMessage> = answer
            .bodies
            .iter()
            .map(|b| b as &dyn WireMessage)
            .collect();
        self.send_answer(id, answer.content, &bodies)
    }

    /// Queues one ANSWER frame of `content` with `bodies`; one the client's limit would
    /// refuse is replaced by a `FAIL_UNKNOWN_ERROR` Reply saying so.
    fn send_answer(
        &mut self,
        id: i64,
        content: &'static str,
        bodies: &[&dyn WireMessage],
    ) -> Result<(), ConnError> {
        let header = MsgHeader::answer(id, content);
        match self.send(Outgoing::new(&header, bodies)) {
            Err(ConnError::Encode(CodecError::PayloadTooLarge { length, max })) => {
                tracing::warn!(
                    connection = self.id,
                    content,
                    length,
                    max,
                    "answer above the payload limit: sending an error entry instead"
                );
                let entry = MsgApiCallResponse {
                    ret_code: ReturnCode::FAIL_UNKNOWN_ERROR.0,
                    message: format!(
                        "The answer '{content}' of {length} bytes exceeds the payload limit of {max} bytes."
                    ),
                    cause: Some("linstor-mock: answer larger than the payload limit".into()),
                    ..Default::default()
                };
                let reply = MsgHeader::answer(id, answers::REPLY);
                self.send(Outgoing::new(&reply, &[&entry]))
            }
            other => other,
        }
    }

    /// After a frame of `wire_len` bytes: once a buffer grown for a large frame holds no
    /// more than [`BUFFER_CAPACITY`] bytes, moves them to a fresh small buffer, so the large
    /// allocation is freed when the frame is.
    fn after_frame(&mut self, wire_len: usize) {
        let buffer = self.framed.read_buffer();
        if wire_len > KEEP_CAPACITY || buffer.capacity() > KEEP_CAPACITY {
            self.read_peak = self.read_peak.max(wire_len + buffer.capacity());
        }
        if self.read_peak > 0 && buffer.len() <= BUFFER_CAPACITY {
            let mut fresh = BytesMut::with_capacity(BUFFER_CAPACITY);
            fresh.extend_from_slice(buffer);
            *self.framed.read_buffer_mut() = fresh;
            self.read_peak = 0;
        }
    }

    /// Once everything is written, replaces a write buffer that grew large by a small one.
    fn shrink_write_buffer(&mut self) {
        if self.write_peak > 0 || self.framed.write_buffer().capacity() > KEEP_CAPACITY {
            *self.framed.write_buffer_mut() = BytesMut::with_capacity(BUFFER_CAPACITY);
            self.write_peak = 0;
        }
    }

    /// Publishes the buffer sizes to the controller's counters when they changed.
    fn report(&mut self) {
        let read = self.framed.read_buffer().capacity() + self.read_peak;
        let write = self.framed.write_buffer().capacity().max(self.write_peak);
        let c = &self.inner.counters;
        if read != self.reported_read {
            Counters::adjust(&c.read_buffer_bytes, self.reported_read, read);
            self.reported_read = read;
        }
        if write != self.reported_write {
            Counters::adjust(&c.write_buffer_bytes, self.reported_write, write);
            self.reported_write = write;
        }
    }

    /// Writes what is queued (when `flush`) and shuts the stream down, within
    /// [`CLOSE_TIMEOUT`] and unless the controller aborts.
    async fn close(&mut self, flush: bool) {
        let abort = self.inner.abort.clone();
        let framed = &mut self.framed;
        let closing = async {
            if flush {
                let _ = std::future::poll_fn(|cx| poll_flush(&mut *framed, cx)).await;
            }
            let _ = framed.get_mut().shutdown().await;
        };
        tokio::select! {
            _ = abort.cancelled() => {}
            _ = tokio::time::timeout(CLOSE_TIMEOUT, closing) => {}
        }
    }
}

/// Writes the queued bytes (the flush does not depend on the item type of the sink).
fn poll_flush<S: AsyncWrite + Unpin>(
    framed: &mut Framed<S, FrameCodec>,
    cx: &mut Context<'_>,
) -> Poll<Result<(), CodecError>> {
    <Framed<S, FrameCodec> as Sink<Frame>>::poll_flush(Pin::new(framed), cx)
}

/// Every answer of `outcome` (a list call's: all immediate), encoded once.
fn encode_answers(outcome: &Outcome) -> EncodedAnswers {
    outcome.immediate.iter().map(EncodedAnswer::of).collect()
}
