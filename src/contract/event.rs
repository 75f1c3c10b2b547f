//! The lifecycle event of SPEC §4.2, as it goes on the wire.

use crate::schema::generate::RFC3339_PATTERN;
use chrono::{DateTime, SecondsFormat, Utc};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub const EVENT_SPEC: &str = "scimulate.event/v1";

/// One lifecycle event, POSTed to the connector's webhook or given on stdin (docs/connectors.md): the person's whole desired state after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend(
    "if" = {"properties": {"type": {"const": "reconcile"}}},
    "then" = {"not": {"required": ["person"]}},
    "else" = {"required": ["person"]},
))]
pub struct Event {
    #[serde(deserialize_with = "event_spec")]
    #[schemars(schema_with = "event_spec_schema")]
    pub spec: String,
    /// Unique per event; an id already accepted changes nothing.
    #[schemars(length(min = 1))]
    pub id: String,
    /// leaver (and an app dropped from targets) is deprovision; joiner and rehire provision; mover and update update; reconcile has no person.
    #[serde(rename = "type")]
    pub kind: EventType,
    /// Wall-clock time of the event: original order is occurred_at, ties broken by id.
    #[serde(serialize_with = "millis_z")]
    #[schemars(pattern(RFC3339_PATTERN))]
    pub occurred_at: DateTime<Utc>,
    /// The person's whole desired state after the event as a SCIM User (core attributes and the enterprise extension by its URN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "person_schema")]
    pub person: Option<serde_json::Map<String, serde_json::Value>>,
    /// Group displayNames wanted in every app of targets.
    #[serde(default)]
    pub groups: Vec<String>,
    /// The apps the person is assigned to; one dropped since the person's previous event is to be deprovisioned.
    pub targets: Vec<String>,
}

fn event_spec_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"const": EVENT_SPEC})
}

/// The SCIM User the connector receives: the type keeps any attribute (it
/// is passed on as it is), the schema names the ones scimulate sends.
fn person_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "required": ["userName"],
        "properties": {
            "externalId": {"type": "string"},
            "userName": {"type": "string"},
            "active": {"type": "boolean"},
            "name": {"type": "object"},
            "displayName": {"type": "string"},
            "emails": {"type": "array", "items": {"type": "object"}},
            "title": {"type": "string"},
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"type": "object"}
        }
    })
}

impl Event {
    pub fn new(
        id: impl Into<String>,
        kind: EventType,
        occurred_at: DateTime<Utc>,
        person: Option<serde_json::Map<String, serde_json::Value>>,
        groups: Vec<String>,
        targets: Vec<String>,
    ) -> Event {
        Event {
            spec: EVENT_SPEC.to_owned(),
            id: id.into(),
            kind,
            occurred_at,
            person,
            groups,
            targets,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(inline)]
pub enum EventType {
    Joiner,
    Mover,
    Leaver,
    Rehire,
    Update,
    Reconcile,
}

/// What an event asks of a target (SPEC §4.2 "Kinds"); an app dropped from
/// `targets` is a deprovision whatever the type, which the runner knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Deprovision,
    Provision,
    Update,
    Reconcile,
}

impl EventType {
    /// The name on the wire (`type` of SPEC §4.2).
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Joiner => "joiner",
            EventType::Mover => "mover",
            EventType::Leaver => "leaver",
            EventType::Rehire => "rehire",
            EventType::Update => "update",
            EventType::Reconcile => "reconcile",
        }
    }

    pub fn kind(self) -> EventKind {
        match self {
            EventType::Leaver => EventKind::Deprovision,
            EventType::Joiner | EventType::Rehire => EventKind::Provision,
            EventType::Mover | EventType::Update => EventKind::Update,
            EventType::Reconcile => EventKind::Reconcile,
        }
    }
}

/// RFC 3339 with milliseconds and `Z`, as every scimulate timestamp.
pub(crate) fn millis_z<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Millis, true))
}

fn event_spec<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s == EVENT_SPEC {
        Ok(s)
    } else {
        Err(serde::de::Error::custom(format!(
            "spec '{s}': expected {EVENT_SPEC}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_spec_example_round_trips() {
        let wire = json!({"spec": "scimulate.event/v1", "id": "evt-000012", "type": "leaver",
            "occurred_at": "2026-11-22T10:00:05.000Z",
            "person": {"externalId": "E1002", "userName": "bob@acme.test", "active": false},
            "groups": [], "targets": ["app-a", "app-b"]});
        let e: Event = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(e.kind.kind(), EventKind::Deprovision);
        assert_eq!(serde_json::to_value(&e).unwrap(), wire);
    }

    #[test]
    fn reconcile_has_no_person_and_a_wrong_spec_is_refused() {
        let t = "2026-11-22T10:00:05.1234Z".parse().unwrap();
        let e = Event::new(
            "r1",
            EventType::Reconcile,
            t,
            None,
            vec![],
            vec!["a".into()],
        );
        let v = serde_json::to_value(&e).unwrap();
        assert!(v.get("person").is_none());
        assert_eq!(v["occurred_at"], "2026-11-22T10:00:05.123Z");
        let mut bad = v.clone();
        bad["spec"] = json!("scimulate.event/v2");
        let err = serde_json::from_value::<Event>(bad)
            .unwrap_err()
            .to_string();
        assert!(err.contains("expected scimulate.event/v1"), "{err}");
    }
}
