//! Earlier versions of a table's records, for `stale_reads` (reads that see
//! the store as it was a delay ago). Kept only while such a fault is on, so
//! the strict target's writes pay one `None` check; versions older than the
//! retention are dropped as new ones come.

use super::record::Record;
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

#[derive(Debug)]
struct Change {
    at: Instant,
    id: String,
    /// The record before the change; `None` when the change created it.
    before: Option<Record>,
}

#[derive(Debug)]
pub struct History {
    retention: Duration,
    /// In time order: every push happens under the store's write lock.
    changes: VecDeque<Change>,
}

impl History {
    pub fn new(retention: Duration) -> Self {
        History {
            retention,
            changes: VecDeque::new(),
        }
    }

    /// The same retention, nothing remembered.
    pub fn emptied(&self) -> Self {
        History::new(self.retention)
    }

    pub fn set_retention(&mut self, retention: Duration) {
        self.retention = retention;
    }

    pub fn push(&mut self, id: &str, before: Option<Record>) {
        self.push_at(Instant::now(), id, before);
    }

    fn push_at(&mut self, at: Instant, id: &str, before: Option<Record>) {
        if let Some(horizon) = at.checked_sub(self.retention) {
            while self.changes.front().is_some_and(|c| c.at < horizon) {
                self.changes.pop_front();
            }
        }
        self.changes.push_back(Change {
            at,
            id: id.to_owned(),
            before,
        });
    }

    /// Changes made after `at`, oldest first.
    fn after(&self, at: Instant) -> impl Iterator<Item = &Change> {
        let first = self.changes.partition_point(|c| c.at <= at);
        self.changes.range(first..)
    }

    /// What `id` was at `at`, if it changed since (`Some(None)`: it did not
    /// exist yet); `None` when it has not changed since.
    pub fn before(&self, id: &str, at: Instant) -> Option<&Option<Record>> {
        self.after(at).find(|c| c.id == id).map(|c| &c.before)
    }

    /// Every id changed since `at`, with what it was then.
    pub fn earliest_after(&self, at: Instant) -> HashMap<&str, Option<&Record>> {
        let mut out: HashMap<&str, Option<&Record>> = HashMap::new();
        for c in self.after(at) {
            out.entry(c.id.as_str()).or_insert(c.before.as_ref());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(seq: u64, version: u64) -> Record {
        Record {
            seq,
            version,
            json: super::super::record::encode(&json!({"v": version})),
            is_default_view: true,
        }
    }

    #[test]
    fn a_view_in_the_past_undoes_later_changes_and_old_ones_are_dropped() {
        let t0 = Instant::now();
        let s = Duration::from_secs(1);
        let mut h = History::new(Duration::from_secs(10));
        h.push_at(t0, "a", None);
        h.push_at(t0 + s, "a", Some(record(1, 1)));
        h.push_at(t0 + 2 * s, "b", None);
        // Before anything: a did not exist.
        assert!(matches!(h.before("a", t0 - s), Some(None)));
        // Between the creation and the update: version 1.
        assert_eq!(
            h.before("a", t0)
                .and_then(|r| r.as_ref())
                .map(|r| r.version),
            Some(1)
        );
        assert!(h.before("a", t0 + s).is_none(), "unchanged since");
        assert_eq!(h.earliest_after(t0).len(), 2);
        // A push 20 s later drops what is older than the retention.
        h.push_at(t0 + 20 * s, "c", None);
        assert_eq!(h.changes.len(), 1);
    }
}
