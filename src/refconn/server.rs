//! The connector's HTTP face: `POST /events` (SPEC §4.2), `GET /healthz`,
//! `GET /audit` (SPEC §4.4). An event is persisted before it is answered.

use super::context::Shared;
use super::defect::Defect;
use crate::contract::event::{Event, EventType};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::sync::Arc;

const MAX_EVENT_BYTES: usize = 1024 * 1024;

pub fn app(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/events", post(events))
        .route("/healthz", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/audit", get(audit))
        .with_state(shared)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_EVENT_BYTES))
}

fn refuse(reason: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": "malformed event", "reason": reason})),
    )
        .into_response()
}

/// What serde cannot say: the fields an event needs to be applied.
fn validate(e: &Event) -> Result<(), String> {
    if e.id.trim().is_empty() {
        return Err("id: expected a non-empty string".into());
    }
    if e.kind == EventType::Reconcile {
        return Ok(());
    }
    let Some(p) = &e.person else {
        return Err(format!("person: required for a {} event", e.kind.as_str()));
    };
    let has = |k: &str| {
        p.get(k)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    if !has("userName") {
        return Err("person.userName: expected a non-empty string".into());
    }
    Ok(())
}

async fn events(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let event: Event = match serde_json::from_slice(&body) {
        Ok(e) => e,
        Err(e) => return refuse(e.to_string()),
    };
    if let Err(reason) = validate(&event) {
        return refuse(reason);
    }
    let id = event.id.clone();
    let mark = |t: &str| {
        shared
            .runtime(t)
            .map(|rt| rt.health.lock().recoveries)
            .unwrap_or(0)
    };
    let accepted = shared.store.lock().accept(event, &mark);
    match accepted {
        Ok(true) => {
            // A dropped target is in the person's history, not in `targets`:
            // wake every worker, the idle ones find nothing.
            for rt in shared.runtimes.lock().values() {
                rt.work.notify_one();
            }
            (StatusCode::ACCEPTED, Json(json!({"accepted": id}))).into_response()
        }
        Ok(false) => (StatusCode::OK, Json(json!({"duplicate": id}))).into_response(),
        Err(e) => {
            tracing::error!("cannot persist event {id}: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"error": "cannot persist the event", "reason": e.to_string()})),
            )
                .into_response()
        }
    }
}

async fn audit(State(shared): State<Arc<Shared>>) -> Response {
    let records = shared.store.lock().audit(shared.has(Defect::AuditNow));
    Json(records).into_response()
}
