//! [`FrameCodec`]: the tokio-util `Decoder`/`Encoder` of frames, with the payload limit.

use bytes::{Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use crate::{CodecError, Frame, HEADER_LEN, Header, Outgoing, write_frame};

/// Default payload limit: 16 MiB, the controller's own maximum.
pub const DEFAULT_MAX_PAYLOAD: u32 = 16 * 1024 * 1024;

/// The least the read buffer grows by while a frame is incomplete. It grows by at least its
/// data's size (doubling), never by the announced length at once: memory follows the bytes
/// that arrived.
const GROW_MIN: usize = 64 * 1024;

/// Decodes and encodes [`Frame`]s.
///
/// Decoding: a header is read once 16 bytes are buffered; its payload length is checked
/// against the limit before anything is reserved; the read buffer then grows with the bytes
/// that arrive (doubling, from 64 KiB), not by the announced length at once; frames are
/// handed out when complete, sharing the read buffer's memory. A length above the limit is
/// [`CodecError::PayloadTooLarge`] (after the complete frames before it), and every later
/// call returns the same error: the stream is out of step and must be closed (never
/// clamped, unlike the 2019 controller).
///
/// When the read buffer holds several complete frames, they are taken from it in one split
/// and handed out one by one from there, which costs one reference-count update per frame
/// instead of two.
///
/// Encoding: [`Frame`]s and [`Outgoing`] envelopes, refusing payloads above the limit so a
/// peer with the same limit never receives a frame it rejects. The two directions may have
/// different limits ([`FrameCodec::with_limits`]): a client accepts answers far larger than
/// the requests it may send.
#[derive(Debug, Clone)]
pub struct FrameCodec {
    /// Limit of decoded payloads.
    max_payload: u32,
    /// Limit of encoded payloads.
    max_send: u32,
    /// Length of the rejected payload once the limit was exceeded.
    rejected: Option<u64>,
    /// Complete, checked frames taken from the read buffer and not yet handed out.
    ready: Bytes,
}

impl Default for FrameCodec {
    fn default() -> Self {
        FrameCodec::new()
    }
}

impl FrameCodec {
    /// A codec with the default limit of 16 MiB.
    pub fn new() -> FrameCodec {
        FrameCodec::with_max_payload(DEFAULT_MAX_PAYLOAD)
    }

    /// A codec with a payload limit of `max_payload` bytes in both directions.
    pub fn with_max_payload(max_payload: u32) -> FrameCodec {
        FrameCodec::with_limits(max_payload, max_payload)
    }

    /// A codec that decodes payloads up to `max_receive` bytes and encodes payloads up to
    /// `max_send` bytes.
    pub fn with_limits(max_receive: u32, max_send: u32) -> FrameCodec {
        FrameCodec {
            max_payload: max_receive,
            max_send,
            rejected: None,
            ready: Bytes::new(),
        }
    }

    /// The limit of decoded payloads in bytes.
    pub fn max_payload(&self) -> u32 {
        self.max_payload
    }

    /// The limit of encoded payloads in bytes.
    pub fn max_send(&self) -> u32 {
        self.max_send
    }

    /// Whether the next decode from `src` (the read buffer) returns at once, without more
    /// bytes: a complete frame is ready or buffered, or an oversize length is to be reported.
    /// A server uses it to answer every request already received before it writes, so that
    /// pipelined requests cost one write for all their answers.
    pub fn frame_buffered(&self, src: &[u8]) -> bool {
        if !self.ready.is_empty() || self.rejected.is_some() {
            return true;
        }
        match Header::parse(src) {
            Some(h) => h.length > self.max_payload || src.len() - HEADER_LEN >= h.length as usize,
            None => false,
        }
    }

    fn too_large(&self, length: u64) -> CodecError {
        CodecError::PayloadTooLarge {
            length,
            max: self.max_payload,
        }
    }

    fn check_send_len(&self, length: usize) -> Result<u32, CodecError> {
        match u32::try_from(length) {
            Ok(n) if n <= self.max_send => Ok(n),
            _ => Err(CodecError::PayloadTooLarge {
                length: length as u64,
                max: self.max_send,
            }),
        }
    }

    /// Moves every complete frame at the front of `src` into `ready`, checking each length
    /// against the limit; stops at the first incomplete or oversize frame.
    #[inline]
    fn take_complete(&mut self, src: &mut BytesMut) {
        let bytes = &src[..];
        let mut end = 0;
        while let Some(head) = bytes.get(end..end + HEADER_LEN) {
            let length = u32::from_be_bytes([head[4], head[5], head[6], head[7]]);
            if length > self.max_payload {
                self.rejected = Some(u64::from(length));
                break;
            }
            let next = end + HEADER_LEN + length as usize;
            if next > bytes.len() {
                break;
            }
            end = next;
        }
        if end > 0 {
            self.ready = src.split_to(end).freeze();
        }
    }

    /// Refills `ready` with the complete frames at the front of `src`; once no frame is
    /// ready, reports a rejected length, or reserves room for the incomplete frame.
    #[inline(never)]
    fn refill(&mut self, src: &mut BytesMut) -> Result<(), CodecError> {
        if self.rejected.is_none() {
            self.take_complete(src);
        }
        if !self.ready.is_empty() {
            return Ok(());
        }
        if let Some(length) = self.rejected {
            return Err(self.too_large(length));
        }
        // An incomplete frame (its length already checked): when little room is left, grow
        // by the data's size (doubling), so that memory follows the bytes that arrive.
        if let Some(header) = Header::parse(src) {
            let missing = (HEADER_LEN + header.length as usize).saturating_sub(src.len());
            if src.capacity() - src.len() < missing.min(GROW_MIN) {
                src.reserve(missing.min(src.len().max(GROW_MIN)));
            }
        }
        Ok(())
    }

    /// Hands out the first frame of `ready` (which holds only complete, checked frames).
    #[inline(always)]
    fn next_ready(&mut self) -> Option<Frame> {
        let head = self.ready.get(..HEADER_LEN)?;
        let length = u32::from_be_bytes([head[4], head[5], head[6], head[7]]) as usize;
        if self.ready.len() - HEADER_LEN < length {
            // Unreachable: `take_complete` only keeps complete frames.
            self.ready.clear();
            return None;
        }
        let frame = Frame::from_checked(self.ready.split_to(HEADER_LEN + length));
        if self.ready.is_empty() {
            // The empty rest still shares the read buffer's allocation: let it go, so an
            // idle connection does not keep the memory of its last large read.
            self.ready = Bytes::new();
        }
        Some(frame)
    }
}

impl Decoder for FrameCodec {
    type Item = Frame;
    type Error = CodecError;

    #[inline]
    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, CodecError> {
        if self.ready.is_empty() {
            self.refill(src)?;
        }
        // One construction site for the frame keeps it in registers in the caller's loop.
        Ok(self.next_ready())
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, CodecError> {
        match self.decode(src)? {
            Some(frame) => Ok(Some(frame)),
            None if src.is_empty() => Ok(None),
            None => {
                let expected =
                    Header::parse(src).map_or(HEADER_LEN, |h| HEADER_LEN + h.length as usize);
                Err(CodecError::Truncated {
                    received: src.len(),
                    expected,
                })
            }
        }
    }
}

impl Encoder<Frame> for FrameCodec {
    type Error = CodecError;

    fn encode(&mut self, frame: Frame, dst: &mut BytesMut) -> Result<(), CodecError> {
        Encoder::<&Frame>::encode(self, &frame, dst)
    }
}

impl Encoder<&Frame> for FrameCodec {
    type Error = CodecError;

    fn encode(&mut self, frame: &Frame, dst: &mut BytesMut) -> Result<(), CodecError> {
        let length = self.check_send_len(frame.payload().len())?;
        dst.reserve(frame.wire_len());
        Header::new(frame.frame_type(), length).write(dst);
        dst.extend_from_slice(frame.payload());
        Ok(())
    }
}

impl Encoder<Outgoing<'_>> for FrameCodec {
    type Error = CodecError;

    fn encode(&mut self, out: Outgoing<'_>, dst: &mut BytesMut) -> Result<(), CodecError> {
        let length = out.payload_len();
        self.check_send_len(length)?;
        write_frame(dst, out.header, out.bodies, length);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FrameType;

    fn header(frame_type: u32, length: u32) -> Vec<u8> {
        let mut v = Vec::new();
        Header::new(FrameType::from_u32(frame_type), length).write(&mut v);
        v
    }

    #[test]
    fn waits_for_header_and_payload() {
        let mut codec = FrameCodec::new();
        let mut buf = BytesMut::from(&header(0, 3)[..10]);
        assert!(codec.decode(&mut buf).unwrap().is_none());
        buf.extend_from_slice(&header(0, 3)[10..]);
        buf.extend_from_slice(&[1, 2]);
        assert!(codec.decode(&mut buf).unwrap().is_none());
        assert!(buf.capacity() >= 19);
        buf.extend_from_slice(&[3, 9]);
        let frame = codec.decode(&mut buf).unwrap().unwrap();
        assert_eq!(frame, Frame::data(&[1, 2, 3]));
        assert_eq!(&buf[..], &[9]);
    }

    #[test]
    fn frame_buffered_tells_whether_a_decode_needs_more_bytes() {
        let mut codec = FrameCodec::with_max_payload(8);
        let mut two = header(0, 2);
        two.extend_from_slice(&[1, 2]);
        two.extend_from_slice(&header(0, 1));
        assert!(!codec.frame_buffered(&[]));
        assert!(!codec.frame_buffered(&two[..15]));
        assert!(!codec.frame_buffered(&two[..17]));
        assert!(codec.frame_buffered(&two[..18]));
        let mut buf = BytesMut::from(&two[..]);
        assert_eq!(codec.decode(&mut buf).unwrap(), Some(Frame::data(&[1, 2])));
        // The second frame's payload has not arrived.
        assert!(!codec.frame_buffered(&buf));
        buf.extend_from_slice(&[3]);
        assert!(codec.frame_buffered(&buf));
        // An oversize length is reported without waiting for its payload.
        assert!(FrameCodec::with_max_payload(8).frame_buffered(&header(0, 9)));
    }

    #[test]
    fn the_buffer_grows_with_the_bytes_not_by_the_announced_length() {
        const LEN: usize = 8 * 1024 * 1024;
        let mut codec = FrameCodec::with_limits(LEN as u32, 16);
        let mut buf = BytesMut::from(&header(0, LEN as u32)[..]);
        assert!(codec.decode(&mut buf).unwrap().is_none());
        assert!(
            buf.capacity() < 256 * 1024,
            "8 MiB announced, 16 bytes arrived: {} reserved",
            buf.capacity()
        );
        // Feed it the way `Framed` reads: into the spare capacity only (reserving one byte
        // when there is none); capacity stays within about twice what arrived.
        let mut fed = 0;
        let frame = loop {
            if buf.capacity() == buf.len() {
                buf.reserve(1);
            }
            let n = (buf.capacity() - buf.len()).min(LEN - fed).min(64 * 1024);
            buf.extend_from_slice(&vec![7u8; n]);
            fed += n;
            if let Some(frame) = codec.decode(&mut buf).unwrap() {
                break frame;
            }
            assert!(
                buf.capacity() <= 2 * (HEADER_LEN + fed) + 256 * 1024,
                "{} reserved after {fed} bytes",
                buf.capacity()
            );
        };
        assert_eq!(frame.payload().len(), LEN);
    }

    #[test]
    fn the_send_limit_is_its_own() {
        let mut codec = FrameCodec::with_limits(1024, 2);
        let mut out = BytesMut::new();
        assert!(codec.encode(Frame::data(&[1, 2]), &mut out).is_ok());
        let err = codec.encode(Frame::data(&[1, 2, 3]), &mut out).unwrap_err();
        assert!(matches!(
            err,
            CodecError::PayloadTooLarge { length: 3, max: 2 }
        ));
        let mut buf = BytesMut::from(&header(0, 3)[..]);
        buf.extend_from_slice(&[1, 2, 3]);
        assert_eq!(
            codec.decode(&mut buf).unwrap(),
            Some(Frame::data(&[1, 2, 3]))
        );
    }

    #[test]
    fn header_only_ping_pong_and_unknown_types() {
        let mut codec = FrameCodec::new();
        let mut buf = BytesMut::new();
        buf.extend_from_slice(&header(1, 0));
        buf.extend_from_slice(&header(2, 0));
        buf.extend_from_slice(&header(0, 0));
        buf.extend_from_slice(&header(77, 2));
        buf.extend_from_slice(&[5, 6]);
        assert_eq!(codec.decode(&mut buf).unwrap(), Some(Frame::ping()));
        assert_eq!(codec.decode(&mut buf).unwrap(), Some(Frame::pong()));
        assert_eq!(codec.decode(&mut buf).unwrap(), Some(Frame::data(&[])));
        let other = codec.decode(&mut buf).unwrap().unwrap();
        assert_eq!(other.frame_type(), FrameType::Other(77));
        assert_eq!(other.payload(), &[5, 6]);
        assert!(codec.decode(&mut buf).unwrap().is_none());
    }

    #[test]
    fn oversize_length_is_rejected_without_reserving_and_stays_rejected() {
        let mut codec = FrameCodec::new();
        let mut buf = BytesMut::from(&header(0, u32::MAX)[..]);
        let before = buf.capacity();
        let err = codec.decode(&mut buf).unwrap_err();
        assert!(matches!(
            err,
            CodecError::PayloadTooLarge {
                length: 0xFFFF_FFFF,
                max: DEFAULT_MAX_PAYLOAD
            }
        ));
        assert_eq!(
            err.to_string(),
            "frame payload of 4294967295 bytes exceeds the limit of 16777216 bytes"
        );
        assert_eq!(buf.capacity(), before);
        assert!(buf.len() == 16, "the oversize header stays unread");
        // A valid frame after it is not read: the stream is out of step.
        buf.clear();
        buf.extend_from_slice(&header(0, 0));
        assert!(codec.decode(&mut buf).unwrap_err().is_too_large());
    }

    #[test]
    fn frames_before_an_oversize_header_are_delivered_first() {
        let mut codec = FrameCodec::with_max_payload(8);
        let mut buf = BytesMut::new();
        buf.extend_from_slice(&header(0, 1));
        buf.extend_from_slice(&[42]);
        buf.extend_from_slice(&header(1, 0));
        buf.extend_from_slice(&header(0, 9));
        buf.extend_from_slice(&header(0, 0));
        assert_eq!(codec.decode(&mut buf).unwrap(), Some(Frame::data(&[42])));
        assert_eq!(codec.decode(&mut buf).unwrap(), Some(Frame::ping()));
        assert!(matches!(
            codec.decode(&mut buf),
            Err(CodecError::PayloadTooLarge { length: 9, max: 8 })
        ));
        assert!(codec.decode(&mut buf).unwrap_err().is_too_large());
        assert!(codec.decode_eof(&mut buf).unwrap_err().is_too_large());
    }

    #[test]
    fn limit_is_inclusive_and_configurable() {
        let mut codec = FrameCodec::with_max_payload(4);
        let mut buf = BytesMut::from(&header(0, 4)[..]);
        buf.extend_from_slice(&[1, 2, 3, 4]);
        assert!(codec.decode(&mut buf).unwrap().is_some());
        buf.extend_from_slice(&header(0, 5));
        assert!(matches!(
            codec.decode(&mut buf),
            Err(CodecError::PayloadTooLarge { length: 5, max: 4 })
        ));
    }

    #[test]
    fn encoder_refuses_what_the_decoder_would_refuse() {
        let mut codec = FrameCodec::with_max_payload(2);
        let mut dst = BytesMut::new();
        let err = codec.encode(Frame::data(&[1, 2, 3]), &mut dst).unwrap_err();
        assert!(matches!(
            err,
            CodecError::PayloadTooLarge { length: 3, max: 2 }
        ));
        assert!(dst.is_empty());
        codec.encode(Frame::pong(), &mut dst).unwrap();
        assert_eq!(&dst[..], &header(2, 0)[..]);
    }

    #[test]
    fn a_pre_encoded_frame_encodes_as_its_envelope_and_is_checked_against_the_limit() {
        use linstor_proto::messages::{MsgDelWatch, MsgHeader};
        let header = MsgHeader::api_call(7, "DelWatch");
        let body = MsgDelWatch { watch_id: 3 };
        let bodies: [&dyn linstor_proto::WireMessage; 1] = [&body];
        let out = Outgoing::new(&header, &bodies);
        let frame = out.to_frame().unwrap();
        assert_eq!(frame.as_bytes(), &out.to_bytes());
        let (mut direct, mut via_frame) = (BytesMut::new(), BytesMut::new());
        let mut codec = FrameCodec::new();
        codec.encode(out, &mut direct).unwrap();
        codec.encode(frame.clone(), &mut via_frame).unwrap();
        assert_eq!(direct, via_frame);
        let length = frame.payload().len();
        let mut small = FrameCodec::with_max_payload(length as u32 - 1);
        let mut dst = BytesMut::new();
        assert!(small.encode(frame, &mut dst).unwrap_err().is_too_large());
        assert!(dst.is_empty());
    }

    #[test]
    fn eof_inside_a_frame_is_truncated() {
        let mut codec = FrameCodec::new();
        let mut buf = BytesMut::from(&header(0, 5)[..]);
        buf.extend_from_slice(&[1]);
        assert!(matches!(
            codec.decode_eof(&mut buf),
            Err(CodecError::Truncated {
                received: 17,
                expected: 21
            })
        ));
        let mut buf = BytesMut::from(&[0u8, 0, 0][..]);
        assert!(matches!(
            codec.decode_eof(&mut buf),
            Err(CodecError::Truncated {
                received: 3,
                expected: 16
            })
        ));
        assert!(codec.decode_eof(&mut BytesMut::new()).unwrap().is_none());
    }
}
