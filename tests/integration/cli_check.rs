//! `scimulate check` over corpora of files: every file under
//! tests/data/profiles-bad and tests/data/scenarios-bad must give exit 2
//! with a message naming the file (and, for scenarios, always the line and
//! column); the good and shipped ones must pass. Adding a case means adding
//! a file.

use std::path::{Path, PathBuf};
use std::process::Command;

fn scimulate() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scimulate"))
}

fn corpus(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus folder")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "empty corpus {}", dir.display());
    files
}

/// Runs `check` on every file of a bad corpus: each must give exit 2 and
/// a message naming it (and its line and column when `located`). Returns
/// the messages, for a snapshot.
fn bad_corpus_report(dir: &str, located: bool) -> String {
    let mut report = String::new();
    for file in corpus(dir) {
        let rel = file
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .expect("inside the repo");
        let out = scimulate()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .arg("check")
            .arg(rel)
            .output()
            .expect("run scimulate");
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}: expected exit 2",
            rel.display()
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&rel.display().to_string()),
            "{}: message must name the file:\n{stderr}",
            rel.display()
        );
        let place = regex_free_line_column(&stderr);
        assert!(
            !located || place,
            "{}: message must give line and column:\n{stderr}",
            rel.display()
        );
        report.push_str(&format!("=== {}\n{}\n", rel.display(), stderr.trim_end()));
    }
    report
}

/// Whether the first line says `line N column M`.
fn regex_free_line_column(message: &str) -> bool {
    let first = message.lines().next().unwrap_or_default();
    first.split("line ").skip(1).any(|rest| {
        let mut words = rest.split_whitespace();
        let line = words.next().is_some_and(|w| w.parse::<u32>().is_ok());
        let column = words.next() == Some("column")
            && words
                .next()
                .is_some_and(|w| w.trim_end_matches(':').parse::<u32>().is_ok());
        line && column
    })
}

#[test]
fn every_bad_profile_is_rejected_with_exit_2_and_a_located_message() {
    insta::assert_snapshot!(bad_corpus_report("profiles-bad", false));
}

#[test]
fn every_bad_scenario_is_rejected_with_exit_2_line_and_column() {
    insta::assert_snapshot!(bad_corpus_report("scenarios-bad", true));
}

#[test]
fn good_files_and_the_shipped_ones_pass() {
    for dir in [
        Path::new("tests/data/profiles-ok"),
        Path::new("mock-targets"),
        Path::new("scenarios"),
    ] {
        let out = scimulate()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .arg("check")
            .arg(dir)
            .output()
            .expect("run scimulate");
        assert!(
            out.status.success(),
            "{}: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_missing_path_is_bad_input() {
    let out = scimulate()
        .args(["check", "no/such/file.yaml"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}
