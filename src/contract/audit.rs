//! The audit a connector may serve (SPEC §4.4): one record per event and
//! target, so checks can verify that replays keep the original event time.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Serialize: the reference connector serves these (src/refconn).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub event_id: String,
    pub target: String,
    /// The event's type (joiner, leaver, …).
    pub operation: String,
    pub original_at: DateTime<Utc>,
    /// Absent while the record is not executed (parked, dropped).
    #[serde(default)]
    pub executed_at: Option<DateTime<Utc>>,
    pub outcome: AuditOutcome,
    pub replayed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    Delivered,
    Superseded,
    Parked,
    Dropped,
}

/// Parses an audit body; the error says where it went wrong.
pub fn parse(body: &[u8]) -> Result<Vec<AuditRecord>, String> {
    serde_json::from_slice(body).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_records_and_names_a_bad_outcome() {
        let body = br#"[{"event_id": "evt-1", "target": "app-a", "operation": "leaver",
            "original_at": "2026-11-22T10:00:05.000Z", "executed_at": "2026-11-22T10:00:40.100Z",
            "outcome": "delivered", "replayed": true},
            {"event_id": "evt-2", "target": "app-a", "operation": "joiner",
            "original_at": "2026-11-22T10:00:06.000Z", "executed_at": null,
            "outcome": "parked", "replayed": false}]"#;
        let records = parse(body).unwrap();
        assert_eq!(records.len(), 2);
        assert!(records[0].replayed);
        assert_eq!(records[1].outcome, AuditOutcome::Parked);
        assert_eq!(records[1].executed_at, None);
        let err = parse(br#"[{"event_id": "e", "target": "t", "operation": "joiner", "original_at": "2026-11-22T10:00:06Z", "outcome": "lost", "replayed": false}]"#).unwrap_err();
        assert!(err.contains("unknown variant `lost`"), "{err}");
    }
}
