//! The high-level API of the Python client's `linstor.resource` and `linstor.kv`:
//! [`Resource`] with its [`Volume`]s, and [`Kv`], a namespaced view on a key/value store.
//! Unlike the Python classes they share the caller's [`Client`](crate::Client) connection.

mod kv;
mod resource;
mod size;

pub use kv::Kv;
pub use resource::{Placement, Resource, Volume};
pub use size::parse_size;
