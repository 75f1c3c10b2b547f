//! Before a fronting target serves: the app must answer
//! `GET {URL}/ServiceProviderConfig` with a SCIM document: the
//! configuration itself, or a SCIM error when it wants credentials first
//! (RFC 7644 §4 lets it). Anything else (nothing listening, a TLS failure,
//! an answer that is not SCIM) is a diagnosis naming the URL.

use super::UpstreamSpec;
use crate::http_client::Transport;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use serde_json::Value;
use std::time::Duration;

const SPC: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// How long the app may take to answer the preflight.
const PREFLIGHT_TIMEOUT: Duration = Duration::from_secs(10);

fn lists(doc: &Value, urn: &str) -> bool {
    doc.get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|l| l.iter().any(|s| s.as_str() == Some(urn)))
}

/// `Ok` when the app answers as a SCIM service provider; else what is
/// wrong, in a sentence that names the target and the URL.
pub async fn preflight(spec: &UpstreamSpec) -> Result<(), String> {
    let url = format!("{}/ServiceProviderConfig", spec.url);
    let at = format!("upstream {} ({})", spec.name, spec.url);
    let transport = Transport::new(spec.ca_pem.as_deref(), PREFLIGHT_TIMEOUT)
        .map_err(|why| format!("{at}: {why}"))?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::ACCEPT,
        HeaderValue::from_static("application/scim+json, application/json"),
    );
    let answer = transport
        .send(Method::GET, &url, headers, None)
        .await
        .map_err(|why| {
            let hint = if why.starts_with("TLS") {
                " (is --upstream-ca the CA that signed the app's certificate?)"
            } else if why.starts_with("could not connect") {
                " (is the app running, and is the URL right?)"
            } else {
                ""
            };
            format!("{at} does not answer: GET {url}: {why}{hint}")
        })?;
    let doc = serde_json::from_slice::<Value>(&answer.body).ok();
    let scim = match (answer.status, &doc) {
        (200, Some(doc)) => lists(doc, SPC),
        (401 | 403, Some(doc)) => lists(doc, ERROR),
        _ => false,
    };
    if scim {
        return Ok(());
    }
    let what = match &doc {
        None if answer.body.is_empty() => "an empty body".to_owned(),
        None => "a body that is not JSON".to_owned(),
        Some(_) if answer.status == 200 => format!("JSON whose schemas do not list {SPC}"),
        Some(_) => "JSON that is not a SCIM error".to_owned(),
    };
    Err(format!(
        "{at} is not a SCIM service provider: GET {url} answered {} with {what} \
         (expected a ServiceProviderConfig; is the URL the app's SCIM base URL?)",
        answer.status
    ))
}
