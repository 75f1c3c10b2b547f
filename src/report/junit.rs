//! The JUnit XML report (SPEC §7), through `quick-junit`: one testsuite per
//! scenario (or certify group), one testcase per check with `classname` the
//! scenario (or group). A failed check is a `<failure>`, a harness problem
//! an `<error>`, a skipped check `<skipped>`. For certify, JUnit agrees
//! with the exit status: only a failure that sets it (at a level
//! `--fail-on` names, not known from the baseline) is a `<failure>`; a
//! warning or a failure below that level passes, its message in
//! `<system-out>`.

use super::model::{
    BaselineMark, CertifyCheck, CheckReport, FailOn, HarnessError, Outcome, RunReport,
    ScenarioReport,
};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::time::Duration;

/// The testsuite and classname of problems outside any scenario.
const HARNESS_SUITE: &str = "scimulate";

pub fn write(report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
    build(report)
        .serialize(&mut *out)
        .map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// The testcase name of a scenario check: `check[target]#index`.
pub fn case_name(check: &CheckReport) -> String {
    format!("{}[{}]#{}", check.check, check.target, check.index)
}

fn build(report: &RunReport) -> Report {
    let mut junit = Report::new("scimulate");
    junit
        .set_timestamp(report.started_at)
        .set_time(Duration::from_millis(report.duration_ms));
    if !report.errors.is_empty() {
        let mut suite = TestSuite::new(HARNESS_SUITE);
        suite.add_test_cases(harness_cases(HARNESS_SUITE, &report.errors));
        junit.add_test_suite(suite);
    }
    for scenario in report.scenarios() {
        junit.add_test_suite(scenario_suite(scenario));
    }
    // Certify groups in catalogue order of first appearance.
    let mut groups: BTreeMap<usize, (&str, Vec<&CertifyCheck>)> = BTreeMap::new();
    let mut first: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, c) in report.certify_checks().iter().enumerate() {
        let at = *first.entry(c.group.as_str()).or_insert(i);
        groups
            .entry(at)
            .or_insert_with(|| (c.group.as_str(), Vec::new()))
            .1
            .push(c);
    }
    let fail_on = report.fail_on.unwrap_or_default();
    for (group, checks) in groups.into_values() {
        let mut suite = TestSuite::new(group);
        suite.add_test_cases(checks.into_iter().map(|c| certify_case(c, fail_on)));
        junit.add_test_suite(suite);
    }
    junit
}

fn scenario_suite(scenario: &ScenarioReport) -> TestSuite {
    let mut suite = TestSuite::new(scenario.name.as_str());
    suite.add_property(Property::new("file", scenario.file.as_str()));
    if let Some(seed) = scenario.seed {
        suite.add_property(Property::new("seed", seed.to_string()));
    }
    if let Some(ms) = scenario.duration_ms {
        suite.set_time(Duration::from_millis(ms));
    }
    suite.add_test_cases(harness_cases(&scenario.name, &scenario.errors));
    for check in &scenario.checks {
        let status = if let Some(reason) = &check.skipped {
            let mut s = TestCaseStatus::skipped();
            s.set_message(first_line(reason))
                .set_description(reason.as_str());
            s
        } else if check.passed {
            TestCaseStatus::success()
        } else {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_type(failure_type(check.baseline))
                .set_message(first_line(&check.message))
                .set_description(check.message.as_str());
            s
        };
        let mut case = TestCase::new(case_name(check), status);
        case.set_classname(scenario.name.as_str());
        suite.add_test_case(case);
    }
    suite
}

/// The failure's `type` says how it compares with `--baseline`, so a CI
/// view can tell new failures from known ones.
fn failure_type(mark: Option<BaselineMark>) -> &'static str {
    match mark {
        None => "check failed",
        Some(BaselineMark::New) => "new failure",
        Some(BaselineMark::Known) => "known failure (failed in the baseline too)",
    }
}

fn harness_cases<'a>(
    classname: &'a str,
    errors: &'a [HarnessError],
) -> impl Iterator<Item = TestCase> + 'a {
    errors.iter().enumerate().map(move |(i, e)| {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status
            .set_type("harness error")
            .set_message(first_line(&e.message))
            .set_description(e.message.as_str());
        let name = match &e.during {
            Some(during) => format!("harness[{during}]#{i}"),
            None => format!("harness#{i}"),
        };
        let mut case = TestCase::new(name, status);
        case.set_classname(classname);
        case
    })
}

fn certify_case(check: &CertifyCheck, fail_on: FailOn) -> TestCase {
    // What was tested, then what went wrong: a CI view shows the message.
    let said = if check.title.is_empty() {
        check.message.clone()
    } else {
        format!("{}: {}", check.title, check.message)
    };
    let mut out = None;
    let status = match check.outcome {
        Outcome::Passed => TestCaseStatus::success(),
        Outcome::Skipped => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(first_line(&said))
                .set_description(said.as_str());
            s
        }
        Outcome::Failed if check.gates(fail_on) => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_type(failure_type(check.baseline))
                .set_message(first_line(&said))
                .set_description(said.as_str());
            s
        }
        Outcome::Failed => {
            let why = if check.warning {
                "warning, does not fail this profile".to_owned()
            } else if check.baseline == Some(BaselineMark::Known) {
                "failed in the baseline too".to_owned()
            } else {
                format!(
                    "failed at {}, which --fail-on {} does not gate",
                    level_text(check),
                    match fail_on {
                        FailOn::Must => "must",
                        FailOn::Should => "should",
                    }
                )
            };
            out = Some(format!("not a failure here ({why}): {said}"));
            TestCaseStatus::success()
        }
    };
    let mut case = TestCase::new(check.id.as_str(), status);
    if let Some(text) = out {
        case.set_system_out(text);
    }
    if !check.title.is_empty() {
        case.add_property(Property::new("title", check.title.as_str()));
    }
    case.set_classname(check.group.as_str())
        .add_property(Property::new("rfc", check.rfc.as_str()))
        .add_property(Property::new(
            "level",
            serde_json::to_value(check.level)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
        ));
    if let Some(ms) = check.duration_ms {
        case.set_time(Duration::from_millis(ms));
    }
    case
}

fn level_text(check: &CertifyCheck) -> String {
    serde_json::to_value(check.level)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The `message` attribute is one line; the whole text is the element's body.
fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::Level;

    fn failed(id: &str, level: Level) -> CertifyCheck {
        CertifyCheck {
            id: id.into(),
            group: "errors".into(),
            rfc: "RFC 7644 §3.12".into(),
            title: format!("title of {id}"),
            quote: String::new(),
            level,
            outcome: Outcome::Failed,
            message: "answered 201".into(),
            warning: false,
            cause: None,
            baseline: None,
            duration_ms: None,
            exchanges: Vec::new(),
        }
    }

    fn xml(fail_on: FailOn) -> String {
        let report = RunReport::certify(
            chrono::DateTime::UNIX_EPOCH,
            10,
            vec![
                failed("ERR-011", Level::Should),
                failed("USER-007", Level::Must),
            ],
            fail_on,
        );
        let mut out = Vec::new();
        write(&report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// SPEC §8.6: a `<failure>` exactly when the exit status says failed.
    #[test]
    fn junit_failures_are_those_that_set_the_exit_status() {
        let should = xml(FailOn::Should);
        assert_eq!(should.matches("<failure").count(), 2, "{should}");
        assert!(
            should.contains("title of ERR-011: answered 201"),
            "{should}"
        );
        let must = xml(FailOn::Must);
        assert_eq!(must.matches("<failure").count(), 1, "{must}");
        assert!(
            must.contains(
                "<system-out>not a failure here (failed at SHOULD, which --fail-on must does not gate): title of ERR-011: answered 201</system-out>"
            ),
            "{must}"
        );
    }
}
