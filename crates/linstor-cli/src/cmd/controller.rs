//! `controller`: list-properties, set-property, drbd-options, shutdown, version.

use anyhow::Result;
use clap::Subcommand;
use linstor_client::requests::{ControllerDelProp, ControllerSetProp, ControllerShutdown};

use super::{PropArgs, print_props};
use crate::ctx::Ctx;
use crate::drbd;
use crate::exit;

/// `controller` subcommands.
#[derive(Debug, Subcommand)]
pub enum ControllerCmd {
    /// Prints the controller's configuration properties
    #[command(visible_alias = "lp")]
    ListProperties {
        /// Generate pastable output
        #[arg(short, long)]
        pastable: bool,
    },
    /// Sets a controller configuration property; an empty value deletes it
    #[command(visible_alias = "sp")]
    SetProperty {
        #[command(flatten)]
        prop: PropArgs,
    },
    /// Sets controller-wide DRBD options
    #[command(visible_alias = "opt", after_help = drbd::help(drbd::ALL))]
    DrbdOptions {
        /// --<option> <value> / --unset-<option>
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        options: Vec<String>,
    },
    /// Shuts the controller down
    #[command(visible_alias = "off")]
    Shutdown,
    /// Prints the controller's version
    #[command(visible_alias = "v")]
    Version,
}

/// Runs a `controller` subcommand.
pub async fn run(ctx: &Ctx, cmd: ControllerCmd) -> Result<i32> {
    let c = &ctx.client;
    match cmd {
        ControllerCmd::ListProperties { pastable } => {
            let list = ctx.listed(c.controller_props().await)?;
            print_props(ctx, "Controller", Some(&list.props), pastable)
        }
        ControllerCmd::SetProperty { prop } => set_props(ctx, prop.changes()).await,
        ControllerCmd::DrbdOptions { options } => {
            set_props(ctx, drbd::parse(&options, drbd::ALL).map_err(exit::usage)?).await
        }
        ControllerCmd::Shutdown => ctx.replies(&c.controller_shutdown(&ControllerShutdown).await?),
        ControllerCmd::Version => {
            let info = c.controller_info().unwrap_or("");
            let fields: Vec<&str> = info.split(',').collect();
            if ctx.json() {
                crate::json::print_value(&serde_json::json!([{
                    "controller_info": info,
                    "version": fields.get(2),
                    "git_hash": fields.get(3),
                }]))?;
                return Ok(exit::OK);
            }
            match (fields.get(2), fields.get(3)) {
                (Some(version), Some(hash)) => {
                    say!("linstor controller {version}; GIT-hash: {hash}");
                    Ok(exit::OK)
                }
                _ => {
                    eprintln!("Error: unexpected controller info '{info}'");
                    Ok(exit::UNKNOWN_ERROR)
                }
            }
        }
    }
}

/// Sets the controller properties of `set` and deletes those of `delete`, one call each;
/// their answers printed together.
async fn set_props(ctx: &Ctx, (set, delete): drbd::Changes) -> Result<i32> {
    let c = &ctx.client;
    let mut all = Vec::new();
    for (key, value) in set {
        all.push(
            c.controller_set_prop(&ControllerSetProp { key, value })
                .await?,
        );
    }
    for key in delete {
        all.push(c.controller_del_prop(&ControllerDelProp { key }).await?);
    }
    ctx.replies_of(all)
}
