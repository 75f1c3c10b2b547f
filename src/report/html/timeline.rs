//! A scenario's timeline as inline SVG geometry: a lane of events sent
//! (counted in time buckets), a lane of steps, and a lane per target with
//! its requests stacked by outcome class per bucket, its faults as bands,
//! its token rotations and network steps as lines, its alerts as dots and
//! the moment each outage ended. Every mark carries a title (the words a
//! tooltip and a screen reader give); the template only draws.

use super::super::model::{ScenarioReport, TimelineKind};
use super::super::traffic::CLASSES;
use super::offset;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

const WIDTH: f64 = 1000.0;
const LEFT: f64 = 150.0;
const RIGHT: f64 = 12.0;
const AXIS: f64 = 22.0;
const EVENTS_H: f64 = 34.0;
const STEPS_H: f64 = 22.0;
const TARGET_H: f64 = 74.0;
const BARS_H: f64 = 48.0;
/// Events in a bucket named in its title before "and N more".
const NAMED: usize = 3;

#[derive(Debug, Serialize)]
pub struct Svg {
    pub width: f64,
    pub height: f64,
    pub ticks: Vec<Tick>,
    pub lanes: Vec<Lane>,
    pub rects: Vec<Shape>,
    pub lines: Vec<Shape>,
    pub dots: Vec<Shape>,
    pub diamonds: Vec<Shape>,
}

#[derive(Debug, Serialize)]
pub struct Tick {
    pub x: String,
    pub label: String,
}

#[derive(Debug, Serialize)]
pub struct Lane {
    pub y: String,
    pub mid: String,
    pub h: String,
    pub label: String,
}

/// A rectangle (x, y, w, h), a vertical line (x, from y to h) or a dot
/// or diamond (x, y).
#[derive(Debug, Serialize)]
pub struct Shape {
    pub x: String,
    pub y: String,
    pub w: String,
    pub h: String,
    pub class: String,
    pub title: String,
}

fn n(v: f64) -> String {
    format!("{v:.1}")
}

fn shape(x: f64, y: f64, w: f64, h: f64, class: &str, title: String) -> Shape {
    Shape {
        x: n(x),
        y: n(y),
        w: n(w),
        h: n(h),
        class: class.to_owned(),
        title,
    }
}

/// The span the axis covers, in milliseconds: the scenario's duration or
/// its last mark, whichever is later.
fn span(s: &ScenarioReport) -> u64 {
    let mut end = s.duration_ms.unwrap_or(0);
    end = end.max(s.timeline.iter().map(|t| t.at_ms).max().unwrap_or(0));
    end = end.max(s.alerts.iter().map(|a| a.at_ms).max().unwrap_or(0));
    if let Some(t) = &s.traffic {
        for tt in &t.targets {
            if let Some(b) = tt.buckets.last() {
                end = end.max(b.start_ms + t.bucket_ms);
            }
        }
    }
    end.max(1)
}

/// A tick step giving about eight ticks.
fn tick_step(span: u64) -> u64 {
    const STEPS: [u64; 13] = [
        100, 250, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000,
        600_000,
    ];
    STEPS
        .into_iter()
        .find(|s| span / s <= 8)
        .unwrap_or_else(|| (span / 8).max(1))
}

/// The timeline of `s`; `None` when nothing happened in it.
pub fn svg(s: &ScenarioReport) -> Option<Svg> {
    if s.timeline.is_empty() && s.traffic.is_none() && s.alerts.is_empty() {
        return None;
    }
    let span = span(s);
    let x = |ms: u64| LEFT + (ms as f64 / span as f64) * (WIDTH - LEFT - RIGHT);
    let mut svg = Svg {
        width: WIDTH,
        height: 0.0,
        ticks: Vec::new(),
        lanes: Vec::new(),
        rects: Vec::new(),
        lines: Vec::new(),
        dots: Vec::new(),
        diamonds: Vec::new(),
    };
    let step = tick_step(span);
    let mut t = 0;
    while t <= span {
        svg.ticks.push(Tick {
            x: n(x(t)),
            label: offset(t),
        });
        t += step;
    }
    let mut y = AXIS;
    let mut lane = |svg: &mut Svg, label: &str, h: f64| {
        svg.lanes.push(Lane {
            y: n(y),
            mid: n(y + h / 2.0 + 4.0),
            h: n(h),
            label: label.to_owned(),
        });
        let top = y;
        y += h;
        top
    };
    let bucket_ms = s
        .traffic
        .as_ref()
        .map_or_else(|| (span / 100).max(100), |t| t.bucket_ms);

    // Events sent, counted per bucket.
    let top = lane(&mut svg, "events sent", EVENTS_H);
    let mut events: BTreeMap<u64, Vec<&str>> = BTreeMap::new();
    for e in s.timeline.iter().filter(|e| e.kind == TimelineKind::Event) {
        events
            .entry(e.at_ms / bucket_ms * bucket_ms)
            .or_default()
            .push(&e.summary);
    }
    let most = events.values().map(Vec::len).max().unwrap_or(1) as f64;
    for (start, list) in &events {
        let h = (list.len() as f64 / most * (EVENTS_H - 8.0)).max(2.0);
        let w = (x(start + bucket_ms) - x(*start) - 0.5).max(1.5);
        svg.rects.push(shape(
            x(*start),
            top + EVENTS_H - 4.0 - h,
            w,
            h,
            "ev",
            events_title(*start, bucket_ms, list),
        ));
    }

    // Steps: waits, restarts, seeding, and token rotations (drawn on their
    // target's lane too).
    let top = lane(&mut svg, "steps", STEPS_H);
    for e in s.timeline.iter().filter(|e| e.kind == TimelineKind::Step) {
        let who = e
            .target
            .as_deref()
            .map(|t| format!(" ({t})"))
            .unwrap_or_default();
        svg.diamonds.push(shape(
            x(e.at_ms),
            top + STEPS_H / 2.0,
            0.0,
            0.0,
            "step",
            format!("{} {}{who}", offset(e.at_ms), e.summary),
        ));
    }

    // One lane per target.
    let mut targets: Vec<String> = s
        .traffic
        .iter()
        .flat_map(|t| t.targets.iter().map(|t| t.target.clone()))
        .collect();
    for t in s.timeline.iter().filter_map(|e| e.target.clone()) {
        if !targets.contains(&t) {
            targets.push(t);
        }
    }
    let busiest = s
        .traffic
        .iter()
        .flat_map(|t| &t.targets)
        .flat_map(|t| &t.buckets)
        .map(|b| b.counts.values().sum::<u64>())
        .max()
        .unwrap_or(1) as f64;
    for target in &targets {
        let top = lane(&mut svg, target, TARGET_H);
        let base = top + TARGET_H - 6.0;
        let traffic = s
            .traffic
            .as_ref()
            .and_then(|t| t.targets.iter().find(|tt| &tt.target == target));
        if let Some(tt) = traffic {
            for f in &tt.faults {
                let end = f.end_ms.unwrap_or(span);
                let class = f.class.map_or(String::new(), |c| {
                    serde_json::to_value(c)
                        .ok()
                        .and_then(|v| v.as_str().map(|s| format!(" ({s})")))
                        .unwrap_or_default()
                });
                svg.rects.push(shape(
                    x(f.start_ms),
                    top + 2.0,
                    (x(end) - x(f.start_ms)).max(1.5),
                    TARGET_H - 6.0,
                    "fault",
                    format!(
                        "fault{class} on {target} from {} to {}",
                        offset(f.start_ms),
                        f.end_ms.map_or("the end".to_owned(), offset)
                    ),
                ));
            }
            for b in &tt.buckets {
                let w = (x(b.start_ms + bucket_ms) - x(b.start_ms) - 0.5).max(1.5);
                let mut at = base;
                for class in CLASSES {
                    let Some(count) = b.counts.get(class) else {
                        continue;
                    };
                    let h = (*count as f64 / busiest * BARS_H).max(1.0);
                    at -= h;
                    svg.rects.push(shape(
                        x(b.start_ms),
                        at,
                        w,
                        h,
                        &format!("c-{class}"),
                        format!(
                            "{target} {}–{}: {count} × {class}",
                            offset(b.start_ms),
                            offset(b.start_ms + bucket_ms)
                        ),
                    ));
                }
            }
            for r in &tt.replay {
                svg.lines.push(shape(
                    x(r.recovered_ms),
                    top + 2.0,
                    0.0,
                    top + TARGET_H - 4.0,
                    "recovered",
                    format!(
                        "{target} recovered at {}: replay of {} writes begins",
                        offset(r.recovered_ms),
                        r.writes.len() as u64 + r.more
                    ),
                ));
            }
        }
        for e in s
            .timeline
            .iter()
            .filter(|e| e.target.as_ref() == Some(target))
        {
            let class = match (e.kind, e.summary.as_str()) {
                (TimelineKind::Step, "token rotated") => "rotation",
                (TimelineKind::Fault, _) => "switch",
                _ => continue,
            };
            svg.lines.push(shape(
                x(e.at_ms),
                top + 2.0,
                0.0,
                top + TARGET_H - 4.0,
                class,
                format!("{} {target}: {}", offset(e.at_ms), e.summary),
            ));
        }
        for a in s
            .alerts
            .iter()
            .filter(|a| alert_target(&a.payload) == Some(target))
        {
            let status = field(&a.payload, "status");
            let class = field(&a.payload, "class");
            svg.dots.push(shape(
                x(a.at_ms),
                top + 9.0,
                0.0,
                0.0,
                &format!("alert a-{}", css_word(&status)),
                format!(
                    "{} alert from the connector: {target} {status} ({class})",
                    offset(a.at_ms)
                ),
            ));
        }
    }
    svg.height = y + 4.0;
    Some(svg)
}

fn events_title(start: u64, bucket_ms: u64, list: &[&str]) -> String {
    let named: Vec<&str> = list.iter().take(NAMED).copied().collect();
    let more = list.len().saturating_sub(NAMED);
    let mut title = format!(
        "{}–{}: {} event{} sent: {}",
        offset(start),
        offset(start + bucket_ms),
        list.len(),
        if list.len() == 1 { "" } else { "s" },
        named.join("; ")
    );
    if more > 0 {
        title.push_str(&format!("; and {more} more (see the table)"));
    }
    title
}

/// A string field of an alert payload, `?` when absent.
pub fn field(payload: &Value, name: &str) -> String {
    payload
        .get(name)
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_owned()
}

pub fn alert_target(payload: &Value) -> Option<&String> {
    match payload.get("target") {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// A word safe in a class attribute: letters, digits, `-` and `_` only.
pub fn css_word(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
