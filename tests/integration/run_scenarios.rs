//! `scimulate run` end to end: scenarios against small scripted connectors
//! (tests/connectors/), judged, reported and mapped to exit statuses.

use crate::common;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Runs `scimulate run` in a fresh folder (its run folders land there)
/// with a JSON report, and returns the output and the report.
fn run(scenario: &str, connector: &str) -> (Output, Value, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let (out, report) = run_in(dir.path(), scenario, connector, &[], "report.json");
    (out, report, dir)
}

/// Runs `scimulate run` in `dir` with `extra` arguments; the JSON report
/// goes to `dir/report_name` and is returned with the output.
fn run_in(
    dir: &Path,
    scenario: &str,
    connector: &str,
    extra: &[&std::ffi::OsStr],
    report_name: &str,
) -> (Output, Value) {
    let json = dir.join(report_name);
    let out = Command::new(env!("CARGO_BIN_EXE_scimulate"))
        .current_dir(dir)
        .arg("run")
        .arg(repo(scenario))
        .arg("--connector")
        .arg(repo(connector))
        .args(extra)
        .arg("--report")
        .arg(format!("json:{}", json.display()))
        .output()
        .expect("scimulate runs");
    let report = std::fs::read_to_string(&json)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    (out, report)
}

#[test]
fn a_calm_scenario_passes_a_connector_that_provisions_correctly() {
    let (out, report, _dir) = run(
        "tests/data/scenarios-run/calm.yaml",
        "tests/connectors/naive.yaml",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(report["spec"], "scimulate.report/v1");
    let cs = common::checks(&report);
    for name in [
        "no_alert",
        "no_twins",
        "no_retry_storm",
        "state",
        "connector_alive",
    ] {
        assert!(
            cs.iter().any(|c| c.0 == name && c.2),
            "{name} passed: {cs:?}"
        );
    }
    assert!(cs.iter().all(|c| c.2), "{cs:?}");
}

#[test]
fn an_expired_token_fails_a_connector_without_alerts_or_retries_for_those_reasons() {
    let (out, report, _dir) = run(
        "tests/data/scenarios-run/expired-token.yaml",
        "tests/connectors/naive.yaml",
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cs = common::checks(&report);
    let failed: Vec<&str> = cs.iter().filter(|c| !c.2).map(|c| c.0.as_str()).collect();
    assert_eq!(failed, ["alert", "state", "settled"], "{cs:?}");
    assert!(
        cs[0].3.contains("no alert for it arrived at all"),
        "{}",
        cs[0].3
    );
    assert!(
        cs[1].3.contains("dave: no account for dave@acme.test"),
        "{}",
        cs[1].3
    );
}

#[test]
fn a_connector_that_crashes_after_it_was_ready_fails_connector_alive_with_its_last_lines() {
    let (out, report, _dir) = run(
        "tests/data/scenarios-run/calm.yaml",
        "tests/connectors/naive-crash.yaml",
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "a crash is the connector's failure, not the harness's"
    );
    let cs = common::checks(&report);
    let alive = cs
        .iter()
        .find(|c| c.0 == "connector_alive")
        .expect("judged");
    assert!(!alive.2);
    assert!(
        alive
            .3
            .contains("naive connector: giving up after 1 events"),
        "{}",
        alive.3
    );
}

#[test]
fn a_connector_that_never_becomes_ready_is_a_harness_error_within_its_timeout() {
    let started = std::time::Instant::now();
    let (out, report, _dir) = run(
        "tests/data/scenarios-run/calm.yaml",
        "tests/connectors/never-ready.yaml",
    );
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        started.elapsed().as_secs() < 60,
        "bounded by the connector's ready timeout"
    );
    let error = &report["scenarios"][0]["errors"][0];
    assert_eq!(error["during"], "starting the connector");
    assert!(
        error["message"].as_str().unwrap().contains("not ready"),
        "{error}"
    );
}

#[test]
fn no_token_appears_in_the_report_or_the_output() {
    // This connector logs its token and then crashes, so its last lines,
    // token included, go into the connector_alive message.
    let (out, report, dir) = run(
        "tests/data/scenarios-run/calm.yaml",
        "tests/connectors/naive-crash.yaml",
    );
    // The connector copied the targets file it was given into its own
    // workdir: every token in it must be absent from what we print and
    // from the run folder's own files, masked once the scenario ended.
    let runs = dir.path().join(".scimulate/runs");
    let run_dir = std::fs::read_dir(&runs)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let given: Value = serde_json::from_str(
        &std::fs::read_to_string(run_dir.join("workdir/targets-as-given.json")).unwrap(),
    )
    .unwrap();
    let token = given["targets"][0]["auth"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(token.len() > 8);
    let kept = |name: &str| std::fs::read_to_string(run_dir.join(name)).unwrap();
    let (targets, endpoints) = (kept("targets.json"), kept("endpoints.json"));
    assert!(targets.contains("\"token\": \"***\""), "{targets}");
    assert!(endpoints.contains("\"admin\""), "{endpoints}");
    let printed = [
        report.to_string(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        targets,
        endpoints,
        kept("evidence.json"),
    ];
    for text in printed {
        assert!(!text.contains(&token), "a token leaked");
    }
    assert!(
        report.to_string().contains("with token ***"),
        "the connector's own log line is shown masked"
    );
}

#[test]
fn a_network_blackout_step_cuts_the_target_off_through_its_proxy() {
    let (out, report, _dir) = run(
        "tests/data/scenarios-run/blackout.yaml",
        "tests/connectors/naive.yaml",
    );
    assert_eq!(out.status.code(), Some(1));
    let cs = common::checks(&report);
    let state = cs.iter().find(|c| c.0 == "state").unwrap();
    assert!(
        !state.2 && state.3.contains("carol: no account"),
        "{}",
        state.3
    );
    let alert = cs.iter().find(|c| c.0 == "alert").unwrap();
    assert!(
        alert.3.contains("connectivity alert for app-a"),
        "{}",
        alert.3
    );
    // The same timeline without the blackout passes the same connector.
    let (out, _, _dir) = run(
        "tests/data/scenarios-run/no-blackout.yaml",
        "tests/connectors/naive.yaml",
    );
    assert_eq!(out.status.code(), Some(0));
}

/// The failed checks of a run, by name.
fn failed(report: &Value) -> Vec<String> {
    common::checks(report)
        .into_iter()
        .filter(|c| !c.2)
        .map(|c| c.0)
        .collect()
}

#[test]
fn retry_pacing_checks_fail_exactly_the_connector_with_that_defect() {
    let scenario = "tests/data/scenarios-run/rate-limited.yaml";
    // No retries at all: nothing is paced wrongly (only delivery suffers).
    let (_, report, _d) = run(scenario, "tests/connectors/naive.yaml");
    assert_eq!(failed(&report), ["settled"]);
    // Retries at once: a storm, but inside the in-flight grace of Retry-After.
    let (out, report, _d) = run(scenario, "tests/connectors/naive-retry.yaml");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(failed(&report), ["no_retry_storm"]);
    // Retries after 300 ms: paced enough for the floor, but before Retry-After.
    let (_, report, _d) = run(scenario, "tests/connectors/naive-impatient.yaml");
    assert_eq!(failed(&report), ["honors_retry_after"]);
    let message = &common::checks(&report)[0].3;
    assert!(
        message.contains("answered 429 with Retry-After 2s, but POST"),
        "{message}"
    );
}

#[test]
fn a_rename_makes_twins_of_a_connector_that_correlates_by_user_name_only() {
    let scenario = "tests/data/scenarios-run/rename.yaml";
    let (out, report, _d) = run(scenario, "tests/connectors/naive.yaml");
    assert_eq!(out.status.code(), Some(1));
    let twins = common::checks(&report)
        .into_iter()
        .find(|c| c.0 == "no_twins")
        .unwrap();
    assert!(
        !twins.2 && twins.3.contains("bob has 2 accounts"),
        "{}",
        twins.3
    );
    let (out, report, _d) = run(scenario, "tests/connectors/naive-correlating.yaml");
    assert_eq!(out.status.code(), Some(0), "{:?}", common::checks(&report));
}

#[test]
fn provisioning_slower_than_the_bound_fails_latency_with_the_time_it_took() {
    let (out, report, _d) = run(
        "tests/data/scenarios-run/slow-app.yaml",
        "tests/connectors/naive.yaml",
    );
    assert_eq!(out.status.code(), Some(1));
    let latency = common::checks(&report)
        .into_iter()
        .find(|c| c.0 == "latency")
        .unwrap();
    assert!(!latency.2, "{}", latency.3);
    assert!(
        latency.3.contains("(bob) took") && latency.3.contains("(at most 1.0s)"),
        "{}",
        latency.3
    );
}

#[test]
fn a_baseline_fails_the_run_only_on_checks_that_passed_there() {
    // The first run fails alert, state and settled: that is the baseline.
    let (out, _, dir) = run(
        "tests/data/scenarios-run/expired-token.yaml",
        "tests/connectors/naive.yaml",
    );
    assert_eq!(out.status.code(), Some(1));
    let baseline = dir.path().join("report.json");
    // The same failures again are known ones: exit 0.
    let scenario = "tests/data/scenarios-run/expired-token.yaml";
    let connector = "tests/connectors/naive.yaml";
    let with_baseline = |file: &Path, report: &str| {
        run_in(
            dir.path(),
            scenario,
            connector,
            &["--baseline".as_ref(), file.as_os_str()],
            report,
        )
        .0
    };
    let again = with_baseline(&baseline, "second.json");
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    // A baseline in which everything passed makes the same failures new.
    let mut all_passed: Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    for c in all_passed["scenarios"][0]["checks"].as_array_mut().unwrap() {
        c["passed"] = Value::Bool(true);
    }
    all_passed["scenarios"][0]["passed"] = Value::Bool(true);
    all_passed["passed"] = Value::Bool(true);
    let clean = dir.path().join("clean.json");
    std::fs::write(&clean, all_passed.to_string()).unwrap();
    let third = with_baseline(&clean, "third.json");
    assert_eq!(third.status.code(), Some(1));
}

#[test]
fn an_exec_delivery_killed_at_its_timeout_fails_connector_alive_and_settled_stops_waiting() {
    let started = std::time::Instant::now();
    let (out, report, _dir) = run(
        "tests/data/scenarios-run/calm.yaml",
        "tests/connectors/exec-hangs.yaml",
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cs = common::checks(&report);
    let alive = cs
        .iter()
        .find(|c| c.0 == "connector_alive")
        .expect("judged");
    assert!(!alive.2, "{cs:?}");
    assert!(
        alive
            .3
            .contains("the connector stopped answering: 4 event deliveries")
            && alive.3.contains("evt-000001 (joiner bob")
            && alive.3.contains("killed"),
        "{}",
        alive.3
    );
    // Nothing of an exec connector runs between events: each wait gives up
    // as soon as the targets are quiet, not at its 20 s bound.
    let settled: Vec<_> = cs.iter().filter(|c| c.0 == "settled").collect();
    assert_eq!(settled.len(), 2, "{cs:?}");
    assert!(
        settled[0]
            .3
            .contains("nothing is left running that could settle it"),
        "{}",
        settled[0].3
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

/// `--keep-runs N`: a run starts by removing the run folders older than
/// the newest N; its own folder comes after.
#[test]
fn a_run_keeps_only_the_newest_run_folders() {
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join(".scimulate/runs");
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for name in [
        "20261101T000000.000-old",
        "20261102T000000.000-older-but-newer",
        "20261103T000000.000-newest",
    ] {
        let d = runs.join(name);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::File::open(&d)
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
    }
    let keep: &[&std::ffi::OsStr] = &["--keep-runs".as_ref(), "1".as_ref()];
    let (out, _) = run_in(
        dir.path(),
        "tests/data/scenarios-run/calm.yaml",
        "tests/connectors/naive.yaml",
        keep,
        "report.json",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut left: Vec<String> = std::fs::read_dir(&runs)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left.len(), 2, "{left:?}");
    assert_eq!(left[0], "20261103T000000.000-newest");
    assert!(left[1].ends_with("-calm"), "{left:?}");

    let bad: &[&std::ffi::OsStr] = &["--keep-runs".as_ref(), "some".as_ref()];
    let (out, _) = run_in(
        dir.path(),
        "tests/data/scenarios-run/calm.yaml",
        "tests/connectors/naive.yaml",
        bad,
        "bad.json",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--keep-runs"));
}
