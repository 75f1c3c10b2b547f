//! `userName` uniqueness (RFC 7643 §4.1.1: caseExact false, uniqueness
//! server), and the exact comparison a `case_sensitive_username` fault
//! switches to.

use super::Inner;
use crate::scim::schema::ResourceTypeName;
use crate::scim::{ScimError, ScimResult};
use serde_json::{Map, Value};

/// How `userName` uniqueness compares: folded (RFC 7643 §4.1.1, the strict
/// target), or exactly, under a `case_sensitive_username` fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserNameCase {
    #[default]
    Folded,
    Exact,
}

/// `userName` is unique across the target, compared case-insensitively
/// (RFC 7643 §4.1.1: caseExact false, uniqueness server).
/// Under `UserNameCase::Exact` only an identical userName conflicts. An
/// account that already shares its name with a case twin may keep it.
pub(super) fn check_unique(
    inner: &Inner,
    kind: ResourceTypeName,
    map: &Map<String, Value>,
    own_id: Option<&str>,
    case: UserNameCase,
) -> ScimResult<()> {
    if kind != ResourceTypeName::User {
        return Ok(());
    }
    let Some(name) = map.get("userName").and_then(Value::as_str) else {
        return Ok(());
    };
    let taken = match case {
        UserNameCase::Folded => match inner.users.id_by_user_name(name) {
            None => false,
            Some(_) if !inner.users.has_twins(name) => inner.users.id_by_user_name(name) != own_id,
            Some(_) => !inner
                .users
                .all_by_user_name(name)
                .iter()
                .any(|(id, _)| Some(*id) == own_id),
        },
        UserNameCase::Exact => inner
            .users
            .all_by_user_name(name)
            .iter()
            .any(|(id, r)| Some(*id) != own_id && r.keys().user_name.as_deref() == Some(name)),
    };
    if taken {
        Err(ScimError::uniqueness(format!(
            "userName {name:?} is already taken"
        )))
    } else {
        Ok(())
    }
}
