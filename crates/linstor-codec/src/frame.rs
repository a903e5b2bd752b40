//! [`Frame`]: a frame type and its payload, and [`Messages`], the zero-copy split of a
//! payload into its varint-delimited messages.

use bytes::{BufMut, Bytes, BytesMut};

use crate::{FrameType, HEADER_LEN, Header};

/// One frame as it was on the wire: the 16-byte header followed by the payload, in one
/// buffer shared with the read buffer (a frame is a single reference-counted slice, so
/// handing one out costs one reference-count update).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    bytes: Bytes,
}

impl Frame {
    /// A frame of `frame_type` carrying a copy of `payload`.
    ///
    /// # Panics
    ///
    /// When the payload is longer than `u32::MAX` bytes, which no frame can carry.
    pub fn new(frame_type: FrameType, payload: &[u8]) -> Frame {
        let length =
            u32::try_from(payload.len()).expect("a frame payload is at most u32::MAX bytes");
        let mut bytes = BytesMut::with_capacity(HEADER_LEN + payload.len());
        Header::new(frame_type, length).write(&mut bytes);
        bytes.put_slice(payload);
        Frame {
            bytes: bytes.freeze(),
        }
    }

    /// A DATA frame carrying a copy of `payload`.
    pub fn data(payload: &[u8]) -> Frame {
        Frame::new(FrameType::Data, payload)
    }

    /// A header-only PING frame.
    pub fn ping() -> Frame {
        Frame {
            bytes: Bytes::from_static(&[0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        }
    }

    /// A header-only PONG frame.
    pub fn pong() -> Frame {
        Frame {
            bytes: Bytes::from_static(&[0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        }
    }

    /// Wraps complete frame bytes whose header the caller has checked.
    #[inline]
    pub(crate) fn from_checked(bytes: Bytes) -> Frame {
        debug_assert!(
            Header::parse(&bytes).is_some_and(|h| h.length as usize + HEADER_LEN == bytes.len())
        );
        Frame { bytes }
    }

    /// The header.
    #[inline]
    pub fn header(&self) -> Header {
        let mut head = [0u8; HEADER_LEN];
        head.copy_from_slice(&self.bytes[..HEADER_LEN]);
        Header::from_bytes(head)
    }

    /// The frame type.
    #[inline]
    pub fn frame_type(&self) -> FrameType {
        self.header().frame_type
    }

    /// The payload (empty for header-only frames).
    #[inline]
    pub fn payload(&self) -> &[u8] {
        &self.bytes[HEADER_LEN..]
    }

    /// The payload as a `Bytes` sharing this frame's memory.
    #[inline]
    pub fn payload_bytes(&self) -> Bytes {
        self.bytes.slice(HEADER_LEN..)
    }

    /// The whole frame as received or built: header and payload.
    #[inline]
    pub fn as_bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// Total length on the wire: header plus payload.
    #[inline]
    pub fn wire_len(&self) -> usize {
        self.bytes.len()
    }

    /// The payload's delimited messages as borrowed slices, in order.
    #[inline]
    pub fn messages(&self) -> Messages<'_> {
        Messages::new(self.payload())
    }
}

/// A payload that does not split into delimited messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SplitError {
    /// A length delimiter ends before the payload does.
    #[error("length varint at payload offset {offset} is truncated")]
    TruncatedVarint {
        /// Offset of the delimiter in the payload.
        offset: usize,
    },
    /// A length delimiter is longer than 5 bytes or above 32 bits.
    #[error("length varint at payload offset {offset} exceeds 32 bits")]
    VarintOverflow {
        /// Offset of the delimiter in the payload.
        offset: usize,
    },
    /// A message is longer than what is left of the payload.
    #[error(
        "message at payload offset {offset} declares {length} bytes but only {remaining} remain"
    )]
    MessageOverrun {
        /// Offset of the delimiter in the payload.
        offset: usize,
        /// Declared message length.
        length: u64,
        /// Payload bytes left after the delimiter.
        remaining: usize,
    },
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

    /// The messages of `payload` from byte `offset` on (offsets in errors stay relative
    /// to the whole payload).
    pub fn starting_at(payload: &'a [u8], offset: usize) -> Messages<'a> {
        Messages {
            payload,
            offset,
            failed: false,
        }
    }

    /// Offset of the next message's delimiter within the payload.
    pub fn offset(&self) -> usize {
        self.offset
    }

    #[inline]
    fn split(&mut self) -> Result<&'a [u8], SplitError> {
        let offset = self.offset;
        let rest = &self.payload[offset..];
        let (length, varint_len) = read_length(rest, offset)?;
        let body = &rest[varint_len..];
        let length_usize = usize::try_from(length).unwrap_or(usize::MAX);
        if length_usize > body.len() {
            return Err(SplitError::MessageOverrun {
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
    type Item = Result<&'a [u8], SplitError>;

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
fn read_length(bytes: &[u8], offset: usize) -> Result<(u64, usize), SplitError> {
    let mut rest = bytes;
    match prost::decode_length_delimiter(&mut rest) {
        // prost reads up to 10 bytes; a delimiter has at most 5.
        Ok(length) => match u32::try_from(length) {
            Ok(length) if bytes.len() - rest.len() <= 5 => {
                Ok((u64::from(length), bytes.len() - rest.len()))
            }
            _ => Err(SplitError::VarintOverflow { offset }),
        },
        // prost fails only when none of the first 10 bytes ends the varint (or it exceeds 64
        // bits): with fewer than 5 bytes left it is truncated, else its first 5 bytes all
        // continue, too long for a delimiter.
        Err(_) if bytes.len() < 5 => Err(SplitError::TruncatedVarint { offset }),
        Err(_) => Err(SplitError::VarintOverflow { offset }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(payload: &[u8]) -> Vec<Result<&[u8], SplitError>> {
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
            Some(Err(SplitError::TruncatedVarint { offset: 3 }))
        );
    }

    #[test]
    fn length_beyond_payload_is_an_error_and_stops() {
        let parts = split(&[5, 1, 2]);
        assert_eq!(
            parts,
            [Err(SplitError::MessageOverrun {
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
            [Err(SplitError::VarintOverflow { offset: 0 })]
        );
        assert_eq!(
            split(&[0x80, 0x80, 0x80, 0x80, 0x80, 0]),
            [Err(SplitError::VarintOverflow { offset: 0 })]
        );
        // 0xFFFFFFFF itself is a valid 32-bit length, just longer than the payload.
        assert_eq!(
            split(&[0xff, 0xff, 0xff, 0xff, 0x0f]),
            [Err(SplitError::MessageOverrun {
                offset: 0,
                length: 0xFFFF_FFFF,
                remaining: 0
            })]
        );
    }

    #[test]
    fn varints_prost_accepts_are_still_too_long_for_a_delimiter() {
        // Six bytes for the value 1, and a 10-byte varint: valid protobuf, not delimiters.
        assert_eq!(
            split(&[0x81, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01]),
            [Err(SplitError::VarintOverflow { offset: 0 })]
        );
        let mut ten = vec![0x80; 9];
        ten.push(0x01);
        assert_eq!(split(&ten), [Err(SplitError::VarintOverflow { offset: 0 })]);
        assert_eq!(
            split(&[0xff; 11]),
            [Err(SplitError::VarintOverflow { offset: 0 })]
        );
        // A 5-byte varint above 32 bits.
        assert_eq!(
            split(&[0x80, 0x80, 0x80, 0x80, 0x10]),
            [Err(SplitError::VarintOverflow { offset: 0 })]
        );
        // Fewer than 5 bytes, all continuing: truncated, at any offset.
        assert_eq!(
            split(&[0, 0x80, 0x80, 0x80, 0x80]),
            [Ok(&[][..]), Err(SplitError::TruncatedVarint { offset: 1 })]
        );
    }
}
