//! Test support shared by the cross-crate tests and benches: loading the golden vectors of
//! `../shared/vectors`, and rendering messages the way the vectors' `index.json` does
//! (protobuf JSON mapping with proto field names, and the wire field sequence).
//!
//! The vectors folder is `$LINSTOR_VECTORS` or `../shared/vectors` beside this repository;
//! a missing folder is a test failure, never a skip.

#![warn(missing_docs)]

use std::path::PathBuf;
use std::sync::OnceLock;

use prost_reflect::{DescriptorPool, DynamicMessage, Kind, MessageDescriptor, SerializeOptions};

/// The golden vectors folder.
///
/// # Panics
///
/// When the folder does not exist: the golden tests must not pass without their data.
pub fn vectors_dir() -> PathBuf {
    let dir = std::env::var_os("LINSTOR_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors"));
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
        let key = read_varint(&mut rest);
        let number = u32::try_from(key >> 3).expect("field number fits u32");
        match key & 7 {
            0 => {
                read_varint(&mut rest);
                out.push(number.to_string());
            }
            2 => {
                let len = usize::try_from(read_varint(&mut rest)).expect("length fits usize");
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
            wire_type => panic!("unexpected wire type {wire_type} in {full_name}"),
        }
    }
    out.join(",")
}

fn read_varint(bytes: &mut &[u8]) -> u64 {
    let mut value = 0u64;
    for i in 0..10 {
        let b = bytes[i];
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            *bytes = &bytes[i + 1..];
            return value;
        }
    }
    panic!("varint longer than 10 bytes")
}
