//! Every check bites: the reference connector passes a scenario, and with
//! one `--defect` switched on it fails the check that defect breaks, and
//! nothing outside the set that defect declares (SPEC §4.5, §5.1).

use rstest::rstest;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// A connector file that starts `scimulate connector` with `defects`.
fn connector_file(dir: &Path, defects: &[&str]) -> std::path::PathBuf {
    let mut command = vec![
        "{scimulate}",
        "connector",
        "--listen",
        "127.0.0.1:{port}",
        "--targets",
        "{targets_file}",
        "--workdir",
        "{workdir}",
    ];
    for d in defects {
        command.extend(["--defect", d]);
    }
    let quoted: Vec<String> = command.iter().map(|c| format!("{c:?}")).collect();
    let yaml = format!(
        "kind: connector\nname: reference\nstart:\n  command: [{}]\n  ready: {{ http: \"http://127.0.0.1:{{port}}/healthz\", timeout: 20s }}\nevents:\n  webhook: {{ url: \"http://127.0.0.1:{{port}}/events\" }}\nreload: sighup\naudit: {{ http: \"http://127.0.0.1:{{port}}/audit\" }}\n",
        quoted.join(", ")
    );
    let path = dir.join("connector.yaml");
    std::fs::write(&path, yaml).unwrap();
    path
}

/// Runs one shipped scenario at time scale 10; returns the failed checks.
fn failed_checks(scenario: &str, defects: &[&str]) -> (Option<i32>, Vec<String>, String) {
    let dir = tempfile::tempdir().unwrap();
    let connector = connector_file(dir.path(), defects);
    let json = dir.path().join("report.json");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_scimulate"))
        .current_dir(root)
        .env("NO_COLOR", "1")
        .args(["run", scenario, "--time-scale", "10", "--connector"])
        .arg(&connector)
        .arg("--report")
        .arg(format!("json:{}", json.display()))
        .output()
        .expect("scimulate runs");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let checks = report["scenarios"][0]["checks"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let failed: Vec<String> = checks
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| c["check"].as_str().unwrap().to_owned())
        .collect();
    let messages = checks
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| format!("{}: {}", c["check"], c["message"]))
        .collect::<Vec<_>>()
        .join("\n");
    (out.status.code(), failed, messages)
}

#[rstest]
#[case::spec_example("tests/data/scenarios-run/replay-after-expired-token.yaml")]
#[case::transient_blip("scenarios/single-transient-503.yaml")]
#[case::long_outage("scenarios/outage-reaches-failed-then-recovers.yaml")]
fn the_reference_connector_passes(#[case] scenario: &str) {
    let (code, failed, messages) = failed_checks(scenario, &[]);
    assert_eq!((code, failed.len()), (Some(0), 0), "{messages}");
}

#[rstest]
#[case::fifo_replay("tests/data/scenarios-run/replay-after-expired-token.yaml", "fifo-replay", "replay", &["replay"])]
#[case::no_alerts("tests/data/scenarios-run/replay-after-expired-token.yaml", "no-alerts", "alert", &["alert", "alert_resolved"])]
#[case::audit_now("tests/data/scenarios-run/replay-after-expired-token.yaml", "audit-now", "audit", &["audit"])]
#[case::noisy("scenarios/single-transient-503.yaml", "alert-on-first-failure", "no_alert", &["no_alert"])]
#[case::no_healthy("scenarios/outage-reaches-failed-then-recovers.yaml", "no-healthy", "alert_resolved", &["alert_resolved"])]
fn each_defect_fails_its_check_and_nothing_undeclared(
    #[case] scenario: &str,
    #[case] defect: &str,
    #[case] designated: &str,
    #[case] declared: &[&str],
) {
    let (code, failed, messages) = failed_checks(scenario, &[defect]);
    assert_eq!(code, Some(1), "{defect}: {messages}");
    assert!(
        failed.iter().any(|c| c == designated),
        "{defect} must fail {designated}: {messages}"
    );
    for f in &failed {
        assert!(
            declared.contains(&f.as_str()),
            "{defect} failed {f}, outside {declared:?}: {messages}"
        );
    }
}
