//! `GET /`: the live board of the admin listener, one self-contained page
//! (no request leaves it but its own calls to this admin API). It holds
//! no data and needs no token to load: it asks for the admin token (or
//! reads it from the URL fragment `#token=`, which browsers never send)
//! and calls the admin API with it as a bearer token. No cookies.

use crate::fault::CATALOGUE;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

const PAGE: &str = include_str!("board.html");

/// Nothing but the admin API itself: scripts and styles are the page's
/// own, every fetch goes to its origin, no frame, form post or base URL.
const POLICY: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

/// The page, with the fault catalogue (each kind and the fields it takes)
/// for its form.
pub fn page() -> Response {
    let kinds: Vec<_> = CATALOGUE
        .iter()
        .map(|k| json!({"name": k.name, "takes": k.takes.iter().map(|p| p.name()).collect::<Vec<_>>()}))
        .collect();
    // Inside a <script> element: `<` written as \u003c so no value can
    // close the element.
    let catalogue = serde_json::to_string(&kinds)
        .unwrap_or_else(|_| "[]".into())
        .replace('<', "\\u003c");
    let mut response = Html(PAGE.replace("{{CATALOGUE}}", &catalogue)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(POLICY),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_page_carries_every_kind_and_a_policy_that_forbids_other_origins() {
        let response = page();
        let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(policy.contains("default-src 'none'") && policy.contains("connect-src 'self'"));
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert!(!text.contains("{{CATALOGUE}}"));
        for k in CATALOGUE {
            assert!(
                text.contains(&format!("\"name\":\"{}\"", k.name)),
                "{}",
                k.name
            );
        }
        assert!(
            !text.contains("innerHTML"),
            "outside text goes in as text only"
        );
    }
}
