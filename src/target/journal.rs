//! The request journal (SPEC §3.3): every request a target receives, in
//! order, with what it answered. The judge's ground truth.
//!
//! Bodies are kept as the bytes that crossed the wire and turned into JSON
//! only when read, so journaling costs little on the hot path. Secrets are
//! masked before anything is stored.

use crate::fault::Operation;
use bytes::Bytes;
use parking_lot::Mutex;
use serde_json::{Map, Value, json};
use std::collections::VecDeque;
use std::sync::Arc;

/// Shown instead of every secret (SPEC §1).
pub const MASK: &str = "***";

/// Header names whose values are secrets.
const SECRET_HEADERS: [&str; 4] = [
    "authorization",
    "cookie",
    "set-cookie",
    "proxy-authorization",
];

/// JSON member names (any depth, any case) whose values are secrets.
const SECRET_KEYS: [&str; 6] = [
    "password",
    "client_secret",
    "access_token",
    "refresh_token",
    "token",
    "clientsecret",
];

#[derive(Debug, Clone)]
pub struct JournalEntry {
    pub seq: u64,
    pub time: String,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    pub status: u16,
    pub response_body: Bytes,
    pub latency_ms: f64,
    pub fault: Option<String>,
    pub operation: Option<Operation>,
}

impl JournalEntry {
    pub fn to_json(&self) -> Value {
        let headers: Map<String, Value> = self
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        json!({
            "seq": self.seq,
            "time": self.time,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": headers,
            "body": body_json(&self.body),
            "status": self.status,
            "response_body": body_json(&self.response_body),
            "latency_ms": self.latency_ms,
            "fault": self.fault,
            "operation": self.operation,
        })
    }
}

/// A body as JSON when it is JSON, else as text; `null` when empty.
fn body_json(body: &[u8]) -> Value {
    if body.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

/// Masks a header value if the header carries a secret, keeping the scheme
/// (`Bearer ***`) because it tells what the client sent.
pub fn mask_header(name: &str, value: &str) -> String {
    if !SECRET_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h)) {
        return value.to_owned();
    }
    match value.split_once(' ') {
        Some((scheme, _)) => format!("{scheme} {MASK}"),
        None => MASK.to_owned(),
    }
}

/// Masks secret members of a JSON body, and secret fields of a
/// form-encoded one. Bodies that cannot hold a secret pass untouched
/// (and uncopied).
pub fn mask_body(body: Bytes) -> Bytes {
    let lower = body.to_ascii_lowercase();
    let suspicious = SECRET_KEYS
        .iter()
        .any(|k| lower.windows(k.len()).any(|w| w == k.as_bytes()));
    if !suspicious {
        return body;
    }
    if let Ok(mut value) = serde_json::from_slice::<Value>(&body) {
        mask_value(&mut value);
        return Bytes::from(value.to_string());
    }
    let Ok(text) = std::str::from_utf8(&body) else {
        return Bytes::from_static(b"***");
    };
    let masked: Vec<String> = text
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if is_secret_key(k) => format!("{k}={MASK}"),
            _ => pair.to_owned(),
        })
        .collect();
    Bytes::from(masked.join("&"))
}

fn is_secret_key(k: &str) -> bool {
    SECRET_KEYS.iter().any(|s| k.eq_ignore_ascii_case(s))
}

fn mask_value(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if is_secret_key(k) {
                    *child = Value::String(MASK.into());
                } else {
                    mask_value(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_value),
        _ => {}
    }
}

/// How many entries a journal keeps before dropping the oldest: enough for
/// any scenario, bounded for a long game day or a load run.
pub const DEFAULT_CAPACITY: usize = 200_000;

#[derive(Debug)]
pub struct Journal {
    inner: Mutex<JournalInner>,
    capacity: usize,
}

#[derive(Debug, Default)]
struct JournalInner {
    entries: VecDeque<Arc<JournalEntry>>,
    next_seq: u64,
    dropped: u64,
}

impl Default for Journal {
    fn default() -> Self {
        Journal::with_capacity(DEFAULT_CAPACITY)
    }
}

impl Journal {
    pub fn with_capacity(capacity: usize) -> Self {
        Journal {
            inner: Mutex::new(JournalInner::default()),
            capacity: capacity.max(1),
        }
    }

    /// Appends an entry, giving it the next sequence number (from 1).
    pub fn record(&self, mut entry: JournalEntry) -> u64 {
        let mut inner = self.inner.lock();
        inner.next_seq += 1;
        entry.seq = inner.next_seq;
        if inner.entries.len() == self.capacity {
            inner.entries.pop_front();
            inner.dropped += 1;
        }
        inner.entries.push_back(Arc::new(entry));
        inner.next_seq
    }

    /// Entries with `seq > since`, oldest first.
    pub fn since(&self, since: u64) -> Vec<Arc<JournalEntry>> {
        let inner = self.inner.lock();
        let start = inner.entries.partition_point(|e| e.seq <= since);
        inner.entries.range(start..).cloned().collect()
    }

    /// Entries dropped because the journal was full.
    pub fn dropped(&self) -> u64 {
        self.inner.lock().dropped
    }

    /// Empties the journal; sequence numbers continue so a reader's `since`
    /// stays meaningful.
    pub fn clear(&self) {
        let mut inner = self.inner.lock();
        inner.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> JournalEntry {
        JournalEntry {
            seq: 0,
            time: "t".into(),
            method: "GET".into(),
            path: "/Users".into(),
            query: None,
            headers: vec![],
            body: Bytes::new(),
            status: 200,
            response_body: Bytes::new(),
            latency_ms: 0.0,
            fault: None,
            operation: Some(Operation::Read),
        }
    }

    #[test]
    fn since_returns_newer_entries_oldest_first_and_capacity_drops_the_oldest() {
        let j = Journal::with_capacity(3);
        for _ in 0..5 {
            j.record(entry());
        }
        let seqs: Vec<_> = j.since(0).iter().map(|e| e.seq).collect();
        assert_eq!(seqs, vec![3, 4, 5]);
        assert_eq!(j.since(4).len(), 1);
        assert_eq!(j.dropped(), 2);
        j.clear();
        assert_eq!(j.record(entry()), 6);
    }

    #[test]
    fn secrets_are_masked_in_headers_and_bodies() {
        assert_eq!(mask_header("Authorization", "Bearer abc"), "Bearer ***");
        assert_eq!(mask_header("content-type", "x"), "x");
        let body = mask_body(Bytes::from_static(
            br#"{"userName":"a","Password":"hunter2","x":[{"client_secret":"s"}]}"#,
        ));
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["Password"], MASK);
        assert_eq!(v["x"][0]["client_secret"], MASK);
        assert_eq!(v["userName"], "a");
        let form = mask_body(Bytes::from_static(
            b"grant_type=client_credentials&client_secret=s3",
        ));
        assert_eq!(
            &form[..],
            b"grant_type=client_credentials&client_secret=***"
        );
        let plain = Bytes::from_static(br#"{"userName":"a"}"#);
        assert_eq!(mask_body(plain.clone()), plain);
    }
}
