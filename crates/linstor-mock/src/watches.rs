//! Watches and event delivery: the registry of connections with their watches, the
//! `CrtWatch`/`DelWatch` calls (their state is per connection), and the encoding of event
//! frames. Each connection has a bounded queue of what other tasks send it (event frames,
//! the delayed part of its calls: [`Push`]); a connection whose queue is full is dropped
//! from the registry, which closes it, so a client that stops reading cannot make the
//! controller buffer without bound.

use std::collections::HashMap;

use linstor_codec::{Frame, Outgoing};
use linstor_proto::WireMessage;
use linstor_proto::calls::oneway;
use linstor_proto::consts::events;
use linstor_proto::messages::{MsgApiCallResponse, MsgCrtWatch, MsgDelWatch, MsgEvent, MsgHeader};
use linstor_proto::return_code::{Operation, ReturnCode as RC};
use tokio::sync::mpsc;

use crate::connection::Push;
use crate::model::names::{valid_node_name, valid_rsc_name, valid_snapshot_name};
use crate::model::{EventData, Model, StreamAction, StreamEvent, StreamKey, WatchFilter};

/// One connection's entry in the registry.
#[derive(Debug)]
struct Conn {
    watches: Vec<(i32, WatchFilter)>,
    events: mpsc::Sender<Push>,
}

/// Every open connection and its watches.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    conns: HashMap<u64, Conn>,
    /// Streams with events scheduled but not yet delivered (the delayed event script): a new
    /// watch does not see their value early; it gets the events when they are delivered.
    held: HashMap<StreamKey, usize>,
    /// The control plane, told of every delivery.
    hub: Option<std::sync::Arc<crate::admin::Hub>>,
}

impl Registry {
    /// A registry that reports its deliveries to `hub`.
    pub(crate) fn with_hub(hub: std::sync::Arc<crate::admin::Hub>) -> Registry {
        Registry {
            hub: Some(hub),
            ..Registry::default()
        }
    }

    /// Whether a stream has events scheduled but not yet delivered.
    pub(crate) fn is_held(&self, key: &StreamKey) -> bool {
        self.held.contains_key(key)
    }

    /// The watches of one connection: id and filter.
    pub(crate) fn watches_of(&self, id: u64) -> Vec<(i32, WatchFilter)> {
        self.conns
            .get(&id)
            .map(|c| c.watches.clone())
            .unwrap_or_default()
    }

    pub(crate) fn register(&mut self, id: u64, events: mpsc::Sender<Push>) {
        self.conns.insert(
            id,
            Conn {
                watches: Vec::new(),
                events,
            },
        );
    }

    pub(crate) fn unregister(&mut self, id: u64) {
        self.conns.remove(&id);
    }

    /// Number of watches over all connections.
    pub(crate) fn watch_count(&self) -> usize {
        self.conns.values().map(|c| c.watches.len()).sum()
    }

    /// Marks the streams of scheduled events as held until [`Registry::deliver_held`].
    pub(crate) fn hold(&mut self, events: &[StreamEvent]) {
        for e in events {
            *self.held.entry(e.key.clone()).or_default() += 1;
        }
    }

    /// Delivers scheduled events and releases their streams. Events whose stream is no
    /// longer held were dropped by [`Registry::forget_held`] (the model was replaced since)
    /// and are not delivered.
    pub(crate) fn deliver_held(&mut self, events: &[StreamEvent]) {
        let mut due = Vec::with_capacity(events.len());
        for e in events {
            if let Some(n) = self.held.get_mut(&e.key) {
                *n -= 1;
                if *n == 0 {
                    self.held.remove(&e.key);
                }
                due.push(e.clone());
            }
        }
        self.deliver(&due);
    }

    /// Drops every scheduled event (the model they came from was replaced): the delayed
    /// tails still answer their calls, but their events are not delivered.
    pub(crate) fn forget_held(&mut self) {
        self.held.clear();
    }

    /// Queues every event on every matching watch. A connection whose queue is full is
    /// removed (its queue closes, and with it the connection).
    pub(crate) fn deliver(&mut self, events: &[StreamEvent]) {
        if events.is_empty() {
            return;
        }
        let mut overloaded = Vec::new();
        let mut sent = 0;
        // Each event is encoded once per watch id, and that frame shared by every watch with
        // the id (clients number their watches from 1, so mostly once in all).
        let mut frames: Vec<HashMap<i32, Option<Frame>>> = vec![HashMap::new(); events.len()];
        for (id, conn) in &self.conns {
            'events: for (event, frames) in events.iter().zip(frames.iter_mut()) {
                for (watch_id, filter) in &conn.watches {
                    if filter.matches(&event.key) {
                        let frame = frames
                            .entry(*watch_id)
                            .or_insert_with(|| event_frame(*watch_id, &event.key, &event.action));
                        let Some(frame) = frame.clone() else {
                            continue;
                        };
                        if conn.events.try_send(Push::Event(frame)).is_err() {
                            overloaded.push(*id);
                            break 'events;
                        }
                        sent += 1;
                    }
                }
            }
        }
        if let Some(hub) = &self.hub {
            hub.on_events(events, sent);
        }
        for id in overloaded {
            tracing::warn!(
                connection = id,
                "event queue full: closing the connection of a client that does not read"
            );
            self.conns.remove(&id);
        }
    }

    /// `CrtWatch`: validates, registers, and returns the reply plus the current value of
    /// every matching stream as event frames.
    pub(crate) fn create_watch(
        &mut self,
        conn: u64,
        msg: MsgCrtWatch,
        model: &Model,
    ) -> (MsgApiCallResponse, Vec<Frame>) {
        let crt = |code: RC, message: String| MsgApiCallResponse {
            ret_code: code.with_op(Operation::Create).0,
            message,
            ..Default::default()
        };
        for (name, valid, code) in [
            (
                msg.node_name.as_deref(),
                valid_node_name as fn(&str) -> bool,
                RC::FAIL_INVLD_NODE_NAME,
            ),
            (
                msg.resource_name.as_deref(),
                valid_rsc_name,
                RC::FAIL_INVLD_RSC_NAME,
            ),
            (
                msg.snapshot_name.as_deref(),
                valid_snapshot_name,
                RC::FAIL_INVLD_SNAPSHOT_NAME,
            ),
        ] {
            if let Some(name) = name.filter(|n| !valid(n)) {
                return (crt(code, format!("Invalid name: {name}")), Vec::new());
            }
        }
        let volume = if msg.filter_by_volume_number == Some(true) {
            msg.volume_number
        } else {
            None
        };
        if let Some(v) = volume.filter(|v| !(0..=65534).contains(v)) {
            return (
                crt(RC::FAIL_INVLD_VLM_NR, format!("Invalid volume number: {v}")),
                Vec::new(),
            );
        }
        if let Some(e) = msg.event_name.as_deref().filter(|e| !e.is_empty())
            && e != events::RESOURCE_STATE
            && e != events::VOLUME_DISK_STATE
        {
            return (
                crt(RC::FAIL_UNKNOWN_ERROR, format!("Unknown event name '{e}'")),
                Vec::new(),
            );
        }
        let filter = WatchFilter {
            event_name: msg.event_name,
            node: msg.node_name,
            resource: msg.resource_name,
            volume,
        };
        let mut initial = Vec::new();
        if let Some(c) = self.conns.get_mut(&conn) {
            if c.watches.iter().any(|(id, _)| *id == msg.watch_id) {
                tracing::warn!(
                    connection = conn,
                    watch = msg.watch_id,
                    "duplicate watch id; keeping the old watch"
                );
            } else {
                initial = model
                    .streams()
                    .filter(|(key, _)| filter.matches(key) && !self.held.contains_key(*key))
                    .filter_map(|(key, data)| {
                        event_frame(msg.watch_id, key, &StreamAction::Value(data.clone()))
                    })
                    .collect();
                c.watches.push((msg.watch_id, filter));
            }
        }
        (crt(RC::CREATED, "Watch created".into()), initial)
    }

    /// `DelWatch`: always answers "Watch deleted".
    pub(crate) fn delete_watch(&mut self, conn: u64, msg: MsgDelWatch) -> MsgApiCallResponse {
        if let Some(c) = self.conns.get_mut(&conn) {
            c.watches.retain(|(id, _)| *id != msg.watch_id);
        }
        MsgApiCallResponse {
            ret_code: RC::DELETED.with_op(Operation::Delete).0,
            message: "Watch deleted".into(),
            ..Default::default()
        }
    }
}

/// One ONEWAY `Event` frame (`None`, logged, for one no frame header can announce; the
/// connection checks its payload limit when it sends the frame).
pub(crate) fn event_frame(watch_id: i32, key: &StreamKey, action: &StreamAction) -> Option<Frame> {
    let header = MsgHeader::oneway(oneway::EVENT);
    let event = MsgEvent {
        watch_id,
        event_action: action.name().to_owned(),
        event_name: key.kind.event_name().to_owned(),
        resource_name: Some(key.resource.clone()),
        node_name: Some(key.node.clone()),
        volume_number: key.volume,
        snapshot_name: None,
    };
    let data: Option<&dyn WireMessage> = match action {
        StreamAction::Value(EventData::Resource(d)) => Some(d),
        StreamAction::Value(EventData::Volume(d)) => Some(d),
        _ => None,
    };
    let bodies: Vec<&dyn WireMessage> = std::iter::once(&event as &dyn WireMessage)
        .chain(data)
        .collect();
    Outgoing::new(&header, &bodies)
        .to_frame()
        .inspect_err(|e| tracing::error!(watch = watch_id, "event not sent: {e}"))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{StreamAction, StreamKey};

    #[test]
    fn held_events_are_dropped_when_forgotten() {
        let mut registry = Registry::default();
        let (tx, mut rx) = mpsc::channel(16);
        registry.register(1, tx);
        registry.create_watch(
            1,
            MsgCrtWatch {
                watch_id: 7,
                ..Default::default()
            },
            &Model::default(),
        );
        let events = vec![StreamEvent {
            key: StreamKey::volume("alpha", "rsc1", 0),
            action: StreamAction::CloseRemoved,
        }];
        registry.hold(&events);
        registry.deliver_held(&events);
        assert!(rx.try_recv().is_ok(), "a held event is delivered");
        registry.hold(&events);
        registry.forget_held();
        registry.deliver_held(&events);
        assert!(rx.try_recv().is_err(), "a forgotten one is not");
        assert!(!registry.is_held(&events[0].key));
    }

    #[test]
    fn an_event_is_encoded_once_per_watch_id_and_shared() {
        let mut registry = Registry::default();
        let model = Model::default();
        let mut receivers = Vec::new();
        for (conn, watch_id) in [(1, 1), (2, 1), (3, 2)] {
            let (tx, rx) = mpsc::channel(4);
            registry.register(conn, tx);
            registry.create_watch(
                conn,
                MsgCrtWatch {
                    watch_id,
                    ..Default::default()
                },
                &model,
            );
            receivers.push(rx);
        }
        registry.deliver(&[StreamEvent {
            key: StreamKey::volume("alpha", "rsc1", 0),
            action: StreamAction::CloseRemoved,
        }]);
        let frames: Vec<Frame> = receivers
            .iter_mut()
            .map(|rx| match rx.try_recv() {
                Ok(Push::Event(frame)) => frame,
                _ => panic!("one event frame per connection"),
            })
            .collect();
        assert_eq!(frames[0], frames[1]);
        assert_eq!(
            frames[0].payload().as_ptr(),
            frames[1].payload().as_ptr(),
            "watch id 1 on two connections: one encoding, shared"
        );
        assert_ne!(frames[0], frames[2], "watch id 2 has its own frame");
    }

    #[test]
    fn a_connection_that_does_not_read_is_dropped_not_buffered() {
        let mut registry = Registry::default();
        let (slow_tx, _slow_rx) = mpsc::channel(2);
        let (fast_tx, mut fast_rx) = mpsc::channel(64);
        registry.register(1, slow_tx);
        registry.register(2, fast_tx);
        let model = Model::default();
        for conn in [1, 2] {
            registry.create_watch(
                conn,
                MsgCrtWatch {
                    watch_id: 7,
                    ..Default::default()
                },
                &model,
            );
        }
        let events: Vec<StreamEvent> = (0..5)
            .map(|v| StreamEvent {
                key: StreamKey::volume("alpha", "rsc1", v),
                action: StreamAction::CloseRemoved,
            })
            .collect();
        registry.deliver(&events);
        assert_eq!(registry.watch_count(), 1, "the slow connection is gone");
        let mut got = 0;
        while fast_rx.try_recv().is_ok() {
            got += 1;
        }
        assert_eq!(got, 5, "the reading connection lost nothing");
    }
}
