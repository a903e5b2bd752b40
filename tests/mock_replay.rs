//! The golden request frames of the real Python client, replayed in order on one TCP
//! connection to the mock controller: every call gets its answers, one
//! `EndOfImmediateAnswers` and a `COMPLETE` with its api_call_id.

use linstor_mock::{Config, MockController};
use linstor_proto::ReturnCode;
use linstor_tests::raw::RawClient;
use linstor_tests::{load_hex, load_index};

#[tokio::test]
async fn golden_requests_replayed_over_tcp_get_answers_and_complete() {
    let mock = MockController::start(Config::default())
        .await
        .expect("mock starts");
    let (mut client, version) = RawClient::connect(mock.addr()).await;
    assert_eq!(
        (version.version, version.min_version, version.features),
        (3, 3, Some(0))
    );
    assert_eq!(
        version.controller_info.as_deref(),
        Some(linstor_mock::DEFAULT_CONTROLLER_INFO)
    );
    let index = load_index("requests");
    let vectors = index["vectors"].as_array().expect("vectors");
    let verbose = std::env::var_os("REPLAY_VERBOSE").is_some();
    for v in vectors {
        let file = v["file"].as_str().expect("file");
        let id = v["api_call_id"].as_i64().expect("id");
        client.send_raw(&load_hex("requests", file)).await;
        let result = client.collect(id).await;
        assert_eq!(result.eoia, 1, "{file}: one EndOfImmediateAnswers");
        assert!(
            !result.immediate.is_empty(),
            "{file}: an answer before EndOfImmediateAnswers"
        );
        if verbose {
            let first = result.first();
            let summary = match first.content() {
                "Reply" => result
                    .replies()
                    .iter()
                    .map(|r| format!("{} {:?}", ReturnCode(r.ret_code), r.message))
                    .collect::<Vec<_>>()
                    .join(" | "),
                other => other.to_owned(),
            };
            println!("{file}: {summary}");
        }
    }
}
