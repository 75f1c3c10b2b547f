//! Starting and stopping a connector: options, the targets file, the queue,
//! one worker per target, the alert sender and the listener.

use super::context::{self, Runtime, Shared};
use super::defect::{Defect, Defects};
use super::health::Health;
use super::{client, server, store, worker};

use crate::contract::targets_file::TargetsFile;
use parking_lot::{Mutex, RwLock};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinHandle;

#[derive(Debug, Clone)]
pub struct Options {
    pub listen: SocketAddr,
    pub targets_file: PathBuf,
    pub workdir: PathBuf,
    pub failed_after: Duration,
    pub latency_threshold: Duration,
    pub defects: Defects,
    /// The `connector` of its alerts.
    pub name: String,
    /// `SCIMULATE_TIME_SCALE` (scenario seconds per wall second): shortens
    /// the backoff cap. Protocol values (Retry-After, token lifetimes) are
    /// never scaled.
    pub time_scale: f64,
}

impl Options {
    pub fn new(targets_file: PathBuf, workdir: PathBuf) -> Options {
        Options {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            targets_file,
            workdir,
            failed_after: Duration::from_secs(30),
            latency_threshold: Duration::from_secs(2),
            defects: Defects::default(),
            name: "scimulate-reference".into(),
            time_scale: 1.0,
        }
    }

    /// Its own timeout per request: longer than the latency threshold, so
    /// a slow answer is latency and only a missing one connectivity.
    fn request_timeout(&self) -> Duration {
        (self.latency_threshold * 2).max(Duration::from_secs(1))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot read the targets file {path}: {error}")]
    Targets { path: String, error: String },
    #[error("cannot open the queue in {path}: {error}")]
    Workdir { path: String, error: String },
    #[error("cannot listen on {addr}: {error}")]
    Listen { addr: SocketAddr, error: String },
}

/// A running connector.
pub struct Running {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    workers: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Running {
    /// Re-reads the targets file (what SIGHUP does).
    pub fn reload(&self) {
        self.shared.reload();
        let spawned = spawn_workers(&self.shared, &self.stop);
        self.workers.lock().extend(spawned);
    }

    /// Stops serving and delivering; what is queued stays on disk.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
        // A worker mid-request is cut off: every settled delivery is
        // already on disk, an unsettled one is retried after the restart.
        let workers: Vec<_> = std::mem::take(&mut *self.workers.lock());
        for w in workers {
            w.abort();
            let _ = w.await;
        }
    }
}

fn read_targets(opts: &Options) -> Result<TargetsFile, StartError> {
    let bad = |error: String| StartError::Targets {
        path: opts.targets_file.display().to_string(),
        error,
    };
    let bytes = std::fs::read(&opts.targets_file).map_err(|e| bad(e.to_string()))?;
    serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))
}

/// One worker per target of the targets file not yet served.
fn spawn_workers(shared: &Arc<Shared>, stop: &watch::Sender<bool>) -> Vec<JoinHandle<()>> {
    let mut handles = Vec::new();
    let names: Vec<String> = shared
        .targets
        .read()
        .targets
        .iter()
        .map(|t| t.name.clone())
        .collect();
    for name in names {
        let rt = {
            let mut runtimes = shared.runtimes.lock();
            if runtimes.contains_key(&name) {
                continue;
            }
            let threshold = if shared.has(Defect::AlertOnFirstFailure) {
                1
            } else {
                2
            };
            let rt = Arc::new(Runtime {
                name: name.clone(),
                client: client::Client::new(shared.opts.request_timeout()),
                health: Mutex::new(Health::new(threshold, shared.opts.failed_after)),
                work: Notify::new(),
                extensions: tokio::sync::OnceCell::new(),
                user_name_folds_case: Default::default(),
            });
            runtimes.insert(name, rt.clone());
            rt
        };
        handles.push(tokio::spawn(worker::run(
            shared.clone(),
            rt,
            stop.subscribe(),
        )));
    }
    handles
}

/// Starts the connector: reads the targets file, reopens the queue, starts
/// a worker per target and the HTTP listener.
pub async fn start(opts: Options) -> Result<Running, StartError> {
    let targets = read_targets(&opts)?;
    let queue_dir = (!opts.defects.has(Defect::MemoryQueue)).then(|| opts.workdir.join("queue"));
    let store = store::Store::open(queue_dir.as_deref()).map_err(|e| StartError::Workdir {
        path: opts.workdir.display().to_string(),
        error: e.to_string(),
    })?;
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|e| StartError::Listen {
            addr: opts.listen,
            error: e.to_string(),
        })?;
    let addr = listener.local_addr().map_err(|e| StartError::Listen {
        addr: opts.listen,
        error: e.to_string(),
    })?;
    let (alerts, alerts_rx) = mpsc::unbounded_channel();
    let shared = Arc::new(Shared {
        opts,
        store: Mutex::new(store),
        targets: RwLock::new(targets),
        runtimes: Mutex::new(HashMap::new()),
        reloads: watch::channel(0).0,
        alerts,
    });
    let (stop, stopped) = watch::channel(false);
    let workers = Arc::new(Mutex::new(spawn_workers(&shared, &stop)));
    let alert_task = tokio::spawn(context::send_alerts(shared.clone(), alerts_rx));
    let app = server::app(shared.clone());
    let mut until = stopped.clone();
    let serve_task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = until.wait_for(|s| *s).await;
            })
            .await;
        alert_task.abort();
    });
    Ok(Running {
        addr,
        shared,
        stop,
        tasks: vec![serve_task],
        workers,
    })
}
