//! `wait: settled` (SPEC §5): every target holds what the source of truth
//! says and no request has reached any target for a second. Bounded by the
//! step's timeout; on expiry it says what was still unsettled. A target
//! fronting a real app holds what the app answers to the judge's read token
//! (`upstream.rs`).

use super::snapshot::holdings;
use super::upstream::Apps;
use crate::judge::evidence::Holdings;
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
    /// The real apps behind the targets fronting one.
    pub apps: &'a Apps,
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

/// Why `wait: settled` ended without the targets settled.
pub(crate) enum NotSettled {
    /// The bound passed (or nothing could settle them): how they differ.
    Differs(String),
    /// A real app's state could not be read: the harness's failure.
    Unreadable(String),
}

impl From<NotSettled> for String {
    fn from(n: NotSettled) -> String {
        match n {
            NotSettled::Differs(why) | NotSettled::Unreadable(why) => why,
        }
    }
}

/// What `state` holds now: its real app's state if it fronts one.
async fn held(watch: &Watch<'_>, state: &TargetState) -> Result<Holdings, String> {
    match watch.apps.get(&state.name) {
        Some(app) => app.holdings().await,
        None => Ok(holdings(state)),
    }
}

const ARRIVING: &str = "requests still arriving";

/// Why the targets are not settled yet, or `None` when they are. Quiet is
/// looked at first: while requests still arrive, judging every account
/// would only take the CPU the connector needs.
async fn unsettled(
    watch: &Watch<'_>,
    e: &mut Evidence,
    last: &mut LastRequest,
) -> Result<Option<Unsettled>, String> {
    let quiet = last
        .newest(watch)
        .is_none_or(|t| (chrono::Utc::now() - t).to_std().unwrap_or_default() >= QUIET);
    if !quiet {
        return Ok(Some(Unsettled::Arriving));
    }
    Ok(differences(watch, e).await?.map(Unsettled::Differs))
}

/// How the targets differ from the source of truth, if they do: the
/// state part of the evidence taken again and judged by the `state` check
/// itself.
async fn differences(watch: &Watch<'_>, e: &mut Evidence) -> Result<Option<String>, String> {
    for state in &watch.targets {
        e.state
            .insert(state.name.clone(), held(watch, state).await?);
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
    Ok((!why.is_empty()).then(|| why.join("; ")))
}

pub(crate) async fn wait(watch: &Watch<'_>, timeout: Duration) -> Result<(), NotSettled> {
    let deadline = Instant::now() + timeout;
    let mut last = LastRequest::default();
    let mut evidence = Evidence {
        people: watch.people.clone(),
        ..Evidence::default()
    };
    loop {
        let now = unsettled(watch, &mut evidence, &mut last)
            .await
            .map_err(NotSettled::Unreadable)?;
        let why = match now {
            None => return Ok(()),
            // Quiet but different, and nothing of the connector runs
            // between events: waiting out the bound could change nothing.
            Some(Unsettled::Differs(diff)) if watch.runs_only_per_event => {
                return Err(NotSettled::Differs(format!(
                    "not settled, and nothing is left running that could settle it \
                     (the connector runs only while an event is delivered): {diff}"
                )));
            }
            Some(why) => why,
        };
        if Instant::now() >= deadline {
            // Say how the targets differ even if requests still arrive.
            let why = match why {
                Unsettled::Differs(diff) => diff,
                Unsettled::Arriving => match differences(watch, &mut evidence).await {
                    Ok(Some(diff)) => format!("{ARRIVING}; {diff}"),
                    Ok(None) => ARRIVING.to_owned(),
                    Err(why) => return Err(NotSettled::Unreadable(why)),
                },
            };
            return Err(NotSettled::Differs(format!(
                "not settled after {:.0}s: {why}",
                timeout.as_secs_f64()
            )));
        }
        tokio::time::sleep(POLL).await;
    }
}
