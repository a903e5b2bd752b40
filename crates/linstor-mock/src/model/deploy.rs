//! Deploying volumes and resources, the part several call families share: the storage pool
//! of each new volume, creating volume definitions (CrtVlmDfn, the ones inside CrtRscDfn,
//! RestoreVlmDfn) and creating resources (CrtRsc, AutoPlaceRsc) with their deferred answers
//! (`docs/controller-rules.md#resources`).

use std::collections::BTreeMap;

use linstor_proto::ReturnCode as RC;
use linstor_proto::consts::{flags, keys, names as special};
use linstor_proto::messages::{MsgApiCallResponse, Rsc as WireRsc, VlmDfn as WireVlmDfn};
use linstor_proto::return_code::{Object, Operation};

use super::names::key;
use super::props::{RuleSet, modify_props};
use super::reply::{Ctx, Outcome, Problem, ensure, vlm_dfn_ctx};
use super::state::{Model, Props, Rsc, RscDfn, Vlm, VlmDfn};

impl Model {
    /// Creates one volume definition (validated) and its volumes on every deployed resource.
    pub(crate) fn create_vlm_dfn(&mut self, rsc: &str, v: WireVlmDfn) -> Result<i32, Problem> {
        let rsc_key = key(rsc);
        let probe_nr = v.vlm_nr.unwrap_or(-1);
        let ctx = vlm_dfn_ctx(Operation::Create, rsc, probe_nr);
        let dfn = self
            .rsc_dfns
            .get(&rsc_key)
            .cloned()
            .ok_or_else(|| ctx.rsc_dfn_not_found(rsc))?;
        let used = |nr: i32| {
            dfn.vlm_dfns.contains_key(&nr)
                || dfn
                    .snapshots
                    .values()
                    .any(|s| s.vlm_sizes.contains_key(&nr))
        };
        let nr = match v.vlm_nr {
            Some(nr) if !(0..=special::VLM_NR_MAX).contains(&nr) => {
                return Err(ctx.problem(
                    RC::FAIL_INVLD_VLM_NR,
                    format!("The specified volume number '{nr}' is invalid."),
                ));
            }
            Some(nr) if used(nr) => {
                return Err(ctx.problem(
                    RC::FAIL_EXISTS_VLM_DFN,
                    format!("A volume definition with the number {nr} already exists in resource definition '{}'.", dfn.name),
                ));
            }
            Some(nr) => nr,
            None => match (0..=special::VLM_NR_MAX).find(|n| !used(*n)) {
                Some(nr) => nr,
                None => {
                    return Err(
                        ctx.problem(RC::FAIL_POOL_EXHAUSTED_VLM_NR, "No free volume number.")
                    );
                }
            },
        };
        let ctx = vlm_dfn_ctx(Operation::Create, &dfn.name, nr);
        ensure(
            (special::VLM_SIZE_MIN_KIB..=special::VLM_SIZE_MAX_KIB).contains(&v.vlm_size),
            || {
                ctx.problem(
                    RC::FAIL_INVLD_VLM_SIZE,
                    format!("The specified volume size '{}' is invalid.", v.vlm_size),
                )
            },
        )?;
        let minor = match v.vlm_minor {
            Some(m) if !(0..=special::MINOR_MAX).contains(&m) || self.minor_taken(m) => {
                return Err(ctx.problem(
                    RC::FAIL_INVLD_MINOR_NR,
                    format!("The specified minor number '{m}' is invalid."),
                ));
            }
            Some(m) => m,
            None => match self.free_minor() {
                Some(m) => m,
                None => {
                    return Err(ctx.problem(
                        RC::FAIL_POOL_EXHAUSTED_MINOR_NR,
                        "Could not find free minor number in range.",
                    ));
                }
            },
        };
        ensure(
            !v.vlm_flags.iter().any(|f| f == flags::ENCRYPTED) || self.passphrase.is_some(),
            || {
                ctx.problem(
                    RC::FAIL_NOT_FOUND_CRYPT_KEY,
                    "Could not create encrypted volume definition as the master key is not known.",
                )
            },
        )?;
        let mut props = Props::new();
        modify_props(&ctx, RuleSet::VlmDfn, &mut props, &v.vlm_props, &[])?;
        let uuid = self.uuid();
        let vlm_dfn = VlmDfn {
            uuid,
            nr,
            size_kib: v.vlm_size,
            minor,
            flags: v.vlm_flags.clone(),
            props,
        };
        // Volumes on every deployed resource, pools resolved first (all or nothing).
        let mut placed = Vec::new();
        for ((r, n), res) in self.rscs_of(&rsc_key) {
            let pool = if res.is_diskless() {
                self.diskless_pool_name(res)
            } else {
                self.resolve_pool(res, &vlm_dfn, &dfn)
            };
            // A diskless resource's pool must exist too, and be diskless.
            let found = self.pools.get(&(n.clone(), key(&pool)));
            ensure(found.is_some(), || {
                ctx.problem(
                    RC::FAIL_NOT_FOUND_DFLT_STOR_POOL,
                    format!("The storage pool '{pool}' for resource '{}' for volume number '{nr}' is not deployed on node '{}'.", dfn.name, res.node_name),
                )
            })?;
            ensure(
                !res.is_diskless() || found.is_some_and(|p| p.is_diskless()),
                || {
                    ctx.problem(
                        RC::FAIL_INVLD_STOR_POOL_NAME,
                        "Storage pool with backing disk not allowed with diskless resource.",
                    )
                },
            )?;
            placed.push(((r.clone(), n.clone()), pool, res.is_diskless()));
        }
        for (k, pool, diskless) in placed {
            let uuid = self.uuid();
            if let Some(res) = self.rscs.get_mut(&k) {
                res.vlms.insert(nr, Vlm::new(uuid, nr, pool, diskless));
            }
        }
        self.put_vlm_dfn(&rsc_key, nr, vlm_dfn);
        Ok(nr)
    }

    /// The pool of a diskful volume (docs/controller-rules.md#storage-pool-resolution): first `StorPoolName` of resource,
    /// volume definition, resource definition, node; else `DfltStorPool`.
    pub(crate) fn resolve_pool(&self, res: &Rsc, vd: &VlmDfn, dfn: &RscDfn) -> String {
        let node_props = self.node(&res.node_name).map(|n| &n.props);
        [
            Some(&res.props),
            Some(&vd.props),
            Some(&dfn.props),
            node_props,
        ]
        .into_iter()
        .flatten()
        .find_map(|p| p.get(keys::STOR_POOL_NAME).cloned())
        .unwrap_or_else(|| special::DFLT_STOR_POOL.to_owned())
    }

    pub(crate) fn diskless_pool_name(&self, res: &Rsc) -> String {
        res.props
            .get(keys::STOR_POOL_NAME)
            .cloned()
            .unwrap_or_else(|| special::DFLT_DISKLESS_STOR_POOL.to_owned())
    }

    /// Resolves pools for every volume of a new resource; may flag it diskless.
    pub(crate) fn place_volumes(
        &mut self,
        res: &mut Rsc,
        dfn: &RscDfn,
        ctx: &Ctx,
        warnings: &mut Vec<MsgApiCallResponse>,
    ) -> Result<(), Problem> {
        let node_key = key(&res.node_name);
        if res.is_diskless() {
            let pool = self.diskless_pool_name(res);
            match self.pools.get(&(node_key.clone(), key(&pool))) {
                Some(p) if !p.is_diskless() => {
                    return Err(ctx.problem(
                        RC::FAIL_INVLD_STOR_POOL_NAME,
                        "Storage pool with backing disk not allowed with diskless resource.",
                    ));
                }
                Some(_) => {}
                None => {
                    return Err(ctx.problem(
                        RC::FAIL_NOT_FOUND_DFLT_STOR_POOL,
                        format!("The storage pool '{pool}' for resource '{}' is not deployed on node '{}'.", dfn.name, res.node_name),
                    ));
                }
            }
            res.props
                .entry(keys::STOR_POOL_NAME.to_owned())
                .or_insert(pool.clone());
            for vd in dfn.vlm_dfns.values() {
                let uuid = self.uuid();
                res.vlms
                    .insert(vd.nr, Vlm::new(uuid, vd.nr, pool.clone(), true));
            }
            return Ok(());
        }
        let mut chosen = Vec::new();
        for vd in dfn.vlm_dfns.values() {
            let name = self.resolve_pool(res, vd, dfn);
            let Some(pool) = self.pools.get(&(node_key.clone(), key(&name))).cloned() else {
                return Err(ctx.problem(
                    RC::FAIL_NOT_FOUND_DFLT_STOR_POOL,
                    format!(
                        "The storage pool '{name}' for resource '{}' for volume number '{}' is not deployed on node '{}'.",
                        dfn.name, vd.nr, res.node_name
                    ),
                ));
            };
            ensure(
                pool.is_diskless()
                    || !self.node_key_online(&node_key)
                    || self
                        .placeable_kib(&pool)
                        .is_none_or(|free| free >= vd.size_kib.max(0) as u64),
                || {
                    ctx.problem(
                        RC::FAIL_INVLD_VLM_SIZE,
                        format!(
                            "Not enough free space available for volume {} of resource '{}'.",
                            vd.nr, dfn.name
                        ),
                    )
                },
            )?;
            chosen.push((vd.nr, pool));
        }
        if chosen.iter().any(|(_, p)| p.is_diskless()) {
            res.flags.push(flags::DISKLESS.to_owned());
            warnings.push(Ctx::new(Operation::Create, Object::StoragePool, "").plain(
                RC(0x8000_0000_0000_0000),
                "Resource will be automatically flagged diskless.",
            ));
        }
        let diskless = res.is_diskless();
        for (nr, pool) in chosen {
            let uuid = self.uuid();
            res.vlms.insert(
                nr,
                Vlm::new(uuid, nr, pool.name.clone(), diskless || pool.is_diskless()),
            );
        }
        Ok(())
    }

    /// Creates resources on nodes (validated, all or nothing); returns the created ones.
    pub(crate) fn create_resources(
        &mut self,
        wires: Vec<WireRsc>,
        ctx_for: impl Fn(&str, &str) -> Ctx,
    ) -> Result<(Vec<Rsc>, Vec<MsgApiCallResponse>), Problem> {
        let mut created: Vec<Rsc> = Vec::new();
        let mut warnings = Vec::new();
        let peer_slots = 7;
        for w in wires {
            let ctx = ctx_for(&w.node_name, &w.name);
            let node = self
                .node(&w.node_name)
                .cloned()
                .ok_or_else(|| ctx.node_not_found(&w.node_name))?;
            let dfn = self
                .rsc_dfns
                .get(&key(&w.name))
                .cloned()
                .ok_or_else(|| ctx.rsc_dfn_not_found(&w.name))?;
            let k = (key(&w.name), key(&w.node_name));
            ensure(
                !self.rscs.contains_key(&k)
                    && !created
                        .iter()
                        .any(|c| key(&c.node_name) == k.1 && key(&c.rsc_name) == k.0),
                || {
                    ctx.problem(
                        RC::FAIL_EXISTS_RSC,
                        format!(
                            "A resource '{}' on node '{}' already exists.",
                            dfn.name, node.name
                        ),
                    )
                },
            )?;
            let used: Vec<i32> = self
                .rscs_of(&k.0)
                .map(|(_, r)| r.node_id)
                .chain(
                    created
                        .iter()
                        .filter(|c| key(&c.rsc_name) == k.0)
                        .map(|c| c.node_id),
                )
                .collect();
            let node_id = if w.override_node_id == Some(true) {
                let id = w.node_id.unwrap_or(0);
                ensure(
                    (0..=special::NODE_ID_MAX).contains(&id) && !used.contains(&id),
                    || {
                        ctx.problem(
                            RC::FAIL_INVLD_NODE_ID,
                            format!("The specified node ID '{id}' is invalid."),
                        )
                    },
                )?;
                id
            } else {
                match (0..=special::NODE_ID_MAX).find(|i| !used.contains(i)) {
                    Some(i) => i,
                    None => {
                        return Err(
                            ctx.problem(RC::FAIL_POOL_EXHAUSTED_NODE_ID, "No free node id.")
                        );
                    }
                }
            };
            ensure(used.len() <= peer_slots, || {
                ctx.problem(
                    RC::FAIL_INSUFFICIENT_PEER_SLOTS,
                    "Resource has insufficient peer slots.",
                )
            })?;
            let mut props = Props::new();
            modify_props(&ctx, RuleSet::Rsc, &mut props, &w.props, &[])?;
            props.insert(keys::PEER_SLOTS.to_owned(), peer_slots.to_string());
            let uuid = self.uuid();
            let mut res = Rsc {
                uuid,
                node_name: node.name.clone(),
                rsc_name: dfn.name.clone(),
                node_id,
                flags: w
                    .rsc_flags
                    .iter()
                    .filter(|f| *f == flags::DISKLESS)
                    .cloned()
                    .collect(),
                props,
                vlms: BTreeMap::new(),
            };
            self.place_volumes(&mut res, &dfn, &ctx, &mut warnings)?;
            created.push(res);
        }
        Ok((created, warnings))
    }

    /// Stores created resources, emits their events and builds the deferred answers.
    pub(crate) fn deploy(
        &mut self,
        created: &[Rsc],
        out: &mut Outcome,
        ctx_for: impl Fn(&str, &str) -> Ctx,
    ) -> Vec<MsgApiCallResponse> {
        let mut deferred = Vec::new();
        let Some(first) = created.first() else {
            return deferred;
        };
        let rsc_key = key(&first.rsc_name);
        for r in created {
            self.rscs
                .insert((rsc_key.clone(), key(&r.node_name)), r.clone());
        }
        let display = first.rsc_name.clone();
        let new_nodes: Vec<String> = created.iter().map(|r| r.node_name.clone()).collect();
        let all: Vec<(String, String)> = self
            .rscs_of(&rsc_key)
            .map(|((_, n), x)| (n.clone(), x.node_name.clone()))
            .collect();
        self.start_resyncs(
            &rsc_key,
            &created
                .iter()
                .map(|r| key(&r.node_name))
                .collect::<Vec<_>>(),
        );
        let ctx0 = ctx_for(&first.node_name, &display);
        for (node_key, node) in &all {
            if !self.node_key_online(node_key) {
                // The controller keeps the change for the satellite's return.
                deferred.push(not_connected(&ctx0, node));
            } else if new_nodes.contains(node) {
                deferred.push(ctx0.plain(
                    RC::MODIFIED,
                    format!("Created resource '{display}' on '{node}'"),
                ));
            } else {
                let peers: Vec<String> = new_nodes.iter().map(|n| format!("'{n}'")).collect();
                deferred.push(ctx0.plain(
                    RC::MODIFIED,
                    format!(
                        "Added peer(s) {} to resource '{display}' on '{node}'",
                        peers.join(", ")
                    ),
                ));
            }
        }
        let has_vlms = self
            .rsc_dfns
            .get(&rsc_key)
            .is_some_and(|d| !d.vlm_dfns.is_empty());
        let all_diskless = self.rscs_of(&rsc_key).all(|(_, x)| x.is_diskless());
        for r in created {
            self.emit_resource_state(&mut out.events, &rsc_key, &key(&r.node_name));
        }
        // Peers whose readiness the new replicas changed (never with default disk states).
        self.emit_definition_state(&mut out.events, &rsc_key);
        if !has_vlms {
            deferred.push(
                ctx0.problem(
                    RC::WARN_NOT_FOUND,
                    format!("No volumes have been defined for resource '{display}'"),
                )
                .warning(),
            );
        } else if all_diskless {
            deferred.push(
                ctx0.problem(
                    RC::WARN_ALL_DISKLESS,
                    format!(
                        "Resource '{display}' unusable because it is diskless on all its nodes"
                    ),
                )
                .warning(),
            );
        } else {
            for r in created
                .iter()
                .filter(|r| self.node_key_online(&key(&r.node_name)))
            {
                let c = ctx_for(&r.node_name, &display);
                let mut e = c.plain(
                    RC::CREATED,
                    format!("Resource '{display}' on '{}' ready", r.node_name),
                );
                e.details = Some(format!("Node: {}, Resource: {display}", r.node_name));
                deferred.push(e);
            }
        }
        deferred
    }
}

/// The `WARN_NOT_CONNECTED` entry a satellite step gets when the node's satellite is offline
/// (`docs/scenarios.md#satellites`).
pub(crate) fn not_connected(ctx: &Ctx, node: &str) -> MsgApiCallResponse {
    ctx.problem(
        RC::WARN_NOT_CONNECTED,
        format!("No connection to satellite '{node}'"),
    )
    .cause(format!(
        "The satellite of node '{node}' is offline: the change is stored and reaches it when it connects again."
    ))
    .warning()
}
