//! ETags (RFC 7644 §3.14, RFC 7232): versions that change with the
//! resource, and preconditions that refuse a stale write.

use crate::certify::check::{Check, Group};
use crate::certify::client::{Cred, Resp};
use crate::certify::ctx::{Ctx, PATCH_URN, brief, id_of, resource_path};
use crate::certify::discovery::Needs;
use crate::certify::probe::{put_user, user_body_for};
use crate::certify::rfc;
use crate::certify::verdict::{Fail, Verdict, failed};
use crate::ensure;
use reqwest::Method;
use serde_json::{Value, json};

const G: Group = Group::new("etag").needs(Needs::Etag);

pub fn checks() -> Vec<Check> {
    vec![
        G.must("ETAG-001", get_has_etag)
            .cites(rfc::ETAG_HEADER)
            .title("GET of a resource answers an ETag header"),
        G.should("ETAG-002", version_matches)
            .cites(rfc::ETAG_VERSION)
            .title("meta.version equals the ETag header"),
        G.must("ETAG-003", if_none_match_304)
            .cites(rfc::IF_NONE_MATCH)
            .title("If-None-Match with the current ETag answers 304"),
        G.must("ETAG-004", stale_412)
            .cites(rfc::IF_MATCH)
            .arg("PUT")
            .title("PUT with a stale If-Match answers 412 and changes nothing"),
        G.must("ETAG-005", current_if_match)
            .cites(rfc::IF_MATCH_EVAL)
            .title("PUT with the current If-Match succeeds"),
        G.should("ETAG-006", changes_on_write)
            .cites(rfc::ETAG_CHANGES)
            .title("the ETag changes when the resource changes"),
        G.must("ETAG-007", stale_412)
            .cites(rfc::IF_MATCH)
            .arg("PATCH")
            .title("PATCH with a stale If-Match answers 412 and changes nothing"),
        G.must("ETAG-008", stale_412)
            .cites(rfc::IF_MATCH)
            .arg("DELETE")
            .title("DELETE with a stale If-Match answers 412 and keeps the resource"),
        G.must("ETAG-009", create_has_etag)
            .cites(rfc::ETAG_HEADER)
            .title("POST answers an ETag header"),
        G.may("ETAG-010", stable_on_read)
            .cites(rfc::ETAG_CHANGES)
            .title("reads do not change the ETag"),
    ]
}

async fn etag_of(c: &Ctx, u: &Value) -> Result<(Resp, String), Fail> {
    let r = c.read("Users", id_of(u)).await?;
    ensure!(r.status == 200, "GET answered {}", r.status);
    let e = r
        .header("etag")
        .map(str::to_owned)
        .ok_or_else(|| failed("no ETag header on GET"))?;
    Ok((r, e))
}

async fn get_has_etag(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({})).await?;
    let (_, e) = etag_of(c, &u).await?;
    Ok(e)
}

async fn version_matches(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({})).await?;
    let (r, e) = etag_of(c, &u).await?;
    ensure!(
        r.body["meta"]["version"] == json!(e),
        "meta.version {} vs ETag {e}",
        brief(&r.body["meta"]["version"])
    );
    Ok("equal".into())
}

async fn if_none_match_304(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({})).await?;
    let (_, e) = etag_of(c, &u).await?;
    let path = resource_path("Users", id_of(&u));
    let r = c
        .raw(
            Method::GET,
            &path,
            None,
            Cred::Normal,
            &[("if-none-match", &e)],
        )
        .await?;
    ensure!(r.status == 304, "answered {}", r.status);
    Ok("304".into())
}

/// Makes the first ETag stale by a write, then tries `method` with it.
async fn stale_412(c: &Ctx, method: &'static str) -> Verdict {
    let u = c.new_user(json!({"title": "v1"})).await?;
    let (_, old) = etag_of(c, &u).await?;
    put_user(c, &u, json!({"title": "v2"})).await?;
    let path = resource_path("Users", id_of(&u));
    let body = match method {
        "PUT" => Some(user_body_for(&u, json!({"title": "stale"}))),
        "PATCH" => Some(
            json!({"schemas": [PATCH_URN], "Operations": [{"op": "replace", "path": "title", "value": "stale"}]}),
        ),
        _ => None,
    };
    let m = Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET);
    let r = c
        .raw(m, &path, body.as_ref(), Cred::Normal, &[("if-match", &old)])
        .await?;
    if method == "DELETE" && r.is_success() {
        // It is gone: record that so cleanup does not try again.
        c.gone("Users", id_of(&u));
    }
    ensure!(
        r.status == 412,
        "{method} with a stale If-Match answered {}",
        r.status
    );
    let got = c.read_ok("Users", id_of(&u)).await?;
    ensure!(
        got["title"] == json!("v2"),
        "title is {} after the refused {method}",
        brief(&got["title"])
    );
    Ok("412, unchanged".into())
}

async fn current_if_match(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({})).await?;
    let (_, e) = etag_of(c, &u).await?;
    let body = user_body_for(&u, json!({"title": "matched"}));
    let path = resource_path("Users", id_of(&u));
    let r = c
        .raw(
            Method::PUT,
            &path,
            Some(&body),
            Cred::Normal,
            &[("if-match", &e)],
        )
        .await?;
    ensure!(r.status == 200, "answered {}", r.status);
    Ok("200".into())
}

async fn changes_on_write(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({})).await?;
    let (_, a) = etag_of(c, &u).await?;
    put_user(c, &u, json!({"title": "changed"})).await?;
    let (_, b) = etag_of(c, &u).await?;
    ensure!(a != b, "ETag {a} unchanged after a write");
    Ok("changed".into())
}

async fn create_has_etag(c: &Ctx, _: &'static str) -> Verdict {
    let r = c.post("Users", &c.user_body(json!({}))).await?;
    ensure!(r.status == 201, "create answered {}", r.status);
    r.header("etag")
        .ok_or_else(|| failed("no ETag on the create answer"))?;
    Ok("present".into())
}

async fn stable_on_read(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({})).await?;
    let (_, a) = etag_of(c, &u).await?;
    let (_, b) = etag_of(c, &u).await?;
    ensure!(a == b, "ETag changed between reads: {a} -> {b}");
    Ok("stable".into())
}
