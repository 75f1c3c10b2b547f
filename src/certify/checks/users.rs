//! Users (RFC 7644 §3.3–§3.6, RFC 7643 §4.1): create, read, replace and
//! delete, judged by reading back: a write counts when the server holds
//! what it should, not when it echoes it.

use crate::certify::catalogue::{Check, Verdict};
use crate::certify::compare::diff;
use crate::certify::ctx::{Ctx, USER_URN, brief, expect_error, failed, id_of};
use crate::{certify_check as check, ensure};
use serde_json::json;

const G: &str = "users";

pub fn checks() -> Vec<Check> {
    vec![
        check!(
            "USER-001",
            G,
            "RFC 7644 §3.3",
            Must,
            Rfc,
            Nothing,
            "",
            create_201,
            "POST /Users answers 201 with the resource and a server-assigned id"
        ),
        check!(
            "USER-002",
            G,
            "RFC 7644 §3.3",
            Must,
            Rfc,
            Nothing,
            "",
            create_location,
            "POST /Users answers a Location header"
        ),
        check!(
            "USER-003",
            G,
            "RFC 7644 §3.3",
            Should,
            Rfc,
            Nothing,
            "",
            create_location_meta,
            "the Location header equals meta.location"
        ),
        check!(
            "USER-004",
            G,
            "RFC 7643 §3.1",
            Should,
            Rfc,
            Nothing,
            "",
            create_meta,
            "a created user has meta.resourceType User, created and lastModified"
        ),
        check!(
            "USER-005",
            G,
            "RFC 7644 §3.4.1",
            Must,
            Rfc,
            Nothing,
            "",
            read_back,
            "GET /Users/{id} returns the whole resource as created"
        ),
        check!(
            "USER-006",
            G,
            "RFC 7643 §3.1",
            Must,
            Rfc,
            Nothing,
            "",
            client_id_ignored,
            "an id sent by the client is not used: the server assigns ids"
        ),
        check!(
            "USER-007",
            G,
            "RFC 7643 §4.1.1",
            Must,
            Rfc,
            Nothing,
            "",
            missing_username,
            "POST without userName (required) answers 400"
        ),
        check!(
            "USER-008",
            G,
            "RFC 7644 §3.3",
            Must,
            Rfc,
            Nothing,
            "",
            duplicate_409,
            "a duplicate userName answers 409 with scimType uniqueness"
        ),
        check!(
            "USER-009",
            G,
            "RFC 7643 §4.1.1",
            Should,
            Rfc,
            Nothing,
            "",
            duplicate_case_409,
            "userName uniqueness is case-insensitive (409 for the same name in other case)"
        ),
        check!(
            "USER-010",
            G,
            "RFC 7643 §4.1.1",
            Must,
            Rfc,
            Nothing,
            "",
            password_not_in_create,
            "password is not returned in the POST answer"
        ),
        check!(
            "USER-011",
            G,
            "RFC 7643 §4.1.1",
            Must,
            Rfc,
            Nothing,
            "",
            password_not_in_get,
            "password is not returned by GET"
        ),
        check!(
            "USER-012",
            G,
            "RFC 7643 §4.1.1",
            Must,
            Rfc,
            Filter,
            "",
            password_not_in_list,
            "password is not returned in query results"
        ),
        check!(
            "USER-013",
            G,
            "RFC 7644 §3.5.1",
            Must,
            Rfc,
            Nothing,
            "",
            put_replaces,
            "PUT replaces: the read-back holds every attribute sent"
        ),
        check!(
            "USER-014",
            G,
            "RFC 7644 §3.5.1",
            Must,
            Rfc,
            Nothing,
            "",
            put_200_body,
            "PUT answers 200 with the resource as stored"
        ),
        check!(
            "USER-015",
            G,
            "RFC 7644 §3.5.1",
            Must,
            Rfc,
            Nothing,
            "",
            put_unknown_404,
            "PUT to an unknown id answers 404 and creates nothing"
        ),
        check!(
            "USER-016",
            G,
            "RFC 7644 §3.5.1",
            Must,
            Rfc,
            Nothing,
            "",
            put_clears,
            "PUT without an attribute the resource had clears it or keeps a default, never errors"
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

async fn create_location_meta(c: &Ctx, _: &'static str) -> Verdict {
    let r = c.post("Users", &c.user_body(json!({}))).await?;
    ensure!(r.status == 201, "create answered {}", r.status);
    let loc = r.header("location").unwrap_or("");
    let meta = r.body["meta"]["location"].as_str().unwrap_or("");
    ensure!(
        !loc.is_empty() && loc == meta,
        "Location {loc:?} vs meta.location {meta:?}"
    );
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
        .new_user(json!({"displayName": "Read Back", "title": "Tester"}))
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
    let r = c
        .post(
            "Users",
            &json!({"schemas": [USER_URN], "userName": u["userName"]}),
        )
        .await?;
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
    let r = c
        .query(
            "Users",
            &format!(
                "userName eq {}",
                Ctx::quoted(u["userName"].as_str().unwrap_or(""))
            ),
            "",
        )
        .await?;
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
    let body = json!({"schemas": [USER_URN], "userName": u["userName"], "displayName": "After", "title": "New", "nickName": "nick"});
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
    let body = json!({"schemas": [USER_URN], "userName": u["userName"], "displayName": "Put Body"});
    let r = c.put("Users", id_of(&u), &body).await?;
    ensure!(r.status == 200, "PUT answered {}", r.status);
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
    let r = c
        .put(
            "Users",
            id_of(&u),
            &json!({"schemas": [USER_URN], "userName": u["userName"]}),
        )
        .await?;
    ensure!(r.status == 200, "PUT answered {}", r.status);
    c.read_ok("Users", id_of(&u)).await?;
    Ok("accepted".into())
}
