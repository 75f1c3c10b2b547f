//! One stored resource, as the tables and the write history keep it.

use bytes::Bytes;
use serde_json::Value;
use std::sync::Arc;

/// A stored resource: the JSON as served (with `id` and `meta`), its
/// creation sequence (list order) and its version (the ETag, RFC 7644 §3.14).
#[derive(Debug, Clone)]
pub struct Record {
    pub seq: u64,
    pub version: u64,
    pub value: Arc<Value>,
    /// The compact JSON of `value`, when that is exactly what a request
    /// without `attributes`/`excludedAttributes` returns: lookups then
    /// answer with these bytes instead of projecting and serialising.
    pub default_view: Option<Bytes>,
}
