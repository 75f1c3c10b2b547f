//! Toxiproxy's HTTP API over the [`Registry`] (reference/toxiproxy-api.md
//! §1.2): same routes, JSON shapes and status codes. Bodies are read as
//! bytes and parsed here, so malformed JSON gets Toxiproxy's error body
//! rather than axum's rejection.

use super::error::ApiError;
use super::model::{ApiErrorBody, VERSION};
use super::registry::Registry;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use serde_json::{Value, json};
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

type Shared = Arc<Registry>;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ApiErrorBody {
            error: self.message,
            status: self.status,
        };
        (status, axum::Json(body)).into_response()
    }
}

fn ok<T: Serialize>(status: StatusCode, body: T) -> Response {
    (status, axum::Json(body)).into_response()
}

fn parse(body: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(ApiError::bad_body)
}

/// The API as a service, so tests can call it without a socket.
pub fn router(registry: Arc<Registry>) -> Router {
    let ids = Arc::new(AtomicU64::new(1));
    Router::new()
        .route("/version", get(version))
        .route("/reset", post(reset))
        .route("/populate", post(populate))
        .route("/proxies", get(list).post(create))
        .route(
            "/proxies/{proxy}",
            get(show).post(update).patch(update).delete(delete),
        )
        .route("/proxies/{proxy}/toxics", get(toxics).post(add_toxic))
        .route(
            "/proxies/{proxy}/toxics/{toxic}",
            get(show_toxic)
                .post(update_toxic)
                .patch(update_toxic)
                .delete(remove_toxic),
        )
        .layer(middleware::from_fn(move |req, next| {
            toxiproxy_middleware(ids.clone(), req, next)
        }))
        .with_state(registry)
}

/// Toxiproxy refuses browsers (a page must not drive a proxy on the
/// developer's machine) and tags every answer with a request id.
async fn toxiproxy_middleware(ids: Arc<AtomicU64>, req: Request, next: Next) -> Response {
    let browser = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ua| ua.starts_with("Mozilla/"));
    let mut resp = if browser {
        (StatusCode::FORBIDDEN, "User agent not allowed\n").into_response()
    } else {
        next.run(req).await
    };
    let id = ids.fetch_add(1, Ordering::Relaxed);
    if let Ok(v) = HeaderValue::from_str(&format!("scimulate-{id}")) {
        resp.headers_mut().insert("x-toxiproxy-request-id", v);
    }
    resp
}

async fn version() -> Response {
    ok(StatusCode::OK, json!({ "version": VERSION }))
}

async fn reset(State(r): State<Shared>) -> Result<StatusCode, ApiError> {
    r.reset().await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn populate(State(r): State<Shared>, body: Bytes) -> Response {
    let (proxies, err) = match parse(&body) {
        Ok(v) => r.populate(&v).await,
        Err(e) => (Vec::new(), Some(e)),
    };
    match err {
        None => ok(StatusCode::CREATED, json!({ "proxies": proxies })),
        Some(e) => {
            // Toxiproxy sends `proxies: null` when nothing was done.
            let done = if proxies.is_empty() {
                Value::Null
            } else {
                json!(proxies)
            };
            let status =
                StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            ok(
                status,
                json!({"error": e.message, "status": e.status, "proxies": done}),
            )
        }
    }
}

async fn list(State(r): State<Shared>) -> Response {
    ok(StatusCode::OK, r.list().await)
}

async fn create(State(r): State<Shared>, body: Bytes) -> Result<Response, ApiError> {
    let proxy = r.create(&parse(&body)?).await?;
    Ok(ok(StatusCode::CREATED, proxy))
}

async fn show(State(r): State<Shared>, Path(p): Path<String>) -> Result<Response, ApiError> {
    Ok(ok(StatusCode::OK, r.get(&p).await?))
}

async fn update(
    State(r): State<Shared>,
    Path(p): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    // A missing proxy is 404 even with a bad body, as in Toxiproxy.
    r.get(&p).await?;
    Ok(ok(StatusCode::OK, r.update(&p, &parse(&body)?).await?))
}

async fn delete(State(r): State<Shared>, Path(p): Path<String>) -> Result<StatusCode, ApiError> {
    r.delete(&p).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn toxics(State(r): State<Shared>, Path(p): Path<String>) -> Result<Response, ApiError> {
    Ok(ok(StatusCode::OK, r.toxics(&p).await?))
}

async fn add_toxic(
    State(r): State<Shared>,
    Path(p): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    r.get(&p).await?;
    // 200, not 201: Toxiproxy answers a new toxic with 200.
    Ok(ok(StatusCode::OK, r.add_toxic(&p, &parse(&body)?).await?))
}

async fn show_toxic(
    State(r): State<Shared>,
    Path((p, t)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    Ok(ok(StatusCode::OK, r.toxic(&p, &t).await?))
}

async fn update_toxic(
    State(r): State<Shared>,
    Path((p, t)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    r.toxic(&p, &t).await?;
    Ok(ok(
        StatusCode::OK,
        r.update_toxic(&p, &t, &parse(&body)?).await?,
    ))
}

async fn remove_toxic(
    State(r): State<Shared>,
    Path((p, t)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    r.remove_toxic(&p, &t).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The built-in proxy's API listening on a socket, with its registry.
pub struct ApiServer {
    pub addr: SocketAddr,
    pub registry: Arc<Registry>,
    stop: watch::Sender<bool>,
    task: JoinHandle<io::Result<()>>,
}

impl ApiServer {
    /// Binds `addr` (port 0: the OS chooses) and serves until
    /// [`ApiServer::shutdown`].
    pub async fn start(addr: SocketAddr, registry: Arc<Registry>) -> io::Result<ApiServer> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, mut stopped) = watch::channel(false);
        let app = router(registry.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.wait_for(|s| *s).await;
                })
                .await
        });
        Ok(ApiServer {
            addr,
            registry,
            stop,
            task,
        })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the API, then every proxy and its connections.
    pub async fn shutdown(self) -> io::Result<()> {
        let _ = self.stop.send(true);
        let served = self
            .task
            .await
            .map_err(|e| io::Error::other(format!("toxiproxy API task failed: {e}")))?;
        self.registry.shutdown().await;
        served
    }
}
