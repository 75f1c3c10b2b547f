//! An async client for Toxiproxy's HTTP API: drives the built-in proxy or a
//! real Toxiproxy server given by URL. Errors are typed and carry the
//! server's own message.

use super::model::{ApiErrorBody, NewProxy, NewToxic, ProxyJson, ToxicJson};
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server answered with an error status.
    #[error("toxiproxy {method} {url} answered {status}: {message}")]
    Api {
        method: Method,
        url: String,
        status: u16,
        message: String,
    },
    /// No answer: the server is down, unreachable or too slow.
    #[error("toxiproxy {method} {url} failed: {source}")]
    Transport {
        method: Method,
        url: String,
        #[source]
        source: reqwest::Error,
    },
    /// An answer that is not the JSON expected.
    #[error("toxiproxy {method} {url} answered something unexpected: {detail}")]
    Unexpected {
        method: Method,
        url: String,
        detail: String,
    },
}

impl ClientError {
    /// The HTTP status of an API error (e.g. 404 for a missing proxy).
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Client {
    base: String,
    http: reqwest::Client,
}

/// Proxy and toxic names go in paths; Toxiproxy's names are free text.
fn segment(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

impl Client {
    /// `url` is the API's origin, e.g. `http://127.0.0.1:8474`.
    pub fn new(url: &str) -> Result<Client, reqwest::Error> {
        let http = reqwest::Client::builder()
            // A hung API must not hang the harness; a live server answers
            // well within Toxiproxy's own 25 s handler timeout.
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(5))
            .build()?;
        Ok(Client {
            base: url.trim_end_matches('/').to_owned(),
            http,
        })
    }

    pub fn url(&self) -> &str {
        &self.base
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&(impl Serialize + ?Sized)>,
    ) -> Result<T, ClientError> {
        let text = self.send(method.clone(), path, body).await?;
        let url = format!("{}{path}", self.base);
        serde_json::from_str(&text).map_err(|e| ClientError::Unexpected {
            method,
            url,
            detail: format!("{e}: {text}"),
        })
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&(impl Serialize + ?Sized)>,
    ) -> Result<String, ClientError> {
        let url = format!("{}{path}", self.base);
        let mut req = self.http.request(method.clone(), &url);
        if let Some(b) = body {
            req = req.json(b);
        }
        let transport = |source| ClientError::Transport {
            method: method.clone(),
            url: url.clone(),
            source,
        };
        let resp = req.send().await.map_err(transport)?;
        let status = resp.status();
        let text = resp.text().await.map_err(transport)?;
        if status.is_success() {
            return Ok(text);
        }
        // Toxiproxy's error body; anything else is passed on as text.
        let message = serde_json::from_str::<ApiErrorBody>(&text)
            .map(|b| b.error)
            .unwrap_or_else(|_| text.trim().to_owned());
        Err(ClientError::Api {
            method,
            url,
            status: status.as_u16(),
            message,
        })
    }

    pub async fn version(&self) -> Result<String, ClientError> {
        let v: Value = self.call(Method::GET, "/version", None::<&()>).await?;
        Ok(v["version"].as_str().unwrap_or_default().to_owned())
    }

    pub async fn list_proxies(&self) -> Result<BTreeMap<String, ProxyJson>, ClientError> {
        self.call(Method::GET, "/proxies", None::<&()>).await
    }

    pub async fn create_proxy(&self, proxy: &NewProxy) -> Result<ProxyJson, ClientError> {
        self.call(Method::POST, "/proxies", Some(proxy)).await
    }

    pub async fn get_proxy(&self, name: &str) -> Result<ProxyJson, ClientError> {
        self.call(
            Method::GET,
            &format!("/proxies/{}", segment(name)),
            None::<&()>,
        )
        .await
    }

    pub async fn delete_proxy(&self, name: &str) -> Result<(), ClientError> {
        let path = format!("/proxies/{}", segment(name));
        self.send(Method::DELETE, &path, None::<&()>)
            .await
            .map(drop)
    }

    /// Disabled: the listener closes (connections refused) and open
    /// connections are dropped. Enabled: it listens again.
    pub async fn set_enabled(&self, name: &str, enabled: bool) -> Result<ProxyJson, ClientError> {
        let path = format!("/proxies/{}", segment(name));
        self.call(Method::PATCH, &path, Some(&json!({ "enabled": enabled })))
            .await
    }

    pub async fn add_toxic(&self, proxy: &str, toxic: &NewToxic) -> Result<ToxicJson, ClientError> {
        let path = format!("/proxies/{}/toxics", segment(proxy));
        self.call(Method::POST, &path, Some(toxic)).await
    }

    /// Merges `attributes` onto the toxic's; `toxicity` kept when `None`.
    pub async fn update_toxic(
        &self,
        proxy: &str,
        toxic: &str,
        attributes: Map<String, Value>,
        toxicity: Option<f64>,
    ) -> Result<ToxicJson, ClientError> {
        let path = format!("/proxies/{}/toxics/{}", segment(proxy), segment(toxic));
        let mut body = json!({ "attributes": attributes });
        if let Some(t) = toxicity {
            body["toxicity"] = json!(t);
        }
        self.call(Method::PATCH, &path, Some(&body)).await
    }

    pub async fn remove_toxic(&self, proxy: &str, toxic: &str) -> Result<(), ClientError> {
        let path = format!("/proxies/{}/toxics/{}", segment(proxy), segment(toxic));
        self.send(Method::DELETE, &path, None::<&()>)
            .await
            .map(drop)
    }

    pub async fn toxics(&self, proxy: &str) -> Result<Vec<ToxicJson>, ClientError> {
        let path = format!("/proxies/{}/toxics", segment(proxy));
        self.call(Method::GET, &path, None::<&()>).await
    }

    /// Every proxy enabled, every toxic removed.
    pub async fn reset(&self) -> Result<(), ClientError> {
        self.send(Method::POST, "/reset", None::<&()>)
            .await
            .map(drop)
    }

    /// Creates or replaces the proxies. Toxiproxy's answer may misreport
    /// `enabled`, so callers that care should `get_proxy` afterwards.
    pub async fn populate(&self, proxies: &[NewProxy]) -> Result<Vec<ProxyJson>, ClientError> {
        #[derive(serde::Deserialize)]
        struct Populated {
            proxies: Vec<ProxyJson>,
        }
        let p: Populated = self.call(Method::POST, "/populate", Some(proxies)).await?;
        Ok(p.proxies)
    }
}
