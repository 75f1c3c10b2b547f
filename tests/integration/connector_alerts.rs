//! Alerts (SPEC §4.3): both wire forms normalised, Alertmanager labels
//! mapped through the connector file, malformed payloads answered 400
//! naming the field and still kept, and a scripted connector posting both.

use rstest::rstest;
use scimulate::connector::alert_sink::AlertSink;
use scimulate::connector::file::{AlertFormat, Alerts};
use scimulate::connector::{Connector, ConnectorOptions};
use scimulate::contract::alert::{self, AlertClass, AlertStatus, Pending, WireForm};
use serde_json::{Value, json};
use std::time::Duration;

const BOUND: Duration = Duration::from_secs(20);

fn defaults() -> Alerts {
    Alerts::default()
}

fn renamed() -> Alerts {
    Alerts {
        format: AlertFormat::Alertmanager,
        target_label: "app".into(),
        class_label: "failure_type".into(),
    }
}

fn native(status: &str, class: &str) -> Value {
    json!({"spec": "scimulate.alert/v1", "connector": "acme", "target": "app-a",
        "status": status, "class": class, "first_failure_at": "2026-11-22T10:00:03.120Z",
        "pending": {"deprovision": 2, "provision": 1, "update": 0}, "message": "401 from app-a"})
}

fn manager(status: &str, labels: Value, annotations: Value) -> Value {
    json!({"version": "4", "status": status, "receiver": "scimulate", "groupKey": "{}",
        "alerts": [{"status": status, "labels": labels, "annotations": annotations,
                    "startsAt": "2026-11-22T10:00:04.5Z", "endsAt": "0001-01-01T00:00:00Z"}]})
}

#[rstest]
#[case::native_degraded(
    native("degraded", "authentication"),
    defaults(),
    WireForm::Scimulate,
    "app-a",
    AlertStatus::Degraded,
    AlertClass::Authentication
)]
#[case::native_failed(
    native("failed", "rate_limit"),
    defaults(),
    WireForm::Scimulate,
    "app-a",
    AlertStatus::Failed,
    AlertClass::RateLimit
)]
#[case::native_healthy(
    native("healthy", "schema_mismatch"),
    defaults(),
    WireForm::Scimulate,
    "app-a",
    AlertStatus::Healthy,
    AlertClass::SchemaMismatch
)]
#[case::manager_warning(manager("firing", json!({"target": "app-b", "class": "connectivity", "severity": "warning"}), json!({})), defaults(), WireForm::Alertmanager, "app-b", AlertStatus::Degraded, AlertClass::Connectivity)]
#[case::manager_critical(manager("firing", json!({"target": "app-b", "class": "server_error", "severity": "critical"}), json!({})), defaults(), WireForm::Alertmanager, "app-b", AlertStatus::Failed, AlertClass::ServerError)]
#[case::manager_resolved(manager("resolved", json!({"target": "app-b", "class": "latency", "severity": "critical"}), json!({})), defaults(), WireForm::Alertmanager, "app-b", AlertStatus::Healthy, AlertClass::Latency)]
#[case::manager_renamed_labels(manager("firing", json!({"app": "app-c", "failure_type": "not_found", "severity": "warning", "target": "ignored"}), json!({})), renamed(), WireForm::Alertmanager, "app-c", AlertStatus::Degraded, AlertClass::NotFound)]
fn accepted_alerts_are_normalised(
    #[case] body: Value,
    #[case] config: Alerts,
    #[case] form: WireForm,
    #[case] target: &str,
    #[case] status: AlertStatus,
    #[case] class: AlertClass,
) {
    let (got_form, alerts) =
        alert::parse(body.to_string().as_bytes(), config.labels()).expect("accepted");
    assert_eq!(got_form, form);
    assert_eq!(alerts.len(), 1);
    let a = &alerts[0];
    assert_eq!(
        (a.target.as_str(), a.status, a.class),
        (target, status, class)
    );
    assert!(a.first_failure_at.is_some());
}

#[test]
fn alertmanager_annotations_and_starts_at_carry_pending_and_first_failure() {
    let body = manager(
        "firing",
        json!({"target": "app-b", "class": "authorization", "severity": "warning", "connector": "acme"}),
        json!({"pending_deprovision": "3", "pending_update": 1, "summary": "403 from app-b"}),
    );
    let (_, alerts) =
        alert::parse(body.to_string().as_bytes(), defaults().labels()).expect("accepted");
    let a = &alerts[0];
    assert_eq!(
        a.pending,
        Some(Pending {
            deprovision: 3,
            provision: 0,
            update: 1
        })
    );
    assert_eq!(a.message.as_deref(), Some("403 from app-b"));
    assert_eq!(a.connector.as_deref(), Some("acme"));
    assert_eq!(
        serde_json::to_value(a).expect("json")["first_failure_at"],
        "2026-11-22T10:00:04.500Z"
    );
}

#[rstest]
#[case::not_json(json!("x").to_string() + "{", "(body)", "a JSON object")]
#[case::neither_form(json!({"target": "app-a"}).to_string(), "spec", "scimulate.alert/v1")]
#[case::wrong_spec(json!({"spec": "scimulate.alert/v2"}).to_string(), "spec", "scimulate.alert/v1")]
#[case::bad_status(native("sad", "authentication").to_string(), "status", "healthy, degraded or failed")]
#[case::bad_class(native("failed", "timeout").to_string(), "class", "one of connectivity, latency, authentication, authorization, rate_limit, server_error, schema_mismatch, conflict, not_found")]
#[case::bad_time({ let mut v = native("failed", "conflict"); v["first_failure_at"] = json!("yesterday"); v.to_string() }, "first_failure_at", "RFC 3339")]
#[case::bad_pending({ let mut v = native("failed", "conflict"); v["pending"]["update"] = json!(-1); v.to_string() }, "pending.update", "a non-negative integer")]
#[case::missing_target({ let mut v = native("failed", "conflict"); v.as_object_mut().map(|o| o.remove("target")); v.to_string() }, "target", "a non-empty string")]
#[case::manager_version({ let mut v = manager("firing", json!({}), json!({})); v["version"] = json!("3"); v.to_string() }, "version", "\"4\"")]
#[case::manager_severity(manager("firing", json!({"target": "a", "class": "conflict", "severity": "info"}), json!({})).to_string(), "alerts[0].labels.severity", "warning (degraded) or critical (failed)")]
#[case::manager_default_label_missing(manager("firing", json!({"app": "a", "class": "conflict", "severity": "warning"}), json!({})).to_string(), "alerts[0].labels.target", "a non-empty string")]
#[case::manager_pending(manager("firing", json!({"target": "a", "class": "conflict", "severity": "warning"}), json!({"pending_provision": "many"})).to_string(), "alerts[0].annotations.pending_provision", "a non-negative integer")]
#[case::manager_empty(json!({"version": "4", "alerts": []}).to_string(), "alerts", "at least one alert")]
fn malformed_alerts_name_the_field_and_what_was_expected(
    #[case] body: String,
    #[case] field: &str,
    #[case] expected: &str,
) {
    let err = alert::parse(body.as_bytes(), defaults().labels()).expect_err("refused");
    assert_eq!(err.field, field);
    assert!(err.expected.contains(expected), "{err}");
}

#[test]
fn renamed_labels_are_looked_for_under_their_new_names() {
    let body = manager(
        "firing",
        json!({"target": "a", "class": "conflict", "severity": "warning"}),
        json!({}),
    );
    let err = alert::parse(body.to_string().as_bytes(), renamed().labels()).expect_err("refused");
    assert_eq!(err.field, "alerts[0].labels.app");
}

#[tokio::test]
async fn the_sink_answers_400_with_the_field_and_keeps_every_payload() {
    let sink = AlertSink::start(defaults()).await.expect("sink");
    let http = reqwest::Client::new();
    let ok = http
        .post(sink.url())
        .json(&native("degraded", "authentication"))
        .send()
        .await
        .expect("post");
    assert_eq!(ok.status(), 200);
    let bad = http
        .post(sink.url())
        .json(&native("sad", "authentication"))
        .send()
        .await
        .expect("post");
    assert_eq!(bad.status(), 400);
    let body: Value = bad.json().await.expect("json body");
    assert_eq!(body["field"], "status");
    assert_eq!(body["expected"], "healthy, degraded or failed");

    let received = sink.store().received();
    assert_eq!(received.len(), 2);
    assert!(received[0].result.is_ok());
    assert!(received[1].result.is_err());
    assert!(received[1].raw.contains("\"sad\""));
    assert!(received[0].received_at <= received[1].received_at);
    assert_eq!(sink.store().alerts().len(), 1);
    let none = sink
        .store()
        .wait_for(
            |a| a.alert.status == AlertStatus::Failed,
            Duration::from_millis(100),
        )
        .await;
    assert!(none.is_none(), "bounded wait gives up");
}

#[tokio::test]
async fn a_waiter_is_woken_by_the_alert_it_waits_for() {
    let sink = AlertSink::start(defaults()).await.expect("sink");
    let store = sink.store().clone();
    let waiter = tokio::spawn(async move {
        store
            .wait_for(|a| a.alert.class == AlertClass::Conflict, BOUND)
            .await
    });
    let http = reqwest::Client::new();
    for class in ["latency", "conflict"] {
        http.post(sink.url())
            .json(&native("failed", class))
            .send()
            .await
            .expect("post");
    }
    let got = waiter.await.expect("join").expect("found");
    assert_eq!(got.seq, 1);
}

#[tokio::test]
async fn a_scripted_connector_posts_both_forms() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = scimulate::connector::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/connectors/alerts.yaml"),
    )
    .expect("file");
    let mut c = tokio::time::timeout(
        BOUND,
        Connector::start(file, vec![], &ConnectorOptions::new(dir.path())),
    )
    .await
    .expect("bounded")
    .expect("starts");
    let logs: Vec<String> = c.logs().iter().map(ToString::to_string).collect();
    assert!(
        logs.iter()
            .any(|l| l.contains("posted: native 200, alertmanager 200, malformed 400")),
        "{logs:?}"
    );
    let alerts = c.alerts().alerts();
    assert_eq!(alerts.len(), 2);
    assert_eq!(alerts[0].form, WireForm::Scimulate);
    assert_eq!(alerts[0].alert.status, AlertStatus::Degraded);
    let b = &alerts[1].alert;
    assert_eq!(alerts[1].form, WireForm::Alertmanager);
    assert_eq!(
        (b.target.as_str(), b.class, b.status),
        ("app-b", AlertClass::ServerError, AlertStatus::Failed)
    );
    assert_eq!(
        b.pending,
        Some(Pending {
            deprovision: 1,
            provision: 0,
            update: 4
        })
    );
    let rejected: Vec<_> = c
        .alerts()
        .received()
        .into_iter()
        .filter(|r| r.result.is_err())
        .collect();
    assert_eq!(rejected.len(), 1);
    c.stop().await;
}
