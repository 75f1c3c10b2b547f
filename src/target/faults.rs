//! Faults at a target's front door (SPEC §3.2): the kinds that decide the
//! answer before the SCIM surface sees the request (refusals, delays, a
//! request never answered). The kinds that change what the SCIM surface does
//! with a request (PATCH as PUT, ignored deactivation, …) are not switched
//! on here yet, and adding one is refused rather than silently ignored.

use crate::fault::{
    Delay, FaultKind, FaultSet, FaultSpec, Operation, RequestFacts, RetryAfter, draw_counter,
};
use crate::scim::ScimError;
use crate::target::profile::ResourceTypeName;
use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::Value;
use std::time::{Duration, Instant};

/// The kinds a target can be given now.
pub const SUPPORTED: [FaultKind; 7] = [
    FaultKind::TokenExpired,
    FaultKind::Forbidden,
    FaultKind::RateLimit,
    FaultKind::Unavailable,
    FaultKind::ServerError,
    FaultKind::Latency,
    FaultKind::Timeout,
];

/// Why a fault cannot be added.
pub fn unsupported(spec: &FaultSpec) -> Option<String> {
    (!SUPPORTED.contains(&spec.kind)).then(|| {
        let names: Vec<&str> = SUPPORTED.iter().map(|k| k.as_str()).collect();
        format!(
            "fault kind `{}` is not implemented by the mock target yet; supported: {}",
            spec.kind.as_str(),
            names.join(", ")
        )
    })
}

/// What the faults decide for one request.
#[derive(Debug)]
pub enum Verdict {
    /// No fault in scope: the target answers as the strict target does.
    Pass,
    /// Answer this instead of handling the request.
    Answer(Response, FaultKind),
    /// Handle the request after this delay.
    Delay(Duration, FaultKind),
    /// Accept the request and never answer it.
    Hang,
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

/// Decides the first fault (in the order they were switched on) that
/// shapes this request.
pub fn decide(
    faults: &FaultSet,
    base_path: &str,
    method: &Method,
    path: &str,
    body: &[u8],
) -> Verdict {
    if faults.is_empty() {
        return Verdict::Pass;
    }
    let facts = RequestFacts {
        method: method.as_str(),
        path,
        body,
        resource_type: resource_type(base_path, path),
        operation: operation(method, path, body),
    };
    let now = Instant::now();
    let Some(fault) = faults.shaping(&facts, now).into_iter().next() else {
        return Verdict::Pass;
    };
    let spec = &fault.spec;
    let kind = spec.kind;
    match kind {
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
        // `unsupported` keeps every other kind out of a target's set.
        _ => Verdict::Pass,
    }
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
            let at = Utc::now() + chrono::Duration::from_std(http_date.0).unwrap_or_default();
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
