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
use super::reply::{Ctx, Outcome, spd_ctx};
use super::state::{Model, Props, StorPoolDfn, props_to_wire};

impl Model {
    pub(crate) fn crt_stor_pool_dfn(&mut self, msg: MsgCrtStorPoolDfn) -> Outcome {
        let name = msg.stor_pool_dfn.stor_pool_name;
        let ctx = spd_ctx(Operation::Create, &name);
        if !valid_stor_pool_name(&name) {
            return self.fail_with_report(ctx.problem(
                RC::FAIL_INVLD_STOR_POOL_NAME,
                format!("The given storage pool name '{name}' is invalid."),
            ));
        }
        if self.spds.contains_key(&key(&name)) {
            return self.fail_with_report(ctx.problem(
                RC::FAIL_EXISTS_STOR_POOL_DFN,
                format!("Storage pool definition '{name}' already exists."),
            ));
        }
        let mut props = Props::new();
        if let Err(e) = modify_props(
            self,
            &ctx,
            RuleSet::StorPoolDfn,
            &mut props,
            &msg.stor_pool_dfn.props,
            &[],
        ) {
            return Outcome::one(e);
        }
        let uuid = self.uuid();
        self.spds.insert(
            key(&name),
            StorPoolDfn {
                uuid: uuid.clone(),
                name: name.clone(),
                props,
            },
        );
        Outcome::one(ctx.success(
            RC::CREATED,
            format!("New storage pool definition '{name}' created."),
            "Storage pool definition UUID is:",
            &uuid,
        ))
        .changed()
    }

    pub(crate) fn spd_not_found(&mut self, ctx: &Ctx, name: &str) -> Outcome {
        let e = self.not_found(
            ctx,
            RC::FAIL_NOT_FOUND_STOR_POOL_DFN,
            format!("Storage pool definition '{name}' not found."),
            format!(
                "The specified storage pool definition '{name}' could not be found in the database"
            ),
        );
        Outcome::one(e)
    }

    pub(crate) fn mod_stor_pool_dfn(&mut self, msg: MsgModStorPoolDfn) -> Outcome {
        let name = msg.stor_pool_name;
        let ctx = spd_ctx(Operation::Modify, &name);
        let Some(mut dfn) = self.spds.get(&key(&name)).cloned() else {
            return self.spd_not_found(&ctx, &name);
        };
        if let Err(e) = modify_props(
            self,
            &ctx,
            RuleSet::StorPoolDfn,
            &mut dfn.props,
            &msg.override_props,
            &msg.delete_prop_keys,
        ) {
            return Outcome::one(e);
        }
        let (uuid, display) = (dfn.uuid.clone(), dfn.name.clone());
        self.spds.insert(key(&name), dfn);
        Outcome::one(ctx.success(
            RC::MODIFIED,
            format!("Storage pool definition '{display}' modified."),
            "Storage pool definition UUID is:",
            &uuid,
        ))
        .changed()
    }

    pub(crate) fn del_stor_pool_dfn(&mut self, msg: MsgDelStorPoolDfn) -> Outcome {
        let name = msg.stor_pool_name;
        let ctx = spd_ctx(Operation::Delete, &name);
        let Some(dfn) = self.spds.get(&key(&name)).cloned() else {
            return self.spd_not_found(&ctx, &name);
        };
        let users: Vec<String> = self
            .pools
            .iter()
            .filter(|((_, p), _)| *p == key(&name))
            .map(|(_, p)| format!("'{}'", p.node_name))
            .collect();
        if !users.is_empty() {
            return self.fail_with_report(ctx.problem(
                RC::FAIL_IN_USE,
                format!(
                    "Storage pool definition '{}' has still storage pools on node(s): {}.",
                    dfn.name,
                    users.join(", ")
                ),
            ));
        }
        self.spds.remove(&key(&name));
        Outcome::one(ctx.success(
            RC::DELETED,
            format!("Storage pool definition '{}' deleted.", dfn.name),
            "Storage pool definition UUID was:",
            &dfn.uuid,
        ))
        .changed()
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
