//! Users (RFC 7644 §3.3–§3.6, RFC 7643 §4.1): create, read, replace and
//! delete, judged by reading back: a write counts when the server holds
//! what it should, not when it echoes it.

use crate::certify::catalogue::{Check, Verdict};
use crate::certify::client::Cred;
use crate::certify::compare::diff;
use crate::certify::ctx::{
    Ctx, ENTERPRISE_URN, USER_URN, brief, expect_error, failed, id_of, skipped,
};
use crate::{certify_check as check, ensure};
use reqwest::Method;
use serde_json::{Value, json};

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
        check!(
            "USER-017",
            G,
            "RFC 7644 §3.6",
            Must,
            Rfc,
            Nothing,
            "",
            delete_204,
            "DELETE answers 204"
        ),
        check!(
            "USER-018",
            G,
            "RFC 7644 §3.6",
            Must,
            Rfc,
            Nothing,
            "",
            delete_then_404,
            "after DELETE, GET answers 404"
        ),
        check!(
            "USER-019",
            G,
            "RFC 7644 §3.6",
            Must,
            Rfc,
            Filter,
            "",
            delete_absent_from_query,
            "after DELETE, the user is absent from query results"
        ),
        check!(
            "USER-020",
            G,
            "RFC 7644 §3.6",
            Must,
            Rfc,
            Nothing,
            "",
            delete_then_put_404,
            "after DELETE, PUT answers 404"
        ),
        check!(
            "USER-021",
            G,
            "RFC 7644 §3.6",
            Must,
            Rfc,
            Nothing,
            "",
            delete_twice_404,
            "a second DELETE answers 404"
        ),
        check!(
            "USER-022",
            G,
            "RFC 7644 §3.6",
            Should,
            Rfc,
            Nothing,
            "",
            recreate_after_delete,
            "the same userName can be created again after DELETE (no 409)"
        ),
        check!(
            "USER-023",
            G,
            "RFC 7644 §3.5.1",
            Must,
            Rfc,
            Nothing,
            "",
            put_deactivates,
            "PUT with active false deactivates: GET shows active false"
        ),
        check!(
            "USER-024",
            G,
            "RFC 7644 §3.5.1",
            Must,
            Rfc,
            Nothing,
            "",
            put_reactivates,
            "PUT with active true reactivates: GET shows active true"
        ),
        check!(
            "USER-025",
            G,
            "RFC 7644 §3.3",
            Must,
            Rfc,
            Nothing,
            "",
            create_inactive,
            "a user created with active false is stored inactive"
        ),
        check!(
            "USER-026",
            G,
            "RFC 7644 §3.3",
            Must,
            Rfc,
            Nothing,
            "",
            complex_round_trip,
            "name, emails and phoneNumbers are stored as sent"
        ),
        check!(
            "USER-027",
            G,
            "RFC 7643 §3.3",
            Must,
            Rfc,
            Nothing,
            "",
            enterprise_round_trip,
            "enterprise extension attributes are stored as sent"
        ),
        check!(
            "USER-028",
            G,
            "RFC 7644 §3.8",
            Should,
            Rfc,
            Nothing,
            "",
            response_content_type,
            "resource answers carry Content-Type application/scim+json"
        ),
        check!(
            "USER-029",
            G,
            "RFC 7644 §3.8",
            Should,
            Rfc,
            Nothing,
            "",
            accepts_application_json,
            "a body sent as application/json is accepted"
        ),
        check!(
            "USER-030",
            G,
            "RFC 7644 §3.4.1",
            Must,
            Rfc,
            Nothing,
            "",
            unknown_404,
            "GET /Users/{unknown id} answers 404"
        ),
        check!(
            "USER-031",
            G,
            "RFC 7643 §3.1",
            Must,
            Rfc,
            Nothing,
            "",
            id_stable,
            "id and meta.created do not change on update"
        ),
        check!(
            "USER-032",
            G,
            "RFC 7643 §3.1",
            Should,
            Rfc,
            Nothing,
            "",
            last_modified_moves,
            "meta.lastModified does not go back after an update"
        ),
        check!(
            "USER-033",
            G,
            "RFC 7644 §3.5.1",
            Should,
            Rfc,
            Nothing,
            "",
            put_readonly_ignored,
            "PUT ignores readOnly meta sent by the client"
        ),
        check!(
            "USER-034",
            G,
            "RFC 7643 §3.1",
            Must,
            Rfc,
            Nothing,
            "",
            external_id_round_trip,
            "externalId is stored exactly as sent (caseExact)"
        ),
        check!(
            "USER-035",
            G,
            "RFC 7644 §3.4.2",
            Interop,
            Idp,
            Filter,
            "",
            read_your_writes_create,
            "read-your-writes: a user is found by userName right after it is created"
        ),
        check!(
            "USER-036",
            G,
            "RFC 7644 §3.5.1",
            Interop,
            Idp,
            Nothing,
            "",
            read_your_writes_put,
            "read-your-writes: GET right after PUT shows the new values"
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

async fn delete_204(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({})).await?;
    let r = c.delete("Users", id_of(&u)).await?;
    ensure!(r.status == 204, "DELETE answered {}", r.status);
    Ok("204".into())
}

async fn deleted_user(c: &Ctx) -> Result<Value, crate::certify::catalogue::Fail> {
    let u = c.new_user(json!({})).await?;
    let r = c.delete("Users", id_of(&u)).await?;
    if !r.is_success() {
        return Err(skipped(format!("DELETE answered {}", r.status)));
    }
    Ok(u)
}

async fn delete_then_404(c: &Ctx, _: &'static str) -> Verdict {
    let u = deleted_user(c).await?;
    let r = c.read("Users", id_of(&u)).await?;
    ensure!(
        r.status == 404,
        "GET after DELETE answered {}: {}",
        r.status,
        brief(&r.body)
    );
    Ok("404".into())
}

async fn delete_absent_from_query(c: &Ctx, _: &'static str) -> Verdict {
    let u = deleted_user(c).await?;
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
        !Ctx::ids(&r.body).iter().any(|i| i == id_of(&u)),
        "the deleted user is still listed"
    );
    Ok("absent".into())
}

async fn delete_then_put_404(c: &Ctx, _: &'static str) -> Verdict {
    let u = deleted_user(c).await?;
    let r = c
        .put(
            "Users",
            id_of(&u),
            &json!({"schemas": [USER_URN], "userName": u["userName"]}),
        )
        .await?;
    ensure!(r.status == 404, "PUT after DELETE answered {}", r.status);
    Ok("404".into())
}

async fn delete_twice_404(c: &Ctx, _: &'static str) -> Verdict {
    let u = deleted_user(c).await?;
    // The ledger allows one DELETE per resource; the second goes around
    // it on purpose, to a resource this run created and already deleted.
    let r = c
        .client
        .call(
            Method::DELETE,
            &format!("/Users/{}", crate::certify::ctx::enc_path(id_of(&u))),
            None,
        )
        .await
        .map_err(failed)?;
    ensure!(r.status == 404, "the second DELETE answered {}", r.status);
    Ok("404".into())
}

async fn recreate_after_delete(c: &Ctx, _: &'static str) -> Verdict {
    let u = deleted_user(c).await?;
    let r = c
        .post(
            "Users",
            &json!({"schemas": [USER_URN], "userName": u["userName"]}),
        )
        .await?;
    ensure!(
        r.status == 201,
        "re-create answered {}: {}",
        r.status,
        brief(&r.body)
    );
    Ok("201".into())
}

async fn set_active_put(c: &Ctx, u: &Value, active: bool) -> Verdict {
    let r = c
        .put(
            "Users",
            id_of(u),
            &json!({"schemas": [USER_URN], "userName": u["userName"], "active": active}),
        )
        .await?;
    ensure!(r.status == 200, "PUT answered {}", r.status);
    let got = c.read_ok("Users", id_of(u)).await?;
    ensure!(
        got["active"] == json!(active),
        "GET shows active {} after PUT active {active}",
        brief(&got["active"])
    );
    Ok(format!("active {active}"))
}

async fn put_deactivates(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({"active": true})).await?;
    set_active_put(c, &u, false).await
}

async fn put_reactivates(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({"active": false})).await?;
    set_active_put(c, &u, true).await
}

async fn create_inactive(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({"active": false})).await?;
    let got = c.read_ok("Users", id_of(&u)).await?;
    ensure!(
        got["active"] == json!(false),
        "stored active is {}",
        brief(&got["active"])
    );
    Ok("inactive".into())
}

async fn complex_round_trip(c: &Ctx, _: &'static str) -> Verdict {
    let extra = json!({
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"value": "ada@example.com", "type": "work", "primary": true}, {"value": "ada@home.example.com", "type": "home"}],
        "phoneNumbers": [{"value": "+1-555-0100", "type": "work"}]
    });
    // A refusal fails here (not a skip): these are core User attributes.
    let r = c.post("Users", &c.user_body(extra.clone())).await?;
    ensure!(
        r.status == 201,
        "a create with name, emails and phoneNumbers answered {}: {}",
        r.status,
        brief(&r.body)
    );
    let got = c.read_ok("Users", id_of(&r.body)).await?;
    for k in ["name", "emails", "phoneNumbers"] {
        let want = json!({ k: extra[k].clone() });
        let mut have = json!({ k: got[k].clone() });
        if k == "name" {
            // formatted MAY be computed by the server.
            if let Some(m) = have["name"].as_object_mut() {
                m.remove("formatted");
            }
        }
        if let Some(d) = diff(&want, &have) {
            return Err(failed(format!("{k}: {d}")));
        }
    }
    Ok("stored as sent".into())
}

async fn enterprise_round_trip(c: &Ctx, _: &'static str) -> Verdict {
    if crate::certify::checks::discovery::schema(c, ENTERPRISE_URN).is_none() {
        return Err(skipped(
            "the enterprise extension is not served by /Schemas",
        ));
    }
    let ext = json!({"employeeNumber": "E-1001", "department": "Certification"});
    let u = c
        .new_user(json!({"schemas": [USER_URN, ENTERPRISE_URN], ENTERPRISE_URN: ext}))
        .await?;
    let got = c.read_ok("Users", id_of(&u)).await?;
    if let Some(d) = diff(&ext, &got[ENTERPRISE_URN]) {
        return Err(failed(format!("extension: {d}")));
    }
    Ok("stored".into())
}

async fn response_content_type(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({})).await?;
    let r = c.read("Users", id_of(&u)).await?;
    let ct = r.header("content-type").unwrap_or("");
    ensure!(
        ct.starts_with("application/scim+json"),
        "Content-Type is {ct:?}"
    );
    Ok(ct.to_owned())
}

async fn accepts_application_json(c: &Ctx, _: &'static str) -> Verdict {
    let body = c.user_body(json!({}));
    let r = c
        .post_raw("Users", "application/json", body.to_string(), Cred::Normal)
        .await?;
    ensure!(
        r.status == 201,
        "application/json body answered {}: {}",
        r.status,
        brief(&r.body)
    );
    Ok("accepted".into())
}

async fn unknown_404(c: &Ctx, _: &'static str) -> Verdict {
    let r = c
        .read("Users", &format!("{}does-not-exist", c.prefix))
        .await?;
    expect_error(&r, 404, None)?;
    Ok("404".into())
}

async fn id_stable(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({})).await?;
    let r = c
        .put(
            "Users",
            id_of(&u),
            &json!({"schemas": [USER_URN], "userName": u["userName"], "title": "Changed"}),
        )
        .await?;
    ensure!(r.status == 200, "PUT answered {}", r.status);
    let got = c.read_ok("Users", id_of(&u)).await?;
    ensure!(got["id"] == u["id"], "id changed");
    ensure!(
        got["meta"]["created"] == u["meta"]["created"],
        "meta.created changed: {} -> {}",
        brief(&u["meta"]["created"]),
        brief(&got["meta"]["created"])
    );
    Ok("stable".into())
}

async fn last_modified_moves(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({})).await?;
    let r = c
        .put(
            "Users",
            id_of(&u),
            &json!({"schemas": [USER_URN], "userName": u["userName"], "title": "Later"}),
        )
        .await?;
    ensure!(r.status == 200, "PUT answered {}", r.status);
    let got = c.read_ok("Users", id_of(&u)).await?;
    let t = |v: &Value| {
        v["meta"]["lastModified"]
            .as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
    };
    match (t(&u), t(&got)) {
        (Some(a), Some(b)) => ensure!(b >= a, "lastModified went back: {a} -> {b}"),
        _ => return Err(skipped("no parseable meta.lastModified")),
    }
    Ok("monotonic".into())
}

async fn put_readonly_ignored(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({})).await?;
    let body = json!({"schemas": [USER_URN], "userName": u["userName"], "meta": {"created": "2001-01-01T00:00:00Z", "resourceType": "User"}});
    let r = c.put("Users", id_of(&u), &body).await?;
    ensure!(r.status == 200, "PUT answered {}", r.status);
    let got = c.read_ok("Users", id_of(&u)).await?;
    ensure!(
        got["meta"]["created"] != json!("2001-01-01T00:00:00Z")
            || u["meta"]["created"] == json!("2001-01-01T00:00:00Z"),
        "meta.created was taken from the client"
    );
    Ok("ignored".into())
}

async fn external_id_round_trip(c: &Ctx, _: &'static str) -> Verdict {
    let x = format!("{}ExtID-MiXeD", c.prefix);
    let u = c.new_user(json!({"externalId": x})).await?;
    let got = c.read_ok("Users", id_of(&u)).await?;
    ensure!(
        got["externalId"] == json!(x),
        "externalId is {}",
        brief(&got["externalId"])
    );
    Ok("exact".into())
}

async fn read_your_writes_create(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({})).await?;
    let l = c
        .list(
            "Users",
            &format!(
                "userName eq {}",
                Ctx::quoted(u["userName"].as_str().unwrap_or(""))
            ),
        )
        .await?;
    ensure!(
        Ctx::ids(&l).iter().any(|i| i == id_of(&u)),
        "not found right after creation (totalResults {})",
        brief(&l["totalResults"])
    );
    Ok("found".into())
}

async fn read_your_writes_put(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({"title": "One"})).await?;
    let r = c
        .put(
            "Users",
            id_of(&u),
            &json!({"schemas": [USER_URN], "userName": u["userName"], "title": "Two"}),
        )
        .await?;
    ensure!(r.status == 200, "PUT answered {}", r.status);
    let got = c.read_ok("Users", id_of(&u)).await?;
    ensure!(
        got["title"] == json!("Two"),
        "GET right after PUT shows title {}",
        brief(&got["title"])
    );
    Ok("fresh".into())
}
