//! Storage pool definitions (`docs/controller-rules.md#storage-pools`).

use linstor_proto::ReturnCode as RC;
use linstor_proto::calls::answers;
use linstor_proto::consts::names as special;
use linstor_proto::messages::{
    MsgCrtStorPoolDfn, MsgDelStorPoolDfn, MsgLstStorPoolDfn, MsgModStorPoolDfn,
    StorPoolDfn as WireDfn,
};
use linstor_proto::return_code::Operation;

use super::names::{key, valid_stor_pool_name};
use super::props::{RuleSet, modify_props};
use super::reply::{Outcome, Problem, ensure, spd_ctx};
use super::state::{Model, Props, StorPoolDfn, props_to_wire};

impl Model {
    pub(crate) fn crt_stor_pool_dfn(&mut self, msg: MsgCrtStorPoolDfn) -> Result<Outcome, Problem> {
        let name = msg.stor_pool_dfn.stor_pool_name;
        let ctx = spd_ctx(Operation::Create, &name);
        ensure(valid_stor_pool_name(&name), || {
            ctx.problem(
                RC::FAIL_INVLD_STOR_POOL_NAME,
                format!("The given storage pool name '{name}' is invalid."),
            )
        })?;
        ensure(!self.spds.contains_key(&key(&name)), || {
            ctx.problem(
                RC::FAIL_EXISTS_STOR_POOL_DFN,
                format!("Storage pool definition '{name}' already exists."),
            )
        })?;
        let mut props = Props::new();
        modify_props(
            &ctx,
            RuleSet::StorPoolDfn,
            &mut props,
            &msg.stor_pool_dfn.props,
            &[],
        )?;
        let uuid = self.uuid();
        self.spds.insert(
            key(&name),
            StorPoolDfn {
                uuid: uuid.clone(),
                name: name.clone(),
                props,
            },
        );
        Ok(Outcome::one(ctx.success(
            RC::CREATED,
            format!("New storage pool definition '{name}' created."),
            "Storage pool definition UUID is:",
            &uuid,
        ))
        .changed())
    }

    pub(crate) fn mod_stor_pool_dfn(&mut self, msg: MsgModStorPoolDfn) -> Result<Outcome, Problem> {
        let name = msg.stor_pool_name;
        let ctx = spd_ctx(Operation::Modify, &name);
        let mut dfn = self
            .spds
            .get(&key(&name))
            .cloned()
            .ok_or_else(|| ctx.spd_not_found(&name))?;
        modify_props(
            &ctx,
            RuleSet::StorPoolDfn,
            &mut dfn.props,
            &msg.override_props,
            &msg.delete_prop_keys,
        )?;
        let (uuid, display) = (dfn.uuid.clone(), dfn.name.clone());
        self.spds.insert(key(&name), dfn);
        Ok(Outcome::one(ctx.success(
            RC::MODIFIED,
            format!("Storage pool definition '{display}' modified."),
            "Storage pool definition UUID is:",
            &uuid,
        ))
        .changed())
    }

    pub(crate) fn del_stor_pool_dfn(&mut self, msg: MsgDelStorPoolDfn) -> Result<Outcome, Problem> {
        let name = msg.stor_pool_name;
        let ctx = spd_ctx(Operation::Delete, &name);
        let dfn = self
            .spds
            .get(&key(&name))
            .cloned()
            .ok_or_else(|| ctx.spd_not_found(&name))?;
        let users: Vec<String> = self
            .pools
            .iter()
            .filter(|((_, p), _)| *p == key(&name))
            .map(|(_, p)| format!("'{}'", p.node_name))
            .collect();
        ensure(users.is_empty(), || {
            ctx.problem(
                RC::FAIL_IN_USE,
                format!(
                    "Storage pool definition '{}' has still storage pools on node(s): {}.",
                    dfn.name,
                    users.join(", ")
                ),
            )
        })?;
        self.spds.remove(&key(&name));
        Ok(Outcome::one(ctx.success(
            RC::DELETED,
            format!("Storage pool definition '{}' deleted.", dfn.name),
            "Storage pool definition UUID was:",
            &dfn.uuid,
        ))
        .changed())
    }

    pub(crate) fn lst_stor_pool_dfn(&self) -> Outcome {
        let stor_pool_dfns = self
            .spds
            .values()
            .filter(|d| {
                !d.name
                    .eq_ignore_ascii_case(special::DFLT_DISKLESS_STOR_POOL)
            })
            .map(|d| WireDfn {
                uuid: Some(d.uuid.clone()),
                stor_pool_name: d.name.clone(),
                props: props_to_wire(&d.props),
            })
            .collect();
        Outcome::list(
            answers::LST_STOR_POOL_DFN,
            MsgLstStorPoolDfn { stor_pool_dfns },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::{
        body, cluster, codes, crt_pool, drbdpool_cluster, entry, is, ok, refused,
    };
    use linstor_proto::Request;

    fn crt(name: &str, props: Vec<linstor_proto::messages::LinStorMapEntry>) -> Request {
        Request::CrtStorPoolDfn(MsgCrtStorPoolDfn {
            stor_pool_dfn: WireDfn {
                stor_pool_name: name.into(),
                props,
                ..Default::default()
            },
        })
    }

    fn listed(m: &mut Model) -> Vec<String> {
        body!(m.apply(Request::LstStorPoolDfn), MsgLstStorPoolDfn)
            .stor_pool_dfns
            .iter()
            .map(|d| d.stor_pool_name.clone())
            .collect()
    }

    #[test]
    fn a_fresh_controller_lists_the_default_definition_with_its_fixed_uuid() {
        let mut m = Model::default();
        let list = body!(m.apply(Request::LstStorPoolDfn), MsgLstStorPoolDfn);
        let names: Vec<_> = list
            .stor_pool_dfns
            .iter()
            .map(|d| d.stor_pool_name.as_str())
            .collect();
        assert_eq!(names, ["DfltStorPool"], "the diskless default is hidden");
        assert_eq!(
            list.stor_pool_dfns[0].uuid.as_deref(),
            Some("f51611c6-528f-4793-a87a-866d09e6733a")
        );
    }

    #[test]
    fn a_definition_in_use_names_every_node_holding_a_pool() {
        let mut m = drbdpool_cluster(&["alpha", "bravo"]);
        let e = refused(
            &mut m,
            Request::DelStorPoolDfn(MsgDelStorPoolDfn {
                stor_pool_name: "drbdpool".into(),
                ..Default::default()
            }),
        );
        assert_eq!(
            e.message,
            "Storage pool definition 'drbdpool' has still storage pools on node(s): 'alpha', 'bravo'."
        );
    }

    #[test]
    fn create_list_modify_delete() {
        let mut m = Model::default();
        let out = ok(
            &mut m,
            crt("pool1", vec![entry("MaxOversubscriptionRatio", "10")]),
        );
        let e = out.entries().next().expect("entry");
        assert_eq!(
            (e.ret_code, e.message.as_str()),
            (0x0118_0001, "New storage pool definition 'pool1' created.")
        );
        assert_eq!(listed(&mut m), ["DfltStorPool", "pool1"]);
        let out = ok(
            &mut m,
            Request::ModStorPoolDfn(MsgModStorPoolDfn {
                stor_pool_name: "POOL1".into(),
                override_props: vec![entry("Aux/a", "1")],
                delete_prop_keys: vec!["MaxOversubscriptionRatio".into()],
                ..Default::default()
            }),
        );
        assert_eq!(out.entries().next().map(|e| e.ret_code), Some(0x0218_0003));
        assert_eq!(m.spds["POOL1"].props.keys().collect::<Vec<_>>(), ["Aux/a"]);
        let del = Request::DelStorPoolDfn(MsgDelStorPoolDfn {
            stor_pool_name: "pool1".into(),
            ..Default::default()
        });
        assert_eq!(
            ok(&mut m, del.clone()).entries().next().map(|e| e.ret_code),
            Some(0x0318_0002)
        );
        let e = refused(&mut m, del);
        assert_eq!(
            e.ret_code, 0xC000_0000_0318_0135,
            "missing is an error here"
        );
        assert_eq!(e.error_report_ids.len(), 1);
    }

    #[test]
    fn errors() {
        let mut m = cluster(&["alpha"]);
        let e = refused(&mut m, crt("ab", vec![]));
        assert!(is(&e, RC::FAIL_INVLD_STOR_POOL_NAME));
        let e = refused(&mut m, crt("dfltdisklessstorpool", vec![]));
        assert_eq!(
            e.message,
            "Storage pool definition 'dfltdisklessstorpool' already exists."
        );
        assert_eq!(
            RC(codes(&m.apply(crt("DfltDisklessStorPool", vec![])))[0]).code(),
            509
        );
        let e = refused(
            &mut m,
            crt("pool1", vec![entry("MaxOversubscriptionRatio", "100M")]),
        );
        assert_eq!(
            e.details.as_deref(),
            Some("The value must match '(1-1000)'\nStorage pool definition: pool1")
        );
        let e = refused(
            &mut m,
            Request::ModStorPoolDfn(MsgModStorPoolDfn {
                stor_pool_name: "nope".into(),
                ..Default::default()
            }),
        );
        assert!(is(&e, RC::FAIL_NOT_FOUND_STOR_POOL_DFN));
        ok(&mut m, crt_pool("alpha", "other", "LvmDriver"));
        let e = refused(
            &mut m,
            Request::DelStorPoolDfn(MsgDelStorPoolDfn {
                stor_pool_name: "other".into(),
                ..Default::default()
            }),
        );
        assert_eq!(
            e.message,
            "Storage pool definition 'other' has still storage pools on node(s): 'alpha'."
        );
    }
}
