//! The fault catalogue (SPEC §3.2): every kind, its wire name, and the alert
//! class its symptom maps to (SPEC §4.3).

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a target does wrong while a fault is active.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// 401 + `WWW-Authenticate: Bearer error="invalid_token"` until the token is rotated.
    TokenExpired,
    /// 403: the token is valid but lacks permission.
    Forbidden,
    /// 429 with `Retry-After` (seconds, HTTP-date, or absent).
    RateLimit,
    /// 503, optional `Retry-After`.
    Unavailable,
    /// 500.
    ServerError,
    /// Responses are delayed (fixed, or drawn per request).
    Latency,
    /// The request is accepted and never answered.
    Timeout,
    /// The connection is reset or refused.
    ConnectionDrop,
    /// The app "updated": named attributes rejected, new ones required, an extension dropped.
    SchemaDrift,
    /// PATCH answered 200 but applied as a full replacement.
    PatchAsPut,
    /// `active: false` answered 200 and ignored.
    IgnoreDeactivate,
    /// DELETE answered 204 but the account is only deactivated.
    SoftDelete,
    /// `userName eq` and uniqueness compare case-sensitively.
    CaseSensitiveUsername,
    /// An account for the same person already exists from just-in-time login (no externalId).
    JitTwin,
    /// POST answers 409 `uniqueness` for named users.
    Conflict,
    /// An app admin changes an account behind the connector's back.
    ManualChange,
    /// Bulk requests fail some operations.
    PartialBulk,
    /// GET lags writes by a delay.
    StaleReads,
}

impl FaultKind {
    pub const ALL: [FaultKind; 18] = [
        FaultKind::TokenExpired,
        FaultKind::Forbidden,
        FaultKind::RateLimit,
        FaultKind::Unavailable,
        FaultKind::ServerError,
        FaultKind::Latency,
        FaultKind::Timeout,
        FaultKind::ConnectionDrop,
        FaultKind::SchemaDrift,
        FaultKind::PatchAsPut,
        FaultKind::IgnoreDeactivate,
        FaultKind::SoftDelete,
        FaultKind::CaseSensitiveUsername,
        FaultKind::JitTwin,
        FaultKind::Conflict,
        FaultKind::ManualChange,
        FaultKind::PartialBulk,
        FaultKind::StaleReads,
    ];

    /// The name used in files, the admin API and the journal.
    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::TokenExpired => "token_expired",
            FaultKind::Forbidden => "forbidden",
            FaultKind::RateLimit => "rate_limit",
            FaultKind::Unavailable => "unavailable",
            FaultKind::ServerError => "server_error",
            FaultKind::Latency => "latency",
            FaultKind::Timeout => "timeout",
            FaultKind::ConnectionDrop => "connection_drop",
            FaultKind::SchemaDrift => "schema_drift",
            FaultKind::PatchAsPut => "patch_as_put",
            FaultKind::IgnoreDeactivate => "ignore_deactivate",
            FaultKind::SoftDelete => "soft_delete",
            FaultKind::CaseSensitiveUsername => "case_sensitive_username",
            FaultKind::JitTwin => "jit_twin",
            FaultKind::Conflict => "conflict",
            FaultKind::ManualChange => "manual_change",
            FaultKind::PartialBulk => "partial_bulk",
            FaultKind::StaleReads => "stale_reads",
        }
    }

    pub fn parse(name: &str) -> Option<FaultKind> {
        FaultKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The alert class a connector should raise for this fault's symptom
    /// (SPEC §4.3); `None` for faults judged by state rather than alerts.
    pub fn alert_class(self) -> Option<&'static str> {
        match self {
            FaultKind::TokenExpired => Some("authentication"),
            FaultKind::Forbidden => Some("authorization"),
            FaultKind::RateLimit => Some("rate_limit"),
            FaultKind::Unavailable | FaultKind::ServerError => Some("server_error"),
            FaultKind::Timeout | FaultKind::ConnectionDrop => Some("connectivity"),
            FaultKind::Latency => Some("latency"),
            FaultKind::SchemaDrift => Some("schema_mismatch"),
            FaultKind::Conflict => Some("conflict"),
            // Only the `delete` action maps to a class; the caller decides.
            FaultKind::ManualChange => Some("not_found"),
            FaultKind::PatchAsPut
            | FaultKind::IgnoreDeactivate
            | FaultKind::SoftDelete
            | FaultKind::CaseSensitiveUsername
            | FaultKind::JitTwin
            | FaultKind::PartialBulk
            | FaultKind::StaleReads => None,
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for k in FaultKind::ALL {
            assert_eq!(FaultKind::parse(k.as_str()), Some(k));
            assert_eq!(
                serde_json::to_value(k).ok(),
                Some(serde_json::Value::String(k.as_str().into()))
            );
        }
    }

    #[test]
    fn classes_follow_spec_4_3() {
        assert_eq!(
            FaultKind::TokenExpired.alert_class(),
            Some("authentication")
        );
        assert_eq!(FaultKind::Unavailable.alert_class(), Some("server_error"));
        assert_eq!(
            FaultKind::ConnectionDrop.alert_class(),
            Some("connectivity")
        );
        assert_eq!(FaultKind::PatchAsPut.alert_class(), None);
    }
}
