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

/// Runs `check` on every input of fuzz target `target` (there must be at least `min`
/// of them, so the committed seeds cannot go missing unnoticed); the sum of what it
/// returned.
fn replay(target: &str, min: usize, mut check: impl FnMut(&[u8]) -> usize) -> usize {
    let files = inputs(target);
    assert!(
        files.len() >= min,
        "the committed seeds are missing ({} inputs)",
        files.len()
    );
    files
        .iter()
        .map(|file| {
            let data = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            check(&data)
        })
        .sum()
}

#[test]
fn replay_decode_frame_inputs() {
    let frames = replay(
        "decode_frame",
        123,
        linstor_codec::fuzzing::frames_round_trip,
    );
    assert!(frames >= 123);
}

#[test]
fn replay_decode_envelope_inputs() {
    replay("decode_envelope", 123, |data| {
        linstor_codec::fuzzing::envelope_round_trip(data);
        0
    });
}

#[test]
fn replay_model_calls_inputs() {
    let calls = replay("model_calls", 8, linstor_tests::model_gen::model_calls);
    // The seeds are sequences of about 60 calls each.
    assert!(calls >= 8 * 40, "only {calls} calls replayed");
}

#[test]
fn replay_mock_connection_inputs() {
    replay("mock_connection", 17, |data| {
        linstor_tests::connection_fuzz::mock_connection(data);
        0
    });
}

#[test]
fn replay_decode_wire_inputs() {
    let frames = replay("decode_wire", 120, linstor_wire::fuzzing::decode_any);
    // The 117 request frames, the server frames, and the frames inside the pcap, hex and
    // recording seeds.
    assert!(frames >= 130, "only {frames} frames decoded");
}
