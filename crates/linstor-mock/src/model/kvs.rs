//! Key/value stores (`docs/controller-rules.md#key-value-store`).

use linstor_proto::ReturnCode as RC;
use linstor_proto::calls::answers;
use linstor_proto::messages::{MsgApiCallResponse, MsgLstKvsProps, MsgModKvsProps, MsgRspKvsProps};
use linstor_proto::return_code::Operation;

use super::names::{key, valid_kvs_name};
use super::props::clean_key;
use super::reply::{Outcome, Problem, cfg_ctx, ensure};
use super::state::{Model, props_to_wire};

impl Model {
    /// `ModifyKvsProps`: no whitelist; the store is created on first use. Its errors are not
    /// logged as error reports.
    pub(crate) fn mod_kvs_props(&mut self, msg: MsgModKvsProps) -> Result<Outcome, Problem> {
        ensure(valid_kvs_name(&msg.instance_name), || {
            Problem::bare(MsgApiCallResponse {
                ret_code: RC::FAIL_INVLD_KVS_NAME.0,
                message: "Invalid KeyValueStore name used".into(),
                ..Default::default()
            })
        })?;
        let ctx = cfg_ctx(Operation::Modify);
        if let Some(bad) = msg
            .override_props
            .iter()
            .find(|e| clean_key(&e.key).is_empty() || e.key.len() > 256)
        {
            return Err(ctx
                .problem(RC::FAIL_INVLD_PROP, format!("Invalid key: '{}'", bad.key))
                .unlogged());
        }
        let store = self.kvs.entry(key(&msg.instance_name)).or_default();
        for e in msg.override_props {
            store.insert(clean_key(&e.key), e.value);
        }
        for k in &msg.delete_prop_keys {
            store.remove(&clean_key(k));
        }
        Ok(Outcome::one(ctx.plain(RC::MODIFIED, "Successfully updated properties")).changed())
    }

    /// `LstKvsProps`: an unknown or invalid store lists nothing.
    pub(crate) fn lst_kvs_props(&self, msg: MsgLstKvsProps) -> Outcome {
        let props = self
            .kvs
            .get(&key(&msg.instance_name))
            .map(props_to_wire)
            .unwrap_or_default();
        Outcome::list(answers::LST_KVS_PROPS, MsgRspKvsProps { props })
    }
}
