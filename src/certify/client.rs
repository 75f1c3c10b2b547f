//! The HTTP client certify talks through: base URL, authentication, extra
//! headers, `--max-rps`, and 429 answers honoured (waited out and retried:
//! a server that asks to slow down is slowed down, not failed). With OAuth2
//! client credentials the token is fetched when first needed and fetched
//! again before it expires (and once after a 401), so a run longer than the
//! token's lifetime is not failed by it.

use super::limiter::Limiter;
use crate::http_client::Transport;
use crate::report::Exchange;
use base64::Engine;
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const SCIM_JSON: &str = "application/scim+json";
/// How often one request is retried after 429 before it counts as failed.
const MAX_429_RETRIES: u32 = 6;
/// The longest Retry-After honoured; a longer one is capped (and said so).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Which credentials a request carries (security checks vary this).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cred {
    Normal,
    None,
    Bad,
    Expired,
}

#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

pub struct Client {
    http: Transport,
    base: String,
    token: Option<String>,
    oauth: Option<OAuth>,
    /// The OAuth token in use; a tokio lock so one fetch serves everyone
    /// waiting for it.
    issued: tokio::sync::Mutex<Option<Issued>>,
    /// Every OAuth token fetched, for the report's secret masking.
    fetched: Mutex<Vec<String>>,
    expired: Option<String>,
    headers: HeaderMap,
    /// How many 429 answers came back (each waited out and retried).
    throttled: std::sync::atomic::AtomicU64,
    limiter: Limiter,
    /// The exchanges of the check running now, for the report.
    recording: Mutex<Option<Vec<Exchange>>>,
}

/// At most this many exchanges are kept per check (the load check sends
/// thousands).
pub const MAX_EXCHANGES: usize = 40;

/// OAuth2 client credentials (RFC 6749 §4.4) for the whole run.
#[derive(Debug, Clone)]
pub struct OAuth {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub scope: Option<String>,
}

/// A fetched OAuth token and when to fetch the next one (`None`: the
/// endpoint gave no `expires_in`; then only a 401 renews it).
struct Issued {
    token: String,
    renew_at: Option<Instant>,
}

/// When to renew a token that lives `lifetime`: at least a fifth of it and
/// at least 30 s before it expires, but not before half of it has passed.
fn renew_after(lifetime: Duration) -> Duration {
    let early = (lifetime / 5).max(Duration::from_secs(30).min(lifetime / 2));
    lifetime.saturating_sub(early)
}

pub struct ClientConfig {
    pub base: String,
    pub token: Option<String>,
    pub oauth: Option<OAuth>,
    pub expired_token: Option<String>,
    pub headers: Vec<(String, String)>,
    pub ca_pem: Option<Vec<u8>>,
    pub max_rps: Option<f64>,
    pub timeout: Duration,
}

impl Client {
    pub fn new(cfg: ClientConfig) -> Result<Client, String> {
        let mut headers = HeaderMap::new();
        for (n, v) in &cfg.headers {
            let name = HeaderName::from_bytes(n.as_bytes())
                .map_err(|_| format!("--header: {n:?} is not a header name"))?;
            let value = HeaderValue::from_str(v)
                .map_err(|_| format!("--header {n}: the value is not a valid header value"))?;
            headers.append(name, value);
        }
        Ok(Client {
            http: Transport::new(cfg.ca_pem.as_deref(), cfg.timeout)?,
            base: cfg.base.trim_end_matches('/').to_owned(),
            token: cfg.token,
            oauth: cfg.oauth,
            issued: tokio::sync::Mutex::new(None),
            fetched: Mutex::new(Vec::new()),
            expired: cfg.expired_token,
            headers,
            throttled: std::sync::atomic::AtomicU64::new(0),
            limiter: Limiter::new(cfg.max_rps),
            recording: Mutex::new(None),
        })
    }

    /// Starts keeping the exchanges of a check (dropping any kept before).
    pub fn record(&self) {
        if let Ok(mut r) = self.recording.lock() {
            *r = Some(Vec::new());
        }
    }

    /// The exchanges kept since [`Client::record`]; stops keeping them.
    pub fn recorded(&self) -> Vec<Exchange> {
        self.recording
            .lock()
            .ok()
            .and_then(|mut r| r.take())
            .unwrap_or_default()
    }

    fn keep(&self, exchange: impl FnOnce() -> Exchange) {
        if let Ok(mut r) = self.recording.lock()
            && let Some(list) = r.as_mut()
            && list.len() < MAX_EXCHANGES
        {
            list.push(exchange());
        }
    }

    /// How many 429 answers this client has waited out so far.
    pub fn throttled(&self) -> u64 {
        self.throttled.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn has_expired_token(&self) -> bool {
        self.expired.is_some()
    }

    /// Fetches the OAuth token now (if the run uses one), so that a refused
    /// client is said to be before anything else is tried.
    pub async fn authenticate(&self) -> Result<(), String> {
        self.normal_token(None).await.map(|_| ())
    }

    /// Every OAuth token this client fetched (to be masked in reports).
    pub fn fetched_tokens(&self) -> Vec<String> {
        self.fetched.lock().map(|t| t.clone()).unwrap_or_default()
    }

    /// The run's own token: the static one, or the OAuth token, fetched
    /// when there is none yet, when it is due for renewal, or when `stale`
    /// (the server refused it) names the token in use.
    async fn normal_token(&self, stale: Option<&str>) -> Result<Option<String>, String> {
        let Some(o) = &self.oauth else {
            return Ok(self.token.clone());
        };
        let mut issued = self.issued.lock().await;
        if let Some(i) = issued.as_ref() {
            let due = i.renew_at.is_some_and(|t| Instant::now() >= t);
            if !due && stale != Some(i.token.as_str()) {
                return Ok(Some(i.token.clone()));
            }
        }
        let (token, lifetime) = oauth_token(
            &self.http,
            &o.token_url,
            &o.client_id,
            &o.client_secret,
            o.scope.as_deref(),
        )
        .await?;
        if let Ok(mut f) = self.fetched.lock() {
            f.push(token.clone());
        }
        *issued = Some(Issued {
            token: token.clone(),
            renew_at: lifetime.map(|l| Instant::now() + renew_after(l)),
        });
        Ok(Some(token))
    }

    /// A request with a SCIM JSON body (or none).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Resp, String> {
        let b = body.map(|v| (SCIM_JSON, v.to_string()));
        self.raw(method, path, b, Cred::Normal, &[]).await
    }

    pub async fn get(&self, path: &str) -> Result<Resp, String> {
        self.call(Method::GET, path, None).await
    }

    /// Everything configurable: body with its content type, credentials,
    /// extra headers. The errors group uses it to send what is not valid.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        body: Option<(&str, String)>,
        cred: Cred,
        extra: &[(&str, &str)],
    ) -> Result<Resp, String> {
        let url = if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        let mut attempt = 0;
        // The OAuth token a 401 was answered to (renewed once, then retried).
        let mut refused: Option<String> = None;
        loop {
            self.limiter.acquire().await;
            let mut h = self.headers.clone();
            h.insert("accept", HeaderValue::from_static(SCIM_JSON));
            let token = match cred {
                Cred::Normal => self.normal_token(refused.as_deref()).await?,
                Cred::None => None,
                Cred::Bad => Some("scimulate-certify-invalid-token".to_owned()),
                Cred::Expired => self.expired.clone(),
            };
            if let Some(t) = &token
                && let Ok(v) = HeaderValue::from_str(&format!("Bearer {t}"))
            {
                h.insert("authorization", v);
            }
            for (n, v) in extra {
                if let (Ok(n), Ok(v)) = (
                    HeaderName::from_bytes(n.as_bytes()),
                    HeaderValue::from_str(v),
                ) {
                    h.insert(n, v);
                }
            }
            let payload = body.as_ref().map(|(ct, text)| {
                if let Ok(v) = HeaderValue::from_str(ct) {
                    h.insert("content-type", v);
                }
                text.clone().into_bytes()
            });
            // The message never carries the query or a header: no secret
            // can leak through a transport error.
            let exchange =
                |status: Option<u16>, answer: Option<String>, error: Option<String>| Exchange {
                    method: method.to_string(),
                    path: path.to_owned(),
                    credentials: match cred {
                        Cred::Normal => None,
                        Cred::None => Some("none".to_owned()),
                        Cred::Bad => Some("bad".to_owned()),
                        Cred::Expired => Some("expired".to_owned()),
                    },
                    request_body: body.as_ref().map(|(_, text)| text.clone()),
                    status,
                    response_body: answer,
                    error,
                };
            let a = match self.http.send(method.clone(), &url, h, payload).await {
                Ok(a) => a,
                Err(e) => {
                    let message = format!(
                        "{method} {}: no answer ({e})",
                        path.split('?').next().unwrap_or("")
                    );
                    self.keep(|| exchange(None, None, Some(message.clone())));
                    return Err(message);
                }
            };
            let status = a.status;
            let headers = a.headers;
            // A token that expired in flight (or was revoked): one retry
            // with a fresh one. A second 401 is the server's answer.
            if status == 401 && cred == Cred::Normal && self.oauth.is_some() && refused.is_none() {
                refused = token.or(Some(String::new()));
                continue;
            }
            if status == 429 {
                self.throttled
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            if status == 429 && attempt < MAX_429_RETRIES {
                attempt += 1;
                let pause =
                    retry_after(&headers).unwrap_or(Duration::from_secs(1 << attempt.min(4)));
                self.limiter.hold_off(pause.min(MAX_RETRY_AFTER)).await;
                continue;
            }
            let text = String::from_utf8_lossy(&a.body).into_owned();
            self.keep(|| exchange(Some(status), Some(text.clone()), None));
            let body = if text.trim().is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.clone()))
            };
            return Ok(Resp {
                status,
                headers,
                body,
                text,
            });
        }
    }
}

/// Retry-After as seconds or an HTTP-date (RFC 9110 §10.2.3).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = when.signed_duration_since(chrono::Utc::now());
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

/// OAuth2 client credentials (RFC 6749 §4.4): a token and its lifetime
/// (`expires_in`, RFC 6749 §5.1), when the endpoint gives one.
pub async fn oauth_token(
    http: &Transport,
    token_url: &str,
    client_id: &str,
    secret: &str,
    scope: Option<&str>,
) -> Result<(String, Option<Duration>), String> {
    let mut form = vec![("grant_type", "client_credentials")];
    if let Some(s) = scope {
        form.push(("scope", s));
    }
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let mut h = HeaderMap::new();
    h.insert(
        "content-type",
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    h.insert("accept", HeaderValue::from_static("application/json"));
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{secret}"));
    if let Ok(v) = HeaderValue::from_str(&format!("Basic {basic}")) {
        h.insert("authorization", v);
    }
    let a = http
        .send(Method::POST, token_url, h, Some(body.into_bytes()))
        .await
        .map_err(|e| format!("OAuth token endpoint: no answer ({e})"))?;
    let v: Value = serde_json::from_slice(&a.body).unwrap_or(Value::Null);
    let lifetime = v
        .get("expires_in")
        .and_then(|e| e.as_u64().or_else(|| e.as_str()?.parse().ok()))
        .map(Duration::from_secs);
    match v.get("access_token").and_then(Value::as_str) {
        Some(t) if (200..300).contains(&a.status) => Ok((t.to_owned(), lifetime)),
        _ => Err(format!(
            "OAuth token endpoint answered {} without an access_token",
            a.status
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renews_before_expiry() {
        let s = Duration::from_secs;
        // Short tokens: half way (30 s early would be before it).
        assert_eq!(renew_after(s(10)), s(5));
        // 30 s early.
        assert_eq!(renew_after(s(100)), s(70));
        // An hour: 12 min early (a fifth is more than 30 s).
        assert_eq!(renew_after(s(3600)), s(2880));
        assert_eq!(renew_after(s(1)), Duration::from_millis(500));
        assert_eq!(renew_after(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn retry_after_forms() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("3"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        h.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
        h.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }
}
