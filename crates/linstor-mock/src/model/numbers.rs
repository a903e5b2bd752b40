//! The numbers in use that the automatic allocators choose from: TCP ports (of resource
//! definitions and resource connections) and DRBD minors (of volume definitions). Kept as an
//! index beside the state, so that "the lowest free number in a range" costs O(log n), not a
//! scan of every definition (`docs/controller-rules.md#invariants-the-model-keeps`).
//!
//! The index is derived: it is built from the state when first needed (so a loaded or
//! deserialised model needs nothing), and every change of a port or minor goes through the
//! `Model` methods here, which keep it up to date. `Model::check_invariants` compares it
//! with a fresh one.

use std::collections::BTreeMap;

use super::state::{Model, RscConn, RscDfn, VlmDfn};

/// A multiset of numbers, stored as maximal runs of consecutive numbers (start → end,
/// inclusive) plus the counts of numbers used more than once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct NumberSet {
    runs: BTreeMap<i32, i32>,
    /// Extra uses beyond the first (a number used twice has 1 here).
    extra: BTreeMap<i32, u32>,
}

impl NumberSet {
    /// The run that holds `n`, as (start, end).
    fn run_of(&self, n: i32) -> Option<(i32, i32)> {
        let (&start, &end) = self.runs.range(..=n).next_back()?;
        (end >= n).then_some((start, end))
    }

    pub(crate) fn contains(&self, n: i32) -> bool {
        self.run_of(n).is_some()
    }

    pub(crate) fn insert(&mut self, n: i32) {
        if self.contains(n) {
            *self.extra.entry(n).or_default() += 1;
            return;
        }
        // Join the run ending at n - 1 and the one starting at n + 1, if any.
        let before = n
            .checked_sub(1)
            .and_then(|p| self.run_of(p))
            .map(|(s, _)| s);
        let after = n.checked_add(1).and_then(|a| self.runs.get(&a).copied());
        if after.is_some() {
            self.runs.remove(&(n + 1));
        }
        let start = before.unwrap_or(n);
        self.runs.insert(start, after.unwrap_or(n));
    }

    pub(crate) fn remove(&mut self, n: i32) {
        if let Some(count) = self.extra.get_mut(&n) {
            *count -= 1;
            if *count == 0 {
                self.extra.remove(&n);
            }
            return;
        }
        let Some((start, end)) = self.run_of(n) else {
            return;
        };
        self.runs.remove(&start);
        if start < n {
            self.runs.insert(start, n - 1);
        }
        if n < end {
            self.runs.insert(n + 1, end);
        }
    }

    /// The lowest number of `lo..=hi` not in the set.
    pub(crate) fn lowest_free(&self, lo: i32, hi: i32) -> Option<i32> {
        // Runs are maximal, so the number after the run holding `lo` is free.
        let candidate = match self.run_of(lo) {
            Some((_, end)) => end.checked_add(1)?,
            None => lo,
        };
        (candidate <= hi).then_some(candidate)
    }
}

/// The ports and minors in use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Numbers {
    pub ports: NumberSet,
    pub minors: NumberSet,
}

impl Numbers {
    /// The index of `model`'s state, computed from scratch.
    pub(crate) fn of(model: &Model) -> Numbers {
        let mut n = Numbers::default();
        for d in model.rsc_dfns.values() {
            n.add_dfn(d);
        }
        for c in model.rsc_conns.values() {
            if let Some(p) = c.port {
                n.ports.insert(p);
            }
        }
        n
    }

    fn add_dfn(&mut self, d: &RscDfn) {
        self.ports.insert(d.port);
        for v in d.vlm_dfns.values() {
            self.minors.insert(v.minor);
        }
    }

    fn remove_dfn(&mut self, d: &RscDfn) {
        self.ports.remove(d.port);
        for v in d.vlm_dfns.values() {
            self.minors.remove(v.minor);
        }
    }
}

impl Model {
    /// The index, built on first use.
    pub(crate) fn numbers(&mut self) -> &Numbers {
        if self.numbers.is_none() {
            self.numbers = Some(Numbers::of(self));
        }
        self.numbers.get_or_insert_with(Numbers::default)
    }

    /// Applies `f` to the index when it is built (otherwise it will be built from the
    /// state that results).
    fn update_numbers(&mut self, f: impl FnOnce(&mut Numbers)) {
        if let Some(n) = self.numbers.as_mut() {
            f(n);
        }
    }

    /// Whether a resource definition or resource connection uses TCP port `p`.
    pub(crate) fn port_taken(&mut self, p: i32) -> bool {
        self.numbers().ports.contains(p)
    }

    /// Whether a volume definition uses minor `m`.
    pub(crate) fn minor_taken(&mut self, m: i32) -> bool {
        self.numbers().minors.contains(m)
    }

    /// The lowest free TCP port of `lo..=hi`.
    pub(crate) fn lowest_free_port(&mut self, lo: i32, hi: i32) -> Option<i32> {
        self.numbers().ports.lowest_free(lo, hi)
    }

    /// The lowest free minor of `lo..=hi`.
    pub(crate) fn lowest_free_minor(&mut self, lo: i32, hi: i32) -> Option<i32> {
        self.numbers().minors.lowest_free(lo, hi)
    }

    /// Stores resource definition `dfn` under `key`, replacing the one there.
    pub(crate) fn put_rsc_dfn(&mut self, key: String, dfn: RscDfn) {
        if let Some(n) = self.numbers.as_mut() {
            if let Some(old) = self.rsc_dfns.get(&key) {
                n.remove_dfn(old);
            }
            n.add_dfn(&dfn);
        }
        self.rsc_dfns.insert(key, dfn);
    }

    /// Removes resource definition `key`.
    pub(crate) fn take_rsc_dfn(&mut self, key: &str) -> Option<RscDfn> {
        let dfn = self.rsc_dfns.remove(key)?;
        self.update_numbers(|n| n.remove_dfn(&dfn));
        Some(dfn)
    }

    /// Stores volume definition `vd` as number `nr` of resource definition `rsc_key`
    /// (which exists), replacing the one there.
    pub(crate) fn put_vlm_dfn(&mut self, rsc_key: &str, nr: i32, vd: VlmDfn) {
        let Some(d) = self.rsc_dfns.get_mut(rsc_key) else {
            return;
        };
        let minor = vd.minor;
        let old = d.vlm_dfns.insert(nr, vd).map(|o| o.minor);
        self.update_numbers(|n| {
            if let Some(old) = old {
                n.minors.remove(old);
            }
            n.minors.insert(minor);
        });
    }

    /// Removes volume definition `nr` of resource definition `rsc_key`.
    pub(crate) fn take_vlm_dfn(&mut self, rsc_key: &str, nr: i32) -> Option<VlmDfn> {
        let vd = self.rsc_dfns.get_mut(rsc_key)?.vlm_dfns.remove(&nr)?;
        self.update_numbers(|n| n.minors.remove(vd.minor));
        Some(vd)
    }

    /// Stores resource connection `conn` under `key`, replacing the one there.
    pub(crate) fn put_rsc_conn(&mut self, key: (String, String, String), conn: RscConn) {
        let new = conn.port;
        let old = self.rsc_conns.insert(key, conn).and_then(|o| o.port);
        self.update_numbers(|n| {
            if let Some(old) = old {
                n.ports.remove(old);
            }
            if let Some(new) = new {
                n.ports.insert(new);
            }
        });
    }

    /// Removes every resource connection whose key (resource, node, node) `remove` picks.
    pub(crate) fn remove_rsc_conns_where(
        &mut self,
        remove: impl Fn(&(String, String, String)) -> bool,
    ) {
        let mut freed = Vec::new();
        self.rsc_conns.retain(|k, c| {
            let keep = !remove(k);
            if !keep && let Some(p) = c.port {
                freed.push(p);
            }
            keep
        });
        self.update_numbers(|n| {
            for p in freed {
                n.ports.remove(p);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::NumberSet;
    use std::collections::BTreeMap;

    /// The same operations on a plain count map, the reference.
    fn lowest_free_naive(counts: &BTreeMap<i32, u32>, lo: i32, hi: i32) -> Option<i32> {
        (lo..=hi).find(|n| !counts.contains_key(n))
    }

    #[test]
    fn matches_a_plain_count_map_under_random_inserts_and_removes() {
        let mut set = NumberSet::default();
        let mut counts: BTreeMap<i32, u32> = BTreeMap::new();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for step in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let n = (x % 64) as i32;
            if x & (1 << 40) == 0 || !counts.contains_key(&n) {
                set.insert(n);
                *counts.entry(n).or_default() += 1;
            } else {
                set.remove(n);
                let c = counts.get_mut(&n).expect("present");
                *c -= 1;
                if *c == 0 {
                    counts.remove(&n);
                }
            }
            for probe in [0, 10, 31, 63] {
                assert_eq!(
                    set.contains(probe),
                    counts.contains_key(&probe),
                    "step {step}"
                );
            }
            let (lo, hi) = ((x >> 20) as i32 % 40, 40 + (x >> 30) as i32 % 30);
            assert_eq!(
                set.lowest_free(lo, hi),
                lowest_free_naive(&counts, lo, hi),
                "step {step}: {lo}..={hi}"
            );
        }
    }

    #[test]
    fn runs_merge_and_split() {
        let mut s = NumberSet::default();
        for n in [5, 7, 6] {
            s.insert(n);
        }
        assert_eq!(s.runs.len(), 1, "5-7 is one run");
        assert_eq!(s.lowest_free(5, 10), Some(8));
        assert_eq!(s.lowest_free(1, 10), Some(1));
        s.remove(6);
        assert_eq!(s.runs.len(), 2);
        assert_eq!(s.lowest_free(5, 10), Some(6));
        assert_eq!(s.lowest_free(7, 7), None);
        s.insert(i32::MAX);
        assert_eq!(s.lowest_free(i32::MAX, i32::MAX), None);
    }
}
