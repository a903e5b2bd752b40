//! The 16-byte frame header: u32 type, u32 payload length, 8 reserved bytes, big-endian.

use bytes::BufMut;

/// Length of the frame header in bytes.
pub const HEADER_LEN: usize = 16;

/// The frame type field (offset 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameType {
    /// 0: carries a payload of delimited messages.
    Data,
    /// 1: header-level ping (controller to satellite only; never sent to clients).
    Ping,
    /// 2: header-level pong.
    Pong,
    /// Any other number: the controller logs it and skips its payload.
    Other(u32),
}

impl FrameType {
    /// The wire number of this type.
    pub const fn to_u32(self) -> u32 {
        match self {
            FrameType::Data => 0,
            FrameType::Ping => 1,
            FrameType::Pong => 2,
            FrameType::Other(n) => n,
        }
    }

    /// The type for a wire number.
    pub const fn from_u32(n: u32) -> FrameType {
        match n {
            0 => FrameType::Data,
            1 => FrameType::Ping,
            2 => FrameType::Pong,
            n => FrameType::Other(n),
        }
    }
}

/// A decoded frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Frame type.
    pub frame_type: FrameType,
    /// Number of payload bytes after the header.
    pub length: u32,
    /// Reserved bytes; zero when written, ignored when read.
    pub reserved: [u8; 8],
}

impl Header {
    /// A header with zero reserved bytes.
    pub const fn new(frame_type: FrameType, length: u32) -> Header {
        Header {
            frame_type,
            length,
            reserved: [0; 8],
        }
    }

    /// Parses the first 16 bytes of `bytes`; `None` when fewer are given.
    #[inline]
    pub fn parse(bytes: &[u8]) -> Option<Header> {
        let head: &[u8; HEADER_LEN] = bytes.get(..HEADER_LEN)?.try_into().ok()?;
        Some(Header::from_bytes(*head))
    }

    /// Parses exactly 16 header bytes.
    #[inline]
    pub fn from_bytes(head: [u8; HEADER_LEN]) -> Header {
        let [t0, t1, t2, t3, l0, l1, l2, l3, reserved @ ..] = head;
        Header {
            frame_type: FrameType::from_u32(u32::from_be_bytes([t0, t1, t2, t3])),
            length: u32::from_be_bytes([l0, l1, l2, l3]),
            reserved,
        }
    }

    /// Appends the 16 header bytes to `buf`.
    pub fn write(&self, buf: &mut impl BufMut) {
        buf.put_u32(self.frame_type.to_u32());
        buf.put_u32(self.length);
        buf.put_slice(&self.reserved);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_writes_the_worked_example() {
        let bytes = [0, 0, 0, 0, 0, 0, 0, 0x0e, 0, 0, 0, 0, 0, 0, 0, 0];
        let header = Header::parse(&bytes).unwrap();
        assert_eq!(header, Header::new(FrameType::Data, 14));
        let mut out = Vec::new();
        header.write(&mut out);
        assert_eq!(out, bytes);
    }

    #[test]
    fn keeps_unknown_types_and_reserved_bytes() {
        let bytes = [
            0, 0, 0, 9, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 99,
        ];
        let header = Header::parse(&bytes).unwrap();
        assert_eq!(header.frame_type, FrameType::Other(9));
        assert_eq!(header.length, u32::MAX);
        assert_eq!(header.reserved, [1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(Header::parse(&bytes[..15]), None);
        for n in [0, 1, 2, 3, u32::MAX] {
            assert_eq!(FrameType::from_u32(n).to_u32(), n);
        }
    }
}
