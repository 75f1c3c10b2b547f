//! Attribute paths: `attrPath = [URI ":"] ATTRNAME *1subAttr` (RFC 7644 §3.10).
//!
//! Shared by the filter language, PATCH paths, sorting and
//! `attributes`/`excludedAttributes`. Parsing here is purely syntactic; which
//! schema a path belongs to is decided by [`crate::scim::schema::ResourceSchema::resolve`].

use crate::scim::error::{ScimError, ScimResult};
use serde_json::Value;
use std::fmt;

/// A possibly URN-qualified attribute name with an optional sub-attribute.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AttrPath {
    /// The schema URN prefix, when the path was written fully qualified.
    pub urn: Option<String>,
    pub name: String,
    pub sub: Option<String>,
}

impl AttrPath {
    pub fn new(name: &str) -> Self {
        AttrPath {
            urn: None,
            name: name.to_owned(),
            sub: None,
        }
    }

    pub fn with_sub(name: &str, sub: &str) -> Self {
        AttrPath {
            urn: None,
            name: name.to_owned(),
            sub: Some(sub.to_owned()),
        }
    }

    /// Parses `name`, `name.sub`, `urn:...:name` or `urn:...:name.sub`.
    ///
    /// A URN prefix is recognised by its `urn:` scheme (case-insensitive); the
    /// attribute starts after its last `:`, so dots inside the URN (such as
    /// `2.0`) are not mistaken for a sub-attribute separator.
    pub fn parse(text: &str) -> ScimResult<AttrPath> {
        let is_urn = text.len() > 4
            && text
                .get(..4)
                .is_some_and(|p| p.eq_ignore_ascii_case("urn:"));
        let (urn, rest) = if is_urn {
            match text.rfind(':') {
                Some(i) => (Some(text[..i].to_owned()), &text[i + 1..]),
                None => (None, text),
            }
        } else {
            (None, text)
        };
        let (name, sub) = match rest.split_once('.') {
            Some((n, s)) => (n, Some(s)),
            None => (rest, None),
        };
        if !is_attr_name(name) {
            return Err(ScimError::invalid_path(format!(
                "'{text}' is not an attribute path: expected an attribute name (a letter, then letters, digits, '_', '-' or '$')"
            )));
        }
        if let Some(s) = sub
            && !is_attr_name(s)
        {
            return Err(ScimError::invalid_path(format!(
                "'{text}' is not an attribute path: expected a sub-attribute name after '.'"
            )));
        }
        Ok(AttrPath {
            urn,
            name: name.to_owned(),
            sub: sub.map(str::to_owned),
        })
    }
}

/// `ATTRNAME = ALPHA *(nameChar)`, `nameChar = "-" / "_" / DIGIT / ALPHA`,
/// plus a leading `$` for `$ref` (RFC 7643 §2.1 allows it for references).
/// A key of a client's JSON object, compared case-insensitively (RFC 7643
/// §2.1: attribute names are case-insensitive).
pub fn get_ci<'a>(object: &'a Value, name: &str) -> Option<&'a Value> {
    object
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

pub fn is_attr_name(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '$' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.urn {
            write!(f, "{urn}:")?;
        }
        f.write_str(&self.name)?;
        if let Some(sub) = &self.sub {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("userName", None, "userName", None)]
    #[case("name.givenName", None, "name", Some("givenName"))]
    #[case("meta.lastModified", None, "meta", Some("lastModified"))]
    #[case(
        "urn:ietf:params:scim:schemas:core:2.0:User:name.familyName",
        Some("urn:ietf:params:scim:schemas:core:2.0:User"),
        "name",
        Some("familyName")
    )]
    #[case(
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
        Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"),
        "employeeNumber",
        None
    )]
    #[case("members.$ref", None, "members", Some("$ref"))]
    fn parses(
        #[case] text: &str,
        #[case] urn: Option<&str>,
        #[case] name: &str,
        #[case] sub: Option<&str>,
    ) {
        let p = AttrPath::parse(text).expect("valid path");
        assert_eq!(p.urn.as_deref(), urn);
        assert_eq!(p.name, name);
        assert_eq!(p.sub.as_deref(), sub);
        assert_eq!(p.to_string(), text);
    }

    #[rstest]
    #[case("")]
    #[case("1abc")]
    #[case("name.")]
    #[case("na me")]
    #[case("name.given.more")]
    fn rejects(#[case] text: &str) {
        let e = AttrPath::parse(text).expect_err("invalid path");
        assert_eq!(e.scim_type, Some(crate::scim::error::ScimType::InvalidPath));
    }
}
