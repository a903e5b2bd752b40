//! The oracle of the `mock_connection` fuzz target (and of its corpus replay in
//! `tests/fuzz_corpus.rs`): arbitrary bytes are sent to one mock connection handler over an
//! in-memory pipe (no sockets), then the peer half-closes. Whatever the bytes, the handler
//! must finish, its output must be whole frames starting with the greeting, every API call
//! among the complete frames before the first oversize one must get exactly one
//! `EndOfImmediateAnswers` and one `COMPLETE`, and every header-level PING one PONG.

use std::time::Duration;

use bytes::BytesMut;
use linstor_codec::{Envelope, FrameCodec, FrameType};
use linstor_mock::Config;
use linstor_proto::calls;
use linstor_proto::messages::msg_header::MsgType;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::codec::Decoder;

/// What the peer can expect back for `input`: (API calls to be completed, PINGs to be
/// answered), counted over the complete frames before the first one the codec refuses.
fn expected(input: &[u8]) -> (usize, usize) {
    let mut codec = FrameCodec::new();
    let mut buf = BytesMut::from(input);
    let (mut calls, mut pings) = (0, 0);
    while let Ok(Some(frame)) = codec.decode(&mut buf) {
        match frame.frame_type() {
            FrameType::Ping => pings += 1,
            FrameType::Data => {
                if let Ok(env) = Envelope::decode(frame.payload_bytes())
                    && env.msg_type() == MsgType::ApiCall
                    && env.api_call_id().is_some()
                    && !calls::is_liveness_pong(env.content())
                {
                    calls += 1;
                }
            }
            _ => {}
        }
    }
    (calls, pings)
}

/// Runs `input` through one mock connection and checks the output.
///
/// # Panics
///
/// When the handler does not finish within 20 s, or its output breaks a rule above.
pub fn mock_connection(input: &[u8]) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let output = runtime.block_on(async {
        let (client, server) = tokio::io::duplex(64 * 1024);
        let config = Config {
            event_delay: Duration::ZERO,
            demo: input.first().is_some_and(|b| b & 1 == 1),
            ..Config::default()
        };
        let handler = tokio::spawn(linstor_mock::serve_io(config, server));
        let (mut read, mut write) = tokio::io::split(client);
        let bytes = input.to_vec();
        let writer = tokio::spawn(async move {
            // The handler may close early (an oversize frame): the rest cannot be written.
            if write.write_all(&bytes).await.is_ok() {
                let _ = write.shutdown().await;
            }
        });
        let mut output = Vec::new();
        tokio::time::timeout(Duration::from_secs(20), read.read_to_end(&mut output))
            .await
            .expect("the handler finishes")
            .expect("the pipe reads");
        let _ = writer.await;
        let _ = handler.await;
        output
    });
    let (calls, pings) = expected(input);
    let mut codec = FrameCodec::new();
    let mut buf = BytesMut::from(&output[..]);
    let mut frames = Vec::new();
    while let Some(frame) = codec
        .decode_eof(&mut buf)
        .expect("the output is whole frames")
    {
        frames.push(frame);
    }
    let first = frames.first().expect("a greeting");
    let greeting = Envelope::decode(first.payload_bytes()).expect("the greeting decodes");
    assert_eq!(greeting.content(), "Version");
    let (mut completes, mut eoias, mut pongs) = (0, 0, 0);
    for frame in &frames[1..] {
        match frame.frame_type() {
            FrameType::Pong => pongs += 1,
            FrameType::Data => {
                let env = Envelope::decode(frame.payload_bytes()).expect("answers decode");
                env.decode_bodies()
                    .expect("answer bodies decode as the tables name");
                match env.msg_type() {
                    MsgType::Complete => completes += 1,
                    MsgType::Answer if env.content() == "EndOfImmediateAnswers" => eoias += 1,
                    MsgType::Answer | MsgType::Oneway => {}
                    MsgType::ApiCall => panic!("the mock sent an API call"),
                }
            }
            other => panic!("the mock sent a frame of type {other:?}"),
        }
    }
    assert_eq!(completes, calls, "one COMPLETE per API call");
    assert_eq!(eoias, calls, "one EndOfImmediateAnswers per API call");
    assert_eq!(pongs, pings, "one PONG per PING");
}
