//! Faults that change what a write does (SPEC §3.2): `conflict`,
//! `patch_as_put`, `ignore_deactivate`, `soft_delete`, and the uniqueness
//! half of `case_sensitive_username`. Each hook is a no-op unless a fault of
//! its kind shapes the current request.

use super::drift;
use super::shaping::{active, fault, mark};
use crate::fault::{FaultKind, Operation};
use crate::mock::state::TargetState;
use crate::mock::store::{IfMatch, Stored, UserNameCase};
use crate::scim::patch::{self, PatchOpKind, PatchRequest};
use crate::scim::path::get_ci;
use crate::scim::schema::ResourceSchema;
use crate::scim::schema::ResourceTypeName;
use crate::scim::{ScimError, ScimResult, ScimType};
use serde_json::{Map, Value};
use std::cell::Cell;

/// `conflict`: a POST for one of the named users (all POSTs when none are
/// named) answers 409 `uniqueness`, as if the account existed, and creates
/// nothing.
pub fn conflict(kind: ResourceTypeName, body: &Value) -> ScimResult<()> {
    let Some(f) = fault(FaultKind::Conflict) else {
        return Ok(());
    };
    let user_name = get_ci(body, "userName").and_then(Value::as_str);
    let hit = match &f.spec.users {
        None => true,
        Some(users) => {
            kind == ResourceTypeName::User
                && user_name.is_some_and(|n| {
                    let n = n.to_lowercase();
                    users.iter().any(|u| u.to_lowercase() == n)
                })
        }
    };
    if !hit {
        return Ok(());
    }
    mark(FaultKind::Conflict);
    Err(ScimError::uniqueness(match user_name {
        Some(n) => format!("userName {n:?} is already taken"),
        None => "the resource already exists".to_owned(),
    }))
}

/// How userName uniqueness compares for this write.
pub fn user_name_case(kind: ResourceTypeName) -> UserNameCase {
    if kind == ResourceTypeName::User && active(FaultKind::CaseSensitiveUsername) {
        UserNameCase::Exact
    } else {
        UserNameCase::Folded
    }
}

/// Stores a validated new resource. Under `case_sensitive_username` a
/// userName differing only in case from an existing one gets in (a twin),
/// and the answer is marked as shaped by the fault.
pub fn store_new(
    state: &TargetState,
    kind: ResourceTypeName,
    resource: Value,
) -> ScimResult<Stored> {
    let case = user_name_case(kind);
    if case == UserNameCase::Folded {
        let created = state.store.create(kind, resource);
        // A `jit_twin` fault is in scope only for POSTs of its people: a
        // uniqueness refusal then is the twin it made.
        if matches!(&created, Err(e) if e.scim_type == Some(ScimType::Uniqueness))
            && active(FaultKind::JitTwin)
        {
            mark(FaultKind::JitTwin);
        }
        return created;
    }
    let twins_before = resource
        .get("userName")
        .and_then(Value::as_str)
        .map_or(0, |n| state.store.user_name_holders(n));
    let stored = state.store.create_with(kind, resource, case)?;
    if twins_before > 0 {
        mark(FaultKind::CaseSensitiveUsername);
    }
    Ok(stored)
}

/// `ignore_deactivate` for one PUT or PATCH: the stored account keeps its
/// `active`, the answer shows the deactivation the client asked for.
pub struct IgnoredDeactivation {
    on: bool,
    ignored: Cell<bool>,
}

impl IgnoredDeactivation {
    pub fn for_request(kind: ResourceTypeName) -> Self {
        IgnoredDeactivation {
            on: kind == ResourceTypeName::User && active(FaultKind::IgnoreDeactivate),
            ignored: Cell::new(false),
        }
    }

    /// Undoes a deactivation in `new` (the other changes stay).
    pub fn apply(&self, current: &Value, new: &mut Value) {
        let deactivates = new.get("active") == Some(&Value::Bool(false))
            && current.get("active") != Some(&Value::Bool(false));
        if !self.on || !deactivates {
            return;
        }
        let before = current.get("active").cloned().unwrap_or(Value::Bool(true));
        if let Some(map) = new.as_object_mut() {
            map.insert("active".into(), before);
            self.ignored.set(true);
        }
    }

    /// The answer: what was stored, but showing `active: false`.
    pub fn shown(&self, stored: Stored) -> Stored {
        if !self.ignored.get() {
            return stored;
        }
        mark(FaultKind::IgnoreDeactivate);
        let mut value = (*stored.value).clone();
        if let Some(map) = value.as_object_mut() {
            map.insert("active".into(), Value::Bool(false));
        }
        Stored {
            value: value.into(),
            default_view: None,
            ..stored
        }
    }
}

/// `soft_delete`: a User's DELETE only deactivates it; `None` when no such
/// fault shapes the request (Groups have no `active` and are deleted).
pub fn soft_delete(
    state: &TargetState,
    kind: ResourceTypeName,
    id: &str,
    if_match: &IfMatch,
) -> Option<ScimResult<()>> {
    if kind != ResourceTypeName::User || !active(FaultKind::SoftDelete) {
        return None;
    }
    let done = state.store.modify(kind, id, if_match.clone(), |current| {
        let mut value = current.clone();
        if let Some(map) = value.as_object_mut() {
            map.insert("active".into(), Value::Bool(false));
        }
        Ok(value)
    });
    Some(done.map(|_| mark(FaultKind::SoftDelete)))
}

/// `patch_as_put`: the answer is what a correct PATCH gives; what is stored
/// is a full replacement built from the request alone, so every attribute
/// the operations did not add or replace is lost (`id`, `schemas`, `meta`
/// and the naming attribute survive). `None` when no such fault shapes it.
pub fn patch_as_put(
    state: &TargetState,
    kind: ResourceTypeName,
    id: &str,
    if_match: IfMatch,
    request: &PatchRequest,
) -> Option<ScimResult<(Stored, Operation)>> {
    if !active(FaultKind::PatchAsPut) {
        return None;
    }
    let schema = state.schema(kind).clone();
    let mut correct = None;
    let mut operation = Operation::Update;
    // Both lies at once, when both faults are on.
    let deactivation = IgnoredDeactivation::for_request(kind);
    let stored = state
        .store
        .modify_with(kind, id, if_match, user_name_case(kind), |current| {
            let full = patch::apply(current, request, &schema)?;
            operation = Operation::of_update(current, &full);
            let mut kept = replacement(current, &full, request, &schema, kind);
            deactivation.apply(current, &mut kept);
            correct = Some(full);
            Ok(kept)
        });
    let stored = match stored {
        Ok(s) => s,
        Err(e) => return Some(Err(e)),
    };
    mark(FaultKind::PatchAsPut);
    let mut shown = correct.unwrap_or(Value::Null);
    if let (Some(map), Some(served)) = (shown.as_object_mut(), stored.value.as_object()) {
        for key in ["id", "meta"] {
            if let Some(v) = served.get(key) {
                map.insert(key.into(), v.clone());
            }
        }
    }
    Some(Ok((
        Stored {
            value: shown.into(),
            default_view: None,
            ..stored
        },
        operation,
    )))
}

/// The resource a PATCH-as-PUT app stores: the skeleton (`schemas`, `id`,
/// `meta`, `userName` or `displayName`) with the operations applied to it.
/// An operation that cannot apply to the skeleton (a value filter with
/// nothing to match) keeps the attribute it names as the correct PATCH left
/// it; removals have nothing left to remove.
fn replacement(
    current: &Value,
    full: &Value,
    request: &PatchRequest,
    schema: &ResourceSchema,
    kind: ResourceTypeName,
) -> Value {
    let naming = match kind {
        ResourceTypeName::User => "userName",
        ResourceTypeName::Group => "displayName",
    };
    let mut doc = Map::new();
    for key in ["schemas", "id", "meta", naming] {
        if let Some(v) = current.get(key) {
            doc.insert(key.into(), v.clone());
        }
    }
    let mut doc = Value::Object(doc);
    for op in &request.operations {
        if op.op == PatchOpKind::Remove {
            continue;
        }
        let single = PatchRequest {
            operations: vec![op.clone()],
        };
        match patch::apply(&doc, &single, schema) {
            Ok(next) => doc = next,
            Err(_) => {
                if let Some(path) = &op.path {
                    drift::copy_attribute(&mut doc, full, &path.attr, schema);
                }
            }
        }
    }
    // `schemas` lists the core schema and the extensions still present.
    if let Some(map) = doc.as_object_mut() {
        let mut schemas = vec![Value::String(schema.core.id.clone())];
        for (ext, _) in &schema.extensions {
            if map.contains_key(&ext.id) {
                schemas.push(Value::String(ext.id.clone()));
            }
        }
        map.insert("schemas".into(), Value::Array(schemas));
    }
    doc
}
