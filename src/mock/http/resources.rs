//! `/Users` and `/Groups`: create, read, replace, patch, delete, list and
//! search (RFC 7644 §3.3–§3.6), with ETags (§3.14).

use super::body::ScimBody;
use super::params::{LIST_RESPONSE, ListParams, Projection};
use super::response::{scim_bytes, scim_json, tagged};
use super::segment::Segment;
use super::vendor;
use crate::fault::Operation;
use crate::mock::behaviour::lifecycle;
use crate::mock::faults::reads;
use crate::mock::ops;
use crate::mock::state::TargetState;
use crate::mock::store::{IfMatch, Stored};
use crate::scim::query;
use crate::scim::schema::ResourceTypeName;
use crate::scim::{ScimError, ScimResult};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::{Router, routing::get, routing::post};
use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;
use std::io::Write;
use std::sync::Arc;

type Target = State<Arc<TargetState>>;
/// A resource type's endpoint, as a type: handlers are instantiated per
/// type, so routing needs no nesting and requests carry no extension (both
/// cost allocations on every request).
pub trait Endpoint: Send + Sync + 'static {
    const KIND: ResourceTypeName;
}

pub struct UsersEndpoint;
pub struct GroupsEndpoint;

impl Endpoint for UsersEndpoint {
    const KIND: ResourceTypeName = ResourceTypeName::User;
}

impl Endpoint for GroupsEndpoint {
    const KIND: ResourceTypeName = ResourceTypeName::Group;
}

/// The routes of one resource type at `endpoint` (e.g. `/scim/v2/Users`).
pub fn routes<K: Endpoint>(
    router: Router<Arc<TargetState>>,
    endpoint: &str,
) -> Router<Arc<TargetState>> {
    router
        .route(endpoint, get(list::<K>).post(create::<K>))
        .route(&format!("{endpoint}/.search"), post(search::<K>))
        .route(
            &format!("{endpoint}/{{id}}"),
            get(read::<K>)
                .put(replace::<K>)
                .patch(patch::<K>)
                .delete(delete::<K>),
        )
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
    let mut response = match &stored.default_view {
        Some(bytes) if projection.is_default() && !state.profile.behaviour.reshapes(kind) => {
            scim_bytes(status, bytes.clone())
        }
        _ => {
            let projected = projection.apply(&stored.value.arc(), state.schema(kind));
            // After projection, which would drop an empty list as unassigned.
            let behaviour = &state.profile.behaviour;
            let served = behaviour.group_members.view(kind, &projected);
            scim_json(status, &**served.as_ref().unwrap_or(&projected))
        }
    };
    let headers = response.headers_mut();
    if state.profile.features.etag
        && let Ok(v) = HeaderValue::from_str(&stored.etag())
    {
        headers.insert(header::ETAG, v);
    }
    if status == StatusCode::CREATED
        && let Ok(v) = HeaderValue::from_str(&state.store.location(kind, &stored.id))
    {
        headers.insert(header::LOCATION, v);
    }
    response
}

async fn create<K: Endpoint>(
    State(state): Target,
    RawQuery(q): RawQuery,
    ScimBody(body): ScimBody,
) -> Result<Response, ScimError> {
    let kind = K::KIND;
    ensure_served(&state, kind)?;
    let projection = vendor::projection(&state, kind, q.as_deref())?;
    let stored = ops::create(&state, kind, &body)?;
    Ok(resource_response(
        &state,
        kind,
        StatusCode::CREATED,
        &stored,
        &projection,
    ))
}

async fn read<K: Endpoint>(
    State(state): Target,
    Segment(id): Segment,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ScimError> {
    let kind = K::KIND;
    ensure_served(&state, kind)?;
    let projection = vendor::projection(&state, kind, q.as_deref())?;
    lifecycle::visible(&state, kind, &id)?;
    let stored = reads::get(&state, kind, &id).unwrap_or_else(|| state.store.get(kind, &id))?;
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

async fn replace<K: Endpoint>(
    State(state): Target,
    Segment(id): Segment,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    ScimBody(body): ScimBody,
) -> Result<Response, ScimError> {
    updated(&state, K::KIND, q.as_deref(), || {
        ops::replace(&state, K::KIND, &id, if_match(&state, &headers), &body)
    })
}

async fn patch<K: Endpoint>(
    State(state): Target,
    Segment(id): Segment,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    ScimBody(body): ScimBody,
) -> Result<Response, ScimError> {
    let response = updated(&state, K::KIND, q.as_deref(), || {
        ops::patch(&state, K::KIND, &id, if_match(&state, &headers), &body)
    })?;
    Ok(vendor::patch_response(&state, response))
}

/// PUT and PATCH answer alike: the changed resource, projected as asked,
/// tagged with what the change did (an update or a deprovisioning).
fn updated(
    state: &TargetState,
    kind: ResourceTypeName,
    query: Option<&str>,
    change: impl FnOnce() -> ScimResult<(Stored, Operation)>,
) -> Result<Response, ScimError> {
    ensure_served(state, kind)?;
    let projection = vendor::projection(state, kind, query)?;
    let (stored, operation) = change()?;
    let response = resource_response(state, kind, StatusCode::OK, &stored, &projection);
    Ok(tagged(response, operation))
}

async fn delete<K: Endpoint>(
    State(state): Target,
    Segment(id): Segment,
    headers: HeaderMap,
) -> Result<Response, ScimError> {
    let kind = K::KIND;
    ensure_served(&state, kind)?;
    ops::delete(&state, kind, &id, if_match(&state, &headers))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The query is read from the `Uri`, a shared buffer, rather than through
/// `RawQuery`, which copies it: this is the lookup hot path.
async fn list<K: Endpoint>(State(state): Target, uri: Uri) -> Result<Response, ScimError> {
    let kind = K::KIND;
    ensure_served(&state, kind)?;
    if state.profile.behaviour.shapes_lists() {
        return vendor::list(&state, kind, uri.query());
    }
    let params = ListParams::from_query(uri.query(), state.schema(kind))?;
    list_response(&state, kind, params)
}

async fn search<K: Endpoint>(
    State(state): Target,
    ScimBody(body): ScimBody,
) -> Result<Response, ScimError> {
    let kind = K::KIND;
    ensure_served(&state, kind)?;
    if state.profile.behaviour.shapes_lists() {
        return vendor::search(&state, kind, &body);
    }
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
    let mut found: Vec<Arc<Value>> = Vec::new();
    for (kind, params) in &pages {
        let schema = state.schema(*kind);
        for r in matching(&state, *kind, params)? {
            found.push(params.projection.apply(&r, schema));
        }
    }
    Ok(page(&state, found, start_index, count))
}

/// The hot path of a list request: one equality on an indexed attribute,
/// default attributes, no sorting. The page is written from the stored
/// JSON; `None` sends the request down the general path.
fn indexed_lookup(
    state: &TargetState,
    kind: ResourceTypeName,
    params: &ListParams,
) -> Option<Response> {
    let filter = params.filter.as_ref()?;
    if reads::reshaped()
        || state.profile.features.filter.is_none()
        || params.sort_by.is_some()
        || !params.projection.is_default()
    {
        return None;
    }
    let body = state.store.lookup_default_views(kind, filter, |views| {
        let page = views
            .iter()
            .skip(params.start_index - 1)
            .take(page_size(state, params.count));
        let mut body = Vec::with_capacity(
            LIST_RESPONSE.len() + 128 + page.clone().map(|b| b.len() + 1).sum::<usize>(),
        );
        // Written straight into the body: no intermediate strings.
        let _ = write!(
            body,
            "{{\"schemas\":[\"{LIST_RESPONSE}\"],\"totalResults\":{},\"itemsPerPage\":{},\"startIndex\":{},\"Resources\":[",
            views.len(),
            page.clone().count(),
            params.start_index
        );
        for (i, view) in page.enumerate() {
            if i > 0 {
                body.push(b',');
            }
            body.extend_from_slice(view);
        }
        body.extend_from_slice(b"]}");
        body
    })?;
    Some(tagged(
        scim_bytes(StatusCode::OK, Bytes::from(body)),
        Operation::Read,
    ))
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
    let mut found = reads::query(state, kind, params.filter.as_ref())
        .unwrap_or_else(|| state.store.query(kind, params.filter.as_ref()));
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

/// A ListResponse (RFC 7644 §3.4.2), serialised straight from the shared
/// resources: no copy of them is made.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListResponse<'a> {
    schemas: [&'static str; 1],
    total_results: usize,
    items_per_page: usize,
    start_index: usize,
    #[serde(rename = "Resources")]
    resources: Vec<&'a Value>,
}

fn list_body(total: usize, start_index: usize, resources: &[Arc<Value>]) -> Response {
    let body = ListResponse {
        schemas: [LIST_RESPONSE],
        total_results: total,
        items_per_page: resources.len(),
        start_index,
        resources: resources.iter().map(|r| &**r).collect(),
    };
    tagged(scim_json(StatusCode::OK, &body), Operation::Read)
}

/// One page of already projected resources.
fn page(
    state: &TargetState,
    all: Vec<Arc<Value>>,
    start_index: usize,
    count: Option<usize>,
) -> Response {
    let total = all.len();
    let resources: Vec<Arc<Value>> = all
        .into_iter()
        .skip(start_index - 1)
        .take(page_size(state, count))
        .collect();
    list_body(total, start_index, &resources)
}

/// A ListResponse page (RFC 7644 §3.4.2): filter, sort, then page.
fn list_response(
    state: &TargetState,
    kind: ResourceTypeName,
    params: ListParams,
) -> Result<Response, ScimError> {
    if let Some(response) = indexed_lookup(state, kind, &params) {
        return Ok(response);
    }
    let schema = state.schema(kind);
    let sorted = params.sort_by.is_some() && state.profile.features.sort;
    let everything = params.filter.is_none() && !sorted;
    let found = if everything {
        match reads::query(state, kind, None) {
            Some(found) => found,
            None => {
                // Every resource, unsorted: only the page is parsed.
                let (total, page) =
                    state
                        .store
                        .page(kind, params.start_index - 1, page_size(state, params.count));
                let resources: Vec<Arc<Value>> = page
                    .iter()
                    .map(|r| params.projection.apply(r, schema))
                    .collect();
                return Ok(list_body(total, params.start_index, &resources));
            }
        }
    } else {
        matching(state, kind, &params)?
    };
    // Project only the page, not every match.
    let resources: Vec<Arc<Value>> = found
        .iter()
        .skip(params.start_index - 1)
        .take(page_size(state, params.count))
        .map(|r| params.projection.apply(r, schema))
        .collect();
    Ok(list_body(found.len(), params.start_index, &resources))
}
