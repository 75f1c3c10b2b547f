//! Okta's request shapes (reference/vendor-behaviour.md §1.5, §5.2): the
//! lookup with startIndex/count, path-less deactivation, GET-then-PUT
//! updates, group rename carrying the id, uppercase userName lookups, and
//! Okta's User-Agent on every request.

use crate::certify::check::{Check, Group};
use crate::certify::client::{Cred, Resp};
use crate::certify::ctx::{Ctx, PATCH_URN, brief, enc, expect_error, id_of, resource_path};
use crate::certify::discovery::Needs;
use crate::certify::persona::Persona;
use crate::certify::probe::{expect_attr, expect_error_body, refused, user_body_for};
use crate::certify::rfc;
use crate::certify::verdict::{Fail, Verdict, skipped};
use crate::ensure;
use reqwest::Method;
use serde_json::{Value, json};

const G: Group = Group::new("okta").persona(Persona::Okta);
const UA: (&str, &str) = ("user-agent", "Okta SCIM Client 1.0.0");

pub fn checks() -> Vec<Check> {
    vec![
        G.must("OKTA-LOOKUP", lookup)
            .cites(rfc::FILTER_MATCH)
            .needs(Needs::Filter)
            .title("Okta lookup: userName eq with startIndex=1&count=100 finds the user, integer paging fields"),
        G.interop("OKTA-CASE", uppercase_lookup)
            .cites(rfc::FILTER_CASE)
            .needs(Needs::Filter)
            .title("Okta R9: userName eq \"<UPPERCASE>\" finds the user"),
        G.must("OKTA-DEACTIVATE", activate)
            .cites(rfc::PATCH_REPLACE_NO_PATH)
            .needs(Needs::Patch)
            .arg("false")
            .title("Okta deactivation: no-path replace {\"active\":false}; GET shows active false (not 404)"),
        G.must("OKTA-REACTIVATE", activate)
            .cites(rfc::PATCH_REPLACE_NO_PATH)
            .needs(Needs::Patch)
            .arg("true")
            .title("Okta reactivation: no-path replace {\"active\":true}; GET shows active true"),
        G.must("OKTA-PUT-FULL", put_full)
            .cites(rfc::PUT_REPLACES)
            .title("Okta AIW update: GET then PUT the whole object; fields replaced, active kept"),
        G.interop("OKTA-GROUP-RENAME-ID", rename_with_id)
            .cites(rfc::PATCH_REPLACE_NO_PATH)
            .needs(Needs::Patch)
            .title("Okta group push: no-path replace {id, displayName} renames (id ignored)"),
        G.must("OKTA-DUP", duplicate)
            .cites(rfc::CREATE_409)
            .title("Okta R8: a duplicate POST answers 409 uniqueness"),
        G.interop("OKTA-401", error_401)
            .cites(rfc::ERROR_BODY)
            .title("Okta R11: a bad token answers an Error body with status \"401\" and a detail"),
        G.interop("OKTA-404", error_404)
            .cites(rfc::ERROR_BODY)
            .title("Okta R12: an unknown id answers an Error body with status \"404\" and a detail"),
        G.must("OKTA-TESTCONN", test_connection)
            .cites(rfc::PAGE_COUNT)
            .title("Okta test connection: GET /Users?startIndex=1&count=2 answers at most 2"),
        G.must("OKTA-PASSWORD", password)
            .cites(rfc::PASSWORD_NEVER)
            .title("Okta sends password on create: it is never returned"),
        G.must("OKTA-GROUP-PUSH", group_push)
            .cites(rfc::PATCH_SEQUENCE)
            .needs(Needs::Patch)
            .title("Okta group push: add and remove members in one PATCH"),
    ]
}

async fn okta(c: &Ctx, m: Method, path: &str, body: Option<&Value>) -> Result<Resp, Fail> {
    c.raw(m, path, body, Cred::Normal, &[UA]).await
}

/// A PATCH of `ops` to a resource, as Okta sends it.
async fn okta_patch(c: &Ctx, endpoint: &str, id: &str, ops: Value) -> Result<Resp, Fail> {
    let body = json!({"schemas": [PATCH_URN], "Operations": ops});
    okta(c, Method::PATCH, &resource_path(endpoint, id), Some(&body)).await
}

async fn find(c: &Ctx, user_name: &str) -> Result<Resp, Fail> {
    let f = enc(&format!("userName eq {}", Ctx::quoted(user_name)));
    okta(
        c,
        Method::GET,
        &format!("/Users?filter={f}&startIndex=1&count=100"),
        None,
    )
    .await
}

async fn lookup(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({})).await?;
    let r = find(c, u["userName"].as_str().unwrap_or("")).await?;
    ensure!(r.status == 200, "answered {}", r.status);
    for k in ["totalResults", "startIndex", "itemsPerPage"] {
        ensure!(
            r.body[k].is_u64(),
            "{k} is {} (Okta requires integers)",
            brief(&r.body[k])
        );
    }
    ensure!(
        Ctx::ids(&r.body) == vec![id_of(&u).to_owned()],
        "found {:?}",
        Ctx::ids(&r.body)
    );
    Ok("found".into())
}

async fn uppercase_lookup(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({})).await?;
    let r = find(c, &u["userName"].as_str().unwrap_or("").to_uppercase()).await?;
    ensure!(r.status == 200, "answered {}", r.status);
    ensure!(
        Ctx::ids(&r.body) == vec![id_of(&u).to_owned()],
        "the uppercase lookup found {:?} (Okta would create a twin)",
        Ctx::ids(&r.body)
    );
    Ok("found".into())
}

async fn activate(c: &Ctx, to: &'static str) -> Verdict {
    let active = to == "true";
    let u = c.new_user(json!({"active": !active})).await?;
    let ops = json!([{"op": "replace", "value": {"active": active}}]);
    let r = okta_patch(c, "Users", id_of(&u), ops).await?;
    ensure!(r.status == 200 || r.status == 204, "answered {}", r.status);
    let g = c.read("Users", id_of(&u)).await?;
    ensure!(
        g.status == 200,
        "GET after the PATCH answered {} (deactivation is not deletion)",
        g.status
    );
    ensure!(
        g.body["active"] == json!(active),
        "GET shows active {}",
        brief(&g.body["active"])
    );
    Ok(format!("active {active}"))
}

async fn put_full(c: &Ctx, _: &'static str) -> Verdict {
    let u = c
        .new_user(json!({"active": true, "title": "Before", "displayName": "Okta Put"}))
        .await?;
    let mut full = c.read_ok("Users", id_of(&u)).await?;
    full["title"] = json!("After");
    let r = okta(
        c,
        Method::PUT,
        &resource_path("Users", id_of(&u)),
        Some(&full),
    )
    .await?;
    ensure!(
        r.status == 200,
        "PUT of the object as read answered {}: {}",
        r.status,
        brief(&r.body)
    );
    let got = c.read_ok("Users", id_of(&u)).await?;
    expect_attr(&got, "title", json!("After"))?;
    ensure!(
        got["active"] == json!(true),
        "active is {} after a PUT that kept it",
        brief(&got["active"])
    );
    expect_attr(&got, "displayName", json!("Okta Put"))?;
    Ok("replaced".into())
}

async fn rename_with_id(c: &Ctx, _: &'static str) -> Verdict {
    let g = c.new_group(&[]).await?;
    let name = c.name("g-okta");
    let ops = json!([{"op": "replace", "value": {"id": id_of(&g), "displayName": name}}]);
    let r = okta_patch(c, "Groups", id_of(&g), ops).await?;
    ensure!(
        r.status == 200 || r.status == 204,
        "answered {} (a 400 mutability here breaks every Okta group push)",
        r.status
    );
    let got = c.read_ok("Groups", id_of(&g)).await?;
    ensure!(
        got["displayName"] == json!(name) && got["id"] == g["id"],
        "after rename: {}",
        brief(&got)
    );
    Ok("renamed".into())
}

async fn duplicate(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({})).await?;
    let body = user_body_for(&u, json!({"active": true}));
    let r = c.post_with("Users", "", &body, &[UA]).await?;
    expect_error(&r, 409, Some("uniqueness"))?;
    Ok("409 uniqueness".into())
}

fn okta_error(r: &Resp, status: &str) -> Result<(), Fail> {
    ensure!(r.status.to_string() == status, "answered {}", r.status);
    expect_error_body(r)?;
    ensure!(
        r.body["status"] == json!(status),
        "status is {} (Okta's test wants the string \"{status}\")",
        brief(&r.body["status"])
    );
    ensure!(r.body["detail"].is_string(), "no detail");
    Ok(())
}

async fn error_401(c: &Ctx, _: &'static str) -> Verdict {
    let path = "/Users?startIndex=1&count=2";
    let r = refused(c, Method::GET, path, None, Cred::Bad, &[UA]).await?;
    okta_error(&r, "401")?;
    Ok("Error 401".into())
}

async fn error_404(c: &Ctx, _: &'static str) -> Verdict {
    let r = okta(c, Method::GET, &format!("/Users/{}missing", c.prefix), None).await?;
    okta_error(&r, "404")?;
    Ok("Error 404".into())
}

async fn test_connection(c: &Ctx, _: &'static str) -> Verdict {
    let r = okta(c, Method::GET, "/Users?startIndex=1&count=2", None).await?;
    ensure!(r.status == 200, "answered {}", r.status);
    let n = r.body["Resources"].as_array().map(Vec::len).unwrap_or(0);
    ensure!(n <= 2, "returned {n} resources for count=2");
    Ok(format!("{n}"))
}

async fn password(c: &Ctx, _: &'static str) -> Verdict {
    let secret = "Okta-Sent-Pa55word!";
    let body = c.user_body(json!({"password": secret, "active": true}));
    let r = c.post_with("Users", "", &body, &[UA]).await?;
    ensure!(r.status == 201, "answered {}", r.status);
    ensure!(
        !r.text.contains(secret),
        "the create answer carries the password"
    );
    let g = c.read("Users", id_of(&r.body)).await?;
    ensure!(
        !g.text.contains(secret) && g.body.get("password").is_none(),
        "GET returns the password"
    );
    Ok("never returned".into())
}

async fn group_push(c: &Ctx, _: &'static str) -> Verdict {
    if !c.found.groups {
        return Err(skipped("the server serves no Groups"));
    }
    let a = c.new_user(json!({})).await?;
    let b = c.new_user(json!({})).await?;
    let g = c.new_group(&[id_of(&a)]).await?;
    let ops = json!([
        {"op": "add", "path": "members", "value": [{"value": id_of(&b), "display": b["userName"]}]},
        {"op": "remove", "path": format!("members[value eq \"{}\"]", id_of(&a))}]);
    let r = okta_patch(c, "Groups", id_of(&g), ops).await?;
    ensure!(r.status == 200 || r.status == 204, "answered {}", r.status);
    let got = c.read_ok("Groups", id_of(&g)).await?;
    let m: Vec<&str> = got["members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x["value"].as_str())
        .collect();
    ensure!(m == vec![id_of(&b)], "members are {m:?}");
    Ok("pushed".into())
}
