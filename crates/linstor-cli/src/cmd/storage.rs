//! `storage-pool-definition` (create, delete, list, list-properties, set-property,
//! query-max-volume-size) and `storage-pool` (create lvm/lvmthin/zfs/zfsthin/diskless/
//! swordfish_target/swordfish_initiator, delete, list, list-properties, set-property).

use anyhow::Result;
use clap::{Args, Subcommand};
use linstor_client::requests::{
    ListFilter, MaxVolumeSizes, PlacementFilter, StoragePoolCreate, StoragePoolDfnCreate,
    StoragePoolDfnModify, StoragePoolModify,
};
use linstor_proto::consts::{drivers, keys};
use linstor_proto::messages::{
    MsgDelStorPool, MsgDelStorPoolDfn, MsgLstStorPool, MsgRspMaxVlmSizes, StorPool,
};

use super::{ListOpts, PropArgs, print_list, print_list_json, print_props};
use crate::ctx::Ctx;
use crate::exit;
use crate::size::approximate;
use crate::table::{Column, Table, col, right};

/// The columns of `storage-pool list`.
pub const SP_COLUMNS: &[Column] = &[
    col("StoragePool"),
    col("Node"),
    col("Driver"),
    col("PoolName"),
    right("FreeCapacity"),
    right("TotalCapacity"),
    col("SupportsSnapshots"),
];
/// The columns of `storage-pool-definition list`.
pub const SPD_COLUMNS: &[Column] = &[col("StoragePool")];
/// The columns of `storage-pool-definition query-max-volume-size`.
pub const MAX_COLUMNS: &[Column] = &[
    col("StoragePool"),
    right("MaxVolumeSize"),
    col("Provisioning"),
    col("Nodes"),
];

/// `storage-pool-definition` subcommands.
#[derive(Debug, Subcommand)]
pub enum SpdCmd {
    /// Defines a storage pool
    #[command(visible_alias = "c")]
    Create {
        /// Name of the new storage pool definition
        name: String,
    },
    /// Removes a storage pool definition
    #[command(visible_alias = "d")]
    Delete {
        /// Name of the storage pool definition
        name: String,
    },
    /// Prints a list of all storage pool definitions
    #[command(visible_aliases = ["l", "ls"])]
    List {
        #[command(flatten)]
        opts: ListOpts,
    },
    /// Prints all properties of a storage pool definition
    #[command(visible_alias = "lp")]
    ListProperties {
        /// Generate pastable output
        #[arg(short, long)]
        pastable: bool,
        /// Storage pool definition
        storage_pool_name: String,
    },
    /// Sets a property of a storage pool definition
    #[command(visible_alias = "sp")]
    SetProperty {
        /// Storage pool definition
        name: String,
        #[command(flatten)]
        prop: PropArgs,
    },
    /// Queries the largest volume size that fits a placement
    #[command(visible_alias = "qmvs")]
    QueryMaxVolumeSize(MaxArgs),
}

/// `query-max-volume-size` arguments.
#[derive(Debug, Args)]
pub struct MaxArgs {
    /// Storage pool to use
    #[arg(short, long)]
    storage_pool: Option<String>,
    /// Try to avoid nodes that already have these resources
    #[arg(long, num_args = 1.., value_name = "RESOURCE_NAME")]
    do_not_place_with: Vec<String>,
    /// Try to avoid nodes with a resource whose name matches this regular expression
    #[arg(long, value_name = "RESOURCE_REGEX")]
    do_not_place_with_regex: Option<String>,
    /// Same values of these auxiliary node properties
    #[arg(long, num_args = 1.., value_name = "AUX_NODE_PROPERTY")]
    replicas_on_same: Vec<String>,
    /// Different values of these auxiliary node properties
    #[arg(long, num_args = 1.., value_name = "AUX_NODE_PROPERTY")]
    replicas_on_different: Vec<String>,
    /// Generate pastable output
    #[arg(short, long)]
    pastable: bool,
    /// Number of replicas
    replica_count: u32,
}

/// `storage-pool` subcommands.
#[derive(Debug, Subcommand)]
pub enum SpCmd {
    /// Creates a storage pool on a node
    #[command(visible_alias = "c", subcommand)]
    Create(SpCreate),
    /// Removes a storage pool from nodes
    #[command(visible_alias = "d")]
    Delete {
        /// Node names, then the storage pool name
        #[arg(num_args = 2.., required = true, value_name = "NODE_NAME... NAME")]
        names: Vec<String>,
    },
    /// Prints a list of all storage pools
    #[command(visible_aliases = ["l", "ls"])]
    List {
        #[command(flatten)]
        opts: ListOpts,
        /// Filter by list of storage pools
        #[arg(short, long, num_args = 1..)]
        storpools: Vec<String>,
        /// Filter by list of nodes
        #[arg(short, long, num_args = 1..)]
        nodes: Vec<String>,
    },
    /// Prints all properties of a storage pool
    #[command(visible_alias = "lp")]
    ListProperties {
        /// Generate pastable output
        #[arg(short, long)]
        pastable: bool,
        /// Node of the storage pool
        node_name: String,
        /// Storage pool
        storage_pool_name: String,
    },
    /// Sets a property of a storage pool
    #[command(visible_alias = "sp")]
    SetProperty {
        /// Node of the storage pool
        node_name: String,
        /// Storage pool
        name: String,
        #[command(flatten)]
        prop: PropArgs,
    },
}

/// Node, name and shared space of a new pool.
#[derive(Debug, Args)]
pub struct PoolArgs {
    /// Name of the node for the new storage pool
    node_name: String,
    /// Name of the new storage pool
    name: String,
}

/// `storage-pool create` drivers.
#[derive(Debug, Subcommand)]
pub enum SpCreate {
    /// Creates an LVM storage pool
    Lvm {
        #[command(flatten)]
        pool: PoolArgs,
        /// The LVM volume group to use
        driver_pool_name: String,
        /// Name of the shared space
        #[arg(long)]
        shared_space: Option<String>,
    },
    /// Creates an LVM thin storage pool
    Lvmthin {
        #[command(flatten)]
        pool: PoolArgs,
        /// The thin pool to use, as VG/LV
        driver_pool_name: String,
        /// Name of the shared space
        #[arg(long)]
        shared_space: Option<String>,
    },
    /// Creates a ZFS storage pool
    Zfs {
        #[command(flatten)]
        pool: PoolArgs,
        /// The zpool to use
        driver_pool_name: String,
        /// Name of the shared space
        #[arg(long)]
        shared_space: Option<String>,
    },
    /// Creates a ZFS thin storage pool
    Zfsthin {
        #[command(flatten)]
        pool: PoolArgs,
        /// The zpool to use
        driver_pool_name: String,
        /// Name of the shared space
        #[arg(long)]
        shared_space: Option<String>,
    },
    /// Creates a diskless pool
    Diskless {
        #[command(flatten)]
        pool: PoolArgs,
    },
    /// Creates a swordfish target pool
    #[command(name = "swordfish_target", visible_alias = "sft")]
    SwordfishTarget {
        #[command(flatten)]
        pool: PoolArgs,
        /// Swordfish storage pool
        swordfish_storage_pool: String,
        /// Name of the shared space
        #[arg(long)]
        shared_space: Option<String>,
    },
    /// Creates a swordfish initiator pool
    #[command(name = "swordfish_initiator", visible_alias = "sfi")]
    SwordfishInitiator {
        #[command(flatten)]
        pool: PoolArgs,
        /// Name of the shared space
        #[arg(long)]
        shared_space: Option<String>,
    },
}

/// The pool name a driver's properties point at (0.7.3's `storage_props_to_driver_pool`).
pub fn driver_pool(pool: &StorPool) -> String {
    let get = |k: &str| {
        pool.props
            .iter()
            .find(|p| p.key == k)
            .map(|p| p.value.clone())
            .unwrap_or_default()
    };
    match pool.driver.as_str() {
        drivers::LVM => get(keys::STOR_DRIVER_LVM_VG),
        drivers::LVM_THIN => {
            let vg = get(keys::STOR_DRIVER_LVM_VG);
            let lv = get(keys::STOR_DRIVER_THIN_POOL);
            if vg.is_empty() && lv.is_empty() {
                String::new()
            } else {
                format!("{vg}/{lv}")
            }
        }
        drivers::ZFS => get(keys::STOR_DRIVER_ZPOOL),
        drivers::ZFS_THIN => get(keys::STOR_DRIVER_ZPOOL_THIN),
        _ => String::new(),
    }
}

fn is_diskless(pool: &StorPool) -> bool {
    pool.driver == drivers::DISKLESS || pool.driver == drivers::SWORDFISH_INITIATOR
}

/// The storage pool table.
pub fn sp_table(list: &MsgLstStorPool, opts: &ListOpts) -> Table {
    let mut table = Table::new(SP_COLUMNS);
    opts.apply(&mut table);
    for p in &list.stor_pools {
        let snapshots = p
            .static_traits
            .iter()
            .find(|t| t.key == keys::SUPPORTS_SNAPSHOTS)
            .map(|t| t.value.clone())
            .unwrap_or_default();
        let (free, total) = match &p.free_space {
            Some(f) if !is_diskless(p) => {
                (approximate(f.free_capacity), approximate(f.total_capacity))
            }
            _ => (String::new(), String::new()),
        };
        table.row(vec![
            p.stor_pool_name.clone().into(),
            p.node_name.clone().into(),
            p.driver.clone().into(),
            driver_pool(p).into(),
            free.into(),
            total.into(),
            snapshots.into(),
        ]);
    }
    table
}

/// The max-volume-size table.
pub fn max_table(rsp: &MsgRspMaxVlmSizes) -> Table {
    let mut table = Table::new(MAX_COLUMNS);
    table.group_by_first();
    for c in &rsp.candidates {
        table.row(vec![
            c.stor_pool_dfn.stor_pool_name.clone().into(),
            approximate(u64::try_from(c.max_vlm_size).unwrap_or(0)).into(),
            if c.all_thin == Some(true) {
                "Thin"
            } else {
                "Fat"
            }
            .into(),
            c.node_names.join(", ").into(),
        ]);
    }
    table
}

/// Runs a `storage-pool-definition` subcommand.
pub async fn run_spd(ctx: &Ctx, cmd: SpdCmd) -> Result<i32> {
    let c = &ctx.client;
    match cmd {
        SpdCmd::Create { name } => ctx.replies(
            &c.storage_pool_dfn_create(&StoragePoolDfnCreate { name })
                .await?,
        ),
        SpdCmd::Delete { name } => ctx.replies(
            &c.storage_pool_dfn_delete(MsgDelStorPoolDfn {
                stor_pool_name: name,
                ..Default::default()
            })
            .await?,
        ),
        SpdCmd::List { opts } => {
            let list = ctx.listed(c.storage_pool_dfn_list().await)?;
            if ctx.json() {
                return print_list_json(list.into());
            }
            let mut table = Table::new(SPD_COLUMNS);
            opts.apply(&mut table);
            for d in &list.stor_pool_dfns {
                table.row(vec![d.stor_pool_name.clone().into()]);
            }
            ctx.show(&table, opts.pastable);
            Ok(exit::OK)
        }
        SpdCmd::ListProperties {
            pastable,
            storage_pool_name,
        } => {
            let list = ctx.listed(c.storage_pool_dfn_list().await)?;
            let props = list
                .stor_pool_dfns
                .iter()
                .find(|d| d.stor_pool_name.eq_ignore_ascii_case(&storage_pool_name))
                .map(|d| d.props.as_slice());
            print_props(
                ctx,
                &format!("Storage pool definition '{storage_pool_name}'"),
                props,
                pastable,
            )
        }
        SpdCmd::SetProperty { name, prop } => {
            let (property_dict, delete_props) = prop.changes();
            let req = StoragePoolDfnModify {
                name,
                property_dict,
                delete_props,
            };
            ctx.replies(&c.storage_pool_dfn_modify(&req).await?)
        }
        SpdCmd::QueryMaxVolumeSize(a) => {
            let aux = |v: Vec<String>| -> Vec<String> {
                v.into_iter()
                    .map(|x| format!("{}/{x}", keys::NAMESPC_AUX))
                    .collect()
            };
            let req = MaxVolumeSizes {
                filter: PlacementFilter {
                    place_count: a.replica_count,
                    storage_pool: a.storage_pool,
                    do_not_place_with: a.do_not_place_with,
                    do_not_place_with_regex: a.do_not_place_with_regex,
                    replicas_on_same: aux(a.replicas_on_same),
                    replicas_on_different: aux(a.replicas_on_different),
                },
            };
            let answers = c.storage_pool_dfn_max_vlm_sizes(&req).await?;
            match answers.list::<MsgRspMaxVlmSizes>() {
                Some(rsp) if !ctx.json() => {
                    ctx.show(&max_table(rsp), a.pastable);
                    Ok(exit::OK)
                }
                _ => ctx.replies(&answers),
            }
        }
    }
}

fn create_request(cmd: SpCreate) -> StoragePoolCreate {
    let make = |pool: PoolArgs,
                driver: &str,
                driver_pool: Option<String>,
                shared: Option<String>| StoragePoolCreate {
        node_name: pool.node_name,
        storage_pool_name: pool.name,
        storage_driver: driver.to_owned(),
        driver_pool_name: driver_pool,
        shared_space: shared,
        property_dict: vec![],
    };
    match cmd {
        SpCreate::Lvm {
            pool,
            driver_pool_name,
            shared_space,
        } => make(pool, drivers::LVM, Some(driver_pool_name), shared_space),
        SpCreate::Lvmthin {
            pool,
            driver_pool_name,
            shared_space,
        } => make(
            pool,
            drivers::LVM_THIN,
            Some(driver_pool_name),
            shared_space,
        ),
        SpCreate::Zfs {
            pool,
            driver_pool_name,
            shared_space,
        } => make(pool, drivers::ZFS, Some(driver_pool_name), shared_space),
        SpCreate::Zfsthin {
            pool,
            driver_pool_name,
            shared_space,
        } => make(
            pool,
            drivers::ZFS_THIN,
            Some(driver_pool_name),
            shared_space,
        ),
        SpCreate::Diskless { pool } => make(pool, drivers::DISKLESS, None, None),
        SpCreate::SwordfishTarget {
            pool,
            swordfish_storage_pool,
            shared_space,
        } => {
            let mut req = make(pool, drivers::SWORDFISH_TARGET, None, shared_space);
            req.property_dict = vec![(
                "StorDriver/SwordfishStorPool".to_owned(),
                swordfish_storage_pool,
            )];
            req
        }
        SpCreate::SwordfishInitiator { pool, shared_space } => {
            make(pool, drivers::SWORDFISH_INITIATOR, None, shared_space)
        }
    }
}

/// Runs a `storage-pool` subcommand.
pub async fn run_sp(ctx: &Ctx, cmd: SpCmd) -> Result<i32> {
    let c = &ctx.client;
    match cmd {
        SpCmd::Create(create) => {
            let req = create_request(create);
            match c.storage_pool_create(&req).await {
                Ok(answers) => ctx.replies(&answers),
                Err(linstor_client::ClientError::InvalidArgument(m)) => {
                    eprintln!("Error: {m}");
                    Ok(exit::ARGPARSE_ERROR)
                }
                Err(e) => Err(e.into()),
            }
        }
        SpCmd::Delete { mut names } => {
            let Some(pool) = names.pop() else {
                return Err(exit::usage("a storage pool name is required"));
            };
            let mut all = Vec::new();
            for node_name in names {
                all.push(
                    c.storage_pool_delete(MsgDelStorPool {
                        node_name,
                        stor_pool_name: pool.clone(),
                        ..Default::default()
                    })
                    .await?,
                );
            }
            ctx.replies_of(all)
        }
        SpCmd::List {
            opts,
            storpools,
            nodes,
        } => {
            let filter = ListFilter {
                nodes,
                stor_pools: storpools,
                ..Default::default()
            };
            print_list(
                ctx,
                ctx.listed(c.storage_pool_list(&filter).await)?,
                |list| sp_table(list, &opts),
                opts.pastable,
            )
        }
        SpCmd::ListProperties {
            pastable,
            node_name,
            storage_pool_name,
        } => {
            let list = ctx.listed(c.storage_pool_list(&ListFilter::default()).await)?;
            let props = list
                .stor_pools
                .iter()
                .find(|p| {
                    p.stor_pool_name.eq_ignore_ascii_case(&storage_pool_name)
                        && p.node_name.eq_ignore_ascii_case(&node_name)
                })
                .map(|p| p.props.as_slice());
            print_props(
                ctx,
                &format!("Storage pool '{storage_pool_name}' on node '{node_name}'"),
                props,
                pastable,
            )
        }
        SpCmd::SetProperty {
            node_name,
            name,
            prop,
        } => {
            let (property_dict, delete_props) = prop.changes();
            let req = StoragePoolModify {
                node_name,
                storage_pool_name: name,
                property_dict,
                delete_props,
            };
            ctx.replies(&c.storage_pool_modify(&req).await?)
        }
    }
}
