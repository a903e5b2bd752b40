//! The mock's I/O findings of issue 10, each reproduced as a user would: a client that
//! half-closes after an asynchronous call still gets the deferred answers and `COMPLETE`;
//! a state file that cannot be written answers the change with an error instead of a
//! success; a burst of connects is greeted.

use std::time::Duration;

use futures::StreamExt;
use linstor_codec::{Envelope, FrameCodec, Outgoing};
use linstor_mock::{Config, MockController};
use linstor_proto::ReturnCode as RC;
use linstor_proto::messages::msg_header::MsgType;
use linstor_proto::messages::*;
use linstor_tests::raw::RawClient;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_util::codec::FramedRead;

const LIMIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn a_half_closed_client_still_gets_deferred_answers_and_complete() {
    let mock = MockController::start(Config {
        demo: true,
        event_delay: Duration::from_millis(50),
        ..Config::default()
    })
    .await
    .expect("mock starts");
    let (mut setup, _) = RawClient::connect(mock.addr()).await;
    let rd = MsgCrtRscDfn {
        rsc_dfn: RscDfn {
            rsc_name: "half".into(),
            vlm_dfns: vec![VlmDfn {
                vlm_size: 1024,
                ..Default::default()
            }],
            ..Default::default()
        },
    };
    assert!(setup.call("CrtRscDfn", Some(&rd)).await.replies()[0].ret_code < 0x8000_0000_0000_0000);

    let stream = TcpStream::connect(mock.addr()).await.expect("connect");
    let (read, mut write) = stream.into_split();
    let mut frames = FramedRead::new(read, FrameCodec::new());
    let place = MsgAutoPlaceRsc {
        rsc_name: "half".into(),
        select_filter: AutoSelectFilter {
            place_count: 2,
            ..Default::default()
        },
        diskless_on_remaining: None,
    };
    let header = MsgHeader::api_call(1, "AutoPlaceRsc");
    write
        .write_all(&Outgoing::new(&header, &[&place]).to_bytes())
        .await
        .expect("send");
    // Half-close right away: the satellites' part is still to come.
    write.shutdown().await.expect("half-close");
    let mut after_eoia = Vec::new();
    let mut eoia = false;
    loop {
        let frame = tokio::time::timeout(LIMIT, frames.next())
            .await
            .expect("the mock answers in time")
            .expect("the connection stays open until COMPLETE")
            .expect("frames decode");
        let env = Envelope::decode(frame.payload_bytes()).expect("envelope");
        match env.msg_type() {
            MsgType::Oneway => continue,
            MsgType::Complete => break,
            _ if env.content() == "EndOfImmediateAnswers" => eoia = true,
            _ if eoia => after_eoia.push(env),
            _ => {}
        }
    }
    assert!(eoia);
    assert!(
        !after_eoia.is_empty(),
        "the deferred answers arrive after the half-close"
    );
    // Then the mock closes the connection.
    let end = tokio::time::timeout(LIMIT, frames.next())
        .await
        .expect("closes");
    assert!(end.is_none(), "closed after COMPLETE");
    assert_eq!(mock.model().resources().len(), 2, "both replicas placed");
}

#[tokio::test]
async fn a_change_that_cannot_be_saved_is_answered_with_an_error() {
    let dir = std::env::temp_dir().join(format!("linstor-mock-unsaved-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("state.json");
    let mock = MockController::start(Config {
        state_file: Some(path.clone()),
        ..Config::default()
    })
    .await
    .expect("mock starts");
    let (mut c, _) = RawClient::connect(mock.addr()).await;
    let rd = |name: &str| MsgCrtRscDfn {
        rsc_dfn: RscDfn {
            rsc_name: name.into(),
            ..Default::default()
        },
    };
    let ok = c.call("CrtRscDfn", Some(&rd("saved"))).await;
    assert!(ok.replies()[0].ret_code < 0x8000_0000_0000_0000);
    // The directory of the state file becomes a plain file: no save can succeed.
    std::fs::remove_dir_all(&dir).expect("remove");
    std::fs::write(&dir, b"not a directory").expect("file");
    let r = c.call("CrtRscDfn", Some(&rd("unsaved"))).await;
    let e = &r.replies()[0];
    assert_eq!(e.ret_code, RC::FAIL_UNKNOWN_ERROR.0, "{e:?}");
    assert!(e.message.contains("state file"), "{}", e.message);
    assert_eq!(r.eoia, 1);
    let _ = std::fs::remove_file(&dir);
}

#[tokio::test]
async fn a_burst_of_connects_is_greeted() {
    let mock = MockController::start(Config::default())
        .await
        .expect("mock starts");
    let addr = mock.addr();
    let tasks: Vec<_> = (0..1500)
        .map(|_| {
            tokio::spawn(async move {
                let stream = TcpStream::connect(addr).await.expect("connect");
                let mut frames = FramedRead::new(stream, FrameCodec::new());
                let greeting = tokio::time::timeout(LIMIT, frames.next())
                    .await
                    .expect("greeted in time")
                    .expect("a frame")
                    .expect("decodes");
                Envelope::decode(greeting.payload_bytes())
                    .expect("envelope")
                    .content()
                    .to_owned()
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.expect("task"), "Version");
    }
}
