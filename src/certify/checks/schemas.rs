//! The attribute characteristics /Schemas declares for the core User and
//! Group (RFC 7643 §4, §7, §8.7.1): clients decide case rules, mutability
//! and what is returned from them. One table, one function.

use crate::certify::catalogue::{Check, Verdict};
use crate::certify::checks::discovery::schema;
use crate::certify::ctx::{Ctx, GROUP_URN, USER_URN, brief, failed, skipped};
use crate::{certify_check as check, ensure};
use serde_json::Value;

const G: &str = "discovery";

pub fn checks() -> Vec<Check> {
    vec![
        check!(
            "SCHEMA-001",
            G,
            "RFC 7643 §4.1.1",
            Must,
            Rfc,
            Nothing,
            "User:userName:required:true",
            attr,
            "User userName is required"
        ),
        check!(
            "SCHEMA-002",
            G,
            "RFC 7643 §4.1.1",
            Should,
            Rfc,
            Nothing,
            "User:userName:caseExact:false",
            attr,
            "User userName is not caseExact"
        ),
        check!(
            "SCHEMA-003",
            G,
            "RFC 7643 §4.1.1",
            Should,
            Rfc,
            Nothing,
            "User:userName:uniqueness:server|global",
            attr,
            "User userName has server (or global) uniqueness"
        ),
        check!(
            "SCHEMA-004",
            G,
            "RFC 7643 §4.1.1",
            Must,
            Rfc,
            Nothing,
            "User:password:returned:never",
            attr,
            "User password is returned never"
        ),
        check!(
            "SCHEMA-005",
            G,
            "RFC 7643 §4.1.1",
            Should,
            Rfc,
            Nothing,
            "User:password:mutability:writeOnly",
            attr,
            "User password is writeOnly"
        ),
        check!(
            "SCHEMA-006",
            G,
            "RFC 7643 §4.1.1",
            Should,
            Rfc,
            Nothing,
            "User:active:type:boolean",
            attr,
            "User active is a boolean"
        ),
        check!(
            "SCHEMA-007",
            G,
            "RFC 7643 §4.1.2",
            Should,
            Rfc,
            Nothing,
            "User:emails:multiValued:true",
            attr,
            "User emails is multi-valued"
        ),
        check!(
            "SCHEMA-008",
            G,
            "RFC 7643 §4.1.2",
            Should,
            Rfc,
            Nothing,
            "User:emails:type:complex",
            attr,
            "User emails is complex"
        ),
        check!(
            "SCHEMA-009",
            G,
            "RFC 7643 §4.1.1",
            Should,
            Rfc,
            Nothing,
            "User:name:type:complex",
            attr,
            "User name is complex"
        ),
        check!(
            "SCHEMA-010",
            G,
            "RFC 7643 §4.1.2",
            Should,
            Rfc,
            Nothing,
            "User:groups:mutability:readOnly",
            attr,
            "User groups is readOnly"
        ),
        check!(
            "SCHEMA-011",
            G,
            "RFC 7643 §4.1.2",
            Should,
            Rfc,
            Nothing,
            "User:groups:multiValued:true",
            attr,
            "User groups is multi-valued"
        ),
        check!(
            "SCHEMA-012",
            G,
            "RFC 7643 §4.1.1",
            Should,
            Rfc,
            Nothing,
            "User:displayName:type:string",
            attr,
            "User displayName is a string"
        ),
        check!(
            "SCHEMA-013",
            G,
            "RFC 7643 §4.1.1",
            Should,
            Rfc,
            Nothing,
            "User:userName:type:string",
            attr,
            "User userName is a string"
        ),
        check!(
            "SCHEMA-014",
            G,
            "RFC 7643 §4.1.2",
            Should,
            Rfc,
            Nothing,
            "User:phoneNumbers:multiValued:true",
            attr,
            "User phoneNumbers is multi-valued"
        ),
        check!(
            "SCHEMA-015",
            G,
            "RFC 7643 §4.1.1",
            Should,
            Rfc,
            Nothing,
            "User:active:mutability:readWrite",
            attr,
            "User active is readWrite"
        ),
        check!(
            "SCHEMA-016",
            G,
            "RFC 7643 §4.2",
            Should,
            Rfc,
            Groups,
            "Group:members:multiValued:true",
            attr,
            "Group members is multi-valued"
        ),
        check!(
            "SCHEMA-017",
            G,
            "RFC 7643 §4.2",
            Should,
            Rfc,
            Groups,
            "Group:displayName:type:string",
            attr,
            "Group displayName is a string"
        ),
        check!(
            "SCHEMA-018",
            G,
            "RFC 7643 §7",
            Must,
            Rfc,
            Nothing,
            "",
            every_attr_typed,
            "every User attribute declares name, type and multiValued"
        ),
        check!(
            "SCHEMA-019",
            G,
            "RFC 7643 §7",
            Must,
            Rfc,
            Nothing,
            "",
            complex_has_subs,
            "every complex User attribute declares subAttributes"
        ),
        check!(
            "SCHEMA-020",
            G,
            "RFC 7643 §7",
            Must,
            Rfc,
            Nothing,
            "",
            known_values,
            "mutability, returned and uniqueness use only the RFC's values"
        ),
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

fn user_attrs(c: &Ctx) -> Result<Vec<Value>, crate::certify::catalogue::Fail> {
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
