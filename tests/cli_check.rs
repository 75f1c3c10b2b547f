//! `scimulate check` over a corpus of profile files: every file under
//! tests/data/profiles-bad must give exit 2 with a message naming the file
//! and (for YAML and schema errors) line and column; every file under
//! tests/data/profiles-ok must pass. Adding a case means adding a file.

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

#[test]
fn every_bad_profile_is_rejected_with_exit_2_and_a_located_message() {
    let mut report = String::new();
    for file in corpus("profiles-bad") {
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
        report.push_str(&format!("=== {}\n{}\n", rel.display(), stderr.trim_end()));
    }
    insta::assert_snapshot!(report);
}

#[test]
fn good_profiles_and_the_shipped_ones_pass() {
    for dir in [
        Path::new("tests/data/profiles-ok"),
        Path::new("mock-targets"),
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
