//! The golden vectors of the workspace's `tests/vectors` (or `$LINSTOR_VECTORS`), read
//! without the root test package, which depends on this crate.

#![allow(dead_code)]

use std::path::PathBuf;

/// The vectors folder; a missing folder fails the test, it never skips it.
pub fn vectors_dir() -> PathBuf {
    let dir = std::env::var_os("LINSTOR_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors"));
    assert!(
        dir.join("requests/index.json").is_file(),
        "golden vectors not found at {}",
        dir.display()
    );
    dir
}

/// `requests/index.json` or `server/index.json`.
pub fn load_index(sub: &str) -> serde_json::Value {
    let path = vectors_dir().join(sub).join("index.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One `*.hex` frame file as bytes.
pub fn load_hex(sub: &str, file: &str) -> Vec<u8> {
    let path = vectors_dir().join(sub).join(file);
    let text = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    linstor_wire::input::parse_hex(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
