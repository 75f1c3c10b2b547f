//! Splitting a pack across machines (`run`/`certify --partition K/N`) and
//! merging the slices' JSON reports (`scimulate report`): the slices of the
//! shipped pack are disjoint and cover it; merged slices give the verdicts
//! one whole run gives; reports that are not the slices of one pack are
//! refused with exit 2, naming the file and what is wrong.

use crate::common;
use chrono::{TimeZone, Utc};
use clap::Parser;
use rstest::rstest;
use scimulate::cli::Cli;
use scimulate::partition::Partition;
use scimulate::report::{CheckReport, Pack, RunReport, ScenarioReport};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `scimulate ARGS` in `dir`, without colour.
fn scimulate(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scimulate"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("scimulate runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_shipped_pack_splits_into_disjoint_slices_that_cover_it() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let names: Vec<String> = files
        .iter()
        .map(|f| {
            scimulate::scenario::load(f)
                .expect("a shipped scenario")
                .name
        })
        .collect();
    assert!(names.len() >= 30, "{} scenarios", names.len());
    let whole: BTreeSet<&String> = names.iter().collect();
    assert_eq!(whole.len(), names.len(), "scenario names are unique");
    for n in 1..=8 {
        let mut seen = BTreeSet::new();
        let mut sizes = Vec::new();
        for k in 1..=n {
            let slice = Partition::new(k, n).unwrap().pick(names.clone(), |s| s);
            sizes.push(slice.len());
            for name in slice {
                assert!(seen.insert(name.clone()), "{name} is in two slices of {n}");
            }
        }
        assert_eq!(seen.iter().collect::<BTreeSet<_>>(), whole, "N = {n}");
        let spread = sizes.iter().max().unwrap() - sizes.iter().min().unwrap();
        assert!(spread <= 1, "N = {n}: slices of {sizes:?} scenarios");
    }
}

/// Quick shipped scenarios (a few seconds each at time scale 10) that the
/// reference connector passes.
const QUICK: [&str; 4] = [
    "scenarios/rehire.yaml",
    "scenarios/single-transient-503.yaml",
    "scenarios/conflict-on-create.yaml",
    "scenarios/soft-delete.yaml",
];

/// `run QUICK --time-scale 10` with the built-in reference connector, the
/// JSON report written to `dir/json`; extra arguments after.
fn run_quick(dir: &Path, json: &str, extra: &[&str]) -> Output {
    let paths: Vec<String> = QUICK
        .iter()
        .map(|p| root().join(p).display().to_string())
        .collect();
    let mut args: Vec<&str> = vec!["run"];
    args.extend(paths.iter().map(String::as_str));
    let report = format!("json:{json}");
    args.extend(["--time-scale", "10", "--report", &report]);
    args.extend(extra);
    scimulate(dir, &args)
}

/// What a run decided, times and messages aside: each scenario with its
/// checks' identity and outcome, in order, and the report's verdict.
fn verdicts(report: &Value) -> Value {
    let scenarios: Vec<Value> = report["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .map(|s| {
            let checks: Vec<Value> = s["checks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    json!([
                        c["index"],
                        c["check"],
                        c["target"],
                        c["passed"],
                        c["skipped"]
                    ])
                })
                .collect();
            json!({"name": s["name"], "file": s["file"], "passed": s["passed"],
                   "seed": s["seed"], "errors": s["errors"], "checks": checks})
        })
        .collect();
    json!({"kind": report["kind"], "passed": report["passed"], "seed": report["seed"],
           "errors": report["errors"], "pack": report["pack"], "scenarios": scenarios})
}

#[test]
fn two_partitions_merged_say_what_one_whole_run_says() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let whole = run_quick(d, "whole.json", &[]);
    let mut slices = Vec::new();
    for k in 1..=2 {
        let p = format!("{k}/2");
        let out = run_quick(d, &format!("p{k}.json"), &["--partition", &p]);
        assert!(
            stderr(&out).contains(&format!("partition {k}/2: 2 of 4 scenarios")),
            "{}",
            stderr(&out)
        );
        slices.push(out);
    }
    let merged = scimulate(
        d,
        &[
            "report",
            "p2.json",
            "p1.json",
            "--report",
            "json:merged.json",
            "--report",
            "junit:merged.xml",
        ],
    );
    assert_eq!(
        merged.status.code(),
        whole.status.code(),
        "{}",
        stderr(&merged)
    );
    assert_eq!(whole.status.code(), Some(0), "{}", stderr(&whole));

    let whole_json = read_json(&d.join("whole.json"));
    let (p1, p2) = (read_json(&d.join("p1.json")), read_json(&d.join("p2.json")));
    assert_eq!(p1["partition"], json!({"k": 1, "n": 2}));
    assert_eq!(p2["partition"], json!({"k": 2, "n": 2}));
    assert_eq!(
        p1["pack"], whole_json["pack"],
        "every slice records the whole pack"
    );
    let held = |r: &Value| r["scenarios"].as_array().unwrap().len();
    assert_eq!((held(&p1), held(&p2)), (2, 2));

    let merged_json = read_json(&d.join("merged.json"));
    assert_eq!(merged_json.get("partition"), None);
    assert_eq!(verdicts(&merged_json), verdicts(&whole_json));
    let junit = std::fs::read_to_string(d.join("merged.xml")).unwrap();
    assert_eq!(junit.matches("<testsuite ").count(), 4, "{junit}");

    // One report alone is rendered again as it is.
    let again = scimulate(d, &["report", "whole.json", "--report", "json:again.json"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(
        std::fs::read_to_string(d.join("again.json")).unwrap(),
        std::fs::read_to_string(d.join("whole.json")).unwrap()
    );
}

#[test]
fn the_selection_comes_first_and_an_empty_slice_passes_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let json = format!("json:{}", dir.path().join("empty.json").display());
    // From the repository, where the pack's own profiles are: --only
    // leaves one scenario of the pack, and slice 2 of 2 gets nothing (so
    // nothing runs, and no run folder is made here).
    let out = scimulate(
        root(),
        &[
            "run",
            "scenarios",
            "--only",
            "single-transient-*",
            "--partition",
            "2/2",
            "--report",
            &json,
            "--report",
            "terminal",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let said = "partition 2/2: 0 of 1 scenario: this slice is empty, nothing ran";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    let terminal = String::from_utf8_lossy(&out.stdout);
    assert!(terminal.contains(said), "{terminal}");
    let report = read_json(&dir.path().join("empty.json"));
    assert_eq!(report["passed"], true);
    assert_eq!(report["scenarios"], json!([]));
    assert_eq!(report["pack"]["selected"], json!(["single-transient-503"]));

    // Nothing selected at all is still wrong input.
    let none = scimulate(
        root(),
        &[
            "run",
            "scenarios",
            "--only",
            "no-such-*",
            "--partition",
            "1/2",
        ],
    );
    assert_eq!(none.status.code(), Some(2));
    assert!(
        stderr(&none).contains("no scenario to run"),
        "{}",
        stderr(&none)
    );
}

#[rstest]
#[case("3/2", "got 3/2 (K is greater than N)")]
#[case("0/4", "got 0/4 (K counts from 1)")]
#[case("a/b", "got a/b (K and N must be whole numbers)")]
#[case("1/0", "got 1/0 (N must be at least 1)")]
#[case("1", "got 1 (no '/')")]
fn a_bad_partition_is_refused_saying_what_was_expected(
    #[case] value: &str,
    #[case] got: &str,
    #[values("run", "certify")] command: &str,
) {
    let mut args = vec!["scimulate", command, "--partition", value];
    if command == "certify" {
        args.extend(["--url", "http://127.0.0.1:9"]);
    }
    let err = Cli::try_parse_from(&args).unwrap_err();
    assert!(err.use_stderr(), "a parse error, exit 2 (cli::main)");
    assert_eq!(err.kind(), clap::error::ErrorKind::ValueValidation);
    let text = err.to_string();
    assert!(
        text.contains(&format!(
            "invalid value '{value}' for '--partition <K/N>': expected K/N with 1 ≤ K ≤ N (e.g. 2/4, the second of four slices), {got}"
        )),
        "{text}"
    );
}

#[test]
fn the_binary_exits_2_on_a_bad_partition() {
    let dir = tempfile::tempdir().unwrap();
    let out = scimulate(dir.path(), &["run", "--partition", "3/2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("got 3/2 (K is greater than N)"),
        "{}",
        stderr(&out)
    );
}

/// The report of slice `k`/`n` of a pack of five scenarios, all passed,
/// as `run --partition` writes it; `edit` changes it first.
fn slice_report(k: u32, n: u32, edit: impl Fn(&mut RunReport)) -> String {
    let names = ["e", "a", "d", "b", "c"];
    let p = Partition::new(k, n).unwrap();
    let scenarios = p
        .pick(names.to_vec(), |s| s)
        .into_iter()
        .map(|s| {
            let check = CheckReport::new(0, "state", "app-a", true, "as expected");
            ScenarioReport::new(s, &format!("scenarios/{s}.yaml"), vec![check])
        })
        .collect();
    let mut report = RunReport::run(42, Utc.timestamp_opt(0, 0).unwrap(), 1000, scenarios);
    let mut pack = Pack::new(
        names.iter().map(|s| (*s).to_owned()).collect(),
        "0123456789abcdef".into(),
    );
    pack.time_scale = Some(10.0);
    report.pack = Some(pack);
    report.partition = Some(p);
    edit(&mut report);
    serde_json::to_string_pretty(&report).unwrap()
}

fn as_is(_: &mut RunReport) {}

#[test]
fn reports_that_are_not_the_slices_of_one_pack_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let write = |name: &str, text: &str| std::fs::write(d.join(name), text).unwrap();
    write("p1.json", &slice_report(1, 3, as_is));
    write("p2.json", &slice_report(2, 3, as_is));
    write("p3.json", &slice_report(3, 3, as_is));
    write(
        "p3-seed-7.json",
        &slice_report(3, 3, |r| {
            r.seed = Some(7);
            r.pack.as_mut().unwrap().seed = Some(7);
        }),
    );
    write(
        "p3-other-pack.json",
        &slice_report(3, 3, |r| {
            let pack = r.pack.as_mut().unwrap();
            pack.selected.retain(|s| s != "e");
            pack.selected.push("f".into());
        }),
    );
    write(
        "p3-other-files.json",
        &slice_report(3, 3, |r| {
            r.pack.as_mut().unwrap().digest = "fedcba9876543210".into()
        }),
    );
    let certify = serde_json::to_string(&{
        let mut r = RunReport::certify(
            Utc.timestamp_opt(0, 0).unwrap(),
            1,
            vec![],
            Default::default(),
        );
        r.partition = Some(Partition::new(3, 3).unwrap());
        r
    })
    .unwrap();
    write("certify.json", &certify);
    let truncated = slice_report(3, 3, as_is);
    write("corrupt.json", &truncated[..truncated.len() / 2]);
    write(
        "endpoints.json",
        r#"{"admin": {"url": "http://127.0.0.1:1"}, "targets": {}}"#,
    );
    write(
        "wrong-shape.json",
        r#"{"spec": "scimulate.report/v1", "kind": "run", "passed": "yes"}"#,
    );

    let cases: &[&[&str]] = &[
        &["p1.json", "p2.json", "p3-seed-7.json"],
        &["p1.json", "p2.json", "p3-other-pack.json"],
        &["p1.json", "p2.json", "p3-other-files.json"],
        &["p1.json", "p2.json", "certify.json"],
        &["p1.json", "p3.json"],
        &["p1.json", "p2.json", "p2.json", "p3.json"],
        &["p1.json", "p2.json", "corrupt.json"],
        &["p1.json", "p2.json", "endpoints.json"],
        &["p1.json", "p2.json", "wrong-shape.json"],
        &["p1.json", "p2.json", "no-such.json"],
        &["p1.json", "--report", "html:r", "--report", "json:r"],
    ];
    let mut snapshot = String::new();
    for files in cases {
        let mut args = vec!["report"];
        args.extend(*files);
        let out = scimulate(d, &args);
        assert_eq!(out.status.code(), Some(2), "{files:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{files:?}: no report on a refusal");
        snapshot.push_str(&format!(
            "=== scimulate report {}\n{}",
            files.join(" "),
            stderr(&out)
        ));
    }
    insta::assert_snapshot!(snapshot);

    // The three slices themselves merge.
    let ok = scimulate(
        d,
        &[
            "report",
            "p3.json",
            "p1.json",
            "p2.json",
            "--report",
            "json:m.json",
        ],
    );
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let names: Vec<Value> = read_json(&d.join("m.json"))["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].clone())
        .collect();
    assert_eq!(names, ["e", "a", "d", "b", "c"]);
}

/// `scimulate certify` against `url` as a child process, so the server
/// (in this process) keeps serving while it runs.
async fn certify(dir: PathBuf, url: String, token: String, extra: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        let mut args = vec![
            "certify".to_owned(),
            "--url".into(),
            url,
            "--token-env".into(),
        ];
        args.push("SCIMULATE_PARTITION_TEST_TOKEN".into());
        args.extend(extra);
        Command::new(env!("CARGO_BIN_EXE_scimulate"))
            .current_dir(&dir)
            .env("NO_COLOR", "1")
            .env("SCIMULATE_PARTITION_TEST_TOKEN", token)
            .args(&args)
            .output()
            .expect("scimulate runs")
    })
    .await
    .unwrap()
}

/// How many users and groups the server holds.
async fn totals(h: &common::Harness) -> (Value, Value) {
    let (_, _, users) = h.send(reqwest::Method::GET, "/Users?count=0", None).await;
    let (_, _, groups) = h.send(reqwest::Method::GET, "/Groups?count=0", None).await;
    (
        users["totalResults"].clone(),
        groups["totalResults"].clone(),
    )
}

/// What a certify session decided: each check's id, level and outcome.
fn certify_verdicts(report: &Value) -> Vec<(String, String, String, bool)> {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_owned(),
                c["level"].as_str().unwrap().to_owned(),
                c["outcome"].as_str().unwrap().to_owned(),
                c["warning"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certify_partitions_cover_the_catalogue_and_merge_into_the_whole_verdict() {
    let h = common::generic().await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_owned();
    let go = |extra: &[&str]| {
        let extra: Vec<String> = extra.iter().map(|s| (*s).to_owned()).collect();
        certify(d.clone(), h.base.clone(), h.token.clone(), extra)
    };
    let before = totals(&h).await;
    let whole = go(&["--report", "json:whole.json"]).await;
    assert_eq!(whole.status.code(), Some(0), "{}", stderr(&whole));
    let mut ids = Vec::new();
    for k in 1..=3 {
        let p = format!("{k}/3");
        let json = format!("json:c{k}.json");
        let out = go(&["--partition", &p, "--report", &json]).await;
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("partition {k}/3: ")),
            "{}",
            stderr(&out)
        );
        let slice = read_json(&d.join(format!("c{k}.json")));
        ids.extend(certify_verdicts(&slice).into_iter().map(|v| v.0));
    }
    let whole_json = read_json(&d.join("whole.json"));
    let whole_ids: Vec<String> = certify_verdicts(&whole_json)
        .into_iter()
        .map(|v| v.0)
        .collect();
    let union: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(union.len(), ids.len(), "no check runs in two slices");
    assert_eq!(
        union,
        whole_ids.iter().collect(),
        "the slices cover the catalogue"
    );

    let merged = tokio::task::spawn_blocking({
        let d = d.clone();
        move || {
            scimulate(
                &d,
                &[
                    "report",
                    "c1.json",
                    "c2.json",
                    "c3.json",
                    "--report",
                    "json:merged.json",
                ],
            )
        }
    })
    .await
    .unwrap();
    assert_eq!(merged.status.code(), Some(0), "{}", stderr(&merged));
    let merged_json = read_json(&d.join("merged.json"));
    assert_eq!(
        certify_verdicts(&merged_json),
        certify_verdicts(&whole_json)
    );
    assert_eq!(merged_json["passed"], whole_json["passed"]);
    assert_eq!(merged_json["pack"], whole_json["pack"]);

    // Each slice deleted what it created: the server holds what it held.
    assert_eq!(totals(&h).await, before);
}

#[test]
fn certify_list_shows_the_checks_of_a_slice() {
    let dir = tempfile::tempdir().unwrap();
    let all = scimulate::certify::catalogue().len();
    let mut total = 0;
    for k in 1..=4 {
        let p = format!("{k}/4");
        let out = scimulate(dir.path(), &["certify", "--list", "--partition", &p]);
        assert_eq!(out.status.code(), Some(0));
        // A line per check (the quoted sentence under it is indented).
        let lines = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.starts_with(' '))
            .count();
        assert_eq!(lines, Partition::new(k, 4).unwrap().size(all));
        total += lines;
    }
    assert_eq!(total, all);
}

#[test]
fn a_certify_slice_left_empty_passes_without_touching_the_server() {
    let dir = tempfile::tempdir().unwrap();
    // Two checks in three slices: the third gets none. Nothing listens on
    // port 9, and nothing needs to.
    let out = scimulate(
        dir.path(),
        &[
            "certify",
            "--url",
            "http://127.0.0.1:9/scim/v2",
            "--only",
            "USER-001,PATCH-012",
            "--partition",
            "3/3",
            "--report",
            "json:c3.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("partition 3/3: 0 of 2 checks: this slice is empty, nothing ran"),
        "{}",
        stderr(&out)
    );
    let report = read_json(&dir.path().join("c3.json"));
    assert_eq!(
        (report["passed"].clone(), report["checks"].clone()),
        (json!(true), json!([]))
    );
    assert_eq!(report["pack"]["selected"], json!(["USER-001", "PATCH-012"]));
}
