//! Bulk (RFC 7644 §3.7). Each operation's effect is read back; resources a
//! Bulk request creates are recorded from the answer's locations.

use crate::certify::check::{Check, Group};
use crate::certify::client::Resp;
use crate::certify::ctx::{
    BULK_REQ_URN, BULK_RESP_URN, Ctx, GROUP_URN, PATCH_URN, USER_URN, brief, id_of,
};
use crate::certify::discovery::Needs;
use crate::certify::probe::{expect_attr, user_body_for, users_named};
use crate::certify::rfc;
use crate::certify::verdict::{Fail, Verdict, failed, skipped};
use crate::ensure;
use reqwest::Method;
use serde_json::{Value, json};

const G: Group = Group::new("bulk").needs(Needs::Bulk);

pub fn checks() -> Vec<Check> {
    vec![
        G.must("BULK-001", create).cites(rfc::BULK_200).title(
            "a Bulk POST creates the user: 200 BulkResponse, op status 201, location readable",
        ),
        G.must("BULK-002", bulk_id_echoed)
            .cites(rfc::BULK_ID)
            .title("the answer carries each POST's bulkId"),
        G.must("BULK-003", bulk_id_reference)
            .cites(rfc::BULK_ID_REF)
            .title("bulkId:ID in a later operation resolves to the created resource"),
        G.must("BULK-004", put_op)
            .cites(rfc::BULK_INTENT)
            .title("a Bulk PUT replaces the user (read back)"),
        G.must("BULK-005", patch_op)
            .cites(rfc::BULK_INTENT)
            .title("a Bulk PATCH changes the user (read back)"),
        G.must("BULK-006", delete_op)
            .cites(rfc::BULK_INTENT)
            .title("a Bulk DELETE removes the user (GET answers 404)"),
        G.must("BULK-007", continues)
            .cites(rfc::BULK_CONTINUE)
            .title("without failOnErrors a failing operation does not stop the others"),
        G.must("BULK-008", fail_on_errors)
            .cites(rfc::BULK_FAIL_ON_ERRORS)
            .title("failOnErrors 1 stops after the first error"),
        G.may("BULK-009", status_string)
            .cites(rfc::BULK_STATUS)
            .title("operation status is given as a string"),
        G.must("BULK-010", too_many_413)
            .cites(rfc::BULK_413)
            .title("more operations than maxOperations answer 413"),
    ]
}

async fn bulk(c: &Ctx, ops: Value, fail_on_errors: Option<u64>) -> Result<Resp, Fail> {
    let mut body = json!({"schemas": [BULK_REQ_URN], "Operations": ops});
    if let Some(n) = fail_on_errors {
        body["failOnErrors"] = json!(n);
    }
    let mut intents = Vec::new();
    for op in body["Operations"].as_array().into_iter().flatten() {
        let posts = op["method"]
            .as_str()
            .is_some_and(|m| m.eq_ignore_ascii_case("POST"));
        if let (true, Some(path)) = (posts, op["path"].as_str()) {
            let endpoint = path.trim_start_matches('/');
            if let Some(name) = c.intend(endpoint, &op["data"])? {
                intents.push((endpoint.to_owned(), name));
            }
        }
    }
    let r = c.send(Method::POST, "/Bulk", &body).await?;
    c.record_bulk(&r)?;
    // The answer lists what was created (recorded above); the rest was not.
    for (endpoint, name) in intents {
        c.ledger.answered(&endpoint, &name);
    }
    Ok(r)
}

fn ops(r: &Resp) -> Vec<Value> {
    r.body["Operations"].as_array().cloned().unwrap_or_default()
}

fn status_of(op: &Value) -> String {
    match &op["status"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => brief(other),
    }
}

fn id_from_location(op: &Value) -> Option<String> {
    op["location"]
        .as_str()?
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .map(str::to_owned)
}

fn post_user(c: &Ctx, bulk_id: &str) -> Value {
    json!({"method": "POST", "path": "/Users", "bulkId": bulk_id, "data": c.user_body(json!({"title": "From Bulk"}))})
}

async fn create(c: &Ctx, _: &'static str) -> Verdict {
    let r = bulk(c, json!([post_user(c, "u1")]), None).await?;
    ensure!(r.status == 200, "answered {}: {}", r.status, brief(&r.body));
    ensure!(
        r.body["schemas"]
            .as_array()
            .is_some_and(|a| a.iter().any(|s| s == BULK_RESP_URN)),
        "not a BulkResponse"
    );
    let op = ops(&r)
        .first()
        .cloned()
        .ok_or_else(|| failed("no operations in the answer"))?;
    ensure!(
        status_of(&op) == "201",
        "operation status {}",
        status_of(&op)
    );
    let id = id_from_location(&op).ok_or_else(|| failed("no location"))?;
    let got = c.read_ok("Users", &id).await?;
    expect_attr(&got, "title", json!("From Bulk"))?;
    Ok("created".into())
}

async fn bulk_id_echoed(c: &Ctx, _: &'static str) -> Verdict {
    let r = bulk(c, json!([post_user(c, "echo-me")]), None).await?;
    ensure!(r.status == 200, "answered {}", r.status);
    ensure!(
        ops(&r)
            .first()
            .is_some_and(|o| o["bulkId"] == json!("echo-me")),
        "bulkId not echoed: {}",
        brief(&r.body)
    );
    Ok("echoed".into())
}

async fn bulk_id_reference(c: &Ctx, _: &'static str) -> Verdict {
    if !c.found.groups {
        return Err(skipped("the server serves no Groups"));
    }
    let group = json!({"method": "POST", "path": "/Groups", "bulkId": "g1", "data": {"schemas": [GROUP_URN], "displayName": c.name("g"), "members": [{"value": "bulkId:u1"}]}});
    let r = bulk(c, json!([post_user(c, "u1"), group]), None).await?;
    ensure!(r.status == 200, "answered {}", r.status);
    let o = ops(&r);
    let uid = o
        .iter()
        .find(|x| x["bulkId"] == json!("u1"))
        .and_then(id_from_location)
        .ok_or_else(|| failed("the user was not created"))?;
    let gid = o
        .iter()
        .find(|x| x["bulkId"] == json!("g1"))
        .and_then(id_from_location)
        .ok_or_else(|| failed("the group was not created"))?;
    let g = c.read_ok("Groups", &gid).await?;
    let ok = g["members"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|m| m["value"] == json!(uid));
    ensure!(
        ok,
        "group members are {}, expected the user {uid}",
        brief(&g["members"])
    );
    Ok("resolved".into())
}

async fn put_op(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({"title": "before"})).await?;
    let data = user_body_for(&u, json!({"title": "bulk put"}));
    let op = json!({"method": "PUT", "path": format!("/Users/{}", id_of(&u)), "data": data});
    let r = bulk(c, json!([op]), None).await?;
    ensure!(r.status == 200, "answered {}", r.status);
    let got = c.read_ok("Users", id_of(&u)).await?;
    expect_attr(&got, "title", json!("bulk put"))?;
    Ok("replaced".into())
}

async fn patch_op(c: &Ctx, _: &'static str) -> Verdict {
    let u = c
        .new_user(json!({"title": "before", "displayName": "Keep Me"}))
        .await?;
    let op = json!({"method": "PATCH", "path": format!("/Users/{}", id_of(&u)), "data": {"schemas": [PATCH_URN], "Operations": [{"op": "replace", "path": "title", "value": "bulk patch"}]}});
    let r = bulk(c, json!([op]), None).await?;
    ensure!(r.status == 200, "answered {}", r.status);
    let got = c.read_ok("Users", id_of(&u)).await?;
    expect_attr(&got, "title", json!("bulk patch"))?;
    ensure!(
        got["displayName"] == json!("Keep Me"),
        "displayName lost: {}",
        brief(&got["displayName"])
    );
    Ok("patched".into())
}

async fn delete_op(c: &Ctx, _: &'static str) -> Verdict {
    let u = c.new_user(json!({})).await?;
    if !c.ledger.claim_delete("Users", id_of(&u)) {
        return Err(failed("harness: could not claim the delete"));
    }
    let op = json!({"method": "DELETE", "path": format!("/Users/{}", id_of(&u))});
    let r = bulk(c, json!([op]), None).await?;
    let gone = c.read("Users", id_of(&u)).await?;
    if gone.status == 404 {
        let _ = c.ledger.deleted("Users", id_of(&u));
    } else {
        // Not deleted: give it back to cleanup.
        c.ledger.unclaim("Users", id_of(&u));
    }
    ensure!(r.status == 200, "answered {}", r.status);
    ensure!(
        gone.status == 404,
        "GET after the Bulk DELETE answered {}",
        gone.status
    );
    Ok("deleted".into())
}

async fn continues(c: &Ctx, _: &'static str) -> Verdict {
    let bad = json!({"method": "POST", "path": "/Users", "bulkId": "bad", "data": {"schemas": [USER_URN], "displayName": "no userName"}});
    let r = bulk(c, json!([bad, post_user(c, "good")]), None).await?;
    ensure!(r.status == 200, "answered {}", r.status);
    let good = ops(&r)
        .into_iter()
        .find(|o| o["bulkId"] == json!("good"))
        .ok_or_else(|| failed("the second operation was not processed"))?;
    ensure!(
        status_of(&good) == "201",
        "second operation status {}",
        status_of(&good)
    );
    Ok("continued".into())
}

async fn fail_on_errors(c: &Ctx, _: &'static str) -> Verdict {
    let bad = json!({"method": "POST", "path": "/Users", "bulkId": "bad", "data": {"schemas": [USER_URN], "displayName": "no userName"}});
    let good = post_user(c, "after");
    let data = good["data"].clone();
    let r = bulk(c, json!([bad, good]), Some(1)).await?;
    ensure!(r.status == 200, "answered {}", r.status);
    ensure!(
        users_named(c, &data).await?.is_empty(),
        "the operation after the first error was processed"
    );
    Ok("stopped".into())
}

async fn status_string(c: &Ctx, _: &'static str) -> Verdict {
    let r = bulk(c, json!([post_user(c, "s1")]), None).await?;
    let op = ops(&r).first().cloned().unwrap_or(Value::Null);
    ensure!(
        op["status"].is_string(),
        "status is {}",
        brief(&op["status"])
    );
    Ok("string".into())
}

async fn too_many_413(c: &Ctx, _: &'static str) -> Verdict {
    let max = c.found.bulk_max_ops;
    if max == 0 || max > 1000 {
        return Err(skipped(format!(
            "maxOperations {max}: too large to exceed politely"
        )));
    }
    // DELETEs of ids that cannot exist: harmless even if processed.
    let many: Vec<Value> = (0..=max)
        .map(|i| json!({"method": "DELETE", "path": format!("/Users/{}absent-{i}", c.prefix)}))
        .collect();
    let r = bulk(c, Value::Array(many), None).await?;
    ensure!(
        r.status == 413,
        "{} operations (max {max}) answered {}",
        max + 1,
        r.status
    );
    Ok("413".into())
}
