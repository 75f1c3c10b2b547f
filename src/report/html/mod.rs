//! The HTML report (SPEC §8.2): one self-contained page made from the run
//! model alone, so `scimulate report run.json --report html` gives the
//! same bytes as the run did. The page is a minijinja template
//! (`report.html`, with `style.css` inlined) that escapes every value it
//! prints; this module turns the model into what the template lays out
//! (words, numbers as text, the timeline's SVG geometry). A
//! Content-Security-Policy forbids every fetch and every script, so a page
//! that came out wrong still cannot call anywhere.

mod certify;
mod run;
mod timeline;

use super::model::{ReportKind, RunReport};
use minijinja::{Environment, context};
use serde::Serialize;
use std::io::{self, Write};

const TEMPLATE: &str = include_str!("report.html");
const STYLE: &str = include_str!("style.css");

/// Renders the HTML report of `report`.
pub fn write(report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    // Named .html, so every {{ value }} is HTML-escaped.
    env.add_template("report.html", TEMPLATE)
        .and_then(|()| env.add_template("style.css", STYLE))
        .map_err(io::Error::other)?;
    let page = Page::of(report);
    let html = env
        .get_template("report.html")
        .and_then(|t| t.render(context! { page => page }))
        .map_err(io::Error::other)?;
    out.write_all(html.as_bytes())
}

/// What the template lays out.
#[derive(Debug, Serialize)]
struct Page {
    kind: &'static str,
    title: String,
    passed: bool,
    subject: Option<String>,
    started_at: String,
    duration: String,
    seed: Option<u64>,
    version: Option<String>,
    partition: Option<String>,
    baseline: Option<String>,
    /// (label, value) pairs for the summary bar.
    summary: Vec<(String, String)>,
    errors: Vec<ErrorView>,
    /// Links to every failure, for the top of the page.
    failures: Vec<Link>,
    scenarios: Vec<run::ScenarioView>,
    certify: Option<certify::CertifyView>,
}

#[derive(Debug, Serialize)]
struct ErrorView {
    during: Option<String>,
    message: String,
}

#[derive(Debug, Serialize)]
struct Link {
    anchor: String,
    label: String,
}

impl Page {
    fn of(r: &RunReport) -> Page {
        let kind = super::read::kind_name(r.kind);
        let mut page = Page {
            kind,
            title: format!(
                "scimulate {kind}: {}",
                if r.passed { "passed" } else { "failed" }
            ),
            passed: r.passed,
            subject: r.subject.clone(),
            started_at: r.started_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            duration: seconds(r.duration_ms),
            seed: r.seed,
            version: r.pack.as_ref().map(|p| p.version.clone()),
            partition: r.partition_summary(),
            baseline: r.baseline.clone(),
            summary: Vec::new(),
            errors: r
                .errors
                .iter()
                .map(|e| ErrorView {
                    during: e.during.clone(),
                    message: e.message.clone(),
                })
                .collect(),
            failures: Vec::new(),
            scenarios: Vec::new(),
            certify: None,
        };
        match r.kind {
            ReportKind::Run => run::fill(&mut page, r),
            ReportKind::Certify => certify::fill(&mut page, r),
        }
        page
    }
}

/// `12.3s`.
fn seconds(ms: u64) -> String {
    format!("{:.1}s", ms as f64 / 1000.0)
}

/// `+12.3s` since the start.
fn offset(ms: u64) -> String {
    format!("+{}", seconds(ms))
}

/// `97.5%`.
fn percent(rate: f64) -> String {
    let p = rate * 100.0;
    if p == p.trunc() {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

#[cfg(test)]
mod tests;
