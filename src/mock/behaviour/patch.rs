//! The `patch_*` knobs: how a vendor reads a PATCH request
//! (vendor-behaviour.md §5.1). Each quirk rewrites or refuses the
//! request before the strict PATCH engine applies it, so the engine stays
//! RFC 7644 §3.5.2 and the quirks stay here.

use crate::scim::{ScimError, ScimResult};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Booleans sent as strings (Entra ID without `aadOptscim062020` sends
/// `"False"`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoolStrings {
    /// 400 `invalidValue` (RFC 7643 §2.3.2: booleans are JSON literals).
    #[default]
    Reject,
    /// `"True"`/`"False"` (any case) for `active` are read as booleans.
    Accept,
}

/// `{"op":"remove","path":"members","value":[{"value":"id"}]}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemoveMembersWithValue {
    /// Only the listed members go (what Entra ID and authentik mean).
    #[default]
    Listed,
    /// The value is ignored and every member goes (RFC 7644 §3.5.2.2 read
    /// literally: the Segment incident).
    All,
    /// 400 `invalidValue` (SCIM-SDK).
    Reject,
}

/// What a successful PATCH answers (RFC 7644 §3.5.2 allows both).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatchResponse {
    /// 200 with the resource.
    #[default]
    Resource,
    /// 204 without a body (what Entra ID prefers for groups).
    NoContent,
}

/// `patch_member_limits`: how much one PATCH may do (AWS IAM Identity
/// Center: 100 membership changes; Miro: 8,000 → 413).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberLimits {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_operations: Option<usize>,
    /// Member values added, removed or replaced in one request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_member_changes: Option<usize>,
    /// The status for a request over either limit: 400 or 413.
    #[serde(default = "default_limit_status")]
    pub status: u16,
    /// `replace` of the whole `members` list, or `remove` of all members,
    /// is refused with 400.
    #[serde(default)]
    pub forbid_replace_all: bool,
}

fn default_limit_status() -> u16 {
    400
}

impl Default for MemberLimits {
    fn default() -> Self {
        MemberLimits {
            max_operations: None,
            max_member_changes: None,
            status: default_limit_status(),
            forbid_replace_all: false,
        }
    }
}

/// The `patch_*` knobs of a profile together (`Behaviour::patch`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PatchQuirks {
    /// `add` behaves as `replace`: multi-valued attributes are overwritten
    /// instead of appended to.
    pub add_is_replace: bool,
    pub limits: MemberLimits,
    pub bool_strings: BoolStrings,
    pub remove_members_with_value: RemoveMembersWithValue,
    pub response: PatchResponse,
}

/// A member of an op object, its name matched case-insensitively as the
/// PATCH engine does.
fn field<'a>(op: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    op.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn field_mut<'a>(op: &'a mut Map<String, Value>, name: &str) -> Option<&'a mut Value> {
    op.iter_mut()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn op_is(op: &Map<String, Value>, word: &str) -> bool {
    field(op, "op")
        .and_then(Value::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case(word))
}

fn path_of(op: &Map<String, Value>) -> Option<&str> {
    field(op, "path").and_then(Value::as_str).map(str::trim)
}

/// The path names the whole `members` list (no value filter).
fn is_members(path: Option<&str>) -> bool {
    path.is_some_and(|p| {
        p.eq_ignore_ascii_case("members")
            || p.eq_ignore_ascii_case("urn:ietf:params:scim:schemas:core:2.0:Group:members")
    })
}

fn count_values(v: Option<&Value>) -> usize {
    match v {
        Some(Value::Array(items)) => items.len(),
        Some(Value::Null) | None => 0,
        Some(_) => 1,
    }
}

/// Member values one operation touches: the listed values, or one for a
/// filtered path (`members[value eq "x"]`).
fn member_changes(op: &Map<String, Value>) -> usize {
    let value = field(op, "value");
    match path_of(op) {
        Some(p) if is_members(Some(p)) => count_values(value).max(1),
        Some(p) if p.to_ascii_lowercase().starts_with("members[") => 1,
        Some(_) => 0,
        None => count_values(value.and_then(|v| v.get("members"))),
    }
}

fn bool_of(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// `"False"` → `false` where `active` is set, by path or in a value object.
fn unstring_active(op: &mut Map<String, Value>) {
    let by_path = path_of(op).is_some_and(|p| p.eq_ignore_ascii_case("active"));
    let Some(value) = field_mut(op, "value") else {
        return;
    };
    let slot = if by_path {
        Some(value)
    } else {
        value
            .as_object_mut()
            .and_then(|m| m.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case("active")))
            .map(|(_, v)| v)
    };
    if let Some(slot) = slot
        && let Some(b) = slot.as_str().and_then(bool_of)
    {
        *slot = Value::Bool(b);
    }
}

impl PatchQuirks {
    /// The request the strict engine should apply, or the vendor's refusal.
    /// Requests that are not PatchOp-shaped pass unchanged: the engine
    /// reports those.
    pub fn rewrite<'a>(&self, body: &'a Value) -> ScimResult<Cow<'a, Value>> {
        if *self == PatchQuirks::default() {
            return Ok(Cow::Borrowed(body));
        }
        let mut body = body.clone();
        let Some(ops) = body
            .as_object_mut()
            .and_then(|m| field_mut(m, "Operations"))
            .and_then(Value::as_array_mut)
        else {
            return Ok(Cow::Owned(body));
        };
        let over = |what: String| {
            ScimError::new(
                self.limits.status,
                (self.limits.status == 400).then_some(crate::scim::ScimType::InvalidValue),
                what,
            )
        };
        if let Some(max) = self.limits.max_operations
            && ops.len() > max
        {
            return Err(over(format!(
                "{} operations in one PATCH; this target accepts at most {max}",
                ops.len()
            )));
        }
        if let Some(max) = self.limits.max_member_changes {
            let n: usize = ops
                .iter()
                .filter_map(Value::as_object)
                .map(member_changes)
                .sum();
            if n > max {
                return Err(over(format!(
                    "{n} membership changes in one PATCH; this target accepts at most {max}"
                )));
            }
        }
        for (i, op) in ops.iter_mut().enumerate() {
            let Some(op) = op.as_object_mut() else {
                continue;
            };
            self.rewrite_one(op).map_err(|e| {
                ScimError::new(
                    e.status,
                    e.scim_type,
                    format!("Operations[{i}]: {}", e.detail),
                )
            })?;
        }
        Ok(Cow::Owned(body))
    }

    fn rewrite_one(&self, op: &mut Map<String, Value>) -> ScimResult<()> {
        let members = is_members(path_of(op));
        let has_value = count_values(field(op, "value")) > 0;
        if self.limits.forbid_replace_all {
            let replaces_all = op_is(op, "replace")
                && (members
                    || (path_of(op).is_none()
                        && field(op, "value").is_some_and(|v| v.get("members").is_some())));
            let removes_all = op_is(op, "remove")
                && members
                && (!has_value || self.remove_members_with_value == RemoveMembersWithValue::All);
            if replaces_all || removes_all {
                return Err(ScimError::invalid_value(
                    "replacing or removing all members is not supported: add or remove members one by one",
                ));
            }
        }
        if op_is(op, "remove") && members && has_value {
            match self.remove_members_with_value {
                RemoveMembersWithValue::Listed => {}
                RemoveMembersWithValue::All => {
                    op.retain(|k, _| !k.eq_ignore_ascii_case("value"));
                }
                RemoveMembersWithValue::Reject => {
                    return Err(ScimError::invalid_value(
                        "remove with path \"members\" takes no value: use members[value eq \"id\"]",
                    ));
                }
            }
        }
        if self.add_is_replace
            && op_is(op, "add")
            && let Some(v) = field_mut(op, "op")
        {
            *v = Value::String("replace".into());
        }
        if self.bool_strings == BoolStrings::Accept {
            unstring_active(op);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use serde_json::json;

    fn quirks(yaml: &str) -> PatchQuirks {
        serde_saphyr::from_str::<crate::mock::behaviour::Behaviour>(yaml)
            .expect("behaviour")
            .patch()
    }

    fn request(ops: Value) -> Value {
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
    }

    #[test]
    fn the_default_passes_requests_unchanged() {
        let body = request(json!([{"op": "Add", "path": "members", "value": [{"value": "1"}]}]));
        assert!(matches!(
            PatchQuirks::default().rewrite(&body).unwrap(),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn add_becomes_replace() {
        let body = request(json!([{"op": "Add", "path": "emails", "value": []}]));
        let out = quirks("{patch_add_equals_replace: true}")
            .rewrite(&body)
            .unwrap();
        assert_eq!(out["Operations"][0]["op"], "replace");
    }

    #[rstest]
    #[case::ops_400("{patch_member_limits: {max_operations: 1}}", json!([{"op":"add","path":"title","value":"a"},{"op":"add","path":"nickName","value":"b"}]), 400)]
    #[case::members_413(
        "{patch_member_limits: {max_member_changes: 2, status: 413}}",
        json!([{"op":"add","path":"members","value":[{"value":"1"},{"value":"2"},{"value":"3"}]}]),
        413
    )]
    #[case::filtered_removals_count(
        "{patch_member_limits: {max_member_changes: 1}}",
        json!([{"op":"remove","path":"members[value eq \"1\"]"},{"op":"remove","path":"members[value eq \"2\"]"}]),
        400
    )]
    #[case::replace_all("{patch_member_limits: {forbid_replace_all: true}}", json!([{"op":"replace","path":"members","value":[]}]), 400)]
    #[case::remove_all("{patch_member_limits: {forbid_replace_all: true}}", json!([{"op":"remove","path":"members"}]), 400)]
    #[case::reject_value_removal(
        "{patch_remove_members_with_value: reject}",
        json!([{"op":"Remove","path":"members","value":[{"value":"1"}]}]),
        400
    )]
    fn limits_and_refusals(#[case] yaml: &str, #[case] ops: Value, #[case] status: u16) {
        let e = quirks(yaml).rewrite(&request(ops)).unwrap_err();
        assert_eq!(e.status, status, "{e}");
    }

    #[test]
    fn rfc_literal_member_removal_drops_the_value() {
        let body = request(json!([{"op":"Remove","path":"members","value":[{"value":"1"}]}]));
        let out = quirks("{patch_remove_members_with_value: all}")
            .rewrite(&body)
            .unwrap();
        assert_eq!(
            out["Operations"][0],
            json!({"op": "Remove", "path": "members"})
        );
    }

    #[rstest]
    #[case(json!({"op":"Replace","path":"active","value":"False"}), json!(false))]
    #[case(json!({"op":"replace","value":{"active":"TRUE"}}), json!(true))]
    fn bool_strings_are_read_as_booleans(#[case] op: Value, #[case] expected: Value) {
        let body = request(json!([op]));
        let out = quirks("{patch_bool_strings: accept}")
            .rewrite(&body)
            .unwrap();
        let op = &out["Operations"][0];
        let got = if op.get("path").is_some() {
            &op["value"]
        } else {
            &op["value"]["active"]
        };
        assert_eq!(got, &expected);
    }
}
