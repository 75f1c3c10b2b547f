//! Alerts (SPEC §4.3) in either wire form, normalised to one [`Alert`].
//! Parsing works on the JSON value by hand so that a refusal names the
//! field (`alerts[0].labels.severity`) and what was expected there.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub const ALERT_SPEC: &str = "scimulate.alert/v1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    pub connector: Option<String>,
    pub target: String,
    pub status: AlertStatus,
    pub class: AlertClass,
    #[serde(serialize_with = "opt_millis_z")]
    pub first_failure_at: Option<DateTime<Utc>>,
    pub pending: Option<Pending>,
    pub message: Option<String>,
}

/// healthy: recovered (carries the class and first_failure_at of the trouble it ends).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(inline)]
pub enum AlertStatus {
    Healthy,
    Degraded,
    Failed,
}

/// The failure class, by what the connector saw (the classes of docs/connectors.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(inline)]
pub enum AlertClass {
    Connectivity,
    Latency,
    Authentication,
    Authorization,
    RateLimit,
    ServerError,
    SchemaMismatch,
    Conflict,
    NotFound,
}

const CLASSES: [(&str, AlertClass); 9] = [
    ("connectivity", AlertClass::Connectivity),
    ("latency", AlertClass::Latency),
    ("authentication", AlertClass::Authentication),
    ("authorization", AlertClass::Authorization),
    ("rate_limit", AlertClass::RateLimit),
    ("server_error", AlertClass::ServerError),
    ("schema_mismatch", AlertClass::SchemaMismatch),
    ("conflict", AlertClass::Conflict),
    ("not_found", AlertClass::NotFound),
];

/// Events (not requests) not yet delivered to the target, by kind, including those retried or set aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields, inline)]
pub struct Pending {
    pub deprovision: u64,
    pub provision: u64,
    pub update: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WireForm {
    Scimulate,
    Alertmanager,
}

/// A refused payload: which field, and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: expected {expected}")]
pub struct AlertError {
    pub field: String,
    pub expected: String,
}

fn bad(field: impl Into<String>, expected: impl Into<String>) -> AlertError {
    AlertError {
        field: field.into(),
        expected: expected.into(),
    }
}

fn opt_millis_z<S: serde::Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => super::event::millis_z(t, s),
        None => s.serialize_none(),
    }
}

/// The Alertmanager labels that carry the target and the class (the
/// connector file names them; `target` and `class` by default).
#[derive(Debug, Clone, Copy)]
pub struct Labels<'a> {
    pub target_label: &'a str,
    pub class_label: &'a str,
}

/// Parses a POSTed body in either form; `config` names the Alertmanager
/// labels that carry the target and the class.
pub fn parse(body: &[u8], config: Labels<'_>) -> Result<(WireForm, Vec<Alert>), AlertError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| bad("(body)", format!("a JSON object ({e})")))?;
    let Value::Object(obj) = value else {
        return Err(bad("(body)", "a JSON object"));
    };
    if obj.contains_key("spec") {
        native(&obj).map(|a| (WireForm::Scimulate, vec![a]))
    } else if obj.contains_key("alerts") || obj.contains_key("version") {
        alertmanager(&obj, config).map(|a| (WireForm::Alertmanager, a))
    } else {
        Err(bad(
            "spec",
            format!(
                "\"{ALERT_SPEC}\" (the native form) or an Alertmanager webhook payload (version \"4\", alerts)"
            ),
        ))
    }
}

fn native(o: &Map<String, Value>) -> Result<Alert, AlertError> {
    if o.get("spec").and_then(Value::as_str) != Some(ALERT_SPEC) {
        return Err(bad("spec", format!("\"{ALERT_SPEC}\"")));
    }
    let first_failure_at = match o.get("first_failure_at") {
        None | Some(Value::Null) => None,
        Some(v) => Some(time(v, "first_failure_at")?),
    };
    let pending = match o.get("pending") {
        None | Some(Value::Null) => None,
        Some(Value::Object(p)) => Some(Pending {
            deprovision: count(p.get("deprovision"), "pending.deprovision")?,
            provision: count(p.get("provision"), "pending.provision")?,
            update: count(p.get("update"), "pending.update")?,
        }),
        Some(_) => return Err(bad("pending", "an object {deprovision, provision, update}")),
    };
    Ok(Alert {
        connector: opt_str(o.get("connector"), "connector")?,
        target: required_str(o.get("target"), "target")?,
        status: status(o.get("status"), "status")?,
        class: class(o.get("class"), "class")?,
        first_failure_at,
        pending,
        message: opt_str(o.get("message"), "message")?,
    })
}

fn alertmanager(o: &Map<String, Value>, config: Labels<'_>) -> Result<Vec<Alert>, AlertError> {
    if o.get("version").and_then(Value::as_str) != Some("4") {
        return Err(bad(
            "version",
            "\"4\" (Alertmanager webhook payload version 4)",
        ));
    }
    let Some(Value::Array(alerts)) = o.get("alerts") else {
        return Err(bad("alerts", "an array of alerts"));
    };
    if alerts.is_empty() {
        return Err(bad("alerts", "at least one alert"));
    }
    alerts
        .iter()
        .enumerate()
        .map(|(i, a)| one_alertmanager(a, &format!("alerts[{i}]"), config))
        .collect()
}

fn one_alertmanager(a: &Value, at: &str, config: Labels<'_>) -> Result<Alert, AlertError> {
    let Value::Object(a) = a else {
        return Err(bad(at, "an alert object"));
    };
    let empty = Map::new();
    let labels = match a.get("labels") {
        Some(Value::Object(l)) => l,
        _ => return Err(bad(format!("{at}.labels"), "an object of labels")),
    };
    let annotations = match a.get("annotations") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(n)) => n,
        Some(_) => return Err(bad(format!("{at}.annotations"), "an object of annotations")),
    };
    let resolved = match a.get("status").and_then(Value::as_str) {
        Some("firing") => false,
        Some("resolved") => true,
        _ => return Err(bad(format!("{at}.status"), "firing or resolved")),
    };
    let status = if resolved {
        AlertStatus::Healthy
    } else {
        match labels.get("severity").and_then(Value::as_str) {
            Some("warning") => AlertStatus::Degraded,
            Some("critical") => AlertStatus::Failed,
            _ => {
                return Err(bad(
                    format!("{at}.labels.severity"),
                    "warning (degraded) or critical (failed)",
                ));
            }
        }
    };
    let first_failure_at = match a.get("startsAt") {
        None | Some(Value::Null) => None,
        Some(v) => Some(time(v, &format!("{at}.startsAt"))?),
    };
    let pending_keys = ["pending_deprovision", "pending_provision", "pending_update"];
    let pending = if pending_keys.iter().any(|k| annotations.contains_key(*k)) {
        let field = |k: &str| annotated_count(annotations.get(k), &format!("{at}.annotations.{k}"));
        Some(Pending {
            deprovision: field("pending_deprovision")?,
            provision: field("pending_provision")?,
            update: field("pending_update")?,
        })
    } else {
        None
    };
    let message = ["message", "summary", "description"]
        .iter()
        .find_map(|k| annotations.get(*k).and_then(Value::as_str))
        .map(str::to_owned);
    Ok(Alert {
        connector: labels
            .get("connector")
            .and_then(Value::as_str)
            .map(str::to_owned),
        target: required_str(
            labels.get(config.target_label),
            &format!("{at}.labels.{}", config.target_label),
        )?,
        status,
        class: class(
            labels.get(config.class_label),
            &format!("{at}.labels.{}", config.class_label),
        )?,
        first_failure_at,
        pending,
        message,
    })
}

fn required_str(v: Option<&Value>, field: &str) -> Result<String, AlertError> {
    match v.and_then(Value::as_str) {
        Some(s) if !s.is_empty() => Ok(s.to_owned()),
        _ => Err(bad(field, "a non-empty string")),
    }
}

fn opt_str(v: Option<&Value>, field: &str) -> Result<Option<String>, AlertError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad(field, "a string")),
    }
}

fn status(v: Option<&Value>, field: &str) -> Result<AlertStatus, AlertError> {
    match v.and_then(Value::as_str) {
        Some("healthy") => Ok(AlertStatus::Healthy),
        Some("degraded") => Ok(AlertStatus::Degraded),
        Some("failed") => Ok(AlertStatus::Failed),
        _ => Err(bad(field, "healthy, degraded or failed")),
    }
}

fn class(v: Option<&Value>, field: &str) -> Result<AlertClass, AlertError> {
    let s = v.and_then(Value::as_str).unwrap_or_default();
    CLASSES
        .iter()
        .find(|(name, _)| *name == s)
        .map(|(_, c)| *c)
        .ok_or_else(|| {
            bad(
                field,
                format!("one of {}", CLASSES.map(|(n, _)| n).join(", ")),
            )
        })
}

fn time(v: &Value, field: &str) -> Result<DateTime<Utc>, AlertError> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| {
            bad(
                field,
                "an RFC 3339 timestamp (e.g. 2026-11-22T10:00:03.120Z)",
            )
        })
}

fn count(v: Option<&Value>, field: &str) -> Result<u64, AlertError> {
    v.and_then(Value::as_u64)
        .ok_or_else(|| bad(field, "a non-negative integer"))
}

/// Annotations are strings in Alertmanager; a number is taken as well.
/// A missing one of the three counts as 0 once any of them is given.
fn annotated_count(v: Option<&Value>, field: &str) -> Result<u64, AlertError> {
    match v {
        None => Ok(0),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map_err(|_| bad(field, "a non-negative integer (as a string)")),
        Some(other) => count(Some(other), field),
    }
}
