//! [`FrameCodec`]: the tokio-util `Decoder`/`Encoder` of frames, with the payload limit.

use bytes::{Buf, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use crate::{CodecError, Frame, HEADER_LEN, Header, Outgoing, write_frame};

/// Default payload limit: 16 MiB, the controller's own maximum.
pub const DEFAULT_MAX_PAYLOAD: u32 = 16 * 1024 * 1024;

/// Decodes and encodes [`Frame`]s.
///
/// Decoding: the header is read once 16 bytes are buffered; its payload length is checked
/// against the limit before anything is reserved; the frame is handed out when complete,
/// sharing the read buffer's memory. A length above the limit is
/// [`CodecError::PayloadTooLarge`], and every later call returns the same error: the stream
/// is out of step and must be closed (never clamped, unlike the 2019 controller).
///
/// Encoding: [`Frame`]s and [`Outgoing`] envelopes, refusing payloads above the limit so a
/// peer with the same limit never receives a frame it rejects.
#[derive(Debug, Clone)]
pub struct FrameCodec {
    max_payload: u32,
    rejected: Option<u64>,
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

    /// A codec with a payload limit of `max_payload` bytes.
    pub fn with_max_payload(max_payload: u32) -> FrameCodec {
        FrameCodec {
            max_payload,
            rejected: None,
        }
    }

    /// The payload limit in bytes.
    pub fn max_payload(&self) -> u32 {
        self.max_payload
    }

    fn too_large(&self, length: u64) -> CodecError {
        CodecError::PayloadTooLarge {
            length,
            max: self.max_payload,
        }
    }

    fn check_len(&self, length: usize) -> Result<u32, CodecError> {
        match u32::try_from(length) {
            Ok(n) if n <= self.max_payload => Ok(n),
            _ => Err(self.too_large(length as u64)),
        }
    }
}

impl Decoder for FrameCodec {
    type Item = Frame;
    type Error = CodecError;

    #[inline]
    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, CodecError> {
        if let Some(length) = self.rejected {
            return Err(self.too_large(length));
        }
        let Some(header) = Header::parse(src) else {
            return Ok(None);
        };
        if header.length > self.max_payload {
            self.rejected = Some(u64::from(header.length));
            return Err(self.too_large(u64::from(header.length)));
        }
        // Within the limit, so this fits in usize and the reservation is bounded.
        let frame_len = HEADER_LEN + header.length as usize;
        if src.len() < frame_len {
            src.reserve(frame_len - src.len());
            return Ok(None);
        }
        let mut frame = src.split_to(frame_len);
        frame.advance(HEADER_LEN);
        Ok(Some(Frame {
            frame_type: header.frame_type,
            payload: frame.freeze(),
        }))
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
        let length = self.check_len(frame.payload.len())?;
        dst.reserve(frame.wire_len());
        frame.write(dst, length);
        Ok(())
    }
}

impl Encoder<Outgoing<'_>> for FrameCodec {
    type Error = CodecError;

    fn encode(&mut self, out: Outgoing<'_>, dst: &mut BytesMut) -> Result<(), CodecError> {
        let length = out.payload_len();
        self.check_len(length)?;
        write_frame(dst, out.header, out.bodies, length);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FrameType;
    use bytes::Bytes;

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
        assert_eq!(frame, Frame::data(Bytes::from_static(&[1, 2, 3])));
        assert_eq!(&buf[..], &[9]);
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
        assert_eq!(
            codec.decode(&mut buf).unwrap(),
            Some(Frame::data(Bytes::new()))
        );
        let other = codec.decode(&mut buf).unwrap().unwrap();
        assert_eq!(other.frame_type, FrameType::Other(77));
        assert_eq!(&other.payload[..], &[5, 6]);
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
        // A valid frame after it is not read: the stream is out of step.
        buf.clear();
        buf.extend_from_slice(&header(0, 0));
        assert!(codec.decode(&mut buf).unwrap_err().is_too_large());
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
        let err = codec
            .encode(Frame::data(Bytes::from_static(&[1, 2, 3])), &mut dst)
            .unwrap_err();
        assert!(matches!(
            err,
            CodecError::PayloadTooLarge { length: 3, max: 2 }
        ));
        assert!(dst.is_empty());
        codec.encode(Frame::pong(), &mut dst).unwrap();
        assert_eq!(&dst[..], &header(2, 0)[..]);
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
