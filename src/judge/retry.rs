//! `no_retry_storm`, `honors_retry_after` and `latency` (SPEC §5.1): how
//! the connector paced its requests, judged from the target's journal.

use super::check::CheckName;
use super::evidence::{Evidence, Request, since};
use super::result::CheckResult;
use crate::contract::event::EventKind;
use std::time::Duration;

/// Requests arriving this soon after a `Retry-After` answer do not count
/// against it: they were in flight already (SPEC §5.1).
pub const RETRY_AFTER_GRACE: Duration = Duration::from_millis(100);

/// Whether `status` says "do not send this again as it is".
fn non_retryable(status: u16) -> bool {
    matches!(status, 400 | 401 | 403 | 404 | 409)
}

fn same_request(a: &Request, b: &Request) -> bool {
    a.method == b.method && a.path == b.path && a.query == b.query && a.body == b.body
}

/// `no_retry_storm`: after a non-retryable answer the identical request
/// was sent at most `max` more times (a 401 is forgiven once the token
/// changed), and no failing request was repeated sooner than
/// `backoff_floor` after it failed.
pub fn judge_no_retry_storm(
    index: usize,
    target: &str,
    max: u32,
    backoff_floor: Duration,
    e: &Evidence,
) -> CheckResult {
    let requests = e.requests_of(target);
    let rotations = e.rotations.get(target).map_or(&[][..], Vec::as_slice);
    let mut problems = Vec::new();
    for (i, failed) in requests.iter().enumerate() {
        if !failed.failed() {
            continue;
        }
        let repeats: Vec<&Request> = requests[i + 1..]
            .iter()
            .filter(|r| same_request(r, failed))
            .collect();
        if let Some(next) = repeats.first() {
            let gap = since(failed.at, next.at);
            if gap < backoff_floor {
                problems.push(format!(
                    "{} {} failed ({}) at {} and was sent again {} ms later (backoff floor {} ms)",
                    failed.method,
                    failed.path,
                    failed.status,
                    e.offset(failed.at),
                    gap.as_millis(),
                    backoff_floor.as_millis()
                ));
            }
        }
        if non_retryable(failed.status) {
            // The first non-retryable answer of a run of identical requests
            // is the one the run is counted from.
            let earlier = requests[..i]
                .iter()
                .any(|r| same_request(r, failed) && r.status == failed.status);
            let counted: Vec<&&Request> = repeats
                .iter()
                .filter(|r| {
                    failed.status != 401 || !rotations.iter().any(|t| *t > failed.at && *t <= r.at)
                })
                .collect();
            if !earlier && counted.len() > max as usize {
                problems.push(format!(
                    "{} {} answered {} at {} was sent {} more times (at most {max} allowed for a non-retryable answer)",
                    failed.method,
                    failed.path,
                    failed.status,
                    e.offset(failed.at),
                    counted.len()
                ));
            }
        }
    }
    let passed = problems.is_empty();
    let message = if passed {
        format!(
            "no retry storm against {target} ({} requests)",
            requests.len()
        )
    } else {
        problems.dedup();
        format!("retry storm against {target}:\n  {}", problems.join("\n  "))
    };
    CheckResult::new(index, CheckName::NoRetryStorm, target, passed, message)
}

/// `honors_retry_after`: no request reached the target while a
/// `Retry-After` it had answered was still running.
pub fn judge_honors_retry_after(index: usize, target: &str, e: &Evidence) -> CheckResult {
    let requests = e.requests_of(target);
    let mut problems = Vec::new();
    for answer in requests {
        let Some(wait) = answer.retry_after else {
            continue;
        };
        let early: Vec<&Request> = requests
            .iter()
            .filter(|r| r.at > answer.at)
            .filter(|r| {
                let after = since(answer.at, r.at);
                after > RETRY_AFTER_GRACE && after < wait
            })
            .collect();
        if let Some(first) = early.first() {
            problems.push(format!(
                "{} at {} answered {} with Retry-After {}s, but {} {} arrived {:.1}s later ({} early request{})",
                answer.path,
                e.offset(answer.at),
                answer.status,
                wait.as_secs(),
                first.method,
                first.path,
                since(answer.at, first.at).as_secs_f64(),
                early.len(),
                if early.len() == 1 { "" } else { "s" }
            ));
        }
    }
    let passed = problems.is_empty();
    let asked = requests.iter().filter(|r| r.retry_after.is_some()).count();
    let message = if passed {
        format!("every Retry-After from {target} was honoured ({asked} answers carried one)")
    } else {
        format!(
            "Retry-After not honoured by the connector:\n  {}",
            problems.join("\n  ")
        )
    };
    CheckResult::new(index, CheckName::HonorsRetryAfter, target, passed, message)
}

/// `latency`: from each provisioning (deprovisioning) event to the first
/// successful write for that person took at most the bound. The bounds are
/// the connector's own speed, so `--time-scale` does not shrink them.
pub fn judge_latency(
    index: usize,
    target: &str,
    provision: Option<Duration>,
    deprovision: Option<Duration>,
    e: &Evidence,
) -> CheckResult {
    let mut problems = Vec::new();
    let mut measured = 0;
    for ev in &e.events {
        let bound = match ev.kinds.get(target) {
            Some(EventKind::Provision) => provision,
            Some(EventKind::Deprovision) => deprovision,
            _ => None,
        };
        let Some(bound) = bound else { continue };
        let write = e
            .requests_of(target)
            .iter()
            .find(|r| r.is_write() && r.succeeded() && r.at >= ev.sent_at && r.person == ev.person);
        let who = ev.person.as_deref().unwrap_or("?");
        match write {
            None => problems.push(format!(
                "{} ({who}) sent at {} never reached {target}",
                ev.id,
                e.offset(ev.sent_at)
            )),
            Some(w) => {
                measured += 1;
                let took = since(ev.sent_at, w.at);
                if took > bound {
                    problems.push(format!(
                        "{} ({who}) took {:.1}s to reach {target} (at most {:.1}s)",
                        ev.id,
                        took.as_secs_f64(),
                        bound.as_secs_f64()
                    ));
                }
            }
        }
    }
    let passed = problems.is_empty();
    let message = if passed {
        format!("{measured} events reached {target} within their bounds")
    } else {
        format!("too slow for {target}:\n  {}", problems.join("\n  "))
    };
    CheckResult::new(index, CheckName::Latency, target, passed, message)
}

#[cfg(test)]
mod tests;
