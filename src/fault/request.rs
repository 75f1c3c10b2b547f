//! A request as faults see it: what the engine matches scopes against and
//! the catalogue asks when it says which requests a kind can shape.

use crate::scim::schema::ResourceTypeName;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The kind of operation a request performs, as the journal records it and
/// fault scopes select it (SPEC §3.2, §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    Provision,
    Update,
    Deprovision,
    Read,
}

impl Operation {
    /// An update that turns `active` from true (or unset) to false is a
    /// deprovisioning (SPEC §3.3): connectors deactivate leavers as often as
    /// they delete them.
    pub fn of_update(before: &Value, after: &Value) -> Operation {
        let active = |v: &Value| v.get("active").and_then(Value::as_bool);
        if active(after) == Some(false) && active(before) != Some(false) {
            Operation::Deprovision
        } else {
            Operation::Update
        }
    }
}

/// What the fault engine knows of a request when choosing a fault.
#[derive(Debug, Clone, Copy)]
pub struct RequestFacts<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub body: &'a [u8],
    pub resource_type: Option<ResourceTypeName>,
    pub operation: Operation,
}

impl RequestFacts<'_> {
    /// Addressed to Users or Groups.
    pub(crate) fn on_resources(&self) -> bool {
        self.resource_type.is_some()
    }

    pub(crate) fn on_users(&self) -> bool {
        self.resource_type == Some(ResourceTypeName::User)
    }

    pub(crate) fn is_bulk(&self) -> bool {
        self.method == "POST" && self.path.ends_with("/Bulk")
    }

    /// A search at the root, across resource types.
    pub(crate) fn is_root_search(&self) -> bool {
        !self.on_resources() && self.method == "POST" && self.path.ends_with("/.search")
    }

    /// `/Schemas` or `/ResourceTypes`.
    pub(crate) fn is_discovery(&self) -> bool {
        !self.on_resources()
            && (self.path.contains("/Schemas") || self.path.contains("/ResourceTypes"))
    }

    pub(crate) fn is_provision(&self) -> bool {
        self.on_resources() && self.operation == Operation::Provision
    }

    /// A POST, PUT or PATCH that changes a resource (not a search).
    pub(crate) fn is_write(&self) -> bool {
        self.on_resources()
            && matches!(self.method, "POST" | "PUT" | "PATCH")
            && self.operation != Operation::Read
    }

    /// Whether the body's userName is one of `names` (case-insensitively,
    /// as userName compares). Parsed only while such a fault is on.
    pub(crate) fn names_one_of(&self, names: &[String]) -> bool {
        let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(self.body) else {
            return false;
        };
        let Some(name) = map
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("userName"))
            .and_then(|(_, v)| v.as_str())
        else {
            return false;
        };
        let name = name.to_lowercase();
        names.iter().any(|n| n.to_lowercase() == name)
    }
}
