//! Controller-level calls: controller properties, shutdown, the crypt passphrase and error
//! reports (`docs/controller-rules.md#controller-properties`).

use linstor_proto::ReturnCode as RC;
use linstor_proto::calls::answers;
use linstor_proto::consts::{keys, names as special};
use linstor_proto::messages::{
    MsgApiCallResponse, MsgControlCtrl, MsgCrtCryptPassphrase, MsgDelCtrlCfgProp,
    MsgEnterCryptPassphrase, MsgLstCtrlCfgProps, MsgModCryptPassphrase, MsgReqErrorReport,
    MsgSetCtrlCfgProp,
};
use linstor_proto::return_code::{MASK_BITS_OP, Object, Operation};

use super::props::{PropError, RuleSet, clean_key};
use super::reply::{Answer, Ctx, Outcome, Problem, cfg_ctx, ensure};
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

    /// `SetCfgVal` answers refused properties in its own format: no context, no error report
    /// (`docs/controller-rules.md#controller-properties`).
    pub(crate) fn set_cfg_val(&mut self, msg: MsgSetCtrlCfgProp) -> Result<Outcome, Problem> {
        let full = match msg.namespace.as_deref() {
            Some(ns) if !ns.is_empty() => format!("{ns}/{}", msg.key),
            _ => msg.key.clone(),
        };
        let ctx = cfg_ctx(Operation::Create);
        let (stored_key, value) =
            RuleSet::Controller
                .check(&full, &msg.value)
                .map_err(|e| match e {
                    PropError::UnknownKey { key } | PropError::KeyTooLong { key } => {
                        Problem::bare(ctx.plain(
                            RC::FAIL_INVLD_PROP,
                            format!("The key '{key}' is not whitelisted"),
                        ))
                    }
                    PropError::BadValue { value, rule, .. } => {
                        let mut e = ctx.plain(
                            RC::FAIL_INVLD_PROP,
                            format!("The value '{value}' is not valid."),
                        );
                        e.details = Some(format!("The value must match: {rule}"));
                        Problem::bare(e)
                    }
                })?;
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
                // Quirk: the value is not stored, yet the error entry is followed by the
                // success entry.
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
                    entries.push(MsgApiCallResponse {
                        ret_code: code.0,
                        message: text,
                        ..Default::default()
                    });
                    entries.push(ctx.plain(
                        RC::CREATED,
                        format!("Successfully set property '{full}' to value '{value}'"),
                    ));
                    return Ok(Outcome::reply(entries));
                }
                None => {
                    let what = if tcp { "TCP port range" } else { "Minor range" };
                    entries.push(MsgApiCallResponse {
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
        Ok(Outcome::reply(entries).changed())
    }

    /// `DelCfgVal` always succeeds, an absent key included.
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

    /// `ControlCtrl`: the mock answers `Shutdown` and keeps serving.
    pub(crate) fn control_ctrl(&mut self, msg: MsgControlCtrl) -> Result<Outcome, Problem> {
        let command = msg.command.unwrap_or_default();
        ensure(command == special::CMD_SHUTDOWN, || {
            Problem::bare(MsgApiCallResponse {
                ret_code: RC::UNKNOWN_API_CALL.0,
                message: format!("API Controller command '{command}' is unknown."),
                ..Default::default()
            })
        })?;
        Ok(Outcome::one(MsgApiCallResponse {
            ret_code: 0,
            message: "Controller will shutdown now.".into(),
            ..Default::default()
        }))
    }

    // The crypt passphrase errors are not logged as error reports.

    pub(crate) fn crt_crypt_pass(
        &mut self,
        msg: MsgCrtCryptPassphrase,
    ) -> Result<Outcome, Problem> {
        let ctx = cfg_ctx(Operation::Create);
        ensure(self.passphrase.is_none(), || {
            ctx.problem(
                RC::FAIL_EXISTS_CRYPT_PASSPHRASE,
                "Coult not create new crypt passphrase as it already exists",
            )
            .unlogged()
        })?;
        self.passphrase = Some(msg.passphrase);
        Ok(Outcome::one(ctx.plain(RC::CREATED, "Crypt passphrase created.")).changed())
    }

    pub(crate) fn enter_crypt_pass(
        &mut self,
        msg: MsgEnterCryptPassphrase,
    ) -> Result<Outcome, Problem> {
        let Some(stored) = self.passphrase.as_deref() else {
            // No operation mask on this one.
            return Err(Ctx::new(Operation::Create, Object::ControllerConfig, "")
                .problem(RC::FAIL_MISSING_PROPS, "encrypted namespace is empty")
                .unlogged()
                .map_rc(|rc| rc & !MASK_BITS_OP));
        };
        ensure(stored == msg.passphrase, || {
            cfg_ctx(Operation::Modify)
                .problem(RC::FAIL_MISSING_PROPS, "Could not enter passphrase")
                .cause("Wrong passphrase")
                .unlogged()
        })?;
        Ok(Outcome::one(MsgApiCallResponse {
            ret_code: RC::PASSPHRASE_ACCEPTED.0 | Object::ControllerConfig.mask(),
            message: "Passphrase accepted".into(),
            ..Default::default()
        }))
    }

    pub(crate) fn mod_crypt_pass(
        &mut self,
        msg: MsgModCryptPassphrase,
    ) -> Result<Outcome, Problem> {
        let ctx = cfg_ctx(Operation::Modify);
        let Some(stored) = self.passphrase.as_deref() else {
            return Err(ctx
                .problem(RC::FAIL_EXISTS_CRYPT_PASSPHRASE, "No passphrase defined")
                .unlogged());
        };
        ensure(stored == msg.old_passphrase, || {
            ctx.problem(RC::FAIL_MISSING_PROPS, "Could not modify passphrase")
                .cause("Wrong passphrase")
                .unlogged()
        })?;
        self.passphrase = Some(msg.new_passphrase);
        Ok(Outcome::one(ctx.plain(RC::MODIFIED, "Crypt passphrase updated")).changed())
    }

    /// `ReqErrorReports`: the mock keeps no reports, so the answer is always empty.
    pub(crate) fn req_error_reports(&self, _msg: MsgReqErrorReport) -> Outcome {
        Outcome {
            immediate: vec![Answer {
                content: answers::LST_ERROR_REPORTS,
                bodies: vec![],
            }],
            ..Outcome::default()
        }
    }
}
