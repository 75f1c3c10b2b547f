//! The filter evaluator (RFC 7644 §3.4.2.2): attribute types and
//! `caseExact` decide how values compare; a multi-valued attribute matches
//! when any of its values does.
//!
//! Choices where the RFC is silent, applied consistently:
//! - `ne` is the negation of `eq`: it matches when no value equals the
//!   operand, including when the attribute is unassigned.
//! - `eq null` matches an unassigned attribute, `ne null` an assigned one.
//! - A comparison on an unknown attribute matches nothing (`check` reports
//!   such filters as `invalidFilter` before they get here).

use super::ast::{CompValue, CompareOp, Filter};
use crate::scim::path::AttrPath;
use crate::scim::schema::{AttrType, Attribute, ResourceSchema};
use chrono::DateTime;
use serde_json::Value;
use std::cmp::Ordering;

/// Does `resource` (stored form: canonical names, extensions under their
/// URN) satisfy `filter`?
pub fn matches(filter: &Filter, resource: &Value, schema: &ResourceSchema) -> bool {
    eval(filter, &Scope::Resource { resource, schema })
}

/// Does one value of the multi-valued (or complex) `attribute` satisfy
/// `filter`, whose paths name `attribute`'s sub-attributes? Used for value
/// filters in filters and PATCH paths (`emails[type eq "work"]`).
pub fn matches_value(filter: &Filter, element: &Value, attribute: &Attribute) -> bool {
    eval(filter, &Scope::Element { element, attribute })
}

enum Scope<'a> {
    Resource {
        resource: &'a Value,
        schema: &'a ResourceSchema,
    },
    Element {
        element: &'a Value,
        attribute: &'a Attribute,
    },
}

/// The values a path designates, with the definition that says how to
/// compare them.
struct Operand<'a> {
    values: Vec<&'a Value>,
    definition: Option<&'a Attribute>,
}

fn eval(filter: &Filter, scope: &Scope<'_>) -> bool {
    match filter {
        Filter::And(a, b) => eval(a, scope) && eval(b, scope),
        Filter::Or(a, b) => eval(a, scope) || eval(b, scope),
        Filter::Not(inner) => !eval(inner, scope),
        Filter::Present(path) => operand(path, scope).values.into_iter().any(is_present),
        Filter::Compare { path, op, value } => {
            let operand = operand(path, scope);
            let Some(definition) = operand.definition else {
                return false;
            };
            let any_equal = |vals: &[&Value]| {
                vals.iter()
                    .any(|v| compare(definition, CompareOp::Eq, v, value))
            };
            match (op, value) {
                (CompareOp::Eq, CompValue::Null) => !operand.values.iter().any(|v| is_present(v)),
                (CompareOp::Ne, CompValue::Null) => operand.values.iter().any(|v| is_present(v)),
                (CompareOp::Ne, _) => !any_equal(&operand.values),
                _ => operand
                    .values
                    .iter()
                    .any(|v| compare(definition, *op, v, value)),
            }
        }
        Filter::ValuePath { path, filter } => {
            let Some((attribute, container)) = locate(path, scope) else {
                return false;
            };
            let Some(value) = container else {
                return false;
            };
            let elements: Vec<&Value> = match value {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            elements
                .into_iter()
                .any(|element| matches_value(filter, element, attribute))
        }
    }
}

/// "Present": not null, not an empty string, array or object (RFC 7644
/// §3.4.2.2 `pr`, RFC 7643 §2.5 unassigned values).
fn is_present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => a.iter().any(is_present),
        Value::Object(o) => o.values().any(is_present),
        _ => true,
    }
}

/// The attribute a path names and its value in the scope, if any.
fn locate<'a>(path: &AttrPath, scope: &Scope<'a>) -> Option<(&'a Attribute, Option<&'a Value>)> {
    match scope {
        Scope::Resource { resource, schema } => {
            let resolved = schema.resolve(path)?;
            let attribute = resolved.attribute?;
            let container = if resolved.in_extension {
                resource.get(resolved.schema)?
            } else {
                *resource
            };
            Some((attribute, container.get(&attribute.name)))
        }
        Scope::Element { element, attribute } => {
            if attribute.sub_attributes.is_empty() {
                // A multi-valued simple attribute: `value` is the element.
                return path
                    .name
                    .eq_ignore_ascii_case("value")
                    .then_some((*attribute, Some(*element)));
            }
            let sub = attribute.sub_attribute(&path.name)?;
            Some((sub, element.get(&sub.name)))
        }
    }
}

fn operand<'a>(path: &AttrPath, scope: &Scope<'a>) -> Operand<'a> {
    let none = Operand {
        values: vec![],
        definition: None,
    };
    let Some((attribute, value)) = locate(path, scope) else {
        return none;
    };
    let elements: Vec<&Value> = match value {
        None => vec![],
        Some(Value::Array(items)) => items.iter().collect(),
        Some(v) => vec![v],
    };
    // In a value filter a sub-attribute cannot have sub-attributes of its
    // own (RFC 7643 §2.3.8), so `path.sub` only matters at resource scope.
    let sub_name = match scope {
        Scope::Resource { .. } => path.sub.as_deref(),
        Scope::Element { .. } => None,
    };
    let sub = match sub_name {
        Some(name) => match attribute.sub_attribute(name) {
            Some(sub) => Some(sub),
            None => return none,
        },
        // A complex attribute compared as a whole compares its `value`
        // sub-attribute (RFC 7644 §3.4.2.2, e.g. `emails co "@x.org"`).
        None if attribute.attr_type == AttrType::Complex => attribute.sub_attribute("value"),
        None => None,
    };
    match sub {
        Some(sub) => Operand {
            values: elements
                .into_iter()
                .filter_map(|e| e.get(&sub.name))
                .flat_map(|v| match v {
                    Value::Array(items) => items.iter().collect(),
                    other => vec![other],
                })
                .collect(),
            definition: Some(sub),
        },
        None if attribute.attr_type == AttrType::Complex => none,
        None => Operand {
            values: elements,
            definition: Some(attribute),
        },
    }
}

fn fold(s: &str, case_exact: bool) -> std::borrow::Cow<'_, str> {
    if case_exact {
        s.into()
    } else {
        s.to_lowercase().into()
    }
}

fn ordered(op: CompareOp, ord: Ordering) -> bool {
    match op {
        CompareOp::Eq => ord == Ordering::Equal,
        CompareOp::Ne => ord != Ordering::Equal,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Ge => ord != Ordering::Less,
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
}

fn compare_strings(op: CompareOp, actual: &str, expected: &str, case_exact: bool) -> bool {
    let a = fold(actual, case_exact);
    let e = fold(expected, case_exact);
    match op {
        CompareOp::Co => a.contains(e.as_ref()),
        CompareOp::Sw => a.starts_with(e.as_ref()),
        CompareOp::Ew => a.ends_with(e.as_ref()),
        _ => ordered(op, a.as_ref().cmp(e.as_ref())),
    }
}

/// Compares one attribute value with the filter's operand, by the
/// attribute's type (RFC 7643 §2.3).
fn compare(def: &Attribute, op: CompareOp, actual: &Value, expected: &CompValue) -> bool {
    match (def.attr_type, actual, expected) {
        (AttrType::String | AttrType::Reference, Value::String(a), CompValue::String(e)) => {
            compare_strings(op, a, e, def.case_exact)
        }
        // Binary values are base64 text; they have no order (RFC 7644
        // §3.4.2.2: gt/ge/lt/le on binary are invalidFilter).
        (AttrType::Binary, Value::String(a), CompValue::String(e)) => {
            !matches!(
                op,
                CompareOp::Gt | CompareOp::Ge | CompareOp::Lt | CompareOp::Le
            ) && compare_strings(op, a, e, true)
        }
        (AttrType::Boolean, Value::Bool(a), CompValue::Bool(e)) => match op {
            CompareOp::Eq => a == e,
            CompareOp::Ne => a != e,
            _ => false,
        },
        (AttrType::Integer | AttrType::Decimal, Value::Number(a), CompValue::Number(e)) => {
            let ord = match (a.as_i64(), e.as_i64()) {
                (Some(x), Some(y)) => Some(x.cmp(&y)),
                _ => a
                    .as_f64()
                    .zip(e.as_f64())
                    .and_then(|(x, y)| x.partial_cmp(&y)),
            };
            ord.is_some_and(|o| ordered(op, o))
        }
        (AttrType::DateTime, Value::String(a), CompValue::String(e)) => {
            match (
                DateTime::parse_from_rfc3339(a),
                DateTime::parse_from_rfc3339(e),
            ) {
                (Ok(x), Ok(y)) if !matches!(op, CompareOp::Co | CompareOp::Sw | CompareOp::Ew) => {
                    ordered(op, x.cmp(&y))
                }
                _ => compare_strings(op, a, e, true),
            }
        }
        _ => false,
    }
}
