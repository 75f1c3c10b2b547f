//! [`Connector`]: the connector under test as the scenario runner sees it.
//! Start fills the placeholders, writes the targets file, brings the alert
//! sink up and waits for readiness; then events, token rotations, restarts
//! and the final stop go through here.

use super::alert_sink::{AlertSink, AlertStore};
use super::audit::{self, AuditError, AuditLimit};
use super::events::{Deliverer, Delivery};
use super::file::{ConnectorFile, Events, Ready, Reload};
use super::logs::{DEFAULT_KEPT_LINES, LogLine};
use super::placeholders::Values;
use super::process::{Exit, Process, ProcessError, ProcessSpec, Readiness, STOP_GRACE};
use super::secrets::Secrets;
use crate::contract::audit::AuditRecord;
use crate::contract::event::Event;
use crate::contract::targets_file::{Target, TargetsFile, TargetsFileError};
use crate::shutdown::Shutdown;
use rustix::process::Signal;
use std::path::PathBuf;
use std::time::Duration;

/// How long a reload POST may take.
const RELOAD_TIMEOUT: Duration = Duration::from_secs(10);

/// Where and how to run the connector.
#[derive(Debug, Clone)]
pub struct ConnectorOptions {
    /// The running scimulate binary (`{scimulate}`).
    pub scimulate: PathBuf,
    /// A folder for this run: the connector's `workdir/` (created empty,
    /// kept afterwards) and `targets.json` go there.
    pub run_dir: PathBuf,
    /// `--time-scale`, passed on as `SCIMULATE_TIME_SCALE`.
    pub time_scale: Option<f64>,
    /// How many lines of its output are kept.
    pub kept_lines: usize,
    /// A stop asked for while the connector is getting ready stops it
    /// (SIGTERM, SIGKILL after the grace); a second signal hurries every
    /// stop to SIGKILL.
    pub shutdown: Shutdown,
}

impl ConnectorOptions {
    pub fn new(run_dir: impl Into<PathBuf>) -> Self {
        ConnectorOptions {
            scimulate: std::env::current_exe().unwrap_or_else(|_| "scimulate".into()),
            run_dir: run_dir.into(),
            time_scale: None,
            kept_lines: DEFAULT_KEPT_LINES,
            shutdown: Shutdown::default(),
        }
    }
}

/// `restart_connector: {signal: TERM | KILL}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum StopSignal {
    Term,
    Kill,
}

/// What a reload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reloaded {
    Signalled,
    Posted {
        status: u16,
    },
    /// `reload: none`: the connector re-reads the file itself.
    Nothing,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    #[error("cannot prepare the connector's folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot pick a free loopback port for the connector: {0}")]
    Port(std::io::Error),
    #[error("cannot start the alert sink: {0}")]
    AlertSink(std::io::Error),
    #[error(transparent)]
    TargetsFile(#[from] TargetsFileError),
    #[error(transparent)]
    Process(#[from] ProcessError),
    #[error("reload after rewriting the targets file: {0}")]
    Reload(String),
    #[error("the connector file has no `start`: scimulate did not start it and cannot restart it")]
    NotStarted,
}

pub struct Connector {
    file: ConnectorFile,
    values: Values,
    targets: TargetsFile,
    secrets: Secrets,
    sink: AlertSink,
    spec: Option<ProcessSpec>,
    process: Option<Process>,
    deliverer: Deliverer,
    reload_url: Option<String>,
    audit_url: Option<String>,
    shutdown: Shutdown,
}

impl Connector {
    /// Starts the connector for `targets` and waits until it is ready.
    pub async fn start(
        file: ConnectorFile,
        targets: Vec<Target>,
        options: &ConnectorOptions,
    ) -> Result<Connector, ConnectorError> {
        let workdir = options.run_dir.join("workdir");
        std::fs::create_dir_all(&workdir).map_err(|source| ConnectorError::Folder {
            path: workdir.display().to_string(),
            source,
        })?;
        let workdir = std::path::absolute(&workdir).unwrap_or(workdir);
        let sink = AlertSink::start(file.alerts.clone())
            .await
            .map_err(ConnectorError::AlertSink)?;
        let values = Values {
            scimulate: options.scimulate.clone(),
            name: file.name.clone(),
            port: free_port().map_err(ConnectorError::Port)?,
            targets_file: workdir.with_file_name("targets.json"),
            alert_url: sink.url(),
            workdir: workdir.clone(),
            time_scale: options.time_scale,
        };
        let targets = TargetsFile {
            targets,
            alert_url: values.alert_url.clone(),
        };
        let secrets = Secrets::new(targets.secrets());
        targets.write(&values.targets_file)?;

        let mut env = values.env();
        if let Some(start) = &file.start {
            env.extend(start.env.iter().map(|(k, v)| (k.clone(), v.fill(&values))));
        }
        let spec = file.start.as_ref().map(|start| {
            let (program, args) = file.command_line(&start.command, &values);
            ProcessSpec {
                program,
                args,
                env: env.clone(),
                cwd: workdir.clone(),
                ready: match &start.ready {
                    None => Readiness::Started,
                    Some(Ready::Http { url, timeout }) => Readiness::Http {
                        url: url.fill(&values),
                        timeout: *timeout,
                    },
                    Some(Ready::Log { text, timeout }) => Readiness::Log {
                        text: text.clone(),
                        timeout: *timeout,
                    },
                },
                secrets: secrets.clone(),
                kept_lines: options.kept_lines,
            }
        });
        let deliverer = match &file.events {
            Events::Webhook { url } => Deliverer::webhook(url.fill(&values)),
            Events::Nowhere => Deliverer::Nowhere,
            Events::Exec { command, timeout } => {
                let (program, args) = file.command_line(command, &values);
                Deliverer::Exec {
                    program,
                    args,
                    env,
                    cwd: workdir.clone(),
                    timeout: *timeout,
                }
            }
        };
        let process = match &spec {
            Some(s) => Some(Process::start_until(s, &options.shutdown).await?),
            None => None,
        };
        Ok(Connector {
            reload_url: match &file.reload {
                Reload::Http(u) => Some(u.fill(&values)),
                _ => None,
            },
            audit_url: file.audit.as_ref().map(|u| u.fill(&values)),
            file,
            values,
            targets,
            secrets,
            sink,
            spec,
            process,
            deliverer,
            shutdown: options.shutdown.clone(),
        })
    }

    /// The placeholder values of this run (port, files, alert URL).
    pub fn values(&self) -> &Values {
        &self.values
    }

    pub fn name(&self) -> &str {
        &self.file.name
    }

    /// True when nothing of the connector runs between events: events go
    /// by `exec` and scimulate started no process. Once a delivery has
    /// returned, nothing is left that could still write to a target.
    pub fn runs_only_per_event(&self) -> bool {
        self.spec.is_none() && matches!(self.deliverer, Deliverer::Exec { .. })
    }

    /// Delivers one event; a refusal is in the outcome, not an error.
    pub async fn deliver(&self, event: &Event) -> Delivery {
        self.deliverer.deliver(event, &self.secrets).await
    }

    /// Gives `target` a new secret (bearer token or OAuth client secret):
    /// masked from now on, the targets file rewritten, then `reload` applied.
    pub async fn rotate(&mut self, target: &str, secret: &str) -> Result<Reloaded, ConnectorError> {
        self.secrets.add(secret);
        self.targets.rotate(target, secret)?;
        self.targets.write(&self.values.targets_file)?;
        match (&self.file.reload, &self.process, &self.reload_url) {
            (Reload::Sighup, Some(p), _) => p
                .signal(Signal::HUP)
                .await
                .map(|()| Reloaded::Signalled)
                .map_err(|e| ConnectorError::Reload(e.to_string())),
            (Reload::Http(_), _, Some(url)) => {
                let r = super::http::client(RELOAD_TIMEOUT)
                    .post(url)
                    .send()
                    .await
                    .map_err(|e| ConnectorError::Reload(format!("POST {url}: {e}")))?;
                let status = r.status().as_u16();
                if r.status().is_success() {
                    Ok(Reloaded::Posted { status })
                } else {
                    Err(ConnectorError::Reload(format!(
                        "POST {url} answered HTTP {status}, expected 2xx"
                    )))
                }
            }
            // Started once, but a failed restart left nothing to signal.
            (Reload::Sighup, None, _) => Err(ConnectorError::Reload(
                "no connector process to send SIGHUP to".into(),
            )),
            _ => Ok(Reloaded::Nothing),
        }
    }

    /// Stops the connector with `signal` (TERM escalates to KILL after a
    /// grace) and starts it again; returns how the old process ended.
    pub async fn restart(&mut self, signal: StopSignal) -> Result<Exit, ConnectorError> {
        let spec = self.spec.as_ref().ok_or(ConnectorError::NotStarted)?;
        let old = self.process.take().ok_or(ConnectorError::NotStarted)?;
        let hurry = self.shutdown.hurried();
        let exit = match signal {
            StopSignal::Term => old.kill_or_hurry(Signal::TERM, STOP_GRACE, hurry).await,
            StopSignal::Kill => old.kill(Signal::KILL, STOP_GRACE).await,
        };
        // Stopping scimulate: the old process is gone, no new one starts.
        if let Some(signal) = self.shutdown.signal() {
            return Err(ProcessError::Interrupted {
                signal: signal.name(),
                exit,
            }
            .into());
        }
        self.process = Some(Process::start_until(spec, &self.shutdown).await?);
        Ok(exit)
    }

    /// Stops the connector (SIGTERM to its process group, SIGKILL after a
    /// grace, or at once on a second stop signal); `None` when scimulate
    /// did not start it.
    pub async fn stop(&mut self) -> Option<Exit> {
        match self.process.take() {
            Some(p) => Some(
                p.kill_or_hurry(Signal::TERM, STOP_GRACE, self.shutdown.hurried())
                    .await,
            ),
            None => None,
        }
    }

    /// Resolves when the current process ends; never, when there is none.
    /// Take a new one after [`Self::restart`].
    pub fn exited(&self) -> impl Future<Output = Exit> + Send + 'static {
        let watch = self.process.as_ref().map(Process::exited);
        async move {
            match watch {
                Some(w) => w.await,
                None => std::future::pending().await,
            }
        }
    }

    /// The last lines of the current process's output, secrets masked.
    pub fn logs(&self) -> Vec<LogLine> {
        self.process
            .as_ref()
            .map(|p| p.logs().tail())
            .unwrap_or_default()
    }

    /// The secrets masked in everything the connector prints; add any
    /// other the runner hands it.
    pub fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    pub fn alerts(&self) -> &AlertStore {
        self.sink.store()
    }

    /// The audit records, when the file gives an audit URL, read up to
    /// `limit`.
    pub async fn audit(&self, limit: AuditLimit) -> Option<Result<Vec<AuditRecord>, AuditError>> {
        match &self.audit_url {
            Some(url) => Some(audit::fetch(url, limit).await),
            None => None,
        }
    }
}

/// A loopback port free right now: bound at port 0, then released for the
/// connector to take.
fn free_port() -> std::io::Result<u16> {
    let l = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    Ok(l.local_addr()?.port())
}
