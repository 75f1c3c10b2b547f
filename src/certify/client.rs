//! The HTTP client certify talks through: base URL, authentication, extra
//! headers, `--max-rps`, and 429 answers honoured (waited out and retried:
//! a server that asks to slow down is slowed down, not failed).

use super::limiter::Limiter;
use super::transport::Transport;
use base64::Engine;
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use std::time::Duration;

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
    expired: Option<String>,
    headers: HeaderMap,
    limiter: Limiter,
}

pub struct ClientConfig {
    pub base: String,
    pub token: Option<String>,
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
            expired: cfg.expired_token,
            headers,
            limiter: Limiter::new(cfg.max_rps),
        })
    }

    pub fn has_expired_token(&self) -> bool {
        self.expired.is_some()
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
        loop {
            self.limiter.acquire().await;
            let mut h = self.headers.clone();
            h.insert("accept", HeaderValue::from_static(SCIM_JSON));
            let token = match cred {
                Cred::Normal => self.token.as_deref(),
                Cred::None => None,
                Cred::Bad => Some("scimulate-certify-invalid-token"),
                Cred::Expired => self.expired.as_deref(),
            };
            if let Some(t) = token
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
            let a = self
                .http
                .send(method.clone(), &url, h, payload)
                .await
                .map_err(|e| {
                    format!(
                        "{method} {}: no answer ({e})",
                        path.split('?').next().unwrap_or("")
                    )
                })?;
            let status = a.status;
            let headers = a.headers;
            if status == 429 && attempt < MAX_429_RETRIES {
                attempt += 1;
                let pause =
                    retry_after(&headers).unwrap_or(Duration::from_secs(1 << attempt.min(4)));
                self.limiter.hold_off(pause.min(MAX_RETRY_AFTER)).await;
                continue;
            }
            let text = String::from_utf8_lossy(&a.body).into_owned();
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

/// OAuth2 client credentials (RFC 6749 §4.4): one token for the run.
pub async fn oauth_token(
    http: &Transport,
    token_url: &str,
    client_id: &str,
    secret: &str,
    scope: Option<&str>,
) -> Result<String, String> {
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
    match v.get("access_token").and_then(Value::as_str) {
        Some(t) if (200..300).contains(&a.status) => Ok(t.to_owned()),
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
