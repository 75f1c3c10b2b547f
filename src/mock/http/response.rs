//! SCIM responses: `application/scim+json` bodies (RFC 7644 §3.1) and
//! errors as RFC 7644 §3.12 bodies, so no request ever gets a plain-text
//! answer.

use crate::fault::Operation;
use crate::scim::ScimError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;

pub const SCIM_JSON: &str = "application/scim+json";

/// A JSON body with the SCIM media type.
pub fn scim_json(status: StatusCode, body: &impl Serialize) -> Response {
    scim_bytes(
        status,
        Bytes::from(serde_json::to_vec(body).unwrap_or_default()),
    )
}

/// An already serialised JSON body with the SCIM media type.
pub fn scim_bytes(status: StatusCode, bytes: Bytes) -> Response {
    let mut response = (status, bytes).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
    response
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        scim_json(status, &self.to_json())
    }
}

/// Tells the journal what kind of operation a request performed when the
/// method alone does not (a PATCH that deactivates is a deprovisioning).
#[derive(Debug, Clone, Copy)]
pub struct OperationTag(pub Operation);

pub fn tagged(mut response: Response, operation: Operation) -> Response {
    response.extensions_mut().insert(OperationTag(operation));
    response
}
