//! Golden tests: every captured request frame and every reference controller frame of
//! `tests/vectors` decodes through the codec, each body decodes as the type the call
//! tables name, the values equal the index's `fields`, the wire order equals its
//! `wire_field_sequence`, and re-encoding gives the identical bytes.

use bytes::{Bytes, BytesMut};
use linstor_codec::{Envelope, FrameCodec, FrameType, Outgoing};
use linstor_proto::{Body, WireMessage};
use linstor_tests::{fields_json, load_hex, load_index, wire_field_sequence};
use serde_json::Value;
use tokio_util::codec::Decoder;

/// Checks one described message (`header`, `body` or an entry of `decoded[]`) against its
/// bytes and against the typed value decoded through the tables.
fn check_message(file: &str, described: &Value, raw: &Bytes, typed: Option<&Body>) {
    let full_name = described["type"].as_str().expect("type");
    assert_eq!(
        described["length"].as_u64(),
        Some(raw.len() as u64),
        "{file}: {full_name} length"
    );
    assert_eq!(
        &linstor_tests::from_hex(described["hex"].as_str().expect("hex"))[..],
        &raw[..],
        "{file}: {full_name} bytes"
    );
    if let Some(body) = typed {
        assert_eq!(
            body.kind().full_name(),
            full_name,
            "{file}: table names another type"
        );
        let mut again = BytesMut::new();
        body.write_wire(&mut again);
        assert_eq!(
            &again[..],
            &raw[..],
            "{file}: {full_name} re-encodes differently"
        );
    }
    assert_eq!(
        fields_json(full_name, raw),
        described["fields"],
        "{file}: {full_name} fields"
    );
    assert_eq!(
        wire_field_sequence(full_name, raw),
        described["wire_field_sequence"]
            .as_str()
            .expect("wire_field_sequence"),
        "{file}: {full_name} wire order"
    );
}

/// Decodes one whole frame file; returns the envelope, typed bodies and raw body bytes.
fn decode_frame(dir: &str, file: &str, expected_len: u64) -> (Vec<u8>, Envelope, Vec<Body>) {
    let bytes = load_hex(dir, file);
    assert_eq!(bytes.len() as u64, expected_len, "{file}: frame length");
    assert_eq!(&bytes[8..16], &[0; 8], "{file}: reserved bytes");
    let mut buf = BytesMut::from(&bytes[..]);
    let frame = FrameCodec::new()
        .decode(&mut buf)
        .expect("frame decodes")
        .expect("frame is complete");
    assert!(buf.is_empty(), "{file}: bytes left after the frame");
    assert_eq!(frame.frame_type(), FrameType::Data);
    assert_eq!(frame.wire_len(), bytes.len());
    let envelope = Envelope::decode(frame.payload_bytes()).expect("envelope decodes");
    let bodies = envelope
        .decode_bodies()
        .expect("bodies decode as the tables name");

    // Re-encode the typed header and bodies: the frame must come back byte for byte.
    let refs: Vec<&dyn WireMessage> = bodies.iter().map(|b| b as _).collect();
    let again = Outgoing::new(&envelope.header, &refs).to_bytes();
    assert_eq!(
        &again[..],
        &bytes[..],
        "{file}: frame re-encodes differently"
    );
    (bytes, envelope, bodies)
}

fn header_bytes(envelope: &Envelope) -> Bytes {
    // The header is the payload's first message: skip its one-byte delimiter.
    let payload = envelope.payload();
    let len = payload[0] as usize;
    assert!(len < 0x80, "header delimiter is one byte");
    payload.slice(1..1 + len)
}

#[test]
fn golden_request_frames() {
    let index = load_index("requests");
    let vectors = index["vectors"].as_array().expect("vectors");
    assert_eq!(vectors.len(), 117);
    for v in vectors {
        let file = v["file"].as_str().expect("file");
        let (_, envelope, bodies) = decode_frame(
            "requests",
            file,
            v["frame_length"].as_u64().expect("frame_length"),
        );
        assert_eq!(
            envelope.content(),
            v["msg_content"].as_str().expect("msg_content"),
            "{file}"
        );
        assert_eq!(envelope.api_call_id(), v["api_call_id"].as_i64(), "{file}");
        check_message(file, &v["header"], &header_bytes(&envelope), None);
        match &v["body"] {
            Value::Null => assert!(bodies.is_empty(), "{file}: header-only request has a body"),
            body => {
                assert_eq!(bodies.len(), 1, "{file}: one body");
                check_message(
                    file,
                    body,
                    &envelope.body_bytes(0).expect("body"),
                    Some(&bodies[0]),
                );
            }
        }
    }
}

#[test]
fn golden_server_frames() {
    let index = load_index("server");
    let frames = index["frames"].as_array().expect("frames");
    assert_eq!(frames.len(), 6);
    for f in frames {
        let file = f["file"].as_str().expect("file");
        let (_, envelope, bodies) = decode_frame(
            "server",
            file,
            f["frame_length"].as_u64().expect("frame_length"),
        );
        assert_eq!(
            envelope.msg_type().as_str_name(),
            f["msg_type"].as_str().expect("msg_type"),
            "{file}"
        );
        assert_eq!(envelope.api_call_id(), f["api_call_id"].as_i64(), "{file}");
        let decoded = f["decoded"].as_array().expect("decoded");
        assert_eq!(decoded.len(), 1 + bodies.len(), "{file}: message count");
        check_message(file, &decoded[0], &header_bytes(&envelope), None);
        for (i, body) in bodies.iter().enumerate() {
            check_message(
                file,
                &decoded[i + 1],
                &envelope.body_bytes(i).expect("body"),
                Some(body),
            );
        }
    }
}

#[test]
fn golden_frames_concatenated_decode_as_one_stream() {
    let index = load_index("requests");
    let files: Vec<&str> = index["vectors"]
        .as_array()
        .expect("vectors")
        .iter()
        .map(|v| v["file"].as_str().expect("file"))
        .collect();
    let stream: Vec<u8> = files.iter().flat_map(|f| load_hex("requests", f)).collect();
    let mut codec = FrameCodec::new();
    let mut buf = BytesMut::new();
    let mut decoded = 0;
    // Feed 7 bytes at a time, as a slow socket would.
    for chunk in stream.chunks(7) {
        buf.extend_from_slice(chunk);
        while let Some(frame) = codec.decode(&mut buf).expect("stream decodes") {
            assert_eq!(frame.wire_len(), load_hex("requests", files[decoded]).len());
            decoded += 1;
        }
    }
    assert_eq!(decoded, files.len());
    assert!(codec.decode_eof(&mut buf).expect("clean end").is_none());
}
