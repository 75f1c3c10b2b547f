//! Fixed run models for the report tests: passes, failures with
//! multi-line messages full of text a server might send, a skipped check,
//! a scenario that could not run, and a certify session.

#![allow(dead_code)]

use chrono::{TimeZone, Utc};
use scimulate::report::{
    CertifyCheck, CheckReport, FailOn, HarnessError, Level, Outcome, ReceivedAlert, RunReport,
    ScenarioReport, TimelineEntry, TimelineKind,
};
use serde_json::json;

pub fn run() -> RunReport {
    let mut replay = CheckReport::new(
        2,
        "replay",
        "app-a",
        false,
        "provision POST /Users (dave) at +31.2s came before deprovision of bob at +31.9s\n\
         server said: 409 `uniqueness` | <b>conflict</b> ``` not closed\n\
         \u{1b}[31mred from the server\u{1b}[0m",
    );
    replay.journal =
        vec![json!({"seq": 41, "method": "POST", "path": "/scim/v2/Users", "status": 201})];
    let mut state = CheckReport::new(
        4,
        "state",
        "app-b",
        false,
        "bob@acme.test: active is true, expected false\ncarol@acme.test: title is \"Eng\", expected \"Engineer\"",
    );
    state.diff = Some(
        json!([{"user": "bob@acme.test", "attribute": "active", "expected": false, "found": true}]),
    );
    let mut first = ScenarioReport::new(
        "leaver-during-expired-token",
        "scenarios/leaver-during-expired-token.yaml",
        vec![
            CheckReport::new(
                0,
                "alert",
                "app-a",
                true,
                "degraded authentication alert at +1.4s",
            ),
            CheckReport::new(1, "no_alert", "app-b", true, "no alert for app-b"),
            replay,
            CheckReport::skipped(
                3,
                "honors_retry_after",
                "app-a",
                "app-a never answered 429: nothing to judge",
            ),
            CheckReport::new(
                4,
                "state",
                "app-a",
                true,
                "app-a holds what the source of truth says",
            ),
            state,
        ],
    );
    first.seed = Some(42);
    first.duration_ms = Some(18_234);
    first.description = Some("Bob leaves while app-a's token is expired.".into());
    first.alerts = vec![ReceivedAlert {
        at_ms: 1400,
        payload: json!({"spec": "scimulate.alert/v1", "connector": "ref", "target": "app-a",
                        "status": "degraded", "class": "authentication"}),
    }];
    first.timeline = vec![
        TimelineEntry {
            at_ms: 0,
            kind: TimelineKind::Event,
            target: None,
            summary: "joiner bob, carol".into(),
            detail: None,
        },
        TimelineEntry {
            at_ms: 1000,
            kind: TimelineKind::Fault,
            target: Some("app-a".into()),
            summary: "token_expired".into(),
            detail: Some(json!({"kind": "token_expired"})),
        },
    ];
    let mut twins = ScenarioReport::new(
        "jit-twins | `pipes`",
        "scenarios/jit-twins.yaml",
        vec![
            CheckReport::new(0, "no_twins", "app-a", true, "one account per person"),
            CheckReport::new(1, "state", "app-a", true, "converged"),
        ],
    );
    twins.seed = Some(42);
    twins.duration_ms = Some(2_050);
    let broken = ScenarioReport::error(
        "connector-restart",
        "scenarios/connector-restart.yaml",
        HarnessError {
            during: Some("start connector".into()),
            message:
                "./my-connector: exited with status 127 before it was ready\nstderr: not found"
                    .into(),
        },
    );
    RunReport::run(
        42,
        Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap(),
        20_311,
        vec![first, twins, broken],
    )
}

/// A run where everything passed.
pub fn clean_run() -> RunReport {
    let s = ScenarioReport::new(
        "joiner",
        "scenarios/joiner.yaml",
        vec![CheckReport::new(0, "state", "app-a", true, "converged")],
    );
    RunReport::run(
        7,
        Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap(),
        950,
        vec![s],
    )
}

fn cc(
    id: &str,
    group: &str,
    rfc: &str,
    level: Level,
    outcome: Outcome,
    message: &str,
) -> CertifyCheck {
    CertifyCheck {
        id: id.into(),
        group: group.into(),
        rfc: rfc.into(),
        title: title_of(id).into(),
        quote: String::new(),
        level,
        outcome,
        message: message.into(),
        warning: false,
        cause: None,
        baseline: None,
        duration_ms: None,
        exchanges: Vec::new(),
    }
}

/// What each fixture check tests, as the catalogue would say it.
fn title_of(id: &str) -> &'static str {
    match id {
        "DISC-001" => "GET /ServiceProviderConfig answers 200 with a JSON object",
        "PATCH-007" => "remove emails[value eq …] removes only the matching value",
        "PATCH-008" => "PATCH answers 200 with the resource, or 204",
        "BULK-001" => "a Bulk POST creates the user",
        "SHAPE-003" => "Entra removes a member with a value filter",
        _ => "",
    }
}

pub fn certify() -> RunReport {
    let mut entra = cc(
        "SHAPE-003",
        "idp shapes",
        "Entra ID provisioning",
        Level::Interop,
        Outcome::Failed,
        "PATCH members remove with a value filter answered 400 invalidFilter",
    );
    entra.warning = true;
    let mut report = RunReport::certify(
        Utc.with_ymd_and_hms(2026, 11, 22, 11, 0, 0).unwrap(),
        4_321,
        vec![
            cc(
                "DISC-001",
                "discovery",
                "RFC 7644 §4",
                Level::Must,
                Outcome::Passed,
                "ServiceProviderConfig served",
            ),
            cc(
                "PATCH-007",
                "patch",
                "RFC 7644 §3.5.2.2",
                Level::Must,
                Outcome::Failed,
                "remove of a multi-valued attribute with a filter left the value in place\nread back: {\"emails\": [{\"value\": \"x|y@acme.test\"}]}",
            ),
            cc(
                "PATCH-008",
                "patch",
                "RFC 7644 §3.5.2",
                Level::Should,
                Outcome::Passed,
                "PATCH answered 204",
            ),
            cc(
                "BULK-001",
                "bulk",
                "RFC 7644 §3.7",
                Level::May,
                Outcome::Skipped,
                "the server does not advertise bulk in /ServiceProviderConfig",
            ),
            entra,
        ],
        FailOn::Should,
    );
    report.subject = Some("https://scim.example.test/v2".into());
    report
}
