//! PATCH (RFC 7644 §3.5.2). Every case patches a resource certify made,
//! reads it back, and compares the whole of it with what the PATCH engine
//! of src/scim computes from the state before: a server that answers 200
//! but applies a PATCH as a PUT, or applies half of it, shows up here.

use super::discovery::schema;
use crate::certify::check::{Check, Group};
use crate::certify::compare::diff;
use crate::certify::ctx::{
    Ctx, ENTERPRISE_URN, PATCH_URN, brief, id_of, lookup, not_kept, resource_path,
};
use crate::certify::discovery::Needs;
use crate::certify::rfc;
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
            .cites(rfc::PATCH_REPLACE)
            .arg("replace-path")
            .title("replace with a path changes that attribute and nothing else"),
        G.must("PATCH-002", user_case)
            .cites(rfc::PATCH_ADD)
            .arg("add-path")
            .title("add with a path sets an absent attribute"),
        G.must("PATCH-003", user_case)
            .cites(rfc::PATCH_REMOVE_SINGLE)
            .arg("remove-path")
            .title("remove with a path unassigns the attribute"),
        G.must("PATCH-004", user_case)
            .cites(rfc::PATCH_REPLACE_NO_PATH)
            .arg("replace-nopath")
            .title("replace without a path replaces the attributes in value"),
        G.must("PATCH-005", user_case)
            .cites(rfc::PATCH_ADD)
            .arg("add-nopath")
            .title("add without a path adds the attributes in value"),
        G.must("PATCH-006", user_case)
            .cites(rfc::PATCH_ADD)
            .arg("add-multi")
            .title("add to a multi-valued attribute appends"),
        G.must("PATCH-007", user_case)
            .cites(rfc::PATCH_REPLACE_FILTER)
            .arg("replace-filter")
            .title("replace emails[type eq \"work\"].value changes only the matching value"),
        G.must("PATCH-008", user_case)
            .cites(rfc::PATCH_REMOVE_FILTER)
            .arg("remove-filter")
            .title("remove emails[type eq \"home\"] removes only the matching value"),
        G.must("PATCH-009", user_case)
            .cites(rfc::PATCH_REPLACE)
            .arg("replace-sub")
            .title("replace name.givenName changes the sub-attribute only"),
        G.must("PATCH-010", user_case)
            .cites(rfc::PATCH_ADD)
            .arg("add-urn")
            .title("add with a URN-qualified extension path sets it (and the extension's schema)"),
        G.must("PATCH-011", user_case)
            .cites(rfc::PATCH_REPLACE)
            .arg("deactivate")
            .title("replace active false deactivates: GET shows active false"),
        G.must("PATCH-012", user_case)
            .cites(rfc::PATCH_REPLACE)
            .arg("patch-as-put")
            .title("PATCH is not a PUT: patching one attribute leaves every other as it was"),
        G.must("PATCH-013", user_case)
            .cites(rfc::PATCH_SEQUENCE)
            .arg("sequence")
            .title("operations apply in order, each seeing the previous"),
        G.must("PATCH-014", user_case)
            .cites(rfc::PATCH_REPLACE_ABSENT)
            .arg("replace-absent")
            .title("replace of an absent attribute adds it"),
        G.must("PATCH-015", user_case)
            .cites(rfc::PATCH_PRIMARY)
            .arg("primary")
            .title("setting primary true on one value sets the others' primary false"),
        G.should("PATCH-016", user_case)
            .cites(rfc::PATCH_ADD_EXISTING)
            .arg("add-existing")
            .title("adding a value already present changes nothing"),
        G.must("PATCH-017", user_case)
            .cites(rfc::PATCH_NAMES_CASE)
            .arg("case-path")
            .title("attribute names in paths are case-insensitive"),
        G.must("PATCH-018", user_case)
            .cites(rfc::PATCH_REMOVE_SUB)
            .arg("remove-sub")
            .title("remove name.givenName removes the sub-attribute only"),
        G.must("PATCH-019", user_case)
            .cites(rfc::PATCH_REPLACE_ALL)
            .arg("replace-multi-all")
            .title("replace of a multi-valued attribute without filter replaces all values"),
        G.must("PATCH-020", user_case)
            .cites(rfc::PATCH_REMOVE_ALL)
            .arg("remove-multi-all")
            .title("remove of a multi-valued attribute without filter removes all values"),
        G.must("PATCH-021", user_case)
            .cites(rfc::PATCH_REPLACE)
            .arg("reactivate")
            .title("replace active true reactivates: GET shows active true"),
        G.must("PATCH-022", user_case)
            .cites(rfc::PATCH_REPLACE_COMPLEX)
            .arg("replace-complex")
            .title("replace of a complex attribute with a path replaces the whole value"),
        G.must("PATCH-023", user_case)
            .cites(rfc::PATCH_ADD_COMPLEX)
            .arg("add-complex-merge")
            .title("add to a complex attribute merges sub-attributes"),
        G.must("PATCH-024", user_case)
            .cites(rfc::PATCH_REPLACE_NO_PATH)
            .arg("replace-enterprise-nopath")
            .title("replace without a path updates extension attributes given under their URN"),
        G.must("PATCH-043", noop_timestamp)
            .cites(rfc::NOOP_TIMESTAMP)
            .title("a PATCH that changes nothing leaves meta.lastModified as it was"),
        G.should("PATCH-044", noop_version)
            .cites(rfc::NOOP_UNCHANGED)
            .title(
                "a PATCH that changes nothing leaves the user, meta.version included, as it was",
            ),
    ]
}

/// A PATCH that changes nothing: add of the title the user already has.
async fn noop(c: &Ctx) -> Result<(Value, Value), Fail> {
    let u = c.new_user(json!({"title": "Unchanged"})).await?;
    let before = c.read_ok("Users", id_of(&u)).await?;
    // Let the clock pass the timestamp's resolution, so a PATCH that
    // rewrites it shows (a second when it has no fraction).
    let stamp = before["meta"]["lastModified"].as_str().unwrap_or("");
    let whole_seconds = !stamp.contains('.');
    tokio::time::sleep(std::time::Duration::from_millis(if whole_seconds {
        1100
    } else {
        30
    }))
    .await;
    let r = c
        .patch(
            "Users",
            id_of(&u),
            json!([{"op": "add", "path": "title", "value": "Unchanged"}]),
        )
        .await?;
    ensure!(
        r.is_success(),
        "add of the value the user already has answered {}: {}",
        r.status,
        brief(&r.body)
    );
    let after = c.read_ok("Users", id_of(&u)).await?;
    Ok((before, after))
}

async fn noop_timestamp(c: &Ctx, _: &'static str) -> Verdict {
    let (before, after) = noop(c).await?;
    let (b, a) = (
        &before["meta"]["lastModified"],
        &after["meta"]["lastModified"],
    );
    if b.is_null() {
        return Err(skipped("the user has no meta.lastModified"));
    }
    ensure!(
        a == b,
        "a PATCH that changed nothing moved meta.lastModified from {} to {}",
        brief(b),
        brief(a)
    );
    Ok("meta.lastModified unchanged".into())
}

async fn noop_version(c: &Ctx, _: &'static str) -> Verdict {
    let (before, after) = noop(c).await?;
    let (b, a) = (&before["meta"]["version"], &after["meta"]["version"]);
    if b.is_null() {
        return Err(skipped("the user has no meta.version"));
    }
    ensure!(
        a == b,
        "a PATCH that changed nothing changed meta.version from {} to {}",
        brief(b),
        brief(a)
    );
    if let Some(d) = diff(&before, &after) {
        return Err(failed(format!("a PATCH that changed nothing changed: {d}")));
    }
    Ok("the user is as it was".into())
}

/// A user with something of everything, for PATCH to work on. What the
/// server did not keep of it is looked at case by case (`needs_kept`).
pub async fn rich_user(c: &Ctx, active: bool) -> Result<Value, Fail> {
    c.create_user(rich_body(active)).await
}

/// What `rich_user` sends.
pub fn rich_body(active: bool) -> Value {
    json!({
        "displayName": "Patch Subject",
        "title": "Original Title",
        "name": {"givenName": "Grace", "familyName": "Hopper"},
        "emails": [{"value": "work@example.com", "type": "work", "primary": true},
                   {"value": "home@example.com", "type": "home"}],
        "phoneNumbers": [{"value": "+1-555-0101", "type": "work"}],
        "active": active
    })
}

/// The attributes a PATCH names: the first name of each path, or the
/// names in a path-less value (a URN-qualified path names an extension).
fn named(ops: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for op in ops.as_array().into_iter().flatten() {
        match op.get("path").and_then(Value::as_str) {
            Some(p) if p.to_ascii_lowercase().starts_with("urn:") => {}
            Some(p) => out.push(
                p.split(['.', '[', ' '])
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase(),
            ),
            None => {
                for k in op["value"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k)
                {
                    out.push(k.to_ascii_lowercase());
                }
            }
        }
    }
    out
}

/// A case works on what the fixture sent; when the server did not keep an
/// attribute the case names (RFC 7644 §3.3 lets it ignore or alter POSTed
/// content), the case cannot be judged there.
pub fn needs_kept(ops: &Value, sent: &Value, before: &Value) -> Result<(), Fail> {
    for name in named(ops) {
        let s = lookup(sent, &name);
        if s.is_null() {
            continue;
        }
        if let Some(why) = not_kept(s, lookup(before, &name)) {
            return Err(skipped(format!(
                "the server did not keep {name} as sent when the user was created ({why}); RFC \
                 7644 §3.3 lets it ignore or alter what is POSTed, and this case works on it"
            )));
        }
    }
    Ok(())
}

/// Display values a server may compute from `name` (displayName,
/// name.formatted): left out of the comparison when a PATCH changes `name`
/// and does not set them itself.
fn drop_derived(ops: &Value, v: &mut Value) {
    let names = named(ops);
    if !names.iter().any(|n| n == "name") || names.iter().any(|n| n == "displayname") {
        return;
    }
    let sets_formatted = ops.to_string().to_ascii_lowercase().contains("formatted");
    if let Some(m) = v.as_object_mut() {
        m.retain(|k, _| !k.eq_ignore_ascii_case("displayName"));
        if !sets_formatted
            && let Some(n) = m
                .iter_mut()
                .find(|(k, _)| k.eq_ignore_ascii_case("name"))
                .and_then(|(_, n)| n.as_object_mut())
        {
            n.retain(|k, _| !k.eq_ignore_ascii_case("formatted"));
        }
    }
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
    // The case does not apply to what the server holds (it did not keep
    // what the case works on): nothing to judge.
    .map_err(|e| {
        skipped(format!(
            "the case does not apply to the user as the server holds it: {}",
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
    let mut got = c.read_ok(endpoint, id).await?;
    drop_derived(&ops_of(&body), &mut expected);
    drop_derived(&ops_of(&body), &mut got);
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
    needs_kept(&user_ops(case), &rich_body(case != "reactivate"), &before)?;
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

fn ops_of(body: &Value) -> Value {
    body["Operations"].clone()
}
