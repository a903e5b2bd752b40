//! The connection task: the one owner of the transport, a single
//! `Framed<S, FrameCodec>` that both reads and writes, so the payload limit applies in both
//! directions. One poll function drives both sides together:
//!
//! * **Reading never waits for writing.** Every poll first reads and routes what has arrived:
//!   answers to calls by api_call_id, events to watches by watch id, header-level PINGs
//!   answered with a header-level PONG (at most [`READ_BUDGET`] frames, then it yields).
//! * **Writing**: owed PONGs, keep-alive pings and `DelWatch` frames first, then new calls
//!   from the bounded command queue ([`COMMAND_QUEUE`]), pulled only while the write buffer
//!   is below [`WRITE_BUFFER_SOFT_LIMIT`]. Above it the task only flushes; calls wait in the
//!   queue (and callers in `send`), but reading goes on.
//! * **Cancellation cannot be lost**: a caller that gives up, and a dropped watch, tell the
//!   task on a separate unbounded control channel that is drained on every poll, whatever the
//!   state of the command queue. It holds at most one message per call and one per watch,
//!   sent by the handles that made them. A call given up before its frame went out is never
//!   sent.
//! * **Keep-alive**: an API `Ping` every `keep_alive`; after `keep_alive_misses` of them in a
//!   row without an answer the connection is closed as dead.
//! * On loss of the connection (either side, an I/O or protocol error, an idle or keep-alive
//!   timeout) every pending call fails and every watch ends, at once, exactly once.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use futures::{Sink, Stream};
use linstor_codec::{CodecError, Envelope, Frame, FrameCodec, FrameType, Outgoing};
use linstor_proto::calls::{answers, oneway};
use linstor_proto::consts::events;
use linstor_proto::messages::eventdata::{EventRscState, EventVlmDiskState};
use linstor_proto::messages::{MsgEvent, MsgHeader, msg_header::MsgType};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, Interval, MissedTickBehavior, Sleep};
use tokio_util::codec::Framed;

use crate::ClientError;
use crate::error::Cause;

/// Most answers one call may collect before it fails (a bound against a flooding peer).
const MAX_ANSWERS_PER_CALL: usize = 100_000;

/// Calls queued between the handles and the task; a caller waits for room beyond it.
pub(crate) const COMMAND_QUEUE: usize = 1024;

/// Bytes in the write buffer above which the task stops taking new calls (it keeps reading
/// and flushing). A frame is added whole, so the buffer holds at most this plus one frame.
pub(crate) const WRITE_BUFFER_SOFT_LIMIT: usize = 64 * 1024;

/// Frames handled per poll before the task yields to the runtime.
const READ_BUDGET: usize = 256;

/// A call for the task: register it (and its watch, first), then send its frame.
pub(crate) struct Command {
    pub id: i64,
    /// The call's name, for the error when its frame is refused.
    pub call: &'static str,
    pub frame: Frame,
    pub until_eoia: bool,
    pub reply: oneshot::Sender<Result<RawAnswers, ClientError>>,
    pub watch: Option<WatchRegistration>,
}

/// The answer envelopes of one call as they arrived (without `EndOfImmediateAnswers` and
/// `Pong`). The task routes them by api_call_id and decodes nothing else: the caller
/// decodes the bodies, on its own task, straight into the types it wants.
pub(crate) type RawAnswers = Vec<Envelope>;

/// What the handles tell the task outside the command queue (never lost to a full queue).
pub(crate) enum Control {
    /// The caller gave up on a call: free its slot, discard its late answers (and do not send
    /// it if it has not been sent yet).
    Cancel(i64),
    /// Unregister a watch and delete it on the controller (frame already built).
    Unwatch { watch_id: i32, frame: Frame },
}

/// A watch to register before its `CrtWatch` goes out, so early events are kept.
pub(crate) struct WatchRegistration {
    pub watch_id: i32,
    pub events: mpsc::Sender<Result<Event, ClientError>>,
    pub capacity: usize,
}

/// An event of a watch.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The watch it belongs to.
    pub watch_id: i32,
    /// `ResourceState` or `VlmDiskState`.
    pub event_name: String,
    /// Node name.
    pub node_name: Option<String>,
    /// Resource name.
    pub resource_name: Option<String>,
    /// Volume number (volume streams).
    pub volume_number: Option<i32>,
    /// Snapshot name.
    pub snapshot_name: Option<String>,
    /// What happened to the stream.
    pub action: EventAction,
}

/// The action of an event.
#[derive(Debug, Clone, PartialEq)]
pub enum EventAction {
    /// `Value` with a resource state.
    ResourceState(EventRscState),
    /// `Value` with a volume disk state.
    VolumeDiskState(EventVlmDiskState),
    /// `Value` whose data is absent or unknown.
    Value,
    /// `CloseRemoved`: the object is gone; this stream ends.
    CloseRemoved,
    /// `CloseNoConnection`: the satellite connection is lost; this stream ends.
    CloseNoConnection,
}

struct Pending {
    answers: RawAnswers,
    until_eoia: bool,
    reply: Option<oneshot::Sender<Result<RawAnswers, ClientError>>>,
}

struct Watch {
    events: mpsc::Sender<Result<Event, ClientError>>,
    capacity: usize,
}

/// Settings of the task.
pub(crate) struct TaskConfig {
    pub keep_alive: Option<Duration>,
    pub keep_alive_misses: u32,
    pub idle_timeout: Option<Duration>,
}

/// The channels from the handles to the task.
pub(crate) struct Channels {
    pub commands: mpsc::Receiver<Command>,
    pub control: mpsc::UnboundedReceiver<Control>,
    pub next_id: Arc<AtomicI64>,
}

/// Why the connection ended, readable by every handle.
pub(crate) type CloseReason = Arc<Mutex<Option<Closed>>>;

/// Why a connection ended: the reason text and the error behind it, if any.
#[derive(Debug, Clone)]
pub(crate) struct Closed {
    reason: String,
    source: Option<Cause>,
}

impl Closed {
    fn new(reason: impl Into<String>) -> Closed {
        Closed {
            reason: reason.into(),
            source: None,
        }
    }

    /// `what: error`, keeping the error as the source.
    fn caused(what: &str, error: impl std::error::Error + Send + Sync + 'static) -> Closed {
        Closed {
            reason: format!("{what}: {error}"),
            source: Some(Cause::new(error)),
        }
    }

    /// The error every call and watch of the connection fails with.
    pub(crate) fn error(&self) -> ClientError {
        ClientError::Disconnected {
            reason: self.reason.clone(),
            source: self.source.clone(),
        }
    }
}

/// Runs the connection until it ends. `framed` is the one reader and writer of the
/// transport; the handshake already read the greeting from it, so no byte is lost between
/// the two.
pub(crate) async fn run<S>(
    framed: Framed<S, FrameCodec>,
    channels: Channels,
    config: TaskConfig,
    closed: CloseReason,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut connection = Connection::new(framed, channels, config);
    let closed_by = std::future::poll_fn(|cx| connection.poll_run(cx)).await;
    tracing::debug!("connection closed: {}", closed_by.reason);
    *lock(&closed) = Some(closed_by.clone());
    connection.state.shutdown(&closed_by);
    // Dropping the connection closes the transport and the command queue: calls still
    // queued fail with the reason just stored.
}

/// Keep-alive pings sent and not answered yet, oldest first.
struct KeepAlive {
    interval: Interval,
    period: Duration,
    misses: usize,
    unanswered: VecDeque<i64>,
}

impl KeepAlive {
    /// Whether `id` is an unanswered keep-alive ping; an answer to one also answers every
    /// older one.
    fn answered(&mut self, id: i64) -> bool {
        match self.unanswered.iter().position(|&p| p == id) {
            Some(i) => {
                self.unanswered.drain(..=i);
                true
            }
            None => false,
        }
    }
}

struct Idle {
    timeout: Duration,
    sleep: Pin<Box<Sleep>>,
}

struct Connection<S> {
    framed: Framed<S, FrameCodec>,
    commands: mpsc::Receiver<Command>,
    control: mpsc::UnboundedReceiver<Control>,
    next_id: Arc<AtomicI64>,
    state: State,
    /// Header-level PONGs owed to the peer (a count, so a flood of PINGs costs no memory).
    pongs_owed: u64,
    /// Keep-alive pings and `DelWatch` frames, sent before any new call.
    urgent: VecDeque<Frame>,
    keep_alive: Option<KeepAlive>,
    idle: Option<Idle>,
    /// Read buffer length after the last read, to notice bytes of a frame still arriving.
    read_len: usize,
}

/// The error of a failed read or write: the I/O error itself when there is one.
fn io_failure(what: &str, e: CodecError) -> Closed {
    match e {
        CodecError::Io(e) => Closed::caused(what, e),
        e => Closed::caused(what, e),
    }
}

impl<S> Connection<S>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    fn new(framed: Framed<S, FrameCodec>, channels: Channels, config: TaskConfig) -> Self {
        let now = Instant::now();
        let keep_alive = config.keep_alive.map(|period| {
            let mut interval = tokio::time::interval_at(now + period, period);
            interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
            KeepAlive {
                interval,
                period,
                misses: config.keep_alive_misses.max(1) as usize,
                unanswered: VecDeque::new(),
            }
        });
        let idle = config.idle_timeout.map(|timeout| Idle {
            timeout,
            sleep: Box::pin(tokio::time::sleep_until(now + timeout)),
        });
        let read_len = framed.read_buffer().len();
        Connection {
            framed,
            commands: channels.commands,
            control: channels.control,
            next_id: channels.next_id,
            state: State {
                pending: HashMap::new(),
                watches: HashMap::new(),
            },
            pongs_owed: 0,
            urgent: VecDeque::new(),
            keep_alive,
            idle,
            read_len,
        }
    }

    /// One round: control messages, reading, keep-alive, writing, idle check. Ready with
    /// the reason once the connection is over.
    fn poll_run(&mut self, cx: &mut Context<'_>) -> Poll<Closed> {
        // A cancel frees its slot before anything else happens.
        loop {
            match self.control.poll_recv(cx) {
                Poll::Ready(Some(Control::Cancel(id))) => {
                    self.state.pending.remove(&id);
                }
                Poll::Ready(Some(Control::Unwatch { watch_id, frame })) => {
                    self.state.watches.remove(&watch_id);
                    self.urgent.push_back(frame);
                }
                Poll::Ready(None) => return Poll::Ready(Closed::new("the client was dropped")),
                Poll::Pending => break,
            }
        }
        let more = match self.poll_read(cx) {
            Ok(more) => more,
            Err(closed) => return Poll::Ready(closed),
        };
        // After reading, so that an answer that has arrived counts before a tick judges.
        if let Some(closed) = self.poll_keep_alive(cx) {
            return Poll::Ready(closed);
        }
        if let Err(closed) = self.poll_write(cx) {
            return Poll::Ready(closed);
        }
        if let Some(idle) = &mut self.idle
            && idle.sleep.as_mut().poll(cx).is_ready()
        {
            return Poll::Ready(Closed::new(format!(
                "no data received for {:?}",
                idle.timeout
            )));
        }
        if more {
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    }

    /// Queues a keep-alive ping per tick; closes the connection when the last
    /// `keep_alive_misses` went unanswered.
    fn poll_keep_alive(&mut self, cx: &mut Context<'_>) -> Option<Closed> {
        let ka = self.keep_alive.as_mut()?;
        while ka.interval.poll_tick(cx).is_ready() {
            if ka.unanswered.len() >= ka.misses {
                return Some(Closed::new(format!(
                    "no answer to the last {} keep-alive pings (one every {:?})",
                    ka.misses, ka.period
                )));
            }
            let id = self.next_id.fetch_add(1, Ordering::Relaxed);
            let header = MsgHeader::api_call(id, linstor_proto::Call::Ping.name());
            match Outgoing::new(&header, &[]).to_frame() {
                Ok(frame) => {
                    ka.unanswered.push_back(id);
                    self.urgent.push_back(frame);
                }
                Err(e) => tracing::warn!("cannot build a keep-alive ping: {e}"),
            }
        }
        None
    }

    /// Reads and routes the frames that have arrived. `Ok(true)` when the budget ran out
    /// with more to read.
    fn poll_read(&mut self, cx: &mut Context<'_>) -> Result<bool, Closed> {
        let mut budget = READ_BUDGET;
        let more = loop {
            if budget == 0 {
                break true;
            }
            match Pin::new(&mut self.framed).poll_next(cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    budget -= 1;
                    self.on_frame(frame);
                }
                Poll::Ready(Some(Err(CodecError::Io(e)))) => {
                    return Err(Closed::caused("read failed", e));
                }
                Poll::Ready(Some(Err(e))) => return Err(Closed::caused("protocol error", e)),
                Poll::Ready(None) => {
                    return Err(Closed::new("the controller closed the connection"));
                }
                Poll::Pending => break false,
            }
        };
        let read_len = self.framed.read_buffer().len();
        if (budget < READ_BUDGET || read_len != self.read_len)
            && let Some(idle) = &mut self.idle
        {
            idle.sleep.as_mut().reset(Instant::now() + idle.timeout);
        }
        self.read_len = read_len;
        Ok(more)
    }

    fn on_frame(&mut self, frame: Frame) {
        match frame.frame_type() {
            FrameType::Data => match Envelope::decode(frame.payload_bytes()) {
                Ok(env) => {
                    let answer = matches!(env.msg_type(), MsgType::Answer | MsgType::Complete);
                    if answer
                        && let (Some(ka), Some(id)) = (self.keep_alive.as_mut(), env.api_call_id())
                        && ka.answered(id)
                    {
                        return;
                    }
                    self.state.on_envelope(env);
                }
                Err(e) => tracing::warn!("skipping a payload that does not decode: {e}"),
            },
            FrameType::Ping => self.pongs_owed = self.pongs_owed.saturating_add(1),
            other => {
                tracing::debug!(frame_type = ?other, "skipping a header-only or unknown frame")
            }
        }
    }

    /// Fills the write buffer (owed PONGs, urgent frames, then new calls while below the
    /// soft limit) and flushes it.
    fn poll_write(&mut self, cx: &mut Context<'_>) -> Result<(), Closed> {
        loop {
            // Flushes first when the buffer is above the soft limit.
            match Sink::<Frame>::poll_ready(Pin::new(&mut self.framed), cx) {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(e)) => return Err(io_failure("write failed", e)),
                Poll::Pending => break,
            }
            if self.pongs_owed > 0 {
                self.pongs_owed -= 1;
                self.send_control(Frame::pong());
                continue;
            }
            if let Some(frame) = self.urgent.pop_front() {
                self.send_control(frame);
                continue;
            }
            match self.commands.poll_recv(cx) {
                Poll::Ready(Some(command)) => self.on_command(command),
                Poll::Ready(None) => return Err(Closed::new("the client was dropped")),
                Poll::Pending => break,
            }
        }
        match Sink::<Frame>::poll_flush(Pin::new(&mut self.framed), cx) {
            Poll::Ready(Err(e)) => Err(io_failure("write failed", e)),
            Poll::Ready(Ok(())) | Poll::Pending => Ok(()),
        }
    }

    /// Buffers a frame of the task's own; one the codec refuses is logged and dropped.
    fn send_control(&mut self, frame: Frame) {
        if let Err(e) = Pin::new(&mut self.framed).start_send(frame) {
            tracing::warn!("not sending a control frame: {e}");
        }
    }

    /// Buffers a call's frame and registers the call (and its watch). A call whose caller
    /// already gave up (or whose `Watch` is already dropped) is dropped unsent; one whose
    /// frame the codec refuses fails with [`ClientError::RequestTooLarge`] and the
    /// connection goes on.
    fn on_command(&mut self, command: Command) {
        let Command {
            id,
            call,
            frame,
            until_eoia,
            reply,
            watch,
        } = command;
        if reply.is_closed() || watch.as_ref().is_some_and(|w| w.events.is_closed()) {
            return;
        }
        if let Err(source) = Pin::new(&mut self.framed).start_send(frame) {
            let _ = reply.send(Err(ClientError::RequestTooLarge {
                call,
                api_call_id: id,
                source,
            }));
            return;
        }
        if let Some(w) = watch {
            self.state.watches.insert(
                w.watch_id,
                Watch {
                    events: w.events,
                    capacity: w.capacity,
                },
            );
        }
        self.state.pending.insert(
            id,
            Pending {
                answers: RawAnswers::new(),
                until_eoia,
                reply: Some(reply),
            },
        );
    }
}

pub(crate) fn lock(m: &Mutex<Option<Closed>>) -> std::sync::MutexGuard<'_, Option<Closed>> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

struct State {
    pending: HashMap<i64, Pending>,
    watches: HashMap<i32, Watch>,
}

impl State {
    fn on_envelope(&mut self, env: Envelope) {
        match env.msg_type() {
            MsgType::Answer => self.on_answer(env),
            MsgType::Complete => {
                let Some(id) = env.api_call_id() else { return };
                if let Some(mut p) = self.pending.remove(&id)
                    && let Some(reply) = p.reply.take()
                {
                    let _ = reply.send(Ok(p.answers));
                }
            }
            MsgType::Oneway if env.content() == oneway::EVENT => self.on_event(&env),
            other => {
                tracing::warn!(msg_type = ?other, content = env.content(), "skipping an unexpected frame")
            }
        }
    }

    fn on_answer(&mut self, env: Envelope) {
        let Some(id) = env.api_call_id() else { return };
        let Some(p) = self.pending.get_mut(&id) else {
            tracing::debug!(api_call_id = id, "answer for a call nobody waits for");
            return;
        };
        if answers::by_name(env.content()).is_none() {
            tracing::warn!(
                content = env.content(),
                "skipping an unknown answer content"
            );
            return;
        }
        if env.content() == answers::END_OF_IMMEDIATE_ANSWERS {
            if p.until_eoia
                && let Some(reply) = p.reply.take()
            {
                let _ = reply.send(Ok(std::mem::take(&mut p.answers)));
            }
            return;
        }
        if p.reply.is_none() || env.content() == answers::PONG {
            return;
        }
        p.answers.push(env);
        if p.answers.len() > MAX_ANSWERS_PER_CALL
            && let Some(reply) = p.reply.take()
        {
            let _ = reply.send(Err(ClientError::Disconnected {
                reason: format!("call {id} got more than {MAX_ANSWERS_PER_CALL} answers"),
                source: None,
            }));
        }
    }

    fn on_event(&mut self, env: &Envelope) {
        let event: MsgEvent = match env.body(0) {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!("skipping an event that does not decode: {e}");
                return;
            }
        };
        let Some(watch) = self.watches.get(&event.watch_id) else {
            return;
        };
        let action = match event.event_action.as_str() {
            events::CLOSE_REMOVED => EventAction::CloseRemoved,
            events::CLOSE_NO_CONNECTION => EventAction::CloseNoConnection,
            _ => match event.event_name.as_str() {
                events::RESOURCE_STATE => env
                    .body(1)
                    .map(EventAction::ResourceState)
                    .unwrap_or(EventAction::Value),
                events::VOLUME_DISK_STATE => env
                    .body(1)
                    .map(EventAction::VolumeDiskState)
                    .unwrap_or(EventAction::Value),
                _ => EventAction::Value,
            },
        };
        let item = Event {
            watch_id: event.watch_id,
            event_name: event.event_name,
            node_name: event.node_name,
            resource_name: event.resource_name,
            volume_number: event.volume_number,
            snapshot_name: event.snapshot_name,
            action,
        };
        // Keep one slot for the overflow error: never silent loss.
        if watch.events.capacity() <= 1 {
            let (id, capacity) = (item.watch_id, watch.capacity);
            let _ = watch.events.try_send(Err(ClientError::WatchOverflow {
                watch_id: id,
                capacity,
            }));
            self.watches.remove(&id);
            return;
        }
        if watch.events.try_send(Ok(item)).is_err() {
            // The receiver is gone (the watch was dropped).
            self.watches.remove(&event.watch_id);
        }
    }

    /// Fails every pending call and ends every watch, once.
    fn shutdown(&mut self, closed: &Closed) {
        for (_, mut p) in self.pending.drain() {
            if let Some(reply) = p.reply.take() {
                let _ = reply.send(Err(closed.error()));
            }
        }
        for (_, w) in self.watches.drain() {
            let _ = w.events.try_send(Err(closed.error()));
        }
    }
}
