//! Compiles `proto/*.proto` with protox (no `protoc` needed) and prost-build, and writes
//! `schema.rs`: for every message, its required field numbers and its message-typed fields,
//! which the codec uses to check proto2 `required` presence (prost does not).

use std::fmt::Write as _;
use std::path::PathBuf;

use prost_types::field_descriptor_proto::{Label, Type};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let proto_dir = manifest.join("../../proto");
    let files = [
        proto_dir.join("linstor.proto"),
        proto_dir.join("eventdata.proto"),
    ];
    println!("cargo:rerun-if-changed={}", proto_dir.display());
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    let out = PathBuf::from(std::env::var("OUT_DIR")?);

    let fds = protox::compile(&files, [&proto_dir])?;
    std::fs::write(
        out.join("descriptor.bin"),
        prost::Message::encode_to_vec(&fds),
    )?;

    // Nested message types refer to their schema directly (`&SCHEMA[i]`), so the check
    // never searches the table by name while it walks a message.
    let mut names = Vec::new();
    for file in &fds.file {
        for msg in &file.message_type {
            names.push(format!("{}.{}", file.package(), msg.name()));
        }
    }
    let mut schema = format!(
        "/// Required fields and message-typed fields of every message.\n\
         pub static SCHEMA: [MessageSchema; {}] = [\n",
        names.len()
    );
    let messages = fds.file.iter().flat_map(|f| &f.message_type);
    for (name, msg) in names.iter().zip(messages) {
        let mut required = Vec::new();
        let mut nested = Vec::new();
        for field in &msg.field {
            if field.label() == Label::Required {
                writeln_field(&mut required, field.number(), field.name());
            }
            if field.r#type() == Type::Message {
                let type_name = field.type_name().trim_start_matches('.');
                // Types outside the table (none today) are not walked.
                if let Some(i) = names.iter().position(|n| n == type_name) {
                    nested.push(format!("({}, &SCHEMA[{i}])", field.number()));
                }
            }
        }
        writeln!(
            schema,
            "    MessageSchema {{ name: {:?}, required: &[{}], nested: &[{}] }},",
            name,
            required.join(", "),
            nested.join(", ")
        )?;
    }
    schema.push_str("];\n");
    std::fs::write(out.join("schema.rs"), schema)?;

    prost_build::Config::new()
        .enable_type_names()
        .compile_fds(fds)?;
    Ok(())
}

fn writeln_field(list: &mut Vec<String>, number: i32, name: &str) {
    list.push(format!("({number}, {name:?})"));
}
