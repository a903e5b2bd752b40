//! `decode` on the golden vectors (as hex files, as one raw stream, and inside pcap and
//! pcapng captures the test writes) and on bad input: garbage, oversize lengths,
//! truncated captures, each reported with its offset.

use std::time::Duration;

use etherparse::PacketBuilder;
mod common;
use common::{load_hex, load_index};
use linstor_wire::WireError;
use linstor_wire::input::{DecodeOptions, decode_input};
use linstor_wire::record::{Direction, Record, RecordKind};
use pcap_file::DataLink;
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use serde_json::Value;

fn request_vectors() -> Vectors {
    let index = load_index("requests");
    let vectors = index["vectors"].as_array().expect("vectors").clone();
    assert_eq!(vectors.len(), 117);
    vectors
        .into_iter()
        .map(|v| {
            let bytes = load_hex("requests", v["file"].as_str().expect("file"));
            (v, bytes)
        })
        .collect()
}

fn server_vectors() -> Vectors {
    let index = load_index("server");
    let frames = index["frames"].as_array().expect("frames").clone();
    assert_eq!(frames.len(), 6);
    frames
        .into_iter()
        .map(|v| {
            let bytes = load_hex("server", v["file"].as_str().expect("file"));
            (v, bytes)
        })
        .collect()
}

fn frames(records: &[Record]) -> Vec<&Record> {
    records
        .iter()
        .filter(|r| r.kind == RecordKind::Frame)
        .collect()
}

/// The JSON of a decoded request frame equals the vector's index entry.
fn check_request(v: &Value, record: &Record) {
    let file = v["file"].as_str().expect("file");
    let json: Value = serde_json::from_str(&record.to_json_line()).expect("JSON line");
    let frame = &json["frame"];
    assert_eq!(frame["frame_type"], "DATA", "{file}");
    assert_eq!(frame["length"], v["payload_length"], "{file}");
    assert_eq!(frame["msg_type"], "API_CALL", "{file}");
    assert_eq!(frame["api_call_id"], v["api_call_id"], "{file}");
    assert_eq!(frame["content"], v["msg_content"], "{file}");
    assert_eq!(json["dir"], "to_controller", "{file}");
    assert!(frame.get("error").is_none(), "{file}: {frame}");
    let messages = frame.get("messages").and_then(Value::as_array);
    match &v["body"] {
        Value::Null => assert!(
            messages.is_none(),
            "{file}: header-only request has messages"
        ),
        body => {
            let messages = messages.expect("messages");
            assert_eq!(messages.len(), 1, "{file}");
            assert_eq!(messages[0]["type"], body["type"], "{file}");
            assert_eq!(messages[0]["length"], body["length"], "{file}");
            assert_eq!(messages[0]["fields"], body["fields"], "{file}");
        }
    }
}

#[test]
fn every_request_vector_decodes_to_its_index_entry() {
    for (v, bytes) in request_vectors() {
        let hex = linstor_wire::view::to_hex(&bytes);
        let records = decode_input(hex.as_bytes(), &DecodeOptions::default()).expect("decodes");
        assert_eq!(records.len(), 1, "{}", v["file"]);
        check_request(&v, &records[0]);
    }
}

#[test]
fn every_server_vector_decodes_to_its_index_entry() {
    for (v, bytes) in server_vectors() {
        let file = v["file"].as_str().expect("file");
        let records = decode_input(&bytes, &DecodeOptions::default()).expect("decodes");
        assert_eq!(records.len(), 1, "{file}");
        let frame = records[0].frame.as_ref().expect("frame");
        assert_eq!(frame.msg_type.as_deref(), v["msg_type"].as_str(), "{file}");
        assert_eq!(frame.api_call_id, v["api_call_id"].as_i64(), "{file}");
        assert_eq!(
            frame.content.as_deref(),
            v["msg_content"].as_str(),
            "{file}"
        );
        assert_eq!(records[0].dir, Direction::ToClient, "{file}");
        let decoded = v["decoded"].as_array().expect("decoded");
        // decoded[0] is the MsgHeader; the rest are the body messages.
        assert_eq!(frame.messages.len(), decoded.len() - 1, "{file}");
        for (m, d) in frame.messages.iter().zip(&decoded[1..]) {
            assert_eq!(m.type_name.as_deref(), d["type"].as_str(), "{file}");
            assert_eq!(m.fields.as_ref(), Some(&d["fields"]), "{file}");
        }
    }
}

#[test]
fn all_vectors_as_one_raw_stream_keep_their_offsets() {
    let vectors = request_vectors();
    let mut stream = Vec::new();
    let mut offsets = Vec::new();
    for (_, bytes) in &vectors {
        offsets.push(stream.len() as u64);
        stream.extend_from_slice(bytes);
    }
    let records = decode_input(&stream, &DecodeOptions::default()).expect("decodes");
    assert_eq!(records.len(), 117);
    for ((v, _), (r, offset)) in vectors.iter().zip(records.iter().zip(offsets)) {
        assert_eq!(r.offset, offset);
        check_request(v, r);
    }
}

const CLIENT: ([u8; 4], u16) = ([10, 0, 0, 1], 40_000);
const CONTROLLER: ([u8; 4], u16) = ([10, 0, 0, 2], 3376);

/// One Ethernet/IPv4/TCP packet.
fn packet(from_client: bool, seq: u32, syn: bool, payload: &[u8]) -> Vec<u8> {
    let ((src, sport), (dst, dport)) = if from_client {
        (CLIENT, CONTROLLER)
    } else {
        (CONTROLLER, CLIENT)
    };
    let mut tcp = PacketBuilder::ethernet2([1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1])
        .ipv4(src, dst, 64)
        .tcp(sport, dport, seq, 65_535);
    if syn {
        tcp = tcp.syn();
    }
    let mut out = Vec::new();
    tcp.write(&mut out, payload).expect("packet builds");
    out
}

/// A capture of one connection: the handshake, the greeting, then every request vector,
/// sent in 50-byte segments, with one retransmission and one pair out of order.
/// Packets with their capture time.
type Packets = Vec<(Duration, Vec<u8>)>;
/// Index entries with their frame bytes.
type Vectors = Vec<(Value, Vec<u8>)>;

fn capture_packets() -> (Packets, Vectors) {
    let requests = request_vectors();
    let greeting = load_hex("server", "version.hex");
    let mut packets = Vec::new();
    let mut t = Duration::from_secs(1_700_000_000);
    let mut tick = |packets: &mut Packets, p: Vec<u8>| {
        t += Duration::from_micros(100);
        packets.push((t, p));
    };
    let (client_isn, server_isn) = (1_000u32, 4_000_000_000u32); // the server's wraps
    tick(&mut packets, packet(true, client_isn, true, &[]));
    tick(&mut packets, packet(false, server_isn, true, &[]));
    tick(
        &mut packets,
        packet(false, server_isn.wrapping_add(1), false, &greeting),
    );
    let stream: Vec<u8> = requests.iter().flat_map(|(_, b)| b.clone()).collect();
    let segments: Vec<(u32, &[u8])> = stream
        .chunks(50)
        .enumerate()
        .map(|(i, c)| (client_isn + 1 + 50 * i as u32, c))
        .collect();
    let mut i = 0;
    while i < segments.len() {
        let (seq, data) = segments[i];
        if i == 10 && i + 1 < segments.len() {
            // Out of order: 11 before 10.
            let (seq2, data2) = segments[i + 1];
            tick(&mut packets, packet(true, seq2, false, data2));
            tick(&mut packets, packet(true, seq, false, data));
            i += 2;
            continue;
        }
        tick(&mut packets, packet(true, seq, false, data));
        if i == 20 {
            tick(&mut packets, packet(true, seq, false, data)); // retransmission
        }
        i += 1;
    }
    (packets, requests)
}

fn write_pcap(packets: &[(Duration, Vec<u8>)]) -> Vec<u8> {
    let header = PcapHeader {
        datalink: DataLink::ETHERNET,
        ..PcapHeader::default()
    };
    let mut writer = PcapWriter::with_header(Vec::new(), header).expect("pcap header");
    for (t, p) in packets {
        writer
            .write_packet(&PcapPacket::new(*t, p.len() as u32, p))
            .expect("packet written");
    }
    writer.into_writer()
}

fn check_capture(records: &[Record], requests: &[(Value, Vec<u8>)]) {
    assert!(
        records.iter().all(|r| r.kind == RecordKind::Frame),
        "{:?}",
        records.iter().find(|r| r.kind != RecordKind::Frame)
    );
    assert_eq!(records.len(), 118);
    let greeting = &records[0];
    assert_eq!(greeting.dir, Direction::ToClient);
    assert_eq!(
        greeting.frame.as_ref().and_then(|f| f.content.as_deref()),
        Some("Version")
    );
    assert_eq!(greeting.time_us, 1_700_000_000_000_300);
    for ((v, _), r) in requests.iter().zip(&records[1..]) {
        assert_eq!(r.conn, 1);
        check_request(v, r);
    }
}

#[test]
fn a_pcap_of_the_vectors_is_reassembled_and_decoded() {
    let (packets, requests) = capture_packets();
    let pcap = write_pcap(&packets);
    let records = decode_input(&pcap, &DecodeOptions::default()).expect("decodes");
    check_capture(&records, &requests);

    // On another port nothing is decoded unless it is named.
    let other = DecodeOptions {
        ports: vec![9999],
        ..DecodeOptions::default()
    };
    assert!(decode_input(&pcap, &other).expect("decodes").is_empty());
}

#[test]
fn a_pcapng_of_the_vectors_is_reassembled_and_decoded() {
    use pcap_file::pcapng::PcapNgWriter;
    use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
    use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionBlock;
    let (packets, requests) = capture_packets();
    let mut writer = PcapNgWriter::new(Vec::new()).expect("section");
    writer
        .write_pcapng_block(InterfaceDescriptionBlock::new(DataLink::ETHERNET, 65_535))
        .expect("interface");
    for (t, p) in &packets {
        let block = EnhancedPacketBlock {
            interface_id: 0,
            timestamp: *t,
            original_len: p.len() as u32,
            data: p.as_slice().into(),
            options: Vec::new(),
        };
        writer.write_pcapng_block(block).expect("packet");
    }
    let records = decode_input(&writer.into_inner(), &DecodeOptions::default()).expect("decodes");
    check_capture(&records, &requests);
}

#[test]
fn a_truncated_pcap_keeps_the_frames_before_and_names_the_offset() {
    let (packets, _) = capture_packets();
    let pcap = write_pcap(&packets);
    // Cut in the middle of the last packet record.
    let cut = pcap.len() - 10;
    let records = decode_input(&pcap[..cut], &DecodeOptions::default()).expect("decodes");
    let last = records.last().expect("records");
    assert_eq!(last.kind, RecordKind::Error);
    let last_packet_start = (pcap.len() - 16 - packets.last().expect("packet").1.len()) as u64;
    assert_eq!(last.offset, last_packet_start);
    let error = last.error.as_deref().expect("error");
    assert!(
        error.contains(&format!("file offset {last_packet_start}")),
        "{error}"
    );
    // The last request frame lost its tail: it is reported as truncated, the rest decode.
    let errors: Vec<_> = records
        .iter()
        .filter(|r| r.kind == RecordKind::Error)
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0]
            .error
            .as_deref()
            .expect("error")
            .starts_with("truncated frame")
    );
    assert_eq!(frames(&records).len(), 117);

    // A file header cut short is an error of its own, at offset 0.
    let err = decode_input(&pcap[..10], &DecodeOptions::default()).unwrap_err();
    assert!(
        matches!(err, WireError::BadCapture { offset: 0, .. }),
        "{err}"
    );
}

#[test]
fn garbage_between_frames_is_reported_with_offset_and_skipped() {
    let vectors = request_vectors();
    let mut stream = vectors[0].1.clone();
    let garbage_at = stream.len() as u64;
    stream.extend_from_slice(&[0xde, 0xad, 0xbe, 0xef].repeat(10));
    let second_at = stream.len() as u64;
    stream.extend_from_slice(&vectors[1].1);
    let records = decode_input(&stream, &DecodeOptions::default()).expect("decodes");
    assert_eq!(records.len(), 3, "{records:?}");
    check_request(&vectors[0].0, &records[0]);
    assert_eq!(records[1].kind, RecordKind::Error);
    assert_eq!(records[1].offset, garbage_at);
    assert_eq!(
        records[1].error.as_deref(),
        Some(
            "bad frame header (payload length 3735928559 exceeds the limit of 16777216 bytes); skipped 40 bytes"
        )
    );
    assert_eq!(records[2].offset, second_at);
    check_request(&vectors[1].0, &records[2]);
}

#[test]
fn an_oversize_length_is_refused_with_its_offset() {
    let vectors = request_vectors();
    let mut stream = vectors[0].1.clone();
    let at = stream.len() as u64;
    stream.extend_from_slice(&[0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]);
    let options = DecodeOptions {
        max_payload: 4096,
        ..DecodeOptions::default()
    };
    let records = decode_input(&stream, &options).expect("decodes");
    assert_eq!(records.len(), 2);
    assert_eq!(records[1].offset, at);
    assert_eq!(
        records[1].error.as_deref(),
        Some(
            "bad frame header (payload length 2147483647 exceeds the limit of 4096 bytes); skipped 16 bytes"
        )
    );
}

#[test]
fn a_bad_payload_is_a_frame_with_an_error_not_a_panic() {
    // A DATA frame whose MsgHeader has an unknown msg_type, and one with an undecodable body.
    let mut stream = vec![
        0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0x08, 0x09,
    ];
    let mut body = vec![0x0d, 0x08, 0x01, 0x10, 0x01, 0x1a, 0x07];
    body.extend_from_slice(b"CrtNode");
    body.extend_from_slice(&[0x02, 0xff, 0xff]);
    stream.extend_from_slice(&[
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        body.len() as u8,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
    ]);
    stream.extend_from_slice(&body);
    let records = decode_input(&stream, &DecodeOptions::default()).expect("decodes");
    assert_eq!(records.len(), 2);
    let first = records[0].frame.as_ref().expect("frame");
    assert_eq!(
        first.error.as_deref(),
        Some("MsgHeader.msg_type 9 is not ONEWAY (0), API_CALL (1), ANSWER (2) or COMPLETE (3)"),
        "{first:?}"
    );
    let second = records[1].frame.as_ref().expect("frame");
    assert_eq!(second.content.as_deref(), Some("CrtNode"));
    assert_eq!(second.messages[0].hex.as_deref(), Some("ffff"));
    assert!(second.messages[0].error.is_some());
}

#[test]
fn the_binary_reports_bad_input_and_exits_non_zero() {
    let dir = std::env::temp_dir().join(format!("linstor-wire-decode-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("garbage.bin");
    let mut data = load_hex("requests", "001-node_create.hex");
    data.extend_from_slice(&[0xff; 40]);
    std::fs::write(&file, &data).expect("written");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_linstor-wire"))
        .arg("decode")
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0]
            .contains("c>s @0 API_CALL id=1 CrtNode | MsgCrtNode {\"node\":{\"name\":\"alpha\""),
        "{stdout}"
    );
    assert!(lines[1].contains("ERROR at offset 84:"), "{stdout}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_lost_segment_is_a_gap_and_the_frames_after_it_decode() {
    let (mut packets, requests) = capture_packets();
    // Drop one 50-byte client segment in the middle of the requests.
    let lost = packets.remove(40);
    let records = decode_input(&write_pcap(&packets), &DecodeOptions::default()).expect("decodes");
    let errors: Vec<&Record> = records
        .iter()
        .filter(|r| r.kind == RecordKind::Error)
        .collect();
    assert!(!errors.is_empty());
    let gap = errors
        .iter()
        .find(|r| {
            r.error
                .as_deref()
                .is_some_and(|e| e.starts_with("50 bytes missing from the capture"))
        })
        .unwrap_or_else(|| panic!("no gap record in {errors:?}"));
    assert_eq!(gap.dir, Direction::ToController);
    assert!(lost.1.len() > 50);
    // Every frame decoded is one of the vectors, in order, and the last ones survive.
    let got: Vec<&Record> = frames(&records).into_iter().skip(1).collect();
    assert!(got.len() >= 110, "only {} frames after the gap", got.len());
    let last = got.last().expect("frames");
    check_request(&requests[116].0, last);
}
