//! The terminal report (SPEC §7): one line per scenario (or certify group)
//! with ✓/✗ and counts, then every failed check with its message indented,
//! then one summary line. Colour only when the caller says the writer is a
//! terminal and `NO_COLOR` is unset. [`super::TerminalProgress`] prints the
//! same scenario lines while a run goes on.

use super::escape;
use super::model::{BaselineMark, CertifyCheck, Outcome, RunReport, ScenarioReport};
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
    for (group, checks) in certify_groups(report.certify_checks()) {
        group_line(group, &checks, out, style)?;
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
    for c in report
        .certify_checks()
        .iter()
        .filter(|c| c.outcome == Outcome::Failed)
    {
        let sign = if c.warning {
            style.yellow("⚠")
        } else {
            style.red("✗")
        };
        let head = format!(
            "{sign} {} {} ({}){}",
            escape::terminal(&c.id),
            level_name(c),
            escape::terminal(&c.rfc),
            mark(c.baseline, style)
        );
        problems.push((head, None, c.message.clone()));
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
    if s.checks.is_empty() && !s.errors.is_empty() {
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

fn group_line(
    group: &str,
    checks: &[&CertifyCheck],
    out: &mut dyn Write,
    style: Style,
) -> io::Result<()> {
    let n = CertifyCounts::of(checks.iter().copied());
    let sign = if n.failed > 0 {
        style.red("✗")
    } else if n.warnings > 0 {
        style.yellow("⚠")
    } else {
        style.green("✓")
    };
    let mut counts = vec![format!("{} passed", n.passed)];
    if n.failed > 0 {
        counts.push(style.red(&format!("{} failed", n.failed)));
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
    let verdict = if report.passed {
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
        let n = CertifyCounts::of(checks.iter());
        let mut text = checks_text(n.passed, n.failed, n.skipped, new_failures(report));
        if n.warnings > 0 {
            text.push_str(&format!(", {}", plural(n.warnings, "warning")));
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

/// Certify outcomes, with failures that only warn counted apart.
#[derive(Default)]
struct CertifyCounts {
    passed: usize,
    failed: usize,
    warnings: usize,
    skipped: usize,
}

impl CertifyCounts {
    fn of<'a>(checks: impl Iterator<Item = &'a CertifyCheck>) -> Self {
        let mut n = CertifyCounts::default();
        for c in checks {
            match c.outcome {
                Outcome::Passed => n.passed += 1,
                Outcome::Skipped => n.skipped += 1,
                Outcome::Failed if c.warning => n.warnings += 1,
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
