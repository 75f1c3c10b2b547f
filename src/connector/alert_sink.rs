//! The alert sink (SPEC §4.3): `POST /alerts` on 127.0.0.1, every payload
//! kept with its arrival time and raw body, refused ones too, and a store
//! the runner can read or wait on (woken by arrivals, never by sleeping).

use super::file::Alerts;
use crate::contract::alert::{self, Alert, AlertError, WireForm};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
use axum::routing::post;
use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{oneshot, watch};

/// A body larger than this is refused before it is parsed.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// One payload as it arrived: accepted alerts (one per Alertmanager alert)
/// or the reason it was refused.
#[derive(Debug, Clone)]
pub struct Received {
    /// Arrival order, from 0.
    pub seq: u64,
    pub received_at: DateTime<Utc>,
    pub raw: Arc<str>,
    pub result: Result<(WireForm, Alert), AlertError>,
}

/// An accepted alert with its arrival.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedAlert {
    pub seq: u64,
    pub received_at: DateTime<Utc>,
    pub form: WireForm,
    pub alert: Alert,
}

/// Everything received so far; clones share it.
#[derive(Clone)]
pub struct AlertStore {
    entries: Arc<Mutex<Vec<Received>>>,
    count: watch::Sender<usize>,
}

impl Default for AlertStore {
    fn default() -> Self {
        AlertStore {
            entries: Arc::default(),
            count: watch::channel(0).0,
        }
    }
}

impl AlertStore {
    /// Every payload, accepted or refused, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.entries.lock().clone()
    }

    /// The accepted alerts, in arrival order.
    pub fn alerts(&self) -> Vec<ReceivedAlert> {
        self.entries
            .lock()
            .iter()
            .cloned()
            .filter_map(accepted)
            .collect()
    }

    /// The first accepted alert (already here or arriving) that matches,
    /// or `None` once `timeout` has passed.
    pub async fn wait_for(
        &self,
        mut matches: impl FnMut(&ReceivedAlert) -> bool,
        timeout: Duration,
    ) -> Option<ReceivedAlert> {
        let mut arrivals = self.count.subscribe();
        let search = async {
            let mut from = 0;
            loop {
                // Only what arrived since the last look, copied out so the
                // predicate never runs under the lock.
                let fresh: Vec<Received> = {
                    let entries = self.entries.lock();
                    let fresh = entries.get(from..).unwrap_or_default().to_vec();
                    from = entries.len();
                    fresh
                };
                let found = fresh.into_iter().filter_map(accepted).find(|a| matches(a));
                if found.is_some() {
                    return found;
                }
                // Subscribed before the first look, so an arrival after
                // any look wakes this; Err: the store is gone.
                if arrivals.changed().await.is_err() {
                    return None;
                }
            }
        };
        tokio::time::timeout(timeout, search).await.ok().flatten()
    }

    fn record(&self, raw: Arc<str>, result: Result<(WireForm, Vec<Alert>), AlertError>) {
        let received_at = Utc::now();
        let mut entries = self.entries.lock();
        let mut push = |result| {
            let seq = entries.len() as u64;
            entries.push(Received {
                seq,
                received_at,
                raw: raw.clone(),
                result,
            });
        };
        match result {
            Ok((form, alerts)) => alerts.into_iter().for_each(|a| push(Ok((form, a)))),
            Err(e) => push(Err(e)),
        }
        let n = entries.len();
        drop(entries);
        self.count.send_replace(n);
    }
}

fn accepted(r: Received) -> Option<ReceivedAlert> {
    let (form, alert) = r.result.ok()?;
    Some(ReceivedAlert {
        seq: r.seq,
        received_at: r.received_at,
        form,
        alert,
    })
}

#[derive(Clone)]
struct AppState {
    store: AlertStore,
    config: Arc<Alerts>,
}

/// The routes, without a socket (tests call it directly).
pub fn app(store: AlertStore, config: Alerts) -> Router {
    Router::new()
        .route("/alerts", post(receive))
        .with_state(AppState {
            store,
            config: Arc::new(config),
        })
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
}

impl Alerts {
    /// The Alertmanager labels this connector file names, for the parser.
    pub fn labels(&self) -> alert::Labels<'_> {
        alert::Labels {
            target_label: &self.target_label,
            class_label: &self.class_label,
        }
    }
}

async fn receive(State(s): State<AppState>, body: Bytes) -> impl IntoResponse {
    let raw: Arc<str> = String::from_utf8_lossy(&body).into();
    let parsed = alert::parse(&body, s.config.labels());
    let answer = match &parsed {
        Ok((_, alerts)) => (
            StatusCode::OK,
            Json(serde_json::json!({"accepted": alerts.len()})),
        ),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({
                "error": "invalid alert",
                "field": e.field,
                "expected": e.expected,
                "detail": e.to_string(),
            })),
        ),
    };
    s.store.record(raw, parsed);
    answer
}

/// A running sink; dropping it stops the server.
pub struct AlertSink {
    addr: SocketAddr,
    store: AlertStore,
    _shutdown: oneshot::Sender<()>,
}

impl AlertSink {
    /// Listens on 127.0.0.1 at a port the OS picks.
    pub async fn start(config: Alerts) -> std::io::Result<AlertSink> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let store = AlertStore::default();
        let (tx, rx) = oneshot::channel::<()>();
        let router = app(store.clone(), config);
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(AlertSink {
            addr,
            store,
            _shutdown: tx,
        })
    }

    /// The `{alert_url}` to give the connector.
    pub fn url(&self) -> String {
        format!("http://{}/alerts", self.addr)
    }

    pub fn store(&self) -> &AlertStore {
        &self.store
    }
}
