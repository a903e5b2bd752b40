//! Controller-level calls: controller properties, shutdown, crypt passphrase, key/value
//! stores, error reports, resource connections and DRBD proxy (semantics.md §11, §13-16).

use linstor_proto::ReturnCode as RC;
use linstor_proto::calls::answers;
use linstor_proto::consts::{keys, names as special};
use linstor_proto::messages::{
    MsgControlCtrl, MsgCrtCryptPassphrase, MsgDelCtrlCfgProp, MsgEnterCryptPassphrase,
    MsgLstCtrlCfgProps, MsgModCryptPassphrase, MsgReqErrorReport, MsgSetCtrlCfgProp,
};
use linstor_proto::return_code::{Object, Operation};

use super::props::{PropError, RuleSet, clean_key};
use super::reply::{Answer, Ctx, Outcome, cfg_ctx};
use super::state::{Model, props_to_wire};

impl Model {
    pub(crate) fn lst_cfg_val(&self) -> Outcome {
        Outcome::list(
            answers::LST_CFG_VAL,
            MsgLstCtrlCfgProps {
                props: props_to_wire(&self.ctrl_props),
            },
        )
    }

    pub(crate) fn set_cfg_val(&mut self, msg: MsgSetCtrlCfgProp) -> Outcome {
        let full = match msg.namespace.as_deref() {
            Some(ns) if !ns.is_empty() => format!("{ns}/{}", msg.key),
            _ => msg.key.clone(),
        };
        let ctx = cfg_ctx(Operation::Create);
        let (stored_key, value) = match RuleSet::Controller.check(&full, &msg.value) {
            Ok(kv) => kv,
            Err(PropError::UnknownKey { key }) | Err(PropError::KeyTooLong { key }) => {
                return Outcome::one(ctx.plain(
                    RC::FAIL_INVLD_PROP,
                    format!("The key '{key}' is not whitelisted"),
                ));
            }
            Err(PropError::BadValue { value, rule, .. }) => {
                let mut e = ctx.plain(
                    RC::FAIL_INVLD_PROP,
                    format!("The value '{value}' is not valid."),
                );
                e.details = Some(format!("The value must match: {rule}"));
                return Outcome::one(e);
            }
        };
        let mut entries = Vec::new();
        let range_check = |v: &str, max: i64, min: i64| {
            v.split_once('-')
                .map(|(a, b)| [a, b])
                .into_iter()
                .flatten()
                .find(|x| x.parse::<i64>().map_or(true, |n| n < min || n > max))
                .map(str::to_owned)
        };
        if stored_key == keys::TCP_PORT_AUTO_RANGE || stored_key == keys::MINOR_NR_AUTO_RANGE {
            let tcp = stored_key == keys::TCP_PORT_AUTO_RANGE;
            let bad = if tcp {
                range_check(&value, 65535, 1)
            } else {
                range_check(&value, i64::from(special::MINOR_MAX), 0)
            };
            match bad {
                Some(b) => {
                    let (code, text) = if tcp {
                        (
                            RC::FAIL_INVLD_TCP_PORT,
                            format!("The given tcp port number is not valid: '{b}'."),
                        )
                    } else {
                        (
                            RC::FAIL_INVLD_MINOR_NR,
                            format!("The given minor number is not valid: '{b}'."),
                        )
                    };
                    entries.push(linstor_proto::messages::MsgApiCallResponse {
                        ret_code: code.0,
                        message: text,
                        ..Default::default()
                    });
                    entries.push(ctx.plain(
                        RC::CREATED,
                        format!("Successfully set property '{full}' to value '{value}'"),
                    ));
                    return Outcome::reply(entries);
                }
                None => {
                    let what = if tcp { "TCP port range" } else { "Minor range" };
                    entries.push(linstor_proto::messages::MsgApiCallResponse {
                        ret_code: RC::MODIFIED.0,
                        message: format!("The {what} was successfully updated to: {value}"),
                        ..Default::default()
                    });
                }
            }
        }
        self.ctrl_props.insert(stored_key, value.clone());
        entries.push(ctx.plain(
            RC::CREATED,
            format!("Successfully set property '{full}' to value '{value}'"),
        ));
        Outcome::reply(entries).changed()
    }

    pub(crate) fn del_cfg_val(&mut self, msg: MsgDelCtrlCfgProp) -> Outcome {
        let full = match msg.namespace.as_deref() {
            Some(ns) if !ns.is_empty() => format!("{ns}/{}", msg.key),
            _ => msg.key.clone(),
        };
        self.ctrl_props.remove(&clean_key(&full));
        Outcome::one(cfg_ctx(Operation::Delete).plain(
            RC::DELETED,
            format!("Successfully deleted property '{full}'"),
        ))
        .changed()
    }

    pub(crate) fn control_ctrl(&mut self, msg: MsgControlCtrl) -> Outcome {
        let command = msg.command.unwrap_or_default();
        if command == special::CMD_SHUTDOWN {
            return Outcome::one(linstor_proto::messages::MsgApiCallResponse {
                ret_code: 0,
                message: "Controller will shutdown now.".into(),
                ..Default::default()
            });
        }
        Outcome::one(linstor_proto::messages::MsgApiCallResponse {
            ret_code: RC::UNKNOWN_API_CALL.0,
            message: format!("API Controller command '{command}' is unknown."),
            ..Default::default()
        })
    }

    pub(crate) fn crt_crypt_pass(&mut self, msg: MsgCrtCryptPassphrase) -> Outcome {
        let ctx = cfg_ctx(Operation::Create);
        if self.passphrase.is_some() {
            return Outcome::one(
                ctx.problem(
                    RC::FAIL_EXISTS_CRYPT_PASSPHRASE,
                    "Coult not create new crypt passphrase as it already exists",
                )
                .0,
            );
        }
        self.passphrase = Some(msg.passphrase);
        Outcome::one(ctx.plain(RC::CREATED, "Crypt passphrase created.")).changed()
    }

    pub(crate) fn enter_crypt_pass(&mut self, msg: MsgEnterCryptPassphrase) -> Outcome {
        match self.passphrase.as_deref() {
            None => Outcome::one(
                Ctx::new(Operation::Create, Object::ControllerConfig, "")
                    .problem(RC::FAIL_MISSING_PROPS, "encrypted namespace is empty")
                    .0,
            )
            .map_rc(|rc| rc & !linstor_proto::return_code::MASK_BITS_OP),
            Some(p) if p != msg.passphrase => Outcome::one(
                cfg_ctx(Operation::Modify)
                    .problem(RC::FAIL_MISSING_PROPS, "Could not enter passphrase")
                    .cause("Wrong passphrase")
                    .0,
            ),
            Some(_) => Outcome::one(linstor_proto::messages::MsgApiCallResponse {
                ret_code: RC::PASSPHRASE_ACCEPTED.0 | Object::ControllerConfig.mask(),
                message: "Passphrase accepted".into(),
                ..Default::default()
            }),
        }
    }

    pub(crate) fn mod_crypt_pass(&mut self, msg: MsgModCryptPassphrase) -> Outcome {
        let ctx = cfg_ctx(Operation::Modify);
        match self.passphrase.as_deref() {
            None => Outcome::one(
                ctx.problem(RC::FAIL_EXISTS_CRYPT_PASSPHRASE, "No passphrase defined")
                    .0,
            ),
            Some(p) if p != msg.old_passphrase => Outcome::one(
                ctx.problem(RC::FAIL_MISSING_PROPS, "Could not modify passphrase")
                    .cause("Wrong passphrase")
                    .0,
            ),
            Some(_) => {
                self.passphrase = Some(msg.new_passphrase);
                Outcome::one(ctx.plain(RC::MODIFIED, "Crypt passphrase updated")).changed()
            }
        }
    }

    pub(crate) fn req_error_reports(&mut self, _msg: MsgReqErrorReport) -> Outcome {
        Outcome {
            immediate: vec![Answer {
                content: answers::LST_ERROR_REPORTS,
                bodies: vec![],
            }],
            ..Outcome::default()
        }
    }
}

impl Outcome {
    /// Rewrites the ret_code of every immediate entry.
    fn map_rc(mut self, f: impl Fn(u64) -> u64) -> Outcome {
        for a in &mut self.immediate {
            for b in &mut a.bodies {
                if let linstor_proto::Body::MsgApiCallResponse(e) = b {
                    e.ret_code = f(e.ret_code);
                }
            }
        }
        self
    }
}
