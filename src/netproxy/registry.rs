//! The named proxies and their toxics: every API operation, with
//! Toxiproxy's validation order, messages and status codes
//! (reference/toxiproxy-api.md §1.2, §1.6; `api.go`, `toxic_collection.go`,
//! `proxy.go`). The HTTP layer only translates.

use super::engine::{self, Running, Shared};
use super::error::ApiError;
use super::local::LocalUpstreams;
use super::model::{NewProxy, ProxyJson, ToxicJson};
use super::toxic::{Kind, Stream, Toxic};
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;
use tokio::sync::Mutex;

struct Entry {
    listen: String,
    upstream: String,
    enabled: bool,
    /// In insertion order; listed upstream ones first, as Toxiproxy does.
    toxics: Vec<Toxic>,
    shared: Arc<Shared>,
    running: Option<Running>,
}

impl Entry {
    fn to_json(&self, name: &str) -> ProxyJson {
        ProxyJson {
            name: name.to_owned(),
            listen: self.listen.clone(),
            upstream: self.upstream.clone(),
            enabled: self.enabled,
            toxics: self.toxics_json(),
        }
    }

    fn toxics_json(&self) -> Vec<ToxicJson> {
        let up = self.toxics.iter().filter(|t| t.stream == Stream::Upstream);
        let down = self
            .toxics
            .iter()
            .filter(|t| t.stream == Stream::Downstream);
        up.chain(down).map(Toxic::to_json).collect()
    }

    fn publish(&self) {
        self.shared
            .toxics
            .send_replace(Arc::new(self.toxics.clone()));
    }

    /// Binds and accepts; the reported `listen` becomes the bound address
    /// (port 0 resolved), so a re-enable binds the same port again.
    async fn start(&mut self) -> Result<(), ApiError> {
        if self.running.is_some() {
            return Ok(());
        }
        let running = engine::start(&self.listen, self.upstream.clone(), self.shared.clone())
            .await
            .map_err(|e| ApiError::listen(&self.listen, e))?;
        self.listen = running.addr.to_string();
        self.running = Some(running);
        self.enabled = true;
        Ok(())
    }

    /// Closes the listener (new connections are refused) and every open
    /// connection.
    async fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
        self.enabled = false;
    }

    fn find(&self, name: &str) -> Option<usize> {
        self.toxics.iter().position(|t| t.name == name)
    }
}

/// All proxies of one API server. Operations are serialised by one lock,
/// as in Toxiproxy, so a listing never shows half an update.
pub struct Registry {
    seed: u64,
    host: IpAddr,
    proxies: Mutex<BTreeMap<String, Entry>>,
    local: Arc<LocalUpstreams>,
}

fn field_str(obj: &serde_json::Map<String, Value>, key: &str) -> Result<Option<String>, ApiError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(ApiError::bad_body(format!(
            "json: cannot unmarshal {v} into field {key} of type string"
        ))),
    }
}

fn field_bool(obj: &serde_json::Map<String, Value>, key: &str) -> Result<Option<bool>, ApiError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(v) => Err(ApiError::bad_body(format!(
            "json: cannot unmarshal {v} into field {key} of type bool"
        ))),
    }
}

fn object(body: &Value) -> Result<&serde_json::Map<String, Value>, ApiError> {
    body.as_object()
        .ok_or_else(|| ApiError::bad_body(format!("json: cannot unmarshal {body} into an object")))
}

fn new_proxy(body: &Value) -> Result<NewProxy, ApiError> {
    let obj = object(body)?;
    Ok(NewProxy {
        name: field_str(obj, "name")?.unwrap_or_default(),
        listen: field_str(obj, "listen")?.unwrap_or_default(),
        upstream: field_str(obj, "upstream")?.unwrap_or_default(),
        enabled: field_bool(obj, "enabled")?,
    })
}

impl Registry {
    /// `seed` decides which connections a toxic with toxicity below 1
    /// applies to; `host` is where a `listen` without a host binds.
    pub fn new(seed: u64, host: IpAddr) -> Self {
        Registry {
            seed,
            host,
            proxies: Mutex::new(BTreeMap::new()),
            local: Arc::new(LocalUpstreams::default()),
        }
    }

    /// The upstreams this process serves itself, reached in memory by
    /// every proxy of this registry whose upstream is one of them.
    pub fn local_upstreams(&self) -> Arc<LocalUpstreams> {
        self.local.clone()
    }

    /// An empty or host-less `listen` (`""`, `":0"`) binds the registry's
    /// host, loopback unless told otherwise, never every interface.
    fn listen_addr(&self, listen: &str) -> String {
        let host = match self.host {
            IpAddr::V6(h) => format!("[{h}]"),
            IpAddr::V4(h) => h.to_string(),
        };
        if listen.is_empty() {
            format!("{host}:0")
        } else if listen.starts_with(':') {
            format!("{host}{listen}")
        } else {
            listen.to_owned()
        }
    }

    fn entry(&self, name: &str, input: &NewProxy) -> Entry {
        let (toxics, _) = tokio::sync::watch::channel(Arc::new(Vec::new()));
        Entry {
            listen: self.listen_addr(&input.listen),
            upstream: input.upstream.clone(),
            enabled: false,
            toxics: Vec::new(),
            shared: Arc::new(Shared::new(name, self.seed, toxics, self.local.clone())),
            running: None,
        }
    }

    pub async fn list(&self) -> BTreeMap<String, ProxyJson> {
        let proxies = self.proxies.lock().await;
        proxies
            .iter()
            .map(|(n, e)| (n.clone(), e.to_json(n)))
            .collect()
    }

    /// `POST /proxies`.
    pub async fn create(&self, body: &Value) -> Result<ProxyJson, ApiError> {
        let input = new_proxy(body)?;
        if input.name.is_empty() {
            return Err(ApiError::missing("name"));
        }
        if input.upstream.is_empty() {
            return Err(ApiError::missing("upstream"));
        }
        let mut proxies = self.proxies.lock().await;
        if proxies.contains_key(&input.name) {
            return Err(ApiError::new(409, "proxy already exists"));
        }
        let mut entry = self.entry(&input.name, &input);
        if input.enabled.unwrap_or(true) {
            entry.start().await?;
        }
        let json = entry.to_json(&input.name);
        proxies.insert(input.name, entry);
        Ok(json)
    }

    pub async fn get(&self, name: &str) -> Result<ProxyJson, ApiError> {
        let proxies = self.proxies.lock().await;
        let e = proxies.get(name).ok_or_else(ApiError::proxy_not_found)?;
        Ok(e.to_json(name))
    }

    /// `PATCH /proxies/{p}`: absent fields keep their value; a new listen
    /// or upstream restarts the proxy (dropping its connections).
    pub async fn update(&self, name: &str, body: &Value) -> Result<ProxyJson, ApiError> {
        let mut proxies = self.proxies.lock().await;
        let e = proxies
            .get_mut(name)
            .ok_or_else(ApiError::proxy_not_found)?;
        let obj = object(body)?;
        let listen =
            field_str(obj, "listen")?.map_or_else(|| e.listen.clone(), |l| self.listen_addr(&l));
        let upstream = field_str(obj, "upstream")?.unwrap_or_else(|| e.upstream.clone());
        let enabled = field_bool(obj, "enabled")?.unwrap_or(e.enabled);
        if listen != e.listen || upstream != e.upstream {
            e.stop().await;
            e.listen = listen;
            e.upstream = upstream;
        }
        if enabled != e.enabled {
            if enabled {
                e.start().await?;
            } else {
                e.stop().await;
            }
        }
        Ok(e.to_json(name))
    }

    pub async fn delete(&self, name: &str) -> Result<(), ApiError> {
        let mut proxies = self.proxies.lock().await;
        let mut e = proxies.remove(name).ok_or_else(ApiError::proxy_not_found)?;
        e.stop().await;
        Ok(())
    }

    /// `POST /reset`: every proxy enabled again, every toxic removed;
    /// proxies are kept.
    pub async fn reset(&self) -> Result<(), ApiError> {
        let mut proxies = self.proxies.lock().await;
        for e in proxies.values_mut() {
            e.start().await?;
            e.toxics.clear();
            e.publish();
        }
        Ok(())
    }

    /// `POST /populate`: the whole list is validated first; then each
    /// proxy is created, or kept untouched when one of that name already
    /// has the same listen and upstream, or else replaced. On failure the
    /// proxies done so far come back with the error.
    pub async fn populate(&self, body: &Value) -> (Vec<ProxyJson>, Option<ApiError>) {
        let inputs = match body {
            Value::Array(items) => match items.iter().map(new_proxy).collect::<Result<Vec<_>, _>>()
            {
                Ok(v) => v,
                Err(e) => return (Vec::new(), Some(e)),
            },
            other => {
                return (
                    Vec::new(),
                    Some(ApiError::bad_body(format!(
                        "json: cannot unmarshal {other} into a list of proxies"
                    ))),
                );
            }
        };
        for (i, p) in inputs.iter().enumerate() {
            if p.name.is_empty() {
                return (
                    Vec::new(),
                    Some(ApiError::missing(&format!("name at proxy {}", i + 1))),
                );
            }
            if p.upstream.is_empty() {
                return (
                    Vec::new(),
                    Some(ApiError::missing(&format!("upstream at proxy {}", i + 1))),
                );
            }
        }
        let mut done = Vec::new();
        let mut proxies = self.proxies.lock().await;
        for input in inputs {
            let listen = self.listen_addr(&input.listen);
            if let Some(e) = proxies.get(&input.name)
                && e.listen == listen
                && e.upstream == input.upstream
            {
                done.push(e.to_json(&input.name));
                continue;
            }
            if let Some(mut old) = proxies.remove(&input.name) {
                old.stop().await;
            }
            let mut entry = self.entry(&input.name, &input);
            if input.enabled.unwrap_or(true)
                && let Err(err) = entry.start().await
            {
                return (done, Some(err));
            }
            done.push(entry.to_json(&input.name));
            proxies.insert(input.name, entry);
        }
        (done, None)
    }

    pub async fn toxics(&self, proxy: &str) -> Result<Vec<ToxicJson>, ApiError> {
        let proxies = self.proxies.lock().await;
        let e = proxies.get(proxy).ok_or_else(ApiError::proxy_not_found)?;
        Ok(e.toxics_json())
    }

    pub async fn toxic(&self, proxy: &str, name: &str) -> Result<ToxicJson, ApiError> {
        let proxies = self.proxies.lock().await;
        let e = proxies.get(proxy).ok_or_else(ApiError::proxy_not_found)?;
        let i = e.find(name).ok_or_else(ApiError::toxic_not_found)?;
        Ok(e.toxics[i].to_json())
    }

    /// `POST /proxies/{p}/toxics`, checked in Toxiproxy's order: body,
    /// stream, default name, type, duplicate name, attributes. It applies
    /// to open connections too.
    pub async fn add_toxic(&self, proxy: &str, body: &Value) -> Result<ToxicJson, ApiError> {
        let mut proxies = self.proxies.lock().await;
        let e = proxies
            .get_mut(proxy)
            .ok_or_else(ApiError::proxy_not_found)?;
        let obj = object(body)?;
        let type_name = field_str(obj, "type")?.unwrap_or_default();
        let stream_name = field_str(obj, "stream")?.unwrap_or_else(|| "downstream".to_owned());
        let toxicity = match obj.get("toxicity") {
            None | Some(Value::Null) => 1.0,
            Some(v) => v.as_f64().ok_or_else(|| {
                ApiError::bad_body(format!(
                    "json: cannot unmarshal {v} into field toxicity of type float32"
                ))
            })?,
        };
        let name_field = field_str(obj, "name")?;
        let stream = Stream::parse(&stream_name).ok_or_else(|| {
            ApiError::new(
                400,
                "stream was invalid, can be either upstream or downstream",
            )
        })?;
        let name = name_field
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("{type_name}_{stream_name}"));
        if !Kind::is_known(&type_name) {
            return Err(ApiError::new(400, "invalid toxic type"));
        }
        if e.find(&name).is_some() {
            return Err(ApiError::new(409, "toxic already exists"));
        }
        let kind = Kind::parse(&type_name, obj.get("attributes"), None)?;
        let toxic = Toxic {
            name,
            kind,
            stream,
            toxicity,
        };
        let json = toxic.to_json();
        e.toxics.push(toxic);
        e.publish();
        Ok(json)
    }

    /// `PATCH /proxies/{p}/toxics/{t}`: attributes merged onto the current
    /// ones, toxicity kept when absent; name, type and stream are fixed.
    pub async fn update_toxic(
        &self,
        proxy: &str,
        name: &str,
        body: &Value,
    ) -> Result<ToxicJson, ApiError> {
        let mut proxies = self.proxies.lock().await;
        let e = proxies
            .get_mut(proxy)
            .ok_or_else(ApiError::proxy_not_found)?;
        let i = e.find(name).ok_or_else(ApiError::toxic_not_found)?;
        let obj = object(body)?;
        let current = &e.toxics[i];
        let kind = Kind::parse(
            current.kind.type_name(),
            obj.get("attributes"),
            Some(&current.kind),
        )?;
        let toxicity = match obj.get("toxicity") {
            None | Some(Value::Null) => current.toxicity,
            Some(v) => v.as_f64().ok_or_else(|| {
                ApiError::bad_body(format!(
                    "json: cannot unmarshal {v} into field toxicity of type float32"
                ))
            })?,
        };
        e.toxics[i].kind = kind;
        e.toxics[i].toxicity = toxicity;
        e.publish();
        Ok(e.toxics[i].to_json())
    }

    pub async fn remove_toxic(&self, proxy: &str, name: &str) -> Result<(), ApiError> {
        let mut proxies = self.proxies.lock().await;
        let e = proxies
            .get_mut(proxy)
            .ok_or_else(ApiError::proxy_not_found)?;
        let i = e.find(name).ok_or_else(ApiError::toxic_not_found)?;
        e.toxics.remove(i);
        e.publish();
        Ok(())
    }

    /// Stops every proxy (listeners and connections); used at shutdown.
    pub async fn shutdown(&self) {
        let mut proxies = self.proxies.lock().await;
        for e in proxies.values_mut() {
            e.stop().await;
        }
    }
}
