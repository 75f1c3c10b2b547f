//! Group membership: which groups hold a member, so a User's read-only
//! `groups` attribute (RFC 7643 §4.1.2) is derived from Groups' `members`
//! without scanning every group.

use super::{Inner, Store};
use crate::scim::{ScimError, ScimResult};
use crate::target::profile::ResourceTypeName;
use serde_json::{Map, Value, json};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

#[derive(Debug, Default)]
pub(crate) struct Membership {
    /// member id -> ids of the groups listing it directly.
    member_of: HashMap<String, BTreeSet<String>>,
    /// group id -> its member ids, to undo a group's old memberships.
    members: HashMap<String, Vec<String>>,
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
    }

    pub fn remove_group(&mut self, gid: &str) {
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

    pub fn groups_of(&self, id: &str) -> Vec<String> {
        self.member_of
            .get(id)
            .map(|g| g.iter().cloned().collect())
            .unwrap_or_default()
    }
}

/// Checks that each member names an existing User or Group and fills in
/// `type`, `$ref` and `display` the way RFC 7643 §4.2 describes them.
/// A member that does not exist is refused (400 invalidValue): a strict
/// provider does not keep dangling references.
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
        let (kind, record) = if let Some(r) = inner.users.get(id) {
            (ResourceTypeName::User, r)
        } else if let Some(r) = inner.groups.get(id) {
            (ResourceTypeName::Group, r)
        } else {
            return Err(ScimError::invalid_value(format!(
                "members[{i}].value {id:?} is neither a User nor a Group of this target"
            )));
        };
        if !seen.insert(id.to_owned()) {
            continue;
        }
        let mut m = member.as_object().cloned().unwrap_or_default();
        let type_name = match kind {
            ResourceTypeName::User => "User",
            ResourceTypeName::Group => "Group",
        };
        m.insert("type".into(), Value::String(type_name.into()));
        m.insert("$ref".into(), Value::String(store.location(kind, id)));
        if !m.contains_key("display") {
            let display = record
                .value
                .get("displayName")
                .or_else(|| record.value.get("userName"))
                .cloned();
            if let Some(d) = display {
                m.insert("display".into(), d);
            }
        }
        resolved.push(Value::Object(m));
    }
    *members = resolved;
    Ok(())
}

/// A User as served: its stored JSON plus `groups` (direct memberships).
pub(crate) fn with_groups(
    inner: &Inner,
    store: &Store,
    uid: &str,
    user: &Arc<Value>,
) -> Arc<Value> {
    let groups = inner.membership.groups_of(uid);
    if groups.is_empty() {
        return user.clone();
    }
    let entries: Vec<Value> = groups
        .iter()
        .filter_map(|gid| {
            let group = inner.groups.get(gid)?;
            Some(json!({
                "value": gid,
                "$ref": store.location(ResourceTypeName::Group, gid),
                "display": group.value.get("displayName").cloned().unwrap_or(Value::Null),
                "type": "direct",
            }))
        })
        .collect();
    let mut value = (**user).clone();
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
