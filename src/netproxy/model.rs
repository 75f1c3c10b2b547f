//! The JSON of Toxiproxy's API (reference/toxiproxy-api.md §1.3), shared by
//! the built-in server and the client so both agree on one shape.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What `GET /version` reports: Toxiproxy's version whose behaviour this
/// proxy follows, marked as ours.
pub const VERSION: &str = "2.12.0-scimulate";

/// A proxy as the API answers it (`toxics` listed upstream chain first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProxyJson {
    pub name: String,
    pub listen: String,
    pub upstream: String,
    pub enabled: bool,
    #[serde(default)]
    pub toxics: Vec<ToxicJson>,
}

/// A toxic as the API answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToxicJson {
    pub attributes: Map<String, Value>,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub stream: String,
    pub toxicity: f64,
}

/// A proxy to create (`POST /proxies`, `/populate`). Absent fields take
/// the server's defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewProxy {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub listen: String,
    pub upstream: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// A toxic to add (`POST /proxies/{p}/toxics`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewToxic {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toxicity: Option<f64>,
    #[serde(default)]
    pub attributes: Map<String, Value>,
}

/// Toxiproxy's error body: `{"error": "...", "status": 404}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    pub error: String,
    pub status: u16,
}
