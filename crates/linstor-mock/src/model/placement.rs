//! Auto-placement and the max-volume-size query, which share the candidate search
//! (`docs/controller-rules.md#auto-place`).

use linstor_proto::ReturnCode as RC;
use linstor_proto::calls::answers;
use linstor_proto::consts::{flags, keys};
use linstor_proto::messages::{
    Candidate as WireCandidate, MsgAutoPlaceRsc, MsgQryMaxVlmSizes, MsgRspMaxVlmSizes,
    Rsc as WireRsc, StorPoolDfn as WireDfn,
};
use linstor_proto::return_code::{Object, Operation};

use super::names::key;
use super::reply::{Outcome, Problem, ctx, ensure, map_entry, rsc_ctx};
use super::state::{Model, Rsc, props_to_wire};

impl Model {
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
        let existing: Vec<Rsc> = self.rscs_of(&rsc_key).map(|(_, x)| x.clone()).collect();
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
    use crate::model::test_support::{
        auto_place, body, codes, crt_rsc, crt_rsc_dfn, crt_vlm_dfn, drbdpool_cluster, is, model,
        ok, refused, web_on_three,
    };
    use linstor_proto::Request;
    use linstor_proto::messages::AutoSelectFilter;

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
    fn diskless_on_remaining_and_a_later_volume_reach_every_node() {
        let mut m = web_on_three();
        let list = body!(
            m.apply(Request::LstRsc(Some(
                linstor_proto::messages::Filter::default()
            ))),
            MsgLstRsc
        );
        assert_eq!(
            list.resources.len(),
            3,
            "two diskful, one diskless on the remaining satellite"
        );
        assert!(
            list.resources.iter().all(|r| r.vlms.len() == 1),
            "the later volume definition reaches every placed node"
        );
        let diskless = list
            .resources
            .iter()
            .filter(|r| r.rsc_flags.contains(&"DISKLESS".to_owned()))
            .count();
        assert_eq!(diskless, 1);
    }

    #[test]
    fn placing_again_warns_when_deployed_and_too_many_is_not_enough_nodes() {
        let mut m = web_on_three();
        let out = m.apply(auto_place("web", 3, false));
        assert!(
            RC(codes(&out)[0]).is_warning(),
            "already deployed on 3 nodes"
        );
        let out = m.apply(auto_place("web", 9, false));
        assert_eq!(RC(codes(&out)[0]).code(), 996);
    }

    #[test]
    fn qry_max_vlm_size_counts_thin_pools_twenty_times() {
        let mut m = drbdpool_cluster(&["alpha", "bravo"]);
        let out = m.apply(Request::QryMaxVlmSize(MsgQryMaxVlmSizes {
            select_filter: count(2),
        }));
        let sizes = body!(out, MsgRspMaxVlmSizes);
        assert_eq!(sizes.candidates.len(), 1);
        assert_eq!(
            sizes.candidates[0].max_vlm_size, 21_474_836_480,
            "thin: 1 TiB x 20"
        );
        assert_eq!(sizes.candidates[0].all_thin, Some(true));
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
