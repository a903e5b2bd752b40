//! Auto-placement and the max-volume-size query, which share the candidate search
//! (`docs/controller-rules.md#auto-place`).

use std::collections::BTreeMap;

use regex::{Regex, RegexBuilder};

use linstor_proto::ReturnCode as RC;
use linstor_proto::calls::answers;
use linstor_proto::consts::{flags, keys};
use linstor_proto::messages::{
    AutoSelectFilter, Candidate as WireCandidate, MsgAutoPlaceRsc, MsgQryMaxVlmSizes,
    MsgRspMaxVlmSizes, Rsc as WireRsc, StorPoolDfn as WireDfn,
};
use linstor_proto::return_code::{Object, Operation};

use super::names::key;
use super::reply::{Ctx, Outcome, Problem, ctx, ensure, map_entry, rsc_ctx};
use super::state::{Model, Rsc, StorPool, props_to_wire};

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
        let existing = rsc_key
            .as_ref()
            .map_or(0, |k| self.rscs.keys().filter(|(r, _)| r == k).count());
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

    pub(crate) fn auto_place_rsc(&mut self, msg: MsgAutoPlaceRsc) -> Result<Outcome, Problem> {
        let rsc = msg.rsc_name;
        let ctx = ctx(
            Operation::Create,
            Object::Resource,
            format!("Auto-placing resource: {rsc}"),
        )
        .with_ref(keys::obj_refs::RSC_DFN, rsc.clone());
        let rsc_key = key(&rsc);
        // Step 1.
        let dfn = self
            .rsc_dfns
            .get(&rsc_key)
            .cloned()
            .ok_or_else(|| ctx.rsc_dfn_not_found(&rsc))?;
        let existing: Vec<Rsc> = self
            .rscs
            .iter()
            .filter(|((r, _), _)| *r == rsc_key)
            .map(|(_, x)| x.clone())
            .collect();
        let mut filter = msg.select_filter;
        let place_count = filter.place_count as usize;
        let diskless_on_remaining = msg.diskless_on_remaining.unwrap_or(false);
        // Step 2.
        ensure(place_count >= existing.len(), || {
            let nodes: Vec<String> = existing
                .iter()
                .map(|r| format!("'{}'", r.node_name))
                .collect();
            ctx.problem(
                RC::FAIL_INVLD_PLACE_COUNT,
                format!(
                    "The resource '{}' is already deployed on more nodes than requested: {}.",
                    dfn.name,
                    nodes.join(", ")
                ),
            )
        })?;
        let mut created_disk: Vec<Rsc> = Vec::new();
        let mut used_pool = None;
        if place_count == existing.len() {
            ensure(diskless_on_remaining, || {
                ctx.problem(
                    RC::WARN_RSC_ALREADY_DEPLOYED,
                    format!(
                        "Resource '{}' was already deployed on {} nodes. Skipping.",
                        dfn.name,
                        existing.len()
                    ),
                )
            })?;
        } else {
            // Step 3.
            if filter.storage_pool.as_deref().is_none_or(str::is_empty) {
                filter.storage_pool = existing
                    .first()
                    .and_then(|r| r.props.get(keys::AUTO_SELECTED_STOR_POOL_NAME).cloned());
            }
            if let Some(forced) = filter.storage_pool.clone().filter(|s| !s.is_empty())
                && !self
                    .pools
                    .iter()
                    .any(|((_, p), pool)| *p == key(&forced) && !pool.is_diskless())
            {
                // Step 4.
                return Err(ctx.problem(
                    RC::FAIL_NOT_FOUND_STOR_POOL,
                    format!("Storage pool '{forced}' not found"),
                ));
            }
            // Steps 5-9.
            let best = self
                .placement_candidates(&ctx, Some(&rsc), &filter)?
                .into_iter()
                .next()
                .ok_or_else(|| {
                    ctx.problem(RC::FAIL_NOT_ENOUGH_NODES, "Not enough available nodes").details(format!(
                        "Not enough nodes fulfilling the following auto-place criteria:\n * has a deployed storage pool named '{}'\n * the storage pool has to have at least '{}' free space\n * the current access context has enough privileges to use the node and the storage pool\n * the node is online",
                        filter.storage_pool.clone().unwrap_or_default(),
                        dfn.vlm_dfns.values().map(|v| v.size_kib).sum::<i64>()
                    ))
                })?;
            let wires: Vec<WireRsc> = best
                .nodes
                .iter()
                .map(|n| WireRsc {
                    name: dfn.name.clone(),
                    node_name: n.clone(),
                    props: vec![map_entry(keys::STOR_POOL_NAME, &best.pool)],
                    ..Default::default()
                })
                .collect();
            // Step 10.
            let (mut c, _) =
                self.create_resources(wires, |n, r| rsc_ctx(Operation::Create, n, r))?;
            for r in &mut c {
                r.props.insert(
                    keys::AUTO_SELECTED_STOR_POOL_NAME.to_owned(),
                    best.pool.clone(),
                );
            }
            created_disk = c;
            used_pool = Some(best.pool);
        }
        let mut created = created_disk.clone();
        if diskless_on_remaining {
            let taken: Vec<String> = existing
                .iter()
                .chain(&created_disk)
                .map(|r| key(&r.node_name))
                .collect();
            let wires: Vec<WireRsc> = self
                .nodes
                .iter()
                .filter(|(k, n)| n.node_type == "SATELLITE" && !taken.contains(k))
                .map(|(_, n)| WireRsc {
                    name: dfn.name.clone(),
                    node_name: n.name.clone(),
                    rsc_flags: vec![flags::DISKLESS.to_owned()],
                    ..Default::default()
                })
                .collect();
            // Validate diskless ones against a model that already holds the diskful ones.
            for r in &created_disk {
                self.rscs
                    .insert((rsc_key.clone(), key(&r.node_name)), r.clone());
            }
            let diskless = self.create_resources(wires, |n, r| rsc_ctx(Operation::Create, n, r));
            for r in &created_disk {
                self.rscs.remove(&(rsc_key.clone(), key(&r.node_name)));
            }
            created.extend(diskless?.0);
        }
        let nodes: Vec<String> = created_disk
            .iter()
            .map(|r| format!("'{}'", r.node_name))
            .collect();
        let mut main = ctx.plain(
            RC::CREATED,
            format!(
                "Resource '{}' successfully autoplaced on {} nodes",
                dfn.name,
                created_disk.len()
            ),
        );
        main.details = Some(format!(
            "Used storage pool: '{}'\nUsed nodes: {}",
            used_pool.unwrap_or_default(),
            nodes.join(", ")
        ));
        let mut out = Outcome::one(main).changed();
        let deferred = self.deploy(&created, &mut out, |n, r| rsc_ctx(Operation::Create, n, r));
        Ok(out.deferred(deferred))
    }

    /// `QryMaxVlmSize`: the candidate search of auto-place, one answer per candidate pool.
    pub(crate) fn qry_max_vlm_size(&self, msg: MsgQryMaxVlmSizes) -> Result<Outcome, Problem> {
        let filter = msg.select_filter;
        let ctx = ctx(Operation::Create, Object::Resource, "");
        let mut candidates: Vec<WireCandidate> = self
            .placement_candidates(&ctx, None, &filter)?
            .into_iter()
            .map(|c| WireCandidate {
                stor_pool_dfn: self
                    .spds
                    .get(&key(&c.pool))
                    .map(|d| WireDfn {
                        uuid: Some(d.uuid.clone()),
                        stor_pool_name: d.name.clone(),
                        props: props_to_wire(&d.props),
                    })
                    .unwrap_or_default(),
                max_vlm_size: i64::try_from(c.weakest_kib).unwrap_or(i64::MAX),
                node_names: c.nodes,
                all_thin: Some(c.thin),
            })
            .collect();
        ensure(!candidates.is_empty(), || {
            // The controller logs no error report here.
            ctx.problem(RC::FAIL_NOT_ENOUGH_NODES, "Not enough nodes")
                .unlogged()
        })?;
        candidates.sort_by(|a, b| {
            a.stor_pool_dfn
                .stor_pool_name
                .cmp(&b.stor_pool_dfn.stor_pool_name)
        });
        Ok(Outcome::list(
            answers::RSP_MAX_VLM_SIZE,
            MsgRspMaxVlmSizes {
                candidates,
                default_max_oversubscription_ratio: Some("20.0".to_owned()),
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::{crt_rsc, crt_rsc_dfn, crt_vlm_dfn, is, model, ok, refused};
    use linstor_proto::Request;

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

    fn rsc_dfn(m: &mut Model, name: &str, size: Option<i64>) {
        ok(m, crt_rsc_dfn(name));
        if let Some(size) = size {
            ok(m, crt_vlm_dfn(name, size));
        }
    }

    fn place(
        m: &mut Model,
        rsc: &str,
        filter: AutoSelectFilter,
        diskless: bool,
    ) -> (u64, Vec<(String, bool)>) {
        let out = m.apply(Request::AutoPlaceRsc(MsgAutoPlaceRsc {
            rsc_name: rsc.into(),
            select_filter: filter,
            diskless_on_remaining: Some(diskless),
        }));
        let rc = out.entries().next().unwrap().ret_code;
        let placed = m
            .rscs
            .values()
            .filter(|r| r.rsc_name == rsc)
            .map(|r| (r.node_name.clone(), r.is_diskless()))
            .collect();
        (rc, placed)
    }

    fn count(n: u32) -> AutoSelectFilter {
        AutoSelectFilter {
            place_count: n,
            ..Default::default()
        }
    }

    const THICK: &[(&str, &str)] = &[("pool", "LvmDriver")];
    const THIN: &[(&str, &str)] = &[("thin", "LvmThinDriver")];

    #[test]
    fn step1_resource_definition_must_exist() {
        let mut m = model(&[("alpha", "Satellite", &[], THICK)]);
        assert!(RC(place(&mut m, "nope", count(1), false).0).is_code(RC::FAIL_NOT_FOUND_RSC_DFN));
    }

    #[test]
    fn step2_place_count_against_existing_resources() {
        let mut m = model(&[
            ("alpha", "Satellite", &[], THICK),
            ("bravo", "Satellite", &[], THICK),
        ]);
        rsc_dfn(&mut m, "res", None);
        assert_eq!(place(&mut m, "res", count(2), false).0, 0x0134_0001);
        assert!(RC(place(&mut m, "res", count(1), false).0).is_code(RC::FAIL_INVLD_PLACE_COUNT));
        let (rc, placed) = place(&mut m, "res", count(2), false);
        assert!(RC(rc).is_code(RC::WARN_RSC_ALREADY_DEPLOYED));
        assert_eq!(placed.len(), 2);
    }

    #[test]
    fn step3_existing_placement_keeps_its_pool() {
        let mut m = model(&[
            (
                "alpha",
                "Satellite",
                &[],
                &[("pool", "LvmDriver"), ("other", "ZfsDriver")],
            ),
            (
                "bravo",
                "Satellite",
                &[],
                &[("pool", "LvmDriver"), ("other", "ZfsDriver")],
            ),
        ]);
        rsc_dfn(&mut m, "res", None);
        place(
            &mut m,
            "res",
            AutoSelectFilter {
                place_count: 1,
                storage_pool: Some("other".into()),
                ..Default::default()
            },
            false,
        );
        place(&mut m, "res", count(2), false);
        assert!(m.rscs.values().all(|r| {
            r.props
                .get(keys::AUTO_SELECTED_STOR_POOL_NAME)
                .map(String::as_str)
                == Some("other")
        }));
    }

    #[test]
    fn step4_forced_pool_must_exist() {
        let mut m = model(&[("alpha", "Satellite", &[], THICK)]);
        rsc_dfn(&mut m, "res", None);
        let f = AutoSelectFilter {
            place_count: 1,
            storage_pool: Some("missing".into()),
            ..Default::default()
        };
        assert!(RC(place(&mut m, "res", f, false).0).is_code(RC::FAIL_NOT_FOUND_STOR_POOL));
    }

    #[test]
    fn step5_do_not_place_with() {
        let mut m = model(&[
            ("alpha", "Satellite", &[], THICK),
            ("bravo", "Satellite", &[], THICK),
            ("charlie", "Satellite", &[], THICK),
        ]);
        rsc_dfn(&mut m, "db", None);
        place(
            &mut m,
            "db",
            AutoSelectFilter {
                place_count: 1,
                ..Default::default()
            },
            false,
        );
        let db_node = m.rscs.values().next().unwrap().node_name.clone();
        rsc_dfn(&mut m, "web", None);
        let f = AutoSelectFilter {
            place_count: 2,
            not_place_with_rsc: vec!["DB".into()],
            ..Default::default()
        };
        let (_, placed) = place(&mut m, "web", f, false);
        assert_eq!(placed.len(), 2);
        assert!(placed.iter().all(|(n, _)| *n != db_node));
        rsc_dfn(&mut m, "app", None);
        let f = AutoSelectFilter {
            place_count: 2,
            not_place_with_rsc_regex: Some("d.*".into()),
            ..Default::default()
        };
        let (_, placed) = place(&mut m, "app", f, false);
        assert!(placed.iter().all(|(n, _)| *n != db_node));
    }

    #[test]
    fn step5_regex_is_a_regex() {
        let mut m = model(&[
            ("alpha", "Satellite", &[], THICK),
            ("bravo", "Satellite", &[], THICK),
            ("charlie", "Satellite", &[], THICK),
        ]);
        for (rsc, node) in [("res7", "alpha"), ("resx", "bravo")] {
            rsc_dfn(&mut m, rsc, None);
            ok(&mut m, crt_rsc(rsc, &[node]));
        }
        rsc_dfn(&mut m, "app", None);
        let f = AutoSelectFilter {
            place_count: 2,
            not_place_with_rsc_regex: Some("RES[0-9]".into()),
            ..Default::default()
        };
        let (rc, mut placed) = place(&mut m, "app", f, false);
        assert_eq!(rc, 0x0134_0001);
        placed.sort();
        assert_eq!(
            placed,
            [("bravo".into(), false), ("charlie".into(), false)],
            "res7 avoided as a class match, resx not"
        );
    }

    #[test]
    fn step5_pathological_regex_is_answered() {
        let mut m = model(&[("alpha", "Satellite", &[], THICK)]);
        let long = format!("r{}", "a".repeat(39));
        rsc_dfn(&mut m, &long, None);
        ok(&mut m, crt_rsc(&long, &["alpha"]));
        rsc_dfn(&mut m, "app", None);
        // 22 bytes that a backtracking matcher explores for a very long time on a 40-byte
        // name that does not end in Z.
        let pattern = format!("{}Z$", ".*".repeat(10));
        assert_eq!(pattern.len(), 22);
        let f = AutoSelectFilter {
            place_count: 1,
            not_place_with_rsc_regex: Some(pattern),
            ..Default::default()
        };
        let (rc, placed) = place(&mut m, "app", f, false);
        assert_eq!(rc, 0x0134_0001, "no match: alpha stays a candidate");
        assert_eq!(placed, [("alpha".into(), false)]);
    }

    #[test]
    fn step5_invalid_regex_is_refused() {
        let mut m = model(&[("alpha", "Satellite", &[], THICK)]);
        rsc_dfn(&mut m, "app", None);
        let f = AutoSelectFilter {
            place_count: 1,
            not_place_with_rsc_regex: Some("res[0-9".into()),
            ..Default::default()
        };
        let e = refused(
            &mut m,
            Request::AutoPlaceRsc(MsgAutoPlaceRsc {
                rsc_name: "app".into(),
                select_filter: f.clone(),
                diskless_on_remaining: Some(false),
            }),
        );
        assert_eq!(e.ret_code, 0xC000_0000_0134_00CA);
        assert_eq!(
            e.message,
            "The regular expression 'res[0-9' for resources not to place with is invalid."
        );
        assert!(
            e.cause
                .is_some_and(|c| c.contains("unclosed character class"))
        );
        assert_eq!(e.error_report_ids.len(), 1);
        assert!(m.rscs.is_empty());
        let e = refused(
            &mut m,
            Request::QryMaxVlmSize(MsgQryMaxVlmSizes { select_filter: f }),
        );
        assert!(is(&e, RC::FAIL_INVLD_RSC_NAME));
    }

    #[test]
    fn qry_max_vlm_size_reports_each_pool() {
        let mut m = model(&[
            ("alpha", "Satellite", &[], THICK),
            ("bravo", "Satellite", &[], &[("thin", "LvmThinDriver")]),
        ]);
        let out = ok(
            &mut m,
            Request::QryMaxVlmSize(MsgQryMaxVlmSizes {
                select_filter: count(1),
            }),
        );
        let Some(linstor_proto::Body::MsgRspMaxVlmSizes(rsp)) = out.immediate[0].bodies.first()
        else {
            panic!("{out:#?}");
        };
        let pools: Vec<(&str, i64, bool)> = rsp
            .candidates
            .iter()
            .map(|c| {
                (
                    c.stor_pool_dfn.stor_pool_name.as_str(),
                    c.max_vlm_size,
                    c.all_thin == Some(true),
                )
            })
            .collect();
        assert_eq!(pools, [("pool", 1 << 30, false), ("thin", 20 << 30, true)]);
        let e = refused(
            &mut m,
            Request::QryMaxVlmSize(MsgQryMaxVlmSizes {
                select_filter: count(3),
            }),
        );
        assert_eq!(e.ret_code, 0xC000_0000_0134_03E4);
        assert_eq!(e.message, "Not enough nodes");
        assert!(e.error_report_ids.is_empty());
    }

    #[test]
    fn step6_capacity_thick_first_then_thin() {
        let mut m = model(&[
            ("alpha", "Satellite", &[], THIN),
            ("bravo", "Satellite", &[], THIN),
        ]);
        for p in m.pools.values_mut() {
            p.total_kib = Some(1000);
        }
        rsc_dfn(&mut m, "small", Some(15_000));
        assert_eq!(
            place(&mut m, "small", count(2), false).0,
            0x0134_0001,
            "thin counts x20"
        );
        rsc_dfn(&mut m, "big", Some(30_000));
        assert!(RC(place(&mut m, "big", count(1), false).0).is_code(RC::FAIL_NOT_ENOUGH_NODES));
        let mut m = model(&[(
            "alpha",
            "Satellite",
            &[],
            &[("pool", "LvmDriver"), ("thin", "LvmThinDriver")],
        )]);
        rsc_dfn(&mut m, "res", Some(4096));
        place(&mut m, "res", count(1), false);
        assert_eq!(
            m.rscs
                .values()
                .next()
                .unwrap()
                .props
                .get(keys::STOR_POOL_NAME)
                .map(String::as_str),
            Some("pool"),
            "thick first"
        );
    }

    #[test]
    fn step7_replicas_on_same_and_different() {
        let mut m = model(&[
            (
                "alpha",
                "Satellite",
                &[("Aux/rack", "1"), ("Aux/room", "a")],
                THICK,
            ),
            (
                "bravo",
                "Satellite",
                &[("Aux/rack", "1"), ("Aux/room", "a")],
                THICK,
            ),
            (
                "charlie",
                "Satellite",
                &[("Aux/rack", "2"), ("Aux/room", "a")],
                THICK,
            ),
        ]);
        rsc_dfn(&mut m, "same", None);
        let f = AutoSelectFilter {
            place_count: 2,
            replicas_on_same: vec!["Aux/rack=1".into()],
            ..Default::default()
        };
        let (_, mut placed) = place(&mut m, "same", f, false);
        placed.sort();
        assert_eq!(placed, [("alpha".into(), false), ("bravo".into(), false)]);
        rsc_dfn(&mut m, "diff", None);
        let f = AutoSelectFilter {
            place_count: 2,
            replicas_on_different: vec!["Aux/rack".into()],
            ..Default::default()
        };
        let (_, placed) = place(&mut m, "diff", f, false);
        let racks: Vec<_> = placed
            .iter()
            .map(|(n, _)| m.node(n).unwrap().props["Aux/rack"].clone())
            .collect();
        assert_ne!(racks[0], racks[1]);
        rsc_dfn(&mut m, "grouped", None);
        let f = AutoSelectFilter {
            place_count: 3,
            replicas_on_same: vec!["Aux/rack".into()],
            ..Default::default()
        };
        assert!(
            RC(place(&mut m, "grouped", f, false).0).is_code(RC::FAIL_NOT_ENOUGH_NODES),
            "no rack holds 3 nodes"
        );
    }

    #[test]
    fn step8_most_free_capacity_first() {
        let mut m = model(&[
            ("alpha", "Satellite", &[], THICK),
            ("bravo", "Satellite", &[], THICK),
        ]);
        m.pools
            .values_mut()
            .find(|p| p.node_name == "bravo" && p.name == "pool")
            .unwrap()
            .total_kib = Some(1 << 31);
        rsc_dfn(&mut m, "res", None);
        let (_, placed) = place(&mut m, "res", count(1), false);
        assert_eq!(placed, [("bravo".into(), false)]);
    }

    #[test]
    fn step9_not_enough_nodes() {
        let mut m = model(&[("alpha", "Satellite", &[], THICK)]);
        rsc_dfn(&mut m, "res", None);
        let out = m.apply(Request::AutoPlaceRsc(MsgAutoPlaceRsc {
            rsc_name: "res".into(),
            select_filter: count(2),
            diskless_on_remaining: Some(false),
        }));
        let e = out.entries().next().unwrap();
        assert_eq!(e.ret_code, 0xC000_0000_0134_03E4);
        assert_eq!(e.message, "Not enough available nodes");
    }

    #[test]
    fn step10_diskless_on_remaining_satellites_only() {
        let mut m = model(&[
            ("alpha", "Satellite", &[], THICK),
            ("bravo", "Satellite", &[], &[]),
            ("charlie", "Combined", &[], &[]),
        ]);
        rsc_dfn(&mut m, "res", Some(1024));
        let (rc, mut placed) = place(&mut m, "res", count(1), true);
        assert_eq!(rc, 0x0134_0001);
        placed.sort();
        assert_eq!(placed, [("alpha".into(), false), ("bravo".into(), true)]);
        let bravo = m.rscs.values().find(|r| r.node_name == "bravo").unwrap();
        assert_eq!(
            bravo.props.get(keys::STOR_POOL_NAME).map(String::as_str),
            Some("DfltDisklessStorPool")
        );
    }
}
