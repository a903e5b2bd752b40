//! [`StreamDecoder`]: splits one direction's byte stream into whole frames, in pieces as
//! they arrive, reporting bad bytes with their stream offset and resynchronising on the
//! next plausible frame header. Memory is bounded by the payload limit: a length field
//! is checked before anything is kept for it.

use bytes::{Buf, Bytes, BytesMut};
use linstor_codec::{DEFAULT_MAX_PAYLOAD, FrameType, HEADER_LEN, Header};

/// What a [`StreamDecoder`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum Decoded {
    /// One whole frame (header and payload) starting at `offset`.
    Frame {
        /// Stream offset of the frame's first byte.
        offset: u64,
        /// The frame's bytes, exactly as they were on the wire.
        bytes: Bytes,
    },
    /// Bytes that are not a frame.
    Error {
        /// Stream offset of the first bad byte.
        offset: u64,
        /// What was wrong.
        error: StreamError,
    },
}

/// Why bytes of a stream are not a frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError {
    /// A header that cannot start a frame; the bytes up to the next plausible header were
    /// skipped.
    #[error("bad frame header ({reason}); skipped {skipped} bytes")]
    BadBytes {
        /// What was wrong with the first header.
        reason: String,
        /// Bytes skipped before the stream was in step again (or before it ended).
        skipped: u64,
    },
    /// The stream ended inside a frame.
    #[error("truncated frame: {have} of {need} bytes")]
    Truncated {
        /// Bytes present.
        have: u64,
        /// Bytes the header announces (header included), or 16 for a partial header.
        need: u64,
    },
    /// Bytes were lost (a gap in a captured TCP stream); the partial frame before it was
    /// dropped.
    #[error("{lost} bytes missing from the capture; {dropped} buffered bytes dropped")]
    Gap {
        /// Bytes lost.
        lost: u64,
        /// Bytes of an incomplete frame that were thrown away.
        dropped: u64,
    },
}

#[derive(Debug, Clone)]
struct Resync {
    start: u64,
    reason: String,
}

/// Splits a byte stream into frames; see the module documentation.
///
/// ```
/// use linstor_wire::stream::{Decoded, StreamDecoder};
///
/// let mut decoder = StreamDecoder::new();
/// let mut out = Vec::new();
/// decoder.push(&[0xff; 20], &mut out); // garbage
/// decoder.push(&[0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], &mut out); // a PING
/// decoder.finish(&mut out);
/// assert!(matches!(out[0], Decoded::Error { offset: 0, .. }));
/// assert!(matches!(out[1], Decoded::Frame { offset: 20, .. }));
/// ```
#[derive(Debug)]
pub struct StreamDecoder {
    buf: BytesMut,
    /// Stream offset of `buf[0]`.
    offset: u64,
    max_payload: u32,
    resync: Option<Resync>,
}

impl Default for StreamDecoder {
    fn default() -> Self {
        StreamDecoder::new()
    }
}

impl StreamDecoder {
    /// A decoder with the codec's default payload limit (16 MiB).
    pub fn new() -> StreamDecoder {
        StreamDecoder::with_max_payload(DEFAULT_MAX_PAYLOAD)
    }

    /// A decoder that refuses payload lengths above `max_payload`.
    pub fn with_max_payload(max_payload: u32) -> StreamDecoder {
        StreamDecoder {
            buf: BytesMut::new(),
            offset: 0,
            max_payload,
            resync: None,
        }
    }

    /// Bytes held for an incomplete frame (at most the limit plus one header plus the
    /// last piece pushed).
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Stream offset of the next byte to be pushed.
    pub fn position(&self) -> u64 {
        self.offset + self.buf.len() as u64
    }

    /// Adds the next bytes of the stream; appends what is now complete to `out`.
    pub fn push(&mut self, data: &[u8], out: &mut Vec<Decoded>) {
        self.buf.extend_from_slice(data);
        self.drain(out);
    }

    /// Marks `lost` bytes missing before the next push: a partial frame is dropped and the
    /// decoder looks for the next plausible header.
    pub fn gap(&mut self, lost: u64, out: &mut Vec<Decoded>) {
        let dropped = self.buf.len() as u64;
        let at = self.offset;
        self.flush_resync(at + dropped, out);
        out.push(Decoded::Error {
            offset: at,
            error: StreamError::Gap { lost, dropped },
        });
        self.buf.clear();
        self.offset = at + dropped + lost;
        self.resync = Some(Resync {
            start: self.offset,
            reason: "looking for a frame after a gap".into(),
        });
    }

    /// Ends the stream: a partial frame or skipped bytes are reported.
    pub fn finish(&mut self, out: &mut Vec<Decoded>) {
        let end = self.position();
        if self.resync.is_some() {
            self.flush_resync(end, out);
        } else if !self.buf.is_empty() {
            let need = match Header::parse(&self.buf) {
                Some(h) => HEADER_LEN as u64 + u64::from(h.length),
                None => HEADER_LEN as u64,
            };
            out.push(Decoded::Error {
                offset: self.offset,
                error: StreamError::Truncated {
                    have: self.buf.len() as u64,
                    need,
                },
            });
        }
        self.offset = end;
        self.buf.clear();
    }

    fn flush_resync(&mut self, at: u64, out: &mut Vec<Decoded>) {
        if let Some(r) = self.resync.take() {
            let skipped = at - r.start;
            // A gap right after a gap skips nothing: say nothing.
            if skipped > 0 || !r.reason.starts_with("looking") {
                out.push(Decoded::Error {
                    offset: r.start,
                    error: StreamError::BadBytes {
                        reason: r.reason,
                        skipped,
                    },
                });
            }
        }
    }

    fn advance(&mut self, n: usize) {
        self.buf.advance(n);
        self.offset += n as u64;
    }

    fn drain(&mut self, out: &mut Vec<Decoded>) {
        while let Some(header) = Header::parse(&self.buf) {
            if self.resync.is_some() {
                match self.plausible(&header) {
                    Some(true) => self.flush_resync(self.offset, out),
                    Some(false) => {
                        self.advance(1);
                        continue;
                    }
                    None => break,
                }
            }
            if let Some(reason) = self.refuse(&header) {
                self.resync = Some(Resync {
                    start: self.offset,
                    reason,
                });
                self.advance(1);
                continue;
            }
            let total = HEADER_LEN + header.length as usize;
            if self.buf.len() < total {
                break;
            }
            let bytes = self.buf.split_to(total).freeze();
            out.push(Decoded::Frame {
                offset: self.offset,
                bytes,
            });
            self.offset += total as u64;
        }
    }

    /// Why a header in step cannot start a frame.
    fn refuse(&self, header: &Header) -> Option<String> {
        if header.length > self.max_payload {
            return Some(format!(
                "payload length {} exceeds the limit of {} bytes",
                header.length, self.max_payload
            ));
        }
        if let FrameType::Other(t) = header.frame_type {
            return Some(format!("unknown frame type {t}"));
        }
        None
    }

    /// Whether a header found while resynchronising looks like a real one: a known type,
    /// zero reserved bytes, a length within the limit; a PING or PONG without payload; a
    /// DATA payload that starts with a `MsgHeader` of 2 to 127 bytes (every sender writes
    /// `msg_type`) inside the payload, whose first byte is the key of field 1, 2 or 3.
    /// `None` while the bytes to decide are not there yet.
    fn plausible(&self, header: &Header) -> Option<bool> {
        if self.refuse(header).is_some() || self.buf[8..HEADER_LEN] != [0; 8] {
            return Some(false);
        }
        match header.frame_type {
            FrameType::Data => {
                if header.length < 3 {
                    return Some(false);
                }
                let (&delimiter, &key) = (self.buf.get(HEADER_LEN)?, self.buf.get(HEADER_LEN + 1)?);
                Some(
                    (2..0x80).contains(&delimiter)
                        && u32::from(delimiter) < header.length
                        && matches!(key, 0x08 | 0x10 | 0x1a),
                )
            }
            _ => Some(header.length == 0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ping() -> Vec<u8> {
        let mut v = vec![0, 0, 0, 1];
        v.extend_from_slice(&[0; 12]);
        v
    }

    #[test]
    fn split_pieces_give_whole_frames() {
        let mut stream = ping();
        stream.extend(ping());
        let mut d = StreamDecoder::new();
        let mut out = Vec::new();
        for b in &stream {
            d.push(std::slice::from_ref(b), &mut out);
        }
        d.finish(&mut out);
        assert_eq!(out.len(), 2);
        assert!(matches!(&out[1], Decoded::Frame { offset: 16, bytes } if bytes.len() == 16));
    }

    #[test]
    fn oversize_length_is_refused_before_buffering_and_resynchronises() {
        let mut stream = vec![0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff];
        stream.extend_from_slice(&[0; 8]);
        stream.extend(ping());
        let mut d = StreamDecoder::with_max_payload(1024);
        let mut out = Vec::new();
        d.push(&stream, &mut out);
        d.finish(&mut out);
        assert_eq!(d.buffered(), 0);
        match &out[0] {
            Decoded::Error {
                offset: 0,
                error:
                    StreamError::BadBytes {
                        reason,
                        skipped: 16,
                    },
            } => assert!(
                reason.contains("4294967295 exceeds the limit of 1024"),
                "{reason}"
            ),
            other => panic!("{other:?}"),
        }
        assert!(matches!(out[1], Decoded::Frame { offset: 16, .. }));
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn truncated_frame_is_reported_at_its_offset() {
        let mut stream = ping();
        stream.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2]);
        let mut d = StreamDecoder::new();
        let mut out = Vec::new();
        d.push(&stream, &mut out);
        d.finish(&mut out);
        assert_eq!(
            out[1],
            Decoded::Error {
                offset: 16,
                error: StreamError::Truncated { have: 18, need: 56 }
            }
        );
    }

    #[test]
    fn gap_drops_the_partial_frame_and_finds_the_next() {
        let mut d = StreamDecoder::new();
        let mut out = Vec::new();
        d.push(&[0, 0, 0, 0, 0, 0, 0, 40, 0, 0], &mut out);
        d.gap(100, &mut out);
        d.push(&[9, 9, 9], &mut out);
        d.push(&ping(), &mut out);
        d.finish(&mut out);
        assert_eq!(
            out[0],
            Decoded::Error {
                offset: 0,
                error: StreamError::Gap {
                    lost: 100,
                    dropped: 10
                }
            }
        );
        assert!(matches!(
            &out[1],
            Decoded::Error {
                offset: 110,
                error: StreamError::BadBytes { skipped: 3, .. }
            }
        ));
        assert!(matches!(out[2], Decoded::Frame { offset: 113, .. }));
    }
}
