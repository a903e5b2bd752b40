//! Mock controller part 2 features seen from the wire: the demo cluster, the delayed event
//! script, and injected faults.

use std::time::{Duration, Instant};

use linstor_mock::{Config, Faults};
use linstor_proto::ReturnCode as RC;
use linstor_proto::messages::*;
use linstor_tests::raw::{RawClient, rsc_dfn, start_mock};

#[tokio::test]
async fn demo_cluster_has_three_satellites_with_thin_pools() {
    let (_mock, mut c) = start_mock(Config {
        demo: true,
        ..Config::default()
    })
    .await;
    let nodes: MsgLstNode = c.call("LstNode", None).await.first().body(0).unwrap();
    let names: Vec<_> = nodes.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["alpha", "bravo", "charlie"]);
    assert!(nodes.nodes.iter().all(|n| n.r#type == "SATELLITE" && n.net_interfaces[0].address.starts_with("127.0.0.")));
    let pools: MsgLstStorPool = c
        .call("LstStorPool", Some(&Filter::default()))
        .await
        .first()
        .body(0)
        .unwrap();
    assert_eq!(pools.stor_pools.len(), 3);
    assert!(
        pools
            .stor_pools
            .iter()
            .all(|p| p.stor_pool_name == "drbdpool" && p.driver == "LvmThinDriver")
    );
}

#[tokio::test]
async fn event_script_runs_after_the_immediate_answers_and_before_complete() {
    let config = Config {
        demo: true,
        event_delay: Duration::from_millis(50),
        ..Config::default()
    };
    let (_mock, mut c) = start_mock(config).await;
    let w = MsgCrtWatch {
        watch_id: 1,
        ..Default::default()
    };
    c.call("CrtWatch", Some(&w)).await;
    c.call("CrtRscDfn", Some(&rsc_dfn("res1"))).await;
    let vd = MsgCrtVlmDfn {
        rsc_name: "res1".into(),
        vlm_dfns: vec![VlmDfn {
            vlm_size: 1024,
            vlm_props: vec![LinStorMapEntry {
                key: "StorPoolName".into(),
                value: "drbdpool".into(),
            }],
            ..Default::default()
        }],
        ..Default::default()
    };
    c.call("CrtVlmDfn", Some(&vd)).await;
    let started = Instant::now();
    let r = c
        .call(
            "CrtRsc",
            Some(&MsgCrtRsc {
                rscs: vec![Rsc {
                    name: "res1".into(),
                    node_name: "alpha".into(),
                    ..Default::default()
                }],
            }),
        )
        .await;
    assert!(
        started.elapsed() >= Duration::from_millis(50),
        "COMPLETE waits for the script"
    );
    assert_eq!(
        r.events.len(),
        2,
        "VlmDiskState then ResourceState arrive before COMPLETE"
    );
    let first: MsgEvent = r.events[0].body(0).unwrap();
    assert_eq!(first.event_name, "VlmDiskState");
    let state: eventdata::EventRscState = r.events[1].body(1).unwrap();
    assert_eq!((state.ready, state.up_to_date), (Some(true), Some(true)));
    let last = r.replies().last().unwrap().clone();
    assert_eq!(last.message, "Resource 'res1' on 'alpha' ready");
}

#[tokio::test]
async fn injected_failure_and_answer_delay() {
    let faults = Faults {
        fail_calls: vec![(linstor_proto::Call::CrtRscDfn, RC::FAIL_IN_USE)],
        ..Faults::default()
    };
    let (mock, mut c) = start_mock(Config {
        faults,
        ..Config::default()
    })
    .await;
    let r = c.call("CrtRscDfn", Some(&rsc_dfn("res1"))).await;
    assert_eq!(r.replies()[0].ret_code, RC::FAIL_IN_USE.0);
    assert!(
        mock.model().resource_definition_names().is_empty(),
        "a failed call changes nothing"
    );

    mock.set_faults(Faults {
        answer_delay: Duration::from_millis(80),
        ..Faults::default()
    });
    let started = Instant::now();
    assert_eq!(c.call("Ping", None).await.first().content(), "Pong");
    assert!(started.elapsed() >= Duration::from_millis(80));
}

#[tokio::test]
async fn dropped_and_refused_connections() {
    let faults = Faults {
        drop_after_frames: Some(3),
        ..Faults::default()
    };
    let (mock, mut c) = start_mock(Config {
        faults,
        ..Config::default()
    })
    .await;
    c.call("Ping", None).await;
    c.call("Ping", None).await;
    c.send("Ping", None).await;
    assert!(
        c.read_frame().await.is_none(),
        "closed at the third frame, unanswered"
    );

    mock.set_faults(Faults {
        refuse_connections: true,
        ..Faults::default()
    });
    let mut s = tokio::net::TcpStream::connect(mock.addr())
        .await
        .expect("accepted");
    let mut buf = [0u8; 16];
    let n = tokio::io::AsyncReadExt::read(&mut s, &mut buf)
        .await
        .unwrap_or(0);
    assert_eq!(n, 0, "closed without a greeting");
}

#[tokio::test]
async fn a_watch_created_during_the_script_gets_the_values_when_they_happen() {
    let config = Config {
        demo: true,
        event_delay: Duration::from_millis(300),
        ..Config::default()
    };
    let (mock, mut c) = start_mock(config).await;
    let (mut w, _) = RawClient::connect(mock.addr()).await;
    c.call("CrtRscDfn", Some(&rsc_dfn("res1"))).await;
    let id = c
        .send(
            "CrtRsc",
            Some(&MsgCrtRsc {
                rscs: vec![Rsc {
                    name: "res1".into(),
                    node_name: "alpha".into(),
                    rsc_flags: vec!["DISKLESS".into()],
                    ..Default::default()
                }],
            }),
        )
        .await;
    // Wait for the immediate answers only, then watch from another connection.
    loop {
        let env = c.read_envelope().await.expect("answer");
        if env.content() == "EndOfImmediateAnswers" {
            break;
        }
    }
    let r = w
        .call(
            "CrtWatch",
            Some(&MsgCrtWatch {
                watch_id: 1,
                ..Default::default()
            }),
        )
        .await;
    assert!(r.events.is_empty(), "no value before the script ran");
    let event = w.read_envelope().await.expect("the delayed event");
    let e: MsgEvent = event.body(0).unwrap();
    assert_eq!(
        (e.event_name.as_str(), e.event_action.as_str()),
        ("ResourceState", "Value")
    );
    c.collect(id).await;
}
