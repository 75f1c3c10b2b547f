//! Semantic checks of a parsed filter against a resource type: every path
//! names a defined attribute, and operators suit the attribute's type
//! (RFC 7644 §3.4.2.2: ordering operators on boolean or binary attributes
//! are an `invalidFilter`). Run before evaluating, so a client learns of a
//! mistyped attribute instead of silently getting no results.

use super::ast::{CompValue, CompareOp, Filter};
use crate::scim::path::AttrPath;
use crate::scim::schema::{AttrType, Attribute, ResourceSchema};
use crate::scim::{ScimError, ScimResult};

pub fn check(filter: &Filter, schema: &ResourceSchema) -> ScimResult<()> {
    walk(filter, &Within::Resource(schema))
}

enum Within<'a> {
    Resource(&'a ResourceSchema),
    Value(&'a Attribute),
}

fn definition<'a>(path: &AttrPath, within: &Within<'a>) -> ScimResult<&'a Attribute> {
    let unknown =
        || ScimError::invalid_filter(format!("the filter names an unknown attribute {path}"));
    match within {
        Within::Resource(schema) => {
            let resolved = schema.resolve(path).ok_or_else(unknown)?;
            let attribute = resolved.attribute.ok_or_else(unknown)?;
            match &path.sub {
                Some(sub) => attribute.sub_attribute(sub).ok_or_else(unknown),
                None => Ok(attribute),
            }
        }
        Within::Value(parent) => {
            if parent.sub_attributes.is_empty() && path.name.eq_ignore_ascii_case("value") {
                return Ok(parent);
            }
            parent.sub_attribute(&path.name).ok_or_else(unknown)
        }
    }
}

fn walk(filter: &Filter, within: &Within<'_>) -> ScimResult<()> {
    match filter {
        Filter::And(a, b) | Filter::Or(a, b) => {
            walk(a, within)?;
            walk(b, within)
        }
        Filter::Not(inner) => walk(inner, within),
        Filter::Present(path) => definition(path, within).map(|_| ()),
        Filter::ValuePath { path, filter } => {
            let attribute = definition(path, within)?;
            if attribute.attr_type != AttrType::Complex && !attribute.multi_valued {
                return Err(ScimError::invalid_filter(format!(
                    "{path}[...] needs a complex or multi-valued attribute"
                )));
            }
            walk(filter, &Within::Value(attribute))
        }
        Filter::Compare { path, op, value } => {
            let mut def = definition(path, within)?;
            if def.attr_type == AttrType::Complex {
                def = def.sub_attribute("value").ok_or_else(|| {
                    ScimError::invalid_filter(format!(
                        "{path} is complex: compare one of its sub-attributes (e.g. {path}.…)"
                    ))
                })?;
            }
            let ordering = matches!(
                op,
                CompareOp::Gt | CompareOp::Ge | CompareOp::Lt | CompareOp::Le
            );
            if ordering && matches!(def.attr_type, AttrType::Boolean | AttrType::Binary) {
                return Err(ScimError::invalid_filter(format!(
                    "{} cannot be applied to {path}, a {} attribute",
                    op.as_str(),
                    def.attr_type.as_str()
                )));
            }
            let fits = matches!(
                (def.attr_type, value),
                (_, CompValue::Null)
                    | (AttrType::Boolean, CompValue::Bool(_))
                    | (AttrType::Integer | AttrType::Decimal, CompValue::Number(_))
                    | (
                        AttrType::String
                            | AttrType::Reference
                            | AttrType::Binary
                            | AttrType::DateTime,
                        CompValue::String(_),
                    )
            );
            if !fits {
                return Err(ScimError::invalid_filter(format!(
                    "{path} is a {} attribute and cannot be compared with {value}",
                    def.attr_type.as_str()
                )));
            }
            Ok(())
        }
    }
}
