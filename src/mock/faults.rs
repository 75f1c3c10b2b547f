//! Faults in a target (SPEC §3.2): how each kind does what the catalogue
//! (`crate::fault`) says it is. Here: what switching a fault on and
//! clearing it do to the target, the front-door kinds, which decide the
//! answer before the SCIM surface sees the request (refusals, delays, a
//! request never answered), and the decision that hands the other kinds
//! (PATCH as PUT, ignored deactivation, …) to the hooks in the submodules,
//! one per family of kinds. A kind not implemented is refused when added
//! rather than silently ignored.

pub mod bulk;
pub mod drift;
pub mod once;
pub mod reads;
pub mod shaping;
mod switch;
pub mod writes;

pub use shaping::Shaping;

use crate::fault::{
    Delay, FaultKind, FaultSet, FaultSpec, Operation, RequestFacts, RetryAfter, Stage, draw_counter,
};
use crate::mock::profile::Profile;
use crate::mock::state::TargetState;
use crate::scim::ScimError;
use crate::scim::schema::ResourceTypeName;
use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Checks a profile's quirks as a target of that profile would when it
/// starts, so `check` and loading refuse them as bad input.
pub fn check_quirks(profile: &Profile) -> Result<(), String> {
    if profile.quirks.is_empty() {
        return Ok(());
    }
    let probe = TargetState::new(&profile.name, profile.clone(), "http://127.0.0.1", 0);
    profile.quirks.iter().enumerate().try_for_each(|(i, q)| {
        probe
            .check_fault(&q.0)
            .map_err(|why| format!("[{i}]: {why}"))
    })
}

/// What switching a fault on does before any request: the tokens held now
/// answer 401 until the connector rotates or fetches a new one
/// (`token_expired`); history is kept from now on (`stale_reads`).
pub fn on_switch(state: &TargetState, spec: &FaultSpec) {
    match spec.kind {
        FaultKind::TokenExpired => match &state.upstream {
            Some(upstream) => upstream.expire_seen_tokens(),
            None => state.auth.expire_all(),
        },
        FaultKind::StaleReads => reads::keep_history(state, spec.delay),
        _ => {}
    }
}

/// After faults were cleared: what only a fault needed is let go.
pub fn on_clear(state: &TargetState) {
    reads::release_history(state);
    if let Some(upstream) = &state.upstream {
        if !state.faults.has(FaultKind::TokenExpired) {
            upstream.forgive_tokens();
        }
        if !state.faults.has(FaultKind::StaleReads) {
            upstream.forget_history();
        }
    }
}

/// What the faults decide for one request.
#[derive(Debug, Default)]
pub enum Verdict {
    /// No fault in scope: the target answers as the strict target does.
    #[default]
    Pass,
    /// Answer this instead of handling the request.
    Answer(Response, FaultKind),
    /// Handle the request after this delay.
    Delay(Duration, FaultKind),
    /// Accept the request and never answer it.
    Hang,
    /// Reset the connection (TCP RST) instead of answering.
    Reset,
    /// A `token_expired` fault is in scope: the tokens it expired when it
    /// was switched on are refused by the auth layer, and the journal names
    /// the fault on that refusal. A rotated or newly issued token passes.
    TokenExpired,
}

/// The resource type a path addresses, below the target's base path.
fn resource_type(base_path: &str, path: &str) -> Option<ResourceTypeName> {
    let rest = path.strip_prefix(base_path.trim_end_matches('/'))?;
    let first = rest.trim_start_matches('/').split('/').next()?;
    match first {
        "Users" => Some(ResourceTypeName::User),
        "Groups" => Some(ResourceTypeName::Group),
        _ => None,
    }
}

/// The operation a request attempts; a PUT or PATCH that sets `active` to
/// false deprovisions (SPEC §3.3). Read from the body only when a fault is
/// active, so the strict target's hot path never parses twice.
pub fn operation(method: &Method, path: &str, body: &[u8]) -> Operation {
    match *method {
        Method::GET | Method::HEAD => Operation::Read,
        Method::POST if path.ends_with("/.search") => Operation::Read,
        Method::POST if path.ends_with("/Bulk") => Operation::Update,
        Method::POST => Operation::Provision,
        Method::DELETE => Operation::Deprovision,
        _ if deactivates(body) => Operation::Deprovision,
        _ => Operation::Update,
    }
}

fn deactivates(body: &[u8]) -> bool {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    if v.get("active") == Some(&Value::Bool(false)) {
        return true;
    }
    v.get("Operations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|op| {
            let value = op.get("value");
            let path_is_active = op
                .get("path")
                .and_then(Value::as_str)
                .is_some_and(|p| p.eq_ignore_ascii_case("active"));
            (path_is_active && value == Some(&Value::Bool(false)))
                || value.and_then(|v| v.get("active")) == Some(&Value::Bool(false))
        })
}

/// The front door's verdict, and the SCIM-level faults that shape the
/// request if it goes on to the handlers.
#[derive(Default)]
pub struct Decision {
    pub verdict: Verdict,
    pub shaping: Option<Arc<Shaping>>,
}

/// Decides the first front-door fault (in the order they were switched on)
/// that shapes this request, and which SCIM-level faults do.
pub fn decide(
    faults: &FaultSet,
    base_path: &str,
    method: &Method,
    path: &str,
    body: &[u8],
) -> Decision {
    if faults.is_empty() {
        return Decision::default();
    }
    let facts = RequestFacts {
        method: method.as_str(),
        path,
        body,
        resource_type: resource_type(base_path, path),
        operation: operation(method, path, body),
    };
    let now = Instant::now();
    let (front, scim): (Vec<_>, Vec<_>) = faults
        .shaping(&facts, now)
        .into_iter()
        .partition(|f| f.spec.kind.info().stage == Stage::FrontDoor);
    let shaping = Shaping::new(scim);
    let Some(fault) = front.into_iter().next() else {
        return Decision {
            verdict: Verdict::Pass,
            shaping,
        };
    };
    let spec = &fault.spec;
    let kind = spec.kind;
    let verdict = match kind {
        FaultKind::TokenExpired => Verdict::TokenExpired,
        FaultKind::Forbidden => Verdict::Answer(
            ScimError::forbidden("the token is valid but lacks permission for this operation")
                .into_response(),
            kind,
        ),
        FaultKind::RateLimit => Verdict::Answer(
            with_retry_after(
                ScimError::new(429, None, "too many requests").into_response(),
                spec.retry_after,
            ),
            kind,
        ),
        FaultKind::Unavailable => Verdict::Answer(
            with_retry_after(
                ScimError::new(503, None, "the service is temporarily unavailable").into_response(),
                spec.retry_after,
            ),
            kind,
        ),
        FaultKind::ServerError => Verdict::Answer(
            ScimError::internal("internal server error").into_response(),
            kind,
        ),
        FaultKind::Latency => {
            let delay = match spec.delay {
                Some(Delay::Fixed(d)) => d.0,
                Some(Delay::Range { min, max }) => {
                    // Drawn from the seed and the fault's own count, so the
                    // sequence of delays repeats run after run.
                    let x = draw_counter(faults.seed(), fault.id, fault.shaped());
                    min.0 + (max.0.saturating_sub(min.0)).mul_f64(x)
                }
                None => Duration::from_secs(1),
            };
            Verdict::Delay(delay, kind)
        }
        FaultKind::Timeout => Verdict::Hang,
        FaultKind::ConnectionDrop => Verdict::Reset,
        // The SCIM-level kinds act through their hooks in the handlers.
        _ => Verdict::Pass,
    };
    Decision { verdict, shaping }
}

/// Adds `Retry-After` as the fault says: whole seconds by default (1 when
/// the fault names none), an HTTP-date, or no header.
pub(crate) fn with_retry_after(
    mut response: Response,
    retry_after: Option<RetryAfter>,
) -> Response {
    let value = match retry_after {
        None => Some("1".to_owned()),
        Some(RetryAfter::Seconds(d)) => Some(d.0.as_secs().max(1).to_string()),
        Some(RetryAfter::HttpDate { http_date }) => {
            // A wait too far ahead for the calendar is sent as the latest
            // date there is rather than overflowing.
            let at = chrono::Duration::from_std(http_date.0)
                .ok()
                .and_then(|d| Utc::now().checked_add_signed(d))
                .unwrap_or(chrono::DateTime::<Utc>::MAX_UTC);
            Some(at.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
        }
        Some(RetryAfter::None(_)) => None,
    };
    if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::delete(Method::DELETE, "/Users/1", "", Operation::Deprovision)]
    #[case::put_inactive(Method::PUT, "/Users/1", r#"{"active":false}"#, Operation::Deprovision)]
    #[case::patch_path(
        Method::PATCH,
        "/Users/1",
        r#"{"Operations":[{"op":"replace","path":"active","value":false}]}"#,
        Operation::Deprovision
    )]
    #[case::patch_value(
        Method::PATCH,
        "/Users/1",
        r#"{"Operations":[{"op":"replace","value":{"active":false}}]}"#,
        Operation::Deprovision
    )]
    #[case::patch_other(
        Method::PATCH,
        "/Users/1",
        r#"{"Operations":[{"op":"replace","path":"title","value":"x"}]}"#,
        Operation::Update
    )]
    #[case::search(Method::POST, "/Users/.search", "{}", Operation::Read)]
    #[case::create(Method::POST, "/Users", "{}", Operation::Provision)]
    fn operations(
        #[case] method: Method,
        #[case] path: &str,
        #[case] body: &str,
        #[case] expected: Operation,
    ) {
        assert_eq!(operation(&method, path, body.as_bytes()), expected);
    }

    #[test]
    fn resource_types_are_read_below_the_base_path() {
        assert_eq!(
            resource_type("/scim/v2", "/scim/v2/Users/1"),
            Some(ResourceTypeName::User)
        );
        assert_eq!(
            resource_type("/scim/v2/", "/scim/v2/Groups"),
            Some(ResourceTypeName::Group)
        );
        assert_eq!(resource_type("/scim/v2", "/scim/v2/Bulk"), None);
        assert_eq!(resource_type("/scim/v2", "/oauth/token"), None);
    }
}
