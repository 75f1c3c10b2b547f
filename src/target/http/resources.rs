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

/// A ListResponse page (RFC 7644 §3.4.2): filter, sort, then page.
fn list_response(
    state: &TargetState,
    kind: ResourceTypeName,
    params: ListParams,
) -> Result<Response, ScimError> {
    let features = &state.profile.features;
    if params.filter.is_some() && features.filter.is_none() {
        return Err(ScimError::not_implemented(
            "this target does not support filtering",
        ));
    }
    let schema = state.schema(kind);
    let mut found = state.store.query(kind, params.filter.as_ref());
    if let (Some(path), true) = (&params.sort_by, features.sort) {
        query::sort_by(&mut found, path, params.descending, schema);
    }
    let max = features
        .filter
        .as_ref()
        .map_or(usize::MAX, |f| f.max_results);
    let page_size = params
        .count
        .unwrap_or(state.profile.page_size_default)
        .min(max);
    let total = found.len();
    let resources: Vec<Value> = found
        .iter()
        .skip(params.start_index - 1)
        .take(page_size)
        .map(|r| params.projection.apply(r, schema))
        .collect();
    let body = json!({
        "schemas": [LIST_RESPONSE],
        "totalResults": total,
        "itemsPerPage": resources.len(),
        "startIndex": params.start_index,
        "Resources": resources,
    });
    Ok(tagged(scim_json(StatusCode::OK, &body), Operation::Read))
}
