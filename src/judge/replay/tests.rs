use super::*;
use crate::contract::alert::AlertClass;
use crate::judge::evidence::FaultWindow;
use chrono::{TimeZone, Utc};

fn t(ms: i64) -> Instant {
    Utc.timestamp_millis_opt(1_700_000_000_000 + ms).unwrap()
}

fn event(id: &str, person: &str, ms: i64, kind: EventKind) -> EventRecord {
    EventRecord {
        id: id.into(),
        person: Some(person.into()),
        sent_at: t(ms),
        kinds: [("a".to_owned(), kind)].into(),
    }
}

fn write(ms: i64, method: &str, path: &str, body: &str, status: u16, person: &str) -> Request {
    Request {
        seq: 0,
        at: t(ms),
        method: method.into(),
        path: path.into(),
        query: None,
        body: body.into(),
        status,
        retry_after: None,
        person: Some(person.into()),
    }
}

const DEACTIVATE: &str = r#"{"Operations":[{"op":"replace","value":{"active":false}}]}"#;

/// SPEC §5's example: bob was provisioned before the outage (+1s..+30s);
/// dave joins at +2s, bob leaves at +3s, both fail with 401 meanwhile.
fn spec_example(replayed: Vec<Request>) -> Evidence {
    let mut e = Evidence {
        started: Some(t(0)),
        time_scale: 1.0,
        ..Evidence::default()
    };
    e.faults.push(FaultWindow {
        target: "a".into(),
        class: Some(AlertClass::Authentication),
        started: t(1_000),
        ended: Some(t(30_000)),
    });
    e.events = vec![
        event("evt-1", "bob", 0, EventKind::Provision),
        event("evt-2", "dave", 2_000, EventKind::Provision),
        event("evt-3", "bob", 3_000, EventKind::Deprovision),
    ];
    let mut requests = vec![
        write(200, "POST", "/Users", "{}", 201, "bob"),
        write(2_100, "POST", "/Users", "{}", 401, "dave"),
        write(3_100, "PATCH", "/Users/b", DEACTIVATE, 401, "bob"),
    ];
    requests.extend(replayed);
    e.requests.insert("a".into(), requests);
    e
}

#[test]
fn deprovisioning_replayed_first_passes() {
    let e = spec_example(vec![
        write(30_500, "PATCH", "/Users/b", DEACTIVATE, 200, "bob"),
        write(30_700, "POST", "/Users", "{}", 201, "dave"),
    ]);
    let r = judge_replay(2, "a", &e);
    assert!(r.passed, "{}", r.message);
}

#[test]
fn provisioning_before_deprovisioning_fails_with_the_spec_message() {
    let e = spec_example(vec![
        write(31_200, "POST", "/Users", "{}", 201, "dave"),
        write(31_900, "PATCH", "/Users/b", DEACTIVATE, 200, "bob"),
    ]);
    let r = judge_replay(2, "a", &e);
    assert!(!r.passed);
    assert_eq!(
        r.message,
        "provision POST /Users (dave) at +31.2s came before deprovision of bob at +31.9s"
    );
}

#[test]
fn an_undelivered_event_that_never_arrives_fails() {
    let e = spec_example(vec![write(30_700, "POST", "/Users", "{}", 201, "dave")]);
    let r = judge_replay(2, "a", &e);
    assert!(!r.passed);
    assert!(
        r.message
            .contains("deprovision of bob (evt-3) sent during the outage never reached a"),
        "{}",
        r.message
    );
}

#[test]
fn a_joiner_and_leaver_inside_one_outage_may_be_folded_into_nothing() {
    let mut e = spec_example(vec![
        write(30_500, "PATCH", "/Users/b", DEACTIVATE, 200, "bob"),
        write(30_700, "POST", "/Users", "{}", 201, "dave"),
    ]);
    e.events
        .push(event("evt-4", "erin", 4_000, EventKind::Provision));
    e.events
        .push(event("evt-5", "erin", 5_000, EventKind::Deprovision));
    let r = judge_replay(2, "a", &e);
    assert!(
        r.passed,
        "nothing to remove from a target that never held erin: {}",
        r.message
    );
    // But creating erin after dave, and leaving her active, breaks her own order.
    e.requests
        .get_mut("a")
        .unwrap()
        .push(write(30_900, "POST", "/Users", "{}", 201, "erin"));
    let r = judge_replay(2, "a", &e);
    assert!(!r.passed);
    assert!(r.message.contains("erin's events (evt-4, evt-5) end in a deprovision, but the last write (POST /Users at +30.9s) does not remove access"), "{}", r.message);
}

#[test]
fn people_of_one_rank_keep_their_original_order() {
    let mut e = spec_example(vec![
        write(30_500, "PATCH", "/Users/b", DEACTIVATE, 200, "bob"),
        write(30_900, "POST", "/Users", "{}", 201, "dave"),
        write(30_700, "POST", "/Users", "{}", 201, "fay"),
    ]);
    e.events
        .push(event("evt-6", "fay", 6_000, EventKind::Provision));
    e.requests.get_mut("a").unwrap().sort_by_key(|r| r.at);
    let r = judge_replay(2, "a", &e);
    assert!(!r.passed);
    assert!(r.message.contains("provision of fay (event evt-6 at +6.0s) was written at +30.7s, before provision of dave (event evt-2 at +2.0s) written at +30.9s"), "{}", r.message);
}

#[test]
fn without_a_recovery_there_is_nothing_to_judge() {
    let mut e = spec_example(vec![]);
    e.faults[0].ended = None;
    assert!(
        judge_replay(2, "a", &e)
            .message
            .contains("no outage of a ended")
    );
}

#[test]
fn deactivation_is_recognised_in_every_shape() {
    let w = |method: &str, body: &str| write(0, method, "/Users/1", body, 200, "x");
    assert!(removes_access(&w("DELETE", "")));
    assert!(removes_access(&w(
        "PUT",
        r#"{"userName":"x","active": false}"#
    )));
    assert!(removes_access(&w(
        "PATCH",
        r#"{"Operations":[{"op":"Replace","path":"active","value":"False"}]}"#
    )));
    assert!(removes_access(&w("PATCH", DEACTIVATE)));
    assert!(!removes_access(&w(
        "PATCH",
        r#"{"Operations":[{"op":"replace","path":"title","value":"x"}]}"#
    )));
}
