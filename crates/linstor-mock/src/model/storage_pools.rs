//! Storage pools on nodes, and how they are listed with their capacity
//! (`docs/controller-rules.md#storage-pools`).

use linstor_proto::ReturnCode as RC;
use linstor_proto::calls::answers;
use linstor_proto::consts::{drivers, keys, names as special};
use linstor_proto::messages::{
    Filter, MsgCrtStorPool, MsgDelStorPool, MsgLstStorPool, MsgModStorPool, StorPool as WirePool,
    StorPoolFreeSpace,
};
use linstor_proto::return_code::{Object, Operation};

use super::names::{check_filter_names, key, selected, valid_stor_pool_name};
use super::props::{RuleSet, modify_props};
use super::reply::{Answer, Outcome, Problem, ctx, ensure, map_entry, pool_ctx};
use super::state::{
    DISKLESS_CAPACITY, DRIVERS, Model, Props, StorPool, StorPoolDfn, driver_allowed, props_to_wire,
};

impl Model {
    pub(crate) fn crt_stor_pool(&mut self, msg: MsgCrtStorPool) -> Result<Outcome, Problem> {
        let pool = msg.stor_pool;
        let (node_name, name) = (pool.node_name.clone(), pool.stor_pool_name.clone());
        let ctx = pool_ctx(Operation::Create, &node_name, &name);
        let node = self
            .node(&node_name)
            .cloned()
            .ok_or_else(|| ctx.node_not_found(&node_name))?;
        ensure(valid_stor_pool_name(&name), || {
            ctx.problem(
                RC::FAIL_INVLD_STOR_POOL_NAME,
                format!("The given storage pool name '{name}' is invalid."),
            )
        })?;
        ensure(
            DRIVERS.contains(&pool.driver.as_str())
                && driver_allowed(&node.node_type, &pool.driver),
            || {
                ctx.problem(
                    RC::FAIL_INVLD_STOR_DRIVER,
                    format!(
                        "Storage driver '{}' is not allowed on node '{}' of type '{}'.",
                        pool.driver, node.name, node.node_type
                    ),
                )
            },
        )?;
        let pool_key = (key(&node_name), key(&name));
        ensure(!self.pools.contains_key(&pool_key), || {
            ctx.problem(
                RC::FAIL_EXISTS_STOR_POOL,
                format!(
                    "Node: {}, Storage pool name: {name} already exists.",
                    node.name
                ),
            )
        })?;
        let mut props = Props::new();
        modify_props(&ctx, RuleSet::StorPool, &mut props, &pool.props, &[])?;
        if !self.spds.contains_key(&key(&name)) {
            let uuid = self.uuid();
            self.spds.insert(
                key(&name),
                StorPoolDfn {
                    uuid,
                    name: name.clone(),
                    props: Props::new(),
                },
            );
        }
        let uuid = self.uuid();
        let mut created = StorPool::new(uuid.clone(), &node.name, &name, &pool.driver, props);
        if !created.is_diskless() {
            created.total_kib = Some(self.config.pool_capacity_kib);
        }
        self.pools.insert(pool_key, created);
        Ok(Outcome::one(ctx.success(
            RC::CREATED,
            format!(
                "New storage pool '{name}' on node '{}' registered.",
                node.name
            ),
            "Storage pool UUID is:",
            &uuid,
        ))
        .changed())
    }

    pub(crate) fn mod_stor_pool(&mut self, msg: MsgModStorPool) -> Result<Outcome, Problem> {
        let (node, name) = (msg.node_name, msg.stor_pool_name);
        let ctx = pool_ctx(Operation::Modify, &node, &name);
        self.must_node(&ctx, &node)?;
        self.must_spd(&ctx, &name)?;
        let pool_key = (key(&node), key(&name));
        let mut pool = self
            .pools
            .get(&pool_key)
            .cloned()
            .ok_or_else(|| ctx.pool_not_found(&node, &name))?;
        modify_props(
            &ctx,
            RuleSet::StorPool,
            &mut pool.props,
            &msg.override_props,
            &msg.delete_prop_keys,
        )?;
        let (uuid, display, node_display) =
            (pool.uuid.clone(), pool.name.clone(), pool.node_name.clone());
        self.pools.insert(pool_key, pool);
        Ok(Outcome::one(ctx.success(
            RC::MODIFIED,
            format!("Storage pool '{display}' on node '{node_display}' modified."),
            "Storage pool UUID is:",
            &uuid,
        ))
        .changed())
    }

    pub(crate) fn del_stor_pool(&mut self, msg: MsgDelStorPool) -> Result<Outcome, Problem> {
        let (node, name) = (msg.node_name, msg.stor_pool_name);
        let ctx = pool_ctx(Operation::Delete, &node, &name);
        ensure(
            !name.eq_ignore_ascii_case(special::DFLT_DISKLESS_STOR_POOL),
            || {
                ctx.problem(
                    RC::FAIL_INVLD_STOR_POOL_NAME,
                    "The default diskless storage pool cannot be deleted!",
                )
            },
        )?;
        // Node and definition must exist; only a missing pool is the warning.
        self.must_node(&ctx, &node)?;
        self.must_spd(&ctx, &name)?;
        let pool_key = (key(&node), key(&name));
        let pool = self.pools.get(&pool_key).cloned().ok_or_else(|| {
            ctx.problem(
                RC::WARN_NOT_FOUND,
                format!("Deletion of storage pool '{name}' on node '{node}' had no effect."),
            )
            .cause(format!(
                "Storage pool '{name}' on node '{node}' does not exist."
            ))
        })?;
        let users = self.volumes_in_pool(&pool.node_name, &pool.name);
        ensure(users.is_empty(), || {
            let list: Vec<String> = users
                .iter()
                .map(|(r, v, _)| format!("Resource '{r}' volume {v}"))
                .collect();
            ctx.problem(RC::FAIL_IN_USE, format!("The specified storage pool '{}' on node '{}' can not be deleted as volumes are still using it.", pool.name, pool.node_name))
                .details(format!("Volumes that are still using the storage pool: \n   {}", list.join("\n   ")))
        })?;
        self.pools.remove(&pool_key);
        Ok(Outcome::one(ctx.success(
            RC::DELETED,
            format!(
                "Storage pool '{}' on node '{}' deleted.",
                pool.name, pool.node_name
            ),
            "Storage pool UUID was:",
            &pool.uuid,
        ))
        .changed())
    }

    pub(crate) fn wire_pool(&self, pool: &StorPool) -> WirePool {
        let mut static_traits = Vec::new();
        if !pool.is_diskless() && pool.driver != drivers::SWORDFISH_TARGET {
            static_traits.push(map_entry(
                keys::PROVISIONING,
                if pool.is_thin() { "Thin" } else { "Fat" },
            ));
        }
        static_traits.push(map_entry(
            keys::SUPPORTS_SNAPSHOTS,
            if pool.supports_snapshots() {
                "true"
            } else {
                "false"
            },
        ));
        // An offline satellite reports nothing.
        let reported = self.node_key_online(&key(&pool.node_name));
        let free_space = self
            .free_kib(pool)
            .filter(|_| reported)
            .map(|free| StorPoolFreeSpace {
                stor_pool_uuid: pool.uuid.clone(),
                stor_pool_name: pool.name.clone(),
                free_capacity: free,
                total_capacity: if pool.is_diskless() {
                    DISKLESS_CAPACITY
                } else {
                    pool.total_kib.unwrap_or(0)
                },
                errors: vec![],
            });
        let node = self.node(&pool.node_name);
        WirePool {
            stor_pool_uuid: Some(pool.uuid.clone()),
            node_uuid: node.map(|n| n.uuid.clone()),
            node_name: pool.node_name.clone(),
            stor_pool_dfn_uuid: self.spds.get(&key(&pool.name)).map(|d| d.uuid.clone()),
            stor_pool_name: pool.name.clone(),
            driver: pool.driver.clone(),
            props: props_to_wire(&pool.props),
            vlms: self.wire_volumes_in_pool(&pool.node_name, &pool.name),
            static_traits,
            free_space,
            free_space_mgr_name: None,
        }
    }

    pub(crate) fn lst_stor_pool(&self, filter: Filter) -> Result<Outcome, Problem> {
        check_filter_names(&ctx(Operation::Create, Object::StoragePool, ""), &filter)?;
        let stor_pools = self
            .pools
            .values()
            .filter(|p| {
                !p.name
                    .eq_ignore_ascii_case(special::DFLT_DISKLESS_STOR_POOL)
            })
            .filter(|p| {
                selected(&filter.node_names, &p.node_name)
                    && selected(&filter.stor_pool_names, &p.name)
            })
            .map(|p| self.wire_pool(p))
            .collect();
        Ok(Outcome {
            immediate: vec![
                Answer::list(answers::LST_STOR_POOL, MsgLstStorPool { stor_pools }),
                Answer::reply(vec![]),
            ],
            ..Outcome::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::{
        body, cluster, codes, crt_node, crt_pool, drbdpool_cluster, entry, is, ok, refused,
    };
    use linstor_proto::Request;

    fn del(node: &str, pool: &str) -> Request {
        Request::DelStorPool(MsgDelStorPool {
            node_name: node.into(),
            stor_pool_name: pool.into(),
            ..Default::default()
        })
    }

    #[test]
    fn deleting_under_a_missing_parent_names_the_parent() {
        let mut m = cluster(&["alpha"]);
        let e = refused(&mut m, del("nope", "DfltStorPool"));
        assert_eq!(e.ret_code, 0xC000_0000_0314_012C);
        assert_eq!(e.message, "Node 'nope' not found.");
        assert_eq!(
            e.cause.as_deref(),
            Some("The specified node 'nope' could not be found in the database")
        );
        assert_eq!(
            e.correction.as_deref(),
            Some("Check the name and create the object first if necessary.")
        );
        assert_eq!(e.error_report_ids.len(), 1);

        let e = refused(&mut m, del("alpha", "nodfn"));
        assert_eq!(e.ret_code, 0xC000_0000_0314_0135);
        assert_eq!(e.message, "Storage pool definition 'nodfn' not found.");
        assert_eq!(e.error_report_ids.len(), 1);

        // Both parents exist, the pool does not: only a warning, without report id.
        ok(&mut m, crt_pool("alpha", "other", "LvmDriver"));
        ok(
            &mut m,
            crate::model::test_support::crt_node("bravo", "Satellite", "10.0.0.9"),
        );
        let e = refused(&mut m, del("bravo", "other"));
        assert_eq!(e.ret_code, 0x8000_0000_0314_0BB8);
        assert_eq!(
            e.message,
            "Deletion of storage pool 'other' on node 'bravo' had no effect."
        );
        assert!(e.error_report_ids.is_empty());
    }

    #[test]
    fn modifying_a_pool_of_a_missing_definition_names_the_definition() {
        let mut m = cluster(&["alpha"]);
        let modify = |pool: &str| {
            Request::ModStorPool(MsgModStorPool {
                node_name: "alpha".into(),
                stor_pool_name: pool.into(),
                ..Default::default()
            })
        };
        let e = refused(&mut m, modify("nodfn"));
        assert_eq!(e.message, "Storage pool definition 'nodfn' not found.");
        ok(&mut m, crt_pool("alpha", "other", "LvmDriver"));
        ok(
            &mut m,
            crate::model::test_support::crt_node("bravo", "Satellite", "10.0.0.9"),
        );
        let e = refused(
            &mut m,
            Request::ModStorPool(MsgModStorPool {
                node_name: "bravo".into(),
                stor_pool_name: "other".into(),
                ..Default::default()
            }),
        );
        assert!(
            is(&e, RC::FAIL_NOT_FOUND_STOR_POOL_DFN),
            "the controller's quirk"
        );
        assert_eq!(e.message, "Storage pool 'other' on node 'bravo' not found.");
    }

    fn listed(m: &Model, filter: Filter) -> Vec<(String, String, Option<u64>)> {
        let out = m.lst_stor_pool(filter).expect("list");
        assert_eq!(out.immediate[1].bodies.len(), 0, "an empty Reply follows");
        match &out.immediate[0].bodies[0] {
            linstor_proto::Body::MsgLstStorPool(l) => l
                .stor_pools
                .iter()
                .map(|p| {
                    (
                        p.node_name.clone(),
                        p.stor_pool_name.clone(),
                        p.free_space.as_ref().map(|f| f.free_capacity),
                    )
                })
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn create_list_modify_delete() {
        let mut m = Model::default();
        ok(&mut m, crt_node("alpha", "Satellite", "10.0.0.1"));
        let out = ok(&mut m, crt_pool("alpha", "lvm", "LvmDriver"));
        let e = out.entries().next().expect("entry");
        assert_eq!(
            (e.ret_code, e.message.as_str()),
            (
                0x0114_0001,
                "New storage pool 'lvm' on node 'alpha' registered."
            )
        );
        assert!(
            m.spds.contains_key("LVM"),
            "the definition is created implicitly"
        );
        assert_eq!(
            listed(&m, Filter::default()),
            [("alpha".into(), "lvm".into(), Some(1 << 30))],
            "the default diskless pool is never listed"
        );
        let modify = Request::ModStorPool(MsgModStorPool {
            node_name: "ALPHA".into(),
            stor_pool_name: "LVM".into(),
            override_props: vec![entry("StorDriver/LvmVg", "vg0")],
            ..Default::default()
        });
        assert_eq!(
            ok(&mut m, modify)
                .entries()
                .next()
                .map(|e| e.message.clone()),
            Some("Storage pool 'lvm' on node 'alpha' modified.".into())
        );
        assert_eq!(
            m.pools[&("ALPHA".into(), "LVM".into())].props["StorDriver/LvmVg"],
            "vg0"
        );
        let out = ok(&mut m, del("alpha", "lvm"));
        assert_eq!(out.entries().next().map(|e| e.ret_code), Some(0x0314_0002));
        assert!(listed(&m, Filter::default()).is_empty());
    }

    #[test]
    fn creation_errors_and_in_use() {
        let mut m = cluster(&["alpha"]);
        ok(&mut m, crt_node("sf", "SWORDFISH_TARGET", "10.0.0.9"));
        let e = refused(&mut m, crt_pool("nope", "lvm", "LvmDriver"));
        assert!(is(&e, RC::FAIL_NOT_FOUND_NODE));
        let e = refused(&mut m, crt_pool("alpha", "l", "LvmDriver"));
        assert!(is(&e, RC::FAIL_INVLD_STOR_POOL_NAME));
        let e = refused(&mut m, crt_pool("sf", "lvm", "LvmDriver"));
        assert_eq!(
            e.message,
            "Storage driver 'LvmDriver' is not allowed on node 'sf' of type 'SWORDFISH_TARGET'."
        );
        let e = refused(&mut m, crt_pool("ALPHA", "dfltstorpool", "LvmDriver"));
        assert_eq!(
            e.message,
            "Node: alpha, Storage pool name: dfltstorpool already exists."
        );
        let e = refused(&mut m, del("alpha", "DfltDisklessStorPool"));
        assert_eq!(
            e.message,
            "The default diskless storage pool cannot be deleted!"
        );
        for r in [
            crate::model::test_support::crt_rsc_dfn("res"),
            crate::model::test_support::crt_vlm_dfn("res", 4096),
            crate::model::test_support::crt_rsc("res", &["alpha"]),
        ] {
            ok(&mut m, r);
        }
        let e = refused(&mut m, del("alpha", "DfltStorPool"));
        assert!(is(&e, RC::FAIL_IN_USE));
        assert!(e.details.is_some_and(|d| d.starts_with(
            "Volumes that are still using the storage pool: \n   Resource 'res' volume 0"
        )));
        // A thin pool reports its total as free, volumes or not.
        assert_eq!(listed(&m, Filter::default())[0].2, Some(1 << 30));
    }

    #[test]
    fn the_pool_list_shows_driver_capacity_and_traits_then_an_empty_reply() {
        let mut m = drbdpool_cluster(&["alpha", "bravo"]);
        let out = m.apply(Request::LstStorPool(Some(Filter::default())));
        assert_eq!(out.immediate.len(), 2, "list then an empty Reply");
        assert_eq!(out.immediate[1].content, "Reply");
        assert!(out.deferred.is_empty());
        let pools = body!(out, MsgLstStorPool);
        assert_eq!(pools.stor_pools.len(), 2, "DfltDisklessStorPool is hidden");
        let p = &pools.stor_pools[0];
        assert_eq!(
            (p.node_name.as_str(), p.driver.as_str()),
            ("alpha", "LvmThinDriver")
        );
        let free = p.free_space.as_ref().expect("free space");
        assert_eq!(
            (free.free_capacity, free.total_capacity),
            (1 << 30, 1 << 30)
        );
        assert!(p.static_traits.contains(&entry("Provisioning", "Thin")));
    }

    #[test]
    fn list_filters_are_validated() {
        let mut m = cluster(&["alpha", "bravo"]);
        let f = Filter {
            node_names: vec!["BRAVO".into()],
            ..Default::default()
        };
        assert_eq!(listed(&m, f).len(), 1);
        let invalid_node = Request::LstStorPool(Some(Filter {
            node_names: vec!["-x".into()],
            ..Default::default()
        }));
        assert_eq!(RC(codes(&m.apply(invalid_node))[0]).code(), 200);
        let bad = |f: Filter| m.lst_stor_pool(f).expect_err("refused");
        assert!(
            bad(Filter {
                node_names: vec!["-x".into()],
                ..Default::default()
            })
            .is_logged()
        );
        let e = m.answer(bad(Filter {
            stor_pool_names: vec!["x".into()],
            ..Default::default()
        }));
        assert_eq!(e.ret_code, 0xC000_0000_0114_00D0);
        ok(&mut m, Request::LstStorPool(None));
    }
}
