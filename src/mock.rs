//! The in-process mock controller as the client tests start it: a mock with a
//! `linstor_client::Client` connected to it.

use linstor_client::Client;
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
