//! `resource-definition` (create, delete, list, list-properties, set-property,
//! drbd-options) and `volume-definition` (create, delete, list, list-properties,
//! set-property, drbd-options, set-size).

use anyhow::{Result, bail};
use clap::Subcommand;
use linstor_client::highlevel::parse_size;
use linstor_client::requests::{
    ResourceDfnCreate, ResourceDfnModify, VolumeDfnCreate, VolumeDfnModify,
};
use linstor_proto::Request;
use linstor_proto::consts::flags;
use linstor_proto::messages::{MsgDelRscDfn, MsgDelVlmDfn, MsgLstRscDfn};

use super::node::eoia;
use super::{ListOpts, PropArgs, print_list, print_props};
use crate::ctx::Ctx;
use crate::drbd::{self, Section};
use crate::exit;
use crate::size::approximate;
use crate::table::{Column, Table, Text, Tint, col, state};

/// The columns of `resource-definition list`.
pub const RD_COLUMNS: &[Column] = &[col("ResourceName"), col("Port"), state("State", false)];
/// The columns of `volume-definition list`.
pub const VD_COLUMNS: &[Column] = &[
    col("ResourceName"),
    col("VolumeNr"),
    col("VolumeMinor"),
    col("Size"),
    state("State", false),
];

/// `resource-definition` subcommands.
#[derive(Debug, Subcommand)]
pub enum RscDfnCmd {
    /// Defines a resource for use with linstor
    #[command(visible_alias = "c")]
    Create {
        /// DRBD TCP port (auto-allocated without it)
        #[arg(long, value_parser = clap::value_parser!(i32).range(1..=65535))]
        port: Option<i32>,
        /// Name of the new resource definition
        name: String,
    },
    /// Removes a resource definition and its resources
    #[command(visible_alias = "d")]
    Delete {
        /// Do not wait for the satellites before returning
        #[arg(long = "async")]
        async_: bool,
        /// Name of the resource definition
        name: String,
    },
    /// Prints a list of all resource definitions
    #[command(visible_aliases = ["l", "ls"])]
    List {
        #[command(flatten)]
        opts: ListOpts,
        /// Filter by list of resources
        #[arg(short, long, num_args = 1..)]
        resources: Vec<String>,
    },
    /// Prints all properties of the given resource definition
    #[command(visible_alias = "lp")]
    ListProperties {
        /// Generate pastable output
        #[arg(short, long)]
        pastable: bool,
        /// Resource definition
        resource_name: String,
    },
    /// Sets a property of the given resource definition
    #[command(visible_alias = "sp")]
    SetProperty {
        /// Resource definition
        name: String,
        #[command(flatten)]
        prop: PropArgs,
    },
    /// Sets DRBD options of a resource definition
    #[command(visible_alias = "opt", after_help = drbd::help(drbd::ALL))]
    DrbdOptions {
        /// Resource definition
        resource: String,
        /// --<option> <value> / --unset-<option>
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        options: Vec<String>,
    },
}

/// `volume-definition` subcommands.
#[derive(Debug, Subcommand)]
pub enum VlmDfnCmd {
    /// Defines a volume of a resource definition
    #[command(visible_alias = "c")]
    Create {
        /// Storage pool of the volume
        #[arg(short, long)]
        storage_pool: Option<String>,
        /// Volume number (lowest free without it)
        #[arg(long)]
        vlmnr: Option<i32>,
        /// Minor number (auto without it)
        #[arg(long)]
        minor: Option<i32>,
        /// Encrypt the volume
        #[arg(long)]
        encrypt: bool,
        /// Resource definition
        resource_name: String,
        /// Size; the default unit is GiB (units: K, M, G, T, P, KiB .., kB, MB ..)
        size: String,
    },
    /// Removes a volume definition
    #[command(visible_alias = "d")]
    Delete {
        /// Do not wait for the satellites before returning
        #[arg(long = "async")]
        async_: bool,
        /// Resource definition
        resource_name: String,
        /// Volume number
        volume_nr: i32,
    },
    /// Prints a list of all volume definitions
    #[command(visible_aliases = ["l", "ls"])]
    List {
        #[command(flatten)]
        opts: ListOpts,
        /// Filter by list of resources
        #[arg(short, long, num_args = 1..)]
        resources: Vec<String>,
    },
    /// Prints all properties of the given volume definition
    #[command(visible_alias = "lp")]
    ListProperties {
        /// Generate pastable output
        #[arg(short, long)]
        pastable: bool,
        /// Resource definition
        resource_name: String,
        /// Volume number
        volume_nr: i32,
    },
    /// Sets a property of the given volume definition
    #[command(visible_alias = "sp")]
    SetProperty {
        /// Resource definition
        resource_name: String,
        /// Volume number
        volume_nr: i32,
        #[command(flatten)]
        prop: PropArgs,
    },
    /// Sets DRBD disk options of a volume definition
    #[command(visible_alias = "opt", after_help = drbd::help(&[Section::Disk]))]
    DrbdOptions {
        /// Resource definition
        resource_name: String,
        /// Volume number
        volume_nr: i32,
        /// --<option> <value> / --unset-<option>
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        options: Vec<String>,
    },
    /// Changes the size of a volume definition (growing only)
    #[command(visible_alias = "size")]
    SetSize {
        /// Resource definition
        resource_name: String,
        /// Volume number
        volume_nr: i32,
        /// New size; the default unit is GiB
        size: String,
    },
}

/// A volume size argument in KiB, rounded up (no unit means GiB, as 0.7.3).
///
/// # Errors
///
/// A size that does not parse or is zero.
pub fn size_kib(text: &str) -> Result<i64> {
    let t = text.trim();
    let with_unit = if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        format!("{t} GiB")
    } else {
        t.to_owned()
    };
    let bytes = parse_size(&with_unit)?;
    if bytes == 0 {
        bail!("invalid size '{text}': must be greater than zero");
    }
    Ok(i64::try_from(bytes.div_ceil(1024))?)
}

fn deleting(flags_: &[String]) -> Text {
    if flags_.iter().any(|f| f == flags::DELETE) {
        Text::tinted("DELETING", Tint::Red)
    } else {
        "ok".into()
    }
}

/// The resource definition table.
pub fn rd_table(list: &MsgLstRscDfn, filter: &[String], opts: &ListOpts) -> Table {
    let mut table = Table::new(RD_COLUMNS);
    opts.apply(&mut table);
    for rd in &list.rsc_dfns {
        if !filter.is_empty() && !filter.iter().any(|f| f.eq_ignore_ascii_case(&rd.rsc_name)) {
            continue;
        }
        table.row(vec![
            rd.rsc_name.clone().into(),
            rd.rsc_dfn_port
                .map(|p| p.to_string())
                .unwrap_or_default()
                .into(),
            deleting(&rd.rsc_dfn_flags),
        ]);
    }
    table
}

/// The volume definition table.
pub fn vd_table(list: &MsgLstRscDfn, filter: &[String], opts: &ListOpts) -> Table {
    let mut table = Table::new(VD_COLUMNS);
    opts.apply(&mut table);
    for rd in &list.rsc_dfns {
        if !filter.is_empty() && !filter.iter().any(|f| f.eq_ignore_ascii_case(&rd.rsc_name)) {
            continue;
        }
        for vd in &rd.vlm_dfns {
            table.row(vec![
                rd.rsc_name.clone().into(),
                vd.vlm_nr.map(|n| n.to_string()).unwrap_or_default().into(),
                vd.vlm_minor
                    .map(|n| n.to_string())
                    .unwrap_or_default()
                    .into(),
                approximate(u64::try_from(vd.vlm_size).unwrap_or(0)).into(),
                deleting(&vd.vlm_flags),
            ]);
        }
    }
    table
}

/// Runs a `resource-definition` subcommand.
pub async fn run_rd(ctx: &Ctx, cmd: RscDfnCmd) -> Result<i32> {
    let c = &ctx.client;
    match cmd {
        RscDfnCmd::Create { port, name } => ctx.replies(
            &c.resource_dfn_create(&ResourceDfnCreate { name, port })
                .await?,
        ),
        RscDfnCmd::Delete { async_, name } => {
            let body = MsgDelRscDfn {
                rsc_name: name,
                ..Default::default()
            };
            let answers = if async_ {
                c.call_with(&Request::DelRscDfn(body), eoia()).await?
            } else {
                c.resource_dfn_delete(body).await?
            };
            ctx.replies(&answers)
        }
        RscDfnCmd::List { opts, resources } => print_list(
            ctx,
            ctx.listed(c.resource_dfn_list().await)?,
            |list| rd_table(list, &resources, &opts),
            opts.pastable,
        ),
        RscDfnCmd::ListProperties {
            pastable,
            resource_name,
        } => {
            let list = ctx.listed(c.resource_dfn_list().await)?;
            let props = list
                .rsc_dfns
                .iter()
                .find(|r| r.rsc_name.eq_ignore_ascii_case(&resource_name))
                .map(|r| r.rsc_dfn_props.as_slice());
            print_props(
                ctx,
                &format!("Resource definition '{resource_name}'"),
                props,
                pastable,
            )
        }
        RscDfnCmd::SetProperty { name, prop } => {
            let (property_dict, delete_props) = prop.changes();
            let req = ResourceDfnModify {
                name,
                property_dict,
                delete_props,
            };
            ctx.replies(&c.resource_dfn_modify(&req).await?)
        }
        RscDfnCmd::DrbdOptions { resource, options } => {
            let (property_dict, delete_props) =
                drbd::parse(&options, drbd::ALL).map_err(exit::usage)?;
            let req = ResourceDfnModify {
                name: resource,
                property_dict,
                delete_props,
            };
            ctx.replies(&c.resource_dfn_modify(&req).await?)
        }
    }
}

/// Runs a `volume-definition` subcommand.
pub async fn run_vd(ctx: &Ctx, cmd: VlmDfnCmd) -> Result<i32> {
    let c = &ctx.client;
    match cmd {
        VlmDfnCmd::Create {
            storage_pool,
            vlmnr,
            minor,
            encrypt,
            resource_name,
            size,
        } => {
            let req = VolumeDfnCreate {
                rsc_name: resource_name,
                size: size_kib(&size).map_err(exit::usage)?,
                volume_nr: vlmnr,
                minor_nr: minor,
                encrypt,
                storage_pool,
            };
            ctx.replies(&c.volume_dfn_create(&req).await?)
        }
        VlmDfnCmd::Delete {
            async_,
            resource_name,
            volume_nr,
        } => {
            let body = MsgDelVlmDfn {
                rsc_name: resource_name,
                vlm_nr: volume_nr,
                ..Default::default()
            };
            let answers = if async_ {
                c.call_with(&Request::DelVlmDfn(body), eoia()).await?
            } else {
                c.volume_dfn_delete(body).await?
            };
            ctx.replies(&answers)
        }
        VlmDfnCmd::List { opts, resources } => print_list(
            ctx,
            ctx.listed(c.resource_dfn_list().await)?,
            |list| vd_table(list, &resources, &opts),
            opts.pastable,
        ),
        VlmDfnCmd::ListProperties {
            pastable,
            resource_name,
            volume_nr,
        } => {
            let list = ctx.listed(c.resource_dfn_list().await)?;
            let props = list
                .rsc_dfns
                .iter()
                .find(|r| r.rsc_name.eq_ignore_ascii_case(&resource_name))
                .and_then(|r| r.vlm_dfns.iter().find(|v| v.vlm_nr == Some(volume_nr)))
                .map(|v| v.vlm_props.as_slice());
            print_props(
                ctx,
                &format!("Volume definition '{resource_name}/{volume_nr}'"),
                props,
                pastable,
            )
        }
        VlmDfnCmd::SetProperty {
            resource_name,
            volume_nr,
            prop,
        } => {
            let (set_properties, delete_properties) = prop.changes();
            let req = VolumeDfnModify {
                rsc_name: resource_name,
                volume_nr,
                set_properties,
                delete_properties,
                size: None,
            };
            ctx.replies(&c.volume_dfn_modify(&req).await?)
        }
        VlmDfnCmd::DrbdOptions {
            resource_name,
            volume_nr,
            options,
        } => {
            let (set_properties, delete_properties) =
                drbd::parse(&options, &[Section::Disk]).map_err(exit::usage)?;
            let req = VolumeDfnModify {
                rsc_name: resource_name,
                volume_nr,
                set_properties,
                delete_properties,
                size: None,
            };
            ctx.replies(&c.volume_dfn_modify(&req).await?)
        }
        VlmDfnCmd::SetSize {
            resource_name,
            volume_nr,
            size,
        } => {
            let req = VolumeDfnModify {
                rsc_name: resource_name,
                volume_nr,
                size: Some(size_kib(&size).map_err(exit::usage)?),
                ..Default::default()
            };
            ctx.replies(&c.volume_dfn_modify(&req).await?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::size_kib;

    #[test]
    fn sizes_default_to_gib_and_round_up() {
        assert_eq!(size_kib("1").unwrap(), 1 << 20);
        assert_eq!(size_kib("10M").unwrap(), 10240);
        assert_eq!(size_kib("10MiB").unwrap(), 10240);
        assert_eq!(size_kib("1500B").unwrap(), 2);
        assert!(size_kib("0").is_err());
        assert!(size_kib("ten").is_err());
    }
}
