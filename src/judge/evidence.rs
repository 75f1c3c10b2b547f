//! What the judge judges from, and all of it: the requests each target
//! received and what it holds at the end, the events sent, the faults
//! switched on and off, the alerts and audit records, how the connector's
//! process fared, and the checks to judge. The runner gathers it; the checks
//! only read it, so each is testable alone, and it is written to each run
//! folder as `evidence.json` so a run can be judged again without running
//! it (field names are the file format: renaming one breaks old files).

use super::check::Expectation;
use crate::contract::alert::{AlertClass, AlertStatus};
use crate::contract::audit::AuditRecord;
use crate::contract::event::EventKind;
use crate::scenario::Person;
pub use crate::scenario::gameday::ProbeRole;
use crate::scenario::truth::Expected;
use crate::scim::schema::ResourceSchema;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

pub type Instant = DateTime<Utc>;

/// The `spec` of every evidence file this version writes.
pub const EVIDENCE_SPEC: &str = "scimulate.evidence/v1";

/// Everything one scenario run left behind. Missing fields read as empty,
/// so a hand-made case gives only what its checks read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Evidence {
    /// Always [`EVIDENCE_SPEC`].
    pub spec: String,
    pub scenario: String,
    pub started: Option<Instant>,
    /// Scenario seconds per wall second: durations in checks are divided
    /// by it (SPEC §5, `--time-scale`).
    pub time_scale: f64,
    /// The scenario's targets in its order: what an `expect` entry without
    /// a target is judged for.
    pub targets: Vec<String>,
    /// The checks of `expect`, the implicit final `state` included.
    pub expect: Vec<Expectation>,
    /// Shared with the scenario: a hundred thousand people are one copy.
    pub people: Arc<Vec<Person>>,
    /// What the source of truth says each target should hold, by person.
    pub expected: BTreeMap<String, BTreeMap<String, Expected>>,
    /// What each target holds at the end.
    pub state: BTreeMap<String, Holdings>,
    /// Each target's journal.
    pub requests: BTreeMap<String, Vec<Request>>,
    pub events: Vec<EventRecord>,
    pub faults: Vec<FaultWindow>,
    /// When each target's token was rotated.
    pub rotations: BTreeMap<String, Vec<Instant>>,
    pub alerts: Vec<AlertRecord>,
    /// The connector's audit (SPEC §4.4); `None` when it has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit: Option<AuditEvidence>,
    pub connector: ConnectorRecord,
    /// `wait: settled` steps that gave up.
    pub unsettled: Vec<Unsettled>,
    /// A game day's hypotheses and safeguards, each with its state over
    /// time; empty for a scenario.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub probes: Vec<ProbeTrace>,
}

impl Default for Evidence {
    fn default() -> Self {
        Evidence {
            spec: EVIDENCE_SPEC.to_owned(),
            scenario: String::new(),
            started: None,
            time_scale: 0.0,
            targets: Vec::new(),
            expect: Vec::new(),
            people: Arc::default(),
            expected: BTreeMap::new(),
            state: BTreeMap::new(),
            requests: BTreeMap::new(),
            events: Vec::new(),
            faults: Vec::new(),
            rotations: BTreeMap::new(),
            alerts: Vec::new(),
            audit: None,
            connector: ConnectorRecord::default(),
            unsettled: Vec::new(),
            probes: Vec::new(),
        }
    }
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

/// One request a target received and how it was answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub seq: u64,
    pub at: Instant,
    pub method: String,
    pub path: String,
    /// The query string, if any: two lookups differ by their filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(default)]
    pub body: String,
    /// 0: never answered (reset or held by a fault).
    pub status: u16,
    /// The `Retry-After` the target answered with, as a wait from `at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<Duration>,
    /// The scenario person the request concerns, if it could be told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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

/// What one target holds: its users and groups as its admin API returns
/// them, and what of a SCIM User it can hold at all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Holdings {
    /// Shared with the target's store, not copied: a hundred thousand
    /// people in five apps would otherwise be held twice.
    pub users: Vec<Account>,
    pub groups: Vec<Account>,
    /// `None`: every attribute counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_schema: Option<UserSchema>,
}

/// One resource a target holds, as its compact JSON: for a mock target the
/// very bytes its store keeps, shared. The judge parses an account when it
/// reads it and drops it after, so judging 500,000 accounts never holds
/// them all as values. In `evidence.json` it is the resource itself.
#[derive(Debug, Clone)]
pub struct Account(Bytes);

impl Account {
    /// The resource parsed (`Null` if the bytes are not JSON, which a
    /// store or a file never gives).
    pub fn value(&self) -> Value {
        serde_json::from_slice(&self.0).unwrap_or(Value::Null)
    }

    pub fn json(&self) -> &[u8] {
        &self.0
    }
}

impl From<Bytes> for Account {
    fn from(json: Bytes) -> Self {
        Account(json)
    }
}

impl From<Value> for Account {
    fn from(value: Value) -> Self {
        let json = serde_json::to_vec(&value).unwrap_or_default();
        Account(Bytes::from(json.into_boxed_slice()))
    }
}

/// The same resource, whatever the spacing of its JSON.
impl PartialEq for Account {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0 || self.value() == other.value()
    }
}

/// Written as the resource, so the file reads as before and stays
/// readable; one account is parsed at a time while writing.
impl Serialize for Account {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Account {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Value::deserialize(d).map(Account::from)
    }
}

/// The part of a target's User schema the `state` check reads: the names
/// of the attributes it has (core and common) and the URNs of its
/// extensions. Both are compared case-insensitively (RFC 7643 §2.1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserSchema {
    pub attributes: Vec<String>,
    pub extensions: Vec<String>,
}

impl UserSchema {
    pub fn of(schema: &ResourceSchema) -> UserSchema {
        UserSchema {
            attributes: schema
                .core
                .attributes
                .iter()
                .chain(schema.common.iter())
                .map(|a| a.name.clone())
                .collect(),
            extensions: schema
                .extensions
                .iter()
                .map(|(s, _)| s.id.clone())
                .collect(),
        }
    }

    pub fn has_attribute(&self, name: &str) -> bool {
        self.attributes.iter().any(|a| a.eq_ignore_ascii_case(name))
    }

    pub fn has_extension(&self, urn: &str) -> bool {
        self.extensions.iter().any(|e| e.eq_ignore_ascii_case(urn))
    }
}

/// A fault (or network toxic) on a target, from when it was switched on
/// until it was cleared (or the token rotated); `ended: None` lasted to
/// the end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultWindow {
    pub target: String,
    /// The alert class its symptom maps to (SPEC §4.3), if any.
    pub class: Option<AlertClass>,
    pub started: Instant,
    pub ended: Option<Instant>,
}

/// One lifecycle event as sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRecord {
    pub id: String,
    pub person: Option<String>,
    /// When it was sent, which is also its `occurred_at` (the event
    /// carries it to the millisecond).
    pub sent_at: Instant,
    /// What the event asks of each target it concerns.
    pub kinds: BTreeMap<String, EventKind>,
}

/// One alert received from the connector, normalised (SPEC §4.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRecord {
    pub received_at: Instant,
    pub target: String,
    pub status: AlertStatus,
    pub class: Option<AlertClass>,
    pub first_failure_at: Option<Instant>,
    /// `pending` by kind, if the alert carried it.
    pub pending: Option<BTreeMap<EventKind, u64>>,
    /// The alert as normalised, for people reading the file.
    #[serde(default)]
    pub raw: Value,
}

/// The connector's audit, or why it could not be read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditEvidence {
    Records(Vec<AuditRecord>),
    Unreadable(String),
}

/// How the connector's process fared, for `connector_alive`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConnectorRecord {
    /// It exited during the scenario (not in a restart a step asked for),
    /// which ended the scenario there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exited: Option<ConnectorExit>,
    /// Deliveries it never finished (an `exec` command killed at its
    /// timeout): it stopped answering.
    pub hung: Vec<HungDelivery>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectorExit {
    pub at: Instant,
    /// How it ended (`exited with code 3`, `killed by signal 9`).
    pub how: String,
    /// Its last log lines.
    pub last_lines: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HungDelivery {
    pub event: String,
    /// The event in words (`joiner dave → app-a`).
    pub summary: String,
    /// Why the delivery was not accepted.
    pub refusal: String,
}

/// A `wait: settled` step that gave up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unsettled {
    /// The step's number, counted from 1 as messages count them.
    pub step: usize,
    /// What was not settled.
    pub why: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::check::CheckSpec;
    use chrono::TimeZone;
    use serde_json::json;

    #[test]
    fn evidence_reads_back_as_written() {
        let at = Utc.timestamp_nanos(1_700_000_000_123_456_789);
        let mut e = Evidence {
            scenario: "s".into(),
            started: Some(at),
            time_scale: 10.0,
            targets: vec!["a".into()],
            ..Evidence::default()
        };
        e.expect.push(Expectation {
            index: 0,
            target: None,
            check: CheckSpec::State,
        });
        e.requests.insert(
            "a".into(),
            vec![Request {
                seq: 1,
                at,
                method: "POST".into(),
                path: "/scim/v2/Users".into(),
                query: None,
                body: "{}".into(),
                status: 429,
                retry_after: Some(Duration::new(4, 123_456_789)),
                person: Some("bob".into()),
            }],
        );
        e.state.insert(
            "a".into(),
            Holdings {
                users: vec![json!({"id": "u1"}).into()],
                groups: vec![],
                user_schema: Some(UserSchema::of(&ResourceSchema::user())),
            },
        );
        e.alerts.push(AlertRecord {
            received_at: at,
            target: "a".into(),
            status: AlertStatus::Degraded,
            class: Some(AlertClass::RateLimit),
            first_failure_at: None,
            pending: Some(BTreeMap::from([(EventKind::Provision, 2)])),
            raw: json!({"status": "degraded"}),
        });
        e.audit = Some(AuditEvidence::Unreadable("no answer".into()));
        e.connector.hung.push(HungDelivery {
            event: "evt-1".into(),
            summary: "joiner bob → a".into(),
            refusal: "timed out".into(),
        });
        e.unsettled.push(Unsettled {
            step: 3,
            why: "requests still arriving".into(),
        });
        let text = serde_json::to_string_pretty(&e).unwrap();
        assert_eq!(serde_json::from_str::<Evidence>(&text).unwrap(), e);
    }

    #[test]
    fn a_hand_made_case_gives_only_what_it_needs() {
        let e: Evidence = serde_json::from_str(r#"{"targets": ["a"]}"#).unwrap();
        assert_eq!(e.spec, EVIDENCE_SPEC);
        assert!(e.requests_of("a").is_empty());
        assert!(serde_json::from_str::<Evidence>(r#"{"target": ["a"]}"#).is_err());
    }

    #[test]
    fn the_user_schema_knows_core_common_and_extension_names() {
        let s = UserSchema::of(&ResourceSchema::user());
        assert!(s.has_attribute("username") && s.has_attribute("externalId"));
        assert!(s.has_extension("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"));
        assert!(!s.has_attribute("urn:x"));
    }
}

/// One hypothesis or safeguard of a game day as it was looked at, again
/// and again: its state over time as spans of equal state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeTrace {
    pub role: ProbeRole,
    /// Its key in the file: `error_rate`, `no_active_leaver`, `no_twins`,
    /// `state`.
    pub name: String,
    /// The target it looks at; `None`: every target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// As a person reads it: `error_rate of slack below 5% over 1m`.
    pub description: String,
    /// Its place in the game-day file.
    #[serde(default)]
    pub line: u64,
    /// Consecutive looks with the same outcome, oldest first.
    #[serde(default)]
    pub spans: Vec<ProbeSpan>,
    /// A safeguard: when it fired (and the method stopped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fired_at: Option<Instant>,
}

/// Looks at a probe, from `from` to `to`, that all came out alike: for a
/// hypothesis `ok` means it held, for a safeguard that it did not fire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeSpan {
    pub from: Instant,
    pub to: Instant,
    pub ok: bool,
    pub looks: u32,
    /// The highest measured value (an error rate, as a fraction), if the
    /// probe measures one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worst: Option<f64>,
    /// What the first look of the span saw.
    pub detail: String,
}
