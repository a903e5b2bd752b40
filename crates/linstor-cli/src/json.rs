//! `-m` output: answer messages as JSON with their protobuf field names, as linstor-client
//! 0.7.3 printed them (`protobuf_to_dict`: only fields that are set, 64-bit integers as
//! numbers, enums as numbers).

use std::sync::OnceLock;

use anyhow::{Context, Result};
use linstor_client::{Answer, Answers};
use linstor_proto::Body;
use prost_reflect::{DescriptorPool, DynamicMessage, SerializeOptions};
use serde_json::Value;

/// The descriptor pool of the protocol's `.proto` files.
pub fn pool() -> Result<&'static DescriptorPool> {
    static POOL: OnceLock<Result<DescriptorPool, String>> = OnceLock::new();
    POOL.get_or_init(|| {
        DescriptorPool::decode(linstor_proto::FILE_DESCRIPTOR_SET).map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| anyhow::anyhow!("the protocol descriptors do not decode: {e}"))
}

/// One message as JSON.
pub fn body_json(body: &Body) -> Result<Value> {
    let name = body.kind().full_name();
    let descriptor = pool()?
        .get_message_by_name(name)
        .with_context(|| format!("no descriptor for {name}"))?;
    let mut bytes = Vec::with_capacity(body.encoded_len());
    body.encode_raw(&mut bytes);
    let message = DynamicMessage::decode(descriptor, bytes.as_slice())
        .with_context(|| format!("re-decoding {name}"))?;
    let options = SerializeOptions::new()
        .use_proto_field_name(true)
        .skip_default_fields(true)
        .stringify_64_bit_integers(false)
        .use_enum_numbers(true);
    message
        .serialize_with_options(serde_json::value::Serializer, &options)
        .with_context(|| format!("serialising {name}"))
}

/// Every answer as one JSON value.
pub fn answer_json(answer: &Answer) -> Result<Value> {
    match answer {
        Answer::Reply(r) => body_json(&Body::MsgApiCallResponse(r.0.clone())),
        Answer::Message(b) => body_json(b),
    }
}

/// The answers of one command as one JSON array.
pub fn answers_json<'a>(answers: impl IntoIterator<Item = &'a Answer>) -> Result<Value> {
    answers
        .into_iter()
        .map(answer_json)
        .collect::<Result<Vec<_>>>()
        .map(Value::Array)
}

/// Prints the answers as one pretty JSON array.
pub fn print_answers(answers: &Answers) -> Result<()> {
    print_value(&answers_json(&answers.0)?)
}

/// Prints a JSON value (indented by 2, as 0.7.3).
pub fn print_value(value: &Value) -> Result<()> {
    say!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}
