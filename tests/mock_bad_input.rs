//! The catalogue of malformed input of `docs/bad-input.md`, one case per row: each case
//! sends its bytes on a fresh connection, checks the outcome the document gives, checks
//! that the same connection still answers (unless it was closed), and that a second
//! connection, open all along, is served meanwhile.

use linstor_codec::{FrameType, Header};
use linstor_mock::Config;
use linstor_proto::ReturnCode as RC;
use linstor_proto::messages::msg_header::MsgType;
use linstor_proto::messages::*;
use linstor_tests::raw::{RawClient, rsc_dfn, start_mock};
use prost::Message as _;

/// What the mock does with a case's bytes.
#[derive(Debug, Clone, Copy)]
enum Outcome {
    /// Call `id` is answered: its first Reply entry has `code` (or, with `None`, the first
    /// answer is the list `content`), then EOIA and COMPLETE.
    Answered {
        id: i64,
        code: Option<RC>,
        content: &'static str,
    },
    /// Nothing is sent back; the connection stays open.
    Ignored,
    /// A header-only PONG comes back.
    HeaderPong,
    /// The connection is closed without an answer.
    Closed,
}

use Outcome::*;

/// A DATA frame around `payload`.
fn data(payload: &[u8]) -> Vec<u8> {
    frame(FrameType::Data, payload)
}

fn frame(frame_type: FrameType, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    Header::new(frame_type, u32::try_from(payload.len()).expect("small")).write(&mut out);
    out.extend_from_slice(payload);
    out
}

/// A length-delimited message.
fn delimited(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    prost::encoding::encode_varint(bytes.len() as u64, &mut out);
    out.extend_from_slice(bytes);
    out
}

/// The delimited `MsgHeader` of an API call.
fn call(id: i64, name: &str) -> Vec<u8> {
    MsgHeader::api_call(id, name).encode_length_delimited_to_vec()
}

fn header_with(msg_type: Option<i32>, id: Option<i64>, content: &str) -> Vec<u8> {
    MsgHeader {
        msg_type,
        api_call_id: id,
        msg_content: Some(content.into()),
    }
    .encode_length_delimited_to_vec()
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn crt_rsc_dfn(name: &str) -> Vec<u8> {
    rsc_dfn(name).encode_to_vec()
}

fn answered(id: i64, code: RC) -> Outcome {
    Answered {
        id,
        code: Some(code),
        content: "Reply",
    }
}

fn listed(id: i64, content: &'static str) -> Outcome {
    Answered {
        id,
        code: None,
        content,
    }
}

/// Every case: name, bytes, outcome (the rows of `docs/bad-input.md`, in order).
fn cases() -> Vec<(&'static str, Vec<u8>, Outcome)> {
    let mut oversize = Vec::new();
    Header::new(FrameType::Data, u32::MAX).write(&mut oversize);
    let mut reserved = data(&call(7, "LstNode"));
    reserved[8..16].copy_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
    let mut nested = Vec::new();
    for _ in 0..200 {
        // Field 1 of MsgCrtNode (Node), then field 1 of Node... as nested length-delimited
        // groups: deeper than prost's recursion limit.
        nested = cat(&[&[0x0a], &delimited(&nested)[..]]);
    }
    let invalid_utf8 = cat(&[&[0x0a, 0x06, 0x0a, 0x04], &[0xff, 0xfe, 0xfd, 0xfc][..]]);
    let node_without_type = [0x0a, 0x07, 0x0a, 0x05, b'a', b'l', b'p', b'h', b'a'];
    vec![
        ("payload above the limit", oversize, Closed),
        ("zero-length DATA frame", data(&[]), Ignored),
        (
            "first message is not a MsgHeader",
            data(&delimited(&[0xff, 0xff])),
            Ignored,
        ),
        (
            "MsgHeader delimiter runs past the payload",
            data(&[0x20, 0x08, 0x01]),
            Ignored,
        ),
        (
            "MsgHeader delimiter never ends",
            data(&[0x80, 0x80]),
            Ignored,
        ),
        (
            "msg_type 9",
            data(&header_with(Some(9), Some(1), "LstNode")),
            Ignored,
        ),
        (
            "ONEWAY from the client",
            data(&header_with(Some(0), None, "Version")),
            Ignored,
        ),
        (
            "ANSWER from the client",
            data(&header_with(Some(2), Some(1), "Reply")),
            Ignored,
        ),
        (
            "COMPLETE from the client",
            data(&header_with(Some(3), Some(1), "")),
            Ignored,
        ),
        (
            "API_CALL without api_call_id",
            data(&header_with(Some(1), None, "LstNode")),
            Ignored,
        ),
        ("API call named Pong", data(&call(1, "Pong")), Ignored),
        (
            "unknown frame type 7",
            frame(FrameType::Other(7), &[1, 2, 3]),
            Ignored,
        ),
        ("header-level PONG", frame(FrameType::Pong, &[]), Ignored),
        ("header-level PING", frame(FrameType::Ping, &[]), HeaderPong),
        (
            "unknown call name",
            data(&call(2, "NoSuchCall")),
            answered(2, RC::UNKNOWN_API_CALL),
        ),
        (
            "call name in the wrong case",
            data(&call(3, "lstnode")),
            answered(3, RC::UNKNOWN_API_CALL),
        ),
        (
            "a name the client never sends",
            data(&call(4, "SignIn")),
            answered(4, RC::UNKNOWN_API_CALL),
        ),
        (
            "Hostname (satellites only)",
            data(&call(5, "Hostname")),
            answered(5, RC::UNKNOWN_API_CALL),
        ),
        (
            "required body missing",
            data(&call(6, "CrtNode")),
            answered(6, RC::FAIL_UNKNOWN_ERROR),
        ),
        (
            "body is not protobuf",
            data(&cat(&[&call(7, "CrtNode"), &delimited(&[0xff, 0xff])])),
            answered(7, RC::API_CALL_PARSE_ERROR),
        ),
        (
            "body lacks a required field",
            data(&cat(&[&call(8, "CrtNode"), &delimited(&node_without_type)])),
            answered(8, RC::API_CALL_PARSE_ERROR),
        ),
        (
            "body of another message type",
            data(&cat(&[
                &call(9, "LstKvsProps"),
                &delimited(&MsgDelWatch { watch_id: 7 }.encode_to_vec()),
            ])),
            answered(9, RC::API_CALL_PARSE_ERROR),
        ),
        (
            "body delimiter runs past the payload",
            data(&cat(&[&call(10, "CrtNode"), &[9, 1, 2]])),
            answered(10, RC::API_CALL_PARSE_ERROR),
        ),
        (
            "body delimiter never ends",
            data(&cat(&[&call(11, "DelNode"), &[0x80]])),
            answered(11, RC::API_CALL_PARSE_ERROR),
        ),
        (
            "string field that is not UTF-8",
            data(&cat(&[&call(12, "CrtNode"), &delimited(&invalid_utf8)])),
            answered(12, RC::API_CALL_PARSE_ERROR),
        ),
        (
            "messages nested 200 deep",
            data(&cat(&[&call(13, "CrtNode"), &delimited(&nested)])),
            answered(13, RC::API_CALL_PARSE_ERROR),
        ),
        (
            "body sent with a header-only call",
            data(&cat(&[&call(14, "LstNode"), &delimited(&[0xff])])),
            listed(14, "LstNode"),
        ),
        (
            "stray bytes after a header-only call",
            data(&cat(&[&call(15, "LstNode"), &[0x07]])),
            listed(15, "LstNode"),
        ),
        (
            "stray bytes after a valid body",
            data(&cat(&[
                &call(16, "CrtRscDfn"),
                &delimited(&crt_rsc_dfn("stray")),
                &[0xff, 0xff],
            ])),
            listed(16, "Reply"),
        ),
        (
            "non-zero reserved header bytes",
            reserved,
            listed(7, "LstNode"),
        ),
        (
            "negative api_call_id",
            data(&call(-5, "LstNode")),
            listed(-5, "LstNode"),
        ),
        (
            "empty optional filter body",
            data(&cat(&[&call(17, "LstRsc"), &delimited(&[])])),
            listed(17, "LstRsc"),
        ),
    ]
}

#[tokio::test]
async fn every_malformed_input_gets_its_documented_outcome() {
    let (mock, mut bystander) = start_mock(Config::default()).await;
    let cases = cases();
    assert!(cases.len() >= 30, "the catalogue has {} cases", cases.len());
    for (name, bytes, outcome) in cases {
        let (mut c, _) = RawClient::connect(mock.addr()).await;
        c.send_raw(&bytes).await;
        match outcome {
            Answered { id, code, content } => {
                let r = c.collect(id).await;
                assert_eq!(r.eoia, 1, "{name}: one EndOfImmediateAnswers");
                assert_eq!(r.first().content(), content, "{name}");
                if let Some(code) = code {
                    assert_eq!(
                        r.replies().first().map(|e| RC(e.ret_code)),
                        Some(code),
                        "{name}: {:?}",
                        r.replies()
                    );
                }
            }
            Ignored => {}
            HeaderPong => {
                let f = c.read_frame().await.expect("a PONG");
                assert_eq!(f.frame_type(), FrameType::Pong, "{name}");
                assert!(f.payload().is_empty(), "{name}");
            }
            Closed => {
                assert!(c.read_frame().await.is_none(), "{name}: closed");
            }
        }
        if !matches!(outcome, Closed) {
            // The next answers on this connection are those of a Ping: nothing else was
            // sent for the bad input (an answer for another id fails `collect`).
            let id = c.send("Ping", None).await;
            let r = c.collect(id).await;
            assert_eq!(r.first().content(), "Pong", "{name}: still served");
            assert_eq!(r.first().msg_type(), MsgType::Answer, "{name}");
        }
        let r = bystander.call("Ping", None).await;
        assert_eq!(
            r.first().content(),
            "Pong",
            "{name}: the other connection is served"
        );
    }
    assert_eq!(mock.model().resource_definition_names(), ["stray"]);
}
