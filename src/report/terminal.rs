//! The terminal report (SPEC §7): one line per scenario (or certify group)
//! with ✓/✗ and counts, then every failed check with its message indented,
//! then one summary line. Colour only when the caller says the writer is a
//! terminal and `NO_COLOR` is unset. [`super::TerminalProgress`] prints the
//! same scenario lines while a run goes on.

use super::escape;
use super::model::{BaselineMark, CertifyCheck, FailOn, Outcome, RunReport, ScenarioReport};
use std::io::{self, Write};

/// How to print: with colour or without.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    pub color: bool,
}

impl Style {
    /// Colour when the writer is a terminal and `NO_COLOR` is unset or
    /// empty (no-color.org).
    pub fn detect(is_terminal: bool) -> Style {
        Style::choose(is_terminal, std::env::var_os("NO_COLOR").as_deref())
    }

    /// [`Style::detect`] with the environment given, for tests.
    pub fn choose(is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> Style {
        Style {
            color: is_terminal && no_color.is_none_or(|v| v.is_empty()),
        }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\u{1b}[{code}m{text}\u{1b}[0m")
        } else {
            text.to_owned()
        }
    }
    fn green(self, t: &str) -> String {
        self.paint("32", t)
    }
    fn red(self, t: &str) -> String {
        self.paint("31", t)
    }
    fn yellow(self, t: &str) -> String {
        self.paint("33", t)
    }
    fn bold(self, t: &str) -> String {
        self.paint("1", t)
    }
    pub(crate) fn dim(self, t: &str) -> String {
        self.paint("2", t)
    }
}

/// The whole report.
pub fn write(report: &RunReport, out: &mut dyn Write, style: Style) -> io::Result<()> {
    for s in report.scenarios() {
        scenario_line(s, out, style)?;
    }
    let fail_on = report.fail_on.unwrap_or_default();
    for (group, checks) in certify_groups(report.certify_checks()) {
        group_line(group, &checks, fail_on, out, style)?;
    }
    write_tail(report, out, style)
}

/// What follows the scenario lines: harness errors, failures, the summary.
/// A runner that printed the lines through [`super::TerminalProgress`] ends with this.
pub fn write_tail(report: &RunReport, out: &mut dyn Write, style: Style) -> io::Result<()> {
    let mut problems = Vec::new();
    for e in &report.errors {
        problems.push((
            style.yellow("! harness error"),
            e.during.clone(),
            e.message.clone(),
        ));
    }
    for s in report.scenarios() {
        for e in &s.errors {
            let head = format!("{} {}", style.yellow("!"), escape::terminal(&s.name));
            problems.push((head, e.during.clone(), e.message.clone()));
        }
        for c in s.checks.iter().filter(|c| !c.passed) {
            let head = format!(
                "{} {}: {}[{}]#{}{}",
                style.red("✗"),
                escape::terminal(&s.name),
                escape::terminal(&c.check),
                escape::terminal(&c.target),
                c.index,
                mark(c.baseline, style)
            );
            problems.push((head, None, c.message.clone()));
        }
    }
    let fail_on = report.fail_on.unwrap_or_default();
    let failed: Vec<&CertifyCheck> = report
        .certify_checks()
        .iter()
        .filter(|c| c.outcome == Outcome::Failed)
        .collect();
    // Failures that share a probable cause come under it, once.
    let mut causes: Vec<(&str, Vec<&CertifyCheck>)> = Vec::new();
    for c in &failed {
        if let Some(cause) = &c.cause {
            match causes.iter_mut().find(|(k, _)| *k == cause.as_str()) {
                Some((_, list)) => list.push(c),
                None => causes.push((cause, vec![c])),
            }
        }
    }
    for c in failed.iter().filter(|c| c.cause.is_none()) {
        problems.push((certify_head(c, fail_on, style), None, c.message.clone()));
    }
    for (cause, checks) in causes {
        let head = format!(
            "{} probable cause of {} failures: {}",
            style.red("✗"),
            checks.len(),
            escape::terminal(cause)
        );
        let lines: Vec<String> = checks
            .iter()
            .map(|c| format!("{}\n  {}", certify_head(c, fail_on, style), c.message))
            .collect();
        problems.push((head, None, lines.join("\n")));
    }
    if !problems.is_empty() {
        writeln!(out)?;
    }
    for (head, during, message) in problems {
        match during {
            Some(d) => writeln!(out, "{head} (during {})", escape::terminal(&d))?,
            None => writeln!(out, "{head}")?,
        }
        indented(&message, out)?;
    }
    writeln!(out)?;
    if let Some(line) = report.partition_summary() {
        writeln!(out, "{}", escape::terminal(&line))?;
    }
    summary(report, out, style)
}

/// The terminal report stays short: a message past this many lines (a
/// long state diff) is cut, pointing at the reports that hold it whole.
const MAX_MESSAGE_LINES: usize = 20;

fn indented(message: &str, out: &mut dyn Write) -> io::Result<()> {
    let text = escape::terminal(message);
    let lines: Vec<&str> = text.lines().collect();
    for line in lines.iter().take(MAX_MESSAGE_LINES) {
        writeln!(out, "    {line}")?;
    }
    if lines.len() > MAX_MESSAGE_LINES {
        writeln!(
            out,
            "    … {} more lines (see the JSON or Markdown report)",
            lines.len() - MAX_MESSAGE_LINES
        )?;
    }
    Ok(())
}

fn mark(m: Option<BaselineMark>, style: Style) -> String {
    match m {
        None => String::new(),
        Some(BaselineMark::New) => format!(" {}", style.bold("(new)")),
        Some(BaselineMark::Known) => format!(" {}", style.dim("(known, in baseline)")),
    }
}

/// `✗ PATCH-007 MUST replace emails[…] changes only the matching value
/// (RFC 7644 §3.5.2.3)`: what was tested, at which level, on which words.
/// A failure that does not gate the exit status says why.
fn certify_head(c: &CertifyCheck, fail_on: FailOn, style: Style) -> String {
    let sign = if c.gates(fail_on) {
        style.red("✗")
    } else {
        style.yellow("⚠")
    };
    let why = if c.warning {
        String::new()
    } else if !c.fails(fail_on) {
        format!(
            " {}",
            style.dim(&format!(
                "(not gating under --fail-on {})",
                fail_on_name(fail_on)
            ))
        )
    } else {
        String::new()
    };
    let title = if c.title.is_empty() {
        String::new()
    } else {
        format!(" {}", escape::terminal(&c.title))
    };
    format!(
        "{sign} {} {}{title} ({}){}{why}",
        escape::terminal(&c.id),
        level_name(c),
        escape::terminal(&c.rfc),
        mark(c.baseline, style)
    )
}

fn fail_on_name(f: FailOn) -> &'static str {
    match f {
        FailOn::Must => "must",
        FailOn::Should => "should",
    }
}

fn level_name(c: &CertifyCheck) -> String {
    serde_json::to_value(c.level)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// `✓ name  3 passed` / `✗ name  2 passed, 1 failed` / `! name  could not run`.
pub(crate) fn scenario_line(
    s: &ScenarioReport,
    out: &mut dyn Write,
    style: Style,
) -> io::Result<()> {
    let (passed, failed, skipped) = s.counts();
    let sign = if !s.errors.is_empty() {
        style.yellow("!")
    } else if s.passed {
        style.green("✓")
    } else {
        style.red("✗")
    };
    let mut counts = Vec::new();
    if s.interrupted {
        counts.push(style.yellow("interrupted"));
    } else if s.checks.is_empty() && !s.errors.is_empty() {
        counts.push(style.yellow("could not run"));
    } else {
        counts.push(format!("{passed} passed"));
        if failed > 0 {
            counts.push(style.red(&format!("{failed} failed")));
        }
        if skipped > 0 {
            counts.push(style.yellow(&format!("{skipped} skipped")));
        }
        if !s.errors.is_empty() {
            counts.push(style.yellow("harness error"));
        }
    }
    let time = s
        .duration_ms
        .map(|ms| style.dim(&format!(" ({})", seconds(ms))))
        .unwrap_or_default();
    writeln!(
        out,
        "{sign} {}  {}{time}",
        escape::terminal(&s.name),
        counts.join(", ")
    )
}

/// A certify group's line: ✓/✗/⚠, its name and counts (also printed as
/// progress when the group ends).
pub fn group_line(
    group: &str,
    checks: &[&CertifyCheck],
    fail_on: FailOn,
    out: &mut dyn Write,
    style: Style,
) -> io::Result<()> {
    let n = CertifyCounts::of(checks.iter().copied(), fail_on);
    let sign = if n.failed > 0 {
        style.red("✗")
    } else if n.warnings + n.below > 0 {
        style.yellow("⚠")
    } else {
        style.green("✓")
    };
    let mut counts = vec![format!("{} passed", n.passed)];
    if n.failed > 0 {
        counts.push(style.red(&format!("{} failed", n.failed)));
    }
    if n.below > 0 {
        counts.push(style.yellow(&format!("{} failed below --fail-on", n.below)));
    }
    if n.warnings > 0 {
        counts.push(style.yellow(&plural(n.warnings, "warning")));
    }
    if n.skipped > 0 {
        counts.push(style.yellow(&format!("{} skipped", n.skipped)));
    }
    writeln!(
        out,
        "{sign} {}  {}",
        escape::terminal(group),
        counts.join(", ")
    )
}

/// Certify checks by group, in catalogue order of each group's first check.
fn certify_groups(checks: &[CertifyCheck]) -> Vec<(&str, Vec<&CertifyCheck>)> {
    let mut groups: Vec<(&str, Vec<&CertifyCheck>)> = Vec::new();
    for c in checks {
        match groups.iter_mut().find(|(g, _)| *g == c.group) {
            Some((_, list)) => list.push(c),
            None => groups.push((&c.group, vec![c])),
        }
    }
    groups
}

fn summary(report: &RunReport, out: &mut dyn Write, style: Style) -> io::Result<()> {
    let verdict = if report.interrupted {
        style.yellow(&style.bold("INTERRUPTED"))
    } else if report.passed {
        style.green(&style.bold("PASSED"))
    } else {
        style.red(&style.bold("FAILED"))
    };
    let mut parts = Vec::new();
    if let Some(scenarios) = &report.scenarios {
        let errors = scenarios.iter().filter(|s| !s.errors.is_empty()).count();
        let ok = scenarios.iter().filter(|s| s.passed).count();
        let mut text = format!(
            "{}: {ok} passed, {} failed",
            plural(scenarios.len(), "scenario"),
            scenarios.len() - ok - errors
        );
        if errors > 0 {
            text.push_str(&format!(", {errors} could not run"));
        }
        parts.push(text);
        let (mut p, mut f, mut s) = (0, 0, 0);
        for sc in scenarios {
            let (a, b, c) = sc.counts();
            (p, f, s) = (p + a, f + b, s + c);
        }
        parts.push(checks_text(p, f, s, new_failures(report)));
    }
    if let Some(checks) = &report.checks {
        let fail_on = report.fail_on.unwrap_or_default();
        let n = CertifyCounts::of(checks.iter(), fail_on);
        // Every check is counted once: passed, failed, failed below the
        // --fail-on level, warned or skipped add up to the checks run.
        let mut text = format!(
            "{}: {} passed, {} failed",
            plural(checks.len(), "check"),
            n.passed,
            n.failed
        );
        if let Some(new) = new_failures(report) {
            text.push_str(&format!(" ({new} new)"));
        }
        if n.below > 0 {
            text.push_str(&format!(
                ", {} failed at SHOULD or INTEROP (not gating under --fail-on {})",
                n.below,
                fail_on_name(fail_on)
            ));
        }
        if n.known > 0 {
            text.push_str(&format!(", {} failed as in the baseline", n.known));
        }
        if n.warnings > 0 {
            text.push_str(&format!(", {}", plural(n.warnings, "warning")));
        }
        if n.skipped > 0 {
            text.push_str(&format!(", {} skipped", n.skipped));
        }
        parts.push(text);
    }
    if !report.errors.is_empty() {
        parts.push(plural(report.errors.len(), "harness error"));
    }
    parts.push(seconds(report.duration_ms));
    writeln!(out, "{verdict}  {}", parts.join(" · "))
}

fn checks_text(passed: usize, failed: usize, skipped: usize, new: Option<usize>) -> String {
    let mut text = format!(
        "{}: {passed} passed, {failed} failed",
        plural(passed + failed + skipped, "check")
    );
    if let Some(new) = new {
        text.push_str(&format!(" ({new} new)"));
    }
    if skipped > 0 {
        text.push_str(&format!(", {skipped} skipped"));
    }
    text
}

/// With a baseline, how many failures are new.
fn new_failures(report: &RunReport) -> Option<usize> {
    report.baseline.as_ref()?;
    let run = report
        .scenarios()
        .iter()
        .flat_map(|s| &s.checks)
        .filter(|c| c.baseline == Some(BaselineMark::New))
        .count();
    let certify = report
        .certify_checks()
        .iter()
        .filter(|c| c.baseline == Some(BaselineMark::New))
        .count();
    Some(run + certify)
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Certify outcomes, each check in one bucket: failures that gate the
/// exit status apart from those that warn, fail below `--fail-on`, or
/// failed in the baseline too.
#[derive(Default)]
struct CertifyCounts {
    passed: usize,
    failed: usize,
    below: usize,
    known: usize,
    warnings: usize,
    skipped: usize,
}

impl CertifyCounts {
    fn of<'a>(checks: impl Iterator<Item = &'a CertifyCheck>, fail_on: FailOn) -> Self {
        let mut n = CertifyCounts::default();
        for c in checks {
            match c.outcome {
                Outcome::Passed => n.passed += 1,
                Outcome::Skipped => n.skipped += 1,
                Outcome::Failed if c.warning => n.warnings += 1,
                Outcome::Failed if !c.fails(fail_on) => n.below += 1,
                Outcome::Failed if !c.gates(fail_on) => n.known += 1,
                Outcome::Failed => n.failed += 1,
            }
        }
        n
    }
}

fn seconds(ms: u64) -> String {
    format!("{}.{}s", ms / 1000, (ms % 1000) / 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn colour_needs_a_terminal_and_no_no_color() {
        assert!(Style::choose(true, None).color);
        assert!(Style::choose(true, Some(OsStr::new(""))).color);
        assert!(!Style::choose(true, Some(OsStr::new("1"))).color);
        assert!(!Style::choose(false, None).color);
    }

    fn checks(fail_on: FailOn) -> RunReport {
        use crate::report::model::Level;
        let c = |id: &str, level: Level, outcome: Outcome, cause: Option<&str>| CertifyCheck {
            id: id.into(),
            group: "filter".into(),
            rfc: "RFC 7644 §3.4.2.2".into(),
            title: format!("title of {id}"),
            quote: String::new(),
            level,
            outcome,
            message: format!("message of {id}"),
            warning: false,
            cause: cause.map(str::to_owned),
            baseline: None,
            duration_ms: None,
            exchanges: Vec::new(),
        };
        let mut warned = c("ENTRA-1", Level::Interop, Outcome::Failed, None);
        warned.warning = true;
        RunReport::certify(
            chrono::DateTime::UNIX_EPOCH,
            1_000,
            vec![
                c("FILTER-1", Level::Must, Outcome::Passed, None),
                c("FILTER-2", Level::Should, Outcome::Failed, None),
                c(
                    "FILTER-3",
                    Level::Must,
                    Outcome::Failed,
                    Some("the server answered 500"),
                ),
                c(
                    "FILTER-4",
                    Level::Must,
                    Outcome::Failed,
                    Some("the server answered 500"),
                ),
                c("FILTER-5", Level::May, Outcome::Skipped, None),
                warned,
            ],
            fail_on,
        )
    }

    fn text(report: &RunReport) -> String {
        let mut out = Vec::new();
        write(report, &mut out, Style::default()).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Issue 16: "282 checks" when 285 ran; failures below --fail-on
    /// counted as failed under PASSED.
    #[test]
    fn counts_add_up_and_say_what_gates() {
        let should = text(&checks(FailOn::Should));
        assert!(
            should.contains("FAILED  6 checks: 1 passed, 3 failed, 1 warning, 1 skipped"),
            "{should}"
        );
        let mut only_should = checks(FailOn::Must);
        only_should
            .checks
            .as_mut()
            .unwrap()
            .retain(|c| c.id == "FILTER-2");
        only_should.refresh_passed();
        let must = text(&only_should);
        assert!(
            must.contains(
                "PASSED  1 check: 0 passed, 0 failed, 1 failed at SHOULD or INTEROP (not gating under --fail-on must)"
            ),
            "{must}"
        );
        assert!(
            must.contains("⚠ FILTER-2 SHOULD title of FILTER-2"),
            "{must}"
        );
    }

    /// Failures with one probable cause come under it, each with its title.
    #[test]
    fn failures_with_one_cause_are_listed_under_it() {
        let t = text(&checks(FailOn::Should));
        let at = t
            .find("✗ probable cause of 2 failures: the server answered 500")
            .expect(&t);
        let under = &t[at..];
        assert!(
            under.contains("FILTER-3 MUST title of FILTER-3")
                && under.contains("message of FILTER-4"),
            "{t}"
        );
        assert!(
            t.contains("✗ FILTER-2 SHOULD title of FILTER-2 (RFC 7644 §3.4.2.2)"),
            "{t}"
        );
    }

    #[test]
    fn long_messages_are_cut_after_twenty_lines() {
        let message: Vec<String> = (1..=25).map(|i| format!("line {i}")).collect();
        let mut out = Vec::new();
        indented(&message.join("\n"), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("    line 20\n    … 5 more lines (see the JSON or Markdown report)\n")
        );
        assert!(!text.contains("line 21"));
    }
}
