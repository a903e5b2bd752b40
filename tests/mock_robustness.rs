//! Bad input and concurrency against the mock controller: oversize frames close only the
//! offending connection, undecodable bodies get the parse-error answer, unknown calls the
//! controller's answer, header-level PING a header-level PONG, and many calls and
//! connections proceed at once. Also watches: initial values, changes and closes.

use bytes::BytesMut;
use linstor_codec::{FrameType, Header, Outgoing};
use linstor_mock::{Config, MockController};
use linstor_proto::ReturnCode as RC;
use linstor_proto::messages::*;
use linstor_tests::raw::{RawClient, frame_with_tail, rsc_dfn, start_mock};

fn frame(header: &MsgHeader, body: Option<&[u8]>) -> Vec<u8> {
    // A hand-built frame whose body is raw bytes (possibly not a valid message).
    let mut payload = Vec::new();
    let h = prost::Message::encode_length_delimited_to_vec(header);
    payload.extend(h);
    if let Some(b) = body {
        prost::encoding::encode_varint(b.len() as u64, &mut payload);
        payload.extend_from_slice(b);
    }
    let mut out = Vec::new();
    Header::new(FrameType::Data, payload.len() as u32).write(&mut out);
    out.extend(payload);
    out
}

#[tokio::test]
async fn a_body_running_past_the_payload_or_stray_bytes_still_get_their_answers() {
    let (mock, mut c) = start_mock(Config::default()).await;
    let (mut other, _) = RawClient::connect(mock.addr()).await;
    // The MsgHeader decodes; the body's delimiter announces 9 bytes and 2 follow.
    c.send_raw(&frame_with_tail(
        &MsgHeader::api_call(1, "CrtNode"),
        &[9, 1, 2],
    ))
    .await;
    let r = c.collect(1).await;
    assert_eq!(r.eoia, 1);
    let e = &r.replies()[0];
    assert_eq!(e.ret_code, RC::API_CALL_PARSE_ERROR.0);
    assert_eq!(e.details.as_deref(), Some("The request was: 'CrtNode'."));
    assert!(
        e.cause.as_deref().is_some_and(|c| c.contains("9 bytes")),
        "{:?}",
        e.cause
    );
    // A delimiter that never ends.
    c.send_raw(&frame_with_tail(
        &MsgHeader::api_call(2, "DelNode"),
        &[0x80],
    ))
    .await;
    assert_eq!(
        c.collect(2).await.replies()[0].ret_code,
        RC::API_CALL_PARSE_ERROR.0
    );
    // A valid header-only LstNode followed by one stray byte: the byte is ignored.
    c.send_raw(&frame_with_tail(
        &MsgHeader::api_call(3, "LstNode"),
        &[0x07],
    ))
    .await;
    let r = c.collect(3).await;
    assert_eq!(r.first().content(), "LstNode");
    let _: MsgLstNode = r.first().body(0).expect("the node list");
    // A valid body followed by garbage: the body is used, the rest ignored.
    let body = prost::Message::encode_length_delimited_to_vec(&MsgCrtRscDfn {
        rsc_dfn: RscDfn {
            rsc_name: "stray".into(),
            ..Default::default()
        },
    });
    let mut tail = body;
    tail.extend_from_slice(&[0xff, 0xff, 0xff]);
    c.send_raw(&frame_with_tail(
        &MsgHeader::api_call(4, "CrtRscDfn"),
        &tail,
    ))
    .await;
    assert_eq!(
        c.collect(4).await.replies()[0].ret_code & 0xC000_0000_0000_0000,
        0
    );
    assert_eq!(mock.model().resource_definition_names(), ["stray"]);
    // Meanwhile another connection is served.
    assert_eq!(other.call("Ping", None).await.first().content(), "Pong");
}

#[tokio::test]
async fn a_frame_of_millions_of_empty_messages_is_answered_without_indexing_them() {
    let (mock, mut c) = start_mock(Config::default()).await;
    // 4 Mi empty messages after the header of a header-only call: 16 bytes of index each
    // would be 64 MiB; the call reads none of them.
    let tail = vec![0u8; 4 << 20];
    c.send_raw(&frame_with_tail(&MsgHeader::api_call(1, "LstNode"), &tail))
        .await;
    assert_eq!(c.collect(1).await.first().content(), "LstNode");
    let (mut other, _) = RawClient::connect(mock.addr()).await;
    assert_eq!(other.call("Ping", None).await.first().content(), "Pong");
}

#[tokio::test]
async fn oversize_frame_closes_only_that_connection() {
    let (mock, mut bad) = start_mock(Config::default()).await;
    let (mut good, _) = RawClient::connect(mock.addr()).await;
    let mut header = Vec::new();
    Header::new(FrameType::Data, u32::MAX).write(&mut header);
    bad.send_raw(&header).await;
    assert!(
        bad.read_frame().await.is_none(),
        "the connection is closed, not clamped"
    );
    assert_eq!(good.call("Ping", None).await.first().content(), "Pong");
}

#[tokio::test]
async fn undecodable_or_incomplete_bodies_get_the_parse_error_answer() {
    let (_mock, mut c) = start_mock(Config::default()).await;
    // A body that is not protobuf.
    c.send_raw(&frame(
        &MsgHeader::api_call(1, "CrtNode"),
        Some(&[0xff, 0xff]),
    ))
    .await;
    let r = c.collect(1).await;
    let e = &r.replies()[0];
    assert_eq!(e.ret_code, RC::API_CALL_PARSE_ERROR.0);
    assert_eq!(e.message, "Controller couldn't parse message.");
    assert_eq!(e.details.as_deref(), Some("The request was: 'CrtNode'."));
    assert_eq!(e.error_report_ids.len(), 1);
    // A body missing a required field (Node.type).
    let node = [0x0a, 0x07, 0x12, 0x05, b'a', b'l', b'p', b'h', b'a'];
    c.send_raw(&frame(&MsgHeader::api_call(2, "CrtNode"), Some(&node)))
        .await;
    let r = c.collect(2).await;
    assert_eq!(r.replies()[0].ret_code, RC::API_CALL_PARSE_ERROR.0);
    assert!(
        r.replies()[0]
            .cause
            .as_deref()
            .is_some_and(|c| c.contains("type")),
        "{:?}",
        r.replies()[0].cause
    );
    // A body of the wrong type.
    let watch = prost::Message::encode_to_vec(&MsgDelWatch { watch_id: 7 });
    c.send_raw(&frame(&MsgHeader::api_call(3, "LstKvsProps"), Some(&watch)))
        .await;
    assert_eq!(
        c.collect(3).await.replies()[0].ret_code,
        RC::API_CALL_PARSE_ERROR.0
    );
    // A required body that is absent.
    c.send_raw(&frame(&MsgHeader::api_call(4, "CrtNode"), None))
        .await;
    let r = c.collect(4).await;
    assert_eq!(r.replies()[0].ret_code, RC::FAIL_UNKNOWN_ERROR.0);
    assert_eq!(
        r.replies()[0].details.as_deref(),
        Some("In API call 'CrtNode'.")
    );
}

#[tokio::test]
async fn unknown_calls_pings_and_ignored_frames() {
    let (_mock, mut c) = start_mock(Config::default()).await;
    let r = c.call("FlyToTheMoon", None).await;
    let e = &r.replies()[0];
    assert_eq!(
        (e.ret_code, e.message.as_str()),
        (
            RC::UNKNOWN_API_CALL.0,
            "The requested function call cannot be executed."
        )
    );
    assert!(
        e.details
            .as_deref()
            .is_some_and(|d| d.contains("FlyToTheMoon"))
    );
    assert_eq!(
        c.call("Hostname", None).await.replies()[0].ret_code,
        RC::UNKNOWN_API_CALL.0,
        "satellites only"
    );

    // Frames that get no answer at all, then a header-level PING.
    let mut junk = Vec::new();
    Header::new(FrameType::Other(9), 3).write(&mut junk);
    junk.extend_from_slice(&[1, 2, 3]);
    Header::new(FrameType::Data, 0).write(&mut junk);
    junk.extend(frame(
        &MsgHeader {
            msg_type: Some(1),
            api_call_id: None,
            msg_content: Some("LstNode".into()),
        },
        None,
    ));
    junk.extend(frame(&MsgHeader::answer(5, "Reply"), None));
    junk.extend(frame(&MsgHeader::api_call(6, "Pong"), None));
    Header::new(FrameType::Pong, 0).write(&mut junk);
    Header::new(FrameType::Ping, 0).write(&mut junk);
    c.send_raw(&junk).await;
    let pong = c.read_frame().await.expect("a PONG");
    assert_eq!(
        (pong.frame_type(), pong.payload().len()),
        (FrameType::Pong, 0)
    );
    assert_eq!(c.call("Ping", None).await.first().content(), "Pong");
}

#[tokio::test]
async fn pipelined_calls_on_one_connection_each_complete_once() {
    let (_mock, mut c) = start_mock(Config::default()).await;
    let mut batch = BytesMut::new();
    for id in 1..=200i64 {
        let header = MsgHeader::api_call(id, if id % 2 == 0 { "Ping" } else { "LstNode" });
        batch.extend_from_slice(&Outgoing::new(&header, &[]).to_bytes());
    }
    c.send_raw(&batch).await;
    for id in 1..=200 {
        let r = c.collect(id).await;
        assert_eq!(r.eoia, 1);
    }
}

#[tokio::test]
async fn many_connections_at_once() {
    let mock = MockController::start(Config::default())
        .await
        .expect("mock starts");
    let addr = mock.addr();
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            tokio::spawn(async move {
                let (mut c, _) = RawClient::connect(addr).await;
                let name = format!("node{i}");
                let crt = MsgCrtNode {
                    node: Node {
                        name: name.clone(),
                        r#type: "Satellite".into(),
                        net_interfaces: vec![NetInterface {
                            name: "default".into(),
                            address: format!("10.0.1.{i}"),
                            stlt_port: Some(3366),
                            stlt_encryption_type: Some("Plain".into()),
                            ..Default::default()
                        }],
                        ..Default::default()
                    },
                };
                assert_eq!(
                    c.call("CrtNode", Some(&crt)).await.replies()[0].ret_code,
                    0x013C_0001
                );
                for _ in 0..50 {
                    assert_eq!(c.call("Ping", None).await.first().content(), "Pong");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("client task");
    }
    assert_eq!(mock.model().node_names().len(), 16);
}

#[tokio::test]
async fn watches_get_current_values_changes_and_closes() {
    let (mock, mut c) = start_mock(Config::default()).await;
    let (mut watcher, _) = RawClient::connect(mock.addr()).await;
    let crt_node = MsgCrtNode {
        node: Node {
            name: "alpha".into(),
            r#type: "Satellite".into(),
            net_interfaces: vec![NetInterface {
                name: "default".into(),
                address: "10.0.0.1".into(),
                stlt_port: Some(3366),
                stlt_encryption_type: Some("Plain".into()),
                ..Default::default()
            }],
            ..Default::default()
        },
    };
    c.call("CrtNode", Some(&crt_node)).await;
    let pool = MsgCrtStorPool {
        stor_pool: StorPool {
            node_name: "alpha".into(),
            stor_pool_name: "DfltStorPool".into(),
            driver: "LvmDriver".into(),
            ..Default::default()
        },
    };
    c.call("CrtStorPool", Some(&pool)).await;
    c.call("CrtRscDfn", Some(&rsc_dfn("rsc1"))).await;
    c.call(
        "CrtVlmDfn",
        Some(&MsgCrtVlmDfn {
            rsc_name: "rsc1".into(),
            vlm_dfns: vec![VlmDfn {
                vlm_size: 100,
                ..Default::default()
            }],
            ..Default::default()
        }),
    )
    .await;
    let crt = MsgCrtRsc {
        rscs: vec![Rsc {
            name: "rsc1".into(),
            node_name: "alpha".into(),
            ..Default::default()
        }],
    };
    c.call("CrtRsc", Some(&crt)).await;

    // A new watch gets the current value of every matching stream at once.
    let w = MsgCrtWatch {
        watch_id: 1,
        resource_name: Some("RSC1".into()),
        ..Default::default()
    };
    let r = watcher.call("CrtWatch", Some(&w)).await;
    assert_eq!(r.replies()[0].ret_code, 0x0100_0001);
    assert_eq!(r.replies()[0].message, "Watch created");
    let events: Vec<MsgEvent> = r.events.iter().map(|e| e.body(0).unwrap()).collect();
    let names: Vec<_> = events
        .iter()
        .map(|e| (e.event_name.as_str(), e.event_action.as_str()))
        .collect();
    assert_eq!(
        names,
        [("ResourceState", "Value"), ("VlmDiskState", "Value")]
    );
    let disk: eventdata::EventVlmDiskState = r.events[1].body(1).unwrap();
    assert_eq!(disk.disk_state.as_deref(), Some("UpToDate"));
    assert_eq!(mock.watch_count(), 1);

    let bad = MsgCrtWatch {
        watch_id: 2,
        node_name: Some("-x".into()),
        ..Default::default()
    };
    let r = watcher.call("CrtWatch", Some(&bad)).await;
    assert_eq!(
        r.replies()[0].ret_code,
        RC::FAIL_INVLD_NODE_NAME.0 | 0x0100_0000
    );

    // Deleting the resource closes its streams: volumes first.
    c.call(
        "DelRsc",
        Some(&MsgDelRsc {
            node_name: "alpha".into(),
            rsc_name: "rsc1".into(),
            ..Default::default()
        }),
    )
    .await;
    let mut closes = Vec::new();
    while closes.len() < 2 {
        let env = watcher.read_envelope().await.expect("event");
        let e: MsgEvent = env.body(0).unwrap();
        assert_eq!(env.body_count(), 1, "a close carries no data");
        closes.push((e.event_name, e.event_action, e.volume_number));
    }
    assert_eq!(
        closes,
        [
            ("VlmDiskState".into(), "CloseRemoved".into(), Some(0)),
            ("ResourceState".into(), "CloseRemoved".into(), None)
        ]
    );
    let r = watcher
        .call("DelWatch", Some(&MsgDelWatch { watch_id: 1 }))
        .await;
    assert_eq!(
        (r.replies()[0].ret_code, r.replies()[0].message.as_str()),
        (0x0300_0002, "Watch deleted")
    );
    assert_eq!(mock.watch_count(), 0);
    let r = watcher
        .call("DelWatch", Some(&MsgDelWatch { watch_id: 99 }))
        .await;
    assert_eq!(
        r.replies()[0].message,
        "Watch deleted",
        "also for unknown ids"
    );
}

#[tokio::test]
async fn shutdown_closes_connections_and_dropping_stops_the_server() {
    let (mock, mut c) = start_mock(Config::default()).await;
    let addr = mock.addr();
    mock.shutdown().await;
    assert!(c.read_frame().await.is_none());
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    let mock = MockController::start(Config::default())
        .await
        .expect("mock starts");
    let (mut c, _) = RawClient::connect(mock.addr()).await;
    drop(mock);
    assert!(c.read_frame().await.is_none());
}

#[tokio::test]
async fn exit_on_shutdown_is_opt_in() {
    let mock = MockController::start(Config {
        exit_on_shutdown: true,
        ..Config::default()
    })
    .await
    .expect("mock starts");
    let (mut c, _) = RawClient::connect(mock.addr()).await;
    let r = c
        .call(
            "ControlCtrl",
            Some(&MsgControlCtrl {
                command: Some("Shutdown".into()),
            }),
        )
        .await;
    assert_eq!(r.replies()[0].ret_code, 0);
    tokio::time::timeout(linstor_tests::raw::TIMEOUT, mock.stopped())
        .await
        .expect("server stops");
}
