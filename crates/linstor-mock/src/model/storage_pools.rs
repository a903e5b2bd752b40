//! Storage pool definitions, storage pools, their capacity, and the max-volume-size query
//! (semantics.md §4, §5, §21).

use linstor_proto::ReturnCode as RC;
use linstor_proto::calls::answers;
use linstor_proto::consts::{drivers, keys, names as special};
use linstor_proto::messages::{
    Filter, MsgCrtStorPool, MsgDelStorPool, MsgLstStorPool, MsgModStorPool, StorPool as WirePool,
    StorPoolFreeSpace,
};
use linstor_proto::return_code::{Object, Operation};

use super::names::{key, valid_node_name, valid_stor_pool_name};
use super::props::{RuleSet, modify_props};
use super::reply::{Answer, Ctx, Outcome, ctx, map_entry, pool_ctx};
use super::state::{
    DISKLESS_CAPACITY, DRIVERS, Model, Props, StorPool, StorPoolDfn, driver_allowed, props_to_wire,
};

impl Model {
    pub(crate) fn fail_with_report(&mut self, problem: super::reply::Problem) -> Outcome {
        let id = self.report_id();
        Outcome::one(problem.report(id).0)
    }

    pub(crate) fn crt_stor_pool(&mut self, msg: MsgCrtStorPool) -> Outcome {
        let pool = msg.stor_pool;
        let (node_name, name) = (pool.node_name.clone(), pool.stor_pool_name.clone());
        let ctx = pool_ctx(Operation::Create, &node_name, &name);
        let Some(node) = self.node(&node_name).cloned() else {
            let e = self.node_not_found(&ctx, &node_name);
            return Outcome::one(e);
        };
        if !valid_stor_pool_name(&name) {
            return self.fail_with_report(ctx.problem(
                RC::FAIL_INVLD_STOR_POOL_NAME,
                format!("The given storage pool name '{name}' is invalid."),
            ));
        }
        if !DRIVERS.contains(&pool.driver.as_str())
            || !driver_allowed(&node.node_type, &pool.driver)
        {
            return self.fail_with_report(ctx.problem(
                RC::FAIL_INVLD_STOR_DRIVER,
                format!(
                    "Storage driver '{}' is not allowed on node '{}' of type '{}'.",
                    pool.driver, node.name, node.node_type
                ),
            ));
        }
        let pool_key = (key(&node_name), key(&name));
        if self.pools.contains_key(&pool_key) {
            return self.fail_with_report(ctx.problem(
                RC::FAIL_EXISTS_STOR_POOL,
                format!(
                    "Node: {}, Storage pool name: {name} already exists.",
                    node.name
                ),
            ));
        }
        let mut props = Props::new();
        if let Err(e) = modify_props(self, &ctx, RuleSet::StorPool, &mut props, &pool.props, &[]) {
            return Outcome::one(e);
        }
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
        Outcome::one(ctx.success(
            RC::CREATED,
            format!(
                "New storage pool '{name}' on node '{}' registered.",
                node.name
            ),
            "Storage pool UUID is:",
            &uuid,
        ))
        .changed()
    }

    pub(crate) fn pool_not_found(&mut self, ctx: &Ctx, node: &str, pool: &str) -> Outcome {
        let e = self.not_found(ctx,
            RC::FAIL_NOT_FOUND_STOR_POOL_DFN,
            format!("Storage pool '{pool}' on node '{node}' not found."),
            format!(
                "The specified storage pool '{pool}' on node '{node}' could not be found in the database"
            ),
        );
        Outcome::one(e)
    }

    pub(crate) fn mod_stor_pool(&mut self, msg: MsgModStorPool) -> Outcome {
        let (node, name) = (msg.node_name, msg.stor_pool_name);
        let ctx = pool_ctx(Operation::Modify, &node, &name);
        if self.node(&node).is_none() {
            let e = self.node_not_found(&ctx, &node);
            return Outcome::one(e);
        }
        let pool_key = (key(&node), key(&name));
        let Some(mut pool) = self.pools.get(&pool_key).cloned() else {
            return self.pool_not_found(&ctx, &node, &name);
        };
        if let Err(e) = modify_props(
            self,
            &ctx,
            RuleSet::StorPool,
            &mut pool.props,
            &msg.override_props,
            &msg.delete_prop_keys,
        ) {
            return Outcome::one(e);
        }
        let (uuid, display, node_display) =
            (pool.uuid.clone(), pool.name.clone(), pool.node_name.clone());
        self.pools.insert(pool_key, pool);
        Outcome::one(ctx.success(
            RC::MODIFIED,
            format!("Storage pool '{display}' on node '{node_display}' modified."),
            "Storage pool UUID is:",
            &uuid,
        ))
        .changed()
    }

    pub(crate) fn del_stor_pool(&mut self, msg: MsgDelStorPool) -> Outcome {
        let (node, name) = (msg.node_name, msg.stor_pool_name);
        let ctx = pool_ctx(Operation::Delete, &node, &name);
        if name.eq_ignore_ascii_case(special::DFLT_DISKLESS_STOR_POOL) {
            return self.fail_with_report(ctx.problem(
                RC::FAIL_INVLD_STOR_POOL_NAME,
                "The default diskless storage pool cannot be deleted!",
            ));
        }
        let pool_key = (key(&node), key(&name));
        let Some(pool) = self.pools.get(&pool_key).cloned() else {
            return Outcome::one(
                ctx.problem(
                    RC::WARN_NOT_FOUND,
                    format!("Deletion of storage pool '{name}' on node '{node}' had no effect."),
                )
                .cause(format!(
                    "Storage pool '{name}' on node '{node}' does not exist."
                ))
                .0,
            );
        };
        let users = self.volumes_in_pool(&pool.node_name, &pool.name);
        if !users.is_empty() {
            let list: Vec<String> = users
                .iter()
                .map(|(r, v, _)| format!("Resource '{r}' volume {v}"))
                .collect();
            return self.fail_with_report(
                ctx.problem(RC::FAIL_IN_USE, format!("The specified storage pool '{}' on node '{}' can not be deleted as volumes are still using it.", pool.name, pool.node_name))
                    .details(format!("Volumes that are still using the storage pool: \n   {}", list.join("\n   "))),
            );
        }
        self.pools.remove(&pool_key);
        Outcome::one(ctx.success(
            RC::DELETED,
            format!(
                "Storage pool '{}' on node '{}' deleted.",
                pool.name, pool.node_name
            ),
            "Storage pool UUID was:",
            &pool.uuid,
        ))
        .changed()
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
        let free_space = self.free_kib(pool).map(|free| StorPoolFreeSpace {
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

    pub(crate) fn lst_stor_pool(&mut self, filter: Filter) -> Outcome {
        let ctx = ctx(Operation::Create, Object::StoragePool, "");
        if let Some(bad) = filter.node_names.iter().find(|n| !valid_node_name(n)) {
            let bad = bad.clone();
            return self.fail_with_report(ctx.problem(
                RC::FAIL_INVLD_NODE_NAME,
                format!("The given node name '{bad}' is invalid."),
            ));
        }
        if let Some(bad) = filter
            .stor_pool_names
            .iter()
            .find(|n| !valid_stor_pool_name(n))
        {
            let bad = bad.clone();
            return self.fail_with_report(ctx.problem(
                RC::FAIL_INVLD_STOR_POOL_NAME,
                format!("The given storage pool name '{bad}' is invalid."),
            ));
        }
        let matches = |list: &[String], name: &str| {
            list.is_empty() || list.iter().any(|n| n.eq_ignore_ascii_case(name))
        };
        let stor_pools = self
            .pools
            .values()
            .filter(|p| {
                !p.name
                    .eq_ignore_ascii_case(special::DFLT_DISKLESS_STOR_POOL)
            })
            .filter(|p| {
                matches(&filter.node_names, &p.node_name)
                    && matches(&filter.stor_pool_names, &p.name)
            })
            .map(|p| self.wire_pool(p))
            .collect();
        Outcome {
            immediate: vec![
                Answer::list(answers::LST_STOR_POOL, MsgLstStorPool { stor_pools }),
                Answer::reply(vec![]),
            ],
            ..Outcome::default()
        }
    }
}
