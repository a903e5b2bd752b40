//! The in-process mock controller as the client tests start it: a mock with a
//! `linstor_client::Client` connected to it, optionally with the admin API on loopback;
//! and the resource most of them place first ([`auto_place`]).

use std::net::SocketAddr;

use linstor_client::requests::PlacementFilter;
use linstor_client::{Answers, Client};
use linstor_mock::{Config, MockController};

/// A client connected to `mock`'s controller port.
///
/// # Panics
///
/// When the client does not connect.
pub async fn connect(mock: &MockController) -> Client {
    Client::connect(&format!("linstor://{}", mock.addr()))
        .await
        .expect("client connects")
}

/// A mock started with `config` and a client connected to it.
///
/// # Panics
///
/// When the mock does not start or the client does not connect.
pub async fn start(config: Config) -> (MockController, Client) {
    let mock = MockController::start(config).await.expect("mock starts");
    let client = connect(&mock).await;
    (mock, client)
}

/// The demo cluster (`Config::demo`, the rest default) and a client connected to it.
///
/// # Panics
///
/// As [`start`].
pub async fn demo() -> (MockController, Client) {
    start(Config {
        demo: true,
        ..Config::default()
    })
    .await
}

/// A mock started with `config` plus its admin API on a free loopback port, the admin
/// API's address, and a client connected to the mock.
///
/// # Panics
///
/// As [`start`], and when the admin API does not run or is not on loopback.
pub async fn with_admin(config: Config) -> (MockController, SocketAddr, Client) {
    let mock = MockController::start(Config {
        admin: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
        ..config
    })
    .await
    .expect("mock starts");
    let admin = mock.admin_addr().expect("admin API runs");
    assert!(admin.ip().is_loopback());
    let client = connect(&mock).await;
    (mock, admin, client)
}

/// `resource_create_and_auto_place` of `rsc` (one volume of `size_kib`) on `count`
/// nodes, no diskless replicas on the others; the answers, for the caller to judge.
///
/// # Panics
///
/// When a call fails (an error answer is returned, not a panic).
pub async fn auto_place(client: &Client, rsc: &str, size_kib: i64, count: u32) -> Answers {
    client
        .resource_create_and_auto_place(
            rsc,
            size_kib,
            PlacementFilter {
                place_count: count,
                ..Default::default()
            },
            false,
        )
        .await
        .expect("placed")
}
