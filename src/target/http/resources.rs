//! `/Users` and `/Groups`: create, read, replace, patch, delete, list and
//! search (RFC 7644 §3.3–§3.6), with ETags (§3.14).

use super::body::ScimBody;
use super::params::{LIST_RESPONSE, ListParams, Projection, query_pairs};
use super::response::{scim_json, tagged};
use crate::fault::Operation;
use crate::scim::query;
use crate::scim::{ScimError, ScimResult};
use crate::target::ops;
use crate::target::profile::ResourceTypeName;
use crate::target::state::TargetState;
use crate::target::store::{IfMatch, Stored};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router, routing::get, routing::post};
use serde_json::{Value, json};
use std::sync::Arc;

type Target = State<Arc<TargetState>>;
type Kind = Extension<ResourceTypeName>;

/// The routes of one resource type, to be nested at its endpoint.
pub fn routes(kind: ResourceTypeName) -> Router<Arc<TargetState>> {
    Router::new()
        .route("/", get(list).post(create))
        .route("/.search", post(search))
        .route("/{id}", get(read).put(replace).patch(patch).delete(delete))
        .layer(Extension(kind))
}

fn ensure_served(state: &TargetState, kind: ResourceTypeName) -> ScimResult<()> {
    if state.serves(kind) {
        Ok(())
    } else {
        Err(ScimError::not_found(format!(
            "this target does not serve {kind:?} resources"
        )))
    }
}

fn if_match(state: &TargetState, headers: &HeaderMap) -> IfMatch {
    if !state.profile.features.etag {
        return IfMatch::Any;
    }
    match headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()) {
        Some(v) => IfMatch::Tags(v.to_owned()),
        None => IfMatch::Any,
    }
}

/// One resource with its `ETag` (and `Location` on create).
fn resource_response(
    state: &TargetState,
    kind: ResourceTypeName,
    status: StatusCode,
    stored: &Stored,
    projection: &Projection,
) -> Response {
    let body = projection.apply(&stored.value, state.schema(kind));
    let mut response = scim_json(status, &body);
    let headers = response.headers_mut();
    if state.profile.features.etag {
        if let Ok(v) = HeaderValue::from_str(&stored.etag()) {
            headers.insert(header::ETAG, v);
        }
    }
    if status == StatusCode::CREATED {
        if let Ok(v) = HeaderValue::from_str(&state.store.location(kind, &stored.id)) {
            headers.insert(header::LOCATION, v);
        }
    }
    response
}

async fn create(
    State(state): Target,
    Extension(kind): Kind,
    RawQuery(q): RawQuery,
    ScimBody(body): ScimBody,
) -> Result<Response, ScimError> {
    ensure_served(&state, kind)?;
    let projection = Projection::from_pairs(&query_pairs(q.as_deref()), state.schema(kind))?;
    let stored = ops::create(&state, kind, &body)?;
    Ok(resource_response(
        &state,
        kind,
        StatusCode::CREATED,
        &stored,
        &projection,
    ))
}

async fn read(
    State(state): Target,
    Extension(kind): Kind,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ScimError> {
    ensure_served(&state, kind)?;
    let projection = Projection::from_pairs(&query_pairs(q.as_deref()), state.schema(kind))?;
    let stored = state.store.get(kind, &id)?;
    if state.profile.features.etag {
        let none_match = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok());
        let current = stored.etag();
        if none_match.is_some_and(|l| l.split(',').any(|t| t.trim() == current || t.trim() == "*"))
        {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            if let Ok(v) = HeaderValue::from_str(&current) {
                response.headers_mut().insert(header::ETAG, v);
            }
            return Ok(response);
        }
    }
    Ok(resource_response(
        &state,
        kind,
        StatusCode::OK,
        &stored,
        &projection,
    ))
}

async fn replace(
    State(state): Target,
    Extension(kind): Kind,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    ScimBody(body): ScimBody,
) -> Result<Response, ScimError> {
    ensure_served(&state, kind)?;
    let projection = Projection::from_pairs(&query_pairs(q.as_deref()), state.schema(kind))?;
    let (stored, operation) = ops::replace(&state, kind, &id, if_match(&state, &headers), &body)?;
    let response = resource_response(&state, kind, StatusCode::OK, &stored, &projection);
    Ok(tagged(response, operation))
}

async fn patch(
    State(state): Target,
    Extension(kind): Kind,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    ScimBody(body): ScimBody,
) -> Result<Response, ScimError> {
    ensure_served(&state, kind)?;
    let projection = Projection::from_pairs(&query_pairs(q.as_deref()), state.schema(kind))?;
    let (stored, operation) = ops::patch(&state, kind, &id, if_match(&state, &headers), &body)?;
    let response = resource_response(&state, kind, StatusCode::OK, &stored, &projection);
    Ok(tagged(response, operation))
}

async fn delete(
    State(state): Target,
    Extension(kind): Kind,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ScimError> {
    ensure_served(&state, kind)?;
    ops::delete(&state, kind, &id, if_match(&state, &headers))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn list(
    State(state): Target,
    Extension(kind): Kind,
    RawQuery(q): RawQuery,
) -> Result<Response, ScimError> {
    ensure_served(&state, kind)?;
    let params = ListParams::from_query(q.as_deref(), state.schema(kind))?;
    list_response(&state, kind, params)
}

async fn search(
    State(state): Target,
    Extension(kind): Kind,
    ScimBody(body): ScimBody,
) -> Result<Response, ScimError> {
    ensure_served(&state, kind)?;
    let params = ListParams::from_search_body(&body, state.schema(kind))?;
    list_response(&state, kind, params)
}

/// `POST /.search` at the root (RFC 7644 §3.4.3): every resource type the
/// target serves, Users first. A filter or attribute list that only makes
/// sense for some types searches those; one that fits none is an error.
pub async fn search_all(
    State(state): Target,
    ScimBody(body): ScimBody,
) -> Result<Response, ScimError> {
    let mut pages = Vec::new();
    let mut last_error = None;
    for kind in [ResourceTypeName::User, ResourceTypeName::Group] {
        if !state.serves(kind) {
            continue;
        }
        match ListParams::from_search_body(&body, state.schema(kind)) {
            Ok(params) => pages.push((kind, params)),
            Err(e) => last_error = Some(e),
        }
    }
    if pages.is_empty() {
        return Err(last_error.unwrap_or_else(|| ScimError::not_found("no resource types")));
    }
    let (start_index, count) = (pages[0].1.start_index, pages[0].1.count);
    let mut found: Vec<Value> = Vec::new();
    for (kind, params) in &pages {
        let schema = state.schema(*kind);
        for r in matching(&state, *kind, params)? {
            found.push(params.projection.apply(&r, schema));
        }
    }
    Ok(page(&state, found, start_index, count))
}

/// The resources a list request selects, sorted.
fn matching(
    state: &TargetState,
    kind: ResourceTypeName,
    params: &ListParams,
) -> Result<Vec<Arc<Value>>, ScimError> {
    let features = &state.profile.features;
    if params.filter.is_some() && features.filter.is_none() {
        return Err(ScimError::not_implemented(
            "this target does not support filtering",
        ));
    }
    let mut found = state.store.query(kind, params.filter.as_ref());
    if let (Some(path), true) = (&params.sort_by, features.sort) {
        query::sort_by(&mut found, path, params.descending, state.schema(kind));
    }
    Ok(found)
}

/// The page size of a list request: `count`, or the profile's default,
/// capped by maxResults (RFC 7644 §3.4.2.4).
fn page_size(state: &TargetState, count: Option<usize>) -> usize {
    let max = state
        .profile
        .features
        .filter
        .as_ref()
        .map_or(usize::MAX, |f| f.max_results);
    count.unwrap_or(state.profile.page_size_default).min(max)
}

fn list_body(total: usize, start_index: usize, resources: Vec<Value>) -> Response {
    let body = json!({
        "schemas": [LIST_RESPONSE],
        "totalResults": total,
        "itemsPerPage": resources.len(),
        "startIndex": start_index,
        "Resources": resources,
    });
    tagged(scim_json(StatusCode::OK, &body), Operation::Read)
}

/// One page of already projected resources.
fn page(
    state: &TargetState,
    all: Vec<Value>,
    start_index: usize,
    count: Option<usize>,
) -> Response {
    let total = all.len();
    let resources = all
        .into_iter()
        .skip(start_index - 1)
        .take(page_size(state, count))
        .collect();
    list_body(total, start_index, resources)
}

/// A ListResponse page (RFC 7644 §3.4.2): filter, sort, then page.
fn list_response(
    state: &TargetState,
    kind: ResourceTypeName,
    params: ListParams,
) -> Result<Response, ScimError> {
    let schema = state.schema(kind);
    let found = matching(state, kind, &params)?;
    // Project only the page, not every match.
    let resources = found
        .iter()
        .skip(params.start_index - 1)
        .take(page_size(state, params.count))
        .map(|r| params.projection.apply(r, schema))
        .collect();
    Ok(list_body(found.len(), params.start_index, resources))
}
