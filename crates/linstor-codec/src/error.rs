//! Codec errors: [`CodecError`] for framing on a byte stream, [`EnvelopeError`] for the
//! messages inside one payload. Every message names the numbers involved.

use linstor_proto::MissingField;

use crate::SplitError;

/// An error while framing a byte stream.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// A header announced (or a caller tried to send) a payload above the limit. The decoder
    /// reserves nothing for it and refuses to read the stream any further.
    #[error("frame payload of {length} bytes exceeds the limit of {max} bytes")]
    PayloadTooLarge {
        /// Announced payload length.
        length: u64,
        /// Configured limit.
        max: u32,
    },
    /// The stream ended inside a frame.
    #[error("stream ended inside a frame: {received} of {expected} bytes received")]
    Truncated {
        /// Bytes of the frame that arrived.
        received: usize,
        /// Bytes the frame needs (header included; 16 while the header is incomplete).
        expected: usize,
    },
    /// The underlying transport failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

impl CodecError {
    /// Whether the error is [`CodecError::PayloadTooLarge`].
    pub fn is_too_large(&self) -> bool {
        matches!(self, CodecError::PayloadTooLarge { .. })
    }
}

/// An error in the messages of one payload.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// The payload is empty, so there is no `MsgHeader` (e.g. a zero-length DATA frame).
    #[error("payload holds no MsgHeader (0 bytes)")]
    MissingHeader,
    /// The payload does not split into delimited messages.
    #[error(transparent)]
    Split(#[from] SplitError),
    /// The first message is not a decodable `MsgHeader`.
    #[error("MsgHeader does not decode: {0}")]
    Header(prost::DecodeError),
    /// `MsgHeader.msg_type` is not one of the four known values.
    #[error("MsgHeader.msg_type {0} is not ONEWAY (0), API_CALL (1), ANSWER (2) or COMPLETE (3)")]
    UnknownMsgType(i32),
    /// The content name is not in the call, answer or one-way table.
    #[error("content {content:?} of a {msg_type} frame is not a known name")]
    UnknownContent {
        /// `MsgHeader.msg_type` name.
        msg_type: &'static str,
        /// The unknown content name.
        content: String,
    },
    /// A body message is present where the tables name none.
    #[error("body message {index} of {content:?} is not expected ({count} body messages present)")]
    UnexpectedBody {
        /// Index among the body messages (0 = first after the header).
        index: usize,
        /// Content name of the frame.
        content: String,
        /// Number of body messages present.
        count: usize,
    },
    /// A body message that the caller asked for is not there.
    #[error("body message {index} is missing ({count} body messages present)")]
    MissingBody {
        /// Index asked for.
        index: usize,
        /// Number of body messages present.
        count: usize,
    },
    /// A body message does not decode as its type.
    #[error("body message {index} does not decode as {message}: {source}")]
    Body {
        /// Index among the body messages.
        index: usize,
        /// Full protobuf name of the expected type.
        message: &'static str,
        /// prost's error.
        source: prost::DecodeError,
    },
    /// A proto2 `required` field is absent from a body message.
    #[error("body message {index}: {source}")]
    MissingRequired {
        /// Index among the body messages.
        index: usize,
        /// Which field of which message.
        source: MissingField,
    },
}
