//! Snapshots: create, delete, rollback, restore, list (docs/controller-rules.md#snapshots).

use std::collections::BTreeMap;

use linstor_proto::ReturnCode as RC;
use linstor_proto::calls::answers;
use linstor_proto::consts::{flags, keys};
use linstor_proto::messages::{
    MsgApiCallResponse, MsgCrtSnapshot, MsgDelSnapshot, MsgLstSnapshotDfn, MsgRestoreSnapshotRsc,
    MsgRestoreSnapshotVlmDfn, MsgRollbackSnapshot, Snapshot, SnapshotDfn as WireSnapshotDfn,
    SnapshotVlmDfn, VlmDfn as WireVlmDfn,
};
use linstor_proto::return_code::Operation;

use super::names::{key, valid_snapshot_name};
use super::reply::{Answer, Ctx, Outcome, Problem, ensure, rsc_dfn_ctx, snap_ctx};
use super::state::{Model, Rsc, SnapshotDfn, Vlm};

impl Model {
    fn snapshot(&self, rsc: &str, snap: &str) -> Option<&SnapshotDfn> {
        self.rsc_dfns.get(&key(rsc))?.snapshots.get(&key(snap))
    }

    /// The snapshot definition, or `FAIL_NOT_FOUND_SNAPSHOT_DFN`.
    fn snapshot_or(&self, ctx: &Ctx, rsc: &str, snap: &str) -> Result<SnapshotDfn, Problem> {
        self.snapshot(rsc, snap).cloned().ok_or_else(|| {
            ctx.problem(
                RC::FAIL_NOT_FOUND_SNAPSHOT_DFN,
                format!("Snapshot '{snap}' of resource '{rsc}' not found."),
            )
        })
    }

    pub(crate) fn crt_snapshot(&mut self, msg: MsgCrtSnapshot) -> Result<Outcome, Problem> {
        let s = msg.snapshot_dfn;
        let (rsc, snap) = (s.rsc_name.clone(), s.snapshot_name.clone());
        let requested: Vec<String> = s.snapshots.iter().map(|x| x.node_name.clone()).collect();
        let ctx = snap_ctx(Operation::Create, &rsc, &snap, &requested);
        let rsc_key = key(&rsc);
        // This not-found entry has neither cause nor correction.
        let dfn = self.rsc_dfns.get(&rsc_key).cloned().ok_or_else(|| {
            ctx.problem(
                RC::FAIL_NOT_FOUND_RSC_DFN,
                format!("Resource definition '{rsc}' not found."),
            )
        })?;
        ensure(valid_snapshot_name(&snap), || {
            ctx.problem(
                RC::FAIL_INVLD_SNAPSHOT_NAME,
                format!("The given snapshot name '{snap}' is invalid."),
            )
        })?;
        ensure(!dfn.snapshots.contains_key(&key(&snap)), || {
            ctx.problem(RC::FAIL_EXISTS_SNAPSHOT_DFN, format!("A snapshot definition with the name '{snap}' already exists in resource definition '{}'.", dfn.name))
        })?;
        let mut targets = Vec::new();
        if requested.is_empty() {
            targets.extend(
                self.rscs
                    .iter()
                    .filter(|((r, _), x)| *r == rsc_key && !x.is_diskless())
                    .map(|(_, x)| x.clone()),
            );
            ensure(!targets.is_empty(), || {
                ctx.problem(
                    RC::FAIL_NOT_FOUND_RSC,
                    "No resources found for snapshotting",
                )
            })?;
        } else {
            for (i, n) in requested.iter().enumerate() {
                // The controller fails on a node named twice: its snapshot exists by then.
                ensure(!requested[..i].iter().any(|m| key(m) == key(n)), || {
                    ctx.problem(
                        RC::FAIL_EXISTS_SNAPSHOT,
                        format!(
                            "Snapshot '{snap}' of resource '{}' on node '{n}' already exists.",
                            dfn.name
                        ),
                    )
                })?;
                match self.rscs.get(&(rsc_key.clone(), key(n))) {
                    None => {
                        return Err(ctx.problem(
                            RC::FAIL_NOT_FOUND_RSC,
                            format!("Resource '{}' on node '{n}' not found.", dfn.name),
                        ));
                    }
                    Some(r) if r.is_diskless() => {
                        return Err(ctx.problem(
                            RC::FAIL_SNAPSHOTS_NOT_SUPPORTED,
                            format!("Cannot create snapshot from diskless resource on node '{n}'"),
                        ));
                    }
                    Some(r) => targets.push(r.clone()),
                }
            }
        }
        for r in &targets {
            for v in r.vlms.values() {
                if let Some(pool) = self.pools.get(&(key(&r.node_name), key(&v.stor_pool)))
                    && !pool.supports_snapshots()
                {
                    let driver = pool.driver.clone();
                    return Err(ctx.problem(
                        RC::FAIL_SNAPSHOTS_NOT_SUPPORTED,
                        format!("Storage driver '{driver}' does not support snapshots."),
                    ));
                }
            }
        }
        // Every satellite of the definition takes part (it suspends I/O).
        let connected = self
            .rscs_of(&rsc_key)
            .all(|((_, n), _)| self.node_key_online(n));
        ensure(connected, || {
            ctx.problem(
                RC::FAIL_NOT_CONNECTED,
                "Snapshots cannot be created when the corresponding satellites are not connected.",
            )
        })?;
        let uuid = self.uuid();
        let seq = self.next_snapshot_seq;
        self.next_snapshot_seq += 1;
        let placement = targets
            .iter()
            .map(|r| {
                (
                    key(&r.node_name),
                    (
                        r.node_id,
                        r.vlms
                            .values()
                            .map(|v| (v.nr, v.stor_pool.clone()))
                            .collect(),
                    ),
                )
            })
            .collect();
        let created = SnapshotDfn {
            uuid: uuid.clone(),
            name: snap.clone(),
            seq,
            nodes: targets.iter().map(|r| r.node_name.clone()).collect(),
            vlm_sizes: dfn.vlm_dfns.values().map(|v| (v.nr, v.size_kib)).collect(),
            flags: vec![flags::SUCCESSFUL.to_owned()],
            placement,
        };
        if let Some(d) = self.rsc_dfns.get_mut(&rsc_key) {
            d.snapshots.insert(key(&snap), created);
        }
        let mut deferred = Vec::new();
        for r in &targets {
            let n = &r.node_name;
            deferred.push(ctx.plain(
                RC::MODIFIED,
                format!("Suspended IO of '{}' on '{n}' for snapshot", dfn.name),
            ));
            deferred.push(ctx.plain(
                RC::MODIFIED,
                format!("Took snapshot of '{}' on '{n}'", dfn.name),
            ));
            deferred.push(ctx.plain(
                RC::MODIFIED,
                format!("Resumed IO of '{}' on '{n}' after snapshot", dfn.name),
            ));
        }
        let on_nodes = if requested.is_empty() {
            String::new()
        } else {
            format!(" on nodes '{}'", requested.join(", "))
        };
        Ok(Outcome::one(ctx.success(
            RC::CREATED,
            format!(
                "New snapshot '{snap}' of resource '{}'{on_nodes} registered.",
                dfn.name
            ),
            "Snapshot UUID is:",
            &uuid,
        ))
        .changed()
        .deferred(deferred))
    }

    pub(crate) fn del_snapshot(&mut self, msg: MsgDelSnapshot) -> Result<Outcome, Problem> {
        let (rsc, snap) = (msg.rsc_name, msg.snapshot_name);
        let ctx = snap_ctx(Operation::Delete, &rsc, &snap, &[]);
        self.must_rsc_dfn(&ctx, &rsc)?;
        let s = self.snapshot_or(&ctx, &rsc, &snap)?;
        let display = self.rsc_dfns[&key(&rsc)].name.clone();
        if let Some(d) = self.rsc_dfns.get_mut(&key(&rsc)) {
            d.snapshots.remove(&key(&snap));
        }
        let mut deferred: Vec<MsgApiCallResponse> = s
            .nodes
            .iter()
            .map(|n| {
                ctx.plain(
                    RC::MODIFIED,
                    format!("Deleted snapshot '{}' of '{display}' on '{n}'", s.name),
                )
            })
            .collect();
        deferred.push(ctx.success(
            RC::DELETED,
            format!("Snapshot '{}' of resource '{display}' deleted.", s.name),
            "Snapshot UUID was:",
            &s.uuid,
        ));
        Ok(Outcome::one(ctx.success(
            RC::DELETED,
            format!(
                "Snapshot '{}' of resource '{display}' marked for deletion.",
                s.name
            ),
            "Snapshot UUID is:",
            &s.uuid,
        ))
        .changed()
        .deferred(deferred))
    }

    pub(crate) fn rollback_snapshot(
        &mut self,
        msg: MsgRollbackSnapshot,
    ) -> Result<Outcome, Problem> {
        let (rsc, snap) = (msg.rsc_name, msg.snapshot_name);
        let ctx = snap_ctx(Operation::Modify, &rsc, &snap, &[]);
        self.must_rsc_dfn(&ctx, &rsc)?;
        let s = self.snapshot_or(&ctx, &rsc, &snap)?;
        let rsc_key = key(&rsc);
        let newest = self.rsc_dfns[&rsc_key]
            .snapshots
            .values()
            .map(|x| x.seq)
            .max();
        ensure(newest == Some(s.seq), || {
            ctx.problem(
                RC::FAIL_EXISTS_SNAPSHOT_DFN,
                "Rollback is only allowed with the most recent snapshot",
            )
        })?;
        let display = self.rsc_dfns[&rsc_key].name.clone();
        let diskful: Vec<String> = self
            .rscs
            .iter()
            .filter(|((r, _), x)| *r == rsc_key && !x.is_diskless())
            .map(|(_, x)| x.node_name.clone())
            .collect();
        if let Some(missing) = diskful.iter().find(|n| !s.placement.contains_key(&key(n))) {
            return Err(ctx.problem(
                RC::FAIL_NOT_FOUND_SNAPSHOT,
                format!(
                    "Snapshot '{}' of resource '{display}' on node '{missing}' not found.",
                    s.name
                ),
            ));
        }
        let connected = self
            .rscs_of(&rsc_key)
            .all(|((_, n), _)| self.node_key_online(n));
        ensure(connected, || {
            ctx.problem(
                RC::FAIL_NOT_CONNECTED,
                format!("Rollback of resource '{display}' needs every satellite of it connected."),
            )
        })?;
        let mut deferred = Vec::new();
        for n in &diskful {
            deferred.push(ctx.plain(
                RC::MODIFIED,
                format!("Deactivated resource '{display}' on '{n}' for rollback"),
            ));
            deferred.push(ctx.plain(
                RC::MODIFIED,
                format!("Rolled resource '{display}' back on '{n}'"),
            ));
            deferred.push(ctx.plain(
                RC::MODIFIED,
                format!("Re-activated resource '{display}' on '{n}' after rollback"),
            ));
        }
        Ok(Outcome::one(ctx.success(
            RC::MODIFIED,
            format!(
                "Snapshot '{}' of resource '{display}' marked down for rollback.",
                s.name
            ),
            "Snapshot UUID is:",
            &s.uuid,
        ))
        .deferred(deferred))
    }

    pub(crate) fn restore_vlm_dfn(
        &mut self,
        msg: MsgRestoreSnapshotVlmDfn,
    ) -> Result<Outcome, Problem> {
        let (from, snap, to) = (
            msg.from_resource_name,
            msg.from_snapshot_name,
            msg.to_resource_name,
        );
        let ctx = snap_ctx(Operation::Create, &from, &snap, &[]);
        let s = self.snapshot_or(&ctx, &from, &snap)?;
        let to_key = key(&to);
        let target = self.rsc_dfns.get(&to_key).cloned().ok_or_else(|| {
            rsc_dfn_ctx(Operation::Create, &to).problem(
                RC::FAIL_NOT_FOUND_RSC_DFN,
                format!("Resource definition '{to}' not found."),
            )
        })?;
        if let Some(nr) = s
            .vlm_sizes
            .keys()
            .find(|nr| target.vlm_dfns.contains_key(nr))
        {
            return Err(ctx.problem(RC::FAIL_EXISTS_VLM_DFN, format!("A volume definition with the number {nr} already exists in resource definition '{}'.", target.name)));
        }
        let from_display = self.rsc_dfns[&key(&from)].name.clone();
        let mut out = Outcome::default().changed();
        for (nr, size) in &s.vlm_sizes {
            let vlm_dfn = WireVlmDfn {
                vlm_nr: Some(*nr),
                vlm_size: *size,
                ..Default::default()
            };
            self.create_vlm_dfn(&target.name, vlm_dfn)?;
            self.emit_definition_state(&mut out.events, &to_key);
        }
        out.immediate.push(Answer::reply(vec![ctx.plain(
            RC::DELETED,
            format!("Volume definitions of resource definition '{}' restored from resource '{from_display}', snapshot '{}'.", target.name, s.name),
        )]));
        Ok(out)
    }

    pub(crate) fn restore_snapshot(
        &mut self,
        msg: MsgRestoreSnapshotRsc,
    ) -> Result<Outcome, Problem> {
        let (from, snap, to) = (
            msg.from_resource_name,
            msg.from_snapshot_name,
            msg.to_resource_name,
        );
        let requested: Vec<String> = msg.nodes.iter().map(|n| n.name.clone()).collect();
        let ctx = snap_ctx(Operation::Create, &from, &snap, &[]);
        let s = self.snapshot_or(&ctx, &from, &snap)?;
        let to_key = key(&to);
        let target = self.rsc_dfns.get(&to_key).cloned().ok_or_else(|| {
            rsc_dfn_ctx(Operation::Create, &to).problem(
                RC::FAIL_NOT_FOUND_RSC_DFN,
                format!("Resource definition '{to}' not found."),
            )
        })?;
        ensure(self.rscs_of(&to_key).next().is_none(), || {
            ctx.problem(
                RC::FAIL_EXISTS_RSC,
                "Cannot restore to resource defintion which already has resources",
            )
        })?;
        let nodes: Vec<String> = if requested.is_empty() {
            s.nodes.clone()
        } else {
            for n in &requested {
                ensure(self.node(n).is_some(), || {
                    ctx.problem(RC::FAIL_NOT_FOUND_NODE, format!("Node '{n}' not found."))
                })?;
                ensure(s.placement.contains_key(&key(n)), || {
                    ctx.problem(
                        RC::FAIL_NOT_FOUND_SNAPSHOT,
                        format!("Snapshot '{}' on node '{n}' not found.", s.name),
                    )
                })?;
            }
            requested.clone()
        };
        for (nr, vd) in &target.vlm_dfns {
            match s.vlm_sizes.get(nr) {
                None => {
                    return Err(ctx.problem(
                        RC::FAIL_NOT_FOUND_SNAPSHOT_VLM_DFN,
                        format!("Snapshot volume definition {nr} not found."),
                    ));
                }
                Some(size) if *size != vd.size_kib => {
                    return Err(ctx.problem(RC::FAIL_INVLD_VLM_SIZE, format!("Snapshot size does not match for volume number {nr}; snapshot size: {size}KiB, specified size: {}KiB", vd.size_kib)));
                }
                Some(_) => {}
            }
        }
        // The pools the snapshot was taken in may have been deleted since (a snapshot does
        // not keep its pool): all must still be there.
        for n in &nodes {
            let Some(node) = self.node(n) else { continue };
            let pools = s.placement.get(&key(n)).map(|(_, p)| p);
            for nr in target.vlm_dfns.keys() {
                let pool = pools
                    .and_then(|p| p.get(nr))
                    .map_or(linstor_proto::consts::names::DFLT_STOR_POOL, String::as_str);
                ensure(
                    self.pools.contains_key(&(key(&node.name), key(pool))),
                    || ctx.pool_not_found(&node.name, pool),
                )?;
            }
        }
        let mut entries = Vec::new();
        if target.vlm_dfns.is_empty() {
            entries.push(
                ctx.problem(RC::WARN_NOT_FOUND, "No volumes to restore.")
                    .warning(),
            );
        }
        let from_display = self.rsc_dfns[&key(&from)].name.clone();
        let mut out = Outcome::default().changed();
        for n in &nodes {
            let Some(node) = self.node(n).cloned() else {
                continue;
            };
            let (node_id, pools) = s.placement.get(&key(n)).cloned().unwrap_or_default();
            let uuid = self.uuid();
            let mut res = Rsc {
                uuid,
                node_name: node.name.clone(),
                rsc_name: target.name.clone(),
                node_id,
                flags: vec![],
                props: [(keys::PEER_SLOTS.to_owned(), "7".to_owned())]
                    .into_iter()
                    .collect(),
                vlms: BTreeMap::new(),
            };
            for nr in target.vlm_dfns.keys() {
                let uuid = self.uuid();
                let pool = pools
                    .get(nr)
                    .cloned()
                    .unwrap_or_else(|| linstor_proto::consts::names::DFLT_STOR_POOL.to_owned());
                res.vlms.insert(*nr, Vlm::new(uuid, *nr, pool, false));
            }
            self.rscs.insert((to_key.clone(), key(&node.name)), res);
            self.emit_resource_state(&mut out.events, &to_key, &key(&node.name));
        }
        let on = if requested.is_empty() {
            String::new()
        } else {
            format!(" on nodes '{}'", requested.join(", "))
        };
        entries.push(ctx.plain(
            RC::CREATED,
            format!(
                "Resource '{}'{on} restored from resource '{from_display}', snapshot '{}'.",
                target.name, s.name
            ),
        ));
        out.immediate.push(Answer::reply(entries));
        Ok(out)
    }

    pub(crate) fn lst_snapshot_dfn(&self) -> Outcome {
        let snapshot_dfns = self
            .rsc_dfns
            .values()
            .flat_map(|d| {
                d.snapshots.values().map(move |s| WireSnapshotDfn {
                    uuid: Some(s.uuid.clone()),
                    snapshot_name: s.name.clone(),
                    rsc_dfn_uuid: Some(s.uuid.clone()),
                    rsc_name: d.name.clone(),
                    snapshot_dfn_flags: s.flags.clone(),
                    snapshots: s
                        .nodes
                        .iter()
                        .map(|n| Snapshot {
                            node_name: n.clone(),
                        })
                        .collect(),
                    snapshot_vlm_dfns: s
                        .vlm_sizes
                        .iter()
                        .map(|(nr, size)| SnapshotVlmDfn {
                            vlm_nr: Some(*nr),
                            vlm_size: *size,
                        })
                        .collect(),
                })
            })
            .collect();
        Outcome::list(
            answers::LST_SNAPSHOT_DFN,
            MsgLstSnapshotDfn { snapshot_dfns },
        )
    }
}

#[cfg(test)]
mod tests;
