//! `wait: settled` (SPEC §5): every target holds what the source of truth
//! says and no request has reached any target for a second. Bounded by the
//! step's timeout; on expiry it says what was still unsettled.

use super::snapshot::holdings;
use crate::judge::{CheckSpec, Evidence, judge_check};
use crate::mock::state::TargetState;
use crate::scenario::Person;
use crate::scenario::truth::Truth;
use std::time::Duration;
use tokio::time::Instant;

/// How long the targets must be left alone to count as quiet.
const QUIET: Duration = Duration::from_secs(1);
/// How often the condition is looked at again.
const POLL: Duration = Duration::from_millis(100);

/// What `wait: settled` watches: the scenario's targets and what the
/// source of truth says they should hold.
pub(crate) struct Watch<'a> {
    pub targets: Vec<&'a TargetState>,
    pub people: &'a std::sync::Arc<Vec<Person>>,
    pub truth: &'a Truth,
    /// Nothing of the connector runs between events, so nothing can change
    /// while no event is delivered.
    pub runs_only_per_event: bool,
}

/// The last request each target received, followed cheaply: each look
/// reads only the journal entries newer than the last one seen.
#[derive(Default)]
struct LastRequest {
    seen: std::collections::HashMap<String, (u64, chrono::DateTime<chrono::Utc>)>,
}

impl LastRequest {
    /// The time of the newest request to any target, if any.
    fn newest(&mut self, watch: &Watch<'_>) -> Option<chrono::DateTime<chrono::Utc>> {
        for state in &watch.targets {
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
fn unsettled(watch: &Watch<'_>, e: &mut Evidence, last: &mut LastRequest) -> Option<Unsettled> {
    let quiet = last
        .newest(watch)
        .is_none_or(|t| (chrono::Utc::now() - t).to_std().unwrap_or_default() >= QUIET);
    if !quiet {
        return Some(Unsettled::Arriving);
    }
    differences(watch, e).map(Unsettled::Differs)
}

/// How the targets differ from the source of truth, if they do: the
/// state part of the evidence taken again and judged by the `state` check
/// itself.
fn differences(watch: &Watch<'_>, e: &mut Evidence) -> Option<String> {
    for state in &watch.targets {
        e.state.insert(state.name.clone(), holdings(state));
        e.expected
            .insert(state.name.clone(), watch.truth.expected(&state.name));
    }
    let why: Vec<String> = watch
        .targets
        .iter()
        .map(|state| judge_check(e, 0, &state.name, &CheckSpec::State))
        .filter(|verdict| !verdict.passed)
        .map(|verdict| verdict.message)
        .collect();
    (!why.is_empty()).then(|| why.join("; "))
}

pub(crate) async fn wait(watch: &Watch<'_>, timeout: Duration) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    let mut last = LastRequest::default();
    let mut evidence = Evidence {
        people: watch.people.clone(),
        ..Evidence::default()
    };
    loop {
        let why = match unsettled(watch, &mut evidence, &mut last) {
            None => return Ok(()),
            // Quiet but different, and nothing of the connector runs
            // between events: waiting out the bound could change nothing.
            Some(Unsettled::Differs(diff)) if watch.runs_only_per_event => {
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
                Unsettled::Arriving => match differences(watch, &mut evidence) {
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
