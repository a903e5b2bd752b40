//! The check of the `decode_wire` fuzz target, shared with the corpus replay test: any
//! bytes, in any of the input formats, decode without panicking, and every frame found is
//! exactly a slice of the input stream.

use base64::Engine as _;

use crate::input::{DecodeOptions, Format, decode_input, detect};
use crate::record::RecordKind;

/// Decodes `data` as `decode` would (format detection included) and, for raw streams,
/// checks that the frames found are the input's bytes at their offsets. Returns the
/// number of frames found.
///
/// # Panics
///
/// When a frame's bytes are not the input's bytes at its offset: a decoder bug.
pub fn decode_any(data: &[u8]) -> usize {
    let options = DecodeOptions {
        max_payload: 1 << 20,
        ..DecodeOptions::default()
    };
    let Ok(records) = decode_input(data, &options) else {
        return 0;
    };
    let mut frames = 0;
    for r in &records {
        if r.kind != RecordKind::Frame {
            continue;
        }
        frames += 1;
        if detect(data) == Format::Raw {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(r.raw.as_deref().unwrap_or_default())
                .unwrap_or_default();
            let start = r.offset as usize;
            assert_eq!(
                &data[start..start + raw.len()],
                &raw[..],
                "frame bytes differ from the input"
            );
            let _ = r.to_text(0);
        }
    }
    frames
}
