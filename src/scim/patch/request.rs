//! The PATCH request (RFC 7644 §3.5.2): its shape and its paths,
//! `PATH = attrPath / valuePath [subAttr]`.

use crate::scim::filter::{self, Filter};
use crate::scim::path::AttrPath;
use crate::scim::{ScimError, ScimResult};
use serde_json::Value;
use std::fmt;

pub const PATCH_OP_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

#[derive(Debug, Clone, PartialEq)]
pub struct PatchRequest {
    pub operations: Vec<PatchOperation>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PatchOperation {
    pub op: PatchOpKind,
    pub path: Option<PatchPath>,
    pub value: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchOpKind {
    Add,
    Replace,
    Remove,
}

/// `attrPath` or `attrPath[valFilter][.subAttr]`.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    pub attr: AttrPath,
    pub filter: Option<Filter>,
    /// The sub-attribute after a value filter (`emails[type eq "work"].value`).
    pub filter_sub: Option<String>,
}

impl fmt::Display for PatchPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.attr)?;
        if let Some(filter) = &self.filter {
            write!(f, "[{filter}]")?;
        }
        if let Some(sub) = &self.filter_sub {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

impl PatchPath {
    pub fn parse(text: &str) -> ScimResult<PatchPath> {
        let invalid = |why: &str| ScimError::invalid_path(format!("path {text:?}: {why}"));
        let Some(open) = text.find('[') else {
            let attr = AttrPath::parse(text.trim()).map_err(|e| invalid(&e.detail))?;
            return Ok(PatchPath {
                attr,
                filter: None,
                filter_sub: None,
            });
        };
        let close = text
            .rfind(']')
            .filter(|c| *c > open)
            .ok_or_else(|| invalid("expected a closing ']'"))?;
        let attr = AttrPath::parse(text[..open].trim()).map_err(|e| invalid(&e.detail))?;
        if attr.sub.is_some() {
            return Err(invalid(
                "a value filter must follow a multi-valued attribute, not a sub-attribute",
            ));
        }
        let filter = filter::parse(&text[open + 1..close])
            .map_err(|e| invalid(&format!("bad value filter: {e}")))?;
        let rest = &text[close + 1..];
        let filter_sub = if rest.is_empty() {
            None
        } else {
            let sub = rest
                .strip_prefix('.')
                .filter(|s| crate::scim::path::is_attr_name(s))
                .ok_or_else(|| invalid("expected '.subAttribute' or nothing after ']'"))?;
            Some(sub.to_owned())
        };
        Ok(PatchPath {
            attr,
            filter: Some(filter),
            filter_sub,
        })
    }
}

impl PatchRequest {
    /// Parses and checks the request's shape.
    pub fn from_json(body: &Value) -> ScimResult<PatchRequest> {
        crate::scim::message::require_schema(body, PATCH_OP_URN)?;
        let ops = body
            .get("Operations")
            .or_else(|| body.get("operations"))
            .and_then(Value::as_array)
            .ok_or_else(|| {
                ScimError::invalid_syntax("Operations must be an array of operations")
            })?;
        if ops.is_empty() {
            return Err(ScimError::invalid_syntax("Operations must not be empty"));
        }
        let operations = ops
            .iter()
            .enumerate()
            .map(|(i, op)| {
                PatchOperation::from_json(op).map_err(|e| {
                    ScimError::new(
                        e.status,
                        e.scim_type,
                        format!("Operations[{i}]: {}", e.detail),
                    )
                })
            })
            .collect::<ScimResult<Vec<_>>>()?;
        Ok(PatchRequest { operations })
    }
}

impl PatchOperation {
    fn from_json(op: &Value) -> ScimResult<PatchOperation> {
        let Value::Object(map) = op else {
            return Err(ScimError::invalid_syntax("an operation must be an object"));
        };
        let field = |name: &str| {
            map.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        };
        // Entra ID sends "Add", "Replace", "Remove": op is case-insensitive.
        let kind = match field("op").and_then(Value::as_str) {
            Some(s) if s.eq_ignore_ascii_case("add") => PatchOpKind::Add,
            Some(s) if s.eq_ignore_ascii_case("replace") => PatchOpKind::Replace,
            Some(s) if s.eq_ignore_ascii_case("remove") => PatchOpKind::Remove,
            Some(other) => {
                return Err(ScimError::invalid_syntax(format!(
                    "op {other:?} is not add, replace or remove"
                )));
            }
            None => return Err(ScimError::invalid_syntax("op is required")),
        };
        let path = match field("path") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s)) => Some(PatchPath::parse(s)?),
            Some(_) => return Err(ScimError::invalid_path("path must be a string")),
        };
        let value = field("value").cloned();
        match kind {
            PatchOpKind::Remove if path.is_none() => {
                return Err(ScimError::no_target(
                    "remove needs a path (RFC 7644 §3.5.2.2)",
                ));
            }
            PatchOpKind::Add | PatchOpKind::Replace if value.is_none() => {
                return Err(ScimError::invalid_syntax("add and replace need a value"));
            }
            PatchOpKind::Add | PatchOpKind::Replace
                if path.is_none() && !matches!(value, Some(Value::Object(_))) =>
            {
                return Err(ScimError::invalid_value(
                    "without a path, the value must be an object of attributes (RFC 7644 §3.5.2.1)",
                ));
            }
            _ => {}
        }
        Ok(PatchOperation {
            op: kind,
            path,
            value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_with_filters_and_sub_attributes() {
        let p = PatchPath::parse(r#"emails[type eq "work"].value"#).unwrap();
        assert_eq!(p.attr.name, "emails");
        assert_eq!(p.filter_sub.as_deref(), Some("value"));
        assert_eq!(p.to_string(), r#"emails[type eq "work"].value"#);
        let p = PatchPath::parse(
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
        )
        .unwrap();
        assert_eq!(p.attr.sub.as_deref(), Some("value"));
        for bad in [
            "emails[type eq",
            "emails[type eq \"w\"]x",
            "1abc",
            "emails[type zz \"w\"]",
        ] {
            let e = PatchPath::parse(bad).unwrap_err();
            assert_eq!(
                e.scim_type.map(|t| t.as_str()),
                Some("invalidPath"),
                "{bad}"
            );
        }
    }

    #[test]
    fn request_shape_errors() {
        let e = PatchRequest::from_json(&json!({"Operations": []})).unwrap_err();
        assert_eq!(e.scim_type.map(|t| t.as_str()), Some("invalidSyntax"));
        let e = PatchRequest::from_json(&json!({"schemas": [PATCH_OP_URN],
            "Operations": [{"op": "remove"}]}))
        .unwrap_err();
        assert_eq!(e.scim_type.map(|t| t.as_str()), Some("noTarget"));
        let e = PatchRequest::from_json(&json!({"schemas": [PATCH_OP_URN],
            "Operations": [{"op": "merge", "value": {}}]}))
        .unwrap_err();
        assert!(e.detail.contains("Operations[0]"));
        let ok = PatchRequest::from_json(&json!({"schemas": [PATCH_OP_URN],
            "Operations": [{"op": "Replace", "path": "active", "value": false}]}))
        .unwrap();
        assert_eq!(ok.operations[0].op, PatchOpKind::Replace);
    }
}
