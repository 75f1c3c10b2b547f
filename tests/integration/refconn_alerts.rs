//! Alerts: `failed` after `--failed-after`, `latency` above the threshold,
//! OAuth tokens renewed after a 401, and the alert defects changing what
//! is sent.

use crate::refconn_support::{Rig, person, rig, rig_with, settled};
use scimulate::connector::alert_sink::ReceivedAlert;
use scimulate::contract::alert::{AlertClass, AlertStatus};
use scimulate::mock::profile::GENERIC_RFC_YAML;
use scimulate::refconn::Defect;
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

async fn alert(rig: &Rig, status: AlertStatus) -> Option<ReceivedAlert> {
    rig.sink
        .store()
        .wait_for(|a| a.alert.status == status, WAIT)
        .await
}

#[tokio::test]
async fn refconn_a_long_outage_fails_and_recovery_is_healthy() {
    let rig = rig_with(&[("app-a", GENERIC_RFC_YAML)], &[], |o| {
        o.failed_after = Duration::from_millis(1500);
    })
    .await;
    rig.fault("app-a", json!({"kind": "server_error"})).await;
    rig.post_event(&rig.event(
        "e1",
        "joiner",
        1,
        person("E1", "a@acme.test", json!({})),
        &[],
        &["app-a"],
    ))
    .await;
    let degraded = alert(&rig, AlertStatus::Degraded).await.expect("degraded");
    assert_eq!(degraded.alert.class, AlertClass::ServerError);
    assert_eq!(degraded.alert.pending.unwrap().provision, 1);
    let failed = alert(&rig, AlertStatus::Failed).await.expect("failed");
    assert_eq!(
        failed.alert.first_failure_at,
        degraded.alert.first_failure_at
    );
    rig.clear_faults("app-a").await;
    let healthy = alert(&rig, AlertStatus::Healthy).await.expect("healthy");
    assert_eq!(healthy.alert.class, AlertClass::ServerError);
    assert_eq!(settled(&rig, "e1", "app-a").await["replayed"], true);
}

#[tokio::test]
async fn refconn_slow_answers_are_latency() {
    let rig = rig_with(&[("app-a", GENERIC_RFC_YAML)], &[], |o| {
        o.latency_threshold = Duration::from_millis(150);
    })
    .await;
    rig.fault(
        "app-a",
        json!({"kind": "latency", "delay": "300ms", "for_requests": 3}),
    )
    .await;
    rig.post_event(&rig.event(
        "e1",
        "joiner",
        1,
        person("E1", "a@acme.test", json!({})),
        &[],
        &["app-a"],
    ))
    .await;
    let degraded = alert(&rig, AlertStatus::Degraded).await.expect("degraded");
    assert_eq!(degraded.alert.class, AlertClass::Latency);
    settled(&rig, "e1", "app-a").await;
}

#[tokio::test]
async fn refconn_oauth_tokens_are_fetched_and_renewed_after_a_401() {
    let yaml = GENERIC_RFC_YAML.replace(
        "auth: { type: bearer, token_ttl: 1h }",
        "auth: { type: oauth2_client_credentials, token_ttl: 10m }",
    );
    let rig = rig_with(&[("app-a", yaml.as_str())], &[], |_| {}).await;
    rig.post_event(&rig.event(
        "e1",
        "joiner",
        1,
        person("E1", "a@acme.test", json!({})),
        &[],
        &["app-a"],
    ))
    .await;
    assert_eq!(settled(&rig, "e1", "app-a").await["outcome"], "delivered");
    rig.fault("app-a", json!({"kind": "token_expired"})).await;
    rig.post_event(&rig.event(
        "e2",
        "mover",
        2,
        person("E1", "a@acme.test", json!({"title": "X"})),
        &[],
        &["app-a"],
    ))
    .await;
    assert_eq!(settled(&rig, "e2", "app-a").await["outcome"], "delivered");
    assert_eq!(
        rig.user("app-a", "a@acme.test").await.unwrap()["title"],
        "X"
    );
    assert!(
        rig.journal("app-a")
            .await
            .iter()
            .any(|e| e["status"] == 401),
        "the expired token was refused, and a fresh one fetched"
    );
}

/// A two-request 503 outage, then recovery; the alerts that came.
async fn outage_alerts(defects: &[Defect]) -> Vec<ReceivedAlert> {
    let rig = rig(&["app-a"], defects).await;
    rig.fault(
        "app-a",
        json!({"kind": "unavailable", "for_requests": 2, "retry_after": "none"}),
    )
    .await;
    rig.post_event(&rig.event(
        "e1",
        "joiner",
        1,
        person("E1", "a@acme.test", json!({})),
        &[],
        &["app-a"],
    ))
    .await;
    settled(&rig, "e1", "app-a").await;
    // Alerts are POSTed by their own task: wait (bounded) for the last one
    // a well-behaved connector sends before reading them all.
    let _ = rig
        .sink
        .store()
        .wait_for(
            |a| a.alert.status == AlertStatus::Healthy,
            Duration::from_secs(2),
        )
        .await;
    rig.sink.store().alerts()
}

#[tokio::test]
async fn refconn_alert_defects_change_what_is_sent() {
    let good = outage_alerts(&[]).await;
    let statuses: Vec<_> = good.iter().map(|a| a.alert.status).collect();
    assert_eq!(statuses, [AlertStatus::Degraded, AlertStatus::Healthy]);
    assert_eq!(good[0].alert.class, AlertClass::ServerError);
    assert!(good[0].alert.first_failure_at.is_some());
    assert_eq!(good[0].alert.pending.unwrap().provision, 1);

    assert!(outage_alerts(&[Defect::NoAlerts]).await.is_empty());
    let wrong = outage_alerts(&[Defect::WrongClass]).await;
    assert_ne!(wrong[0].alert.class, AlertClass::ServerError);
    let no_ffa = outage_alerts(&[Defect::NoFirstFailureAt]).await;
    assert_eq!(no_ffa[0].alert.first_failure_at, None);
    let pending = outage_alerts(&[Defect::WrongPending]).await;
    assert_ne!(pending[0].alert.pending.unwrap().provision, 1);
    let never = outage_alerts(&[Defect::NoHealthy]).await;
    assert!(never.iter().all(|a| a.alert.status != AlertStatus::Healthy));
}

#[tokio::test]
async fn refconn_pending_counts_the_queued_events_by_kind() {
    let rig = rig_with(&[("app-a", GENERIC_RFC_YAML)], &[], |o| {
        o.failed_after = Duration::from_millis(1500);
    })
    .await;
    let bob = |active: bool| person("E1", "bob@acme.test", json!({"active": active}));
    rig.post_event(&rig.event("b1", "joiner", 1, bob(true), &[], &["app-a"]))
        .await;
    settled(&rig, "b1", "app-a").await;
    rig.fault("app-a", json!({"kind": "token_expired"})).await;
    let dave = person("E2", "dave@acme.test", json!({}));
    rig.post_event(&rig.event("d1", "joiner", 2, dave, &[], &["app-a"]))
        .await;
    rig.post_event(&rig.event("b2", "leaver", 3, bob(false), &[], &["app-a"]))
        .await;
    let failed = alert(&rig, AlertStatus::Failed).await.expect("failed");
    assert_eq!(failed.alert.class, AlertClass::Authentication);
    let p = failed.alert.pending.expect("pending");
    assert_eq!((p.deprovision, p.provision, p.update), (1, 1, 0));
}

#[tokio::test]
async fn refconn_dropped_connections_and_timeouts_are_connectivity() {
    for fault in [
        json!({"kind": "connection_drop", "for_requests": 2}),
        json!({"kind": "timeout", "for_requests": 2}),
    ] {
        // A 300 ms threshold gives the connector its own 1 s request timeout.
        let rig = rig_with(&[("app-a", GENERIC_RFC_YAML)], &[], |o| {
            o.latency_threshold = Duration::from_millis(300);
        })
        .await;
        rig.fault("app-a", fault.clone()).await;
        rig.post_event(&rig.event(
            "e1",
            "joiner",
            1,
            person("E1", "a@acme.test", json!({})),
            &[],
            &["app-a"],
        ))
        .await;
        let degraded = alert(&rig, AlertStatus::Degraded).await.expect("degraded");
        assert_eq!(degraded.alert.class, AlertClass::Connectivity, "{fault}");
        let healthy = alert(&rig, AlertStatus::Healthy).await.expect("healthy");
        assert_eq!(healthy.alert.class, AlertClass::Connectivity);
        assert_eq!(settled(&rig, "e1", "app-a").await["outcome"], "delivered");
    }
}
