//! A game day's hypotheses and safeguards as the report keeps them: each
//! with its state over time, in milliseconds from the start like the
//! timeline, for the HTML report's strips and for tools reading the JSON.

use crate::judge::evidence::{Evidence, ProbeRole};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One hypothesis or safeguard of a game day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "probe")]
pub struct ProbeReport {
    /// `hypothesis` or `safeguard`.
    pub role: ProbeRole,
    /// Its key in the game-day file: `error_rate`, `no_active_leaver`, `no_twins`, `state`.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub target: Option<String>,
    /// As a person reads it: `error_rate of slack below 5% over 1m`.
    pub description: String,
    /// Its line in the game-day file.
    pub line: u64,
    /// When a safeguard fired, from the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u64")]
    pub fired_at_ms: Option<u64>,
    /// Consecutive looks with the same outcome, oldest first.
    pub spans: Vec<ProbeSpanReport>,
}

/// Looks that came out alike: for a hypothesis `ok` means it held, for a
/// safeguard that it did not fire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "probe_span")]
pub struct ProbeSpanReport {
    pub from_ms: u64,
    pub to_ms: u64,
    pub ok: bool,
    pub looks: u32,
    /// The highest measured value (an error rate, as a fraction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "f64")]
    pub worst: Option<f64>,
    /// What the span's first look saw.
    pub detail: String,
}

/// The evidence's probe traces as the report keeps them.
pub fn probes(e: &Evidence) -> Vec<ProbeReport> {
    let ms = |at: crate::judge::evidence::Instant| match e.started {
        Some(start) => u64::try_from((at - start).num_milliseconds()).unwrap_or(0),
        None => 0,
    };
    e.probes
        .iter()
        .map(|p| ProbeReport {
            role: p.role,
            name: p.name.clone(),
            target: p.target.clone(),
            description: p.description.clone(),
            line: p.line,
            fired_at_ms: p.fired_at.map(ms),
            spans: p
                .spans
                .iter()
                .map(|s| ProbeSpanReport {
                    from_ms: ms(s.from),
                    to_ms: ms(s.to),
                    ok: s.ok,
                    looks: s.looks,
                    worst: s.worst,
                    detail: s.detail.clone(),
                })
                .collect(),
        })
        .collect()
}
