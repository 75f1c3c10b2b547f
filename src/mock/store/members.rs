//! Group membership: which groups hold a member, so a User's read-only
//! `groups` attribute (RFC 7643 §4.1.2) is derived from Groups' `members`
//! without scanning every group.

use super::{Inner, Store};
use crate::scim::schema::ResourceTypeName;
use crate::scim::{ScimError, ScimResult};
use foldhash::HashMap;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::sync::Arc;

#[derive(Debug, Default)]
pub(crate) struct Membership {
    /// member id -> ids of the groups listing it directly.
    member_of: HashMap<String, BTreeSet<String>>,
    /// group id -> its member ids, to undo a group's old memberships.
    members: HashMap<String, Vec<String>>,
    /// group id -> its `displayName`, for a member's `groups`: the group's
    /// stored JSON (its members a hundred thousand long, perhaps) is not
    /// parsed to read it.
    names: HashMap<String, Value>,
}

fn member_ids(group: &Value) -> Vec<String> {
    group
        .get("members")
        .and_then(Value::as_array)
        .map(|ms| {
            ms.iter()
                .filter_map(|m| m.get("value").and_then(Value::as_str).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

impl Membership {
    pub fn set_group(&mut self, gid: &str, group: &Value) {
        self.remove_group(gid);
        let ids = member_ids(group);
        for id in &ids {
            self.member_of
                .entry(id.clone())
                .or_default()
                .insert(gid.to_owned());
        }
        self.members.insert(gid.to_owned(), ids);
        let name = group.get("displayName").cloned().unwrap_or(Value::Null);
        self.names.insert(gid.to_owned(), name);
    }

    pub fn remove_group(&mut self, gid: &str) {
        self.names.remove(gid);
        for id in self.members.remove(gid).unwrap_or_default() {
            if let Some(groups) = self.member_of.get_mut(&id) {
                groups.remove(gid);
                if groups.is_empty() {
                    self.member_of.remove(&id);
                }
            }
        }
    }

    pub fn remove_member(&mut self, id: &str) {
        self.member_of.remove(id);
    }

    /// Whether the user or group belongs to any group.
    pub fn is_member(&self, id: &str) -> bool {
        self.member_of.get(id).is_some_and(|g| !g.is_empty())
    }

    pub fn groups_of(&self, id: &str) -> Vec<String> {
        self.member_of
            .get(id)
            .map(|g| g.iter().cloned().collect())
            .unwrap_or_default()
    }
}

/// Fills in `type` and `$ref` of members that name a User or Group of
/// this target (RFC 7643 §4.2) and drops repeated members. A member id the
/// target does not hold is kept as sent: RFC 7644 does not ask providers to
/// check references, and connectors that add a member before creating the
/// user rely on that.
pub(crate) fn resolve(
    inner: &Inner,
    store: &Store,
    group: &mut Map<String, Value>,
    own_id: &str,
) -> ScimResult<()> {
    let Some(members) = group.get_mut("members").and_then(Value::as_array_mut) else {
        return Ok(());
    };
    let mut seen = BTreeSet::new();
    let mut resolved = Vec::with_capacity(members.len());
    for (i, member) in members.iter().enumerate() {
        let Some(id) = member.get("value").and_then(Value::as_str) else {
            return Err(ScimError::invalid_value(format!(
                "members[{i}].value is required"
            )));
        };
        if id == own_id {
            return Err(ScimError::invalid_value(format!(
                "members[{i}]: a group cannot be a member of itself"
            )));
        }
        if !seen.insert(id.to_owned()) {
            continue;
        }
        let mut m = member.as_object().cloned().unwrap_or_default();
        let kind = if inner.users.get(id).is_some() {
            Some((ResourceTypeName::User, "User"))
        } else if inner.groups.get(id).is_some() {
            Some((ResourceTypeName::Group, "Group"))
        } else {
            None
        };
        if let Some((kind, type_name)) = kind {
            m.insert("type".into(), Value::String(type_name.into()));
            m.insert("$ref".into(), Value::String(store.location(kind, id)));
        }
        resolved.push(Value::Object(m));
    }
    *members = resolved;
    Ok(())
}

/// A User as served: its stored JSON plus `groups` (direct memberships).
pub(crate) fn with_groups(inner: &Inner, store: &Store, uid: &str, user: Arc<Value>) -> Arc<Value> {
    let groups = inner.membership.groups_of(uid);
    if groups.is_empty() {
        return user;
    }
    let entries: Vec<Value> = groups
        .iter()
        .filter_map(|gid| {
            inner.groups.get(gid)?;
            let display = inner.membership.names.get(gid).cloned();
            Some(json!({
                "value": gid,
                "$ref": store.location(ResourceTypeName::Group, gid),
                "display": display.unwrap_or(Value::Null),
                "type": "direct",
            }))
        })
        .collect();
    let mut value = Arc::unwrap_or_clone(user);
    if let Value::Object(map) = &mut value {
        // Keep `meta` last.
        let meta = map.remove("meta");
        map.insert("groups".into(), Value::Array(entries));
        if let Some(meta) = meta {
            map.insert("meta".into(), meta);
        }
    }
    Arc::new(value)
}
