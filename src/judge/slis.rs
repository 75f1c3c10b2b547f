//! The provisioning SLIs of one scenario (docs/reports.md, "SLIs"): the
//! numbers a team tracks for its connector in production, computed from
//! the same evidence the checks read. They judge nothing; the JSON and
//! HTML reports carry them.

use super::evidence::{Evidence, Instant, Request};
use super::state::drifted_people;
use crate::contract::event::EventKind;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The SLIs of one scenario. Times are scenario milliseconds (wall time
/// multiplied by `--time-scale`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "slis")]
pub struct Slis {
    /// Provision and deprovision operations: one per event and target it asks to provision or deprovision a person on.
    pub operations: u64,
    /// Operations a successful write for the person reached the target for, at or after the event and before the person's next event for that target.
    pub completed: u64,
    /// completed / operations; 1 when there was no operation.
    pub success_rate: f64,
    /// From a provision event to its first successful write, over completed provisions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Percentiles")]
    pub time_to_provision_ms: Option<Percentiles>,
    /// From a deprovision event to its first successful write, over completed deprovisions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Percentiles")]
    pub time_to_deprovision_ms: Option<Percentiles>,
    /// Every request the targets received.
    pub requests: u64,
    /// Requests answered with a status of 400 or more, or never answered: failed / requests (0 when none).
    pub error_rate: f64,
    /// Failed requests by status code (`dropped`: never answered).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub errors_by_status: BTreeMap<String, StatusCount>,
    /// Write requests (POST, PUT, PATCH, DELETE; not `/.search`).
    pub writes: u64,
    /// Writes that repeat a failed write: same target, method, path and person (or body when no person is known), with no success of it in between.
    pub retries: u64,
    /// retries / writes; 0 when there was no write.
    pub retry_rate: f64,
    /// The largest backlog the connector reported in an alert's `pending` (all kinds added up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Backlog")]
    pub max_pending: Option<Backlog>,
    /// People whose account differs from the source of truth at the end, by target (the `state` check's differences).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub drifted: BTreeMap<String, u64>,
}

/// Nearest-rank percentiles of a set of durations, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "percentiles")]
pub struct Percentiles {
    pub count: u64,
    pub p50: u64,
    pub p95: u64,
    pub max: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "statusCount")]
pub struct StatusCount {
    pub count: u64,
    /// count / requests.
    pub rate: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "backlog")]
pub struct Backlog {
    pub pending: u64,
    pub target: String,
    /// Milliseconds since the scenario started (wall time).
    pub at_ms: u64,
}

impl Percentiles {
    /// `None` for no values. Nearest rank: the p-th percentile of n sorted
    /// values is the value at rank ⌈p·n/100⌉.
    pub fn of(mut values: Vec<u64>) -> Option<Percentiles> {
        if values.is_empty() {
            return None;
        }
        values.sort_unstable();
        let n = values.len();
        let rank = |p: usize| values[(p * n).div_ceil(100).max(1) - 1];
        Some(Percentiles {
            count: n as u64,
            p50: rank(50),
            p95: rank(95),
            max: values[n - 1],
        })
    }
}

fn ratio(part: u64, whole: u64, empty: f64) -> f64 {
    if whole == 0 {
        empty
    } else {
        part as f64 / whole as f64
    }
}

/// The SLIs of the scenario `e` holds the evidence of.
pub fn slis(e: &Evidence) -> Slis {
    let scale = if e.time_scale > 0.0 {
        e.time_scale
    } else {
        1.0
    };
    let scenario_ms = |from: Instant, to: Instant| {
        let wall = (to - from).num_milliseconds().max(0) as f64;
        (wall * scale).round() as u64
    };
    let (mut operations, mut completed) = (0, 0);
    let (mut provision, mut deprovision) = (Vec::new(), Vec::new());
    for (target, requests) in &e.requests {
        let mut writes: HashMap<&str, Vec<&Request>> = HashMap::new();
        for r in requests.iter().filter(|r| r.is_write() && r.succeeded()) {
            if let Some(p) = &r.person {
                writes.entry(p).or_default().push(r);
            }
        }
        for w in writes.values_mut() {
            w.sort_by_key(|r| (r.at, r.seq));
        }
        // Each person's events for this target, in the order sent.
        let mut events: HashMap<&str, Vec<(Instant, EventKind)>> = HashMap::new();
        for ev in &e.events {
            if let (Some(person), Some(kind)) = (&ev.person, ev.kinds.get(target)) {
                events.entry(person).or_default().push((ev.sent_at, *kind));
            }
        }
        for (person, mut list) in events {
            list.sort_by_key(|(at, _)| *at);
            let done = writes.get(person).map_or(&[][..], Vec::as_slice);
            for (i, (sent, kind)) in list.iter().enumerate() {
                let times = match kind {
                    EventKind::Provision => &mut provision,
                    EventKind::Deprovision => &mut deprovision,
                    EventKind::Update | EventKind::Reconcile => continue,
                };
                operations += 1;
                let until = list.get(i + 1).map(|(at, _)| *at);
                let first = done
                    .iter()
                    .find(|r| r.at >= *sent && until.is_none_or(|u| r.at < u));
                if let Some(r) = first {
                    completed += 1;
                    times.push(scenario_ms(*sent, r.at));
                }
            }
        }
    }
    let all = || e.requests.values().flatten();
    let requests = all().count() as u64;
    let mut errors_by_status: BTreeMap<String, StatusCount> = BTreeMap::new();
    for r in all().filter(|r| r.failed()) {
        let key = if r.status == 0 {
            "dropped".to_owned()
        } else {
            r.status.to_string()
        };
        errors_by_status
            .entry(key)
            .or_insert(StatusCount {
                count: 0,
                rate: 0.0,
            })
            .count += 1;
    }
    let failed: u64 = errors_by_status.values().map(|s| s.count).sum();
    for s in errors_by_status.values_mut() {
        s.rate = ratio(s.count, requests, 0.0);
    }
    let (writes, retries) = retries(e);
    let max_pending = e
        .alerts
        .iter()
        .filter_map(|a| {
            let pending: u64 = a.pending.as_ref()?.values().sum();
            Some(Backlog {
                pending,
                target: a.target.clone(),
                at_ms: e.started.map_or(0, |s| {
                    u64::try_from((a.received_at - s).num_milliseconds()).unwrap_or(0)
                }),
            })
        })
        // The first of equal peaks.
        .fold(None, |best: Option<Backlog>, b| match best {
            Some(x) if x.pending >= b.pending => Some(x),
            _ => Some(b),
        });
    Slis {
        operations,
        completed,
        success_rate: ratio(completed, operations, 1.0),
        time_to_provision_ms: Percentiles::of(provision),
        time_to_deprovision_ms: Percentiles::of(deprovision),
        requests,
        error_rate: ratio(failed, requests, 0.0),
        errors_by_status,
        writes,
        retries,
        retry_rate: ratio(retries, writes, 0.0),
        max_pending,
        drifted: drifted_people(e)
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .collect(),
    }
}

/// (writes, retries) over every target.
fn retries(e: &Evidence) -> (u64, u64) {
    let (mut writes, mut retries) = (0, 0);
    for requests in e.requests.values() {
        // Whether the last write of each (method, path, person or body)
        // failed.
        let mut failed_last: HashMap<(&str, &str, &str), bool> = HashMap::new();
        let mut ordered: Vec<&Request> = requests.iter().filter(|r| r.is_write()).collect();
        ordered.sort_by_key(|r| (r.at, r.seq));
        for r in ordered {
            writes += 1;
            let who = r.person.as_deref().unwrap_or(r.body.as_str());
            let last = failed_last.insert((&r.method, &r.path, who), r.failed());
            if last == Some(true) {
                retries += 1;
            }
        }
    }
    (writes, retries)
}

#[cfg(test)]
mod tests;
