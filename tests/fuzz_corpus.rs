//! Replays the fuzz seeds, any local corpus, and every saved crash or regression input
//! through the same checks the fuzz targets run, so a plain `cargo test` gates on them:
//! the codec round trips of `linstor_codec::fuzzing`, the model invariants of
//! `linstor_tests::model_gen::model_calls`, the connection rules of
//! `linstor_tests::connection_fuzz::mock_connection` and the inspector's decoder of
//! `linstor_wire::fuzzing::decode_any`.

use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for dir in ["seeds", "regressions", "corpus", "artifacts"] {
        if let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join(target)) {
            files.extend(
                entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .filter(|p| p.is_file()),
            );
        }
    }
    files.sort();
    files
}

#[test]
fn replay_decode_frame_inputs() {
    let files = inputs("decode_frame");
    assert!(
        files.len() >= 123,
        "the committed seeds are missing ({} inputs)",
        files.len()
    );
    let mut frames = 0;
    for file in files {
        let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        frames += linstor_codec::fuzzing::frames_round_trip(&data);
    }
    assert!(frames >= 123);
}

#[test]
fn replay_decode_envelope_inputs() {
    let files = inputs("decode_envelope");
    assert!(
        files.len() >= 123,
        "the committed seeds are missing ({} inputs)",
        files.len()
    );
    for file in files {
        let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        linstor_codec::fuzzing::envelope_round_trip(&data);
    }
}

#[test]
fn replay_model_calls_inputs() {
    let files = inputs("model_calls");
    assert!(
        files.len() >= 8,
        "the committed seeds are missing ({} inputs)",
        files.len()
    );
    let mut calls = 0;
    for file in &files {
        let data = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        calls += linstor_tests::model_gen::model_calls(&data);
    }
    // The seeds are sequences of about 60 calls each.
    assert!(calls >= 8 * 40, "only {calls} calls replayed");
}

#[test]
fn replay_mock_connection_inputs() {
    let files = inputs("mock_connection");
    assert!(
        files.len() >= 17,
        "the committed seeds are missing ({} inputs)",
        files.len()
    );
    for file in files {
        let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        linstor_tests::connection_fuzz::mock_connection(&data);
    }
}

#[test]
fn replay_decode_wire_inputs() {
    let files = inputs("decode_wire");
    assert!(
        files.len() >= 120,
        "the committed seeds are missing ({} inputs)",
        files.len()
    );
    let mut frames = 0;
    for file in files {
        let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        frames += linstor_wire::fuzzing::decode_any(&data);
    }
    // The 117 request frames, the server frames, and the frames inside the pcap, hex and
    // recording seeds.
    assert!(frames >= 130, "only {frames} frames decoded");
}
