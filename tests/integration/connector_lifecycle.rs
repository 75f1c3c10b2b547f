//! The connector's lifecycle against scripted connectors in
//! tests/connectors/: readiness by HTTP and by log line, placeholders and
//! environment, the targets file and its reloads, masking, crashes, stop,
//! restart and kill-on-drop. Every wait is bounded; none is a sleep.

use rustix::process::Signal;
use scimulate::connector::file::ConnectorFile;
use scimulate::connector::process::{Process, ProcessError, ProcessSpec, Readiness};
use scimulate::connector::secrets::Secrets;
use scimulate::connector::{Connector, ConnectorError, ConnectorOptions, Reloaded, StopSignal};
use scimulate::contract::targets_file::{Auth, Target};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const TOKEN: &str = "tok-SECRET-aaaa1111";
const CLIENT_SECRET: &str = "cs-SECRET-bbbb2222";
const BOUND: Duration = Duration::from_secs(20);

fn connectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/connectors")
}

fn file(name: &str) -> ConnectorFile {
    scimulate::connector::load(&connectors().join(name)).expect("connector file")
}

fn targets() -> Vec<Target> {
    vec![
        Target {
            name: "app-a".into(),
            base_url: "http://127.0.0.1:9/scim/v2".into(),
            auth: Auth::Bearer {
                token: TOKEN.into(),
            },
            ca_file: None,
        },
        Target {
            name: "app-b".into(),
            base_url: "http://127.0.0.1:10/scim/v2".into(),
            auth: Auth::Oauth2ClientCredentials {
                token_url: "http://127.0.0.1:11/token".into(),
                client_id: "client-b".into(),
                client_secret: CLIENT_SECRET.into(),
            },
            ca_file: None,
        },
    ]
}

async fn start(name: &str) -> (Connector, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut options = ConnectorOptions::new(dir.path());
    options.scimulate = "/opt/scimulate/bin/scimulate".into();
    options.time_scale = Some(60.0);
    let c = tokio::time::timeout(BOUND, Connector::start(file(name), targets(), &options))
        .await
        .expect("bounded")
        .expect("connector starts");
    (c, dir)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("read")).expect("json")
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

fn event(id: &str) -> scimulate::contract::event::Event {
    serde_json::from_value(
        json!({"spec": "scimulate.event/v1", "id": id, "type": "joiner",
        "occurred_at": "2026-11-22T10:00:05.000Z",
        "person": {"externalId": "E1", "userName": "ann@acme.test", "active": true},
        "groups": ["eng"], "targets": ["app-a"]}),
    )
    .expect("event")
}

#[tokio::test]
async fn http_ready_connector_gets_placeholders_env_and_an_owner_only_targets_file() {
    let (c, dir) = start("http.yaml").await;
    let v = c.values().clone();
    assert_eq!(v.workdir, dir.path().join("workdir"));
    let started = read_json(&v.workdir.join("started.json"));
    assert_eq!(
        started["argv"],
        json!([
            "--port",
            v.port.to_string(),
            "--targets",
            v.targets_file.display().to_string()
        ])
    );
    assert_eq!(started["cwd"], v.workdir.display().to_string());
    let env = &started["env"];
    assert_eq!(env["SCIMULATE_CONNECTOR_NAME"], "scripted-http");
    assert_eq!(env["SCIMULATE_PORT"], v.port.to_string());
    assert_eq!(
        env["SCIMULATE_TARGETS_FILE"],
        v.targets_file.display().to_string()
    );
    assert_eq!(env["SCIMULATE_ALERT_URL"], v.alert_url);
    assert_eq!(env["SCIMULATE_WORKDIR"], v.workdir.display().to_string());
    assert_eq!(env["SCIMULATE_TIME_SCALE"], "60");
    assert_eq!(env["TEST_NAME"], "scripted-http");
    assert_eq!(env["TEST_ALERT"], v.alert_url);
    assert_eq!(env["TEST_SELF"], "/opt/scimulate/bin/scimulate");
    assert_eq!(env["TEST_WORKDIR"], v.workdir.display().to_string());
    assert_eq!(env["TEST_PLAIN"], "plain value");

    assert_eq!(v.targets_file, dir.path().join("targets.json"));
    assert_eq!(mode(&v.targets_file), 0o600);
    assert_eq!(
        read_json(&v.targets_file),
        json!({"targets": [
            {"name": "app-a", "base_url": "http://127.0.0.1:9/scim/v2",
             "auth": {"type": "bearer", "token": TOKEN}},
            {"name": "app-b", "base_url": "http://127.0.0.1:10/scim/v2",
             "auth": {"type": "oauth2_client_credentials", "token_url": "http://127.0.0.1:11/token",
                      "client_id": "client-b", "client_secret": CLIENT_SECRET}}],
         "alert_url": v.alert_url})
    );
    assert!(v.alert_url.starts_with("http://127.0.0.1:") && v.alert_url.ends_with("/alerts"));

    let audit = c
        .audit(scimulate::connector::audit::AuditLimit::for_run(10, 1))
        .await
        .expect("an audit URL")
        .expect("audit records");
    assert_eq!(audit.len(), 1);
    assert!(audit[0].replayed);
}

#[tokio::test]
async fn webhook_deliveries_are_accepted_refused_or_unanswered_with_secrets_masked() {
    let (mut c, _dir) = start("http.yaml").await;
    let d = c.deliver(&event("evt-1")).await;
    assert!(d.accepted(), "{d:?}");
    assert_eq!(d.event_id, "evt-1");
    let recorded =
        std::fs::read_to_string(c.values().workdir.join("events.jsonl")).expect("recorded");
    let got: Value = serde_json::from_str(recorded.trim()).expect("json line");
    assert_eq!(got, serde_json::to_value(event("evt-1")).expect("json"));

    let refused = c.deliver(&event("refuse-1")).await;
    let text = format!("{:?}", refused.outcome);
    assert!(!refused.accepted());
    assert!(
        text.contains("503") && text.contains("busy, token=***"),
        "{text}"
    );
    assert!(!text.contains(TOKEN), "{text}");

    let exit = c.stop().await.expect("started by us");
    assert_eq!(exit.code, Some(0), "{exit}");
    let gone = c.deliver(&event("evt-2")).await;
    assert!(
        format!("{:?}", gone.outcome).contains("Connection"),
        "{:?}",
        gone.outcome
    );
}

#[tokio::test]
async fn captured_output_never_shows_a_secret() {
    let (mut c, _dir) = start("http.yaml").await;
    // Stopping drains both pipes, so the lines are all there to look at.
    let exit = c.stop().await.expect("started by us");
    let lines: Vec<String> = exit.last_lines.iter().map(ToString::to_string).collect();
    let all = lines.join("\n");
    assert!(all.contains("[out] starting with token=***"), "{all}");
    assert!(all.contains("[err] stderr also sees ***"), "{all}");
    assert!(all.contains("stopping on SIGTERM"), "{all}");
    assert!(
        !all.contains(TOKEN) && !all.contains(CLIENT_SECRET),
        "{all}"
    );
}

#[tokio::test]
async fn rotation_rewrites_the_file_atomically_then_sends_sighup() {
    let (mut c, dir) = start("http.yaml").await;
    let reloaded = c.rotate("app-a", "tok-ROTATED-9z9z").await.expect("rotate");
    assert_eq!(reloaded, Reloaded::Signalled);
    let file = read_json(&c.values().targets_file);
    assert_eq!(file["targets"][0]["auth"]["token"], "tok-ROTATED-9z9z");
    assert_eq!(mode(&c.values().targets_file), 0o600);
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["targets.json", "workdir"], "no temporary file left");
    let alert = c
        .alerts()
        .wait_for(
            |a| {
                a.alert
                    .message
                    .as_deref()
                    .is_some_and(|m| m.contains("sighup"))
            },
            BOUND,
        )
        .await
        .expect("the script announces its reload");
    assert_eq!(
        alert.alert.message.as_deref(),
        Some("reloaded by sighup: token ends 9z9z")
    );
    assert!(matches!(
        c.rotate("app-z", "x").await,
        Err(ConnectorError::TargetsFile(_))
    ));
}

#[tokio::test]
async fn rotation_with_an_http_reload_posts_to_the_connector() {
    let (mut c, _dir) = start("http-reload.yaml").await;
    let reloaded = c.rotate("app-a", "tok-NEW-7h7h").await.expect("rotate");
    assert_eq!(reloaded, Reloaded::Posted { status: 204 });
    let alert = c
        .alerts()
        .wait_for(
            |a| {
                a.alert
                    .message
                    .as_deref()
                    .is_some_and(|m| m.contains("by http"))
            },
            BOUND,
        )
        .await
        .expect("the script announces its reload");
    assert_eq!(
        alert.alert.message.as_deref(),
        Some("reloaded by http: token ends 7h7h")
    );
}

#[tokio::test]
async fn restart_with_term_and_with_kill_brings_a_new_ready_process() {
    let (mut c, _dir) = start("http.yaml").await;
    let exit = c.restart(StopSignal::Term).await.expect("restart");
    assert_eq!(exit.code, Some(0), "TERM lets it exit cleanly: {exit}");
    assert!(c.deliver(&event("evt-after-term")).await.accepted());
    let exit = c.restart(StopSignal::Kill).await.expect("restart");
    assert_eq!(exit.signal, Some(9), "{exit}");
    assert!(c.deliver(&event("evt-after-kill")).await.accepted());
}

#[tokio::test]
async fn a_connector_that_never_gets_ready_fails_within_its_timeout_with_its_last_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Instant::now();
    let result = Connector::start(
        file("never-ready.yaml"),
        targets(),
        &ConnectorOptions::new(dir.path()),
    )
    .await;
    let Err(err) = result else {
        panic!("expected an error")
    };
    assert!(clock.elapsed() < Duration::from_secs(10));
    let text = err.to_string();
    assert!(matches!(
        err,
        ConnectorError::Process(ProcessError::NotReady { .. })
    ));
    assert!(text.contains("not ready within 1s"), "{text}");
    assert!(text.contains("a line containing 'listening'"), "{text}");
    assert!(
        text.contains("waiting for the database at db.invalid:5432"),
        "{text}"
    );
}

#[tokio::test]
async fn an_http_probe_that_never_succeeds_says_what_it_got() {
    let dir = tempfile::tempdir().expect("tempdir");
    let result = tokio::time::timeout(
        BOUND,
        Connector::start(
            file("never-ready-http.yaml"),
            targets(),
            &ConnectorOptions::new(dir.path()),
        ),
    )
    .await
    .expect("bounded");
    let Err(err) = result else {
        panic!("expected an error")
    };
    let text = err.to_string();
    assert!(
        text.contains("not ready within 1s (expected a 2xx answer from http://127.0.0.1:"),
        "{text}"
    );
    assert!(
        text.contains("the last probe got connection refused"),
        "{text}"
    );
    assert!(text.contains("[out] starting up"), "{text}");
}

#[tokio::test]
async fn a_connector_that_exits_before_ready_says_how_and_what_it_printed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let result = tokio::time::timeout(
        BOUND,
        Connector::start(
            file("exits-early.yaml"),
            targets(),
            &ConnectorOptions::new(dir.path()),
        ),
    )
    .await
    .expect("bounded");
    let Err(ConnectorError::Process(ProcessError::ExitedBeforeReady { exit })) = result else {
        panic!("expected ExitedBeforeReady")
    };
    assert_eq!(exit.code, Some(2));
    let text = ProcessError::ExitedBeforeReady { exit }.to_string();
    assert!(
        text.contains("exited with code 2 before it was ready"),
        "{text}"
    );
    assert!(text.contains("[err] error: no such flag --bogus"), "{text}");
}

fn log_ready_spec(dir: &Path) -> ProcessSpec {
    ProcessSpec {
        program: connectors().join("log_ready.py"),
        args: vec![],
        env: vec![],
        cwd: dir.to_owned(),
        ready: Readiness::Log {
            text: "connector listening".into(),
            timeout: BOUND,
        },
        secrets: Secrets::default(),
        kept_lines: 10,
    }
}

#[tokio::test]
async fn a_crash_after_ready_is_noticed_at_once_with_its_last_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = Process::start(&log_ready_spec(dir.path()))
        .await
        .expect("ready");
    assert!(p.try_exit().is_none());
    let exited = p.exited();
    p.signal(Signal::USR1).await.expect("signal");
    let exit = tokio::time::timeout(BOUND, exited).await.expect("noticed");
    assert_eq!(exit.code, Some(3));
    let last = exit.last_lines.last().map(ToString::to_string);
    assert_eq!(
        last.as_deref(),
        Some("[err] fatal: lost the database connection")
    );
    assert!(matches!(
        p.signal(Signal::HUP).await,
        Err(ProcessError::NotRunning(_))
    ));
}

#[tokio::test]
async fn dropping_the_process_kills_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = Process::start(&log_ready_spec(dir.path()))
        .await
        .expect("ready");
    let exited = p.exited();
    drop(p);
    let exit = tokio::time::timeout(BOUND, exited).await.expect("killed");
    assert_eq!(exit.signal, Some(9), "{exit}");
}

#[tokio::test]
async fn exec_deliveries_accept_reject_and_time_out() {
    let (c, _dir) = start("log.yaml").await;
    let ok = c.deliver(&event("accept-1")).await;
    assert!(ok.accepted(), "{:?}", ok.outcome);
    let recorded =
        std::fs::read_to_string(c.values().workdir.join("exec-events.jsonl")).expect("recorded");
    let got: Value = serde_json::from_str(recorded.trim()).expect("json line");
    assert_eq!(got["id"], "accept-1");

    let rejected = c.deliver(&event("reject-1")).await;
    let text = format!("{:?}", rejected.outcome);
    assert!(!rejected.accepted());
    assert!(text.contains("code: Some(1)"), "{text}");
    assert!(
        text.contains("refused reject-1: person has no userName"),
        "{text}"
    );

    let hung = c.deliver(&event("hang-1")).await;
    let text = format!("{:?}", hung.outcome);
    assert!(
        text.contains("TimedOut") && text.contains("hanging on purpose"),
        "{text}"
    );
    assert!(hung.elapsed >= Duration::from_secs(2) && hung.elapsed < Duration::from_secs(10));
}
