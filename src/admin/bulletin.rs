//! What a game day tells the board beyond the targets' own state: the
//! alerts the connector sent and each hypothesis and safeguard with its
//! state over time. The game day writes it; `GET /gameday` and the live
//! feed read it. `serve` has one too, which stays empty.

use parking_lot::Mutex;
use serde_json::{Value, json};
use std::collections::VecDeque;

/// The newest alerts kept for the board; the report keeps them all.
const KEPT_ALERTS: usize = 200;

#[derive(Default)]
pub struct Bulletin {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Alerts in arrival order, each with its number from 1.
    alerts: VecDeque<(u64, Value)>,
    last_alert: u64,
    /// Each probe as the board shows it, replaced at every look.
    probes: Vec<Value>,
    /// Bumped when `probes` changes.
    probes_version: u64,
    /// Set while a game day runs: what it is called and where it stands.
    gameday: Option<Value>,
}

impl Bulletin {
    /// An alert the connector sent, as received (already masked).
    pub fn alert(&self, alert: Value) {
        let mut inner = self.inner.lock();
        inner.last_alert += 1;
        let n = inner.last_alert;
        inner.alerts.push_back((n, alert));
        if inner.alerts.len() > KEPT_ALERTS {
            inner.alerts.pop_front();
        }
    }

    /// Every probe's view; the board is told only when one changed.
    pub fn probes(&self, views: Vec<Value>) {
        let mut inner = self.inner.lock();
        if inner.probes != views {
            inner.probes = views;
            inner.probes_version += 1;
        }
    }

    /// The game day's name and phase (`method`, `rolled back`, `over`).
    pub fn gameday(&self, status: Value) {
        let mut inner = self.inner.lock();
        if inner.gameday.as_ref() != Some(&status) {
            inner.gameday = Some(status);
            inner.probes_version += 1;
        }
    }

    /// All of it, for `GET /gameday`.
    pub fn snapshot(&self) -> Value {
        let inner = self.inner.lock();
        json!({
            "gameday": inner.gameday,
            "alerts": inner.alerts.iter().map(|(_, a)| a).collect::<Vec<_>>(),
            "probes": inner.probes,
        })
    }

    /// What changed since the feed last looked: alerts after `after_alert`,
    /// and the probes (with the game day's status) if their version is not
    /// `seen_version`.
    pub(super) fn since(&self, after_alert: u64, seen_version: u64) -> Changes {
        let inner = self.inner.lock();
        Changes {
            alerts: inner
                .alerts
                .iter()
                .filter(|(n, _)| *n > after_alert)
                .map(|(_, a)| a.clone())
                .collect(),
            last_alert: inner.last_alert,
            probes: (inner.probes_version != seen_version)
                .then(|| json!({"gameday": inner.gameday, "probes": inner.probes})),
            version: inner.probes_version,
        }
    }

    pub(super) fn marks(&self) -> (u64, u64) {
        let inner = self.inner.lock();
        (inner.last_alert, inner.probes_version)
    }
}

pub(super) struct Changes {
    pub alerts: Vec<Value>,
    pub last_alert: u64,
    pub probes: Option<Value>,
    pub version: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_feed_is_told_each_alert_once_and_probes_only_when_they_change() {
        let b = Bulletin::default();
        let (a0, v0) = b.marks();
        b.alert(json!({"target": "app-a"}));
        b.probes(vec![json!({"state": "holds"})]);
        let c = b.since(a0, v0);
        assert_eq!(c.alerts.len(), 1);
        assert!(c.probes.is_some());
        let again = b.since(c.last_alert, c.version);
        assert!(again.alerts.is_empty());
        assert!(again.probes.is_none());
        b.probes(vec![json!({"state": "holds"})]);
        assert!(
            b.since(c.last_alert, c.version).probes.is_none(),
            "unchanged"
        );
        b.probes(vec![json!({"state": "violated"})]);
        assert!(b.since(c.last_alert, c.version).probes.is_some());
    }

    #[test]
    fn only_the_newest_alerts_are_kept() {
        let b = Bulletin::default();
        for i in 0..KEPT_ALERTS + 5 {
            b.alert(json!(i));
        }
        let snap = b.snapshot();
        let alerts = snap["alerts"].as_array().unwrap();
        assert_eq!(alerts.len(), KEPT_ALERTS);
        assert_eq!(alerts[0], json!(5));
    }
}
