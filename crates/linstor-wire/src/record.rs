//! The recording format (docs/recording.md): one JSON object per line, [`Record`], for a
//! frame, for bytes that are not a frame, and for a connection opening or closing. The
//! same lines are what `decode --json` prints.

use std::io::BufRead;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::WireError;
use crate::view::FrameView;

/// Which way bytes travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Client to controller (requests).
    ToController,
    /// Controller to client (greeting, answers, events).
    ToClient,
    /// Not known (a raw stream of one direction); inferred per frame where it can be.
    Unknown,
}

impl Direction {
    /// `c>s`, `s>c` or `?`.
    pub fn arrow(self) -> &'static str {
        match self {
            Direction::ToController => "c>s",
            Direction::ToClient => "s>c",
            Direction::Unknown => "?",
        }
    }
}

/// What a [`Record`] describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A whole frame: `raw` and `frame` are set.
    Frame,
    /// Bytes that are not a frame: `error` and `offset` are set (the bytes themselves are
    /// not kept).
    Error,
    /// A connection was accepted (`peer`) and the upstream dialled (`upstream`).
    Open,
    /// A connection ended (`error` says why, when it failed).
    Close,
}

/// One line of a recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Microseconds since the Unix epoch (the capture's clock for pcap input; 0 when the
    /// input has no time).
    pub time_us: u64,
    /// Connection number, 1, 2, ... in the order they were opened.
    pub conn: u64,
    /// What this line is.
    pub kind: RecordKind,
    /// Which way the bytes went.
    pub dir: Direction,
    /// Offset of the frame's first byte in its direction's stream.
    #[serde(default)]
    pub offset: u64,
    /// The frame's bytes exactly as on the wire, base64 (standard alphabet, padded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// The decoded view.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame: Option<FrameView>,
    /// For ANSWER and COMPLETE frames: microseconds since the request with that id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_us: Option<u64>,
    /// For ANSWER and COMPLETE frames: the call they answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<String>,
    /// What was wrong (kind `error`, or a failed `close`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Kind `open`: the client's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<String>,
    /// Kind `open`: the upstream's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream: Option<String>,
}

impl Record {
    /// A record of `kind` with nothing but its place set.
    pub fn new(kind: RecordKind, time_us: u64, conn: u64, dir: Direction) -> Record {
        Record {
            time_us,
            conn,
            kind,
            dir,
            offset: 0,
            raw: None,
            frame: None,
            latency_us: None,
            call: None,
            error: None,
            peer: None,
            upstream: None,
        }
    }

    /// A frame record: the raw bytes and their decoded view.
    pub fn frame(time_us: u64, conn: u64, dir: Direction, offset: u64, bytes: &[u8]) -> Record {
        let mut r = Record::new(RecordKind::Frame, time_us, conn, dir);
        r.offset = offset;
        r.raw = Some(STANDARD.encode(bytes));
        r.frame = Some(FrameView::decode(bytes));
        r
    }

    /// The raw bytes, decoded from base64 (`line` is for the error).
    ///
    /// # Errors
    ///
    /// [`WireError::BadBase64`].
    pub fn raw_bytes(&self, line: usize) -> Result<Vec<u8>, WireError> {
        match &self.raw {
            Some(raw) => STANDARD
                .decode(raw)
                .map_err(|source| WireError::BadBase64 { line, source }),
            None => Ok(Vec::new()),
        }
    }

    /// The record as one JSON line (without the newline).
    pub fn to_json_line(&self) -> String {
        // A Record has only string keys and plain values: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// One readable line; `start_us` is the time shown as `+0.000000`.
    pub fn to_text(&self, start_us: u64) -> String {
        let t = self.time_us.saturating_sub(start_us);
        let time = format!("+{}.{:06} #{}", t / 1_000_000, t % 1_000_000, self.conn);
        let head = format!("{time} {} @{}", self.dir.arrow(), self.offset);
        match self.kind {
            RecordKind::Frame => {
                let mut line = format!(
                    "{head} {}",
                    self.frame
                        .as_ref()
                        .map(FrameView::to_text)
                        .unwrap_or_default()
                );
                if let Some(latency) = self.latency_us {
                    line.push_str(&format!(
                        "  ({} after {})",
                        format_us(latency),
                        self.call.as_deref().unwrap_or("?")
                    ));
                }
                line
            }
            RecordKind::Error => format!(
                "{head} ERROR at offset {}: {}",
                self.offset,
                self.error.as_deref().unwrap_or("?")
            ),
            RecordKind::Open => format!(
                "{time} OPEN {} -> {}",
                self.peer.as_deref().unwrap_or("?"),
                self.upstream.as_deref().unwrap_or("?")
            ),
            RecordKind::Close => match &self.error {
                Some(e) => format!("{time} CLOSE ({e})"),
                None => format!("{time} CLOSE"),
            },
        }
    }
}

/// `1.234 ms` and the like.
pub fn format_us(us: u64) -> String {
    if us >= 1_000_000 {
        format!("{:.3} s", us as f64 / 1e6)
    } else {
        format!("{:.3} ms", us as f64 / 1e3)
    }
}

/// Reads a recording: one [`Record`] per non-empty line.
///
/// # Errors
///
/// [`WireError::Io`] or [`WireError::BadRecord`] naming the line.
pub fn read_recording(path: &Path) -> Result<Vec<Record>, WireError> {
    let file =
        std::fs::File::open(path).map_err(|e| WireError::io(path.display().to_string(), e))?;
    parse_recording(std::io::BufReader::new(file), path)
}

/// Parses recording lines from `reader` (`path` names it in errors).
///
/// # Errors
///
/// As [`read_recording`].
pub fn parse_recording(reader: impl BufRead, path: &Path) -> Result<Vec<Record>, WireError> {
    let mut records = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| WireError::io(path.display().to_string(), e))?;
        if line.trim().is_empty() {
            continue;
        }
        let record = serde_json::from_str(&line).map_err(|source| WireError::BadRecord {
            path: path.to_owned(),
            line: i + 1,
            source,
        })?;
        records.push(record);
    }
    Ok(records)
}
