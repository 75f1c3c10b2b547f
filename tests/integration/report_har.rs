//! The HAR report end to end (docs/reports.md): shipped scenarios run
//! against the built-in reference connector with `--report har`, and the
//! file read back against each run folder's evidence and targets file.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn scimulate(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_scimulate"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("scimulate runs")
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A network fault scenario (one target) and a two-target scenario: a
/// page per scenario and target, each with exactly the requests that
/// target's journal holds (the run folder's evidence.json), in order, and
/// none of the tokens handed out.
#[test]
fn a_run_archives_every_request_of_every_target_with_secrets_masked() {
    let dir = tempfile::tempdir().unwrap();
    let drops = repo("scenarios/connection-drops.yaml");
    let twins = repo("scenarios/mover-swaps-groups.yaml");
    let out = scimulate(
        dir.path(),
        &[
            "run",
            drops.to_str().unwrap(),
            twins.to_str().unwrap(),
            "--time-scale",
            "20",
            "--report",
            "json:report.json",
            "--report",
            "har:out/run.har",
            "--connector",
            repo("tests/connectors/reference-keeps-targets.yaml")
                .to_str()
                .unwrap(),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.path().join("out/run.har")).unwrap();
    let har: Value = serde_json::from_str(&text).unwrap();
    let log = &har["log"];
    assert_eq!(log["version"], "1.2");
    let pages = log["pages"].as_array().unwrap();
    let titles: Vec<&str> = pages.iter().map(|p| p["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            "connection-drops / app-a",
            "mover-swaps-groups / app-a",
            "mover-swaps-groups / app-b"
        ]
    );
    let entries = log["entries"].as_array().unwrap();

    let mut runs: Vec<PathBuf> = std::fs::read_dir(dir.path().join(".scimulate/runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("evidence.json").is_file())
        .collect();
    runs.sort();
    assert_eq!(runs.len(), 2, "{runs:?}");
    let mut secrets = Vec::new();
    let mut unanswered = 0;
    for (run, scenario) in runs.iter().zip(["connection-drops", "mover-swaps-groups"]) {
        let evidence = read_json(&run.join("evidence.json"));
        for (target, requests) in evidence["requests"].as_object().unwrap() {
            let id = pages
                .iter()
                .find(|p| p["title"] == format!("{scenario} / {target}"))
                .map(|p| p["id"].clone())
                .unwrap();
            let on_page: Vec<&Value> = entries.iter().filter(|e| e["pageref"] == id).collect();
            let seqs: Vec<&Value> = on_page.iter().map(|e| &e["_seq"]).collect();
            let want: Vec<&Value> = requests
                .as_array()
                .unwrap()
                .iter()
                .map(|r| &r["seq"])
                .collect();
            assert!(!want.is_empty(), "{scenario} / {target} received requests");
            assert_eq!(seqs, want, "{scenario} / {target}");
            for (e, r) in on_page.iter().zip(requests.as_array().unwrap()) {
                assert_eq!(e["request"]["method"], r["method"]);
                assert_eq!(e["response"]["status"], r["status"]);
                if r["status"] == 0 {
                    unanswered += 1;
                    assert!(e["response"]["comment"].is_string(), "{e}");
                }
            }
        }
        // The run folder's targets.json is masked once the scenario ends;
        // the connector kept the file as it was given.
        for t in read_json(&run.join("workdir/targets-as-given.json"))["targets"]
            .as_array()
            .unwrap()
        {
            secrets.push(t["auth"]["token"].as_str().unwrap().to_owned());
        }
    }
    assert!(unanswered > 0, "connection-drops drops connections");
    assert_eq!(secrets.len(), 3);
    for s in &secrets {
        assert!(s.len() > 16 && !text.contains(s.as_str()), "a token leaked");
    }
    assert!(text.contains("Bearer ***"));
}

#[rstest::rstest]
#[case::report(&["report", "r.json", "--report", "har"], "a JSON report keeps only the requests its verdicts rest on")]
#[case::certify(&["certify", "--url", "http://127.0.0.1:9/scim/v2", "--token", "t", "--report", "har:x.har"], "certify sends its requests to a live server")]
#[case::twice(&["run", "--report", "har:a.har", "--report", "har:b.har"], "--report har is given twice: a run writes one HAR file")]
fn a_har_file_is_written_by_run_alone(#[case] args: &[&str], #[case] says: &str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("r.json"), "{}").unwrap();
    let out = scimulate(dir.path(), args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(says), "{stderr}");
    assert!(!dir.path().join("x.har").exists() && !dir.path().join("a.har").exists());
}
