//! Requests to one target: its credentials (a bearer token, or an OAuth2
//! client-credentials token fetched, cached and refreshed before expiry),
//! and what an answer means (SPEC §4.3 classes, retryable or not).

use crate::contract::alert::AlertClass;
use crate::contract::targets_file::{Auth, Target};
use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use reqwest::Method;
use serde_json::Value;
use std::time::{Duration, Instant};

/// Refresh an OAuth token this long before it expires.
const REFRESH_MARGIN: Duration = Duration::from_secs(30);

/// A failed request, as the connector understood it.
#[derive(Debug, Clone)]
pub struct Failure {
    pub class: AlertClass,
    pub retryable: bool,
    /// `Retry-After`, as a time to wait from now.
    pub retry_after: Option<Duration>,
    pub message: String,
    /// The fingerprint of the credential the request was sent with: after
    /// a 401 the worker waits for a credential other than this one (the
    /// file may already have changed while the request was under way).
    pub credential: Option<String>,
}

impl Failure {
    pub fn new(class: AlertClass, retryable: bool, message: impl Into<String>) -> Failure {
        Failure {
            class,
            retryable,
            retry_after: None,
            message: message.into(),
            credential: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub body: Value,
}

struct Cached {
    /// The credential the token was issued for: a new client secret or
    /// token URL makes it stale.
    issued_for: String,
    token: String,
    refresh_at: Option<Instant>,
}

pub struct Client {
    http: reqwest::Client,
    oauth: Mutex<Option<Cached>>,
}

/// The value of `Retry-After`: seconds, or an HTTP-date (RFC 9110 §10.2.3).
pub fn retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(v).ok()?.with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

/// Maps an HTTP status to the class and whether waiting may help.
pub fn classify(status: u16) -> (AlertClass, bool) {
    match status {
        401 => (AlertClass::Authentication, true),
        403 => (AlertClass::Authorization, false),
        404 => (AlertClass::NotFound, false),
        409 => (AlertClass::Conflict, false),
        429 => (AlertClass::RateLimit, true),
        500..=599 => (AlertClass::ServerError, true),
        _ => (AlertClass::SchemaMismatch, false),
    }
}

impl Client {
    pub fn new(timeout: Duration) -> Client {
        Client {
            http: reqwest::Client::builder()
                .user_agent(super::USER_AGENT)
                .no_proxy()
                .timeout(timeout)
                .build()
                .unwrap_or_else(|_| reqwest::Client::new()),
            oauth: Mutex::new(None),
        }
    }

    /// Forgets the OAuth token (after a 401), so the next call fetches one.
    pub fn invalidate(&self) {
        *self.oauth.lock() = None;
    }

    /// The credential in use, for telling whether it changed (never shown).
    pub fn credential_fingerprint(target: &Target) -> String {
        match &target.auth {
            Auth::Bearer { token } => token.clone(),
            Auth::Oauth2ClientCredentials {
                token_url,
                client_id,
                client_secret,
            } => format!("{token_url}\n{client_id}\n{client_secret}"),
            Auth::Upstream => String::new(),
        }
    }

    async fn token(&self, target: &Target) -> Result<String, Failure> {
        let (token_url, client_id, client_secret) = match &target.auth {
            Auth::Bearer { token } => return Ok(token.clone()),
            Auth::Oauth2ClientCredentials {
                token_url,
                client_id,
                client_secret,
            } => (token_url, client_id, client_secret),
            // This connector has no credentials of its own for a real app.
            Auth::Upstream => {
                return Err(Failure::new(
                    AlertClass::Authentication,
                    false,
                    format!(
                        "target {}: the targets file gives no credentials (auth: upstream); give the scenario target `token_env`",
                        target.name
                    ),
                ));
            }
        };
        let fingerprint = Self::credential_fingerprint(target);
        if let Some(c) = self.oauth.lock().as_ref()
            && c.issued_for == fingerprint
            && c.refresh_at.is_none_or(|at| Instant::now() < at)
        {
            return Ok(c.token.clone());
        }
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "client_credentials")
            .append_pair("client_id", client_id)
            .append_pair("client_secret", client_secret)
            .finish();
        let resp = self
            .http
            .post(token_url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .map_err(|e| {
                Failure::new(
                    AlertClass::Connectivity,
                    true,
                    format!("token endpoint: {e}"),
                )
            })?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            // A refused client is an authentication failure whatever the
            // code (RFC 6749 §5.2 answers 400 or 401).
            let (class, retryable) = match status {
                400 | 401 => (AlertClass::Authentication, true),
                s => classify(s),
            };
            return Err(Failure::new(
                class,
                retryable,
                format!("token endpoint answered {status}"),
            ));
        }
        let body: Value = resp.json().await.map_err(|e| {
            Failure::new(
                AlertClass::SchemaMismatch,
                false,
                format!("token answer: {e}"),
            )
        })?;
        let Some(token) = body.get("access_token").and_then(Value::as_str) else {
            return Err(Failure::new(
                AlertClass::SchemaMismatch,
                false,
                "token answer without access_token",
            ));
        };
        let refresh_at = body.get("expires_in").and_then(Value::as_u64).map(|s| {
            let life = Duration::from_secs(s);
            Instant::now() + life.saturating_sub(REFRESH_MARGIN.min(life / 2))
        });
        *self.oauth.lock() = Some(Cached {
            issued_for: fingerprint,
            token: token.to_owned(),
            refresh_at,
        });
        Ok(token.to_owned())
    }

    /// One SCIM request; `path` is relative to the target's base URL.
    pub async fn send(
        &self,
        target: &Target,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Reply, Failure> {
        let token = self.token(target).await?;
        let url = format!("{}{path}", target.base_url.trim_end_matches('/'));
        let mut req = self
            .http
            .request(method.clone(), &url)
            .bearer_auth(token)
            .header("accept", "application/scim+json");
        if let Some(b) = body {
            req = req
                .header("content-type", "application/scim+json")
                .body(b.to_string());
        }
        let resp = req.send().await.map_err(|e| {
            let what = if e.is_timeout() {
                "no answer within the connector's timeout"
            } else {
                "connection failed"
            };
            Failure::new(
                AlertClass::Connectivity,
                true,
                format!("{method} {path}: {what}"),
            )
        })?;
        let status = resp.status().as_u16();
        let retry = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| retry_after(v, Utc::now()));
        let text = resp.text().await.map_err(|e| {
            Failure::new(
                AlertClass::Connectivity,
                true,
                format!("{method} {path}: body lost: {e}"),
            )
        })?;
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            return Ok(Reply { body });
        }
        let (class, retryable) = classify(status);
        let detail = body
            .get("scimType")
            .and_then(Value::as_str)
            .map(|t| format!(" ({t})"))
            .unwrap_or_default();
        Err(Failure {
            class,
            retryable,
            retry_after: retry,
            message: format!("{status}{detail} from {} on {method} {path}", target.name),
            credential: Some(Self::credential_fingerprint(target)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_and_http_dates() {
        let now: DateTime<Utc> = "2026-11-22T10:00:00Z".parse().unwrap();
        assert_eq!(retry_after("2", now), Some(Duration::from_secs(2)));
        assert_eq!(
            retry_after("Sun, 22 Nov 2026 10:00:03 GMT", now),
            Some(Duration::from_secs(3))
        );
        assert_eq!(retry_after("soon", now), None);
        assert_eq!(classify(503), (AlertClass::ServerError, true));
        assert_eq!(classify(400), (AlertClass::SchemaMismatch, false));
    }
}
