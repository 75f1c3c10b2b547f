//! The Markdown report (SPEC §7), for a pull-request comment: what the
//! other reports say, in brief. A summary with the counts, then what failed
//! and why: for a run, each failed scenario with its failed checks, a
//! one-line reason each and what a correct connector does; for certify,
//! the failed checks by level, failures that share a probable cause under
//! it. Then what passed and what was skipped, shortest first to go.
//!
//! It never exceeds GitHub's comment limit ([`COMMENT_LIMIT`]): when a
//! large pack would, it lists the first failures and counts the rest,
//! collapses the passing scenarios to a count and says so. It holds no
//! links: text from outside (messages, causes, the server's URL) goes into
//! code spans, since GitHub links e-mail addresses and URLs in plain text
//! however they are escaped; names are escaped (see `escape.rs`).

use super::escape::{markdown_code_span as code, markdown_inline as md};
use super::model::{BaselineMark, CertifyCheck, FailOn, Level, Outcome, ReportKind, RunReport};
use crate::judge::CheckName;
use std::fmt::Write as _;
use std::io::{self, Write};

/// GitHub refuses a comment over 65,536 characters. The report is held to
/// 65,536 bytes, which is never more characters.
pub const COMMENT_LIMIT: usize = 65_536;

/// Kept free for the lines that say what was left out.
const RESERVE: usize = 2_000;

/// A reason is one line: a longer message is cut here (the JSON report has
/// it whole).
const REASON_LIMIT: usize = 300;
/// ... and shorter when there are many failures to show.
const SHORT_REASON_LIMIT: usize = 120;
const MANY_FAILURES: usize = 50;

/// Failed checks listed under one scenario or certify level.
const PER_SECTION: usize = 30;
/// Skipped checks listed before the rest are counted.
const SKIPPED_LISTED: usize = 20;

pub fn write(report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(render(report).as_bytes())
}

/// The comment being written, within its budget.
struct Comment {
    text: String,
    /// Something did not fit: nothing more is listed, only counted.
    full: bool,
    /// A list was cut short (its length or the budget): the rest counted.
    omitted: bool,
    /// A reason was cut at the reason limit.
    cut_reasons: bool,
    reason_limit: usize,
}

impl Comment {
    /// Adds `part` if it fits with [`RESERVE`] to spare; once something
    /// did not fit, nothing more is added (the rest is counted instead, in
    /// short lines the reserve holds).
    fn fits(&mut self, part: &str) -> bool {
        if !self.full && self.text.len() + part.len() + RESERVE <= COMMENT_LIMIT {
            self.text.push_str(part);
            true
        } else {
            self.full = true;
            false
        }
    }

    /// A message as one line in a code span, cut at the reason limit.
    fn reason(&mut self, message: &str) -> String {
        match message.char_indices().nth(self.reason_limit) {
            None => code(message),
            Some((at, _)) => {
                self.cut_reasons = true;
                code(&format!("{}…", &message[..at]))
            }
        }
    }

    /// Appends the notes about what was cut; they fit in the reserve.
    fn finish(mut self) -> String {
        if self.cut_reasons {
            let _ = writeln!(
                self.text,
                "_Messages longer than {} characters are cut (…); the JSON report has them whole._\n",
                self.reason_limit
            );
        }
        if self.full {
            let _ = writeln!(
                self.text,
                "_Shortened to stay under GitHub's {COMMENT_LIMIT}-character comment limit; the JSON report has everything._"
            );
        } else if self.omitted {
            let _ = writeln!(
                self.text,
                "_Lists stop after {PER_SECTION} entries; the JSON report has everything._"
            );
        }
        debug_assert!(self.text.len() <= COMMENT_LIMIT, "{}", self.text.len());
        if self.text.len() > COMMENT_LIMIT {
            // Never reached (the reserve holds every line added unchecked),
            // but the limit is a promise: cut at a character boundary.
            let mut at = COMMENT_LIMIT;
            while !self.text.is_char_boundary(at) {
                at -= 1;
            }
            self.text.truncate(at);
        }
        self.text
    }
}

fn render(report: &RunReport) -> String {
    let failures = match report.kind {
        ReportKind::Run => report
            .scenarios()
            .iter()
            .map(|s| s.counts().1 + s.errors.len())
            .sum::<usize>(),
        ReportKind::Certify => report
            .certify_checks()
            .iter()
            .filter(|c| c.outcome == Outcome::Failed)
            .count(),
    };
    let mut c = Comment {
        text: String::new(),
        full: false,
        omitted: false,
        cut_reasons: false,
        reason_limit: if failures > MANY_FAILURES {
            SHORT_REASON_LIMIT
        } else {
            REASON_LIMIT
        },
    };
    head(report, &mut c);
    match report.kind {
        ReportKind::Run => run_sections(report, &mut c),
        ReportKind::Certify => certify_sections(report, &mut c),
    }
    c.finish()
}

/// The title, the counts and the facts of the run: short and bounded,
/// except the subject and baseline, which are cut.
fn head(report: &RunReport, c: &mut Comment) {
    let what = match report.kind {
        ReportKind::Run => "run",
        ReportKind::Certify => "certify",
    };
    let verdict = if report.passed {
        "✅ passed"
    } else {
        "❌ failed"
    };
    let _ = writeln!(c.text, "## scimulate {what}: {verdict}\n");
    let counts = match report.kind {
        ReportKind::Run => run_counts(report),
        ReportKind::Certify => certify_counts(report),
    };
    let _ = writeln!(c.text, "{counts}\n");
    let mut facts = Vec::new();
    if let Some(subject) = &report.subject {
        facts.push(code(&cut(subject, 200)));
    }
    if let Some(line) = report.partition_summary() {
        facts.push(md(&line));
    }
    if let Some(seed) = report.seed {
        facts.push(format!("seed {seed}"));
    }
    // Our own RFC 3339 text: nothing in it that Markdown reads.
    facts.push(format!("started {}", report.started_at.to_rfc3339()));
    facts.push(format!(
        "{}.{} s",
        report.duration_ms / 1000,
        (report.duration_ms % 1000) / 100
    ));
    if let Some(base) = &report.baseline {
        facts.push(format!("baseline {}", code(&cut(base, 200))));
    }
    let _ = writeln!(c.text, "{}\n", facts.join(" · "));
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn run_counts(report: &RunReport) -> String {
    let scenarios = report.scenarios();
    let errored = scenarios.iter().filter(|s| !s.errors.is_empty()).count();
    let passed = scenarios.iter().filter(|s| s.passed).count();
    let failed = scenarios.len() - passed - errored;
    let (mut p, mut f, mut k, mut new, mut known) = (0, 0, 0, 0, 0);
    for s in scenarios {
        let (sp, sf, sk) = s.counts();
        (p, f, k) = (p + sp, f + sf, k + sk);
        for check in s.checks.iter().filter(|c| !c.passed) {
            match check.baseline {
                Some(BaselineMark::New) => new += 1,
                Some(BaselineMark::Known) => known += 1,
                None => {}
            }
        }
    }
    let mut line = format!(
        "**{}**: {passed} passed, {failed} failed",
        plural(scenarios.len(), "scenario", "scenarios")
    );
    if errored > 0 {
        let _ = write!(line, ", {errored} with a harness error");
    }
    let _ = write!(
        line,
        " · **{}**: {p} passed, {f} failed",
        plural(p + f + k, "check", "checks")
    );
    if new + known > 0 {
        let _ = write!(line, " ({new} new, {known} known)");
    }
    if k > 0 {
        let _ = write!(line, ", {k} skipped");
    }
    if !report.errors.is_empty() {
        let _ = write!(
            line,
            " · {}",
            plural(report.errors.len(), "harness error", "harness errors")
        );
    }
    line
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Must => "MUST",
        Level::Should => "SHOULD",
        Level::Interop => "INTEROP",
        Level::May => "MAY",
    }
}

const LEVELS: [Level; 4] = [Level::Must, Level::Should, Level::Interop, Level::May];

fn certify_counts(report: &RunReport) -> String {
    let checks = report.certify_checks();
    let n = |o: Outcome| checks.iter().filter(|c| c.outcome == o).count();
    let mut line = format!(
        "**{}**: {} passed, {} failed, {} skipped",
        plural(checks.len(), "check", "checks"),
        n(Outcome::Passed),
        n(Outcome::Failed),
        n(Outcome::Skipped)
    );
    let by_level: Vec<String> = LEVELS
        .iter()
        .filter_map(|l| {
            let f = checks
                .iter()
                .filter(|c| c.outcome == Outcome::Failed && c.level == *l)
                .count();
            (f > 0).then(|| format!("{} {f}", level_name(*l)))
        })
        .collect();
    if !by_level.is_empty() {
        let _ = write!(line, " · failed by level: {}", by_level.join(", "));
    }
    if !report.errors.is_empty() {
        let _ = write!(
            line,
            " · {}",
            plural(report.errors.len(), "harness error", "harness errors")
        );
    }
    line
}

fn during(d: &Option<String>) -> String {
    d.as_ref()
        .map(|d| format!(" during {}", md(d)))
        .unwrap_or_default()
}

fn mark(m: Option<BaselineMark>) -> &'static str {
    match m {
        None => "",
        Some(BaselineMark::New) => " · new",
        Some(BaselineMark::Known) => " · known \\(failed in the baseline too\\)",
    }
}

/// Harness errors outside any scenario, each one line.
fn harness_errors(report: &RunReport, c: &mut Comment) -> usize {
    let mut left = 0;
    for e in &report.errors {
        let line = format!(
            "- ⚠️ Harness error{}: {}\n",
            during(&e.during),
            c.reason(&e.message)
        );
        if !c.fits(&line) {
            left += 1;
        }
    }
    left
}

fn run_sections(report: &RunReport, c: &mut Comment) {
    let scenarios = report.scenarios();
    let failing: Vec<_> = scenarios.iter().filter(|s| !s.passed).collect();
    if !failing.is_empty() || !report.errors.is_empty() {
        c.text.push_str("### What failed\n\n");
    }
    let mut left_out = harness_errors(report, c);
    let mut scenarios_left_out = 0;
    if !report.errors.is_empty() {
        c.text.push('\n');
    }
    for s in &failing {
        let (_, failed, _) = s.counts();
        let problems = failed + s.errors.len();
        let (sign, what) = if s.errors.is_empty() {
            (
                "❌",
                format!("{failed} of {} checks failed", s.checks.len()),
            )
        } else {
            ("⚠️", "harness error".to_owned())
        };
        if !c.fits(&format!("#### {sign} {}: {what}\n\n", md(&s.name))) {
            left_out += problems;
            scenarios_left_out += 1;
            continue;
        }
        let mut listed = 0;
        for e in &s.errors {
            let line = format!(
                "- ⚠️ Harness error{} \\(file {}\\): {}\n",
                during(&e.during),
                code(&s.file),
                c.reason(&e.message)
            );
            if !c.fits(&line) {
                break;
            }
            listed += 1;
        }
        for check in s.checks.iter().filter(|k| !k.passed) {
            if listed >= PER_SECTION || c.full {
                break;
            }
            let mut item = format!(
                "- ❌ **{}\\[{}\\]\\#{}**{}: {}\n",
                md(&check.check),
                md(&check.target),
                check.index,
                mark(check.baseline),
                c.reason(&check.message)
            );
            if let Some(name) = CheckName::parse(&check.check) {
                // Our own words: plain text with nothing Markdown reads.
                let _ = writeln!(item, "  - a correct connector {}", name.correct_connector());
            }
            if !c.fits(&item) {
                break;
            }
            listed += 1;
        }
        if listed < problems {
            // Short, and at most once after the comment is full: the
            // reserve holds it.
            c.omitted = true;
            let _ = writeln!(
                c.text,
                "- … and {} in this scenario",
                plural(problems - listed, "more failure", "more failures")
            );
        }
        c.text.push('\n');
    }
    if left_out > 0 {
        c.omitted = true;
        let _ = writeln!(
            c.text,
            "… and {} in {} not shown here.\n",
            plural(left_out, "more failure", "more failures"),
            plural(scenarios_left_out, "more scenario", "more scenarios")
        );
    }
    passed_scenarios(report, c);
    skipped(
        c,
        scenarios
            .iter()
            .flat_map(|s| {
                s.checks.iter().filter_map(move |k| {
                    let reason = k.skipped.as_ref()?;
                    Some((
                        format!(
                            "{}: {}\\[{}\\]\\#{}",
                            md(&s.name),
                            md(&k.check),
                            md(&k.target),
                            k.index
                        ),
                        reason.as_str(),
                    ))
                })
            })
            .collect(),
    );
}

/// The passing scenarios by name, or by count when the names do not fit.
fn passed_scenarios(report: &RunReport, c: &mut Comment) {
    let passed: Vec<&str> = report
        .scenarios()
        .iter()
        .filter(|s| s.passed)
        .map(|s| s.name.as_str())
        .collect();
    if passed.is_empty() {
        return;
    }
    let names: Vec<String> = passed.iter().map(|n| md(n)).collect();
    let listed = format!(
        "### Passed\n\n✅ {}: {}\n\n",
        plural(passed.len(), "scenario", "scenarios"),
        names.join(" · ")
    );
    if !c.fits(&listed) {
        let _ = writeln!(
            c.text,
            "### Passed\n\n✅ {} \\(not named here\\)\n",
            plural(passed.len(), "scenario", "scenarios")
        );
    }
}

/// The skipped checks with their reasons: the first few, then a count.
fn skipped(c: &mut Comment, items: Vec<(String, &str)>) {
    if items.is_empty() {
        return;
    }
    c.text.push_str("### Skipped\n\n");
    let mut listed = 0;
    for (what, reason) in items.iter().take(SKIPPED_LISTED) {
        let line = format!("- {what}: {}\n", c.reason(reason));
        if !c.fits(&line) {
            break;
        }
        listed += 1;
    }
    if listed < items.len() {
        c.omitted = true;
        let _ = writeln!(c.text, "- … and {} more skipped", items.len() - listed);
    }
    c.text.push('\n');
}

fn certify_sections(report: &RunReport, c: &mut Comment) {
    let checks = report.certify_checks();
    let fail_on = report.fail_on.unwrap_or_default();
    let failed: Vec<&CertifyCheck> = checks
        .iter()
        .filter(|k| k.outcome == Outcome::Failed)
        .collect();
    if !failed.is_empty() || !report.errors.is_empty() {
        c.text.push_str("### What failed\n\n");
    }
    let mut left_out = harness_errors(report, c);
    if !report.errors.is_empty() {
        c.text.push('\n');
    }
    for level in LEVELS {
        let at: Vec<&CertifyCheck> = failed
            .iter()
            .copied()
            .filter(|k| k.level == level)
            .collect();
        if at.is_empty() {
            continue;
        }
        let gating = at.iter().filter(|k| k.gates(fail_on)).count();
        let note = match gating {
            g if g == at.len() => String::new(),
            0 => ", none of them sets the exit status".to_owned(),
            g => format!(", {g} of them set the exit status"),
        };
        let heading = format!("#### {}: {} failed{note}\n\n", level_name(level), at.len());
        if !c.fits(&heading) {
            left_out += at.len();
            continue;
        }
        // Items listed (a cause with its checks is one) and failures shown.
        let (mut listed, mut shown) = (0, 0);
        // Each probable cause first, once, its checks under it: one cause
        // often explains many failures.
        let mut causes: Vec<&str> = Vec::new();
        for k in &at {
            if let Some(cause) = k.cause.as_deref()
                && !causes.contains(&cause)
            {
                causes.push(cause);
            }
        }
        for cause in causes {
            if listed >= PER_SECTION || c.full {
                break;
            }
            let under: Vec<&&CertifyCheck> = at
                .iter()
                .filter(|k| k.cause.as_deref() == Some(cause))
                .collect();
            let mut group = format!(
                "- ❌ Probable cause of {}: {}\n",
                plural(under.len(), "failure", "failures"),
                c.reason(cause)
            );
            for k in under.iter().take(PER_SECTION) {
                let _ = writeln!(group, "  - {}", certify_item(k, fail_on));
            }
            if under.len() > PER_SECTION {
                c.omitted = true;
                let _ = writeln!(group, "  - … and {} more", under.len() - PER_SECTION);
            }
            if !c.fits(&group) {
                break;
            }
            listed += 1;
            shown += under.len();
        }
        // Then the failures without a shared cause, one line each.
        for k in at.iter().filter(|k| k.cause.is_none()) {
            if listed >= PER_SECTION || c.full {
                break;
            }
            let line = format!("- {}: {}\n", certify_item(k, fail_on), c.reason(&k.message));
            if !c.fits(&line) {
                break;
            }
            listed += 1;
            shown += 1;
        }
        if shown < at.len() {
            c.omitted = true;
            let _ = writeln!(
                c.text,
                "- … and {} at {}",
                plural(at.len() - shown, "more failure", "more failures"),
                level_name(level)
            );
        }
        c.text.push('\n');
    }
    if left_out > 0 {
        c.omitted = true;
        let _ = writeln!(
            c.text,
            "… and {} not shown here.\n",
            plural(left_out, "more failure", "more failures")
        );
    }
    skipped(
        c,
        checks
            .iter()
            .filter(|k| k.outcome == Outcome::Skipped)
            .map(|k| {
                (
                    format!("{} {}", md(&k.id), md(&k.title)),
                    k.message.as_str(),
                )
            })
            .collect(),
    );
}

/// `❌ **PATCH-007** remove … (RFC 7644 §3.5.2.2)`, with why a failure
/// does not set the exit status when it does not.
fn certify_item(k: &CertifyCheck, fail_on: FailOn) -> String {
    let sign = if k.gates(fail_on) { "❌" } else { "⚠️" };
    let title = if k.title.is_empty() {
        String::new()
    } else {
        format!(" {}", md(&k.title))
    };
    let note = if k.gates(fail_on) || k.baseline == Some(BaselineMark::Known) {
        String::new()
    } else {
        format!(" · {}", not_gating(k, fail_on))
    };
    format!(
        "{sign} **{}**{title} \\({}\\){note}{}",
        md(&k.id),
        md(&k.rfc),
        mark(k.baseline)
    )
}

fn not_gating(k: &CertifyCheck, fail_on: FailOn) -> &'static str {
    if k.warning {
        "warning, outside its profile"
    } else if k.fails(fail_on) {
        ""
    } else {
        match fail_on {
            FailOn::Must => "not gating under \\-\\-fail\\-on must",
            FailOn::Should => "not gating",
        }
    }
}

/// At most `limit` characters of `text`, `…` when cut.
fn cut(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        None => text.to_owned(),
        Some((at, _)) => format!("{}…", &text[..at]),
    }
}

#[cfg(test)]
mod tests;
