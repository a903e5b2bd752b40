//! `seeds` writes the project's formats: from a recording of the 117 request vectors it
//! gives back the committed fuzz seeds byte for byte and an `index.json` whose entries
//! match tests/vectors/requests; `stats` counts, sizes and latency percentiles per call.

mod common;

use std::path::Path;

use common::{load_index, vectors_dir};
use linstor_wire::input::{DecodeOptions, decode_input};
use linstor_wire::record::{Direction, Record, RecordKind};
use linstor_wire::stats::Stats;

fn vector_stream() -> Vec<u8> {
    let index = load_index("requests");
    let mut stream = Vec::new();
    for v in index["vectors"].as_array().expect("vectors") {
        stream.extend(common::load_hex(
            "requests",
            v["file"].as_str().expect("file"),
        ));
    }
    stream
}

#[test]
fn seeds_of_the_vector_session_are_the_committed_seeds_and_vectors() {
    let records = decode_input(&vector_stream(), &DecodeOptions::default()).expect("decodes");
    let out = std::env::temp_dir().join(format!("linstor-wire-seeds-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let written = linstor_wire::seeds::write_seeds(&records, &out).expect("seeds written");
    assert_eq!(written, 117);

    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds");
    let committed = |target: &str| -> Vec<Vec<u8>> {
        let mut files: Vec<_> = std::fs::read_dir(fuzz.join(target))
            .expect("committed seeds")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "bin"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| std::fs::read(p).expect("seed"))
            .collect()
    };
    let ours = |target: &str| -> Vec<Vec<u8>> {
        let mut files: Vec<_> = std::fs::read_dir(out.join(target))
            .expect("written seeds")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| std::fs::read(p).expect("seed"))
            .collect()
    };
    // The committed decode_frame/decode_envelope seeds are the vectors in capture order.
    assert_eq!(
        ours("decode_frame"),
        committed("decode_frame")[..117].to_vec()
    );
    assert_eq!(
        ours("decode_envelope"),
        committed("decode_envelope")[..117].to_vec()
    );
    assert_eq!(
        std::fs::read(out.join("mock_connection/session-1.bin")).expect("session"),
        std::fs::read(fuzz.join("mock_connection/all-requests.bin")).expect("committed")
    );

    // The vector files: the same hex, and index entries with the same values.
    let index: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("vectors/requests/index.json")).expect("index"),
    )
    .expect("JSON");
    let golden = load_index("requests");
    let (ours, theirs) = (
        index["vectors"].as_array().expect("vectors"),
        golden["vectors"].as_array().expect("vectors"),
    );
    assert_eq!(ours.len(), theirs.len());
    for (a, b) in ours.iter().zip(theirs) {
        let hex = |dir: &Path, v: &serde_json::Value| {
            std::fs::read_to_string(dir.join(v["file"].as_str().expect("file"))).expect("hex")
        };
        assert_eq!(
            hex(&out.join("vectors/requests"), a),
            hex(&vectors_dir().join("requests"), b)
        );
        for key in [
            "msg_content",
            "api_call_id",
            "frame_length",
            "payload_length",
        ] {
            assert_eq!(a[key], b[key], "{} {key}", b["file"]);
        }
        for part in ["header", "body"] {
            assert_eq!(a[part].is_null(), b[part].is_null(), "{} {part}", b["file"]);
            for key in ["type", "length", "hex", "fields", "wire_field_sequence"] {
                assert_eq!(a[part][key], b[part][key], "{} {part}.{key}", b["file"]);
            }
        }
    }
    std::fs::remove_dir_all(&out).ok();
}

fn frame_record(conn: u64, dir: Direction, time_us: u64, frame: &[u8]) -> Record {
    Record::frame(time_us, conn, dir, 0, frame)
}

#[test]
fn stats_count_sizes_and_latency_percentiles_per_call() {
    use linstor_codec::Outgoing;
    use linstor_proto::messages::MsgHeader;
    let request = |id| Outgoing::new(&MsgHeader::api_call(id, "LstNode"), &[]).to_bytes();
    let eoia = |id| Outgoing::new(&MsgHeader::answer(id, "EndOfImmediateAnswers"), &[]).to_bytes();
    let complete = |id| Outgoing::new(&MsgHeader::complete(id), &[]).to_bytes();
    // Ten LstNode calls taking 1..=10 ms, on two connections.
    let mut records = Vec::new();
    for id in 1..=10i64 {
        let conn = 1 + (id as u64 % 2);
        let t = id as u64 * 100_000;
        records.push(frame_record(conn, Direction::ToController, t, &request(id)));
        records.push(frame_record(conn, Direction::ToClient, t + 500, &eoia(id)));
        records.push(frame_record(
            conn,
            Direction::ToClient,
            t + id as u64 * 1000,
            &complete(id),
        ));
    }
    let mut tracker = linstor_wire::tracker::CallTracker::new();
    for r in &mut records {
        tracker.observe(r);
    }
    assert_eq!(tracker.open_calls(), 0);
    let stats = Stats::from_records(&records);
    let lst = &stats.calls["LstNode"];
    assert_eq!(lst.count, 10);
    assert_eq!(lst.request_bytes, 10 * request(1).len() as u64);
    assert_eq!(
        lst.answer_bytes,
        10 * (eoia(1).len() + complete(1).len()) as u64
    );
    assert_eq!(lst.percentile(50), Some(5_000));
    assert_eq!(lst.percentile(90), Some(9_000));
    assert_eq!(lst.percentile(99), Some(10_000));
    let table = stats.to_string();
    let row = table
        .lines()
        .find(|l| l.starts_with("LstNode"))
        .expect("row");
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        cells[..5],
        ["LstNode", "10", "300", "30", &lst.answer_bytes.to_string()]
    );
    assert!(
        row.contains("5.000 ms") && row.contains("9.000 ms") && row.contains("10.000 ms"),
        "{table}"
    );
    assert!(
        table.contains("frames: 10 to the controller, 20 to the client"),
        "{table}"
    );
    assert!(records.iter().all(|r| r.kind == RecordKind::Frame));
}
