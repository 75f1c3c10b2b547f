//! Query parameters of list and search requests (RFC 7644 §3.4.2, §3.4.3)
//! and of single-resource reads (`attributes`, `excludedAttributes`, §3.9).

use crate::scim::filter::{self, Filter};
use crate::scim::path::AttrPath;
use crate::scim::query;
use crate::scim::schema::ResourceSchema;
use crate::scim::{ScimError, ScimResult};
use serde_json::Value;
use std::borrow::Cow;
use std::sync::Arc;

pub const SEARCH_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// Which attributes to return.
#[derive(Debug, Default, Clone)]
pub struct Projection {
    pub attributes: Vec<AttrPath>,
    pub excluded: Vec<AttrPath>,
}

impl Projection {
    /// No `attributes` and no `excludedAttributes`: the default view.
    pub fn is_default(&self) -> bool {
        self.attributes.is_empty() && self.excluded.is_empty()
    }

    pub fn apply(&self, resource: &Arc<Value>, schema: &ResourceSchema) -> Arc<Value> {
        query::project_shared(resource, schema, &self.attributes, &self.excluded)
    }
}

/// A list or search request.
#[derive(Debug, Default)]
pub struct ListParams {
    pub filter: Option<Filter>,
    pub sort_by: Option<AttrPath>,
    pub descending: bool,
    /// 1-based; values below 1 are read as 1 (RFC 7644 §3.4.2.4).
    pub start_index: usize,
    /// `None`: the server's page size; negative values are read as 0.
    pub count: Option<usize>,
    pub projection: Projection,
}

/// The decoded `name=value` pairs of a query string, borrowed from it
/// where nothing needed decoding.
pub type QueryPairs<'q> = Vec<(Cow<'q, str>, Cow<'q, str>)>;

pub fn query_pairs(raw: Option<&str>) -> QueryPairs<'_> {
    raw.map(|q| form_urlencoded::parse(q.as_bytes()).collect())
        .unwrap_or_default()
}

/// The value of parameter `name`, its name compared ignoring case.
pub(super) fn param<'a>(pairs: &'a QueryPairs<'_>, name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_ref())
}

fn integer(name: &str, text: &str) -> ScimResult<i64> {
    text.trim()
        .parse::<i64>()
        .map_err(|_| ScimError::invalid_value(format!("{name} must be an integer, found {text:?}")))
}

fn parse_filter(text: &str, schema: &ResourceSchema) -> ScimResult<Filter> {
    let parsed = filter::parse(text)?;
    filter::check(&parsed, schema)?;
    Ok(parsed)
}

fn sort_order(text: &str) -> ScimResult<bool> {
    match text {
        t if t.eq_ignore_ascii_case("ascending") => Ok(false),
        t if t.eq_ignore_ascii_case("descending") => Ok(true),
        other => Err(ScimError::invalid_value(format!(
            "sortOrder must be \"ascending\" or \"descending\", found {other:?}"
        ))),
    }
}

fn sort_path(text: &str, schema: &ResourceSchema) -> ScimResult<AttrPath> {
    let path = AttrPath::parse(text)
        .map_err(|e| ScimError::invalid_value(format!("sortBy: {}", e.detail)))?;
    if schema.resolve(&path).and_then(|r| r.attribute).is_none() {
        return Err(ScimError::invalid_value(format!(
            "sortBy names an unknown attribute {text:?}"
        )));
    }
    Ok(path)
}

impl Projection {
    pub fn from_pairs(pairs: &QueryPairs<'_>, schema: &ResourceSchema) -> ScimResult<Self> {
        let list = |name| {
            param(pairs, name)
                .filter(|s| !s.trim().is_empty())
                .map(|s| query::parse_attribute_list(s, schema))
                .transpose()
                .map(Option::unwrap_or_default)
        };
        Ok(Projection {
            attributes: list("attributes")?,
            excluded: list("excludedAttributes")?,
        })
    }

    fn from_body(body: &Value, schema: &ResourceSchema) -> ScimResult<Self> {
        let list = |name: &str| -> ScimResult<Vec<AttrPath>> {
            match body.get(name) {
                None | Some(Value::Null) => Ok(vec![]),
                Some(Value::Array(items)) => {
                    let names = items
                        .iter()
                        .map(|v| {
                            v.as_str().ok_or_else(|| {
                                ScimError::invalid_value(format!("{name} must list strings"))
                            })
                        })
                        .collect::<ScimResult<Vec<_>>>()?;
                    query::parse_attribute_list(&names.join(","), schema)
                }
                Some(Value::String(s)) => query::parse_attribute_list(s, schema),
                Some(_) => Err(ScimError::invalid_value(format!(
                    "{name} must be an array of attribute names"
                ))),
            }
        };
        Ok(Projection {
            attributes: list("attributes")?,
            excluded: list("excludedAttributes")?,
        })
    }
}

impl ListParams {
    /// From `GET /Users?filter=...&startIndex=...` (RFC 7644 §3.4.2).
    pub fn from_query(raw: Option<&str>, schema: &ResourceSchema) -> ScimResult<Self> {
        let pairs = query_pairs(raw);
        let mut params = ListParams {
            projection: Projection::from_pairs(&pairs, schema)?,
            start_index: 1,
            ..ListParams::default()
        };
        if let Some(f) = param(&pairs, "filter") {
            params.filter = Some(parse_filter(f, schema)?);
        }
        if let Some(s) = param(&pairs, "sortBy") {
            params.sort_by = Some(sort_path(s, schema)?);
        }
        if let Some(o) = param(&pairs, "sortOrder") {
            params.descending = sort_order(o)?;
        }
        if let Some(i) = param(&pairs, "startIndex") {
            params.start_index = integer("startIndex", i)?.max(1) as usize;
        }
        if let Some(c) = param(&pairs, "count") {
            params.count = Some(integer("count", c)?.max(0) as usize);
        }
        Ok(params)
    }

    /// From a `POST .search` body (RFC 7644 §3.4.3).
    pub fn from_search_body(body: &Value, schema: &ResourceSchema) -> ScimResult<Self> {
        crate::scim::message::require_schema(body, SEARCH_REQUEST)?;
        let text = |name: &str| -> ScimResult<Option<&str>> {
            match body.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s)),
                Some(_) => Err(ScimError::invalid_value(format!("{name} must be a string"))),
            }
        };
        let int = |name: &str| -> ScimResult<Option<i64>> {
            match body.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v
                    .as_i64()
                    .map(Some)
                    .ok_or_else(|| ScimError::invalid_value(format!("{name} must be an integer"))),
            }
        };
        Ok(ListParams {
            filter: text("filter")?
                .map(|f| parse_filter(f, schema))
                .transpose()?,
            sort_by: text("sortBy")?.map(|s| sort_path(s, schema)).transpose()?,
            descending: text("sortOrder")?
                .map(sort_order)
                .transpose()?
                .unwrap_or(false),
            start_index: int("startIndex")?.unwrap_or(1).max(1) as usize,
            count: int("count")?.map(|c| c.max(0) as usize),
            projection: Projection::from_body(body, schema)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> ResourceSchema {
        ResourceSchema::user()
    }

    #[test]
    fn pagination_values_are_clamped_as_the_rfc_says() {
        let p = ListParams::from_query(Some("startIndex=-4&count=-1"), &user()).unwrap();
        assert_eq!(p.start_index, 1);
        assert_eq!(p.count, Some(0));
        let p = ListParams::from_query(None, &user()).unwrap();
        assert_eq!((p.start_index, p.count), (1, None));
    }

    #[test]
    fn bad_parameters_are_scim_errors_naming_the_parameter() {
        let e = ListParams::from_query(Some("count=ten"), &user()).unwrap_err();
        assert_eq!(
            (e.status, e.scim_type.map(|t| t.as_str())),
            (400, Some("invalidValue"))
        );
        assert!(e.detail.contains("count"));
        let e = ListParams::from_query(Some("filter=userName%20eq"), &user()).unwrap_err();
        assert_eq!(e.scim_type.map(|t| t.as_str()), Some("invalidFilter"));
        let e = ListParams::from_query(Some("sortOrder=up"), &user()).unwrap_err();
        assert!(e.detail.contains("sortOrder"));
    }

    #[test]
    fn search_body_needs_the_search_request_schema() {
        let e = ListParams::from_search_body(&serde_json::json!({"filter": "x pr"}), &user())
            .unwrap_err();
        assert_eq!(e.status, 400);
        let p = ListParams::from_search_body(
            &serde_json::json!({"schemas": [SEARCH_REQUEST], "filter": "userName pr",
                                "startIndex": 3, "count": 2, "attributes": ["userName"]}),
            &user(),
        )
        .unwrap();
        assert!(p.filter.is_some());
        assert_eq!((p.start_index, p.count), (3, Some(2)));
        assert_eq!(p.projection.attributes.len(), 1);
    }
}
