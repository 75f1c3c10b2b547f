//! The judge's one input as data: every run leaves its evidence in its run
//! folder, which judges to the verdicts the run reported; and a corpus of
//! evidence files (tests/evidence/) pins each check's verdicts, passing and
//! failing, without running anything.
//!
//! A corpus case is a pair of files: `NAME.evidence.json` (a run folder's
//! `evidence.json`, trimmed or written by hand) and `NAME.verdicts.txt`,
//! what the judge must say of it. `UPDATE_EVIDENCE=1 cargo test --test
//! judge_evidence` writes the verdicts of every case instead of comparing;
//! review the difference before committing it.

use scimulate::judge::{CheckName, CheckResult, Evidence, judge};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Verdicts as the corpus keeps them: one line per check, as the terminal
/// report names it, then its message indented.
fn render(results: &[CheckResult]) -> String {
    let mut out = String::new();
    for r in results {
        let word = if r.passed { "PASS" } else { "FAIL" };
        out.push_str(&format!("{word} {}[{}]#{}\n", r.check, r.target, r.index));
        for line in r.message.lines() {
            out.push_str(&format!("    {line}\n"));
        }
    }
    out
}

/// The lines of `want` and `got` that differ, `-` for expected and `+` for
/// judged, in order (a longest-common-subsequence diff; files are small).
fn diff(want: &str, got: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let mut common = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            common[i][j] = if a[i] == b[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push_str(&format!("  {}\n", a[i]));
            (i, j) = (i + 1, j + 1);
        } else if j < b.len() && (i == a.len() || common[i][j + 1] >= common[i + 1][j]) {
            out.push_str(&format!("+ {}\n", b[j]));
            j += 1;
        } else {
            out.push_str(&format!("- {}\n", a[i]));
            i += 1;
        }
    }
    out
}

fn read_evidence(path: &Path) -> Evidence {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const CORPUS: &str = "tests/evidence";
const EVIDENCE: &str = ".evidence.json";
const VERDICTS: &str = ".verdicts.txt";

/// Every case of the corpus by name, with its evidence file.
fn cases() -> Vec<(String, PathBuf)> {
    let mut cases: Vec<(String, PathBuf)> = std::fs::read_dir(repo(CORPUS))
        .expect("the corpus folder")
        .map(|entry| entry.unwrap().path())
        .filter_map(|path| {
            let name = path
                .file_name()?
                .to_str()?
                .strip_suffix(EVIDENCE)?
                .to_owned();
            Some((name, path))
        })
        .collect();
    cases.sort();
    cases
}

#[test]
fn every_corpus_case_judges_to_its_verdicts() {
    let update = std::env::var_os("UPDATE_EVIDENCE").is_some_and(|v| v != "0");
    let cases = cases();
    assert!(!cases.is_empty(), "no *{EVIDENCE} in {CORPUS}");
    let mut wrong = Vec::new();
    for (name, path) in &cases {
        let got = render(&judge(&read_evidence(path)));
        let expected_path = repo(CORPUS).join(format!("{name}{VERDICTS}"));
        if update {
            std::fs::write(&expected_path, &got).unwrap();
            continue;
        }
        match std::fs::read_to_string(&expected_path) {
            Ok(want) if want == got => {}
            Ok(want) => wrong.push(format!(
                "{name}: the judge's verdicts (+) differ from {name}{VERDICTS} (-):\n{}",
                diff(&want, &got)
            )),
            Err(e) => wrong.push(format!(
                "{name}: {name}{VERDICTS} could not be read ({e}); \
                 UPDATE_EVIDENCE=1 writes it, review it before committing:\n{got}"
            )),
        }
    }
    // A verdicts file whose evidence is gone pins nothing.
    for entry in std::fs::read_dir(repo(CORPUS)).unwrap() {
        let file = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(name) = file.strip_suffix(VERDICTS)
            && !cases.iter().any(|(n, _)| n == name)
        {
            wrong.push(format!("{file} has no {name}{EVIDENCE}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

/// The corpus shows every check both passing and failing; `settled` only
/// fails: a wait that settled leaves no verdict.
#[test]
fn the_corpus_covers_every_check_passing_and_failing() {
    let mut seen = BTreeSet::new();
    for (_, path) in cases() {
        for r in judge(&read_evidence(&path)) {
            seen.insert((r.check, r.passed));
        }
    }
    let missing: Vec<String> = CheckName::ALL
        .iter()
        .flat_map(|name| [(name, true), (name, false)])
        .filter(|(name, passed)| !(**name == CheckName::Settled && *passed))
        .filter(|(name, passed)| !seen.contains(&(name.as_str().to_owned(), *passed)))
        .map(|(name, passed)| format!("{name} {}", if passed { "passing" } else { "failing" }))
        .collect();
    assert!(missing.is_empty(), "no corpus case shows {missing:?}");
}

/// Every `.evidence.json` file in a run folder below `dir`.
fn evidence_files(dir: &Path) -> Vec<PathBuf> {
    let runs = dir.join(".scimulate/runs");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&runs)
        .unwrap_or_else(|e| panic!("{}: {e}", runs.display()))
        .map(|entry| entry.unwrap().path().join("evidence.json"))
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

/// Runs one scenario in a fresh folder with a JSON report, checks that the
/// run folder's `evidence.json` judges to exactly the verdicts the report
/// gives, and returns the run folder, its evidence and its verdicts.
fn run_and_rejudge(
    scenario: &str,
    connector: &str,
) -> (tempfile::TempDir, PathBuf, Vec<CheckResult>) {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let out = Command::new(env!("CARGO_BIN_EXE_scimulate"))
        .current_dir(dir.path())
        .arg("run")
        .arg(repo(scenario))
        .arg("--connector")
        .arg(repo(connector))
        .arg("--report")
        .arg(format!("json:{}", json.display()))
        .output()
        .expect("scimulate runs");
    let Ok(text) = std::fs::read_to_string(&json) else {
        panic!("no report: {}", String::from_utf8_lossy(&out.stderr));
    };
    let report: Value = serde_json::from_str(&text).unwrap();
    let reported: Vec<(u64, &str, &str, bool, &str)> = report["scenarios"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["index"].as_u64().unwrap(),
                c["check"].as_str().unwrap(),
                c["target"].as_str().unwrap(),
                c["passed"].as_bool().unwrap(),
                c["message"].as_str().unwrap(),
            )
        })
        .collect();
    let files = evidence_files(dir.path());
    assert_eq!(
        files.len(),
        1,
        "one run folder with its evidence: {files:?}"
    );
    let judged = judge(&read_evidence(&files[0]));
    let rejudged: Vec<(u64, &str, &str, bool, &str)> = judged
        .iter()
        .map(|r| {
            (
                r.index as u64,
                r.check.as_str(),
                r.target.as_str(),
                r.passed,
                r.message.as_str(),
            )
        })
        .collect();
    assert_eq!(rejudged, reported);
    let file = files[0].clone();
    (dir, file, judged)
}

#[test]
fn a_run_leaves_evidence_that_judges_to_the_verdicts_it_reported() {
    let (_dir, _, judged) = run_and_rejudge(
        "tests/data/scenarios-run/expired-token.yaml",
        "tests/connectors/naive.yaml",
    );
    let failed: Vec<&str> = judged
        .iter()
        .filter(|r| !r.passed)
        .map(|r| r.check.as_str())
        .collect();
    assert_eq!(failed, ["alert", "state", "settled"]);
}

#[test]
fn the_evidence_of_a_crash_keeps_the_last_lines_with_tokens_masked() {
    // This connector logs its token and then crashes.
    let (_dir, file, judged) = run_and_rejudge(
        "tests/data/scenarios-run/calm.yaml",
        "tests/connectors/naive-crash.yaml",
    );
    let alive = judged
        .iter()
        .find(|r| r.check == "connector_alive")
        .unwrap();
    assert!(!alive.passed);
    let targets: Value = serde_json::from_str(
        // The connector's copy: the run folder's targets.json is masked.
        &std::fs::read_to_string(file.with_file_name("workdir").join("targets-as-given.json"))
            .unwrap(),
    )
    .unwrap();
    let token = targets["targets"][0]["auth"]["token"].as_str().unwrap();
    assert!(token.len() > 8);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        !text.contains(token),
        "a token leaked into {}",
        file.display()
    );
    let exited = &read_evidence(&file).connector.exited.unwrap();
    assert!(
        exited
            .last_lines
            .iter()
            .any(|l| l.contains("with token ***")),
        "{exited:?}"
    );
}
