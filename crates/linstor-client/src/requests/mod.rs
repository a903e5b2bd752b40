//! Request builders: for each API call whose Python method has client-side logic
//! (default ports, key splitting, driver names, flag lists, property changes), one argument
//! struct that builds the call's [`Request`] exactly as python-linstor 0.7.3 encodes it:
//! optional arguments that are not given are not sent; given ones are sent even when zero;
//! map entries keep their order. Calls whose arguments are a plain copy take the generated
//! message itself (e.g. [`Client::node_delete`](crate::Client::node_delete) takes a
//! `MsgDelNode`); every request is a [`Request`] variant, so a call and its body cannot be
//! mismatched.
//!
//! Building a request is pure, so the golden tests compare these bytes with the frames the
//! Python client sent.

mod controller;
mod nodes;
mod resources;
mod snapshots;
mod storage;

pub use controller::*;
pub use nodes::*;
pub use resources::*;
pub use snapshots::*;
pub use storage::*;

use linstor_proto::Request;
use linstor_proto::messages::{AutoSelectFilter, Filter, LinStorMapEntry};

use crate::ClientError;

/// Something that becomes one request.
pub trait IntoRequest {
    /// Builds the request.
    ///
    /// # Errors
    ///
    /// [`ClientError::InvalidArgument`] for arguments the Python client refuses locally.
    fn request(&self) -> Result<Request, ClientError>;
}

impl IntoRequest for Request {
    fn request(&self) -> Result<Request, ClientError> {
        Ok(self.clone())
    }
}

/// Ordered property entries (`property_dict` of the Python client).
pub type Props = Vec<(String, String)>;

fn entries(props: &[(String, String)]) -> Vec<LinStorMapEntry> {
    props
        .iter()
        .map(|(k, v)| LinStorMapEntry {
            key: k.clone(),
            value: v.clone(),
        })
        .collect()
}

fn invalid(msg: impl Into<String>) -> ClientError {
    ClientError::InvalidArgument(msg.into())
}

/// The auto-place filter arguments shared by `storage_pool_dfn_max_vlm_sizes` and
/// `resource_auto_place`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlacementFilter {
    /// Number of diskful replicas.
    pub place_count: u32,
    /// Storage pool to use.
    pub storage_pool: Option<String>,
    /// Resources not to share a node with.
    pub do_not_place_with: Vec<String>,
    /// Regular expression of resources not to share a node with.
    pub do_not_place_with_regex: Option<String>,
    /// Node property keys (or `key=value`) replicas must share.
    pub replicas_on_same: Vec<String>,
    /// Node property keys whose values replicas must not share.
    pub replicas_on_different: Vec<String>,
}

impl PlacementFilter {
    /// The wire form.
    pub fn wire(&self) -> AutoSelectFilter {
        AutoSelectFilter {
            place_count: self.place_count,
            storage_pool: self.storage_pool.clone(),
            not_place_with_rsc: self.do_not_place_with.clone(),
            not_place_with_rsc_regex: self.do_not_place_with_regex.clone(),
            replicas_on_same: self.replicas_on_same.clone(),
            replicas_on_different: self.replicas_on_different.clone(),
        }
    }
}

/// `storage_pool_list`, `resource_list` and `volume_list`: a `Filter` (always sent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Node names.
    pub nodes: Vec<String>,
    /// Storage pool names (`storage_pool_list`, `volume_list`).
    pub stor_pools: Vec<String>,
    /// Resource names (`resource_list`, `volume_list`).
    pub resources: Vec<String>,
}

impl ListFilter {
    /// The wire form (always sent, even when empty, as the Python client does).
    pub fn wire(&self) -> Filter {
        Filter {
            node_names: self.nodes.clone(),
            stor_pool_names: self.stor_pools.clone(),
            resource_names: self.resources.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::controller::split_key;
    use super::*;

    #[test]
    fn default_satellite_ports_follow_the_python_client() {
        let port = |com: &str, kind: &str| {
            let mut n = NodeCreate::new("a", kind, "1.2.3.4");
            n.com_type = com.into();
            match n.request().unwrap() {
                Request::CrtNode(m) => m.node.net_interfaces[0].stlt_port,
                _ => None,
            }
        };
        assert_eq!(port("Plain", "Satellite"), Some(3366));
        assert_eq!(port("Plain", "Controller"), Some(3376));
        assert_eq!(port("SSL", "Satellite"), Some(3367));
        assert_eq!(port("SSL", "Combined"), Some(3377));
        assert!(
            NodeCreate {
                com_type: "Carrier-Pigeon".into(),
                ..NodeCreate::new("a", "Satellite", "1.2.3.4")
            }
            .request()
            .is_err()
        );
        assert!(
            NodeCreate::new("a", "SWORDFISH_TARGET", "1.2.3.4")
                .request()
                .is_err()
        );
    }

    #[test]
    fn local_argument_checks() {
        let thin = StoragePoolCreate {
            storage_driver: "LvmThinDriver".into(),
            driver_pool_name: Some("novg".into()),
            ..Default::default()
        };
        assert!(matches!(
            thin.request(),
            Err(ClientError::InvalidArgument(_))
        ));
        let netif = NetInterfaceCreate(NetInterfaceArgs {
            port: Some(3366),
            ..Default::default()
        });
        assert!(netif.request().is_err());
        assert_eq!(split_key("a/b/c"), (Some("a/b".into()), "c".into()));
        assert_eq!(split_key("plain"), (None, "plain".into()));
    }
}
