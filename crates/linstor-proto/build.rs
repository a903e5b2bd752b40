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

    let mut schema = String::from(
        "/// Required fields and message-typed fields of every message, by full name.\n\
         pub static SCHEMA: &[MessageSchema] = &[\n",
    );
    for file in &fds.file {
        let package = file.package();
        for msg in &file.message_type {
            let mut required = Vec::new();
            let mut nested = Vec::new();
            for field in &msg.field {
                if field.label() == Label::Required {
                    writeln_field(&mut required, field.number(), field.name());
                }
                if field.r#type() == Type::Message {
                    let type_name = field.type_name().trim_start_matches('.').to_string();
                    nested.push(format!("({}, {:?})", field.number(), type_name));
                }
            }
            writeln!(
                schema,
                "    MessageSchema {{ name: {:?}, required: &[{}], nested: &[{}] }},",
                format!("{package}.{}", msg.name()),
                required.join(", "),
                nested.join(", ")
            )?;
        }
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
