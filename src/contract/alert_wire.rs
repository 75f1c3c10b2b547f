//! The native alert as a connector sends it (SPEC §4.3), for its JSON
//! Schema. The parser (`alert::parse`) reads the JSON by hand so that a
//! refusal names the field, and it normalises both wire forms into one
//! `Alert`, whose shape is not the wire's; this type states the native
//! form with the parser's own status, class and pending types, and its
//! test holds it to what the parser accepts.

use super::alert::{ALERT_SPEC, AlertClass, AlertStatus, Pending};
use crate::schema::generate::RFC3339_PATTERN;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Serialize;

/// An alert in scimulate's native form, POSTed by the connector to {alert_url} (docs/connectors.md). Alertmanager webhook payloads (version 4) are accepted too; this schema is the native form.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct NativeAlert {
    #[schemars(schema_with = "alert_spec_schema")]
    pub spec: String,
    pub connector: String,
    /// The target (app) the alert is about.
    #[schemars(length(min = 1))]
    pub target: String,
    pub status: AlertStatus,
    pub class: AlertClass,
    /// When the trouble began.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "chrono::DateTime<chrono::Utc>", pattern(RFC3339_PATTERN))]
    pub first_failure_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Pending")]
    pub pending: Option<Pending>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub message: Option<String>,
}

fn alert_spec_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"const": ALERT_SPEC})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::alert::{Labels, WireForm, parse};

    const LABELS: Labels<'static> = Labels {
        target_label: "target",
        class_label: "class",
    };

    fn full() -> NativeAlert {
        NativeAlert {
            spec: ALERT_SPEC.into(),
            connector: "c".into(),
            target: "app-a".into(),
            status: AlertStatus::Degraded,
            class: AlertClass::RateLimit,
            first_failure_at: Some("2026-11-22T10:00:03.120Z".into()),
            pending: Some(Pending {
                deprovision: 2,
                provision: 1,
                update: 0,
            }),
            message: Some("429".into()),
        }
    }

    /// Every field the schema names is one the parser reads, with the
    /// value it was given.
    #[test]
    fn the_parser_reads_every_field_of_the_wire_form() {
        let body = serde_json::to_vec(&full()).unwrap();
        let (form, alerts) = parse(&body, LABELS).unwrap();
        assert_eq!(form, WireForm::Scimulate);
        let a = &alerts[0];
        assert_eq!(a.connector.as_deref(), Some("c"));
        assert_eq!(a.target, "app-a");
        assert_eq!(a.status, AlertStatus::Degraded);
        assert_eq!(a.class, AlertClass::RateLimit);
        assert_eq!(
            a.first_failure_at,
            Some("2026-11-22T10:00:03.120Z".parse().unwrap())
        );
        assert_eq!(a.pending, full().pending);
        assert_eq!(a.message.as_deref(), Some("429"));
    }

    /// What the schema leaves optional, the parser does without.
    #[test]
    fn the_parser_takes_the_wire_form_without_its_optional_fields() {
        let bare = NativeAlert {
            first_failure_at: None,
            pending: None,
            message: None,
            ..full()
        };
        let body = serde_json::to_vec(&bare).unwrap();
        let (_, alerts) = parse(&body, LABELS).unwrap();
        assert_eq!(alerts[0].pending, None);
    }
}
