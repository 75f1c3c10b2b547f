//! Errors (RFC 7644 §3.12): the status code, and a body in the Error
//! schema with `status` as a string and `scimType` where Table 9 names
//! one. This group sends invalid requests on purpose.

use crate::certify::check::{Check, Group};
use crate::certify::client::{Cred, Resp};
use crate::certify::ctx::{Ctx, USER_URN, brief, expect_error};
use crate::certify::discovery::Needs;
use crate::certify::probe::{expect_error_body, is_error_body, json_content_type, user_body_for};
use crate::certify::rfc;
use crate::certify::verdict::{Fail, Verdict, failed};
use crate::ensure;
use serde_json::json;

const G: Group = Group::new("errors");

pub fn checks() -> Vec<Check> {
    vec![
        G.must("ERR-001", schema_on)
            .cites(rfc::ERROR_BODY)
            .arg("404")
            .title("a 404 body uses the Error schema"),
        G.must("ERR-002", status_string)
            .cites(rfc::ERROR_STATUS)
            .arg("404")
            .title("a 404 body carries status \"404\" as a string"),
        G.should("ERR-003", bad_json_400)
            .cites(rfc::ERROR_400)
            .title("a body that is not JSON answers 400"),
        G.should("ERR-004", bad_json_syntax)
            .cites(rfc::ERROR_INVALID_SYNTAX)
            .title("a body that is not JSON answers 400 with scimType invalidSyntax or none"),
        G.must("ERR-005", schema_on)
            .cites(rfc::ERROR_BODY)
            .arg("400")
            .title("a 400 body uses the Error schema"),
        G.must("ERR-006", status_string)
            .cites(rfc::ERROR_STATUS)
            .arg("400")
            .title("a 400 body carries status \"400\" as a string"),
        G.must("ERR-007", schema_on)
            .cites(rfc::ERROR_BODY)
            .arg("409")
            .title("a 409 body uses the Error schema"),
        G.must("ERR-008", status_string)
            .cites(rfc::ERROR_STATUS)
            .arg("409")
            .title("a 409 body carries status \"409\" as a string"),
        G.should("ERR-009", wrong_type_400)
            .cites(rfc::ERROR_400)
            .title("userName given as a number answers 400"),
        G.should("ERR-010", bool_string_400)
            .cites(rfc::ERROR_INVALID_VALUE)
            .title("active given as a string answers 400 invalidValue"),
        G.should("ERR-011", no_schemas_400)
            // Where "schemas" is required of every representation (§3.3,
            // cited before, says nothing about it); 7644 §3.12 names the
            // 400 invalidSyntax for a body not conforming to the schema.
            .cites(rfc::ERROR_400_SCHEMAS)
            .title("a create without schemas answers 400"),
        G.should("ERR-012", user_zero_404)
            .cites(rfc::ERROR_NOT_FOUND)
            .title("GET /Users/0 answers 404 with an Error body"),
        G.should("ERR-013", error_content_type)
            .cites(rfc::JSON_ACCEPT)
            .title("error answers are JSON (application/scim+json or application/json)"),
        G.should("ERR-014", scim_type_known)
            .cites(rfc::ERROR_TYPES)
            .title("scimType, when present, is one of Table 9's values"),
        G.may("ERR-015", detail_present)
            .cites(rfc::ERROR_DETAIL)
            .title("error bodies carry a human-readable detail"),
        G.should("ERR-016", unknown_schema_400)
            .cites(rfc::ERROR_400)
            .title("a create naming an unknown schema URN answers 400"),
        G.should("ERR-017", no_5xx_on_garbage)
            .cites(rfc::ERROR_500)
            .title("malformed input never answers 5xx"),
        G.should("ERR-018", group_404)
            .cites(rfc::ERROR_NOT_FOUND)
            .needs(Needs::Groups)
            .title("GET /Groups/{unknown} answers 404 with an Error body"),
    ]
}

async fn provoke(c: &Ctx, status: &str) -> Result<Resp, Fail> {
    match status {
        "400" => {
            c.post_raw(
                "Users",
                "application/scim+json",
                "{\"schemas\": [".into(),
                Cred::Normal,
            )
            .await
        }
        "409" => {
            let u = c.new_user(json!({})).await?;
            c.post("Users", &user_body_for(&u, json!({}))).await
        }
        _ => c.read("Users", &format!("{}unknown", c.prefix)).await,
    }
}

/// `provoke`, answered with that status.
async fn provoked(c: &Ctx, status: &str) -> Result<Resp, Fail> {
    let r = provoke(c, status).await?;
    ensure!(
        r.status.to_string() == status,
        "expected {status}, got {}",
        r.status
    );
    Ok(r)
}

async fn schema_on(c: &Ctx, status: &'static str) -> Verdict {
    let r = provoked(c, status).await?;
    ensure!(
        is_error_body(&r.body),
        "body is not in the Error schema: {}",
        brief(&r.body)
    );
    Ok("Error schema".into())
}

async fn status_string(c: &Ctx, status: &'static str) -> Verdict {
    let r = provoked(c, status).await?;
    ensure!(
        r.body["status"] == json!(status),
        "status is {} (must be the string \"{status}\")",
        brief(&r.body["status"])
    );
    Ok("string".into())
}

/// POST /Users of a body that is not JSON.
async fn not_json(c: &Ctx) -> Result<Resp, Fail> {
    c.post_raw(
        "Users",
        "application/scim+json",
        "{not json".into(),
        Cred::Normal,
    )
    .await
}

async fn bad_json_400(c: &Ctx, _: &'static str) -> Verdict {
    let r = not_json(c).await?;
    ensure!(r.status == 400, "answered {}", r.status);
    Ok("400".into())
}

/// scimType is OPTIONAL (§3.12): a 400 without one is right; one that is
/// given names the fault, and for a body that is not JSON that is
/// invalidSyntax.
async fn bad_json_syntax(c: &Ctx, _: &'static str) -> Verdict {
    let r = not_json(c).await?;
    expect_error(&r, 400, None)?;
    match r.body.get("scimType").and_then(serde_json::Value::as_str) {
        None => Ok("400 without a scimType (it is OPTIONAL)".into()),
        Some("invalidSyntax") => Ok("400 invalidSyntax".into()),
        Some(other) => Err(failed(format!(
            "scimType {other:?} for a body that is not JSON (expected invalidSyntax, or none)"
        ))),
    }
}

async fn wrong_type_400(c: &Ctx, _: &'static str) -> Verdict {
    let r = c
        .post("Users", &json!({"schemas": [USER_URN], "userName": 12345}))
        .await?;
    ensure!(r.status == 400, "answered {}: {}", r.status, brief(&r.body));
    Ok("400".into())
}

/// scimType is OPTIONAL (§3.12): one that is given must be invalidValue.
async fn bool_string_400(c: &Ctx, _: &'static str) -> Verdict {
    let r = c
        .post("Users", &c.user_body(json!({"active": "maybe"})))
        .await?;
    expect_error(&r, 400, None)?;
    match r.body.get("scimType").and_then(serde_json::Value::as_str) {
        None => Ok("400 without a scimType (it is OPTIONAL)".into()),
        Some("invalidValue") => Ok("400 invalidValue".into()),
        Some(other) => Err(failed(format!(
            "scimType {other:?} for a value of the wrong type (expected invalidValue, or none)"
        ))),
    }
}

async fn no_schemas_400(c: &Ctx, _: &'static str) -> Verdict {
    let r = c.post("Users", &json!({"userName": c.user_name()})).await?;
    ensure!(r.status == 400, "answered {}", r.status);
    Ok("400".into())
}

async fn user_zero_404(c: &Ctx, _: &'static str) -> Verdict {
    let r = c.read("Users", "0").await?;
    expect_error(&r, 404, None)?;
    expect_error_body(&r)?;
    Ok("404 Error".into())
}

async fn error_content_type(c: &Ctx, _: &'static str) -> Verdict {
    json_content_type(&provoke(c, "404").await?)
}

async fn scim_type_known(c: &Ctx, _: &'static str) -> Verdict {
    const KNOWN: [&str; 10] = [
        "invalidFilter",
        "tooMany",
        "uniqueness",
        "mutability",
        "invalidSyntax",
        "invalidPath",
        "noTarget",
        "invalidValue",
        "invalidVers",
        "sensitive",
    ];
    for s in ["400", "409"] {
        let r = provoke(c, s).await?;
        if let Some(t) = r.body.get("scimType") {
            ensure!(
                t.as_str().is_some_and(|t| KNOWN.contains(&t)),
                "scimType {} on {s} is not an RFC value",
                brief(t)
            );
        }
    }
    Ok("known values".into())
}

async fn detail_present(c: &Ctx, _: &'static str) -> Verdict {
    let r = provoke(c, "404").await?;
    ensure!(r.body["detail"].is_string(), "no detail");
    Ok("detail".into())
}

async fn unknown_schema_400(c: &Ctx, _: &'static str) -> Verdict {
    let r = c
        .post(
            "Users",
            &json!({"schemas": ["urn:example:not:a:schema"], "userName": c.user_name()}),
        )
        .await?;
    ensure!(r.status == 400, "answered {}", r.status);
    Ok("400".into())
}

async fn no_5xx_on_garbage(c: &Ctx, _: &'static str) -> Verdict {
    for body in [
        "[]",
        "null",
        "\"text\"",
        "{\"schemas\": 5}",
        "{\"userName\": {\"nested\": true}, \"schemas\": [\"urn:ietf:params:scim:schemas:core:2.0:User\"]}",
    ] {
        let r = c
            .post_raw("Users", "application/scim+json", body.into(), Cred::Normal)
            .await?;
        ensure!(r.status < 500, "body {body} answered {}", r.status);
    }
    Ok("no 5xx".into())
}

async fn group_404(c: &Ctx, _: &'static str) -> Verdict {
    let r = c.read("Groups", &format!("{}unknown", c.prefix)).await?;
    expect_error(&r, 404, None)?;
    ensure!(is_error_body(&r.body), "not an Error body");
    Ok("404".into())
}
