//! The request journal (SPEC §3.3): every request a target receives, in
//! order, with what it answered. The judge's ground truth.
//!
//! Bodies are kept as the bytes that crossed the wire and turned into JSON
//! only when read, so journaling costs little on the hot path. Secrets are
//! masked before anything is stored.

use crate::fault::Operation;
use aho_corasick::AhoCorasick;
use axum::http::{self, HeaderMap, HeaderValue, Method};
use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use parking_lot::Mutex;
use serde_json::{Map, Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, LazyLock};

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

/// One request and its answer. Kept in the shapes that cost least to
/// record; turned into JSON only when somebody reads the journal.
#[derive(Debug, Clone)]
pub struct JournalEntry {
    pub seq: u64,
    pub time: DateTime<Utc>,
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    /// `name: value` lines, already masked (see [`mask_headers`]).
    pub headers: String,
    /// Masked when recorded.
    pub body: Bytes,
    pub status: u16,
    /// As answered; masked when read (see [`JournalEntry::to_json`]).
    pub response_body: Bytes,
    pub latency_ms: f64,
    pub fault: Option<String>,
    pub operation: Option<Operation>,
    /// The `Retry-After` the target answered with, as sent: what
    /// `honors_retry_after` holds the connector to.
    pub retry_after: Option<String>,
    /// The request's HTTP version (the HAR report shows it).
    pub version: http::Version,
    /// The answer's `Content-Type`, if it had one (the HAR report shows
    /// it; a clone of a header value, which costs no copy).
    pub response_content_type: Option<HeaderValue>,
}

impl JournalEntry {
    pub fn to_json(&self) -> Value {
        // Repeated headers are joined as one field value (RFC 9110 §5.3).
        let mut headers = Map::new();
        for (name, value) in self.headers.lines().filter_map(|l| l.split_once(": ")) {
            match headers.get_mut(name) {
                Some(Value::String(joined)) => {
                    joined.push_str(", ");
                    joined.push_str(value);
                }
                _ => {
                    headers.insert(name.to_owned(), Value::String(value.to_owned()));
                }
            }
        }
        json!({
            "seq": self.seq,
            "time": self.time.to_rfc3339_opts(SecondsFormat::Millis, true),
            "method": self.method.as_str(),
            "path": self.path,
            "query": self.query,
            "headers": headers,
            "body": body_json(&self.body),
            "status": self.status,
            "response_body": body_json(&mask_body(self.response_body.clone())),
            "latency_ms": self.latency_ms,
            "fault": self.fault,
            "operation": self.operation,
            "retry_after": self.retry_after,
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

/// The request's headers as `name: value` lines, every secret masked but
/// its scheme (`Bearer ***`: the scheme tells what the client sent). One
/// string, because a header map would keep the connection's whole read
/// buffer alive for as long as the entry lives.
pub fn mask_headers(headers: &HeaderMap) -> String {
    let mut out = String::with_capacity(256);
    for (name, value) in headers {
        let text = String::from_utf8_lossy(value.as_bytes());
        out.push_str(name.as_str());
        out.push_str(": ");
        if SECRET_HEADERS.contains(&name.as_str()) {
            if let Some((scheme, _)) = text.split_once(' ') {
                out.push_str(scheme);
                out.push(' ');
            }
            out.push_str(MASK);
        } else {
            // Line breaks cannot occur in a parsed header value; replacing
            // them keeps one header per line even for hand-made maps.
            out.extend(text.chars().map(|c| match c {
                '\r' | '\n' => ' ',
                c => c,
            }));
        }
        out.push('\n');
    }
    out
}

/// Finds any secret key, ignoring ASCII case, in one pass over a body.
static SECRET_KEY_FINDER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(SECRET_KEYS)
        .expect("the secret keys are valid patterns")
});

/// Masks secret members of a JSON body, and secret fields of a
/// form-encoded one. Bodies that cannot hold a secret pass untouched
/// (and uncopied).
pub fn mask_body(body: Bytes) -> Bytes {
    if !SECRET_KEY_FINDER.is_match(&body[..]) {
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
        let evicted = if inner.entries.len() == self.capacity {
            inner.dropped += 1;
            inner.entries.pop_front()
        } else {
            None
        };
        inner.entries.push_back(Arc::new(entry));
        let seq = inner.next_seq;
        drop(inner);
        // Freed outside the lock: the other workers record meanwhile.
        drop(evicted);
        seq
    }

    /// Entries with `seq > since`, oldest first.
    pub fn since(&self, since: u64) -> Vec<Arc<JournalEntry>> {
        let inner = self.inner.lock();
        let start = inner.entries.partition_point(|e| e.seq <= since);
        inner.entries.range(start..).cloned().collect()
    }

    /// The sequence number of the newest entry ever recorded (0: none).
    pub fn last_seq(&self) -> u64 {
        self.inner.lock().next_seq
    }

    /// Entries held now.
    pub fn len(&self) -> usize {
        self.inner.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
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
            retry_after: None,
            version: http::Version::HTTP_11,
            response_content_type: None,
            seq: 0,
            time: Utc::now(),
            method: Method::GET,
            path: "/Users".into(),
            query: None,
            headers: String::new(),
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
        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_static("Bearer abc"));
        headers.append("cookie", HeaderValue::from_static("a=1"));
        headers.append("cookie", HeaderValue::from_static("b=2"));
        headers.insert("content-type", HeaderValue::from_static("x"));
        let mut e = entry();
        e.headers = mask_headers(&headers);
        let json = e.to_json();
        assert_eq!(json["headers"]["authorization"], "Bearer ***");
        assert_eq!(json["headers"]["cookie"], "***, ***");
        assert_eq!(json["headers"]["content-type"], "x");
        assert!(!e.headers.contains("abc"));
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
