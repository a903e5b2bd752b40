//! The client against the in-process mock controller, call family by call family, plus
//! connection handling: version check, many calls in flight, watches, timeouts, a killed
//! controller, dropped call futures, multiple controllers.

use std::time::Duration;

use futures::StreamExt;
use linstor_client::requests::*;
use linstor_client::{CallOptions, Client, ClientConfig, ClientError, EventAction};
use linstor_mock::{Config, Faults, MockController};
use linstor_proto::messages::{MsgDelRsc, MsgLstKvsProps, MsgReqErrorReport, MsgReqRscConn};
use linstor_proto::{Request, ReturnCode};
use linstor_tests::mock::{auto_place, connect, demo, start};

#[tokio::test]
async fn connect_greeting_and_version_check() {
    let (mock, client) = demo().await;
    assert_eq!(
        client.controller_info(),
        Some(linstor_mock::DEFAULT_CONTROLLER_INFO)
    );
    assert!(client.is_connected());
    let v4 = MockController::start(Config {
        api_version: 4,
        ..Config::default()
    })
    .await
    .expect("mock starts");
    let err = Client::connect(&format!("linstor://{}", v4.addr()))
        .await
        .unwrap_err();
    assert!(err.is_version_mismatch());
    assert_eq!(
        err.to_string(),
        "client API version '3' is incompatible with controller version '4'"
    );
    let addr = mock.addr();
    mock.shutdown().await;
    let err = Client::connect(&format!("linstor://{addr}"))
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Connect { .. }), "{err}");
    assert!(matches!(
        Client::connect("http://x").await,
        Err(ClientError::InvalidUri { .. })
    ));
}

#[tokio::test]
async fn connect_timeout_when_no_greeting_comes() {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = silent.local_addr().expect("addr");
    let config = ClientConfig {
        connect_timeout: Duration::from_millis(200),
        ..ClientConfig::default()
    };
    let err = Client::connect_with(&format!("linstor://{addr}"), config)
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
}

#[tokio::test]
async fn multiple_controllers_are_tried_in_order() {
    let (mock, _) = demo().await;
    let dead = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind")
        .local_addr()
        .expect("addr");
    let uris = vec![
        format!("linstor://{dead}"),
        format!("linstor://{}", mock.addr()),
    ];
    let client = Client::connect_any(&uris, ClientConfig::default())
        .await
        .expect("second one connects");
    client.ping().await.expect("ping");
    let err = Client::connect_any(&uris[..1], ClientConfig::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ClientError::AllControllersFailed(list) if list.len() == 1),
        "{err}"
    );
}

#[tokio::test]
async fn nodes_pools_resources_and_lists() {
    let (_mock, c) = demo().await;
    let nodes = c.node_list().await.expect("list");
    assert_eq!(nodes.nodes.len(), 3);
    let a = c
        .node_create(&NodeCreate::new("delta", "Satellite", "10.0.0.4"))
        .await
        .expect("call");
    assert!(a.is_success());
    assert_eq!(
        a.replies().next().unwrap().message(),
        "New node 'delta' registered."
    );
    let a = c
        .node_create(&NodeCreate::new("DELTA", "Satellite", "10.0.0.4"))
        .await
        .expect("call");
    let e = a.first_error().expect("an error");
    assert!(e.ret_code().is_code(ReturnCode::FAIL_EXISTS_NODE));
    assert_eq!(e.object_refs().next(), Some(("Node", "DELTA")));

    let pools = c
        .storage_pool_list(&ListFilter::default())
        .await
        .expect("list");
    assert_eq!(pools.stor_pools.len(), 3);
    let created = auto_place(&c, "web", 10240, 2).await;
    assert!(created.is_success(), "{created:?}");
    let rscs = c
        .resource_list(&ListFilter {
            resources: vec!["web".into()],
            ..Default::default()
        })
        .await
        .expect("list");
    assert_eq!(rscs.resources.len(), 2);
    assert!(
        rscs.resources
            .iter()
            .all(|r| r.vlms[0].device_path.as_deref() == Some("/dev/drbd1000"))
    );
    let vols = c.volume_list(&ListFilter::default()).await.expect("list");
    assert_eq!(
        vols.list::<linstor_proto::messages::MsgLstRsc>()
            .unwrap()
            .resources
            .len(),
        2
    );
    assert!(
        c.resource_delete_if_diskless("alpha", "web")
            .await
            .expect("call")
            .is_none(),
        "diskful: not deleted"
    );

    let err = c
        .resource_conn_list(MsgReqRscConn {
            rsc_name: "nope".into(),
        })
        .await
        .unwrap_err();
    assert!(err.is_api_call(), "{err}");
    let kv = KeyValueStoreModify {
        instance_name: "kv".into(),
        property_dict: vec![("/a/b".into(), "c".into())],
        ..Default::default()
    };
    assert!(
        c.keyvaluestore_modify(&kv)
            .await
            .expect("call")
            .is_success()
    );
    let list = c
        .keyvaluestore_list(MsgLstKvsProps {
            instance_name: "kv".into(),
        })
        .await
        .expect("list");
    assert_eq!(list.props[0].key, "a/b");
    let reports = c
        .error_report_list(MsgReqErrorReport::default())
        .await
        .expect("call");
    assert!(reports.is_empty(), "no reports, no answers");
    let invalid = c
        .node_create(&NodeCreate::new("x", "Robot", "1.2.3.4"))
        .await
        .unwrap_err();
    assert!(matches!(invalid, ClientError::InvalidArgument(_)));
}

#[tokio::test]
async fn many_calls_in_flight_on_one_connection() {
    let (_mock, c) = demo().await;
    let calls = (0..200).map(|i| {
        let c = c.clone();
        async move {
            if i % 2 == 0 {
                c.ping().await.map(|_| 0)
            } else {
                c.node_list().await.map(|l| l.nodes.len())
            }
        }
    });
    let results = futures::future::join_all(calls).await;
    assert!(
        results
            .iter()
            .enumerate()
            .all(|(i, r)| matches!(r, Ok(n) if *n == if i % 2 == 0 { 0 } else { 3 }))
    );
}

#[tokio::test]
async fn watches_stream_values_and_closes() {
    let (_mock, c) = demo().await;
    auto_place(&c, "db", 4096, 1).await;
    let mut watch = c
        .watch(ObjectIdentifier {
            resource_name: Some("db".into()),
            ..Default::default()
        })
        .await
        .expect("watch");
    assert!(watch.reply().is_success());
    let first = watch.next().await.expect("item").expect("event");
    assert_eq!(first.event_name, "ResourceState");
    assert!(matches!(first.action, EventAction::ResourceState(ref s) if s.ready == Some(true)));
    let second = watch.next().await.expect("item").expect("event");
    assert!(
        matches!(second.action, EventAction::VolumeDiskState(ref d) if d.disk_state.as_deref() == Some("UpToDate"))
    );
    let node = first.node_name.clone().expect("node");
    c.resource_delete(MsgDelRsc {
        node_name: node,
        rsc_name: "db".into(),
        ..Default::default()
    })
    .await
    .expect("deleted");
    let close = watch.next().await.expect("item").expect("event");
    assert_eq!(
        (close.event_name.as_str(), close.action),
        ("VlmDiskState", EventAction::CloseRemoved)
    );

    // The handler style of watch_events: ends when a handler returns a value; the current
    // value of the remaining streams arrives at once.
    auto_place(&c, "app", 4096, 1).await;
    let done = tokio::time::timeout(
        Duration::from_secs(10),
        c.watch_events(
            ObjectIdentifier { resource_name: Some("app".into()), ..Default::default() },
            |reply| (!reply.is_success()).then_some("failed"),
            |event| matches!(&event.action, EventAction::VolumeDiskState(d) if d.disk_state.as_deref() == Some("UpToDate")).then_some("up to date"),
        ),
    )
    .await
    .expect("no hang");
    assert_eq!(done.expect("watch"), Some("up to date"));
}

#[tokio::test]
async fn a_call_timeout_says_the_controller_may_still_complete_it() {
    let faults = Faults {
        answer_delay: Duration::from_millis(500),
        ..Faults::default()
    };
    let (_mock, c) = start(Config {
        faults,
        ..Config::default()
    })
    .await;
    let err = c
        .call_with(
            &Request::Ping,
            CallOptions {
                timeout: Some(Duration::from_millis(50)),
                ..CallOptions::default()
            },
        )
        .await
        .unwrap_err();
    assert!(err.is_timeout());
    assert!(err.to_string().contains("may still complete"), "{err}");
    // The late answer is discarded and the connection keeps working.
    c.ping().await.expect("next call works");
}

#[tokio::test]
async fn dropping_a_call_future_frees_its_slot() {
    let faults = Faults {
        answer_delay: Duration::from_millis(200),
        ..Faults::default()
    };
    let (mock, c) = start(Config {
        faults,
        ..Config::default()
    })
    .await;
    let args = NodeCreate::new("late", "Satellite", "10.0.0.9");
    let slow = c.node_create(&args);
    assert!(
        tokio::time::timeout(Duration::from_millis(20), slow)
            .await
            .is_err(),
        "gave up early"
    );
    mock.set_faults(Faults::default());
    c.ping().await.expect("still usable");
    // The controller still completes the abandoned call (its answers are discarded).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while c.node_list().await.expect("list").nodes.is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the abandoned call never completed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_dying_controller_fails_every_pending_call_and_watch_at_once() {
    let (mock, c) = start(Config::default()).await;
    let watch_client = connect(&mock).await;
    let mut watch = watch_client
        .watch(ObjectIdentifier::default())
        .await
        .expect("watch");
    // From now on the controller never answers in time: every ping stays pending (or, if it
    // is sent only after the controller died, fails to be sent); either way it must end with
    // Disconnected, promptly.
    mock.set_faults(Faults {
        answer_delay: Duration::from_secs(30),
        ..Faults::default()
    });
    let pending: Vec<_> = (0..5)
        .map(|_| {
            tokio::spawn({
                let c = c.clone();
                async move { c.ping().await }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(50)).await;
    drop(mock);
    for p in pending {
        let r = tokio::time::timeout(Duration::from_secs(5), p)
            .await
            .expect("no hang")
            .expect("task");
        assert!(r.unwrap_err().is_disconnect());
    }
    let end = tokio::time::timeout(Duration::from_secs(5), watch.next())
        .await
        .expect("no hang");
    assert!(end.expect("an error item").unwrap_err().is_disconnect());
    assert!(
        tokio::time::timeout(Duration::from_secs(5), watch.next())
            .await
            .expect("no hang")
            .is_none()
    );
    assert!(c.ping().await.unwrap_err().is_disconnect());
    assert!(!c.is_connected());
}

#[tokio::test]
async fn a_watch_on_one_resource_ends_with_its_close() {
    let (_mock, c) = demo().await;
    let placed = auto_place(&c, "one", 4096, 1).await;
    assert!(placed.is_success());
    let node = c
        .resource_list(&ListFilter::default())
        .await
        .expect("list")
        .resources[0]
        .node_name
        .clone();
    let object = ObjectIdentifier {
        node_name: Some(node.clone()),
        resource_name: Some("one".into()),
        ..Default::default()
    };
    let mut watch = c.watch(object).await.expect("watch");
    assert_eq!(
        watch.next().await.expect("item").expect("value").event_name,
        "ResourceState"
    );
    assert_eq!(
        watch.next().await.expect("item").expect("value").event_name,
        "VlmDiskState"
    );
    c.resource_delete(MsgDelRsc {
        node_name: node,
        rsc_name: "one".into(),
        ..Default::default()
    })
    .await
    .expect("deleted");
    let closes: Vec<_> = watch.collect().await;
    let closes: Vec<_> = closes
        .into_iter()
        .map(|e| e.expect("event"))
        .map(|e| (e.event_name, e.action))
        .collect();
    assert_eq!(
        closes,
        [
            ("VlmDiskState".to_owned(), EventAction::CloseRemoved),
            ("ResourceState".to_owned(), EventAction::CloseRemoved)
        ],
        "the stream ends with the resource's close"
    );
}
