use super::*;
use crate::judge::evidence::{EventRecord, Request};
use chrono::{TimeZone, Utc};
use serde_json::Value;

fn t(ms: i64) -> Instant {
    Utc.timestamp_millis_opt(1_700_000_000_000 + ms).unwrap()
}

fn request(seq: u64, ms: i64, method: &str, status: u16, person: &str) -> Request {
    Request {
        seq,
        at: t(ms),
        method: method.into(),
        path: "/scim/v2/Users".into(),
        query: None,
        body: String::new(),
        status,
        retry_after: None,
        person: Some(person.into()),
    }
}

fn alert(ms: i64, status: AlertStatus, class: AlertClass) -> AlertRecord {
    AlertRecord {
        received_at: t(ms),
        target: "app-a".into(),
        status,
        class: Some(class),
        first_failure_at: None,
        pending: None,
        raw: Value::Null,
    }
}

/// A token expires at +1s; dave's joiner (+2s) and bob's leaver (+3s) fail
/// with 401 until the rotation at +30s, after which both are written.
fn outage() -> Evidence {
    let mut e = Evidence {
        started: Some(t(0)),
        time_scale: 1.0,
        ..Evidence::default()
    };
    e.faults.push(FaultWindow {
        target: "app-a".into(),
        class: Some(AlertClass::Authentication),
        started: t(1_000),
        ended: Some(t(30_000)),
    });
    e.events = vec![
        EventRecord {
            id: "evt-1".into(),
            person: Some("dave".into()),
            sent_at: t(2_000),
            kinds: [("app-a".to_owned(), EventKind::Provision)].into(),
        },
        EventRecord {
            id: "evt-2".into(),
            person: Some("bob".into()),
            sent_at: t(3_000),
            kinds: [("app-a".to_owned(), EventKind::Deprovision)].into(),
        },
    ];
    e.requests.insert(
        "app-a".into(),
        vec![
            request(1, 2_100, "POST", 401, "dave"),
            request(2, 3_100, "PATCH", 401, "bob"),
            request(3, 31_000, "PATCH", 200, "bob"),
            request(4, 31_200, "POST", 201, "dave"),
        ],
    );
    e
}

fn judge(e: &Evidence, fields: &[AlertField]) -> CheckResult {
    judge_alert(
        0,
        "app-a",
        AlertClass::Authentication,
        AlertStatus::Degraded,
        Duration::from_secs(10),
        fields,
        e,
    )
}

#[test]
fn the_right_alert_in_time_passes() {
    let mut e = outage();
    e.alerts.push(alert(
        2_500,
        AlertStatus::Degraded,
        AlertClass::Authentication,
    ));
    let r = judge(&e, &[]);
    assert!(r.passed, "{}", r.message);
    assert!(
        r.message.contains("degraded authentication at +2.5s"),
        "{}",
        r.message
    );
}

#[test]
fn a_wrong_class_a_late_alert_or_none_fail_and_say_what_came() {
    let mut e = outage();
    e.alerts
        .push(alert(2_500, AlertStatus::Degraded, AlertClass::ServerError));
    e.alerts.push(alert(
        12_000,
        AlertStatus::Degraded,
        AlertClass::Authentication,
    ));
    let r = judge(&e, &[]);
    assert!(!r.passed);
    assert!(
        r.message.contains(
            "received instead: degraded server_error at +2.5s; degraded authentication at +12.0s"
        ),
        "{}",
        r.message
    );
    e.alerts.clear();
    let r = judge(&e, &[]);
    assert!(
        r.message.contains("no alert for it arrived at all"),
        "{}",
        r.message
    );
}

#[test]
fn within_is_scenario_time_divided_by_the_time_scale() {
    let mut e = outage();
    e.time_scale = 10.0;
    e.alerts.push(alert(
        2_500,
        AlertStatus::Degraded,
        AlertClass::Authentication,
    ));
    // 10 s of scenario time is 1 s of wall time: +1.5 s after the fault is late.
    assert!(!judge(&e, &[]).passed);
    e.alerts[0].received_at = t(1_900);
    assert!(judge(&e, &[]).passed);
}

#[test]
fn first_failure_at_must_be_near_the_first_failing_request() {
    let mut e = outage();
    let mut a = alert(2_500, AlertStatus::Degraded, AlertClass::Authentication);
    a.first_failure_at = Some(t(2_300));
    e.alerts.push(a);
    assert!(judge(&e, &[AlertField::FirstFailureAt]).passed);
    e.alerts[0].first_failure_at = Some(t(5_000));
    let r = judge(&e, &[AlertField::FirstFailureAt]);
    assert!(!r.passed);
    assert!(r.message.contains("first_failure_at +5.0s is 2.9s from the first failing request (POST /scim/v2/Users at +2.1s)"), "{}", r.message);
    e.alerts[0].first_failure_at = None;
    assert!(
        judge(&e, &[AlertField::FirstFailureAt])
            .message
            .contains("no first_failure_at")
    );
}

#[test]
fn pending_must_count_the_events_actually_undelivered() {
    let mut e = outage();
    let mut a = alert(3_500, AlertStatus::Degraded, AlertClass::Authentication);
    a.pending = Some([(EventKind::Deprovision, 1), (EventKind::Provision, 1)].into());
    e.alerts.push(a);
    let r = judge(&e, &[AlertField::Pending]);
    assert!(r.passed, "{}", r.message);
    e.alerts[0].pending = Some([(EventKind::Provision, 2)].into());
    let r = judge(&e, &[AlertField::Pending]);
    assert!(!r.passed);
    assert!(
        r.message
            .contains("pending deprovision is 0, but 1 such events were undelivered"),
        "{}",
        r.message
    );
    assert!(
        r.message.contains("pending provision is 2, but 1"),
        "{}",
        r.message
    );
}

#[test]
fn no_alert_fails_on_any_alert_and_respects_its_window() {
    let mut e = outage();
    assert!(judge_no_alert(1, "app-a", None, &e).passed);
    e.alerts.push(alert(
        20_000,
        AlertStatus::Degraded,
        AlertClass::ServerError,
    ));
    let r = judge_no_alert(1, "app-a", None, &e);
    assert!(!r.passed);
    assert!(
        r.message.contains("degraded server_error at +20.0s"),
        "{}",
        r.message
    );
    assert!(judge_no_alert(1, "app-a", Some(Duration::from_secs(10)), &e).passed);
    assert!(
        judge_no_alert(1, "app-b", None, &e).passed,
        "other targets are not judged"
    );
}

#[test]
fn alert_resolved_needs_a_healthy_alert_after_recovery() {
    let mut e = outage();
    e.alerts.push(alert(
        2_500,
        AlertStatus::Degraded,
        AlertClass::Authentication,
    ));
    let r = judge_alert_resolved(2, "app-a", Duration::from_secs(15), &e);
    assert!(!r.passed);
    assert!(
        r.message.contains("recovery at +30.0s; none arrived"),
        "{}",
        r.message
    );
    e.alerts.push(alert(
        20_000,
        AlertStatus::Healthy,
        AlertClass::Authentication,
    ));
    assert!(
        !judge_alert_resolved(2, "app-a", Duration::from_secs(15), &e).passed,
        "before recovery"
    );
    e.alerts.push(alert(
        33_000,
        AlertStatus::Healthy,
        AlertClass::Authentication,
    ));
    assert!(judge_alert_resolved(2, "app-a", Duration::from_secs(15), &e).passed);
    e.faults.clear();
    assert!(
        judge_alert_resolved(2, "app-a", Duration::from_secs(15), &e)
            .message
            .contains("no fault on app-a ended")
    );
}
