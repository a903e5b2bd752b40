//! An in-memory mock of the 2019 LINSTOR controller (API version 3), serving the
//! protobuf-over-TCP protocol so that clients (the real Python client, or
//! `linstor-client`) can be tested without a cluster.
//!
//! * [`model`]: the pure state and the rules of every call (docs/controller-rules.md).
//! * [`scenario`]: cluster scenarios (satellites offline, failing disks, resyncs, full
//!   pools, slow satellites) as timelines or single steps (docs/scenarios.md).
//! * [`MockController`]: a server on `127.0.0.1:0` by default, one task per connection,
//!   with a handle to inspect or seed the model. It never opens an outbound connection:
//!   node addresses are data only. Every wait and queue of a connection is bounded
//!   ([`Config`]: output, stalled frames, connections), and
//!   [`MockController::serve_io`] runs a connection over any byte stream, without sockets.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use linstor_mock::{Config, MockController};
//!
//! let mock = MockController::start(Config::default()).await?;
//! println!("mock controller on {}", mock.addr());
//! mock.shutdown().await;
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

mod admin;
mod connection;
mod faults;
mod list_cache;
mod listener;
pub mod model;
pub mod scenario;
mod server;
pub mod store;
mod tls;
mod watches;

pub use faults::{FailCallError, FailNext, Faults, parse_fail_call, parse_return_code};
pub use model::{Model, ModelConfig, Outcome};
pub use server::{
    Config, DEFAULT_CONTROLLER_INFO, MockController, ModelGuard, StartError, Stats, serve_io,
};
pub use tls::TlsSettings;
