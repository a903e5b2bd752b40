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
            let taken = m != vd.minor && self.minor_taken(m);
            ensure((0..=special::MINOR_MAX).contains(&m) && !taken, || {
                ctx.problem(
                    RC::FAIL_INVLD_MINOR_NR,
                    format!("The specified minor number '{m}' is invalid."),
                )
            })?;
            vd.minor = m;
        }
        let uuid = vd.uuid.clone();
        self.put_vlm_dfn(&rsc_key, nr, vd);
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
        let keys: Vec<(String, String)> = self.rscs_of(&rsc_key).map(|(k, _)| k).cloned().collect();
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
        self.take_vlm_dfn(&rsc_key, nr);
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
    use crate::model::test_support::{
        cluster, codes, crt_rsc, crt_rsc_dfn, crt_vlm_dfn, is, ok, refused,
    };
    use linstor_proto::Request;
    use linstor_proto::ReturnCode as RC;

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

    fn vds(rsc: &str, v: Vec<linstor_proto::messages::VlmDfn>) -> Request {
        Request::CrtVlmDfn(MsgCrtVlmDfn {
            rsc_name: rsc.into(),
            vlm_dfns: v,
            ..Default::default()
        })
    }

    fn vd(nr: Option<i32>, size: i64) -> linstor_proto::messages::VlmDfn {
        linstor_proto::messages::VlmDfn {
            vlm_nr: nr,
            vlm_size: size,
            ..Default::default()
        }
    }

    fn modify(nr: i32, size: Option<i64>) -> Request {
        Request::ModVlmDfn(MsgModVlmDfn {
            rsc_name: "res".into(),
            vlm_nr: nr,
            vlm_size: size,
            ..Default::default()
        })
    }

    #[test]
    fn create_modify_delete_on_deployed_resources() {
        let mut m = cluster(&["alpha", "bravo"]);
        ok(&mut m, crt_rsc_dfn("res"));
        ok(&mut m, crt_rsc("res", &["alpha", "bravo"]));
        let out = ok(&mut m, crt_vlm_dfn("res", 1024));
        let e = out.entries().next().expect("entry");
        assert_eq!(
            (e.ret_code, e.message.as_str()),
            (
                0x0130_0001,
                "New volume definition with number '0' of resource definition 'res' created."
            )
        );
        assert!(
            e.obj_refs
                .iter()
                .any(|r| r.key == "MinorNr" && r.value == "1000")
        );
        // A new disk-state stream per node; the resource states did not change.
        let kinds: Vec<_> = out
            .events
            .iter()
            .map(|e| (e.key.kind, e.action.name()))
            .collect();
        assert_eq!(
            kinds,
            [(crate::model::StreamKind::VolumeDiskState, "Value"); 2]
        );
        assert!(m.rscs.values().all(|r| r.vlms.contains_key(&0)));

        let out = ok(&mut m, modify(0, Some(2048)));
        let deferred: Vec<&str> = out.deferred[0]
            .entries()
            .map(|e| e.message.as_str())
            .collect();
        assert_eq!(
            deferred,
            [
                "Updated volume 0 of 'res' on 'alpha'",
                "Updated volume 0 of 'res' on 'bravo'",
                "Resized DRBD resource 'res' on 'alpha'",
                "Resized DRBD resource 'res' on 'bravo'",
            ]
        );
        let e = refused(&mut m, modify(0, Some(1024)));
        assert_eq!(
            e.message,
            "Deployed volumes can only grow in size, not shrink."
        );
        let e = refused(&mut m, modify(9, None));
        assert_eq!(
            e.message,
            "Volume definition 'res' with volume number '9' not found."
        );

        let out = ok(
            &mut m,
            Request::DelVlmDfn(MsgDelVlmDfn {
                rsc_name: "res".into(),
                vlm_nr: 0,
                ..Default::default()
            }),
        );
        assert_eq!(
            out.immediate[0].entries().next().map(|e| e.ret_code),
            Some(0x0330_0002)
        );
        let closed: Vec<_> = out
            .events
            .iter()
            .filter(|e| e.action == StreamAction::CloseRemoved)
            .map(|e| e.key.node.clone())
            .collect();
        assert_eq!(closed, ["alpha", "bravo"]);
        assert!(m.rscs.values().all(|r| r.vlms.is_empty()));
    }

    #[test]
    fn creation_errors() {
        let mut m = cluster(&["alpha"]);
        ok(&mut m, crt_rsc_dfn("res"));
        let out = ok(&mut m, vds("res", vec![]));
        assert_eq!(codes(&out), [0x8000_0000_0130_0000]);
        assert!(is(
            &refused(&mut m, crt_vlm_dfn("nope", 1024)),
            RC::FAIL_NOT_FOUND_RSC_DFN
        ));
        assert!(is(
            &refused(&mut m, vds("res", vec![vd(Some(70000), 1024)])),
            RC::FAIL_INVLD_VLM_NR
        ));
        assert!(is(
            &refused(&mut m, crt_vlm_dfn("res", 2)),
            RC::FAIL_INVLD_VLM_SIZE
        ));
        let mut encrypted = vd(None, 1024);
        encrypted.vlm_flags = vec!["ENCRYPTED".into()];
        assert!(is(
            &refused(&mut m, vds("res", vec![encrypted])),
            RC::FAIL_NOT_FOUND_CRYPT_KEY
        ));
        // Created ones stay when a later one fails; the error ends the reply.
        let out = m.apply(vds(
            "res",
            vec![vd(None, 1024), vd(Some(0), 1024), vd(None, 1024)],
        ));
        assert_eq!(codes(&out), [0x0130_0001, 0xC000_0000_0130_01F7]);
        assert!(out.changed);
        assert_eq!(
            out.entries().nth(1).map(|e| e.error_report_ids.len()),
            Some(1)
        );
        assert_eq!(m.rsc_dfns["RES"].vlm_dfns.len(), 1);
    }
}
