//! PATCH (RFC 7644 §3.5.2). Every case patches a resource certify made,
//! reads it back, and compares the whole of it with what the PATCH engine
//! of src/scim computes from the state before: a server that answers 200
//! but applies a PATCH as a PUT, or applies half of it, shows up here.

use crate::certify::catalogue::{Check, Fail, Verdict};
use crate::certify::compare::diff;
use crate::certify::ctx::{
    Ctx, ENTERPRISE_URN, PATCH_URN, brief, enc_path, failed, id_of, skipped,
};
use crate::scim::patch::{PatchRequest, apply};
use crate::scim::schema::ResourceSchema;
use crate::{certify_check as check, ensure};
use reqwest::Method;
use serde_json::{Value, json};

const G: &str = "patch";

pub fn checks() -> Vec<Check> {
    let mut v = vec![
        check!(
            "PATCH-001",
            G,
            "RFC 7644 §3.5.2.3",
            Must,
            Rfc,
            Patch,
            "replace-path",
            user_case,
            "replace with a path changes that attribute and nothing else"
        ),
        check!(
            "PATCH-002",
            G,
            "RFC 7644 §3.5.2.1",
            Must,
            Rfc,
            Patch,
            "add-path",
            user_case,
            "add with a path sets an absent attribute"
        ),
        check!(
            "PATCH-003",
            G,
            "RFC 7644 §3.5.2.2",
            Must,
            Rfc,
            Patch,
            "remove-path",
            user_case,
            "remove with a path unassigns the attribute"
        ),
        check!(
            "PATCH-004",
            G,
            "RFC 7644 §3.5.2.3",
            Must,
            Rfc,
            Patch,
            "replace-nopath",
            user_case,
            "replace without a path replaces the attributes in value"
        ),
        check!(
            "PATCH-005",
            G,
            "RFC 7644 §3.5.2.1",
            Must,
            Rfc,
            Patch,
            "add-nopath",
            user_case,
            "add without a path adds the attributes in value"
        ),
        check!(
            "PATCH-006",
            G,
            "RFC 7644 §3.5.2.1",
            Must,
            Rfc,
            Patch,
            "add-multi",
            user_case,
            "add to a multi-valued attribute appends"
        ),
        check!(
            "PATCH-007",
            G,
            "RFC 7644 §3.5.2.3",
            Must,
            Rfc,
            Patch,
            "replace-filter",
            user_case,
            "replace emails[type eq \"work\"].value changes only the matching value"
        ),
        check!(
            "PATCH-008",
            G,
            "RFC 7644 §3.5.2.2",
            Must,
            Rfc,
            Patch,
            "remove-filter",
            user_case,
            "remove emails[type eq \"home\"] removes only the matching value"
        ),
        check!(
            "PATCH-009",
            G,
            "RFC 7644 §3.5.2.3",
            Must,
            Rfc,
            Patch,
            "replace-sub",
            user_case,
            "replace name.givenName changes the sub-attribute only"
        ),
        check!(
            "PATCH-010",
            G,
            "RFC 7644 §3.5.2.1",
            Must,
            Rfc,
            Patch,
            "add-urn",
            user_case,
            "add with a URN-qualified extension path sets it (and the extension's schema)"
        ),
        check!(
            "PATCH-011",
            G,
            "RFC 7644 §3.5.2.3",
            Must,
            Rfc,
            Patch,
            "deactivate",
            user_case,
            "replace active false deactivates: GET shows active false"
        ),
        check!(
            "PATCH-012",
            G,
            "RFC 7644 §3.5.2",
            Must,
            Rfc,
            Patch,
            "patch-as-put",
            user_case,
            "PATCH is not a PUT: patching one attribute leaves every other as it was"
        ),
        check!(
            "PATCH-013",
            G,
            "RFC 7644 §3.5.2",
            Must,
            Rfc,
            Patch,
            "sequence",
            user_case,
            "operations apply in order, each seeing the previous"
        ),
        check!(
            "PATCH-014",
            G,
            "RFC 7644 §3.5.2.3",
            Must,
            Rfc,
            Patch,
            "replace-absent",
            user_case,
            "replace of an absent attribute adds it"
        ),
        check!(
            "PATCH-015",
            G,
            "RFC 7644 §3.5.2",
            Must,
            Rfc,
            Patch,
            "primary",
            user_case,
            "setting primary true on one value sets the others' primary false"
        ),
        check!(
            "PATCH-016",
            G,
            "RFC 7644 §3.5.2.1",
            Should,
            Rfc,
            Patch,
            "add-existing",
            user_case,
            "adding a value already present changes nothing"
        ),
        check!(
            "PATCH-017",
            G,
            "RFC 7643 §2.1",
            Must,
            Rfc,
            Patch,
            "case-path",
            user_case,
            "attribute names in paths are case-insensitive"
        ),
        check!(
            "PATCH-018",
            G,
            "RFC 7644 §3.5.2.2",
            Must,
            Rfc,
            Patch,
            "remove-sub",
            user_case,
            "remove name.givenName removes the sub-attribute only"
        ),
        check!(
            "PATCH-019",
            G,
            "RFC 7644 §3.5.2.3",
            Must,
            Rfc,
            Patch,
            "replace-multi-all",
            user_case,
            "replace of a multi-valued attribute without filter replaces all values"
        ),
        check!(
            "PATCH-020",
            G,
            "RFC 7644 §3.5.2.2",
            Must,
            Rfc,
            Patch,
            "remove-multi-all",
            user_case,
            "remove of a multi-valued attribute without filter removes all values"
        ),
        check!(
            "PATCH-021",
            G,
            "RFC 7644 §3.5.2.3",
            Must,
            Rfc,
            Patch,
            "reactivate",
            user_case,
            "replace active true reactivates: GET shows active true"
        ),
        check!(
            "PATCH-022",
            G,
            "RFC 7644 §3.5.2.3",
            Must,
            Rfc,
            Patch,
            "replace-complex",
            user_case,
            "replace of a complex attribute with a path replaces the whole value"
        ),
        check!(
            "PATCH-023",
            G,
            "RFC 7644 §3.5.2.1",
            Must,
            Rfc,
            Patch,
            "add-complex-merge",
            user_case,
            "add to a complex attribute merges sub-attributes"
        ),
        check!(
            "PATCH-024",
            G,
            "RFC 7644 §3.5.2.3",
            Must,
            Rfc,
            Patch,
            "replace-enterprise-nopath",
            user_case,
            "replace without a path updates extension attributes given under their URN"
        ),
    ];
    v.extend(super::groups::patch_checks());
    v
}

/// A user with something of everything, for PATCH to work on.
pub async fn rich_user(c: &Ctx, active: bool) -> Result<Value, Fail> {
    c.new_user(json!({
        "displayName": "Patch Subject",
        "title": "Original Title",
        "name": {"givenName": "Grace", "familyName": "Hopper"},
        "emails": [{"value": "work@example.com", "type": "work", "primary": true},
                   {"value": "home@example.com", "type": "home"}],
        "phoneNumbers": [{"value": "+1-555-0101", "type": "work"}],
        "active": active
    }))
    .await
}

fn user_ops(case: &str) -> Value {
    match case {
        "replace-path" => {
            json!([{"op": "replace", "path": "displayName", "value": "Patched Name"}])
        }
        "add-path" => json!([{"op": "add", "path": "nickName", "value": "Amazing"}]),
        "remove-path" => json!([{"op": "remove", "path": "title"}]),
        "replace-nopath" => {
            json!([{"op": "replace", "value": {"displayName": "No Path", "title": "No Path Title"}}])
        }
        "add-nopath" => {
            json!([{"op": "add", "value": {"nickName": "Added", "userType": "Employee"}}])
        }
        "add-multi" => {
            json!([{"op": "add", "path": "emails", "value": [{"value": "other@example.com", "type": "other"}]}])
        }
        "replace-filter" => {
            json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "new-work@example.com"}])
        }
        "remove-filter" => json!([{"op": "remove", "path": "emails[type eq \"home\"]"}]),
        "replace-sub" => json!([{"op": "replace", "path": "name.givenName", "value": "Amazing"}]),
        "add-urn" => {
            json!([{"op": "add", "path": format!("{ENTERPRISE_URN}:employeeNumber"), "value": "E-7"}])
        }
        "deactivate" => json!([{"op": "replace", "path": "active", "value": false}]),
        "patch-as-put" => json!([{"op": "replace", "path": "title", "value": "Only This Changed"}]),
        "sequence" => {
            json!([{"op": "add", "path": "nickName", "value": "first"}, {"op": "replace", "path": "nickName", "value": "second"}])
        }
        "replace-absent" => {
            json!([{"op": "replace", "path": "profileUrl", "value": "https://example.com/profile"}])
        }
        "primary" => {
            json!([{"op": "replace", "path": "emails[type eq \"home\"].primary", "value": true}])
        }
        "add-existing" => {
            json!([{"op": "add", "path": "emails", "value": [{"value": "work@example.com", "type": "work", "primary": true}]}])
        }
        "case-path" => json!([{"op": "replace", "path": "DISPLAYNAME", "value": "Case Blind"}]),
        "remove-sub" => json!([{"op": "remove", "path": "name.givenName"}]),
        "replace-multi-all" => {
            json!([{"op": "replace", "path": "emails", "value": [{"value": "only@example.com", "type": "work", "primary": true}]}])
        }
        "remove-multi-all" => json!([{"op": "remove", "path": "emails"}]),
        "reactivate" => json!([{"op": "replace", "path": "active", "value": true}]),
        "replace-complex" => {
            json!([{"op": "replace", "path": "name", "value": {"givenName": "Katherine", "familyName": "Johnson"}}])
        }
        "add-complex-merge" => {
            json!([{"op": "add", "path": "name", "value": {"middleName": "Brewster"}}])
        }
        "replace-enterprise-nopath" => {
            json!([{"op": "replace", "value": {ENTERPRISE_URN: {"department": "Patched Dept"}}}])
        }
        _ => json!([]),
    }
}

/// Sends a PATCH and judges the read-back against the engine's result
/// (`no_change`: against the state before, for the RFC's idempotent
/// cases, which the engine does not model).
pub async fn judge_patch(
    c: &Ctx,
    endpoint: &str,
    before: &Value,
    ops: Value,
    no_change: bool,
) -> Verdict {
    let schema = if endpoint == "Groups" {
        ResourceSchema::group()
    } else {
        ResourceSchema::user()
    };
    let body = json!({"schemas": [PATCH_URN], "Operations": ops});
    let mut expected = if no_change {
        Ok(before.clone())
    } else {
        PatchRequest::from_json(&body).and_then(|req| apply(before, &req, &schema))
    }
    .map_err(|e| {
        failed(format!(
            "harness: the PATCH engine refused the case: {}",
            e.detail
        ))
    })?;
    // The engine leaves out what the server manages (id, meta); a PATCH
    // keeps them as they were.
    for k in ["id", "meta"] {
        if let (Some(v), Some(m)) = (before.get(k), expected.as_object_mut()) {
            m.entry(k).or_insert_with(|| v.clone());
        }
    }
    let id = id_of(before);
    let r = c
        .send(
            Method::PATCH,
            &format!("/{endpoint}/{}", enc_path(id)),
            &body,
        )
        .await?;
    ensure!(
        r.status == 200 || r.status == 204,
        "PATCH answered {}: {}",
        r.status,
        brief(&r.body)
    );
    let got = c.read_ok(endpoint, id).await?;
    if let Some(d) = diff(&expected, &got) {
        return Err(failed(format!(
            "after PATCH the server holds something else: {d}"
        )));
    }
    Ok(format!("{} and state as expected", r.status))
}

async fn user_case(c: &Ctx, case: &'static str) -> Verdict {
    if (case.contains("urn") || case.contains("enterprise"))
        && crate::certify::checks::discovery::schema(c, ENTERPRISE_URN).is_none()
    {
        return Err(skipped("the enterprise extension is not served"));
    }
    let u = rich_user(c, case != "reactivate").await?;
    // Judge from what the server holds, not from the create answer.
    let before = c.read_ok("Users", id_of(&u)).await?;
    let v = judge_patch(c, "Users", &before, user_ops(case), case == "add-existing").await?;
    if case == "deactivate" || case == "reactivate" {
        let got = c.read_ok("Users", id_of(&u)).await?;
        ensure!(
            got["active"] == json!(case == "reactivate"),
            "GET shows active {}",
            brief(&got["active"])
        );
    }
    Ok(v)
}
