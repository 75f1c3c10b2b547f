//! The JSON Schemas (`scimulate schema KIND`) against real documents:
//! each schema is valid draft 2020-12; every shipped profile and scenario,
//! the SPEC's own examples, the endpoints file `serve` writes and the JSON
//! reports we produce validate; wrong documents are refused.

use crate::report_support;

use rstest::rstest;
use scimulate::report::{ReportFormat, Style, render};
use scimulate::schema::SchemaKind;
use serde_json::{Value, json};
use std::path::Path;

fn validator(kind: SchemaKind) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(kind.schema()).expect("schema is JSON");
    jsonschema::draft202012::new(&schema).unwrap_or_else(|e| panic!("{kind} schema: {e}"))
}

/// The validation errors, one line each; empty when the document is valid.
fn errors(kind: SchemaKind, doc: &Value) -> Vec<String> {
    validator(kind)
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn assert_valid(kind: SchemaKind, doc: &Value, what: &str) {
    let errs = errors(kind, doc);
    assert!(
        errs.is_empty(),
        "{what} should be a valid {kind}:\n{}",
        errs.join("\n")
    );
}

fn yaml_file(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn yaml_files(dir: &str) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_schema_is_a_valid_2020_12_schema() {
    for kind in SchemaKind::ALL {
        let schema: Value = serde_json::from_str(kind.schema()).unwrap();
        if let Err(e) = jsonschema::meta::validate(&schema) {
            panic!("{kind}: {e}");
        }
        validator(kind);
        assert!(
            schema["description"].is_string(),
            "{kind} has a description"
        );
    }
}

#[test]
fn shipped_profiles_validate() {
    let mut files = yaml_files("mock-targets");
    files.extend(yaml_files("tests/data/profiles-ok"));
    assert!(!files.is_empty());
    for f in files {
        assert_valid(
            SchemaKind::Profile,
            &yaml_file(&f),
            &f.display().to_string(),
        );
    }
}

#[test]
fn shipped_scenarios_validate() {
    let mut files = yaml_files("scenarios");
    // Game-day files are scenario files with three more sections.
    files.extend(yaml_files("scenarios/gamedays"));
    assert!(!files.is_empty());
    for f in files {
        assert_valid(
            SchemaKind::Scenario,
            &yaml_file(&f),
            &f.display().to_string(),
        );
    }
}

/// Broken files of the loader's corpus whose fault is one of shape, not of
/// names (an unknown person or profile needs the rest of the file).
#[rstest]
#[case::profile("profiles-bad/bad-duration-unit.yaml", SchemaKind::Profile, "at /auth")]
#[case::profile(
    "profiles-bad/missing-name.yaml",
    SchemaKind::Profile,
    "\"name\" is a required property"
)]
#[case::profile(
    "profiles-bad/negative-page-size.yaml",
    SchemaKind::Profile,
    "at /page_size_default"
)]
#[case::profile(
    "profiles-bad/trailing-slash-base-path.yaml",
    SchemaKind::Profile,
    "at /base_path"
)]
#[case::profile("profiles-bad/unknown-auth-type.yaml", SchemaKind::Profile, "at /auth")]
#[case::profile(
    "profiles-bad/unknown-feature-key.yaml",
    SchemaKind::Profile,
    "'sortt' was unexpected"
)]
#[case::profile("profiles-bad/unknown-kind.yaml", SchemaKind::Profile, "at /kind")]
#[case::profile(
    "profiles-bad/unknown-resource-type.yaml",
    SchemaKind::Profile,
    "at /resource_types/1"
)]
#[case::scenario(
    "scenarios-bad/after-and-at.yaml",
    SchemaKind::Scenario,
    "is not allowed for"
)]
#[case::scenario(
    "scenarios-bad/bad-duration.yaml",
    SchemaKind::Scenario,
    "at /steps/0/after"
)]
#[case::scenario(
    "scenarios-bad/empty-step.yaml",
    SchemaKind::Scenario,
    "less than 1 property"
)]
#[case::scenario(
    "scenarios-bad/fault-bad-parameter.yaml",
    SchemaKind::Scenario,
    "at /steps/0/fault"
)]
#[case::scenario(
    "scenarios-bad/fault-without-target.yaml",
    SchemaKind::Scenario,
    "\"target\" is a required property"
)]
#[case::scenario(
    "scenarios-bad/generated-name-taken.yaml",
    SchemaKind::Scenario,
    "at /people/named"
)]
#[case::scenario(
    "scenarios-bad/latency-without-bounds.yaml",
    SchemaKind::Scenario,
    "at /expect/0/latency"
)]
#[case::scenario(
    "scenarios-bad/missing-steps.yaml",
    SchemaKind::Scenario,
    "\"steps\" is a required property"
)]
#[case::scenario(
    "scenarios-bad/network-without-change.yaml",
    SchemaKind::Scenario,
    "at /steps/0/network"
)]
#[case::scenario(
    "scenarios-bad/unknown-alert-class.yaml",
    SchemaKind::Scenario,
    "at /expect/0/alert/class"
)]
#[case::scenario(
    "scenarios-bad/unknown-check.yaml",
    SchemaKind::Scenario,
    "'alerts' was unexpected"
)]
#[case::scenario(
    "scenarios-bad/unknown-fault-kind.yaml",
    SchemaKind::Scenario,
    "at /steps/0/fault"
)]
#[case::scenario(
    "scenarios-bad/unknown-person-attribute.yaml",
    SchemaKind::Scenario,
    "\"titel\""
)]
#[case::scenario(
    "scenarios-bad/two-actions.yaml",
    SchemaKind::Scenario,
    "is not allowed for"
)]
#[case::scenario(
    "scenarios-bad/set-on-leaver.yaml",
    SchemaKind::Scenario,
    "listed in the 'anyOf' keyword at /steps/0"
)]
#[case::scenario(
    "scenarios-bad/unknown-step-key.yaml",
    SchemaKind::Scenario,
    "'target' was unexpected"
)]
#[case::scenario(
    "scenarios-bad/wait-for-what.yaml",
    SchemaKind::Scenario,
    "at /steps/0/wait"
)]
fn broken_corpus_files_are_refused(
    #[case] file: &str,
    #[case] kind: SchemaKind,
    #[case] expected: &str,
) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(file);
    let doc = yaml_file(&path);
    let e = errors(kind, &doc);
    assert!(
        e.iter().any(|e| e.contains(expected)),
        "{file} should be refused with an error containing {expected:?}; errors: {e:?}"
    );
}

// The SPEC's own examples, as SPEC.md shows them.

fn spec_event() -> Value {
    json!({"spec": "scimulate.event/v1", "id": "evt-000012", "type": "leaver",
     "occurred_at": "2026-11-22T10:00:05.000Z",
     "person": {"externalId": "E1002", "userName": "bob@acme.test",
                "name": {"givenName": "Bob", "familyName": "Ng"}, "displayName": "Bob Ng",
                "emails": [{"value": "bob@acme.test", "type": "work", "primary": true}],
                "title": "Engineer", "active": false,
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":
                  {"employeeNumber": "1002", "department": "Engineering"}},
     "groups": [], "targets": ["app-a", "app-b"]})
}

fn spec_alert() -> Value {
    json!({"spec": "scimulate.alert/v1", "connector": "acme-provisioner", "target": "app-a",
     "status": "degraded", "class": "authentication",
     "first_failure_at": "2026-11-22T10:00:03.120Z",
     "pending": {"deprovision": 2, "provision": 1, "update": 0},
     "message": "401 invalid_token from app-a"})
}

fn spec_targets() -> Value {
    json!({"targets": [
      {"name": "app-a", "base_url": "http://127.0.0.1:40002/scim/v2",
       "auth": {"type": "bearer", "token": "..."}},
      {"name": "app-b", "base_url": "http://127.0.0.1:40003/scim/v2",
       "auth": {"type": "oauth2_client_credentials", "token_url": "http://127.0.0.1:40004/token",
                "client_id": "...", "client_secret": "..."}}],
     "alert_url": "http://127.0.0.1:40005/alerts"})
}

fn spec_endpoints() -> Value {
    json!({"admin": {"url": "http://127.0.0.1:40001", "token": "..."},
     "toxiproxy": {"url": "http://127.0.0.1:40006"},
     "targets": {"app-a": {"base_url": "http://127.0.0.1:40002/scim/v2",
                           "direct_url": "http://127.0.0.1:40002/scim/v2",
                           "auth": {"type": "bearer", "token": "..."}}}})
}

/// SPEC §7's example with its `"started_at": "..."` placeholder filled in.
fn spec_report() -> Value {
    json!({"spec": "scimulate.report/v1", "kind": "run", "passed": false, "seed": 42,
     "started_at": "2026-11-22T10:00:00Z", "duration_ms": 18234,
     "scenarios": [
       {"name": "leaver-during-expired-token", "file": "scenarios/leaver-during-expired-token.yaml",
        "passed": false,
        "checks": [
          {"index": 0, "check": "alert", "target": "app-a", "passed": true, "message": "..."},
          {"index": 2, "check": "replay", "target": "app-a", "passed": false,
           "message": "provision POST /Users (dave) at +31.2s came before deprovision of bob at +31.9s"}]}]})
}

fn spec_certify_report() -> Value {
    json!({"spec": "scimulate.report/v1", "kind": "certify", "passed": true,
     "started_at": "2026-11-22T10:00:00Z", "duration_ms": 1,
     "checks": [{"id": "PATCH-007", "group": "patch", "rfc": "RFC 7644 §3.5.2.2", "level": "MUST",
                 "outcome": "passed", "message": "..."}]})
}

/// SPEC §4's connector file, as JSON.
fn spec_connector() -> Value {
    json!({"name": "acme-provisioner",
     "start": {"command": ["./my-connector", "--listen", "127.0.0.1:{port}", "--targets", "{targets_file}"],
               "env": {"LOG_LEVEL": "info"},
               "ready": {"http": "http://127.0.0.1:{port}/healthz", "timeout": "20s"}},
     "events": {"webhook": {"url": "http://127.0.0.1:{port}/events"}},
     "reload": "sighup",
     "alerts": {"format": "scimulate", "labels": {"target": "app", "class": "failure_type"}},
     "audit": {"http": "http://127.0.0.1:{port}/audit"}})
}

/// SPEC §2's profile example, as JSON.
fn spec_profile() -> Value {
    json!({"name": "generic-rfc", "resource_types": ["User", "Group"],
     "schemas": ["core-user", "enterprise-user", "core-group"],
     "auth": {"type": "bearer", "token_ttl": "1h"},
     "features": {"patch": true, "bulk": {"max_operations": 1000}, "filter": {"max_results": 200},
                  "sort": true, "etag": true, "change_password": false},
     "page_size_default": 100, "base_path": "/scim/v2", "behaviour": {}, "quirks": [],
     "rate_limit": {"requests_per_second": 50, "burst": 100, "retry_after": "2s"},
     "seed": {"users": 1000}})
}

#[test]
fn the_spec_examples_validate() {
    assert_valid(SchemaKind::Event, &spec_event(), "SPEC §4.2 event");
    assert_valid(SchemaKind::Alert, &spec_alert(), "SPEC §4.3 alert");
    assert_valid(
        SchemaKind::Targets,
        &spec_targets(),
        "SPEC §4.1 targets file",
    );
    assert_valid(
        SchemaKind::Endpoints,
        &spec_endpoints(),
        "SPEC §3.4 endpoints file",
    );
    assert_valid(SchemaKind::Report, &spec_report(), "SPEC §7 report");
    assert_valid(
        SchemaKind::Report,
        &spec_certify_report(),
        "SPEC §7 certify report",
    );
    assert_valid(
        SchemaKind::Connector,
        &spec_connector(),
        "SPEC §4 connector file",
    );
    assert_valid(SchemaKind::Profile, &spec_profile(), "SPEC §2 profile");
    let reconcile = json!({"spec": "scimulate.event/v1", "id": "evt-2", "type": "reconcile",
        "occurred_at": "2026-11-22T10:00:05Z", "groups": [], "targets": ["app-a"]});
    assert_valid(SchemaKind::Event, &reconcile, "a reconcile event");
    let exec = json!({"name": "x", "events": {"exec": {"command": ["./push.sh"], "timeout": "30s"}},
        "reload": {"http": "http://127.0.0.1:{port}/reload"}, "alerts": {"format": "alertmanager"}});
    assert_valid(SchemaKind::Connector, &exec, "an exec connector");
}

/// SPEC §3.4's fault object inside a scenario step and as a quirk.
#[test]
fn fault_objects_validate_where_they_are_used() {
    let fault = json!({"kind": "rate_limit", "methods": ["POST", "PATCH"], "resource_type": "User",
        "operation": "provision", "for": "30s", "for_requests": 10, "probability": 0.5,
        "retry_after": "2s"});
    let mut step = fault.clone();
    step["target"] = json!("app-a");
    let scenario = json!({"name": "s", "targets": {"app-a": {"profile": "generic-rfc",
            "quirks": ["patch_as_put", fault, {"kind": "latency", "delay": {"min": "10ms", "max": "50ms"}}]}},
        "steps": [{"fault": step}, {"fault": {"target": "app-a", "clear": "all"}},
                  {"network": {"target": "app-a", "toxic": {"type": "latency", "attributes": {"latency": 100}}}},
                  {"network": {"target": "app-a", "enabled": false}},
                  {"after": "1s"}, {"restart_connector": {"signal": "KILL"}}, {"reconcile": []},
                  {"mover": "bob", "set": {"title": "Lead", "department": "Platform"}, "groups": ["platform"]}],
        "expect": [{"no_alert": null}, {"state": "ignore"}, {"no_retry_storm": {"max": 2, "backoff_floor": "200ms"}},
                   {"latency": {"deprovision": "10s"}}, {"alert_resolved": {"within": "1m"}}]});
    assert_valid(
        SchemaKind::Scenario,
        &scenario,
        "a scenario using every step kind",
    );
}

#[rstest]
#[case::scenario_unknown_key(SchemaKind::Scenario, json!({"name": "s", "targets": {"a": {"profile": "p"}}, "steps": [], "expects": []}), "'expects' was unexpected")]
#[case::scenario_no_targets(SchemaKind::Scenario, json!({"name": "s", "targets": {}, "steps": []}), "less than 1 property at /targets")]
#[case::fault_parameter_of_another_kind(SchemaKind::Scenario, json!({"name": "s", "targets": {"a": {"profile": "p"}},
    "steps": [{"fault": {"target": "a", "kind": "latency", "retry_after": "2s"}}]}), "at /steps/0/fault")]
#[case::fault_clear_with_a_kind(SchemaKind::Scenario, json!({"name": "s", "targets": {"a": {"profile": "p"}},
    "steps": [{"fault": {"target": "a", "kind": "latency", "clear": "all"}}]}), "at /steps/0/fault")]
#[case::jit_twin_without_users(SchemaKind::Scenario, json!({"name": "s", "targets": {"a": {"profile": "p"}},
    "steps": [{"fault": {"target": "a", "kind": "jit_twin"}}]}), "at /steps/0/fault")]
#[case::two_checks_in_one_entry(SchemaKind::Scenario, json!({"name": "s", "targets": {"a": {"profile": "p"}},
    "steps": [], "expect": [{"no_twins": null, "state": "converged"}]}), "has more than 1 property at /expect/0")]
#[case::probability_above_one(SchemaKind::Profile, json!({"name": "p", "quirks": [{"kind": "server_error", "probability": 2}]}), "at /quirks/0")]
#[case::profile_unknown_quirk(SchemaKind::Profile, json!({"name": "p", "quirks": ["meteor_strike"]}), "at /quirks/0")]
#[case::event_bad_type(SchemaKind::Event, json!({"spec": "scimulate.event/v1", "id": "e", "type": "quitter",
    "occurred_at": "2026-11-22T10:00:05Z", "person": {"userName": "b"}, "groups": [], "targets": []}), "at /type")]
#[case::event_without_person(SchemaKind::Event, json!({"spec": "scimulate.event/v1", "id": "e", "type": "leaver",
    "occurred_at": "2026-11-22T10:00:05Z", "groups": [], "targets": []}), "\"person\" is a required property")]
#[case::alert_bad_class(SchemaKind::Alert, json!({"spec": "scimulate.alert/v1", "connector": "c", "target": "a",
    "status": "degraded", "class": "gremlins"}), "at /class")]
#[case::alert_bad_time(SchemaKind::Alert, json!({"spec": "scimulate.alert/v1", "connector": "c", "target": "a",
    "status": "degraded", "class": "latency", "first_failure_at": "yesterday"}), "at /first_failure_at")]
#[case::targets_without_token(SchemaKind::Targets, json!({"targets": [{"name": "a", "base_url": "u", "auth": {"type": "bearer"}}], "alert_url": "u"}), "at /targets/0/auth")]
#[case::endpoints_without_admin(SchemaKind::Endpoints, json!({"targets": {}}), "\"admin\" is a required property")]
#[case::report_without_spec(SchemaKind::Report, json!({"kind": "run", "passed": true, "seed": 1, "started_at": "2026-11-22T10:00:00Z", "duration_ms": 1, "scenarios": []}), "\"spec\" is a required property")]
#[case::run_report_without_scenarios(SchemaKind::Report, json!({"spec": "scimulate.report/v1", "kind": "run", "passed": true, "seed": 1, "started_at": "2026-11-22T10:00:00Z", "duration_ms": 1}), "\"scenarios\" is a required property")]
#[case::partition_from_zero(SchemaKind::Report, json!({"spec": "scimulate.report/v1", "kind": "run", "passed": true, "seed": 1,
    "started_at": "2026-11-22T10:00:00Z", "duration_ms": 1, "scenarios": [], "partition": {"k": 0, "n": 2}}), "at /partition/k")]
#[case::certify_bad_outcome(SchemaKind::Report, json!({"spec": "scimulate.report/v1", "kind": "certify", "passed": true,
    "started_at": "2026-11-22T10:00:00Z", "duration_ms": 1,
    "checks": [{"id": "PATCH-007", "group": "patch", "rfc": "r", "level": "MUST", "outcome": "warning", "message": ""}]}), "at /checks/0/outcome")]
#[case::connector_ready_both_ways(SchemaKind::Connector, json!({"name": "c", "start": {"command": ["x"],
    "ready": {"http": "http://h", "log": "ready"}}, "events": {"webhook": {"url": "u"}}}), "at /start/ready")]
#[case::connector_without_events(SchemaKind::Connector, json!({"name": "c"}), "\"events\" is a required property")]
#[case::connector_unknown_placeholder(SchemaKind::Connector, json!({"name": "c",
    "start": {"command": ["./c", "--listen", "127.0.0.1:{prot}"]}, "events": {"webhook": {"url": "http://h/e"}}}),
    "at /start/command/2")]
#[case::connector_webhook_not_a_url(SchemaKind::Connector, json!({"name": "c",
    "events": {"webhook": {"url": "127.0.0.1:{port}/events"}}}), "at /events")]
#[case::connector_sighup_without_start(SchemaKind::Connector, json!({"name": "c", "reload": "sighup",
    "events": {"webhook": {"url": "http://h/e"}}}), "\"start\" is a required property")]
fn wrong_documents_are_refused(
    #[case] kind: SchemaKind,
    #[case] doc: Value,
    #[case] expected: &str,
) {
    let e = errors(kind, &doc);
    assert!(
        e.iter().any(|e| e.contains(expected)),
        "{doc} should be refused as a {kind} with an error containing {expected:?}; errors: {e:?}"
    );
}

#[test]
fn our_json_reports_validate() {
    // A slice of a pack (`run --partition 2/3`) records both.
    let mut slice = report_support::run();
    let mut pack = scimulate::report::Pack::new(vec!["a".into(), "b".into()], "0".repeat(16));
    pack.seed = Some(7);
    pack.time_scale = Some(10.0);
    slice.pack = Some(pack);
    slice.partition = Some("2/3".parse().unwrap());
    for report in [
        report_support::run(),
        report_support::certify(),
        report_support::clean_run(),
        slice,
    ] {
        let text = render(&report, ReportFormat::Json, Style::default()).unwrap();
        let doc: Value = serde_json::from_slice(&text).unwrap();
        assert_valid(SchemaKind::Report, &doc, "a JSON report we wrote");
    }
}

#[tokio::test]
async fn the_endpoints_file_serve_writes_validates() {
    use scimulate::mock::profile::{GENERIC_RFC_YAML, Profile};
    use scimulate::serve::{ServeOptions, start};
    let rfc = Profile::from_yaml(GENERIC_RFC_YAML, "generic-rfc").unwrap();
    let oauth = Profile::from_yaml(
        "name: oauth-app\nauth: { type: oauth2_client_credentials, token_ttl: 10m }\n",
        "oauth",
    )
    .unwrap();
    let serving = start(vec![rfc, oauth], &ServeOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("endpoints.json");
    serving.endpoints.write(&path).unwrap();
    let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    serving.shutdown().await.unwrap();
    assert_valid(
        SchemaKind::Endpoints,
        &doc,
        "the endpoints file serve wrote",
    );
    assert_eq!(doc["targets"].as_object().unwrap().len(), 2);
}
