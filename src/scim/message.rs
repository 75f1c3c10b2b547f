//! SCIM protocol messages (RFC 7644 §3.1): request bodies that are not
//! resources but say what they are in `schemas`.

use crate::scim::{ScimError, ScimResult};
use serde_json::Value;

/// A message body must list its message URN in `schemas` (RFC 7644 §3.1);
/// otherwise the body does not conform to the request schema
/// (`invalidSyntax`, §3.12).
pub fn require_schema(body: &Value, urn: &str) -> ScimResult<()> {
    let listed = body
        .get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|u| u.as_str() == Some(urn)));
    if listed {
        Ok(())
    } else {
        Err(ScimError::invalid_syntax(format!(
            "schemas must be [\"{urn}\"]"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_message_urn_must_be_listed() {
        let urn = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
        assert!(require_schema(&json!({"schemas": [urn]}), urn).is_ok());
        for body in [
            json!({}),
            json!({"schemas": urn}),
            json!({"schemas": ["x"]}),
        ] {
            let e = require_schema(&body, urn).unwrap_err();
            assert_eq!(
                (e.status, e.scim_type.map(|t| t.as_str())),
                (400, Some("invalidSyntax"))
            );
        }
    }
}
