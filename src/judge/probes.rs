//! A game day's hypotheses and safeguards, judged from their traces: a
//! hypothesis passes when it held every time it was looked at, a safeguard
//! when it never fired. The runner looks at them while the game day runs;
//! here only the record is read.

use super::check::CheckName;
use super::evidence::{Evidence, ProbeRole, ProbeTrace};
use super::result::CheckResult;
use crate::scenario::gameday::percent;

/// One verdict per probe, from `index` on, in the file's order.
pub fn judge_probes(index: usize, e: &Evidence) -> Vec<CheckResult> {
    e.probes
        .iter()
        .enumerate()
        .map(|(i, p)| judge_probe(index + i, p, e))
        .collect()
}

fn judge_probe(index: usize, p: &ProbeTrace, e: &Evidence) -> CheckResult {
    let target = p.target.as_deref().unwrap_or("*");
    let looks: u32 = p.spans.iter().map(|s| s.looks).sum();
    let worst = p
        .spans
        .iter()
        .filter_map(|s| s.worst)
        .fold(None, |m: Option<f64>, w| Some(m.map_or(w, |m| m.max(w))));
    let worst = worst.map_or(String::new(), |w| format!(" (highest {})", percent(w)));
    match p.role {
        ProbeRole::Hypothesis => {
            let broken: Vec<String> = p
                .spans
                .iter()
                .filter(|s| !s.ok)
                .map(|s| {
                    format!(
                        "{} to {} ({} look{}): {}",
                        e.offset(s.from),
                        e.offset(s.to),
                        s.looks,
                        if s.looks == 1 { "" } else { "s" },
                        s.detail
                    )
                })
                .collect();
            let (passed, message) = if looks == 0 {
                (
                    false,
                    format!(
                        "{}: never looked at (the game day ended before its first look)",
                        p.description
                    ),
                )
            } else if broken.is_empty() {
                let at = if looks == 1 {
                    "its one look".to_owned()
                } else {
                    format!("all {looks} looks")
                };
                (true, format!("{}: held at {at}{worst}", p.description))
            } else {
                (
                    false,
                    format!(
                        "{}: did not hold{worst}:\n  {}",
                        p.description,
                        broken.join("\n  ")
                    ),
                )
            };
            CheckResult::new(index, CheckName::Hypothesis, target, passed, message)
        }
        ProbeRole::Safeguard => {
            let (passed, message) = match p.fired_at {
                Some(at) => {
                    let why = p
                        .spans
                        .iter()
                        .find(|s| !s.ok)
                        .map_or("", |s| s.detail.as_str());
                    (
                        false,
                        format!(
                            "{} fired at {}: {why}; the method stopped there and the game day rolled back",
                            p.description,
                            e.offset(at)
                        ),
                    )
                }
                None => (
                    true,
                    format!(
                        "{}: never fired in {looks} look{}{worst}",
                        p.description,
                        if looks == 1 { "" } else { "s" }
                    ),
                ),
            };
            CheckResult::new(index, CheckName::Safeguard, target, passed, message)
        }
    }
}
