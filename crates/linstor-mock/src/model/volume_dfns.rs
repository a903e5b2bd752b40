//! Volume definitions (`docs/controller-rules.md#volume-definitions`).

use linstor_proto::ReturnCode as RC;
use linstor_proto::consts::{keys, names as special};
use linstor_proto::messages::{MsgCrtVlmDfn, MsgDelVlmDfn, MsgModVlmDfn};
use linstor_proto::return_code::{Object, Operation};

use super::events::{StreamAction, StreamKey};
use super::names::key;
use super::props::{RuleSet, modify_props};
use super::reply::{Answer, Outcome, Problem, ctx, ensure, vlm_dfn_ctx};
use super::state::Model;

impl Model {
    pub(crate) fn crt_vlm_dfn(&mut self, msg: MsgCrtVlmDfn) -> Result<Outcome, Problem> {
        let rsc = msg.rsc_name;
        if msg.vlm_dfns.is_empty() {
            let ctx = ctx(
                Operation::Create,
                Object::VolumeDefinition,
                format!("Resource definition: {rsc}"),
            );
            return Ok(Outcome::one(ctx.plain(
                RC(0x8000_0000_0000_0000),
                "Volume definition list to create is empty.",
            )));
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
                // Nothing created: the error is the whole answer.
                Err(problem) if entries.is_empty() => return Err(problem),
                // The ones created before stay; the error entry ends the reply.
                Err(problem) => {
                    let entry = self.answer(problem);
                    entries.push(entry);
                    break;
                }
            }
        }
        self.emit_definition_state(&mut out.events, &key(&rsc));
        out.immediate.push(Answer::reply(entries));
        Ok(out)
    }

    pub(crate) fn mod_vlm_dfn(&mut self, msg: MsgModVlmDfn) -> Result<Outcome, Problem> {
        let (rsc, nr) = (msg.rsc_name, msg.vlm_nr);
        let ctx = vlm_dfn_ctx(Operation::Modify, &rsc, nr);
        let rsc_key = key(&rsc);
        let dfn = self
            .rsc_dfns
            .get(&rsc_key)
            .cloned()
            .ok_or_else(|| ctx.rsc_dfn_not_found(&rsc))?;
        let mut vd = dfn
            .vlm_dfns
            .get(&nr)
            .cloned()
            .ok_or_else(|| ctx.vlm_dfn_not_found(&dfn.name, nr))?;
        modify_props(
            &ctx,
            RuleSet::VlmDfn,
            &mut vd.props,
            &msg.override_props,
            &msg.delete_prop_keys,
        )?;
        let deployed: Vec<String> = self
            .rscs
            .iter()
            .filter(|((r, _), x)| *r == rsc_key && x.vlms.contains_key(&nr))
            .map(|(_, x)| x.node_name.clone())
            .collect();
        let mut resized = false;
        if let Some(size) = msg.vlm_size {
            ensure(
                (special::VLM_SIZE_MIN_KIB..=special::VLM_SIZE_MAX_KIB).contains(&size),
                || {
                    ctx.problem(
                        RC::FAIL_INVLD_VLM_SIZE,
                        format!("The specified volume size '{size}' is invalid."),
                    )
                },
            )?;
            ensure(size >= vd.size_kib || deployed.is_empty(), || {
                ctx.problem(
                    RC::FAIL_INVLD_VLM_SIZE,
                    "Deployed volumes can only grow in size, not shrink.",
                )
            })?;
            resized = size != vd.size_kib;
            vd.size_kib = size;
        }
        if let Some(m) = msg.vlm_minor {
            let taken = self.rsc_dfns.values().any(|d| {
                d.vlm_dfns
                    .values()
                    .any(|x| x.minor == m && x.uuid != vd.uuid)
            });
            ensure((0..=special::MINOR_MAX).contains(&m) && !taken, || {
                ctx.problem(
                    RC::FAIL_INVLD_MINOR_NR,
                    format!("The specified minor number '{m}' is invalid."),
                )
            })?;
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
        Ok(Outcome::one(ctx.success(
            RC::MODIFIED,
            format!(
                "Volume definition with number '{nr}' of resource definition '{}' modified.",
                dfn.name
            ),
            "Volume definition UUID is:",
            &uuid,
        ))
        .changed()
        .deferred(deferred))
    }

    pub(crate) fn del_vlm_dfn(&mut self, msg: MsgDelVlmDfn) -> Result<Outcome, Problem> {
        let (rsc, nr) = (msg.rsc_name, msg.vlm_nr);
        let ctx = vlm_dfn_ctx(Operation::Delete, &rsc, nr);
        let rsc_key = key(&rsc);
        // The definition must exist; only a missing volume definition is the warning.
        let vd = self
            .must_rsc_dfn(&ctx, &rsc)?
            .vlm_dfns
            .get(&nr)
            .cloned()
            .ok_or_else(|| {
                ctx.problem(
                    RC::WARN_NOT_FOUND,
                    format!("Resource definition: {rsc}, Volume number: {nr} not found."),
                )
            })?;
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
        Ok(out.deferred(deferred))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::{cluster, crt_rsc_dfn, ok, refused};
    use linstor_proto::Request;

    fn del(rsc: &str, nr: i32) -> Request {
        Request::DelVlmDfn(MsgDelVlmDfn {
            rsc_name: rsc.into(),
            vlm_nr: nr,
            ..Default::default()
        })
    }

    #[test]
    fn deleting_under_a_missing_definition_names_the_definition() {
        let mut m = cluster(&["alpha"]);
        let e = refused(&mut m, del("nope", 0));
        assert_eq!(e.ret_code, 0xC000_0000_0330_012D);
        assert_eq!(e.message, "Resource definition 'nope' not found.");
        assert!(e.correction.is_some());
        assert_eq!(e.error_report_ids.len(), 1);
        ok(&mut m, crt_rsc_dfn("res"));
        let e = refused(&mut m, del("res", 0));
        assert_eq!(e.ret_code, 0x8000_0000_0330_0BB8);
        assert_eq!(
            e.message,
            "Resource definition: res, Volume number: 0 not found."
        );
        assert!(e.error_report_ids.is_empty());
    }
}
