//! `MockController::start` errors are typed and keep their sources: a corrupt state store
//! names the file and has redb's error as its source, a JSON state file of the earlier
//! format is refused with the command that converts it; a taken address is a bind error.

use std::error::Error as _;

use linstor_mock::store::StoreError;
use linstor_mock::{Config, MockController, StartError};

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("linstor-mock-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[tokio::test]
async fn a_corrupt_state_store_names_the_file_and_keeps_the_redb_error() {
    let dir = temp_dir("start-corrupt");
    let state = dir.join("state.db");
    std::fs::write(&state, b"torn, not a database").expect("write");
    let err = MockController::start(Config {
        state_file: Some(state.clone()),
        ..Config::default()
    })
    .await
    .expect_err("a corrupt state store is refused");
    assert!(
        matches!(err, StartError::State(StoreError::Corrupt { ref path, .. }) if *path == state),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(&state.display().to_string()),
        "{err}"
    );
    assert!(err.to_string().contains("corrupt"), "{err}");
    let source = err.source().expect("a source");
    assert!(source.is::<Box<redb::Error>>(), "{source:?}");
    // Through std::io::Error (for io::Result callers) the StartError stays reachable.
    let io: std::io::Error = err.into();
    assert_eq!(io.kind(), std::io::ErrorKind::InvalidData);
    assert!(io.get_ref().is_some_and(|e| e.is::<StartError>()), "{io:?}");
    assert_eq!(
        std::fs::read(&state).expect("still there"),
        b"torn, not a database"
    );
    // The JSON state file of the earlier version: refused, with the command to convert it.
    std::fs::write(
        &state,
        b"{\"format\": \"linstor-mock-state\", \"version\": 1}",
    )
    .expect("write");
    let err = MockController::start(Config {
        state_file: Some(state.clone()),
        ..Config::default()
    })
    .await
    .expect_err("an old JSON state file is refused");
    assert!(
        matches!(err, StartError::State(StoreError::LegacyJson(_))),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("linstor-mock state import"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[tokio::test]
async fn a_taken_address_is_a_bind_error_with_the_io_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr");
    let err = MockController::start(Config {
        listen: addr,
        ..Config::default()
    })
    .await
    .expect_err("the address is taken");
    assert!(
        matches!(err, StartError::Bind { addr: a, .. } if a == addr),
        "{err:?}"
    );
    assert!(err.to_string().contains(&addr.to_string()), "{err}");
    let io = err
        .source()
        .and_then(|s| s.downcast_ref::<std::io::Error>())
        .expect("an io::Error source");
    assert_eq!(io.kind(), std::io::ErrorKind::AddrInUse);
}

#[tokio::test]
async fn no_listener_is_refused() {
    let err = MockController::start(Config {
        plain: false,
        ..Config::default()
    })
    .await
    .expect_err("nothing to listen on");
    assert!(matches!(err, StartError::NoListener), "{err:?}");
}
