//! Resources and their volumes, disk toggling, and the resource and volume lists
//! (`docs/controller-rules.md#resources`).

use bytes::BytesMut;
use linstor_proto::Request;
use linstor_proto::ReturnCode as RC;
use linstor_proto::calls::answers;
use linstor_proto::consts::{flags, keys, names as special};
use linstor_proto::messages::{
    Filter, MsgCrtRsc, MsgDelRsc, MsgLstRsc, MsgModRsc, MsgToggleDisk, Rsc as WireRsc, RscState,
    Vlm as WireVlm, VlmState,
};
use linstor_proto::return_code::{Object, Operation};

use super::events::{EventData, StreamAction};
use super::names::{check_filter_names, key, selected, valid_rsc_name};
use super::props::{RuleSet, modify_props};
use super::reply::{
    Answer, Ctx, EncodedAnswer, Outcome, Problem, RawMessage, ctx, ensure, rsc_ctx,
};
use super::state::{Model, Rsc, RscEntry, props_to_wire};

impl Model {
    pub(crate) fn crt_rsc(&mut self, msg: MsgCrtRsc) -> Result<Outcome, Problem> {
        let ctx0 = ctx(Operation::Create, Object::Resource, "");
        ensure(!msg.rscs.is_empty(), || {
            ctx0.problem(RC::WARN_NOT_FOUND, "No resources specified")
        })?;
        let names: Vec<String> = msg.rscs.iter().map(|r| key(&r.name)).collect();
        ensure(names.iter().all(|n| *n == names[0]), || {
            ctx0.problem(
                RC::FAIL_INVLD_RSC_NAME,
                "All resources to be created must belong to the same resource definition",
            )
        })?;
        let (created, warnings) =
            self.create_resources(msg.rscs, |n, r| rsc_ctx(Operation::Create, n, r))?;
        let mut entries = warnings;
        for r in &created {
            let c = rsc_ctx(Operation::Create, &r.node_name, &r.rsc_name);
            entries.push(c.success(
                RC::CREATED,
                format!(
                    "New resource '{}' on node '{}' registered.",
                    r.rsc_name, r.node_name
                ),
                "Resource UUID is:",
                &r.uuid,
            ));
            for v in r.vlms.values() {
                let vc = ctx(Operation::Create, Object::Volume, "")
                    .with_ref(keys::obj_refs::NODE, r.node_name.clone())
                    .with_ref(keys::obj_refs::RSC_DFN, r.rsc_name.clone())
                    .with_ref(keys::obj_refs::VLM_NR, v.nr.to_string());
                entries.push(vc.success(
                    RC::CREATED,
                    format!("Volume with number '{}' on resource '{}' on node '{}' successfully registered", v.nr, r.rsc_name, r.node_name),
                    "Volume UUID is:",
                    &v.uuid,
                ));
            }
        }
        let mut out = Outcome::reply(entries).changed();
        let deferred = self.deploy(&created, &mut out, |n, r| rsc_ctx(Operation::Create, n, r));
        Ok(out.deferred(deferred))
    }

    pub(crate) fn mod_rsc(&mut self, msg: MsgModRsc) -> Result<Outcome, Problem> {
        let (node, rsc) = (msg.node_name, msg.rsc_name);
        let ctx = rsc_ctx(Operation::Modify, &node, &rsc);
        let mut res = self.must_rsc(&ctx, &node, &rsc)?.clone();
        let k = (key(&rsc), key(&node));
        modify_props(
            &ctx,
            RuleSet::Rsc,
            &mut res.props,
            &msg.override_props,
            &msg.delete_prop_keys,
        )?;
        let (uuid, n, r) = (
            res.uuid.clone(),
            res.node_name.clone(),
            res.rsc_name.clone(),
        );
        self.rscs.insert(k, res);
        Ok(Outcome::one(ctx.success(
            RC::MODIFIED,
            format!("Resource '{r}' on node '{n}' modified."),
            "Resource UUID is:",
            &uuid,
        ))
        .changed())
    }

    pub(crate) fn del_rsc(&mut self, msg: MsgDelRsc) -> Result<Outcome, Problem> {
        let (node, rsc) = (msg.node_name, msg.rsc_name);
        let ctx = rsc_ctx(Operation::Delete, &node, &rsc);
        // Node and definition must exist; only a missing resource is the warning.
        self.must_node(&ctx, &node)?;
        self.must_rsc_dfn(&ctx, &rsc)?;
        let k = (key(&rsc), key(&node));
        let res = self.rscs.get(&k).cloned().ok_or_else(|| {
            // The controller logs this warning with an error report.
            ctx.problem(
                RC::WARN_NOT_FOUND,
                format!("Node: {node}, Resource: {rsc} not found."),
            )
            .logged()
        })?;
        let others: Vec<Rsc> = self
            .rscs
            .iter()
            .filter(|((r, n), _)| *r == k.0 && *n != k.1)
            .map(|(_, x)| x.clone())
            .collect();
        let last_disk =
            !res.is_diskless() && others.iter().all(Rsc::is_diskless) && !others.is_empty();
        ensure(!last_disk, || {
            ctx.problem(
                RC::FAIL_IN_USE,
                format!(
                    "Last resource of '{}' with disk still has diskless resources attached.",
                    res.rsc_name
                ),
            )
        })?;
        if !self.node_key_online(&k.1) {
            return Ok(self.del_rsc_offline(&ctx, res, &others));
        }
        self.rscs.remove(&k);
        self.remove_rsc_conns_where(|(r, a, b)| *r == k.0 && (*a == k.1 || *b == k.1));
        let mut out = Outcome::default().changed();
        self.close_resource_streams(
            &mut out.events,
            &res.node_name,
            &res.rsc_name,
            StreamAction::CloseRemoved,
        );
        let (n, r) = (res.node_name.clone(), res.rsc_name.clone());
        let mut deferred = vec![ctx.plain(RC::MODIFIED, format!("Deleted '{r}' on '{n}'"))];
        for o in &others {
            deferred.push(ctx.plain(
                RC::MODIFIED,
                format!(
                    "Notified '{}' that '{r}' is being deleted on '{n}'",
                    o.node_name
                ),
            ));
        }
        deferred.push(ctx.success(
            RC::DELETED,
            format!("Node: {n}, Resource: {r} deletion complete."),
            "Resource UUID was:",
            &res.uuid,
        ));
        out.immediate.push(Answer::reply(vec![ctx.success(
            RC::DELETED,
            format!("Node: {n}, Resource: {r} marked for deletion."),
            "Resource UUID is:",
            &res.uuid,
        )]));
        Ok(out.deferred(deferred))
    }

    /// DelRsc of a resource whose satellite is offline (`docs/scenarios.md#satellites`):
    /// the resource and its volumes are flagged `DELETE` and stay listed until the satellite
    /// is back, when the deletion completes; its streams are closed already.
    fn del_rsc_offline(&mut self, ctx: &Ctx, mut res: Rsc, others: &[Rsc]) -> Outcome {
        let (n, r) = (res.node_name.clone(), res.rsc_name.clone());
        if !res.flags.iter().any(|f| f == flags::DELETE) {
            res.flags.push(flags::DELETE.to_owned());
        }
        let uuid = res.uuid.clone();
        self.rscs.insert((key(&r), key(&n)), res);
        let mut deferred = vec![crate::model::deploy::not_connected(ctx, &n)];
        for o in others {
            deferred.push(if self.node_key_online(&key(&o.node_name)) {
                ctx.plain(
                    RC::MODIFIED,
                    format!(
                        "Notified '{}' that '{r}' is being deleted on '{n}'",
                        o.node_name
                    ),
                )
            } else {
                crate::model::deploy::not_connected(ctx, &o.node_name)
            });
        }
        let mut out = Outcome::default().changed();
        out.immediate.push(Answer::reply(vec![ctx.success(
            RC::DELETED,
            format!("Node: {n}, Resource: {r} marked for deletion."),
            "Resource UUID is:",
            &uuid,
        )]));
        out.deferred(deferred)
    }

    pub(crate) fn toggle_disk(&mut self, msg: MsgToggleDisk) -> Result<Outcome, Problem> {
        let (node, rsc) = (msg.node_name, msg.rsc_name);
        let ctx = rsc_ctx(Operation::Modify, &node, &rsc);
        let mut res = self.must_rsc(&ctx, &node, &rsc)?.clone();
        let k = (key(&rsc), key(&node));
        let remove = msg.diskless.unwrap_or(false);
        let (n, r) = (res.node_name.clone(), res.rsc_name.clone());
        ensure(remove || res.is_diskless(), || {
            ctx.problem(RC::WARN_RSC_ALREADY_HAS_DISK, "Resource already has disk")
        })?;
        ensure(!remove || !res.is_diskless(), || {
            ctx.problem(RC::WARN_RSC_ALREADY_DISKLESS, "Resource already diskless")
        })?;
        let peers: Vec<Rsc> = self
            .rscs
            .iter()
            .filter(|((x, y), _)| *x == k.0 && *y != k.1)
            .map(|(_, v)| v.clone())
            .collect();
        ensure(!remove || !peers.iter().all(Rsc::is_diskless), || {
            ctx.problem(
                RC::FAIL_INSUFFICIENT_REPLICA_COUNT,
                "Cannot remove the disk from the only resource with a disk",
            )
        })?;
        let migrate = match msg.migrate_from.as_deref().filter(|_| !remove) {
            Some(from) => Some(self.must_rsc(&ctx, from, &rsc)?.clone()),
            None => None,
        };
        match msg.stor_pool_name.as_deref().filter(|s| !s.is_empty()) {
            Some(pool) => {
                RuleSet::Rsc
                    .check(keys::STOR_POOL_NAME, pool)
                    .map_err(|e| e.problem(&ctx))?;
                res.props
                    .insert(keys::STOR_POOL_NAME.to_owned(), pool.to_owned());
            }
            None if remove => {
                res.props.insert(
                    keys::STOR_POOL_NAME.to_owned(),
                    special::DFLT_DISKLESS_STOR_POOL.to_owned(),
                );
            }
            None => {
                res.props.remove(keys::STOR_POOL_NAME);
            }
        }
        let dfn = self
            .rsc_dfns
            .get(&k.0)
            .cloned()
            .ok_or_else(|| ctx.rsc_dfn_not_found(&rsc))?;
        res.vlms.clear();
        if remove {
            res.flags.push(flags::DISKLESS.to_owned());
        } else {
            res.flags.retain(|f| f != flags::DISKLESS);
        }
        let mut warnings = Vec::new();
        self.place_volumes(&mut res, &dfn, &ctx, &mut warnings)?;
        self.rscs.insert(k.clone(), res);
        let mut out = Outcome::default().changed();
        let mut deferred = Vec::new();
        if remove {
            out.immediate.push(Answer::reply(vec![ctx.plain(
                RC::MODIFIED,
                format!("Removal of disk from resource '{r}' on node '{n}' registered"),
            )]));
            deferred.push(ctx.plain(RC::MODIFIED, format!("Removed disk on '{n}'")));
            for p in &peers {
                deferred.push(ctx.plain(
                    RC::MODIFIED,
                    format!(
                        "Notified '{}' that disk has been removed on '{n}'",
                        p.node_name
                    ),
                ));
            }
        } else {
            out.immediate.push(Answer::reply(vec![ctx.plain(
                RC::MODIFIED,
                format!("Addition of disk to resource '{r}' on node '{n}' registered"),
            )]));
            for p in &peers {
                deferred.push(ctx.plain(
                    RC::MODIFIED,
                    format!("Prepared '{}' to expect disk on '{n}'", p.node_name),
                ));
            }
            deferred.push(ctx.plain(RC::MODIFIED, format!("Added disk on '{n}'")));
        }
        if !remove {
            // A disk added is a new replica: it resyncs when a rule says so.
            self.start_resyncs(&k.0, std::slice::from_ref(&k.1));
        }
        self.emit_definition_state(&mut out.events, &k.0);
        if let Some(m) = migrate {
            let mk = (k.0.clone(), key(&m.node_name));
            self.rscs.remove(&mk);
            // Its resource connections go with it, as in DelRsc.
            self.remove_rsc_conns_where(|(r, a, b)| *r == mk.0 && (*a == mk.1 || *b == mk.1));
            self.close_resource_streams(
                &mut out.events,
                &m.node_name,
                &m.rsc_name,
                StreamAction::CloseRemoved,
            );
            deferred.push(ctx.plain(
                RC::DELETED.with_op(Operation::Delete),
                format!("Deleted '{r}' on '{}'", m.node_name),
            ));
        }
        Ok(out.deferred(deferred))
    }

    /// A resource as `LstRsc` and `LstVlm` show it, with the volumes given.
    fn wire_rsc(e: &RscEntry<'_>, vlms: Vec<WireVlm>) -> WireRsc {
        let res = e.rsc;
        WireRsc {
            uuid: Some(res.uuid.clone()),
            name: res.rsc_name.clone(),
            node_uuid: e.node.map(|n| n.uuid.clone()),
            node_name: res.node_name.clone(),
            rsc_dfn_uuid: e.dfn.map(|d| d.uuid.clone()),
            props: props_to_wire(&res.props),
            rsc_flags: res.flags.clone(),
            vlms,
            node_id: Some(res.node_id),
            override_node_id: None,
        }
    }

    /// A resource's state as the lists show it: only while its stream is open.
    fn rsc_state(e: &RscEntry<'_>) -> Option<RscState> {
        let in_use = match e.state? {
            EventData::Resource(s) => s.in_use,
            EventData::Volume(_) => None,
        };
        let res = e.rsc;
        Some(RscState {
            rsc_name: res.rsc_name.clone(),
            node_name: res.node_name.clone(),
            in_use,
            vlm_states: res
                .vlms
                .values()
                .map(|v| VlmState {
                    vlm_nr: v.nr,
                    disk_state: Some(v.disk_state().to_owned()),
                })
                .collect(),
        })
    }

    /// What `LstRsc` lists, resource by resource, into `list`. Filter names are not
    /// validated (an invalid name matches nothing).
    fn list_rscs(&self, filter: &Filter, list: &mut impl RscList) {
        for e in self.rscs_in_order().filter(|e| {
            selected(&filter.node_names, &e.rsc.node_name)
                && selected(&filter.resource_names, &e.rsc.rsc_name)
        }) {
            let vlms = e
                .rsc
                .vlms
                .values()
                .map(|v| self.wire_vlm_of(e.dfn, e.rsc, v, false))
                .collect();
            list.resource(Model::wire_rsc(&e, vlms));
            if let Some(state) = Model::rsc_state(&e) {
                list.state(state);
            }
        }
    }

    /// What `LstVlm` lists into `list`: the resources with a volume that passes the filter
    /// and, whatever the filter (as the controller does), every state.
    fn list_vlms(&self, filter: &Filter, list: &mut impl RscList) {
        for e in self.rscs_in_order() {
            if let Some(state) = Model::rsc_state(&e) {
                list.state(state);
            }
            let r = e.rsc;
            if !(selected(&filter.node_names, &r.node_name)
                && selected(&filter.resource_names, &r.rsc_name))
            {
                continue;
            }
            let vlms: Vec<WireVlm> = r
                .vlms
                .values()
                .filter(|v| selected(&filter.stor_pool_names, &v.stor_pool))
                .map(|v| self.wire_vlm_of(e.dfn, r, v, true))
                .collect();
            if !vlms.is_empty() {
                list.resource(Model::wire_rsc(&e, vlms));
            }
        }
    }

    /// `LstRsc`.
    pub(crate) fn lst_rsc(&self, filter: Filter) -> Outcome {
        let mut list = MsgLstRsc::default();
        self.list_rscs(&filter, &mut list);
        Outcome::list(answers::LST_RSC, list)
    }

    /// `LstVlm`: unlike `LstRsc`, filter names must be valid.
    pub(crate) fn lst_vlm(&self, filter: Filter) -> Result<Outcome, Problem> {
        check_vlm_filter(&filter)?;
        let mut list = MsgLstRsc::default();
        self.list_vlms(&filter, &mut list);
        Ok(Outcome {
            immediate: vec![Answer::list(answers::LST_VLM, list), Answer::reply(vec![])],
            ..Outcome::default()
        })
    }

    /// The answers of `LstRsc` and `LstVlm`, encoded as the list is walked (see
    /// [`Model::encode_list`]); `None` for an `LstVlm` filter that is refused.
    pub(crate) fn encode_rsc_list(&self, request: &Request) -> Option<Vec<EncodedAnswer>> {
        let mut list = EncodedLstRsc::new(self);
        match request {
            Request::LstRsc(filter) => {
                self.list_rscs(filter.as_ref().unwrap_or(&Filter::default()), &mut list);
                Some(vec![list.finish(answers::LST_RSC)])
            }
            Request::LstVlm(filter) => {
                let filter = filter.clone().unwrap_or_default();
                check_vlm_filter(&filter).ok()?;
                self.list_vlms(&filter, &mut list);
                Some(vec![
                    list.finish(answers::LST_VLM),
                    EncodedAnswer::of(&Answer::reply(vec![])),
                ])
            }
            _ => None,
        }
    }
}

/// `LstVlm`'s check of the names in its filter: those of `LstStorPool`, then resource names.
fn check_vlm_filter(filter: &Filter) -> Result<(), Problem> {
    let ctx = ctx(Operation::Create, Object::Volume, "");
    check_filter_names(&ctx, filter)?;
    if let Some(bad) = filter.resource_names.iter().find(|n| !valid_rsc_name(n)) {
        return Err(ctx.problem(
            RC::FAIL_INVLD_RSC_NAME,
            format!("The specified resource name '{bad}' is invalid."),
        ));
    }
    Ok(())
}

/// Where `LstRsc` and `LstVlm` put what they list: the typed `MsgLstRsc`, or its encoding
/// made as the list is walked.
trait RscList {
    fn resource(&mut self, rsc: WireRsc);
    fn state(&mut self, state: RscState);
}

impl RscList for MsgLstRsc {
    fn resource(&mut self, rsc: WireRsc) {
        self.resources.push(rsc);
    }
    fn state(&mut self, state: RscState) {
        self.resource_states.push(state);
    }
}

/// `MsgLstRsc` encoded while it is listed: each `Rsc` and each state is encoded and dropped
/// at once, so a list of 100,000 resources is never held as 100,000 messages (their
/// millions of small allocations made the typed list grow faster than linearly). The
/// states (only those of open streams) go after the resources: prost writes the fields in
/// tag order, and so does this, byte for byte (`tests.rs` compares the two).
struct EncodedLstRsc {
    /// The resources (field 1), with room for the states at the end.
    resources: BytesMut,
    /// The states (field 2), appended to `resources` by `finish`.
    states: BytesMut,
    /// How many resources (and states) the list may hold at most (all of the model's).
    most: usize,
}

/// `MsgLstRsc.resources`.
const TAG_RESOURCES: u32 = 1;
/// `MsgLstRsc.resource_states`.
const TAG_RESOURCE_STATES: u32 = 2;

impl RscList for EncodedLstRsc {
    fn resource(&mut self, rsc: WireRsc) {
        let first = self.resources.is_empty();
        prost::encoding::message::encode(TAG_RESOURCES, &rsc, &mut self.resources);
        if first {
            // Room for every resource at the size of the first, and a quarter more for
            // longer names and the states (a state is about a tenth of a resource), so
            // that the buffer is neither doubled nor copied on the way to tens of MB.
            // Room never used is never touched, and `finish` lets go of it.
            let all = self.resources.len().saturating_mul(self.most);
            self.resources.reserve(all.saturating_add(all / 4));
        }
    }
    fn state(&mut self, state: RscState) {
        let first = self.states.is_empty();
        prost::encoding::message::encode(TAG_RESOURCE_STATES, &state, &mut self.states);
        if first {
            self.states
                .reserve(self.states.len().saturating_mul(self.most));
        }
    }
}

impl EncodedLstRsc {
    fn new(model: &Model) -> EncodedLstRsc {
        EncodedLstRsc {
            resources: BytesMut::new(),
            states: BytesMut::new(),
            most: model.rscs.len(),
        }
    }

    fn finish(self, content: &'static str) -> EncodedAnswer {
        let EncodedLstRsc {
            mut resources,
            states,
            ..
        } = self;
        let len = resources.len() + states.len();
        let body = if resources.capacity() - resources.len() >= states.len()
            && resources.capacity() <= 2 * len
        {
            resources.extend_from_slice(&states);
            resources.freeze()
        } else {
            // A filtered list (a copy of its size rather than the room for all), or one
            // whose states do not fit the room left: one copy of the exact size.
            let mut body = BytesMut::with_capacity(len);
            body.extend_from_slice(&resources);
            body.extend_from_slice(&states);
            body.freeze()
        };
        EncodedAnswer {
            content,
            bodies: vec![RawMessage(body)],
        }
    }
}

#[cfg(test)]
mod tests;
