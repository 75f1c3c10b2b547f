//! `wait: settled` (SPEC §5): every target holds what the source of truth
//! says and no request has reached any target for a second. Bounded by the
//! step's timeout; on expiry it says what was still unsettled.

use super::live::Live;
use crate::judge::judge_state;
use crate::target::profile::ResourceTypeName;
use crate::target::state::TargetState;
use serde_json::Value;
use std::time::Duration;
use tokio::time::Instant;

/// How long the targets must be left alone to count as quiet.
const QUIET: Duration = Duration::from_secs(1);
/// How often the condition is looked at again.
const POLL: Duration = Duration::from_millis(100);

/// A target's users and groups as they are now.
pub(crate) fn snapshot(state: &TargetState) -> (Vec<Value>, Vec<Value>) {
    let dump = |kind| {
        state
            .store
            .query(kind, None)
            .iter()
            .map(|v| (**v).clone())
            .collect::<Vec<Value>>()
    };
    (dump(ResourceTypeName::User), dump(ResourceTypeName::Group))
}

/// Why the targets are not settled yet, or `None` when they are.
fn unsettled(live: &Live<'_>) -> Option<String> {
    let mut why = Vec::new();
    let mut last_request = None;
    for t in &live.serving.targets {
        let state = &t.state;
        let (users, groups) = snapshot(state);
        let verdict = judge_state(
            0,
            &state.name,
            &live.scenario.people,
            &live.truth.expected(&state.name),
            (&users, &groups),
            Some(state.schema(crate::target::profile::ResourceTypeName::User)),
        );
        if !verdict.passed {
            why.push(verdict.message);
        }
        if let Some(last) = state.journal.since(0).last() {
            last_request = last_request.max(Some(last.time));
        }
    }
    let quiet =
        last_request.is_none_or(|t| (chrono::Utc::now() - t).to_std().unwrap_or_default() >= QUIET);
    if !quiet {
        why.push("requests still arriving".to_owned());
    }
    (!why.is_empty()).then(|| why.join("; "))
}

pub(crate) async fn wait(live: &Live<'_>, timeout: Duration) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    loop {
        let Some(why) = unsettled(live) else {
            return Ok(());
        };
        if Instant::now() >= deadline {
            return Err(format!(
                "not settled after {:.0}s: {why}",
                timeout.as_secs_f64()
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}
