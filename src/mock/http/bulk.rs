//! `/Bulk` (RFC 7644 §3.7): operations applied in order through the same
//! code as single requests, `bulkId` references resolved, `failOnErrors`
//! honoured, and the operation limit enforced (413, §3.7.4).

use super::body::ScimBody;
use super::response::{scim_json, tagged};
use crate::fault::Operation;
use crate::mock::faults;
use crate::mock::ops;
use crate::mock::state::TargetState;
use crate::mock::store::{IfMatch, Stored};
use crate::scim::schema::ResourceTypeName;
use crate::scim::{ScimError, ScimResult};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Arc;

pub const BULK_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
pub const BULK_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

pub async fn bulk(
    State(state): State<Arc<TargetState>>,
    ScimBody(body): ScimBody,
) -> Result<Response, ScimError> {
    let Some(limits) = state.profile.features.bulk.clone() else {
        return Err(ScimError::not_implemented(
            "this target does not support /Bulk",
        ));
    };
    crate::scim::message::require_schema(&body, BULK_REQUEST)?;
    let operations = body
        .get("Operations")
        .and_then(Value::as_array)
        .ok_or_else(|| ScimError::invalid_syntax("Operations must be an array"))?;
    if operations.len() > limits.max_operations {
        return Err(ScimError::payload_too_large(format!(
            "the request has {} operations, more than maxOperations ({})",
            operations.len(),
            limits.max_operations
        )));
    }
    let fail_on_errors =
        match body.get("failOnErrors") {
            None | Some(Value::Null) => None,
            Some(v) => Some(v.as_u64().filter(|n| *n > 0).ok_or_else(|| {
                ScimError::invalid_value("failOnErrors must be a positive integer")
            })?),
        };

    let mut bulk_ids: HashMap<String, String> = HashMap::new();
    let mut results = Vec::with_capacity(operations.len());
    let mut errors = 0u64;
    let mut strongest = Operation::Read;
    for (i, op) in operations.iter().enumerate() {
        if fail_on_errors.is_some_and(|limit| errors >= limit) {
            break;
        }
        let outcome = match faults::bulk::fails(i) {
            Some(e) => Err(e),
            None => run_one(&state, op, &mut bulk_ids),
        };
        let (entry, kind) = match outcome {
            Ok((entry, kind)) => (entry, kind),
            Err(e) => {
                errors += 1;
                (error_entry(op, &e, i), None)
            }
        };
        if let Some(kind) = kind {
            strongest = stronger(strongest, kind);
        }
        results.push(entry);
    }
    let response = scim_json(
        StatusCode::OK,
        &json!({"schemas": [BULK_RESPONSE], "Operations": results}),
    );
    Ok(tagged(response, strongest))
}

/// The journal gives a bulk request one kind: the most consequential
/// operation in it.
fn stronger(a: Operation, b: Operation) -> Operation {
    let rank = |o: Operation| match o {
        Operation::Read => 0,
        Operation::Update => 1,
        Operation::Provision => 2,
        Operation::Deprovision => 3,
    };
    if rank(b) > rank(a) { b } else { a }
}

fn error_entry(op: &Value, e: &ScimError, index: usize) -> Value {
    let mut entry = Map::new();
    entry.insert(
        "method".into(),
        op.get("method").cloned().unwrap_or(Value::Null),
    );
    if let Some(b) = op.get("bulkId") {
        entry.insert("bulkId".into(), b.clone());
    }
    let mut response = e.to_json();
    if let Some(detail) = response.get_mut("detail") {
        *detail = Value::String(format!("Operations[{index}]: {}", e.detail));
    }
    entry.insert("status".into(), Value::String(e.status.to_string()));
    entry.insert("response".into(), response);
    Value::Object(entry)
}

/// Replaces every `"bulkId:xyz"` string with the id created for `xyz`
/// (RFC 7644 §3.7.2).
fn resolve_refs(value: &mut Value, ids: &HashMap<String, String>) -> ScimResult<()> {
    match value {
        Value::String(s) => {
            if let Some(key) = s.strip_prefix("bulkId:") {
                let id = ids.get(key).ok_or_else(|| {
                    ScimError::conflict(format!(
                        "bulkId {key:?} does not name an earlier operation"
                    ))
                })?;
                *s = id.clone();
            }
        }
        Value::Array(items) => items.iter_mut().try_for_each(|v| resolve_refs(v, ids))?,
        Value::Object(map) => map.values_mut().try_for_each(|v| resolve_refs(v, ids))?,
        _ => {}
    }
    Ok(())
}

/// `/Users` or `/Users/{id}` (and Groups) relative to the base URL.
fn parse_path(path: &str) -> ScimResult<(ResourceTypeName, Option<&str>)> {
    let trimmed = path.trim_start_matches('/');
    let (endpoint, id) = match trimmed.split_once('/') {
        Some((e, id)) => (e, Some(id)),
        None => (trimmed, None),
    };
    let kind = match endpoint {
        "Users" => ResourceTypeName::User,
        "Groups" => ResourceTypeName::Group,
        _ => {
            return Err(ScimError::invalid_path(format!(
                "path {path:?} must be /Users, /Groups or one of their resources"
            )));
        }
    };
    Ok((kind, id.filter(|s| !s.is_empty())))
}

fn run_one(
    state: &TargetState,
    op: &Value,
    bulk_ids: &mut HashMap<String, String>,
) -> ScimResult<(Value, Option<Operation>)> {
    let method = op
        .get("method")
        .and_then(Value::as_str)
        .ok_or_else(|| ScimError::invalid_syntax("method is required"))?
        .to_ascii_uppercase();
    let path = op
        .get("path")
        .and_then(Value::as_str)
        .ok_or_else(|| ScimError::invalid_syntax("path is required"))?;
    let mut resolved_path = Value::String(path.to_owned());
    resolve_refs(&mut resolved_path, bulk_ids)?;
    let path = resolved_path.as_str().unwrap_or_default().to_owned();
    let (kind, id) = parse_path(&path)?;
    if !state.serves(kind) {
        return Err(ScimError::not_found(format!(
            "this target does not serve {kind:?}"
        )));
    }
    let if_match = match op.get("version").and_then(Value::as_str) {
        Some(v) if state.profile.features.etag => IfMatch::Tags(v.to_owned()),
        _ => IfMatch::Any,
    };
    let mut data = op.get("data").cloned().unwrap_or(Value::Null);
    resolve_refs(&mut data, bulk_ids)?;
    let need_data = || {
        if data.is_object() {
            Ok(())
        } else {
            Err(ScimError::invalid_syntax(format!(
                "{method} needs a data object"
            )))
        }
    };
    let done = |stored: &Stored, status: &str| {
        json!({
            "method": method,
            "bulkId": op.get("bulkId"),
            "location": state.store.location(kind, &stored.id),
            "version": stored.etag(),
            "status": status,
        })
    };
    match (method.as_str(), id) {
        ("POST", None) => {
            need_data()?;
            let bulk_id = op
                .get("bulkId")
                .and_then(Value::as_str)
                .ok_or_else(|| ScimError::invalid_syntax("POST needs a bulkId"))?;
            let stored = ops::create(state, kind, &data)?;
            bulk_ids.insert(bulk_id.to_owned(), stored.id.clone());
            Ok((done(&stored, "201"), Some(Operation::Provision)))
        }
        ("PUT", Some(id)) => {
            need_data()?;
            let (stored, kind_of) = ops::replace(state, kind, id, if_match, &data)?;
            Ok((done(&stored, "200"), Some(kind_of)))
        }
        ("PATCH", Some(id)) => {
            need_data()?;
            let (stored, kind_of) = ops::patch(state, kind, id, if_match, &data)?;
            Ok((done(&stored, "200"), Some(kind_of)))
        }
        ("DELETE", Some(id)) => {
            ops::delete(state, kind, id, if_match)?;
            Ok((
                json!({"method": method, "location": state.store.location(kind, id), "status": "204"}),
                Some(Operation::Deprovision),
            ))
        }
        _ => Err(ScimError::invalid_syntax(format!(
            "{method} {path} is not a bulk operation (POST to an endpoint; PUT, PATCH or DELETE to a resource)"
        ))),
    }
}
