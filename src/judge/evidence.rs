//! What the judge judges from: the requests each target received, the
//! events sent, the faults switched on and off, the alerts received. The
//! runner gathers it; the checks only read it, so each is testable alone.

use crate::contract::alert::AlertClass;
use crate::contract::alert::AlertStatus;
use crate::contract::event::EventKind;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

pub type Instant = DateTime<Utc>;

/// One request a target received and how it was answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub seq: u64,
    pub at: Instant,
    pub method: String,
    pub path: String,
    /// The query string, if any: two lookups differ by their filter.
    pub query: Option<String>,
    pub body: String,
    /// 0: never answered (reset or held by a fault).
    pub status: u16,
    /// The `Retry-After` the target answered with, as a wait from `at`.
    pub retry_after: Option<Duration>,
    /// The scenario person the request concerns, if it could be told.
    pub person: Option<String>,
}

impl Request {
    pub fn is_write(&self) -> bool {
        matches!(self.method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE")
            && !self.path.ends_with("/.search")
    }

    pub fn succeeded(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn failed(&self) -> bool {
        self.status == 0 || self.status >= 400
    }
}

/// A fault (or network toxic) on a target, from when it was switched on
/// until it was cleared (or the token rotated); `ended: None` lasted to
/// the end.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultWindow {
    pub target: String,
    /// The alert class its symptom maps to (SPEC §4.3), if any.
    pub class: Option<AlertClass>,
    pub started: Instant,
    pub ended: Option<Instant>,
}

/// One lifecycle event as sent.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    pub id: String,
    pub person: Option<String>,
    pub sent_at: Instant,
    /// What the event asks of each target it concerns.
    pub kinds: BTreeMap<String, EventKind>,
}

/// One alert received from the connector, normalised (SPEC §4.3).
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRecord {
    pub received_at: Instant,
    pub target: String,
    pub status: AlertStatus,
    pub class: Option<AlertClass>,
    pub first_failure_at: Option<Instant>,
    /// `pending` by kind, if the alert carried it.
    pub pending: Option<BTreeMap<EventKind, u64>>,
    pub raw: Value,
}

/// Everything one scenario run left behind.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    pub started: Option<Instant>,
    /// Scenario seconds per wall second: durations in checks are divided
    /// by it (SPEC §5, `--time-scale`).
    pub time_scale: f64,
    pub requests: BTreeMap<String, Vec<Request>>,
    pub faults: Vec<FaultWindow>,
    pub events: Vec<EventRecord>,
    pub alerts: Vec<AlertRecord>,
    /// When each target's token was rotated.
    pub rotations: BTreeMap<String, Vec<Instant>>,
}

impl Evidence {
    /// A scenario duration as wall time.
    pub fn wall(&self, scenario: Duration) -> Duration {
        if self.time_scale > 0.0 {
            scenario.div_f64(self.time_scale)
        } else {
            scenario
        }
    }

    pub fn requests_of(&self, target: &str) -> &[Request] {
        self.requests.get(target).map_or(&[], Vec::as_slice)
    }

    /// Seconds since the start, for messages (`+31.2s`).
    pub fn offset(&self, at: Instant) -> String {
        match self.started {
            Some(start) => format!("+{:.1}s", (at - start).num_milliseconds() as f64 / 1000.0),
            None => at.to_rfc3339(),
        }
    }
}

/// `b - a` as a std duration (zero when `b` is earlier).
pub fn since(a: Instant, b: Instant) -> Duration {
    (b - a).to_std().unwrap_or_default()
}
