//! The certify part of the HTML report: the probable causes first, each
//! with the failures it explains, then the checks by level and group, each
//! with its title, RFC section and sentence, verdict and the requests and
//! answers it saw.

use super::super::model::{CertifyCheck, FailOn, Level, Outcome, RunReport};
use super::{Link, Page, seconds};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
pub struct CertifyView {
    fail_on: &'static str,
    causes: Vec<CauseView>,
    levels: Vec<LevelView>,
}

#[derive(Debug, Serialize)]
struct CauseView {
    cause: String,
    checks: Vec<Link>,
}

#[derive(Debug, Serialize)]
struct LevelView {
    level: &'static str,
    counts: String,
    groups: Vec<GroupView>,
}

#[derive(Debug, Serialize)]
struct GroupView {
    group: String,
    failed: usize,
    checks: Vec<CheckView>,
}

#[derive(Debug, Serialize)]
struct CheckView {
    anchor: String,
    id: String,
    title: String,
    rfc: String,
    quote: String,
    /// passed, failed (sets the exit status), warning (failed, does not), skipped.
    outcome: &'static str,
    message: String,
    cause: Option<String>,
    baseline: Option<&'static str>,
    duration: Option<String>,
    exchanges: Vec<ExchangeView>,
}

#[derive(Debug, Serialize)]
struct ExchangeView {
    request: String,
    credentials: Option<String>,
    request_body: Option<String>,
    status: String,
    status_class: String,
    response_body: Option<String>,
}

const LEVELS: [Level; 4] = [Level::Must, Level::Should, Level::Interop, Level::May];

fn level_name(l: Level) -> &'static str {
    match l {
        Level::Must => "MUST",
        Level::Should => "SHOULD",
        Level::Interop => "INTEROP",
        Level::May => "MAY",
    }
}

fn anchor(id: &str) -> String {
    format!("check-{}", super::timeline::css_word(id))
}

fn outcome(c: &CertifyCheck, fail_on: FailOn) -> &'static str {
    match c.outcome {
        Outcome::Passed => "passed",
        Outcome::Skipped => "skipped",
        Outcome::Failed if c.fails(fail_on) => "failed",
        Outcome::Failed => "warning",
    }
}

pub fn fill(page: &mut Page, r: &RunReport) {
    let fail_on = r.fail_on.unwrap_or_default();
    let checks = r.certify_checks();
    let count = |o: Outcome| checks.iter().filter(|c| c.outcome == o).count();
    let gating = checks.iter().filter(|c| c.fails(fail_on)).count();
    page.summary = vec![
        ("checks".into(), checks.len().to_string()),
        ("passed".into(), count(Outcome::Passed).to_string()),
        ("failed".into(), gating.to_string()),
        (
            "warnings".into(),
            (count(Outcome::Failed) - gating).to_string(),
        ),
        ("skipped".into(), count(Outcome::Skipped).to_string()),
    ];
    for c in checks.iter().filter(|c| c.fails(fail_on)) {
        page.failures.push(Link {
            anchor: anchor(&c.id),
            label: format!("{} {}: {}", c.id, level_name(c.level), c.title),
        });
    }
    let mut causes: BTreeMap<&str, Vec<Link>> = BTreeMap::new();
    for c in checks.iter().filter(|c| c.outcome == Outcome::Failed) {
        if let Some(cause) = &c.cause {
            causes.entry(cause).or_default().push(Link {
                anchor: anchor(&c.id),
                label: format!("{} {}", c.id, c.title),
            });
        }
    }
    let levels = LEVELS
        .into_iter()
        .filter_map(|level| {
            let of_level: Vec<&CertifyCheck> = checks.iter().filter(|c| c.level == level).collect();
            if of_level.is_empty() {
                return None;
            }
            // Groups in the order the catalogue ran them.
            let mut groups: Vec<GroupView> = Vec::new();
            for c in &of_level {
                let view = check(c, fail_on);
                match groups.iter_mut().find(|g| g.group == c.group) {
                    Some(g) => g.checks.push(view),
                    None => groups.push(GroupView {
                        group: c.group.clone(),
                        failed: 0,
                        checks: vec![view],
                    }),
                }
            }
            for g in &mut groups {
                g.failed = g.checks.iter().filter(|c| c.outcome == "failed").count();
            }
            let passed = of_level
                .iter()
                .filter(|c| c.outcome == Outcome::Passed)
                .count();
            Some(LevelView {
                level: level_name(level),
                counts: format!("{passed} of {} passed", of_level.len()),
                groups,
            })
        })
        .collect();
    page.certify = Some(CertifyView {
        fail_on: match fail_on {
            FailOn::Must => "must",
            FailOn::Should => "should",
        },
        causes: causes
            .into_iter()
            .map(|(cause, checks)| CauseView {
                cause: cause.to_owned(),
                checks,
            })
            .collect(),
        levels,
    });
}

fn check(c: &CertifyCheck, fail_on: FailOn) -> CheckView {
    CheckView {
        anchor: anchor(&c.id),
        id: c.id.clone(),
        title: c.title.clone(),
        rfc: c.rfc.clone(),
        quote: c.quote.clone(),
        outcome: outcome(c, fail_on),
        message: c.message.clone(),
        cause: c.cause.clone(),
        baseline: c.baseline.map(|b| match b {
            super::super::model::BaselineMark::New => "new failure",
            super::super::model::BaselineMark::Known => {
                "known failure (failed in the baseline too)"
            }
        }),
        duration: c.duration_ms.map(|ms| {
            if ms < 1_000 {
                format!("{ms} ms")
            } else {
                seconds(ms)
            }
        }),
        exchanges: c
            .exchanges
            .iter()
            .map(|x| ExchangeView {
                request: format!("{} {}", x.method, x.path),
                credentials: x.credentials.clone(),
                request_body: x.request_body.clone(),
                status: x
                    .status
                    .map_or_else(|| "no answer".to_owned(), |s| s.to_string()),
                status_class: format!("c-{}", super::super::traffic::class(x.status.unwrap_or(0))),
                response_body: match (&x.response_body, &x.error) {
                    (Some(b), _) => Some(pretty(b)),
                    (None, Some(e)) => Some(e.clone()),
                    (None, None) => None,
                },
            })
            .collect(),
    }
}

/// A JSON body indented for reading; anything else as it came.
fn pretty(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .filter(|v| v.is_object() || v.is_array())
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| body.to_owned())
}
