//! The one round-trip check shared by the fuzz targets, the corpus replay test and the
//! property tests: whatever bytes come in, decoding never panics, and whatever decodes
//! re-encodes to the same bytes.

use bytes::BytesMut;
use tokio_util::codec::{Decoder, Encoder};

use crate::{Envelope, FrameCodec, Outgoing};

/// Feeds `data` to a [`FrameCodec`] (limit 1 MiB) as one stream; every frame that decodes
/// must re-encode to exactly its input bytes. Returns the number of frames decoded.
///
/// # Panics
///
/// When a decoded frame does not re-encode byte-identically: a codec bug.
pub fn frames_round_trip(data: &[u8]) -> usize {
    let mut codec = FrameCodec::with_max_payload(1 << 20);
    let mut src = BytesMut::from(data);
    let mut consumed = 0;
    let mut count = 0;
    while let Ok(Some(frame)) = codec.decode(&mut src) {
        let mut out = BytesMut::new();
        let len = frame.wire_len();
        codec
            .encode(&frame, &mut out)
            .expect("a decoded frame is within the limit");
        // Reserved bytes are not kept: compare type, length and payload.
        assert_eq!(
            &out[..8],
            &data[consumed..consumed + 8],
            "frame header changed"
        );
        assert_eq!(
            &out[16..],
            &data[consumed + 16..consumed + len],
            "payload changed"
        );
        consumed += len;
        count += 1;
    }
    count
}

/// Decodes `data` as one payload into an [`Envelope`] and then every body as the type the
/// tables name; when everything decodes, re-encoding the header and typed bodies must give
/// the same payload back, unless the input used a non-canonical encoding (detected by
/// re-decoding the re-encoded bytes, which must then give equal values).
///
/// # Panics
///
/// When a successful decode does not survive a re-encode: a codec bug.
pub fn envelope_round_trip(data: &[u8]) {
    let Ok(envelope) = Envelope::decode(bytes::Bytes::copy_from_slice(data)) else {
        return;
    };
    let Ok(bodies) = envelope.decode_bodies() else {
        return;
    };
    let refs: Vec<&dyn linstor_proto::WireMessage> = bodies.iter().map(|b| b as _).collect();
    let frame = Outgoing::new(&envelope.header, &refs).to_bytes();
    let again =
        Envelope::decode(frame.slice(crate::HEADER_LEN..)).expect("re-encoded envelope decodes");
    assert_eq!(
        again.header, envelope.header,
        "header changed in a round trip"
    );
    assert_eq!(
        again.decode_bodies().expect("re-encoded bodies decode"),
        bodies,
        "bodies changed"
    );
}
