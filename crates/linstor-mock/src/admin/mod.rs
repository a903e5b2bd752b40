//! The control plane: an HTTP admin API (axum, on the controller's runtime) and the live
//! dashboard it serves at `/`, for tests in any language (docs/admin-api.md).
//!
//! * [`Hub`]: what the server feeds it: the request journal (`journal.rs`), the open
//!   connections, the metrics (`metrics.rs`) and the broadcast behind the Server-Sent Events
//!   (`sse.rs`). The connection task records each call once ([`Hub::begin`] before the
//!   dispatch, [`Hub::record`] when its answers are decided); the watch registry reports the
//!   events it delivers ([`Hub::on_events`]).
//! * `routes.rs`: the `/api/v1` endpoints, `/metrics`, the dashboard's assets
//!   (`assets/`, embedded with `include_str!`), JSON errors and the 404 fallback.
//! * `state.rs`: the model as JSON and replacing it (seed, reset) with close events to the
//!   open watches; `faults.rs`: the faults as JSON.

mod faults;
mod journal;
mod metrics;
mod proto_json;
mod routes;
mod scenario;
mod sse;
pub(crate) mod state;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Instant, SystemTime};

use linstor_codec::Envelope;
use linstor_proto::Call;
use serde::Serialize;
use tokio::sync::broadcast;

use crate::model::EncodedAnswer;
use crate::model::{Outcome, StreamEvent};
pub(crate) use journal::Journal;
use journal::{CallOutcome, Entry, StoredAnswer, StoredBody};

/// Server-Sent Events queued per subscriber before it misses some (it is told so).
const EVENT_BUFFER: usize = 4096;
/// The metrics' label of a call name that is not in the call table.
const UNKNOWN_CALL: &str = "(unknown)";
/// Longest call name the journal keeps.
const MAX_CALL_NAME: usize = 128;

/// A request under way, for its journal entry.
#[derive(Debug)]
pub(crate) struct Pending {
    call: String,
    api_call_id: i64,
    request: Option<StoredBody>,
    time: SystemTime,
    started: Instant,
}

/// An open connection, as `GET /api/v1/connections` shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ConnInfo {
    pub id: u64,
    pub peer: Option<SocketAddr>,
    /// RFC 3339 time it was opened.
    pub since: String,
    /// API calls it made (those the journal recorded).
    pub calls: u64,
}

/// One Server-Sent Event: its type and JSON data, rendered once for every subscriber.
#[derive(Debug)]
pub(crate) struct AdminEvent {
    pub kind: &'static str,
    pub data: String,
}

/// What the control plane collects from one controller.
#[derive(Debug)]
pub(crate) struct Hub {
    enabled: bool,
    journal: Mutex<Journal>,
    conns: Mutex<BTreeMap<u64, ConnInfo>>,
    events: broadcast::Sender<Arc<AdminEvent>>,
    pub(crate) metrics: metrics::Metrics,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Hub {
    /// A hub that records (`enabled`: the admin API runs) into a journal of `journal_limit`
    /// entries.
    pub(crate) fn new(enabled: bool, journal_limit: usize) -> Hub {
        Hub {
            enabled,
            journal: Mutex::new(Journal::new(journal_limit)),
            conns: Mutex::new(BTreeMap::new()),
            events: broadcast::channel(EVENT_BUFFER).0,
            metrics: metrics::Metrics::new(),
        }
    }

    pub(crate) fn journal(&self) -> MutexGuard<'_, Journal> {
        lock(&self.journal)
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Arc<AdminEvent>> {
        self.events.subscribe()
    }

    /// Sends an event to the SSE subscribers (rendered only when there are any).
    pub(crate) fn publish<T: Serialize>(&self, kind: &'static str, data: &T) {
        if self.events.receiver_count() == 0 {
            return;
        }
        match serde_json::to_string(data) {
            Ok(data) => {
                let _ = self.events.send(Arc::new(AdminEvent { kind, data }));
            }
            Err(e) => tracing::error!("admin event {kind} did not serialise: {e}"),
        }
    }

    pub(crate) fn conn_opened(&self, id: u64, peer: Option<SocketAddr>) {
        if !self.enabled {
            return;
        }
        let info = ConnInfo {
            id,
            peer,
            since: journal::rfc3339(SystemTime::now()),
            calls: 0,
        };
        self.publish("connection", &serde_json::json!({"opened": &info}));
        lock(&self.conns).insert(id, info);
    }

    pub(crate) fn conn_closed(&self, id: u64) {
        if !self.enabled {
            return;
        }
        if lock(&self.conns).remove(&id).is_some() {
            self.publish("connection", &serde_json::json!({"closed": id}));
        }
    }

    pub(crate) fn connections(&self) -> Vec<ConnInfo> {
        lock(&self.conns).values().cloned().collect()
    }

    /// Starts the journal entry of a request (`None` when the journal is off).
    pub(crate) fn begin(&self, envelope: &Envelope, api_call_id: i64) -> Option<Pending> {
        if !self.enabled {
            return None;
        }
        let started = Instant::now();
        let content = envelope.content();
        let mut call: String = content.chars().take(MAX_CALL_NAME).collect();
        if call.len() < content.len() {
            call.push('…');
        }
        let kind = Call::from_name(content).and_then(Call::request_kind);
        let request = match (kind, envelope.body_bytes(0)) {
            (Some(kind), Some(bytes)) => Some(StoredBody::new(kind, &bytes)),
            _ => None,
        };
        Some(Pending {
            call,
            api_call_id,
            request,
            time: SystemTime::now(),
            started,
        })
    }

    /// Records a call whose answers are decided: the journal entry, the metrics, the
    /// connection's call count, and the SSE event.
    pub(crate) fn record(&self, pending: Pending, conn: u64, outcome: &Outcome) {
        let answers: Vec<StoredAnswer> = outcome
            .immediate
            .iter()
            .map(|a| (a, false))
            .chain(outcome.deferred.iter().map(|a| (a, true)))
            .map(|(answer, deferred)| StoredAnswer {
                content: answer.content,
                deferred,
                codes: answer.entries().map(|e| e.ret_code).collect(),
                bodies: answer.bodies.iter().map(StoredBody::of).collect(),
            })
            .collect();
        self.record_answers(pending, conn, answers, CallOutcome::of(outcome));
    }

    /// Records a call answered from the list cache: its encoded answers, all immediate,
    /// without entries.
    pub(crate) fn record_encoded(&self, pending: Pending, conn: u64, answers: &[EncodedAnswer]) {
        let answers = answers
            .iter()
            .map(|answer| StoredAnswer {
                content: answer.content,
                deferred: false,
                codes: Vec::new(),
                bodies: answer
                    .bodies
                    .iter()
                    .filter_map(|b| {
                        let kind =
                            linstor_proto::calls::answers::by_name(answer.content)?.message?;
                        Some(StoredBody::new(kind, &b.0))
                    })
                    .collect(),
            })
            .collect();
        self.record_answers(pending, conn, answers, CallOutcome::Success);
    }

    fn record_answers(
        &self,
        pending: Pending,
        conn: u64,
        answers: Vec<StoredAnswer>,
        call_outcome: CallOutcome,
    ) {
        let duration = pending.started.elapsed();
        // Bodies are kept encoded and rendered as JSON when the entry is read.
        let kept = |b: &StoredBody| b.bytes.as_ref().map_or(0, |b| b.len());
        let size = 256
            + pending.call.len()
            + pending.request.as_ref().map_or(0, kept)
            + answers
                .iter()
                .map(|a| 64 + a.bodies.iter().map(kept).sum::<usize>())
                .sum::<usize>();
        let peer = {
            let mut conns = lock(&self.conns);
            conns.get_mut(&conn).and_then(|c| {
                c.calls += 1;
                c.peer
            })
        };
        let entry = Entry {
            seq: 0,
            time: journal::rfc3339(pending.time),
            connection: conn,
            peer,
            call: pending.call,
            api_call_id: pending.api_call_id,
            request: pending.request,
            answers,
            outcome: call_outcome,
            duration_ms: journal::millis(duration),
            size,
        };
        // Names of the call table only: a client sending made-up names cannot grow the
        // metrics without bound.
        let label = Call::from_name(&entry.call).map_or(UNKNOWN_CALL, Call::name);
        self.metrics
            .calls
            .get_or_create(&metrics::CallLabels {
                call: label,
                outcome: call_outcome.name(),
            })
            .inc();
        self.metrics
            .duration
            .get_or_create(&metrics::CallName { call: label })
            .observe(duration.as_secs_f64());
        let entry = self.journal().push(entry);
        self.publish("journal", &*entry);
    }

    /// The registry delivered `events`, queueing `sent` event frames.
    pub(crate) fn on_events(&self, events: &[StreamEvent], sent: usize) {
        if !self.enabled {
            return;
        }
        self.metrics.events_sent.inc_by(sent as u64);
        for event in events {
            self.publish("stream", &state::StreamJson::of(&event.key, &event.action));
        }
    }

    /// Tells the SSE subscribers that the model was replaced (`reset` or `state`).
    pub(crate) fn model_replaced(&self, how: &'static str) {
        self.publish("model", &serde_json::json!({ "replaced": how }));
    }
}

pub(crate) use routes::serve;
