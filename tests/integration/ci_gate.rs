//! `ci/gate.sh`, the script a connector team's CI calls (README "Gating your
//! connector in CI"), run for real with bash: it passes with the reference
//! connector, fails with a defective one, refuses a missing connector file,
//! and keeps scimulate's exit status. The CI templates are parsed, and the
//! JUnit path each publishes is the one the script writes: the runs below
//! take their report folder from the templates.

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
    let out = cwd.join("gate.stdout");
    let err = cwd.join("gate.stderr");
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("ci/gate.sh"))
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
