//! The run model: what one `scimulate run` or `certify` produced. It
//! serialises to the JSON report (SPEC §7), whose stable core is the
//! fields marked "core" below; every other report is made from it, and a
//! JSON report read back (for `--baseline`) is the same model again.
//!
//! The runner fills it as scenarios finish; extra fields are optional and
//! left out of the JSON when empty, so a report stays short for a clean
//! run and the core keeps its SPEC shape.

use super::traffic::Traffic;
use crate::judge::{CheckName, CheckResult, Slis};
use crate::partition::Partition;
use crate::schema::generate::RFC3339_PATTERN;
use chrono::{DateTime, Utc};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The `spec` value of every JSON report this version writes.
pub const REPORT_SPEC: &str = "scimulate.report/v1";

// The doc comments of the report's types and fields are the descriptions
// of its JSON Schema (`scimulate schema report`). The core fields (SPEC
// §7) are spec, kind, passed, seed and scenarios (run), checks (certify),
// started_at, duration_ms, and the unmarked required fields of a scenario,
// a check and a certify check. An optional field is left out when empty,
// never written as null, hence `schemars(with)` the inner type.

/// The JSON report of `run` or `certify` (docs/reports.md): the source every other report is made from. The stable core (spec, kind, passed, seed, started_at, duration_ms, scenarios or checks and their core fields) is never removed or renamed; more fields may be added, so readers must accept unknown ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(extend(
    "if" = {"properties": {"kind": {"const": "run"}}},
    "then" = {"required": ["seed", "scenarios"]},
    "else" = {"required": ["checks"]},
))]
pub struct RunReport {
    // Always REPORT_SPEC.
    #[schemars(schema_with = "report_spec_schema")]
    pub spec: String,
    pub kind: ReportKind,
    /// Every check passed (or was skipped) and the harness did its job. A baseline does not change it; it changes the exit status.
    pub passed: bool,
    /// The run's seed; `certify` has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u64")]
    pub seed: Option<u64>,
    /// An RFC 3339 timestamp.
    #[schemars(pattern(RFC3339_PATTERN))]
    pub started_at: DateTime<Utc>,
    pub duration_ms: u64,
    /// The scenarios of a `run`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<ScenarioReport>")]
    pub scenarios: Option<Vec<ScenarioReport>>,
    /// The checks of a `certify`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<CertifyCheck>")]
    pub checks: Option<Vec<CertifyCheck>>,
    /// The connector (run) or server URL (certify) under test.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub subject: Option<String>,
    /// Harness problems outside any scenario (the connector would not start, a port was in use).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<HarnessError>,
    /// The --baseline file the failures were compared with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub baseline: Option<String>,
    /// certify --fail-on: which failed levels give exit status 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "FailOn")]
    pub fail_on: Option<FailOn>,
    /// What was selected and how it ran: the same in every partition of one pack, so that `scimulate report` merges only slices of one pack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Pack")]
    pub pack: Option<Pack>,
    /// --partition K/N: this report holds the K-th of N slices of the pack. Absent for a whole run or a merged report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Partition")]
    pub partition: Option<Partition>,
    /// SIGINT or SIGTERM stopped the run or session before its end: run, the scenarios after the interrupted one are absent (pack.selected still lists them); certify, the checks not run are skipped, saying so. Absent when the run ended by itself.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
}

/// The identity of a run's or certify session's selection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "pack")]
pub struct Pack {
    /// The scimulate version that wrote the report.
    pub version: String,
    /// Every selected scenario name (run) or check id (certify), in run order: the whole selection, not only this partition's.
    pub selected: Vec<String>,
    /// FNV-1a, 64 bits, hexadecimal: of each selected scenario's name and file text (run), or each selected check's id, level and RFC section (certify).
    #[schemars(regex(pattern = r"^[0-9a-f]{16}$"))]
    pub digest: String,
    /// run --seed, when given: it overrides every scenario's seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u64")]
    pub seed: Option<u64>,
    /// run --time-scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "f64")]
    pub time_scale: Option<f64>,
    /// certify --profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub profile: Option<String>,
}

impl Pack {
    /// A pack of this version of scimulate.
    pub fn new(selected: Vec<String>, digest: String) -> Pack {
        Pack {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            selected,
            digest,
            seed: None,
            time_scale: None,
            profile: None,
        }
    }
}

fn report_spec_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"const": REPORT_SPEC})
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(inline)]
pub enum ReportKind {
    Run,
    Certify,
}

/// One scenario of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "scenario")]
pub struct ScenarioReport {
    pub name: String,
    /// The scenario file as given on the command line.
    pub file: String,
    /// Every check passed and the scenario ran to its end.
    pub passed: bool,
    /// One result per (expect index, target): the checks of docs/scenarios.md.
    pub checks: Vec<CheckReport>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u64")]
    pub seed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u64")]
    pub duration_ms: Option<u64>,
    /// Why the scenario could not run (or not to its end): an error of the harness, not a failed check.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<HarnessError>,
    /// Alerts the connector raised, as received, with their arrival time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<ReceivedAlert>,
    /// Steps, events sent, faults on and off, token rotations and network changes, in scenario time, for the HTML report's timeline.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<TimelineEntry>,
    /// The requests each target received, counted by outcome class in time buckets, and the replay order after each outage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Traffic")]
    pub traffic: Option<Traffic>,
    /// The provisioning SLIs (docs/reports.md), computed from the journals and alerts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Slis")]
    pub slis: Option<Slis>,
    /// SIGINT or SIGTERM stopped this scenario: a scenario is then not judged (it has no checks, and a harness error says where it stopped); a game day is rolled back and judged on what happened until the stop. Absent when it ran to its end.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
    /// A game day's hypotheses and safeguards, each with its state over time (docs/gamedays.md).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub probes: Vec<super::ProbeReport>,
}

/// One judged check; identity (scenario, index, check, target).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "check")]
pub struct CheckReport {
    /// Place in expect; the implicit final state check comes after the last entry.
    pub index: usize,
    /// The check's name.
    #[schemars(schema_with = "check_name_schema")]
    pub check: String,
    pub target: String,
    /// A skipped check counts as passed: it is never a failure.
    pub passed: bool,
    /// The evidence in words; may run over several lines.
    pub message: String,
    /// Not judged: the reason (e.g. a feature the target lacks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub skipped: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "BaselineMark")]
    pub baseline: Option<BaselineMark>,
    /// What the target holds against what it should (the `state` check).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Value")]
    pub diff: Option<Value>,
    /// Journal entries (docs/mock-target.md) the verdict rests on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Vec<serde_json::Map<String, Value>>")]
    pub journal: Vec<Value>,
}

/// The names `judge` gives its checks (the field is a string so that a
/// report read back keeps a name this version does not know).
fn check_name_schema(_: &mut SchemaGenerator) -> Schema {
    let names: Vec<&str> = CheckName::ALL.iter().map(|c| c.as_str()).collect();
    json_schema!({"type": "string", "enum": names})
}

/// Against --baseline: new (passed there or absent) or known (failed there too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(inline)]
pub enum BaselineMark {
    // Passed in the baseline, or absent from it: this failure counts.
    New,
    // Failed in the baseline too: reported, but not a reason for exit 1.
    Known,
}

/// A problem of the harness, not of the system under test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields, rename = "harnessError")]
pub struct HarnessError {
    /// What the harness was doing (`start connector`, `step 3`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub during: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields, inline)]
pub struct ReceivedAlert {
    /// Milliseconds since the scenario started.
    pub at_ms: u64,
    /// The alert as received (secrets masked).
    pub payload: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(inline)]
pub struct TimelineEntry {
    /// Milliseconds since the scenario started.
    pub at_ms: u64,
    pub kind: TimelineKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub target: Option<String>,
    /// One line for people.
    pub summary: String,
    /// The whole object (event, fault, alert, journal entry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Value")]
    pub detail: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(inline)]
pub enum TimelineKind {
    Step,
    Event,
    Fault,
    Alert,
    Request,
}

/// One check of the certify catalogue (docs/certify.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "certifyCheck")]
pub struct CertifyCheck {
    /// e.g. PATCH-007
    #[schemars(regex(pattern = r"^[A-Z][A-Z0-9-]*-[0-9]+$"))]
    pub id: String,
    /// e.g. patch
    pub group: String,
    /// e.g. RFC 7644 §3.5.2.2
    pub rfc: String,
    /// What the check tests, e.g. "remove members[value eq \"id\"] removes that member only".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// The RFC sentence the check's level rests on, quoted.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub quote: String,
    pub level: Level,
    pub outcome: Outcome,
    pub message: String,
    /// A failure that does not fail (INTEROP outside its profile).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub warning: bool,
    /// The probable cause this failure shares with others (the same error
    /// answered to different checks): reports list them under it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "BaselineMark")]
    pub baseline: Option<BaselineMark>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u64")]
    pub duration_ms: Option<u64>,
    /// The requests the check sent and the answers it saw, in order (at most 40; secrets masked, bodies whole).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exchanges: Vec<Exchange>,
}

/// One request a certify check sent and what came back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "exchange")]
pub struct Exchange {
    pub method: String,
    /// The path below the base URL, with its query (or the whole URL when the check left the base).
    pub path: String,
    /// The credentials sent when they were not the session's own: `none`, `bad` or `expired`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub credentials: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub request_body: Option<String>,
    /// The answer's status; absent when none came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u16")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub response_body: Option<String>,
    /// Why no answer came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
#[schemars(inline)]
pub enum Level {
    Must,
    Should,
    Interop,
    May,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(inline)]
pub enum Outcome {
    Passed,
    Failed,
    Skipped,
}

/// `certify --fail-on`: `must` fails on MUST alone, `should` (the
/// default) on MUST, SHOULD and INTEROP under its own profile.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(inline)]
pub enum FailOn {
    Must,
    #[default]
    Should,
}

impl RunReport {
    /// A run report; `passed` is computed from the scenarios.
    pub fn run(
        seed: u64,
        started_at: DateTime<Utc>,
        duration_ms: u64,
        scenarios: Vec<ScenarioReport>,
    ) -> RunReport {
        let mut report = RunReport {
            spec: REPORT_SPEC.to_owned(),
            kind: ReportKind::Run,
            passed: false,
            seed: Some(seed),
            started_at,
            duration_ms,
            scenarios: Some(scenarios),
            checks: None,
            subject: None,
            errors: Vec::new(),
            baseline: None,
            fail_on: None,
            pack: None,
            partition: None,
            interrupted: false,
        };
        report.refresh_passed();
        report
    }

    /// A certify report; `passed` is computed from the checks.
    pub fn certify(
        started_at: DateTime<Utc>,
        duration_ms: u64,
        checks: Vec<CertifyCheck>,
        fail_on: FailOn,
    ) -> RunReport {
        let mut report = RunReport {
            spec: REPORT_SPEC.to_owned(),
            kind: ReportKind::Certify,
            passed: false,
            seed: None,
            started_at,
            duration_ms,
            scenarios: None,
            checks: Some(checks),
            subject: None,
            errors: Vec::new(),
            baseline: None,
            fail_on: Some(fail_on),
            pack: None,
            partition: None,
            interrupted: false,
        };
        report.refresh_passed();
        report
    }

    /// The scenarios of a run (none for certify).
    pub fn scenarios(&self) -> &[ScenarioReport] {
        self.scenarios.as_deref().unwrap_or(&[])
    }

    /// The checks of a certify session (none for a run).
    pub fn certify_checks(&self) -> &[CertifyCheck] {
        self.checks.as_deref().unwrap_or(&[])
    }

    /// Recomputes every `passed` from the checks and errors below it; call
    /// after changing them.
    pub fn refresh_passed(&mut self) {
        if let Some(scenarios) = &mut self.scenarios {
            for s in scenarios.iter_mut() {
                s.refresh_passed();
            }
        }
        let fail_on = self.fail_on.unwrap_or_default();
        self.passed = self.errors.is_empty()
            && self.scenarios().iter().all(|s| s.passed)
            && self.certify_checks().iter().all(|c| !c.fails(fail_on));
    }

    /// `partition 2/4: 9 of 34 scenarios` when the report holds one slice
    /// of a pack, saying so when the slice is empty.
    pub fn partition_summary(&self) -> Option<String> {
        let p = self.partition?;
        let (held, what) = match self.kind {
            ReportKind::Run => (self.scenarios().len(), "scenario"),
            ReportKind::Certify => (self.certify_checks().len(), "check"),
        };
        let selected = self.pack.as_ref().map(|p| p.selected.len());
        Some(partition_summary(p, held, selected, what))
    }

    /// Whether anything went wrong in the harness, here or in a scenario.
    pub fn has_harness_errors(&self) -> bool {
        !self.errors.is_empty() || self.scenarios().iter().any(|s| !s.errors.is_empty())
    }
}

/// `partition 2/4: 9 of 34 scenarios`; an empty slice says that nothing
/// ran (more partitions than the pack has scenarios is allowed: a CI matrix
/// may be wider than a small pack). `what` is singular (`scenario`).
pub fn partition_summary(p: Partition, held: usize, selected: Option<usize>, what: &str) -> String {
    let total = selected.unwrap_or(held);
    let s = if total == 1 { "" } else { "s" };
    let of = selected.map(|n| format!(" of {n}")).unwrap_or_default();
    let mut text = format!("partition {p}: {held}{of} {what}{s}");
    if held == 0 {
        text.push_str(": this slice is empty, nothing ran");
    }
    text
}

impl ScenarioReport {
    /// A scenario with its judged checks; `passed` is computed.
    pub fn new(name: &str, file: &str, checks: Vec<CheckReport>) -> ScenarioReport {
        let mut s = ScenarioReport {
            name: name.to_owned(),
            file: file.to_owned(),
            passed: false,
            checks,
            description: None,
            seed: None,
            duration_ms: None,
            errors: Vec::new(),
            alerts: Vec::new(),
            timeline: Vec::new(),
            traffic: None,
            slis: None,
            interrupted: false,
            probes: Vec::new(),
        };
        s.refresh_passed();
        s
    }

    /// A scenario that could not run: no checks, one harness error.
    pub fn error(name: &str, file: &str, error: HarnessError) -> ScenarioReport {
        let mut s = ScenarioReport::new(name, file, Vec::new());
        s.errors.push(error);
        s.refresh_passed();
        s
    }

    pub fn refresh_passed(&mut self) {
        self.passed = self.errors.is_empty() && self.checks.iter().all(|c| c.passed);
    }

    /// Counts of (passed, failed, skipped) checks.
    pub fn counts(&self) -> (usize, usize, usize) {
        let skipped = self.checks.iter().filter(|c| c.skipped.is_some()).count();
        let failed = self.checks.iter().filter(|c| !c.passed).count();
        (self.checks.len() - failed - skipped, failed, skipped)
    }
}

impl CheckReport {
    pub fn new(index: usize, check: &str, target: &str, passed: bool, message: &str) -> Self {
        CheckReport {
            index,
            check: check.to_owned(),
            target: target.to_owned(),
            passed,
            message: message.to_owned(),
            skipped: None,
            baseline: None,
            diff: None,
            journal: Vec::new(),
        }
    }

    /// A check not judged because the target lacks what it needs.
    pub fn skipped(index: usize, check: &str, target: &str, reason: &str) -> Self {
        let mut c = CheckReport::new(index, check, target, true, reason);
        c.skipped = Some(reason.to_owned());
        c
    }

    /// Whether this failure makes the exit status 1: a failure that the
    /// baseline already had does not.
    pub fn counts_as_failure(&self) -> bool {
        !self.passed && self.baseline != Some(BaselineMark::Known)
    }
}

impl From<CheckResult> for CheckReport {
    fn from(r: CheckResult) -> Self {
        CheckReport::new(r.index, &r.check, &r.target, r.passed, &r.message)
    }
}

impl CertifyCheck {
    /// Whether this failure sets the exit status: failed at a level
    /// `fail_on` names, and not already failed in the baseline.
    pub fn gates(&self, fail_on: FailOn) -> bool {
        self.fails(fail_on) && self.baseline != Some(BaselineMark::Known)
    }

    /// Whether this check is a failure under `fail_on` (baseline aside).
    pub fn fails(&self, fail_on: FailOn) -> bool {
        if self.outcome != Outcome::Failed || self.warning {
            return false;
        }
        match (self.level, fail_on) {
            (Level::Must, _) => true,
            (Level::Should | Level::Interop, FailOn::Should) => true,
            // MAY is a capability probe: passed or skipped, never failed.
            (Level::May, _) | (Level::Should | Level::Interop, FailOn::Must) => false,
        }
    }
}
