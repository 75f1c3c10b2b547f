//! The exit status of a run or certify session (SPEC §1, §6), from its
//! report alone, so the gate CI sees is exactly what the report says.

use super::model::{BaselineMark, RunReport};
use crate::exit::Outcome;

/// A harness problem (3) when the harness could not do its job (a scenario
/// that could not run leaves the verdict incomplete, so it outranks failed
/// checks), else a failed check (1) when one failed that counts (not one
/// the baseline already had; for certify, at a level `--fail-on` names),
/// else passed (0).
pub fn exit_status(report: &RunReport) -> Outcome {
    if report.has_harness_errors() {
        return Outcome::HarnessProblem;
    }
    let fail_on = report.fail_on.unwrap_or_default();
    let run_failed = report
        .scenarios()
        .iter()
        .flat_map(|s| &s.checks)
        .any(|c| c.counts_as_failure());
    let certify_failed = report
        .certify_checks()
        .iter()
        .any(|c| c.fails(fail_on) && c.baseline != Some(BaselineMark::Known));
    if run_failed || certify_failed {
        Outcome::CheckFailed
    } else {
        Outcome::Passed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::{CHECK_FAILED, HARNESS, OK};
    use crate::report::model::{
        CertifyCheck, CheckReport, FailOn, HarnessError, Level, Outcome, ScenarioReport,
    };
    use chrono::{TimeZone, Utc};
    use rstest::rstest;

    fn run(checks: Vec<CheckReport>, errors: Vec<HarnessError>) -> RunReport {
        let mut s = ScenarioReport::new("s", "scenarios/s.yaml", checks);
        s.errors = errors;
        RunReport::run(1, Utc.timestamp_opt(0, 0).unwrap(), 0, vec![s])
    }

    fn failed(mark: Option<BaselineMark>) -> CheckReport {
        let mut c = CheckReport::new(0, "state", "app-a", false, "diff");
        c.baseline = mark;
        c
    }

    fn harness() -> HarnessError {
        HarnessError {
            during: None,
            message: "port in use".into(),
        }
    }

    #[rstest]
    #[case::all_passed(vec![CheckReport::new(0, "alert", "a", true, "ok")], vec![], OK)]
    #[case::nothing_judged(vec![], vec![], OK)]
    #[case::skipped_is_no_failure(vec![CheckReport::skipped(0, "alert", "a", "no bulk")], vec![], OK)]
    #[case::a_failure(vec![failed(None)], vec![], CHECK_FAILED)]
    #[case::a_new_failure(vec![failed(Some(BaselineMark::New))], vec![], CHECK_FAILED)]
    #[case::a_known_failure(vec![failed(Some(BaselineMark::Known))], vec![], OK)]
    #[case::harness_error(vec![], vec![harness()], HARNESS)]
    #[case::harness_error_beats_failure(vec![failed(None)], vec![harness()], HARNESS)]
    fn run_status(
        #[case] checks: Vec<CheckReport>,
        #[case] errors: Vec<HarnessError>,
        #[case] status: u8,
    ) {
        assert_eq!(exit_status(&run(checks, errors)).code(), status);
    }

    #[test]
    fn a_run_level_harness_error_is_3() {
        let mut r = run(vec![], vec![]);
        r.errors.push(harness());
        assert_eq!(exit_status(&r).code(), HARNESS);
    }

    fn certify(level: Level, outcome: Outcome, warning: bool, fail_on: FailOn) -> u8 {
        let check = CertifyCheck {
            id: "X-001".into(),
            group: "patch".into(),
            rfc: "RFC 7644 §3.5.2".into(),
            title: String::new(),
            quote: String::new(),
            level,
            outcome,
            message: String::new(),
            warning,
            cause: None,
            baseline: None,
            duration_ms: None,
            exchanges: Vec::new(),
        };
        exit_status(&RunReport::certify(
            Utc.timestamp_opt(0, 0).unwrap(),
            0,
            vec![check],
            fail_on,
        ))
        .code()
    }

    #[rstest]
    #[case(Level::Must, Outcome::Failed, false, FailOn::Must, CHECK_FAILED)]
    #[case(Level::Must, Outcome::Failed, false, FailOn::Should, CHECK_FAILED)]
    #[case(Level::Should, Outcome::Failed, false, FailOn::Should, CHECK_FAILED)]
    #[case(Level::Should, Outcome::Failed, false, FailOn::Must, OK)]
    #[case(Level::Interop, Outcome::Failed, false, FailOn::Should, CHECK_FAILED)]
    #[case(Level::Interop, Outcome::Failed, true, FailOn::Should, OK)]
    #[case(Level::May, Outcome::Failed, false, FailOn::Should, OK)]
    #[case(Level::Must, Outcome::Skipped, false, FailOn::Should, OK)]
    #[case(Level::Must, Outcome::Passed, false, FailOn::Should, OK)]
    fn certify_status(
        #[case] level: Level,
        #[case] outcome: Outcome,
        #[case] warning: bool,
        #[case] fail_on: FailOn,
        #[case] status: u8,
    ) {
        assert_eq!(certify(level, outcome, warning, fail_on), status);
    }
}
