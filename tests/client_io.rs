//! The client's I/O over an in-memory pipe with a scripted controller, in paused time: the
//! connection keeps reading while its writes are blocked, a call or watch given up while the
//! command queue is full is never lost, keep-alive answers are tracked, header-level PINGs
//! are answered, and the payload limit holds in both directions.
//!
//! The "blocked" scenarios use a pipe of 4 KiB that the controller does not read, one
//! request of 200 KB (more than the pipe and the client's write buffer hold), then more calls
//! than the client's command queue (1,024) holds.

use std::collections::HashSet;
use std::error::Error as _;
use std::time::Duration;

use futures::StreamExt;
use linstor_client::requests::ObjectIdentifier;
use linstor_client::{Answers, CallOptions, Client, ClientConfig, ClientError, EventAction};
use linstor_codec::{CodecError, Frame};
use linstor_proto::Request;
use linstor_proto::messages::eventdata::EventVlmDiskState;
use linstor_proto::messages::{MsgCrtWatch, MsgDelWatch, MsgEvent, MsgHeader, MsgSetCtrlCfgProp};
use linstor_tests::scripted::{
    Server, TIMEOUT, complete, eoia, frame, greeting, pair, pair_with_buffer, reply,
};
use tokio::task::JoinHandle;

/// Calls queued behind the blocked write: more than the command queue holds.
const FILLERS: usize = 2500;

/// In paused time, sleeping lets every task run until nothing more can happen.
async fn settle() {
    tokio::time::sleep(Duration::from_secs(1)).await;
}

fn spawn_call(client: &Client, request: Request) -> JoinHandle<Result<Answers, ClientError>> {
    let c = client.clone();
    tokio::spawn(async move { c.call(&request).await })
}

/// A `SetCfgVal` whose frame carries a value of `len` bytes.
fn big_request(len: usize) -> Request {
    Request::SetCfgVal(MsgSetCtrlCfgProp {
        key: "big".into(),
        value: "x".repeat(len),
        namespace: Some("Test".into()),
    })
}

/// Blocks the client's write side: a 200 KB request, then [`FILLERS`] pings. The controller
/// reads none of them.
async fn block_writes(client: &Client) -> Vec<JoinHandle<Result<Answers, ClientError>>> {
    let mut calls = vec![spawn_call(client, big_request(200_000))];
    settle().await;
    calls.extend((0..FILLERS).map(|_| spawn_call(client, Request::Ping)));
    settle().await;
    calls
}

/// Reads requests until `until` says stop, answering every one with `COMPLETE`; returns
/// them in arrival order.
async fn drain(
    server: &mut Server,
    mut until: impl FnMut(&[linstor_codec::Envelope]) -> bool,
) -> Vec<linstor_codec::Envelope> {
    let mut seen = Vec::new();
    while !until(&seen) {
        let req = server.next_request().await;
        let id = req.api_call_id().expect("an API call");
        server.send(&complete(id)).await;
        seen.push(req);
    }
    seen
}

async fn join_all(calls: Vec<JoinHandle<Result<Answers, ClientError>>>) {
    for call in calls {
        tokio::time::timeout(TIMEOUT, call)
            .await
            .expect("every call completes")
            .expect("task")
            .expect("answered");
    }
}

/// Creates a watch on everything and answers its `CrtWatch`; returns it with its id.
async fn watch(client: &Client, server: &mut Server) -> linstor_client::Watch {
    let c = client.clone();
    let watch = tokio::spawn(async move { c.watch(ObjectIdentifier::default()).await });
    let req = server.next_request().await;
    assert_eq!(req.content(), "CrtWatch");
    server
        .answer(req.api_call_id().expect("id"), "Watch created")
        .await;
    watch.await.expect("task").expect("watch")
}

fn event(watch_id: i32, volume: i32) -> bytes::Bytes {
    let event = MsgEvent {
        watch_id,
        event_action: "Value".into(),
        event_name: "VlmDiskState".into(),
        resource_name: Some("rsc1".into()),
        node_name: Some("alpha".into()),
        volume_number: Some(volume),
        snapshot_name: None,
    };
    let data = EventVlmDiskState {
        disk_state: Some("UpToDate".into()),
    };
    frame(&MsgHeader::oneway("Event"), &[&event, &data])
}

fn del_watch_id(req: &linstor_codec::Envelope) -> Option<i32> {
    (req.content() == "DelWatch").then(|| {
        req.body::<MsgDelWatch>(0)
            .expect("MsgDelWatch decodes")
            .watch_id
    })
}

#[tokio::test(start_paused = true)]
async fn reading_goes_on_while_the_peer_does_not_read() {
    let (client, mut server) = pair_with_buffer(ClientConfig::default(), 4096).await;
    let mut watch = watch(&client, &mut server).await;
    let early = spawn_call(&client, Request::LstNode);
    let early_id = server.next_request().await.api_call_id().expect("id");

    // From here on the controller reads nothing until the end.
    let calls = block_writes(&client).await;
    let mut out = event(watch.id(), 7).to_vec();
    out.extend_from_slice(&reply(early_id, "listed"));
    out.extend_from_slice(&eoia(early_id));
    out.extend_from_slice(&complete(early_id));
    server.send(&out).await;

    let answers = tokio::time::timeout(TIMEOUT, early)
        .await
        .expect("the answer is read while the client's writes are blocked")
        .expect("task")
        .expect("answered");
    assert_eq!(
        answers.replies().map(|r| r.message()).collect::<Vec<_>>(),
        ["listed"]
    );
    let e = tokio::time::timeout(TIMEOUT, watch.next())
        .await
        .expect("the event is read while the client's writes are blocked")
        .expect("an item")
        .expect("an event");
    assert_eq!(e.volume_number, Some(7));
    assert!(matches!(e.action, EventAction::VolumeDiskState(_)));

    // Now the controller reads: every queued request arrives once, whole, in order of
    // sending, and every call completes.
    let seen = drain(&mut server, |seen| seen.len() == FILLERS + 1).await;
    let big: MsgSetCtrlCfgProp = seen[0].body(0).expect("the big request decodes");
    assert_eq!(big.value.len(), 200_000);
    let ids: HashSet<_> = seen.iter().filter_map(|r| r.api_call_id()).collect();
    assert_eq!(ids.len(), FILLERS + 1, "no request twice");
    assert!(seen[1..].iter().all(|r| r.content() == "Ping"));
    join_all(calls).await;
}

#[tokio::test(start_paused = true)]
async fn a_call_given_up_while_the_command_queue_is_full_is_never_sent() {
    let (client, mut server) = pair_with_buffer(ClientConfig::default(), 4096).await;
    let mut calls = vec![spawn_call(&client, big_request(200_000))];
    settle().await;
    // Queued behind the big request, then buried under more calls than the queue holds.
    let c = client.clone();
    let target = tokio::spawn(async move {
        let options = CallOptions {
            timeout: Some(Duration::from_secs(10)),
            ..CallOptions::default()
        };
        c.call_with(&Request::LstRscDfn, options).await
    });
    settle().await;
    calls.extend((0..FILLERS).map(|_| spawn_call(&client, Request::Ping)));
    settle().await;

    let err = tokio::time::timeout(TIMEOUT, target)
        .await
        .expect("the call times out")
        .expect("task")
        .expect_err("nobody answers it");
    let ClientError::Timeout { api_call_id, .. } = err else {
        panic!("a timeout, not {err}");
    };
    settle().await;

    let seen = drain(&mut server, |seen| seen.len() == FILLERS + 1).await;
    assert!(
        seen.iter().all(|r| r.api_call_id() != Some(api_call_id)),
        "the call given up was sent"
    );
    join_all(calls).await;
    assert!(
        server.frame_within(Duration::from_secs(5)).await.is_none(),
        "nothing else is sent"
    );
    assert!(client.is_connected());
}

#[tokio::test(start_paused = true)]
async fn a_call_waiting_for_room_in_the_command_queue_times_out() {
    let (client, mut server) = pair_with_buffer(ClientConfig::default(), 4096).await;
    let calls = block_writes(&client).await;
    let options = CallOptions {
        timeout: Some(Duration::from_secs(10)),
        ..CallOptions::default()
    };
    let err = tokio::time::timeout(TIMEOUT, client.call_with(&Request::LstNode, options))
        .await
        .expect("the call's timeout covers its wait for room in the queue")
        .expect_err("nobody answers it");
    let ClientError::Timeout { api_call_id, .. } = err else {
        panic!("a timeout, not {err}");
    };
    let seen = drain(&mut server, |seen| seen.len() == FILLERS + 1).await;
    assert!(seen.iter().all(|r| r.api_call_id() != Some(api_call_id)));
    join_all(calls).await;
}

#[tokio::test(start_paused = true)]
async fn a_watch_dropped_while_the_command_queue_is_full_is_deleted() {
    let (client, mut server) = pair_with_buffer(ClientConfig::default(), 4096).await;
    let watch = watch(&client, &mut server).await;
    let watch_id = watch.id();
    let calls = block_writes(&client).await;
    drop(watch);
    settle().await;

    // The big request, the fillers and the DelWatch.
    let seen = drain(&mut server, |seen| seen.len() == FILLERS + 2).await;
    let deleted: Vec<_> = seen.iter().filter_map(del_watch_id).collect();
    assert_eq!(deleted, [watch_id], "one DelWatch for the dropped watch");
    join_all(calls).await;
}

#[tokio::test(start_paused = true)]
async fn a_watch_call_given_up_before_its_reply_deletes_the_watch() {
    let (client, mut server) = pair(ClientConfig::default()).await;
    let c = client.clone();
    let watch = tokio::spawn(async move { c.watch(ObjectIdentifier::default()).await });
    let req = server.next_request().await;
    assert_eq!(req.content(), "CrtWatch");
    let crt: MsgCrtWatch = req.body(0).expect("MsgCrtWatch");
    watch.abort();
    assert!(watch.await.expect_err("aborted").is_cancelled());
    let del = server.next_request().await;
    assert_eq!(del_watch_id(&del), Some(crt.watch_id));
}

#[tokio::test(start_paused = true)]
async fn a_watch_call_given_up_while_queued_is_never_sent() {
    let (client, mut server) = pair_with_buffer(ClientConfig::default(), 4096).await;
    let mut calls = vec![spawn_call(&client, big_request(200_000))];
    settle().await;
    let c = client.clone();
    let watch = tokio::spawn(async move { c.watch(ObjectIdentifier::default()).await });
    settle().await;
    calls.extend((0..FILLERS).map(|_| spawn_call(&client, Request::Ping)));
    settle().await;
    watch.abort();
    assert!(watch.await.expect_err("aborted").is_cancelled());
    settle().await;

    // The big request, the fillers, and the DelWatch of the abandoned watch (harmless: the
    // controller answers it for unknown ids too).
    let seen = drain(&mut server, |seen| seen.len() == FILLERS + 2).await;
    assert!(
        seen.iter().all(|r| r.content() != "CrtWatch"),
        "the abandoned CrtWatch was sent"
    );
    assert_eq!(
        seen.iter().filter_map(del_watch_id).collect::<Vec<_>>(),
        [1]
    );
    join_all(calls).await;
    assert!(server.frame_within(Duration::from_secs(5)).await.is_none());
}

/// Answers keep-alive pings `answered` times, then reads on without answering until the
/// client closes the pipe; returns the number of unanswered pings.
async fn keep_alive_script(server: &mut Server, answered: usize) -> usize {
    for _ in 0..answered {
        let req = server.next_request().await;
        assert_eq!(req.content(), "Ping");
        let id = req.api_call_id().expect("id");
        let mut out = frame(&MsgHeader::answer(id, "Pong"), &[]).to_vec();
        out.extend_from_slice(&eoia(id));
        out.extend_from_slice(&complete(id));
        server.send(&out).await;
    }
    let mut unanswered = 0;
    while let Some(f) = server.next_frame().await {
        let req = linstor_codec::Envelope::decode(f.payload_bytes()).expect("envelope");
        assert_eq!(req.content(), "Ping");
        unanswered += 1;
        assert!(
            unanswered < 20,
            "the client never gives up on unanswered pings"
        );
    }
    unanswered
}

#[tokio::test(start_paused = true)]
async fn missed_keep_alive_answers_close_the_connection_and_fail_everything_once() {
    let config = ClientConfig {
        keep_alive: Some(Duration::from_secs(5)),
        ..ClientConfig::default()
    };
    let (client, mut server) = pair(config).await;
    let mut watch = watch(&client, &mut server).await;
    let call = spawn_call(&client, Request::LstNode);
    assert_eq!(server.next_request().await.content(), "LstNode");

    // Answered pings keep the connection up; then three go unanswered (the default).
    let unanswered = keep_alive_script(&mut server, 4).await;
    assert_eq!(unanswered, 3);
    let err = tokio::time::timeout(TIMEOUT, call)
        .await
        .expect("the pending call fails at once")
        .expect("task")
        .expect_err("disconnected");
    assert!(err.is_disconnect(), "{err}");
    assert!(err.to_string().contains("keep-alive"), "{err}");
    let item = watch.next().await.expect("one error item");
    assert!(
        item.as_ref()
            .is_err_and(|e| e.to_string() == err.to_string()),
        "{item:?}"
    );
    assert!(watch.next().await.is_none(), "the watch fails once");
    assert!(!client.is_connected());
    assert!(client.ping().await.expect_err("closed").is_disconnect());
}

#[tokio::test(start_paused = true)]
async fn keep_alive_misses_is_configurable() {
    let config = ClientConfig {
        keep_alive: Some(Duration::from_secs(5)),
        keep_alive_misses: 1,
        ..ClientConfig::default()
    };
    let (client, mut server) = pair(config).await;
    assert_eq!(keep_alive_script(&mut server, 2).await, 1);
    let err = client.ping().await.expect_err("closed");
    assert!(err.to_string().contains("1 keep-alive"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn a_header_level_ping_gets_a_pong_also_right_after_the_greeting() {
    let (client_io, server_io) = tokio::io::duplex(1 << 16);
    let mut server = Server::new(server_io);
    // The greeting and a PING in one write, before the client reads anything.
    let mut first = greeting().to_vec();
    first.extend_from_slice(Frame::ping().as_bytes());
    server.send(&first).await;
    let client = Client::handshake(client_io, true, ClientConfig::default())
        .await
        .expect("handshake");
    assert_eq!(server.next_frame().await, Some(Frame::pong()));
    server.send(Frame::ping().as_bytes()).await;
    assert_eq!(server.next_frame().await, Some(Frame::pong()));
    // A PONG from the peer is not answered, and the connection works on.
    server.send(Frame::pong().as_bytes()).await;
    let ping = spawn_call(&client, Request::Ping);
    let req = server.next_request().await;
    assert_eq!(req.content(), "Ping");
    server.send(&complete(req.api_call_id().expect("id"))).await;
    ping.await.expect("task").expect("answered");
}

#[tokio::test(start_paused = true)]
async fn a_request_above_the_payload_limit_is_refused_locally() {
    let config = ClientConfig {
        max_payload: 1024,
        ..ClientConfig::default()
    };
    let (client, mut server) = pair(config).await;
    let err = client.call(&big_request(2000)).await.expect_err("refused");
    assert!(!err.is_disconnect() && !err.is_timeout(), "{err}");
    assert!(
        matches!(
            err.source().and_then(|s| s.downcast_ref::<CodecError>()),
            Some(CodecError::PayloadTooLarge { max: 1024, .. })
        ),
        "{err:?}"
    );
    assert!(client.is_connected());
    let ping = spawn_call(&client, Request::Ping);
    let req = server.next_request().await;
    assert_eq!(req.content(), "Ping", "the refused request was not sent");
    server.send(&complete(req.api_call_id().expect("id"))).await;
    ping.await.expect("task").expect("answered");
}

#[tokio::test(start_paused = true)]
async fn a_frame_above_the_payload_limit_from_the_peer_disconnects_with_the_codec_error() {
    let config = ClientConfig {
        max_answer_payload: 1024,
        ..ClientConfig::default()
    };
    let (client, mut server) = pair(config).await;
    let mut watch = watch(&client, &mut server).await;
    let call = spawn_call(&client, Request::LstNode);
    let id = server.next_request().await.api_call_id().expect("id");
    server.send(&reply(id, &"y".repeat(2000))).await;
    let err = call.await.expect("task").expect_err("disconnected");
    assert!(err.is_disconnect(), "{err}");
    assert!(
        matches!(
            err.source().and_then(|s| s.downcast_ref::<CodecError>()),
            Some(CodecError::PayloadTooLarge { max: 1024, .. })
        ),
        "{err:?}"
    );
    assert!(watch.next().await.expect("one item").is_err());
    assert!(watch.next().await.is_none());
    assert_eq!(
        server.next_frame().await,
        None,
        "the client closed the pipe"
    );
}

#[tokio::test]
async fn the_default_client_takes_a_list_answer_far_above_16_mib() {
    use linstor_proto::messages::{MsgLstNode, Node};
    let (client, mut server) = pair(ClientConfig::default()).await;
    let list = tokio::spawn({
        let c = client.clone();
        async move { c.node_list().await }
    });
    let req = server.next_request().await;
    let id = req.api_call_id().expect("id");
    // 40 nodes of 1 MiB each: a 40 MiB payload, as a controller with tens of thousands of
    // resources sends.
    let nodes = (0..40)
        .map(|i| Node {
            name: format!("n{i}"),
            r#type: "SATELLITE".into(),
            uuid: Some("x".repeat(1 << 20)),
            ..Node::default()
        })
        .collect();
    let answer = MsgLstNode { nodes };
    server
        .send(&frame(&MsgHeader::answer(id, "LstNode"), &[&answer]))
        .await;
    server.send(&complete(id)).await;
    let got = list.await.expect("task").expect("the list");
    assert_eq!(got.nodes.len(), 40);
    assert_eq!(got.nodes[39].uuid.as_deref().map(str::len), Some(1 << 20));
    assert!(client.is_connected());
}
