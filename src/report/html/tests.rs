use super::write;
use crate::judge::{Percentiles, Slis, StatusCount};
use crate::report::model::{
    CertifyCheck, CheckReport, Exchange, FailOn, HarnessError, Level, Outcome, ReceivedAlert,
    RunReport, ScenarioReport, TimelineEntry, TimelineKind,
};
use crate::report::traffic::{Bucket, FaultSpan, Replay, ReplayedWrite, TargetTraffic, Traffic};
use chrono::{TimeZone, Utc};
use serde_json::json;
use std::collections::BTreeMap;

const EVIL: &str = "<img src=x onerror=alert(1)></script><script>alert(2)</script>";

fn html(report: &RunReport) -> String {
    let mut out = Vec::new();
    write(report, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn entry(at_ms: u64, kind: TimelineKind, target: Option<&str>, summary: &str) -> TimelineEntry {
    TimelineEntry {
        at_ms,
        kind,
        target: target.map(str::to_owned),
        summary: summary.to_owned(),
        detail: None,
    }
}

/// A small run: one failing scenario with a fault, a rotation, an alert,
/// traffic, a replay and a failed check with its journal entries.
pub(crate) fn run_report(person: &str) -> RunReport {
    let mut failed = CheckReport::new(
        2,
        "replay",
        "app-a",
        false,
        &format!(
            "provision POST /scim/v2/Users ({person}) at +4.6s came before deprovision of bob at +4.7s"
        ),
    );
    failed.journal = vec![json!({
        "seq": 13, "time": "2026-12-07T08:04:20.190Z", "target": "app-a",
        "method": "POST", "path": "/scim/v2/Users", "status": 201, "person": person,
        "body": format!("{{\"displayName\": \"{person}\"}}")
    })];
    let mut s = ScenarioReport::new(
        "leaver-during-expired-token",
        "scenarios/leaver-during-expired-token.yaml",
        vec![
            CheckReport::new(
                0,
                "alert",
                "app-a",
                true,
                "degraded authentication at +1.2s",
            ),
            failed,
            CheckReport::skipped(3, "audit", "*", "the connector has no audit"),
        ],
    );
    s.description = Some(format!("{person} joins while the token is expired"));
    s.seed = Some(42);
    s.duration_ms = Some(5_700);
    s.timeline = vec![
        entry(
            0,
            TimelineKind::Event,
            None,
            &format!("joiner {person} → app-a"),
        ),
        entry(
            1_000,
            TimelineKind::Fault,
            Some("app-a"),
            "fault token_expired on",
        ),
        entry(1_100, TimelineKind::Event, None, "leaver bob → app-a"),
        entry(4_300, TimelineKind::Step, Some("app-a"), "token rotated"),
    ];
    s.alerts = vec![ReceivedAlert {
        at_ms: 1_200,
        payload: json!({"target": "app-a", "status": "degraded", "class": "authentication",
            "message": format!("401 for {person}")}),
    }];
    s.traffic = Some(Traffic {
        bucket_ms: 100,
        targets: vec![TargetTraffic {
            target: "app-a".into(),
            total: BTreeMap::from([("2xx".into(), 3), ("401".into(), 1)]),
            buckets: vec![
                Bucket {
                    start_ms: 0,
                    counts: BTreeMap::from([("2xx".into(), 1)]),
                },
                Bucket {
                    start_ms: 1_100,
                    counts: BTreeMap::from([("401".into(), 1)]),
                },
                Bucket {
                    start_ms: 4_600,
                    counts: BTreeMap::from([("2xx".into(), 2)]),
                },
            ],
            faults: vec![FaultSpan {
                start_ms: 1_000,
                end_ms: Some(4_300),
                class: None,
            }],
            replay: vec![Replay {
                recovered_ms: 4_300,
                writes: vec![ReplayedWrite {
                    at_ms: 4_600,
                    seq: 13,
                    method: "POST".into(),
                    path: "/scim/v2/Users".into(),
                    status: 201,
                    person: person.into(),
                    effect: "provision".into(),
                }],
                more: 0,
            }],
        }],
    });
    s.slis = Some(Slis {
        operations: 2,
        completed: 1,
        success_rate: 0.5,
        time_to_provision_ms: Percentiles::of(vec![3_400]),
        time_to_deprovision_ms: None,
        requests: 4,
        error_rate: 0.25,
        errors_by_status: BTreeMap::from([(
            "401".into(),
            StatusCount {
                count: 1,
                rate: 0.25,
            },
        )]),
        writes: 3,
        retries: 1,
        retry_rate: 1.0 / 3.0,
        max_pending: None,
        drifted: BTreeMap::from([("app-a".into(), 1)]),
    });
    let mut r = RunReport::run(
        42,
        Utc.with_ymd_and_hms(2026, 12, 7, 8, 0, 0).unwrap(),
        5_900,
        vec![s],
    );
    r.subject = Some("connectors/reference.yaml".into());
    r
}

fn certify_report() -> RunReport {
    let check = |id: &str, level: Level, outcome: Outcome, cause: Option<&str>| CertifyCheck {
        id: id.into(),
        group: "patch".into(),
        rfc: "RFC 7644 §3.5.2".into(),
        title: format!("{id} title"),
        quote: "Each PATCH operation object MUST have exactly one \"op\" member.".into(),
        level,
        outcome,
        message: format!("{id}: answered {EVIL}"),
        warning: false,
        cause: cause.map(str::to_owned),
        baseline: None,
        duration_ms: Some(12),
        exchanges: vec![Exchange {
            method: "PATCH".into(),
            path: "/Users/1".into(),
            credentials: None,
            request_body: Some(r#"{"Operations":[]}"#.into()),
            status: Some(400),
            response_body: Some(format!(r#"{{"detail":"{EVIL}"}}"#)),
            error: None,
        }],
    };
    let mut r = RunReport::certify(
        Utc.with_ymd_and_hms(2026, 12, 7, 8, 0, 0).unwrap(),
        2_300,
        vec![
            check(
                "PATCH-001",
                Level::Must,
                Outcome::Failed,
                Some("400 invalidSyntax"),
            ),
            check(
                "PATCH-002",
                Level::Must,
                Outcome::Failed,
                Some("400 invalidSyntax"),
            ),
            check("PATCH-016", Level::Should, Outcome::Passed, None),
            check("PATCH-099", Level::May, Outcome::Skipped, None),
        ],
        FailOn::Should,
    );
    r.subject = Some("http://127.0.0.1:1/scim/v2".into());
    r.errors.push(HarnessError {
        during: Some("cleanup".into()),
        message: "could not delete /Users/1".into(),
    });
    r
}

#[test]
fn a_run_report_renders_as_reviewed() {
    insta::assert_snapshot!("run", html(&run_report("dave")));
}

#[test]
fn a_certify_report_renders_as_reviewed() {
    insta::assert_snapshot!("certify", html(&certify_report()));
}

#[test]
fn text_from_outside_is_escaped_everywhere() {
    for page in [html(&run_report(EVIL)), html(&certify_report())] {
        assert!(!page.contains("<img"), "an img element got through");
        assert!(!page.contains("</script>"), "a script end tag got through");
        assert!(!page.contains("<script"), "a script element got through");
        assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
    }
}

#[test]
fn the_page_fetches_nothing_and_runs_nothing() {
    let page = html(&run_report("dave"));
    assert!(page.contains(
        r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">"#
    ));
    for fetch in ["src=", "<link", "@import", "url(", "http://", "https://"] {
        assert!(
            !page.contains(fetch) || fetch.starts_with("http") && only_as_text(&page, fetch),
            "{fetch} in the page"
        );
    }
}

/// Every `http://` in the page is inside text (the connector's name, an
/// RFC link would be an attribute): never in an attribute value.
fn only_as_text(page: &str, what: &str) -> bool {
    !page.contains(&format!("=\"{what}")) && !page.contains(&format!("='{what}"))
}

#[test]
fn a_failed_check_says_what_a_correct_connector_would_have_done() {
    let page = html(&run_report("dave"));
    assert!(page.contains(r#"id="s1-c2" data-testid="check" data-outcome="failed""#));
    assert!(page.contains("What a correct connector would have done:"));
    assert!(page.contains("a correct connector delivers every held-back event once the target is back, deprovisioning first"));
    assert!(page.contains(r##"<a href="#s1-c2">"##));
}
