//! List, search and projection for targets whose profile sets behaviour
//! knobs (`crate::mock::behaviour`): the strict handlers hand over here
//! only when a knob changes what a list answers, so the reference target
//! keeps its fast paths.

use super::params::{LIST_RESPONSE, ListParams, Projection, param, query_pairs};
use super::response::{scim_json, tagged};
use crate::fault::Operation;
use crate::mock::behaviour::filter::{EmptyFilterResult, Unsupported};
use crate::mock::behaviour::paging::{PageRequest, PageStyle, synthetic_user};
use crate::mock::behaviour::shape;
use crate::mock::state::TargetState;
use crate::scim::schema::ResourceTypeName;
use crate::scim::{ScimError, ScimResult, ScimType, query};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// Query parameters the profile says the vendor does not read.
fn ignored(state: &TargetState, name: &str) -> bool {
    let b = &state.profile.behaviour;
    let is = |n: &str| name.eq_ignore_ascii_case(n);
    (b.projection == shape::Projection::Ignored && (is("attributes") || is("excludedAttributes")))
        || (b.pagination.style == PageStyle::Cursor && is("startIndex"))
        || (b.pagination.style == PageStyle::None && (is("startIndex") || is("count")))
}

/// `attributes`/`excludedAttributes` of a single-resource request, unless
/// the vendor ignores them.
pub fn projection(
    state: &TargetState,
    kind: ResourceTypeName,
    raw: Option<&str>,
) -> ScimResult<Projection> {
    if state.profile.behaviour.projection == shape::Projection::Ignored {
        return Ok(Projection::default());
    }
    Projection::from_pairs(&query_pairs(raw), state.schema(kind))
}

/// `GET /Users` or `/Groups` under the profile's filter, paging and
/// projection knobs.
pub fn list(
    state: &TargetState,
    kind: ResourceTypeName,
    raw: Option<&str>,
) -> ScimResult<Response> {
    let pairs = query_pairs(raw);
    let cursor = param(&pairs, "cursor").map(str::to_owned);
    let kept = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().filter(|(k, _)| !ignored(state, k)))
        .finish();
    match ListParams::from_query(Some(&kept), state.schema(kind)) {
        Ok(params) => respond(state, kind, params, cursor),
        Err(e) => unsupported_filter(state, e),
    }
}

/// `POST /.search` under the same knobs (cursor from the body's `cursor`).
pub fn search(state: &TargetState, kind: ResourceTypeName, body: &Value) -> ScimResult<Response> {
    let cursor = body
        .get("cursor")
        .and_then(Value::as_str)
        .map(str::to_owned);
    match ListParams::from_search_body(body, state.schema(kind)) {
        Ok(mut params) => {
            if state.profile.behaviour.projection == shape::Projection::Ignored {
                params.projection = Projection::default();
            }
            respond(state, kind, params, cursor)
        }
        Err(e) => unsupported_filter(state, e),
    }
}

/// A filter that does not parse: 400 as RFC 7644 says, or the silent empty
/// answer of a vendor that ignores what it cannot read.
fn unsupported_filter(state: &TargetState, e: ScimError) -> ScimResult<Response> {
    let silent = state.profile.behaviour.filter.unsupported == Unsupported::EmptyResult;
    if silent && e.scim_type == Some(ScimType::InvalidFilter) {
        return Ok(body(0, Some(1), None, None, vec![]));
    }
    Err(e)
}

fn respond(
    state: &TargetState,
    kind: ResourceTypeName,
    params: ListParams,
    cursor: Option<String>,
) -> ScimResult<Response> {
    let behaviour = &state.profile.behaviour;
    let features = &state.profile.features;
    if let Some(filter) = &params.filter {
        if features.filter.is_none() {
            return Err(ScimError::not_implemented(
                "this target does not support filtering",
            ));
        }
        if let Some(why) = behaviour.filter.refusal(filter) {
            return match behaviour.filter.unsupported {
                Unsupported::Error => Err(ScimError::invalid_filter(why)),
                Unsupported::EmptyResult => Ok(body(0, Some(1), None, None, vec![])),
            };
        }
    }
    let users = kind == ResourceTypeName::User;
    let found: Vec<Arc<Value>> = if behaviour
        .pagination
        .synthetic(users, params.filter.is_some())
    {
        let location = state.store.location(ResourceTypeName::User, "1");
        vec![Arc::new(synthetic_user(&location))]
    } else {
        let mut found = state.store.query(kind, params.filter.as_ref());
        found.retain(|r| {
            !users
                || !r
                    .get("id")
                    .and_then(Value::as_str)
                    .is_some_and(|id| state.vendor.is_hidden(id))
        });
        if let (Some(path), true) = (&params.sort_by, features.sort) {
            query::sort_by(&mut found, path, params.descending, state.schema(kind));
        }
        found
    };
    let none_found = params.filter.is_some() && found.is_empty();
    if none_found && behaviour.empty_filter_result == EmptyFilterResult::NotFound {
        return Err(ScimError::not_found("no resource matches the filter"));
    }
    let max = features
        .filter
        .as_ref()
        .map_or(usize::MAX, |f| f.max_results);
    let request = PageRequest {
        start_index: params.start_index,
        count: params.count.map(|c| c.min(max)),
        cursor,
    };
    let page = behaviour
        .pagination
        .page(
            found.len(),
            &request,
            state.profile.page_size_default.min(max),
        )
        .map_err(ScimError::invalid_value)?;
    let schema = state.schema(kind);
    let resources = found[page.range.clone()]
        .iter()
        .map(|r| {
            // After projection, which would drop an empty list as unassigned.
            let projected = params.projection.apply(r, schema);
            behaviour
                .group_members
                .view(kind, &projected)
                .unwrap_or(projected)
        })
        .collect();
    Ok(body(
        found.len(),
        page.start_index,
        page.next_cursor,
        page.previous_cursor,
        resources,
    ))
}

/// A ListResponse (RFC 7644 §3.4.2; cursor fields of RFC 9865 §2.2).
fn body(
    total: usize,
    start_index: Option<usize>,
    next_cursor: Option<String>,
    previous_cursor: Option<String>,
    resources: Vec<Arc<Value>>,
) -> Response {
    let mut map = Map::new();
    map.insert("schemas".into(), json!([LIST_RESPONSE]));
    map.insert("totalResults".into(), json!(total));
    map.insert("itemsPerPage".into(), json!(resources.len()));
    if let Some(i) = start_index {
        map.insert("startIndex".into(), json!(i));
    }
    if let Some(c) = next_cursor {
        map.insert("nextCursor".into(), json!(c));
    }
    if let Some(c) = previous_cursor {
        map.insert("previousCursor".into(), json!(c));
    }
    let resources: Vec<&Value> = resources.iter().map(|r| &**r).collect();
    map.insert("Resources".into(), json!(resources));
    tagged(scim_json(StatusCode::OK, &map), Operation::Read)
}

/// A successful PATCH as the profile answers it: the resource, or 204.
pub fn patch_response(state: &TargetState, response: Response) -> Response {
    use crate::mock::behaviour::patch::PatchResponse;
    if state.profile.behaviour.patch_response != PatchResponse::NoContent {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    parts.status = StatusCode::NO_CONTENT;
    parts.headers.remove(axum::http::header::CONTENT_TYPE);
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::empty())
}
