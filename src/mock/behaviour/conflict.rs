//! `conflict_policy`: when a create or rename collides with what exists
//! (vendor-behaviour.md §5.1). The strict default is RFC 7644 §3.3: only
//! `userName` is unique (409 `uniqueness`, enforced by the store). Vendors
//! add rules: an existing account with the same email is linked and the
//! POST answers 201 (Terraform Enterprise, Atlassian), or refused, counting
//! deactivated users too (Slack); some group names are reserved (Terraform
//! Enterprise: `owners`, `sso`).

use crate::mock::state::TargetState;
use crate::mock::store::{IfMatch, Stored};
use crate::scim::filter::{self, Filter};
use crate::scim::schema::ResourceTypeName;
use crate::scim::{ScimError, ScimResult};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExistingEmail {
    /// Emails are not unique (RFC 7643 §4.1.2).
    #[default]
    Allow,
    /// The POST adopts the account holding the email: its attributes are
    /// overwritten by the request's and the answer is 201 with its id.
    Link,
    /// 409 `uniqueness` when an active user holds the email.
    Reject,
    /// 409 `uniqueness` when any user holds it, deactivated ones included.
    RejectIncludingDeactivated,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConflictPolicy {
    #[serde(default)]
    pub existing_email: ExistingEmail,
    /// Group displayNames refused with 409 (case-insensitive).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reserved_group_names: Vec<String>,
}

impl ConflictPolicy {
    /// Rules on the resource alone, for creates and updates.
    pub fn check_resource(&self, kind: ResourceTypeName, resource: &Value) -> ScimResult<()> {
        if kind != ResourceTypeName::Group {
            return Ok(());
        }
        let Some(name) = resource.get("displayName").and_then(Value::as_str) else {
            return Ok(());
        };
        if self
            .reserved_group_names
            .iter()
            .any(|r| r.eq_ignore_ascii_case(name.trim()))
        {
            return Err(ScimError::uniqueness(format!(
                "the group name {name:?} is reserved by this target"
            )));
        }
        Ok(())
    }
}

fn emails(resource: &Value) -> Vec<&str> {
    resource
        .get("emails")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| e.get("value").and_then(Value::as_str))
        .collect()
}

fn email_filter(email: &str) -> Option<Filter> {
    filter::parse(&format!(
        "emails.value eq {}",
        Value::String(email.to_owned())
    ))
    .ok()
}

/// The users holding one of the resource's emails.
fn holders(state: &TargetState, resource: &Value) -> Vec<std::sync::Arc<Value>> {
    emails(resource)
        .into_iter()
        .filter_map(email_filter)
        .flat_map(|f| state.store.query(ResourceTypeName::User, Some(&f)))
        .collect()
}

/// The create rules that look at other accounts. `Some` is the linked
/// account, which the POST answers with.
pub fn before_create(
    state: &TargetState,
    kind: ResourceTypeName,
    resource: &Value,
) -> ScimResult<Option<Stored>> {
    let policy = &state.profile.behaviour.conflict;
    if kind != ResourceTypeName::User || policy.existing_email == ExistingEmail::Allow {
        return Ok(None);
    }
    let found = holders(state, resource);
    match policy.existing_email {
        ExistingEmail::Allow => Ok(None),
        ExistingEmail::Reject | ExistingEmail::RejectIncludingDeactivated => {
            let counts = |u: &Value| {
                policy.existing_email == ExistingEmail::RejectIncludingDeactivated
                    || u.get("active") != Some(&Value::Bool(false))
            };
            if found.iter().any(|u| counts(u)) {
                return Err(ScimError::uniqueness(
                    "a user with this email already exists",
                ));
            }
            Ok(None)
        }
        ExistingEmail::Link => {
            // The same userName is the same SCIM user again: the store's 409.
            let same_name = resource
                .get("userName")
                .and_then(Value::as_str)
                .and_then(|n| {
                    filter::parse(&format!("userName eq {}", Value::String(n.into()))).ok()
                })
                .is_some_and(|f| !state.store.query(kind, Some(&f)).is_empty());
            if same_name {
                return Ok(None);
            }
            let Some(id) = found
                .first()
                .and_then(|u| u.get("id"))
                .and_then(Value::as_str)
            else {
                return Ok(None);
            };
            let posted = resource.as_object().cloned().unwrap_or_default();
            let linked = state.store.modify(kind, id, IfMatch::Any, |current| {
                let mut merged = current.clone();
                if let Some(map) = merged.as_object_mut() {
                    map.extend(posted);
                }
                Ok(merged)
            })?;
            Ok(Some(linked))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reserved_group_names_are_409_whatever_their_case() {
        let p = ConflictPolicy {
            reserved_group_names: vec!["owners".into()],
            ..ConflictPolicy::default()
        };
        let e = p
            .check_resource(ResourceTypeName::Group, &json!({"displayName": "Owners"}))
            .unwrap_err();
        assert_eq!(
            (e.status, e.scim_type.map(|t| t.as_str())),
            (409, Some("uniqueness"))
        );
        assert!(
            p.check_resource(ResourceTypeName::Group, &json!({"displayName": "devs"}))
                .is_ok()
        );
    }

    #[test]
    fn email_filters_quote_the_value() {
        assert!(email_filter(r#"a"b@x"#).is_some());
        assert_eq!(
            emails(&json!({"emails": [{"value": "a@x"}, {}]})),
            vec!["a@x"]
        );
    }
}
