//! `existing:` end to end: people whose accounts are seeded before the
//! connector starts. The reference connector finds them (by externalId,
//! then userName) and deprovisions, moves and keeps them right through a
//! 429 storm; the same connector with `--defect no-correlation` never
//! looks, so its leavers stay active and its mover is refused as a twin.

use crate::common;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const SCENARIO: &str = "tests/data/scenarios-run/existing-accounts.yaml";

/// A check's verdict: (check, target, passed, message).
type Verdict = (String, String, bool, String);

/// Runs the scenario at time scale 10 against the reference connector
/// with `defects`; gives the exit code, every check and the output.
fn run(defects: &[&str]) -> (Option<i32>, Vec<Verdict>, String) {
    let dir = tempfile::tempdir().unwrap();
    let connector = common::reference_connector_file(dir.path(), defects);
    let json = dir.path().join("report.json");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_scimulate"))
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .arg("run")
        .arg(root.join(SCENARIO))
        .args(["--time-scale", "10", "--connector"])
        .arg(&connector)
        .arg("--report")
        .arg(format!("json:{}", json.display()))
        .output()
        .expect("scimulate runs");
    let report: Value = std::fs::read_to_string(&json)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let output = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), common::checks(&report), output)
}

#[test]
fn existing_accounts_are_found_not_created_and_a_connector_that_does_not_look_fails() {
    let (code, checks, output) = run(&[]);
    assert_eq!(code, Some(0), "{output}");
    let names: Vec<&str> = checks.iter().map(|c| c.0.as_str()).collect();
    for name in ["alert", "replay", "honors_retry_after", "no_twins", "state"] {
        assert!(names.contains(&name), "{name} judged: {names:?}");
    }
    assert!(checks.iter().all(|c| c.2), "{checks:#?}");

    let (code, checks, output) = run(&["no-correlation"]);
    assert_eq!(code, Some(1), "{output}");
    let state: Vec<&Verdict> = checks.iter().filter(|c| c.0 == "state" && !c.2).collect();
    assert!(!state.is_empty(), "{checks:#?}");
    // The leavers' seeded accounts were never looked for, so never
    // deactivated.
    assert!(
        state.iter().any(|c| c.3.contains("p1")),
        "the diff names a leaver: {state:#?}"
    );
}

/// The directory-sized benchmark ships beside the pack, tagged so that a
/// walk of its folder skips it: a pack run never pays its minutes.
#[test]
fn a_benchmark_scenario_is_skipped_in_a_folder_unless_its_tag_is_asked_for() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_scimulate"))
        .current_dir(root)
        .args(["run", "benches/scenarios"])
        .output()
        .expect("scimulate runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("a scenario tagged `benchmark` runs only under `--tags benchmark`"),
        "{stderr}"
    );
}
