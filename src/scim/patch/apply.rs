//! Applying PATCH operations (RFC 7644 §3.5.2.1–3) to a copy of a
//! resource: all of them, or none (the caller's resource is never touched;
//! an error discards the copy).
//!
//! Readings of the RFC where it leaves room:
//! - removing an attribute that is not there is a no-op, but a value
//!   filter that matches nothing is `noTarget` for every operation (the
//!   §3.12 definition of noTarget);
//! - `remove` with path `members` and a `value` array removes just the
//!   listed values (the form Entra ID and Okta send; vendor-behaviour.md);
//! - a value written with `primary: true` clears `primary` on the others
//!   (RFC 7643 §2.4: at most one primary value).

use super::request::{PatchOpKind, PatchOperation, PatchPath, PatchRequest};
use crate::scim::filter::{Filter, matches_value};
use crate::scim::schema::{AttrType, Attribute, Mutability, ResourceSchema, Schema};
use crate::scim::validate::{self, single, value_for};
use crate::scim::{ScimError, ScimResult};
use serde_json::{Map, Value};

/// Applies every operation in order and returns the new resource.
pub fn apply(
    resource: &Value,
    request: &PatchRequest,
    schema: &ResourceSchema,
) -> ScimResult<Value> {
    let Value::Object(original) = resource else {
        return Err(ScimError::internal("the stored resource is not an object"));
    };
    let mut doc = original.clone();
    for (i, op) in request.operations.iter().enumerate() {
        apply_one(&mut doc, op, schema).map_err(|e| {
            ScimError::new(
                e.status,
                e.scim_type,
                format!("Operations[{i}]: {}", e.detail),
            )
        })?;
    }
    validate::after_patch(&Value::Object(doc), schema)
}

/// Where a path points.
struct Location<'a> {
    ext: Option<&'a Schema>,
    /// `None`: the whole extension.
    attr: Option<&'a Attribute>,
    /// `name.givenName`: the sub-attribute of a path without a filter.
    sub: Option<&'a Attribute>,
    filter: Option<&'a Filter>,
    filter_sub: Option<&'a Attribute>,
}

fn locate<'a>(path: &'a PatchPath, schema: &'a ResourceSchema) -> ScimResult<Location<'a>> {
    let unknown = || {
        ScimError::invalid_path(format!(
            "{path} does not name an attribute of {}",
            schema.resource_type.name
        ))
    };
    let resolved = schema.resolve(&path.attr).ok_or_else(unknown)?;
    let ext = if resolved.in_extension {
        Some(schema.extension(resolved.schema).ok_or_else(unknown)?)
    } else {
        None
    };
    if path.attr.sub.is_some() && resolved.sub.is_none() {
        return Err(unknown());
    }
    let filter_sub = match (&path.filter_sub, resolved.attribute) {
        (Some(name), Some(attr)) => Some(attr.sub_attribute(name).ok_or_else(unknown)?),
        _ => None,
    };
    if path.filter.is_some() {
        let attr = resolved.attribute.ok_or_else(unknown)?;
        if !attr.multi_valued {
            return Err(ScimError::invalid_path(format!(
                "{path}: a value filter needs a multi-valued attribute"
            )));
        }
    }
    Ok(Location {
        ext,
        attr: resolved.attribute,
        sub: resolved.sub,
        filter: path.filter.as_ref(),
        filter_sub,
    })
}

/// The object holding the attribute: the resource, or its extension object.
fn container<'d>(
    doc: &'d mut Map<String, Value>,
    ext: Option<&Schema>,
    create: bool,
) -> Option<&'d mut Map<String, Value>> {
    let Some(ext) = ext else { return Some(doc) };
    if create && !doc.get(&ext.id).is_some_and(Value::is_object) {
        doc.insert(ext.id.clone(), Value::Object(Map::new()));
    }
    doc.get_mut(&ext.id).and_then(Value::as_object_mut)
}

fn has_value(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Array(a)) => !a.is_empty(),
        Some(_) => true,
    }
}

/// RFC 7644 §3.5.2: no operation may modify a readOnly attribute, nor an
/// immutable one that already has a value (adding the first value is allowed).
fn check_mutability(
    attr: &Attribute,
    sub: Option<&Attribute>,
    op: PatchOpKind,
    current: Option<&Value>,
) -> ScimResult<()> {
    if attr.mutability == Mutability::ReadOnly {
        return Err(ScimError::mutability(format!("{} is readOnly", attr.name)));
    }
    if let Some(sub) = sub
        && sub.mutability == Mutability::ReadOnly
    {
        return Err(ScimError::mutability(format!(
            "{}.{} is readOnly",
            attr.name, sub.name
        )));
    }
    let adds_first = op == PatchOpKind::Add && !has_value(current);
    if attr.mutability == Mutability::Immutable && !adds_first && has_value(current) {
        return Err(ScimError::mutability(format!(
            "{} is immutable: it cannot change once set",
            attr.name
        )));
    }
    Ok(())
}

fn apply_one(
    doc: &mut Map<String, Value>,
    op: &PatchOperation,
    schema: &ResourceSchema,
) -> ScimResult<()> {
    let value = op.value.as_ref();
    match (&op.path, op.op) {
        (None, PatchOpKind::Remove) => Err(ScimError::no_target("remove needs a path")),
        (None, kind) => {
            // The value is an object of attributes, extension objects, or
            // URN-qualified attribute names (RFC 7644 §3.5.2.1, §3.5.2.3).
            let Some(Value::Object(attrs)) = value else {
                return Err(ScimError::invalid_value(
                    "without a path, the value must be an object",
                ));
            };
            for (key, v) in attrs {
                if key == "schemas" {
                    continue;
                }
                let path = PatchPath::parse(key).map_err(|_| {
                    ScimError::invalid_value(format!("{key:?} is not an attribute name"))
                })?;
                let loc = locate(&path, schema).map_err(|_| {
                    ScimError::invalid_value(format!(
                        "{key:?} is not an attribute of {}",
                        schema.resource_type.name
                    ))
                })?;
                write(doc, &loc, v, kind)?;
            }
            Ok(())
        }
        (Some(path), PatchOpKind::Remove) => remove(doc, &locate(path, schema)?, value),
        (Some(path), kind) => {
            let v =
                value.ok_or_else(|| ScimError::invalid_syntax("add and replace need a value"))?;
            write(doc, &locate(path, schema)?, v, kind)
        }
    }
}

/// `add` and `replace` at a location.
fn write(
    doc: &mut Map<String, Value>,
    loc: &Location<'_>,
    value: &Value,
    kind: PatchOpKind,
) -> ScimResult<()> {
    let Some(attr) = loc.attr else {
        // The whole extension: each member is one of its attributes.
        let Some(ext) = loc.ext else {
            return Err(ScimError::invalid_path("the path names no attribute"));
        };
        let Value::Object(members) = value else {
            return Err(ScimError::invalid_value(format!(
                "{} takes an object of its attributes",
                ext.id
            )));
        };
        for (k, v) in members {
            // Some clients repeat `schemas` inside the extension object.
            if k == "schemas" {
                continue;
            }
            let a = ext.attribute(k).ok_or_else(|| {
                ScimError::invalid_value(format!("{k:?} is not an attribute of {}", ext.id))
            })?;
            let inner = Location {
                ext: Some(ext),
                attr: Some(a),
                sub: None,
                filter: None,
                filter_sub: None,
            };
            write(doc, &inner, v, kind)?;
        }
        return Ok(());
    };
    let target =
        container(doc, loc.ext, true).ok_or_else(|| ScimError::internal("no container"))?;
    let current = target.get(&attr.name);
    check_mutability(attr, loc.sub.or(loc.filter_sub), kind, current)?;

    if let Some(filter) = loc.filter {
        let elements = matching_elements(target, attr, filter)?;
        let Some(Value::Array(items)) = target.get_mut(&attr.name) else {
            return Err(ScimError::no_target(format!("{} has no values", attr.name)));
        };
        match loc.filter_sub {
            Some(sub) => {
                let new = value_for(sub, value, &format!("{}.{}", attr.name, sub.name))?;
                for i in &elements {
                    if let Some(Value::Object(el)) = items.get_mut(*i) {
                        match &new {
                            Some(v) => el.insert(sub.name.clone(), v.clone()),
                            None => el.remove(&sub.name),
                        };
                    }
                }
            }
            None => {
                let new = single(attr, value, &attr.name)?.ok_or_else(|| {
                    ScimError::invalid_value(format!("{} needs a value", attr.name))
                })?;
                for i in &elements {
                    if let Some(slot) = items.get_mut(*i) {
                        *slot = match (kind, slot.take(), &new) {
                            (PatchOpKind::Add, Value::Object(mut old), Value::Object(add)) => {
                                old.extend(add.clone());
                                Value::Object(old)
                            }
                            _ => new.clone(),
                        };
                    }
                }
            }
        }
        enforce_one_primary(items, &elements);
        return Ok(());
    }

    if let Some(sub) = loc.sub {
        if attr.multi_valued {
            return Err(ScimError::invalid_path(format!(
                "{}.{}: select values of a multi-valued attribute with a filter, e.g. {}[type eq \"work\"].{}",
                attr.name, sub.name, attr.name, sub.name
            )));
        }
        let new = value_for(sub, value, &format!("{}.{}", attr.name, sub.name))?;
        let entry = target
            .entry(attr.name.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        if let Value::Object(complex) = entry {
            match new {
                Some(v) => complex.insert(sub.name.clone(), v),
                None => complex.remove(&sub.name),
            };
        }
        return Ok(());
    }

    // The attribute itself.
    let wrapped;
    let value = if attr.multi_valued && !value.is_array() && !value.is_null() {
        wrapped = Value::Array(vec![value.clone()]);
        &wrapped
    } else {
        value
    };
    let new = value_for(attr, value, &attr.name)?;
    match (attr.multi_valued, attr.attr_type, kind, new) {
        (_, _, PatchOpKind::Add, None) => {}
        (_, _, _, None) => {
            target.remove(&attr.name);
        }
        (true, _, PatchOpKind::Add, Some(Value::Array(added))) => {
            let items = target
                .entry(attr.name.clone())
                .or_insert_with(|| Value::Array(vec![]));
            if !items.is_array() {
                *items = Value::Array(vec![]);
            }
            if let Value::Array(items) = items {
                let mut fresh = Vec::new();
                for v in added {
                    if !items.contains(&v) {
                        items.push(v);
                        fresh.push(items.len() - 1);
                    }
                }
                enforce_one_primary(items, &fresh);
            }
        }
        // Complex single-valued: sub-attributes not given are left as they
        // are, for add and replace alike (RFC 7644 §3.5.2.1, §3.5.2.3).
        (false, AttrType::Complex, _, Some(Value::Object(subs))) => {
            let entry = target
                .entry(attr.name.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            match entry {
                Value::Object(old) => old.extend(subs),
                other => *other = Value::Object(subs),
            }
        }
        (_, _, _, Some(v)) => {
            target.insert(attr.name.clone(), v);
        }
    }
    Ok(())
}

/// Indices of the values of `attr` that `filter` selects; none is `noTarget`.
fn matching_elements(
    target: &Map<String, Value>,
    attr: &Attribute,
    filter: &Filter,
) -> ScimResult<Vec<usize>> {
    let found: Vec<usize> = match target.get(&attr.name) {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter(|(_, v)| matches_value(filter, v, attr))
            .map(|(i, _)| i)
            .collect(),
        _ => vec![],
    };
    if found.is_empty() {
        return Err(ScimError::no_target(format!(
            "{}[{filter}] matches no value",
            attr.name
        )));
    }
    Ok(found)
}

/// When one of `written` is now primary, no other value stays primary.
fn enforce_one_primary(items: &mut [Value], written: &[usize]) {
    let is_primary = |v: &Value| v.get("primary").and_then(Value::as_bool) == Some(true);
    let Some(winner) = written
        .iter()
        .rev()
        .copied()
        .find(|i| items.get(*i).is_some_and(is_primary))
    else {
        return;
    };
    for (i, v) in items.iter_mut().enumerate() {
        if i != winner
            && is_primary(v)
            && let Value::Object(m) = v
        {
            m.insert("primary".into(), Value::Bool(false));
        }
    }
}

fn remove(
    doc: &mut Map<String, Value>,
    loc: &Location<'_>,
    value: Option<&Value>,
) -> ScimResult<()> {
    let Some(attr) = loc.attr else {
        if let Some(ext) = loc.ext {
            doc.remove(&ext.id);
        }
        return Ok(());
    };
    let Some(target) = container(doc, loc.ext, false) else {
        return if loc.filter.is_some() {
            Err(ScimError::no_target(format!("{} has no values", attr.name)))
        } else {
            Ok(())
        };
    };
    check_mutability(
        attr,
        loc.sub.or(loc.filter_sub),
        PatchOpKind::Remove,
        target.get(&attr.name),
    )?;

    if let Some(filter) = loc.filter {
        let selected = matching_elements(target, attr, filter)?;
        if let Some(Value::Array(items)) = target.get_mut(&attr.name) {
            match loc.filter_sub {
                Some(sub) => {
                    for i in &selected {
                        if let Some(Value::Object(el)) = items.get_mut(*i) {
                            el.remove(&sub.name);
                        }
                    }
                    items.retain(|v| !matches!(v, Value::Object(m) if m.is_empty()));
                }
                None => {
                    let mut i = 0;
                    items.retain(|_| {
                        let keep = !selected.contains(&i);
                        i += 1;
                        keep
                    });
                }
            }
        }
    } else if let Some(sub) = loc.sub {
        match target.get_mut(&attr.name) {
            Some(Value::Object(complex)) => {
                complex.remove(&sub.name);
            }
            Some(Value::Array(items)) => {
                for el in items.iter_mut() {
                    if let Value::Object(m) = el {
                        m.remove(&sub.name);
                    }
                }
            }
            _ => {}
        }
    } else if let (true, Some(listed)) = (attr.multi_valued, value.filter(|v| !v.is_null())) {
        // RFC-literal removal of listed values (`members` with a value array).
        let listed: Vec<&Value> = match listed {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        let key = |v: &Value| v.get("value").cloned().unwrap_or_else(|| v.clone());
        let doomed: Vec<Value> = listed.iter().map(|v| key(v)).collect();
        if let Some(Value::Array(items)) = target.get_mut(&attr.name) {
            items.retain(|v| !doomed.contains(&key(v)));
        }
    } else {
        target.remove(&attr.name);
    }

    // An emptied attribute is unassigned (RFC 7644 §3.5.2.2).
    let emptied = match target.get(&attr.name) {
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        _ => false,
    };
    if emptied {
        target.remove(&attr.name);
    }
    if let Some(ext) = loc.ext
        && doc
            .get(&ext.id)
            .and_then(Value::as_object)
            .is_some_and(Map::is_empty)
    {
        doc.remove(&ext.id);
    }
    Ok(())
}
