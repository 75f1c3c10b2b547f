//! attributes / excludedAttributes (RFC 7644 §3.4.2.5, §3.9; RFC 7643 §7
//! `returned`): what is asked for comes back, `always` cannot be left out,
//! `never` never appears.

use crate::certify::check::{Check, Group};
use crate::certify::ctx::{Ctx, brief, id_of, resource_path};
use crate::certify::discovery::Needs;
use crate::certify::probe::{eq_filter, expect_attr};
use crate::certify::rfc;
use crate::certify::verdict::{Fail, Verdict};
use crate::ensure;
use serde_json::{Value, json};

const G: Group = Group::new("projection");

pub fn checks() -> Vec<Check> {
    vec![
        G.must("PROJ-001", attributes_only)
            .cites(rfc::PROJ_ATTRIBUTES)
            .title("attributes=userName returns userName and id, not displayName or title"),
        G.must("PROJ-002", id_always)
            .cites(rfc::PROJ_ALWAYS)
            .title("attributes=title still returns id (returned always)"),
        G.must("PROJ-003", excluded)
            .cites(rfc::PROJ_SUPPORTED)
            .title("excludedAttributes=title leaves title out and keeps the rest"),
        G.must("PROJ-004", exclude_id)
            .cites(rfc::PROJ_ALWAYS)
            .title("excludedAttributes=id cannot remove id"),
        G.must("PROJ-005", password_never)
            .cites(rfc::PASSWORD_NEVER)
            .title("attributes=password does not return the password"),
        G.must("PROJ-006", list_attributes)
            .cites(rfc::PROJ_SUPPORTED)
            .needs(Needs::Filter)
            .title("attributes applies to query results"),
        G.must("PROJ-007", sub_attribute)
            .cites(rfc::PROJ_ATTRIBUTES)
            .title("attributes=name.givenName returns only that sub-attribute of name"),
        G.must("PROJ-008", case_blind)
            .cites(rfc::PROJ_NAMES_CASE)
            .title("attribute names in attributes= are case-insensitive"),
        G.must("PROJ-009", list_excluded)
            .cites(rfc::PROJ_SUPPORTED)
            .needs(Needs::Filter)
            .title("excludedAttributes applies to query results"),
        // "on any operation that returns a resource" ... "the default
        // list of attributes SHALL be overridden": a create answer too.
        G.must("PROJ-010", on_create)
            .cites(rfc::PROJ_ATTRIBUTES)
            .title("attributes= on POST shapes the create answer"),
        G.must("PROJ-011", group_no_members)
            .cites(rfc::PROJ_SUPPORTED)
            .needs(Needs::Groups)
            .title("GET /Groups/{id}?excludedAttributes=members leaves members out"),
        G.must("PROJ-012", urn_qualified)
            .cites(rfc::PROJ_ATTRIBUTES)
            .title("a fully qualified name in attributes= works"),
        G.must("PROJ-013", several)
            .cites(rfc::PROJ_ATTRIBUTES)
            .title("attributes=userName,title returns both"),
        G.must("PROJ-014", keeps_schemas)
            .cites(rfc::PROJ_SCHEMAS)
            .title("GET with attributes=userName keeps schemas and id"),
        G.must("PROJ-015", list_keeps_schemas)
            .cites(rfc::PROJ_SCHEMAS)
            .needs(Needs::Filter)
            .title("a query with attributes=userName keeps schemas and id on each resource"),
    ]
}

async fn subject(c: &Ctx) -> Result<Value, Fail> {
    // What the server kept is judged where a check needs it (`kept`).
    c.new_user_keeping(json!({"displayName": "Projected", "title": "Proj Title", "name": {"givenName": "Pro", "familyName": "Jected"}, "password": "Sc1m-certify-Pa55word!"}), &[]).await
}

async fn get_with(c: &Ctx, u: &Value, q: &str) -> Result<Value, Fail> {
    let r = c
        .get(&format!("{}?{q}", resource_path("Users", id_of(u))))
        .await?;
    ensure!(
        r.status == 200,
        "GET ?{q} answered {}: {}",
        r.status,
        brief(&r.body)
    );
    Ok(r.body)
}

async fn attributes_only(c: &Ctx, _: &'static str) -> Verdict {
    let u = subject(c).await?;
    let b = get_with(c, &u, "attributes=userName").await?;
    ensure!(
        b["userName"] == u["userName"] && b["id"] == u["id"],
        "userName or id missing: {}",
        brief(&b)
    );
    for k in ["displayName", "title", "name"] {
        ensure!(b.get(k).is_none(), "{k} returned although not requested");
    }
    Ok("projected".into())
}

async fn id_always(c: &Ctx, _: &'static str) -> Verdict {
    let u = subject(c).await?;
    let b = get_with(c, &u, "attributes=title").await?;
    ensure!(b["id"] == u["id"], "id missing");
    kept(&u, "title")?;
    expect_attr(&b, "title", json!("Proj Title"))?;
    Ok("id kept".into())
}

async fn excluded(c: &Ctx, _: &'static str) -> Verdict {
    let u = subject(c).await?;
    let b = get_with(c, &u, "excludedAttributes=title").await?;
    ensure!(b.get("title").is_none(), "title returned although excluded");
    ensure!(
        b["displayName"] == u["displayName"] && b["userName"] == u["userName"],
        "other attributes missing: {}",
        brief(&b)
    );
    Ok("excluded".into())
}

async fn exclude_id(c: &Ctx, _: &'static str) -> Verdict {
    let u = subject(c).await?;
    let b = get_with(c, &u, "excludedAttributes=id").await?;
    ensure!(b["id"] == u["id"], "id left out");
    Ok("kept".into())
}

async fn password_never(c: &Ctx, _: &'static str) -> Verdict {
    let u = subject(c).await?;
    let r = c
        .get(&format!(
            "{}?attributes=password",
            resource_path("Users", id_of(&u))
        ))
        .await?;
    ensure!(
        !r.text.contains("Sc1m-certify-Pa55word!") && r.body.get("password").is_none(),
        "password returned"
    );
    Ok("never".into())
}

/// The first resource a query for `u` by userName lists, with `more`.
async fn listed(c: &Ctx, u: &Value, more: &str) -> Result<Value, Fail> {
    let l = c.query("Users", &eq_filter("userName", u), more).await?;
    ensure!(l.status == 200, "answered {}", l.status);
    Ok(l.body["Resources"].get(0).cloned().unwrap_or(Value::Null))
}

async fn list_attributes(c: &Ctx, _: &'static str) -> Verdict {
    let u = subject(c).await?;
    let r = listed(c, &u, "&attributes=userName").await?;
    ensure!(
        r["userName"] == u["userName"],
        "userName missing: {}",
        brief(&r)
    );
    ensure!(
        r.get("title").is_none(),
        "title returned in the list although not requested"
    );
    Ok("projected".into())
}

async fn sub_attribute(c: &Ctx, _: &'static str) -> Verdict {
    let u = subject(c).await?;
    let b = get_with(c, &u, "attributes=name.givenName").await?;
    ensure!(
        b["name"]["givenName"] == json!("Pro"),
        "name.givenName is {}",
        brief(&b["name"])
    );
    ensure!(
        b["name"].get("familyName").is_none(),
        "name.familyName returned too"
    );
    Ok("sub-attribute only".into())
}

async fn case_blind(c: &Ctx, _: &'static str) -> Verdict {
    let u = subject(c).await?;
    let b = get_with(c, &u, "attributes=TITLE").await?;
    kept(&u, "title")?;
    expect_attr(&b, "title", json!("Proj Title"))?;
    ensure!(b.get("displayName").is_none(), "displayName returned");
    Ok("case-insensitive".into())
}

async fn list_excluded(c: &Ctx, _: &'static str) -> Verdict {
    let u = subject(c).await?;
    let r = listed(c, &u, "&excludedAttributes=title").await?;
    ensure!(r["userName"] == u["userName"], "userName missing");
    ensure!(r.get("title").is_none(), "title returned although excluded");
    Ok("excluded".into())
}

async fn on_create(c: &Ctx, _: &'static str) -> Verdict {
    let body = c.user_body(json!({"title": "Created"}));
    let r = c
        .post_with("Users", "?attributes=userName", &body, &[])
        .await?;
    ensure!(r.status == 201, "answered {}", r.status);
    ensure!(
        r.body.get("title").is_none(),
        "title returned although only userName was asked for (the default set SHALL be overridden)"
    );
    ensure!(
        r.body.get("id").is_some() && r.body.get("userName").is_some(),
        "the answer lacks id or the requested userName: {}",
        r.body
    );
    Ok("projected".into())
}

async fn group_no_members(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({})).await?;
    let g = c.new_group(&[id_of(&u)]).await?;
    let r = c
        .get(&format!(
            "{}?excludedAttributes=members",
            resource_path("Groups", id_of(&g))
        ))
        .await?;
    ensure!(r.status == 200, "answered {}", r.status);
    ensure!(
        r.body.get("members").is_none(),
        "members returned although excluded"
    );
    Ok("no members".into())
}

async fn urn_qualified(c: &Ctx, _: &'static str) -> Verdict {
    let u = subject(c).await?;
    let b = get_with(
        c,
        &u,
        "attributes=urn:ietf:params:scim:schemas:core:2.0:User:title",
    )
    .await?;
    kept(&u, "title")?;
    expect_attr(&b, "title", json!("Proj Title"))?;
    Ok("works".into())
}

async fn several(c: &Ctx, _: &'static str) -> Verdict {
    let u = subject(c).await?;
    let b = get_with(c, &u, "attributes=userName,title").await?;
    ensure!(
        kept(&u, "title").is_err()
            || b["title"] == json!("Proj Title") && b["userName"] == u["userName"],
        "got {}",
        brief(&b)
    );
    ensure!(b.get("displayName").is_none(), "displayName returned");
    Ok("both".into())
}

/// A projected resource is still a SCIM resource: it names its schemas
/// (RFC 7643 §2.1) and its id (returned "always").
fn schemas_and_id(b: &Value, u: &Value, what: &str) -> Result<(), Fail> {
    let urn = crate::certify::ctx::USER_URN;
    let has_urn = b["schemas"]
        .as_array()
        .is_some_and(|a| a.iter().any(|s| s.as_str() == Some(urn)));
    ensure!(
        has_urn,
        "{what} dropped schemas (it must name {urn}): schemas is {}",
        brief(&b["schemas"])
    );
    ensure!(b["id"] == u["id"], "{what} dropped id: {}", brief(b));
    Ok(())
}

async fn keeps_schemas(c: &Ctx, _: &'static str) -> Verdict {
    let u = subject(c).await?;
    let b = get_with(c, &u, "attributes=userName").await?;
    schemas_and_id(&b, &u, "GET ?attributes=userName")?;
    Ok("schemas and id kept".into())
}

async fn list_keeps_schemas(c: &Ctx, _: &'static str) -> Verdict {
    let u = subject(c).await?;
    let r = listed(c, &u, "&attributes=userName").await?;
    ensure!(!r.is_null(), "the query did not return the user");
    schemas_and_id(&r, &u, "a query with attributes=userName")?;
    Ok("schemas and id kept".into())
}

/// Skips a check that asks for `attr` when the server did not keep it as
/// the subject sent it (RFC 7644 §3.3 lets it ignore POSTed content).
fn kept(u: &Value, attr: &str) -> Result<(), Fail> {
    let sent = json!({"title": "Proj Title", "displayName": "Projected"});
    match crate::certify::ctx::not_kept(&sent[attr], crate::certify::ctx::lookup(u, attr)) {
        None => Ok(()),
        Some(why) => Err(crate::certify::verdict::skipped(format!(
            "the server did not keep {attr} as sent when the user was created ({why}); RFC 7644 \
             §3.3 lets it ignore or alter what is POSTed, and this check asks for it"
        ))),
    }
}
