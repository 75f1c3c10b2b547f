use super::*;
use crate::contract::alert::{AlertClass, AlertStatus};
use crate::judge::evidence::{AlertRecord, EventRecord};
use chrono::{TimeZone, Utc};
use rstest::rstest;

fn at(ms: i64) -> Instant {
    Utc.timestamp_millis_opt(1_700_000_000_000 + ms).unwrap()
}

/// A request to target `a`: (ms, method, status, person).
fn req(seq: u64, (ms, method, status, person): (i64, &str, u16, &str)) -> Request {
    Request {
        seq,
        at: at(ms),
        method: method.into(),
        path: if method == "POST" {
            "/Users".into()
        } else {
            format!("/Users/{person}")
        },
        query: None,
        body: String::new(),
        status,
        retry_after: None,
        person: (!person.is_empty()).then(|| person.to_owned()),
    }
}

fn event(ms: i64, person: &str, kind: EventKind) -> EventRecord {
    EventRecord {
        id: format!("e{ms}"),
        person: Some(person.into()),
        sent_at: at(ms),
        kinds: BTreeMap::from([("a".to_owned(), kind)]),
    }
}

fn evidence(
    events: Vec<EventRecord>,
    requests: &[(i64, &str, u16, &str)],
    time_scale: f64,
) -> Evidence {
    Evidence {
        started: Some(at(0)),
        time_scale,
        events,
        requests: BTreeMap::from([(
            "a".to_owned(),
            requests
                .iter()
                .enumerate()
                .map(|(i, r)| req(i as u64 + 1, *r))
                .collect(),
        )]),
        ..Evidence::default()
    }
}

#[rstest]
#[case(vec![], None)]
#[case(vec![5], Some((1, 5, 5, 5)))]
#[case(vec![3, 1, 2], Some((3, 2, 3, 3)))]
#[case((1..=100).collect(), Some((100, 50, 95, 100)))]
#[case((1..=20).collect(), Some((20, 10, 19, 20)))]
fn percentiles_are_nearest_rank(
    #[case] values: Vec<u64>,
    #[case] want: Option<(u64, u64, u64, u64)>,
) {
    let got = Percentiles::of(values).map(|p| (p.count, p.p50, p.p95, p.max));
    assert_eq!(got, want);
}

/// (events, requests, time scale) → (operations, completed, provision
/// times, deprovision times).
#[rstest]
// Provisioned 300 ms after the joiner, after one failure.
#[case(
    vec![event(100, "bob", EventKind::Provision)],
    vec![(200, "POST", 503, "bob"), (400, "POST", 201, "bob")],
    1.0,
    (1, 1, vec![300], vec![])
)]
// A write before the event does not complete it.
#[case(
    vec![event(100, "bob", EventKind::Provision)],
    vec![(50, "POST", 201, "bob")],
    1.0,
    (1, 0, vec![], vec![])
)]
// The leaver's write completes the leaver, not the joiner before it.
#[case(
    vec![event(0, "bob", EventKind::Provision), event(1_000, "bob", EventKind::Deprovision)],
    vec![(1_500, "DELETE", 204, "bob")],
    1.0,
    (2, 1, vec![], vec![500])
)]
// Someone else's write completes nothing; a read completes nothing.
#[case(
    vec![event(0, "bob", EventKind::Provision)],
    vec![(10, "POST", 201, "eve"), (20, "GET", 200, "bob")],
    1.0,
    (1, 0, vec![], vec![])
)]
// Scenario time: wall time times --time-scale.
#[case(
    vec![event(0, "bob", EventKind::Deprovision)],
    vec![(250, "PATCH", 200, "bob")],
    10.0,
    (1, 1, vec![], vec![2_500])
)]
// Updates are not operations.
#[case(
    vec![event(0, "bob", EventKind::Update)],
    vec![],
    1.0,
    (0, 0, vec![], vec![])
)]
fn operations_and_times_to_provision(
    #[case] events: Vec<EventRecord>,
    #[case] requests: Vec<(i64, &str, u16, &str)>,
    #[case] time_scale: f64,
    #[case] want: (u64, u64, Vec<u64>, Vec<u64>),
) {
    let s = slis(&evidence(events, &requests, time_scale));
    let maxes = |p: Option<Percentiles>| p.map(|p| vec![p.max]).unwrap_or_default();
    assert_eq!(
        (
            s.operations,
            s.completed,
            maxes(s.time_to_provision_ms),
            maxes(s.time_to_deprovision_ms)
        ),
        want
    );
    let rate = if want.0 == 0 {
        1.0
    } else {
        want.1 as f64 / want.0 as f64
    };
    assert_eq!(s.success_rate, rate);
}

/// Requests → (writes, retries).
#[rstest]
#[case(vec![(0, "POST", 201, "bob")], (1, 0))]
// A failure sent again is a retry, and so is the next after another failure.
#[case(vec![(0, "POST", 503, "bob"), (10, "POST", 503, "bob"), (20, "POST", 201, "bob")], (3, 2))]
// After a success the same write is not a retry.
#[case(vec![(0, "PATCH", 200, "bob"), (10, "PATCH", 200, "bob")], (2, 0))]
// Another person's write after a failure is not a retry of it.
#[case(vec![(0, "POST", 0, "bob"), (10, "POST", 201, "eve")], (2, 0))]
// Reads are not writes.
#[case(vec![(0, "GET", 500, "bob"), (10, "GET", 200, "bob")], (0, 0))]
fn retries_repeat_a_failed_write(
    #[case] requests: Vec<(i64, &str, u16, &str)>,
    #[case] want: (u64, u64),
) {
    let s = slis(&evidence(vec![], &requests, 1.0));
    assert_eq!((s.writes, s.retries), want);
}

#[test]
fn errors_are_counted_by_status_with_dropped_apart() {
    let s = slis(&evidence(
        vec![],
        &[
            (0, "POST", 201, "a"),
            (1, "POST", 429, "b"),
            (2, "POST", 429, "c"),
            (3, "POST", 0, "d"),
        ],
        1.0,
    ));
    assert_eq!(s.requests, 4);
    assert_eq!(s.error_rate, 0.75);
    let by: Vec<(&str, u64, f64)> = s
        .errors_by_status
        .iter()
        .map(|(k, v)| (k.as_str(), v.count, v.rate))
        .collect();
    assert_eq!(by, [("429", 2, 0.5), ("dropped", 1, 0.25)]);
}

#[test]
fn the_largest_backlog_is_the_first_highest_pending_sum() {
    let alert = |ms: i64, target: &str, pending: &[(EventKind, u64)]| AlertRecord {
        received_at: at(ms),
        target: target.into(),
        status: AlertStatus::Degraded,
        class: Some(AlertClass::Connectivity),
        first_failure_at: None,
        pending: Some(pending.iter().copied().collect()),
        raw: serde_json::Value::Null,
    };
    let mut e = evidence(vec![], &[], 1.0);
    e.alerts = vec![
        alert(100, "a", &[(EventKind::Provision, 2)]),
        alert(
            200,
            "b",
            &[(EventKind::Provision, 3), (EventKind::Deprovision, 4)],
        ),
        alert(300, "a", &[(EventKind::Provision, 7)]),
    ];
    assert_eq!(
        slis(&e).max_pending,
        Some(Backlog {
            pending: 7,
            target: "b".into(),
            at_ms: 200
        })
    );
    e.alerts.clear();
    assert_eq!(slis(&e).max_pending, None);
}

#[test]
fn drifted_accounts_are_the_people_state_names() {
    use crate::judge::evidence::Holdings;
    use crate::scenario::truth::Expected;
    use serde_json::json;
    let people: Vec<crate::scenario::Person> = serde_json::from_value(json!([
        {"key": "bob", "user": {"userName": "bob@example.com", "externalId": "e-bob"}},
        {"key": "eve", "user": {"userName": "eve@example.com", "externalId": "e-eve"}}
    ]))
    .unwrap();
    let mut e = evidence(vec![], &[], 1.0);
    e.people = std::sync::Arc::new(people);
    e.expected.insert(
        "a".into(),
        BTreeMap::from([
            ("bob".to_owned(), Expected::Gone),
            ("eve".to_owned(), Expected::Gone),
        ]),
    );
    e.state.insert(
        "a".into(),
        Holdings {
            users: vec![
                json!({"id": "1", "userName": "bob@example.com", "externalId": "e-bob", "active": true}).into(),
                json!({"id": "2", "userName": "eve@example.com", "externalId": "e-eve", "active": false}).into(),
            ],
            ..Holdings::default()
        },
    );
    assert_eq!(slis(&e).drifted, BTreeMap::from([("a".to_owned(), 1)]));
}
