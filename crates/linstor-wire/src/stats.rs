//! `stats`: per call, how many requests, their sizes and the answers' sizes, and latency
//! percentiles from the request to its `COMPLETE`.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crate::record::{Direction, Record, RecordKind, format_us};

/// Figures of one call name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallStats {
    /// Requests sent.
    pub count: usize,
    /// Bytes of the request frames.
    pub request_bytes: u64,
    /// Largest request frame.
    pub max_request: u64,
    /// Bytes of the answer frames (COMPLETE included).
    pub answer_bytes: u64,
    /// Microseconds from request to COMPLETE, sorted, of the calls that completed.
    pub latencies_us: Vec<u64>,
}

impl CallStats {
    /// The `p`-th percentile (0-100, nearest rank) of the latencies.
    pub fn percentile(&self, p: u32) -> Option<u64> {
        if self.latencies_us.is_empty() {
            return None;
        }
        let n = self.latencies_us.len();
        let rank = (u64::from(p) * n as u64).div_ceil(100).max(1) as usize;
        self.latencies_us.get(rank.min(n) - 1).copied()
    }
}

/// Figures of a whole recording or capture.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Per call name.
    pub calls: BTreeMap<String, CallStats>,
    /// Frames in each direction.
    pub frames: HashMap<Direction, usize>,
    /// Error records (bad bytes).
    pub errors: usize,
    /// Event frames.
    pub events: usize,
    /// Calls sent and not yet complete, by connection and id (bounded like the tracker's).
    open: HashMap<(u64, i64), String>,
}

impl Stats {
    /// Counts `records` (as read, or with latencies filled in by a tracker).
    pub fn from_records(records: &[Record]) -> Stats {
        let mut stats = Stats::default();
        for r in records {
            stats.add(r);
        }
        stats.finish();
        stats
    }

    /// Counts one record (call [`Stats::finish`] after the last).
    pub fn add(&mut self, r: &Record) {
        match r.kind {
            RecordKind::Error => self.errors += 1,
            RecordKind::Frame => {}
            _ => return,
        }
        let Some(frame) = &r.frame else { return };
        *self.frames.entry(r.dir).or_default() += 1;
        let size = u64::from(frame.length) + linstor_codec::HEADER_LEN as u64;
        let id = frame.api_call_id;
        match frame.msg_type.as_deref() {
            Some("API_CALL") => {
                let name = frame.content.clone().unwrap_or_default();
                let entry = self.calls.entry(name.clone()).or_default();
                entry.count += 1;
                entry.request_bytes += size;
                entry.max_request = entry.max_request.max(size);
                if let Some(id) = id
                    && self.open.len() < crate::tracker::CallTracker::MAX_OPEN
                {
                    self.open.insert((r.conn, id), name);
                }
            }
            Some("ANSWER" | "COMPLETE") => {
                let Some(id) = id else { return };
                let Some(name) = self.open.get(&(r.conn, id)).cloned() else {
                    return;
                };
                let entry = self.calls.entry(name).or_default();
                entry.answer_bytes += size;
                if frame.msg_type.as_deref() == Some("COMPLETE") {
                    self.open.remove(&(r.conn, id));
                    if let Some(latency) = r.latency_us {
                        entry.latencies_us.push(latency);
                    }
                }
            }
            Some("ONEWAY") if frame.content.as_deref() == Some("Event") => self.events += 1,
            _ => {}
        }
    }

    /// Sorts the latencies for [`CallStats::percentile`].
    pub fn finish(&mut self) {
        for call in self.calls.values_mut() {
            call.latencies_us.sort_unstable();
        }
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |v: Option<u64>| v.map_or_else(|| "-".into(), format_us);
        writeln!(
            f,
            "{:<22} {:>6} {:>10} {:>8} {:>10} {:>11} {:>11} {:>11} {:>11}",
            "call", "count", "req bytes", "max req", "ans bytes", "p50", "p90", "p99", "max"
        )?;
        for (name, s) in &self.calls {
            writeln!(
                f,
                "{:<22} {:>6} {:>10} {:>8} {:>10} {:>11} {:>11} {:>11} {:>11}",
                name,
                s.count,
                s.request_bytes,
                s.max_request,
                s.answer_bytes,
                show(s.percentile(50)),
                show(s.percentile(90)),
                show(s.percentile(99)),
                show(s.latencies_us.last().copied()),
            )?;
        }
        let dir = |d| self.frames.get(&d).copied().unwrap_or(0);
        writeln!(
            f,
            "frames: {} to the controller, {} to the client, {} of unknown direction; {} event(s); {} bad stretch(es)",
            dir(Direction::ToController),
            dir(Direction::ToClient),
            dir(Direction::Unknown),
            self.events,
            self.errors
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let s = CallStats {
            latencies_us: (1..=10).collect(),
            ..CallStats::default()
        };
        assert_eq!(s.percentile(50), Some(5));
        assert_eq!(s.percentile(90), Some(9));
        assert_eq!(s.percentile(99), Some(10));
        assert_eq!(s.percentile(0), Some(1));
        assert_eq!(CallStats::default().percentile(50), None);
    }
}
