//! The alert sink (SPEC §4.3): `POST /alerts` on 127.0.0.1, every payload
//! kept with its arrival time and raw body, refused ones too, and a store
//! the runner can read or wait on (woken by arrivals, never by sleeping).
//!
//! What it keeps is bounded, so a connector that floods it cannot grow
//! scimulate without limit: the first [`MAX_KEPT_ALERTS`] alerts, each raw
//! body cut at [`MAX_KEPT_BODY_BYTES`]; later alerts are counted
//! ([`AlertStore::dropped`]) and the scenario's report says how many.

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
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{oneshot, watch};

/// A body larger than this is refused (413) before it is parsed.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// The sink keeps this many alerts (one per Alertmanager alert, refused
/// payloads included); later ones are answered as usual, counted and not
/// kept.
pub const MAX_KEPT_ALERTS: usize = 1_000;
/// Of each payload's raw body (and each alert's `message`), this many
/// bytes are kept; the rest is cut off, saying how much there was.
pub const MAX_KEPT_BODY_BYTES: usize = 16 * 1024;

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

/// Everything received so far, up to the limits; clones share it.
#[derive(Clone)]
pub struct AlertStore {
    entries: Arc<Mutex<Vec<Received>>>,
    count: watch::Sender<usize>,
    /// Alerts that came after [`MAX_KEPT_ALERTS`] were kept.
    dropped: Arc<AtomicU64>,
}

impl Default for AlertStore {
    fn default() -> Self {
        AlertStore {
            entries: Arc::default(),
            count: watch::channel(0).0,
            dropped: Arc::default(),
        }
    }
}

impl AlertStore {
    /// How many alerts (and refused payloads) are kept.
    pub fn kept(&self) -> usize {
        self.entries.lock().len()
    }

    /// How many came after the store was full and were not kept.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

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
        let mut dropped = 0;
        let mut push = |result: Result<(WireForm, Alert), AlertError>| {
            if entries.len() >= MAX_KEPT_ALERTS {
                dropped += 1;
                return;
            }
            let seq = entries.len() as u64;
            entries.push(Received {
                seq,
                received_at,
                raw: raw.clone(),
                result: result.map(|(form, mut alert)| {
                    if let Some(m) = alert.message.as_mut() {
                        cut(m);
                    }
                    (form, alert)
                }),
            });
        };
        match result {
            Ok((form, alerts)) => alerts.into_iter().for_each(|a| push(Ok((form, a)))),
            Err(e) => push(Err(e)),
        }
        let n = entries.len();
        drop(entries);
        if dropped > 0 {
            self.dropped.fetch_add(dropped, Ordering::Relaxed);
        }
        // Only a kept alert wakes the waiters: a flood past the limit does not.
        self.count
            .send_if_modified(|count| std::mem::replace(count, n) != n);
    }
}

/// `text` cut to [`MAX_KEPT_BODY_BYTES`] (at a character boundary), saying
/// how long it was.
fn cut(text: &mut String) {
    if text.len() <= MAX_KEPT_BODY_BYTES {
        return;
    }
    let total = text.len();
    let mut end = MAX_KEPT_BODY_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push_str(&format!(
        "… [cut by scimulate: {total} bytes received, the first {MAX_KEPT_BODY_BYTES} kept]"
    ));
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
    let mut raw = String::from_utf8_lossy(&body).into_owned();
    cut(&mut raw);
    let raw: Arc<str> = raw.into();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::alert::{AlertClass, AlertStatus};

    fn alert(message: &str) -> Alert {
        Alert {
            connector: None,
            target: "app-a".into(),
            status: AlertStatus::Degraded,
            class: AlertClass::ServerError,
            first_failure_at: None,
            pending: None,
            message: Some(message.into()),
        }
    }

    #[test]
    fn the_store_keeps_the_first_alerts_and_counts_the_rest() {
        let store = AlertStore::default();
        let batch: Vec<Alert> = (0..300).map(|i| alert(&format!("{i}"))).collect();
        for _ in 0..4 {
            store.record("{}".into(), Ok((WireForm::Alertmanager, batch.clone())));
        }
        store.record(
            "not json".into(),
            Err(AlertError {
                field: "body".into(),
                expected: "JSON".into(),
            }),
        );
        assert_eq!(store.kept(), MAX_KEPT_ALERTS);
        assert_eq!(store.dropped(), 4 * 300 + 1 - MAX_KEPT_ALERTS as u64);
        let alerts = store.alerts();
        assert_eq!(
            alerts.first().and_then(|a| a.alert.message.as_deref()),
            Some("0")
        );
        assert_eq!(
            alerts.last().map(|a| a.seq),
            Some(MAX_KEPT_ALERTS as u64 - 1)
        );
    }

    #[test]
    fn long_bodies_and_messages_are_cut_saying_how_long_they_were() {
        let store = AlertStore::default();
        // Multi-byte characters across the cut: it lands on a boundary.
        let long = "é".repeat(MAX_KEPT_BODY_BYTES);
        store.record("{}".into(), Ok((WireForm::Scimulate, vec![alert(&long)])));
        let kept = store.alerts()[0].alert.message.clone().unwrap();
        assert!(kept.len() < MAX_KEPT_BODY_BYTES + 100, "{}", kept.len());
        assert!(
            kept.ends_with(&format!(
                "[cut by scimulate: {} bytes received, the first {MAX_KEPT_BODY_BYTES} kept]",
                long.len()
            )),
            "{}",
            &kept[kept.len() - 120..]
        );
        let mut short = "short".to_owned();
        cut(&mut short);
        assert_eq!(short, "short");
    }
}
