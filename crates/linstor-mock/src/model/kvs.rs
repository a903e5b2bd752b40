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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::{body, codes, entry, ok, refused};
    use linstor_proto::Request;

    fn modify(instance: &str, set: &[(&str, &str)], delete: &[&str]) -> Request {
        Request::ModifyKvsProps(MsgModKvsProps {
            instance_name: instance.into(),
            override_props: set.iter().map(|(k, v)| entry(k, v)).collect(),
            delete_prop_keys: delete.iter().map(|k| (*k).into()).collect(),
        })
    }

    fn listed(m: &Model, instance: &str) -> Vec<(String, String)> {
        let out = m.lst_kvs_props(MsgLstKvsProps {
            instance_name: instance.into(),
        });
        match &out.immediate[0].bodies[0] {
            linstor_proto::Body::MsgRspKvsProps(l) => l
                .props
                .iter()
                .map(|e| (e.key.clone(), e.value.clone()))
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn set_list_delete() {
        let mut m = Model::default();
        let out = ok(&mut m, modify("kv", &[("/ns/a", "1"), ("/ns/b", "2")], &[]));
        assert_eq!(codes(&out), [0x0210_0003]);
        assert_eq!(
            listed(&m, "KV"),
            [("ns/a".into(), "1".into()), ("ns/b".into(), "2".into())],
            "keys without the leading /"
        );
        ok(&mut m, modify("kv", &[], &["/ns/b", "/absent"]));
        assert_eq!(listed(&m, "kv"), [("ns/a".into(), "1".into())]);
        assert!(listed(&m, "other").is_empty() && listed(&m, "1").is_empty());
    }

    #[test]
    fn keys_lose_the_leading_slash_and_instances_ignore_case() {
        let mut m = Model::default();
        let out = m.apply(modify("store", &[("/foo/bar/key", "val")], &["nope"]));
        assert_eq!(
            codes(&out),
            [0x0210_0003],
            "deleting an absent key is no error"
        );
        let out = m.apply(Request::LstKvsProps(MsgLstKvsProps {
            instance_name: "STORE".into(),
        }));
        assert_eq!(
            body!(out, MsgRspKvsProps).props,
            [entry("foo/bar/key", "val")]
        );
    }

    #[test]
    fn errors() {
        let mut m = Model::default();
        assert_eq!(
            codes(&m.apply(modify("1x", &[], &[]))),
            [0xC000_0000_0000_00DF]
        );
        let e = refused(&mut m, modify("1", &[("a", "1")], &[]));
        assert_eq!(
            (e.ret_code, e.message.as_str()),
            (0xC000_0000_0000_00DF, "Invalid KeyValueStore name used")
        );
        let e = refused(&mut m, modify("kv", &[("a", "1"), ("//", "2")], &[]));
        assert_eq!(
            (e.ret_code, e.message.as_str()),
            (0xC000_0000_0210_00D5, "Invalid key: '//'")
        );
        assert!(e.error_report_ids.is_empty());
        assert!(m.kvs.is_empty(), "all or nothing");
    }
}
