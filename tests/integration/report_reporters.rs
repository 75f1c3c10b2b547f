//! Every reporter's output for fixed run models, snapshotted; the JUnit
//! XML read back; reports written to files; the JSON report read back as
//! the same model.

use crate::report_support;

use quick_junit::{NonSuccessKind, Report, TestCaseStatus};
use scimulate::report::{
    self, Baseline, BaselineMark, ReportFormat, ReportSpec, RunReport, Style, apply_baseline,
    exit_status, render, write_reports_to,
};

fn text(report: &RunReport, format: ReportFormat, style: Style) -> String {
    String::from_utf8(render(report, format, style).expect("renders")).expect("utf-8")
}

const PLAIN: Style = Style { color: false };

#[test]
fn json_run() {
    insta::assert_snapshot!(text(&report_support::run(), ReportFormat::Json, PLAIN));
}

#[test]
fn json_certify() {
    insta::assert_snapshot!(text(&report_support::certify(), ReportFormat::Json, PLAIN));
}

#[test]
fn junit_run() {
    insta::assert_snapshot!(text(&report_support::run(), ReportFormat::Junit, PLAIN));
}

#[test]
fn junit_certify() {
    insta::assert_snapshot!(text(&report_support::certify(), ReportFormat::Junit, PLAIN));
}

#[test]
fn terminal_run() {
    insta::assert_snapshot!(text(&report_support::run(), ReportFormat::Terminal, PLAIN));
}

#[test]
fn terminal_run_in_colour() {
    let coloured = text(
        &report_support::run(),
        ReportFormat::Terminal,
        Style { color: true },
    );
    // Escape codes shown as text, so the snapshot can be read.
    insta::assert_snapshot!(coloured.replace('\u{1b}', "<ESC>"));
}

#[test]
fn terminal_certify() {
    insta::assert_snapshot!(text(
        &report_support::certify(),
        ReportFormat::Terminal,
        PLAIN
    ));
}

#[test]
fn terminal_clean_run() {
    insta::assert_snapshot!(text(
        &report_support::clean_run(),
        ReportFormat::Terminal,
        PLAIN
    ));
}

#[test]
fn markdown_run() {
    insta::assert_snapshot!(text(&report_support::run(), ReportFormat::Markdown, PLAIN));
}

#[test]
fn markdown_certify() {
    insta::assert_snapshot!(text(
        &report_support::certify(),
        ReportFormat::Markdown,
        PLAIN
    ));
}

/// The run measured against a baseline in which the replay check passed
/// and the state check of app-b already failed.
fn run_with_baseline() -> RunReport {
    let mut before = report_support::run();
    {
        let checks = &mut before.scenarios.as_mut().unwrap()[0].checks;
        checks[2].passed = true;
    }
    let baseline = Baseline::from_report(&before, "baseline.json");
    let mut now = report_support::run();
    // A harness error would make the exit status 3 whatever the baseline
    // says; leave the broken scenario out to see the baseline's effect.
    now.scenarios.as_mut().unwrap().pop();
    now.refresh_passed();
    apply_baseline(&mut now, &baseline).expect("same kind");
    now
}

#[test]
fn baseline_marks_show_in_every_report() {
    let now = run_with_baseline();
    let marks: Vec<_> = now.scenarios()[0]
        .checks
        .iter()
        .map(|c| c.baseline)
        .collect();
    assert_eq!(
        marks,
        [
            None,
            None,
            Some(BaselineMark::New),
            None,
            None,
            Some(BaselineMark::Known)
        ]
    );
    assert_eq!(exit_status(&now).code(), 1);
    insta::assert_snapshot!(
        "terminal_baseline",
        text(&now, ReportFormat::Terminal, PLAIN)
    );
    insta::assert_snapshot!(
        "markdown_baseline",
        text(&now, ReportFormat::Markdown, PLAIN)
    );
}

#[test]
fn exit_statuses_of_the_fixtures() {
    assert_eq!(
        exit_status(&report_support::run()).code(),
        3,
        "a scenario could not run"
    );
    assert_eq!(exit_status(&report_support::clean_run()).code(), 0);
    assert_eq!(
        exit_status(&report_support::certify()).code(),
        1,
        "PATCH-007 MUST failed"
    );
}

#[test]
fn the_json_report_reads_back_as_the_same_model() {
    for r in [
        report_support::run(),
        report_support::certify(),
        run_with_baseline(),
    ] {
        let json = text(&r, ReportFormat::Json, PLAIN);
        let back: RunReport = serde_json::from_str(&json).expect("reads back");
        assert_eq!(back, r);
    }
}

#[test]
fn the_json_core_is_in_spec_order() {
    let json = text(&report_support::run(), ReportFormat::Json, PLAIN);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys[..7],
        [
            "spec",
            "kind",
            "passed",
            "seed",
            "started_at",
            "duration_ms",
            "scenarios"
        ]
    );
    let check: Vec<&str> = v["scenarios"][0]["checks"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(check, ["index", "check", "target", "passed", "message"]);
}

fn cases(report: &Report) -> Vec<(String, String, &'static str)> {
    report
        .test_suites
        .iter()
        .flat_map(|s| &s.test_cases)
        .map(|c| {
            let status = match &c.status {
                TestCaseStatus::Success { .. } => "success",
                TestCaseStatus::NonSuccess {
                    kind: NonSuccessKind::Failure,
                    ..
                } => "failure",
                TestCaseStatus::NonSuccess {
                    kind: NonSuccessKind::Error,
                    ..
                } => "error",
                TestCaseStatus::Skipped { .. } => "skipped",
            };
            (
                c.classname
                    .as_ref()
                    .map(|n| n.as_str().to_owned())
                    .unwrap_or_default(),
                c.name.as_str().to_owned(),
                status,
            )
        })
        .collect()
}

#[test]
fn junit_reads_back_with_one_testcase_per_check() {
    let xml = text(&report_support::run(), ReportFormat::Junit, PLAIN);
    let parsed = Report::deserialize_from_str(&xml).expect("valid JUnit XML");
    let suites: Vec<&str> = parsed.test_suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        suites,
        [
            "leaver-during-expired-token",
            "jit-twins | `pipes`",
            "connector-restart"
        ]
    );
    let s = "leaver-during-expired-token";
    let t = "jit-twins | `pipes`";
    let expected: Vec<(String, String, &str)> = [
        (s, "alert[app-a]#0", "success"),
        (s, "no_alert[app-b]#1", "success"),
        (s, "replay[app-a]#2", "failure"),
        (s, "honors_retry_after[app-a]#3", "skipped"),
        (s, "state[app-a]#4", "success"),
        (s, "state[app-b]#4", "failure"),
        (t, "no_twins[app-a]#0", "success"),
        (t, "state[app-a]#1", "success"),
        ("connector-restart", "harness[start connector]#0", "error"),
    ]
    .into_iter()
    .map(|(c, n, st)| (c.to_owned(), n.to_owned(), st))
    .collect();
    assert_eq!(cases(&parsed), expected);
    assert_eq!(parsed.tests, 9);
    assert_eq!(parsed.failures, 2);
    assert_eq!(parsed.errors, 1);
    // The whole multi-line message survives as the failure's text, minus
    // the escape codes XML cannot carry.
    let replay = &parsed.test_suites[0].test_cases[2];
    let TestCaseStatus::NonSuccess {
        message,
        description,
        ..
    } = &replay.status
    else {
        panic!("a failure");
    };
    assert_eq!(
        message.as_ref().map(|m| m.as_str()),
        Some("provision POST /Users (dave) at +31.2s came before deprovision of bob at +31.9s")
    );
    let body = description.as_ref().unwrap().as_str();
    assert!(body.contains("<b>conflict</b> ``` not closed"), "{body}");
    assert!(
        body.contains("red from the server") && !body.contains('\u{1b}'),
        "{body}"
    );
}

#[test]
fn junit_certify_groups_are_classnames() {
    let xml = text(&report_support::certify(), ReportFormat::Junit, PLAIN);
    let parsed = Report::deserialize_from_str(&xml).expect("valid JUnit XML");
    let expected: Vec<(String, String, &str)> = [
        ("discovery", "DISC-001", "success"),
        ("patch", "PATCH-007", "failure"),
        ("patch", "PATCH-008", "success"),
        ("bulk", "BULK-001", "skipped"),
        // A warning does not set the exit status: JUnit agrees (SPEC §8.6).
        ("idp shapes", "SHAPE-003", "success"),
    ]
    .into_iter()
    .map(|(c, n, st)| (c.to_owned(), n.to_owned(), st))
    .collect();
    assert_eq!(cases(&parsed), expected);
}

#[test]
fn reports_are_written_to_their_files_and_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let json_path = dir.path().join("deep/er/report.json");
    let junit_path = dir.path().join("junit.xml");
    let specs: Vec<ReportSpec> = [
        "terminal".to_owned(),
        format!("json:{}", json_path.display()),
        format!("junit:{}", junit_path.display()),
    ]
    .iter()
    .map(|v| v.parse().unwrap())
    .collect();
    report::check_specs(&specs).expect("distinct destinations");
    let r = report_support::run();
    let mut stdout = Vec::new();
    let written = write_reports_to(&r, &specs, &mut stdout, PLAIN).expect("written");
    assert_eq!(written, [json_path.clone(), junit_path.clone()]);
    assert_eq!(
        String::from_utf8(stdout).unwrap(),
        text(&r, ReportFormat::Terminal, PLAIN)
    );
    assert_eq!(
        std::fs::read_to_string(&json_path).unwrap(),
        text(&r, ReportFormat::Json, PLAIN)
    );
    assert_eq!(
        std::fs::read_to_string(&junit_path).unwrap(),
        text(&r, ReportFormat::Junit, PLAIN)
    );
    let left: Vec<_> = std::fs::read_dir(json_path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        left,
        [std::ffi::OsString::from("report.json")],
        "no temporary file left"
    );
}

#[test]
fn files_never_get_colour() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.txt");
    let spec: ReportSpec = format!("terminal:{}", path.display()).parse().unwrap();
    write_reports_to(
        &report_support::run(),
        &[spec],
        &mut Vec::new(),
        Style { color: true },
    )
    .unwrap();
    assert!(!std::fs::read_to_string(&path).unwrap().contains('\u{1b}'));
}

#[test]
fn an_unwritable_destination_names_the_report_and_path() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "").unwrap();
    let spec: ReportSpec = format!("json:{}/r.json", blocker.display())
        .parse()
        .unwrap();
    let err = write_reports_to(&report_support::run(), &[spec], &mut Vec::new(), PLAIN)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!(
            "could not write the json report to {}/r.json: ",
            blocker.display()
        )),
        "{err}"
    );
}

/// Writes the fixtures' JUnit reports (run.xml, certify.xml) into the
/// folder `SCIMULATE_JUNIT_OUT` names, for `ci/junit-check.py` to validate
/// with a parser nobody here wrote; does nothing without it.
#[test]
fn junit_samples_for_the_ci_check() {
    let Some(dir) = std::env::var_os("SCIMULATE_JUNIT_OUT") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    for (name, report) in [
        ("run.xml", report_support::run()),
        ("certify.xml", report_support::certify()),
    ] {
        let spec = ReportSpec {
            format: ReportFormat::Junit,
            destination: report::Destination::File(dir.join(name)),
        };
        write_reports_to(&report, &[spec], &mut Vec::new(), PLAIN).unwrap();
    }
}
