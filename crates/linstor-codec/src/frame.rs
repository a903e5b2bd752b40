//! [`Frame`]: a frame type and its payload, and [`Messages`], the zero-copy split of a
//! payload into its varint-delimited messages.

use bytes::{BufMut, Bytes};

use crate::{EnvelopeError, FrameType, HEADER_LEN, Header};

/// One frame: its type and its payload (reserved header bytes are not kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Frame type.
    pub frame_type: FrameType,
    /// Payload bytes after the header (empty for header-only frames).
    pub payload: Bytes,
}

impl Frame {
    /// A DATA frame.
    pub fn data(payload: Bytes) -> Frame {
        Frame {
            frame_type: FrameType::Data,
            payload,
        }
    }

    /// A header-only PING frame.
    pub fn ping() -> Frame {
        Frame {
            frame_type: FrameType::Ping,
            payload: Bytes::new(),
        }
    }

    /// A header-only PONG frame.
    pub fn pong() -> Frame {
        Frame {
            frame_type: FrameType::Pong,
            payload: Bytes::new(),
        }
    }

    /// Total length on the wire: header plus payload.
    pub fn wire_len(&self) -> usize {
        HEADER_LEN + self.payload.len()
    }

    /// The payload's delimited messages as borrowed slices, in order.
    pub fn messages(&self) -> Messages<'_> {
        Messages::new(&self.payload)
    }

    /// Appends header and payload to `buf`. The caller checks the length limit
    /// ([`FrameCodec`](crate::FrameCodec) does).
    ///
    /// # Panics
    ///
    /// Never for payloads up to `u32::MAX` bytes; longer payloads are clamped by no one and
    /// must be rejected by the caller first.
    pub(crate) fn write(&self, buf: &mut impl BufMut, length: u32) {
        Header::new(self.frame_type, length).write(buf);
        buf.put_slice(&self.payload);
    }
}

/// Iterator over the varint-delimited messages of a payload, yielding each message's bytes
/// (without delimiter) as a slice of the payload. Stops after the first error.
#[derive(Debug, Clone)]
pub struct Messages<'a> {
    payload: &'a [u8],
    offset: usize,
    failed: bool,
}

impl<'a> Messages<'a> {
    /// Splits `payload`.
    pub fn new(payload: &'a [u8]) -> Messages<'a> {
        Messages {
            payload,
            offset: 0,
            failed: false,
        }
    }

    /// Offset of the next message's delimiter within the payload.
    pub fn offset(&self) -> usize {
        self.offset
    }

    fn split(&mut self) -> Result<&'a [u8], EnvelopeError> {
        let offset = self.offset;
        let rest = &self.payload[offset..];
        let (length, varint_len) = read_length(rest, offset)?;
        let body = &rest[varint_len..];
        let length_usize = usize::try_from(length).unwrap_or(usize::MAX);
        if length_usize > body.len() {
            return Err(EnvelopeError::MessageOverrun {
                offset,
                length,
                remaining: body.len(),
            });
        }
        self.offset = offset + varint_len + length_usize;
        Ok(&body[..length_usize])
    }
}

impl<'a> Iterator for Messages<'a> {
    type Item = Result<&'a [u8], EnvelopeError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.offset >= self.payload.len() {
            return None;
        }
        let item = self.split();
        self.failed = item.is_err();
        Some(item)
    }
}

/// Reads a message length: a varint of at most 5 bytes whose value fits in 32 bits (lengths
/// are 32-bit on both reference implementations). Returns the value and the varint's size.
#[inline]
fn read_length(bytes: &[u8], offset: usize) -> Result<(u64, usize), EnvelopeError> {
    if let Some(&b) = bytes.first() {
        if b < 0x80 {
            return Ok((u64::from(b), 1));
        }
    }
    let mut value: u64 = 0;
    for i in 0..5 {
        let Some(&b) = bytes.get(i) else {
            return Err(EnvelopeError::TruncatedVarint { offset });
        };
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            if value > u64::from(u32::MAX) {
                return Err(EnvelopeError::VarintOverflow { offset });
            }
            return Ok((value, i + 1));
        }
    }
    Err(EnvelopeError::VarintOverflow { offset })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(payload: &[u8]) -> Vec<Result<&[u8], EnvelopeError>> {
        Messages::new(payload).collect()
    }

    #[test]
    fn splits_delimited_messages_including_empty_ones() {
        let payload = [2, 8, 1, 0, 1, 7];
        let parts: Vec<_> = split(&payload).into_iter().map(Result::unwrap).collect();
        assert_eq!(parts, [&[8u8, 1][..], &[][..], &[7][..]]);
        assert!(split(&[]).is_empty());
    }

    #[test]
    fn two_byte_delimiter() {
        let mut payload = vec![0x83, 0x01];
        payload.extend(std::iter::repeat_n(0xaa, 131));
        let parts: Vec<_> = split(&payload).into_iter().map(Result::unwrap).collect();
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].len(), 131);
    }

    #[test]
    fn truncated_varint_is_an_error() {
        assert_eq!(
            split(&[2, 8, 1, 0x80]).pop(),
            Some(Err(EnvelopeError::TruncatedVarint { offset: 3 }))
        );
    }

    #[test]
    fn length_beyond_payload_is_an_error_and_stops() {
        let parts = split(&[5, 1, 2]);
        assert_eq!(
            parts,
            [Err(EnvelopeError::MessageOverrun {
                offset: 0,
                length: 5,
                remaining: 2
            })]
        );
    }

    #[test]
    fn overlong_or_oversized_varints_are_errors() {
        assert_eq!(
            split(&[0xff, 0xff, 0xff, 0xff, 0x7f]),
            [Err(EnvelopeError::VarintOverflow { offset: 0 })]
        );
        assert_eq!(
            split(&[0x80, 0x80, 0x80, 0x80, 0x80, 0]),
            [Err(EnvelopeError::VarintOverflow { offset: 0 })]
        );
        // 0xFFFFFFFF itself is a valid 32-bit length, just longer than the payload.
        assert_eq!(
            split(&[0xff, 0xff, 0xff, 0xff, 0x0f]),
            [Err(EnvelopeError::MessageOverrun {
                offset: 0,
                length: 0xFFFF_FFFF,
                remaining: 0
            })]
        );
    }
}
