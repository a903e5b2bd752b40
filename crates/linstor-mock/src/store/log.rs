//! The records of the log of applied calls: each is one call that changed the model (or
//! advanced its id/uuid/error-report counters), as its typed request from the call table,
//! encoded with the protocol's own codec ([`Request::body`] on the way in,
//! [`Request::decode`] on replay).
//!
//! Encoding of one record (the value of one row of the log table):
//!
//! | bytes | meaning |
//! | --- | --- |
//! | 1 | kind: 1 call without body, 2 call with body, 3 rejected body |
//! | 1 | length `n` of the call name |
//! | n | the call name (`Call::name`) |
//! | rest | kind 2: the body message, protobuf, without delimiter |
//!
//! Kind 3 is a request whose body did not decode: the controller answered it with a fresh
//! error-report id, so replay draws one too ([`Model::reject`]).

use bytes::BytesMut;
use linstor_proto::{Call, Request, RequestError};

use crate::model::{Model, Outcome};

const CALL: u8 = 1;
const CALL_WITH_BODY: u8 = 2;
const REJECTED: u8 = 3;

/// One applied call, as the log keeps it.
#[derive(Debug, Clone)]
pub(crate) enum Record {
    /// A request the model applied.
    Call(Request),
    /// A request of this call whose body did not decode (it drew an error-report id).
    Rejected(Call),
}

/// Why a log record cannot be replayed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// The record is shorter than its header says.
    #[error("the record is truncated")]
    Truncated,
    /// The record's kind byte is not one this version writes.
    #[error("unknown record kind {0}")]
    UnknownKind(u8),
    /// The call name is not in the call table.
    #[error("unknown call name {0:?}")]
    UnknownCall(String),
    /// The body does not decode as the call's request.
    #[error("the request does not decode: {0}")]
    Request(#[source] RequestError),
    /// Replaying the call did not change the model, although it did when it was logged.
    #[error("replaying {0} did not change the model (the log does not match its snapshot)")]
    Diverged(Call),
}

impl Record {
    /// The call of the record.
    pub(crate) fn call(&self) -> Call {
        match self {
            Record::Call(request) => request.call(),
            Record::Rejected(call) => *call,
        }
    }

    /// The record's bytes.
    #[cfg(test)]
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = BytesMut::new();
        self.encode_into(&mut out);
        out.to_vec()
    }

    /// Appends the record's bytes to `out` (the commit thread reuses one buffer).
    pub(crate) fn encode_into(&self, out: &mut BytesMut) {
        let name = self.call().name().as_bytes();
        let (kind, body) = match self {
            Record::Call(request) => match request.body() {
                Some(body) => (CALL_WITH_BODY, Some(body)),
                None => (CALL, None),
            },
            Record::Rejected(_) => (REJECTED, None),
        };
        out.extend_from_slice(&[kind]);
        // Call names are short ASCII identifiers of the table (checked by a test).
        out.extend_from_slice(&[u8::try_from(name.len()).unwrap_or(u8::MAX)]);
        out.extend_from_slice(name);
        if let Some(body) = body {
            body.write_wire(out);
        }
    }

    /// Decodes a record written by [`Record::encode`].
    ///
    /// # Errors
    ///
    /// A [`RecordError`] saying what is wrong.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Record, RecordError> {
        let (&kind, rest) = bytes.split_first().ok_or(RecordError::Truncated)?;
        let (&len, rest) = rest.split_first().ok_or(RecordError::Truncated)?;
        let name = rest.get(..usize::from(len)).ok_or(RecordError::Truncated)?;
        let body = &rest[usize::from(len)..];
        let name = String::from_utf8_lossy(name);
        let call = Call::from_name(&name).ok_or_else(|| RecordError::UnknownCall(name.into()))?;
        match kind {
            CALL => Request::decode(call, None).map(Record::Call),
            CALL_WITH_BODY => Request::decode(call, Some(body)).map(Record::Call),
            REJECTED => return Ok(Record::Rejected(call)),
            other => return Err(RecordError::UnknownKind(other)),
        }
        .map_err(RecordError::Request)
    }

    /// Applies the record to `model` as the live controller did.
    ///
    /// # Errors
    ///
    /// [`RecordError::Diverged`] when the call leaves the model as it was.
    pub(crate) fn replay(self, model: &mut Model) -> Result<(), RecordError> {
        let call = self.call();
        let before = model.generators();
        let outcome = match self {
            Record::Call(request) => model.apply(request),
            Record::Rejected(call) => model.reject(&RequestError::BodyOverrun {
                call,
                length: 0,
                available: 0,
            }),
        };
        if logged(&outcome, before, model) {
            Ok(())
        } else {
            Err(RecordError::Diverged(call))
        }
    }
}

/// Whether a call with `outcome` belongs in the log: it changed the model, or it drew from
/// the model's id/uuid/error-report counters (`before`: their values before the call), which
/// replay must advance alike.
pub(crate) fn logged(outcome: &Outcome, before: [u64; 3], model: &Model) -> bool {
    outcome.changed || model.generators() != before
}

#[cfg(test)]
mod tests {
    use super::*;
    use linstor_proto::messages::{MsgCrtRscDfn, RscDfn};

    #[test]
    fn records_round_trip_and_bad_ones_are_typed_errors() {
        let request = Request::CrtRscDfn(MsgCrtRscDfn {
            rsc_dfn: RscDfn {
                rsc_name: "r1".into(),
                ..Default::default()
            },
        });
        for record in [
            Record::Call(request),
            Record::Call(Request::LstNode),
            Record::Rejected(Call::CrtNode),
        ] {
            let bytes = record.encode();
            let back = Record::decode(&bytes).unwrap();
            assert_eq!(back.encode(), bytes);
            assert_eq!(back.call(), record.call());
        }
        assert!(matches!(Record::decode(&[]), Err(RecordError::Truncated)));
        assert!(matches!(
            Record::decode(&[2, 9, b'C']),
            Err(RecordError::Truncated)
        ));
        assert!(matches!(
            Record::decode(&[1, 3, b'X', b'y', b'z']),
            Err(RecordError::UnknownCall(_))
        ));
        let mut bad = Record::Call(Request::LstNode).encode();
        bad[0] = 9;
        assert!(matches!(
            Record::decode(&bad),
            Err(RecordError::UnknownKind(9))
        ));
        // A CrtRscDfn body that is not protobuf.
        let mut torn = vec![2, 9];
        torn.extend_from_slice(b"CrtRscDfn");
        torn.extend_from_slice(&[0x0a, 0x50, 1]);
        assert!(matches!(
            Record::decode(&torn),
            Err(RecordError::Request(_))
        ));
    }

    #[test]
    fn every_call_name_fits_the_length_byte() {
        for call in Call::ALL {
            assert!(call.name().len() < 256, "{call}");
        }
    }
}
