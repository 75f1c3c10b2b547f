//! `wait: settled` (SPEC §5): every target holds what the source of truth
//! says and no request has reached any target for a second. Bounded by the
//! step's timeout; on expiry it says what was still unsettled.

use super::live::Live;
use crate::judge::judge_state;
use crate::mock::state::TargetState;
use crate::scim::schema::ResourceTypeName;
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

/// `state` for one target as it is now: what the source of truth says it
/// should hold, judged on what its User schema can hold.
pub(crate) fn state_verdict(
    live: &Live<'_>,
    index: usize,
    state: &TargetState,
) -> crate::judge::CheckResult {
    let (users, groups) = snapshot(state);
    judge_state(
        index,
        &state.name,
        &live.scenario.people,
        &live.truth.expected(&state.name),
        (&users, &groups),
        Some(state.schema(ResourceTypeName::User)),
    )
}

/// The last request each target received, followed cheaply: each look
/// reads only the journal entries newer than the last one seen.
#[derive(Default)]
struct LastRequest {
    seen: std::collections::HashMap<String, (u64, chrono::DateTime<chrono::Utc>)>,
}

impl LastRequest {
    /// The time of the newest request to any target, if any.
    fn newest(&mut self, live: &Live<'_>) -> Option<chrono::DateTime<chrono::Utc>> {
        for t in &live.serving.targets {
            let state = &t.state;
            let since = self.seen.get(&state.name).map_or(0, |(seq, _)| *seq);
            if let Some(last) = state.journal.since(since).last() {
                self.seen.insert(state.name.clone(), (last.seq, last.time));
            }
        }
        self.seen.values().map(|(_, t)| *t).max()
    }
}

/// Why the targets are not settled yet.
enum Unsettled {
    /// A request reached a target less than [`QUIET`] ago.
    Arriving,
    /// Quiet, but the targets differ from the source of truth: how.
    Differs(String),
}

const ARRIVING: &str = "requests still arriving";

/// Why the targets are not settled yet, or `None` when they are. Quiet is
/// looked at first: while requests still arrive, judging every account
/// would only take the CPU the connector needs.
fn unsettled(live: &Live<'_>, last: &mut LastRequest) -> Option<Unsettled> {
    let quiet = last
        .newest(live)
        .is_none_or(|t| (chrono::Utc::now() - t).to_std().unwrap_or_default() >= QUIET);
    if !quiet {
        return Some(Unsettled::Arriving);
    }
    differences(live).map(Unsettled::Differs)
}

/// How the targets differ from the source of truth, if they do.
fn differences(live: &Live<'_>) -> Option<String> {
    let mut why = Vec::new();
    for t in &live.serving.targets {
        let verdict = state_verdict(live, 0, &t.state);
        if !verdict.passed {
            why.push(verdict.message);
        }
    }
    (!why.is_empty()).then(|| why.join("; "))
}

pub(crate) async fn wait(live: &Live<'_>, timeout: Duration) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    let mut last = LastRequest::default();
    loop {
        let why = match unsettled(live, &mut last) {
            None => return Ok(()),
            // Quiet but different, and nothing of the connector runs
            // between events: waiting out the bound could change nothing.
            Some(Unsettled::Differs(diff)) if live.connector.runs_only_per_event() => {
                return Err(format!(
                    "not settled, and nothing is left running that could settle it \
                     (the connector runs only while an event is delivered): {diff}"
                ));
            }
            Some(why) => why,
        };
        if Instant::now() >= deadline {
            // Say how the targets differ even if requests still arrive.
            let why = match why {
                Unsettled::Differs(diff) => diff,
                Unsettled::Arriving => match differences(live) {
                    Some(diff) => format!("{ARRIVING}; {diff}"),
                    None => ARRIVING.to_owned(),
                },
            };
            return Err(format!(
                "not settled after {:.0}s: {why}",
                timeout.as_secs_f64()
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}
