//! What each SCIM operation does to the store, shared by the HTTP handlers
//! and `/Bulk` so both behave identically.

use super::behaviour::{hooks, lifecycle};
use super::faults::{drift, writes};
use super::state::TargetState;
use super::store::{IfMatch, Stored};
use crate::fault::Operation;
use crate::scim::patch::{self, PatchRequest};
use crate::scim::schema::ResourceSchema;
use crate::scim::schema::ResourceTypeName;
use crate::scim::{ScimError, ScimResult, validate};
use serde_json::Value;

/// POST: validate (RFC 7643 §2) and store (RFC 7644 §3.3).
pub fn create(state: &TargetState, kind: ResourceTypeName, body: &Value) -> ScimResult<Stored> {
    writes::conflict(kind, body)?;
    drift::check_resource(kind, state.schema(kind), body)?;
    let resource = validate::for_create(body, state.schema(kind))?;
    // The vendor's conflict policy may link an existing account instead.
    if let Some(linked) = hooks::before_create(state, kind, &resource)? {
        return Ok(linked);
    }
    writes::store_new(state, kind, resource)
}

/// PUT (RFC 7644 §3.5.1). Also says whether it deactivated the account.
pub fn replace(
    state: &TargetState,
    kind: ResourceTypeName,
    id: &str,
    if_match: IfMatch,
    body: &Value,
) -> ScimResult<(Stored, Operation)> {
    drift::check_resource(kind, state.schema(kind), body)?;
    update(state, kind, id, if_match, |current, schema| {
        validate::for_replace(body, current, schema)
    })
}

/// PATCH (RFC 7644 §3.5.2): every operation or none.
pub fn patch(
    state: &TargetState,
    kind: ResourceTypeName,
    id: &str,
    if_match: IfMatch,
    body: &Value,
) -> ScimResult<(Stored, Operation)> {
    if !state.profile.features.patch {
        return Err(ScimError::not_implemented(
            "this target does not support PATCH",
        ));
    }
    // The vendor's PATCH dialect first (string booleans, Add as Replace,
    // member limits), then the faults on what the request has become.
    let request = PatchRequest::from_json(&*hooks::patch_body(state, body)?)?;
    drift::check_patch(state.schema(kind), &request)?;
    if let Some(done) = writes::patch_as_put(state, kind, id, if_match.clone(), &request) {
        return done;
    }
    update(state, kind, id, if_match, |current, schema| {
        patch::apply(current, &request, schema)
    })
}

/// Changes one resource under the store's write lock and classifies the
/// change (an update, or a deprovisioning).
fn update(
    state: &TargetState,
    kind: ResourceTypeName,
    id: &str,
    if_match: IfMatch,
    change: impl FnOnce(&Value, &ResourceSchema) -> ScimResult<Value>,
) -> ScimResult<(Stored, Operation)> {
    lifecycle::visible(state, kind, id)?;
    let schema = state.schema(kind).clone();
    let mut operation = Operation::Update;
    let deactivation = writes::IgnoredDeactivation::for_request(kind);
    let case = writes::user_name_case(kind);
    let stored = state
        .store
        .modify_with(kind, id, if_match, case, |current| {
            let mut new = change(current, &schema)?;
            hooks::check_resource(state, kind, &new)?;
            operation = Operation::of_update(current, &new);
            deactivation.apply(current, &mut new);
            Ok(new)
        })?;
    lifecycle::after_update(state, kind, id, operation)?;
    Ok((deactivation.shown(stored), operation))
}

pub fn delete(
    state: &TargetState,
    kind: ResourceTypeName,
    id: &str,
    if_match: IfMatch,
) -> ScimResult<()> {
    // A `soft_delete` fault overrides the vendor's delete semantics.
    if let Some(done) = writes::soft_delete(state, kind, id, &if_match) {
        return done;
    }
    lifecycle::delete(state, kind, id, if_match)
}
