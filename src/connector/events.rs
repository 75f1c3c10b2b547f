//! Delivering events to the connector (SPEC §4.2): by webhook (any 2xx
//! accepts) or by exec (one process per event, the event on stdin, exit 0
//! accepts). A refusal is judged, not fatal: every delivery returns an
//! outcome with its timing.

use super::logs::{LogLine, Logs, Stream};
use super::secrets::Secrets;
use crate::contract::event::Event;
use chrono::{DateTime, Utc};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;

/// How long a webhook delivery may take.
pub const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(30);
/// How much of a refusal's body is kept.
const BODY_EXCERPT_CHARS: usize = 500;
/// How many stderr lines of an exec delivery are kept.
const STDERR_LINES: usize = 20;

/// How events reach the connector, placeholders already filled.
#[derive(Debug, Clone)]
pub enum Deliverer {
    Webhook {
        url: String,
        /// One client for every delivery, so connections are reused.
        client: reqwest::Client,
    },
    Exec {
        program: PathBuf,
        args: Vec<String>,
        env: Vec<(String, String)>,
        cwd: PathBuf,
        timeout: Duration,
    },
    /// The connector runs elsewhere and takes its events from its own
    /// source (a game day without `connector:`): scimulate sends none.
    Nowhere,
}

/// One delivery: when it started, how long it took, what came of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub event_id: String,
    pub started_at: DateTime<Utc>,
    pub elapsed: Duration,
    pub outcome: Outcome,
}

impl Delivery {
    pub fn accepted(&self) -> bool {
        matches!(self.outcome, Outcome::Accepted { .. })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// `detail`: "HTTP 202" or "exit 0".
    Accepted {
        detail: String,
    },
    NotAccepted(Refusal),
}

/// Why the connector did not accept an event; texts are secret-masked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    #[error("answered HTTP {status}: {body_excerpt}")]
    Status { status: u16, body_excerpt: String },
    #[error("no answer: {error}")]
    Connection { error: String },
    #[error("exited with {}; stderr:{}", describe_exit(*code, *signal), super::logs::render_tail(stderr_tail))]
    Exit {
        code: Option<i32>,
        signal: Option<i32>,
        stderr_tail: Vec<LogLine>,
    },
    #[error("still running after {}, killed; stderr:{}", crate::duration::HumanDuration(*after), super::logs::render_tail(stderr_tail))]
    TimedOut {
        after: Duration,
        stderr_tail: Vec<LogLine>,
    },
    #[error("cannot start {program}: {error}")]
    Spawn { program: String, error: String },
    #[error("the connector runs elsewhere and takes no events from scimulate")]
    Elsewhere,
}

fn describe_exit(code: Option<i32>, signal: Option<i32>) -> String {
    match (code, signal) {
        (Some(c), _) => format!("code {c}"),
        (None, Some(s)) => format!("signal {s}"),
        (None, None) => "an unknown status".into(),
    }
}

impl Deliverer {
    pub fn webhook(url: String) -> Deliverer {
        Deliverer::Webhook {
            url,
            client: super::http::client(WEBHOOK_TIMEOUT),
        }
    }

    pub async fn deliver(&self, event: &Event, secrets: &Secrets) -> Delivery {
        let started_at = Utc::now();
        let clock = Instant::now();
        let outcome = match self {
            Deliverer::Webhook { url, client } => webhook(client, url, event, secrets).await,
            Deliverer::Exec {
                program,
                args,
                env,
                cwd,
                timeout,
            } => exec(program, args, env, cwd, *timeout, event, secrets).await,
            Deliverer::Nowhere => Outcome::NotAccepted(Refusal::Elsewhere),
        };
        Delivery {
            event_id: event.id.clone(),
            started_at,
            elapsed: clock.elapsed(),
            outcome,
        }
    }
}

async fn webhook(client: &reqwest::Client, url: &str, event: &Event, secrets: &Secrets) -> Outcome {
    match client.post(url).json(event).send().await {
        Ok(r) if r.status().is_success() => Outcome::Accepted {
            detail: format!("HTTP {}", r.status().as_u16()),
        },
        Ok(r) => {
            let status = r.status().as_u16();
            let body = r.text().await.unwrap_or_default();
            let excerpt: String = body.chars().take(BODY_EXCERPT_CHARS).collect();
            Outcome::NotAccepted(Refusal::Status {
                status,
                body_excerpt: secrets.mask(&excerpt).into_owned(),
            })
        }
        Err(e) => Outcome::NotAccepted(Refusal::Connection {
            error: secrets.mask(&error_chain(&e)).into_owned(),
        }),
    }
}

/// reqwest's top-level message hides the cause ("error sending request").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The process group of an `exec` command not yet reaped: killed when
/// dropped, so a delivery abandoned mid-way (scimulate stopping) leaves
/// nothing of it running.
struct GroupGuard(Option<i32>);

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if let Some(pid) = self.0.and_then(rustix::process::Pid::from_raw) {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
    }
}

async fn exec(
    program: &PathBuf,
    args: &[String],
    env: &[(String, String)],
    cwd: &PathBuf,
    timeout: Duration,
    event: &Event,
    secrets: &Secrets,
) -> Outcome {
    let spawned = tokio::process::Command::new(program)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            return Outcome::NotAccepted(Refusal::Spawn {
                program: program.display().to_string(),
                error: e.to_string(),
            });
        }
    };
    // Dropped before the command is reaped (the run stopped mid-delivery):
    // its whole group goes, not only the command kill_on_drop reaches.
    let mut group = GroupGuard(child.id().and_then(|id| i32::try_from(id).ok()));
    let logs = Logs::new(STDERR_LINES, secrets.clone(), None);
    let reader = child
        .stderr
        .take()
        .map(|e| tokio::spawn(logs.clone().capture(Stream::Stderr, e)));
    let body = serde_json::to_vec(event).unwrap_or_default();
    let mut stdin = child.stdin.take();
    let run = async {
        if let Some(mut s) = stdin.take() {
            // A script that exits without reading its stdin is its business.
            let _ = s.write_all(&body).await;
            let _ = s.shutdown().await;
        }
        child.wait().await
    };
    let status = tokio::time::timeout(timeout, run).await;
    if matches!(status, Ok(Ok(_))) {
        // Reaped: its pid may be reused, so it is never signalled again.
        group.0 = None;
    }
    if status.is_err() {
        // Its whole group: a shell's `sleep` would keep stderr open.
        if let Some(pid) = child
            .id()
            .and_then(|id| i32::try_from(id).ok())
            .and_then(rustix::process::Pid::from_raw)
        {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
        let _ = child.kill().await;
        group.0 = None;
    }
    if let Some(r) = reader {
        let _ = tokio::time::timeout(Duration::from_millis(500), r).await;
    }
    let stderr_tail = logs.tail();
    match status {
        Err(_) => Outcome::NotAccepted(Refusal::TimedOut {
            after: timeout,
            stderr_tail,
        }),
        Ok(Ok(s)) if s.success() => Outcome::Accepted {
            detail: "exit 0".into(),
        },
        Ok(Ok(s)) => {
            use std::os::unix::process::ExitStatusExt;
            Outcome::NotAccepted(Refusal::Exit {
                code: s.code(),
                signal: s.signal(),
                stderr_tail,
            })
        }
        Ok(Err(e)) => Outcome::NotAccepted(Refusal::Spawn {
            program: program.display().to_string(),
            error: e.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::event::EventType;

    fn event() -> Event {
        Event::new(
            "evt-1",
            EventType::Joiner,
            Utc::now(),
            None,
            vec![],
            vec!["app-a".into()],
        )
    }

    #[tokio::test]
    async fn a_missing_exec_program_is_a_refusal_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let d = Deliverer::Exec {
            program: dir.path().join("no-such-program"),
            args: vec![],
            env: vec![],
            cwd: dir.path().to_owned(),
            timeout: Duration::from_secs(5),
        };
        let got = d.deliver(&event(), &Secrets::default()).await;
        assert!(
            matches!(&got.outcome, Outcome::NotAccepted(Refusal::Spawn { .. })),
            "{got:?}"
        );
    }

    #[tokio::test]
    async fn a_closed_port_is_a_connection_refusal() {
        // Bound then released: nothing listens there now.
        let port = std::net::TcpListener::bind(("127.0.0.1", 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let d = Deliverer::webhook(format!("http://127.0.0.1:{port}/events"));
        let got = d.deliver(&event(), &Secrets::default()).await;
        let Outcome::NotAccepted(r @ Refusal::Connection { .. }) = &got.outcome else {
            panic!("{got:?}")
        };
        assert!(r.to_string().starts_with("no answer: "), "{r}");
    }
}
