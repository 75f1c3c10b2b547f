//! The Markdown report (SPEC §7), for a pull-request comment: a summary
//! table, then a section per failed check and per harness error with its
//! message in a code block. Names and messages are escaped (see
//! `escape.rs`): they may hold anything a server under test sent.

use super::escape::{markdown_code_block as block, markdown_inline as md};
use super::model::{BaselineMark, CertifyCheck, Outcome, ReportKind, RunReport};
use std::fmt::Write as _;
use std::io::{self, Write};

pub fn write(report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(render(report).as_bytes())
}

fn render(report: &RunReport) -> String {
    let mut s = String::new();
    let what = match report.kind {
        ReportKind::Run => "run",
        ReportKind::Certify => "certify",
    };
    let verdict = if report.passed {
        "✅ passed"
    } else {
        "❌ failed"
    };
    let _ = writeln!(s, "## scimulate {what}: {verdict}\n");
    let mut facts = Vec::new();
    if let Some(subject) = &report.subject {
        facts.push(md(subject));
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
        facts.push(format!("baseline {}", md(base)));
    }
    let _ = writeln!(s, "{}\n", facts.join(" · "));
    match report.kind {
        ReportKind::Run => run_sections(report, &mut s),
        ReportKind::Certify => certify_sections(report, &mut s),
    }
    s
}

fn run_sections(report: &RunReport, s: &mut String) {
    if !report.scenarios().is_empty() {
        s.push_str("| | Scenario | Passed | Failed | Skipped |\n|---|---|--:|--:|--:|\n");
        for sc in report.scenarios() {
            let (p, f, k) = sc.counts();
            let (sign, note) = if !sc.errors.is_empty() {
                ("⚠️", " (harness error)")
            } else if sc.passed {
                ("✅", "")
            } else {
                ("❌", "")
            };
            let _ = writeln!(s, "| {sign} | {}{note} | {p} | {f} | {k} |", md(&sc.name));
        }
        s.push('\n');
    }
    let mut details = Details::default();
    for e in &report.errors {
        details.add(
            format!("#### ⚠️ Harness error{}", during(&e.during)),
            &e.message,
        );
    }
    for sc in report.scenarios() {
        for e in &sc.errors {
            details.add(
                format!(
                    "#### ⚠️ {}: harness error{}\n\nFile: {}",
                    md(&sc.name),
                    during(&e.during),
                    md(&sc.file)
                ),
                &e.message,
            );
        }
        for c in sc.checks.iter().filter(|c| !c.passed) {
            details.add(
                format!(
                    "#### ❌ {}: {}\\[{}\\]\\#{}{}",
                    md(&sc.name),
                    md(&c.check),
                    md(&c.target),
                    c.index,
                    mark(c.baseline)
                ),
                &c.message,
            );
        }
    }
    details.finish(s);
    let skipped: Vec<String> = report
        .scenarios()
        .iter()
        .flat_map(|sc| {
            sc.checks.iter().filter_map(move |c| {
                let reason = c.skipped.as_ref()?;
                Some(format!(
                    "- {}: {}\\[{}\\]\\#{}: {}",
                    md(&sc.name),
                    md(&c.check),
                    md(&c.target),
                    c.index,
                    md(reason)
                ))
            })
        })
        .collect();
    if !skipped.is_empty() {
        s.push_str("### Skipped\n\n");
        s.push_str(&skipped.join("\n"));
        s.push_str("\n\n");
    }
}

fn certify_sections(report: &RunReport, s: &mut String) {
    let checks = report.certify_checks();
    let mut groups: Vec<(&str, Vec<&CertifyCheck>)> = Vec::new();
    for c in checks {
        match groups.iter_mut().find(|(g, _)| *g == c.group) {
            Some((_, list)) => list.push(c),
            None => groups.push((&c.group, vec![c])),
        }
    }
    if !groups.is_empty() {
        s.push_str("| | Group | Passed | Failed | Skipped |\n|---|---|--:|--:|--:|\n");
        let fail_on = report.fail_on.unwrap_or_default();
        for (group, list) in &groups {
            let n = |o: Outcome| list.iter().filter(|c| c.outcome == o).count();
            // ❌ only for a failure that sets the exit status; one that
            // warns or fails below --fail-on is ⚠️.
            let sign = if list.iter().any(|c| c.gates(fail_on)) {
                "❌"
            } else if n(Outcome::Failed) > 0 {
                "⚠️"
            } else {
                "✅"
            };
            let _ = writeln!(
                s,
                "| {sign} | {} | {} | {} | {} |",
                md(group),
                n(Outcome::Passed),
                n(Outcome::Failed),
                n(Outcome::Skipped)
            );
        }
        s.push('\n');
    }
    let mut details = Details::default();
    for e in &report.errors {
        details.add(
            format!("#### ⚠️ Harness error{}", during(&e.during)),
            &e.message,
        );
    }
    let fail_on = report.fail_on.unwrap_or_default();
    let failed: Vec<&CertifyCheck> = checks
        .iter()
        .filter(|c| c.outcome == Outcome::Failed)
        .collect();
    let heading = |c: &CertifyCheck| {
        let sign = if c.gates(fail_on) { "❌" } else { "⚠️" };
        let level = serde_json::to_value(c.level)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let note = if c.warning {
            " warning"
        } else if !c.fails(fail_on) {
            " not gating"
        } else {
            ""
        };
        format!(
            "#### {sign} {} {} ({level}, {}){note}{}",
            md(&c.id),
            md(&c.title),
            md(&c.rfc),
            mark(c.baseline)
        )
    };
    for c in failed.iter().filter(|c| c.cause.is_none()) {
        details.add(heading(c), &c.message);
    }
    // Failures with one probable cause: the cause once, then each check.
    let mut causes: Vec<&str> = Vec::new();
    for c in &failed {
        if let Some(k) = c.cause.as_deref()
            && !causes.contains(&k)
        {
            causes.push(k);
        }
    }
    for cause in causes {
        let under: Vec<&&CertifyCheck> = failed
            .iter()
            .filter(|c| c.cause.as_deref() == Some(cause))
            .collect();
        let text: Vec<String> = under
            .iter()
            .map(|c| format!("{} {}: {}", c.id, c.title, c.message))
            .collect();
        details.add(
            format!(
                "#### ❌ Probable cause of {} failures: {}",
                under.len(),
                md(cause)
            ),
            &text.join("\n"),
        );
    }
    details.finish(s);
    let skipped: Vec<&CertifyCheck> = checks
        .iter()
        .filter(|c| c.outcome == Outcome::Skipped)
        .collect();
    if !skipped.is_empty() {
        s.push_str("### Skipped\n\n");
        for c in skipped {
            let _ = writeln!(s, "- {} {}: {}", md(&c.id), md(&c.title), md(&c.message));
        }
        s.push('\n');
    }
}

/// GitHub refuses comments over 65,536 characters: the details stop well
/// before that, and each message is cut to a length people read.
const DETAILS_BUDGET: usize = 50_000;
const MESSAGE_LIMIT: usize = 4_000;

/// The details section: one heading and code block per problem, within
/// the budget; what does not fit is counted, not silently dropped.
#[derive(Default)]
struct Details {
    text: String,
    left_out: usize,
}

impl Details {
    fn add(&mut self, heading: String, message: &str) {
        let section = format!("{heading}\n\n{}\n", block(&cut(message, MESSAGE_LIMIT)));
        if self.text.len() + section.len() > DETAILS_BUDGET {
            self.left_out += 1;
        } else {
            self.text.push_str(&section);
        }
    }

    fn finish(self, s: &mut String) {
        if self.text.is_empty() && self.left_out == 0 {
            return;
        }
        s.push_str("### Details\n\n");
        s.push_str(&self.text);
        if self.left_out > 0 {
            let _ = writeln!(
                s,
                "… and {} more not shown here (comment size); the JSON report has them all.\n",
                self.left_out
            );
        }
    }
}

/// At most `limit` characters of `text`, saying so when it was cut.
fn cut(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        None => text.to_owned(),
        Some((at, _)) => format!(
            "{}\n… (cut at {limit} characters; the JSON report has the whole message)",
            &text[..at]
        ),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{CheckReport, ScenarioReport};
    use chrono::{TimeZone, Utc};

    fn failing_run(failures: usize, message: &str) -> RunReport {
        let checks = (0..failures)
            .map(|i| CheckReport::new(i, "state", "app-a", false, message))
            .collect();
        RunReport::run(
            1,
            Utc.timestamp_opt(0, 0).unwrap(),
            0,
            vec![ScenarioReport::new("s", "s.yaml", checks)],
        )
    }

    #[test]
    fn long_messages_are_cut_and_say_so() {
        let text = render(&failing_run(1, &"é".repeat(MESSAGE_LIMIT + 10)));
        assert!(text.contains(&format!("{}\n… (cut at 4000 characters", "é".repeat(4000))));
        assert!(!text.contains(&"é".repeat(4001)));
    }

    #[test]
    fn a_huge_run_fits_a_pull_request_comment() {
        let text = render(&failing_run(2_000, &"x".repeat(1_000)));
        assert!(text.len() < 65_536, "{} characters", text.len());
        assert!(text.contains("more not shown here (comment size); the JSON report has them all."));
    }
}
