//! The JSON Schemas (draft 2020-12) of every file and payload scimulate
//! reads or writes, for `scimulate schema KIND` and for editors and
//! pipelines that validate before running. They live as JSON files in
//! `schemas/` (reviewed like code, usable without the binary) and are
//! embedded here; tests keep them in step with the loaders. Those of the
//! wire payloads are derived from their types ([`generate`]); the committed
//! files are that output, and a test fails when they differ.

#[cfg(test)]
pub(crate) mod drift;
pub mod generate;

use std::fmt;
use std::str::FromStr;

/// A kind of document with a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchemaKind {
    Scenario,
    Profile,
    Connector,
    Report,
    Event,
    Alert,
    Targets,
    Endpoints,
}

impl SchemaKind {
    pub const ALL: [SchemaKind; 8] = [
        SchemaKind::Scenario,
        SchemaKind::Profile,
        SchemaKind::Connector,
        SchemaKind::Report,
        SchemaKind::Event,
        SchemaKind::Alert,
        SchemaKind::Targets,
        SchemaKind::Endpoints,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SchemaKind::Scenario => "scenario",
            SchemaKind::Profile => "profile",
            SchemaKind::Connector => "connector",
            SchemaKind::Report => "report",
            SchemaKind::Event => "event",
            SchemaKind::Alert => "alert",
            SchemaKind::Targets => "targets",
            SchemaKind::Endpoints => "endpoints",
        }
    }

    /// The schema's JSON text. For event, alert, targets, endpoints and
    /// report it is the committed output of [`generate`] for their types,
    /// which live on higher floors than this module
    /// (tests/integration/schema_generated.rs fails when the two differ);
    /// the others are written by hand.
    pub fn schema(self) -> &'static str {
        match self {
            SchemaKind::Scenario => include_str!("../../schemas/scenario.schema.json"),
            SchemaKind::Profile => include_str!("../../schemas/profile.schema.json"),
            SchemaKind::Connector => include_str!("../../schemas/connector.schema.json"),
            SchemaKind::Report => include_str!("../../schemas/report.schema.json"),
            SchemaKind::Event => include_str!("../../schemas/event.schema.json"),
            SchemaKind::Alert => include_str!("../../schemas/alert.schema.json"),
            SchemaKind::Targets => include_str!("../../schemas/targets.schema.json"),
            SchemaKind::Endpoints => include_str!("../../schemas/endpoints.schema.json"),
        }
    }

    /// The names, for messages: `scenario, profile, …`.
    pub fn names() -> String {
        SchemaKind::ALL
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for SchemaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SchemaKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SchemaKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown schema kind '{s}': expected one of {}",
                    SchemaKind::names()
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_is_json_and_names_its_draft() {
        for kind in SchemaKind::ALL {
            let v: serde_json::Value =
                serde_json::from_str(kind.schema()).unwrap_or_else(|e| panic!("{kind}: {e}"));
            assert_eq!(
                v["$schema"], "https://json-schema.org/draft/2020-12/schema",
                "{kind}"
            );
            assert_eq!(kind.as_str().parse::<SchemaKind>(), Ok(kind));
        }
    }

    #[test]
    fn unknown_kinds_list_the_known_ones() {
        assert_eq!(
            "events".parse::<SchemaKind>().unwrap_err(),
            "unknown schema kind 'events': expected one of scenario, profile, connector, report, event, alert, targets, endpoints"
        );
    }
}
