//! Every check of a scenario judged from its evidence alone (SPEC §5.1):
//! each `expect` entry for each target it covers (the implicit final state
//! among them), then a `settled` for each wait that gave up,
//! `connector_alive` and, when the connector has an audit, `audit`.

use super::alerts::{judge_alert, judge_alert_resolved, judge_no_alert};
use super::alive::judge_connector_alive;
use super::audit::judge_audit;
use super::check::CheckSpec;
use super::evidence::Evidence;
use super::replay::judge_replay;
use super::result::CheckResult;
use super::retry::{judge_honors_retry_after, judge_latency, judge_no_retry_storm};
use super::settled::judge_settled;
use super::state::{judge_no_twins, judge_state};
use std::collections::BTreeMap;

/// Every verdict of one scenario, in report order.
pub fn judge(e: &Evidence) -> Vec<CheckResult> {
    let mut out = Vec::new();
    for expect in &e.expect {
        let targets = match &expect.target {
            Some(t) => std::slice::from_ref(t),
            None => e.targets.as_slice(),
        };
        for target in targets {
            out.push(judge_check(e, expect.index, target, &expect.check));
        }
    }
    // The checks every scenario has come after its `expect` entries.
    let next = e.expect.iter().map(|c| c.index + 1).max().unwrap_or(0);
    out.extend(judge_settled(next, e));
    out.push(judge_connector_alive(next, e));
    if let Some(audit) = &e.audit {
        out.push(judge_audit(next + 1, audit, e));
    }
    out.extend(super::probes::judge_probes(next + 2, e));
    out
}

/// One `expect` check for one target.
pub fn judge_check(e: &Evidence, index: usize, target: &str, check: &CheckSpec) -> CheckResult {
    match check {
        CheckSpec::Alert {
            class,
            status,
            within,
            fields,
        } => judge_alert(index, target, *class, *status, within.0, fields, e),
        CheckSpec::NoAlert { within } => judge_no_alert(index, target, within.map(|w| w.0), e),
        CheckSpec::AlertResolved { within } => judge_alert_resolved(index, target, within.0, e),
        CheckSpec::Replay => judge_replay(index, target, e),
        CheckSpec::State | CheckSpec::NoTwins => {
            let Some(held) = e.state.get(target) else {
                return CheckResult::new(
                    index,
                    check.name(),
                    target,
                    false,
                    format!("no target {target}"),
                );
            };
            if matches!(check, CheckSpec::NoTwins) {
                return judge_no_twins(index, target, &e.people, &held.users);
            }
            let none = BTreeMap::new();
            judge_state(
                index,
                target,
                &e.people,
                e.expected.get(target).unwrap_or(&none),
                (&held.users, &held.groups),
                held.user_schema.as_ref(),
            )
        }
        CheckSpec::NoRetryStorm { max, backoff_floor } => {
            judge_no_retry_storm(index, target, *max, backoff_floor.0, e)
        }
        CheckSpec::HonorsRetryAfter => judge_honors_retry_after(index, target, e),
        CheckSpec::Latency {
            provision,
            deprovision,
        } => judge_latency(
            index,
            target,
            provision.map(|d| d.0),
            deprovision.map(|d| d.0),
            e,
        ),
    }
}
