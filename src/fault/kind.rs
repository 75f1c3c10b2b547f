//! The fault catalogue (SPEC §3.2): every kind, declared once with its
//! facts: wire name, stage, alert class (SPEC §4.3), the parameters it
//! takes and needs (SPEC §3.4), and the requests it can shape. What a kind
//! does to an answer is the mock's (`mock::faults`); what it *is* is here.

use super::param::{NAMED_USERS, Need, Param};
use super::request::{Operation, RequestFacts};
use crate::contract::alert::AlertClass;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a target does wrong while a fault is active.
///
/// Each variant has its entry in [`CATALOGUE`], in this order (checked
/// when compiling); serde's names are checked against the catalogue's.
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

/// Where a kind acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Decides the answer before the SCIM surface sees the request: a
    /// refusal, a delay, no answer at all.
    FrontDoor,
    /// Changes what the SCIM surface answers; what is stored stays as a
    /// correct app would keep it.
    Answer,
    /// Changes what is stored or how stored values compare: it needs a
    /// store of its own (SPEC §8.3).
    Store,
    /// Applied once, when switched on, by someone other than the connector;
    /// the requests it shapes afterwards are those that meet what it did.
    Once,
}

/// Whether a fault of a kind could change the answer to a request at all,
/// given the request and the fault's `users`. Only such requests count
/// against its window and draws, so `patch_as_put` with `for_requests: 2`
/// shapes the next two PATCHes, not the next two requests of any kind.
pub type Shapes = fn(&RequestFacts<'_>, Option<&[String]>) -> bool;

/// Everything that is true of a kind, wherever it is applied.
#[derive(Debug, Clone, Copy)]
pub struct KindInfo {
    pub kind: FaultKind,
    /// The name used in files, the admin API and the journal.
    pub name: &'static str,
    pub stage: Stage,
    /// The alert class a connector should raise for its symptom; `None`
    /// for kinds judged by state rather than alerts.
    pub class: Option<AlertClass>,
    /// The parameters it takes; any other is refused.
    pub takes: &'static [Param],
    /// The parameters it cannot do without, in the order they are checked.
    pub needs: &'static [Need],
    pub shapes: Shapes,
}

impl KindInfo {
    pub fn can_shape(&self, req: &RequestFacts<'_>, users: Option<&[String]>) -> bool {
        (self.shapes)(req, users)
    }
}

/// Front-door kinds refuse, delay or drop whatever request is in scope.
fn every(_: &RequestFacts<'_>, _: Option<&[String]>) -> bool {
    true
}

const KINDS: usize = 18;

/// One entry per kind, in the enum's order.
pub const CATALOGUE: &[KindInfo; KINDS] = &[
    KindInfo {
        kind: FaultKind::TokenExpired,
        name: "token_expired",
        stage: Stage::FrontDoor,
        class: Some(AlertClass::Authentication),
        takes: &[],
        needs: &[],
        shapes: every,
    },
    KindInfo {
        kind: FaultKind::Forbidden,
        name: "forbidden",
        stage: Stage::FrontDoor,
        class: Some(AlertClass::Authorization),
        takes: &[],
        needs: &[],
        shapes: every,
    },
    KindInfo {
        kind: FaultKind::RateLimit,
        name: "rate_limit",
        stage: Stage::FrontDoor,
        class: Some(AlertClass::RateLimit),
        takes: &[Param::RetryAfter],
        needs: &[],
        shapes: every,
    },
    KindInfo {
        kind: FaultKind::Unavailable,
        name: "unavailable",
        stage: Stage::FrontDoor,
        class: Some(AlertClass::ServerError),
        takes: &[Param::RetryAfter],
        needs: &[],
        shapes: every,
    },
    KindInfo {
        kind: FaultKind::ServerError,
        name: "server_error",
        stage: Stage::FrontDoor,
        class: Some(AlertClass::ServerError),
        takes: &[],
        needs: &[],
        shapes: every,
    },
    KindInfo {
        kind: FaultKind::Latency,
        name: "latency",
        stage: Stage::FrontDoor,
        class: Some(AlertClass::Latency),
        takes: &[Param::Delay],
        needs: &[],
        shapes: every,
    },
    KindInfo {
        kind: FaultKind::Timeout,
        name: "timeout",
        stage: Stage::FrontDoor,
        class: Some(AlertClass::Connectivity),
        takes: &[],
        needs: &[],
        shapes: every,
    },
    KindInfo {
        kind: FaultKind::ConnectionDrop,
        name: "connection_drop",
        stage: Stage::FrontDoor,
        class: Some(AlertClass::Connectivity),
        takes: &[],
        needs: &[],
        shapes: every,
    },
    KindInfo {
        kind: FaultKind::SchemaDrift,
        name: "schema_drift",
        stage: Stage::Answer,
        class: Some(AlertClass::SchemaMismatch),
        takes: &[Param::Attributes, Param::Require, Param::DropExtension],
        needs: &[],
        // Writes it refuses, and discovery that no longer lists the
        // dropped extension.
        shapes: |r, _| r.is_write() || r.is_bulk() || r.is_discovery(),
    },
    KindInfo {
        kind: FaultKind::PatchAsPut,
        name: "patch_as_put",
        stage: Stage::Store,
        class: None,
        takes: &[],
        needs: &[],
        shapes: |r, _| (r.on_resources() && r.method == "PATCH") || r.is_bulk(),
    },
    KindInfo {
        kind: FaultKind::IgnoreDeactivate,
        name: "ignore_deactivate",
        stage: Stage::Store,
        class: None,
        takes: &[],
        needs: &[],
        // A DELETE is not a deactivation to ignore.
        shapes: |r, _| {
            (r.on_users() && r.method != "DELETE" && r.operation == Operation::Deprovision)
                || r.is_bulk()
        },
    },
    KindInfo {
        kind: FaultKind::SoftDelete,
        name: "soft_delete",
        stage: Stage::Store,
        class: None,
        takes: &[],
        needs: &[],
        // Groups have no `active` and are deleted.
        shapes: |r, _| (r.on_users() && r.method == "DELETE") || r.is_bulk(),
    },
    KindInfo {
        kind: FaultKind::CaseSensitiveUsername,
        name: "case_sensitive_username",
        stage: Stage::Store,
        class: None,
        takes: &[],
        needs: &[],
        shapes: |r, _| r.on_users() || r.is_bulk() || r.is_root_search(),
    },
    KindInfo {
        kind: FaultKind::JitTwin,
        name: "jit_twin",
        stage: Stage::Once,
        class: None,
        takes: &[Param::Users],
        needs: &[NAMED_USERS],
        // Applied when switched on; the POSTs it shapes are those for the
        // people it made twins of, which meet the twin's 409.
        shapes: |r, users| r.is_provision() && r.names_one_of(users.unwrap_or_default()),
    },
    KindInfo {
        kind: FaultKind::Conflict,
        name: "conflict",
        stage: Stage::Answer,
        class: Some(AlertClass::Conflict),
        takes: &[Param::Users],
        // Without users it refuses every POST.
        needs: &[],
        shapes: |r, users| match users {
            None => r.is_provision() || r.is_bulk(),
            Some(names) => (r.is_provision() && r.names_one_of(names)) || r.is_bulk(),
        },
    },
    KindInfo {
        kind: FaultKind::ManualChange,
        name: "manual_change",
        stage: Stage::Once,
        // Only the `delete` action maps to a class; the caller decides.
        class: Some(AlertClass::NotFound),
        takes: &[Param::Users, Param::Action, Param::Group, Param::Set],
        needs: &[
            NAMED_USERS,
            Need {
                param: Param::Action,
                what: "one of delete, grant_group, edit",
            },
        ],
        // Applied once when switched on; no request is its to shape.
        shapes: |_, _| false,
    },
    KindInfo {
        kind: FaultKind::PartialBulk,
        name: "partial_bulk",
        stage: Stage::Answer,
        class: None,
        takes: &[Param::FailEvery],
        needs: &[],
        shapes: |r, _| r.is_bulk(),
    },
    KindInfo {
        kind: FaultKind::StaleReads,
        name: "stale_reads",
        stage: Stage::Answer,
        class: None,
        takes: &[Param::Delay],
        needs: &[],
        shapes: |r, _| r.operation == Operation::Read && (r.on_resources() || r.is_root_search()),
    },
];

// `info` indexes the catalogue by the variant's position.
const _: () = {
    let mut i = 0;
    while i < KINDS {
        assert!(
            CATALOGUE[i].kind as usize == i,
            "the catalogue lists the kinds in the enum's order"
        );
        i += 1;
    }
};

impl FaultKind {
    pub const ALL: [FaultKind; KINDS] = {
        let mut all = [FaultKind::TokenExpired; KINDS];
        let mut i = 0;
        while i < KINDS {
            all[i] = CATALOGUE[i].kind;
            i += 1;
        }
        all
    };

    /// The kind's entry in the catalogue.
    pub fn info(self) -> &'static KindInfo {
        &CATALOGUE[self as usize]
    }

    /// The name used in files, the admin API and the journal.
    pub fn as_str(self) -> &'static str {
        self.info().name
    }

    pub fn parse(name: &str) -> Option<FaultKind> {
        CATALOGUE.iter().find(|k| k.name == name).map(|k| k.kind)
    }

    /// The alert class a connector should raise for this fault's symptom
    /// (SPEC §4.3); `None` for faults judged by state rather than alerts.
    pub fn alert_class(self) -> Option<AlertClass> {
        self.info().class
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod schemas;
#[cfg(test)]
mod tests;
