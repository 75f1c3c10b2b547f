//! `GET /events`: the live feed of the admin listener, as Server-Sent
//! Events: every new journal entry of every target (`journal`), and faults
//! switched on or off (`fault_on`, `fault_off`, including those that ended
//! by their window). The board reads it; so can `curl -N`.
//!
//! The feed looks at the targets four times a second rather than being
//! told of each request: the request path stays as it is (a journal
//! append), a slow reader costs nothing but its own connection, and a
//! journal entry reaches the board within a quarter of a second. A game
//! day adds its connector's alerts (`alert`) and its hypotheses and
//! safeguards whenever one changes (`probes`), from its bulletin.

use super::Bulletin;
use crate::fault::FaultView;
use crate::mock::state::TargetState;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How often the targets are looked at.
const TICK: Duration = Duration::from_millis(250);

/// At most this many journal entries per target and tick: a load run
/// answers thousands of requests a second and a board shows the newest.
const ENTRIES_PER_TICK: usize = 200;

/// What the feed has already sent of one target.
struct Seen {
    seq: u64,
    faults: BTreeMap<u64, Value>,
}

struct Feed {
    targets: Vec<Arc<TargetState>>,
    seen: Vec<Seen>,
    bulletin: Arc<Bulletin>,
    /// The last alert sent and the probes' version last sent.
    bulletin_marks: (u64, u64),
    first: bool,
}

impl Feed {
    fn new(targets: Vec<Arc<TargetState>>, bulletin: Arc<Bulletin>) -> Feed {
        // Starts from now: the journal so far is at /targets/{t}/journal.
        let seen = targets
            .iter()
            .map(|t| Seen {
                seq: t.journal.last_seq(),
                faults: BTreeMap::new(),
            })
            .collect();
        Feed {
            targets,
            seen,
            // Alerts so far are at /gameday; probes are sent at once.
            bulletin_marks: (bulletin.marks().0, u64::MAX),
            bulletin,
            first: true,
        }
    }

    /// The events since the last look, oldest first.
    fn look(&mut self) -> Vec<Event> {
        let mut out = Vec::new();
        let now = Instant::now();
        for (t, seen) in self.targets.iter().zip(&mut self.seen) {
            let entries = t.journal.since(seen.seq);
            if let Some(last) = entries.last() {
                seen.seq = last.seq;
            }
            let skipped = entries.len().saturating_sub(ENTRIES_PER_TICK);
            if skipped > 0 {
                out.push(event(
                    "skipped",
                    json!({"target": t.name, "entries": skipped}),
                ));
            }
            for e in entries.iter().skip(skipped) {
                out.push(event(
                    "journal",
                    json!({
                        "target": t.name,
                        "seq": e.seq,
                        "time": e.time,
                        "method": e.method.as_str(),
                        "path": e.path,
                        "status": e.status,
                        "fault": e.fault,
                        "operation": e.operation,
                        "latency_ms": e.latency_ms,
                    }),
                ));
            }
            let now_on: BTreeMap<u64, Value> = t
                .faults
                .active(now)
                .into_iter()
                .map(|f: FaultView| (f.id, serde_json::to_value(&f).unwrap_or(Value::Null)))
                .collect();
            for (id, fault) in &now_on {
                if !seen.faults.contains_key(id) {
                    out.push(event("fault_on", json!({"target": t.name, "fault": fault})));
                }
            }
            for (id, fault) in &seen.faults {
                if !now_on.contains_key(id) {
                    out.push(event(
                        "fault_off",
                        json!({"target": t.name, "fault": fault}),
                    ));
                }
            }
            seen.faults = now_on;
        }
        let changes = self
            .bulletin
            .since(self.bulletin_marks.0, self.bulletin_marks.1);
        self.bulletin_marks = (changes.last_alert, changes.version);
        for alert in changes.alerts {
            out.push(event("alert", alert));
        }
        if let Some(probes) = changes.probes {
            out.push(event("probes", probes));
        }
        if std::mem::take(&mut self.first) {
            let names: Vec<&str> = self.targets.iter().map(|t| t.name.as_str()).collect();
            out.insert(0, event("hello", json!({"targets": names})));
        }
        out
    }
}

fn event(kind: &str, data: Value) -> Event {
    Event::default().event(kind).data(data.to_string())
}

/// The feed over `targets`, from now on, until `stopping` turns true (or
/// its sender is gone: the listener is).
pub fn stream(
    targets: Vec<Arc<TargetState>>,
    bulletin: Arc<Bulletin>,
    stopping: Option<watch::Receiver<bool>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let feed = Feed::new(targets, bulletin);
    let events = futures_util::stream::unfold(
        (feed, std::collections::VecDeque::new(), true, stopping),
        |(mut feed, mut queue, mut first, mut stopping)| async move {
            loop {
                if let Some(e) = queue.pop_front() {
                    return Some((Ok(e), (feed, queue, first, stopping)));
                }
                if !std::mem::take(&mut first) {
                    match &mut stopping {
                        Some(rx) => {
                            tokio::select! {
                                _ = tokio::time::sleep(TICK) => {}
                                _ = rx.wait_for(|stop| *stop) => return None,
                            }
                        }
                        None => tokio::time::sleep(TICK).await,
                    }
                }
                queue.extend(feed.look());
            }
        },
    );
    Sse::new(events).keep_alive(KeepAlive::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fault::{FaultKind, FaultSpec};
    use crate::mock::profile::Profile;

    fn target() -> Arc<TargetState> {
        let profile = Profile::from_yaml("name: t\n", "t.yaml").expect("profile");
        Arc::new(TargetState::new("app-a", profile, "http://127.0.0.1", 1))
    }

    fn kinds(events: &[Event]) -> Vec<String> {
        events
            .iter()
            .map(|e| {
                let text = format!("{e:?}");
                text.split("event: ")
                    .nth(1)
                    .and_then(|r| r.split("\\n").next())
                    .unwrap_or("")
                    .to_owned()
            })
            .collect()
    }

    #[test]
    fn a_fault_is_announced_once_when_on_and_once_when_off() {
        let t = target();
        let mut feed = Feed::new(vec![t.clone()], Arc::default());
        assert_eq!(kinds(&feed.look()), ["hello", "probes"]);
        let id = t.add_fault(FaultSpec::of(FaultKind::RateLimit)).unwrap();
        assert_eq!(kinds(&feed.look()), ["fault_on"]);
        assert!(feed.look().is_empty(), "told once");
        assert!(t.clear_fault(id));
        assert_eq!(kinds(&feed.look()), ["fault_off"]);
    }
}
