//! The request journal: every API call a connection received, oldest first, with its
//! request and answers as JSON, its outcome and duration. Bounded by a number of entries
//! (`Config::journal_limit`) and by the bytes of its JSON (`MAX_JOURNAL_BYTES`); the oldest
//! entries go first and the journal counts how many went.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use linstor_proto::{Body, MessageKind, ReturnCode};
use serde::Serialize;
use serde_json::Value;

use super::proto_json::{MAX_BODY_JSON, message_json};

use crate::model::Outcome;

/// JSON bytes the journal holds at most, over all entries.
pub(crate) const MAX_JOURNAL_BYTES: usize = 256 * 1024 * 1024;
/// Entries one `GET /api/v1/journal` returns at most (and by default).
pub(crate) const MAX_PAGE: usize = 10_000;

/// How a call ended, from the return codes of its answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum CallOutcome {
    /// No warning or error entry.
    Success,
    /// A warning entry and no error.
    Warning,
    /// An error entry.
    Error,
}

impl CallOutcome {
    pub(crate) fn of(outcome: &Outcome) -> CallOutcome {
        let mut result = CallOutcome::Success;
        for entry in outcome.entries() {
            let rc = ReturnCode(entry.ret_code);
            if rc.is_error() {
                return CallOutcome::Error;
            }
            if rc.is_warning() {
                result = CallOutcome::Warning;
            }
        }
        result
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            CallOutcome::Success => "success",
            CallOutcome::Warning => "warning",
            CallOutcome::Error => "error",
        }
    }
}

/// A return code with the name of its constant.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CodeJson {
    /// The code in hex, `0x...`.
    pub code: String,
    /// The constant it carries (`FAIL_EXISTS_NODE`), if known.
    pub name: Option<&'static str>,
    /// Severity: `success`, `info`, `warning` or `error`.
    pub severity: &'static str,
}

impl CodeJson {
    pub(crate) fn new(rc: ReturnCode) -> CodeJson {
        CodeJson {
            code: format!("{:#018X}", rc.0).replacen("0X", "0x", 1),
            name: rc.name(),
            severity: if rc.is_error() {
                "error"
            } else if rc.is_warning() {
                "warning"
            } else if rc.is_info() {
                "info"
            } else {
                "success"
            },
        }
    }
}

/// One encoded message of an entry, rendered as JSON only when the entry is read; one
/// above [`MAX_BODY_JSON`] keeps only its length.
#[derive(Debug, Clone)]
pub(crate) struct StoredBody {
    pub kind: MessageKind,
    pub len: usize,
    pub bytes: Option<Bytes>,
}

impl StoredBody {
    /// Keeps `bytes` (copied, so the frame's buffer is not held) if they are small enough.
    pub(crate) fn new(kind: MessageKind, bytes: &[u8]) -> StoredBody {
        StoredBody {
            kind,
            len: bytes.len(),
            bytes: (bytes.len() <= MAX_BODY_JSON).then(|| Bytes::copy_from_slice(bytes)),
        }
    }

    pub(crate) fn of(body: &Body) -> StoredBody {
        let len = body.encoded_len();
        if len > MAX_BODY_JSON {
            return StoredBody {
                kind: body.kind(),
                len,
                bytes: None,
            };
        }
        let mut buf = Vec::with_capacity(len);
        body.encode_raw(&mut buf);
        StoredBody {
            kind: body.kind(),
            len,
            bytes: Some(Bytes::from(buf)),
        }
    }

    fn json(&self) -> Value {
        match &self.bytes {
            Some(bytes) => message_json(self.kind, bytes),
            None => serde_json::json!({ "message": self.kind.name(), "omitted_bytes": self.len }),
        }
    }
}

impl Serialize for StoredBody {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.json().serialize(s)
    }
}

/// One answer of a call.
#[derive(Debug, Clone)]
pub(crate) struct StoredAnswer {
    /// The answer's content name, e.g. `Reply`, `LstNode`.
    pub content: &'static str,
    /// Whether it came after `EndOfImmediateAnswers`.
    pub deferred: bool,
    /// The return codes of its entries (for `Reply`).
    pub codes: Vec<u64>,
    pub bodies: Vec<StoredBody>,
}

impl Serialize for StoredAnswer {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct AnswerJson<'a> {
            content: &'static str,
            deferred: bool,
            return_codes: Vec<CodeJson>,
            bodies: &'a [StoredBody],
        }
        AnswerJson {
            content: self.content,
            deferred: self.deferred,
            return_codes: self
                .codes
                .iter()
                .map(|c| CodeJson::new(ReturnCode(*c)))
                .collect(),
            bodies: &self.bodies,
        }
        .serialize(s)
    }
}

/// One journal entry.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Entry {
    pub seq: u64,
    /// RFC 3339 time the request arrived.
    pub time: String,
    pub connection: u64,
    pub peer: Option<SocketAddr>,
    /// The call name as sent (at most 128 characters).
    pub call: String,
    pub api_call_id: i64,
    /// The request body (`null` for calls without one, or unknown calls).
    pub request: Option<StoredBody>,
    pub answers: Vec<StoredAnswer>,
    pub outcome: CallOutcome,
    /// From the request's arrival to its answers being decided (the model's work and the
    /// state-file save), in milliseconds; without the event script's or a fault's delay.
    pub duration_ms: f64,
    /// Approximate bytes of this entry (for the journal's byte bound).
    #[serde(skip)]
    pub size: usize,
}

/// What a journal query selects.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Filter {
    /// Call name, exact.
    pub call: Option<String>,
    pub outcome: Option<CallOutcome>,
    /// Only entries with a `seq` greater than this.
    pub since: Option<u64>,
    /// At most this many entries (default and maximum [`MAX_PAGE`]).
    pub limit: Option<usize>,
}

impl Filter {
    pub(crate) fn matches(&self, e: &Entry) -> bool {
        self.call.as_deref().is_none_or(|c| c == e.call)
            && self.outcome.is_none_or(|o| o == e.outcome)
            && self.since.is_none_or(|s| e.seq > s)
    }
}

/// The bounded journal.
#[derive(Debug)]
pub(crate) struct Journal {
    entries: VecDeque<Arc<Entry>>,
    limit: usize,
    bytes: usize,
    next_seq: u64,
    dropped: u64,
}

impl Journal {
    pub(crate) fn new(limit: usize) -> Journal {
        Journal {
            entries: VecDeque::new(),
            limit,
            bytes: 0,
            next_seq: 1,
            dropped: 0,
        }
    }

    /// Appends an entry, giving it the next `seq`; drops the oldest past the bounds.
    pub(crate) fn push(&mut self, mut entry: Entry) -> Arc<Entry> {
        entry.seq = self.next_seq;
        self.next_seq += 1;
        let entry = Arc::new(entry);
        if self.limit == 0 {
            self.dropped += 1;
            return entry;
        }
        self.bytes += entry.size;
        self.entries.push_back(entry.clone());
        while self.entries.len() > self.limit
            || (self.bytes > MAX_JOURNAL_BYTES && self.entries.len() > 1)
        {
            if let Some(old) = self.entries.pop_front() {
                self.bytes -= old.size;
                self.dropped += 1;
            }
        }
        entry
    }

    /// The entries the filter selects, oldest first, at most its limit; and whether more
    /// matched.
    pub(crate) fn select(&self, filter: &Filter) -> (Vec<Arc<Entry>>, bool) {
        let limit = filter.limit.unwrap_or(MAX_PAGE).min(MAX_PAGE);
        let start = match filter.since {
            // seq grows by one per entry: skip what is older without looking at it.
            Some(since) => self
                .entries
                .front()
                .map_or(0, |first| since.saturating_sub(first.seq - 1) as usize),
            None => 0,
        };
        let mut matching = self
            .entries
            .iter()
            .skip(start)
            .filter(|e| filter.matches(e));
        let page: Vec<Arc<Entry>> = matching.by_ref().take(limit).cloned().collect();
        let more = matching.next().is_some();
        (page, more)
    }

    /// How many entries the filter selects (without its limit).
    pub(crate) fn count(&self, filter: &Filter) -> usize {
        self.entries.iter().filter(|e| filter.matches(e)).count()
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn dropped(&self) -> u64 {
        self.dropped
    }

    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }
}

/// RFC 3339 with milliseconds, UTC.
pub(crate) fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}

/// Milliseconds of a duration as a float.
pub(crate) fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(call: &str, outcome: CallOutcome) -> Entry {
        Entry {
            seq: 0,
            time: String::new(),
            connection: 1,
            peer: None,
            call: call.into(),
            api_call_id: 1,
            request: None,
            answers: Vec::new(),
            outcome,
            duration_ms: 0.0,
            size: 10,
        }
    }

    #[test]
    fn bounded_oldest_first_and_counts_the_dropped() {
        let mut j = Journal::new(3);
        for _ in 0..5 {
            j.push(entry("LstNode", CallOutcome::Success));
        }
        assert_eq!(j.len(), 3);
        assert_eq!(j.dropped(), 2);
        let (page, more) = j.select(&Filter::default());
        assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 4, 5]);
        assert!(!more);
    }

    #[test]
    fn filters_and_limit() {
        let mut j = Journal::new(100);
        j.push(entry("CrtNode", CallOutcome::Success));
        j.push(entry("CrtNode", CallOutcome::Error));
        j.push(entry("LstNode", CallOutcome::Success));
        j.push(entry("CrtNode", CallOutcome::Success));
        let f = |call: Option<&str>, outcome, since, limit| Filter {
            call: call.map(str::to_owned),
            outcome,
            since,
            limit,
        };
        assert_eq!(j.count(&f(Some("CrtNode"), None, None, None)), 3);
        assert_eq!(
            j.count(&f(Some("CrtNode"), Some(CallOutcome::Error), None, None)),
            1
        );
        let (page, more) = j.select(&f(None, None, Some(1), Some(2)));
        assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [2, 3]);
        assert!(more);
        let (page, _) = j.select(&f(Some("CrtNode"), None, Some(2), None));
        assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [4]);
    }
}
