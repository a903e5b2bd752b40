//! The command tree (clap derive) and its dispatch; one module per object family. Shared
//! argument groups: `set-property` arguments, list options, property tables.

pub mod controller;
pub mod misc;
pub mod node;
pub mod resource;
pub mod rsc_dfn;
pub mod snapshot;
pub mod storage;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use linstor_proto::consts::keys::NAMESPC_AUX;
use linstor_proto::messages::LinStorMapEntry;
use serde_json::{Value, json};

use crate::ctx::{Ctx, Globals};
use crate::exit;
use crate::table::{Table, col};

/// The `linstor` command line.
#[derive(Debug, Parser)]
#[command(
    name = "linstor",
    version,
    about = "LINSTOR command line (linstor-client 0.7.3 compatible)",
    propagate_version = true,
    subcommand_required = true,
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(flatten)]
    pub globals: Globals,
    #[command(subcommand)]
    pub command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Controller subcommands
    #[command(visible_alias = "c", subcommand)]
    Controller(controller::ControllerCmd),
    /// Node subcommands
    #[command(visible_alias = "n", subcommand)]
    Node(node::NodeCmd),
    /// Resource definition subcommands
    #[command(visible_alias = "rd", subcommand)]
    ResourceDefinition(rsc_dfn::RscDfnCmd),
    /// Volume definition subcommands
    #[command(visible_alias = "vd", subcommand)]
    VolumeDefinition(rsc_dfn::VlmDfnCmd),
    /// Resource subcommands
    #[command(visible_alias = "r", subcommand)]
    Resource(resource::ResourceCmd),
    /// Resource connection subcommands
    #[command(visible_alias = "rc", subcommand)]
    ResourceConnection(resource::RscConnCmd),
    /// Snapshot subcommands
    #[command(visible_alias = "s", subcommand)]
    Snapshot(snapshot::SnapshotCmd),
    /// DRBD proxy subcommands
    #[command(visible_alias = "proxy", subcommand)]
    DrbdProxy(resource::ProxyCmd),
    /// Storage pool definition subcommands
    #[command(visible_alias = "spd", subcommand)]
    StoragePoolDefinition(storage::SpdCmd),
    /// Storage pool subcommands
    #[command(visible_alias = "sp", subcommand)]
    StoragePool(storage::SpCmd),
    /// Encryption subcommands
    #[command(visible_alias = "e", subcommand)]
    Encryption(misc::EncryptionCmd),
    /// Error report subcommands
    #[command(visible_alias = "err", subcommand)]
    ErrorReports(misc::ErrorReportCmd),
    /// Print the events of a watch until the watch ends (all objects by default)
    CreateWatch(misc::WatchArgs),
    /// Key/value store subcommands (not in 0.7.3)
    #[command(visible_alias = "kv", subcommand)]
    KeyValueStore(misc::KvCmd),
    /// Follow resource and disk-state events readably until Ctrl-C (not in 0.7.3)
    Events(misc::WatchArgs),
    /// Print a shell completion script
    Completion {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) of linstor or of one command, e.g. `linstor man node`
    Man {
        /// Command path (empty: the top level)
        command: Vec<String>,
    },
}

/// Runs a command that needs a controller.
pub async fn run(ctx: &Ctx, command: Command) -> Result<i32> {
    match command {
        Command::Controller(c) => controller::run(ctx, c).await,
        Command::Node(c) => node::run(ctx, c).await,
        Command::ResourceDefinition(c) => rsc_dfn::run_rd(ctx, c).await,
        Command::VolumeDefinition(c) => rsc_dfn::run_vd(ctx, c).await,
        Command::Resource(c) => resource::run(ctx, c).await,
        Command::ResourceConnection(c) => resource::run_conn(ctx, c).await,
        Command::DrbdProxy(c) => resource::run_proxy(ctx, c).await,
        Command::Snapshot(c) => snapshot::run(ctx, c).await,
        Command::StoragePoolDefinition(c) => storage::run_spd(ctx, c).await,
        Command::StoragePool(c) => storage::run_sp(ctx, c).await,
        Command::Encryption(c) => misc::run_crypt(ctx, c).await,
        Command::ErrorReports(c) => misc::run_errors(ctx, c).await,
        Command::CreateWatch(a) => misc::create_watch(ctx, a).await,
        Command::Events(a) => misc::events(ctx, a).await,
        Command::KeyValueStore(c) => misc::run_kv(ctx, c).await,
        Command::Completion { .. } | Command::Man { .. } => Ok(exit::OK),
    }
}

/// `set-property` arguments: `[--aux] key [value]`; an empty value deletes the key.
#[derive(Debug, Clone, Args)]
pub struct PropArgs {
    /// The property is an auxiliary user property (Aux/ namespace)
    #[arg(long)]
    pub aux: bool,
    /// The property key
    pub key: String,
    /// The value; empty or absent deletes the property
    #[arg(default_value = "")]
    pub value: String,
}

impl PropArgs {
    /// (properties to set, keys to delete).
    pub fn changes(&self) -> (Vec<(String, String)>, Vec<String>) {
        let key = if self.aux {
            format!("{NAMESPC_AUX}/{}", self.key)
        } else {
            self.key.clone()
        };
        if self.value.is_empty() {
            (vec![], vec![key])
        } else {
            (vec![(key, self.value.clone())], vec![])
        }
    }
}

/// Options of list commands.
#[derive(Debug, Clone, Default, Args)]
pub struct ListOpts {
    /// Generate pastable output (no borders)
    #[arg(short, long)]
    pub pastable: bool,
    /// Sort by these columns
    #[arg(short, long, num_args = 1.., value_name = "COLUMN")]
    pub groupby: Vec<String>,
}

impl ListOpts {
    /// Applies the group-by (default: first column).
    pub fn apply(&self, table: &mut Table) {
        if self.groupby.is_empty() {
            table.group_by_first();
        } else {
            table.group_by(&self.groupby);
        }
    }
}

/// Prints an object's properties as a `Key`/`Value` table (or `[[{key, value}]]` with `-m`);
/// `None` means the object was not found (exit code 3, message on stderr).
pub fn print_props(
    ctx: &Ctx,
    what: &str,
    props: Option<&[LinStorMapEntry]>,
    pastable: bool,
) -> Result<i32> {
    let Some(props) = props else {
        eprintln!("Error: {what} not found on controller.");
        return Ok(exit::OBJECT_NOT_FOUND);
    };
    if ctx.json() {
        let list: Vec<Value> = props
            .iter()
            .map(|p| json!({"key": p.key, "value": p.value}))
            .collect();
        crate::json::print_value(&json!([list]))?;
        return Ok(exit::OK);
    }
    let mut table = Table::new(&[col("Key"), col("Value")]);
    for p in props {
        table.row(vec![p.key.clone().into(), p.value.clone().into()]);
    }
    ctx.show(&table, pastable);
    Ok(exit::OK)
}

/// Prints a list message as `-m` JSON (`[message]`).
pub fn print_list_json(body: linstor_proto::Body) -> Result<i32> {
    crate::json::print_value(&Value::Array(vec![crate::json::body_json(&body)?]))?;
    Ok(exit::OK)
}

/// Prints a list: as `-m` JSON, or else as the table that `table` makes of it (with
/// `pastable` from the command).
pub fn print_list<L: Into<linstor_proto::Body>>(
    ctx: &Ctx,
    list: L,
    table: impl FnOnce(&L) -> Table,
    pastable: bool,
) -> Result<i32> {
    if ctx.json() {
        return print_list_json(list.into());
    }
    ctx.show(&table(&list), pastable);
    Ok(exit::OK)
}
