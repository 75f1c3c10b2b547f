//! Microsoft Entra ID's request shapes (reference/vendor-behaviour.md
//! §1.5, §5.2), sent verbatim: capitalised ops, string booleans, legacy
//! member removal, the cycle probe. Shapes the RFC does not define are
//! INTEROP: they fail only under `--profile entra`.

use super::discovery::schema;
use crate::certify::check::{Check, Group};
use crate::certify::client::Resp;
use crate::certify::ctx::{Ctx, ENTERPRISE_URN, USER_URN, brief, id_of};
use crate::certify::discovery::Needs;
use crate::certify::persona::Persona;
use crate::certify::probe::{eq_filter, expect_attr, member_ids, new_users};
use crate::certify::rfc;
use crate::certify::verdict::{Fail, Verdict, skipped};
use crate::ensure;
use serde_json::{Value, json};

const G: Group = Group::new("entra")
    .persona(Persona::Entra)
    .needs(Needs::Patch);

pub fn checks() -> Vec<Check> {
    vec![
        G.must("ENTRA-PROBE-1", probe)
            .cites(rfc::ZERO_MATCHES)
            .needs(Needs::Nothing)
            .title("Entra cycle probe: userName eq \"<guid>\" answers 200 with totalResults 0"),
        G.interop("ENTRA-PROBE-2", probe_resources)
            .cites(rfc::LIST_RESOURCES)
            .needs(Needs::Nothing)
            .title("Entra cycle probe: the empty answer carries Resources [] (Microsoft's tests require it)"),
        G.interop("ENTRA-PATCH-CASE", capital_ops)
            .cites(rfc::PATCH_OP)
            .title("Entra sends Add/Replace/Remove capitalised: they are applied"),
        G.interop("ENTRA-BOOL-STR", bool_string)
            .cites(rfc::BOOLEAN_TYPE)
            .title("Entra legacy disable: Replace active \"False\" leaves the user inactive"),
        G.interop("ENTRA-MEMBER-REMOVE-LEGACY", legacy_member_remove)
            .cites(rfc::PATCH_REMOVE_FILTER)
            .title("Entra legacy member removal (Remove members with a value) removes only that member"),
        G.must("ENTRA-MEMBER-REMOVE-FLAG", flag_member_remove)
            .cites(rfc::PATCH_REMOVE_FILTER)
            .title("Entra (aadOptscim062020) remove members[value eq \"id\"] removes that member only"),
        G.interop("ENTRA-MEMBER-REMOVE-AGAIN", remove_again)
            .cites(rfc::PATCH_REMOVE_FILTER)
            .title("Entra resends a removal: remove members[value eq \"id\"] of a non-member succeeds, no change"),
        G.interop("ENTRA-UPSERT-FILTER", upsert_filter)
            .cites(rfc::PATCH_NO_TARGET)
            .title("Entra replace emails[type eq \"work\"].value on a user without one creates it"),
        G.interop("ENTRA-NOPATH-DOTTED", nopath_dotted)
            .cites(rfc::PATCH_REPLACE_NO_PATH)
            .title("Entra no-path replace with \"name.givenName\" and URN-qualified keys is applied"),
        G.must("ENTRA-GROUP-204", group_patch)
            .cites(rfc::PATCH_200)
            .title("Entra group PATCH answers 204 or 200 and is applied"),
        G.must("ENTRA-EXCLUDE-MEMBERS", exclude_members)
            .cites(rfc::PROJ_SUPPORTED)
            // The lookup is a filter: a server that advertises none is not judged on it.
            .needs(Needs::Filter)
            .title("Entra group lookup: displayName eq with excludedAttributes=members omits members"),
        G.interop("ENTRA-ADD-MEMBER", add_member)
            .cites(rfc::PATCH_ADD)
            .title("Entra member add ({\"op\":\"Add\", \"$ref\":null}) adds the member"),
        G.must("ENTRA-CREATE", create_shape)
            .cites(rfc::CREATE_201)
            .needs(Needs::Nothing)
            .title("Entra's create body (enterprise extension, work email, roles []) answers 201"),
    ]
}

async fn probe(c: &Ctx, _: &'static str) -> Verdict {
    let guid = uuid::Uuid::new_v4();
    let r = c
        .get(&format!("/Users?filter=userName+eq+%22{guid}%22"))
        .await?;
    ensure!(
        r.status == 200,
        "answered {} (Entra quarantines on a non-200 probe)",
        r.status
    );
    expect_attr(&r.body, "totalResults", json!(0))?;
    Ok("200, 0 results".into())
}

async fn probe_resources(c: &Ctx, _: &'static str) -> Verdict {
    let guid = uuid::Uuid::new_v4();
    let r = c
        .get(&format!("/Users?filter=userName+eq+%22{guid}%22"))
        .await?;
    ensure!(r.status == 200, "answered {}", r.status);
    ensure!(
        r.body["Resources"] == json!([]),
        "Resources is {} (RFC-valid when absent, but Entra's tests want [])",
        brief(&r.body["Resources"])
    );
    Ok("Resources []".into())
}

/// A PATCH answered 200 or 204 ("answered {status}: {body}" otherwise).
fn applied(r: &Resp) -> Result<(), Fail> {
    ensure!(
        r.status == 200 || r.status == 204,
        "answered {}: {}",
        r.status,
        brief(&r.body)
    );
    Ok(())
}

async fn capital_ops(c: &Ctx, _: &'static str) -> Verdict {
    let u = c
        .new_user(json!({"title": "Old", "nickName": "gone"}))
        .await?;
    let r = c
        .patch(
            "Users",
            id_of(&u),
            json!([
        {"op": "Replace", "path": "title", "value": "New"},
        {"op": "Add", "path": "displayName", "value": "Added"},
        {"op": "Remove", "path": "nickName"}]),
        )
        .await?;
    applied(&r)?;
    let got = c.read_ok("Users", id_of(&u)).await?;
    ensure!(
        got["title"] == json!("New")
            && got["displayName"] == json!("Added")
            && got.get("nickName").is_none(),
        "not applied: {}",
        brief(&got)
    );
    Ok("applied".into())
}

async fn bool_string(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({"active": true})).await?;
    let r = c
        .patch(
            "Users",
            id_of(&u),
            json!([{"op": "Replace", "path": "active", "value": "False"}]),
        )
        .await?;
    let got = c.read_ok("Users", id_of(&u)).await?;
    ensure!(
        r.is_success(),
        "answered {} (RFC-correct, but Entra's disable never lands)",
        r.status
    );
    ensure!(
        got["active"] == json!(false),
        "answered {} but GET shows active {}: the user is still enabled",
        r.status,
        brief(&got["active"])
    );
    Ok("deactivated".into())
}

async fn group_with(c: &Ctx, n: usize) -> Result<(Value, Vec<String>), Fail> {
    if !c.found.groups {
        return Err(skipped("the server serves no Groups"));
    }
    let ids = new_users(c, n).await?;
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let g = c.new_group(&refs).await?;
    Ok((g, ids))
}

async fn legacy_member_remove(c: &Ctx, _: &'static str) -> Verdict {
    let (g, ids) = group_with(c, 2).await?;
    let r = c
        .patch(
            "Groups",
            id_of(&g),
            json!([{"op": "Remove", "path": "members", "value": [{"value": ids[0]}]}]),
        )
        .await?;
    let got = c.read_ok("Groups", id_of(&g)).await?;
    let left = member_ids(&got);
    ensure!(
        !left.is_empty() || !r.is_success(),
        "CRITICAL: every member was removed (the RFC-literal reading wipes the group Entra meant to trim)"
    );
    ensure!(r.is_success(), "answered {}", r.status);
    ensure!(
        left == vec![ids[1].clone()],
        "members after removal: {left:?}"
    );
    Ok("only that member removed".into())
}

async fn flag_member_remove(c: &Ctx, _: &'static str) -> Verdict {
    let (g, ids) = group_with(c, 2).await?;
    let r = c
        .patch(
            "Groups",
            id_of(&g),
            json!([{"op": "remove", "path": format!("members[value eq \"{}\"]", ids[0])}]),
        )
        .await?;
    ensure!(r.status == 200 || r.status == 204, "answered {}", r.status);
    let got = c.read_ok("Groups", id_of(&g)).await?;
    ensure!(
        member_ids(&got) == vec![ids[1].clone()],
        "members: {:?}",
        member_ids(&got)
    );
    Ok("removed".into())
}

async fn remove_again(c: &Ctx, _: &'static str) -> Verdict {
    let (g, ids) = group_with(c, 1).await?;
    let stranger = c.new_user(json!({})).await?;
    let r = c
        .patch(
            "Groups",
            id_of(&g),
            json!([{"op": "remove", "path": format!("members[value eq \"{}\"]", id_of(&stranger))}]),
        )
        .await?;
    ensure!(
        r.status == 200 || r.status == 204,
        "removing a non-member answered {} (Entra retries removals)",
        r.status
    );
    let got = c.read_ok("Groups", id_of(&g)).await?;
    ensure!(
        member_ids(&got) == ids,
        "members after the no-op removal: {:?}",
        member_ids(&got)
    );
    Ok("success, no change".into())
}

async fn upsert_filter(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({})).await?;
    let ops = json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "upsert@example.com"}]);
    let r = c.patch("Users", id_of(&u), ops).await?;
    ensure!(
        r.status == 200 || r.status == 204,
        "answered {} (400 noTarget is RFC-strict, but Entra expects the value created)",
        r.status
    );
    let got = c.read_ok("Users", id_of(&u)).await?;
    let ok = got["emails"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|e| e["value"] == json!("upsert@example.com"));
    ensure!(ok, "emails are {}", brief(&got["emails"]));
    Ok("created".into())
}

async fn nopath_dotted(c: &Ctx, _: &'static str) -> Verdict {
    let u = c
        .new_user(json!({"name": {"givenName": "Old", "familyName": "Keep"}}))
        .await?;
    let key = format!("{ENTERPRISE_URN}:employeeNumber");
    let r = c
        .patch(
            "Users",
            id_of(&u),
            json!([{"op": "replace", "value": {"name.givenName": "Jo", key: "42"}}]),
        )
        .await?;
    applied(&r)?;
    let got = c.read_ok("Users", id_of(&u)).await?;
    ensure!(
        got["name"]["givenName"] == json!("Jo"),
        "name is {}",
        brief(&got["name"])
    );
    ensure!(
        got["name"]["familyName"] == json!("Keep"),
        "familyName lost: {}",
        brief(&got["name"])
    );
    ensure!(
        got[ENTERPRISE_URN]["employeeNumber"] == json!("42"),
        "employeeNumber is {}",
        brief(&got[ENTERPRISE_URN])
    );
    Ok("applied".into())
}

async fn group_patch(c: &Ctx, _: &'static str) -> Verdict {
    let (g, _) = group_with(c, 0).await?;
    let name = c.name("g-entra");
    let r = c
        .patch(
            "Groups",
            id_of(&g),
            json!([{"op": "replace", "path": "displayName", "value": name}]),
        )
        .await?;
    ensure!(r.status == 204 || r.status == 200, "answered {}", r.status);
    let got = c.read_ok("Groups", id_of(&g)).await?;
    expect_attr(&got, "displayName", json!(name))?;
    Ok(format!("{}", r.status))
}

async fn exclude_members(c: &Ctx, _: &'static str) -> Verdict {
    let (g, _) = group_with(c, 1).await?;
    let f = eq_filter("displayName", &g);
    let r = c.query("Groups", &f, "&excludedAttributes=members").await?;
    ensure!(r.status == 200, "answered {}", r.status);
    let found = r.body["Resources"].as_array().cloned().unwrap_or_default();
    ensure!(found.len() == 1, "found {} groups", found.len());
    ensure!(
        found[0].get("members").is_none(),
        "members returned although excluded"
    );
    Ok("no members".into())
}

async fn add_member(c: &Ctx, _: &'static str) -> Verdict {
    let (g, _) = group_with(c, 0).await?;
    let u = c.new_user(json!({})).await?;
    let r = c
        .patch(
            "Groups",
            id_of(&g),
            json!([{"op": "Add", "path": "members", "value": [{"$ref": null, "value": id_of(&u)}]}]),
        )
        .await?;
    ensure!(r.is_success(), "answered {}: {}", r.status, brief(&r.body));
    let got = c.read_ok("Groups", id_of(&g)).await?;
    ensure!(
        member_ids(&got) == vec![id_of(&u).to_owned()],
        "members: {:?}",
        member_ids(&got)
    );
    Ok("added".into())
}

async fn create_shape(c: &Ctx, _: &'static str) -> Verdict {
    let un = c.user_name();
    let mut body = json!({
        "schemas": [USER_URN, ENTERPRISE_URN],
        "externalId": c.name("entra-ext"),
        "userName": un, "active": true, "displayName": "Entra Shape",
        "emails": [{"primary": true, "type": "work", "value": un}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Entra Shape", "familyName": "Shape", "givenName": "Entra"},
        "roles": []
    });
    // Entra sends the extension when the app's mapping has it; certify
    // only when the server advertises it.
    let ext = schema(c, ENTERPRISE_URN).is_some();
    if ext {
        body[ENTERPRISE_URN] = json!({"department": "Provisioning"});
    } else {
        body["schemas"] = json!([USER_URN]);
    }
    let r = c.post("Users", &body).await?;
    ensure!(r.status == 201, "answered {}: {}", r.status, brief(&r.body));
    // What is kept of it is the server's choice (RFC 7644 §3.3: it may
    // ignore or alter POSTed content): said, not judged.
    let got = c.read_ok("Users", id_of(&r.body)).await?;
    let mut not_kept = Vec::new();
    if got["externalId"] != body["externalId"] {
        not_kept.push("externalId");
    }
    if ext && got[ENTERPRISE_URN]["department"] != json!("Provisioning") {
        not_kept.push("the enterprise department");
    }
    Ok(if not_kept.is_empty() {
        "201, all of it kept".into()
    } else {
        format!("201; not kept: {} (allowed)", not_kept.join(", "))
    })
}
