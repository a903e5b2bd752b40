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
