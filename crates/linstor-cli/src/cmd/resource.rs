//! `resource` (create with auto-place, delete, list, list-volumes, list-properties,
//! set-property, drbd-peer-options, toggle-disk), `resource-connection` (list,
//! list-properties, set-property, drbd-options, path) and `drbd-proxy` (enable, disable,
//! options, compression).

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use linstor_client::Answers;
use linstor_client::requests::{
    DrbdProxyModify, ListFilter, PlacementFilter, ResourceAutoPlace, ResourceConnModify,
    ResourceCreate, ResourceData, ResourceModify,
};
use linstor_proto::Request;
use linstor_proto::consts::{flags, keys::NAMESPC_AUX};
use linstor_proto::messages::{
    MsgDelRsc, MsgDisableDrbdProxy, MsgEnableDrbdProxy, MsgLstRsc, MsgLstRscConn, MsgReqRscConn,
    MsgToggleDisk, RscState, VlmState,
};

use super::node::eoia;
use super::{ListOpts, PropArgs, print_list, print_list_json, print_props};
use crate::ctx::Ctx;
use crate::drbd::{self, Section};
use crate::exit;
use crate::size::approximate;
use crate::table::{Column, Table, Text, Tint, col, state};

/// The columns of `resource list`.
pub const RSC_COLUMNS: &[Column] = &[
    col("ResourceName"),
    col("Node"),
    col("Port"),
    state("Usage", false),
    state("State", true),
];
/// The columns of `resource list-volumes`.
pub const VLM_COLUMNS: &[Column] = &[
    col("Node"),
    col("Resource"),
    col("StoragePool"),
    col("VolumeNr"),
    col("MinorNr"),
    col("DeviceName"),
    col("Allocated"),
    state("InUse", false),
    state("State", true),
];
/// The columns of `resource-connection list`.
pub const CONN_COLUMNS: &[Column] = &[col("Source"), col("Target"), col("Properties"), col("Port")];

/// `resource` subcommands.
#[derive(Debug, Subcommand)]
pub enum ResourceCmd {
    /// Deploys a resource definition to nodes (or auto-places it)
    #[command(visible_alias = "c")]
    Create(CreateArgs),
    /// Removes a resource from nodes
    #[command(visible_alias = "d")]
    Delete {
        /// Do not wait for the satellites before returning
        #[arg(long = "async")]
        async_: bool,
        /// Node names, then the resource name
        #[arg(num_args = 2.., required = true, value_name = "NODE_NAME... NAME")]
        names: Vec<String>,
    },
    /// Prints a list of all resources
    #[command(visible_aliases = ["l", "ls"])]
    List {
        #[command(flatten)]
        opts: ListOpts,
        /// Filter by list of resources
        #[arg(short, long, num_args = 1..)]
        resources: Vec<String>,
        /// Filter by list of nodes
        #[arg(short, long, num_args = 1..)]
        nodes: Vec<String>,
    },
    /// Prints a list of all volumes
    #[command(visible_alias = "lv")]
    ListVolumes {
        /// Generate pastable output
        #[arg(short, long)]
        pastable: bool,
        /// Filter by list of nodes
        #[arg(short, long, num_args = 1..)]
        nodes: Vec<String>,
        /// Filter by list of storage pools
        #[arg(short, long, num_args = 1..)]
        storpools: Vec<String>,
        /// Filter by list of resources
        #[arg(short, long, num_args = 1..)]
        resources: Vec<String>,
    },
    /// Prints all properties of the given resource
    #[command(visible_alias = "lp")]
    ListProperties {
        /// Generate pastable output
        #[arg(short, long)]
        pastable: bool,
        /// Node name where the resource is deployed
        node_name: String,
        /// Resource name
        resource_name: String,
    },
    /// Sets a property of the given resource on the given node
    #[command(visible_alias = "sp")]
    SetProperty {
        /// Node name where the resource is deployed
        node_name: String,
        /// Resource name
        name: String,
        #[command(flatten)]
        prop: PropArgs,
    },
    /// Sets DRBD peer-device options of a resource connection
    #[command(visible_alias = "dpo", after_help = drbd::help(&[Section::PeerDevice]))]
    DrbdPeerOptions {
        /// First node of the connection
        node_a: String,
        /// Second node of the connection
        node_b: String,
        /// Resource name
        resource_name: String,
        /// --<option> <value> / --unset-<option>
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        options: Vec<String>,
    },
    /// Toggles a resource between diskless and having disks
    #[command(visible_alias = "td")]
    ToggleDisk(ToggleArgs),
}

/// `resource create` arguments.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Storage pool name to use
    #[arg(short, long)]
    storage_pool: Option<String>,
    /// The resource is diskless
    #[arg(short, long)]
    diskless: bool,
    /// Override the automatic selection of the DRBD node id
    #[arg(long)]
    node_id: Option<i32>,
    /// Do not wait for deployment on the satellites before returning
    #[arg(long = "async")]
    async_: bool,
    /// Auto-place the resource on this many nodes
    #[arg(long, value_name = "REPLICA_COUNT")]
    auto_place: Option<u32>,
    /// Try to avoid nodes that already have these resources
    #[arg(long, num_args = 1.., value_name = "RESOURCE_NAME")]
    do_not_place_with: Vec<String>,
    /// Try to avoid nodes with a resource whose name matches this regular expression
    #[arg(long, value_name = "RESOURCE_REGEX")]
    do_not_place_with_regex: Option<String>,
    /// Place replicas on nodes with the same value of these auxiliary node properties
    #[arg(long, num_args = 1.., value_name = "AUX_NODE_PROPERTY")]
    replicas_on_same: Vec<String>,
    /// Place replicas on nodes with different values of these auxiliary node properties
    #[arg(long, num_args = 1.., value_name = "AUX_NODE_PROPERTY")]
    replicas_on_different: Vec<String>,
    /// Add a diskless resource on every node without a replica
    #[arg(long)]
    diskless_on_remaining: bool,
    /// Node names (none with --auto-place), then the resource definition name
    #[arg(required = true, value_name = "NODE_NAME... RESOURCE_DEFINITION_NAME")]
    names: Vec<String>,
}

/// `resource toggle-disk` arguments.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["storage_pool", "default_storage_pool", "diskless"])))]
pub struct ToggleArgs {
    /// Add disks to a diskless resource using this storage pool
    #[arg(short, long)]
    storage_pool: Option<String>,
    /// Add disks using the storage pools of the volumes' properties
    #[arg(long, visible_alias = "dflt")]
    default_storage_pool: bool,
    /// Remove the disks from a resource
    #[arg(short, long)]
    diskless: bool,
    /// Do not wait for the satellites before returning
    #[arg(long = "async")]
    async_: bool,
    /// Node whose resource is deleted once the new disk is in sync
    #[arg(long, value_name = "MIGRATION_SOURCE", conflicts_with = "diskless")]
    migrate_from: Option<String>,
    /// Node name where the resource is deployed
    node_name: String,
    /// Resource name
    name: String,
}

/// `resource-connection` subcommands.
#[derive(Debug, Subcommand)]
pub enum RscConnCmd {
    /// Prints the resource connections of a resource
    #[command(visible_aliases = ["l", "ls"])]
    List {
        #[command(flatten)]
        opts: ListOpts,
        /// Resource name
        resource_name: String,
    },
    /// Prints all properties of a resource connection
    #[command(visible_alias = "lp")]
    ListProperties {
        /// Generate pastable output
        #[arg(short, long)]
        pastable: bool,
        /// Source node of the connection
        node_name_a: String,
        /// Target node of the connection
        node_name_b: String,
        /// Resource name
        resource_name: String,
    },
    /// Sets a property of a resource connection
    #[command(visible_alias = "sp")]
    SetProperty {
        /// Source node of the connection
        node_name_a: String,
        /// Target node of the connection
        node_name_b: String,
        /// Resource name
        resource_name: String,
        #[command(flatten)]
        prop: PropArgs,
    },
    /// Sets DRBD net and peer-device options of a resource connection
    #[command(visible_aliases = ["opt", "drbd-peer-options", "dpo"], after_help = drbd::help(&[Section::Net, Section::PeerDevice]))]
    DrbdOptions {
        /// First node of the connection
        node_a: String,
        /// Second node of the connection
        node_b: String,
        /// Resource name
        resource_name: String,
        /// --<option> <value> / --unset-<option>
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        options: Vec<String>,
    },
    /// Network paths of a resource connection (properties Paths/<path>/<node>)
    #[command(subcommand)]
    Path(PathCmd),
}

/// `resource-connection path` subcommands.
#[derive(Debug, Subcommand)]
pub enum PathCmd {
    /// Creates a path between two network interfaces
    #[command(visible_alias = "c")]
    Create {
        /// First node
        node_a: String,
        /// Second node
        node_b: String,
        /// Resource name
        resource_name: String,
        /// Path name
        path_name: String,
        /// Network interface on the first node
        netinterface_a: String,
        /// Network interface on the second node
        netinterface_b: String,
    },
    /// Deletes a path
    #[command(visible_alias = "d")]
    Delete {
        /// First node
        node_a: String,
        /// Second node
        node_b: String,
        /// Resource name
        resource_name: String,
        /// Path name
        path_name: String,
    },
    /// Lists the paths of a resource connection
    #[command(visible_aliases = ["l", "ls"])]
    List {
        /// Generate pastable output
        #[arg(short, long)]
        pastable: bool,
        /// First node
        node_a: String,
        /// Second node
        node_b: String,
        /// Resource name
        resource_name: String,
    },
}

/// The DRBD proxy options (`DrbdOptions/Proxy/...`).
const PROXY_OPTIONS: &[&str] = &[
    "memlimit",
    "read-loops",
    "sndbuf-size",
    "rcvbuf-size",
    "ping-timeout",
];

/// `drbd-proxy` subcommands.
#[derive(Debug, Subcommand)]
pub enum ProxyCmd {
    /// Enables DRBD proxy on a resource connection
    #[command(visible_alias = "e")]
    Enable {
        /// Proxy port
        #[arg(short, long)]
        port: Option<i32>,
        /// First node
        node_name_a: String,
        /// Second node
        node_name_b: String,
        /// Resource name
        resource_name: String,
    },
    /// Disables DRBD proxy on a resource connection
    #[command(visible_alias = "d")]
    Disable {
        /// First node
        node_name_a: String,
        /// Second node
        node_name_b: String,
        /// Resource name
        resource_name: String,
    },
    /// Sets DRBD proxy options of a resource definition
    #[command(
        visible_alias = "opt",
        after_help = "Options: --memlimit, --read-loops, --sndbuf-size, --rcvbuf-size, --ping-timeout (and --unset-<option>)"
    )]
    Options {
        /// Resource name
        resource_name: String,
        /// --<option> <value> / --unset-<option>
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        options: Vec<String>,
    },
    /// Sets the DRBD proxy compression of a resource definition
    #[command(visible_alias = "c")]
    Compression {
        /// none, zlib, lzma or lz4
        #[arg(value_parser = ["none", "zlib", "lzma", "lz4"])]
        kind: String,
        /// Resource name
        resource_name: String,
        /// Compression options: --level, --dict-size, --lc, --lp, --pb, --nice-len, --mf, --mode, --depth, --contexts
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        options: Vec<String>,
    },
}

fn vlm_state(state: Option<&RscState>, nr: i32) -> Option<&VlmState> {
    state.and_then(|s| s.vlm_states.iter().find(|v| v.vlm_nr == nr))
}

/// 0.7.3's volume state text and colour.
pub fn volume_state(
    state: Option<&VlmState>,
    rsc_flags: &[String],
    vlm_flags: &[String],
) -> (String, Option<Tint>) {
    let prefix = if vlm_flags.iter().any(|f| f == flags::RESIZE) {
        "Resizing, "
    } else {
        ""
    };
    match state
        .and_then(|s| s.disk_state.as_deref())
        .filter(|d| !d.is_empty())
    {
        None | Some("DUnknown") => (format!("{prefix}Unknown"), Some(Tint::Yellow)),
        Some("Diskless") => {
            let intended = rsc_flags.iter().any(|f| f == flags::DISKLESS);
            (
                format!("{prefix}Diskless"),
                (!intended).then_some(Tint::Red),
            )
        }
        Some(
            d @ ("Inconsistent" | "Failed" | "To: Creating" | "To: Attachable" | "To: Attaching"),
        ) => (format!("{prefix}{d}"), Some(Tint::Red)),
        Some(d @ ("UpToDate" | "Created" | "Attached")) => (format!("{prefix}{d}"), None),
        Some(d) => (format!("{prefix}{d}"), Some(Tint::Yellow)),
    }
}

fn state_text((text, tint): (String, Option<Tint>)) -> Text {
    match tint {
        Some(t) => Text::tinted(text, t),
        None => Text::tinted(text, Tint::Green),
    }
}

fn usage(state: Option<&RscState>) -> Text {
    match state {
        Some(s) if s.in_use == Some(true) => Text::tinted("InUse", Tint::Green),
        Some(_) => "Unused".into(),
        None => "".into(),
    }
}

fn find_state<'a>(list: &'a MsgLstRsc, node: &str, rsc: &str) -> Option<&'a RscState> {
    list.resource_states
        .iter()
        .find(|s| s.node_name == node && s.rsc_name == rsc)
}

/// The resource table; `ports` maps resource names to their DRBD port.
pub fn resource_table(list: &MsgLstRsc, ports: &[(String, Option<i32>)], opts: &ListOpts) -> Table {
    let mut table = Table::new(RSC_COLUMNS);
    opts.apply(&mut table);
    for r in &list.resources {
        let port = ports
            .iter()
            .find(|(n, _)| n == &r.name)
            .and_then(|(_, p)| *p)
            .map(|p| p.to_string())
            .unwrap_or_default();
        let st = find_state(list, &r.node_name, &r.name);
        let (use_cell, state_cell) = if r.rsc_flags.iter().any(|f| f == flags::DELETE) {
            ("".into(), Text::tinted("DELETING", Tint::Red))
        } else if let Some(s) = st {
            let mut cell = Text::tinted("Unknown", Tint::Yellow);
            for v in &r.vlms {
                let (text, tint) =
                    volume_state(vlm_state(Some(s), v.vlm_nr), &r.rsc_flags, &v.vlm_flags);
                cell = state_text((text, tint));
                if tint.is_some() {
                    break;
                }
            }
            (usage(Some(s)), cell)
        } else {
            ("".into(), Text::tinted("Unknown", Tint::Yellow))
        };
        table.row(vec![
            r.name.clone().into(),
            r.node_name.clone().into(),
            port.into(),
            use_cell,
            state_cell,
        ]);
    }
    table
}

/// The volume table.
pub fn volume_table(list: &MsgLstRsc) -> Table {
    let mut table = Table::new(VLM_COLUMNS);
    for r in &list.resources {
        let st = find_state(list, &r.node_name, &r.name);
        for v in &r.vlms {
            table.row(vec![
                r.node_name.clone().into(),
                r.name.clone().into(),
                v.stor_pool_name.clone().unwrap_or_default().into(),
                v.vlm_nr.to_string().into(),
                v.vlm_minor_nr
                    .map(|m| m.to_string())
                    .unwrap_or_default()
                    .into(),
                v.device_path.clone().unwrap_or_default().into(),
                v.allocated_size
                    .filter(|a| *a > 0)
                    .map(approximate)
                    .unwrap_or_default()
                    .into(),
                usage(st),
                state_text(volume_state(
                    vlm_state(st, v.vlm_nr),
                    &r.rsc_flags,
                    &v.vlm_flags,
                )),
            ]);
        }
    }
    table
}

/// The resource connection table.
pub fn conn_table(list: &MsgLstRscConn, opts: &ListOpts) -> Table {
    let mut table = Table::new(CONN_COLUMNS);
    opts.apply(&mut table);
    for rc in &list.rsc_connections {
        if rc.rsc_conn_flags.iter().any(|f| f == flags::DELETED) {
            continue;
        }
        let props: Vec<String> = rc
            .rsc_conn_props
            .iter()
            .map(|p| {
                let base = p.key.rsplit('/').next().unwrap_or(&p.key);
                format!("{base}={}", p.value)
            })
            .collect();
        let mut text = props.join(",");
        if text.chars().count() >= 30 {
            text = text.chars().take(30).collect::<String>() + "...";
        }
        table.row(vec![
            rc.node_name_1.clone().into(),
            rc.node_name_2.clone().into(),
            text.into(),
            rc.port.map(|p| p.to_string()).unwrap_or_default().into(),
        ]);
    }
    table
}

fn split_last(mut names: Vec<String>) -> Result<(Vec<String>, String)> {
    match names.pop() {
        Some(last) => Ok((names, last)),
        None => bail!("a resource name is required"),
    }
}

/// Runs a `resource` subcommand.
pub async fn run(ctx: &Ctx, cmd: ResourceCmd) -> Result<i32> {
    let c = &ctx.client;
    match cmd {
        ResourceCmd::Create(a) => create(ctx, a).await,
        ResourceCmd::Delete { async_, names } => {
            let (nodes, rsc) = split_last(names).map_err(exit::usage)?;
            let mut all = Vec::new();
            for node_name in nodes {
                let body = MsgDelRsc {
                    node_name,
                    rsc_name: rsc.clone(),
                    ..Default::default()
                };
                all.push(if async_ {
                    c.call_with(&Request::DelRsc(body), eoia()).await?
                } else {
                    c.resource_delete(body).await?
                });
            }
            ctx.replies_of(all)
        }
        ResourceCmd::List {
            opts,
            resources,
            nodes,
        } => {
            let filter = ListFilter {
                nodes,
                resources,
                ..Default::default()
            };
            let list = ctx.listed(c.resource_list(&filter).await)?;
            if ctx.json() {
                return print_list_json(list.into());
            }
            let dfns = ctx.listed(c.resource_dfn_list().await)?;
            let ports: Vec<(String, Option<i32>)> = dfns
                .rsc_dfns
                .iter()
                .map(|d| (d.rsc_name.clone(), d.rsc_dfn_port))
                .collect();
            ctx.show(&resource_table(&list, &ports, &opts), opts.pastable);
            Ok(exit::OK)
        }
        ResourceCmd::ListVolumes {
            pastable,
            nodes,
            storpools,
            resources,
        } => {
            let filter = ListFilter {
                nodes,
                stor_pools: storpools,
                resources,
            };
            let answers = c.volume_list(&filter).await?;
            if ctx.json() {
                crate::json::print_answers(&answers)?;
                return Ok(crate::output::exit_code(
                    answers.replies(),
                    ctx.globals.warn_as_error,
                ));
            }
            match answers.list::<MsgLstRsc>() {
                Some(list) => {
                    ctx.show(&volume_table(list), pastable);
                    Ok(exit::OK)
                }
                None => ctx.replies(&answers),
            }
        }
        ResourceCmd::ListProperties {
            pastable,
            node_name,
            resource_name,
        } => {
            let list = ctx.listed(c.resource_list(&ListFilter::default()).await)?;
            let props = list
                .resources
                .iter()
                .find(|r| {
                    r.name.eq_ignore_ascii_case(&resource_name)
                        && r.node_name.eq_ignore_ascii_case(&node_name)
                })
                .map(|r| r.props.as_slice());
            print_props(
                ctx,
                &format!("Resource '{resource_name}' on node '{node_name}'"),
                props,
                pastable,
            )
        }
        ResourceCmd::SetProperty {
            node_name,
            name,
            prop,
        } => {
            let (property_dict, delete_props) = prop.changes();
            let req = ResourceModify {
                node_name,
                rsc_name: name,
                property_dict,
                delete_props,
            };
            ctx.replies(&c.resource_modify(&req).await?)
        }
        ResourceCmd::DrbdPeerOptions {
            node_a,
            node_b,
            resource_name,
            options,
        } => {
            let (property_dict, delete_props) =
                drbd::parse(&options, &[Section::PeerDevice]).map_err(exit::usage)?;
            conn_modify(
                ctx,
                resource_name,
                node_a,
                node_b,
                property_dict,
                delete_props,
            )
            .await
        }
        ResourceCmd::ToggleDisk(a) => {
            let body = MsgToggleDisk {
                node_name: a.node_name,
                rsc_name: a.name,
                stor_pool_name: a.storage_pool,
                migrate_from: a.migrate_from,
                diskless: Some(a.diskless),
                ..Default::default()
            };
            let answers = if a.async_ {
                c.call_with(&Request::ToggleDisk(body), eoia()).await?
            } else {
                c.resource_toggle_disk(body).await?
            };
            ctx.replies(&answers)
        }
    }
}

async fn create(ctx: &Ctx, a: CreateArgs) -> Result<i32> {
    let c = &ctx.client;
    let (nodes, rsc) = split_last(a.names)?;
    if let Some(count) = a.auto_place {
        if !nodes.is_empty() {
            return Err(exit::usage(
                "resource create: node names cannot be given with --auto-place",
            ));
        }
        let aux = |v: Vec<String>| {
            v.into_iter()
                .map(|x| format!("{NAMESPC_AUX}/{x}"))
                .collect()
        };
        let req = ResourceAutoPlace {
            rsc_name: rsc,
            filter: PlacementFilter {
                place_count: count,
                storage_pool: a.storage_pool,
                do_not_place_with: a.do_not_place_with,
                do_not_place_with_regex: a.do_not_place_with_regex,
                replicas_on_same: aux(a.replicas_on_same),
                replicas_on_different: aux(a.replicas_on_different),
            },
            diskless_on_remaining: a.diskless_on_remaining,
        };
        let answers = if a.async_ {
            c.call_with(&req, eoia()).await?
        } else {
            wait_with_progress(ctx, c.resource_auto_place(&req)).await?
        };
        return ctx.replies(&answers);
    }
    if nodes.is_empty() {
        eprintln!("Error: resource create: too few arguments: Node name missing.");
        return Ok(exit::ARGPARSE_ERROR);
    }
    let req = ResourceCreate {
        rscs: nodes
            .into_iter()
            .map(|node_name| ResourceData {
                node_name,
                rsc_name: rsc.clone(),
                diskless: a.diskless,
                storage_pool: a.storage_pool.clone(),
                node_id: a.node_id,
            })
            .collect(),
    };
    let answers = if a.async_ {
        c.call_with(&req, eoia()).await?
    } else {
        wait_with_progress(ctx, c.resource_create(&req)).await?
    };
    ctx.replies(&answers)
}

/// Waits for a call; on a terminal (stderr) a spinner shows that the call is still running.
pub async fn wait_with_progress<F>(
    ctx: &Ctx,
    call: F,
) -> Result<Answers, linstor_client::ClientError>
where
    F: std::future::Future<Output = Result<Answers, linstor_client::ClientError>>,
{
    use std::io::{IsTerminal, Write};
    if ctx.json() || !std::io::stderr().is_terminal() {
        return call.await;
    }
    let mut call = std::pin::pin!(call);
    let frames = ['|', '/', '-', '\\'];
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(200));
    let started = std::time::Instant::now();
    let mut i = 0usize;
    loop {
        tokio::select! {
            result = &mut call => {
                eprint!("\r\x1b[K");
                return result;
            }
            _ = tick.tick() => {
                if started.elapsed().as_millis() > 400 {
                    eprint!("\r{} waiting for the controller ({}s)", frames[i % 4], started.elapsed().as_secs());
                    let _ = std::io::stderr().flush();
                    i = i.wrapping_add(1);
                }
            }
        }
    }
}

async fn conn_modify(
    ctx: &Ctx,
    rsc_name: String,
    node_a: String,
    node_b: String,
    property_dict: Vec<(String, String)>,
    delete_props: Vec<String>,
) -> Result<i32> {
    let req = ResourceConnModify {
        rsc_name,
        node_a,
        node_b,
        property_dict,
        delete_props,
    };
    ctx.replies(&ctx.client.resource_conn_modify(&req).await?)
}

/// The resource connections of `rsc_name` (see [`Ctx::listed`] for a `Reply` instead).
async fn conn_list(ctx: &Ctx, rsc_name: &str) -> Result<MsgLstRscConn> {
    ctx.listed(
        ctx.client
            .resource_conn_list(MsgReqRscConn {
                rsc_name: rsc_name.to_owned(),
            })
            .await,
    )
}

fn conn_props<'a>(
    list: &'a MsgLstRscConn,
    a: &str,
    b: &str,
) -> Option<&'a [linstor_proto::messages::LinStorMapEntry]> {
    list.rsc_connections
        .iter()
        .find(|c| {
            (c.node_name_1 == a && c.node_name_2 == b) || (c.node_name_1 == b && c.node_name_2 == a)
        })
        .map(|c| c.rsc_conn_props.as_slice())
}

/// Runs a `resource-connection` subcommand.
pub async fn run_conn(ctx: &Ctx, cmd: RscConnCmd) -> Result<i32> {
    match cmd {
        RscConnCmd::List {
            opts,
            resource_name,
        } => print_list(
            ctx,
            conn_list(ctx, &resource_name).await?,
            |list| conn_table(list, &opts),
            opts.pastable,
        ),
        RscConnCmd::ListProperties {
            pastable,
            node_name_a,
            node_name_b,
            resource_name,
        } => {
            let list = conn_list(ctx, &resource_name).await?;
            print_props(
                ctx,
                &format!(
                    "Resource connection {node_name_a} <-> {node_name_b} of '{resource_name}'"
                ),
                conn_props(&list, &node_name_a, &node_name_b),
                pastable,
            )
        }
        RscConnCmd::SetProperty {
            node_name_a,
            node_name_b,
            resource_name,
            prop,
        } => {
            let (set, del) = prop.changes();
            conn_modify(ctx, resource_name, node_name_a, node_name_b, set, del).await
        }
        RscConnCmd::DrbdOptions {
            node_a,
            node_b,
            resource_name,
            options,
        } => {
            let (set, del) =
                drbd::parse(&options, &[Section::Net, Section::PeerDevice]).map_err(exit::usage)?;
            conn_modify(ctx, resource_name, node_a, node_b, set, del).await
        }
        RscConnCmd::Path(p) => match p {
            PathCmd::Create {
                node_a,
                node_b,
                resource_name,
                path_name,
                netinterface_a,
                netinterface_b,
            } => {
                let set = vec![
                    (format!("Paths/{path_name}/{node_a}"), netinterface_a),
                    (format!("Paths/{path_name}/{node_b}"), netinterface_b),
                ];
                conn_modify(ctx, resource_name, node_a, node_b, set, vec![]).await
            }
            PathCmd::Delete {
                node_a,
                node_b,
                resource_name,
                path_name,
            } => {
                let del = vec![
                    format!("Paths/{path_name}/{node_a}"),
                    format!("Paths/{path_name}/{node_b}"),
                ];
                conn_modify(ctx, resource_name, node_a, node_b, vec![], del).await
            }
            PathCmd::List {
                pastable,
                node_a,
                node_b,
                resource_name,
            } => {
                let list = conn_list(ctx, &resource_name).await?;
                let props = conn_props(&list, &node_a, &node_b).unwrap_or(&[]);
                let mut paths: Vec<(String, String, String)> = Vec::new();
                for p in props {
                    if let Some((path, node)) =
                        p.key.strip_prefix("Paths/").and_then(|r| r.split_once('/'))
                    {
                        paths.push((path.to_owned(), node.to_owned(), p.value.clone()));
                    }
                }
                if ctx.json() {
                    let v: Vec<_> = paths
                        .iter()
                        .map(|(p, n, i)| serde_json::json!({"path": p, "node": n, "netinterface": i}))
                        .collect();
                    crate::json::print_value(&serde_json::Value::Array(v))?;
                    return Ok(exit::OK);
                }
                let mut table = Table::new(&[col("Key"), col("Node"), col("NetInterface")]);
                table.group_by_first();
                for (p, n, i) in paths {
                    table.row(vec![p.into(), n.into(), i.into()]);
                }
                ctx.show(&table, pastable);
                Ok(exit::OK)
            }
        },
    }
}

fn proxy_options(args: &[String], allowed: &[&str], ns: &str) -> Result<drbd::Changes> {
    let mut set = Vec::new();
    let mut del = Vec::new();
    let mut it = args.iter();
    let key = |name: &str| -> Result<String> {
        if allowed.contains(&name) {
            Ok(format!("{ns}/{name}"))
        } else {
            bail!("unknown option '--{name}'")
        }
    };
    while let Some(arg) = it.next() {
        if drbd::GLOBAL_FLAGS.contains(&arg.as_str()) {
            bail!("'{arg}' is a global option: give it before the command");
        }
        let Some(opt) = arg.strip_prefix("--") else {
            bail!("unexpected argument '{arg}'");
        };
        if let Some(name) = opt.strip_prefix("unset-") {
            del.push(key(name)?);
        } else if let Some((n, v)) = opt.split_once('=') {
            set.push((key(n)?, v.to_owned()));
        } else {
            let Some(v) = it.next() else {
                bail!("option '--{opt}' needs a value");
            };
            set.push((key(opt)?, v.clone()));
        }
    }
    Ok((set, del))
}

/// Runs a `drbd-proxy` subcommand.
pub async fn run_proxy(ctx: &Ctx, cmd: ProxyCmd) -> Result<i32> {
    let c = &ctx.client;
    match cmd {
        ProxyCmd::Enable {
            port,
            node_name_a,
            node_name_b,
            resource_name,
        } => {
            let body = MsgEnableDrbdProxy {
                node_1_name: node_name_a,
                node_2_name: node_name_b,
                rsc_name: resource_name,
                port,
                ..Default::default()
            };
            ctx.replies(&c.drbd_proxy_enable(body).await?)
        }
        ProxyCmd::Disable {
            node_name_a,
            node_name_b,
            resource_name,
        } => {
            let body = MsgDisableDrbdProxy {
                node_1_name: node_name_a,
                node_2_name: node_name_b,
                rsc_name: resource_name,
                ..Default::default()
            };
            ctx.replies(&c.drbd_proxy_disable(body).await?)
        }
        ProxyCmd::Options {
            resource_name,
            options,
        } => {
            let (property_dict, delete_props) =
                proxy_options(&options, PROXY_OPTIONS, "DrbdOptions/Proxy").map_err(exit::usage)?;
            if property_dict.is_empty() && delete_props.is_empty() {
                return Err(exit::usage("no option given (see --help)"));
            }
            let req = DrbdProxyModify {
                rsc_name: resource_name,
                property_dict,
                delete_props,
                ..Default::default()
            };
            ctx.replies(&c.drbd_proxy_modify(&req).await?)
        }
        ProxyCmd::Compression {
            kind,
            resource_name,
            options,
        } => {
            let allowed: &[&str] = match kind.as_str() {
                "zlib" => &["level"],
                "lzma" => &[
                    "fallback-to-zlib",
                    "level",
                    "dict-size",
                    "lc",
                    "lp",
                    "pb",
                    "nice-len",
                    "mf",
                    "mode",
                    "depth",
                    "contexts",
                ],
                _ => &[],
            };
            let (set, _) = proxy_options(&options, allowed, "DrbdOptions/ProxyCompression")
                .map_err(exit::usage)?;
            let req = DrbdProxyModify {
                rsc_name: resource_name,
                compression_type: Some(kind),
                compression_property_dict: set,
                ..Default::default()
            };
            ctx.replies(&c.drbd_proxy_modify(&req).await?)
        }
    }
}
