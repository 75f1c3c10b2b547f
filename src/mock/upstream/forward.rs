//! The fronting target's one route: every request goes to the app with its
//! method, path, query, body and the connector's own `Authorization`, and
//! the app's answer comes back as it was, except where a fault in scope
//! shapes it. The front-door faults were decided by the journal layer
//! before this runs; the answer faults act here, through the same hooks a
//! mock target's handlers call (`mock::faults`).

use super::answer::Answer;
use super::{Upstream, stale};
use crate::fault::FaultKind;
use crate::mock::faults::{bulk, drift, writes};
use crate::mock::http::SCIM_JSON;
use crate::mock::state::TargetState;
use crate::scim::patch::PatchRequest;
use crate::scim::schema::ResourceTypeName;
use crate::scim::{ScimError, ScimResult};
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Instant;

/// Headers that belong to one connection, not to the request or answer
/// (RFC 9110 §7.6.1), and the ones the proxy sets itself.
const NOT_FORWARDED: [header::HeaderName; 9] = [
    header::CONNECTION,
    header::HOST,
    header::CONTENT_LENGTH,
    header::TRANSFER_ENCODING,
    header::TE,
    header::TRAILER,
    header::UPGRADE,
    header::PROXY_AUTHORIZATION,
    // Answers come back uncompressed, so the journal and the answer
    // faults read them.
    header::ACCEPT_ENCODING,
];

const BULK_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

fn forwarded(headers: &HeaderMap) -> HeaderMap {
    let mut out = headers.clone();
    for h in NOT_FORWARDED {
        out.remove(h);
    }
    out.remove("keep-alive");
    out
}

/// What the request is, below the base path.
enum Addressed {
    /// `/Users` or `/Groups` (a POST creates), or one of them by id.
    Resource(ResourceTypeName, bool),
    Bulk,
    Discovery,
    Other,
}

fn addressed(base_path: &str, path: &str) -> Addressed {
    let Some(rest) = path.strip_prefix(base_path.trim_end_matches('/')) else {
        return Addressed::Other;
    };
    let mut parts = rest.trim_start_matches('/').split('/');
    let first = parts.next().unwrap_or_default();
    let second = parts.next();
    let kind = match first {
        "Users" => ResourceTypeName::User,
        "Groups" => ResourceTypeName::Group,
        "Bulk" => return Addressed::Bulk,
        "Schemas" | "ResourceTypes" => return Addressed::Discovery,
        _ => return Addressed::Other,
    };
    match second {
        Some(".search") => Addressed::Other,
        Some(_) => Addressed::Resource(kind, false),
        None => Addressed::Resource(kind, true),
    }
}

/// The forwarding route's state: the target and the app behind it.
#[derive(Clone)]
pub(super) struct Front {
    pub(super) state: Arc<TargetState>,
    pub(super) upstream: Arc<Upstream>,
}

pub(super) async fn forward(State(front): State<Front>, req: Request) -> Response {
    let Front { state, upstream } = front;
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .map(HeaderValue::as_bytes);
    if !upstream.tokens.admit(authorization) {
        return expired();
    }
    let path = parts.uri.path();
    let place = addressed(&state.profile.base_path, path);
    let mut bulk_failures = Vec::new();
    let body = match before(&state, &parts.method, &place, body, &mut bulk_failures) {
        Ok(Some(body)) => body,
        // Every operation of a bulk request failed: nothing to forward.
        Ok(None) => return bulk_answer(merge(Vec::new(), bulk_failures)),
        Err(e) => return e.into_response(),
    };
    // stale_reads: a read of one resource written a moment ago sees it
    // as it was before that write.
    if matches!(place, Addressed::Resource(_, false))
        && parts.method == Method::GET
        && let Some(before) = upstream.history.stale(&state, path)
    {
        return before.into_response();
    }
    let remembering = !state.faults.is_empty() && state.faults.has(FaultKind::StaleReads);
    let received = Instant::now();
    if remembering
        && matches!(place, Addressed::Resource(_, false))
        && matches!(parts.method, Method::PUT | Method::PATCH | Method::DELETE)
    {
        let url = format!("{}{path}", upstream.origin);
        let headers = stale::read_headers(&parts.headers);
        if let Ok(before) = send(&upstream, Method::GET, &url, &headers, Bytes::new()).await {
            upstream.history.record(&state, path, received, before);
        }
    }
    let url = match parts.uri.query() {
        Some(q) => format!("{}{path}?{q}", upstream.origin),
        None => format!("{}{path}", upstream.origin),
    };
    let answer = send(&upstream, parts.method.clone(), &url, &parts.headers, body).await;
    let answer = match answer {
        Ok(a) => a,
        Err(e) => return e,
    };
    if remembering
        && matches!(place, Addressed::Resource(_, true))
        && parts.method == Method::POST
        && answer.status == StatusCode::CREATED
        && let Some(id) = serde_json::from_slice::<Value>(&answer.body)
            .ok()
            .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_owned))
    {
        let created = format!("{}/{id}", path.trim_end_matches('/'));
        let before = stale::not_yet().await;
        upstream.history.record(&state, &created, received, before);
    }
    if !bulk_failures.is_empty() {
        return merged_bulk(answer, bulk_failures);
    }
    if matches!(place, Addressed::Discovery) {
        return drifted_discovery(answer);
    }
    answer.into_response()
}

/// The answer faults that act before the app sees the request: a refusal,
/// or the body to forward (`None`: nothing left to forward).
fn before(
    state: &TargetState,
    method: &Method,
    place: &Addressed,
    body: Bytes,
    bulk_failures: &mut Vec<(usize, Value)>,
) -> ScimResult<Option<Bytes>> {
    if state.faults.is_empty() {
        return Ok(Some(body));
    }
    let json = || serde_json::from_slice::<Value>(&body).ok();
    match (place, method) {
        (Addressed::Resource(kind, true), &Method::POST) => {
            if let Some(v) = json() {
                writes::conflict(*kind, &v)?;
                drift::check_resource(*kind, state.schema(*kind), &v)?;
            }
        }
        (Addressed::Resource(kind, false), &Method::PUT) => {
            if let Some(v) = json() {
                drift::check_resource(*kind, state.schema(*kind), &v)?;
            }
        }
        (Addressed::Resource(kind, false), &Method::PATCH) => {
            // A body the app would refuse is the app's to refuse.
            if let Some(request) = json().and_then(|v| PatchRequest::from_json(&v).ok()) {
                drift::check_patch(state.schema(*kind), &request)?;
            }
        }
        (Addressed::Bulk, &Method::POST) => {
            if let Some(v) = json() {
                return Ok(partial_bulk(v, bulk_failures));
            }
        }
        _ => {}
    }
    Ok(Some(body))
}

/// `partial_bulk`: the operations that must fail are taken out of the
/// request (the app never runs them) and their failures kept to put back
/// in the answer at their places.
fn partial_bulk(mut request: Value, failures: &mut Vec<(usize, Value)>) -> Option<Bytes> {
    let Some(ops) = request.get_mut("Operations").and_then(Value::as_array_mut) else {
        return Some(Bytes::from(request.to_string()));
    };
    let mut kept = Vec::with_capacity(ops.len());
    for (i, op) in std::mem::take(ops).into_iter().enumerate() {
        match bulk::fails(i) {
            Some(e) => failures.push((i, failed_entry(&op, &e, i))),
            None => kept.push(op),
        }
    }
    if failures.is_empty() {
        *ops = kept;
        return Some(Bytes::from(request.to_string()));
    }
    if kept.is_empty() {
        return None;
    }
    *ops = kept;
    Some(Bytes::from(request.to_string()))
}

/// A failed operation as RFC 7644 §3.7.3 gives it in a BulkResponse.
fn failed_entry(op: &Value, e: &ScimError, index: usize) -> Value {
    let mut response = e.to_json();
    response["detail"] = Value::String(format!("Operations[{index}]: {}", e.detail));
    let mut entry = json!({
        "method": op.get("method").cloned().unwrap_or(Value::Null),
        "status": e.status.to_string(),
        "response": response,
    });
    if let Some(b) = op.get("bulkId") {
        entry["bulkId"] = b.clone();
    }
    entry
}

/// The app's results with the failed operations put back at their places.
fn merge(app: Vec<Value>, failures: Vec<(usize, Value)>) -> Vec<Value> {
    let mut app = app.into_iter();
    let mut failures = failures.into_iter().peekable();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        if failures.peek().is_some_and(|(at, _)| *at == i) {
            out.extend(failures.next().map(|(_, e)| e));
        } else if let Some(r) = app.next() {
            out.push(r);
        } else {
            // The app stopped early (failOnErrors): the later failures
            // still belong to operations the client sent.
            out.extend(failures.map(|(_, e)| e));
            return out;
        }
        i += 1;
    }
}

fn bulk_answer(results: Vec<Value>) -> Response {
    let body = json!({"schemas": [BULK_RESPONSE], "Operations": results});
    let mut response = (StatusCode::OK, body.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
    response
}

/// The app's BulkResponse with the failures merged in; any other answer
/// (the app refused the whole request) is passed on as it came.
fn merged_bulk(answer: Answer, failures: Vec<(usize, Value)>) -> Response {
    let results = serde_json::from_slice::<Value>(&answer.body)
        .ok()
        .filter(|_| answer.status == StatusCode::OK)
        .and_then(|mut v| match v.get_mut("Operations").map(Value::take) {
            Some(Value::Array(ops)) => Some(ops),
            _ => None,
        });
    match results {
        Some(results) => bulk_answer(merge(results, failures)),
        None => answer.into_response(),
    }
}

/// `schema_drift`'s `drop_extension` in the app's discovery answers: the
/// extension is no longer listed in `/Schemas` nor in any resource type's
/// `schemaExtensions`, and `/Schemas/URN` is 404.
fn drifted_discovery(mut answer: Answer) -> Response {
    if drift::dropped_extension().is_none() {
        return answer.into_response();
    }
    let Ok(mut v) = serde_json::from_slice::<Value>(&answer.body) else {
        return answer.into_response();
    };
    let hidden = |s: &Value| s.as_str().is_some_and(drift::hides);
    if v.get("id").is_some_and(hidden) {
        return ScimError::not_found("no such schema").into_response();
    }
    let hide_extensions = |t: &mut Value| {
        if let Some(exts) = t.get_mut("schemaExtensions").and_then(Value::as_array_mut) {
            exts.retain(|e| !e.get("schema").is_some_and(hidden));
        }
    };
    hide_extensions(&mut v);
    if let Some(list) = v.get_mut("Resources").and_then(Value::as_array_mut) {
        list.retain(|r| !r.get("id").is_some_and(hidden));
        list.iter_mut().for_each(hide_extensions);
    }
    if let Some(n) = v.get("Resources").and_then(Value::as_array).map(Vec::len) {
        v["totalResults"] = json!(n);
    }
    answer.body = Bytes::from(v.to_string());
    answer.into_response()
}

/// Sends the request to the app; its answer, or a SCIM error (502, or 504
/// when the app took too long) saying what failed.
async fn send(
    upstream: &Upstream,
    method: Method,
    url: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Answer, Response> {
    let body = (!body.is_empty()).then(|| body.to_vec());
    let answer = upstream
        .transport
        .send(method, url, forwarded(headers), body)
        .await
        .map_err(|why| {
            let status = if why.starts_with("timed out") {
                504
            } else {
                502
            };
            ScimError::new(
                status,
                None,
                format!("the app behind this target did not answer: {why}"),
            )
            .into_response()
        })?;
    Ok(Answer {
        status: StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY),
        headers: forwarded(&answer.headers),
        body: answer.body,
    })
}

/// 401 for a credential `token_expired` expired, as a mock target gives it.
fn expired() -> Response {
    use crate::mock::auth::AuthFailure;
    let failure = AuthFailure::Expired;
    let mut response = ScimError::unauthorized(failure.detail()).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(failure.challenge()),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(i: usize) -> (usize, Value) {
        (i, json!({"failed": i}))
    }

    #[test]
    fn failed_operations_are_put_back_at_their_places() {
        let app = vec![json!({"ran": 0}), json!({"ran": 2})];
        let merged = merge(app, vec![failure(1), failure(3)]);
        assert_eq!(
            merged,
            [
                json!({"ran": 0}),
                json!({"failed": 1}),
                json!({"ran": 2}),
                json!({"failed": 3})
            ]
        );
        assert_eq!(
            merge(vec![], vec![failure(0), failure(1)]),
            [json!({"failed": 0}), json!({"failed": 1})]
        );
    }

    #[test]
    fn requests_are_sorted_below_the_base_path() {
        let is = |path, expected: &str| {
            let got = match addressed("/scim/v2", path) {
                Addressed::Resource(_, true) => "collection",
                Addressed::Resource(_, false) => "resource",
                Addressed::Bulk => "bulk",
                Addressed::Discovery => "discovery",
                Addressed::Other => "other",
            };
            assert_eq!(got, expected, "{path}");
        };
        is("/scim/v2/Users", "collection");
        is("/scim/v2/Groups/1", "resource");
        is("/scim/v2/Users/.search", "other");
        is("/scim/v2/Bulk", "bulk");
        is("/scim/v2/Schemas/urn:x", "discovery");
        is("/other/Users", "other");
    }
}
