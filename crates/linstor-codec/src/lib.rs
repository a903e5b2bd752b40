//! Frame codec for the LINSTOR protobuf-over-TCP protocol (API version 3).
//!
//! A frame is a 16-byte big-endian [`Header`] (type, payload length, 8 reserved bytes)
//! followed by the payload: varint-delimited protobuf messages, the first a `MsgHeader`.
//!
//! * [`FrameCodec`] is a tokio-util [`Decoder`](tokio_util::codec::Decoder) /
//!   [`Encoder`](tokio_util::codec::Encoder) for [`Frame`]s. The payload length is checked
//!   against a configurable limit (default 16 MiB) before any byte is reserved.
//! * [`Envelope`] splits a payload into its `MsgHeader` and body messages without copying,
//!   and decodes bodies as the types the call table of [`linstor_proto`] names.
//! * [`Outgoing`] encodes a header and typed bodies straight into the output buffer.
//!
//! ```
//! use bytes::BytesMut;
//! use linstor_codec::{Envelope, FrameCodec, Outgoing};
//! use linstor_proto::messages::{msg_header::MsgType, MsgHeader};
//! use tokio_util::codec::{Decoder, Encoder};
//!
//! let mut codec = FrameCodec::new();
//! let header = MsgHeader::api_call(1, "LstNode");
//! let mut buf = BytesMut::new();
//! codec.encode(Outgoing::new(&header, &[]), &mut buf).unwrap();
//! assert_eq!(buf.len(), 30); // docs/framing.md#worked-example
//!
//! let frame = codec.decode(&mut buf).unwrap().unwrap();
//! let envelope = Envelope::decode(frame.payload_bytes()).unwrap();
//! assert_eq!(envelope.msg_type(), MsgType::ApiCall);
//! assert_eq!(envelope.content(), "LstNode");
//! ```

#![warn(missing_docs)]

mod codec;
mod envelope;
mod error;
mod frame;
pub mod fuzzing;
mod header;

pub use codec::{DEFAULT_MAX_PAYLOAD, FrameCodec};
pub use envelope::{Envelope, Outgoing, write_frame};
pub use error::{CodecError, EnvelopeError};
pub use frame::{Frame, Messages, SplitError};
pub use header::{FrameType, HEADER_LEN, Header};
