//! Discovery (RFC 7644 §4, RFC 7643 §5–§6): the documents that tell a
//! client what the server supports. Judged from what discovery fetched.

use crate::certify::catalogue::{Check, Verdict};
use crate::certify::client::Resp;
use crate::certify::ctx::{Ctx, USER_URN, brief, failed};
use crate::certify::discovery::resources;
use crate::{certify_check as check, ensure};
use serde_json::Value;

const G: &str = "discovery";

pub fn checks() -> Vec<Check> {
    vec![
        check!(
            "DISC-001",
            G,
            "RFC 7644 §4",
            Must,
            Rfc,
            Nothing,
            "",
            spc_ok,
            "GET /ServiceProviderConfig answers 200 with a JSON object"
        ),
        check!(
            "DISC-002",
            G,
            "RFC 7643 §5",
            Must,
            Rfc,
            Nothing,
            "",
            spc_schema,
            "ServiceProviderConfig lists its schema URN in `schemas`"
        ),
        check!(
            "DISC-003",
            G,
            "RFC 7643 §5",
            Must,
            Rfc,
            Nothing,
            "patch",
            spc_feature,
            "ServiceProviderConfig has patch.supported (boolean)"
        ),
        check!(
            "DISC-004",
            G,
            "RFC 7643 §5",
            Must,
            Rfc,
            Nothing,
            "bulk",
            spc_feature,
            "ServiceProviderConfig has bulk.supported (boolean)"
        ),
        check!(
            "DISC-005",
            G,
            "RFC 7643 §5",
            Must,
            Rfc,
            Nothing,
            "filter",
            spc_feature,
            "ServiceProviderConfig has filter.supported (boolean)"
        ),
        check!(
            "DISC-006",
            G,
            "RFC 7643 §5",
            Must,
            Rfc,
            Nothing,
            "changePassword",
            spc_feature,
            "ServiceProviderConfig has changePassword.supported (boolean)"
        ),
        check!(
            "DISC-007",
            G,
            "RFC 7643 §5",
            Must,
            Rfc,
            Nothing,
            "sort",
            spc_feature,
            "ServiceProviderConfig has sort.supported (boolean)"
        ),
        check!(
            "DISC-008",
            G,
            "RFC 7643 §5",
            Must,
            Rfc,
            Nothing,
            "etag",
            spc_feature,
            "ServiceProviderConfig has etag.supported (boolean)"
        ),
        check!(
            "DISC-009",
            G,
            "RFC 7643 §5",
            Must,
            Rfc,
            Nothing,
            "",
            spc_auth_schemes,
            "ServiceProviderConfig has authenticationSchemes, each with type, name and description"
        ),
        check!(
            "DISC-010",
            G,
            "RFC 7643 §5",
            Must,
            Rfc,
            Bulk,
            "",
            spc_bulk_limits,
            "bulk advertises integer maxOperations and maxPayloadSize"
        ),
        check!(
            "DISC-011",
            G,
            "RFC 7643 §5",
            Must,
            Rfc,
            Filter,
            "",
            spc_filter_limit,
            "filter advertises an integer maxResults"
        ),
        check!(
            "DISC-012",
            G,
            "RFC 7644 §3.8",
            Should,
            Rfc,
            Nothing,
            "",
            spc_content_type,
            "discovery answers are application/scim+json (or application/json)"
        ),
        check!(
            "DISC-018",
            G,
            "RFC 7644 §4",
            Must,
            Rfc,
            Nothing,
            "",
            schemas_ok,
            "GET /Schemas answers 200 and includes the core User schema"
        ),
        check!(
            "DISC-019",
            G,
            "RFC 7643 §7",
            Must,
            Rfc,
            Nothing,
            "",
            schemas_shape,
            "every schema has an id and an attributes array"
        ),
        check!(
            "DISC-020",
            G,
            "RFC 7644 §4",
            Should,
            Rfc,
            Nothing,
            "",
            schema_by_id,
            "GET /Schemas/{core User URN} answers that schema"
        ),
        check!(
            "DISC-023",
            G,
            "RFC 7644 §3.11",
            May,
            Rfc,
            Nothing,
            "",
            me_endpoint,
            "/Me answers a resource or 501 (not a 5xx crash)"
        ),
        check!(
            "DISC-024",
            G,
            "RFC 7643 §5",
            Should,
            Rfc,
            Nothing,
            "",
            spc_consistent,
            "two reads of /ServiceProviderConfig agree"
        ),
    ]
}

fn doc(r: &Option<Resp>, what: &str) -> Result<Value, crate::certify::catalogue::Fail> {
    match r {
        Some(r) if r.status == 200 && r.body.is_object() => Ok(r.body.clone()),
        Some(r) => Err(failed(format!(
            "GET {what} answered {}: {}",
            r.status,
            brief(&r.body)
        ))),
        None => Err(failed(format!("GET {what}: no answer"))),
    }
}

async fn spc_ok(c: &Ctx, _: &'static str) -> Verdict {
    doc(&c.found.spc, "/ServiceProviderConfig")?;
    Ok("200 with an object".into())
}

async fn spc_schema(c: &Ctx, _: &'static str) -> Verdict {
    let spc = doc(&c.found.spc, "/ServiceProviderConfig")?;
    let urn = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
    let ok = spc["schemas"].as_array().is_some_and(|a| {
        a.iter()
            .any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(urn)))
    });
    ensure!(ok, "schemas is {}", brief(&spc["schemas"]));
    Ok("schema URN listed".into())
}

async fn spc_feature(c: &Ctx, feature: &'static str) -> Verdict {
    let spc = doc(&c.found.spc, "/ServiceProviderConfig")?;
    let s = spc.get(feature).and_then(|f| f.get("supported"));
    ensure!(
        matches!(s, Some(Value::Bool(_))),
        "{feature}.supported is {}",
        s.map(brief).unwrap_or("absent".into())
    );
    Ok(format!(
        "{feature}.supported = {}",
        s.map(brief).unwrap_or_default()
    ))
}

async fn spc_auth_schemes(c: &Ctx, _: &'static str) -> Verdict {
    let spc = doc(&c.found.spc, "/ServiceProviderConfig")?;
    let a = spc.get("authenticationSchemes").and_then(Value::as_array);
    let a = a.ok_or_else(|| failed("authenticationSchemes is absent or not an array"))?;
    for s in a {
        for k in ["type", "name", "description"] {
            ensure!(
                s.get(k).is_some_and(Value::is_string),
                "an authentication scheme lacks {k}: {}",
                brief(s)
            );
        }
    }
    Ok(format!("{} scheme(s)", a.len()))
}

async fn spc_bulk_limits(c: &Ctx, _: &'static str) -> Verdict {
    let spc = doc(&c.found.spc, "/ServiceProviderConfig")?;
    for k in ["maxOperations", "maxPayloadSize"] {
        ensure!(
            spc["bulk"].get(k).is_some_and(Value::is_u64),
            "bulk.{k} is not an integer: {}",
            brief(&spc["bulk"])
        );
    }
    Ok("limits advertised".into())
}

async fn spc_filter_limit(c: &Ctx, _: &'static str) -> Verdict {
    let spc = doc(&c.found.spc, "/ServiceProviderConfig")?;
    ensure!(
        spc["filter"].get("maxResults").is_some_and(Value::is_u64),
        "filter.maxResults is not an integer"
    );
    Ok("maxResults advertised".into())
}

async fn spc_content_type(c: &Ctx, _: &'static str) -> Verdict {
    let r = c.found.spc.as_ref().ok_or_else(|| failed("no answer"))?;
    let ct = r.header("content-type").unwrap_or("");
    ensure!(
        ct.starts_with("application/scim+json") || ct.starts_with("application/json"),
        "Content-Type is {ct:?}"
    );
    Ok(ct.to_owned())
}

fn schema_list(c: &Ctx) -> Result<Vec<Value>, crate::certify::catalogue::Fail> {
    let r = c
        .found
        .schemas
        .as_ref()
        .ok_or_else(|| failed("GET /Schemas: no answer"))?;
    ensure!(r.status == 200, "GET /Schemas answered {}", r.status);
    Ok(resources(&r.body))
}

/// The schema with this URN from /Schemas.
pub fn schema(c: &Ctx, urn: &str) -> Option<Value> {
    schema_list(c).ok()?.into_iter().find(|s| {
        s.get("id")
            .and_then(Value::as_str)
            .is_some_and(|i| i.eq_ignore_ascii_case(urn))
    })
}

async fn schemas_ok(c: &Ctx, _: &'static str) -> Verdict {
    schema_list(c)?;
    schema(c, USER_URN).ok_or_else(|| failed("the core User schema is not listed"))?;
    Ok("core User schema served".into())
}

async fn schemas_shape(c: &Ctx, _: &'static str) -> Verdict {
    let l = schema_list(c)?;
    for s in &l {
        ensure!(
            s.get("id").is_some_and(Value::is_string),
            "a schema without id"
        );
        ensure!(
            s.get("attributes").is_some_and(Value::is_array),
            "schema {} has no attributes array",
            brief(&s["id"])
        );
    }
    Ok(format!("{} schema(s)", l.len()))
}

async fn schema_by_id(c: &Ctx, _: &'static str) -> Verdict {
    let r = c.get(&format!("/Schemas/{USER_URN}")).await?;
    ensure!(r.status == 200, "answered {}", r.status);
    ensure!(
        r.body["id"]
            .as_str()
            .is_some_and(|i| i.eq_ignore_ascii_case(USER_URN)),
        "id is {}",
        brief(&r.body["id"])
    );
    Ok("served".into())
}

async fn me_endpoint(c: &Ctx, _: &'static str) -> Verdict {
    let r = c.get("/Me").await?;
    ensure!(
        r.status == 501 || r.status == 200 || r.status == 404 || r.status == 308 || r.status == 307,
        "answered {}",
        r.status
    );
    Ok(format!("answered {}", r.status))
}

async fn spc_consistent(c: &Ctx, _: &'static str) -> Verdict {
    let first = doc(&c.found.spc, "/ServiceProviderConfig")?;
    let r = c.get("/ServiceProviderConfig").await?;
    ensure!(r.status == 200, "second read answered {}", r.status);
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.as_object_mut() {
            m.remove("meta");
        }
        v
    };
    ensure!(strip(&first) == strip(&r.body), "the two reads differ");
    Ok("stable".into())
}
