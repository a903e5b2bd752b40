//! Objects as the list answers show them: nodes (LstNode) and volumes (LstRsc, LstVlm and
//! LstStorPool).

use linstor_proto::consts::{drivers, keys};
use linstor_proto::messages::{
    NetInterface as WireNetIf, Node as WireNode, Vlm as WireVlm, node::ConnectionStatus,
};

use super::names::key;

use super::state::{Model, Node, Rsc, RscDfn, StorPool, Vlm, props_to_wire};

impl Model {
    pub(crate) fn wire_vlm(&self, res: &Rsc, v: &Vlm, with_allocated: bool) -> WireVlm {
        self.wire_vlm_of(
            self.rsc_dfns.get(&key(&res.rsc_name)),
            res,
            v,
            with_allocated,
        )
    }

    /// [`Model::wire_vlm`] with the resource's definition at hand.
    pub(crate) fn wire_vlm_of(
        &self,
        dfn: Option<&RscDfn>,
        res: &Rsc,
        v: &Vlm,
        with_allocated: bool,
    ) -> WireVlm {
        let vd = dfn.and_then(|d| d.vlm_dfns.get(&v.nr));
        let pool = self.pools.get(&(key(&res.node_name), key(&v.stor_pool)));
        WireVlm {
            vlm_uuid: Some(v.uuid.clone()),
            vlm_dfn_uuid: vd.map(|d| d.uuid.clone()),
            vlm_nr: v.nr,
            vlm_minor_nr: vd.and_then(|d| u32::try_from(d.minor).ok()),
            backing_disk: if v.diskless {
                None
            } else {
                backing_disk(pool, &res.rsc_name, v.nr)
            },
            meta_disk: if v.diskless {
                None
            } else {
                Some("internal".to_owned())
            },
            stor_pool_uuid: pool.map(|p| p.uuid.clone()),
            stor_pool_name: Some(v.stor_pool.clone()),
            vlm_flags: vec![],
            vlm_props: vec![],
            stor_pool_driver_name: pool.map(|p| p.driver.clone()),
            stor_pool_dfn_uuid: self.spds.get(&key(&v.stor_pool)).map(|d| d.uuid.clone()),
            stor_pool_dfn_props: vec![],
            stor_pool_props: vec![],
            device_path: vd.map(|d| format!("/dev/drbd{}", d.minor)),
            allocated_size: if with_allocated && !v.diskless {
                vd.and_then(|d| u64::try_from(d.size_kib).ok())
            } else {
                None
            },
            usable_size: None,
        }
    }

    pub(crate) fn wire_volumes_in_pool(&self, node: &str, pool: &str) -> Vec<WireVlm> {
        let node_key = key(node);
        self.rscs
            .iter()
            .filter(|((_, n), _)| *n == node_key)
            .flat_map(|(_, r)| {
                r.vlms
                    .values()
                    .filter(|v| v.stor_pool.eq_ignore_ascii_case(pool))
                    .map(move |v| self.wire_vlm(r, v, false))
            })
            .collect()
    }
}

/// A created volume's backing device path, from its pool's driver properties.
fn backing_disk(pool: Option<&StorPool>, rsc: &str, nr: i32) -> Option<String> {
    let pool = pool?;
    let volume = format!("{rsc}_{nr:05}");
    let prop = |k: &str| pool.props.get(k).cloned();
    match pool.driver.as_str() {
        d if d == drivers::LVM || d == drivers::LVM_THIN => Some(format!(
            "/dev/{}/{volume}",
            prop(keys::STOR_DRIVER_LVM_VG).unwrap_or_else(|| pool.name.clone())
        )),
        d if d == drivers::ZFS => Some(format!(
            "/dev/zvol/{}/{volume}",
            prop(keys::STOR_DRIVER_ZPOOL).unwrap_or_else(|| pool.name.clone())
        )),
        d if d == drivers::ZFS_THIN => Some(format!(
            "/dev/zvol/{}/{volume}",
            prop(keys::STOR_DRIVER_ZPOOL_THIN).unwrap_or_else(|| pool.name.clone())
        )),
        _ => None,
    }
}

/// A node as `LstNode` shows it: the satellite port and encryption type only on the
/// interface that carries the satellite connection; `ONLINE` unless a scenario took its
/// satellite offline.
pub(crate) fn wire_node(n: &Node) -> WireNode {
    WireNode {
        uuid: Some(n.uuid.clone()),
        name: n.name.clone(),
        r#type: n.node_type.clone(),
        props: props_to_wire(&n.props),
        flags: n.flags.clone(),
        net_interfaces: n
            .net_ifs
            .iter()
            .map(|i| WireNetIf {
                uuid: Some(i.uuid.clone()),
                name: i.name.clone(),
                address: i.address.clone(),
                stlt_port: i.stlt.as_ref().map(|s| s.0),
                stlt_encryption_type: i.stlt.as_ref().map(|s| s.1.clone()),
            })
            .collect(),
        connection_status: Some(if n.offline {
            ConnectionStatus::Offline as i32
        } else {
            ConnectionStatus::Online as i32
        }),
    }
}
