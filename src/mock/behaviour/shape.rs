//! Knobs on what resources may hold and how they are served
//! (vendor-behaviour.md §5.1 `multi_valued`, `group_members_in_get`,
//! `projection`).

use crate::scim::schema::ResourceTypeName;
use crate::scim::{ScimError, ScimResult};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MultiValued {
    #[default]
    Full,
    /// One value per multi-valued User attribute (AWS IAM Identity Center).
    Single,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupMembers {
    #[default]
    Full,
    /// Groups are served with `members: []` (AWS IAM Identity Center).
    Empty,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Projection {
    /// `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9).
    #[default]
    Supported,
    /// Both are ignored: the default view is always served.
    Ignored,
}

/// The multi-valued User attributes of RFC 7643 §4.1.2 that hold values
/// (not `groups`, which is derived).
const USER_MULTI_VALUED: [&str; 8] = [
    "emails",
    "phoneNumbers",
    "ims",
    "photos",
    "addresses",
    "entitlements",
    "roles",
    "x509Certificates",
];

impl MultiValued {
    /// Refuses a User with more than one value in a multi-valued attribute.
    pub fn check(self, kind: ResourceTypeName, resource: &Value) -> ScimResult<()> {
        if self == MultiValued::Full || kind != ResourceTypeName::User {
            return Ok(());
        }
        let Some(map) = resource.as_object() else {
            return Ok(());
        };
        for (key, value) in map {
            let n = value.as_array().map_or(0, Vec::len);
            if n > 1
                && USER_MULTI_VALUED
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(key))
            {
                return Err(ScimError::invalid_value(format!(
                    "{key} has {n} values; this target stores one value per multi-valued attribute"
                )));
            }
        }
        Ok(())
    }
}

impl GroupMembers {
    /// The (already projected) resource as served, or `None` when it is
    /// served as it is. Applied after projection, which would drop an empty
    /// list as unassigned.
    pub fn view(self, kind: ResourceTypeName, resource: &Arc<Value>) -> Option<Arc<Value>> {
        if self == GroupMembers::Full
            || kind != ResourceTypeName::Group
            || resource.get("members").is_none()
        {
            return None;
        }
        let mut value = (**resource).clone();
        value["members"] = Value::Array(vec![]);
        Some(Arc::new(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn single_value_users_refuse_a_second_email() {
        let one = json!({"emails": [{"value": "a@x"}]});
        let two = json!({"emails": [{"value": "a@x"}, {"value": "b@x"}]});
        assert!(
            MultiValued::Single
                .check(ResourceTypeName::User, &one)
                .is_ok()
        );
        let e = MultiValued::Single
            .check(ResourceTypeName::User, &two)
            .unwrap_err();
        assert_eq!(e.status, 400);
        assert!(
            MultiValued::Full
                .check(ResourceTypeName::User, &two)
                .is_ok()
        );
        let group = json!({"members": [{"value": "1"}, {"value": "2"}]});
        assert!(
            MultiValued::Single
                .check(ResourceTypeName::Group, &group)
                .is_ok()
        );
    }

    #[test]
    fn empty_members_view_keeps_meta_last() {
        let g = Arc::new(json!({"id": "g", "members": [{"value": "1"}], "meta": {}}));
        let v = GroupMembers::Empty
            .view(ResourceTypeName::Group, &g)
            .unwrap();
        assert_eq!(v["members"], json!([]));
        assert_eq!(v.as_object().unwrap().keys().next_back().unwrap(), "meta");
        assert!(
            GroupMembers::Full
                .view(ResourceTypeName::Group, &g)
                .is_none()
        );
    }
}
