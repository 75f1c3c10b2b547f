//! Discovery (RFC 7644 §4, RFC 7643 §5–§6): the documents that tell a
//! client what the server supports. Judged from what discovery fetched.

use crate::certify::check::{Check, Group};
use crate::certify::client::Resp;
use crate::certify::ctx::{Ctx, USER_URN, brief};
use crate::certify::discovery::Needs;
use crate::certify::discovery::resources;
use crate::certify::probe::json_content_type;
use crate::certify::rfc;
use crate::certify::verdict::{Fail, Verdict, failed};
use crate::ensure;
use serde_json::Value;

const G: Group = Group::new("discovery");

pub fn checks() -> Vec<Check> {
    vec![
        G.must("DISC-001", spc_ok)
            .cites(rfc::DISCOVERY_SPC)
            .title("GET /ServiceProviderConfig answers 200 with a JSON object"),
        G.must("DISC-002", spc_schema)
            .cites(rfc::DISCOVERY_SPC)
            .title("ServiceProviderConfig lists its schema URN in `schemas`"),
        G.must("DISC-003", spc_feature)
            .cites(rfc::SPC_FEATURE)
            .arg("patch")
            .title("ServiceProviderConfig has patch.supported (boolean)"),
        G.must("DISC-004", spc_feature)
            .cites(rfc::SPC_FEATURE)
            .arg("bulk")
            .title("ServiceProviderConfig has bulk.supported (boolean)"),
        G.must("DISC-005", spc_feature)
            .cites(rfc::SPC_FEATURE)
            .arg("filter")
            .title("ServiceProviderConfig has filter.supported (boolean)"),
        G.must("DISC-006", spc_feature)
            .cites(rfc::SPC_FEATURE)
            .arg("changePassword")
            .title("ServiceProviderConfig has changePassword.supported (boolean)"),
        G.must("DISC-007", spc_feature)
            .cites(rfc::SPC_FEATURE)
            .arg("sort")
            .title("ServiceProviderConfig has sort.supported (boolean)"),
        G.must("DISC-008", spc_feature)
            .cites(rfc::SPC_FEATURE)
            .arg("etag")
            .title("ServiceProviderConfig has etag.supported (boolean)"),
        G.must("DISC-009", spc_auth_schemes)
            .cites(rfc::SPC_AUTH)
            .title("ServiceProviderConfig has authenticationSchemes, each with type, name and description"),
        G.must("DISC-010", spc_bulk_limits)
            .cites(rfc::SPC_BULK)
            .needs(Needs::Bulk)
            .title("bulk advertises integer maxOperations and maxPayloadSize"),
        G.must("DISC-011", spc_filter_limit)
            .cites(rfc::SPC_FILTER)
            .needs(Needs::Filter)
            .title("filter advertises an integer maxResults"),
        G.should("DISC-012", spc_content_type)
            .cites(rfc::JSON_ACCEPT)
            .title("discovery answers are application/scim+json (or application/json)"),
        G.must("DISC-018", schemas_ok)
            .cites(rfc::DISCOVERY_SCHEMAS)
            .title("GET /Schemas answers 200 and includes the core User schema"),
        G.must("DISC-019", schemas_shape)
            .cites(rfc::SCHEMA_ATTRS_REQUIRED)
            .title("every schema has an id and an attributes array"),
        G.may("DISC-020", schema_by_id)
            .cites(rfc::SCHEMA_BY_ID)
            .title("GET /Schemas/{core User URN} answers that schema"),
        G.should("DISC-023", me_endpoint)
            .cites(rfc::ME_501)
            .title("/Me answers a resource or 501 (not a 5xx crash)"),
        G.may("DISC-024", spc_consistent)
            .cites(rfc::SPC_STABLE)
            .title("two reads of /ServiceProviderConfig agree"),
    ]
}

fn doc(r: &Option<Resp>, what: &str) -> Result<Value, Fail> {
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
    json_content_type(r)
}

fn schema_list(c: &Ctx) -> Result<Vec<Value>, Fail> {
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
