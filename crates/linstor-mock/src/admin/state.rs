//! The model as JSON (`GET`/`PUT /api/v1/state`): one function each way, the same JSON the
//! state file holds under `"model"`, so it can become the state export's format. Replacing
//! the model (seeding a scenario, or `POST /api/v1/reset`) is atomic: the new model is
//! parsed and checked first, then swapped in under the lock, and every open watch gets the
//! close events of the old model's streams and the current values of the new one's; events
//! the old model scheduled for the delayed event script are dropped.

use serde::Serialize;
use serde_json::Value;

use crate::model::{
    EventData, InvariantError, Model, StreamAction, StreamEvent, StreamKey, StreamKind,
};
use crate::server::{Inner, lock};

/// Why a model JSON was refused.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ModelJsonError {
    /// Not the model's JSON.
    #[error("not a linstor-mock model: {0}")]
    Parse(#[from] serde_json::Error),
    /// JSON, but not an object.
    #[error("the model is a JSON object")]
    NotAnObject,
    /// It parses but breaks a rule every state keeps.
    #[error("the model breaks an invariant: {0}")]
    Invariant(#[from] InvariantError),
}

/// The whole model as JSON.
pub(crate) fn model_to_json(model: &Model) -> Result<Value, serde_json::Error> {
    serde_json::to_value(model)
}

/// A model from its JSON, with its event streams rebuilt and its invariants checked.
pub(crate) fn model_from_json(bytes: &[u8]) -> Result<Model, ModelJsonError> {
    let value: Value = serde_json::from_slice(bytes)?;
    if !value.is_object() {
        return Err(ModelJsonError::NotAnObject);
    }
    let mut model: Model = serde_json::from_value(value)?;
    model.rebuild_streams();
    model.check_invariants()?;
    Ok(model)
}

/// One event-stream value or close, as the admin API shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StreamJson {
    pub node: String,
    pub resource: String,
    pub volume: Option<i32>,
    /// `ResourceState` or `VlmDiskState`.
    pub event: &'static str,
    /// `Value`, `CloseRemoved` or `CloseNoConnection`.
    pub action: &'static str,
    /// The value's fields (`disk_state`; `ready`, `in_use`, `up_to_date`).
    pub value: Option<Value>,
}

impl StreamJson {
    pub(crate) fn of(key: &StreamKey, action: &StreamAction) -> StreamJson {
        let value = match action {
            StreamAction::Value(EventData::Volume(v)) => {
                Some(serde_json::json!({ "disk_state": v.disk_state }))
            }
            StreamAction::Value(EventData::Resource(r)) => Some(serde_json::json!({
                "ready": r.ready, "in_use": r.in_use, "up_to_date": r.up_to_date,
            })),
            _ => None,
        };
        StreamJson {
            node: key.node.clone(),
            resource: key.resource.clone(),
            volume: key.volume,
            event: key.kind.event_name(),
            action: action.name(),
            value,
        }
    }
}

/// The current value of every stream whose events were delivered (a stream of the delayed
/// event script shows up when its events go out to the watches).
pub(crate) fn streams_json(model: &Model, registry: &crate::watches::Registry) -> Vec<StreamJson> {
    model
        .streams()
        .filter(|(key, _)| !registry.is_held(key))
        .map(|(key, data)| StreamJson::of(key, &StreamAction::Value(data.clone())))
        .collect()
}

/// A fresh model as the controller started: empty, or the demo cluster.
pub(crate) fn start_model(inner: &Inner) -> Model {
    crate::server::fresh_model(&inner.config)
}

/// Swaps `model` in, closing the old streams on every watch (volumes before their
/// resource, as a deletion does) and sending the new streams' values; commits it to the
/// state store when one is kept.
pub(crate) async fn replace_model(
    inner: &std::sync::Arc<Inner>,
    model: Model,
    how: &'static str,
) -> Result<(), String> {
    let snapshot = {
        let mut shared = lock(&inner.shared);
        let old = std::mem::replace(&mut shared.model, model);
        shared.touch();
        let (resources, volumes): (Vec<&StreamKey>, Vec<&StreamKey>) = old
            .streams()
            .map(|(k, _)| k)
            .partition(|k| k.kind == StreamKind::ResourceState);
        let mut events: Vec<StreamEvent> = volumes
            .into_iter()
            .chain(resources)
            .map(|key| StreamEvent {
                key: key.clone(),
                action: StreamAction::CloseRemoved,
            })
            .collect();
        events.extend(shared.model.streams().map(|(key, data)| StreamEvent {
            key: key.clone(),
            action: StreamAction::Value(data.clone()),
        }));
        // Events the old model scheduled for the delayed event script are not sent after
        // the old streams' close events.
        shared.registry.forget_held();
        shared.registry.deliver(&events);
        // Resyncs of the new model get their timers (when the driver runs).
        let shared = &mut *shared;
        shared.scenario.after_call(&shared.model);
        // The store takes the whole new model as a snapshot, ordered before later calls.
        shared
            .store
            .as_ref()
            .map(|store| crate::server::Save::new(store, store.reset(shared.model.clone())))
    };
    inner.admin.model_replaced(how);
    if let Some(save) = snapshot {
        save.wait().await.map_err(|e| e.to_string())?;
    }
    Ok(())
}
