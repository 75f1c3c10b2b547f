//! Faults applied once, when switched on, by someone other than the
//! connector (SPEC §3.2): `jit_twin` (accounts created by just-in-time
//! login) and `manual_change` (an app admin deleting, granting or editing).
//! Nobody sent a request, so nothing is journaled; what they did is the
//! fault's `effect` in the fault list.

use super::drift;
use crate::fault::{FaultKind, FaultSpec, ManualAction};
use crate::mock::state::TargetState;
use crate::mock::store::IfMatch;
use crate::scim::patch::{self, PATCH_OP_URN, PatchRequest};
use crate::scim::schema::ResourceTypeName;
use crate::scim::schema::core;
use crate::scim::{ScimResult, filter, validate};
use serde_json::{Map, Value, json};

/// Checks what can only be checked against the target, before anything is
/// done: `set` must be a valid change of a User.
pub fn validate(state: &TargetState, spec: &FaultSpec) -> Result<(), String> {
    if spec.kind != FaultKind::ManualChange || spec.action != Some(ManualAction::Edit) {
        return Ok(());
    }
    let request = edit_request(state, spec)?;
    let probe = json!({"schemas": [core::USER], "userName": "probe"});
    patch::apply(&probe, &request, state.schema(ResourceTypeName::User))
        .map(|_| ())
        .map_err(|e| format!("set: {}", e.detail))
}

/// Does what the fault does once; returns what it did.
pub fn apply(state: &TargetState, spec: &FaultSpec) -> Result<Option<Value>, String> {
    let users = spec.users.clone().unwrap_or_default();
    match (spec.kind, spec.action) {
        (FaultKind::JitTwin, _) => Ok(Some(jit_twins(state, &users))),
        (FaultKind::ManualChange, Some(ManualAction::Delete)) => Ok(Some(delete(state, &users))),
        (FaultKind::ManualChange, Some(ManualAction::GrantGroup)) => {
            grant(state, &users, spec.group.as_deref().unwrap_or_default()).map(Some)
        }
        (FaultKind::ManualChange, Some(ManualAction::Edit)) => edit(state, spec, &users).map(Some),
        _ => Ok(None),
    }
}

/// The accounts holding `user_name` (compared case-insensitively).
fn accounts(state: &TargetState, kind: ResourceTypeName, attr: &str, name: &str) -> Vec<Value> {
    let quoted = serde_json::to_string(name).unwrap_or_default();
    let Ok(f) = filter::parse(&format!("{attr} eq {quoted}")) else {
        return vec![];
    };
    state
        .store
        .query(kind, Some(&f))
        .iter()
        .map(|v| (**v).clone())
        .collect()
}

fn id_of(v: &Value) -> String {
    v.get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// `bob.smith@acme.test` -> ("Bob", "Smith"): what a just-in-time login
/// fills in from the identity provider's claims.
fn names_from(user_name: &str) -> (String, Option<String>) {
    let local = user_name.split('@').next().unwrap_or(user_name);
    let parts: Vec<String> = local
        .split(['.', '_', '-', '+'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        })
        .collect();
    match parts.split_first() {
        None => (user_name.to_owned(), None),
        Some((given, [])) => (given.clone(), None),
        Some((given, rest)) => (given.clone(), Some(rest.join(" "))),
    }
}

fn jit_twins(state: &TargetState, users: &[String]) -> Value {
    let mut created = Vec::new();
    let mut existing = Vec::new();
    for user_name in users {
        if let Some(holder) = accounts(state, ResourceTypeName::User, "userName", user_name).first()
        {
            existing.push(json!({"id": id_of(holder), "userName": user_name}));
            continue;
        }
        let (given, family) = names_from(user_name);
        let display = match &family {
            Some(f) => format!("{given} {f}"),
            None => given.clone(),
        };
        let mut name = Map::new();
        name.insert("formatted".into(), json!(display));
        name.insert("givenName".into(), json!(given));
        if let Some(f) = family {
            name.insert("familyName".into(), json!(f));
        }
        let body = json!({"schemas": [core::USER], "userName": user_name, "active": true,
            "displayName": display, "name": name});
        let stored = validate::for_create(&body, state.schema(ResourceTypeName::User))
            .and_then(|r| state.store.create(ResourceTypeName::User, r));
        match stored {
            Ok(s) => created.push(json!({"id": s.id, "userName": user_name})),
            Err(e) => existing.push(json!({"userName": user_name, "error": e.detail})),
        }
    }
    json!({"created": created, "not_created": existing})
}

fn delete(state: &TargetState, users: &[String]) -> Value {
    let mut deleted = Vec::new();
    let mut not_found = Vec::new();
    for user_name in users {
        let found = accounts(state, ResourceTypeName::User, "userName", user_name);
        if found.is_empty() {
            not_found.push(json!(user_name));
        }
        for account in found {
            let id = id_of(&account);
            if state
                .store
                .delete(ResourceTypeName::User, &id, IfMatch::Any)
                .is_ok()
            {
                deleted.push(json!({"id": id, "userName": account["userName"]}));
            }
        }
    }
    json!({"action": "delete", "deleted": deleted, "not_found": not_found})
}

fn patch_of(operations: Vec<Value>) -> ScimResult<PatchRequest> {
    PatchRequest::from_json(&json!({"schemas": [PATCH_OP_URN], "Operations": operations}))
}

fn grant(state: &TargetState, users: &[String], group: &str) -> Result<Value, String> {
    let kind = ResourceTypeName::Group;
    if !state.serves(kind) {
        return Err("action: grant_group needs a target that serves Groups".into());
    }
    let (gid, created) = match accounts(state, kind, "displayName", group).first() {
        Some(g) => (id_of(g), false),
        None => {
            let body = json!({"schemas": [core::GROUP], "displayName": group});
            let stored = validate::for_create(&body, state.schema(kind))
                .and_then(|r| state.store.create(kind, r))
                .map_err(|e| format!("group: {}", e.detail))?;
            (stored.id, true)
        }
    };
    let mut granted = Vec::new();
    let mut not_found = Vec::new();
    for user_name in users {
        let found = accounts(state, ResourceTypeName::User, "userName", user_name);
        if found.is_empty() {
            not_found.push(json!(user_name));
        }
        for account in found {
            let id = id_of(&account);
            let added = patch_of(vec![
                json!({"op": "add", "path": "members", "value": [{"value": id}]}),
            ])
            .and_then(|req| {
                state.store.modify(kind, &gid, IfMatch::Any, |current| {
                    patch::apply(current, &req, state.schema(kind))
                })
            });
            if added.is_ok() {
                granted.push(json!({"id": id, "userName": account["userName"]}));
            }
        }
    }
    Ok(json!({"action": "grant_group",
        "group": {"id": gid, "displayName": group, "created": created},
        "granted": granted, "not_found": not_found}))
}

/// `set` as one PATCH: a replace per attribute, short extension names
/// qualified with their URN.
fn edit_request(state: &TargetState, spec: &FaultSpec) -> Result<PatchRequest, String> {
    let schema = state.schema(ResourceTypeName::User);
    let operations = spec
        .set
        .iter()
        .flatten()
        .map(|(k, v)| {
            let path = drift::resolve(schema, k)
                .map(|p| p.path())
                .ok_or_else(|| format!("set: '{k}' is not an attribute of User"))?;
            Ok(json!({"op": "replace", "path": path, "value": v}))
        })
        .collect::<Result<Vec<_>, String>>()?;
    patch_of(operations).map_err(|e| format!("set: {}", e.detail))
}

fn edit(state: &TargetState, spec: &FaultSpec, users: &[String]) -> Result<Value, String> {
    let request = edit_request(state, spec)?;
    let kind = ResourceTypeName::User;
    let mut edited = Vec::new();
    let mut not_found = Vec::new();
    for user_name in users {
        let found = accounts(state, kind, "userName", user_name);
        if found.is_empty() {
            not_found.push(json!(user_name));
        }
        for account in found {
            let id = id_of(&account);
            let done = state.store.modify(kind, &id, IfMatch::Any, |current| {
                patch::apply(current, &request, state.schema(kind))
            });
            match done {
                Ok(_) => edited.push(json!({"id": id, "userName": account["userName"]})),
                Err(e) => return Err(format!("set: {}", e.detail)),
            }
        }
    }
    Ok(json!({"action": "edit", "set": spec.set, "edited": edited, "not_found": not_found}))
}

#[cfg(test)]
mod tests {
    use super::names_from;

    #[test]
    fn jit_names_come_from_the_user_name() {
        assert_eq!(
            names_from("bob.smith@acme.test"),
            ("Bob".into(), Some("Smith".into()))
        );
        assert_eq!(names_from("carol@acme.test"), ("Carol".into(), None));
    }
}
