//! Admin routes: list targets, read state and journal, seed, rotate a
//! token, reset, and Prometheus metrics.

use crate::fault::FaultSpec;
use crate::mock::journal::MASK;
use crate::mock::metrics;
use crate::mock::state::TargetState;
use crate::scim::schema::ResourceTypeName;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

pub struct AdminState {
    pub token: String,
    /// Targets by name, in the order they were started.
    pub targets: Vec<Arc<TargetState>>,
    /// Each target's base URL as connectors should use it (the proxy's when
    /// one fronts the target).
    pub base_urls: HashMap<String, String>,
}

impl AdminState {
    fn target(&self, name: &str) -> Result<&Arc<TargetState>, Box<Response>> {
        self.targets.iter().find(|t| t.name == name).ok_or_else(|| {
            Box::new(error(
                StatusCode::NOT_FOUND,
                &format!("no target named {name:?}"),
            ))
        })
    }
}

type Admin = State<Arc<AdminState>>;

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"error": message}))).into_response()
}

pub fn router(state: Arc<AdminState>) -> Router {
    Router::new()
        .route("/targets", get(list_targets))
        .route("/targets/{t}/state", get(target_state))
        .route("/targets/{t}/journal", get(journal))
        .route(
            "/targets/{t}/faults",
            post(add_fault).get(list_faults).delete(clear_faults),
        )
        .route("/targets/{t}/faults/{id}", delete(clear_fault))
        .route("/targets/{t}/tokens/rotate", post(rotate))
        .route("/targets/{t}/seed", post(seed))
        .route("/targets/{t}/reset", post(reset))
        .route("/metrics", get(metrics_text))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such admin route") })
        .layer(from_fn_with_state(state.clone(), require_token))
        .with_state(state)
}

async fn require_token(State(state): Admin, req: Request, next: Next) -> Response {
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "));
    let ok = given.is_some_and(|t| {
        t.len() == state.token.len()
            && t.bytes()
                .zip(state.token.bytes())
                .fold(0u8, |a, (x, y)| a | (x ^ y))
                == 0
    });
    if ok {
        return next.run(req).await;
    }
    let mut response = error(
        StatusCode::UNAUTHORIZED,
        "the admin API needs its bearer token",
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(r#"Bearer realm="scimulate-admin""#),
    );
    response
}

async fn list_targets(State(state): Admin) -> Json<Value> {
    let targets: Vec<Value> = state
        .targets
        .iter()
        .map(|t| {
            json!({
                "name": t.name,
                "base_url": state.base_urls.get(&t.name).unwrap_or(&t.base_url),
                "direct_url": t.base_url,
                "profile": t.profile.name,
            })
        })
        .collect();
    Json(json!({"targets": targets}))
}

/// Stored resources can hold a password (writeOnly); the admin API never
/// shows it.
fn without_secrets(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(p) = v.get_mut("password") {
        *p = Value::String(MASK.into());
    }
    v
}

async fn target_state(State(state): Admin, Path(t): Path<String>) -> Response {
    let target = match state.target(&t) {
        Ok(t) => t,
        Err(e) => return *e,
    };
    let dump = |kind| -> Vec<Value> {
        target
            .store
            .query(kind, None)
            .iter()
            .map(|v| without_secrets(v))
            .collect()
    };
    Json(json!({"Users": dump(ResourceTypeName::User), "Groups": dump(ResourceTypeName::Group)}))
        .into_response()
}

#[derive(Deserialize)]
struct Since {
    #[serde(default)]
    since: u64,
}

async fn journal(
    State(state): Admin,
    Path(t): Path<String>,
    Query(since): Query<Since>,
) -> Response {
    let target = match state.target(&t) {
        Ok(t) => t,
        Err(e) => return *e,
    };
    let since = since.since;
    let entries: Vec<Value> = target
        .journal
        .since(since)
        .iter()
        .map(|e| e.to_json())
        .collect();
    Json(json!({"entries": entries, "dropped": target.journal.dropped()})).into_response()
}

/// `POST /targets/{t}/faults`: the fault object of SPEC §3.4; 201 with the
/// fault and its id.
async fn add_fault(
    State(state): Admin,
    Path(t): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let target = match state.target(&t) {
        Ok(t) => t,
        Err(e) => return *e,
    };
    let text = String::from_utf8_lossy(&body);
    let spec: FaultSpec = match serde_json::from_str(&text) {
        Ok(spec) => spec,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("fault at line {} column {}: {e}", e.line(), e.column()),
            );
        }
    };
    match target.add_fault(spec) {
        Ok(id) => {
            let view = target
                .faults
                .active(std::time::Instant::now())
                .into_iter()
                .find(|f| f.id == id);
            (StatusCode::CREATED, Json(json!(view))).into_response()
        }
        Err(why) => error(StatusCode::BAD_REQUEST, &why),
    }
}

async fn list_faults(State(state): Admin, Path(t): Path<String>) -> Response {
    match state.target(&t) {
        Ok(target) => {
            Json(json!({"faults": target.faults.active(std::time::Instant::now())})).into_response()
        }
        Err(e) => *e,
    }
}

async fn clear_faults(State(state): Admin, Path(t): Path<String>) -> Response {
    match state.target(&t) {
        Ok(target) => {
            target.clear_faults();
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => *e,
    }
}

async fn clear_fault(State(state): Admin, Path((t, id)): Path<(String, String)>) -> Response {
    let target = match state.target(&t) {
        Ok(t) => t,
        Err(e) => return *e,
    };
    match id.parse::<u64>() {
        Ok(id) if target.clear_fault(id) => StatusCode::NO_CONTENT.into_response(),
        _ => error(StatusCode::NOT_FOUND, &format!("no fault {id:?} on {t}")),
    }
}

async fn rotate(State(state): Admin, Path(t): Path<String>) -> Response {
    match state.target(&t) {
        Ok(target) => Json(json!({"token": target.auth.rotate()})).into_response(),
        Err(e) => *e,
    }
}

async fn seed(State(state): Admin, Path(t): Path<String>, body: axum::body::Bytes) -> Response {
    let target = match state.target(&t) {
        Ok(t) => t,
        Err(e) => return *e,
    };
    let body: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("the body is not JSON: {e}"),
            );
        }
    };
    let mut created = serde_json::Map::new();
    for (key, kind) in [
        ("Users", ResourceTypeName::User),
        ("Groups", ResourceTypeName::Group),
    ] {
        let items = match body.get(key) {
            None | Some(Value::Null) => vec![],
            Some(Value::Array(items)) => items.clone(),
            Some(_) => return error(StatusCode::BAD_REQUEST, &format!("{key} must be an array")),
        };
        match target.seed(kind, items) {
            Ok(stored) => created.insert(
                key.into(),
                stored.iter().map(|s| without_secrets(&s.value)).collect(),
            ),
            Err(e) => {
                return error(
                    StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
                    &e.detail,
                );
            }
        };
    }
    (StatusCode::CREATED, Json(Value::Object(created))).into_response()
}

async fn reset(State(state): Admin, Path(t): Path<String>) -> Response {
    match state.target(&t) {
        Ok(target) => {
            target.reset();
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => *e,
    }
}

async fn metrics_text(State(state): Admin) -> Response {
    let mut out = String::from(metrics::HEADER);
    for t in &state.targets {
        t.metrics.render(&t.name, &mut out);
    }
    let mut response = out.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    response
}
