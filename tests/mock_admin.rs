//! The mock's admin API (docs/admin-api.md) over HTTP while `linstor_client::Client`s make
//! calls: every endpoint, the journal's filters and bound, bad JSON, reset and seeding with
//! the close events of open watches, faults, SSE, metrics, and concurrent use.

use std::net::SocketAddr;
use std::time::Duration;

use futures::StreamExt;
use linstor_client::requests::*;
use linstor_client::{Client, EventAction};
use linstor_mock::Config;
use linstor_tests::mock::{auto_place, connect, with_admin};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// One HTTP/1.1 request with `Connection: close`: the status and the body (JSON when it
/// parses, else a string).
async fn http(addr: SocketAddr, method: &str, path: &str, body: Option<&[u8]>) -> (u16, Value) {
    let mut s = TcpStream::connect(addr).await.expect("admin API connects");
    let body = body.unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.expect("write");
    // A server that refuses a body (413) may close before it is all written: the answer
    // it sent first is what the test reads.
    let _ = s.write_all(body).await;
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out))
        .await
        .expect("answer within 10 s")
        .expect("read");
    let text = String::from_utf8(out).expect("utf-8");
    let (head, body) = text.split_once("\r\n\r\n").expect("a head");
    let status: u16 = head[9..12].parse().expect("status");
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "bodies have a length: {head}"
    );
    let value = serde_json::from_str(body).unwrap_or_else(|_| Value::String(body.to_owned()));
    (status, value)
}

async fn get(addr: SocketAddr, path: &str) -> Value {
    let (status, v) = http(addr, "GET", path, None).await;
    assert_eq!(status, 200, "GET {path}: {v}");
    v
}

fn calls(journal: &Value) -> Vec<String> {
    journal["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["call"].as_str().expect("call").to_owned())
        .collect()
}

#[tokio::test]
async fn the_journal_holds_exactly_the_calls_made_in_order() {
    let (_mock, admin, c) = with_admin(Config::default()).await;
    c.node_create(&NodeCreate::new("alpha", "Satellite", "10.0.0.1"))
        .await
        .expect("created");
    c.node_create(&NodeCreate::new("alpha", "Satellite", "10.0.0.1"))
        .await
        .expect("answered");
    c.node_list().await.expect("listed");
    c.ping().await.expect("pong");
    let journal = get(admin, "/api/v1/journal").await;
    assert_eq!(calls(&journal), ["CrtNode", "CrtNode", "LstNode", "Ping"]);
    let entries = journal["entries"].as_array().unwrap();
    let seqs: Vec<u64> = entries.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, [1, 2, 3, 4]);
    let ids: Vec<i64> = entries
        .iter()
        .map(|e| e["api_call_id"].as_i64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    let first = &entries[0];
    assert_eq!(first["request"]["node"]["name"], "alpha");
    assert_eq!(first["outcome"], "success");
    assert_eq!(first["answers"][0]["content"], "Reply");
    assert_eq!(first["answers"][0]["return_codes"][0]["name"], "CREATED");
    assert!(first["peer"].as_str().unwrap().starts_with("127.0.0.1:"));
    assert!(first["time"].as_str().unwrap().ends_with('Z'));
    assert!(first["duration_ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(entries[1]["outcome"], "error");
    assert_eq!(
        entries[1]["answers"][0]["return_codes"][0]["name"],
        "FAIL_EXISTS_NODE"
    );
    assert_eq!(entries[2]["answers"][0]["content"], "LstNode");
    assert_eq!(
        entries[2]["answers"][0]["bodies"][0]["nodes"][0]["name"],
        "alpha"
    );

    // Filters, on the list and on the count.
    let count = |q: &'static str| async move {
        get(admin, &format!("/api/v1/journal/count{q}")).await["count"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(count("").await, 4);
    assert_eq!(count("?call=CrtNode").await, 2);
    assert_eq!(count("?call=CrtNode&outcome=success").await, 1);
    assert_eq!(count("?outcome=error").await, 1);
    assert_eq!(count("?since=2").await, 2);
    assert_eq!(count("?call=CrtRsc").await, 0);
    let page = get(admin, "/api/v1/journal?since=1&limit=2").await;
    assert_eq!(calls(&page), ["CrtNode", "LstNode"]);
    assert_eq!(page["more"], true);
    let page = get(admin, "/api/v1/journal?call=LstNode").await;
    assert_eq!(calls(&page), ["LstNode"]);
    assert_eq!(page["more"], false);

    // Bad filters are 400 with a reason.
    for q in ["?outcome=maybe", "?since=x", "?limit=-1", "?colour=red"] {
        let (status, v) = http(admin, "GET", &format!("/api/v1/journal{q}"), None).await;
        assert_eq!(status, 400, "{q}: {v}");
        assert!(v["error"].is_string(), "{q}: {v}");
    }

    // Clearing.
    let (status, _) = http(admin, "DELETE", "/api/v1/journal", None).await;
    assert_eq!(status, 204);
    assert_eq!(count("").await, 0);
    c.node_list().await.expect("listed");
    let journal = get(admin, "/api/v1/journal").await;
    assert_eq!(calls(&journal), ["LstNode"]);
    assert_eq!(journal["entries"][0]["seq"], 5, "seq goes on after a clear");
}

#[tokio::test]
async fn the_journal_is_bounded_and_says_how_many_it_dropped() {
    let (_mock, admin, c) = with_admin(Config {
        journal_limit: 3,
        ..Config::default()
    })
    .await;
    for _ in 0..5 {
        c.node_list().await.expect("listed");
    }
    c.ping().await.expect("pong");
    let journal = get(admin, "/api/v1/journal").await;
    assert_eq!(calls(&journal), ["LstNode", "LstNode", "Ping"]);
    assert_eq!(journal["dropped"], 3);
    assert_eq!(journal["entries"][0]["seq"], 4);
    let metrics = get(admin, "/metrics").await;
    let text = metrics.as_str().expect("text");
    assert!(
        text.contains("linstor_mock_journal_dropped_entries 3"),
        "{text}"
    );
    assert!(text.contains("linstor_mock_journal_entries 3"), "{text}");
}

#[tokio::test]
async fn state_round_trips_and_bad_json_changes_nothing() {
    let (mock, admin, c) = with_admin(Config {
        demo: true,
        ..Config::default()
    })
    .await;
    auto_place(&c, "db", 4096, 2).await;
    let state = get(admin, "/api/v1/state").await;
    assert_eq!(state["nodes"].as_object().unwrap().len(), 3);
    assert_eq!(state["rscs"].as_array().unwrap().len(), 2);

    let (status, _) = http(admin, "POST", "/api/v1/reset", None).await;
    assert_eq!(status, 204);
    assert!(
        mock.model().resources().is_empty(),
        "reset: the demo cluster"
    );
    assert_eq!(mock.model().node_names(), ["alpha", "bravo", "charlie"]);

    let body = serde_json::to_vec(&state).unwrap();
    let (status, v) = http(admin, "PUT", "/api/v1/state", Some(&body)).await;
    assert_eq!(status, 204, "{v}");
    assert_eq!(get(admin, "/api/v1/state").await, state, "seeded as read");
    assert_eq!(mock.model().resources().len(), 2);
    let streams = get(admin, "/api/v1/streams").await;
    assert!(
        streams
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["event"] == "VlmDiskState" && s["value"]["disk_state"] == "UpToDate"),
        "{streams}"
    );
    let listed = c
        .resource_list(&ListFilter::default())
        .await
        .expect("listed");
    assert_eq!(listed.resources.len(), 2, "clients see the seeded model");

    // Invalid: not JSON, not a model, a model that breaks an invariant. Nothing changes.
    let mut broken = state.clone();
    broken["rscs"][0][1]["node_name"] = json!("nowhere");
    broken["rscs"][0][0][1] = json!("NOWHERE");
    for bad in [
        b"{not json".to_vec(),
        b"{\"nodes\": 5}".to_vec(),
        serde_json::to_vec(&broken).unwrap(),
    ] {
        let (status, v) = http(admin, "PUT", "/api/v1/state", Some(&bad)).await;
        assert_eq!(status, 400, "{v}");
        assert!(!v["error"].as_str().unwrap().is_empty());
        assert_eq!(get(admin, "/api/v1/state").await, state, "unchanged");
    }
}

#[tokio::test]
async fn reset_and_seeding_close_open_watches() {
    let (_mock, admin, c) = with_admin(Config {
        demo: true,
        ..Config::default()
    })
    .await;
    auto_place(&c, "db", 4096, 1).await;
    let watcher = connect(&_mock).await;
    let mut watch = watcher
        .watch(ObjectIdentifier::default())
        .await
        .expect("watch");
    // The current values first: the resource state and the volume's disk state.
    for _ in 0..2 {
        let e = watch.next().await.expect("item").expect("event");
        assert!(!matches!(e.action, EventAction::CloseRemoved), "{e:?}");
    }
    let conns = get(admin, "/api/v1/connections").await;
    let conns = conns.as_array().unwrap();
    assert_eq!(conns.len(), 2);
    let with_watch: Vec<&Value> = conns
        .iter()
        .filter(|c| !c["watches"].as_array().unwrap().is_empty())
        .collect();
    assert_eq!(with_watch.len(), 1);
    assert_eq!(with_watch[0]["watches"][0]["watch_id"], watch.id());

    let (status, _) = http(admin, "POST", "/api/v1/reset", None).await;
    assert_eq!(status, 204);
    let mut closed = Vec::new();
    for _ in 0..2 {
        let e = tokio::time::timeout(Duration::from_secs(5), watch.next())
            .await
            .expect("close events arrive")
            .expect("item")
            .expect("event");
        assert_eq!(e.action, EventAction::CloseRemoved);
        closed.push(e.event_name);
    }
    assert_eq!(closed, ["VlmDiskState", "ResourceState"], "volumes first");
}

#[tokio::test]
async fn faults_from_the_api_apply_to_the_next_calls() {
    let (_mock, admin, c) = with_admin(Config::default()).await;
    assert_eq!(
        get(admin, "/api/v1/faults").await,
        json!({"answer_delay_ms": 0, "drop_after_frames": null, "refuse_connections": false,
               "fail_calls": [], "fail_next": [], "delay_calls": []})
    );
    let faults = json!({
        "fail_next": [{"call": "CrtNode", "code": "FAIL_EXISTS_NODE", "count": 2}],
        "fail_calls": [{"call": "LstRscDfn", "code": "0xC000000000000001"}],
        "delay_calls": [{"call": "LstStorPool", "delay_ms": 300}],
    });
    let (status, shown) = http(
        admin,
        "PUT",
        "/api/v1/faults",
        Some(&serde_json::to_vec(&faults).unwrap()),
    )
    .await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["fail_next"][0]["count"], 2);
    let alpha = NodeCreate::new("alpha", "Satellite", "10.0.0.1");
    let create = || c.node_create(&alpha);
    let code = |a: &linstor_client::Answers| a.first_error().map(|e| e.ret_code().0);
    assert_eq!(
        code(&create().await.expect("answered")),
        Some(linstor_proto::ReturnCode::FAIL_EXISTS_NODE.0)
    );
    assert_eq!(
        get(admin, "/api/v1/faults").await["fail_next"][0]["count"],
        1,
        "counted down"
    );
    assert!(create().await.expect("answered").first_error().is_some());
    assert!(
        create().await.expect("answered").is_success(),
        "the third one is real"
    );
    assert_eq!(get(admin, "/api/v1/faults").await["fail_next"], json!([]));
    let lst = c
        .call(&linstor_proto::Request::LstRscDfn)
        .await
        .expect("answered");
    assert_eq!(code(&lst), Some(0xC000_0000_0000_0001));
    let started = std::time::Instant::now();
    c.storage_pool_list(&ListFilter::default())
        .await
        .expect("listed");
    assert!(started.elapsed() >= Duration::from_millis(300), "delayed");
    let journal = get(admin, "/api/v1/journal?call=CrtNode").await;
    let outcomes: Vec<&str> = journal["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["error", "error", "success"]);

    let (status, _) = http(admin, "DELETE", "/api/v1/faults", None).await;
    assert_eq!(status, 204);
    let lst = c
        .call(&linstor_proto::Request::LstRscDfn)
        .await
        .expect("ok");
    assert_eq!(code(&lst), None, "cleared");

    for bad in [
        &b"[1,2]"[..],
        br#"{"fail_calls":[{"call":"Nope","code":"FAIL_IN_USE"}]}"#,
        br#"{"fail_next":[{"call":"CrtNode","code":"NOT_A_CODE","count":1}]}"#,
        br#"{"answer_delay_ms": 100000000}"#,
    ] {
        let (status, v) = http(admin, "PUT", "/api/v1/faults", Some(bad)).await;
        assert_eq!(status, 400, "{v}");
        assert!(v["error"].is_string());
    }
    assert_eq!(get(admin, "/api/v1/faults").await["fail_calls"], json!([]));
}

#[tokio::test]
async fn refuse_connections_from_the_api() {
    let (mock, admin, _c) = with_admin(Config::default()).await;
    let body = br#"{"refuse_connections": true}"#;
    assert_eq!(
        http(admin, "PUT", "/api/v1/faults", Some(body)).await.0,
        200
    );
    let refused = tokio::time::timeout(
        Duration::from_secs(5),
        Client::connect(&format!("linstor://{}", mock.addr())),
    )
    .await
    .expect("no hang");
    assert!(refused.is_err());
}

#[tokio::test]
async fn server_sent_events_carry_journal_entries_and_stream_changes() {
    let (_mock, admin, c) = with_admin(Config {
        demo: true,
        ..Config::default()
    })
    .await;
    let mut s = TcpStream::connect(admin).await.unwrap();
    s.write_all(b"GET /api/v1/events HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let mut lines = BufReader::new(s).lines();
    let status = lines.next_line().await.unwrap().unwrap();
    assert!(status.contains("200"), "{status}");
    // The subscription exists once the head is sent.
    loop {
        if lines.next_line().await.unwrap().unwrap().is_empty() {
            break;
        }
    }
    auto_place(&c, "web", 1024, 1).await;
    let mut seen = Vec::new();
    let mut uptodate = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !(uptodate && seen.iter().any(|c| c == "AutoPlaceRsc")) {
        let line = tokio::time::timeout_at(deadline, lines.next_line())
            .await
            .expect("events within 10 s")
            .unwrap()
            .unwrap();
        if let Some(data) = line.strip_prefix("data: ") {
            let v: Value = serde_json::from_str(data).expect("JSON data");
            if let Some(call) = v["call"].as_str() {
                seen.push(call.to_owned());
            }
            if v["event"] == "VlmDiskState" && v["value"]["disk_state"] == "UpToDate" {
                assert_eq!(v["resource"], "web");
                uptodate = true;
            }
        }
    }
    assert_eq!(seen, ["CrtRscDfn", "CrtVlmDfn", "AutoPlaceRsc"]);
}

#[tokio::test]
async fn metrics_count_calls_by_name_and_outcome() {
    let (mock, admin, c) = with_admin(Config::default()).await;
    for _ in 0..3 {
        c.node_list().await.expect("listed");
    }
    let _ = c
        .node_create(&NodeCreate::new("bad name!", "Satellite", "10.0.0.1"))
        .await;
    // Made-up call names share one label; the journal keeps the name as sent.
    let (mut raw, _) = linstor_tests::raw::RawClient::connect(mock.addr()).await;
    raw.call("NoSuchCall1", None).await;
    raw.call("NoSuchCall2", None).await;
    let unknown = get(admin, "/api/v1/journal?call=NoSuchCall2").await;
    assert_eq!(unknown["entries"][0]["outcome"], "error");
    assert_eq!(
        unknown["entries"][0]["answers"][0]["return_codes"][0]["name"],
        "UNKNOWN_API_CALL"
    );
    drop(raw);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while mock.stats().connections != 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the raw connection closes"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let metrics = get(admin, "/metrics").await;
    let text = metrics.as_str().unwrap();
    for line in [
        r#"linstor_mock_calls_total{call="LstNode",outcome="success"} 3"#,
        r#"linstor_mock_calls_total{call="CrtNode",outcome="error"} 1"#,
        r#"linstor_mock_call_duration_seconds_count{call="LstNode"} 3"#,
        r#"linstor_mock_calls_total{call="(unknown)",outcome="error"} 2"#,
        "linstor_mock_connections 1",
        "linstor_mock_watches 0",
        "linstor_mock_journal_entries 6",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
    }
}

#[tokio::test]
async fn errors_are_json_unknown_paths_404_bodies_bounded() {
    let (_mock, admin, _c) = with_admin(Config::default()).await;
    let (status, v) = http(admin, "GET", "/api/v1/nope", None).await;
    assert_eq!((status, v["error"].is_string()), (404, true), "{v}");
    let (status, v) = http(admin, "GET", "/api/v2/state", None).await;
    assert_eq!((status, v["error"].is_string()), (404, true), "{v}");
    let (status, v) = http(admin, "POST", "/api/v1/state", None).await;
    assert_eq!((status, v["error"].is_string()), (405, true), "{v}");
    // One byte above the limit: the server reads it all before it refuses, so it closes
    // without unread bytes (a reset could lose its answer).
    let big = vec![b' '; 64 * 1024 * 1024 + 1];
    let (status, v) = http(admin, "PUT", "/api/v1/state", Some(&big)).await;
    assert_eq!(status, 413, "{v}");
    let (status, page) = http(admin, "GET", "/", None).await;
    assert_eq!(status, 200);
    let page = page.as_str().unwrap();
    assert!(page.contains("<title>linstor-mock</title>"));
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "no external request"
    );
    let js = get(admin, "/assets/app.js").await;
    assert!(js.as_str().unwrap().contains("EventSource"));
    let info = get(admin, "/api/v1/info").await;
    assert_eq!(
        info["calls"].as_array().unwrap().len(),
        linstor_proto::Call::ALL.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_clients_and_admin_calls_lose_nothing() {
    let (mock, admin, _c) = with_admin(Config {
        demo: true,
        ..Config::default()
    })
    .await;
    const CLIENTS: usize = 4;
    const CALLS: usize = 25;
    let mut tasks = Vec::new();
    for i in 0..CLIENTS {
        let addr = mock.addr();
        tasks.push(tokio::spawn(async move {
            let c = Client::connect(&format!("linstor://{addr}"))
                .await
                .expect("connects");
            for j in 0..CALLS {
                if (i + j) % 5 == 0 {
                    c.node_list().await.expect("listed");
                } else {
                    c.ping().await.expect("pong");
                }
            }
        }));
    }
    let poller = tokio::spawn(async move {
        let mut polls = 0;
        for _ in 0..20 {
            let _ = get(admin, "/api/v1/journal?limit=50").await;
            let _ = get(admin, "/api/v1/state").await;
            let _ = get(admin, "/metrics").await;
            let _ = get(admin, "/api/v1/connections").await;
            polls += 1;
        }
        polls
    });
    for t in tasks {
        t.await.expect("client task");
    }
    assert_eq!(poller.await.expect("poller"), 20);
    let journal = get(admin, "/api/v1/journal").await;
    let entries = journal["entries"].as_array().unwrap();
    assert_eq!(entries.len(), CLIENTS * CALLS);
    assert_eq!(
        get(admin, "/api/v1/journal/count?call=LstNode").await["count"],
        CLIENTS * CALLS / 5
    );
    // In order: seq strictly rising, and each connection's api_call_ids rising.
    assert!(
        entries
            .windows(2)
            .all(|w| w[0]["seq"].as_u64() < w[1]["seq"].as_u64())
    );
    let mut last = std::collections::HashMap::new();
    for e in entries {
        let conn = e["connection"].as_u64().unwrap();
        let id = e["api_call_id"].as_i64().unwrap();
        let prev = last.insert(conn, id);
        assert!(
            prev.is_none_or(|p| p < id),
            "connection {conn}: {prev:?} then {id}"
        );
    }
    assert_eq!(last.len(), CLIENTS);
}

#[tokio::test]
async fn a_reset_drops_the_events_the_old_model_scheduled() {
    let (mock, admin, c) = with_admin(Config {
        demo: true,
        event_delay: Duration::from_millis(500),
        ..Config::default()
    })
    .await;
    let c = std::sync::Arc::new(c);
    let mut watch = c.watch(ObjectIdentifier::default()).await.expect("watch");
    let placing = {
        let c = c.clone();
        tokio::spawn(async move {
            c.resource_create_and_auto_place(
                "db",
                4096,
                PlacementFilter {
                    place_count: 1,
                    ..Default::default()
                },
                false,
            )
            .await
        })
    };
    // AutoPlaceRsc is journaled when its answers are decided, before its delayed events.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while get(admin, "/api/v1/journal/count?call=AutoPlaceRsc").await["count"] != 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "AutoPlaceRsc arrives"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let (status, _) = http(admin, "POST", "/api/v1/reset", None).await;
    assert_eq!(status, 204);
    // The call is still answered; events to this connection come before its COMPLETE, so
    // any stale one would be queued on the watch by now.
    let _ = placing.await.expect("task");
    assert!(mock.model().resources().is_empty());
    while let Some(Some(event)) = futures::FutureExt::now_or_never(watch.next()) {
        let event = event.expect("event");
        assert_eq!(event.action, EventAction::CloseRemoved, "{event:?}");
    }
}

#[tokio::test]
async fn scenario_routes_drive_the_cluster() {
    let (mock, admin, client) = with_admin(Config {
        demo: true,
        ..Config::default()
    })
    .await;
    for r in [
        linstor_proto::Request::CrtRscDfn(linstor_proto::messages::MsgCrtRscDfn {
            rsc_dfn: linstor_proto::messages::RscDfn {
                rsc_name: "r1".into(),
                ..Default::default()
            },
        }),
        linstor_proto::Request::CrtVlmDfn(linstor_proto::messages::MsgCrtVlmDfn {
            rsc_name: "r1".into(),
            vlm_dfns: vec![linstor_proto::messages::VlmDfn {
                vlm_size: 1024,
                ..Default::default()
            }],
            ..Default::default()
        }),
    ] {
        assert!(client.call(&r).await.expect("answered").no_error());
    }
    let placed = client
        .resource_auto_place(&ResourceAutoPlace {
            rsc_name: "r1".into(),
            filter: PlacementFilter {
                place_count: 3,
                ..Default::default()
            },
            diskless_on_remaining: false,
        })
        .await
        .expect("placed");
    assert!(placed.no_error(), "{:?}", placed.first_error());
    let mut watch = client
        .watch(ObjectIdentifier {
            node_name: Some("alpha".into()),
            ..Default::default()
        })
        .await
        .expect("watch");
    for _ in 0..2 {
        watch.next().await.expect("item").expect("current value");
    }

    let (status, _) = http(admin, "POST", "/api/v1/nodes/alpha/offline", None).await;
    assert_eq!(status, 204);
    for _ in 0..2 {
        let e = watch.next().await.expect("item").expect("event");
        assert_eq!(e.action, EventAction::CloseNoConnection);
    }
    assert_eq!(mock.model().is_node_online("alpha"), Some(false));
    let (status, body) = http(admin, "POST", "/api/v1/nodes/nope/offline", None).await;
    assert_eq!(
        (status, body),
        (404, json!({"error": "node 'nope' does not exist"}))
    );
    let (status, _) = http(admin, "POST", "/api/v1/nodes/alpha/online", None).await;
    assert_eq!(status, 204);
    let e = watch.next().await.expect("item").expect("event");
    assert!(matches!(e.action, EventAction::VolumeDiskState(_)), "{e:?}");
    watch.next().await.expect("item").expect("resource state");

    let (status, _) = http(
        admin,
        "PUT",
        "/api/v1/resources/r1/alpha/volumes/0/disk-state",
        Some(br#"{"state": "Outdated"}"#),
    )
    .await;
    assert_eq!(status, 204);
    let e = watch.next().await.expect("item").expect("event");
    assert!(
        matches!(&e.action, EventAction::VolumeDiskState(d) if d.disk_state.as_deref() == Some("Outdated")),
        "{e:?}"
    );
    let (status, body) = http(
        admin,
        "PUT",
        "/api/v1/resources/r1/alpha/volumes/0/disk-state",
        Some(br#"{"state": "Melted"}"#),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("unknown disk state 'Melted'")),
        "{body}"
    );

    let (status, _) = http(
        admin,
        "PUT",
        "/api/v1/nodes/alpha/pools/drbdpool/capacity",
        Some(br#"{"total_kib": 2048, "reserved_kib": 1024}"#),
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = http(
        admin,
        "PUT",
        "/api/v1/nodes/bravo/delay",
        Some(br#"{"delay": "250ms"}"#),
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = http(
        admin,
        "POST",
        "/api/v1/resync",
        Some(br#"{"node": "charlie", "duration": "2s"}"#),
    )
    .await;
    assert_eq!(status, 204);
    let (status, body) = http(
        admin,
        "POST",
        "/api/v1/scenario",
        Some(br#"{"steps": [{"at": "100ms", "action": "node_offline", "node": "bravo"}, {"at": "200ms", "action": "node_online", "node": "ghost"}]}"#),
    )
    .await;
    assert_eq!((status, body), (202, json!({"steps": 2})));
    let (status, body) = http(
        admin,
        "POST",
        "/api/v1/scenario",
        Some(br#"{"steps": [{"action": "node_offline"}]}"#),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"error": "scenario: step 1 (node_offline): missing field `node`"})
        )
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let state = get(admin, "/api/v1/scenario").await;
    assert_eq!(state["offline_nodes"], json!(["bravo"]));
    assert_eq!(
        state["resync_rules"],
        json!([{"node": "charlie", "duration_ms": 2000, "progress_steps": 0}])
    );
    assert_eq!(
        state["slow_satellites"],
        json!([{"node": "bravo", "delay_ms": 250}])
    );
    assert_eq!(
        state["failures"],
        json!(["step node_online failed: node 'ghost' does not exist"])
    );
    // The model's state shows the pool's new capacity.
    let list = client
        .storage_pool_list(&ListFilter::default())
        .await
        .expect("listed");
    let alpha = list
        .stor_pools
        .iter()
        .find(|p| p.node_name == "alpha" && p.stor_pool_name == "drbdpool")
        .and_then(|p| p.free_space.as_ref())
        .map(|f| (f.free_capacity, f.total_capacity));
    assert_eq!(alpha, Some((1024, 2048)));
}
