//! The scenario routes of the admin API (`docs/admin-api.md#scenarios`): play a timeline,
//! run one step, take satellites offline and back, set disk states, pool capacity, resync
//! rules and slow satellites, and show what is set.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use serde_json::json;

use crate::model::ClusterError;
use crate::scenario::{Action, Scenario, Step, driver};
use crate::server::{Inner, lock};

type Shared = State<Arc<Inner>>;

/// An error answer, `{"error": "..."}` with its status (as the other routes).
struct Failure(StatusCode, String);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.0, axum::Json(json!({ "error": self.1 }))).into_response()
    }
}

fn error(status: StatusCode, message: impl Into<String>) -> Failure {
    Failure(status, message.into())
}

fn text(bytes: Result<Bytes, BytesRejection>) -> Result<String, Failure> {
    let bytes = bytes.map_err(|e| error(e.status(), e.body_text()))?;
    String::from_utf8(bytes.to_vec())
        .map_err(|_| error(StatusCode::BAD_REQUEST, "the body is not UTF-8"))
}

/// The routes, merged into the admin router.
pub(crate) fn routes() -> Router<Arc<Inner>> {
    Router::new()
        .route("/api/v1/scenario", post(play).get(show))
        .route("/api/v1/scenario/step", post(step))
        .route("/api/v1/nodes/{node}/offline", post(offline))
        .route("/api/v1/nodes/{node}/online", post(online))
        .route(
            "/api/v1/resources/{resource}/{node}/volumes/{volume}/disk-state",
            put(disk_state),
        )
        .route("/api/v1/nodes/{node}/pools/{pool}/capacity", put(capacity))
        .route("/api/v1/nodes/{node}/delay", put(delay))
        .route("/api/v1/resync", post(resync))
}

/// Runs an action now; 204, or the model's refusal (404 for a missing object, 409 else).
fn run(inner: &Arc<Inner>, action: &Action) -> Response {
    if matches!(action, Action::Resync(_)) {
        driver::spawn_driver(inner);
    }
    let result = driver::execute(&mut lock(&inner.shared), action);
    match result {
        Ok(()) => {
            inner
                .admin
                .publish("scenario", &json!({ "action": action.name() }));
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => {
            let status = match e {
                ClusterError::NodeNotFound(_)
                | ClusterError::ResourceNotFound { .. }
                | ClusterError::VolumeNotFound { .. }
                | ClusterError::PoolNotFound { .. } => StatusCode::NOT_FOUND,
                _ => StatusCode::CONFLICT,
            };
            error(status, e.to_string()).into_response()
        }
    }
}

/// Builds a step from a route's path parts and body fields, parsed as a scenario step.
fn step_of(action: &str, mut fields: serde_json::Value) -> Result<Action, Failure> {
    if !fields.is_object() {
        return Err(error(StatusCode::BAD_REQUEST, "the body is a JSON object"));
    }
    fields["action"] = json!(action);
    Step::from_json(&fields.to_string())
        .map(|s| s.action)
        .map_err(|e| error(StatusCode::BAD_REQUEST, e.reason))
}

fn body_object(bytes: Result<Bytes, BytesRejection>) -> Result<serde_json::Value, Failure> {
    let text = text(bytes)?;
    serde_json::from_str(&text).map_err(|e| error(StatusCode::BAD_REQUEST, e.to_string()))
}

async fn play(State(inner): Shared, bytes: Result<Bytes, BytesRejection>) -> Response {
    let text = match text(bytes) {
        Ok(t) => t,
        Err(r) => return r.into_response(),
    };
    let scenario = match Scenario::from_json(&text) {
        Ok(s) => s,
        Err(e) => return error(StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    let steps = scenario.steps.len();
    driver::spawn_driver(&inner);
    if !lock(&inner.shared).scenario.play(scenario) {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            crate::scenario::ScenarioError::DriverBusy.to_string(),
        )
        .into_response();
    }
    (StatusCode::ACCEPTED, axum::Json(json!({ "steps": steps }))).into_response()
}

async fn step(State(inner): Shared, bytes: Result<Bytes, BytesRejection>) -> Response {
    let text = match text(bytes) {
        Ok(t) => t,
        Err(r) => return r.into_response(),
    };
    match Step::from_json(&text) {
        Ok(step) if step.at.is_zero() => run(&inner, &step.action),
        Ok(step) => {
            driver::spawn_driver(&inner);
            let played = lock(&inner.shared)
                .scenario
                .play(Scenario { steps: vec![step] });
            if played {
                StatusCode::ACCEPTED.into_response()
            } else {
                error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the scenario driver is busy",
                )
                .into_response()
            }
        }
        Err(e) => error(StatusCode::BAD_REQUEST, e.reason).into_response(),
    }
}

async fn offline(State(inner): Shared, Path(node): Path<String>) -> Response {
    run(&inner, &Action::NodeOffline { node })
}

async fn online(State(inner): Shared, Path(node): Path<String>) -> Response {
    run(&inner, &Action::NodeOnline { node })
}

async fn disk_state(
    State(inner): Shared,
    Path((resource, node, volume)): Path<(String, String, String)>,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    let Ok(volume) = volume.parse::<i32>() else {
        return error(
            StatusCode::BAD_REQUEST,
            format!("'{volume}' is not a volume number"),
        )
        .into_response();
    };
    let action = body_object(bytes).and_then(|mut fields| {
        if fields.is_object() {
            fields["node"] = json!(node);
            fields["resource"] = json!(resource);
            fields["volume"] = json!(volume);
        }
        step_of("disk_state", fields)
    });
    match action {
        Ok(action) => run(&inner, &action),
        Err(r) => r.into_response(),
    }
}

async fn capacity(
    State(inner): Shared,
    Path((node, pool)): Path<(String, String)>,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    let action = body_object(bytes).and_then(|mut fields| {
        if fields.is_object() {
            fields["node"] = json!(node);
            fields["pool"] = json!(pool);
        }
        step_of("pool_capacity", fields)
    });
    match action {
        Ok(action) => run(&inner, &action),
        Err(r) => r.into_response(),
    }
}

async fn delay(
    State(inner): Shared,
    Path(node): Path<String>,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    let action = body_object(bytes).and_then(|mut fields| {
        if fields.is_object() {
            fields["node"] = json!(node);
        }
        step_of("slow_satellite", fields)
    });
    match action {
        Ok(action) => run(&inner, &action),
        Err(r) => r.into_response(),
    }
}

async fn resync(State(inner): Shared, bytes: Result<Bytes, BytesRejection>) -> Response {
    match body_object(bytes).and_then(|fields| step_of("resync", fields)) {
        Ok(action) => run(&inner, &action),
        Err(r) => r.into_response(),
    }
}

async fn show(State(inner): Shared) -> Response {
    let shared = lock(&inner.shared);
    let offline: Vec<String> = shared
        .model
        .node_names()
        .into_iter()
        .filter(|n| shared.model.is_node_online(n) == Some(false))
        .collect();
    let slow: Vec<serde_json::Value> = shared
        .scenario
        .slow_satellites()
        .into_iter()
        .map(|(node, d)| json!({ "node": node, "delay_ms": d.as_millis() as u64 }))
        .collect();
    let body = json!({
        "offline_nodes": offline,
        "resync_rules": shared.model.resync_rules(),
        "running_resyncs": shared.model.running_resyncs().collect::<Vec<_>>(),
        "slow_satellites": slow,
        "failures": shared.scenario.failures(),
    });
    drop(shared);
    axum::Json(body).into_response()
}
