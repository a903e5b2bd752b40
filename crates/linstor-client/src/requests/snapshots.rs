//! Request builders of the snapshot calls with client-side logic (node lists, restore
//! targets).

use linstor_proto::Request;
#[allow(unused_imports)]
use linstor_proto::consts::*;
use linstor_proto::messages::*;

use super::*;
use crate::ClientError;

/// `snapshot_create`: `CrtSnapshot`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotCreate {
    /// Nodes (empty: every diskful node).
    pub node_names: Vec<String>,
    /// Resource name.
    pub rsc_name: String,
    /// Snapshot name.
    pub snapshot_name: String,
}

impl IntoRequest for SnapshotCreate {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::CrtSnapshot(MsgCrtSnapshot {
            snapshot_dfn: SnapshotDfn {
                snapshot_name: self.snapshot_name.clone(),
                rsc_name: self.rsc_name.clone(),
                snapshots: self
                    .node_names
                    .iter()
                    .map(|n| Snapshot {
                        node_name: n.clone(),
                    })
                    .collect(),
                ..Default::default()
            },
        }))
    }
}

/// `snapshot_resource_restore`: `RestoreSnapshot`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotResourceRestore {
    /// Nodes (empty: every node holding the snapshot).
    pub node_names: Vec<String>,
    /// Source resource.
    pub from_resource: String,
    /// Source snapshot.
    pub from_snapshot: String,
    /// Target resource definition.
    pub to_resource: String,
}

impl IntoRequest for SnapshotResourceRestore {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(Request::RestoreSnapshot(MsgRestoreSnapshotRsc {
            nodes: self
                .node_names
                .iter()
                .map(|n| RestoreNode { name: n.clone() })
                .collect(),
            from_resource_name: self.from_resource.clone(),
            from_snapshot_name: self.from_snapshot.clone(),
            to_resource_name: self.to_resource.clone(),
        }))
    }
}
