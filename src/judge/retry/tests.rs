use super::*;
use crate::judge::evidence::{EventRecord, Instant};
use chrono::{TimeZone, Utc};

fn t(ms: i64) -> Instant {
    Utc.timestamp_millis_opt(1_700_000_000_000 + ms).unwrap()
}

fn req(ms: i64, method: &str, path: &str, body: &str, status: u16) -> Request {
    Request {
        seq: 0,
        at: t(ms),
        method: method.into(),
        path: path.into(),
        query: None,
        body: body.into(),
        status,
        retry_after: None,
        person: Some("bob".into()),
    }
}

fn evidence(requests: Vec<Request>) -> Evidence {
    let mut e = Evidence {
        started: Some(t(0)),
        time_scale: 1.0,
        ..Evidence::default()
    };
    e.requests.insert("a".into(), requests);
    e
}

fn storm(e: &Evidence) -> CheckResult {
    judge_no_retry_storm(0, "a", 3, Duration::from_millis(100), e)
}

#[test]
fn a_non_retryable_answer_repeated_beyond_max_is_a_storm() {
    let bad = |ms| req(ms, "PATCH", "/Users/1", r#"{"x":1}"#, 400);
    let ok = evidence(vec![bad(0), bad(1_000), bad(2_000), bad(3_000)]);
    assert!(
        storm(&ok).passed,
        "three repeats are allowed: {}",
        storm(&ok).message
    );
    let e = evidence(vec![bad(0), bad(1_000), bad(2_000), bad(3_000), bad(4_000)]);
    let r = storm(&e);
    assert!(!r.passed);
    assert!(
        r.message
            .contains("PATCH /Users/1 answered 400 at +0.0s was sent 4 more times"),
        "{}",
        r.message
    );
    // A different body is another request.
    let e = evidence(vec![
        bad(0),
        req(500, "PATCH", "/Users/1", r#"{"x":2}"#, 400),
        bad(1_000),
        bad(2_000),
        bad(3_000),
    ]);
    assert!(storm(&e).passed, "{}", storm(&e).message);
}

#[test]
fn retries_sooner_than_the_backoff_floor_are_a_storm_whatever_the_status() {
    let e = evidence(vec![
        req(0, "POST", "/Users", "{}", 503),
        req(20, "POST", "/Users", "{}", 503),
    ]);
    let r = storm(&e);
    assert!(!r.passed);
    assert!(
        r.message
            .contains("failed (503) at +0.0s and was sent again 20 ms later"),
        "{}",
        r.message
    );
    // Retrying a 503 with backoff for as long as the outage lasts is fine.
    let e = evidence(
        (0..20)
            .map(|i| req(i * 500, "POST", "/Users", "{}", 503))
            .collect(),
    );
    assert!(storm(&e).passed, "{}", storm(&e).message);
}

#[test]
fn a_401_may_be_retried_after_the_token_changed() {
    let unauth = |ms| req(ms, "GET", "/Users", "", 401);
    let mut e = evidence(vec![
        unauth(0),
        unauth(1_000),
        unauth(2_000),
        unauth(3_000),
        unauth(4_000),
    ]);
    assert!(!storm(&e).passed);
    e.rotations.insert("a".into(), vec![t(1_500)]);
    assert!(storm(&e).passed, "{}", storm(&e).message);
}

#[test]
fn retry_after_is_honoured_or_the_early_request_is_named() {
    let mut limited = req(0, "POST", "/Users", "{}", 429);
    limited.retry_after = Some(Duration::from_secs(2));
    let e = evidence(vec![
        limited.clone(),
        req(50, "GET", "/Users", "", 200),
        req(2_100, "POST", "/Users", "{}", 201),
    ]);
    let r = judge_honors_retry_after(0, "a", &e);
    assert!(
        r.passed,
        "in flight within 100 ms, then after 2 s: {}",
        r.message
    );
    let e = evidence(vec![limited, req(1_000, "POST", "/Users", "{}", 429)]);
    let r = judge_honors_retry_after(0, "a", &e);
    assert!(!r.passed);
    assert!(
        r.message
            .contains("Retry-After 2s, but POST /Users arrived 1.0s later"),
        "{}",
        r.message
    );
}

#[test]
fn latency_bounds_each_event_to_its_first_write() {
    let mut e = evidence(vec![
        req(500, "POST", "/Users", "{}", 201),
        req(9_000, "PATCH", "/Users/1", "{}", 200),
    ]);
    e.events = vec![
        EventRecord {
            id: "evt-1".into(),
            person: Some("bob".into()),
            sent_at: t(0),
            kinds: [("a".to_owned(), EventKind::Provision)].into(),
        },
        EventRecord {
            id: "evt-2".into(),
            person: Some("bob".into()),
            sent_at: t(1_000),
            kinds: [("a".to_owned(), EventKind::Deprovision)].into(),
        },
    ];
    let r = judge_latency(
        0,
        "a",
        Some(Duration::from_secs(1)),
        Some(Duration::from_secs(10)),
        &e,
    );
    assert!(r.passed, "{}", r.message);
    let r = judge_latency(
        0,
        "a",
        Some(Duration::from_secs(1)),
        Some(Duration::from_secs(5)),
        &e,
    );
    assert!(!r.passed);
    assert!(
        r.message
            .contains("evt-2 (bob) took 8.0s to reach a (at most 5.0s)"),
        "{}",
        r.message
    );
    e.requests.get_mut("a").unwrap().pop();
    let r = judge_latency(0, "a", None, Some(Duration::from_secs(5)), &e);
    assert!(
        r.message
            .contains("evt-2 (bob) sent at +1.0s never reached a"),
        "{}",
        r.message
    );
}

#[test]
fn lookups_for_different_people_are_different_requests() {
    let lookup = |ms, who: &str| Request {
        query: Some(format!("filter=userName%20eq%20%22{who}%22")),
        ..req(ms, "GET", "/Users", "", 400)
    };
    let people: Vec<Request> = ["a", "b", "c", "d", "e"]
        .iter()
        .enumerate()
        .map(|(i, w)| lookup(i as i64 * 1_000, w))
        .collect();
    assert!(storm(&evidence(people)).passed);
    let same: Vec<Request> = (0..5).map(|i| lookup(i * 1_000, "a")).collect();
    assert!(
        !storm(&evidence(same)).passed,
        "the same lookup five times is a storm"
    );
}
