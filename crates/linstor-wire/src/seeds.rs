//! `seeds`: the recorded client frames in the project's formats: fuzz seeds for
//! `decode_frame` (whole frames), `decode_envelope` (payloads), `mock_connection` (each
//! connection's client bytes) and `decode_wire`, and golden-vector files (`*.hex` and an
//! `index.json` in the form of tests/vectors/requests).

use std::path::Path;

use linstor_codec::{Envelope, HEADER_LEN};
use prost::encoding::{WireType, decode_key, decode_varint};
use prost_reflect::Kind;
use serde_json::{Value, json};

use crate::WireError;
use crate::record::{Direction, Record, RecordKind};
use crate::view::{fields_json, pool, to_hex};

/// The field numbers of an encoded message in wire order, nested messages as `N{...}`
/// (the vectors' `wire_field_sequence`).
///
/// # Errors
///
/// Bytes that are not valid wire format, as text.
pub fn wire_field_sequence(full_name: &str, bytes: &[u8]) -> Result<String, String> {
    let descriptor = pool().get_message_by_name(full_name);
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let (number, wire_type) = decode_key(&mut rest).map_err(|e| e.to_string())?;
        match wire_type {
            WireType::Varint => {
                decode_varint(&mut rest).map_err(|e| e.to_string())?;
                out.push(number.to_string());
            }
            WireType::SixtyFourBit | WireType::ThirtyTwoBit => {
                let n = if wire_type == WireType::SixtyFourBit {
                    8
                } else {
                    4
                };
                rest = rest.get(n..).ok_or("truncated fixed-width field")?;
                out.push(number.to_string());
            }
            WireType::LengthDelimited => {
                let len = prost::decode_length_delimiter(&mut rest).map_err(|e| e.to_string())?;
                if len > rest.len() {
                    return Err("length runs past the message".into());
                }
                let (field, tail) = rest.split_at(len);
                rest = tail;
                let nested = descriptor
                    .as_ref()
                    .and_then(|d| d.get_field(number))
                    .and_then(|f| match f.kind() {
                        Kind::Message(m) => Some(m),
                        _ => None,
                    });
                match nested {
                    Some(m) => out.push(format!(
                        "{number}{{{}}}",
                        wire_field_sequence(m.full_name(), field)?
                    )),
                    None => out.push(number.to_string()),
                }
            }
            other => return Err(format!("unexpected wire type {other:?}")),
        }
    }
    Ok(out.join(","))
}

fn described(full_name: &str, bytes: &[u8]) -> Value {
    json!({
        "type": full_name,
        "length": bytes.len(),
        "hex": to_hex(bytes),
        "fields": fields_json(full_name, bytes).unwrap_or(Value::Null),
        "wire_field_sequence": wire_field_sequence(full_name, bytes).unwrap_or_default(),
    })
}

fn write(path: &Path, data: &[u8]) -> Result<(), WireError> {
    std::fs::write(path, data).map_err(|e| WireError::io(path.display().to_string(), e))
}

fn mkdir(path: &Path) -> Result<(), WireError> {
    std::fs::create_dir_all(path).map_err(|e| WireError::io(path.display().to_string(), e))
}

/// A file-name-safe form of a content name.
fn safe(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    if s.is_empty() { "frame".into() } else { s }
}

/// Writes the client frames of `records` under `dir`: `decode_frame/`, `decode_envelope/`,
/// `decode_wire/`, `mock_connection/` and `vectors/requests/` (`NNN-<call>.hex` and
/// `index.json`). Returns the number of frames.
///
/// # Errors
///
/// [`WireError::Io`], or a record whose raw bytes are not base64.
pub fn write_seeds(records: &[Record], dir: &Path) -> Result<usize, WireError> {
    let sub = |name: &str| dir.join(name);
    for name in [
        "decode_frame",
        "decode_envelope",
        "decode_wire",
        "mock_connection",
        "vectors/requests",
    ] {
        mkdir(&sub(name))?;
    }
    let mut vectors = Vec::new();
    let mut per_conn: std::collections::BTreeMap<u64, Vec<u8>> = Default::default();
    let mut count = 0;
    for (i, r) in records.iter().enumerate() {
        let to_controller = match r.dir {
            Direction::ToController => true,
            Direction::Unknown => crate::input::infer_direction(r) == Direction::ToController,
            Direction::ToClient => false,
        };
        if r.kind != RecordKind::Frame || !to_controller {
            continue;
        }
        let bytes = r.raw_bytes(i + 1)?;
        per_conn
            .entry(r.conn)
            .or_default()
            .extend_from_slice(&bytes);
        count += 1;
        let frame = r.frame.as_ref();
        let content = frame.and_then(|f| f.content.as_deref()).unwrap_or("frame");
        let stem = format!("{count:03}-{}", safe(content));
        write(&sub("decode_frame").join(format!("{stem}.bin")), &bytes)?;
        write(&sub("decode_wire").join(format!("{stem}.bin")), &bytes)?;
        let payload = bytes.get(HEADER_LEN..).unwrap_or_default();
        write(&sub("decode_envelope").join(format!("{stem}.bin")), payload)?;
        let file = format!("{stem}.hex");
        write(
            &sub("vectors/requests").join(&file),
            format!("{}\n", to_hex(&bytes)).as_bytes(),
        )?;
        let mut entry = json!({
            "file": file,
            "msg_content": frame.and_then(|f| f.content.clone()),
            "api_call_id": frame.and_then(|f| f.api_call_id),
            "frame_length": bytes.len(),
            "payload_length": payload.len(),
            "header": Value::Null,
            "body": Value::Null,
        });
        if let Ok(envelope) = Envelope::decode(bytes::Bytes::copy_from_slice(payload)) {
            let mut messages = linstor_codec::Messages::new(payload);
            if let Some(Ok(header)) = messages.next() {
                entry["header"] = described("com.linbit.linstor.proto.MsgHeader", header);
            }
            if let (Ok(Some(kind)), Some(body)) = (envelope.body_kind(0), envelope.body_bytes(0)) {
                entry["body"] = described(kind.full_name(), &body);
            }
        }
        vectors.push(entry);
    }
    for (conn, bytes) in per_conn {
        write(
            &sub("mock_connection").join(format!("session-{conn}.bin")),
            &bytes,
        )?;
    }
    let index = json!({
        "description": "Request frames written by `linstor-wire seeds` from a recording; one whole frame per file as lowercase hex. The fields follow tests/vectors/README.md (without method, args and present_with_default_value, which a recording does not know).",
        "vectors": vectors,
    });
    let text = serde_json::to_string_pretty(&index).unwrap_or_default();
    write(
        &sub("vectors/requests/index.json"),
        format!("{text}\n").as_bytes(),
    )?;
    Ok(count)
}
