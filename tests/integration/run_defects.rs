//! Every check bites (issue #5, SPEC §4.5, §5.1): with one `--defect`
//! switched on, the reference connector fails the check that defect breaks
//! on the scenarios it declares (`Defect::exposure`), and nothing outside
//! the set it declares. That it passes the whole pack without a defect is
//! `ci/pack.sh` (the README's main job, on the release build).

use crate::common;
use scimulate::refconn::defect::{ALL, Exposure};
use serde_json::Value;
use std::collections::VecDeque;
use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

/// One scenario's verdicts: its name and each failed check with its message.
struct Verdict {
    scenario: String,
    failed: Vec<(String, String)>,
}

/// Runs scenario paths (relative to the repository) at time scale 10 with
/// `--connector`; gives the exit code and every scenario's verdict.
fn run(paths: &[String], connector: &Path) -> (Option<i32>, Vec<Verdict>) {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scimulate"));
    cmd.current_dir(root)
        .env("NO_COLOR", "1")
        .arg("run")
        .args(paths)
        .args(["--time-scale", "10", "--report"])
        .arg(format!("json:{}", json.display()))
        .arg("--connector")
        .arg(connector);
    let out = cmd.output().expect("scimulate runs");
    let Ok(text) = std::fs::read_to_string(&json) else {
        panic!(
            "no report from {paths:?} (exit {:?}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let report: Value = serde_json::from_str(&text).unwrap();
    let verdicts = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| Verdict {
            scenario: s["name"].as_str().unwrap_or("?").to_owned(),
            failed: s["checks"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|c| c["passed"] == false)
                .map(|c| {
                    let check = c["check"].as_str().unwrap_or("?").to_owned();
                    (check, c["message"].as_str().unwrap_or("").to_owned())
                })
                .collect(),
        })
        .collect();
    (out.status.code(), verdicts)
}

/// What one defect did: a line of the matrix and what was wrong with it.
fn judge_defect(name: &str, x: &Exposure) -> (String, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let connector = common::reference_connector_file(dir.path(), &[name]);
    let paths: Vec<String> = x
        .scenarios
        .iter()
        .map(|s| format!("scenarios/{s}.yaml"))
        .collect();
    let (code, verdicts) = run(&paths, &connector);
    let mut wrong = Vec::new();
    if code != Some(1) {
        wrong.push(format!("exit {code:?}, expected 1"));
    }
    let mut cells = Vec::new();
    for scenario in x.scenarios {
        let Some(v) = verdicts.iter().find(|v| v.scenario == *scenario) else {
            wrong.push(format!("{scenario} did not run"));
            continue;
        };
        let mut failed: Vec<&str> = v.failed.iter().map(|(c, _)| c.as_str()).collect();
        failed.dedup();
        if !failed.contains(&x.designated) {
            wrong.push(format!("{scenario}: {} did not fail", x.designated));
        }
        for (check, message) in &v.failed {
            if !x.may_fail.contains(&check.as_str()) {
                wrong.push(format!("{scenario}: undeclared {check} failed: {message}"));
            }
        }
        cells.push(format!("{scenario} → {}", failed.join(",")));
    }
    (format!("{name:24} {}", cells.join("; ")), wrong)
}

/// The defect matrix of issue #5, run a few defects at a time (each run
/// mostly waits on scenario time, not on the CPU).
#[test]
fn each_defect_fails_its_designated_check_and_nothing_undeclared() {
    const AT_ONCE: usize = 3;
    let queue = Mutex::new(ALL.iter().collect::<VecDeque<_>>());
    let rows = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..AT_ONCE {
            s.spawn(|| {
                loop {
                    let Some((name, defect)) = queue.lock().unwrap().pop_front() else {
                        return;
                    };
                    let row = judge_defect(name, &defect.exposure());
                    rows.lock().unwrap().push((*name, row));
                }
            });
        }
    });
    let mut rows = rows.into_inner().unwrap();
    rows.sort_by_key(|(name, _)| ALL.iter().position(|(n, _)| n == name));
    let matrix: Vec<&str> = rows.iter().map(|(_, (line, _))| line.as_str()).collect();
    let wrong: Vec<String> = rows
        .iter()
        .flat_map(|(name, (_, w))| w.iter().map(move |w| format!("{name}: {w}")))
        .collect();
    assert_eq!(rows.len(), ALL.len());
    assert!(
        wrong.is_empty(),
        "{}\n\nmatrix:\n{}",
        wrong.join("\n"),
        matrix.join("\n")
    );
    eprintln!("defect matrix:\n{}", matrix.join("\n"));
}
