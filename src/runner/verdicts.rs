//! Every check of a scenario judged (SPEC §5.1): each `expect` entry for
//! each target it covers, the implicit final state, `settled` waits that
//! gave up, `connector_alive` and, with an audit URL, `audit`.

use super::live::Live;
use super::settle::{snapshot, state_verdict};
use crate::contract::audit::AuditRecord;
use crate::judge::evidence::Evidence;
use crate::judge::{self, CheckResult};
use crate::scenario::Check;

/// What the connector's process did, for `connector_alive`.
pub(crate) enum Alive {
    Yes,
    /// It exited or stopped answering: why, with its last log lines.
    No(String),
}

pub(crate) fn judge_all(
    live: &Live<'_>,
    e: &Evidence,
    alive: &Alive,
    audit: Option<Result<Vec<AuditRecord>, String>>,
) -> Vec<CheckResult> {
    let scenario = live.scenario;
    let mut out = Vec::new();
    for expect in &scenario.checks {
        let targets = match &expect.target {
            Some(t) => vec![t.clone()],
            None => scenario.target_names(),
        };
        for target in &targets {
            out.push(judge_one(live, e, expect.index, target, &expect.check));
        }
    }
    let next = scenario
        .checks
        .iter()
        .map(|c| c.index + 1)
        .max()
        .unwrap_or(0);
    for (step, why) in &live.unsettled {
        out.push(CheckResult::new(
            next,
            "settled",
            "*",
            false,
            format!("wait: settled at step {} gave up: {why}", step + 1),
        ));
    }
    out.push(match alive {
        // An exec delivery killed at its timeout: the connector stopped
        // answering (SPEC §5.1), though no process of it exited.
        Alive::Yes if !live.hung.is_empty() => CheckResult::new(
            next,
            "connector_alive",
            "*",
            false,
            format!(
                "the connector stopped answering: {} event deliveries never finished:\n  {}",
                live.hung.len(),
                live.hung.join("\n  ")
            ),
        ),
        Alive::Yes => CheckResult::new(
            next,
            "connector_alive",
            "*",
            true,
            "the connector stayed up".into(),
        ),
        Alive::No(why) => CheckResult::new(next, "connector_alive", "*", false, why.clone()),
    });
    if let Some(audit) = audit {
        out.push(judge_audit(next + 1, live, audit));
    }
    out
}

fn judge_one(
    live: &Live<'_>,
    e: &Evidence,
    index: usize,
    target: &str,
    check: &Check,
) -> CheckResult {
    let people = &live.scenario.people;
    match check {
        Check::Alert {
            class,
            status,
            within,
            fields,
        } => judge::judge_alert(index, target, *class, *status, *within, fields, e),
        Check::NoAlert { within } => judge::judge_no_alert(index, target, *within, e),
        Check::AlertResolved { within } => judge::judge_alert_resolved(index, target, *within, e),
        Check::Replay { .. } => judge::judge_replay(index, target, e),
        Check::State | Check::NoTwins => {
            let Some(state) = live.target(target) else {
                return CheckResult::new(
                    index,
                    check.name(),
                    target,
                    false,
                    format!("no target {target}"),
                );
            };
            if matches!(check, Check::NoTwins) {
                judge::judge_no_twins(index, target, people, &snapshot(state).0)
            } else {
                state_verdict(live, index, state)
            }
        }
        Check::NoRetryStorm { max, backoff_floor } => {
            judge::judge_no_retry_storm(index, target, *max, *backoff_floor, e)
        }
        Check::HonorsRetryAfter => judge::judge_honors_retry_after(index, target, e),
        Check::Latency {
            provision,
            deprovision,
        } => judge::judge_latency(index, target, *provision, *deprovision, e),
    }
}

/// `audit` (SPEC §5.1): every replayed record keeps its event's original
/// `occurred_at` (to the millisecond, as it was sent).
fn judge_audit(
    index: usize,
    live: &Live<'_>,
    audit: Result<Vec<AuditRecord>, String>,
) -> CheckResult {
    let records = match audit {
        Ok(r) => r,
        Err(why) => {
            return CheckResult::new(
                index,
                "audit",
                "*",
                false,
                format!("the audit could not be read: {why}"),
            );
        }
    };
    let mut wrong = Vec::new();
    let mut replayed = 0;
    for r in records.iter().filter(|r| r.replayed) {
        replayed += 1;
        let Some(sent) = live.occurred.get(&r.event_id) else {
            wrong.push(format!(
                "{} on {}: no such event was sent",
                r.event_id, r.target
            ));
            continue;
        };
        if (r.original_at - *sent).num_milliseconds().abs() > 0 {
            wrong.push(format!(
                "{} on {}: original_at {} but the event occurred at {}",
                r.event_id,
                r.target,
                r.original_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                sent.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            ));
        }
    }
    let passed = wrong.is_empty();
    let message = if passed {
        format!("{replayed} replayed records keep their original event time")
    } else {
        format!(
            "replayed records lost their original time:\n  {}",
            wrong.join("\n  ")
        )
    };
    CheckResult::new(index, "audit", "*", passed, message)
}
