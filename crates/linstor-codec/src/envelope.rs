//! [`Envelope`]: a DATA payload split into its `MsgHeader` and raw body messages (zero
//! copy), with typed decoding through the call tables; [`Outgoing`] and [`write_frame`]:
//! the encoding side.

use bytes::{Bytes, BytesMut};
use linstor_proto::calls::{answers, oneway};
use linstor_proto::consts::events;
use linstor_proto::messages::{MsgEvent, MsgHeader, msg_header::MsgType};
use linstor_proto::{Body, Call, MessageKind, Request, RequestError, WireMessage, required};
use prost::Message;

use crate::{CodecError, EnvelopeError, Frame, FrameType, Header, Messages};

/// A decoded DATA payload: the `MsgHeader`, and the body messages that follow it, kept as
/// slices of the payload and split only when asked for (so a frame of millions of messages
/// costs no more memory than its bytes).
///
/// Outcomes for malformed payloads: an empty payload is [`EnvelopeError::MissingHeader`];
/// a header whose delimiter is truncated or over-long, or runs past the payload, is the
/// matching [`EnvelopeError::Split`]; an undecodable header is [`EnvelopeError::Header`]; a
/// `msg_type` outside 0..=3 is [`EnvelopeError::UnknownMsgType`]. A header without
/// `msg_type` is ONEWAY (the proto2 default), as the controller treats it. Malformed body
/// messages are reported when they are read ([`Envelope::body`], [`Envelope::request`],
/// [`Envelope::decode_bodies`]), never by `decode`: a request whose header decodes can
/// always be answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    /// The first message.
    pub header: MsgHeader,
    payload: Bytes,
    /// Offset of the first body message's delimiter.
    bodies_start: usize,
}

impl Envelope {
    /// Splits off and decodes the `MsgHeader` of `payload` (the payload of a DATA frame).
    ///
    /// # Errors
    ///
    /// See the type's documentation.
    pub fn decode(payload: Bytes) -> Result<Envelope, EnvelopeError> {
        let mut messages = Messages::new(&payload);
        let header_bytes = messages.next().ok_or(EnvelopeError::MissingHeader)??;
        let bodies_start = messages.offset();
        let header = MsgHeader::decode(header_bytes).map_err(EnvelopeError::Header)?;
        if let Some(t) = header.msg_type {
            MsgType::try_from(t).map_err(|_| EnvelopeError::UnknownMsgType(t))?;
        }
        Ok(Envelope {
            header,
            payload,
            bodies_start,
        })
    }

    /// The body messages after the header, split lazily.
    fn bodies(&self) -> Messages<'_> {
        Messages::starting_at(&self.payload, self.bodies_start)
    }

    /// The message type (checked to be known when decoding; absent means ONEWAY).
    pub fn msg_type(&self) -> MsgType {
        self.header.msg_type()
    }

    /// `MsgHeader.api_call_id`, if present.
    pub fn api_call_id(&self) -> Option<i64> {
        self.header.api_call_id
    }

    /// `MsgHeader.msg_content`, or `""` when absent (COMPLETE).
    pub fn content(&self) -> &str {
        self.header.msg_content()
    }

    /// The whole payload.
    pub fn payload(&self) -> &Bytes {
        &self.payload
    }

    /// Number of well-formed body messages after the header (a malformed delimiter ends
    /// the count). Walks the payload; allocates nothing.
    pub fn body_count(&self) -> usize {
        self.bodies().take_while(Result::is_ok).count()
    }

    /// Body message `index` (0 = first after the header), sharing the payload's memory;
    /// `None` when it is missing or a delimiter before it is malformed.
    pub fn body_bytes(&self, index: usize) -> Option<Bytes> {
        let body = self.body_slice(index).ok()?;
        Some(self.payload.slice_ref(body))
    }

    fn body_slice(&self, index: usize) -> Result<&[u8], EnvelopeError> {
        let mut count = 0;
        for body in self.bodies() {
            let body = body?;
            if count == index {
                return Ok(body);
            }
            count += 1;
        }
        Err(EnvelopeError::MissingBody { index, count })
    }

    /// Decodes body message `index` as `M`, checking proto2 `required` fields.
    ///
    /// # Errors
    ///
    /// [`EnvelopeError::MissingBody`], [`EnvelopeError::Body`] or
    /// [`EnvelopeError::MissingRequired`].
    pub fn body<M: Message + prost::Name + Default>(
        &self,
        index: usize,
    ) -> Result<M, EnvelopeError> {
        let bytes = self.body_slice(index)?;
        let schema = required::schema_of(M::PACKAGE, M::NAME);
        let name = schema.map_or(M::NAME, |s| s.name);
        let message = M::decode(bytes).map_err(|source| EnvelopeError::Body {
            index,
            message: name,
            source,
        })?;
        if let Some(schema) = schema {
            required::check_required_with(schema, bytes)
                .map_err(|source| EnvelopeError::MissingRequired { index, source })?;
        }
        Ok(message)
    }

    /// Decodes body message `index` as `kind`, checking proto2 `required` fields.
    ///
    /// # Errors
    ///
    /// As [`Envelope::body`].
    pub fn body_as(&self, index: usize, kind: MessageKind) -> Result<Body, EnvelopeError> {
        let bytes = self.body_slice(index)?;
        let body = Body::decode(kind, bytes).map_err(|source| EnvelopeError::Body {
            index,
            message: kind.full_name(),
            source,
        })?;
        required::check_required(kind.full_name(), bytes)
            .map_err(|source| EnvelopeError::MissingRequired { index, source })?;
        Ok(body)
    }

    /// The request of an API_CALL frame: its call (by `msg_content`, through the call
    /// table) with the first body message decoded as that call's request.
    ///
    /// # Errors
    ///
    /// [`RequestError::UnknownCall`] for a name the table lacks, and the errors of
    /// [`Request::decode_delimited`] (only the first body message is read; bytes after it
    /// are ignored, as the controller does).
    pub fn request(&self) -> Result<Request, RequestError> {
        let call = Call::from_name(self.content())
            .ok_or_else(|| RequestError::UnknownCall(self.content().to_owned()))?;
        Request::decode_delimited(call, &self.payload[self.bodies_start..])
    }

    /// The type the tables name for body message `index`: the request type of an API_CALL
    /// (from [`Call::request_kind`]), the answer type of an ANSWER (from [`answers::ANSWERS`]), the
    /// one-way body of a ONEWAY frame. For an `Event`, message 1 is typed by the event name
    /// in message 0. `Ok(None)` when no message is expected at that index.
    ///
    /// # Errors
    ///
    /// [`EnvelopeError::UnknownContent`] for a name the tables lack, or the decode errors of
    /// the `MsgEvent` when typing an event's data.
    pub fn body_kind(&self, index: usize) -> Result<Option<MessageKind>, EnvelopeError> {
        let unknown = |msg_type: &'static str| EnvelopeError::UnknownContent {
            msg_type,
            content: self.content().to_owned(),
        };
        Ok(match self.msg_type() {
            MsgType::ApiCall => {
                let call = Call::from_name(self.content()).ok_or_else(|| unknown("API_CALL"))?;
                if index == 0 {
                    call.request_kind()
                } else {
                    None
                }
            }
            MsgType::Answer => {
                let answer = answers::by_name(self.content()).ok_or_else(|| unknown("ANSWER"))?;
                if index == 0 || answer.repeated {
                    answer.message
                } else {
                    None
                }
            }
            MsgType::Oneway => {
                let first = oneway::message(self.content()).ok_or_else(|| unknown("ONEWAY"))?;
                match index {
                    0 => Some(first),
                    1 if self.content() == oneway::EVENT => {
                        let event: MsgEvent = self.body(0)?;
                        match event.event_name.as_str() {
                            events::RESOURCE_STATE => Some(MessageKind::EventRscState),
                            events::VOLUME_DISK_STATE => Some(MessageKind::EventVlmDiskState),
                            _ => None,
                        }
                    }
                    _ => None,
                }
            }
            MsgType::Complete => None,
        })
    }

    /// Decodes every body message as the type the tables name (see [`Envelope::body_kind`]).
    ///
    /// # Errors
    ///
    /// [`EnvelopeError::UnexpectedBody`] for a message the tables do not expect, and the
    /// errors of [`Envelope::body_kind`] and [`Envelope::body_as`].
    pub fn decode_bodies(&self) -> Result<Vec<Body>, EnvelopeError> {
        let mut decoded = Vec::new();
        for (index, body) in self.bodies().enumerate() {
            let bytes = body?;
            let kind = self
                .body_kind(index)?
                .ok_or_else(|| EnvelopeError::UnexpectedBody {
                    index,
                    content: self.content().to_owned(),
                    count: self.body_count(),
                })?;
            let body = Body::decode(kind, bytes).map_err(|source| EnvelopeError::Body {
                index,
                message: kind.full_name(),
                source,
            })?;
            required::check_required(kind.full_name(), bytes)
                .map_err(|source| EnvelopeError::MissingRequired { index, source })?;
            decoded.push(body);
        }
        Ok(decoded)
    }
}

/// A frame to encode: a header and the typed body messages that follow it.
#[derive(Clone, Copy)]
pub struct Outgoing<'a> {
    /// The `MsgHeader`.
    pub header: &'a MsgHeader,
    /// Body messages, in order.
    pub bodies: &'a [&'a dyn WireMessage],
}

impl std::fmt::Debug for Outgoing<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outgoing")
            .field("header", self.header)
            .field("bodies", &self.bodies.len())
            .finish()
    }
}

impl<'a> Outgoing<'a> {
    /// A frame of `header` and `bodies`.
    pub fn new(header: &'a MsgHeader, bodies: &'a [&'a dyn WireMessage]) -> Outgoing<'a> {
        Outgoing { header, bodies }
    }

    /// Payload length: every message with its delimiter.
    pub fn payload_len(&self) -> usize {
        delimited_len(self.header.encoded_len())
            + self
                .bodies
                .iter()
                .map(|b| delimited_len(b.wire_len()))
                .sum::<usize>()
    }

    /// Encodes the whole frame into a new buffer (no limit check; see
    /// [`FrameCodec`](crate::FrameCodec) for that).
    pub fn to_bytes(&self) -> Bytes {
        self.encode_with_len(self.payload_len())
    }

    /// Encodes the whole frame as a [`Frame`], to be sent later through the
    /// [`FrameCodec`](crate::FrameCodec) encoder, which checks it against its payload limit.
    ///
    /// # Errors
    ///
    /// [`CodecError::PayloadTooLarge`] (with `max` = `u32::MAX`) when the payload does not fit
    /// the header's 32-bit length field at all.
    pub fn to_frame(&self) -> Result<Frame, CodecError> {
        let length = self.payload_len();
        if u32::try_from(length).is_err() {
            return Err(CodecError::PayloadTooLarge {
                length: length as u64,
                max: u32::MAX,
            });
        }
        Ok(Frame::from_checked(self.encode_with_len(length)))
    }

    fn encode_with_len(&self, length: usize) -> Bytes {
        let mut buf = BytesMut::with_capacity(crate::HEADER_LEN + length);
        write_frame(&mut buf, self.header, self.bodies, length);
        buf.freeze()
    }
}

fn delimited_len(len: usize) -> usize {
    prost::length_delimiter_len(len) + len
}

/// Appends one DATA frame (16-byte header, delimited `header`, delimited `bodies`) to `dst`.
/// `payload_len` must be [`Outgoing::payload_len`] of the same parts; lengths above
/// `u32::MAX` are the caller's to refuse (the codec refuses anything above its limit first).
pub fn write_frame(
    dst: &mut BytesMut,
    header: &MsgHeader,
    bodies: &[&dyn WireMessage],
    payload_len: usize,
) {
    dst.reserve(crate::HEADER_LEN + payload_len);
    Header::new(
        FrameType::Data,
        u32::try_from(payload_len).unwrap_or(u32::MAX),
    )
    .write(dst);
    let header_len = header.encoded_len();
    prost::encoding::encode_varint(header_len as u64, dst);
    header.encode_raw(dst);
    for body in bodies {
        prost::encoding::encode_varint(body.wire_len() as u64, dst);
        body.write_wire(dst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linstor_proto::messages::{Filter, MsgCrtNode, MsgDelWatch, MsgLstNode};

    fn payload_of(out: Outgoing<'_>) -> Bytes {
        out.to_bytes().slice(crate::HEADER_LEN..)
    }

    #[test]
    fn header_only_request() {
        let header = MsgHeader::api_call(1, "LstNode");
        let bytes = Outgoing::new(&header, &[]).to_bytes();
        assert_eq!(bytes.len(), 30);
        assert_eq!(
            &bytes[..],
            &hex("000000000000000e00000000000000000d080110011a074c73744e6f6465")[..]
        );
        let env = Envelope::decode(bytes.slice(16..)).unwrap();
        assert_eq!(
            (env.msg_type(), env.api_call_id(), env.content()),
            (MsgType::ApiCall, Some(1), "LstNode")
        );
        assert_eq!(env.body_count(), 0);
        assert!(env.decode_bodies().unwrap().is_empty());
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn empty_body_is_one_zero_byte_and_decodes() {
        let header = MsgHeader::api_call(7, "LstRsc");
        let payload = payload_of(Outgoing::new(&header, &[&Filter::default()]));
        assert_eq!(payload.last(), Some(&0));
        let env = Envelope::decode(payload).unwrap();
        assert_eq!(
            env.decode_bodies().unwrap(),
            [Body::Filter(Filter::default())]
        );
    }

    #[test]
    fn bodies_are_split_only_when_read() {
        let header = MsgHeader::api_call(5, "DelNode");
        let mut payload = payload_of(Outgoing::new(&header, &[])).to_vec();
        payload.extend_from_slice(&[9, 1, 2]);
        let env = Envelope::decode(Bytes::from(payload)).expect("the header decodes");
        assert_eq!(env.api_call_id(), Some(5));
        assert_eq!(env.body_count(), 0);
        assert!(matches!(
            env.decode_bodies(),
            Err(EnvelopeError::Split(crate::SplitError::MessageOverrun {
                length: 9,
                ..
            }))
        ));
        assert!(matches!(
            env.request(),
            Err(RequestError::BodyOverrun {
                length: 9,
                available: 2,
                ..
            })
        ));
        // A million empty messages are counted without being indexed.
        let mut payload = payload_of(Outgoing::new(&header, &[])).to_vec();
        payload.resize(payload.len() + 1_000_000, 0);
        let env = Envelope::decode(Bytes::from(payload)).unwrap();
        assert_eq!(env.body_count(), 1_000_000);
        assert_eq!(env.body_bytes(999_999).as_deref(), Some(&[][..]));
    }

    #[test]
    fn empty_payload_has_no_header() {
        assert_eq!(
            Envelope::decode(Bytes::new()),
            Err(EnvelopeError::MissingHeader)
        );
    }

    #[test]
    fn header_without_msg_type_is_oneway_and_unknown_type_is_an_error() {
        let env = Envelope::decode(Bytes::from_static(&[2, 0x10, 5])).unwrap();
        assert_eq!(env.msg_type(), MsgType::Oneway);
        assert_eq!(
            Envelope::decode(Bytes::from_static(&[2, 0x08, 9])),
            Err(EnvelopeError::UnknownMsgType(9))
        );
        assert!(matches!(
            Envelope::decode(Bytes::from_static(&[1, 0x0a])),
            Err(EnvelopeError::Header(_))
        ));
    }

    #[test]
    fn missing_required_field_is_reported() {
        // prost always writes required fields, so send an empty message (byte 00) instead.
        let header = MsgHeader::api_call(3, "CrtNode");
        let payload = payload_of(Outgoing::new(&header, &[&Filter::default()]));
        let env = Envelope::decode(payload).unwrap();
        let err = env.decode_bodies().unwrap_err();
        assert!(
            matches!(&err, EnvelopeError::MissingRequired { index: 0, source } if source.field == "node"),
            "{err}"
        );
        // prost alone accepts it:
        assert!(env.body_bytes(0).is_some());
        assert!(matches!(
            env.body::<MsgCrtNode>(0),
            Err(EnvelopeError::MissingRequired { .. })
        ));
    }

    #[test]
    fn wrong_body_type_is_a_decode_or_required_error() {
        // A MsgDelWatch where a MsgLstNode list is expected: field 1 is a varint, not a message.
        let header = MsgHeader::answer(2, "LstNode");
        let payload = payload_of(Outgoing::new(&header, &[&MsgDelWatch { watch_id: 1 }]));
        let env = Envelope::decode(payload).unwrap();
        assert!(matches!(
            env.body::<MsgLstNode>(0),
            Err(EnvelopeError::Body { index: 0, .. })
        ));
    }

    #[test]
    fn unknown_content_and_unexpected_bodies() {
        let header = MsgHeader::api_call(1, "NoSuchCall");
        let env =
            Envelope::decode(payload_of(Outgoing::new(&header, &[&Filter::default()]))).unwrap();
        assert!(matches!(
            env.decode_bodies(),
            Err(EnvelopeError::UnknownContent {
                msg_type: "API_CALL",
                ..
            })
        ));
        let header = MsgHeader::api_call(1, "Ping");
        let env =
            Envelope::decode(payload_of(Outgoing::new(&header, &[&Filter::default()]))).unwrap();
        assert!(matches!(
            env.decode_bodies(),
            Err(EnvelopeError::UnexpectedBody {
                index: 0,
                count: 1,
                ..
            })
        ));
        assert!(matches!(
            env.body::<Filter>(3),
            Err(EnvelopeError::MissingBody { index: 3, count: 1 })
        ));
    }
}
