//! Test support shared by the cross-crate tests and benches: loading the golden vectors of
//! `tests/vectors`, and rendering messages the way the vectors' `index.json` does
//! (protobuf JSON mapping with proto field names, and the wire field sequence); [`raw`], a
//! raw protocol client for the mock; [`scripted`], a scripted controller for the client
//! over an in-memory pipe; [`mock`], the mock controller started with a client connected
//! to it; [`model_gen`], the request sequences of the model fuzz target
//! and its property test; [`connection_fuzz`], the oracle of the connection fuzz target.
//!
//! The vectors folder is `$LINSTOR_VECTORS` when set, otherwise `tests/vectors` in this
//! repository (under `CARGO_MANIFEST_DIR`); a missing folder is a test failure, never a skip.

#![warn(missing_docs)]

pub mod connection_fuzz;
pub mod mock;
pub mod model_gen;

use std::path::PathBuf;
use std::sync::OnceLock;

use prost::encoding::{WireType, decode_key, decode_varint};
use prost_reflect::{DescriptorPool, DynamicMessage, Kind, MessageDescriptor, SerializeOptions};

/// The golden vectors folder: `$LINSTOR_VECTORS`, or `tests/vectors` of this repository.
///
/// # Panics
///
/// When the folder does not exist: the golden tests must not pass without their data.
pub fn vectors_dir() -> PathBuf {
    let dir = std::env::var_os("LINSTOR_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors"));
    assert!(
        dir.join("requests/index.json").is_file() && dir.join("server/index.json").is_file(),
        "golden vectors not found at {} (set LINSTOR_VECTORS)",
        dir.display()
    );
    dir
}

/// Reads and parses `requests/index.json` or `server/index.json`.
///
/// # Panics
///
/// When the file is missing or not JSON.
pub fn load_index(sub: &str) -> serde_json::Value {
    let path = vectors_dir().join(sub).join("index.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Reads one `*.hex` frame file as bytes.
///
/// # Panics
///
/// When the file is missing or not hex.
pub fn load_hex(sub: &str, file: &str) -> Vec<u8> {
    let path = vectors_dir().join(sub).join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    from_hex(text.trim())
}

/// Decodes lowercase or uppercase hex.
///
/// # Panics
///
/// On odd length or a non-hex digit.
pub fn from_hex(text: &str) -> Vec<u8> {
    assert!(
        text.len().is_multiple_of(2),
        "odd hex length {}",
        text.len()
    );
    (0..text.len() / 2)
        .map(|i| {
            u8::from_str_radix(&text[2 * i..2 * i + 2], 16)
                .unwrap_or_else(|e| panic!("bad hex at {i}: {e}"))
        })
        .collect()
}

fn pool() -> &'static DescriptorPool {
    static POOL: OnceLock<DescriptorPool> = OnceLock::new();
    POOL.get_or_init(|| {
        DescriptorPool::decode(linstor_proto::FILE_DESCRIPTOR_SET)
            .expect("descriptor set of proto/ decodes")
    })
}

/// The reflection descriptor of a message by full name.
///
/// # Panics
///
/// When `proto/` has no such message.
pub fn descriptor(full_name: &str) -> MessageDescriptor {
    pool()
        .get_message_by_name(full_name)
        .unwrap_or_else(|| panic!("no message {full_name} in proto/"))
}

/// Renders encoded message bytes as the vectors' `fields` object: protobuf JSON mapping,
/// proto field names, only fields present on the wire, 64-bit integers as strings, enums
/// as names.
///
/// # Panics
///
/// When the bytes do not decode as `full_name`.
pub fn fields_json(full_name: &str, bytes: &[u8]) -> serde_json::Value {
    let msg = DynamicMessage::decode(descriptor(full_name), bytes)
        .unwrap_or_else(|e| panic!("{full_name}: {e}"));
    let options = SerializeOptions::new()
        .use_proto_field_name(true)
        .skip_default_fields(true);
    msg.serialize_with_options(serde_json::value::Serializer, &options)
        .unwrap_or_else(|e| panic!("{full_name}: {e}"))
}

/// The field numbers of encoded message bytes in wire order, nested messages as
/// `N{...}`, in the notation of the vectors' `wire_field_sequence`.
///
/// # Panics
///
/// On bytes that are not valid wire format.
pub fn wire_field_sequence(full_name: &str, bytes: &[u8]) -> String {
    let descriptor = descriptor(full_name);
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let (number, wire_type) = decode_key(&mut rest).expect("valid field key");
        match wire_type {
            WireType::Varint => {
                decode_varint(&mut rest).expect("valid varint");
                out.push(number.to_string());
            }
            WireType::LengthDelimited => {
                let len = prost::decode_length_delimiter(&mut rest).expect("valid length");
                let (field, tail) = rest.split_at(len);
                rest = tail;
                let nested = descriptor.get_field(number).and_then(|f| match f.kind() {
                    Kind::Message(m) => Some(m),
                    _ => None,
                });
                match nested {
                    Some(m) => out.push(format!(
                        "{number}{{{}}}",
                        wire_field_sequence(m.full_name(), field)
                    )),
                    None => out.push(number.to_string()),
                }
            }
            wire_type => panic!("unexpected wire type {wire_type:?} in {full_name}"),
        }
    }
    out.join(",")
}

/// A raw protocol client for tests: frames in, envelopes out, no interpretation
/// ([`raw::start_mock`] starts a mock with one connected); the same decoding for bytes
/// read off any transport ([`raw::read_to_end`], [`raw::decode_frames`]); and a few
/// frames and bodies to send.
pub mod raw {
    use futures::{SinkExt, StreamExt};
    use linstor_codec::{CodecError, Envelope, FrameCodec, FrameType, Outgoing};
    use linstor_proto::WireMessage;
    use linstor_proto::messages::{
        MsgApiVersion, MsgCrtRscDfn, MsgHeader, RscDfn, msg_header::MsgType,
    };
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;
    use tokio_util::codec::Framed;

    /// Every wait of the raw client is bounded by this.
    pub const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

    /// A DATA frame of `header` followed by `tail`: raw bytes after the `MsgHeader` that
    /// need not be delimited messages.
    pub fn frame_with_tail(header: &MsgHeader, tail: &[u8]) -> Vec<u8> {
        let mut payload = prost::Message::encode_length_delimited_to_vec(header);
        payload.extend_from_slice(tail);
        let mut out = Vec::new();
        linstor_codec::Header::new(FrameType::Data, payload.len() as u32).write(&mut out);
        out.extend(payload);
        out
    }

    /// `CrtRscDfn`'s body for a resource definition `name`, everything else default.
    pub fn rsc_dfn(name: &str) -> MsgCrtRscDfn {
        MsgCrtRscDfn {
            rsc_dfn: RscDfn {
                rsc_name: name.into(),
                ..Default::default()
            },
        }
    }

    /// A mock started with `config` and a raw client connected to it, its greeting read.
    ///
    /// # Panics
    ///
    /// When the mock does not start or the client does not connect.
    pub async fn start_mock(
        config: linstor_mock::Config,
    ) -> (linstor_mock::MockController, RawClient) {
        let mock = linstor_mock::MockController::start(config)
            .await
            .expect("mock starts");
        let (client, _) = RawClient::connect(mock.addr()).await;
        (mock, client)
    }

    /// Everything `reader` yields up to its end (the peer's close or shutdown).
    ///
    /// # Panics
    ///
    /// On a read error or when the end does not come within [`TIMEOUT`].
    pub async fn read_to_end<R: tokio::io::AsyncRead + Unpin>(reader: &mut R) -> Vec<u8> {
        let mut received = Vec::new();
        tokio::time::timeout(TIMEOUT, reader.read_to_end(&mut received))
            .await
            .expect("in time")
            .expect("read");
        received
    }

    /// The envelopes of the DATA frames in `bytes`, in order.
    ///
    /// # Panics
    ///
    /// When a frame or an envelope does not decode, or when bytes of a frame cut short
    /// are left over at the end.
    pub fn decode_frames(bytes: &[u8]) -> Vec<Envelope> {
        let mut codec = FrameCodec::new();
        let mut buf = bytes::BytesMut::from(bytes);
        let mut envelopes = Vec::new();
        while let Some(frame) =
            tokio_util::codec::Decoder::decode(&mut codec, &mut buf).expect("frames decode")
        {
            envelopes.push(Envelope::decode(frame.payload_bytes()).expect("envelope"));
        }
        assert!(buf.is_empty(), "{} bytes of a frame left over", buf.len());
        envelopes
    }

    /// A connection that sends frames and reads envelopes, through one [`Framed`] over
    /// [`FrameCodec`] (default limit of 16 MiB both ways). [`RawClient::send_raw`] writes
    /// bytes past the codec, for input no encoder would produce.
    #[derive(Debug)]
    pub struct RawClient {
        framed: Framed<TcpStream, FrameCodec>,
        next_id: i64,
    }

    /// The answers of one call, in arrival order, and the events that arrived meanwhile.
    #[derive(Debug, Default)]
    pub struct CallResult {
        /// ANSWER envelopes before `EndOfImmediateAnswers`.
        pub immediate: Vec<Envelope>,
        /// ANSWER envelopes after it.
        pub deferred: Vec<Envelope>,
        /// ONEWAY event envelopes received while waiting.
        pub events: Vec<Envelope>,
        /// Number of `EndOfImmediateAnswers` frames.
        pub eoia: usize,
    }

    impl CallResult {
        /// Every `MsgApiCallResponse` of every Reply, in order.
        ///
        /// # Panics
        ///
        /// When a Reply body does not decode.
        pub fn replies(&self) -> Vec<linstor_proto::messages::MsgApiCallResponse> {
            self.immediate
                .iter()
                .chain(&self.deferred)
                .filter(|e| e.content() == "Reply")
                .flat_map(|e| {
                    (0..e.body_count()).map(move |i| e.body(i).expect("reply entry decodes"))
                })
                .collect()
        }

        /// The messages of the Reply entries after `EndOfImmediateAnswers`.
        ///
        /// # Panics
        ///
        /// When a Reply body does not decode.
        pub fn deferred_messages(&self) -> Vec<String> {
            self.deferred
                .iter()
                .filter(|e| e.content() == "Reply")
                .flat_map(|e| {
                    (0..e.body_count()).map(move |i| {
                        e.body::<linstor_proto::messages::MsgApiCallResponse>(i)
                            .expect("reply entry decodes")
                            .message
                    })
                })
                .collect()
        }

        /// The first answer envelope.
        ///
        /// # Panics
        ///
        /// When there is none.
        pub fn first(&self) -> &Envelope {
            self.immediate
                .first()
                .or(self.deferred.first())
                .expect("at least one answer")
        }
    }

    impl RawClient {
        /// Connects and reads the Version greeting.
        ///
        /// # Panics
        ///
        /// On any failure or timeout.
        pub async fn connect(addr: std::net::SocketAddr) -> (RawClient, MsgApiVersion) {
            let stream = tokio::time::timeout(TIMEOUT, TcpStream::connect(addr))
                .await
                .expect("connect in time")
                .expect("connect");
            let mut client = RawClient {
                framed: Framed::new(stream, FrameCodec::new()),
                next_id: 1,
            };
            let greeting = client.read_envelope().await.expect("greeting");
            assert_eq!(greeting.msg_type(), MsgType::Oneway);
            assert_eq!(greeting.content(), "Version");
            let version = greeting.body(0).expect("MsgApiVersion");
            (client, version)
        }

        /// Sends raw bytes, unchecked (junk, oversize headers, partial frames): frames the
        /// codec still buffers are flushed first, then the bytes go straight to the socket
        /// (`framed.get_mut().write_all`), so the two never interleave.
        ///
        /// # Panics
        ///
        /// On a write error or a write not done within [`TIMEOUT`].
        pub async fn send_raw(&mut self, bytes: &[u8]) {
            let write = async {
                SinkExt::<linstor_codec::Frame>::flush(&mut self.framed).await?;
                self.framed.get_mut().write_all(bytes).await?;
                Ok::<(), CodecError>(())
            };
            tokio::time::timeout(TIMEOUT, write)
                .await
                .expect("the server reads in time")
                .expect("write");
        }

        /// Sends an API call with a fresh id through the codec; returns the id.
        ///
        /// # Panics
        ///
        /// When the frame is above the codec's limit, on a write error, or when the write
        /// is not done within [`TIMEOUT`].
        pub async fn send(&mut self, call: &str, body: Option<&dyn WireMessage>) -> i64 {
            let id = self.next_id;
            self.next_id += 1;
            let header = MsgHeader::api_call(id, call);
            let bodies: Vec<&dyn WireMessage> = body.into_iter().collect();
            tokio::time::timeout(TIMEOUT, self.framed.send(Outgoing::new(&header, &bodies)))
                .await
                .expect("the server reads in time")
                .expect("the request encodes and is written");
            id
        }

        /// Sends a call and collects its answers up to COMPLETE.
        pub async fn call(&mut self, call: &str, body: Option<&dyn WireMessage>) -> CallResult {
            let id = self.send(call, body).await;
            self.collect(id).await
        }

        /// Reads the next DATA frame as an envelope; `None` on a clean close.
        ///
        /// # Panics
        ///
        /// On a timeout, a codec error, or a non-DATA frame.
        pub async fn read_envelope(&mut self) -> Option<Envelope> {
            let frame = self.read_frame().await?;
            assert_eq!(
                frame.frame_type(),
                FrameType::Data,
                "server sent a header-only frame"
            );
            Some(Envelope::decode(frame.payload_bytes()).expect("envelope decodes"))
        }

        /// Reads the next frame; `None` once the server closed the connection (bytes of a
        /// frame cut short by the close are dropped, as before) or the socket failed.
        ///
        /// # Panics
        ///
        /// On a timeout or a frame the codec refuses (above its limit).
        pub async fn read_frame(&mut self) -> Option<linstor_codec::Frame> {
            let next = tokio::time::timeout(TIMEOUT, self.framed.next())
                .await
                .expect("server answers in time");
            match next? {
                Ok(frame) => Some(frame),
                Err(CodecError::Io(_) | CodecError::Truncated { .. }) => None,
                Err(e) => panic!("frames decode: {e}"),
            }
        }

        /// Collects the answers of call `id` up to its COMPLETE.
        ///
        /// # Panics
        ///
        /// When an answer for another id arrives, or on a timeout or close.
        pub async fn collect(&mut self, id: i64) -> CallResult {
            let mut result = CallResult::default();
            loop {
                let env = self
                    .read_envelope()
                    .await
                    .expect("connection open until COMPLETE");
                match env.msg_type() {
                    MsgType::Oneway => {
                        assert_eq!(env.content(), "Event", "unexpected ONEWAY");
                        result.events.push(env);
                    }
                    MsgType::Answer => {
                        assert_eq!(env.api_call_id(), Some(id), "answer for another call");
                        env.decode_bodies()
                            .expect("answer bodies decode as the tables name");
                        if env.content() == "EndOfImmediateAnswers" {
                            result.eoia += 1;
                        } else if result.eoia == 0 {
                            result.immediate.push(env);
                        } else {
                            result.deferred.push(env);
                        }
                    }
                    MsgType::Complete => {
                        assert_eq!(env.api_call_id(), Some(id), "COMPLETE for another call");
                        return result;
                    }
                    MsgType::ApiCall => panic!("the server sent an API call"),
                }
            }
        }
    }
}

/// A scripted controller for testing the client over `tokio::io::duplex`: the test decides
/// what the "controller" reads, when, and what it sends, byte for byte.
pub mod scripted {
    use bytes::Bytes;
    use futures::StreamExt;
    use linstor_client::{Client, ClientConfig};
    use linstor_codec::{Envelope, Frame, FrameCodec, FrameType, Outgoing};
    use linstor_proto::WireMessage;
    use linstor_proto::messages::{MsgApiCallResponse, MsgApiVersion, MsgHeader};
    use tokio::io::{AsyncWriteExt, DuplexStream};
    use tokio_util::codec::Framed;

    /// Every wait of the scripted controller is bounded by this (virtual time in tests with
    /// paused time, where it means "nothing more happens").
    pub const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

    /// One DATA frame of `header` and `bodies`.
    pub fn frame(header: &MsgHeader, bodies: &[&dyn WireMessage]) -> Bytes {
        Outgoing::new(header, bodies).to_bytes()
    }

    /// The controller's `Version` greeting (API version 3).
    pub fn greeting() -> Bytes {
        let v = MsgApiVersion {
            version: 3,
            min_version: 3,
            features: Some(0),
            controller_info: Some("LINSTOR,Controller,test,x,y".into()),
        };
        frame(&MsgHeader::oneway("Version"), &[&v])
    }

    /// A `Reply` answer with one success entry.
    pub fn reply(id: i64, message: &str) -> Bytes {
        let e = MsgApiCallResponse {
            ret_code: 0x0100_0001,
            message: message.into(),
            ..Default::default()
        };
        frame(&MsgHeader::answer(id, "Reply"), &[&e])
    }

    /// `EndOfImmediateAnswers` of call `id`.
    pub fn eoia(id: i64) -> Bytes {
        frame(&MsgHeader::answer(id, "EndOfImmediateAnswers"), &[])
    }

    /// `COMPLETE` of call `id`.
    pub fn complete(id: i64) -> Bytes {
        frame(&MsgHeader::complete(id), &[])
    }

    /// The controller's side of the pipe: frames in through a [`Framed`] over
    /// [`FrameCodec`], raw bytes out.
    #[derive(Debug)]
    pub struct Server {
        framed: Framed<DuplexStream, FrameCodec>,
    }

    impl Server {
        /// The controller side of a pipe.
        pub fn new(io: DuplexStream) -> Server {
            Server {
                framed: Framed::new(io, FrameCodec::new()),
            }
        }

        /// The next frame the client sent; `None` once the client closed the pipe.
        ///
        /// # Panics
        ///
        /// When nothing arrives within [`TIMEOUT`], or on a codec error.
        pub async fn next_frame(&mut self) -> Option<Frame> {
            let next = tokio::time::timeout(TIMEOUT, self.framed.next())
                .await
                .expect("the client sends (or closes) in time");
            next.map(|f| f.expect("the client's frames decode"))
        }

        /// The next frame, or `None` when nothing arrives within `within` (or the pipe
        /// closed).
        ///
        /// # Panics
        ///
        /// On a codec error.
        pub async fn frame_within(&mut self, within: std::time::Duration) -> Option<Frame> {
            match tokio::time::timeout(within, self.framed.next()).await {
                Ok(next) => next.map(|f| f.expect("the client's frames decode")),
                Err(_) => None,
            }
        }

        /// The next request (a DATA frame) as an envelope.
        ///
        /// # Panics
        ///
        /// On a timeout, a close, a header-only frame or a payload that does not decode.
        pub async fn next_request(&mut self) -> Envelope {
            let f = self.next_frame().await.expect("client closed");
            assert_eq!(f.frame_type(), FrameType::Data, "a header-only frame");
            Envelope::decode(f.payload_bytes()).expect("envelope")
        }

        /// Writes raw bytes to the client.
        ///
        /// # Panics
        ///
        /// When the write fails or does not finish within [`TIMEOUT`].
        pub async fn send(&mut self, bytes: &[u8]) {
            tokio::time::timeout(TIMEOUT, self.framed.get_mut().write_all(bytes))
                .await
                .expect("the client reads in time")
                .expect("write");
        }

        /// Answers call `id` with one `Reply` entry, `EndOfImmediateAnswers` and `COMPLETE`.
        pub async fn answer(&mut self, id: i64, message: &str) {
            let mut out = reply(id, message).to_vec();
            out.extend_from_slice(&eoia(id));
            out.extend_from_slice(&complete(id));
            self.send(&out).await;
        }
    }

    /// A client and the scripted controller over a pipe of 64 KiB each way, after the
    /// greeting (sent in three pieces).
    pub async fn pair(config: ClientConfig) -> (Client, Server) {
        pair_with_buffer(config, 1 << 16).await
    }

    /// [`pair`] over a pipe that holds `buffer` bytes each way.
    ///
    /// # Panics
    ///
    /// When the handshake fails.
    pub async fn pair_with_buffer(config: ClientConfig, buffer: usize) -> (Client, Server) {
        let (client_io, server_io) = tokio::io::duplex(buffer);
        let mut server = Server::new(server_io);
        let g = greeting();
        let send = async {
            for piece in [&g[..5], &g[5..20], &g[20..]] {
                server.send(piece).await;
                tokio::task::yield_now().await;
            }
        };
        let (client, ()) = tokio::join!(Client::handshake(client_io, true, config), send);
        (client.expect("handshake"), server)
    }
}
