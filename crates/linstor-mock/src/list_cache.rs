//! The encoded answers of list calls, kept while the model does not change: a client that
//! lists the same thing again (a plugin polling `LstRsc`, many calls in flight) gets the
//! bytes encoded the first time, with only its own `MsgHeader` written anew.
//!
//! Which calls: those whose answer is one list message (`LstNode`, `LstRsc`, `LstVlm`,
//! `LstKvsProps`, `Hostname`, ...), read from the call table. The key is the call and its
//! request body as sent. Every call of another kind, and every mutable access to the model,
//! moves the model's generation on (`Shared::touch`), which empties the cache: it never
//! answers from a state that is gone. Bounded in entries and bytes.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use linstor_proto::Call;
use linstor_proto::calls::answers;

use crate::model::EncodedAnswer;

/// Most request variants cached at once.
const MAX_ENTRIES: usize = 256;

/// Most encoded bytes cached at once.
const MAX_BYTES: usize = 256 * 1024 * 1024;

/// Whether the answers of `call` depend only on the model and the request: its answer is
/// one list message (not `Reply`, not the repeated `LstErrorReports`, whose reports are
/// numbered as they are asked for).
pub(crate) fn cacheable(call: Call) -> bool {
    answers::by_name(call.answer()).is_some_and(|a| a.message.is_some() && !a.repeated)
}

/// The answers of one call, in order, all immediate (list calls answer before
/// `EndOfImmediateAnswers` and defer nothing).
pub(crate) type EncodedAnswers = Arc<[EncodedAnswer]>;

/// The cache: valid for one generation of the model.
#[derive(Debug, Default)]
pub(crate) struct ListCache {
    generation: u64,
    entries: HashMap<(Call, Option<Bytes>), EncodedAnswers>,
    bytes: usize,
}

impl ListCache {
    /// The answers cached for `call` with `body` at `generation`.
    pub(crate) fn get(
        &mut self,
        generation: u64,
        call: Call,
        body: Option<&[u8]>,
    ) -> Option<EncodedAnswers> {
        if self.generation != generation {
            self.clear(generation);
            return None;
        }
        self.entries
            .get(&(call, body.map(Bytes::copy_from_slice)))
            .cloned()
    }

    /// Keeps `answers` of `call` with `body`, encoded at `generation`, unless that would
    /// pass the bounds.
    pub(crate) fn put(
        &mut self,
        generation: u64,
        call: Call,
        body: Option<&[u8]>,
        answers: EncodedAnswers,
    ) {
        if self.generation != generation {
            self.clear(generation);
        }
        let size: usize = answers
            .iter()
            .flat_map(|a| a.bodies.iter())
            .map(|b| b.0.len())
            .sum();
        if self.entries.len() >= MAX_ENTRIES || self.bytes + size > MAX_BYTES {
            return;
        }
        // A copy of the key: the request's bytes share the connection's read buffer.
        let key = (call, body.map(Bytes::copy_from_slice));
        if let Some(old) = self.entries.insert(key, answers) {
            self.bytes -= old
                .iter()
                .flat_map(|a| a.bodies.iter())
                .map(|b| b.0.len())
                .sum::<usize>();
        }
        self.bytes += size;
    }

    fn clear(&mut self, generation: u64) {
        self.entries.clear();
        self.bytes = 0;
        self.generation = generation;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RawMessage;

    #[test]
    fn list_calls_are_cacheable_and_the_others_are_not() {
        let cached: Vec<&str> = Call::ALL
            .iter()
            .filter(|c| cacheable(**c))
            .map(|c| c.name())
            .collect();
        assert!(cached.contains(&"LstNode") && cached.contains(&"LstRsc"));
        assert!(cached.contains(&"LstVlm") && cached.contains(&"LstKvsProps"));
        for not in [
            "CrtNode",
            "Ping",
            "ReqErrorReports",
            "CrtWatch",
            "ModifyKvsProps",
        ] {
            assert!(!cached.contains(&not), "{not}");
        }
    }

    #[test]
    fn a_new_generation_empties_the_cache() {
        let mut cache = ListCache::default();
        let answers: EncodedAnswers = Arc::from(vec![EncodedAnswer {
            content: "LstNode",
            bodies: vec![RawMessage(Bytes::from_static(b"\x0a\x00"))],
        }]);
        cache.put(1, Call::LstNode, None, answers);
        assert!(cache.get(1, Call::LstNode, None).is_some());
        assert!(
            cache.get(1, Call::LstNode, Some(b"x")).is_none(),
            "another body"
        );
        assert!(cache.get(2, Call::LstNode, None).is_none());
        assert!(cache.get(1, Call::LstNode, None).is_none(), "gone for good");
        assert_eq!(cache.bytes, 0);
    }
}
