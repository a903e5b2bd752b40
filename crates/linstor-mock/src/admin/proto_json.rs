//! Protobuf messages as JSON for the journal: reflection over the descriptor set of
//! `proto/` (protobuf JSON mapping, proto field names, only fields that are set), when an
//! entry is read. A body larger than [`MAX_BODY_JSON`] bytes on the wire is summarised
//! instead of rendered, so one entry stays small.

use std::sync::OnceLock;

#[cfg(test)]
use linstor_proto::Body;
use linstor_proto::MessageKind;
use prost_reflect::{DescriptorPool, DynamicMessage, SerializeOptions};
use serde_json::{Value, json};

/// Encoded bodies above this size are summarised (`{"omitted_bytes": n}`).
pub(crate) const MAX_BODY_JSON: usize = 64 * 1024;

fn pool() -> Option<&'static DescriptorPool> {
    static POOL: OnceLock<Option<DescriptorPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        DescriptorPool::decode(linstor_proto::FILE_DESCRIPTOR_SET)
            .inspect_err(|e| tracing::error!("descriptor set of proto/ does not decode: {e}"))
            .ok()
    })
    .as_ref()
}

/// `bytes` (one message without delimiter) of `kind` as JSON; what went wrong as
/// `{"undecodable": "..."}`.
pub(crate) fn message_json(kind: MessageKind, bytes: &[u8]) -> Value {
    if bytes.len() > MAX_BODY_JSON {
        return json!({ "message": kind.name(), "omitted_bytes": bytes.len() });
    }
    let Some(descriptor) = pool().and_then(|p| p.get_message_by_name(kind.full_name())) else {
        return json!({ "undecodable": format!("no descriptor for {}", kind.full_name()) });
    };
    let message = match DynamicMessage::decode(descriptor, bytes) {
        Ok(m) => m,
        Err(e) => return json!({ "undecodable": e.to_string() }),
    };
    let options = SerializeOptions::new()
        .use_proto_field_name(true)
        .skip_default_fields(true);
    message
        .serialize_with_options(serde_json::value::Serializer, &options)
        .unwrap_or_else(|e| json!({ "undecodable": e.to_string() }))
}

/// A decoded body as JSON.
#[cfg(test)]
pub(crate) fn body_json(body: &Body) -> Value {
    let len = body.encoded_len();
    if len > MAX_BODY_JSON {
        return json!({ "message": body.kind().name(), "omitted_bytes": len });
    }
    let mut bytes = Vec::with_capacity(len);
    body.encode_raw(&mut bytes);
    message_json(body.kind(), &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use linstor_proto::messages::MsgCrtNode;

    #[test]
    fn renders_set_fields_with_proto_names() {
        let body = Body::from(MsgCrtNode {
            node: linstor_proto::messages::Node {
                name: "alpha".into(),
                r#type: "Satellite".into(),
                ..Default::default()
            },
        });
        let v = body_json(&body);
        assert_eq!(v["node"]["name"], "alpha");
        assert_eq!(v["node"]["type"], "Satellite");
    }

    #[test]
    fn bad_bytes_say_so() {
        let v = message_json(MessageKind::MsgCrtNode, &[0xff, 0xff]);
        assert!(v["undecodable"].is_string(), "{v}");
    }
}
