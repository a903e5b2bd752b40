//! `node`: create, create-swordfish-target, modify, describe, delete, lost, reconnect,
//! interface create/modify/delete/list, list, list-properties, set-property.

use std::net::ToSocketAddrs;

use anyhow::Result;
use clap::{Args, Subcommand};
use linstor_client::requests::{
    ListFilter, NetInterfaceArgs, NetInterfaceCreate, NetInterfaceModify, NodeCreate,
    NodeCreateSwordfishTarget, NodeModify,
};
use linstor_client::{CallOptions, ClientError};
use linstor_proto::Request;
use linstor_proto::consts::{names, netcom, node_types};
use linstor_proto::messages::{MsgDelNetInterface, MsgDelNode, MsgLstNode, MsgNodeReconnect, Node};

use super::{ListOpts, PropArgs, print_list, print_list_json, print_props};
use crate::ctx::Ctx;
use crate::exit;
use crate::table::{Column, Table, Text, Tint, col, state};

/// The columns of `node list`.
pub const NODE_COLUMNS: &[Column] = &[
    col("Node"),
    col("NodeType"),
    col("Addresses"),
    state("State", false),
];

const NODE_TYPES: [&str; 4] = [
    node_types::CONTROLLER,
    node_types::AUXILIARY,
    node_types::COMBINED,
    node_types::SATELLITE,
];

/// `node` subcommands.
#[derive(Debug, Subcommand)]
pub enum NodeCmd {
    /// Creates a node entry for a node that participates in the linstor cluster
    #[command(visible_alias = "c")]
    Create(CreateArgs),
    /// Creates a virtual swordfish target node on the controller
    #[command(visible_alias = "cswt")]
    CreateSwordfishTarget {
        /// Name of the new swordfish target node
        node_name: String,
        /// Storage service id
        storage_service: String,
    },
    /// Modifies a node
    #[command(visible_alias = "m")]
    Modify {
        /// Node type
        #[arg(short = 't', long, default_value = node_types::SATELLITE, value_parser = NODE_TYPES)]
        node_type: String,
        /// Name of the node to modify
        node_name: String,
    },
    /// Describes a node (or all nodes): storage pools, resources and volumes
    #[command(visible_alias = "dsc")]
    Describe {
        /// Node to describe; all nodes without it
        name: Option<String>,
    },
    /// Removes a node from the linstor cluster
    #[command(visible_alias = "d")]
    Delete(DeleteArgs),
    /// Removes an unrecoverable node from the linstor cluster
    #[command(visible_alias = "lo")]
    Lost(DeleteArgs),
    /// Reconnects nodes, reinitialising their state
    #[command(visible_alias = "rc")]
    Reconnect {
        /// Nodes to reconnect
        #[arg(required = true)]
        nodes: Vec<String>,
    },
    /// Network interface subcommands
    #[command(visible_alias = "i", subcommand)]
    Interface(InterfaceCmd),
    /// Prints a list of all cluster nodes known to linstor
    #[command(visible_aliases = ["l", "ls"])]
    List {
        #[command(flatten)]
        opts: ListOpts,
        /// Filter by list of nodes
        #[arg(short = 'N', long, num_args = 1..)]
        nodes: Vec<String>,
    },
    /// Prints all properties of the given node
    #[command(visible_alias = "lp")]
    ListProperties {
        /// Generate pastable output
        #[arg(short, long)]
        pastable: bool,
        /// Node for which to print the properties
        node_name: String,
    },
    /// Sets a property on the given node
    #[command(visible_alias = "sp")]
    SetProperty {
        /// Node for which to set the property
        node_name: String,
        #[command(flatten)]
        prop: PropArgs,
    },
}

/// `node create` arguments.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Satellite port (default: 3366 Plain, 3367 SSL; controllers 3376/3377)
    #[arg(short, long, value_parser = clap::value_parser!(i32).range(1..=65535))]
    port: Option<i32>,
    /// Node type
    #[arg(long, default_value = node_types::SATELLITE, value_parser = NODE_TYPES)]
    node_type: String,
    /// Communication type
    #[arg(long, default_value = netcom::PLAIN, value_parser = [netcom::PLAIN, netcom::SSL])]
    communication_type: String,
    /// Interface type
    #[arg(long, default_value = "IP", value_parser = ["IP"])]
    interface_type: String,
    /// Interface name
    #[arg(long, default_value = names::DEFAULT_NET_IF)]
    interface_name: String,
    /// Name of the new node, must match the node's hostname
    name: String,
    /// IP address of the new node; resolved from the name when absent
    ip: Option<String>,
}

/// `node delete` / `node lost` arguments.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Do not wait for the satellites before returning
    #[arg(long = "async")]
    async_: bool,
    /// Name of the node
    name: String,
}

/// `node interface` subcommands.
#[derive(Debug, Subcommand)]
pub enum InterfaceCmd {
    /// Creates and adds a network interface to a node
    #[command(visible_alias = "c")]
    Create {
        /// Port for satellite connections over this interface
        #[arg(short, long, value_parser = clap::value_parser!(i32).range(1..=65535))]
        port: Option<i32>,
        /// Communication type
        #[arg(long, default_value = netcom::PLAIN, value_parser = [netcom::PLAIN, netcom::SSL])]
        communication_type: String,
        /// Name of the node
        node_name: String,
        /// Interface name
        interface_name: String,
        /// IP address
        ip: String,
    },
    /// Changes the address (and satellite port) of a network interface
    #[command(visible_alias = "m")]
    Modify {
        /// Port for satellite connections over this interface
        #[arg(short, long, value_parser = clap::value_parser!(i32).range(1..=65535))]
        port: Option<i32>,
        /// Communication type
        #[arg(long, default_value = netcom::PLAIN, value_parser = [netcom::PLAIN, netcom::SSL])]
        communication_type: String,
        /// New IP address
        #[arg(long)]
        ip: Option<String>,
        /// Name of the node
        node_name: String,
        /// Interface to change
        interface_name: String,
    },
    /// Deletes network interfaces from a node
    #[command(visible_alias = "d")]
    Delete {
        /// Name of the node
        node_name: String,
        /// Interface names
        #[arg(required = true)]
        interface_name: Vec<String>,
    },
    /// Prints the network interfaces of a node
    #[command(visible_aliases = ["l", "ls"])]
    List {
        /// Generate pastable output
        #[arg(short, long)]
        pastable: bool,
        /// Node name
        node_name: String,
    },
}

/// 0.7.3's text and colour of a connection status.
pub fn connection_state(status: i32) -> Text {
    let (text, tint) = match status {
        0 => ("OFFLINE", Tint::Red),
        1 => ("Connected", Tint::Yellow),
        2 => ("Online", Tint::Green),
        3 => ("OFFLINE(VERSION MISMATCH)", Tint::Red),
        4 => ("OFFLINE(FULL SYNC FAILED)", Tint::Red),
        5 => ("OFFLINE(AUTHENTICATION ERROR)", Tint::Red),
        7 => ("OFFLINE(HOSTNAME MISMATCH)", Tint::Red),
        _ => ("Unknown", Tint::Yellow),
    };
    Text::tinted(text, tint)
}

fn addresses(node: &Node) -> String {
    node.net_interfaces
        .iter()
        .map(|n| match (n.stlt_port, &n.stlt_encryption_type) {
            (Some(port), Some(enc)) if port != 0 => format!("{}:{port} ({enc})", n.address),
            _ => n.address.clone(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The node list table.
pub fn node_table(list: &MsgLstNode, filter: &[String], opts: &ListOpts) -> Table {
    let mut table = Table::new(NODE_COLUMNS);
    opts.apply(&mut table);
    for n in &list.nodes {
        if !filter.is_empty() && !filter.iter().any(|f| f == &n.name) {
            continue;
        }
        table.row(vec![
            n.name.clone().into(),
            n.r#type.clone().into(),
            addresses(n).into(),
            connection_state(n.connection_status.unwrap_or(6)),
        ]);
    }
    table
}

fn find<'a>(list: &'a MsgLstNode, name: &str) -> Option<&'a Node> {
    list.nodes.iter().find(|n| n.name == name)
}

/// Runs a `node` subcommand.
pub async fn run(ctx: &Ctx, cmd: NodeCmd) -> Result<i32> {
    let c = &ctx.client;
    match cmd {
        NodeCmd::Create(a) => {
            let ip = match a.ip {
                Some(ip) => ip,
                None => match (a.name.as_str(), 0).to_socket_addrs() {
                    Ok(mut addrs) => match addrs.next() {
                        Some(addr) => addr.ip().to_string(),
                        None => {
                            eprintln!("Error: Unable to resolve ip address for '{}'", a.name);
                            return Ok(exit::ARGPARSE_ERROR);
                        }
                    },
                    Err(e) => {
                        eprintln!("Error: Unable to resolve ip address for '{}': {e}", a.name);
                        return Ok(exit::ARGPARSE_ERROR);
                    }
                },
            };
            let req = NodeCreate {
                node_name: a.name,
                node_type: a.node_type,
                ip,
                com_type: a.communication_type,
                port: a.port,
                netif_name: a.interface_name,
            };
            ctx.replies(&c.node_create(&req).await?)
        }
        NodeCmd::CreateSwordfishTarget {
            node_name,
            storage_service,
        } => {
            let req = NodeCreateSwordfishTarget {
                node_name,
                storage_service,
            };
            ctx.replies(&c.node_create_swordfish_target(&req).await?)
        }
        NodeCmd::Modify {
            node_type,
            node_name,
        } => {
            let req = NodeModify {
                node_name,
                node_type: Some(node_type),
                ..Default::default()
            };
            ctx.replies(&c.node_modify(&req).await?)
        }
        NodeCmd::Describe { name } => describe(ctx, name).await,
        NodeCmd::Delete(a) => {
            let body = MsgDelNode {
                node_name: a.name,
                ..Default::default()
            };
            let answers = if a.async_ {
                c.call_with(&Request::DelNode(body), eoia()).await?
            } else {
                c.node_delete(body).await?
            };
            ctx.replies(&answers)
        }
        NodeCmd::Lost(a) => {
            let body = MsgDelNode {
                node_name: a.name,
                ..Default::default()
            };
            let answers = if a.async_ {
                c.call_with(&Request::LostNode(body), eoia()).await?
            } else {
                c.node_lost(body).await?
            };
            ctx.replies(&answers)
        }
        NodeCmd::Reconnect { nodes } => {
            ctx.replies(&c.node_reconnect(MsgNodeReconnect { nodes }).await?)
        }
        NodeCmd::Interface(i) => interface(ctx, i).await,
        NodeCmd::List { opts, nodes } => print_list(
            ctx,
            ctx.listed(c.node_list().await)?,
            |list| node_table(list, &nodes, &opts),
            opts.pastable,
        ),
        NodeCmd::ListProperties {
            pastable,
            node_name,
        } => {
            let list = ctx.listed(c.node_list().await)?;
            let props = find(&list, &node_name).map(|n| n.props.as_slice());
            print_props(ctx, &format!("Node '{node_name}'"), props, pastable)
        }
        NodeCmd::SetProperty { node_name, prop } => {
            let (set, delete) = prop.changes();
            let req = NodeModify {
                node_name,
                node_type: None,
                property_dict: set,
                delete_props: delete,
            };
            ctx.replies(&c.node_modify(&req).await?)
        }
    }
}

/// `CallOptions` of `--async`: return at `EndOfImmediateAnswers`.
pub fn eoia() -> CallOptions {
    CallOptions {
        until_eoia: true,
        timeout: None,
    }
}

async fn interface(ctx: &Ctx, cmd: InterfaceCmd) -> Result<i32> {
    let c = &ctx.client;
    match cmd {
        InterfaceCmd::Create {
            port,
            communication_type,
            node_name,
            interface_name,
            ip,
        } => {
            let req = NetInterfaceCreate(NetInterfaceArgs {
                node_name,
                interface_name,
                ip,
                port,
                com_type: Some(communication_type),
            });
            ctx.replies(&c.netinterface_create(&req).await?)
        }
        InterfaceCmd::Modify {
            port,
            communication_type,
            ip,
            node_name,
            interface_name,
        } => {
            // The address is always sent; without --ip keep the current one.
            let ip = match ip {
                Some(ip) => ip,
                None => {
                    let list = ctx.listed(c.node_list().await)?;
                    let current = find(&list, &node_name)
                        .and_then(|n| n.net_interfaces.iter().find(|i| i.name == interface_name))
                        .map(|i| i.address.clone());
                    match current {
                        Some(ip) => ip,
                        None => {
                            eprintln!(
                                "Error: Network interface '{interface_name}' of node '{node_name}' not found on controller."
                            );
                            return Ok(exit::OBJECT_NOT_FOUND);
                        }
                    }
                }
            };
            let req = NetInterfaceModify(NetInterfaceArgs {
                node_name,
                interface_name,
                ip,
                port,
                com_type: Some(communication_type),
            });
            ctx.replies(&c.netinterface_modify(&req).await?)
        }
        InterfaceCmd::Delete {
            node_name,
            interface_name,
        } => {
            let mut all = Vec::new();
            for net_if_name in interface_name {
                all.push(
                    c.netinterface_delete(MsgDelNetInterface {
                        node_name: node_name.clone(),
                        net_if_name,
                    })
                    .await?,
                );
            }
            ctx.replies_of(all)
        }
        InterfaceCmd::List {
            pastable,
            node_name,
        } => {
            let list = ctx.listed(c.node_list().await)?;
            if ctx.json() {
                return print_list_json(list.into());
            }
            let Some(node) = find(&list, &node_name) else {
                eprintln!("Error: Node '{node_name}' not found on controller.");
                return Ok(exit::OBJECT_NOT_FOUND);
            };
            let columns = [
                Column {
                    name: leak(node.name.clone()),
                    right: false,
                    tint: Some(Tint::Green),
                },
                col("NetInterface"),
                col("IP"),
            ];
            let mut table = Table::new(&columns);
            for n in &node.net_interfaces {
                table.row(vec![
                    "+".into(),
                    n.name.clone().into(),
                    n.address.clone().into(),
                ]);
            }
            ctx.show(&table, pastable);
            Ok(exit::OK)
        }
    }
}

/// Column names are `'static`; the one dynamic header (the node name of `interface list`)
/// lives as long as the process, which prints one table.
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// `node describe`: a tree of node, storage pools, resources and volumes.
async fn describe(ctx: &Ctx, name: Option<String>) -> Result<i32> {
    let c = &ctx.client;
    let lists = async {
        let nodes = c.node_list().await?;
        let pools = c.storage_pool_list(&ListFilter::default()).await?;
        let rscs = c.resource_list(&ListFilter::default()).await?;
        Ok::<_, ClientError>((nodes, pools, rscs))
    };
    let (nodes, pools, rscs) = ctx.listed(lists.await)?;
    let mut out = Vec::new();
    let mut json = Vec::new();
    let mut sorted: Vec<&Node> = nodes.nodes.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let (branch, last, pipe) = if ctx.style.utf8 {
        ("├── ", "└── ", "│   ")
    } else {
        ("|-- ", "+-- ", "|   ")
    };
    for node in sorted {
        if name.as_ref().is_some_and(|n| n != &node.name) {
            continue;
        }
        let mut text = format!("{} (node)\n", node.name);
        // (label, pool the volumes are in); diskless volumes sit in the hidden default
        // diskless pool and are shown as 0.7.3 did.
        let mut node_pools: Vec<(String, &str)> = pools
            .stor_pools
            .iter()
            .filter(|p| p.node_name == node.name)
            .map(|p| {
                (
                    format!("{} (storage pool)", p.stor_pool_name),
                    p.stor_pool_name.as_str(),
                )
            })
            .collect();
        let diskless = names::DFLT_DISKLESS_STOR_POOL;
        if rscs.resources.iter().any(|r| {
            r.node_name == node.name
                && r.vlms
                    .iter()
                    .any(|v| v.stor_pool_name.as_deref() == Some(diskless))
        }) {
            node_pools.push((
                "diskless resource (resources may reside on other nodes)".to_owned(),
                diskless,
            ));
        }
        let mut pool_json = Vec::new();
        for (i, (label, pool_name)) in node_pools.iter().enumerate() {
            let pool_name = *pool_name;
            let is_last = i + 1 == node_pools.len();
            text.push_str(&format!("{}{label}\n", if is_last { last } else { branch },));
            let indent = if is_last { "    " } else { pipe };
            let pool_rscs: Vec<_> = rscs
                .resources
                .iter()
                .filter(|r| {
                    r.node_name == node.name
                        && r.vlms
                            .iter()
                            .any(|v| v.stor_pool_name.as_deref() == Some(pool_name))
                })
                .collect();
            let mut rsc_json = Vec::new();
            for (j, r) in pool_rscs.iter().enumerate() {
                let r_last = j + 1 == pool_rscs.len();
                text.push_str(&format!(
                    "{indent}{}{} (resource)\n",
                    if r_last { last } else { branch },
                    r.name
                ));
                let vlms: Vec<_> = r
                    .vlms
                    .iter()
                    .filter(|v| v.stor_pool_name.as_deref() == Some(pool_name))
                    .collect();
                let mut vlm_json = Vec::new();
                for (k, v) in vlms.iter().enumerate() {
                    let v_last = k + 1 == vlms.len();
                    text.push_str(&format!(
                        "{indent}{}{}volume{} (minor number: {})\n",
                        if r_last { "    " } else { pipe },
                        if v_last { last } else { branch },
                        v.vlm_nr,
                        v.vlm_minor_nr.map(|m| m.to_string()).unwrap_or_default()
                    ));
                    vlm_json.push(serde_json::json!({"volume": v.vlm_nr, "minor": v.vlm_minor_nr}));
                }
                rsc_json.push(serde_json::json!({"resource": r.name, "volumes": vlm_json}));
            }
            pool_json.push(serde_json::json!({"storage_pool": pool_name, "resources": rsc_json}));
        }
        json.push(serde_json::json!({"node": node.name, "storage_pools": pool_json}));
        out.push(text);
    }
    if ctx.json() {
        crate::json::print_value(&serde_json::Value::Array(json))?;
    } else {
        say_raw!("{}", out.join("\n"));
    }
    if let (true, Some(n)) = (out.is_empty(), name) {
        eprintln!("{n}: no such node");
        return Ok(exit::OBJECT_NOT_FOUND);
    }
    Ok(exit::OK)
}
