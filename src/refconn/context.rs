//! What every part of a running connector shares: options, the store, the
//! current targets file, each target's client and health, and the alert
//! outbox. Every request to a target goes through [`Shared::call`], so
//! health is counted per request, as SPEC §4.5 asks.

use super::Options;
use super::client::{Client, Failure, Reply};
use super::defect::Defect;
use super::health::{Draft, Health};
use super::store::Store;
use crate::contract::alert::ALERT_SPEC;
use crate::contract::alert::{AlertClass, AlertStatus};
use crate::contract::targets_file::{Target, TargetsFile};
use parking_lot::{Mutex, RwLock};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{Notify, mpsc, watch};

/// One target's client, health and wake-up call.
pub struct Runtime {
    pub name: String,
    pub client: Client,
    pub health: Mutex<Health>,
    /// New work for an idle worker.
    pub work: Notify,
    /// The User schema extensions the app offers (`None`: not known, all
    /// are sent), learnt once from `/ResourceTypes/User`.
    pub extensions: tokio::sync::OnceCell<Option<Vec<String>>>,
    /// Whether the app's `userName eq` filter was seen folding case, and
    /// when; see `Apply::find`.
    pub user_name_folds_case: Mutex<Option<(bool, Instant)>>,
}

pub struct Shared {
    pub opts: Options,
    pub store: Mutex<Store>,
    pub targets: RwLock<TargetsFile>,
    pub runtimes: Mutex<HashMap<String, Arc<Runtime>>>,
    /// Bumped on every re-read of the targets file, so waiting workers
    /// retry with the new credentials at once.
    pub reloads: watch::Sender<u64>,
    pub alerts: mpsc::UnboundedSender<Value>,
}

impl Shared {
    pub fn has(&self, d: Defect) -> bool {
        self.opts.defects.has(d)
    }

    pub fn runtime(&self, name: &str) -> Option<Arc<Runtime>> {
        self.runtimes.lock().get(name).cloned()
    }

    pub fn target(&self, name: &str) -> Option<Target> {
        self.targets
            .read()
            .targets
            .iter()
            .find(|t| t.name == name)
            .cloned()
    }

    /// Re-reads the targets file; a file that does not parse leaves the
    /// previous one in force. Returns whether it changed.
    pub fn reload(&self) -> bool {
        if self.has(Defect::NoTokenReload) {
            return false;
        }
        let Ok(bytes) = std::fs::read(&self.opts.targets_file) else {
            tracing::warn!("cannot read the targets file; keeping the previous one");
            return false;
        };
        let Ok(file) = serde_json::from_slice::<TargetsFile>(&bytes) else {
            tracing::warn!("the targets file does not parse; keeping the previous one");
            return false;
        };
        let changed = *self.targets.read() != file;
        *self.targets.write() = file;
        self.reloads.send_modify(|n| *n += 1);
        changed
    }

    /// One request to a target, counted for its health.
    pub async fn call(
        &self,
        rt: &Runtime,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Reply, Failure> {
        let Some(target) = self.target(&rt.name) else {
            return Err(Failure::new(
                AlertClass::Connectivity,
                false,
                format!("{} is no longer in the targets file", rt.name),
            ));
        };
        let write = method != Method::GET;
        let sent = (chrono::Utc::now(), Instant::now());
        let result = rt
            .client
            .send(&target, method, path, body)
            .await
            .map_err(|mut f| {
                f.credential = Some(Client::credential_fingerprint(&target));
                f
            });
        let slow = sent.1.elapsed() > self.opts.latency_threshold;
        let draft = match &result {
            Ok(_) if slow => rt.health.lock().failure(
                AlertClass::Latency,
                &format!("{} answered slower than the latency threshold", rt.name),
                sent,
            ),
            Ok(_) => rt.health.lock().success(write),
            Err(f) => rt.health.lock().failure(f.class, &f.message, sent),
        };
        if let Err(f) = &result
            && f.class == AlertClass::Authentication
        {
            rt.client.invalidate();
            self.reload();
        }
        if let Some(d) = draft {
            self.alert(&rt.name, d);
        }
        result
    }

    /// Queues an alert for the target in the native form (SPEC §4.3).
    pub fn alert(&self, target: &str, d: Draft) {
        if self.has(Defect::NoAlerts)
            || (self.has(Defect::NoHealthy) && d.status == AlertStatus::Healthy)
        {
            return;
        }
        let mut pending = self.store.lock().pending_counts(target);
        if self.has(Defect::WrongPending) {
            pending.deprovision += 1;
            pending.provision += 1;
            pending.update += 1;
        }
        let class = if self.has(Defect::WrongClass) {
            wrong(d.class)
        } else {
            d.class
        };
        let mut alert = json!({
            "spec": ALERT_SPEC,
            "connector": self.opts.name,
            "target": target,
            "status": d.status,
            "class": class,
            "first_failure_at": d.first_failure_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "pending": pending,
            "message": d.message,
        });
        if self.has(Defect::NoFirstFailureAt)
            && let Some(o) = alert.as_object_mut()
        {
            o.remove("first_failure_at");
        }
        tracing::info!(target = target, status = ?d.status, class = ?class, "alert");
        let _ = self.alerts.send(alert);
    }
}

/// Another class than the one seen (the `wrong-class` defect).
fn wrong(c: AlertClass) -> AlertClass {
    match c {
        AlertClass::ServerError => AlertClass::Connectivity,
        _ => AlertClass::ServerError,
    }
}

/// POSTs queued alerts in order to the targets file's `alert_url`, a few
/// tries each: a lost alert is a missed page.
pub async fn send_alerts(shared: Arc<Shared>, mut rx: mpsc::UnboundedReceiver<Value>) {
    let http = reqwest::Client::builder()
        .user_agent(super::USER_AGENT)
        .no_proxy()
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new());
    while let Some(alert) = rx.recv().await {
        for attempt in 0..3u32 {
            let url = shared.targets.read().alert_url.clone();
            match http.post(&url).json(&alert).send().await {
                Ok(r) if r.status().is_success() => break,
                _ if attempt < 2 => {
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
                _ => tracing::warn!("an alert could not be delivered"),
            }
        }
    }
}
