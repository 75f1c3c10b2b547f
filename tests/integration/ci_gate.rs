//! `ci/gate.sh`, the script a connector team's CI calls (README "Gating your
//! connector in CI"), run for real with bash: it passes with the reference
//! connector, fails with a defective one, refuses a missing connector file,
//! and keeps scimulate's exit status. The CI templates are parsed, and the
//! JUnit path each publishes is the one the script writes: the runs below
//! take their report folder from the templates. The matrix templates split
//! the pack into slices (SCIMULATE_PARTITION) and merge the slices' reports
//! (SCIMULATE_MERGE); the GitLab one's scripts are run slice by slice.

use quick_junit::{NonSuccessKind, Report, TestCaseStatus};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GITHUB: &str = "ci/templates/github-actions/scimulate-gate.yml";
const GITLAB: &str = "ci/templates/gitlab/scimulate-gate.gitlab-ci.yml";
/// The quickest shipped scenario with a check a defect can fail (about
/// 1.5 s at time scale 10).
const SCENARIO: &str = "scenarios/single-transient-503.yaml";
/// Every setting gate.sh reads; cleared so the caller's environment cannot
/// leak in.
const SETTINGS: &[&str] = &[
    "SCIMULATE_BIN",
    "SCIMULATE_SRC",
    "SCIMULATE_GIT",
    "SCIMULATE_REF",
    "SCIMULATE_CONNECTOR",
    "SCIMULATE_SCENARIOS",
    "SCIMULATE_ONLY",
    "SCIMULATE_TAGS",
    "SCIMULATE_TIME_SCALE",
    "SCIMULATE_SEED",
    "SCIMULATE_BASELINE",
    "SCIMULATE_REPORT_DIR",
    "SCIMULATE_ARGS",
    "SCIMULATE_PARTITION",
    "SCIMULATE_MERGE",
    "GITHUB_STEP_SUMMARY",
    "CARGO_TARGET_DIR",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

struct Gate {
    code: Option<i32>,
    stderr: String,
}

/// Runs `bash ci/gate.sh` in `cwd` with `vars` (nothing else of the
/// SETTINGS), for at most two minutes.
fn gate(cwd: &Path, vars: &[(&str, &str)], path: Option<&str>) -> Gate {
    bash(cwd, &[root().join("ci/gate.sh").as_os_str()], vars, path)
}

/// Runs `bash ARGS` as [`gate`] does.
fn bash(cwd: &Path, args: &[&std::ffi::OsStr], vars: &[(&str, &str)], path: Option<&str>) -> Gate {
    let out = cwd.join("gate.stdout");
    let err = cwd.join("gate.stderr");
    let mut cmd = Command::new("bash");
    cmd.args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap());
    for s in SETTINGS {
        cmd.env_remove(s);
    }
    cmd.envs(vars.iter().copied());
    if let Some(p) = path {
        cmd.env("PATH", p);
    }
    let mut child = cmd.spawn().expect("bash runs");
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!(
                "ci/gate.sh ran over two minutes:\n{}",
                std::fs::read_to_string(&err).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Gate {
        code: status.code(),
        stderr: std::fs::read_to_string(&err).unwrap(),
    }
}

fn yaml(rel: &str) -> Value {
    let text = std::fs::read_to_string(root().join(rel)).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The GitHub workflow's only job.
fn github_job() -> Value {
    let jobs = yaml(GITHUB)["jobs"].as_object().expect("jobs").clone();
    assert_eq!(jobs.len(), 1, "{GITHUB}: one job");
    jobs.into_iter().next().unwrap().1
}

/// The GitLab job: the one top-level key that is a job (has `script`).
fn gitlab_job() -> Value {
    let file = yaml(GITLAB);
    let jobs: Vec<&Value> = file
        .as_object()
        .expect("a mapping")
        .values()
        .filter(|v| v.get("script").is_some())
        .collect();
    assert_eq!(jobs.len(), 1, "{GITLAB}: one job");
    jobs[0].clone()
}

fn var<'a>(vars: &'a Value, name: &str, file: &str) -> &'a str {
    vars[name]
        .as_str()
        .unwrap_or_else(|| panic!("{file}: {name} is not set"))
}

/// `${{ env.NAME }}` replaced with the job's value.
fn expand_github(value: &str, env: &Value) -> String {
    let mut out = value.to_owned();
    while let Some(start) = out.find("${{") {
        let end = start + out[start..].find("}}").expect("closing }}") + 2;
        let name = out[start + 3..end - 2].trim();
        let name = name.strip_prefix("env.").expect("only env. expressions");
        out.replace_range(start..end, var(env, name, GITHUB));
    }
    out
}

/// Where each template publishes the JUnit report, relative to the job's
/// folder.
fn github_junit() -> (String, String) {
    let job = github_job();
    let env = &job["env"];
    let steps = job["steps"].as_array().expect("steps");
    let publish = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("mikepenz/action-junit-report@"))
        })
        .expect("a step publishing the JUnit report");
    let path = expand_github(publish["with"]["report_paths"].as_str().unwrap(), env);
    (var(env, "SCIMULATE_REPORT_DIR", GITHUB).to_owned(), path)
}

fn gitlab_junit() -> (String, String) {
    let job = gitlab_job();
    let path = job["artifacts"]["reports"]["junit"]
        .as_str()
        .expect("reports: junit");
    (
        var(&job["variables"], "SCIMULATE_REPORT_DIR", GITLAB).to_owned(),
        path.to_owned(),
    )
}

fn junit(path: &Path) -> Report {
    let xml = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Report::deserialize_from_str(&xml).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The shipped reference connector file with `--defect NAME` added, as a
/// team would write it (README, connectors/reference.yaml).
fn defective_connector(path: &Path, defect: &str) {
    let reference = std::fs::read_to_string(root().join("connectors/reference.yaml")).unwrap();
    let with_defect = format!(r#""{{workdir}}", "--defect", "{defect}"]"#);
    let yaml = reference.replacen(r#""{workdir}"]"#, &with_defect, 1);
    assert_ne!(
        yaml, reference,
        "the reference command ends with {{workdir}}"
    );
    std::fs::write(path, yaml).unwrap();
}

fn scenario() -> String {
    root().join(SCENARIO).display().to_string()
}

#[test]
fn the_reference_connector_passes_and_the_github_template_finds_the_junit_report() {
    let (dir, published) = github_junit();
    let cwd = tempfile::tempdir().unwrap();
    let summary = cwd.path().join("summary.md");
    let run = gate(
        cwd.path(),
        &[
            ("SCIMULATE_BIN", env!("CARGO_BIN_EXE_scimulate")),
            ("SCIMULATE_SCENARIOS", &scenario()),
            ("SCIMULATE_REPORT_DIR", &dir),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ],
        None,
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stderr.contains("every check passed"), "{}", run.stderr);

    let report = junit(&cwd.path().join(&published));
    assert_eq!((report.failures, report.errors), (0, 0));
    assert_eq!(report.test_suites.len(), 1);
    assert_eq!(report.test_suites[0].name.as_str(), "single-transient-503");
    assert!(report.tests > 0);

    let json = json(&cwd.path().join(&dir).join("report.json"));
    assert_eq!(json["passed"], true);
    assert_eq!(json["scenarios"][0]["name"], "single-transient-503");
    assert!(cwd.path().join(&dir).join("report.md").is_file());
    // The Markdown report is the GitHub job summary.
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(summary.contains("single\\-transient\\-503"), "{summary}");
}

#[test]
fn a_failed_check_fails_the_gate_and_the_gitlab_template_publishes_it() {
    let (dir, published) = gitlab_junit();
    let cwd = tempfile::tempdir().unwrap();
    // Relative, as in a team's repository.
    defective_connector(&cwd.path().join("connector.yaml"), "alert-on-first-failure");
    let run = gate(
        cwd.path(),
        &[
            ("SCIMULATE_BIN", env!("CARGO_BIN_EXE_scimulate")),
            ("SCIMULATE_CONNECTOR", "connector.yaml"),
            ("SCIMULATE_SCENARIOS", &scenario()),
            ("SCIMULATE_REPORT_DIR", &dir),
        ],
        None,
    );
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("a check failed (exit 1)"),
        "{}",
        run.stderr
    );

    let report = junit(&cwd.path().join(&published));
    assert!(report.failures >= 1, "{report:?}");
    let failed: Vec<&str> = report.test_suites[0]
        .test_cases
        .iter()
        .filter(|c| {
            matches!(
                c.status,
                TestCaseStatus::NonSuccess {
                    kind: NonSuccessKind::Failure,
                    ..
                }
            )
        })
        .map(|c| c.name.as_str())
        .collect();
    assert!(
        failed.iter().any(|n| n.starts_with("no_alert")),
        "alert-on-first-failure fails no_alert: {failed:?}"
    );
    assert_eq!(
        json(&cwd.path().join(&dir).join("report.json"))["passed"],
        false
    );
}

#[test]
fn a_missing_connector_file_is_wrong_input_and_leaves_no_old_report() {
    let cwd = tempfile::tempdir().unwrap();
    let reports = cwd.path().join("reports");
    std::fs::create_dir(&reports).unwrap();
    std::fs::write(reports.join("junit.xml"), "<testsuites/>").unwrap();
    let run = gate(
        cwd.path(),
        &[
            ("SCIMULATE_BIN", env!("CARGO_BIN_EXE_scimulate")),
            ("SCIMULATE_CONNECTOR", "no-such-connector.yaml"),
            ("SCIMULATE_SCENARIOS", &scenario()),
            ("SCIMULATE_REPORT_DIR", "reports"),
        ],
        None,
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("SCIMULATE_CONNECTOR=no-such-connector.yaml: no such connector file"),
        "{}",
        run.stderr
    );
    assert!(
        !reports.join("junit.xml").exists(),
        "an earlier run's report must not pass for this one's"
    );
}

#[test]
fn scimulate_on_path_is_used_and_its_exit_status_kept() {
    // A folder holding only `scimulate`, ahead of the usual PATH.
    let bin = tempfile::tempdir().unwrap();
    let link = bin.path().join("scimulate");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_scimulate"), &link).unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let cwd = tempfile::tempdir().unwrap();
    let reports = cwd.path().join("reports");
    std::fs::create_dir(&reports).unwrap();
    std::fs::write(reports.join("junit.xml"), "<testsuites/>").unwrap();
    // scimulate refuses the time scale (exit 2) before it plays anything.
    let run = gate(
        cwd.path(),
        &[
            ("SCIMULATE_SCENARIOS", &scenario()),
            ("SCIMULATE_TIME_SCALE", "0"),
            ("SCIMULATE_REPORT_DIR", "reports"),
        ],
        Some(&path),
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("{} run ", link.display())),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--time-scale 0"), "{}", run.stderr);
    assert!(run.stderr.contains("(exit 2)"), "{}", run.stderr);
    assert!(
        !reports.join("junit.xml").exists(),
        "an earlier run's report must not pass for this one's"
    );
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=gate",
            "-c",
            "user.email=gate@acme.test",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdout(Stdio::null())
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

/// The templates' way: SCIMULATE_GIT fetched at SCIMULATE_REF into
/// SCIMULATE_SRC (where a cached target/ already is), built there, and its
/// scenario pack played. The repository is a local one holding one
/// scenario; a stub `cargo` stands in for the release build (it links the
/// test's scimulate where the build would put it).
#[test]
fn scimulate_is_fetched_built_and_its_scenario_pack_played() {
    let repo = tempfile::tempdir().unwrap();
    let r = repo.path();
    std::fs::create_dir_all(r.join("src")).unwrap();
    std::fs::create_dir_all(r.join("scenarios")).unwrap();
    std::fs::write(r.join("Cargo.toml"), "[package]\nname = \"scimulate\"\n").unwrap();
    std::fs::write(r.join("src/main.rs"), "fn main() {}\n").unwrap();
    std::fs::copy(root().join(SCENARIO), r.join(SCENARIO)).unwrap();
    git(r, &["init", "-q"]);
    git(r, &["add", "."]);
    git(r, &["commit", "-q", "-m", "pack"]);
    git(r, &["tag", "v1"]);

    let stub = tempfile::tempdir().unwrap();
    let log = stub.path().join("cargo.log");
    let cargo = stub.path().join("cargo");
    std::fs::write(
        &cargo,
        format!(
            "#!/usr/bin/env bash\nset -eu\necho \"$*\" >>'{}'\nwhile [ $# -gt 0 ]; do [ \"$1\" != --manifest-path ] || m=$2; shift; done\nd=$(dirname \"$m\")/target/release\nmkdir -p \"$d\"\nln -sf '{}' \"$d/scimulate\"\n",
            log.display(),
            env!("CARGO_BIN_EXE_scimulate")
        ),
    )
    .unwrap();
    std::fs::set_permissions(&cargo, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        stub.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );

    let cwd = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(cwd.path().join(".scimulate-src/target/debug")).unwrap();
    let url = format!("file://{}", r.display());
    let run = gate(
        cwd.path(),
        &[
            ("SCIMULATE_GIT", &url),
            ("SCIMULATE_REF", "v1"),
            ("SCIMULATE_SRC", ".scimulate-src"),
        ],
        Some(&path),
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let built = std::fs::read_to_string(&log).unwrap();
    assert!(
        built.contains("build --release --locked") && built.contains(".scimulate-src/Cargo.toml"),
        "{built}"
    );
    assert!(
        run.stderr.contains(" run .scimulate-src/scenarios "),
        "{}",
        run.stderr
    );
    let json = json(&cwd.path().join("scimulate-report/report.json"));
    assert_eq!(json["scenarios"][0]["name"], "single-transient-503");
}

/// A repository URL with a password in it is never shown, not even in
/// git's own message when the fetch fails (exit 3: nothing to run).
#[test]
fn a_failed_fetch_is_a_harness_error_and_shows_no_password() {
    let cwd = tempfile::tempdir().unwrap();
    let run = gate(
        cwd.path(),
        &[(
            "SCIMULATE_GIT",
            "http://gate:s3cret@127.0.0.1:1/scimulate.git",
        )],
        None,
    );
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    assert!(run.stderr.contains("could not fetch"), "{}", run.stderr);
    assert!(
        run.stderr.contains("http://***@127.0.0.1:1/"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("s3cret"), "{}", run.stderr);
}

/// The SCIMULATE_* settings a template sets; each must be one gate.sh
/// documents.
fn assert_documented(vars: &Value, file: &str) {
    let script = std::fs::read_to_string(root().join("ci/gate.sh")).unwrap();
    let vars = vars.as_object().expect("a mapping of variables");
    for name in vars.keys().filter(|k| k.starts_with("SCIMULATE_")) {
        assert!(
            script.contains(&format!("#   {name} ")),
            "{file} sets {name}, which ci/gate.sh does not document"
        );
    }
    for needed in [
        "SCIMULATE_CONNECTOR",
        "SCIMULATE_SCENARIOS",
        "SCIMULATE_REPORT_DIR",
    ] {
        assert!(vars.contains_key(needed), "{file} must set {needed}");
    }
}

#[test]
fn the_github_workflow_runs_the_gate_and_publishes_its_reports_always() {
    let job = github_job();
    let steps = job["steps"].as_array().expect("steps");
    let position = |pred: &dyn Fn(&Value) -> bool, what: &str| {
        steps
            .iter()
            .position(pred)
            .unwrap_or_else(|| panic!("{GITHUB}: no step that {what}"))
    };
    let gate = position(
        &|s| {
            s["run"]
                .as_str()
                .is_some_and(|r| r.contains("bash ci/gate.sh"))
        },
        "runs bash ci/gate.sh",
    );
    let uses = |prefix: &'static str| {
        move |s: &Value| s["uses"].as_str().is_some_and(|u| u.starts_with(prefix))
    };
    let checkout = position(&uses("actions/checkout@"), "checks out");
    let toolchain = position(&uses("dtolnay/rust-toolchain@"), "installs Rust");
    let upload = position(&uses("actions/upload-artifact@"), "uploads the reports");
    let publish = position(
        &uses("mikepenz/action-junit-report@"),
        "publishes the JUnit report",
    );
    assert!(checkout < toolchain && toolchain < gate && gate < upload && gate < publish);
    for i in [upload, publish] {
        assert_eq!(
            steps[i]["if"], "always()",
            "{GITHUB}: step {i} must run when the gate fails"
        );
    }
    let env = &job["env"];
    let dir = var(env, "SCIMULATE_REPORT_DIR", GITHUB);
    let uploaded = expand_github(steps[upload]["with"]["path"].as_str().unwrap(), env);
    assert_eq!(uploaded.trim_end_matches('/'), dir);
    let (_, published) = github_junit();
    assert_eq!(published, format!("{dir}/junit.xml"));
    assert_documented(env, GITHUB);
}

#[test]
fn the_gitlab_job_runs_the_gate_and_publishes_its_reports_always() {
    let job = gitlab_job();
    let script: Vec<&str> = job["script"]
        .as_array()
        .expect("script")
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(
        script.iter().any(|l| l.contains("bash ci/gate.sh")),
        "{GITLAB}: the script runs bash ci/gate.sh: {script:?}"
    );
    let artifacts = &job["artifacts"];
    assert_eq!(
        artifacts["when"], "always",
        "{GITLAB}: artifacts when: always"
    );
    let dir = var(&job["variables"], "SCIMULATE_REPORT_DIR", GITLAB);
    let paths: Vec<&str> = artifacts["paths"]
        .as_array()
        .expect("artifacts: paths")
        .iter()
        .map(|p| p.as_str().unwrap().trim_end_matches('/'))
        .collect();
    assert!(paths.contains(&dir), "{GITLAB}: {paths:?} keeps {dir}");
    let (_, published) = gitlab_junit();
    assert_eq!(published, format!("{dir}/junit.xml"));
    assert_documented(&job["variables"], GITLAB);
}

const GITHUB_MATRIX: &str = "ci/templates/github-actions/scimulate-gate-matrix.yml";
const GITLAB_MATRIX: &str = "ci/templates/gitlab/scimulate-gate-matrix.gitlab-ci.yml";

/// Each SCIMULATE_* a job of a template sets is one gate.sh documents.
fn assert_all_documented(vars: &Value, file: &str) {
    let script = std::fs::read_to_string(root().join("ci/gate.sh")).unwrap();
    for name in vars
        .as_object()
        .expect("a mapping of variables")
        .keys()
        .filter(|k| k.starts_with("SCIMULATE_"))
    {
        assert!(
            script.contains(&format!("#   {name} ")),
            "{file} sets {name}, which ci/gate.sh does not document"
        );
    }
}

fn step<'a>(steps: &'a [Value], what: &str, pred: impl Fn(&Value) -> bool) -> &'a Value {
    steps
        .iter()
        .find(|s| pred(s))
        .unwrap_or_else(|| panic!("{GITHUB_MATRIX}: no step that {what}"))
}

fn uses(s: &Value, prefix: &str) -> bool {
    s["uses"].as_str().is_some_and(|u| u.starts_with(prefix))
}

fn runs_gate(s: &Value) -> bool {
    s["run"]
        .as_str()
        .is_some_and(|r| r.contains("bash ci/gate.sh"))
}

/// The matrix job runs one slice per entry (1 to N, N the matrix's size),
/// uploads each slice's reports under a name of its own, and the merge job
/// (also after a failed slice) downloads every one of them into the folder
/// gate.sh merges, then publishes the merged JUnit report.
#[test]
fn the_github_matrix_runs_each_slice_and_merges_every_slice_s_reports() {
    let file = yaml(GITHUB_MATRIX);
    let jobs = &file["jobs"];
    let slices = &jobs["scimulate-partition"];
    let merge = &jobs["scimulate"];
    assert_eq!(slices["strategy"]["fail-fast"], false, "every slice runs");
    let entries: Vec<u64> = slices["strategy"]["matrix"]["partition"]
        .as_array()
        .expect("matrix: partition: [1, …, N]")
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(entries, (1..=entries.len() as u64).collect::<Vec<_>>());
    assert!(entries.len() > 1);
    let env = &slices["env"];
    // strategy.job-total is the matrix's size: N follows the list.
    assert_eq!(
        env["SCIMULATE_PARTITION"],
        "${{ matrix.partition }}/${{ strategy.job-total }}"
    );
    assert_all_documented(env, GITHUB_MATRIX);
    let steps = slices["steps"].as_array().expect("steps");
    step(steps, "runs bash ci/gate.sh", runs_gate);
    let upload = step(steps, "uploads the slice's reports", |s| {
        uses(s, "actions/upload-artifact@")
    });
    assert_eq!(upload["if"], "always()");
    assert_eq!(
        expand_github(upload["with"]["path"].as_str().unwrap(), env).trim_end_matches('/'),
        var(env, "SCIMULATE_REPORT_DIR", GITHUB_MATRIX)
    );
    let name = upload["with"]["name"].as_str().unwrap();
    assert!(
        name.contains("${{ matrix.partition }}"),
        "one artifact per slice: {name}"
    );

    assert_eq!(merge["needs"], "scimulate-partition");
    assert!(
        merge["if"]
            .as_str()
            .is_some_and(|c| c.contains("!cancelled()")),
        "the merge runs after a failed slice too"
    );
    let env = &merge["env"];
    assert_all_documented(env, GITHUB_MATRIX);
    let steps = merge["steps"].as_array().expect("steps");
    let download = step(steps, "downloads the slices' reports", |s| {
        uses(s, "actions/download-artifact@")
    });
    assert_eq!(
        download["with"]["pattern"].as_str().unwrap(),
        name.replace("${{ matrix.partition }}", "*"),
        "the pattern matches every slice's artifact"
    );
    assert_eq!(
        expand_github(download["with"]["path"].as_str().unwrap(), env),
        var(env, "SCIMULATE_MERGE", GITHUB_MATRIX)
    );
    let gate = steps.iter().position(runs_gate).expect("a gate step");
    let publish = steps
        .iter()
        .position(|s| uses(s, "mikepenz/action-junit-report@"))
        .expect("a step publishing the JUnit report");
    assert!(gate < publish);
    assert_eq!(steps[publish]["if"], "always()");
    assert_eq!(
        expand_github(
            steps[publish]["with"]["report_paths"].as_str().unwrap(),
            env
        ),
        format!(
            "{}/junit.xml",
            var(env, "SCIMULATE_REPORT_DIR", GITHUB_MATRIX)
        )
    );
}

fn script(job: &Value) -> String {
    job["script"]
        .as_array()
        .expect("script")
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The GitLab jobs run as GitLab would: the slice job's script once per
/// `parallel:` node (CI_NODE_INDEX 1 to N), then the merge job's script on
/// the slices' artifacts. Two quick scenarios in four slices: two slices
/// are empty. The merged report holds both scenarios; without one slice's
/// artifacts the merge fails (exit 2) and says which partition is missing.
#[test]
fn the_gitlab_matrix_jobs_split_the_pack_and_merge_it_back() {
    let file = yaml(GITLAB_MATRIX);
    let slices = &file["scimulate-partition"];
    let merge = &file["scimulate-gate"];
    let n = slices["parallel"].as_u64().expect("parallel: N");
    assert!(n > 1);
    assert_eq!(slices["artifacts"]["when"], "always");
    assert_eq!(
        merge["when"], "always",
        "the merge runs after a failed slice too"
    );
    assert_eq!(merge["needs"][0]["job"], "scimulate-partition");
    assert_eq!(merge["needs"][0]["artifacts"], true);
    assert_all_documented(&file[".scimulate"]["variables"], GITLAB_MATRIX);
    assert_all_documented(&slices["variables"], GITLAB_MATRIX);
    assert_all_documented(&merge["variables"], GITLAB_MATRIX);
    let kept: Vec<&str> = slices["artifacts"]["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().trim_end_matches('/'))
        .collect();
    let merged_from = var(&merge["variables"], "SCIMULATE_MERGE", GITLAB_MATRIX);
    assert_eq!(kept, [merged_from], "the merge reads what the slices keep");
    let report_dir = var(&merge["variables"], "SCIMULATE_REPORT_DIR", GITLAB_MATRIX);
    assert_eq!(
        merge["artifacts"]["reports"]["junit"],
        format!("{report_dir}/junit.xml")
    );

    let cwd = tempfile::tempdir().unwrap();
    std::fs::create_dir(cwd.path().join("ci")).unwrap();
    std::fs::copy(root().join("ci/gate.sh"), cwd.path().join("ci/gate.sh")).unwrap();
    let scenarios = format!(
        "{} {}",
        root().join(SCENARIO).display(),
        root().join("scenarios/conflict-on-create.yaml").display()
    );
    let total = n.to_string();
    for k in 1..=n {
        let index = k.to_string();
        let run = bash(
            cwd.path(),
            &["-ec".as_ref(), script(slices).as_ref()],
            &[
                ("SCIMULATE_BIN", env!("CARGO_BIN_EXE_scimulate")),
                ("SCIMULATE_SCENARIOS", &scenarios),
                ("CI_NODE_INDEX", &index),
                ("CI_NODE_TOTAL", &total),
            ],
            None,
        );
        assert_eq!(run.code, Some(0), "slice {k}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!("--partition {k}/{n}")),
            "{}",
            run.stderr
        );
        let report = cwd.path().join(format!("{merged_from}/{k}/report.json"));
        assert!(report.is_file(), "slice {k} keeps {}", report.display());
    }
    // The merge job, as the template runs it.
    let merge_slices = || {
        bash(
            cwd.path(),
            &["-ec".as_ref(), script(merge).as_ref()],
            &[
                ("SCIMULATE_BIN", env!("CARGO_BIN_EXE_scimulate")),
                ("SCIMULATE_MERGE", merged_from),
                ("SCIMULATE_REPORT_DIR", report_dir),
            ],
            None,
        )
    };
    let merged = merge_slices();
    assert_eq!(merged.code, Some(0), "{}", merged.stderr);
    assert!(
        merged.stderr.contains("every check passed"),
        "{}",
        merged.stderr
    );
    let json = json(&cwd.path().join(report_dir).join("report.json"));
    let names: Vec<&str> = json["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["single-transient-503", "conflict-on-create"]);
    assert_eq!(json.get("partition"), None);
    let junit = junit(&cwd.path().join(report_dir).join("junit.xml"));
    assert_eq!(junit.test_suites.len(), 2);

    // A slice whose artifacts are lost fails the merge.
    std::fs::remove_dir_all(cwd.path().join(format!("{merged_from}/2"))).unwrap();
    let merged = merge_slices();
    assert_eq!(merged.code, Some(2), "{}", merged.stderr);
    assert!(
        merged.stderr.contains(&format!("partition 2/{n} missing")),
        "{}",
        merged.stderr
    );
    assert!(
        merged.stderr.contains("the reports do not merge"),
        "{}",
        merged.stderr
    );
    assert!(
        !cwd.path().join(report_dir).join("junit.xml").exists(),
        "no report of the earlier merge passes for this one"
    );
}
