//! `error_body_style`: the shape of error bodies (vendor-behaviour.md §5.1).
//! The strict default is RFC 7644 §3.12 with `status` as a string; some
//! vendors send it as an integer (Okta's and LaunchDarkly's examples) or
//! add stray keys (AWS IAM Identity Center: `schema`, `exceptionRequestId`,
//! `timeStamp`). The rewrite works on the
//! finished body, so every error, from any layer, gets the same style.

use crate::scim::error::ERROR_SCHEMA;
use bytes::Bytes;
use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusType {
    #[default]
    String,
    Integer,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorStyle {
    #[serde(default)]
    pub status: StatusType,
    /// Adds AWS's stray keys: `schema`, `exceptionRequestId`, `timeStamp`.
    #[serde(default)]
    pub stray_keys: bool,
}

impl ErrorStyle {
    pub fn is_strict(&self) -> bool {
        *self == ErrorStyle::default()
    }

    /// `body` restyled when it is a SCIM error body; anything else (and
    /// every body under the strict default) is returned as it was.
    pub fn restyle(&self, body: Bytes) -> Bytes {
        if self.is_strict() || body.is_empty() {
            return body;
        }
        let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(&body) else {
            return body;
        };
        let is_error = map
            .get("schemas")
            .and_then(Value::as_array)
            .is_some_and(|s| s.iter().any(|v| v == ERROR_SCHEMA));
        if !is_error {
            return body;
        }
        if self.status == StatusType::Integer
            && let Some(n) = map
                .get("status")
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<u64>().ok())
        {
            map.insert("status".into(), Value::from(n));
        }
        if self.stray_keys {
            map.insert("schema".into(), Value::String(ERROR_SCHEMA.into()));
            map.insert(
                "exceptionRequestId".into(),
                Value::String(uuid::Uuid::new_v4().to_string()),
            );
            map.insert(
                "timeStamp".into(),
                Value::String(Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)),
            );
        }
        serde_json::to_vec(&Value::Object(map))
            .map(Bytes::from)
            .unwrap_or(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::ScimError;

    fn error_body() -> Bytes {
        Bytes::from(ScimError::not_found("gone").to_json().to_string())
    }

    #[test]
    fn the_strict_style_leaves_bodies_alone() {
        let body = error_body();
        assert_eq!(ErrorStyle::default().restyle(body.clone()), body);
    }

    #[test]
    fn integer_status() {
        let style = ErrorStyle {
            status: StatusType::Integer,
            stray_keys: false,
        };
        let v: Value = serde_json::from_slice(&style.restyle(error_body())).unwrap();
        assert_eq!(v["status"], 404);
    }

    #[test]
    fn aws_stray_keys_keep_the_rfc_ones() {
        let style = ErrorStyle {
            status: StatusType::String,
            stray_keys: true,
        };
        let v: Value = serde_json::from_slice(&style.restyle(error_body())).unwrap();
        assert_eq!(v["status"], "404");
        assert_eq!(v["schema"], ERROR_SCHEMA);
        assert!(v["exceptionRequestId"].is_string() && v["timeStamp"].is_string());
    }

    #[test]
    fn non_error_bodies_pass() {
        let style = ErrorStyle {
            status: StatusType::Integer,
            stray_keys: true,
        };
        let body = Bytes::from_static(br#"{"schemas":["x"],"status":"1"}"#);
        assert_eq!(style.restyle(body.clone()), body);
    }
}
