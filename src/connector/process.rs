//! The connector's process: started without a shell in its workdir, its
//! output captured, readiness awaited, its exit noticed at once, stopped
//! with SIGTERM then SIGKILL, and never left behind.
//!
//! One task owns the `Child` and is the only one to signal it: it knows
//! whether the process has been reaped, so a signal never reaches a
//! recycled pid.

use super::logs::{LogLine, Logs, Stream, render_tail};
use super::secrets::Secrets;
use crate::duration::HumanDuration;
use crate::shutdown::Shutdown;
use rustix::process::{Pid, Signal};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, oneshot, watch};

/// How long a stopped connector gets between SIGTERM and SIGKILL.
pub const STOP_GRACE: Duration = Duration::from_secs(5);

/// Everything needed to start the process (again, on restart).
#[derive(Debug, Clone)]
pub struct ProcessSpec {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub cwd: PathBuf,
    pub ready: Readiness,
    pub secrets: Secrets,
    pub kept_lines: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Readiness {
    /// Ready once running.
    Started,
    /// Any 2xx answer to a GET, polled with backoff.
    Http { url: String, timeout: Duration },
    /// A line of output containing the text.
    Log { text: String, timeout: Duration },
}

/// How the process ended, and what it said last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exit {
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub last_lines: Vec<LogLine>,
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.code, self.signal) {
            (Some(c), _) => write!(f, "exited with code {c}"),
            (None, Some(s)) => write!(f, "killed by signal {s}"),
            (None, None) => write!(f, "ended"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    #[error("cannot start the connector {program}: {source}")]
    Spawn {
        program: PathBuf,
        source: std::io::Error,
    },
    #[error("the connector {exit} before it was ready; its last output:{}", render_tail(&exit.last_lines))]
    ExitedBeforeReady { exit: Exit },
    #[error(
        "the connector was not ready within {timeout} (expected {waiting_for}); its last output:{}",
        render_tail(last_lines)
    )]
    NotReady {
        timeout: HumanDuration,
        waiting_for: String,
        last_lines: Vec<LogLine>,
    },
    #[error("cannot signal the connector: {0}")]
    Signal(std::io::Error),
    #[error("the connector is not running (it {0})")]
    NotRunning(Exit),
    #[error("stopped by {signal} before the connector was ready (it was stopped: {exit})")]
    Interrupted { signal: &'static str, exit: Exit },
}

enum Request {
    Signal {
        signal: Signal,
        group: bool,
        done: oneshot::Sender<std::io::Result<()>>,
    },
}

/// A running connector process. Dropping it kills the process group.
pub struct Process {
    pid: u32,
    logs: Logs,
    exit: watch::Receiver<Option<Exit>>,
    commands: mpsc::Sender<Request>,
}

impl Process {
    /// Starts the process and waits until it is ready; an exit or the
    /// timeout first is an error carrying its last output.
    pub async fn start(spec: &ProcessSpec) -> Result<Process, ProcessError> {
        Self::start_until(spec, &Shutdown::default()).await
    }

    /// [`Self::start`], unless `shutdown` asks for a stop before the
    /// process is ready: then it is stopped like [`Self::stop`] (SIGTERM,
    /// SIGKILL after [`STOP_GRACE`] or at a second signal) and the error
    /// says so.
    pub async fn start_until(
        spec: &ProcessSpec,
        shutdown: &Shutdown,
    ) -> Result<Process, ProcessError> {
        let ready_text = match &spec.ready {
            Readiness::Log { text, .. } => Some(text.clone()),
            _ => None,
        };
        let logs = Logs::new(spec.kept_lines, spec.secrets.clone(), ready_text);
        let mut cmd = Command::new(&spec.program);
        cmd.args(&spec.args)
            .envs(spec.env.iter().map(|(k, v)| (k, v)))
            .current_dir(&spec.cwd)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own process group, so a stop reaches what it started too.
            .process_group(0)
            .kill_on_drop(true);
        let mut child = cmd.spawn().map_err(|source| ProcessError::Spawn {
            program: spec.program.clone(),
            source,
        })?;
        let pid = child.id().unwrap_or(0);
        let readers = [
            child
                .stdout
                .take()
                .map(|o| tokio::spawn(logs.clone().capture(Stream::Stdout, o))),
            child
                .stderr
                .take()
                .map(|e| tokio::spawn(logs.clone().capture(Stream::Stderr, e))),
        ];
        let (exit_tx, exit) = watch::channel(None);
        let (commands, rx) = mpsc::channel(8);
        tokio::spawn(own(child, rx, exit_tx, logs.clone(), readers));
        let process = Process {
            pid,
            logs,
            exit,
            commands,
        };
        let stop = shutdown.requested();
        let ready = tokio::select! {
            // A stop asked for already wins over a connector ready at once.
            biased;
            signal = stop => Err(signal),
            ready = process.wait_ready(&spec.ready) => Ok(ready),
        };
        match ready {
            Ok(ready) => ready.map(|()| process),
            Err(signal) => {
                let exit = process
                    .kill_or_hurry(Signal::TERM, STOP_GRACE, shutdown.hurried())
                    .await;
                Err(ProcessError::Interrupted {
                    signal: signal.name(),
                    exit,
                })
            }
        }
    }

    async fn wait_ready(&self, ready: &Readiness) -> Result<(), ProcessError> {
        let (timeout, waiting_for) = match ready {
            Readiness::Started => return Ok(()),
            Readiness::Http { url, timeout } => (*timeout, format!("a 2xx answer from {url}")),
            Readiness::Log { text, timeout } => (*timeout, format!("a line containing '{text}'")),
        };
        // What the last HTTP probe saw, for the message when time runs out.
        let last_probe = parking_lot::Mutex::new(None::<String>);
        let probe = async {
            match ready {
                Readiness::Http { url, .. } => poll_http(url, &last_probe).await,
                _ => {
                    let mut seen = self.logs.ready_seen();
                    let _ = seen.wait_for(|s| *s).await;
                }
            }
        };
        tokio::select! {
            exit = self.exited() => Err(ProcessError::ExitedBeforeReady { exit }),
            () = probe => Ok(()),
            () = tokio::time::sleep(timeout) => Err(ProcessError::NotReady {
                timeout: HumanDuration(timeout),
                waiting_for: match last_probe.lock().take() {
                    Some(seen) => format!("{waiting_for}; the last probe got {seen}"),
                    None => waiting_for,
                },
                last_lines: self.logs.tail(),
            }),
        }
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    pub fn logs(&self) -> &Logs {
        &self.logs
    }

    /// Resolves when the process has ended (at once if it already has).
    pub fn exited(&self) -> impl Future<Output = Exit> + Send + 'static {
        let mut exit = self.exit.clone();
        async move {
            let seen = exit.wait_for(Option::is_some).await.ok().map(|e| e.clone());
            // On Err the owning task is gone, so the child is too.
            seen.flatten()
                .or_else(|| exit.borrow().clone())
                .unwrap_or_else(unknown_exit)
        }
    }

    /// The exit, if it has happened.
    pub fn try_exit(&self) -> Option<Exit> {
        self.exit.borrow().clone()
    }

    /// Sends `signal` to the process (not its group): e.g. SIGHUP to reload.
    pub async fn signal(&self, signal: Signal) -> Result<(), ProcessError> {
        self.send(signal, false).await
    }

    async fn send(&self, signal: Signal, group: bool) -> Result<(), ProcessError> {
        let (done, result) = oneshot::channel();
        let not_running = || ProcessError::NotRunning(self.try_exit().unwrap_or_else(unknown_exit));
        self.commands
            .send(Request::Signal {
                signal,
                group,
                done,
            })
            .await
            .map_err(|_| not_running())?;
        match result.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(ProcessError::Signal(e)),
            Err(_) => Err(not_running()),
        }
    }

    /// SIGTERM to the group, SIGKILL after `grace`; returns the exit.
    pub async fn stop(&self, grace: Duration) -> Exit {
        self.kill(Signal::TERM, grace).await
    }

    /// Sends `signal` to the group and waits for the exit, escalating to
    /// SIGKILL after `grace`.
    pub async fn kill(&self, signal: Signal, grace: Duration) -> Exit {
        self.kill_or_hurry(signal, grace, std::future::pending())
            .await
    }

    /// [`Self::kill`], escalating to SIGKILL at once when `hurry` resolves
    /// first (a second stop signal to scimulate).
    pub async fn kill_or_hurry(
        &self,
        signal: Signal,
        grace: Duration,
        hurry: impl Future<Output = ()>,
    ) -> Exit {
        if let Some(e) = self.try_exit() {
            return e;
        }
        let _ = self.send(signal, true).await;
        tokio::select! {
            exited = tokio::time::timeout(grace, self.exited()) => {
                if let Ok(e) = exited {
                    return e;
                }
            }
            () = hurry => {}
        }
        let _ = self.send(Signal::KILL, true).await;
        self.exited().await
    }
}

fn unknown_exit() -> Exit {
    Exit {
        code: None,
        signal: None,
        last_lines: Vec::new(),
    }
}

/// Owns the child: reaps it, runs signal commands while it lives, and
/// kills its group when the [`Process`] is dropped.
async fn own(
    mut child: Child,
    mut commands: mpsc::Receiver<Request>,
    exit_tx: watch::Sender<Option<Exit>>,
    logs: Logs,
    readers: [Option<tokio::task::JoinHandle<()>>; 2],
) {
    let status = loop {
        tokio::select! {
            status = child.wait() => break status,
            cmd = commands.recv() => match cmd {
                Some(Request::Signal { signal, group, done }) => {
                    let _ = done.send(signal_child(&child, signal, group));
                }
                None => {
                    // The Process was dropped: leave nothing running.
                    let _ = signal_child(&child, Signal::KILL, true);
                    let _ = child.start_kill();
                    break child.wait().await;
                }
            },
        }
    };
    // The last lines are only complete once both pipes are drained; a
    // grandchild holding them open must not delay the notice for long.
    for r in readers.into_iter().flatten() {
        let _ = tokio::time::timeout(Duration::from_millis(500), r).await;
    }
    let (code, signal) = match &status {
        Ok(s) => {
            use std::os::unix::process::ExitStatusExt;
            (s.code(), s.signal())
        }
        Err(_) => (None, None),
    };
    exit_tx.send_replace(Some(Exit {
        code,
        signal,
        last_lines: logs.tail(),
    }));
}

/// Signals the child (or its group) if it has not been reaped yet.
fn signal_child(child: &Child, signal: Signal, group: bool) -> std::io::Result<()> {
    let pid = child
        .id()
        .and_then(|id| i32::try_from(id).ok())
        .and_then(Pid::from_raw)
        .ok_or_else(|| std::io::Error::other("the process has already exited"))?;
    let r = if group {
        rustix::process::kill_process_group(pid, signal)
    } else {
        rustix::process::kill_process(pid, signal)
    };
    r.map_err(std::io::Error::from)
}

/// GETs `url` until a 2xx answer, backing off from 20 ms to 500 ms;
/// `last` keeps what the latest attempt got instead.
async fn poll_http(url: &str, last: &parking_lot::Mutex<Option<String>>) {
    let client = super::http::client(Duration::from_secs(2));
    let mut delay = Duration::from_millis(20);
    loop {
        let seen = match client.get(url).send().await {
            Ok(r) if r.status().is_success() => return,
            Ok(r) => format!("HTTP {}", r.status().as_u16()),
            Err(e) if e.is_connect() => "connection refused".to_owned(),
            Err(e) if e.is_timeout() => "no answer within 2s".to_owned(),
            Err(e) => e.to_string(),
        };
        *last.lock() = Some(seen);
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_millis(500));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_missing_program_is_a_spawn_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let spec = ProcessSpec {
            program: dir.path().join("no-such-connector"),
            args: vec![],
            env: vec![],
            cwd: dir.path().to_owned(),
            ready: Readiness::Started,
            secrets: Secrets::default(),
            kept_lines: 10,
        };
        let Err(err) = Process::start(&spec).await else {
            panic!("expected an error")
        };
        assert!(matches!(err, ProcessError::Spawn { .. }));
        assert!(err.to_string().contains("no-such-connector"), "{err}");
    }
}
