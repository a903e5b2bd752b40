//! Resource definitions, volume definitions, resources and their volumes, disk toggling and
//! auto-placement (semantics.md §6-9).

use std::collections::BTreeMap;

use linstor_proto::ReturnCode as RC;
use linstor_proto::calls::answers;
use linstor_proto::consts::{drivers, flags, keys, names as special};
use linstor_proto::messages::{
    AutoSelectFilter, Filter, MsgApiCallResponse, MsgAutoPlaceRsc, MsgCrtRsc, MsgCrtRscDfn,
    MsgCrtVlmDfn, MsgDelRsc, MsgDelRscDfn, MsgDelVlmDfn, MsgLstRsc, MsgLstRscDfn, MsgModRsc,
    MsgModRscDfn, MsgModVlmDfn, MsgToggleDisk, Rsc as WireRsc, RscDfn as WireRscDfn, RscState,
    Vlm as WireVlm, VlmDfn as WireVlmDfn, VlmState,
};
use linstor_proto::return_code::{Object, Operation};

use super::events::{EventData, StreamAction, StreamKey};
use super::names::{key, valid_node_name, valid_port, valid_rsc_name, valid_stor_pool_name};
use super::props::{RuleSet, modify_props, prop_error};
use super::reply::{Answer, Ctx, Outcome, Problem, ctx, rsc_ctx, rsc_dfn_ctx, vlm_dfn_ctx};
use super::state::{Model, Props, Rsc, RscDfn, StorPool, Vlm, VlmDfn, props_to_wire};

/// Parses a `min-max` range property.
fn range(value: Option<&String>, default: (i32, i32)) -> (i32, i32) {
    value
        .and_then(|v| v.split_once('-'))
        .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
        .unwrap_or(default)
}

/// A created volume's backing device path, from its pool's driver properties.
fn backing_disk(pool: Option<&StorPool>, rsc: &str, nr: i32) -> Option<String> {
    let pool = pool?;
    let volume = format!("{rsc}_{nr:05}");
    let prop = |k: &str| pool.props.get(k).cloned();
    match pool.driver.as_str() {
        d if d == drivers::LVM || d == drivers::LVM_THIN => Some(format!(
            "/dev/{}/{volume}",
            prop(keys::STOR_DRIVER_LVM_VG).unwrap_or_else(|| pool.name.clone())
        )),
        d if d == drivers::ZFS => Some(format!(
            "/dev/zvol/{}/{volume}",
            prop(keys::STOR_DRIVER_ZPOOL).unwrap_or_else(|| pool.name.clone())
        )),
        d if d == drivers::ZFS_THIN => Some(format!(
            "/dev/zvol/{}/{volume}",
            prop(keys::STOR_DRIVER_ZPOOL_THIN).unwrap_or_else(|| pool.name.clone())
        )),
        _ => None,
    }
}

/// A placement candidate: one storage pool name and the nodes chosen for it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Candidate {
    pub pool: String,
    pub nodes: Vec<String>,
    /// Placeable capacity of the weakest chosen node, KiB.
    pub weakest_kib: u64,
    pub thin: bool,
}

/// Minimal regular-expression support for `not_place_with_rsc_regex`: `.` any character,
/// `.*` any run, otherwise literal; anchored at both ends, case-insensitive.
fn regex_matches(pattern: &str, text: &str) -> bool {
    fn go(p: &[u8], t: &[u8]) -> bool {
        match p {
            [] => t.is_empty(),
            [b'.', b'*', rest @ ..] => (0..=t.len()).any(|i| go(rest, &t[i..])),
            [b'.', rest @ ..] => !t.is_empty() && go(rest, &t[1..]),
            [c, rest @ ..] => {
                t.first().is_some_and(|x| x.eq_ignore_ascii_case(c)) && go(rest, &t[1..])
            }
        }
    }
    let p = pattern.trim_start_matches('^').trim_end_matches('$');
    p.len() <= 256 && go(p.as_bytes(), text.as_bytes())
}

impl Model {
    fn report(&mut self, problem: Problem) -> MsgApiCallResponse {
        let id = self.report_id();
        problem.report(id).0
    }

    fn rsc_dfn_not_found(&mut self, ctx: &Ctx, name: &str) -> MsgApiCallResponse {
        self.not_found(
            ctx,
            RC::FAIL_NOT_FOUND_RSC_DFN,
            format!("Resource definition '{name}' not found."),
            format!(
                "The specified resource definition '{name}' could not be found in the database"
            ),
        )
    }

    fn free_port(&self) -> Option<i32> {
        let (lo, hi) = range(
            self.ctrl_props.get(keys::TCP_PORT_AUTO_RANGE),
            special::TCP_PORT_AUTO_RANGE,
        );
        let used: Vec<i32> = self
            .rsc_dfns
            .values()
            .map(|d| d.port)
            .chain(self.rsc_conns.values().filter_map(|c| c.port))
            .collect();
        (lo..=hi).find(|p| !used.contains(p))
    }

    fn free_minor(&self) -> Option<i32> {
        let (lo, hi) = range(
            self.ctrl_props.get(keys::MINOR_NR_AUTO_RANGE),
            special::MINOR_AUTO_RANGE,
        );
        let used: Vec<i32> = self
            .rsc_dfns
            .values()
            .flat_map(|d| d.vlm_dfns.values().map(|v| v.minor))
            .collect();
        (lo..=hi).find(|m| !used.contains(m))
    }

    pub(crate) fn crt_rsc_dfn(&mut self, msg: MsgCrtRscDfn) -> Outcome {
        let dfn = msg.rsc_dfn;
        let name = dfn.rsc_name.clone();
        let ctx = rsc_dfn_ctx(Operation::Create, &name);
        if !valid_rsc_name(&name) {
            let e = self.report(ctx.problem(
                RC::FAIL_INVLD_RSC_NAME,
                format!("The specified resource name '{name}' is invalid."),
            ));
            return Outcome::one(e);
        }
        if self.rsc_dfns.contains_key(&key(&name)) {
            let e = self.report(ctx.problem(
                RC::FAIL_EXISTS_RSC_DFN,
                format!("Resource definition '{name}' already exists."),
            ));
            return Outcome::one(e);
        }
        let port = match dfn.rsc_dfn_port {
            Some(p) if !valid_port(p) || self.rsc_dfns.values().any(|d| d.port == p) => {
                let e = self.report(ctx.problem(
                    RC::FAIL_INVLD_RSC_PORT,
                    format!("The specified TCP port '{p}' is invalid."),
                ));
                return Outcome::one(e);
            }
            Some(p) => p,
            None => match self.free_port() {
                Some(p) => p,
                None => {
                    let e = self.report(ctx.problem(
                        RC::FAIL_POOL_EXHAUSTED_TCP_PORT,
                        "Could not find free TCP port in range.",
                    ));
                    return Outcome::one(e);
                }
            },
        };
        if let Some(t) = dfn.rsc_dfn_transport_type.as_deref()
            && !t.is_empty()
            && !["IP", "RDMA", "RoCE"]
                .iter()
                .any(|x| x.eq_ignore_ascii_case(t))
        {
            let e = self.report(ctx.problem(
                RC::FAIL_INVLD_TRANSPORT_TYPE,
                format!("The given transport type '{t}' is invalid."),
            ));
            return Outcome::one(e);
        }
        let mut props = Props::new();
        if let Err(e) = modify_props(
            self,
            &ctx,
            RuleSet::RscDfn,
            &mut props,
            &dfn.rsc_dfn_props,
            &[],
        ) {
            return Outcome::one(e);
        }
        let secret = match dfn.rsc_dfn_secret.as_deref() {
            Some(s) if !s.trim().is_empty() => s.to_owned(),
            _ => self.secret(),
        };
        let uuid = self.uuid();
        self.rsc_dfns.insert(
            key(&name),
            RscDfn {
                uuid: uuid.clone(),
                name: name.clone(),
                port,
                secret,
                props,
                vlm_dfns: BTreeMap::new(),
                snapshots: BTreeMap::new(),
            },
        );
        let mut entries = vec![ctx.success(
            RC::CREATED,
            format!("New resource definition '{name}' created."),
            "Resource definition UUID is:",
            &uuid,
        )];
        for v in dfn.vlm_dfns {
            let out = self.create_vlm_dfn(&name, v);
            match out {
                Ok(nr) => entries.push(vlm_dfn_ctx(Operation::Create, &name, nr).plain(
                    RC::CREATED,
                    format!("Volume definition with number '{nr}' successfully  created in resource definition '{name}'."),
                )),
                Err(e) => entries.push(e),
            }
        }
        Outcome::reply(entries).changed()
    }

    pub(crate) fn mod_rsc_dfn(&mut self, msg: MsgModRscDfn) -> Outcome {
        let name = msg.rsc_name;
        let ctx = rsc_dfn_ctx(Operation::Modify, &name);
        let Some(mut dfn) = self.rsc_dfns.get(&key(&name)).cloned() else {
            let e = self.rsc_dfn_not_found(&ctx, &name);
            return Outcome::one(e);
        };
        if let Some(p) = msg.rsc_dfn_port {
            if !valid_port(p)
                || self
                    .rsc_dfns
                    .values()
                    .any(|d| d.port == p && d.uuid != dfn.uuid)
            {
                let e = self.report(ctx.problem(
                    RC::FAIL_INVLD_RSC_PORT,
                    format!("The specified TCP port '{p}' is invalid."),
                ));
                return Outcome::one(e);
            }
            dfn.port = p;
        }
        let mut entries = Vec::new();
        for k in &msg.delete_prop_keys {
            if !dfn.props.contains_key(&super::props::clean_key(k)) {
                entries.push(ctx.problem(RC::WARN_DEL_UNSET_PROP, format!("Could not delete property '{k}' as it did not exist. This operation had no effect.")).0);
            }
        }
        if let Err(e) = modify_props(
            self,
            &ctx,
            RuleSet::RscDfn,
            &mut dfn.props,
            &msg.override_props,
            &msg.delete_prop_keys,
        ) {
            return Outcome::one(e);
        }
        let (uuid, display) = (dfn.uuid.clone(), dfn.name.clone());
        self.rsc_dfns.insert(key(&name), dfn);
        entries.push(ctx.success(
            RC::MODIFIED,
            format!("Resource definition '{display}' modified."),
            "Resource definition UUID is:",
            &uuid,
        ));
        Outcome::reply(entries).changed()
    }

    pub(crate) fn del_rsc_dfn(&mut self, msg: MsgDelRscDfn) -> Outcome {
        let name = msg.rsc_name;
        let ctx = rsc_dfn_ctx(Operation::Delete, &name);
        let Some(dfn) = self.rsc_dfns.get(&key(&name)).cloned() else {
            let e = self.report(ctx.problem(
                RC::WARN_NOT_FOUND,
                format!("Resource definition: {name} not found."),
            ));
            return Outcome::one(e);
        };
        if !dfn.snapshots.is_empty() {
            let e = self.report(ctx.problem(
                RC::FAIL_EXISTS_SNAPSHOT_DFN,
                format!(
                    "Cannot delete resource definition '{}' because it has snapshots.",
                    dfn.name
                ),
            ));
            return Outcome::one(e);
        }
        let rsc_key = key(&name);
        let mut rscs: Vec<Rsc> = self
            .rscs
            .iter()
            .filter(|((r, _), _)| *r == rsc_key)
            .map(|(_, r)| r.clone())
            .collect();
        let mut out = Outcome::default().changed();
        self.rscs.retain(|(r, _), _| *r != rsc_key);
        self.rsc_conns.retain(|(r, _, _), _| *r != rsc_key);
        self.rsc_dfns.remove(&rsc_key);
        let deleted = ctx.success(
            RC::DELETED,
            format!("Resource definition '{}' deleted.", dfn.name),
            "Resource definition UUID was:",
            &dfn.uuid,
        );
        if rscs.is_empty() {
            out.immediate.push(Answer::reply(vec![deleted]));
            return out;
        }
        rscs.sort_by_key(|r| !r.is_diskless());
        let mut deferred = Vec::new();
        for r in rscs.iter().filter(|r| r.is_diskless()) {
            deferred.push(ctx.plain(
                RC::MODIFIED,
                format!(
                    "Notified '{}' that diskless resources of '{}' are being deleted",
                    r.node_name, dfn.name
                ),
            ));
        }
        for r in &rscs {
            self.close_resource_streams(
                &mut out.events,
                &r.node_name,
                &r.rsc_name,
                StreamAction::CloseRemoved,
            );
            deferred.push(ctx.plain(
                RC::MODIFIED,
                format!("Resource '{}' on '{}' deleted", dfn.name, r.node_name),
            ));
        }
        deferred.push(deleted);
        out.immediate.push(Answer::reply(vec![ctx.success(
            RC::DELETED,
            format!("Resource definition '{}' marked for deletion.", dfn.name),
            "Resource definition UUID is:",
            &dfn.uuid,
        )]));
        out.deferred(deferred)
    }

    pub(crate) fn wire_rsc_dfn(&self, d: &RscDfn) -> WireRscDfn {
        WireRscDfn {
            rsc_dfn_uuid: Some(d.uuid.clone()),
            rsc_name: d.name.clone(),
            rsc_dfn_port: Some(d.port),
            rsc_dfn_secret: Some(d.secret.clone()),
            rsc_dfn_flags: vec![],
            rsc_dfn_props: props_to_wire(&d.props),
            vlm_dfns: d
                .vlm_dfns
                .values()
                .map(|v| WireVlmDfn {
                    vlm_dfn_uuid: Some(v.uuid.clone()),
                    vlm_nr: Some(v.nr),
                    vlm_size: v.size_kib,
                    vlm_minor: Some(v.minor),
                    vlm_flags: v.flags.clone(),
                    vlm_props: props_to_wire(&v.props),
                })
                .collect(),
            rsc_dfn_transport_type: None,
            rsc_dfn_down: None,
        }
    }

    pub(crate) fn lst_rsc_dfn(&self) -> Outcome {
        let rsc_dfns = self
            .rsc_dfns
            .values()
            .map(|d| self.wire_rsc_dfn(d))
            .collect();
        Outcome::list(answers::LST_RSC_DFN, MsgLstRscDfn { rsc_dfns })
    }

    /// Creates one volume definition (validated) and its volumes on every deployed resource.
    fn create_vlm_dfn(&mut self, rsc: &str, v: WireVlmDfn) -> Result<i32, MsgApiCallResponse> {
        let rsc_key = key(rsc);
        let probe_nr = v.vlm_nr.unwrap_or(-1);
        let ctx = vlm_dfn_ctx(Operation::Create, rsc, probe_nr);
        let Some(dfn) = self.rsc_dfns.get(&rsc_key).cloned() else {
            return Err(self.rsc_dfn_not_found(&ctx, rsc));
        };
        let used = |nr: i32| {
            dfn.vlm_dfns.contains_key(&nr)
                || dfn
                    .snapshots
                    .values()
                    .any(|s| s.vlm_sizes.contains_key(&nr))
        };
        let nr = match v.vlm_nr {
            Some(nr) if !(0..=special::VLM_NR_MAX).contains(&nr) => {
                return Err(self.report(ctx.problem(
                    RC::FAIL_INVLD_VLM_NR,
                    format!("The specified volume number '{nr}' is invalid."),
                )));
            }
            Some(nr) if used(nr) => {
                return Err(self.report(ctx.problem(
                    RC::FAIL_EXISTS_VLM_DFN,
                    format!("A volume definition with the number {nr} already exists in resource definition '{}'.", dfn.name),
                )));
            }
            Some(nr) => nr,
            None => match (0..=special::VLM_NR_MAX).find(|n| !used(*n)) {
                Some(nr) => nr,
                None => {
                    return Err(self.report(
                        ctx.problem(RC::FAIL_POOL_EXHAUSTED_VLM_NR, "No free volume number."),
                    ));
                }
            },
        };
        let ctx = vlm_dfn_ctx(Operation::Create, &dfn.name, nr);
        if !(special::VLM_SIZE_MIN_KIB..=special::VLM_SIZE_MAX_KIB).contains(&v.vlm_size) {
            return Err(self.report(ctx.problem(
                RC::FAIL_INVLD_VLM_SIZE,
                format!("The specified volume size '{}' is invalid.", v.vlm_size),
            )));
        }
        let minor = match v.vlm_minor {
            Some(m)
                if !(0..=special::MINOR_MAX).contains(&m)
                    || self
                        .rsc_dfns
                        .values()
                        .any(|d| d.vlm_dfns.values().any(|x| x.minor == m)) =>
            {
                return Err(self.report(ctx.problem(
                    RC::FAIL_INVLD_MINOR_NR,
                    format!("The specified minor number '{m}' is invalid."),
                )));
            }
            Some(m) => m,
            None => match self.free_minor() {
                Some(m) => m,
                None => {
                    return Err(self.report(ctx.problem(
                        RC::FAIL_POOL_EXHAUSTED_MINOR_NR,
                        "Could not find free minor number in range.",
                    )));
                }
            },
        };
        if v.vlm_flags.iter().any(|f| f == flags::ENCRYPTED) && self.passphrase.is_none() {
            return Err(self.report(ctx.problem(
                RC::FAIL_NOT_FOUND_CRYPT_KEY,
                "Could not create encrypted volume definition as the master key is not known.",
            )));
        }
        let mut props = Props::new();
        modify_props(self, &ctx, RuleSet::VlmDfn, &mut props, &v.vlm_props, &[])?;
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
        for ((r, n), res) in self.rscs.iter().filter(|((r, _), _)| *r == rsc_key) {
            let pool = if res.is_diskless() {
                self.diskless_pool_name(res)
            } else {
                self.resolve_pool(res, &vlm_dfn, &dfn)
            };
            if !res.is_diskless() && !self.pools.contains_key(&(n.clone(), key(&pool))) {
                return Err(self.report(ctx.problem(
                    RC::FAIL_NOT_FOUND_DFLT_STOR_POOL,
                    format!("The storage pool '{pool}' for resource '{}' for volume number '{nr}' is not deployed on node '{}'.", dfn.name, res.node_name),
                )));
            }
            placed.push(((r.clone(), n.clone()), pool, res.is_diskless()));
        }
        for (k, pool, diskless) in placed {
            let uuid = self.uuid();
            if let Some(res) = self.rscs.get_mut(&k) {
                res.vlms.insert(
                    nr,
                    Vlm {
                        uuid,
                        nr,
                        stor_pool: pool,
                        diskless,
                    },
                );
            }
        }
        if let Some(d) = self.rsc_dfns.get_mut(&rsc_key) {
            d.vlm_dfns.insert(nr, vlm_dfn);
        }
        Ok(nr)
    }

    pub(crate) fn crt_vlm_dfn(&mut self, msg: MsgCrtVlmDfn) -> Outcome {
        let rsc = msg.rsc_name;
        if msg.vlm_dfns.is_empty() {
            let ctx = ctx(
                Operation::Create,
                Object::VolumeDefinition,
                format!("Resource definition: {rsc}"),
            );
            return Outcome::one(ctx.plain(
                RC(0x8000_0000_0000_0000),
                "Volume definition list to create is empty.",
            ));
        }
        let mut entries = Vec::new();
        let mut out = Outcome::default();
        for v in msg.vlm_dfns {
            match self.create_vlm_dfn(&rsc, v) {
                Ok(nr) => {
                    let d = &self.rsc_dfns[&key(&rsc)];
                    let (display, minor, uuid) = (
                        d.name.clone(),
                        d.vlm_dfns[&nr].minor,
                        d.vlm_dfns[&nr].uuid.clone(),
                    );
                    let ctx = vlm_dfn_ctx(Operation::Create, &display, nr)
                        .with_ref(keys::obj_refs::MINOR_NR, minor.to_string());
                    entries.push(ctx.success(
                        RC::CREATED,
                        format!("New volume definition with number '{nr}' of resource definition '{display}' created."),
                        "Volume definition UUID is:",
                        &uuid,
                    ));
                    out.changed = true;
                }
                Err(e) => {
                    entries.push(e);
                    break;
                }
            }
        }
        let rsc_key = key(&rsc);
        let nodes: Vec<String> = self
            .rscs
            .keys()
            .filter(|(r, _)| *r == rsc_key)
            .map(|(_, n)| n.clone())
            .collect();
        for n in nodes {
            self.emit_resource_state(&mut out.events, &rsc_key, &n);
        }
        out.immediate.push(Answer::reply(entries));
        out
    }

    pub(crate) fn mod_vlm_dfn(&mut self, msg: MsgModVlmDfn) -> Outcome {
        let (rsc, nr) = (msg.rsc_name, msg.vlm_nr);
        let ctx = vlm_dfn_ctx(Operation::Modify, &rsc, nr);
        let rsc_key = key(&rsc);
        let Some(dfn) = self.rsc_dfns.get(&rsc_key).cloned() else {
            return Outcome::one(self.rsc_dfn_not_found(&ctx, &rsc));
        };
        let Some(mut vd) = dfn.vlm_dfns.get(&nr).cloned() else {
            let e = self.not_found(&ctx,
                RC::FAIL_NOT_FOUND_VLM_DFN,
                format!(
                    "Volume definition '{}' with volume number '{nr}' not found.",
                    dfn.name
                ),
                format!(
                    "The specified volume definition with number '{nr}' could not be found in the database"
                ),
            );
            return Outcome::one(e);
        };
        if let Err(e) = modify_props(
            self,
            &ctx,
            RuleSet::VlmDfn,
            &mut vd.props,
            &msg.override_props,
            &msg.delete_prop_keys,
        ) {
            return Outcome::one(e);
        }
        let deployed: Vec<String> = self
            .rscs
            .iter()
            .filter(|((r, _), x)| *r == rsc_key && x.vlms.contains_key(&nr))
            .map(|(_, x)| x.node_name.clone())
            .collect();
        let mut resized = false;
        if let Some(size) = msg.vlm_size {
            if !(special::VLM_SIZE_MIN_KIB..=special::VLM_SIZE_MAX_KIB).contains(&size) {
                return Outcome::one(self.report(ctx.problem(
                    RC::FAIL_INVLD_VLM_SIZE,
                    format!("The specified volume size '{size}' is invalid."),
                )));
            }
            if size < vd.size_kib && !deployed.is_empty() {
                return Outcome::one(self.report(ctx.problem(
                    RC::FAIL_INVLD_VLM_SIZE,
                    "Deployed volumes can only grow in size, not shrink.",
                )));
            }
            resized = size != vd.size_kib;
            vd.size_kib = size;
        }
        if let Some(m) = msg.vlm_minor {
            if !(0..=special::MINOR_MAX).contains(&m)
                || self.rsc_dfns.values().any(|d| {
                    d.vlm_dfns
                        .values()
                        .any(|x| x.minor == m && x.uuid != vd.uuid)
                })
            {
                return Outcome::one(self.report(ctx.problem(
                    RC::FAIL_INVLD_MINOR_NR,
                    format!("The specified minor number '{m}' is invalid."),
                )));
            }
            vd.minor = m;
        }
        let uuid = vd.uuid.clone();
        if let Some(d) = self.rsc_dfns.get_mut(&rsc_key) {
            d.vlm_dfns.insert(nr, vd);
        }
        let mut deferred = Vec::new();
        for n in &deployed {
            deferred.push(ctx.plain(
                RC::MODIFIED,
                format!("Updated volume {nr} of '{}' on '{n}'", dfn.name),
            ));
        }
        if resized {
            for n in &deployed {
                deferred.push(ctx.plain(
                    RC::MODIFIED,
                    format!("Resized DRBD resource '{}' on '{n}'", dfn.name),
                ));
            }
        }
        Outcome::one(ctx.success(
            RC::MODIFIED,
            format!(
                "Volume definition with number '{nr}' of resource definition '{}' modified.",
                dfn.name
            ),
            "Volume definition UUID is:",
            &uuid,
        ))
        .changed()
        .deferred(deferred)
    }

    pub(crate) fn del_vlm_dfn(&mut self, msg: MsgDelVlmDfn) -> Outcome {
        let (rsc, nr) = (msg.rsc_name, msg.vlm_nr);
        let ctx = vlm_dfn_ctx(Operation::Delete, &rsc, nr);
        let rsc_key = key(&rsc);
        let Some(vd) = self
            .rsc_dfns
            .get(&rsc_key)
            .and_then(|d| d.vlm_dfns.get(&nr))
            .cloned()
        else {
            return Outcome::one(
                ctx.problem(
                    RC::WARN_NOT_FOUND,
                    format!("Resource definition: {rsc}, Volume number: {nr} not found."),
                )
                .0,
            );
        };
        let display = self.rsc_dfns[&rsc_key].name.clone();
        let mut out = Outcome::default().changed();
        let mut deferred = Vec::new();
        let keys: Vec<(String, String)> = self
            .rscs
            .keys()
            .filter(|(r, _)| *r == rsc_key)
            .cloned()
            .collect();
        for k in keys {
            let Some(res) = self.rscs.get_mut(&k) else {
                continue;
            };
            if res.vlms.remove(&nr).is_some() {
                let node = res.node_name.clone();
                deferred.push(ctx.plain(
                    RC::MODIFIED,
                    format!("Deleted volume {nr} of '{display}' on '{node}'"),
                ));
                self.streams.close(
                    &mut out.events,
                    StreamKey::volume(&node, &display, nr),
                    StreamAction::CloseRemoved,
                );
                self.emit_resource_state(&mut out.events, &k.0, &k.1);
            }
        }
        if let Some(d) = self.rsc_dfns.get_mut(&rsc_key) {
            d.vlm_dfns.remove(&nr);
        }
        deferred.push(ctx.success(
            RC::DELETED,
            format!(
                "Volume definition with number '{nr}' of resource definition '{display}' deleted."
            ),
            "Volume definition UUID was:",
            &vd.uuid,
        ));
        out.immediate.push(Answer::reply(vec![ctx.success(
            RC::DELETED,
            format!("Volume definition with number '{nr}' of resource definition '{display}' marked for deletion."),
            "Volume definition UUID is:",
            &vd.uuid,
        )]));
        out.deferred(deferred)
    }

    /// The pool of a diskful volume (semantics.md §8.1): first `StorPoolName` of resource,
    /// volume definition, resource definition, node; else `DfltStorPool`.
    fn resolve_pool(&self, res: &Rsc, vd: &VlmDfn, dfn: &RscDfn) -> String {
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

    fn diskless_pool_name(&self, res: &Rsc) -> String {
        res.props
            .get(keys::STOR_POOL_NAME)
            .cloned()
            .unwrap_or_else(|| special::DFLT_DISKLESS_STOR_POOL.to_owned())
    }

    /// Resolves pools for every volume of a new resource; may flag it diskless.
    fn place_volumes(
        &mut self,
        res: &mut Rsc,
        dfn: &RscDfn,
        ctx: &Ctx,
        warnings: &mut Vec<MsgApiCallResponse>,
    ) -> Result<(), MsgApiCallResponse> {
        let node_key = key(&res.node_name);
        if res.is_diskless() {
            let pool = self.diskless_pool_name(res);
            match self.pools.get(&(node_key.clone(), key(&pool))) {
                Some(p) if !p.is_diskless() => {
                    return Err(self.report(ctx.problem(
                        RC::FAIL_INVLD_STOR_POOL_NAME,
                        "Storage pool with backing disk not allowed with diskless resource.",
                    )));
                }
                Some(_) => {}
                None => {
                    return Err(self.report(ctx.problem(
                        RC::FAIL_NOT_FOUND_DFLT_STOR_POOL,
                        format!("The storage pool '{pool}' for resource '{}' is not deployed on node '{}'.", dfn.name, res.node_name),
                    )));
                }
            }
            res.props
                .entry(keys::STOR_POOL_NAME.to_owned())
                .or_insert(pool.clone());
            for vd in dfn.vlm_dfns.values() {
                let uuid = self.uuid();
                res.vlms.insert(
                    vd.nr,
                    Vlm {
                        uuid,
                        nr: vd.nr,
                        stor_pool: pool.clone(),
                        diskless: true,
                    },
                );
            }
            return Ok(());
        }
        let mut chosen = Vec::new();
        for vd in dfn.vlm_dfns.values() {
            let name = self.resolve_pool(res, vd, dfn);
            let Some(pool) = self.pools.get(&(node_key.clone(), key(&name))).cloned() else {
                return Err(self.report(ctx.problem(
                    RC::FAIL_NOT_FOUND_DFLT_STOR_POOL,
                    format!(
                        "The storage pool '{name}' for resource '{}' for volume number '{}' is not deployed on node '{}'.",
                        dfn.name, vd.nr, res.node_name
                    ),
                )));
            };
            if !pool.is_diskless()
                && self
                    .placeable_kib(&pool)
                    .is_some_and(|free| free < vd.size_kib.max(0) as u64)
            {
                return Err(self.report(ctx.problem(
                    RC::FAIL_INVLD_VLM_SIZE,
                    format!(
                        "Not enough free space available for volume {} of resource '{}'.",
                        vd.nr, dfn.name
                    ),
                )));
            }
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
                Vlm {
                    uuid,
                    nr,
                    stor_pool: pool.name.clone(),
                    diskless: diskless || pool.is_diskless(),
                },
            );
        }
        Ok(())
    }

    /// Creates resources on nodes (validated, all or nothing); returns the created ones.
    fn create_resources(
        &mut self,
        wires: Vec<WireRsc>,
        ctx_for: impl Fn(&str, &str) -> Ctx,
    ) -> Result<(Vec<Rsc>, Vec<MsgApiCallResponse>), MsgApiCallResponse> {
        let mut created: Vec<Rsc> = Vec::new();
        let mut warnings = Vec::new();
        let peer_slots = 7;
        for w in wires {
            let ctx = ctx_for(&w.node_name, &w.name);
            let Some(node) = self.node(&w.node_name).cloned() else {
                return Err(self.node_not_found(&ctx, &w.node_name));
            };
            let Some(dfn) = self.rsc_dfns.get(&key(&w.name)).cloned() else {
                return Err(self.rsc_dfn_not_found(&ctx, &w.name));
            };
            let k = (key(&w.name), key(&w.node_name));
            if self.rscs.contains_key(&k)
                || created
                    .iter()
                    .any(|c| key(&c.node_name) == k.1 && key(&c.rsc_name) == k.0)
            {
                return Err(self.report(ctx.problem(
                    RC::FAIL_EXISTS_RSC,
                    format!(
                        "A resource '{}' on node '{}' already exists.",
                        dfn.name, node.name
                    ),
                )));
            }
            let used: Vec<i32> = self
                .rscs
                .iter()
                .filter(|((r, _), _)| *r == k.0)
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
                if !(0..=special::NODE_ID_MAX).contains(&id) || used.contains(&id) {
                    return Err(self.report(ctx.problem(
                        RC::FAIL_INVLD_NODE_ID,
                        format!("The specified node ID '{id}' is invalid."),
                    )));
                }
                id
            } else {
                match (0..=special::NODE_ID_MAX).find(|i| !used.contains(i)) {
                    Some(i) => i,
                    None => {
                        return Err(self.report(
                            ctx.problem(RC::FAIL_POOL_EXHAUSTED_NODE_ID, "No free node id."),
                        ));
                    }
                }
            };
            if used.len() > peer_slots {
                return Err(self.report(ctx.problem(
                    RC::FAIL_INSUFFICIENT_PEER_SLOTS,
                    "Resource has insufficient peer slots.",
                )));
            }
            let mut props = Props::new();
            modify_props(self, &ctx, RuleSet::Rsc, &mut props, &w.props, &[])?;
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
    fn deploy(
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
            .rscs
            .iter()
            .filter(|((r, _), _)| *r == rsc_key)
            .map(|((_, n), x)| (n.clone(), x.node_name.clone()))
            .collect();
        let ctx0 = ctx_for(&first.node_name, &display);
        for (_, node) in &all {
            if new_nodes.contains(node) {
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
        let all_diskless = self
            .rscs
            .iter()
            .filter(|((r, _), _)| *r == rsc_key)
            .all(|(_, x)| x.is_diskless());
        for r in created {
            self.emit_resource_state(&mut out.events, &rsc_key, &key(&r.node_name));
        }
        if !has_vlms {
            deferred.push(
                ctx0.problem(
                    RC::WARN_NOT_FOUND,
                    format!("No volumes have been defined for resource '{display}'"),
                )
                .0,
            );
        } else if all_diskless {
            deferred.push(
                ctx0.problem(
                    RC::WARN_ALL_DISKLESS,
                    format!(
                        "Resource '{display}' unusable because it is diskless on all its nodes"
                    ),
                )
                .0,
            );
        } else {
            for r in created {
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

    pub(crate) fn crt_rsc(&mut self, msg: MsgCrtRsc) -> Outcome {
        let ctx0 = ctx(Operation::Create, Object::Resource, "");
        if msg.rscs.is_empty() {
            return Outcome::one(ctx0.problem(RC::WARN_NOT_FOUND, "No resources specified").0);
        }
        let names: Vec<String> = msg.rscs.iter().map(|r| key(&r.name)).collect();
        if names.iter().any(|n| *n != names[0]) {
            let e = self.report(ctx0.problem(
                RC::FAIL_INVLD_RSC_NAME,
                "All resources to be created must belong to the same resource definition",
            ));
            return Outcome::one(e);
        }
        let (created, warnings) =
            match self.create_resources(msg.rscs, |n, r| rsc_ctx(Operation::Create, n, r)) {
                Ok(c) => c,
                Err(e) => return Outcome::one(e),
            };
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
        out.deferred(deferred)
    }

    pub(crate) fn mod_rsc(&mut self, msg: MsgModRsc) -> Outcome {
        let (node, rsc) = (msg.node_name, msg.rsc_name);
        let ctx = rsc_ctx(Operation::Modify, &node, &rsc);
        let k = (key(&rsc), key(&node));
        let Some(mut res) = self.rscs.get(&k).cloned() else {
            return Outcome::one(self.rsc_not_found(&ctx, &node, &rsc));
        };
        if let Err(e) = modify_props(
            self,
            &ctx,
            RuleSet::Rsc,
            &mut res.props,
            &msg.override_props,
            &msg.delete_prop_keys,
        ) {
            return Outcome::one(e);
        }
        let (uuid, n, r) = (
            res.uuid.clone(),
            res.node_name.clone(),
            res.rsc_name.clone(),
        );
        self.rscs.insert(k, res);
        Outcome::one(ctx.success(
            RC::MODIFIED,
            format!("Resource '{r}' on node '{n}' modified."),
            "Resource UUID is:",
            &uuid,
        ))
        .changed()
    }

    fn rsc_not_found(&mut self, ctx: &Ctx, node: &str, rsc: &str) -> MsgApiCallResponse {
        self.not_found(
            ctx,
            RC::FAIL_NOT_FOUND_RSC,
            format!("Resource '{rsc}' on node '{node}' not found."),
            format!(
                "The specified resource '{rsc}' on node '{node}' could not be found in the database"
            ),
        )
    }

    pub(crate) fn del_rsc(&mut self, msg: MsgDelRsc) -> Outcome {
        let (node, rsc) = (msg.node_name, msg.rsc_name);
        let ctx = rsc_ctx(Operation::Delete, &node, &rsc);
        let k = (key(&rsc), key(&node));
        let Some(res) = self.rscs.get(&k).cloned() else {
            let e = self.report(ctx.problem(
                RC::WARN_NOT_FOUND,
                format!("Node: {node}, Resource: {rsc} not found."),
            ));
            return Outcome::one(e);
        };
        let others: Vec<Rsc> = self
            .rscs
            .iter()
            .filter(|((r, n), _)| *r == k.0 && *n != k.1)
            .map(|(_, x)| x.clone())
            .collect();
        if !res.is_diskless() && others.iter().all(Rsc::is_diskless) && !others.is_empty() {
            let e = self.report(ctx.problem(
                RC::FAIL_IN_USE,
                format!(
                    "Last resource of '{}' with disk still has diskless resources attached.",
                    res.rsc_name
                ),
            ));
            return Outcome::one(e);
        }
        self.rscs.remove(&k);
        self.rsc_conns
            .retain(|(r, a, b), _| !(*r == k.0 && (*a == k.1 || *b == k.1)));
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
        out.deferred(deferred)
    }

    pub(crate) fn toggle_disk(&mut self, msg: MsgToggleDisk) -> Outcome {
        let (node, rsc) = (msg.node_name, msg.rsc_name);
        let ctx = rsc_ctx(Operation::Modify, &node, &rsc);
        let k = (key(&rsc), key(&node));
        let Some(mut res) = self.rscs.get(&k).cloned() else {
            return Outcome::one(self.rsc_not_found(&ctx, &node, &rsc));
        };
        let remove = msg.diskless.unwrap_or(false);
        let (n, r) = (res.node_name.clone(), res.rsc_name.clone());
        if !remove && !res.is_diskless() {
            return Outcome::one(
                ctx.problem(RC::WARN_RSC_ALREADY_HAS_DISK, "Resource already has disk")
                    .0,
            );
        }
        if remove && res.is_diskless() {
            return Outcome::one(
                ctx.problem(RC::WARN_RSC_ALREADY_DISKLESS, "Resource already diskless")
                    .0,
            );
        }
        let peers: Vec<Rsc> = self
            .rscs
            .iter()
            .filter(|((x, y), _)| *x == k.0 && *y != k.1)
            .map(|(_, v)| v.clone())
            .collect();
        if remove && peers.iter().all(Rsc::is_diskless) {
            let e = self.report(ctx.problem(
                RC::FAIL_INSUFFICIENT_REPLICA_COUNT,
                "Cannot remove the disk from the only resource with a disk",
            ));
            return Outcome::one(e);
        }
        let migrate = match msg.migrate_from.as_deref().filter(|_| !remove) {
            Some(from) => match self.rscs.get(&(k.0.clone(), key(from))).cloned() {
                Some(m) => Some(m),
                None => return Outcome::one(self.rsc_not_found(&ctx, from, &rsc)),
            },
            None => None,
        };
        match msg.stor_pool_name.as_deref().filter(|s| !s.is_empty()) {
            Some(pool) => {
                if let Err(e) = RuleSet::Rsc.check(keys::STOR_POOL_NAME, pool) {
                    let e = prop_error(self, &ctx, e);
                    return Outcome::one(e);
                }
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
        let Some(dfn) = self.rsc_dfns.get(&k.0).cloned() else {
            return Outcome::one(self.rsc_dfn_not_found(&ctx, &rsc));
        };
        res.vlms.clear();
        if remove {
            res.flags.push(flags::DISKLESS.to_owned());
        } else {
            res.flags.retain(|f| f != flags::DISKLESS);
        }
        let mut warnings = Vec::new();
        if let Err(e) = self.place_volumes(&mut res, &dfn, &ctx, &mut warnings) {
            return Outcome::one(e);
        }
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
        self.emit_resource_state(&mut out.events, &k.0, &k.1);
        if let Some(m) = migrate {
            let mk = (k.0.clone(), key(&m.node_name));
            self.rscs.remove(&mk);
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
        out.deferred(deferred)
    }

    pub(crate) fn wire_vlm(&self, res: &Rsc, v: &Vlm, with_allocated: bool) -> WireVlm {
        let dfn = self.rsc_dfns.get(&key(&res.rsc_name));
        let vd = dfn.and_then(|d| d.vlm_dfns.get(&v.nr));
        let pool = self.pools.get(&(key(&res.node_name), key(&v.stor_pool)));
        WireVlm {
            vlm_uuid: Some(v.uuid.clone()),
            vlm_dfn_uuid: vd.map(|d| d.uuid.clone()),
            vlm_nr: v.nr,
            vlm_minor_nr: vd.and_then(|d| u32::try_from(d.minor).ok()),
            backing_disk: if v.diskless {
                None
            } else {
                backing_disk(pool, &res.rsc_name, v.nr)
            },
            meta_disk: if v.diskless {
                None
            } else {
                Some("internal".to_owned())
            },
            stor_pool_uuid: pool.map(|p| p.uuid.clone()),
            stor_pool_name: Some(v.stor_pool.clone()),
            vlm_flags: vec![],
            vlm_props: vec![],
            stor_pool_driver_name: pool.map(|p| p.driver.clone()),
            stor_pool_dfn_uuid: self.spds.get(&key(&v.stor_pool)).map(|d| d.uuid.clone()),
            stor_pool_dfn_props: vec![],
            stor_pool_props: vec![],
            device_path: vd.map(|d| format!("/dev/drbd{}", d.minor)),
            allocated_size: if with_allocated && !v.diskless {
                vd.and_then(|d| u64::try_from(d.size_kib).ok())
            } else {
                None
            },
            usable_size: None,
        }
    }

    pub(crate) fn wire_volumes_in_pool(&self, node: &str, pool: &str) -> Vec<WireVlm> {
        let node_key = key(node);
        self.rscs
            .iter()
            .filter(|((_, n), _)| *n == node_key)
            .flat_map(|(_, r)| {
                r.vlms
                    .values()
                    .filter(|v| v.stor_pool.eq_ignore_ascii_case(pool))
                    .map(move |v| self.wire_vlm(r, v, false))
            })
            .collect()
    }

    fn wire_rsc(&self, res: &Rsc, vlms: Vec<WireVlm>) -> WireRsc {
        WireRsc {
            uuid: Some(res.uuid.clone()),
            name: res.rsc_name.clone(),
            node_uuid: self.node(&res.node_name).map(|n| n.uuid.clone()),
            node_name: res.node_name.clone(),
            rsc_dfn_uuid: self
                .rsc_dfns
                .get(&key(&res.rsc_name))
                .map(|d| d.uuid.clone()),
            props: props_to_wire(&res.props),
            rsc_flags: res.flags.clone(),
            vlms,
            node_id: Some(res.node_id),
            override_node_id: None,
        }
    }

    fn rsc_state(&self, res: &Rsc) -> Option<RscState> {
        let key = StreamKey::resource(&res.node_name, &res.rsc_name);
        let in_use = match self.streams.get(&key)? {
            EventData::Resource(s) => s.in_use,
            EventData::Volume(_) => None,
        };
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

    pub(crate) fn lst_rsc(&self, filter: Filter) -> Outcome {
        let matches = |list: &[String], name: &str| {
            list.is_empty() || list.iter().any(|n| n.eq_ignore_ascii_case(name))
        };
        let selected: Vec<&Rsc> = self
            .rscs
            .values()
            .filter(|r| {
                matches(&filter.node_names, &r.node_name)
                    && matches(&filter.resource_names, &r.rsc_name)
            })
            .collect();
        let resources = selected
            .iter()
            .map(|r| {
                self.wire_rsc(
                    r,
                    r.vlms
                        .values()
                        .map(|v| self.wire_vlm(r, v, false))
                        .collect(),
                )
            })
            .collect();
        let resource_states = selected.iter().filter_map(|r| self.rsc_state(r)).collect();
        Outcome::list(
            answers::LST_RSC,
            MsgLstRsc {
                resources,
                resource_states,
            },
        )
    }

    pub(crate) fn lst_vlm(&mut self, filter: Filter) -> Outcome {
        let ctx = ctx(Operation::Create, Object::Volume, "");
        if let Some(bad) = filter
            .node_names
            .iter()
            .find(|n| !valid_node_name(n))
            .cloned()
        {
            return Outcome::one(self.report(ctx.problem(
                RC::FAIL_INVLD_NODE_NAME,
                format!("The given node name '{bad}' is invalid."),
            )));
        }
        if let Some(bad) = filter
            .stor_pool_names
            .iter()
            .find(|n| !valid_stor_pool_name(n))
            .cloned()
        {
            return Outcome::one(self.report(ctx.problem(
                RC::FAIL_INVLD_STOR_POOL_NAME,
                format!("The given storage pool name '{bad}' is invalid."),
            )));
        }
        if let Some(bad) = filter
            .resource_names
            .iter()
            .find(|n| !valid_rsc_name(n))
            .cloned()
        {
            return Outcome::one(self.report(ctx.problem(
                RC::FAIL_INVLD_RSC_NAME,
                format!("The specified resource name '{bad}' is invalid."),
            )));
        }
        let matches = |list: &[String], name: &str| {
            list.is_empty() || list.iter().any(|n| n.eq_ignore_ascii_case(name))
        };
        let mut resources = Vec::new();
        for r in self.rscs.values().filter(|r| {
            matches(&filter.node_names, &r.node_name)
                && matches(&filter.resource_names, &r.rsc_name)
        }) {
            let vlms: Vec<WireVlm> = r
                .vlms
                .values()
                .filter(|v| matches(&filter.stor_pool_names, &v.stor_pool))
                .map(|v| self.wire_vlm(r, v, true))
                .collect();
            if !vlms.is_empty() {
                resources.push(self.wire_rsc(r, vlms));
            }
        }
        let resource_states = self
            .rscs
            .values()
            .filter_map(|r| self.rsc_state(r))
            .collect();
        Outcome {
            immediate: vec![
                Answer::list(
                    answers::LST_VLM,
                    MsgLstRsc {
                        resources,
                        resource_states,
                    },
                ),
                Answer::reply(vec![]),
            ],
            ..Outcome::default()
        }
    }

    /// Auto-place candidate search (semantics.md §9 steps 4-9). `rsc` names the resource being
    /// placed (`None` for `QryMaxVlmSize`); returns every viable pool, best first.
    pub(crate) fn placement_candidates(
        &self,
        rsc: Option<&str>,
        filter: &AutoSelectFilter,
    ) -> Vec<Candidate> {
        let need = filter.place_count as usize;
        let rsc_key = rsc.map(key);
        let existing = rsc_key
            .as_ref()
            .map_or(0, |k| self.rscs.keys().filter(|(r, _)| r == k).count());
        let need = need.saturating_sub(existing);
        if need == 0 {
            return Vec::new();
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
        if let Some(re) = filter
            .not_place_with_rsc_regex
            .as_deref()
            .filter(|r| !r.is_empty())
        {
            avoid.extend(
                self.rsc_dfns
                    .values()
                    .filter(|d| regex_matches(re, &d.name))
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
        result
    }

    pub(crate) fn auto_place_rsc(&mut self, msg: MsgAutoPlaceRsc) -> Outcome {
        let rsc = msg.rsc_name;
        let ctx = ctx(
            Operation::Create,
            Object::Resource,
            format!("Auto-placing resource: {rsc}"),
        )
        .with_ref(keys::obj_refs::RSC_DFN, rsc.clone());
        let rsc_key = key(&rsc);
        let Some(dfn) = self.rsc_dfns.get(&rsc_key).cloned() else {
            return Outcome::one(self.rsc_dfn_not_found(&ctx, &rsc));
        };
        let existing: Vec<Rsc> = self
            .rscs
            .iter()
            .filter(|((r, _), _)| *r == rsc_key)
            .map(|(_, x)| x.clone())
            .collect();
        let mut filter = msg.select_filter;
        let place_count = filter.place_count as usize;
        let diskless_on_remaining = msg.diskless_on_remaining.unwrap_or(false);
        if place_count < existing.len() {
            let nodes: Vec<String> = existing
                .iter()
                .map(|r| format!("'{}'", r.node_name))
                .collect();
            let e = self.report(ctx.problem(
                RC::FAIL_INVLD_PLACE_COUNT,
                format!(
                    "The resource '{}' is already deployed on more nodes than requested: {}.",
                    dfn.name,
                    nodes.join(", ")
                ),
            ));
            return Outcome::one(e);
        }
        let mut created_disk: Vec<Rsc> = Vec::new();
        let mut used_pool = None;
        if place_count == existing.len() {
            if !diskless_on_remaining {
                return Outcome::one(
                    ctx.problem(
                        RC::WARN_RSC_ALREADY_DEPLOYED,
                        format!(
                            "Resource '{}' was already deployed on {} nodes. Skipping.",
                            dfn.name,
                            existing.len()
                        ),
                    )
                    .0,
                );
            }
        } else {
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
                let e = self.report(ctx.problem(
                    RC::FAIL_NOT_FOUND_STOR_POOL,
                    format!("Storage pool '{forced}' not found"),
                ));
                return Outcome::one(e);
            }
            let Some(best) = self
                .placement_candidates(Some(&rsc), &filter)
                .into_iter()
                .next()
            else {
                let e = self.report(
                    ctx.problem(RC::FAIL_NOT_ENOUGH_NODES, "Not enough available nodes").details(format!(
                        "Not enough nodes fulfilling the following auto-place criteria:\n * has a deployed storage pool named '{}'\n * the storage pool has to have at least '{}' free space\n * the current access context has enough privileges to use the node and the storage pool\n * the node is online",
                        filter.storage_pool.clone().unwrap_or_default(),
                        dfn.vlm_dfns.values().map(|v| v.size_kib).sum::<i64>()
                    )),
                );
                return Outcome::one(e);
            };
            let wires: Vec<WireRsc> = best
                .nodes
                .iter()
                .map(|n| WireRsc {
                    name: dfn.name.clone(),
                    node_name: n.clone(),
                    props: vec![super::reply::map_entry(keys::STOR_POOL_NAME, &best.pool)],
                    ..Default::default()
                })
                .collect();
            match self.create_resources(wires, |n, r| rsc_ctx(Operation::Create, n, r)) {
                Ok((mut c, _)) => {
                    for r in &mut c {
                        r.props.insert(
                            keys::AUTO_SELECTED_STOR_POOL_NAME.to_owned(),
                            best.pool.clone(),
                        );
                    }
                    created_disk = c;
                }
                Err(e) => return Outcome::one(e),
            }
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
            match diskless {
                Ok((c, _)) => created.extend(c),
                Err(e) => return Outcome::one(e),
            }
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
        out.deferred(deferred)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linstor_proto::Request;
    use linstor_proto::messages::{
        LinStorMapEntry, MsgCrtNode, MsgCrtStorPool, NetInterface, Node, StorPool as WirePool,
    };

    #[test]
    fn regex_subset() {
        assert!(regex_matches("rsc.*", "RSC12"));
        assert!(regex_matches("^a.c$", "abc"));
        assert!(!regex_matches("a.c", "abcd"));
    }

    /// `(name, type, props, pools as (pool, driver))` of one node.
    type NodeSpec<'a> = (
        &'a str,
        &'a str,
        &'a [(&'a str, &'a str)],
        &'a [(&'a str, &'a str)],
    );

    fn model(nodes: &[NodeSpec<'_>]) -> Model {
        let mut m = Model::default();
        for (i, (name, kind, props, pools)) in nodes.iter().enumerate() {
            let node = Node {
                name: (*name).into(),
                r#type: (*kind).into(),
                props: props
                    .iter()
                    .map(|(k, v)| LinStorMapEntry {
                        key: (*k).into(),
                        value: (*v).into(),
                    })
                    .collect(),
                net_interfaces: vec![NetInterface {
                    name: "default".into(),
                    address: format!("10.0.0.{}", i + 1),
                    stlt_port: Some(3366),
                    stlt_encryption_type: Some("Plain".into()),
                    ..Default::default()
                }],
                ..Default::default()
            };
            assert!(
                RC(m.apply(Request::CrtNode(MsgCrtNode { node }))
                    .entries()
                    .last()
                    .unwrap()
                    .ret_code)
                .is_success()
            );
            for (pool, driver) in *pools {
                let p = WirePool {
                    node_name: (*name).into(),
                    stor_pool_name: (*pool).into(),
                    driver: (*driver).into(),
                    ..Default::default()
                };
                m.apply(Request::CrtStorPool(MsgCrtStorPool { stor_pool: p }));
            }
        }
        m
    }

    fn rsc_dfn(m: &mut Model, name: &str, size: Option<i64>) {
        m.apply(Request::CrtRscDfn(MsgCrtRscDfn {
            rsc_dfn: WireRscDfn {
                rsc_name: name.into(),
                ..Default::default()
            },
        }));
        if let Some(size) = size {
            let v = MsgCrtVlmDfn {
                rsc_name: name.into(),
                vlm_dfns: vec![WireVlmDfn {
                    vlm_size: size,
                    ..Default::default()
                }],
                ..Default::default()
            };
            m.apply(Request::CrtVlmDfn(v));
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
