//! The calls `ops` makes into the behaviour knobs, one per point in an
//! operation, so the shared operation code stays a few lines longer only.

use super::{conflict, lifecycle};
use crate::mock::state::TargetState;
use crate::mock::store::Stored;
use crate::scim::schema::ResourceTypeName;
use crate::scim::{ScimError, ScimResult};
use serde_json::Value;
use std::borrow::Cow;

/// Before a validated resource is stored by POST: the resource rules, a
/// purge of a hidden user with the same name, and the conflict rules.
/// `Some` is the existing account the POST linked to.
pub fn before_create(
    state: &TargetState,
    kind: ResourceTypeName,
    resource: &Value,
) -> ScimResult<Option<Stored>> {
    let behaviour = &state.profile.behaviour;
    if behaviour.is_strict() {
        return Ok(None);
    }
    check_resource(state, kind, resource)?;
    lifecycle::before_create(state, kind, resource);
    conflict::before_create(state, kind, resource)
}

/// Rules on a resource alone, for creates and updates; runs under the
/// store's write lock, so it must not touch the store.
pub fn check_resource(
    state: &TargetState,
    kind: ResourceTypeName,
    resource: &Value,
) -> ScimResult<()> {
    let behaviour = &state.profile.behaviour;
    behaviour.multi_valued.check(kind, resource)?;
    behaviour.conflict.check_resource(kind, resource)
}

/// The PATCH body the strict engine should apply (borrowed when no quirk
/// changes it).
pub fn patch_body<'a>(state: &TargetState, body: &'a Value) -> Result<Cow<'a, Value>, ScimError> {
    state.profile.behaviour.patch().rewrite(body)
}
