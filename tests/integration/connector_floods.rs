//! A connector that floods the alert sink or its audit (issue 19): what
//! scimulate keeps is bounded and the report says so. The connector is a
//! webhook served by the test: each event it receives makes it POST far
//! more alerts than the sink keeps (and a few with a huge message), and
//! its audit holds far more records than one per event and target.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use scimulate::connector::alert_sink::{MAX_KEPT_ALERTS, MAX_KEPT_BODY_BYTES};
use scimulate::connector::audit::{self, AuditError, AuditLimit};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Alerts posted per event: far past the sink's limit.
const PER_EVENT: usize = 3 * MAX_KEPT_ALERTS;
/// Alertmanager alerts per POST.
const BATCH: usize = 100;
/// Audit records served: far more than one per event and target.
const RECORDS: usize = 5_000;

fn manager_batch(n: usize) -> Value {
    let alerts: Vec<Value> = (0..n)
        .map(|i| {
            json!({"status": "firing",
               "labels": {"alertname": "Flood", "target": "app-a", "class": "server_error", "severity": "warning"},
               "annotations": {"summary": format!("flood {i}")},
               "startsAt": "2026-11-22T10:00:03.120Z"})
        })
        .collect();
    json!({"version": "4", "status": "firing", "receiver": "scimulate", "alerts": alerts})
}

fn record(i: usize) -> Value {
    json!({"event_id": format!("evt-{i}"), "target": "app-a", "operation": "joiner",
           "original_at": "2026-11-22T10:00:05.000Z", "executed_at": "2026-11-22T10:00:06.000Z",
           "outcome": "delivered", "replayed": false})
}

#[derive(Clone, Default)]
struct Flood {
    posted: Arc<AtomicUsize>,
}

/// Each event: the alerts, then 202.
async fn events(
    State(flood): State<Flood>,
    Query(q): Query<HashMap<String, String>>,
) -> StatusCode {
    let Some(url) = q.get("alerts") else {
        return StatusCode::BAD_REQUEST;
    };
    let http = reqwest::Client::new();
    // A native alert with a message far over the kept size.
    let huge = json!({"spec": "scimulate.alert/v1", "connector": "flood", "target": "app-a",
        "status": "degraded", "class": "server_error", "first_failure_at": "2026-11-22T10:00:03.120Z",
        "message": "x".repeat(8 * MAX_KEPT_BODY_BYTES)});
    let mut bodies = vec![huge];
    bodies.extend((0..PER_EVENT / BATCH).map(|_| manager_batch(BATCH)));
    for body in bodies {
        let r = http.post(url).json(&body).send().await;
        if r.is_ok_and(|r| r.status().is_success()) {
            flood.posted.fetch_add(1, Ordering::Relaxed);
        }
    }
    StatusCode::ACCEPTED
}

async fn audit_records() -> axum::Json<Value> {
    axum::Json(Value::Array((0..RECORDS).map(record).collect()))
}

/// A body larger than its limit allows: padding after the records.
async fn audit_huge() -> String {
    let mut body = serde_json::to_string(&vec![record(0)]).unwrap();
    body.push_str(&" ".repeat(3 * 1024 * 1024));
    body
}

async fn connector_server(flood: Flood) -> String {
    let app = Router::new()
        .route("/events", post(events))
        .route("/audit", get(audit_records))
        .route("/audit-huge", get(audit_huge))
        .with_state(flood);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_connector_is_bounded_and_the_report_says_so() {
    let flood = Flood::default();
    let base = connector_server(flood.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let connector = write(
        dir.path(),
        "flood.yaml",
        &format!(
            "kind: connector\nname: flood\nevents:\n  webhook: {{ url: \"{base}/events?alerts={{alert_url}}\" }}\nalerts:\n  format: alertmanager\naudit: {{ http: \"{base}/audit\" }}\n"
        ),
    );
    let scenario = write(
        dir.path(),
        "flooded.yaml",
        "kind: scenario\nname: flooded\nseed: 7\ntargets:\n  app-a: { profile: generic-rfc }\npeople:\n  named:\n    bob: { userName: bob@acme.test }\n    carol: { userName: carol@acme.test }\nsteps:\n  - joiner: [bob, carol]\nexpect:\n  - no_retry_storm: {}\n",
    );
    let out = tokio::task::spawn_blocking({
        let dir = dir.path().to_owned();
        move || {
            Command::new(env!("CARGO_BIN_EXE_scimulate"))
                .current_dir(&dir)
                .env("NO_COLOR", "1")
                .arg("run")
                .arg(&scenario)
                .arg("--connector")
                .arg(&connector)
                .args(["--report", "json:report.json", "--report", "terminal"])
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Two events, each a flood: every POST was answered 2xx.
    let posted = flood.posted.load(Ordering::Relaxed);
    assert_eq!(posted, 2 * (1 + PER_EVENT / BATCH), "{stderr}");
    // A harness error: the alert checks saw only part of what came.
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    let sc = &report["scenarios"][0];
    let kept = sc["alerts"].as_array().unwrap();
    assert_eq!(kept.len(), MAX_KEPT_ALERTS);
    let sent = 2 * (1 + PER_EVENT);
    let dropped = sent - MAX_KEPT_ALERTS;
    let errors: Vec<&str> = sc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    let said = format!("the first {MAX_KEPT_ALERTS} were kept and {dropped} more dropped");
    assert!(errors.iter().any(|e| e.contains(&said)), "{errors:?}");
    assert!(
        stdout.contains(&said),
        "the terminal says so too:\n{stdout}"
    );
    // The huge native alert: its raw body is cut and says so.
    let first = kept[0]["payload"]
        .as_str()
        .expect("cut, so not JSON any more");
    assert!(first.len() < MAX_KEPT_BODY_BYTES + 200, "{}", first.len());
    assert!(
        first.contains("cut by scimulate"),
        "{}",
        &first[first.len() - 100..]
    );
    // The audit: more records than one per event and target (and 1,000).
    let audit = sc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "audit")
        .expect("an audit check");
    assert_eq!(audit["passed"], false);
    let message = audit["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("{RECORDS} records, more than the 1002 allowed")),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_audit_body_past_its_byte_limit_is_not_read() {
    let base = connector_server(Flood::default()).await;
    let limit = AuditLimit::for_run(2, 1);
    assert_eq!(limit.records, 1_002);
    let err = audit::fetch(&format!("{base}/audit-huge"), limit)
        .await
        .unwrap_err();
    assert!(matches!(err, AuditError::TooLarge { .. }), "{err}");
    assert!(
        err.to_string()
            .contains(&format!("larger than {} bytes", limit.bytes())),
        "{err}"
    );
    // Within the limits the same server's audit reads.
    let records = audit::fetch(&format!("{base}/audit"), AuditLimit::for_run(RECORDS, 1))
        .await
        .expect("records");
    assert_eq!(records.len(), RECORDS);
}
