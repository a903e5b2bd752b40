//! [`CallTracker`]: pairs the answers and `COMPLETE` of each connection with the request of
//! the same `api_call_id`, for the latency of every answer. Bounded: at most
//! [`CallTracker::MAX_OPEN`] calls are tracked per connection.

use std::collections::HashMap;

use crate::record::{Direction, Record, RecordKind};

/// Open calls of all connections.
#[derive(Debug, Default)]
pub struct CallTracker {
    open: HashMap<(u64, i64), (u64, String)>,
}

impl CallTracker {
    /// Calls tracked at most; requests beyond are not timed.
    pub const MAX_OPEN: usize = 65_536;

    /// A tracker with no open call.
    pub fn new() -> CallTracker {
        CallTracker::default()
    }

    /// Notes a request, or fills in `latency_us` and `call` of an answer or `COMPLETE`
    /// (which ends the call).
    pub fn observe(&mut self, record: &mut Record) {
        if record.kind != RecordKind::Frame {
            if record.kind == RecordKind::Close {
                self.open.retain(|(conn, _), _| *conn != record.conn);
            }
            return;
        }
        let Some(frame) = &record.frame else { return };
        let (Some(msg_type), Some(id)) = (frame.msg_type.as_deref(), frame.api_call_id) else {
            return;
        };
        let key = (record.conn, id);
        match msg_type {
            "API_CALL"
                if record.dir != Direction::ToClient
                    && (self.open.len() < Self::MAX_OPEN || self.open.contains_key(&key)) =>
            {
                let call = frame.content.clone().unwrap_or_default();
                self.open.insert(key, (record.time_us, call));
            }
            "ANSWER" | "COMPLETE" => {
                let entry = if msg_type == "COMPLETE" {
                    self.open.remove(&key)
                } else {
                    self.open.get(&key).cloned()
                };
                if let Some((start, call)) = entry {
                    record.latency_us = Some(record.time_us.saturating_sub(start));
                    record.call = Some(call);
                }
            }
            _ => {}
        }
    }

    /// Calls sent and not yet complete.
    pub fn open_calls(&self) -> usize {
        self.open.len()
    }
}
