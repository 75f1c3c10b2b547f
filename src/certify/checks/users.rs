//! Users (RFC 7644 §3.3–§3.6, RFC 7643 §4.1): create, read, replace and
//! delete, judged by reading back: a write counts when the server holds
//! what it should, not when it echoes it.

use crate::certify::check::{Check, Group};
use crate::certify::compare::diff;
use crate::certify::ctx::{Ctx, USER_URN, brief, expect_error, id_of};
use crate::certify::discovery::Needs;
use crate::certify::probe::{eq_filter, put_user, replace_user, user_body_for};
use crate::certify::rfc;
use crate::certify::verdict::{Verdict, failed, skipped};
use crate::ensure;
use serde_json::json;

const G: Group = Group::new("users");

pub fn checks() -> Vec<Check> {
    vec![
        G.must("USER-001", create_201)
            .cites(rfc::CREATE_201)
            .title("POST /Users answers 201 with the resource and a server-assigned id"),
        G.must("USER-002", create_location)
            .cites(rfc::CREATE_LOCATION)
            .title("POST /Users answers a Location header"),
        G.must("USER-003", create_location_meta)
            .cites(rfc::CREATE_LOCATION)
            .title("the create answer carries meta.location, equal to the Location header"),
        G.must("USER-004", create_meta)
            .cites(rfc::META_ASSIGNED)
            .title("a created user has meta.resourceType User, created and lastModified"),
        G.should("USER-005", read_back)
            .cites(rfc::CREATE_BODY)
            .title("GET /Users/{id} returns the whole resource as created"),
        G.must("USER-006", client_id_ignored)
            .cites(rfc::ID_ASSIGNED)
            .title("an id sent by the client is not used: the server assigns ids"),
        G.must("USER-007", missing_username)
            .cites(rfc::USERNAME_REQUIRED)
            .title("POST without userName (required) answers 400"),
        G.must("USER-008", duplicate_409)
            .cites(rfc::CREATE_409)
            .title("a duplicate userName answers 409 with scimType uniqueness"),
        G.must("USER-009", duplicate_case_409)
            .cites(rfc::USERNAME_REQUIRED)
            .title("userName uniqueness is case-insensitive (409 for the same name in other case)"),
        G.must("USER-010", password_not_in_create)
            .cites(rfc::PASSWORD_NEVER)
            .title("password is not returned in the POST answer"),
        G.must("USER-011", password_not_in_get)
            .cites(rfc::PASSWORD_NEVER)
            .title("password is not returned by GET"),
        G.must("USER-012", password_not_in_list)
            .cites(rfc::PASSWORD_NEVER)
            .needs(Needs::Filter)
            .title("password is not returned in query results"),
        G.must("USER-013", put_replaces)
            .cites(rfc::PUT_REPLACES)
            .title("PUT replaces: the read-back holds every attribute sent"),
        G.may("USER-014", put_200_body)
            .cites(rfc::PUT_ANSWER)
            .title("PUT answers 200 with the resource as stored"),
        G.must("USER-015", put_unknown_404)
            .cites(rfc::PUT_NO_CREATE)
            .title("PUT to an unknown id answers 404 and creates nothing"),
        G.must("USER-016", put_clears).cites(rfc::PUT_CLEARS).title(
            "PUT without an attribute the resource had clears it or keeps a default, never errors",
        ),
    ]
}

async fn create_201(c: &Ctx, _: &'static str) -> Verdict {
    let body = c.user_body(json!({}));
    let r = c.post("Users", &body).await?;
    ensure!(r.status == 201, "answered {}: {}", r.status, brief(&r.body));
    let id = id_of(&r.body);
    ensure!(!id.is_empty(), "no id in the answer");
    ensure!(id != "bulkId", "the id is the reserved word bulkId");
    ensure!(
        r.body["userName"]
            .as_str()
            .is_some_and(|u| u.eq_ignore_ascii_case(body["userName"].as_str().unwrap_or(""))),
        "userName not echoed: {}",
        brief(&r.body)
    );
    Ok(format!("created {id}"))
}

async fn create_location(c: &Ctx, _: &'static str) -> Verdict {
    let r = c.post("Users", &c.user_body(json!({}))).await?;
    ensure!(r.status == 201, "create answered {}", r.status);
    let loc = r
        .header("location")
        .ok_or_else(|| failed("no Location header"))?;
    ensure!(
        loc.contains(id_of(&r.body)),
        "Location {loc} does not name the id"
    );
    Ok(loc.to_owned())
}

/// The body's half of the sentence USER-002 judges the header of: the
/// create answer carries meta.location, and it names the same URI. A
/// missing header is USER-002's finding alone, not repeated here.
async fn create_location_meta(c: &Ctx, _: &'static str) -> Verdict {
    let r = c.post("Users", &c.user_body(json!({}))).await?;
    ensure!(r.status == 201, "create answered {}", r.status);
    let Some(loc) = r.header("location").filter(|l| !l.is_empty()) else {
        return Err(skipped(
            "no Location header to compare (USER-002 judges the header)",
        ));
    };
    let meta = r.body["meta"]["location"].as_str().unwrap_or("");
    ensure!(!meta.is_empty(), "the create answer has no meta.location");
    ensure!(loc == meta, "Location {loc:?} but meta.location {meta:?}");
    Ok("equal".into())
}

async fn create_meta(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({})).await?;
    let m = &u["meta"];
    ensure!(
        m["resourceType"].as_str() == Some("User"),
        "meta.resourceType is {}",
        brief(&m["resourceType"])
    );
    for k in ["created", "lastModified"] {
        let v = m[k].as_str().unwrap_or("");
        ensure!(
            chrono::DateTime::parse_from_rfc3339(v).is_ok(),
            "meta.{k} is not an xsd:dateTime: {v:?}"
        );
    }
    Ok("meta complete".into())
}

async fn read_back(c: &Ctx, _: &'static str) -> Verdict {
    let u = c
        .create_user(json!({"displayName": "Read Back", "title": "Tester"}))
        .await?;
    let got = c.read_ok("Users", id_of(&u)).await?;
    if let Some(d) = diff(&u, &got) {
        return Err(failed(format!("GET differs from the create answer: {d}")));
    }
    Ok("same resource".into())
}

async fn client_id_ignored(c: &Ctx, _: &'static str) -> Verdict {
    let mine = format!("{}chosen-id", c.prefix);
    let r = c.post("Users", &c.user_body(json!({"id": mine}))).await?;
    if r.status == 400 {
        return Ok("refused with 400".into());
    }
    ensure!(r.status == 201, "answered {}", r.status);
    ensure!(id_of(&r.body) != mine, "the server used the client's id");
    Ok("server-assigned id".into())
}

async fn missing_username(c: &Ctx, _: &'static str) -> Verdict {
    let r = c
        .post(
            "Users",
            &json!({"schemas": [USER_URN], "displayName": c.name("no-username")}),
        )
        .await?;
    ensure!(r.status == 400, "answered {}: {}", r.status, brief(&r.body));
    Ok("400".into())
}

async fn duplicate_409(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({})).await?;
    let r = c.post("Users", &user_body_for(&u, json!({}))).await?;
    expect_error(&r, 409, Some("uniqueness"))?;
    Ok("409 uniqueness".into())
}

async fn duplicate_case_409(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({})).await?;
    let upper = u["userName"].as_str().unwrap_or("").to_uppercase();
    let r = c
        .post("Users", &json!({"schemas": [USER_URN], "userName": upper}))
        .await?;
    ensure!(
        r.status == 409,
        "{upper} was accepted ({}) although {} exists",
        r.status,
        brief(&u["userName"])
    );
    Ok("409".into())
}

fn pw() -> &'static str {
    "Sc1m-certify-Pa55word!"
}

async fn password_not_in_create(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({"password": pw()})).await?;
    ensure!(
        u.get("password").is_none() && !u.to_string().contains(pw()),
        "the answer carries the password"
    );
    Ok("not returned".into())
}

async fn password_not_in_get(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({"password": pw()})).await?;
    let r = c.read("Users", id_of(&u)).await?;
    ensure!(
        !r.text.contains(pw()) && r.body.get("password").is_none(),
        "GET returns the password"
    );
    Ok("not returned".into())
}

async fn password_not_in_list(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({"password": pw()})).await?;
    let r = c.query("Users", &eq_filter("userName", &u), "").await?;
    ensure!(r.status == 200, "query answered {}", r.status);
    ensure!(
        !r.text.contains(pw()) && !r.text.contains("\"password\""),
        "the query answer carries the password"
    );
    Ok("not returned".into())
}

async fn put_replaces(c: &Ctx, _: &'static str) -> Verdict {
    let u = c
        .new_user(json!({"displayName": "Before", "title": "Old"}))
        .await?;
    let body = user_body_for(
        &u,
        json!({"displayName": "After", "title": "New", "nickName": "nick"}),
    );
    let r = c.put("Users", id_of(&u), &body).await?;
    ensure!(
        r.status == 200,
        "PUT answered {}: {}",
        r.status,
        brief(&r.body)
    );
    let got = c.read_ok("Users", id_of(&u)).await?;
    for k in ["displayName", "title", "nickName"] {
        ensure!(
            got[k] == body[k],
            "{k} is {} after PUT, expected {}",
            brief(&got[k]),
            brief(&body[k])
        );
    }
    Ok("replaced".into())
}

async fn put_200_body(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({})).await?;
    let r = put_user(c, &u, json!({"displayName": "Put Body"})).await?;
    let got = c.read_ok("Users", id_of(&u)).await?;
    if let Some(d) = diff(&r.body, &got) {
        return Err(failed(format!("the PUT answer is not what is stored: {d}")));
    }
    Ok("200 with the stored resource".into())
}

async fn put_unknown_404(c: &Ctx, _: &'static str) -> Verdict {
    let id = format!("{}missing", c.prefix);
    let r = c.put("Users", &id, &c.user_body(json!({}))).await?;
    ensure!(
        r.status == 404,
        "PUT to an unknown id answered {}",
        r.status
    );
    let g = c.read("Users", &id).await?;
    ensure!(g.status == 404, "the PUT created {id}");
    Ok("404".into())
}

async fn put_clears(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({"title": "To Clear"})).await?;
    replace_user(c, &u, json!({})).await?;
    Ok("accepted".into())
}
