//! What a query returns: `attributes`/`excludedAttributes` with the
//! `returned` characteristic (RFC 7644 §3.4.2.5, §3.9; RFC 7643 §2.4),
//! and sort order (RFC 7644 §3.4.2.3).

use crate::scim::path::AttrPath;
use crate::scim::schema::{AttrType, Attribute, ResourceSchema, Returned};
use crate::scim::{ScimError, ScimResult};
use chrono::DateTime;
use serde_json::{Map, Value};
use std::cmp::Ordering;
use std::sync::Arc;

/// Parses a comma-separated attribute list. Names this resource type does
/// not define are kept: they select nothing, as most providers do.
pub fn parse_attribute_list(text: &str, _schema: &ResourceSchema) -> ScimResult<Vec<AttrPath>> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            AttrPath::parse(s)
                .map_err(|_| ScimError::invalid_value(format!("{s:?} is not an attribute name")))
        })
        .collect()
}

/// A requested path, resolved: which container (core or an extension URN),
/// which attribute, which sub-attribute. `attribute: None` names a whole
/// extension.
struct Selector {
    container: Option<String>,
    attribute: Option<String>,
    sub: Option<String>,
}

fn selectors(paths: &[AttrPath], schema: &ResourceSchema) -> Vec<Selector> {
    paths
        .iter()
        .filter_map(|p| {
            let r = schema.resolve(p)?;
            Some(Selector {
                container: r.in_extension.then(|| r.schema.to_owned()),
                attribute: r.attribute.map(|a| a.name.clone()),
                sub: r.sub.map(|s| s.name.clone()),
            })
        })
        .collect()
}

/// [`project`] for a shared resource: when nothing is asked for and the
/// default view would keep every member, the resource itself is returned
/// uncopied. That is the common case on a lookup's hot path.
pub fn project_shared(
    resource: &Arc<Value>,
    schema: &ResourceSchema,
    attributes: &[AttrPath],
    excluded: &[AttrPath],
) -> Arc<Value> {
    let whole = attributes.is_empty()
        && excluded.is_empty()
        && resource
            .as_object()
            .is_some_and(|map| default_view_keeps_all(map, schema));
    if whole {
        Arc::clone(resource)
    } else {
        Arc::new(project(resource, schema, attributes, excluded))
    }
}

/// Whether [`project`] with no attribute lists would keep every member of
/// the resource as it is: nothing undefined, nothing returned `never` or
/// only on `request`, no complex value it would trim or drop.
pub fn default_view_keeps_all(map: &Map<String, Value>, schema: &ResourceSchema) -> bool {
    map.iter().all(|(key, value)| {
        if key == "schemas" {
            return true;
        }
        if let Some(ext) = schema.extension(key) {
            let Value::Object(inner) = value else {
                return false;
            };
            return !inner.is_empty()
                && inner.iter().all(|(name, v)| {
                    ext.attribute(name)
                        .is_some_and(|def| kept_whole_by_default(def, v))
                });
        }
        schema
            .core_attribute(key)
            .is_some_and(|def| kept_whole_by_default(def, value))
    })
}

fn kept_whole_by_default(def: &Attribute, value: &Value) -> bool {
    match def.returned {
        Returned::Never | Returned::Request => return false,
        Returned::Always => return true,
        Returned::Default => {}
    }
    if def.attr_type != AttrType::Complex {
        return true;
    }
    let whole_object = |v: &Value| match v {
        Value::Object(m) => {
            !m.is_empty()
                && m.keys().all(|k| {
                    def.sub_attribute(k)
                        .is_none_or(|d| d.returned != Returned::Never)
                })
        }
        _ => true,
    };
    match value {
        Value::Array(items) => !items.is_empty() && items.iter().all(whole_object),
        other => whole_object(other),
    }
}

/// Keeps the attributes a client asked for and the server must return.
pub fn project(
    resource: &Value,
    schema: &ResourceSchema,
    attributes: &[AttrPath],
    excluded: &[AttrPath],
) -> Value {
    let Value::Object(map) = resource else {
        return resource.clone();
    };
    let wanted = selectors(attributes, schema);
    let unwanted = selectors(excluded, schema);
    let mut out = Map::with_capacity(map.len());
    for (key, value) in map {
        if key == "schemas" {
            out.insert(key.clone(), value.clone());
        } else if let Some(ext) = schema.extension(key) {
            let Value::Object(inner) = value else {
                continue;
            };
            let whole = wanted
                .iter()
                .any(|s| s.container.as_deref() == Some(&ext.id) && s.attribute.is_none());
            let mut kept = Map::new();
            for (name, v) in inner {
                let Some(def) = ext.attribute(name) else {
                    continue;
                };
                if let Some(v) = select(Some(&ext.id), def, v, &wanted, &unwanted, whole) {
                    kept.insert(name.clone(), v);
                }
            }
            if !kept.is_empty() {
                out.insert(key.clone(), Value::Object(kept));
            }
        } else if let Some(def) = schema.core_attribute(key)
            && let Some(v) = select(None, def, value, &wanted, &unwanted, false)
        {
            out.insert(key.clone(), v);
        }
    }
    Value::Object(out)
}

fn select(
    container: Option<&str>,
    def: &Attribute,
    value: &Value,
    wanted: &[Selector],
    unwanted: &[Selector],
    whole_extension: bool,
) -> Option<Value> {
    let same = |s: &&Selector| {
        s.container.as_deref() == container && s.attribute.as_deref() == Some(def.name.as_str())
    };
    match def.returned {
        Returned::Never => return None,
        Returned::Always => return Some(value.clone()),
        _ => {}
    }
    if !wanted.is_empty() && !whole_extension {
        let asked: Vec<&Selector> = wanted.iter().filter(same).collect();
        if asked.is_empty() {
            return None;
        }
        if asked.iter().any(|s| s.sub.is_none()) {
            return Some(without_never_subs(def, value));
        }
        let subs: Vec<&str> = asked.iter().filter_map(|s| s.sub.as_deref()).collect();
        return keep_subs(def, value, |name| subs.contains(&name));
    }
    if def.returned == Returned::Request && !whole_extension {
        return None;
    }
    let dropped: Vec<&Selector> = unwanted.iter().filter(same).collect();
    if dropped.iter().any(|s| s.sub.is_none()) {
        return None;
    }
    if dropped.is_empty() {
        return Some(without_never_subs(def, value));
    }
    let subs: Vec<&str> = dropped.iter().filter_map(|s| s.sub.as_deref()).collect();
    keep_subs(def, value, |name| {
        !subs.contains(&name)
            || def
                .sub_attribute(name)
                .is_some_and(|d| d.returned == Returned::Always)
    })
}

fn without_never_subs(def: &Attribute, value: &Value) -> Value {
    if def.attr_type != AttrType::Complex {
        return value.clone();
    }
    keep_subs(def, value, |_| true).unwrap_or(Value::Null)
}

/// Keeps the sub-attributes of a complex value (or of each value of a
/// multi-valued one) that `keep` accepts and that may be returned.
fn keep_subs(def: &Attribute, value: &Value, keep: impl Fn(&str) -> bool) -> Option<Value> {
    let filter_one = |v: &Value| -> Option<Value> {
        let Value::Object(m) = v else {
            return Some(v.clone());
        };
        let kept: Map<String, Value> = m
            .iter()
            .filter(|(k, _)| {
                let never = def
                    .sub_attribute(k)
                    .is_some_and(|d| d.returned == Returned::Never);
                !never && keep(k)
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        (!kept.is_empty()).then_some(Value::Object(kept))
    };
    match value {
        Value::Array(items) => {
            let kept: Vec<Value> = items.iter().filter_map(filter_one).collect();
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        other => filter_one(other),
    }
}

#[derive(Debug, Clone, PartialEq, PartialOrd)]
enum SortKey {
    Bool(bool),
    Number(f64),
    Instant(i64, u32),
    Text(String),
}

fn sort_key(resource: &Value, path: &AttrPath, schema: &ResourceSchema) -> Option<SortKey> {
    let resolved = schema.resolve(path)?;
    let attribute = resolved.attribute?;
    let container = if resolved.in_extension {
        resource.get(resolved.schema)?
    } else {
        resource
    };
    let mut value = container.get(&attribute.name)?;
    // Multi-valued: the primary value, else the first (RFC 7644 §3.4.2.3).
    if let Value::Array(items) = value {
        value = items
            .iter()
            .find(|v| v.get("primary").and_then(Value::as_bool) == Some(true))
            .or_else(|| items.first())?;
    }
    let def = match (resolved.sub, attribute.attr_type) {
        (Some(sub), _) => {
            value = value.get(&sub.name)?;
            sub
        }
        (None, AttrType::Complex) => {
            let sub = attribute.sub_attribute("value")?;
            value = value.get(&sub.name)?;
            sub
        }
        (None, _) => attribute,
    };
    match (def.attr_type, value) {
        (_, Value::Bool(b)) => Some(SortKey::Bool(*b)),
        (_, Value::Number(n)) => n.as_f64().map(SortKey::Number),
        (AttrType::DateTime, Value::String(s)) => DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|d| SortKey::Instant(d.timestamp(), d.timestamp_subsec_nanos()))
            .or_else(|| Some(SortKey::Text(s.clone()))),
        (_, Value::String(s)) if def.case_exact => Some(SortKey::Text(s.clone())),
        (_, Value::String(s)) => Some(SortKey::Text(s.to_lowercase())),
        _ => None,
    }
}

/// Sorts by `path`; resources without a value come last when ascending and
/// first when descending (RFC 7644 §3.4.2.3). The sort is stable.
pub fn sort_by(
    resources: &mut [Arc<Value>],
    path: &AttrPath,
    descending: bool,
    schema: &ResourceSchema,
) {
    let mut keyed: Vec<(Option<SortKey>, Arc<Value>)> = resources
        .iter()
        .map(|r| (sort_key(r, path, schema), r.clone()))
        .collect();
    keyed.sort_by(|(a, _), (b, _)| {
        let ord = match (a, b) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(x), Some(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        };
        if descending { ord.reverse() } else { ord }
    });
    for (slot, (_, r)) in resources.iter_mut().zip(keyed) {
        *slot = r;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::schema::core;
    use serde_json::json;

    fn bjensen() -> Value {
        json!({
            "schemas": [core::USER, core::ENTERPRISE_USER],
            "id": "2819c223",
            "userName": "bjensen",
            "password": "t1meMa$heen",
            "name": {"givenName": "Barbara", "familyName": "Jensen"},
            "emails": [{"value": "b@example.com", "type": "work", "primary": true}],
            core::ENTERPRISE_USER: {"employeeNumber": "701984", "department": "Tour"},
            "meta": {"resourceType": "User"},
        })
    }

    fn paths(s: &str) -> Vec<AttrPath> {
        parse_attribute_list(s, &ResourceSchema::user()).unwrap()
    }

    /// The shared fast path must give exactly what `project` gives, and
    /// share only when that is the resource itself.
    #[rstest::rstest]
    #[case::with_password(bjensen(), false)]
    #[case::plain(json!({"schemas": [core::USER], "id": "1", "userName": "a",
        "emails": [{"value": "a@x", "primary": true}], "meta": {"resourceType": "User"}}), true)]
    #[case::unknown_attribute(json!({"schemas": [core::USER], "userName": "a", "nickName2": "x"}), false)]
    #[case::empty_complex(json!({"schemas": [core::USER], "userName": "a", "emails": []}), false)]
    #[case::empty_object_element(json!({"schemas": [core::USER], "userName": "a", "emails": [{}]}), false)]
    #[case::empty_extension(json!({"schemas": [core::USER], "userName": "a", core::ENTERPRISE_USER: {}}), false)]
    #[case::extension(json!({"schemas": [core::USER], "userName": "a",
        core::ENTERPRISE_USER: {"department": "Tour", "manager": {"value": "2"}}}), true)]
    fn project_shared_matches_project(#[case] resource: Value, #[case] shared: bool) {
        let s = ResourceSchema::user();
        let resource = Arc::new(resource);
        let out = project_shared(&resource, &s, &[], &[]);
        assert_eq!(*out, project(&resource, &s, &[], &[]));
        assert_eq!(Arc::ptr_eq(&out, &resource), shared);
        let asked = project_shared(&resource, &s, &paths("userName"), &[]);
        assert_eq!(*asked, project(&resource, &s, &paths("userName"), &[]));
    }

    #[test]
    fn password_is_never_returned_even_when_asked_for() {
        let s = ResourceSchema::user();
        let out = project(&bjensen(), &s, &paths("password,userName"), &[]);
        assert_eq!(out.get("password"), None);
        assert_eq!(out["userName"], "bjensen");
        assert!(project(&bjensen(), &s, &[], &[]).get("password").is_none());
    }

    #[test]
    fn attributes_keep_id_schemas_and_the_named_ones() {
        let s = ResourceSchema::user();
        let out = project(&bjensen(), &s, &paths("userName,name.familyName"), &[]);
        assert_eq!(
            out,
            json!({"schemas": [core::USER, core::ENTERPRISE_USER], "id": "2819c223",
                   "userName": "bjensen", "name": {"familyName": "Jensen"}})
        );
    }

    #[test]
    fn excluded_attributes_and_extension_paths() {
        let s = ResourceSchema::user();
        let out = project(&bjensen(), &s, &[], &paths("emails,name.givenName"));
        assert!(out.get("emails").is_none());
        assert_eq!(out["name"], json!({"familyName": "Jensen"}));
        let ext = format!("{}:department", core::ENTERPRISE_USER);
        let out = project(&bjensen(), &s, &paths(&ext), &[]);
        assert_eq!(out[core::ENTERPRISE_USER], json!({"department": "Tour"}));
        let out = project(&bjensen(), &s, &paths(core::ENTERPRISE_USER), &[]);
        assert_eq!(out[core::ENTERPRISE_USER]["employeeNumber"], "701984");
        let out = project(&bjensen(), &s, &[], &paths(&ext));
        assert_eq!(
            out[core::ENTERPRISE_USER],
            json!({"employeeNumber": "701984"})
        );
    }

    #[test]
    fn id_cannot_be_excluded() {
        let s = ResourceSchema::user();
        let out = project(&bjensen(), &s, &[], &paths("id,userName"));
        assert_eq!(out["id"], "2819c223");
        assert!(out.get("userName").is_none());
    }

    #[test]
    fn sorting_is_case_insensitive_and_puts_missing_values_last_then_first() {
        let s = ResourceSchema::user();
        let mut rs: Vec<Arc<Value>> = [
            json!({"userName": "b"}),
            json!({}),
            json!({"userName": "A"}),
        ]
        .into_iter()
        .map(Arc::new)
        .collect();
        sort_by(&mut rs, &AttrPath::new("userName"), false, &s);
        let names: Vec<_> = rs.iter().map(|r| r.get("userName").cloned()).collect();
        assert_eq!(names, vec![Some(json!("A")), Some(json!("b")), None]);
        sort_by(&mut rs, &AttrPath::new("userName"), true, &s);
        let names: Vec<_> = rs.iter().map(|r| r.get("userName").cloned()).collect();
        assert_eq!(names, vec![None, Some(json!("b")), Some(json!("A"))]);
    }

    #[test]
    fn multi_valued_sorts_by_primary_value() {
        let s = ResourceSchema::user();
        let mut rs: Vec<Arc<Value>> = [
            json!({"id": "1", "emails": [{"value": "z@x"}, {"value": "a@x", "primary": true}]}),
            json!({"id": "2", "emails": [{"value": "m@x"}]}),
        ]
        .into_iter()
        .map(Arc::new)
        .collect();
        sort_by(&mut rs, &AttrPath::new("emails"), false, &s);
        assert_eq!(rs[0]["id"], "1");
    }
}
