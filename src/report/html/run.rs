//! The run part of the HTML report: per scenario its summary, SLIs,
//! timeline (SVG and, for screen readers and search, the same as tables),
//! the replay order, and each check with the journal entries that decided
//! it and, for a failure, what a correct connector would have done.

use super::super::model::{RunReport, ScenarioReport, TimelineKind};
use super::super::traffic::CLASSES;
use super::timeline::{self, Svg, alert_target, field};
use super::{ErrorView, Link, Page, offset, percent, seconds};
use crate::judge::{CheckName, Percentiles, Slis};
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Serialize)]
pub struct ScenarioView {
    id: String,
    name: String,
    file: String,
    description: Option<String>,
    passed: bool,
    seed: Option<u64>,
    duration: Option<String>,
    counts: (usize, usize, usize),
    errors: Vec<ErrorView>,
    slis: Vec<Sli>,
    /// A game day's hypotheses and safeguards, each over time.
    probes: Vec<ProbeView>,
    svg: Option<Svg>,
    /// Steps, events, faults and alerts in time order: the timeline as text.
    rows: Vec<Row>,
    classes: Vec<&'static str>,
    totals: Vec<Totals>,
    replays: Vec<ReplayView>,
    checks: Vec<CheckView>,
}

/// One hypothesis or safeguard: its verdict and a strip of its state
/// over the game day (x in the strip's own 0..STRIP_WIDTH).
#[derive(Debug, Serialize)]
struct ProbeView {
    role: &'static str,
    description: String,
    verdict: &'static str,
    ok: bool,
    line: u64,
    spans: Vec<SpanView>,
    fired_x: Option<f64>,
    fired_at: Option<String>,
    /// The looks that broke it (a hypothesis) or fired it (a safeguard).
    broken: Vec<String>,
}

#[derive(Debug, Serialize)]
struct SpanView {
    x: f64,
    w: f64,
    ok: bool,
    title: String,
}

/// The probe strips' width in SVG units.
const STRIP_WIDTH: f64 = 600.0;

#[derive(Debug, Serialize)]
struct Sli {
    label: &'static str,
    value: String,
    detail: String,
    bad: bool,
}

#[derive(Debug, Serialize)]
struct Row {
    at: String,
    kind: &'static str,
    target: String,
    summary: String,
}

#[derive(Debug, Serialize)]
struct Totals {
    target: String,
    counts: Vec<u64>,
    all: u64,
}

#[derive(Debug, Serialize)]
struct ReplayView {
    target: String,
    recovered: String,
    writes: Vec<ReplayRow>,
    more: u64,
}

#[derive(Debug, Serialize)]
struct ReplayRow {
    at: String,
    seq: u64,
    method: String,
    path: String,
    status: u16,
    status_class: String,
    person: String,
    effect: String,
}

#[derive(Debug, Serialize)]
struct CheckView {
    anchor: String,
    check: String,
    target: String,
    index: usize,
    outcome: &'static str,
    message: String,
    baseline: Option<&'static str>,
    correct: Option<&'static str>,
    journal: Vec<JournalRow>,
    diff: Option<String>,
}

#[derive(Debug, Serialize)]
struct JournalRow {
    seq: String,
    time: String,
    target: String,
    request: String,
    status: String,
    status_class: String,
    person: String,
    body: String,
}

pub fn fill(page: &mut Page, r: &RunReport) {
    let scenarios = r.scenarios();
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for (i, s) in scenarios.iter().enumerate() {
        let view = scenario(i, s);
        for c in view.checks.iter().filter(|c| c.outcome == "failed") {
            page.failures.push(Link {
                anchor: c.anchor.clone(),
                label: format!("{}: {} [{}] #{}", s.name, c.check, c.target, c.index),
            });
        }
        for e in &s.errors {
            page.failures.push(Link {
                anchor: view.id.clone(),
                label: format!("{}: harness error: {}", s.name, e.message),
            });
        }
        let (p, f, k) = view.counts;
        (passed, failed, skipped) = (passed + p, failed + f, skipped + k);
        page.scenarios.push(view);
    }
    let failed_scenarios = scenarios.iter().filter(|s| !s.passed).count();
    page.summary = vec![
        ("scenarios".into(), scenarios.len().to_string()),
        ("failed scenarios".into(), failed_scenarios.to_string()),
        ("checks passed".into(), passed.to_string()),
        ("checks failed".into(), failed.to_string()),
        ("checks skipped".into(), skipped.to_string()),
    ];
}

fn scenario(i: usize, s: &ScenarioReport) -> ScenarioView {
    let id = format!("s{}", i + 1);
    let mut rows: Vec<(u64, Row)> = s
        .timeline
        .iter()
        .map(|e| {
            (
                e.at_ms,
                Row {
                    at: offset(e.at_ms),
                    kind: match e.kind {
                        TimelineKind::Step => "step",
                        TimelineKind::Event => "event",
                        TimelineKind::Fault => "fault",
                        TimelineKind::Alert => "alert",
                        TimelineKind::Request => "request",
                    },
                    target: e.target.clone().unwrap_or_default(),
                    summary: e.summary.clone(),
                },
            )
        })
        .collect();
    for a in &s.alerts {
        rows.push((
            a.at_ms,
            Row {
                at: offset(a.at_ms),
                kind: "alert",
                target: alert_target(&a.payload).cloned().unwrap_or_default(),
                summary: format!(
                    "{} ({}): {}",
                    field(&a.payload, "status"),
                    field(&a.payload, "class"),
                    a.payload
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                ),
            },
        ));
    }
    // Stable: entries at one moment keep their order.
    rows.sort_by_key(|(at, _)| *at);
    let traffic = s.traffic.as_ref();
    let totals = traffic
        .map(|t| {
            t.targets
                .iter()
                .map(|tt| Totals {
                    target: tt.target.clone(),
                    counts: CLASSES
                        .iter()
                        .map(|c| tt.total.get(*c).copied().unwrap_or(0))
                        .collect(),
                    all: tt.total.values().sum(),
                })
                .collect()
        })
        .unwrap_or_default();
    let replays = traffic
        .map(|t| {
            t.targets
                .iter()
                .flat_map(|tt| {
                    tt.replay.iter().map(|r| ReplayView {
                        target: tt.target.clone(),
                        recovered: offset(r.recovered_ms),
                        writes: r
                            .writes
                            .iter()
                            .map(|w| ReplayRow {
                                at: offset(w.at_ms),
                                seq: w.seq,
                                method: w.method.clone(),
                                path: w.path.clone(),
                                status: w.status,
                                status_class: status_class(w.status),
                                person: w.person.clone(),
                                effect: w.effect.clone(),
                            })
                            .collect(),
                        more: r.more,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    ScenarioView {
        checks: s
            .checks
            .iter()
            .enumerate()
            .map(|(j, c)| {
                let outcome = if c.skipped.is_some() {
                    "skipped"
                } else if c.passed {
                    "passed"
                } else {
                    "failed"
                };
                CheckView {
                    anchor: format!("{id}-c{}", j + 1),
                    check: c.check.clone(),
                    target: c.target.clone(),
                    index: c.index,
                    outcome,
                    message: c.message.clone(),
                    baseline: c.baseline.map(|b| match b {
                        super::super::model::BaselineMark::New => "new failure",
                        super::super::model::BaselineMark::Known => {
                            "known failure (failed in the baseline too)"
                        }
                    }),
                    correct: (outcome == "failed")
                        .then(|| CheckName::parse(&c.check).map(CheckName::correct_connector))
                        .flatten(),
                    journal: c.journal.iter().map(journal_row).collect(),
                    diff: c
                        .diff
                        .as_ref()
                        .map(|d| serde_json::to_string_pretty(d).unwrap_or_default()),
                }
            })
            .collect(),
        name: s.name.clone(),
        file: s.file.clone(),
        description: s.description.clone(),
        passed: s.passed,
        seed: s.seed,
        duration: s.duration_ms.map(seconds),
        counts: s.counts(),
        errors: s
            .errors
            .iter()
            .map(|e| ErrorView {
                during: e.during.clone(),
                message: e.message.clone(),
            })
            .collect(),
        slis: s.slis.as_ref().map(slis).unwrap_or_default(),
        probes: probes(s),
        svg: timeline::svg(s),
        rows: rows.into_iter().map(|(_, r)| r).collect(),
        classes: CLASSES.to_vec(),
        totals,
        replays,
        id,
    }
}

/// Each probe's spans on one axis: the scenario's duration (or the last
/// look, if later); a span of one look still shows, at least 2 units wide.
fn probes(s: &ScenarioReport) -> Vec<ProbeView> {
    use crate::judge::evidence::ProbeRole;
    let end = s
        .probes
        .iter()
        .flat_map(|p| p.spans.iter().map(|x| x.to_ms))
        .chain(s.duration_ms)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let x = |ms: u64| (ms as f64 / end * STRIP_WIDTH * 10.0).round() / 10.0;
    s.probes
        .iter()
        .map(|p| {
            let ok = match p.role {
                ProbeRole::Hypothesis => !p.spans.is_empty() && p.spans.iter().all(|x| x.ok),
                ProbeRole::Safeguard => p.fired_at_ms.is_none(),
            };
            let verdict = match (p.role, ok) {
                (ProbeRole::Hypothesis, true) => "held",
                (ProbeRole::Hypothesis, false) if p.spans.is_empty() => "never looked at",
                (ProbeRole::Hypothesis, false) => "did not hold",
                (ProbeRole::Safeguard, true) => "never fired",
                (ProbeRole::Safeguard, false) => "fired",
            };
            ProbeView {
                role: match p.role {
                    ProbeRole::Hypothesis => "hypothesis",
                    ProbeRole::Safeguard => "safeguard",
                },
                description: p.description.clone(),
                verdict,
                ok,
                line: p.line,
                // A span lasts until the next one starts: between two
                // looks the state is the last one seen.
                spans: p
                    .spans
                    .iter()
                    .enumerate()
                    .map(|(i, sp)| SpanView {
                        x: x(sp.from_ms),
                        w: (x(p.spans.get(i + 1).map_or(sp.to_ms, |n| n.from_ms)) - x(sp.from_ms))
                            .max(2.0),
                        ok: sp.ok,
                        title: format!(
                            "{} to {}: {} look{}, {}",
                            offset(sp.from_ms),
                            offset(sp.to_ms),
                            sp.looks,
                            if sp.looks == 1 { "" } else { "s" },
                            sp.detail
                        ),
                    })
                    .collect(),
                fired_x: p.fired_at_ms.map(x),
                fired_at: p.fired_at_ms.map(offset),
                broken: p
                    .spans
                    .iter()
                    .filter(|sp| !sp.ok)
                    .map(|sp| {
                        format!(
                            "{} to {}: {}",
                            offset(sp.from_ms),
                            offset(sp.to_ms),
                            sp.detail
                        )
                    })
                    .collect(),
            }
        })
        .collect()
}

fn status_class(status: u16) -> String {
    format!("c-{}", super::super::traffic::class(status))
}

fn journal_row(v: &Value) -> JournalRow {
    let text = |k: &str| match v.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let status = v.get("status").and_then(Value::as_u64).unwrap_or(0);
    let mut request = format!("{} {}", text("method"), text("path"));
    let query = text("query");
    if !query.is_empty() {
        request = format!("{request}?{query}");
    }
    JournalRow {
        seq: text("seq"),
        time: text("time"),
        target: text("target"),
        request,
        status: if status == 0 {
            "no answer".into()
        } else {
            status.to_string()
        },
        status_class: status_class(u16::try_from(status).unwrap_or(0)),
        person: text("person"),
        body: text("body"),
    }
}

fn times(p: &Option<Percentiles>) -> (String, String) {
    match p {
        Some(p) => (
            format!("p50 {}", seconds(p.p50)),
            format!(
                "p95 {} · max {} · {} {}",
                seconds(p.p95),
                seconds(p.max),
                p.count,
                if p.count == 1 { "person" } else { "people" }
            ),
        ),
        None => ("–".into(), "none completed".into()),
    }
}

fn slis(s: &Slis) -> Vec<Sli> {
    let (prov, prov_detail) = times(&s.time_to_provision_ms);
    let (deprov, deprov_detail) = times(&s.time_to_deprovision_ms);
    let statuses: Vec<String> = s
        .errors_by_status
        .iter()
        .map(|(code, c)| format!("{code}: {} ({})", c.count, percent(c.rate)))
        .collect();
    let drifted: u64 = s.drifted.values().sum();
    vec![
        Sli {
            label: "success rate",
            value: percent(s.success_rate),
            detail: format!("{} of {} operations completed", s.completed, s.operations),
            bad: s.completed < s.operations,
        },
        Sli {
            label: "time to provision",
            value: prov,
            detail: prov_detail,
            bad: false,
        },
        Sli {
            label: "time to deprovision",
            value: deprov,
            detail: deprov_detail,
            bad: false,
        },
        Sli {
            label: "error rate",
            value: percent(s.error_rate),
            detail: if statuses.is_empty() {
                format!("{} requests, none failed", s.requests)
            } else {
                format!("of {} requests: {}", s.requests, statuses.join(", "))
            },
            bad: false,
        },
        Sli {
            label: "retry rate",
            value: percent(s.retry_rate),
            detail: format!("{} of {} writes repeated a failed one", s.retries, s.writes),
            bad: false,
        },
        Sli {
            label: "largest backlog",
            value: s
                .max_pending
                .as_ref()
                .map_or("–".into(), |b| b.pending.to_string()),
            detail: s.max_pending.as_ref().map_or_else(
                || "no alert reported one".into(),
                |b| format!("{} at {}", b.target, offset(b.at_ms)),
            ),
            bad: false,
        },
        Sli {
            label: "drifted accounts",
            value: drifted.to_string(),
            detail: if s.drifted.is_empty() {
                "every target matches the source of truth".into()
            } else {
                s.drifted
                    .iter()
                    .map(|(t, n)| format!("{t}: {n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            bad: drifted > 0,
        },
    ]
}
