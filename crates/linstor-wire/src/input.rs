//! What `decode` reads: [`Format`] detection (pcap, pcapng, recording, hex text, raw bytes)
//! and [`decode_input`], which turns any of them into [`Record`]s, frame by frame, with bad
//! bytes reported at their offset.

use std::io::Read;
use std::path::Path;

use linstor_codec::DEFAULT_MAX_PAYLOAD;

use crate::WireError;
use crate::record::{Direction, Record, RecordKind};
use crate::stream::{Decoded, StreamDecoder};
use crate::tracker::CallTracker;

/// The kinds of input `decode` understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// A libpcap capture (any byte order, micro- or nanosecond timestamps).
    Pcap,
    /// A pcapng capture.
    PcapNg,
    /// A recording (JSON lines, docs/recording.md).
    Recording,
    /// Hex text: hex digits, white space ignored (the golden vectors' `*.hex`).
    Hex,
    /// The raw bytes of one direction of a connection.
    Raw,
}

/// Options of [`decode_input`].
#[derive(Debug, Clone)]
pub struct DecodeOptions {
    /// Controller ports whose TCP streams are decoded in captures (default 3376 and 3377).
    pub ports: Vec<u16>,
    /// Largest payload length accepted (default 16 MiB); longer is reported as bad bytes.
    pub max_payload: u32,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            ports: vec![
                linstor_proto::consts::ports::CTRL_PLAIN,
                linstor_proto::consts::ports::CTRL_SSL,
            ],
            max_payload: DEFAULT_MAX_PAYLOAD,
        }
    }
}

/// Largest input file read (1 GiB).
pub const MAX_INPUT: u64 = 1 << 30;

/// Reads a file, or standard input for `-`, up to [`MAX_INPUT`] bytes.
///
/// # Errors
///
/// [`WireError::Io`], or [`WireError::InputTooLarge`].
pub fn read_input(path: &Path) -> Result<Vec<u8>, WireError> {
    let name = path.display().to_string();
    let mut data = Vec::new();
    let reader: Box<dyn Read> = if name == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(path).map_err(|e| WireError::io(&name, e))?)
    };
    reader
        .take(MAX_INPUT + 1)
        .read_to_end(&mut data)
        .map_err(|e| WireError::io(&name, e))?;
    if data.len() as u64 > MAX_INPUT {
        return Err(WireError::InputTooLarge { limit: MAX_INPUT });
    }
    Ok(data)
}

/// Recognises the format by the first bytes.
pub fn detect(data: &[u8]) -> Format {
    match data.get(..4) {
        Some([0xa1, 0xb2, 0xc3, 0xd4] | [0xd4, 0xc3, 0xb2, 0xa1])
        | Some([0xa1, 0xb2, 0x3c, 0x4d] | [0x4d, 0x3c, 0xb2, 0xa1]) => return Format::Pcap,
        Some([0x0a, 0x0d, 0x0d, 0x0a]) => return Format::PcapNg,
        _ => {}
    }
    let text = data.iter().copied().skip_while(u8::is_ascii_whitespace);
    let head: Vec<u8> = text.take(4096).collect();
    match head.first() {
        Some(b'{') => Format::Recording,
        Some(_)
            if head
                .iter()
                .all(|b| b.is_ascii_hexdigit() || b.is_ascii_whitespace()) =>
        {
            Format::Hex
        }
        _ => Format::Raw,
    }
}

/// Parses hex text, ignoring white space.
///
/// # Errors
///
/// [`WireError::BadHex`] with the offset of the bad character, or for an odd count.
pub fn parse_hex(text: &[u8]) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::with_capacity(text.len() / 2);
    let mut high: Option<u8> = None;
    for (offset, &c) in text.iter().enumerate() {
        if c.is_ascii_whitespace() {
            continue;
        }
        let digit = (c as char).to_digit(16).ok_or(WireError::BadHex {
            offset,
            reason: "not a hex digit",
        })? as u8;
        match high.take() {
            Some(h) => out.push(h << 4 | digit),
            None => high = Some(digit),
        }
    }
    if high.is_some() {
        return Err(WireError::BadHex {
            offset: text.len(),
            reason: "odd number of hex digits",
        });
    }
    Ok(out)
}

/// Decodes any input into records, in order. Bytes that are not frames become
/// [`RecordKind::Error`] records with their offset; a capture or hex text that does not
/// parse at all is an error.
///
/// # Errors
///
/// [`WireError::BadHex`], [`WireError::BadCapture`] (bad file header),
/// [`WireError::BadRecord`] or [`WireError::BadBase64`].
pub fn decode_input(data: &[u8], options: &DecodeOptions) -> Result<Vec<Record>, WireError> {
    let mut records = Vec::new();
    decode_input_each(data, options, &mut |r| records.push(r))?;
    Ok(records)
}

/// As [`decode_input`], giving each record (with its latency filled in) to `sink` as soon
/// as it is found: memory stays bounded by the input and the decoders' buffers, whatever
/// the number of frames. On an error, the records before it have been given.
///
/// # Errors
///
/// As [`decode_input`].
pub fn decode_input_each(
    data: &[u8],
    options: &DecodeOptions,
    sink: &mut dyn FnMut(Record),
) -> Result<(), WireError> {
    let mut tracker = CallTracker::new();
    let mut each = |mut r: Record| {
        tracker.observe(&mut r);
        sink(r);
    };
    match detect(data) {
        Format::Pcap | Format::PcapNg => {
            crate::capture::decode_capture_each(data, options, &mut each)
        }
        Format::Recording => {
            for (i, line) in data.split(|&b| b == b'\n').enumerate() {
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let mut r: Record =
                    serde_json::from_slice(line).map_err(|source| WireError::BadRecord {
                        path: Path::new("<input>").to_owned(),
                        line: i + 1,
                        source,
                    })?;
                if r.kind == RecordKind::Frame {
                    let bytes = r.raw_bytes(i + 1)?;
                    r.frame = Record::frame(r.time_us, r.conn, r.dir, r.offset, &bytes).frame;
                }
                // Latencies are computed again, from the times.
                r.latency_us = None;
                r.call = None;
                each(r);
            }
            Ok(())
        }
        Format::Hex => {
            decode_stream_each(&parse_hex(data)?, options, &mut each);
            Ok(())
        }
        Format::Raw => {
            decode_stream_each(data, options, &mut each);
            Ok(())
        }
    }
}

/// Decodes one stream of unknown direction (connection 1); the direction of each frame is
/// inferred from its `MsgHeader` (API_CALL to the controller, everything else to the client).
pub fn decode_stream(data: &[u8], options: &DecodeOptions) -> Vec<Record> {
    let mut records = Vec::new();
    decode_stream_each(data, options, &mut |r| records.push(r));
    records
}

/// As [`decode_stream`], giving each record to `sink` as soon as it is found.
pub fn decode_stream_each(data: &[u8], options: &DecodeOptions, sink: &mut dyn FnMut(Record)) {
    let mut decoder = StreamDecoder::with_max_payload(options.max_payload);
    let mut found = Vec::new();
    let mut emit = |found: &mut Vec<Decoded>| {
        for d in found.drain(..) {
            let mut r = decoded_record(d, 0, 1, Direction::Unknown);
            if r.kind == RecordKind::Frame {
                r.dir = infer_direction(&r);
            }
            sink(r);
        }
    };
    for chunk in data.chunks(64 * 1024) {
        decoder.push(chunk, &mut found);
        emit(&mut found);
    }
    decoder.finish(&mut found);
    emit(&mut found);
}

/// The direction a frame's `MsgHeader` implies.
pub fn infer_direction(record: &Record) -> Direction {
    match record.frame.as_ref().and_then(|f| f.msg_type.as_deref()) {
        Some("API_CALL") => Direction::ToController,
        Some(_) => Direction::ToClient,
        None => Direction::Unknown,
    }
}

/// A record for what a [`StreamDecoder`] found.
pub fn decoded_record(decoded: Decoded, time_us: u64, conn: u64, dir: Direction) -> Record {
    match decoded {
        Decoded::Frame { offset, bytes } => Record::frame(time_us, conn, dir, offset, &bytes),
        Decoded::Error { offset, error } => {
            let mut r = Record::new(RecordKind::Error, time_us, conn, dir);
            r.offset = offset;
            r.error = Some(error.to_string());
            r
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_apart() {
        assert_eq!(detect(&[0xd4, 0xc3, 0xb2, 0xa1, 2, 0]), Format::Pcap);
        assert_eq!(detect(&[0x0a, 0x0d, 0x0d, 0x0a]), Format::PcapNg);
        assert_eq!(detect(b"  {\"time_us\":0}"), Format::Recording);
        assert_eq!(detect(b"00000001\n0000"), Format::Hex);
        assert_eq!(detect(&[0, 0, 0, 1]), Format::Raw);
    }

    #[test]
    fn bad_hex_names_its_offset() {
        assert!(matches!(
            parse_hex(b"00 0g"),
            Err(WireError::BadHex { offset: 4, .. })
        ));
        assert!(matches!(
            parse_hex(b"000"),
            Err(WireError::BadHex { offset: 3, .. })
        ));
        assert_eq!(parse_hex(b"0a ff\n").ok(), Some(vec![10, 255]));
    }
}
