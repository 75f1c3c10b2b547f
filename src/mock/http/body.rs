//! The request body extractor: the media type must be SCIM's (or plain
//! JSON, RFC 7644 §3.1/§8.1), and malformed JSON becomes a SCIM
//! `invalidSyntax` error that says where the JSON broke.

use crate::scim::ScimError;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use http_body_util::BodyExt;
use serde_json::Value;

/// A JSON object body.
#[derive(Debug)]
pub struct ScimBody(pub Value);

/// True for `application/scim+json` and `application/json`, with any
/// parameters (`; charset=utf-8`).
pub fn is_scim_media_type(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/scim+json")
        || essence.eq_ignore_ascii_case("application/json")
}

impl<S: Send + Sync> FromRequest<S> for ScimBody {
    type Rejection = ScimError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        match content_type.as_deref() {
            Some(ct) if is_scim_media_type(ct) => {}
            Some(ct) => {
                return Err(ScimError::unsupported_media_type(format!(
                    "Content-Type {ct:?} is not supported: send application/scim+json"
                )));
            }
            None => {
                return Err(ScimError::unsupported_media_type(
                    "Content-Type is missing: send application/scim+json",
                ));
            }
        }
        // The body as the journal read it (its length already held to the
        // target's maxPayloadSize), not through axum's `Bytes`, whose own
        // 2 MiB limit refused larger bodies a profile allows.
        let bytes = req
            .into_body()
            .collect()
            .await
            .map_err(|e| ScimError::invalid_syntax(format!("could not read the body: {e}")))?
            .to_bytes();
        let value: Value = serde_json::from_slice(&bytes)
            .map_err(|e| ScimError::invalid_syntax(format!("the body is not valid JSON: {e}")))?;
        if !value.is_object() {
            return Err(ScimError::invalid_syntax("the body must be a JSON object"));
        }
        Ok(ScimBody(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types() {
        assert!(is_scim_media_type("application/scim+json"));
        assert!(is_scim_media_type("Application/JSON; charset=utf-8"));
        assert!(!is_scim_media_type("text/plain"));
        assert!(!is_scim_media_type("application/x-www-form-urlencoded"));
    }
}
