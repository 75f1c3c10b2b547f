//! RFC 7643 schemas as data, and the per-resource-type view used to resolve
//! attribute paths.

mod attribute;
pub mod core;
mod resource_type;

pub use attribute::{AttrType, Attribute, Mutability, Returned, Uniqueness};
pub use resource_type::{Resolved, ResourceSchema, ResourceType, ResourceTypeName};

use serde_json::{Value, json};

/// A schema (RFC 7643 §7): a URN and its attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    pub id: String,
    pub name: String,
    pub description: String,
    pub attributes: Vec<Attribute>,
}

impl Schema {
    pub fn new(id: &str, name: &str, description: &str, attributes: Vec<Attribute>) -> Self {
        Schema {
            id: id.to_owned(),
            name: name.to_owned(),
            description: description.to_owned(),
            attributes,
        }
    }

    /// The attribute named `name`, compared case-insensitively (RFC 7643 §2.1).
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// The schema as `/Schemas/{id}` serves it (RFC 7643 §7, §8.7).
    pub fn to_json(&self, location: &str) -> Value {
        json!({
            "schemas": [core::SCHEMA],
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "attributes": self.attributes.iter().map(Attribute::to_json).collect::<Vec<_>>(),
            "meta": {"resourceType": "Schema", "location": location},
        })
    }
}

/// The schemas a service provider serves from `/Schemas`.
pub fn all_schemas() -> Vec<Schema> {
    vec![
        core::user(),
        core::enterprise_user(),
        core::group(),
        core::service_provider_config(),
        core::resource_type(),
        core::schema(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_schema_has_the_rfc_characteristics_of_user_name_and_password() {
        let user = core::user();
        let un = user.attribute("USERNAME").expect("userName");
        assert!(un.required);
        assert_eq!(un.uniqueness, Uniqueness::Server);
        let pw = user.attribute("password").expect("password");
        assert_eq!(pw.returned, Returned::Never);
        assert_eq!(pw.mutability, Mutability::WriteOnly);
    }

    #[test]
    fn group_members_value_is_immutable() {
        let g = core::group();
        let members = g.attribute("members").expect("members");
        assert!(members.multi_valued);
        assert_eq!(
            members.sub_attribute("value").map(|a| a.mutability),
            Some(Mutability::Immutable)
        );
    }

    #[test]
    fn schema_ids_are_distinct() {
        let ids: std::collections::HashSet<_> = all_schemas().into_iter().map(|s| s.id).collect();
        assert_eq!(ids.len(), 6);
    }
}
