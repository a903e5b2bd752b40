//! Resource definitions (`docs/controller-rules.md#resource-definitions`).

use std::collections::BTreeMap;

use linstor_proto::ReturnCode as RC;
use linstor_proto::calls::answers;
use linstor_proto::messages::{
    MsgCrtRscDfn, MsgDelRscDfn, MsgLstRscDfn, MsgModRscDfn, RscDfn as WireRscDfn,
    VlmDfn as WireVlmDfn,
};
use linstor_proto::return_code::Operation;

use super::events::StreamAction;
use super::names::{key, valid_port, valid_rsc_name};
use super::props::{RuleSet, modify_props};
use super::reply::{Answer, Ctx, Outcome, Problem, ensure, rsc_dfn_ctx, vlm_dfn_ctx};
use super::state::{Model, Props, Rsc, RscDfn, props_to_wire};

impl Model {
    pub(crate) fn crt_rsc_dfn(&mut self, msg: MsgCrtRscDfn) -> Result<Outcome, Problem> {
        let dfn = msg.rsc_dfn;
        let name = dfn.rsc_name.clone();
        let ctx = rsc_dfn_ctx(Operation::Create, &name);
        ensure(valid_rsc_name(&name), || {
            ctx.problem(
                RC::FAIL_INVLD_RSC_NAME,
                format!("The specified resource name '{name}' is invalid."),
            )
        })?;
        ensure(!self.rsc_dfns.contains_key(&key(&name)), || {
            ctx.problem(
                RC::FAIL_EXISTS_RSC_DFN,
                format!("Resource definition '{name}' already exists."),
            )
        })?;
        let port = match dfn.rsc_dfn_port {
            Some(p) => {
                let taken = self.port_taken(p);
                ensure(valid_port(p) && !taken, || invalid_port(&ctx, p))?;
                p
            }
            None => self.free_port().ok_or_else(|| {
                ctx.problem(
                    RC::FAIL_POOL_EXHAUSTED_TCP_PORT,
                    "Could not find free TCP port in range.",
                )
            })?,
        };
        if let Some(t) = dfn.rsc_dfn_transport_type.as_deref()
            && !t.is_empty()
            && !["IP", "RDMA", "RoCE"]
                .iter()
                .any(|x| x.eq_ignore_ascii_case(t))
        {
            return Err(ctx.problem(
                RC::FAIL_INVLD_TRANSPORT_TYPE,
                format!("The given transport type '{t}' is invalid."),
            ));
        }
        let mut props = Props::new();
        modify_props(&ctx, RuleSet::RscDfn, &mut props, &dfn.rsc_dfn_props, &[])?;
        let secret = match dfn.rsc_dfn_secret.as_deref() {
            Some(s) if !s.trim().is_empty() => s.to_owned(),
            _ => self.secret(),
        };
        let uuid = self.uuid();
        self.put_rsc_dfn(
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
        // Each embedded volume definition answers for itself; a failing one does not stop
        // the others, so its error entry goes into this successful reply.
        for v in dfn.vlm_dfns {
            match self.create_vlm_dfn(&name, v) {
                Ok(nr) => entries.push(vlm_dfn_ctx(Operation::Create, &name, nr).plain(
                    RC::CREATED,
                    format!("Volume definition with number '{nr}' successfully  created in resource definition '{name}'."),
                )),
                Err(problem) => {
                    let entry = self.answer(problem);
                    entries.push(entry);
                }
            }
        }
        Ok(Outcome::reply(entries).changed())
    }

    pub(crate) fn mod_rsc_dfn(&mut self, msg: MsgModRscDfn) -> Result<Outcome, Problem> {
        let name = msg.rsc_name;
        let ctx = rsc_dfn_ctx(Operation::Modify, &name);
        let mut dfn = self
            .rsc_dfns
            .get(&key(&name))
            .cloned()
            .ok_or_else(|| ctx.rsc_dfn_not_found(&name))?;
        if let Some(p) = msg.rsc_dfn_port {
            let taken = p != dfn.port && self.port_taken(p);
            ensure(valid_port(p) && !taken, || invalid_port(&ctx, p))?;
            dfn.port = p;
        }
        let mut entries = Vec::new();
        for k in &msg.delete_prop_keys {
            if !dfn.props.contains_key(&super::props::clean_key(k)) {
                entries.push(ctx.problem(RC::WARN_DEL_UNSET_PROP, format!("Could not delete property '{k}' as it did not exist. This operation had no effect.")).warning());
            }
        }
        modify_props(
            &ctx,
            RuleSet::RscDfn,
            &mut dfn.props,
            &msg.override_props,
            &msg.delete_prop_keys,
        )?;
        let (uuid, display) = (dfn.uuid.clone(), dfn.name.clone());
        self.put_rsc_dfn(key(&name), dfn);
        entries.push(ctx.success(
            RC::MODIFIED,
            format!("Resource definition '{display}' modified."),
            "Resource definition UUID is:",
            &uuid,
        ));
        Ok(Outcome::reply(entries).changed())
    }

    pub(crate) fn del_rsc_dfn(&mut self, msg: MsgDelRscDfn) -> Result<Outcome, Problem> {
        let name = msg.rsc_name;
        let ctx = rsc_dfn_ctx(Operation::Delete, &name);
        let dfn = self.rsc_dfns.get(&key(&name)).cloned().ok_or_else(|| {
            // The controller logs this warning with an error report.
            ctx.problem(
                RC::WARN_NOT_FOUND,
                format!("Resource definition: {name} not found."),
            )
            .logged()
        })?;
        ensure(dfn.snapshots.is_empty(), || {
            ctx.problem(
                RC::FAIL_EXISTS_SNAPSHOT_DFN,
                format!(
                    "Cannot delete resource definition '{}' because it has snapshots.",
                    dfn.name
                ),
            )
        })?;
        let rsc_key = key(&name);
        let mut rscs: Vec<Rsc> = self.rscs_of(&rsc_key).map(|(_, r)| r.clone()).collect();
        let mut out = Outcome::default().changed();
        for r in &rscs {
            self.rscs.remove(&(rsc_key.clone(), key(&r.node_name)));
        }
        self.remove_rsc_conns_where(|(r, _, _)| *r == rsc_key);
        self.take_rsc_dfn(&rsc_key);
        let deleted = ctx.success(
            RC::DELETED,
            format!("Resource definition '{}' deleted.", dfn.name),
            "Resource definition UUID was:",
            &dfn.uuid,
        );
        if rscs.is_empty() {
            out.immediate.push(Answer::reply(vec![deleted]));
            return Ok(out);
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
        Ok(out.deferred(deferred))
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
}

fn invalid_port(ctx: &Ctx, port: i32) -> Problem {
    ctx.problem(
        RC::FAIL_INVLD_RSC_PORT,
        format!("The specified TCP port '{port}' is invalid."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::{
        body, cluster, codes, crt_diskless, crt_rsc, crt_rsc_dfn, crt_vlm_dfn, entry, is, ok,
        refused,
    };
    use linstor_proto::Request;

    fn crt_with(name: &str, f: impl FnOnce(&mut WireRscDfn)) -> Request {
        let mut d = WireRscDfn {
            rsc_name: name.into(),
            ..Default::default()
        };
        f(&mut d);
        Request::CrtRscDfn(MsgCrtRscDfn { rsc_dfn: d })
    }

    fn del(name: &str) -> Request {
        Request::DelRscDfn(MsgDelRscDfn {
            rsc_name: name.into(),
            ..Default::default()
        })
    }

    #[test]
    fn create_list_modify_delete() {
        let mut m = Model::default();
        let out = ok(&mut m, crt_rsc_dfn("res"));
        let e = out.entries().next().expect("entry");
        assert_eq!(
            (e.ret_code, e.message.as_str()),
            (0x0138_0001, "New resource definition 'res' created.")
        );
        let d = &m.rsc_dfns["RES"];
        assert_eq!((d.port, d.secret.len()), (7000, 20));
        let out = ok(
            &mut m,
            Request::ModRscDfn(MsgModRscDfn {
                rsc_name: "RES".into(),
                rsc_dfn_port: Some(7100),
                override_props: vec![entry("DrbdOptions/Net/allow-two-primaries", "YES")],
                delete_prop_keys: vec!["absent".into()],
                ..Default::default()
            }),
        );
        // The absent deleted key warns before the success entry.
        assert_eq!(codes(&out), [0x8000_0000_0238_03ED, 0x0238_0003]);
        let d = &m.rsc_dfns["RES"];
        assert_eq!(d.port, 7100);
        assert_eq!(d.props["DrbdOptions/Net/allow-two-primaries"], "yes");
        let Some(linstor_proto::Body::MsgLstRscDfn(list)) =
            m.lst_rsc_dfn().immediate[0].bodies.first().cloned()
        else {
            panic!("list");
        };
        assert_eq!(list.rsc_dfns[0].rsc_dfn_port, Some(7100));
        assert_eq!(
            codes(&ok(&mut m, del("res"))),
            [0x0338_0002],
            "no resources: deleted at once"
        );
        let e = refused(&mut m, del("res"));
        assert_eq!(e.ret_code, 0x8000_0000_0338_0BB8);
        assert_eq!(
            e.error_report_ids.len(),
            1,
            "the controller logs this warning"
        );
    }

    #[test]
    fn the_list_shows_port_secret_and_each_volumes_minor() {
        let mut m = cluster(&["alpha"]);
        ok(&mut m, crt_rsc_dfn("rsc1"));
        ok(&mut m, crt_vlm_dfn("rsc1", 1 << 20));
        let dfns = body!(m.apply(Request::LstRscDfn), MsgLstRscDfn);
        let d = &dfns.rsc_dfns[0];
        assert_eq!(
            (
                d.rsc_dfn_port,
                d.vlm_dfns[0].vlm_minor,
                d.vlm_dfns[0].vlm_nr
            ),
            (Some(7000), Some(1000), Some(0))
        );
        assert_eq!(d.rsc_dfn_secret.as_ref().map(String::len), Some(20));
    }

    #[test]
    fn creation_errors() {
        let mut m = Model::default();
        ok(&mut m, crt_rsc_dfn("res"));
        let e = refused(&mut m, crt_rsc_dfn("1x"));
        assert_eq!(e.message, "The specified resource name '1x' is invalid.");
        assert!(is(
            &refused(&mut m, crt_rsc_dfn("RES")),
            RC::FAIL_EXISTS_RSC_DFN
        ));
        let e = refused(&mut m, crt_with("r2", |d| d.rsc_dfn_port = Some(7000)));
        assert_eq!(e.message, "The specified TCP port '7000' is invalid.");
        let e = refused(
            &mut m,
            crt_with("r2", |d| d.rsc_dfn_transport_type = Some("UDP".into())),
        );
        assert!(is(&e, RC::FAIL_INVLD_TRANSPORT_TYPE));
        let e = refused(
            &mut m,
            crt_with("r2", |d| d.rsc_dfn_props = vec![entry("Foo", "1")]),
        );
        assert!(is(&e, RC::FAIL_INVLD_PROP));
        assert_eq!(m.rsc_dfns.len(), 1, "all or nothing");
        m.ctrl_props
            .insert("TcpPortAutoRange".into(), "7000-7000".into());
        let e = refused(&mut m, crt_rsc_dfn("r2"));
        assert!(is(&e, RC::FAIL_POOL_EXHAUSTED_TCP_PORT));
    }

    #[test]
    fn embedded_volume_definitions_answer_each() {
        let mut m = Model::default();
        let out = m.apply(crt_with("res", |d| {
            d.vlm_dfns = [1024, 1, 2048]
                .map(|size| WireVlmDfn {
                    vlm_size: size,
                    ..Default::default()
                })
                .to_vec();
        }));
        // A failing one does not stop the others; its error carries a report id.
        let cs = codes(&out);
        assert_eq!(
            cs,
            [0x0138_0001, 0x0130_0001, 0xC000_0000_0130_00CE, 0x0130_0001]
        );
        let failed = out.entries().nth(2).expect("error entry");
        assert_eq!(failed.error_report_ids.len(), 1);
        assert_eq!(m.rsc_dfns["RES"].vlm_dfns.len(), 2);
    }

    #[test]
    fn deleting_with_resources_or_snapshots() {
        let mut m = cluster(&["alpha", "bravo"]);
        for r in [
            crt_rsc_dfn("res"),
            crt_vlm_dfn("res", 1024),
            crt_rsc("res", &["alpha"]),
            crt_diskless("res", "bravo"),
        ] {
            ok(&mut m, r);
        }
        let out = ok(&mut m, del("res"));
        let messages = |a: &Answer| a.entries().map(|e| e.message.clone()).collect::<Vec<_>>();
        assert_eq!(
            messages(&out.immediate[0]),
            ["Resource definition 'res' marked for deletion."]
        );
        assert_eq!(
            messages(&out.deferred[0]),
            [
                "Notified 'bravo' that diskless resources of 'res' are being deleted",
                "Resource 'res' on 'bravo' deleted",
                "Resource 'res' on 'alpha' deleted",
                "Resource definition 'res' deleted.",
            ]
        );
        assert!(m.rscs.is_empty() && m.rsc_dfns.is_empty());

        for r in [
            crt_rsc_dfn("res"),
            crt_vlm_dfn("res", 1024),
            crt_rsc("res", &["alpha"]),
        ] {
            ok(&mut m, r);
        }
        let snap = Request::CrtSnapshot(linstor_proto::messages::MsgCrtSnapshot {
            snapshot_dfn: linstor_proto::messages::SnapshotDfn {
                rsc_name: "res".into(),
                snapshot_name: "s1".into(),
                ..Default::default()
            },
        });
        ok(&mut m, snap);
        let e = refused(&mut m, del("res"));
        assert!(is(&e, RC::FAIL_EXISTS_SNAPSHOT_DFN));
    }
}
