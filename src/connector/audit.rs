//! Fetching the optional audit (SPEC §4.4) from the connector, bounded:
//! the contract asks for one record per event and target, so an audit
//! with far more than that (or a body far larger than such records take)
//! is refused as unreadable, naming the limit, instead of being read into
//! memory without end.

use crate::contract::audit::{AuditRecord, parse};
use std::time::Duration;

/// How long the audit GET may take.
pub const AUDIT_TIMEOUT: Duration = Duration::from_secs(10);
/// Records allowed beyond one per event and target (tests, connectors
/// that keep a little history).
pub const AUDIT_SLACK_RECORDS: usize = 1_000;
/// Bytes allowed per allowed record: a record of the contract takes about
/// 250.
pub const AUDIT_RECORD_BYTES: usize = 2 * 1024;

/// How much of an audit is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditLimit {
    /// The most records accepted.
    pub records: usize,
}

impl AuditLimit {
    /// One record per event sent and target, plus [`AUDIT_SLACK_RECORDS`].
    pub fn for_run(events: usize, targets: usize) -> AuditLimit {
        AuditLimit {
            records: events
                .saturating_mul(targets.max(1))
                .saturating_add(AUDIT_SLACK_RECORDS),
        }
    }

    /// The largest body read: [`AUDIT_RECORD_BYTES`] per record.
    pub fn bytes(self) -> usize {
        self.records.saturating_mul(AUDIT_RECORD_BYTES)
    }
}

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
    #[error(
        "audit GET {url}: the answer is larger than {limit} bytes ({records} records of 2 KiB: one per event and target, and 1,000 more); not read further"
    )]
    TooLarge {
        url: String,
        limit: usize,
        records: usize,
    },
    #[error(
        "audit GET {url}: {got} records, more than the {limit} allowed (one per event and target, and 1,000 more)"
    )]
    TooMany {
        url: String,
        got: usize,
        limit: usize,
    },
}

/// GETs and parses the audit records, reading no more than `limit` allows.
pub async fn fetch(url: &str, limit: AuditLimit) -> Result<Vec<AuditRecord>, AuditError> {
    let client = super::http::client(AUDIT_TIMEOUT);
    let mut response = client
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
    let too_large = || AuditError::TooLarge {
        url: url.to_owned(),
        limit: limit.bytes(),
        records: limit.records,
    };
    if response
        .content_length()
        .is_some_and(|n| n > limit.bytes() as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| AuditError::Connection {
        url: url.to_owned(),
        error: e.to_string(),
    })? {
        if body.len() + chunk.len() > limit.bytes() {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    let records = parse(&body).map_err(|error| AuditError::Body {
        url: url.to_owned(),
        error,
    })?;
    if records.len() > limit.records {
        return Err(AuditError::TooMany {
            url: url.to_owned(),
            got: records.len(),
            limit: limit.records,
        });
    }
    Ok(records)
}
