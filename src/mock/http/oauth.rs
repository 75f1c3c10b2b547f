//! The OAuth 2.0 token endpoint of an `oauth2_client_credentials` target
//! (RFC 6749 §4.4, responses §5.1/§5.2).

use crate::mock::state::TargetState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

/// Where the token endpoint lives, relative to the target's root.
pub const TOKEN_PATH: &str = "/oauth/token";

pub async fn token(
    State(state): State<Arc<TargetState>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // Read whole rather than through axum's `Bytes`, whose 2 MiB limit
    // answers plain text: the journal already held the body to the
    // target's limit.
    let body = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let form: HashMap<String, String> = form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let (status, body) = match state.auth.token_grant(basic, &form) {
        Ok(issued) => (
            StatusCode::OK,
            json!({"access_token": issued.access_token, "token_type": "Bearer",
                   "expires_in": issued.expires_in}),
        ),
        Err(e) => (
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST),
            json!({"error": e.code()}),
        ),
    };
    let mut response = (status, axum::Json(body)).into_response();
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if status == StatusCode::UNAUTHORIZED {
        h.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(r#"Basic realm="scimulate""#),
        );
    }
    response
}
