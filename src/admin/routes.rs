//! Admin routes: list targets, read state and journal, seed, rotate a
//! token, reset, and Prometheus metrics.

use crate::fault::FaultSpec;
use crate::mock::journal::MASK;
use crate::mock::state::TargetState;
use crate::scim::schema::ResourceTypeName;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Extension, Json, Router};
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
    /// The Toxiproxy API in front of the targets (the built-in one or a
    /// real Toxiproxy), for `GET /network`.
    pub toxiproxy_url: Option<String>,
    /// Turns true when the listener stops: the live feed, which never ends
    /// on its own, ends then, or a graceful stop would wait for it forever.
    pub stopping: Option<tokio::sync::watch::Receiver<bool>>,
    /// A game day's alerts and hypotheses, for the board.
    pub bulletin: Arc<super::Bulletin>,
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

/// The largest seed body: room for a directory of a hundred thousand
/// users (about 50 MB of JSON) several times over. Larger seeds go in
/// several requests; a 413 says so.
pub const SEED_LIMIT: usize = 256 << 20;

pub fn router(state: Arc<AdminState>) -> Router {
    router_with_seed_limit(state, SEED_LIMIT)
}

fn router_with_seed_limit(state: Arc<AdminState>, seed_limit: usize) -> Router {
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
        .merge(
            Router::new()
                .route("/targets/{t}/seed", post(seed))
                .layer(DefaultBodyLimit::max(seed_limit))
                .layer(Extension(SeedLimit(seed_limit))),
        )
        .route("/targets/{t}/reset", post(reset))
        .route("/metrics", get(metrics_text))
        .route("/events", get(events))
        .route("/network", get(network))
        .route("/gameday", get(gameday))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such admin route") })
        .layer(from_fn_with_state(state.clone(), require_token))
        // The board page holds no data and asks for the token itself.
        .route("/", get(|| async { super::board::page() }))
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
    if let Some(app) = &target.upstream {
        return fronts(
            &t,
            app.url(),
            "its state is the app's: read it from the app",
        );
    }
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

/// 400 for what a target fronting a real app cannot do.
fn fronts(t: &str, url: &str, why: &str) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        &format!("{t} fronts a real app ({url}): {why}"),
    )
}

async fn rotate(State(state): Admin, Path(t): Path<String>) -> Response {
    match state.target(&t) {
        Ok(target) if target.upstream.is_some() => fronts(
            &t,
            target.upstream.as_ref().map_or("", |u| u.url()),
            "its tokens are the app's; a token the connector has not used before passes a token_expired fault",
        ),
        Ok(target) => Json(json!({"token": target.auth.rotate()})).into_response(),
        Err(e) => *e,
    }
}

/// `256 MiB (268435456 bytes)`, or `4096 bytes` below a mebibyte.
fn size(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{} MiB ({bytes} bytes)", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// The seed body limit in force, for the 413 that names it.
#[derive(Clone, Copy)]
struct SeedLimit(usize);

async fn seed(
    State(state): Admin,
    Extension(SeedLimit(limit)): Extension<SeedLimit>,
    Path(t): Path<String>,
    body: Result<axum::body::Bytes, BytesRejection>,
) -> Response {
    let target = match state.target(&t) {
        Ok(t) => t,
        Err(e) => return *e,
    };
    let body = match body {
        Ok(body) => body,
        Err(BytesRejection::FailedToBufferBody(e))
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE =>
        {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!(
                    "the seed body is over this admin API's limit of {}: send the accounts in several requests",
                    size(limit)
                ),
            );
        }
        Err(e) => return error(e.status(), &e.body_text()),
    };
    let mut body: Value = match serde_json::from_slice(&body) {
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
        // Taken, not copied: a hundred thousand users are held once.
        let items = match body.get_mut(key).map(Value::take) {
            None | Some(Value::Null) => vec![],
            Some(Value::Array(items)) => items,
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

/// The proxies in front of the targets and their toxics, as the Toxiproxy
/// API lists them: the board shows them beside the faults.
async fn network(State(state): Admin) -> Response {
    let Some(url) = &state.toxiproxy_url else {
        return Json(json!({"proxies": {}})).into_response();
    };
    let listed = match crate::netproxy::Client::new(url) {
        Ok(client) => client.list_proxies().await.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    match listed {
        Ok(proxies) => Json(json!({"toxiproxy": url, "proxies": proxies})).into_response(),
        Err(e) => error(
            StatusCode::BAD_GATEWAY,
            &format!("the Toxiproxy API at {url} did not answer: {e}"),
        ),
    }
}

async fn events(State(state): Admin) -> Response {
    super::feed::stream(
        state.targets.clone(),
        state.bulletin.clone(),
        state.stopping.clone(),
    )
    .into_response()
}

/// The game day's alerts and probes (empty outside a game day).
async fn gameday(State(state): Admin) -> Response {
    Json(state.bulletin.snapshot()).into_response()
}

async fn metrics_text(State(state): Admin) -> Response {
    let mut response = super::metrics::exposition(&state.targets).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(super::metrics::CONTENT_TYPE),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mock::profile::Profile;
    use axum::body::{Body, to_bytes};
    use tower::ServiceExt;

    fn admin(seed_limit: usize) -> (Router, Arc<TargetState>) {
        let profile = Profile::resolve("generic-rfc").unwrap();
        let target = Arc::new(TargetState::new(
            "a",
            profile,
            "http://127.0.0.1:1/scim/v2",
            1,
        ));
        let state = Arc::new(AdminState {
            token: "t0k".into(),
            targets: vec![target.clone()],
            base_urls: HashMap::new(),
            toxiproxy_url: None,
            stopping: None,
            bulletin: Arc::default(),
        });
        (router_with_seed_limit(state, seed_limit), target)
    }

    fn users(n: usize) -> Vec<u8> {
        let users: Vec<Value> = (0..n)
            .map(|i| {
                json!({"schemas": [crate::scim::schema::core::USER],
                       "userName": format!("user{i}@example.com"), "externalId": format!("E{i}")})
            })
            .collect();
        serde_json::to_vec(&json!({ "Users": users })).unwrap()
    }

    async fn post_seed(app: Router, body: Vec<u8>) -> (StatusCode, Value) {
        let req = Request::post("/targets/a/seed")
            .header(header::AUTHORIZATION, "Bearer t0k")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap();
        let resp = app.oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// 20,000 users is about 2.4 MB of JSON: over axum's default 2 MB,
    /// which answered a bare 413 before the seed had a limit of its own.
    #[tokio::test]
    async fn a_seed_of_twenty_thousand_users_is_stored() {
        let (app, target) = admin(SEED_LIMIT);
        let body = users(20_000);
        assert!(body.len() > 2 << 20, "{}", body.len());
        let (status, v) = post_seed(app, body).await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        assert_eq!(target.store.count(ResourceTypeName::User), 20_000);
    }

    #[test]
    fn sizes_read_in_mebibytes_from_one_up() {
        assert_eq!(size(SEED_LIMIT), "256 MiB (268435456 bytes)");
        assert_eq!(size(4096), "4096 bytes");
    }

    #[tokio::test]
    async fn a_seed_over_the_limit_is_a_413_that_states_the_limit() {
        let (app, target) = admin(4 << 10);
        let (status, v) = post_seed(app, users(100)).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(
            v["error"],
            "the seed body is over this admin API's limit of 4096 bytes: send the accounts in several requests"
        );
        assert_eq!(target.store.count(ResourceTypeName::User), 0);
    }
}
