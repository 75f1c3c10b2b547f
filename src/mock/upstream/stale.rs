//! `stale_reads` in front of a real app: scimulate cannot read the app's
//! past, so it remembers it. While a `stale_reads` fault is on, every write
//! to one resource through the front first records what the app answered
//! for that resource just before (a resource the write creates: 404), and
//! a GET of that resource within the fault's `delay` of the write is
//! answered with the recorded answer instead of being forwarded. Lists and
//! searches are forwarded: their past cannot be known from here.

use super::answer::Answer;
use crate::fault::{Delay, FaultKind, draw_counter};
use crate::mock::faults::reads::{DEFAULT_DELAY, retention};
use crate::mock::faults::shaping::{fault, mark};
use crate::mock::state::TargetState;
use crate::scim::ScimError;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use http_body_util::BodyExt;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Per resource path, each write's time with the answer from before it,
/// oldest first.
#[derive(Default)]
pub(super) struct History {
    writes: Mutex<HashMap<String, Vec<(Instant, Answer)>>>,
}

impl History {
    /// Records the answer a GET of `path` gave just before a write at `at`,
    /// and forgets what no `stale_reads` fault of `state` can reach back to.
    pub(super) fn record(&self, state: &TargetState, path: &str, at: Instant, before: Answer) {
        let keep = longest_lag(state);
        let mut writes = self.writes.lock();
        writes.retain(|_, list| {
            list.retain(|(t, _)| at.duration_since(*t) <= keep);
            !list.is_empty()
        });
        writes
            .entry(path.to_owned())
            .or_default()
            .push((at, before));
    }

    pub(super) fn clear(&self) {
        self.writes.lock().clear();
    }

    /// The answer a GET of `path` gets under the `stale_reads` fault that
    /// shapes it: what the app answered before the first write after the
    /// moment the read is to see. `None`: forward it.
    pub(super) fn stale(&self, state: &TargetState, path: &str) -> Option<Answer> {
        let f = fault(FaultKind::StaleReads)?;
        let lag = match f.spec.delay {
            Some(Delay::Range { min, max }) => {
                let x = draw_counter(state.faults.seed(), f.id, f.shaped());
                min.0 + max.0.saturating_sub(min.0).mul_f64(x)
            }
            other => retention(other),
        };
        let now = Instant::now();
        let as_of = now
            .checked_sub(lag)
            .unwrap_or(f.activated_at)
            .max(f.activated_at);
        let writes = self.writes.lock();
        let (_, before) = writes.get(path)?.iter().find(|(t, _)| *t > as_of)?;
        mark(FaultKind::StaleReads);
        Some(before.clone())
    }
}

/// How far back the `stale_reads` faults switched on can reach.
fn longest_lag(state: &TargetState) -> Duration {
    state
        .faults
        .active(Instant::now())
        .iter()
        .filter(|f| f.spec.kind == FaultKind::StaleReads)
        .map(|f| retention(f.spec.delay))
        .max()
        .unwrap_or(DEFAULT_DELAY)
}

/// What a resource that did not exist yet answered: 404, as the app's own
/// answer to a GET of an unknown id would be, in SCIM's words.
pub(super) async fn not_yet() -> Answer {
    let response = ScimError::not_found("no such resource").into_response();
    let (parts, body) = response.into_parts();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: body
            .collect()
            .await
            .map(|c| c.to_bytes())
            .unwrap_or_default(),
    }
}

/// The headers of the GET that reads a resource before a write: the
/// write's own credentials and `Accept`, nothing about its body.
pub(super) fn read_headers(write: &HeaderMap) -> HeaderMap {
    let mut out = HeaderMap::new();
    for name in [
        axum::http::header::AUTHORIZATION,
        axum::http::header::ACCEPT,
        axum::http::header::USER_AGENT,
    ] {
        if let Some(v) = write.get(&name) {
            out.insert(name, v.clone());
        }
    }
    out
}
