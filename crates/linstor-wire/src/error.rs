//! [`WireError`]: everything the inspector, the proxy and replay report as an error.

use std::path::PathBuf;

/// An error of the inspector library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// Reading or writing a file or socket failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done, e.g. the file name.
        what: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The input is larger than the configured limit.
    #[error("input is larger than the limit of {limit} bytes")]
    InputTooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// Hex text with a character that is not a hex digit or white space, or an odd count.
    #[error("bad hex text at offset {offset}: {reason}")]
    BadHex {
        /// Byte offset in the text.
        offset: usize,
        /// What was wrong.
        reason: &'static str,
    },
    /// A pcap or pcapng capture that does not parse.
    #[error("bad capture at offset {offset}: {reason}")]
    BadCapture {
        /// Byte offset in the capture file.
        offset: usize,
        /// What the capture parser reported.
        reason: String,
    },
    /// A recording line that is not a valid record.
    #[error("{path}: line {line}: {source}")]
    BadRecord {
        /// The recording.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// Why it did not parse.
        #[source]
        source: serde_json::Error,
    },
    /// A recording record whose `raw` field is not base64.
    #[error("line {line}: raw bytes are not base64: {source}")]
    BadBase64 {
        /// 1-based line number.
        line: usize,
        /// The decoder's error.
        #[source]
        source: base64::DecodeError,
    },
    /// The replay target did not behave like a controller (no greeting, closed, timed out).
    #[error("replay: {0}")]
    Replay(String),
}

impl WireError {
    /// An [`WireError::Io`] error for `what`.
    pub fn io(what: impl Into<String>, source: std::io::Error) -> WireError {
        WireError::Io {
            what: what.into(),
            source,
        }
    }
}
