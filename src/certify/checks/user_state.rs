//! Users, part three: what is stored is what was sent (RFC 7644 §3.3,
//! RFC 7643 §3.1), server-managed values behave, and writes are visible to
//! the next read.

use super::discovery::schema;
use crate::certify::check::{Check, Group};
use crate::certify::client::Cred;
use crate::certify::compare::diff;
use crate::certify::ctx::{Ctx, ENTERPRISE_URN, USER_URN, brief, expect_error, id_of};
use crate::certify::discovery::Needs;
use crate::certify::persona::Persona;
use crate::certify::probe::{eq_filter, expect_attr, replace_user};
use crate::certify::rfc;
use crate::certify::verdict::{Verdict, failed, skipped};
use crate::ensure;
use serde_json::{Value, json};

const G: Group = Group::new("users");

pub fn checks() -> Vec<Check> {
    vec![
        G.may("USER-026", complex_round_trip)
            .cites(rfc::CREATE_FREE)
            .title("name, emails and phoneNumbers are stored as sent"),
        G.may("USER-027", enterprise_round_trip)
            .cites(rfc::CREATE_FREE)
            .title("enterprise extension attributes are stored as sent"),
        G.should("USER-028", response_content_type)
            .cites(rfc::JSON_ACCEPT)
            .title("resource answers carry Content-Type application/scim+json"),
        G.should("USER-029", accepts_application_json)
            .cites(rfc::JSON_ACCEPT)
            .title("a body sent as application/json is accepted"),
        G.should("USER-030", unknown_404)
            .cites(rfc::ERROR_NOT_FOUND)
            .title("GET /Users/{unknown id} answers 404"),
        G.must("USER-031", id_stable)
            .cites(rfc::ID_STABLE)
            .title("id and meta.created do not change on update"),
        G.may("USER-032", last_modified_moves)
            .cites(rfc::LAST_MODIFIED)
            .title("meta.lastModified does not go back after an update"),
        G.must("USER-033", put_readonly_ignored)
            .cites(rfc::META_READONLY)
            .title("PUT ignores readOnly meta sent by the client"),
        G.must("USER-034", external_id_round_trip)
            .cites(rfc::CASE_EXACT_PRESERVED)
            .title("externalId is stored exactly as sent (caseExact)"),
        G.interop("USER-035", read_your_writes_create)
            .cites(rfc::FILTER_MATCH)
            .persona(Persona::Idp)
            .needs(Needs::Filter)
            .title("read-your-writes: a user is found by userName right after it is created"),
        G.interop("USER-036", read_your_writes_put)
            .cites(rfc::PUT_REPLACES)
            .persona(Persona::Idp)
            .title("read-your-writes: GET right after PUT shows the new values"),
    ]
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
    if schema(c, ENTERPRISE_URN).is_none() {
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
    let got = replace_user(c, &u, json!({"title": "Changed"})).await?;
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
    let got = replace_user(c, &u, json!({"title": "Later"})).await?;
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
    let meta = json!({"created": "2001-01-01T00:00:00Z", "resourceType": "User"});
    let got = replace_user(c, &u, json!({ "meta": meta })).await?;
    ensure!(
        got["meta"]["created"] != json!("2001-01-01T00:00:00Z")
            || u["meta"]["created"] == json!("2001-01-01T00:00:00Z"),
        "meta.created was taken from the client"
    );
    Ok("ignored".into())
}

async fn external_id_round_trip(c: &Ctx, _: &'static str) -> Verdict {
    let x = format!("{}ExtID-MiXeD", c.prefix);
    // Whether it was kept exactly is the finding: created as is.
    let u = c.create_user(json!({"externalId": x})).await?;
    let got = c.read_ok("Users", id_of(&u)).await?;
    expect_attr(&got, "externalId", json!(x))?;
    Ok("exact".into())
}

async fn read_your_writes_create(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({})).await?;
    let l = c.list("Users", &eq_filter("userName", &u)).await?;
    ensure!(
        Ctx::ids(&l).iter().any(|i| i == id_of(&u)),
        "not found right after creation (totalResults {})",
        brief(&l["totalResults"])
    );
    Ok("found".into())
}

async fn read_your_writes_put(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({"title": "One"})).await?;
    let got = replace_user(c, &u, json!({"title": "Two"})).await?;
    ensure!(
        got["title"] == json!("Two"),
        "GET right after PUT shows title {}",
        brief(&got["title"])
    );
    Ok("fresh".into())
}
