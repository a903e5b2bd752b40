//! See the wire of the LINSTOR protobuf-over-TCP protocol (API version 3): a protocol
//! inspector, a recording proxy and session replay, built on `linstor-codec` and the call
//! table of `linstor-proto`.
//!
//! * [`stream`]: one direction's bytes to whole frames, bad bytes reported with their
//!   offset, resynchronising on the next plausible header, memory bounded by the limit.
//! * [`view`]: a frame decoded for people: `MsgHeader` and every message with field names,
//!   typed by the call table (requests), the answer names and the event names.
//! * [`input`], [`capture`]: what `decode` reads (raw bytes, hex, recordings, pcap/pcapng
//!   with TCP reassembly).
//! * [`record`]: the recording format of docs/recording.md; [`tracker`]: call latencies.
//! * [`proxy`], [`replay`], [`seeds`], [`stats`]: the other subcommands of `linstor-wire`.
//!
//! ```
//! use linstor_wire::input::{DecodeOptions, decode_input};
//!
//! // The 30-byte LstNode request of docs/framing.md#worked-example, as hex text.
//! let hex = b"000000000000000e0000000000000000 0d08011001 1a074c73744e6f6465";
//! let records = decode_input(hex, &DecodeOptions::default()).unwrap();
//! let frame = records[0].frame.as_ref().unwrap();
//! assert_eq!(frame.content.as_deref(), Some("LstNode"));
//! assert_eq!(frame.to_text(), "API_CALL id=1 LstNode");
//! ```

#![warn(missing_docs)]

pub mod capture;
mod error;
pub mod fuzzing;
pub mod input;
pub mod proxy;
pub mod record;
pub mod replay;
pub mod seeds;
pub mod stats;
pub mod stream;
pub mod tracker;
pub mod view;

pub use error::WireError;
