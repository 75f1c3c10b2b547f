//! Attribute definitions with every characteristic of RFC 7643 §2.2 and §7.

use serde::Serialize;
use serde_json::{Map, Value, json};

/// SCIM data types (RFC 7643 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AttrType {
    String,
    Boolean,
    Decimal,
    Integer,
    DateTime,
    Binary,
    Reference,
    Complex,
}

impl AttrType {
    pub fn as_str(self) -> &'static str {
        match self {
            AttrType::String => "string",
            AttrType::Boolean => "boolean",
            AttrType::Decimal => "decimal",
            AttrType::Integer => "integer",
            AttrType::DateTime => "dateTime",
            AttrType::Binary => "binary",
            AttrType::Reference => "reference",
            AttrType::Complex => "complex",
        }
    }
}

/// RFC 7643 §7 "mutability".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Mutability {
    ReadOnly,
    ReadWrite,
    Immutable,
    WriteOnly,
}

/// RFC 7643 §7 "returned".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Returned {
    Always,
    Never,
    Default,
    Request,
}

/// RFC 7643 §7 "uniqueness".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Uniqueness {
    None,
    Server,
    Global,
}

/// One attribute of a schema, or a sub-attribute of a complex attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub attr_type: AttrType,
    pub multi_valued: bool,
    pub description: String,
    pub required: bool,
    pub case_exact: bool,
    pub mutability: Mutability,
    pub returned: Returned,
    pub uniqueness: Uniqueness,
    pub canonical_values: Vec<String>,
    pub reference_types: Vec<String>,
    pub sub_attributes: Vec<Attribute>,
}

impl Attribute {
    /// An attribute with the defaults of RFC 7643 §2.2: a single-valued,
    /// optional, case-insensitive, readWrite string returned by default.
    pub fn new(name: &str, attr_type: AttrType) -> Self {
        Attribute {
            name: name.to_owned(),
            attr_type,
            multi_valued: false,
            description: String::new(),
            required: false,
            case_exact: false,
            mutability: Mutability::ReadWrite,
            returned: Returned::Default,
            uniqueness: Uniqueness::None,
            canonical_values: Vec::new(),
            reference_types: Vec::new(),
            sub_attributes: Vec::new(),
        }
    }

    pub fn string(name: &str) -> Self {
        Self::new(name, AttrType::String)
    }
    pub fn boolean(name: &str) -> Self {
        Self::new(name, AttrType::Boolean)
    }
    pub fn integer(name: &str) -> Self {
        Self::new(name, AttrType::Integer)
    }
    pub fn decimal(name: &str) -> Self {
        Self::new(name, AttrType::Decimal)
    }
    pub fn date_time(name: &str) -> Self {
        Self::new(name, AttrType::DateTime)
    }
    pub fn binary(name: &str) -> Self {
        Self::new(name, AttrType::Binary)
    }
    pub fn reference(name: &str, types: &[&str]) -> Self {
        let mut a = Self::new(name, AttrType::Reference);
        a.reference_types = types.iter().map(|s| (*s).to_owned()).collect();
        a
    }
    pub fn complex(name: &str, subs: Vec<Attribute>) -> Self {
        let mut a = Self::new(name, AttrType::Complex);
        a.sub_attributes = subs;
        a
    }

    pub fn multi(mut self) -> Self {
        self.multi_valued = true;
        self
    }
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn case_exact(mut self) -> Self {
        self.case_exact = true;
        self
    }
    pub fn mutability(mut self, m: Mutability) -> Self {
        self.mutability = m;
        self
    }
    pub fn read_only(self) -> Self {
        self.mutability(Mutability::ReadOnly)
    }
    pub fn immutable(self) -> Self {
        self.mutability(Mutability::Immutable)
    }
    pub fn returned(mut self, r: Returned) -> Self {
        self.returned = r;
        self
    }
    pub fn unique(mut self, u: Uniqueness) -> Self {
        self.uniqueness = u;
        self
    }
    pub fn canonical(mut self, values: &[&str]) -> Self {
        self.canonical_values = values.iter().map(|s| (*s).to_owned()).collect();
        self
    }
    pub fn describe(mut self, d: &str) -> Self {
        self.description = d.to_owned();
        self
    }

    /// The sub-attribute of this complex attribute named `name`, compared
    /// case-insensitively as RFC 7643 §2.1 requires of attribute names.
    pub fn sub_attribute(&self, name: &str) -> Option<&Attribute> {
        self.sub_attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// The attribute definition as `/Schemas` serves it (RFC 7643 §7).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), json!(self.name));
        m.insert("type".into(), json!(self.attr_type.as_str()));
        m.insert("multiValued".into(), json!(self.multi_valued));
        m.insert("description".into(), json!(self.description));
        m.insert("required".into(), json!(self.required));
        if self.attr_type != AttrType::Complex && self.attr_type != AttrType::Boolean {
            m.insert("caseExact".into(), json!(self.case_exact));
        }
        if !self.canonical_values.is_empty() {
            m.insert("canonicalValues".into(), json!(self.canonical_values));
        }
        if self.attr_type == AttrType::Reference {
            m.insert("referenceTypes".into(), json!(self.reference_types));
        }
        m.insert(
            "mutability".into(),
            serde_json::to_value(self.mutability).unwrap_or(Value::Null),
        );
        m.insert(
            "returned".into(),
            serde_json::to_value(self.returned).unwrap_or(Value::Null),
        );
        if self.attr_type != AttrType::Complex && self.attr_type != AttrType::Boolean {
            m.insert(
                "uniqueness".into(),
                serde_json::to_value(self.uniqueness).unwrap_or(Value::Null),
            );
        }
        if self.attr_type == AttrType::Complex {
            m.insert(
                "subAttributes".into(),
                Value::Array(self.sub_attributes.iter().map(Attribute::to_json).collect()),
            );
        }
        Value::Object(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_rfc_7643_section_2_2() {
        let a = Attribute::string("nickName");
        assert!(!a.required && !a.case_exact && !a.multi_valued);
        assert_eq!(a.mutability, Mutability::ReadWrite);
        assert_eq!(a.returned, Returned::Default);
        assert_eq!(a.uniqueness, Uniqueness::None);
    }

    #[test]
    fn serialises_with_rfc_characteristic_names() {
        let a = Attribute::string("userName")
            .required()
            .unique(Uniqueness::Server);
        let v = a.to_json();
        assert_eq!(v["uniqueness"], "server");
        assert_eq!(v["mutability"], "readWrite");
        assert_eq!(v["type"], "string");
        assert_eq!(v["multiValued"], false);
    }

    #[test]
    fn sub_attribute_lookup_is_case_insensitive() {
        let a = Attribute::complex("name", vec![Attribute::string("givenName")]);
        assert!(a.sub_attribute("GIVENNAME").is_some());
    }
}
