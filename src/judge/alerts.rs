//! `alert`, `no_alert` and `alert_resolved` (SPEC §5.1): did the connector
//! say the right thing about a target at the right time, and only then?

use super::check::CheckName;
use super::evidence::{AlertRecord, Evidence, FaultWindow, Instant, since};
use super::result::CheckResult;
use crate::contract::alert::{AlertClass, AlertStatus};
use crate::contract::event::EventKind;
use crate::scenario::AlertField;
use std::collections::BTreeMap;
use std::time::Duration;

/// `first_failure_at` may differ this much from the first failing request.
pub const FIRST_FAILURE_TOLERANCE: Duration = Duration::from_secs(1);

fn status_word(s: AlertStatus) -> &'static str {
    match s {
        AlertStatus::Healthy => "healthy",
        AlertStatus::Degraded => "degraded",
        AlertStatus::Failed => "failed",
    }
}

fn class_word(c: Option<AlertClass>) -> String {
    c.and_then(|c| serde_json::to_value(c).ok())
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "(no class)".to_owned())
}

fn describe(e: &Evidence, a: &AlertRecord) -> String {
    format!(
        "{} {} at {}",
        status_word(a.status),
        class_word(a.class),
        e.offset(a.received_at)
    )
}

fn alerts_for<'a>(e: &'a Evidence, target: &'a str) -> impl Iterator<Item = &'a AlertRecord> {
    e.alerts.iter().filter(move |a| a.target == target)
}

/// The fault an expected alert answers: the first on the target whose
/// symptom has the expected class, else the first on the target.
fn fault_for<'a>(e: &'a Evidence, target: &str, class: AlertClass) -> Option<&'a FaultWindow> {
    let on_target = || e.faults.iter().filter(|f| f.target == target);
    on_target()
        .find(|f| f.class == Some(class))
        .or_else(|| on_target().next())
}

/// `alert`: an alert with that class and status arrived within `within`
/// of the fault's start, with the `fields` asked for right.
pub fn judge_alert(
    index: usize,
    target: &str,
    class: AlertClass,
    status: AlertStatus,
    within: Duration,
    fields: &[AlertField],
    e: &Evidence,
) -> CheckResult {
    let result =
        |passed, message| CheckResult::new(index, CheckName::Alert, target, passed, message);
    let wanted = format!(
        "a {} {} alert for {target}",
        status_word(status),
        class_word(Some(class))
    );
    let Some(fault) = fault_for(e, target, class) else {
        return result(
            false,
            format!("expected {wanted}, but no fault was switched on for {target}"),
        );
    };
    let deadline = e.wall(within);
    let matching = alerts_for(e, target).find(|a| {
        a.status == status
            && a.class == Some(class)
            && a.received_at >= fault.started
            && since(fault.started, a.received_at) <= deadline
    });
    let Some(alert) = matching else {
        let seen: Vec<String> = alerts_for(e, target).map(|a| describe(e, a)).collect();
        let instead = if seen.is_empty() {
            "no alert for it arrived at all".to_owned()
        } else {
            format!("received instead: {}", seen.join("; "))
        };
        return result(
            false,
            format!(
                "expected {wanted} within {:.1}s of the fault at {}; {instead}",
                deadline.as_secs_f64(),
                e.offset(fault.started)
            ),
        );
    };
    let mut problems = Vec::new();
    for field in fields {
        match field {
            AlertField::FirstFailureAt => {
                check_first_failure(e, target, fault, alert, &mut problems)
            }
            AlertField::Pending => check_pending(e, target, fault, alert, &mut problems),
        }
    }
    if problems.is_empty() {
        result(
            true,
            format!(
                "{} ({:.1}s after the fault)",
                describe(e, alert),
                since(fault.started, alert.received_at).as_secs_f64()
            ),
        )
    } else {
        result(
            false,
            format!("{}, but {}", describe(e, alert), problems.join("; ")),
        )
    }
}

fn check_first_failure(
    e: &Evidence,
    target: &str,
    fault: &FaultWindow,
    alert: &AlertRecord,
    problems: &mut Vec<String>,
) {
    let first = e
        .requests_of(target)
        .iter()
        .find(|r| r.at >= fault.started && r.failed());
    match (alert.first_failure_at, first) {
        (None, _) => problems.push("it carries no first_failure_at".into()),
        (Some(_), None) => problems.push("no request failed, yet it names a first failure".into()),
        (Some(said), Some(r)) => {
            let off = if said > r.at {
                since(r.at, said)
            } else {
                since(said, r.at)
            };
            if off > FIRST_FAILURE_TOLERANCE {
                problems.push(format!(
                    "first_failure_at {} is {:.1}s from the first failing request ({} {} at {})",
                    e.offset(said),
                    off.as_secs_f64(),
                    r.method,
                    r.path,
                    e.offset(r.at)
                ));
            }
        }
    }
}

/// Events for the target sent after the fault began and before the alert,
/// whose person had no successful write to the target since the event.
pub fn undelivered_at(
    e: &Evidence,
    target: &str,
    from: Instant,
    at: Instant,
) -> BTreeMap<EventKind, u64> {
    let mut out = BTreeMap::new();
    for ev in &e.events {
        let Some(kind) = ev.kinds.get(target) else {
            continue;
        };
        if ev.sent_at < from || ev.sent_at > at {
            continue;
        }
        let delivered = e.requests_of(target).iter().any(|r| {
            r.is_write()
                && r.succeeded()
                && r.at >= ev.sent_at
                && r.at <= at
                && r.person == ev.person
        });
        if !delivered {
            *out.entry(*kind).or_insert(0) += 1;
        }
    }
    out
}

fn check_pending(
    e: &Evidence,
    target: &str,
    fault: &FaultWindow,
    alert: &AlertRecord,
    problems: &mut Vec<String>,
) {
    let truth = undelivered_at(e, target, fault.started, alert.received_at);
    let Some(said) = &alert.pending else {
        problems.push("it carries no pending counts".into());
        return;
    };
    for kind in [
        EventKind::Deprovision,
        EventKind::Provision,
        EventKind::Update,
    ] {
        let want = truth.get(&kind).copied().unwrap_or(0);
        let got = said.get(&kind).copied().unwrap_or(0);
        if want != got {
            problems.push(
                format!("pending {kind:?} is {got}, but {want} such events were undelivered")
                    .to_lowercase(),
            );
        }
    }
}

/// `no_alert`: nothing was raised for the target (within `within` of the
/// start, when given).
pub fn judge_no_alert(
    index: usize,
    target: &str,
    within: Option<Duration>,
    e: &Evidence,
) -> CheckResult {
    let window_end = within
        .zip(e.started)
        .map(|(w, s)| s + chrono::Duration::from_std(e.wall(w)).unwrap_or_default());
    let raised: Vec<String> = alerts_for(e, target)
        .filter(|a| window_end.is_none_or(|end| a.received_at <= end))
        .map(|a| describe(e, a))
        .collect();
    let passed = raised.is_empty();
    let message = if passed {
        format!("no alert was raised for {target}")
    } else {
        format!(
            "expected no alert for {target}, received: {}",
            raised.join("; ")
        )
    };
    CheckResult::new(index, CheckName::NoAlert, target, passed, message)
}

/// `alert_resolved`: a healthy alert followed the recovery (the end of the
/// target's last fault) within `within`.
pub fn judge_alert_resolved(
    index: usize,
    target: &str,
    within: Duration,
    e: &Evidence,
) -> CheckResult {
    let result = |passed, message| {
        CheckResult::new(index, CheckName::AlertResolved, target, passed, message)
    };
    let Some(recovered) = e
        .faults
        .iter()
        .filter(|f| f.target == target)
        .filter_map(|f| f.ended)
        .max()
    else {
        return result(
            false,
            format!("no fault on {target} ended, so there was no recovery to report"),
        );
    };
    let deadline = e.wall(within);
    let healthy = alerts_for(e, target).find(|a| {
        a.status == AlertStatus::Healthy
            && a.received_at >= recovered
            && since(recovered, a.received_at) <= deadline
    });
    match healthy {
        Some(a) => result(
            true,
            format!(
                "{} after recovery at {}",
                describe(e, a),
                e.offset(recovered)
            ),
        ),
        None => {
            let later: Vec<String> = alerts_for(e, target)
                .filter(|a| a.received_at >= recovered)
                .map(|a| describe(e, a))
                .collect();
            result(
                false,
                format!(
                    "expected a healthy alert for {target} within {:.1}s of recovery at {}; {}",
                    deadline.as_secs_f64(),
                    e.offset(recovered),
                    if later.is_empty() {
                        "none arrived".to_owned()
                    } else {
                        format!("received: {}", later.join("; "))
                    }
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests;
