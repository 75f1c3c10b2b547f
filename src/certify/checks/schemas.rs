//! The attribute characteristics /Schemas declares for the core User and
//! Group (RFC 7643 §4, §7, §8.7.1): clients decide case rules, mutability
//! and what is returned from them. One table, one function.

use crate::certify::check::{Check, Group};
use crate::certify::checks::discovery::schema;
use crate::certify::ctx::{Ctx, GROUP_URN, USER_URN, brief};
use crate::certify::discovery::Needs;
use crate::certify::rfc;
use crate::certify::verdict::{Fail, Verdict, failed, skipped};
use crate::ensure;
use serde_json::Value;

const G: Group = Group::new("discovery");

pub fn checks() -> Vec<Check> {
    vec![
        G.must("SCHEMA-001", attr)
            .cites(rfc::USERNAME_REQUIRED)
            .arg("User:userName:required:true")
            .title("User userName is required"),
        G.may("SCHEMA-002", attr)
            .cites(rfc::SCHEMA_DEFINITIONS)
            .arg("User:userName:caseExact:false")
            .title("User userName is not caseExact"),
        G.may("SCHEMA-003", attr)
            .cites(rfc::SCHEMA_DEFINITIONS)
            .arg("User:userName:uniqueness:server|global")
            .title("User userName has server (or global) uniqueness"),
        G.must("SCHEMA-004", attr)
            .cites(rfc::PASSWORD_NEVER)
            .arg("User:password:returned:never")
            .title("User password is returned never"),
        G.may("SCHEMA-005", attr)
            .cites(rfc::SCHEMA_DEFINITIONS)
            .arg("User:password:mutability:writeOnly")
            .title("User password is writeOnly"),
        G.may("SCHEMA-006", attr)
            .cites(rfc::SCHEMA_DEFINITIONS)
            .arg("User:active:type:boolean")
            .title("User active is a boolean"),
        G.may("SCHEMA-007", attr)
            .cites(rfc::SCHEMA_DEFINITIONS)
            .arg("User:emails:multiValued:true")
            .title("User emails is multi-valued"),
        G.may("SCHEMA-008", attr)
            .cites(rfc::SCHEMA_DEFINITIONS)
            .arg("User:emails:type:complex")
            .title("User emails is complex"),
        G.may("SCHEMA-009", attr)
            .cites(rfc::SCHEMA_DEFINITIONS)
            .arg("User:name:type:complex")
            .title("User name is complex"),
        G.may("SCHEMA-010", attr)
            .cites(rfc::SCHEMA_DEFINITIONS)
            .arg("User:groups:mutability:readOnly")
            .title("User groups is readOnly"),
        G.may("SCHEMA-011", attr)
            .cites(rfc::SCHEMA_DEFINITIONS)
            .arg("User:groups:multiValued:true")
            .title("User groups is multi-valued"),
        G.may("SCHEMA-012", attr)
            .cites(rfc::SCHEMA_DEFINITIONS)
            .arg("User:displayName:type:string")
            .title("User displayName is a string"),
        G.may("SCHEMA-013", attr)
            .cites(rfc::SCHEMA_DEFINITIONS)
            .arg("User:userName:type:string")
            .title("User userName is a string"),
        G.may("SCHEMA-014", attr)
            .cites(rfc::SCHEMA_DEFINITIONS)
            .arg("User:phoneNumbers:multiValued:true")
            .title("User phoneNumbers is multi-valued"),
        G.may("SCHEMA-015", attr)
            .cites(rfc::SCHEMA_DEFINITIONS)
            .arg("User:active:mutability:readWrite")
            .title("User active is readWrite"),
        G.may("SCHEMA-016", attr)
            .cites(rfc::SCHEMA_DEFINITIONS)
            .needs(Needs::Groups)
            .arg("Group:members:multiValued:true")
            .title("Group members is multi-valued"),
        G.may("SCHEMA-017", attr)
            .cites(rfc::SCHEMA_DEFINITIONS)
            .needs(Needs::Groups)
            .arg("Group:displayName:type:string")
            .title("Group displayName is a string"),
        G.must("SCHEMA-018", every_attr_typed)
            .cites(rfc::SCHEMA_ATTRS_REQUIRED)
            .title("every User attribute declares name, type and multiValued"),
        G.should("SCHEMA-019", complex_has_subs)
            .cites(rfc::SCHEMA_SUB_ATTRIBUTES)
            .title("every complex User attribute declares subAttributes"),
        G.must("SCHEMA-020", known_values)
            .cites(rfc::SCHEMA_KEYWORDS)
            .title("mutability, returned and uniqueness use only the RFC's values"),
    ]
}

fn urn(kind: &str) -> &'static str {
    if kind == "Group" { GROUP_URN } else { USER_URN }
}

fn find<'a>(s: &'a Value, name: &str) -> Option<&'a Value> {
    s["attributes"].as_array()?.iter().find(|a| {
        a["name"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })
}

/// `Kind:attribute:characteristic:allowed|values`.
async fn attr(c: &Ctx, spec: &'static str) -> Verdict {
    let mut p = spec.split(':');
    let (kind, name, key, want) = (
        p.next().unwrap_or(""),
        p.next().unwrap_or(""),
        p.next().unwrap_or(""),
        p.next().unwrap_or(""),
    );
    let s = schema(c, urn(kind))
        .ok_or_else(|| skipped(format!("/Schemas does not serve the {kind} schema")))?;
    let Some(a) = find(&s, name) else {
        return Err(skipped(format!(
            "the {kind} schema does not declare {name}"
        )));
    };
    let got = match &a[key] {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        other => brief(other),
    };
    ensure!(
        want.split('|').any(|w| w.eq_ignore_ascii_case(&got)),
        "{kind}.{name}.{key} is {got}, expected {want}"
    );
    Ok(format!("{key} = {got}"))
}

fn user_attrs(c: &Ctx) -> Result<Vec<Value>, Fail> {
    let s = schema(c, USER_URN)
        .ok_or_else(|| failed("/Schemas does not serve the core User schema"))?;
    Ok(s["attributes"].as_array().cloned().unwrap_or_default())
}

async fn every_attr_typed(c: &Ctx, _: &'static str) -> Verdict {
    let attrs = user_attrs(c)?;
    for a in &attrs {
        ensure!(
            a["name"].is_string() && a["type"].is_string() && a["multiValued"].is_boolean(),
            "incomplete attribute: {}",
            brief(a)
        );
    }
    Ok(format!("{} attributes", attrs.len()))
}

async fn complex_has_subs(c: &Ctx, _: &'static str) -> Verdict {
    for a in user_attrs(c)? {
        if a["type"].as_str() == Some("complex") {
            ensure!(
                a["subAttributes"].as_array().is_some_and(|s| !s.is_empty()),
                "{} is complex without subAttributes",
                brief(&a["name"])
            );
        }
    }
    Ok("complex attributes describe their sub-attributes".into())
}

async fn known_values(c: &Ctx, _: &'static str) -> Verdict {
    let allowed: [(&str, &[&str]); 4] = [
        (
            "mutability",
            &["readOnly", "readWrite", "immutable", "writeOnly"],
        ),
        ("returned", &["always", "never", "default", "request"]),
        ("uniqueness", &["none", "server", "global"]),
        (
            "type",
            &[
                "string",
                "boolean",
                "decimal",
                "integer",
                "dateTime",
                "reference",
                "complex",
                "binary",
            ],
        ),
    ];
    let mut stack = user_attrs(c)?;
    while let Some(a) = stack.pop() {
        for (k, vals) in allowed {
            if let Some(v) = a.get(k).and_then(Value::as_str) {
                ensure!(
                    vals.contains(&v),
                    "{}.{k} = {v:?} is not an RFC value",
                    brief(&a["name"])
                );
            }
        }
        stack.extend(a["subAttributes"].as_array().cloned().unwrap_or_default());
    }
    Ok("only RFC values".into())
}
