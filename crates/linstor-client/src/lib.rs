//! An async client for the LINSTOR protobuf-over-TCP protocol (API version 3), the Rust
//! counterpart of python-linstor 0.7.3's `Linstor` class.
//!
//! * [`Client`]: a cheap, cloneable handle on one connection; one background task owns the
//!   socket; many calls can be in flight; every call has a timeout and is cancel safe.
//! * [`requests`]: one argument struct per API call, encoded byte for byte as the Python
//!   client encodes it.
//! * [`Answers`]: what a call returns; [`Watch`]: a stream of events.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mock = linstor_mock::MockController::start(Default::default()).await?;
//! # let uri = format!("linstor://{}", mock.addr());
//! let client = linstor_client::Client::connect(&uri).await?;
//! client.ping().await?;
//! assert!(client.controller_info().unwrap().starts_with("LINSTOR,Controller,"));
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

mod answers;
mod calls;
mod client;
mod connection;
mod error;
pub mod highlevel;
pub mod requests;
mod tls;
mod uri;
mod watch;

pub use answers::{Answer, Answers, ApiCallResponse, ListMessage};
pub use client::{CallOptions, Client, ClientConfig, DEFAULT_MAX_ANSWER_PAYLOAD, encode_request};
pub use connection::{Event, EventAction};
pub use error::{Cause, ClientError, ReplicaProblem};
pub use tls::TlsOptions;
pub use uri::ControllerUri;
pub use watch::Watch;

#[cfg(test)]
mod tests {
    #[test]
    fn handles_are_send_sync_and_cheap_to_clone() {
        fn assert_send_sync<T: Send + Sync + Clone>() {}
        assert_send_sync::<crate::Client>();
        fn assert_send<T: Send>() {}
        assert_send::<crate::Watch>();
        assert_send::<crate::ClientError>();
    }
}
