//! Discovery, part two: /ResourceTypes (RFC 7643 §6, RFC 7644 §4).

use super::discovery::schema;
use crate::certify::check::{Check, Group};
use crate::certify::ctx::{Ctx, USER_URN, brief};
use crate::certify::discovery::resources;
use crate::certify::rfc;
use crate::certify::verdict::{Fail, Verdict, failed};
use crate::ensure;
use serde_json::Value;

const G: Group = Group::new("discovery");

pub fn checks() -> Vec<Check> {
    vec![
        G.must("DISC-013", rt_ok)
            .cites(rfc::DISCOVERY_LIST)
            .title("GET /ResourceTypes answers 200 with resource types"),
        G.must("DISC-014", rt_user)
            .cites(rfc::RT_REQUIRED)
            .title("ResourceTypes has User at endpoint /Users with the core User schema"),
        G.must("DISC-015", rt_required)
            .cites(rfc::RT_REQUIRED)
            .title("every ResourceType has name, endpoint and schema"),
        G.must("DISC-016", rt_extensions)
            .cites(rfc::RT_EXTENSIONS)
            .title("every schemaExtensions entry has schema and a boolean required"),
        G.may("DISC-017", rt_group)
            .cites(rfc::RT_GROUPS)
            .title("ResourceTypes has Group at endpoint /Groups"),
        G.may("DISC-021", rt_by_name)
            .cites(rfc::DISCOVERY_SINGLE)
            .title("GET /ResourceTypes/User answers the User resource type"),
        G.must("DISC-022", rt_schemas_served)
            .cites(rfc::RT_SCHEMA_ID)
            .title("every schema named by a ResourceType is served by /Schemas"),
    ]
}

fn types(c: &Ctx) -> Result<Vec<Value>, Fail> {
    let r = c
        .found
        .resource_types
        .as_ref()
        .ok_or_else(|| failed("GET /ResourceTypes: no answer"))?;
    ensure!(r.status == 200, "GET /ResourceTypes answered {}", r.status);
    Ok(resources(&r.body))
}

async fn rt_ok(c: &Ctx, _: &'static str) -> Verdict {
    let t = types(c)?;
    ensure!(!t.is_empty(), "no resource types listed");
    Ok(format!("{} resource type(s)", t.len()))
}

fn find_type(t: &[Value], endpoint: &str) -> Option<Value> {
    t.iter()
        .find(|x| {
            x.get("endpoint")
                .and_then(Value::as_str)
                .is_some_and(|e| e.eq_ignore_ascii_case(endpoint))
        })
        .cloned()
}

async fn rt_user(c: &Ctx, _: &'static str) -> Verdict {
    let t = types(c)?;
    // RFC 7643 §6: the endpoint is relative to the base URL, e.g. "Users"
    // (its own example writes "/Users").
    let u = find_type(&t, "/Users")
        .or_else(|| find_type(&t, "Users"))
        .ok_or_else(|| {
            let endpoints: Vec<&Value> = t.iter().map(|x| &x["endpoint"]).collect();
            failed(format!(
                "no resource type with endpoint /Users (relative to the base URL): the endpoints \
                 are {}",
                brief(&Value::Array(endpoints.into_iter().cloned().collect()))
            ))
        })?;
    ensure!(
        u["schema"]
            .as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case(USER_URN)),
        "User schema is {}",
        brief(&u["schema"])
    );
    Ok("User at /Users".into())
}

async fn rt_required(c: &Ctx, _: &'static str) -> Verdict {
    for t in types(c)? {
        for k in ["name", "endpoint", "schema"] {
            ensure!(
                t.get(k).is_some_and(Value::is_string),
                "a resource type lacks {k}: {}",
                brief(&t)
            );
        }
    }
    Ok("all present".into())
}

/// The schemaExtensions a resource type lists.
fn extensions(t: &Value) -> impl Iterator<Item = &Value> {
    t.get("schemaExtensions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

async fn rt_extensions(c: &Ctx, _: &'static str) -> Verdict {
    let mut n = 0;
    for t in types(c)? {
        for e in extensions(&t) {
            ensure!(
                e.get("schema").is_some_and(Value::is_string),
                "extension without schema: {}",
                brief(e)
            );
            ensure!(
                e.get("required").is_some_and(Value::is_boolean),
                "extension without boolean required: {}",
                brief(e)
            );
            n += 1;
        }
    }
    Ok(format!("{n} extension(s) well formed"))
}

async fn rt_group(c: &Ctx, _: &'static str) -> Verdict {
    find_type(&types(c)?, "/Groups").ok_or_else(|| failed("no Group resource type"))?;
    Ok("Group at /Groups".into())
}

async fn rt_by_name(c: &Ctx, _: &'static str) -> Verdict {
    let r = c.get("/ResourceTypes/User").await?;
    ensure!(r.status == 200, "answered {}", r.status);
    ensure!(
        r.body["endpoint"]
            .as_str()
            .is_some_and(|e| e.eq_ignore_ascii_case("/Users")),
        "endpoint is {}",
        brief(&r.body["endpoint"])
    );
    Ok("served".into())
}

async fn rt_schemas_served(c: &Ctx, _: &'static str) -> Verdict {
    let mut named = Vec::new();
    for t in types(c)? {
        named.extend(t["schema"].as_str().map(str::to_owned));
        for e in extensions(&t) {
            named.extend(e["schema"].as_str().map(str::to_owned));
        }
    }
    let missing: Vec<_> = named
        .iter()
        .filter(|u| schema(c, u).is_none())
        .cloned()
        .collect();
    ensure!(
        missing.is_empty(),
        "not in /Schemas: {}",
        missing.join(", ")
    );
    Ok(format!("{} schema(s) served", named.len()))
}
