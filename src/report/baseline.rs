//! `--baseline FILE`: compare a run with an earlier JSON report and fail
//! only on what is new. Results are matched on (scenario, index, check,
//! target) (SPEC §5); certify checks on their id. A failure is *new* when
//! the same check passed in the baseline or is absent from it, *known*
//! when it failed there too.

use super::model::{BaselineMark, Outcome, ReportKind, RunReport};
use super::read::kind_name;
use std::collections::HashMap;
use std::path::Path;

/// What a baseline says about each check: did it pass?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    origin: String,
    kind: ReportKind,
    passed: HashMap<Key, bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Run {
        scenario: String,
        index: usize,
        check: String,
        target: String,
    },
    Certify {
        id: String,
    },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BaselineError {
    #[error("{path}: cannot read baseline: {message}")]
    Io { path: String, message: String },
    /// Not a JSON report: the message names the place and what was expected.
    #[error("{0}")]
    Invalid(String),
}

impl Baseline {
    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|e| BaselineError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Baseline::from_json(&text, &path.display().to_string())
    }

    /// Parses a baseline; `origin` names the file in errors.
    pub fn from_json(text: &str, origin: &str) -> Result<Baseline, BaselineError> {
        let report = super::read::parse(text, origin).map_err(BaselineError::Invalid)?;
        Ok(Baseline::from_report(&report, origin))
    }

    /// The baseline a report makes.
    pub fn from_report(report: &RunReport, origin: &str) -> Baseline {
        let mut passed = HashMap::new();
        for s in report.scenarios() {
            for c in &s.checks {
                passed.insert(
                    Key::Run {
                        scenario: s.name.clone(),
                        index: c.index,
                        check: c.check.clone(),
                        target: c.target.clone(),
                    },
                    c.passed,
                );
            }
        }
        for c in report.certify_checks() {
            passed.insert(
                Key::Certify { id: c.id.clone() },
                c.outcome != Outcome::Failed,
            );
        }
        Baseline {
            origin: origin.to_owned(),
            kind: report.kind,
            passed,
        }
    }

    /// Where the baseline came from.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    fn mark(&self, key: &Key) -> BaselineMark {
        match self.passed.get(key) {
            Some(false) => BaselineMark::Known,
            Some(true) | None => BaselineMark::New,
        }
    }
}

/// Marks every failure of `report` new or known against `baseline` and
/// records the baseline's origin. A run cannot be measured against a
/// certify report or the other way round.
pub fn apply(report: &mut RunReport, baseline: &Baseline) -> Result<(), BaselineError> {
    if report.kind != baseline.kind {
        return Err(BaselineError::Invalid(format!(
            "{}: a {} report cannot be the baseline of a {} report",
            baseline.origin,
            kind_name(baseline.kind),
            kind_name(report.kind)
        )));
    }
    for s in report.scenarios.iter_mut().flatten() {
        for c in &mut s.checks {
            c.baseline = (!c.passed).then(|| {
                baseline.mark(&Key::Run {
                    scenario: s.name.clone(),
                    index: c.index,
                    check: c.check.clone(),
                    target: c.target.clone(),
                })
            });
        }
    }
    for c in report.checks.iter_mut().flatten() {
        c.baseline = (c.outcome == Outcome::Failed)
            .then(|| baseline.mark(&Key::Certify { id: c.id.clone() }));
    }
    report.baseline = Some(baseline.origin.clone());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::{CHECK_FAILED, OK};
    use crate::report::exit_status;
    use crate::report::model::{CheckReport, ScenarioReport};
    use chrono::{TimeZone, Utc};
    use rstest::rstest;

    /// A run of one scenario `s` whose checks are (index, check, target, passed).
    fn run(checks: &[(usize, &str, &str, bool)]) -> RunReport {
        let checks = checks
            .iter()
            .map(|&(i, c, t, p)| CheckReport::new(i, c, t, p, "m"))
            .collect();
        RunReport::run(
            7,
            Utc.timestamp_opt(0, 0).unwrap(),
            1,
            vec![ScenarioReport::new("s", "scenarios/s.yaml", checks)],
        )
    }

    fn marks(r: &RunReport) -> Vec<Option<BaselineMark>> {
        r.scenarios()[0].checks.iter().map(|c| c.baseline).collect()
    }

    use BaselineMark::{Known, New};

    #[rstest]
    #[case::passed_before_is_new(&[(0, "alert", "a", true)], &[(0, "alert", "a", false)], &[Some(New)], CHECK_FAILED)]
    #[case::failed_before_is_known(&[(0, "alert", "a", false)], &[(0, "alert", "a", false)], &[Some(Known)], OK)]
    #[case::absent_is_new(&[], &[(0, "alert", "a", false)], &[Some(New)], CHECK_FAILED)]
    #[case::other_target_is_absent(&[(0, "alert", "b", false)], &[(0, "alert", "a", false)], &[Some(New)], CHECK_FAILED)]
    #[case::other_index_is_absent(&[(1, "alert", "a", false)], &[(0, "alert", "a", false)], &[Some(New)], CHECK_FAILED)]
    #[case::other_check_is_absent(&[(0, "replay", "a", false)], &[(0, "alert", "a", false)], &[Some(New)], CHECK_FAILED)]
    #[case::passes_are_not_marked(&[(0, "alert", "a", false)], &[(0, "alert", "a", true)], &[None], OK)]
    #[case::one_known_one_new(
        &[(0, "alert", "a", false), (1, "state", "a", true)],
        &[(0, "alert", "a", false), (1, "state", "a", false)],
        &[Some(Known), Some(New)],
        CHECK_FAILED
    )]
    fn failures_are_marked_against_the_baseline(
        #[case] before: &[(usize, &str, &str, bool)],
        #[case] now: &[(usize, &str, &str, bool)],
        #[case] expected: &[Option<BaselineMark>],
        #[case] status: u8,
    ) {
        let baseline = Baseline::from_report(&run(before), "base.json");
        let mut report = run(now);
        apply(&mut report, &baseline).unwrap();
        assert_eq!(marks(&report), expected);
        assert_eq!(exit_status(&report).code(), status);
        assert_eq!(report.baseline.as_deref(), Some("base.json"));
    }

    #[test]
    fn a_scenario_of_another_name_is_absent() {
        let baseline = Baseline::from_report(&run(&[(0, "alert", "a", false)]), "b.json");
        let mut report = run(&[(0, "alert", "a", false)]);
        report.scenarios.as_mut().unwrap()[0].name = "renamed".into();
        apply(&mut report, &baseline).unwrap();
        assert_eq!(marks(&report), [Some(New)]);
    }

    #[test]
    fn a_report_read_back_is_the_same_baseline() {
        let report = run(&[(0, "alert", "a", false), (1, "state", "a", true)]);
        let json = serde_json::to_string(&report).unwrap();
        assert_eq!(
            Baseline::from_json(&json, "b.json").unwrap(),
            Baseline::from_report(&report, "b.json")
        );
    }

    #[rstest]
    #[case::not_json(
        "{\"spec\": ",
        "b.json: line 1 column 9: not JSON: EOF while parsing a value; expected a scimulate JSON report (--report json)"
    )]
    #[case::no_spec(
        "{\"targets\": []}",
        "b.json: expected a scimulate JSON report with \"spec\": \"scimulate.report/v1\", found no spec"
    )]
    #[case::other_spec(
        "{\"spec\": \"scimulate.event/v1\"}",
        "b.json: expected a scimulate JSON report with \"spec\": \"scimulate.report/v1\", found \"scimulate.event/v1\""
    )]
    #[case::bad_shape(
        "{\"spec\": \"scimulate.report/v1\", \"kind\": \"run\",\n \"passed\": \"yes\"}",
        "b.json: line 2 column 16: invalid type: string \"yes\", expected a boolean: expected the shape of a scimulate JSON report (see `scimulate schema report`)"
    )]
    fn what_is_not_a_report_is_refused_with_its_place(#[case] text: &str, #[case] message: &str) {
        assert_eq!(
            Baseline::from_json(text, "b.json").unwrap_err().to_string(),
            message
        );
    }

    #[test]
    fn a_missing_file_names_the_path() {
        let err = Baseline::load(Path::new("/nonexistent/base.json")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("/nonexistent/base.json: cannot read baseline")
        );
    }

    #[test]
    fn certify_checks_are_matched_on_their_id() {
        use crate::report::model::{CertifyCheck, Level};
        let check = |id: &str, outcome: Outcome| CertifyCheck {
            id: id.into(),
            group: "patch".into(),
            rfc: "RFC 7644 §3.5.2".into(),
            title: String::new(),
            quote: String::new(),
            level: Level::Must,
            outcome,
            message: String::new(),
            warning: false,
            cause: None,
            baseline: None,
            duration_ms: None,
            exchanges: Vec::new(),
        };
        let at = Utc.timestamp_opt(0, 0).unwrap();
        let before = RunReport::certify(
            at,
            0,
            vec![
                check("PATCH-001", Outcome::Failed),
                check("PATCH-002", Outcome::Passed),
                check("PATCH-003", Outcome::Skipped),
            ],
            Default::default(),
        );
        let mut now = RunReport::certify(
            at,
            0,
            vec![
                check("PATCH-001", Outcome::Failed),
                check("PATCH-002", Outcome::Failed),
                check("PATCH-003", Outcome::Failed),
                check("PATCH-004", Outcome::Passed),
            ],
            Default::default(),
        );
        apply(&mut now, &Baseline::from_report(&before, "c.json")).unwrap();
        let marks: Vec<_> = now.certify_checks().iter().map(|c| c.baseline).collect();
        assert_eq!(marks, [Some(Known), Some(New), Some(New), None]);
        assert_eq!(exit_status(&now).code(), CHECK_FAILED);
    }

    #[test]
    fn kinds_must_match() {
        let certify = RunReport::certify(
            Utc.timestamp_opt(0, 0).unwrap(),
            0,
            vec![],
            Default::default(),
        );
        let baseline = Baseline::from_report(&certify, "c.json");
        let err = apply(&mut run(&[]), &baseline).unwrap_err();
        assert_eq!(
            err.to_string(),
            "c.json: a certify report cannot be the baseline of a run report"
        );
    }
}
