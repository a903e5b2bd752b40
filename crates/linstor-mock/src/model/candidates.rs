//! The auto-place candidate search (`docs/controller-rules.md#auto-place`, steps 4-9),
//! shared by AutoPlaceRsc and QryMaxVlmSize: which storage pools, on which nodes, could
//! take a resource, best first.

use std::collections::BTreeMap;

use linstor_proto::ReturnCode as RC;
use linstor_proto::messages::AutoSelectFilter;
use regex::{Regex, RegexBuilder};

use super::names::key;
use super::reply::{Ctx, Problem};
use super::state::{Model, StorPool};

/// A placement candidate: one storage pool name and the nodes chosen for it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Candidate {
    pub pool: String,
    pub nodes: Vec<String>,
    /// Placeable capacity of the weakest chosen node, KiB.
    pub weakest_kib: u64,
    pub thin: bool,
}

/// Limit of the compiled `not_place_with_rsc_regex` (bytes of the regex program); larger
/// patterns are refused like invalid ones.
const AVOID_REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Compiles `not_place_with_rsc_regex`. The controller matches it, case-insensitively,
/// against whole resource names (`Pattern.matcher(name).matches()`; `rsc.*` selects `rsc1`,
/// `sc` does not select `rsc1`), so the pattern is anchored at both ends. The regex engine
/// runs in linear time: no pattern makes placement slow.
///
/// An invalid pattern (or one over the size limit) is `FAIL_INVLD_RSC_NAME`: the reference
/// gives no code of its own for it, and the pattern stands for resource names.
fn avoid_regex(ctx: &Ctx, pattern: &str) -> Result<Regex, Problem> {
    let build = |p: &str| {
        RegexBuilder::new(p)
            .case_insensitive(true)
            .size_limit(AVOID_REGEX_SIZE_LIMIT)
            .dfa_size_limit(AVOID_REGEX_SIZE_LIMIT)
            .build()
    };
    // The pattern is checked on its own first, so that wrapping cannot make an unbalanced
    // one valid (`a)|(b`).
    build(pattern)
        .and_then(|_| build(&format!("^(?:{pattern})$")))
        .map_err(|e| {
            ctx.problem(
                RC::FAIL_INVLD_RSC_NAME,
                format!(
                    "The regular expression '{pattern}' for resources not to place with is invalid."
                ),
            )
            .cause(e.to_string())
        })
}

impl Model {
    /// Auto-place candidate search (`docs/controller-rules.md#auto-place`, steps 4-9). `rsc`
    /// names the resource being placed (`None` for `QryMaxVlmSize`); returns every viable
    /// pool, best first.
    pub(crate) fn placement_candidates(
        &self,
        ctx: &Ctx,
        rsc: Option<&str>,
        filter: &AutoSelectFilter,
    ) -> Result<Vec<Candidate>, Problem> {
        let need = filter.place_count as usize;
        let rsc_key = rsc.map(key);
        let existing = rsc_key.as_ref().map_or(0, |k| self.rscs_of(k).count());
        let need = need.saturating_sub(existing);
        if need == 0 {
            return Ok(Vec::new());
        }
        let size: u64 = rsc_key
            .as_ref()
            .and_then(|k| self.rsc_dfns.get(k))
            .map_or(0, |d| {
                d.vlm_dfns.values().map(|v| v.size_kib.max(0) as u64).sum()
            });
        // Step 5: resources not to place with.
        let mut avoid: Vec<String> = filter.not_place_with_rsc.iter().map(|r| key(r)).collect();
        avoid.extend(rsc_key.clone());
        if let Some(pattern) = filter
            .not_place_with_rsc_regex
            .as_deref()
            .filter(|r| !r.is_empty())
        {
            let re = avoid_regex(ctx, pattern)?;
            avoid.extend(
                self.rsc_dfns
                    .values()
                    .filter(|d| re.is_match(&d.name))
                    .map(|d| key(&d.name)),
            );
        }
        let avoided_nodes: Vec<String> = self
            .rscs
            .keys()
            .filter(|(r, _)| avoid.contains(r))
            .map(|(_, n)| n.clone())
            .collect();
        let forced = filter.storage_pool.as_deref().filter(|s| !s.is_empty());
        let mut by_pool: BTreeMap<String, Vec<&StorPool>> = BTreeMap::new();
        for ((n, p), pool) in &self.pools {
            if pool.is_diskless()
                || !self.node_key_online(n)
                || avoided_nodes.contains(n)
                || forced.is_some_and(|f| key(f) != *p)
            {
                continue;
            }
            by_pool.entry(p.clone()).or_default().push(pool);
        }
        let node_prop = |node: &str, k: &str| self.node(node).and_then(|n| n.props.get(k).cloned());
        let mut result = Vec::new();
        for thin_pass in [false, true] {
            for pools in by_pool.values() {
                let mut usable: Vec<(&StorPool, u64)> = pools
                    .iter()
                    .filter(|p| p.is_thin() == thin_pass)
                    .filter_map(|p| {
                        self.placeable_kib(p)
                            .filter(|free| *free >= size)
                            .map(|free| (*p, free))
                    })
                    .filter(|(p, _)| {
                        filter
                            .replicas_on_same
                            .iter()
                            .all(|same| match same.split_once('=') {
                                Some((k, v)) => node_prop(&p.node_name, k).as_deref() == Some(v),
                                None => node_prop(&p.node_name, same).is_some(),
                            })
                    })
                    .collect();
                usable.sort_by(|a, b| {
                    b.1.cmp(&a.1)
                        .then_with(|| a.0.node_name.cmp(&b.0.node_name))
                });
                // Replicas on same (key without value): group by the node's value.
                let mut groups: BTreeMap<Vec<Option<String>>, Vec<(&StorPool, u64)>> =
                    BTreeMap::new();
                for (p, free) in usable {
                    let group: Vec<Option<String>> = filter
                        .replicas_on_same
                        .iter()
                        .map(|k| node_prop(&p.node_name, k.split('=').next().unwrap_or(k)))
                        .collect();
                    groups.entry(group).or_default().push((p, free));
                }
                for group in groups.values() {
                    let mut chosen: Vec<(&StorPool, u64)> = Vec::new();
                    for (p, free) in group {
                        let distinct = filter.replicas_on_different.iter().all(|k| {
                            let v = node_prop(&p.node_name, k);
                            chosen
                                .iter()
                                .all(|(c, _)| node_prop(&c.node_name, k) != v || v.is_none())
                        });
                        if distinct && chosen.len() < need {
                            chosen.push((p, *free));
                        }
                    }
                    if chosen.len() == need {
                        result.push(Candidate {
                            pool: chosen[0].0.name.clone(),
                            nodes: chosen.iter().map(|(p, _)| p.node_name.clone()).collect(),
                            weakest_kib: chosen.iter().map(|(_, f)| *f).min().unwrap_or(0),
                            thin: thin_pass,
                        });
                    }
                }
            }
            if rsc.is_some() && !result.is_empty() {
                break;
            }
        }
        result.sort_by(|a, b| a.thin.cmp(&b.thin).then(b.weakest_kib.cmp(&a.weakest_kib)));
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::reply::ctx;
    use linstor_proto::return_code::{Object, Operation};

    #[test]
    fn avoid_regex_matches_whole_names_case_insensitively() {
        let ctx = ctx(Operation::Create, Object::Resource, "");
        let re = |p: &str| avoid_regex(&ctx, p).expect("valid pattern");
        assert!(re("rsc.*").is_match("RSC12"));
        assert!(re("^a.c$").is_match("abc"));
        assert!(!re("a.c").is_match("abcd"), "whole name, not a search");
        assert!(!re("sc").is_match("rsc1"));
        assert!(re("res[0-9]").is_match("res7"), "a class, not literal text");
        assert!(!re("res[0-9]").is_match("resx"));
        assert!(
            re("a|ab").is_match("ab"),
            "alternatives are anchored together"
        );
        assert!(
            avoid_regex(&ctx, "a)|(b").is_err(),
            "wrapping does not fix a bad pattern"
        );
        assert!(
            avoid_regex(&ctx, &format!("{}x", "(a{1000}){1000}")).is_err(),
            "size limit"
        );
    }
}
