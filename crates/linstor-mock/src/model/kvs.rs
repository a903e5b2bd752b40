//! Key/value stores (`docs/controller-rules.md#key-value-store`).

use linstor_proto::ReturnCode as RC;
use linstor_proto::calls::answers;
use linstor_proto::messages::{MsgLstKvsProps, MsgModKvsProps, MsgRspKvsProps};
use linstor_proto::return_code::Operation;

use super::names::{key, valid_kvs_name};
use super::props::clean_key;
use super::reply::{Outcome, cfg_ctx};
use super::state::{Model, props_to_wire};

impl Model {
    pub(crate) fn mod_kvs_props(&mut self, msg: MsgModKvsProps) -> Outcome {
        if !valid_kvs_name(&msg.instance_name) {
            return Outcome::one(linstor_proto::messages::MsgApiCallResponse {
                ret_code: RC::FAIL_INVLD_KVS_NAME.0,
                message: "Invalid KeyValueStore name used".into(),
                ..Default::default()
            });
        }
        let ctx = cfg_ctx(Operation::Modify);
        for e in &msg.override_props {
            let k = clean_key(&e.key);
            if k.is_empty() || e.key.len() > 256 {
                return Outcome::one(
                    ctx.problem(RC::FAIL_INVLD_PROP, format!("Invalid key: '{}'", e.key))
                        .0,
                );
            }
        }
        let store = self.kvs.entry(key(&msg.instance_name)).or_default();
        for e in msg.override_props {
            store.insert(clean_key(&e.key), e.value);
        }
        for k in &msg.delete_prop_keys {
            store.remove(&clean_key(k));
        }
        Outcome::one(ctx.plain(RC::MODIFIED, "Successfully updated properties")).changed()
    }

    pub(crate) fn lst_kvs_props(&mut self, msg: MsgLstKvsProps) -> Outcome {
        let props = self
            .kvs
            .get(&key(&msg.instance_name))
            .map(props_to_wire)
            .unwrap_or_default();
        Outcome::list(answers::LST_KVS_PROPS, MsgRspKvsProps { props })
    }
}
