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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::{body, codes, crt_rsc_dfn, ok, refused};
    use linstor_proto::Request;

    fn set(key: &str, value: &str) -> Request {
        Request::SetCfgVal(MsgSetCtrlCfgProp {
            key: key.into(),
            value: value.into(),
            namespace: None,
        })
    }

    fn listed(m: &Model) -> Vec<(String, String)> {
        match &m.lst_cfg_val().immediate[0].bodies[0] {
            linstor_proto::Body::MsgLstCtrlCfgProps(l) => l
                .props
                .iter()
                .map(|e| (e.key.clone(), e.value.clone()))
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn properties_set_list_delete() {
        let mut m = Model::default();
        assert_eq!(listed(&m).len(), 27, "the fresh connector configuration");
        assert!(listed(&m).contains(&("netcom/PlainConnector/port".into(), "3376".into())));
        let out = ok(
            &mut m,
            Request::SetCfgVal(MsgSetCtrlCfgProp {
                key: "allow-two-primaries".into(),
                value: "YES".into(),
                namespace: Some("DrbdOptions/Net".into()),
            }),
        );
        let e = out.entries().next().expect("entry");
        assert_eq!(
            (e.ret_code, e.message.as_str()),
            (
                0x0110_0001,
                "Successfully set property 'DrbdOptions/Net/allow-two-primaries' to value 'yes'"
            )
        );
        assert!(listed(&m).contains(&("DrbdOptions/Net/allow-two-primaries".into(), "yes".into())));
        let out = ok(
            &mut m,
            Request::DelCfgVal(MsgDelCtrlCfgProp {
                key: "DrbdOptions/Net/allow-two-primaries".into(),
                namespace: None,
            }),
        );
        assert_eq!(codes(&out), [0x0310_0002]);
        assert_eq!(listed(&m).len(), 27);
        let absent = Request::DelCfgVal(MsgDelCtrlCfgProp {
            key: "absent".into(),
            namespace: None,
        });
        assert_eq!(
            codes(&m.apply(absent)),
            [0x0310_0002],
            "absent: success too"
        );
    }

    #[test]
    fn a_new_tcp_port_range_is_used_for_allocation() {
        let mut m = Model::default();
        assert_eq!(
            codes(&m.apply(set("TcpPortAutoRange", "9000-9100"))),
            [3, 0x0110_0001]
        );
        ok(&mut m, crt_rsc_dfn("r1"));
        let dfns = body!(m.apply(Request::LstRscDfn), MsgLstRscDfn);
        assert_eq!(
            dfns.rsc_dfns[0].rsc_dfn_port,
            Some(9000),
            "allocation uses the new range"
        );
    }

    #[test]
    fn refused_properties_and_ranges() {
        let mut m = Model::default();
        let e = refused(&mut m, set("Foo", "1"));
        assert_eq!(
            (e.ret_code, e.message.as_str()),
            (0xC000_0000_0110_00D5, "The key 'Foo' is not whitelisted")
        );
        assert!(e.error_report_ids.is_empty() && e.cause.is_none());
        let e = refused(&mut m, set("GlobSeqApiCalls", "maybe"));
        assert_eq!(e.message, "The value 'maybe' is not valid.");
        assert_eq!(
            e.details.as_deref(),
            Some("The value must match: (?i)(?:true|false|yes|no)")
        );
        let out = ok(&mut m, set("TcpPortAutoRange", "7000-7001"));
        assert_eq!(codes(&out), [0x3, 0x0110_0001]);
        assert_eq!(m.ctrl_props["TcpPortAutoRange"], "7000-7001");
        // Quirk: an invalid end is refused, not stored, and still followed by the success.
        let out = m.apply(set("TcpPortAutoRange", "0-7999"));
        assert_eq!(codes(&out), [0xC000_0000_0000_00D7, 0x0110_0001]);
        assert!(!out.changed);
        assert_eq!(m.ctrl_props["TcpPortAutoRange"], "7000-7001");
        assert_eq!(
            codes(&m.apply(set("TcpPortAutoRange", "0-10"))),
            [RC::FAIL_INVLD_TCP_PORT.0, 0x0110_0001],
            "error entry, then success (quirk)"
        );
    }

    #[test]
    fn shutdown_and_unknown_commands() {
        let mut m = Model::default();
        let command = |c: &str| {
            Request::ControlCtrl(MsgControlCtrl {
                command: Some(c.into()),
            })
        };
        let out = ok(&mut m, command("Shutdown"));
        assert_eq!(
            out.entries()
                .map(|e| (e.ret_code, e.message.as_str()))
                .collect::<Vec<_>>(),
            [(0, "Controller will shutdown now.")]
        );
        let e = refused(&mut m, command("Dance"));
        assert_eq!(e.ret_code, RC::UNKNOWN_API_CALL.0);
        assert_eq!(e.message, "API Controller command 'Dance' is unknown.");
    }

    #[test]
    fn crypt_passphrase() {
        let mut m = Model::default();
        let enter = |p: &str| {
            Request::EnterCryptPass(MsgEnterCryptPassphrase {
                passphrase: p.into(),
            })
        };
        let modify = |old: &str, new: &str| {
            Request::ModCryptPass(MsgModCryptPassphrase {
                old_passphrase: old.into(),
                new_passphrase: new.into(),
            })
        };
        let e = refused(&mut m, enter("x"));
        assert_eq!(e.ret_code, 0xC000_0000_0010_0258, "no operation mask");
        assert!(e.error_report_ids.is_empty());
        assert_eq!(
            refused(&mut m, modify("x", "y")).ret_code,
            0xC000_0000_0210_0200
        );
        let create = Request::CrtCryptPass(MsgCrtCryptPassphrase {
            passphrase: "pw".into(),
        });
        assert_eq!(codes(&ok(&mut m, create.clone())), [0x0110_0001]);
        let e = refused(&mut m, create);
        assert_eq!(
            e.message,
            "Coult not create new crypt passphrase as it already exists"
        );
        let e = refused(&mut m, enter("wrong"));
        assert_eq!(
            (e.ret_code, e.cause.as_deref()),
            (0xC000_0000_0210_0258, Some("Wrong passphrase"))
        );
        assert_eq!(codes(&ok(&mut m, enter("pw"))), [0x0010_0004]);
        assert!(
            refused(&mut m, modify("wrong", "new"))
                .error_report_ids
                .is_empty()
        );
        assert_eq!(codes(&ok(&mut m, modify("pw", "new"))), [0x0210_0003]);
        assert_eq!(m.passphrase.as_deref(), Some("new"));
    }

    #[test]
    fn error_reports_are_always_empty() {
        let mut m = Model::default();
        let out = ok(
            &mut m,
            Request::ReqErrorReports(MsgReqErrorReport::default()),
        );
        assert_eq!(out.immediate[0].content, answers::LST_ERROR_REPORTS);
        assert!(out.immediate[0].bodies.is_empty());
    }
}
