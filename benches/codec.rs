//! Codec throughput, all in one criterion group so ratios come from one run:
//! (a) `split_only`: the baseline, splitting a 1 MiB buffer of frames with `Bytes::split_to`;
//! (b) `framing`: the codec's header parsing, limit check and varint split over the same
//!     buffer, without protobuf decoding;
//! (c) `decode`: framing plus typed decoding of every body through the call tables;
//! (d) `encode`: header and typed bodies into a frame.
//! Each for a small call frame (golden vector 001, `CrtNode`) and for a `LstRsc` answer with
//! 1,000 resources (name, node, one volume, three props each).

use std::hint::black_box;

use bytes::{Bytes, BytesMut};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use linstor_codec::{Envelope, FrameCodec, Outgoing};
use linstor_proto::messages::{LinStorMapEntry, MsgHeader, MsgLstRsc, Rsc, Vlm};
use linstor_proto::{Body, WireMessage};
use tokio_util::codec::{Decoder, Encoder};

const BUFFER: usize = 1 << 20;

fn lst_rsc(count: usize) -> MsgLstRsc {
    let resources = (0..count)
        .map(|i| Rsc {
            uuid: None,
            name: format!("rsc{i:04}"),
            node_uuid: None,
            node_name: format!("node{}", i % 16),
            rsc_dfn_uuid: None,
            props: vec![
                LinStorMapEntry {
                    key: "PeerSlots".into(),
                    value: "7".into(),
                },
                LinStorMapEntry {
                    key: "StorPoolName".into(),
                    value: "drbdpool".into(),
                },
                LinStorMapEntry {
                    key: "Aux/rack".into(),
                    value: format!("{}", i % 8),
                },
            ],
            rsc_flags: vec![],
            vlms: vec![Vlm {
                vlm_nr: 0,
                vlm_minor_nr: Some(1000 + i as u32),
                device_path: Some(format!("/dev/drbd{}", 1000 + i)),
                stor_pool_name: Some("drbdpool".into()),
                backing_disk: Some(format!("/dev/drbdpool/rsc{i:04}_00000")),
                ..Vlm::default()
            }],
            node_id: Some((i % 3) as i32),
            override_node_id: None,
        })
        .collect();
    MsgLstRsc {
        resources,
        resource_states: vec![],
    }
}

fn small_frame() -> (MsgHeader, Vec<Body>, Bytes) {
    let bytes = linstor_tests::load_hex("requests", "001-node_create.hex");
    let envelope = Envelope::decode(Bytes::copy_from_slice(&bytes[16..])).expect("vector decodes");
    let bodies = envelope.decode_bodies().expect("vector bodies decode");
    (envelope.header, bodies, Bytes::from(bytes))
}

fn large_frame() -> (MsgHeader, Vec<Body>, Bytes) {
    let header = MsgHeader::answer(42, "LstRsc");
    let bodies = vec![Body::from(lst_rsc(1000))];
    let refs: Vec<&dyn WireMessage> = bodies.iter().map(|b| b as _).collect();
    let bytes = Outgoing::new(&header, &refs).to_bytes();
    (header, bodies, bytes)
}

/// As many copies of `frame` as fit in 1 MiB (at least one).
fn buffer_of(frame: &[u8]) -> Bytes {
    let copies = (BUFFER / frame.len()).max(1);
    Bytes::from(frame.repeat(copies))
}

fn codec(c: &mut Criterion) {
    let mut group = c.benchmark_group("codec");
    for (label, (header, bodies, frame)) in
        [("small", small_frame()), ("lstrsc1000", large_frame())]
    {
        let buffer = buffer_of(&frame);
        let frames = buffer.len() / frame.len();
        group.throughput(Throughput::Bytes(buffer.len() as u64));

        // Both start from the same freshly filled buffer; both touch every frame they split.
        group.bench_function(
            format!("split_only/{label}/{frames}x{}B", frame.len()),
            |b| {
                b.iter_batched(
                    || BytesMut::from(&buffer[..]),
                    |buf| {
                        let mut buf = buf.freeze();
                        let mut seen = 0;
                        while buf.len() >= 16 {
                            let len = u32::from_be_bytes([buf[4], buf[5], buf[6], buf[7]]) as usize;
                            let f = buf.split_to(16 + len);
                            seen += f.len();
                        }
                        (seen, buf)
                    },
                    BatchSize::LargeInput,
                );
            },
        );

        group.bench_function(format!("framing/{label}/{frames}x{}B", frame.len()), |b| {
            b.iter_batched(
                || BytesMut::from(&buffer[..]),
                |mut buf| {
                    let mut codec = FrameCodec::new();
                    let mut seen = 0;
                    while let Some(f) = codec.decode(&mut buf).expect("frames decode") {
                        for m in f.messages() {
                            seen += m.expect("messages split").len();
                        }
                    }
                    (seen, buf)
                },
                BatchSize::LargeInput,
            );
        });

        group.throughput(Throughput::Bytes(frame.len() as u64));
        group.bench_function(format!("decode/{label}/{}B", frame.len()), |b| {
            b.iter(|| {
                let envelope = Envelope::decode(frame.slice(16..)).expect("payload decodes");
                black_box(envelope.decode_bodies().expect("bodies decode"))
            });
        });

        group.bench_function(format!("encode/{label}/{}B", frame.len()), |b| {
            let refs: Vec<&dyn WireMessage> = bodies.iter().map(|b| b as _).collect();
            let mut codec = FrameCodec::new();
            let mut dst = BytesMut::with_capacity(frame.len());
            b.iter(|| {
                dst.clear();
                codec
                    .encode(Outgoing::new(&header, &refs), &mut dst)
                    .expect("frame encodes");
                black_box(dst.len())
            });
        });
    }
    group.finish();
}

criterion_group!(benches, codec);
criterion_main!(benches);
