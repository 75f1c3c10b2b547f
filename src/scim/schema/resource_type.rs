//! Resource types (RFC 7643 §6) and the schema view of one resource type:
//! its core schema, its extensions and the common attributes, through which
//! attribute paths are resolved.

use super::{Attribute, Schema, core};
use crate::scim::path::AttrPath;
use serde_json::{Value, json};
use std::sync::Arc;

/// The resource types scimulate serves and judges: the word the mock
/// target, its profiles, the fault scopes and the judge share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ResourceTypeName {
    User,
    Group,
}

/// A resource type as `/ResourceTypes` describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceType {
    pub name: String,
    pub endpoint: String,
    pub description: String,
    pub schema: String,
    /// Extension schema URNs and whether each is required.
    pub extensions: Vec<(String, bool)>,
}

impl ResourceType {
    pub fn user() -> Self {
        ResourceType {
            name: "User".into(),
            endpoint: "/Users".into(),
            description: "User Account".into(),
            schema: core::USER.into(),
            extensions: vec![(core::ENTERPRISE_USER.into(), false)],
        }
    }

    pub fn group() -> Self {
        ResourceType {
            name: "Group".into(),
            endpoint: "/Groups".into(),
            description: "Group".into(),
            schema: core::GROUP.into(),
            extensions: vec![],
        }
    }

    pub fn to_json(&self, location: &str) -> Value {
        json!({
            "schemas": [core::RESOURCE_TYPE],
            "id": self.name,
            "name": self.name,
            "endpoint": self.endpoint,
            "description": self.description,
            "schema": self.schema,
            "schemaExtensions": self.extensions.iter()
                .map(|(s, r)| json!({"schema": s, "required": r}))
                .collect::<Vec<_>>(),
            "meta": {"resourceType": "ResourceType", "location": location},
        })
    }
}

/// What an attribute path designates within a resource type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resolved<'a> {
    /// The URN of the schema the attribute belongs to. Common attributes
    /// (`id`, `externalId`, `meta`) report the core schema.
    pub schema: &'a str,
    /// True when the attribute lives in an extension, that is, nested under
    /// the extension URN in the resource's JSON.
    pub in_extension: bool,
    /// The attribute itself; `None` when the path names a whole extension
    /// (e.g. a PATCH path equal to the enterprise URN).
    pub attribute: Option<&'a Attribute>,
    /// The sub-attribute, when the path has one.
    pub sub: Option<&'a Attribute>,
}

/// The schemas of one resource type, shared read-only by the store, the
/// filter evaluator and the PATCH engine.
#[derive(Debug, Clone)]
pub struct ResourceSchema {
    pub resource_type: ResourceType,
    pub core: Arc<Schema>,
    pub extensions: Vec<(Arc<Schema>, bool)>,
    pub common: Arc<Vec<Attribute>>,
}

impl ResourceSchema {
    pub fn new(resource_type: ResourceType, core: Schema, extensions: Vec<(Schema, bool)>) -> Self {
        ResourceSchema {
            resource_type,
            core: Arc::new(core),
            extensions: extensions
                .into_iter()
                .map(|(s, r)| (Arc::new(s), r))
                .collect(),
            common: Arc::new(core::common_attributes()),
        }
    }

    /// RFC 7643 User with the Enterprise User extension.
    pub fn user() -> Self {
        Self::new(
            ResourceType::user(),
            core::user(),
            vec![(core::enterprise_user(), false)],
        )
    }

    /// RFC 7643 Group.
    pub fn group() -> Self {
        Self::new(ResourceType::group(), core::group(), vec![])
    }

    /// The extension schema with this URN (case-insensitive: URNs compare
    /// case-insensitively in their `urn:` namespace parts, and clients vary).
    pub fn extension(&self, urn: &str) -> Option<&Schema> {
        self.extensions
            .iter()
            .map(|(s, _)| s.as_ref())
            .find(|s| s.id.eq_ignore_ascii_case(urn))
    }

    /// Every schema URN a resource of this type may list in `schemas`.
    pub fn schema_ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.core.id.as_str())
            .chain(self.extensions.iter().map(|(s, _)| s.id.as_str()))
    }

    /// A top-level attribute of the core schema or a common attribute.
    pub fn core_attribute(&self, name: &str) -> Option<&Attribute> {
        self.core.attribute(name).or_else(|| {
            self.common
                .iter()
                .find(|a| a.name.eq_ignore_ascii_case(name))
        })
    }

    /// Resolves a path against this resource type. Unqualified names refer to
    /// the core schema or the common attributes (RFC 7644 §3.10); extension
    /// attributes must be qualified with their URN.
    pub fn resolve(&self, path: &AttrPath) -> Option<Resolved<'_>> {
        let (schema, in_extension, attribute) = match &path.urn {
            None => (
                self.core.id.as_str(),
                false,
                self.core_attribute(&path.name)?,
            ),
            Some(urn) if urn.eq_ignore_ascii_case(&self.core.id) => (
                self.core.id.as_str(),
                false,
                self.core_attribute(&path.name)?,
            ),
            Some(urn) => {
                if let Some(ext) = self.extension(urn) {
                    (ext.id.as_str(), true, ext.attribute(&path.name)?)
                } else {
                    // `urn:...:2.0:User` parses as urn `urn:...:2.0` + name
                    // `User`: the path names a whole extension.
                    let whole = format!("{urn}:{}", path.name);
                    let ext = self.extension(&whole)?;
                    if path.sub.is_some() {
                        return None;
                    }
                    return Some(Resolved {
                        schema: ext.id.as_str(),
                        in_extension: true,
                        attribute: None,
                        sub: None,
                    });
                }
            }
        };
        let sub = match &path.sub {
            None => None,
            Some(s) => Some(attribute.sub_attribute(s)?),
        };
        Some(Resolved {
            schema,
            in_extension,
            attribute: Some(attribute),
            sub,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> AttrPath {
        AttrPath::parse(s).expect("path")
    }

    #[test]
    fn unqualified_names_resolve_to_core_and_common_attributes() {
        let rs = ResourceSchema::user();
        let r = rs.resolve(&p("username")).expect("userName");
        assert_eq!(r.attribute.map(|a| a.name.as_str()), Some("userName"));
        assert!(!r.in_extension);
        assert!(
            rs.resolve(&p("meta.lastModified"))
                .and_then(|r| r.sub)
                .is_some()
        );
        assert!(rs.resolve(&p("id")).is_some());
    }

    #[test]
    fn extension_attributes_need_their_urn() {
        let rs = ResourceSchema::user();
        assert!(rs.resolve(&p("employeeNumber")).is_none());
        let r = rs
            .resolve(&p(
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
            ))
            .expect("qualified");
        assert!(r.in_extension);
        assert_eq!(r.schema, core::ENTERPRISE_USER);
    }

    #[test]
    fn a_bare_extension_urn_names_the_whole_extension() {
        let rs = ResourceSchema::user();
        let r = rs.resolve(&p(core::ENTERPRISE_USER)).expect("extension");
        assert!(r.attribute.is_none() && r.in_extension);
    }

    #[test]
    fn core_urn_qualification_is_accepted() {
        let rs = ResourceSchema::user();
        assert!(
            rs.resolve(&p(
                "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName"
            ))
            .and_then(|r| r.sub)
            .is_some()
        );
    }

    #[test]
    fn unknown_attributes_do_not_resolve() {
        let rs = ResourceSchema::group();
        assert!(rs.resolve(&p("userName")).is_none());
        assert!(rs.resolve(&p("members.nope")).is_none());
    }
}
