//! The connection task: the one owner of the socket. It registers calls and watches sent
//! by [`Client`](crate::Client) handles, writes their frames (a separate writer task owns
//! the write half), reads frames, routes answers to calls by api_call_id and events to
//! watches by watch id, sends keep-alive pings, and on connection loss fails every pending
//! call and ends every watch at once, exactly once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use linstor_codec::{Envelope, FrameCodec, FrameType, Outgoing};
use linstor_proto::calls::{answers, oneway};
use linstor_proto::consts::events;
use linstor_proto::messages::eventdata::{EventRscState, EventVlmDiskState};
use linstor_proto::messages::{MsgEvent, MsgHeader, msg_header::MsgType};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};
use tokio_util::codec::Decoder;

use crate::ClientError;
use crate::answers::Answers;
use crate::error::Cause;

/// Most answers one call may collect before it fails (a bound against a flooding peer).
const MAX_ANSWERS_PER_CALL: usize = 100_000;

/// What the client handles ask of the connection task.
pub(crate) enum Command {
    /// Register a call (and optionally a watch first), then send its frame.
    Call {
        id: i64,
        frame: Bytes,
        until_eoia: bool,
        reply: oneshot::Sender<Result<Answers, ClientError>>,
        watch: Option<WatchRegistration>,
    },
    /// The caller gave up on a call: free its slot, discard its late answers.
    Cancel(i64),
    /// Unregister a watch and delete it on the controller (frame already built).
    Unwatch { watch_id: i32, frame: Bytes },
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
    answers: Answers,
    until_eoia: bool,
    reply: Option<oneshot::Sender<Result<Answers, ClientError>>>,
}

struct Watch {
    events: mpsc::Sender<Result<Event, ClientError>>,
    capacity: usize,
}

/// Settings of the task.
pub(crate) struct TaskConfig {
    pub keep_alive: Option<Duration>,
    pub idle_timeout: Option<Duration>,
    pub max_payload: u32,
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

/// Runs the connection until it ends; `buf` holds bytes read after the greeting.
pub(crate) async fn run<S>(
    stream: S,
    buf: BytesMut,
    mut commands: mpsc::Receiver<Command>,
    next_id: Arc<AtomicI64>,
    config: TaskConfig,
    closed: CloseReason,
) where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let (mut reader, writer) = tokio::io::split(stream);
    let (out_tx, out_rx) = mpsc::channel::<Bytes>(1024);
    let mut writer_task = tokio::spawn(write_loop(writer, out_rx));
    let mut state = State {
        pending: HashMap::new(),
        watches: HashMap::new(),
    };
    let mut codec = FrameCodec::with_max_payload(config.max_payload);
    let mut buf = buf;
    let mut keep_alive = config
        .keep_alive
        .map(|p| tokio::time::interval_at(tokio::time::Instant::now() + p, p));
    let mut last_read = tokio::time::Instant::now();
    let closed_by: Closed = loop {
        // Frames already buffered (also the ones that came with the greeting).
        loop {
            match codec.decode(&mut buf) {
                Ok(Some(frame)) => {
                    if frame.frame_type() != FrameType::Data {
                        tracing::debug!(frame_type = ?frame.frame_type(), "skipping a header-only or unknown frame");
                        continue;
                    }
                    match Envelope::decode(frame.payload_bytes()) {
                        Ok(env) => state.on_envelope(env),
                        Err(e) => tracing::warn!("skipping a payload that does not decode: {e}"),
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    let reason = Closed::caused("protocol error", e);
                    state.shutdown(&reason);
                    *lock(&closed) = Some(reason);
                    writer_task.abort();
                    return;
                }
            }
        }
        let idle = async {
            match config.idle_timeout {
                Some(t) => tokio::time::sleep_until(last_read + t).await,
                None => std::future::pending().await,
            }
        };
        let tick = async {
            match keep_alive.as_mut() {
                Some(i) => {
                    i.tick().await;
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            command = commands.recv() => match command {
                None => break Closed::new("the client was dropped"),
                Some(Command::Call { id, frame, until_eoia, reply, watch }) => {
                    if let Some(w) = watch {
                        state.watches.insert(w.watch_id, Watch { events: w.events, capacity: w.capacity });
                    }
                    state.pending.insert(id, Pending { answers: Answers::default(), until_eoia, reply: Some(reply) });
                    if out_tx.send(frame).await.is_err() {
                        break Closed::new("the connection's writer stopped");
                    }
                }
                Some(Command::Cancel(id)) => {
                    state.pending.remove(&id);
                }
                Some(Command::Unwatch { watch_id, frame }) => {
                    state.watches.remove(&watch_id);
                    if out_tx.send(frame).await.is_err() {
                        break Closed::new("the connection's writer stopped");
                    }
                }
            },
            read = reader.read_buf(&mut buf) => match read {
                Ok(0) => break Closed::new("the controller closed the connection"),
                Ok(_) => last_read = tokio::time::Instant::now(),
                Err(e) => break Closed::caused("read failed", e),
            },
            result = &mut writer_task => break match result {
                Ok(Err(e)) => Closed::caused("write failed", e),
                _ => Closed::new("the connection's writer stopped"),
            },
            () = tick => {
                let id = next_id.fetch_add(1, Ordering::Relaxed);
                let frame = Outgoing::new(&MsgHeader::api_call(id, linstor_proto::Call::Ping.name()), &[]).to_bytes();
                if out_tx.send(frame).await.is_err() {
                    break Closed::new("the connection's writer stopped");
                }
            }
            () = idle => break Closed::new(format!("no data received for {:?}", config.idle_timeout.unwrap_or_default())),
        }
    };
    tracing::debug!("connection closed: {}", closed_by.reason);
    *lock(&closed) = Some(closed_by.clone());
    state.shutdown(&closed_by);
    writer_task.abort();
}

async fn write_loop<W: AsyncWrite + Unpin>(
    mut writer: W,
    mut frames: mpsc::Receiver<Bytes>,
) -> std::io::Result<()> {
    let mut batch = BytesMut::new();
    while let Some(frame) = frames.recv().await {
        batch.extend_from_slice(&frame);
        while let Ok(frame) = frames.try_recv() {
            batch.extend_from_slice(&frame);
        }
        writer.write_all(&batch).await?;
        batch.clear();
    }
    writer.shutdown().await
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
            MsgType::Answer => self.on_answer(&env),
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

    fn on_answer(&mut self, env: &Envelope) {
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
        if p.reply.is_none() {
            return;
        }
        p.answers.push_envelope(env);
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
