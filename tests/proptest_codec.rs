//! Property tests of the codec: frames and typed envelopes round-trip, and a stream of
//! frames split at arbitrary points decodes to the same frames.

#![allow(clippy::unwrap_used)] // proptest bodies are tests, but not `#[test]` functions to clippy

use bytes::BytesMut;
use linstor_codec::{Envelope, Frame, FrameCodec, FrameType, Outgoing};
use linstor_proto::messages::{
    Candidate, LinStorMapEntry, MsgApiCallResponse, MsgHeader, MsgLstNode, MsgRspMaxVlmSizes,
    NetInterface, Node, StorPoolDfn, node::ConnectionStatus,
};
use linstor_proto::{Body, WireMessage};
use proptest::prelude::*;
use tokio_util::codec::{Decoder, Encoder};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        ..ProptestConfig::default()
    }
}

fn name() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_/-]{0,12}"
}

fn opt_name() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(name())
}

fn map_entries() -> impl Strategy<Value = Vec<LinStorMapEntry>> {
    proptest::collection::vec(
        (name(), name()).prop_map(|(key, value)| LinStorMapEntry { key, value }),
        0..4,
    )
}

fn net_interface() -> impl Strategy<Value = NetInterface> {
    (
        opt_name(),
        name(),
        name(),
        proptest::option::of(any::<i32>()),
        opt_name(),
    )
        .prop_map(
            |(uuid, name, address, stlt_port, stlt_encryption_type)| NetInterface {
                uuid,
                name,
                address,
                stlt_port,
                stlt_encryption_type,
            },
        )
}

fn node() -> impl Strategy<Value = Node> {
    (
        opt_name(),
        name(),
        name(),
        map_entries(),
        proptest::collection::vec(name(), 0..3),
        proptest::collection::vec(net_interface(), 0..3),
        proptest::option::of(0..8i32),
    )
        .prop_map(
            |(uuid, name, r#type, props, flags, net_interfaces, status)| Node {
                uuid,
                name,
                r#type,
                props,
                flags,
                net_interfaces,
                connection_status: status
                    .map(|s| ConnectionStatus::try_from(s).map_or(0, |c| c as i32)),
            },
        )
}

fn reply() -> impl Strategy<Value = MsgApiCallResponse> {
    (
        any::<u64>(),
        map_entries(),
        name(),
        opt_name(),
        opt_name(),
        opt_name(),
        proptest::collection::vec(name(), 0..2),
    )
        .prop_map(
            |(ret_code, obj_refs, message, cause, correction, details, error_report_ids)| {
                MsgApiCallResponse {
                    ret_code,
                    obj_refs,
                    message,
                    cause,
                    correction,
                    details,
                    error_report_ids,
                }
            },
        )
}

fn max_vlm_sizes() -> impl Strategy<Value = MsgRspMaxVlmSizes> {
    let candidate = (
        name(),
        any::<i64>(),
        proptest::collection::vec(name(), 0..3),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(|(pool, max_vlm_size, node_names, all_thin)| Candidate {
            stor_pool_dfn: StorPoolDfn {
                uuid: None,
                stor_pool_name: pool,
                props: vec![],
            },
            max_vlm_size,
            node_names,
            all_thin,
        });
    (proptest::collection::vec(candidate, 0..3), opt_name()).prop_map(|(candidates, ratio)| {
        MsgRspMaxVlmSizes {
            candidates,
            default_max_oversubscription_ratio: ratio,
        }
    })
}

/// An ANSWER envelope with typed bodies the tables agree with.
fn answer_envelope() -> impl Strategy<Value = (MsgHeader, Vec<Body>)> {
    let id = any::<i64>();
    prop_oneof![
        (id, proptest::collection::vec(reply(), 0..4)).prop_map(|(id, r)| (
            MsgHeader::answer(id, "Reply"),
            r.into_iter().map(Body::from).collect()
        )),
        (id, proptest::collection::vec(node(), 0..4)).prop_map(|(id, nodes)| (
            MsgHeader::answer(id, "LstNode"),
            vec![Body::from(MsgLstNode { nodes })]
        )),
        (id, max_vlm_sizes())
            .prop_map(|(id, m)| (MsgHeader::answer(id, "RspMaxVlmSize"), vec![Body::from(m)])),
        id.prop_map(|id| (MsgHeader::complete(id), vec![])),
    ]
}

fn frame() -> impl Strategy<Value = Frame> {
    (
        prop_oneof![Just(0u32), Just(1), Just(2), any::<u32>()],
        proptest::collection::vec(any::<u8>(), 0..300),
    )
        .prop_map(|(t, payload)| Frame::new(FrameType::from_u32(t), &payload))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn frames_round_trip(frame in frame()) {
        let mut codec = FrameCodec::new();
        let mut buf = BytesMut::new();
        codec.encode(frame.clone(), &mut buf).unwrap();
        prop_assert_eq!(buf.len(), frame.wire_len());
        prop_assert_eq!(codec.decode(&mut buf).unwrap(), Some(frame));
        prop_assert!(buf.is_empty());
    }

    #[test]
    fn typed_envelopes_round_trip((header, bodies) in answer_envelope()) {
        let refs: Vec<&dyn WireMessage> = bodies.iter().map(|b| b as _).collect();
        let bytes = Outgoing::new(&header, &refs).to_bytes();
        let mut buf = BytesMut::from(&bytes[..]);
        let frame = FrameCodec::new().decode(&mut buf).unwrap().unwrap();
        let envelope = Envelope::decode(frame.payload_bytes()).unwrap();
        prop_assert_eq!(&envelope.header, &header);
        prop_assert_eq!(envelope.decode_bodies().unwrap(), bodies);
    }

    #[test]
    fn split_stream_yields_the_same_frames(
        frames in proptest::collection::vec(frame(), 1..8),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let mut codec = FrameCodec::new();
        let mut stream = BytesMut::new();
        for f in &frames {
            codec.encode(f.clone(), &mut stream).unwrap();
        }
        let mut points: Vec<usize> = cuts.iter().map(|i| i.index(stream.len() + 1)).collect();
        points.push(stream.len());
        points.sort_unstable();
        let mut decoded = Vec::new();
        let mut buf = BytesMut::new();
        let mut start = 0;
        for end in points {
            buf.extend_from_slice(&stream[start..end]);
            start = end;
            while let Some(f) = codec.decode(&mut buf).unwrap() {
                decoded.push(f);
            }
        }
        prop_assert_eq!(decoded, frames);
        prop_assert!(buf.is_empty());
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..400)) {
        linstor_codec::fuzzing::frames_round_trip(&data);
        linstor_codec::fuzzing::envelope_round_trip(&data);
    }
}
