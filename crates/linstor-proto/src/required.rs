//! proto2 `required` field checks on raw message bytes.
//!
//! prost decodes a message whose required fields are absent into default values, so
//! presence must be checked on the wire. [`check_required`] walks the encoded bytes of a
//! message (and of its nested messages) with the schema generated from `proto/` and reports
//! the first required field that is missing.

use prost::decode_length_delimiter;
use prost::encoding::{DecodeContext, WireType, decode_key, skip_field};

/// Required and message-typed fields of one message type.
pub struct MessageSchema {
    /// Full protobuf name, e.g. `com.linbit.linstor.proto.MsgCrtNode`.
    pub name: &'static str,
    /// `(field number, field name)` of every `required` field.
    pub required: &'static [(u32, &'static str)],
    /// `(field number, schema of its type)` of every message-typed field.
    pub nested: &'static [(u32, &'static MessageSchema)],
}

impl std::fmt::Debug for MessageSchema {
    // Nested schemas by name: a message type may contain itself.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let nested: Vec<(u32, &str)> = self.nested.iter().map(|(n, s)| (*n, s.name)).collect();
        f.debug_struct("MessageSchema")
            .field("name", &self.name)
            .field("required", &self.required)
            .field("nested", &nested)
            .finish()
    }
}

include!(concat!(env!("OUT_DIR"), "/schema.rs"));

/// Deepest nesting the check follows; the deepest real message nests four levels.
const MAX_DEPTH: usize = 32;

/// A proto2 `required` field that is absent, or bytes the check could not walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingField {
    /// Full name of the message type that lacks the field.
    pub message: &'static str,
    /// Name of the missing field, or a description of the malformed bytes.
    pub field: &'static str,
    /// Its field number (0 when the bytes themselves are malformed).
    pub number: u32,
}

impl std::fmt::Display for MissingField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.number == 0 {
            write!(f, "message {} is malformed: {}", self.message, self.field)
        } else {
            write!(
                f,
                "message {} is missing required field {} (number {})",
                self.message, self.field, self.number
            )
        }
    }
}

impl std::error::Error for MissingField {}

/// The schema of a message by its full protobuf name.
pub fn schema(full_name: &str) -> Option<&'static MessageSchema> {
    SCHEMA.iter().find(|s| s.name == full_name)
}

/// The schema of a message by package and short name (as in `prost::Name`), without
/// building the full name.
pub fn schema_of(package: &str, name: &str) -> Option<&'static MessageSchema> {
    SCHEMA.iter().find(|s| {
        s.name.len() == package.len() + 1 + name.len()
            && s.name.starts_with(package)
            && s.name.ends_with(name)
            && s.name.as_bytes()[package.len()] == b'.'
    })
}

/// Checks `bytes` against an already looked-up schema; see [`check_required`].
///
/// # Errors
///
/// As [`check_required`].
pub fn check_required_with(
    schema: &'static MessageSchema,
    bytes: &[u8],
) -> Result<(), MissingField> {
    check(schema, bytes, 0)
}

/// Checks that every required field of `full_name` (and of every nested message present in
/// `bytes`) is on the wire. Unknown message names pass (nothing is known to be required).
///
/// # Errors
///
/// The first missing field, in field-number order, depth first; or a malformed-bytes
/// report (number 0) when the bytes do not parse as protobuf wire format.
pub fn check_required(full_name: &str, bytes: &[u8]) -> Result<(), MissingField> {
    match schema(full_name) {
        Some(schema) => check(schema, bytes, 0),
        None => Ok(()),
    }
}

fn check(
    schema: &'static MessageSchema,
    mut bytes: &[u8],
    depth: usize,
) -> Result<(), MissingField> {
    let malformed = |what: &'static str| MissingField {
        message: schema.name,
        field: what,
        number: 0,
    };
    if depth > MAX_DEPTH {
        return Err(malformed("nested too deeply"));
    }
    // Required fields are few (at most 6 per message): a bit set over their index suffices.
    let mut seen: u64 = 0;
    while !bytes.is_empty() {
        let (number, wire_type) =
            decode_key(&mut bytes).map_err(|_| malformed("invalid field key"))?;
        if let Some(i) = schema.required.iter().position(|(n, _)| *n == number) {
            seen |= 1 << i;
        }
        match wire_type {
            WireType::LengthDelimited => {
                let len = decode_length_delimiter(&mut bytes)
                    .map_err(|_| malformed("truncated length"))?;
                if len > bytes.len() {
                    return Err(malformed("length beyond the end of the message"));
                }
                let (field, rest) = bytes.split_at(len);
                if let Some((_, nested)) = schema.nested.iter().find(|(n, _)| *n == number) {
                    check(nested, field, depth + 1)?;
                }
                bytes = rest;
            }
            WireType::StartGroup | WireType::EndGroup => {
                return Err(malformed("unsupported wire type"));
            }
            WireType::Varint | WireType::SixtyFourBit | WireType::ThirtyTwoBit => {
                skip_field(wire_type, number, &mut bytes, DecodeContext::default())
                    .map_err(|_| malformed("truncated field value"))?;
            }
        }
    }
    for (i, (number, field)) in schema.required.iter().enumerate() {
        if seen & (1 << i) == 0 {
            return Err(MissingField {
                message: schema.name,
                field,
                number: *number,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_lists_every_message() {
        assert_eq!(SCHEMA.len(), 97);
        let crt_node = schema("com.linbit.linstor.proto.Node").unwrap();
        assert_eq!(crt_node.required, &[(2, "name"), (3, "type")]);
    }

    #[test]
    fn reports_missing_nested_required_field() {
        // MsgCrtNode { node: Node { name: "a" } } lacks Node.type.
        let bytes = [0x0a, 0x03, 0x12, 0x01, b'a'];
        let err = check_required("com.linbit.linstor.proto.MsgCrtNode", &bytes).unwrap_err();
        assert_eq!(err.message, "com.linbit.linstor.proto.Node");
        assert_eq!((err.field, err.number), ("type", 3));
        assert!(err.to_string().contains("type (number 3)"));
    }

    #[test]
    fn empty_message_lacks_its_required_field() {
        let err = check_required("com.linbit.linstor.proto.MsgCrtNode", &[]).unwrap_err();
        assert_eq!((err.field, err.number), ("node", 1));
        assert!(check_required("com.linbit.linstor.proto.Filter", &[]).is_ok());
    }

    #[test]
    fn malformed_bytes_are_reported_not_panicked() {
        for bytes in [
            &[0x0a, 0x05, 0x00][..],
            &[0xff; 11][..],
            &[0x0b][..],
            &[0x08][..],
            // Field number 0, a group, a lone end-group, a truncated fixed64 and fixed32.
            &[0x00, 0x00][..],
            &[0x0b, 0x0c][..],
            &[0x0c][..],
            &[0x79, 1, 2, 3][..],
            &[0x7d, 1, 2, 3][..],
        ] {
            let err = check_required("com.linbit.linstor.proto.MsgCrtNode", bytes).unwrap_err();
            assert_eq!(err.number, 0, "{err}");
        }
    }

    #[test]
    fn unknown_scalar_fields_are_skipped() {
        // Filter has no required field: an unknown fixed64 (15), fixed32 (14), a 10-byte
        // varint (13) and a string (12) all pass.
        let mut bytes = vec![0x79, 1, 2, 3, 4, 5, 6, 7, 8, 0x75, 1, 2, 3, 4, 0x68];
        bytes.extend([0xff; 9]);
        bytes.extend([0x01, 0x62, 0x01, b'x']);
        assert_eq!(
            check_required("com.linbit.linstor.proto.Filter", &bytes),
            Ok(())
        );
        // The same behind MsgCrtNode's node: Node still lacks its type.
        let mut node = vec![0x12, 0x01, b'a'];
        node.extend(&bytes);
        let mut msg = vec![0x0a, u8::try_from(node.len()).unwrap()];
        msg.extend(node);
        let err = check_required("com.linbit.linstor.proto.MsgCrtNode", &msg).unwrap_err();
        assert_eq!((err.field, err.number), ("type", 3));
    }
}
