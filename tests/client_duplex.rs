//! The client over an in-memory pipe, with a scripted controller: frames split and
//! coalesced at odd places, answers of different calls interleaved, events before the
//! watch reply, unknown answers skipped, keep-alive and timeouts in paused time.

use std::time::Duration;

use bytes::BytesMut;
use futures::StreamExt;
use linstor_client::requests::ObjectIdentifier;
use linstor_client::{ClientConfig, EventAction};
use linstor_proto::Request;
use linstor_proto::messages::eventdata::EventVlmDiskState;
use linstor_proto::messages::{MsgEvent, MsgHeader};
use linstor_tests::scripted::{complete, eoia, frame, pair, reply};

#[tokio::test]
async fn interleaved_split_and_coalesced_answers() {
    let (client, mut server) = pair(ClientConfig::default()).await;
    assert_eq!(
        client.controller_info(),
        Some("LINSTOR,Controller,test,x,y")
    );
    let c1 = client.clone();
    let first = tokio::spawn(async move { c1.call(&Request::Ping).await });
    let c2 = client.clone();
    let second = tokio::spawn(async move { c2.call(&Request::LstNode).await });
    let a = server.next_request().await;
    let b = server.next_request().await;
    let (ping_id, list_id) = if a.content() == "Ping" {
        (a.api_call_id().unwrap(), b.api_call_id().unwrap())
    } else {
        (b.api_call_id().unwrap(), a.api_call_id().unwrap())
    };
    // Answers of both calls interleaved, an unknown answer content in the middle, all in one
    // buffer cut at odd places.
    let mut all = BytesMut::new();
    all.extend_from_slice(&reply(list_id, "first"));
    all.extend_from_slice(&frame(&MsgHeader::answer(ping_id, "Pong"), &[]));
    all.extend_from_slice(&frame(&MsgHeader::answer(list_id, "SomethingNew"), &[]));
    all.extend_from_slice(&eoia(ping_id));
    all.extend_from_slice(&reply(list_id, "second"));
    all.extend_from_slice(&complete(ping_id));
    all.extend_from_slice(&eoia(list_id));
    all.extend_from_slice(&complete(list_id));
    for chunk in all.chunks(7) {
        server.send(chunk).await;
    }
    let pong = first.await.expect("task").expect("ping");
    assert!(pong.is_empty(), "Pong carries no answer");
    let list = second.await.expect("task").expect("list call");
    let messages: Vec<_> = list.replies().map(|r| r.message().to_owned()).collect();
    assert_eq!(
        messages,
        ["first", "second"],
        "answers in order, the unknown one skipped"
    );
}

#[tokio::test]
async fn events_before_the_watch_reply_are_kept() {
    let (client, mut server) = pair(ClientConfig::default()).await;
    let c = client.clone();
    let watch = tokio::spawn(async move { c.watch(ObjectIdentifier::default()).await });
    let req = server.next_request().await;
    assert_eq!(req.content(), "CrtWatch");
    let id = req.api_call_id().unwrap();
    let crt: linstor_proto::messages::MsgCrtWatch = req.body(0).unwrap();
    let event = MsgEvent {
        watch_id: crt.watch_id,
        event_action: "Value".into(),
        event_name: "VlmDiskState".into(),
        resource_name: Some("rsc1".into()),
        node_name: Some("alpha".into()),
        volume_number: Some(0),
        snapshot_name: None,
    };
    let data = EventVlmDiskState {
        disk_state: Some("UpToDate".into()),
    };
    let mut out = BytesMut::new();
    out.extend_from_slice(&frame(&MsgHeader::oneway("Event"), &[&event, &data]));
    out.extend_from_slice(&reply(id, "Watch created"));
    out.extend_from_slice(&eoia(id));
    out.extend_from_slice(&complete(id));
    server.send(&out).await;
    let mut watch = watch.await.expect("task").expect("watch");
    let e = watch.next().await.expect("item").expect("event");
    assert_eq!(e.volume_number, Some(0));
    assert!(
        matches!(e.action, EventAction::VolumeDiskState(d) if d.disk_state.as_deref() == Some("UpToDate"))
    );
    // Closing the pipe ends the watch with an explicit disconnect, then the stream ends.
    drop(server);
    assert!(
        watch
            .next()
            .await
            .expect("item")
            .unwrap_err()
            .is_disconnect()
    );
    assert!(watch.next().await.is_none());
}

#[tokio::test]
async fn a_full_watch_buffer_ends_with_an_overflow_error() {
    let config = ClientConfig {
        watch_buffer: 4,
        ..ClientConfig::default()
    };
    let (client, mut server) = pair(config).await;
    let c = client.clone();
    let watch = tokio::spawn(async move { c.watch(ObjectIdentifier::default()).await });
    let req = server.next_request().await;
    let id = req.api_call_id().unwrap();
    let crt: linstor_proto::messages::MsgCrtWatch = req.body(0).unwrap();
    let mut out = BytesMut::new();
    for v in 0..10 {
        let event = MsgEvent {
            watch_id: crt.watch_id,
            event_action: "CloseRemoved".into(),
            event_name: "VlmDiskState".into(),
            volume_number: Some(v),
            ..Default::default()
        };
        out.extend_from_slice(&frame(&MsgHeader::oneway("Event"), &[&event]));
    }
    for f in [reply(id, "Watch created"), eoia(id), complete(id)] {
        out.extend_from_slice(&f);
    }
    server.send(&out).await;
    let watch = watch.await.expect("task").expect("watch");
    let items: Vec<_> = watch.collect().await;
    assert_eq!(
        items.len(),
        5,
        "4 events, then the error; nothing silently lost after it"
    );
    assert!(items[..4].iter().all(Result::is_ok));
    assert!(matches!(
        items[4],
        Err(linstor_client::ClientError::WatchOverflow { capacity: 4, .. })
    ));
}

#[tokio::test(start_paused = true)]
async fn keep_alive_pings_every_five_seconds() {
    let config = ClientConfig {
        keep_alive: Some(Duration::from_secs(5)),
        ..ClientConfig::default()
    };
    let (_client, mut server) = pair(config).await;
    let mut pings = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(16);
    while let Ok(req) = tokio::time::timeout_at(deadline, server.next_request()).await {
        assert_eq!(req.content(), "Ping");
        pings += 1;
    }
    assert_eq!(pings, 3, "at 5, 10 and 15 s");
}

#[tokio::test(start_paused = true)]
async fn default_call_timeout_is_300_seconds() {
    let (client, mut server) = pair(ClientConfig::default()).await;
    let call = tokio::spawn(async move { client.call(&Request::Ping).await });
    server.next_request().await;
    let started = tokio::time::Instant::now();
    let err = call.await.expect("task").unwrap_err();
    assert!(err.is_timeout());
    assert_eq!(started.elapsed().as_secs(), 300);
}

#[tokio::test(start_paused = true)]
async fn idle_detection_closes_a_silent_connection() {
    let config = ClientConfig {
        idle_timeout: Some(Duration::from_secs(30)),
        ..ClientConfig::default()
    };
    let (client, mut server) = pair(config).await;
    let call = tokio::spawn({
        let c = client.clone();
        async move { c.call(&Request::Ping).await }
    });
    server.next_request().await;
    let err = call.await.expect("task").unwrap_err();
    assert!(err.is_disconnect(), "{err}");
    assert!(err.to_string().contains("no data received"), "{err}");
}
