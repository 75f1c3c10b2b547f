//! Fetching the optional audit (SPEC §4.4) from the connector.

use crate::contract::audit::{AuditRecord, parse};
use std::time::Duration;

/// How long the audit GET may take.
pub const AUDIT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("audit GET {url}: no answer: {error}")]
    Connection { url: String, error: String },
    #[error("audit GET {url}: answered HTTP {status}, expected 200 with a JSON array")]
    Status { url: String, status: u16 },
    #[error(
        "audit GET {url}: not an array of {{event_id, target, operation, original_at, executed_at, outcome (delivered|superseded|parked|dropped), replayed}}: {error}"
    )]
    Body { url: String, error: String },
}

/// GETs and parses the audit records.
pub async fn fetch(url: &str) -> Result<Vec<AuditRecord>, AuditError> {
    let client = super::http::client(AUDIT_TIMEOUT);
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|e| AuditError::Connection {
            url: url.to_owned(),
            error: e.to_string(),
        })?;
    if !response.status().is_success() {
        return Err(AuditError::Status {
            url: url.to_owned(),
            status: response.status().as_u16(),
        });
    }
    let body = response.bytes().await.map_err(|e| AuditError::Connection {
        url: url.to_owned(),
        error: e.to_string(),
    })?;
    parse(&body).map_err(|error| AuditError::Body {
        url: url.to_owned(),
        error,
    })
}
