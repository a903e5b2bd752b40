//! The HTTP side: the router of `/api/v1`, `/metrics` and the dashboard, JSON errors
//! (`{"error": "..."}` with the status), bounded request bodies, and the listener's task.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use super::faults::FaultsJson;
use super::journal::Filter;
use super::state;
use crate::server::{Inner, StartError, lock};

/// Largest request body (a `PUT /api/v1/state` of a large model).
const MAX_BODY: usize = 64 * 1024 * 1024;

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");

type Shared = State<Arc<Inner>>;

/// An error answer: `{"error": "..."}` with its status.
struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, axum::Json(json!({ "error": self.1 }))).into_response()
    }
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, message.into())
}

fn body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|e| ApiError(e.status(), e.body_text()))
}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(q)| q).map_err(|e| bad_request(e.body_text()))
}

/// The router of one controller.
pub(crate) fn router(inner: Arc<Inner>) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { asset("text/html; charset=utf-8", INDEX_HTML) }),
        )
        .route(
            "/assets/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }),
        )
        .route(
            "/assets/app.css",
            get(|| async { asset("text/css; charset=utf-8", APP_CSS) }),
        )
        .route("/api/v1/info", get(info))
        .route("/api/v1/state", get(get_state).put(put_state))
        .route("/api/v1/streams", get(streams))
        .route("/api/v1/reset", axum::routing::post(reset))
        .route("/api/v1/journal", get(journal).delete(clear_journal))
        .route("/api/v1/journal/count", get(journal_count))
        .route(
            "/api/v1/faults",
            get(get_faults).put(put_faults).delete(clear_faults),
        )
        .route("/api/v1/connections", get(connections))
        .route(
            "/api/v1/events",
            get(|State(inner): Shared| async move { super::sse::events(inner) }),
        )
        .route("/metrics", get(metrics))
        .merge(super::scenario::routes())
        .fallback(|| async { ApiError(StatusCode::NOT_FOUND, "no such path".into()) })
        .method_not_allowed_fallback(|| async {
            ApiError(
                StatusCode::METHOD_NOT_ALLOWED,
                "method not allowed on this path".into(),
            )
        })
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(inner)
}

fn asset(content_type: &'static str, text: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        text,
    )
        .into_response()
}

async fn info(State(inner): Shared) -> Response {
    axum::Json(json!({
        "api_version": inner.config.api_version,
        "controller_info": inner.config.controller_info,
        "demo": inner.config.demo,
        "journal_limit": inner.admin.journal().limit(),
        "calls": linstor_proto::Call::ALL.iter().map(|c| c.name()).collect::<Vec<_>>(),
    }))
    .into_response()
}

async fn get_state(State(inner): Shared) -> Result<Response, ApiError> {
    let shared = lock(&inner.shared);
    let value = state::model_to_json(&shared.model)
        .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    drop(shared);
    Ok(axum::Json(value).into_response())
}

async fn put_state(
    State(inner): Shared,
    bytes: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let bytes = body(bytes)?;
    let model = state::model_from_json(&bytes).map_err(|e| bad_request(e.to_string()))?;
    state::replace_model(&inner, model, "state")
        .await
        .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, e))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn streams(State(inner): Shared) -> Response {
    let shared = lock(&inner.shared);
    let list = state::streams_json(&shared.model, &shared.registry);
    drop(shared);
    axum::Json(list).into_response()
}

async fn reset(State(inner): Shared) -> Result<Response, ApiError> {
    let model = state::start_model(&inner);
    state::replace_model(&inner, model, "reset")
        .await
        .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, e))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn journal(
    State(inner): Shared,
    q: Result<Query<Filter>, QueryRejection>,
) -> Result<Response, ApiError> {
    let filter = query(q)?;
    let journal = inner.admin.journal();
    let (entries, more) = journal.select(&filter);
    let dropped = journal.dropped();
    let bytes = journal.bytes();
    drop(journal);
    let entries: Vec<&super::journal::Entry> = entries.iter().map(|e| &**e).collect();
    Ok(
        axum::Json(json!({ "entries": entries, "more": more, "dropped": dropped, "bytes": bytes }))
            .into_response(),
    )
}

async fn journal_count(
    State(inner): Shared,
    q: Result<Query<Filter>, QueryRejection>,
) -> Result<Response, ApiError> {
    let filter = query(q)?;
    let count = inner.admin.journal().count(&filter);
    Ok(axum::Json(json!({ "count": count })).into_response())
}

async fn clear_journal(State(inner): Shared) -> Response {
    inner.admin.journal().clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn get_faults(State(inner): Shared) -> Response {
    let faults = FaultsJson::of(&lock(&inner.shared).faults);
    axum::Json(faults).into_response()
}

async fn put_faults(
    State(inner): Shared,
    bytes: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let bytes = body(bytes)?;
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| bad_request(e.to_string()))?;
    if !value.is_object() {
        return Err(bad_request("the faults are a JSON object"));
    }
    let faults: FaultsJson =
        serde_json::from_value(value).map_err(|e| bad_request(e.to_string()))?;
    let faults = faults.to_faults().map_err(bad_request)?;
    let shown = FaultsJson::of(&faults);
    lock(&inner.shared).faults = faults;
    inner.admin.publish("faults", &shown);
    Ok(axum::Json(shown).into_response())
}

async fn clear_faults(State(inner): Shared) -> Response {
    lock(&inner.shared).faults = crate::Faults::default();
    inner
        .admin
        .publish("faults", &FaultsJson::of(&crate::Faults::default()));
    StatusCode::NO_CONTENT.into_response()
}

async fn connections(State(inner): Shared) -> Response {
    let conns = inner.admin.connections();
    let shared = lock(&inner.shared);
    let list: Vec<serde_json::Value> = conns
        .into_iter()
        .map(|c| {
            let watches: Vec<serde_json::Value> = shared
                .registry
                .watches_of(c.id)
                .into_iter()
                .map(|(id, f)| {
                    json!({
                        "watch_id": id, "event_name": f.event_name, "node": f.node,
                        "resource": f.resource, "volume": f.volume,
                    })
                })
                .collect();
            json!({
                "id": c.id, "peer": c.peer, "since": c.since, "calls": c.calls,
                "watches": watches,
            })
        })
        .collect();
    drop(shared);
    axum::Json(list).into_response()
}

async fn metrics(State(inner): Shared) -> Response {
    let m = &inner.admin.metrics;
    let watches = lock(&inner.shared).registry.watch_count();
    m.watches.set(i64::try_from(watches).unwrap_or(i64::MAX));
    m.connections.set(
        i64::try_from(
            inner
                .counters
                .connections
                .load(std::sync::atomic::Ordering::Relaxed),
        )
        .unwrap_or(i64::MAX),
    );
    {
        let journal = inner.admin.journal();
        m.journal_entries
            .set(i64::try_from(journal.len()).unwrap_or(i64::MAX));
        m.journal_dropped
            .set(i64::try_from(journal.dropped()).unwrap_or(i64::MAX));
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        m.encode(),
    )
        .into_response()
}

/// Binds `addr` and serves the admin API until the controller stops (or aborts).
pub(crate) async fn serve(inner: &Arc<Inner>, addr: SocketAddr) -> Result<SocketAddr, StartError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind { addr, source })?;
    let local = listener
        .local_addr()
        .map_err(|source| StartError::Bind { addr, source })?;
    let app = router(inner.clone());
    let stop = inner.stop.clone();
    let abort = inner.abort.clone();
    inner.tracker.spawn(async move {
        let server = axum::serve(listener, app).with_graceful_shutdown(stop.cancelled_owned());
        tokio::select! {
            _ = abort.cancelled() => {}
            result = server => if let Err(e) = result {
                tracing::error!("admin API stopped: {e}");
            },
        }
    });
    Ok(local)
}
