//! Event streams (`docs/events.md#event-script`): the identity of a stream, its latest
//! value, the changes a call causes, and how a watch's filter selects streams. Nothing here
//! knows the model's objects: callers pass names and volume states.

use std::collections::BTreeMap;

use linstor_proto::consts::events;
use linstor_proto::messages::eventdata::{EventRscState, EventVlmDiskState};

use super::names;

/// The two kinds of event stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StreamKind {
    /// `ResourceState` of (node, resource).
    ResourceState,
    /// `VlmDiskState` of (node, resource, volume).
    VolumeDiskState,
}

impl StreamKind {
    /// The event name on the wire.
    pub fn event_name(self) -> &'static str {
        match self {
            StreamKind::ResourceState => events::RESOURCE_STATE,
            StreamKind::VolumeDiskState => events::VOLUME_DISK_STATE,
        }
    }
}

/// Identity of one event stream; names as created (compared case-insensitively by watches).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamKey {
    /// Resource name (upper-cased key first, for ordering).
    pub rsc_key: String,
    /// Node name key.
    pub node_key: String,
    /// Stream kind (volume streams after the resource stream of the same object).
    pub kind: StreamKind,
    /// Volume number for volume streams.
    pub volume: Option<i32>,
    /// Node name as created.
    pub node: String,
    /// Resource name as created.
    pub resource: String,
}

impl StreamKey {
    pub(crate) fn resource(node: &str, resource: &str) -> StreamKey {
        StreamKey {
            rsc_key: names::key(resource),
            node_key: names::key(node),
            kind: StreamKind::ResourceState,
            volume: None,
            node: node.to_owned(),
            resource: resource.to_owned(),
        }
    }

    pub(crate) fn volume(node: &str, resource: &str, volume: i32) -> StreamKey {
        StreamKey {
            kind: StreamKind::VolumeDiskState,
            volume: Some(volume),
            ..StreamKey::resource(node, resource)
        }
    }
}

/// The value carried by a `Value` event.
#[derive(Debug, Clone, PartialEq)]
pub enum EventData {
    /// `EventRscState`.
    Resource(EventRscState),
    /// `EventVlmDiskState`.
    Volume(EventVlmDiskState),
}

/// What happened to a stream.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamAction {
    /// A new value (`Value`).
    Value(EventData),
    /// The object is gone (`CloseRemoved`).
    CloseRemoved,
    /// The satellite connection is lost (`CloseNoConnection`).
    CloseNoConnection,
}

impl StreamAction {
    /// The action name on the wire.
    pub fn name(&self) -> &'static str {
        match self {
            StreamAction::Value(_) => events::VALUE,
            StreamAction::CloseRemoved => events::CLOSE_REMOVED,
            StreamAction::CloseNoConnection => events::CLOSE_NO_CONNECTION,
        }
    }
}

/// One change of one stream.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamEvent {
    /// The stream.
    pub key: StreamKey,
    /// The change.
    pub action: StreamAction,
}

/// The object filter of a watch (`MsgCrtWatch`); unset parts are wildcards.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WatchFilter {
    /// Event name; `None` or empty = every event.
    pub event_name: Option<String>,
    /// Node name.
    pub node: Option<String>,
    /// Resource name.
    pub resource: Option<String>,
    /// Volume number (only with a resource).
    pub volume: Option<i32>,
}

impl WatchFilter {
    /// Whether the stream is delivered to this watch (`docs/events.md#event-script`).
    pub fn matches(&self, key: &StreamKey) -> bool {
        let name_ok = match self.event_name.as_deref() {
            None | Some("") => true,
            Some(name) => name == key.kind.event_name(),
        };
        let node_ok = self
            .node
            .as_ref()
            .is_none_or(|n| n.eq_ignore_ascii_case(&key.node));
        let rsc_ok = self
            .resource
            .as_ref()
            .is_none_or(|r| r.eq_ignore_ascii_case(&key.resource));
        let vlm_ok = self.volume.is_none_or(|v| key.volume == Some(v));
        name_ok && node_ok && rsc_ok && vlm_ok
    }
}

/// The latest value of every open stream. Opening, updating and closing a stream records
/// the change in the call's event list.
#[derive(Debug, Clone, Default)]
pub(crate) struct Streams(BTreeMap<StreamKey, EventData>);

impl Streams {
    pub(crate) fn get(&self, key: &StreamKey) -> Option<&EventData> {
        self.0.get(key)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&StreamKey, &EventData)> {
        self.0.iter()
    }

    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }

    /// Closes a stream (if open) and records the event.
    pub(crate) fn close(
        &mut self,
        out: &mut Vec<StreamEvent>,
        key: StreamKey,
        action: StreamAction,
    ) {
        if self.0.remove(&key).is_some() {
            out.push(StreamEvent { key, action });
        }
    }

    /// The event script for a deployed resource (`docs/events.md#event-script`): each
    /// volume's disk state, then the resource state; only values that changed are sent.
    pub(crate) fn resource_state(
        &mut self,
        out: &mut Vec<StreamEvent>,
        node: &str,
        name: &str,
        volumes: impl IntoIterator<Item = (i32, String)>,
        ready: bool,
    ) {
        let mut up_to_date = true;
        for (nr, state) in volumes {
            up_to_date &= state == "UpToDate";
            let key = StreamKey::volume(node, name, nr);
            let data = EventData::Volume(EventVlmDiskState {
                disk_state: Some(state),
            });
            self.update(out, key, data);
        }
        let data = EventData::Resource(EventRscState {
            ready: Some(ready),
            in_use: Some(false),
            up_to_date: Some(up_to_date),
        });
        self.update(out, StreamKey::resource(node, name), data);
    }

    /// Sets a stream's value and records the event, unless the stream holds `data` already:
    /// one search of the map.
    fn update(&mut self, out: &mut Vec<StreamEvent>, key: StreamKey, data: EventData) {
        use std::collections::btree_map::Entry;
        let key = match self.0.entry(key) {
            Entry::Occupied(e) if *e.get() == data => return,
            Entry::Occupied(mut e) => {
                e.insert(data.clone());
                e.key().clone()
            }
            Entry::Vacant(e) => {
                let key = e.key().clone();
                e.insert(data.clone());
                key
            }
        };
        out.push(StreamEvent {
            key,
            action: StreamAction::Value(data),
        });
    }

    /// Closes every stream of a resource: volumes first, then the resource state.
    pub(crate) fn close_resource(
        &mut self,
        out: &mut Vec<StreamEvent>,
        node: &str,
        resource: &str,
        action: StreamAction,
    ) {
        // Keys order by resource, then node: the streams of one resource are one range.
        let (rsc_key, node_key) = (names::key(resource), names::key(node));
        let first = StreamKey {
            rsc_key: rsc_key.clone(),
            node_key: node_key.clone(),
            kind: StreamKind::ResourceState,
            volume: None,
            node: String::new(),
            resource: String::new(),
        };
        let keys: Vec<StreamKey> = self
            .0
            .range(first..)
            .map(|(k, _)| k)
            .take_while(|k| k.rsc_key == rsc_key && k.node_key == node_key)
            .cloned()
            .collect();
        let (resource_keys, volume_keys): (Vec<_>, Vec<_>) = keys
            .into_iter()
            .partition(|k| k.kind == StreamKind::ResourceState);
        for key in volume_keys.into_iter().chain(resource_keys) {
            self.close(out, key, action.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watch_matching_follows_the_table() {
        let rs = StreamKey::resource("alpha", "rsc1");
        let v0 = StreamKey::volume("alpha", "rsc1", 0);
        let other = StreamKey::volume("bravo", "rsc2", 1);
        let all = WatchFilter::default();
        assert!(all.matches(&rs) && all.matches(&v0) && all.matches(&other));
        let node = WatchFilter {
            node: Some("ALPHA".into()),
            ..Default::default()
        };
        assert!(node.matches(&rs) && node.matches(&v0) && !node.matches(&other));
        let rsc_vlm = WatchFilter {
            resource: Some("rsc1".into()),
            volume: Some(0),
            ..Default::default()
        };
        assert!(!rsc_vlm.matches(&rs) && rsc_vlm.matches(&v0));
        let by_name = WatchFilter {
            event_name: Some("ResourceState".into()),
            ..Default::default()
        };
        assert!(by_name.matches(&rs) && !by_name.matches(&v0));
    }
}
