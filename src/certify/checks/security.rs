//! Authentication (RFC 7644 §2, §3.12; RFC 6750 §3): requests without a
//! valid token are refused with 401 and change nothing.

use crate::certify::check::{Check, Group};
use crate::certify::client::{Cred, SCIM_JSON};
use crate::certify::ctx::{Ctx, PATCH_URN, id_of, resource_path};
use crate::certify::discovery::Needs;
use crate::certify::probe::{expect_attr, expect_error_body, refused, users_named};
use crate::certify::rfc;
use crate::certify::verdict::Verdict;
use crate::ensure;
use reqwest::Method;
use serde_json::json;

const G: Group = Group::new("security");

pub fn checks() -> Vec<Check> {
    vec![
        G.must("SEC-001", list_401)
            .cites(rfc::AUTH_MAP)
            .arg("none")
            .title("GET /Users without a token answers 401"),
        G.must("SEC-002", list_401)
            .cites(rfc::AUTH_MAP)
            .arg("bad")
            .title("GET /Users with a bad token answers 401"),
        G.must("SEC-003", list_401)
            .cites(rfc::AUTH_MAP)
            .needs(Needs::ExpiredToken)
            .arg("expired")
            .title("GET /Users with an expired token answers 401"),
        G.must("SEC-004", create_401)
            .cites(rfc::AUTH_MAP)
            .arg("none")
            .title("POST /Users without a token answers 401 and creates nothing"),
        G.must("SEC-005", www_authenticate)
            .cites(rfc::AUTH_CHALLENGE)
            .title("a 401 carries a WWW-Authenticate header"),
        G.must("SEC-006", read_own_401)
            .cites(rfc::AUTH_MAP)
            .title("GET of an existing user with a bad token answers 401 without its data"),
        G.must("SEC-007", patch_401)
            .cites(rfc::AUTH_MAP)
            .title("PATCH without a token answers 401 and changes nothing"),
        G.must("SEC-008", delete_401)
            .cites(rfc::AUTH_MAP)
            .title("DELETE without a token answers 401 and deletes nothing"),
        G.must("SEC-009", create_401)
            .cites(rfc::AUTH_MAP)
            .needs(Needs::ExpiredToken)
            .arg("expired")
            .title("POST /Users with an expired token answers 401 and creates nothing"),
        G.must("SEC-010", body_is_error)
            .cites(rfc::ERROR_BODY)
            .title("a 401 body uses the Error schema with status \"401\""),
        G.must("SEC-011", create_401)
            .cites(rfc::AUTH_MAP)
            .arg("bad")
            .title("POST /Users with a bad token answers 401 and creates nothing"),
        G.must("SEC-012", groups_401)
            .cites(rfc::AUTH_MAP)
            .needs(Needs::Groups)
            .title("GET /Groups without a token answers 401"),
    ]
}

fn cred(arg: &str) -> Cred {
    match arg {
        "bad" => Cred::Bad,
        "expired" => Cred::Expired,
        _ => Cred::None,
    }
}

async fn list_401(c: &Ctx, arg: &'static str) -> Verdict {
    refused(c, Method::GET, "/Users?count=1", None, cred(arg), &[]).await?;
    Ok("401".into())
}

async fn create_401(c: &Ctx, arg: &'static str) -> Verdict {
    let body = c.user_body(json!({}));
    let r = c
        .post_raw("Users", SCIM_JSON, body.to_string(), cred(arg))
        .await?;
    ensure!(r.status == 401, "answered {}", r.status);
    ensure!(
        users_named(c, &body).await?.is_empty(),
        "the refused request created the user"
    );
    Ok("401, nothing created".into())
}

async fn www_authenticate(c: &Ctx, _: &'static str) -> Verdict {
    let r = refused(c, Method::GET, "/Users?count=1", None, Cred::Bad, &[]).await?;
    ensure!(
        r.header("www-authenticate").is_some(),
        "no WWW-Authenticate header"
    );
    Ok("present".into())
}

async fn read_own_401(c: &Ctx, _: &'static str) -> Verdict {
    // Kept or not, the title must not come back in the 401.
    let u = c.create_user(json!({"title": "Secret Title"})).await?;
    let path = resource_path("Users", id_of(&u));
    let r = refused(c, Method::GET, &path, None, Cred::Bad, &[]).await?;
    ensure!(
        !r.text.contains("Secret Title"),
        "the 401 body carries the user's data"
    );
    Ok("401".into())
}

async fn patch_401(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.create_user(json!({"title": "Untouched"})).await?;
    let before = c.read_ok("Users", id_of(&u)).await?;
    let body = json!({"schemas": [PATCH_URN], "Operations": [
        {"op": "replace", "path": "title", "value": "Touched"},
        {"op": "replace", "path": "active", "value": false}]});
    let path = resource_path("Users", id_of(&u));
    refused(c, Method::PATCH, &path, Some(&body), Cred::None, &[]).await?;
    let got = c.read_ok("Users", id_of(&u)).await?;
    if let Some(d) = crate::certify::compare::diff(&before, &got) {
        return Err(crate::certify::verdict::failed(format!(
            "an unauthenticated PATCH changed the user: {d}"
        )));
    }
    Ok("401, unchanged".into())
}

async fn delete_401(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({})).await?;
    let path = resource_path("Users", id_of(&u));
    let r = c.raw(Method::DELETE, &path, None, Cred::None, &[]).await?;
    let got = c.read("Users", id_of(&u)).await?;
    if got.status == 404 {
        c.gone("Users", id_of(&u));
    }
    ensure!(r.status == 401, "answered {}", r.status);
    ensure!(
        got.status == 200,
        "the user is gone after an unauthenticated DELETE"
    );
    Ok("401, kept".into())
}

async fn body_is_error(c: &Ctx, _: &'static str) -> Verdict {
    let r = refused(c, Method::GET, "/Users?count=1", None, Cred::Bad, &[]).await?;
    expect_error_body(&r)?;
    expect_attr(&r.body, "status", json!("401"))?;
    Ok("Error body".into())
}

async fn groups_401(c: &Ctx, _: &'static str) -> Verdict {
    refused(c, Method::GET, "/Groups?count=1", None, Cred::None, &[]).await?;
    Ok("401".into())
}
