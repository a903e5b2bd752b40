//! `snapshot`: create, delete, rollback, list, volume-definition restore, resource restore.

use anyhow::Result;
use clap::{Args, Subcommand};
use linstor_client::requests::{SnapshotCreate, SnapshotResourceRestore};
use linstor_proto::consts::flags;
use linstor_proto::messages::{
    MsgDelSnapshot, MsgLstSnapshotDfn, MsgRestoreSnapshotVlmDfn, MsgRollbackSnapshot,
};

use super::node::eoia;
use super::resource::wait_with_progress;
use super::{ListOpts, print_list};
use crate::ctx::Ctx;
use crate::exit;
use crate::size::approximate;
use crate::table::{Column, Table, Text, Tint, col, state};

/// The columns of `snapshot list`.
pub const SNAPSHOT_COLUMNS: &[Column] = &[
    col("ResourceName"),
    col("SnapshotName"),
    col("NodeNames"),
    col("Volumes"),
    state("State", false),
];

/// `snapshot` subcommands.
#[derive(Debug, Subcommand)]
pub enum SnapshotCmd {
    /// Creates a snapshot of a resource (on all its diskful nodes unless nodes are given)
    #[command(visible_alias = "c")]
    Create {
        /// Do not wait for the satellites before returning
        #[arg(long = "async")]
        async_: bool,
        /// Node names (optional), the resource definition name and the snapshot name
        #[arg(num_args = 2.., required = true, value_name = "NODE_NAME... RESOURCE_DEFINITION_NAME SNAPSHOT_NAME")]
        names: Vec<String>,
    },
    /// Deletes a snapshot
    #[command(visible_alias = "d")]
    Delete {
        /// Resource definition name
        resource_definition_name: String,
        /// Snapshot name
        snapshot_name: String,
    },
    /// Rolls a resource back to a snapshot
    #[command(visible_alias = "rb")]
    Rollback {
        /// Resource name
        resource_name: String,
        /// Snapshot name
        snapshot_name: String,
    },
    /// Prints a list of all snapshots
    #[command(visible_aliases = ["l", "ls"])]
    List {
        #[command(flatten)]
        opts: ListOpts,
    },
    /// Volume definition restore subcommands
    #[command(visible_alias = "vd", subcommand)]
    VolumeDefinition(RestoreVd),
    /// Resource restore subcommands
    #[command(visible_alias = "r", subcommand)]
    Resource(RestoreRsc),
}

/// The source and target of a restore.
#[derive(Debug, Args)]
pub struct RestoreFrom {
    /// Resource of the snapshot
    #[arg(long = "from-resource", visible_alias = "fr")]
    from_resource: String,
    /// The snapshot
    #[arg(long = "from-snapshot", visible_alias = "fs")]
    from_snapshot: String,
    /// The resource to restore into
    #[arg(long = "to-resource", visible_alias = "tr")]
    to_resource: String,
}

/// `snapshot volume-definition` subcommands.
#[derive(Debug, Subcommand)]
pub enum RestoreVd {
    /// Restores the volume definitions of a snapshot into a new resource definition
    #[command(visible_alias = "rst")]
    Restore(RestoreFrom),
}

/// `snapshot resource` subcommands.
#[derive(Debug, Subcommand)]
pub enum RestoreRsc {
    /// Restores a snapshot onto nodes of a new resource (all nodes of the snapshot by default)
    #[command(visible_alias = "rst")]
    Restore {
        #[command(flatten)]
        from: RestoreFrom,
        /// Nodes to restore on
        node_name: Vec<String>,
    },
}

fn snapshot_state(flags_: &[String]) -> Text {
    let has = |f: &str| flags_.iter().any(|x| x == f);
    if has(flags::DELETE) {
        Text::tinted("DELETING", Tint::Red)
    } else if has(flags::FAILED_DEPLOYMENT) {
        Text::tinted("Failed", Tint::Red)
    } else if has(flags::FAILED_DISCONNECT) {
        Text::tinted("Satellite disconnected", Tint::Red)
    } else if has(flags::SUCCESSFUL) {
        Text::tinted("Successful", Tint::Green)
    } else {
        Text::tinted("Incomplete", Tint::Blue)
    }
}

/// The snapshot table.
pub fn snapshot_table(list: &MsgLstSnapshotDfn, opts: &ListOpts) -> Table {
    let mut table = Table::new(SNAPSHOT_COLUMNS);
    opts.apply(&mut table);
    for s in &list.snapshot_dfns {
        let nodes: Vec<&str> = s.snapshots.iter().map(|n| n.node_name.as_str()).collect();
        let volumes: Vec<String> = s
            .snapshot_vlm_dfns
            .iter()
            .map(|v| {
                format!(
                    "{}: {}",
                    v.vlm_nr.unwrap_or(0),
                    approximate(u64::try_from(v.vlm_size).unwrap_or(0))
                )
            })
            .collect();
        table.row(vec![
            s.rsc_name.clone().into(),
            s.snapshot_name.clone().into(),
            nodes.join(", ").into(),
            volumes.join(", ").into(),
            snapshot_state(&s.snapshot_dfn_flags),
        ]);
    }
    table
}

/// Runs a `snapshot` subcommand.
pub async fn run(ctx: &Ctx, cmd: SnapshotCmd) -> Result<i32> {
    let c = &ctx.client;
    match cmd {
        SnapshotCmd::Create { async_, mut names } => {
            let (Some(snapshot_name), Some(rsc_name)) = (names.pop(), names.pop()) else {
                return Err(exit::usage("a resource and a snapshot name are required"));
            };
            let req = SnapshotCreate {
                node_names: names,
                rsc_name,
                snapshot_name,
            };
            let answers = if async_ {
                c.call_with(&req, eoia()).await?
            } else {
                wait_with_progress(ctx, c.snapshot_create(&req)).await?
            };
            ctx.replies(&answers)
        }
        SnapshotCmd::Delete {
            resource_definition_name,
            snapshot_name,
        } => {
            let body = MsgDelSnapshot {
                rsc_name: resource_definition_name,
                snapshot_name,
                ..Default::default()
            };
            ctx.replies(&c.snapshot_delete(body).await?)
        }
        SnapshotCmd::Rollback {
            resource_name,
            snapshot_name,
        } => {
            let body = MsgRollbackSnapshot {
                rsc_name: resource_name,
                snapshot_name,
                ..Default::default()
            };
            ctx.replies(&c.snapshot_rollback(body).await?)
        }
        SnapshotCmd::List { opts } => print_list(
            ctx,
            ctx.listed(c.snapshot_dfn_list().await)?,
            |list| snapshot_table(list, &opts),
            opts.pastable,
        ),
        SnapshotCmd::VolumeDefinition(RestoreVd::Restore(f)) => {
            let body = MsgRestoreSnapshotVlmDfn {
                from_resource_name: f.from_resource,
                from_snapshot_name: f.from_snapshot,
                to_resource_name: f.to_resource,
            };
            ctx.replies(&c.snapshot_volume_definition_restore(body).await?)
        }
        SnapshotCmd::Resource(RestoreRsc::Restore { from, node_name }) => {
            let req = SnapshotResourceRestore {
                node_names: node_name,
                from_resource: from.from_resource,
                from_snapshot: from.from_snapshot,
                to_resource: from.to_resource,
            };
            ctx.replies(&c.snapshot_resource_restore(&req).await?)
        }
    }
}
