//! `delete_semantics` and `active_false_semantics`: what DELETE and a
//! deactivation do to a User (vendor-behaviour.md §5.1). The strict default
//! is RFC 7644 §3.6: DELETE removes, and `active: false` only deactivates.

use crate::fault::Operation;
use crate::mock::state::TargetState;
use crate::mock::store::IfMatch;
use crate::scim::ScimResult;
use crate::scim::schema::ResourceTypeName;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeleteSemantics {
    /// 204, then 404 and absent from lists (RFC 7644 §3.6).
    #[default]
    Hard,
    /// 204, but the user is only deactivated: still readable and listed
    /// (Slack, Terraform Enterprise).
    Soft,
    /// 204; the user is kept deactivated, yet every later operation on it
    /// answers 404 and lists omit it (Atlassian, PingFederate). A new POST
    /// with the same userName makes a new record.
    #[serde(rename = "soft_404")]
    Soft404,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActiveFalse {
    /// The user is kept, inactive.
    #[default]
    Deactivate,
    /// Deactivated, then every later operation answers 404 and lists omit
    /// it, as after a `soft_404` delete (Atlassian).
    Hide,
    /// The account is deleted (GitHub org SCIM, PagerDuty, Figma).
    Delete,
}

/// DELETE of one resource as the profile says. Groups are always removed.
pub fn delete(
    state: &TargetState,
    kind: ResourceTypeName,
    id: &str,
    if_match: IfMatch,
) -> ScimResult<()> {
    visible(state, kind, id)?;
    let semantics = state.profile.behaviour.delete;
    if kind != ResourceTypeName::User || semantics == DeleteSemantics::Hard {
        return state.store.delete(kind, id, if_match);
    }
    state.store.modify(kind, id, if_match, |current| {
        let mut v = current.clone();
        if let Some(map) = v.as_object_mut() {
            map.insert("active".into(), Value::Bool(false));
        }
        Ok(v)
    })?;
    if semantics == DeleteSemantics::Soft404 {
        state.vendor.hidden.write().insert(id.to_owned());
    }
    Ok(())
}

/// 404 for a user a `soft_404` delete hid, as for a deleted one.
pub fn visible(state: &TargetState, kind: ResourceTypeName, id: &str) -> ScimResult<()> {
    if kind == ResourceTypeName::User && state.vendor.is_hidden(id) {
        return Err(crate::scim::ScimError::not_found(format!(
            "User {id} not found"
        )));
    }
    Ok(())
}

/// After an update: a deactivation hides or deletes the account when the
/// profile says so. The answer still shows the update the client made.
pub fn after_update(
    state: &TargetState,
    kind: ResourceTypeName,
    id: &str,
    operation: Operation,
) -> ScimResult<()> {
    if kind != ResourceTypeName::User || operation != Operation::Deprovision {
        return Ok(());
    }
    match state.profile.behaviour.active_false {
        ActiveFalse::Deactivate => {}
        ActiveFalse::Hide => {
            state.vendor.hidden.write().insert(id.to_owned());
        }
        ActiveFalse::Delete => state.store.delete(kind, id, IfMatch::Any)?,
    }
    Ok(())
}

/// Before a create: a hidden user holding the same userName is purged, so
/// the new POST makes a new record (Atlassian: the SCIM record is deleted
/// irreversibly).
pub fn before_create(state: &TargetState, kind: ResourceTypeName, body: &Value) {
    if kind != ResourceTypeName::User || state.vendor.hidden.read().is_empty() {
        return;
    }
    let Some(name) = body.get("userName").and_then(Value::as_str) else {
        return;
    };
    let Ok(filter) =
        crate::scim::filter::parse(&format!("userName eq {}", Value::String(name.to_owned())))
    else {
        return;
    };
    for user in state.store.query(kind, Some(&filter)) {
        let Some(id) = user.get("id").and_then(Value::as_str) else {
            continue;
        };
        if state.vendor.hidden.write().remove(id) {
            // Already gone is fine: the name is free either way.
            let _ = state.store.delete(kind, id, IfMatch::Any);
        }
    }
}
