//! The one path segment a resource route names (`/Users/{id}`,
//! `/Schemas/{id}`, `/ResourceTypes/{name}`), taken so that a segment that
//! cannot be read still gets a SCIM error body. axum's own `Path` answers a
//! percent-encoded byte sequence that is not UTF-8 (`/Users/%FF`) with a
//! plain-text 400, which no SCIM client can parse.

use crate::scim::ScimError;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

pub struct Segment(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Segment {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(segment)) => Ok(Segment(segment)),
            // No id, name or URN is a sequence of bytes that is not text:
            // nothing lives there.
            Err(PathRejection::FailedToDeserializePathParams(e)) => Err(ScimError::not_found(
                format!("no resource at {}: {}", parts.uri.path(), e.body_text()),
            )),
            Err(e) => Err(ScimError::invalid_value(format!(
                "{}: {}",
                parts.uri.path(),
                e.body_text()
            ))),
        }
    }
}
