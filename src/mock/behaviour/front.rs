//! Checks at the front door, inside the journal and before authentication:
//! the standing rate limit (SPEC §2) and a required `User-Agent` (GitHub
//! EMU answers 400 without one; vendor-behaviour.md §2.1).

use super::rate_limit;
use crate::fault::FaultKind;
use crate::mock::profile::Profile;
use crate::mock::state::TargetState;
use crate::scim::ScimError;
use axum::extract::Request;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::time::Instant;

/// Names the fault that shaped a response, for the journal (SPEC §3.3).
#[derive(Debug, Clone, Copy)]
pub struct FaultTag(pub FaultKind);

/// Whether the profile needs the front door at all.
pub fn needed(profile: &Profile) -> bool {
    profile.rate_limit.is_some() || profile.behaviour.require_user_agent
}

/// The gate (see `http::gate`): the answer that replaces the request;
/// `None` lets it through.
pub fn front_door(state: &TargetState, req: &Request) -> Option<Response> {
    let (method, headers) = (req.method(), req.headers());
    if let (Some(bucket), Some(config)) = (&state.vendor.bucket, &state.profile.rate_limit)
        && config.limits(method.as_str())
        && let Err(wait) = bucket.lock().take(Instant::now())
    {
        let mut response = crate::mock::faults::with_retry_after(
            ScimError::new(429, None, "rate limit exceeded").into_response(),
            Some(rate_limit::retry_after(config, wait)),
        );
        response
            .extensions_mut()
            .insert(FaultTag(FaultKind::RateLimit));
        return Some(response);
    }
    if state.profile.behaviour.require_user_agent {
        let has_agent = headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| !v.trim().is_empty());
        if !has_agent {
            return Some(ScimError::bad_request("a User-Agent header is required").into_response());
        }
    }
    None
}
