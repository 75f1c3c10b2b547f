//! PATCH (RFC 7644 §3.5.2). Every case patches a resource certify made,
//! reads it back, and compares the whole of it with what the PATCH engine
//! of src/scim computes from the state before: a server that answers 200
//! but applies a PATCH as a PUT, or applies half of it, shows up here.

use super::discovery::schema;
use crate::certify::check::{Check, Group};
use crate::certify::compare::diff;
use crate::certify::ctx::{Ctx, ENTERPRISE_URN, PATCH_URN, brief, id_of, resource_path};
use crate::certify::discovery::Needs;
use crate::certify::verdict::{Fail, Verdict, failed, skipped};
use crate::ensure;
use crate::scim::patch::{PatchRequest, apply};
use crate::scim::schema::ResourceSchema;
use reqwest::Method;
use serde_json::{Value, json};

const G: Group = Group::new("patch").needs(Needs::Patch);

pub fn checks() -> Vec<Check> {
    vec![
        G.must("PATCH-001", user_case)
            .rfc("RFC 7644 §3.5.2.3")
            .arg("replace-path")
            .description("replace with a path changes that attribute and nothing else"),
        G.must("PATCH-002", user_case)
            .rfc("RFC 7644 §3.5.2.1")
            .arg("add-path")
            .description("add with a path sets an absent attribute"),
        G.must("PATCH-003", user_case)
            .rfc("RFC 7644 §3.5.2.2")
            .arg("remove-path")
            .description("remove with a path unassigns the attribute"),
        G.must("PATCH-004", user_case)
            .rfc("RFC 7644 §3.5.2.3")
            .arg("replace-nopath")
            .description("replace without a path replaces the attributes in value"),
        G.must("PATCH-005", user_case)
            .rfc("RFC 7644 §3.5.2.1")
            .arg("add-nopath")
            .description("add without a path adds the attributes in value"),
        G.must("PATCH-006", user_case)
            .rfc("RFC 7644 §3.5.2.1")
            .arg("add-multi")
            .description("add to a multi-valued attribute appends"),
        G.must("PATCH-007", user_case)
            .rfc("RFC 7644 §3.5.2.3")
            .arg("replace-filter")
            .description("replace emails[type eq \"work\"].value changes only the matching value"),
        G.must("PATCH-008", user_case)
            .rfc("RFC 7644 §3.5.2.2")
            .arg("remove-filter")
            .description("remove emails[type eq \"home\"] removes only the matching value"),
        G.must("PATCH-009", user_case)
            .rfc("RFC 7644 §3.5.2.3")
            .arg("replace-sub")
            .description("replace name.givenName changes the sub-attribute only"),
        G.must("PATCH-010", user_case)
            .rfc("RFC 7644 §3.5.2.1")
            .arg("add-urn")
            .description(
                "add with a URN-qualified extension path sets it (and the extension's schema)",
            ),
        G.must("PATCH-011", user_case)
            .rfc("RFC 7644 §3.5.2.3")
            .arg("deactivate")
            .description("replace active false deactivates: GET shows active false"),
        G.must("PATCH-012", user_case)
            .rfc("RFC 7644 §3.5.2")
            .arg("patch-as-put")
            .description("PATCH is not a PUT: patching one attribute leaves every other as it was"),
        G.must("PATCH-013", user_case)
            .rfc("RFC 7644 §3.5.2")
            .arg("sequence")
            .description("operations apply in order, each seeing the previous"),
        G.must("PATCH-014", user_case)
            .rfc("RFC 7644 §3.5.2.3")
            .arg("replace-absent")
            .description("replace of an absent attribute adds it"),
        G.must("PATCH-015", user_case)
            .rfc("RFC 7644 §3.5.2")
            .arg("primary")
            .description("setting primary true on one value sets the others' primary false"),
        G.should("PATCH-016", user_case)
            .rfc("RFC 7644 §3.5.2.1")
            .arg("add-existing")
            .description("adding a value already present changes nothing"),
        G.must("PATCH-017", user_case)
            .rfc("RFC 7643 §2.1")
            .arg("case-path")
            .description("attribute names in paths are case-insensitive"),
        G.must("PATCH-018", user_case)
            .rfc("RFC 7644 §3.5.2.2")
            .arg("remove-sub")
            .description("remove name.givenName removes the sub-attribute only"),
        G.must("PATCH-019", user_case)
            .rfc("RFC 7644 §3.5.2.3")
            .arg("replace-multi-all")
            .description("replace of a multi-valued attribute without filter replaces all values"),
        G.must("PATCH-020", user_case)
            .rfc("RFC 7644 §3.5.2.2")
            .arg("remove-multi-all")
            .description("remove of a multi-valued attribute without filter removes all values"),
        G.must("PATCH-021", user_case)
            .rfc("RFC 7644 §3.5.2.3")
            .arg("reactivate")
            .description("replace active true reactivates: GET shows active true"),
        G.must("PATCH-022", user_case)
            .rfc("RFC 7644 §3.5.2.3")
            .arg("replace-complex")
            .description("replace of a complex attribute with a path replaces the whole value"),
        G.must("PATCH-023", user_case)
            .rfc("RFC 7644 §3.5.2.1")
            .arg("add-complex-merge")
            .description("add to a complex attribute merges sub-attributes"),
        G.must("PATCH-024", user_case)
            .rfc("RFC 7644 §3.5.2.3")
            .arg("replace-enterprise-nopath")
            .description(
                "replace without a path updates extension attributes given under their URN",
            ),
    ]
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
        .send(Method::PATCH, &resource_path(endpoint, id), &body)
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
    if (case.contains("urn") || case.contains("enterprise")) && schema(c, ENTERPRISE_URN).is_none()
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
