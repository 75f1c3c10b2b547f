//! Schema-driven validation of resources (RFC 7643 §2, RFC 7644 §3.3,
//! §3.5.1): a client's JSON in, the canonical resource to store out.
//!
//! Canonical means: attribute names spelled as the schema spells them
//! (clients may use any case, RFC 7643 §2.1), extension attributes nested
//! under their URN, unassigned values (null, `[]`) dropped, and `schemas`
//! listing the core URN plus the extensions actually present.

use crate::scim::schema::{AttrType, Attribute, Mutability, ResourceSchema, Schema};
use crate::scim::{ScimError, ScimResult};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, NaiveDateTime};
use serde_json::{Map, Value};

/// POST body -> resource to store (RFC 7644 §3.3). readOnly attributes
/// are ignored, as the RFC says; unknown attributes are refused
/// (`invalidSyntax`), because a strict provider must not silently drop what
/// a connector believes it provisioned.
pub fn for_create(body: &Value, schema: &ResourceSchema) -> ScimResult<Value> {
    let Value::Object(input) = body else {
        return Err(ScimError::invalid_syntax(
            "a resource must be a JSON object",
        ));
    };
    check_schemas(input, schema)?;
    let resource = canonical(input, schema)?;
    check_required(&resource, schema, Requirement::Create)?;
    Ok(resource)
}

/// PUT body (RFC 7644 §3.5.1): like create, and immutable attributes that
/// already have a value must keep it (400 `mutability`). Omitted readWrite
/// attributes are cleared; an omitted writeOnly attribute (password) is
/// kept, because a client can never read it back to resend it.
pub fn for_replace(body: &Value, existing: &Value, schema: &ResourceSchema) -> ScimResult<Value> {
    let mut resource = for_create(body, schema)?;
    let Some(out) = resource.as_object_mut() else {
        return Ok(resource);
    };
    for attr in schema.core.attributes.iter() {
        let old = existing.get(&attr.name);
        match attr.mutability {
            Mutability::Immutable => {
                if let (Some(old), Some(new)) = (old, out.get(&attr.name))
                    && old != new
                {
                    return Err(ScimError::mutability(format!(
                        "{} is immutable: it cannot change once set",
                        attr.name
                    )));
                }
            }
            Mutability::WriteOnly if !out.contains_key(&attr.name) => {
                if let Some(old) = old {
                    out.insert(attr.name.clone(), old.clone());
                }
            }
            _ => {}
        }
    }
    Ok(resource)
}

/// Re-checks a resource after PATCH: types and required attributes. A
/// required attribute that a PATCH made unassigned is a `mutability` error
/// (RFC 7644 §3.5.2.2).
pub fn after_patch(resource: &Value, schema: &ResourceSchema) -> ScimResult<Value> {
    let Value::Object(input) = resource else {
        return Err(ScimError::invalid_syntax(
            "a resource must be a JSON object",
        ));
    };
    let out = canonical(input, schema)?;
    check_required(&out, schema, Requirement::Patch)?;
    Ok(out)
}

fn check_schemas(input: &Map<String, Value>, schema: &ResourceSchema) -> ScimResult<()> {
    let Some(list) = input.get("schemas") else {
        return Err(ScimError::invalid_syntax(format!(
            "schemas is required and must contain \"{}\"",
            schema.core.id
        )));
    };
    let Some(list) = list.as_array() else {
        return Err(ScimError::invalid_syntax(
            "schemas must be an array of schema URNs",
        ));
    };
    let mut has_core = false;
    for urn in list {
        let Some(urn) = urn.as_str() else {
            return Err(ScimError::invalid_syntax(
                "schemas must be an array of strings",
            ));
        };
        if urn.eq_ignore_ascii_case(&schema.core.id) {
            has_core = true;
        } else if schema.extension(urn).is_none() {
            return Err(ScimError::invalid_syntax(format!(
                "schemas lists {urn:?}, which is not a schema of {} resources",
                schema.resource_type.name
            )));
        }
    }
    if !has_core {
        return Err(ScimError::invalid_syntax(format!(
            "schemas must contain \"{}\"",
            schema.core.id
        )));
    }
    Ok(())
}

/// Where a client-side key puts its value.
enum Slot<'a> {
    Core(&'a Attribute),
    Extension(&'a Schema, &'a Attribute),
    WholeExtension(&'a Schema),
}

fn slot<'a>(key: &str, schema: &'a ResourceSchema) -> ScimResult<Slot<'a>> {
    let unknown = || {
        ScimError::invalid_syntax(format!(
            "{key:?} is not an attribute of {} resources",
            schema.resource_type.name
        ))
    };
    if let Some(ext) = schema.extension(key) {
        return Ok(Slot::WholeExtension(ext));
    }
    if let Some(attr) = schema.core_attribute(key) {
        return Ok(Slot::Core(attr));
    }
    // `urn:...:User:department` (Entra sends extension attributes flat) or
    // `urn:...:core:2.0:User:userName`.
    let path = crate::scim::path::AttrPath::parse(key).map_err(|_| unknown())?;
    if path.urn.is_none() || path.sub.is_some() {
        return Err(unknown());
    }
    let resolved = schema.resolve(&path).ok_or_else(unknown)?;
    let attr = resolved.attribute.ok_or_else(unknown)?;
    if resolved.in_extension {
        let ext = schema.extension(resolved.schema).ok_or_else(unknown)?;
        Ok(Slot::Extension(ext, attr))
    } else {
        Ok(Slot::Core(attr))
    }
}

fn canonical(input: &Map<String, Value>, schema: &ResourceSchema) -> ScimResult<Value> {
    let mut out = Map::new();
    let mut extensions: Vec<(String, Map<String, Value>)> = Vec::new();
    fn ext_entry(extensions: &mut Vec<(String, Map<String, Value>)>, ext: &Schema) -> usize {
        match extensions.iter().position(|(id, _)| *id == ext.id) {
            Some(i) => i,
            None => {
                extensions.push((ext.id.clone(), Map::new()));
                extensions.len() - 1
            }
        }
    }
    for (key, value) in input {
        if key == "schemas" {
            continue;
        }
        match slot(key, schema)? {
            Slot::Core(attr) => {
                if attr.mutability == Mutability::ReadOnly {
                    continue;
                }
                if let Some(v) = value_for(attr, value, &attr.name)? {
                    out.insert(attr.name.clone(), v);
                }
            }
            Slot::Extension(ext, attr) => {
                if attr.mutability == Mutability::ReadOnly {
                    continue;
                }
                if let Some(v) = value_for(attr, value, &format!("{}:{}", ext.id, attr.name))? {
                    let i = ext_entry(&mut extensions, ext);
                    extensions[i].1.insert(attr.name.clone(), v);
                }
            }
            Slot::WholeExtension(ext) => {
                let Value::Object(inner) = value else {
                    if value.is_null() {
                        continue;
                    }
                    return Err(ScimError::invalid_syntax(format!(
                        "{} must be an object of extension attributes",
                        ext.id
                    )));
                };
                for (k, v) in inner {
                    // Some clients repeat `schemas` inside the extension.
                    if k == "schemas" {
                        continue;
                    }
                    let attr = ext.attribute(k).ok_or_else(|| {
                        ScimError::invalid_syntax(format!(
                            "{k:?} is not an attribute of {}",
                            ext.id
                        ))
                    })?;
                    if attr.mutability == Mutability::ReadOnly {
                        continue;
                    }
                    if let Some(v) = value_for(attr, v, &format!("{}:{}", ext.id, attr.name))? {
                        let i = ext_entry(&mut extensions, ext);
                        extensions[i].1.insert(attr.name.clone(), v);
                    }
                }
            }
        }
    }
    let mut schemas = vec![Value::String(schema.core.id.clone())];
    for (id, attrs) in extensions {
        if !attrs.is_empty() {
            schemas.push(Value::String(id.clone()));
            out.insert(id, Value::Object(attrs));
        }
    }
    let mut resource = Map::with_capacity(out.len() + 1);
    resource.insert("schemas".into(), Value::Array(schemas));
    resource.extend(out);
    Ok(Value::Object(resource))
}

#[derive(Clone, Copy, PartialEq)]
enum Requirement {
    Create,
    Patch,
}

fn check_required(resource: &Value, schema: &ResourceSchema, when: Requirement) -> ScimResult<()> {
    for attr in schema.core.attributes.iter() {
        if attr.required
            && attr.mutability != Mutability::ReadOnly
            && resource.get(&attr.name).is_none()
        {
            let detail = format!("{} is required", attr.name);
            return Err(match when {
                Requirement::Create => ScimError::invalid_value(detail),
                Requirement::Patch => {
                    ScimError::mutability(format!("{detail}: it cannot be removed"))
                }
            });
        }
    }
    Ok(())
}

/// Checks one attribute's value against its definition and returns it in
/// canonical form; `None` means unassigned (null or `[]`).
pub(crate) fn value_for(attr: &Attribute, value: &Value, path: &str) -> ScimResult<Option<Value>> {
    if value.is_null() {
        return Ok(None);
    }
    if attr.multi_valued {
        let Value::Array(items) = value else {
            return Err(ScimError::invalid_value(format!(
                "{path} is multi-valued: expected an array"
            )));
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            if item.is_null() {
                continue;
            }
            if let Some(v) = single(attr, item, &format!("{path}[{i}]"))? {
                out.push(v);
            }
        }
        let primaries = out
            .iter()
            .filter(|v| v.get("primary").and_then(Value::as_bool) == Some(true))
            .count();
        if primaries > 1 {
            return Err(ScimError::invalid_value(format!(
                "{path}: at most one value may be primary (RFC 7643 §2.4), found {primaries}"
            )));
        }
        return Ok((!out.is_empty()).then_some(Value::Array(out)));
    }
    if value.is_array() {
        return Err(ScimError::invalid_value(format!(
            "{path} is single-valued: expected one {}, found an array",
            attr.attr_type.as_str()
        )));
    }
    single(attr, value, path)
}

/// One value of an attribute (an element, for multi-valued ones).
pub(crate) fn single(attr: &Attribute, value: &Value, path: &str) -> ScimResult<Option<Value>> {
    let wrong = |expected: &str| {
        Err(ScimError::invalid_value(format!(
            "{path} must be {expected}, found {}",
            describe(value)
        )))
    };
    match attr.attr_type {
        AttrType::String | AttrType::Reference => match value {
            Value::String(_) => Ok(Some(value.clone())),
            _ => wrong("a string"),
        },
        AttrType::Boolean => match value {
            Value::Bool(_) => Ok(Some(value.clone())),
            _ => wrong("a boolean (true or false)"),
        },
        AttrType::Integer => match value {
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(Some(value.clone())),
            _ => wrong("an integer"),
        },
        AttrType::Decimal => match value {
            Value::Number(_) => Ok(Some(value.clone())),
            _ => wrong("a decimal number"),
        },
        AttrType::DateTime => match value {
            Value::String(s) if is_xsd_date_time(s) => Ok(Some(value.clone())),
            _ => wrong("an xsd:dateTime such as \"2008-01-23T04:56:22Z\""),
        },
        AttrType::Binary => match value {
            Value::String(s) if STANDARD.decode(s).is_ok() => Ok(Some(value.clone())),
            _ => wrong("base64-encoded binary"),
        },
        AttrType::Complex => {
            let Value::Object(map) = value else {
                return wrong("an object");
            };
            let mut out = Map::new();
            for (k, v) in map {
                let sub = attr.sub_attribute(k).ok_or_else(|| {
                    ScimError::invalid_syntax(format!("{k:?} is not a sub-attribute of {path}"))
                })?;
                if sub.mutability == Mutability::ReadOnly && !is_reference_helper(sub) {
                    continue;
                }
                if let Some(v) = value_for(sub, v, &format!("{path}.{}", sub.name))? {
                    out.insert(sub.name.clone(), v);
                }
            }
            Ok((!out.is_empty()).then_some(Value::Object(out)))
        }
    }
}

/// `$ref`, `type` and `display` of references are readOnly or immutable in
/// some schemas but clients send them (RFC 7643 §4.2 example); keep them.
fn is_reference_helper(sub: &Attribute) -> bool {
    matches!(sub.name.as_str(), "$ref" | "display" | "type")
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) if s.chars().count() > 40 => "a long string".into(),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// xsd:dateTime (RFC 7643 §2.3.5): with or without a zone designator.
fn is_xsd_date_time(s: &str) -> bool {
    DateTime::parse_from_rfc3339(s).is_ok()
        || NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").is_ok()
}

#[cfg(test)]
mod tests;
