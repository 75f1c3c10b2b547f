//! Applying a person's desired state to one target: correlate (externalId,
//! then userName), create or adopt, change attributes with a minimal PATCH
//! and read it back (a full PUT repairs an app that mangled it), deactivate,
//! and keep group memberships as told. Every step is idempotent, so a
//! retry simply starts over.

use super::client::Failure;
use super::context::{Runtime, Shared};
use super::defect::Defect;
use super::diff::{self, GROUP};
use crate::contract::alert::AlertClass;
use crate::contract::event::Event;
use reqwest::Method;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

type R<T> = Result<T, Failure>;

/// How long what was learnt of an app's userName matching is trusted: an
/// app may change its matching under us.
const CASE_FACT_FRESH_FOR: Duration = Duration::from_secs(60);

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn filter_path(resource: &str, attr: &str, value: &str) -> String {
    let f = format!("{attr} eq {}", quote(value));
    let q: String = form_urlencoded::byte_serialize(f.as_bytes()).collect();
    format!("/{resource}?filter={q}")
}

fn first_resource(body: &Value) -> Option<Value> {
    body.get("Resources")?.as_array()?.first().cloned()
}

fn id_of(v: &Value) -> R<String> {
    v.get("id")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| Failure::new(AlertClass::SchemaMismatch, false, "a resource without id"))
}

fn s<'a>(p: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    p.get(k).and_then(Value::as_str)
}

pub struct Apply<'a> {
    pub shared: &'a Shared,
    pub rt: &'a Runtime,
}

impl Apply<'_> {
    async fn call(&self, m: Method, path: &str, body: Option<&Value>) -> R<Value> {
        Ok(self.shared.call(self.rt, m, path, body).await?.body)
    }

    /// The part of `person` the app can hold: schema extensions it does not
    /// offer are left out (an app without the enterprise extension refuses
    /// a create that carries it). What it offers is asked once.
    pub async fn held(&self, mut person: Map<String, Value>) -> R<Map<String, Value>> {
        let offered = self
            .rt
            .extensions
            .get_or_try_init(|| async {
                match self.call(Method::GET, "/ResourceTypes/User", None).await {
                    Ok(rt) => {
                        Ok(rt
                            .get("schemaExtensions")
                            .and_then(Value::as_array)
                            .map(|list| {
                                list.iter()
                                    .filter_map(|e| e.get("schema").and_then(Value::as_str))
                                    .map(str::to_owned)
                                    .collect()
                            }))
                    }
                    // No discovery endpoint: send everything, as before.
                    Err(f)
                        if matches!(f.class, AlertClass::NotFound | AlertClass::SchemaMismatch) =>
                    {
                        Ok(None)
                    }
                    // Anything else (429, 5xx, 401, …) is retried like any
                    // failed request, Retry-After and backoff included.
                    Err(f) => Err(f),
                }
            })
            .await?;
        if let Some(offered) = offered {
            person.retain(|k, _| !k.starts_with("urn:") || offered.iter().any(|o| o == k));
        }
        Ok(person)
    }

    /// The first resource whose `attr` equals `value`.
    async fn first(&self, resource: &str, attr: &str, value: &str) -> R<Option<Value>> {
        let path = filter_path(resource, attr, value);
        let found = self.call(Method::GET, &path, None).await?;
        Ok(first_resource(&found))
    }

    /// The person's account: by externalId, else by userName (a JIT
    /// account, adopted). Never more than the first of either.
    pub async fn find(&self, person: &Map<String, Value>) -> R<Option<Value>> {
        if self.shared.has(Defect::NoCorrelation) {
            return Ok(None);
        }
        if let Some(x) = s(person, "externalId")
            && let Some(u) = self.first("Users", "externalId", x).await?
        {
            return Ok(Some(u));
        }
        if let Some(u) = s(person, "userName") {
            if let Some(found) = self.first("Users", "userName", u).await? {
                return Ok(Some(found));
            }
            if self.user_name_folds_case() {
                return Ok(None);
            }
            return self.scan_user_name(u).await;
        }
        Ok(None)
    }

    /// Whether the app was seen, recently, answering `userName eq` with an
    /// account spelled in another case. Then the filter is the whole answer
    /// and the scan below (five pages per joiner, which made a mass joiner
    /// wave crawl) is skipped. The fact is relearnt once it is
    /// [`CASE_FACT_FRESH_FOR`] old.
    fn user_name_folds_case(&self) -> bool {
        matches!(*self.rt.user_name_folds_case.lock(),
            Some((folds, seen)) if folds && seen.elapsed() < CASE_FACT_FRESH_FOR)
    }

    /// Learns [`Self::user_name_folds_case`] from an account known to be
    /// spelled `user_name`: asks for it in the opposite case. No answer
    /// (case-exact matching, or a read lagging the write) keeps the scan.
    async fn learn_user_name_case(&self, id: &str, user_name: &str) -> R<()> {
        let stale = self
            .rt
            .user_name_folds_case
            .lock()
            .is_none_or(|(_, seen)| seen.elapsed() >= CASE_FACT_FRESH_FOR);
        if !stale {
            return Ok(());
        }
        let swapped: String = user_name
            .chars()
            .map(|c| match c.is_uppercase() {
                true => c.to_lowercase().next().unwrap_or(c),
                false => c.to_uppercase().next().unwrap_or(c),
            })
            .collect();
        if swapped == user_name {
            return Ok(());
        }
        let found = self.first("Users", "userName", &swapped).await?;
        let folds = found.is_some_and(|f| f.get("id").and_then(Value::as_str) == Some(id));
        *self.rt.user_name_folds_case.lock() = Some((folds, Instant::now()));
        Ok(())
    }

    /// userName is case-insensitive (RFC 7643 §4.1.1), but some apps filter
    /// it case-exactly: a JIT account spelled `Bob@Acme.test` would then be
    /// missed and twinned. A bounded scan of the first pages compares
    /// case-insensitively; beyond it, the filter's word is taken.
    async fn scan_user_name(&self, user_name: &str) -> R<Option<Value>> {
        const PAGE: usize = 200;
        const PAGES: usize = 5;
        for page in 0..PAGES {
            let path = format!(
                "/Users?attributes=userName,externalId&startIndex={}&count={PAGE}",
                page * PAGE + 1
            );
            let list = self.call(Method::GET, &path, None).await?;
            let resources = list
                .get("Resources")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let hit = resources.iter().find(|r| {
                r.get("userName")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(user_name))
            });
            if let Some(hit) = hit {
                let id = id_of(hit)?;
                return Ok(Some(
                    self.call(Method::GET, &format!("/Users/{id}"), None)
                        .await?,
                ));
            }
            if resources.len() < PAGE {
                break;
            }
        }
        Ok(None)
    }

    /// The account by the id this connector provisioned (`known`), else by
    /// correlation. A provisioned account that is gone answers 404: that is
    /// `not_found` when `gone_fails`, else simply no account.
    async fn locate(
        &self,
        person: &Map<String, Value>,
        known: Option<&str>,
        gone_fails: bool,
    ) -> R<Option<Value>> {
        let Some(id) = known.filter(|_| !self.shared.has(Defect::NoCorrelation)) else {
            return self.find(person).await;
        };
        match self.call(Method::GET, &format!("/Users/{id}"), None).await {
            Ok(account) => Ok(Some(account)),
            Err(f) if f.class == AlertClass::NotFound && !gone_fails => Ok(None),
            Err(f) => Err(f),
        }
    }

    pub async fn upsert(
        &self,
        person: &Map<String, Value>,
        base: Option<&Map<String, Value>>,
        known: Option<&str>,
    ) -> R<String> {
        let Some(account) = self.locate(person, known, true).await? else {
            return self.create(person).await;
        };
        let id = id_of(&account)?;
        let ours = s(person, "externalId").is_some()
            && account.get("externalId").and_then(Value::as_str) == s(person, "externalId");
        let removed = base
            .map(|b| diff::removed_paths(b, person))
            .unwrap_or_default();
        if diff::holds(&account, person, &removed) {
            return Ok(id);
        }
        match base.filter(|_| ours) {
            Some(base) => {
                let ops = diff::patch_ops(base, person);
                let path = format!("/Users/{id}");
                if ops.is_empty() {
                    self.put(&id, person, &removed).await?;
                } else {
                    self.call(Method::PATCH, &path, Some(&diff::patch_body(ops)))
                        .await?;
                    self.verify(&id, person, &removed).await?;
                }
            }
            // Adopted, or drifted without a record: replace it whole.
            None => self.put(&id, person, &removed).await?,
        }
        Ok(id)
    }

    async fn create(&self, person: &Map<String, Value>) -> R<String> {
        let body = diff::user_body(person);
        match self.call(Method::POST, "/Users", Some(&body)).await {
            Ok(created) => {
                let id = id_of(&created)?;
                if let Some(u) = s(person, "userName") {
                    // Best effort: a failed probe only keeps the scan.
                    let _ = self.learn_user_name_case(&id, u).await;
                }
                Ok(id)
            }
            // Somebody made the account between our look and our POST (or
            // the filter missed it): adopt it rather than give up.
            Err(f)
                if f.class == AlertClass::Conflict && !self.shared.has(Defect::NoCorrelation) =>
            {
                let Some(u) = s(person, "userName") else {
                    return Err(f);
                };
                let Some(account) = self.first("Users", "userName", u).await? else {
                    return Err(f);
                };
                let id = id_of(&account)?;
                self.put(&id, person, &[]).await?;
                Ok(id)
            }
            Err(f) => Err(f),
        }
    }

    async fn put(&self, id: &str, person: &Map<String, Value>, removed: &[String]) -> R<()> {
        let body = diff::user_body(person);
        self.call(Method::PUT, &format!("/Users/{id}"), Some(&body))
            .await?;
        if self.shared.has(Defect::NoReadAfterWrite) {
            return Ok(());
        }
        // A read that lags the write (eventual consistency) gets a little
        // time before the write is called mangled.
        for pause_ms in [0u64, 300, 700] {
            tokio::time::sleep(std::time::Duration::from_millis(pause_ms)).await;
            let back = self
                .call(Method::GET, &format!("/Users/{id}"), None)
                .await?;
            if diff::holds(&back, person, removed) {
                return Ok(());
            }
        }
        Err(Failure::new(
            AlertClass::SchemaMismatch,
            false,
            format!("{}: a full PUT did not hold on account {id}", self.rt.name),
        ))
    }

    /// Read-after-write: GET the account; if the write did not hold (PATCH
    /// applied as PUT, deactivation ignored), repair with a full PUT.
    async fn verify(&self, id: &str, want: &Map<String, Value>, removed: &[String]) -> R<()> {
        if self.shared.has(Defect::NoReadAfterWrite) {
            return Ok(());
        }
        let back = self
            .call(Method::GET, &format!("/Users/{id}"), None)
            .await?;
        if diff::holds(&back, want, removed) {
            return Ok(());
        }
        tracing::info!(target = %self.rt.name, "a write did not hold; repairing with PUT");
        let mut whole = back.as_object().cloned().unwrap_or_default();
        for r in removed {
            whole.remove(r);
        }
        whole.extend(want.clone());
        self.put(id, &whole, removed).await
    }

    /// Deactivates the person's account, if there is one.
    pub async fn deactivate(
        &self,
        person: &Map<String, Value>,
        known: Option<&str>,
    ) -> R<Option<String>> {
        let Some(account) = self.locate(person, known, false).await? else {
            return Ok(None);
        };
        let id = id_of(&account)?;
        if account.get("active") != Some(&Value::Bool(false)) {
            let ops = vec![json!({"op": "replace", "value": {"active": false}})];
            let path = format!("/Users/{id}");
            self.call(Method::PATCH, &path, Some(&diff::patch_body(ops)))
                .await?;
            let want = Map::from_iter([("active".to_owned(), Value::Bool(false))]);
            match self.verify(&id, &want, &[]).await {
                // Deactivation ignored even by a full PUT: removing the
                // account is the only way left to take access away.
                Err(f) if f.class == AlertClass::SchemaMismatch => {
                    tracing::warn!(target = %self.rt.name, "deactivation ignored; deleting account {id}");
                    self.call(Method::DELETE, &path, None).await?;
                    return Ok(None);
                }
                other => other?,
            }
        }
        Ok(Some(id))
    }

    async fn group(&self, name: &str) -> R<Option<Value>> {
        self.first("Groups", "displayName", name).await
    }

    /// Memberships as told: in every group of `wanted` (created when
    /// missing), out of every group of `unwanted`.
    pub async fn groups(
        &self,
        user_id: &str,
        wanted: &[String],
        unwanted: &BTreeSet<String>,
    ) -> R<()> {
        for name in wanted {
            match self.group(name).await? {
                None => {
                    let body = json!({"schemas": [GROUP], "displayName": name,
                        "members": [{"value": user_id}]});
                    self.call(Method::POST, "/Groups", Some(&body)).await?;
                }
                Some(g) if !is_member(&g, user_id) => {
                    let ops = vec![json!({"op": "add", "path": "members",
                        "value": [{"value": user_id}]})];
                    let path = format!("/Groups/{}", id_of(&g)?);
                    self.call(Method::PATCH, &path, Some(&diff::patch_body(ops)))
                        .await?;
                }
                Some(_) => {}
            }
        }
        for name in unwanted.iter().filter(|n| !wanted.contains(n)) {
            if let Some(g) = self.group(name).await?
                && is_member(&g, user_id)
            {
                self.remove_member(&id_of(&g)?, user_id).await?;
            }
        }
        Ok(())
    }

    async fn remove_member(&self, group_id: &str, user_id: &str) -> R<()> {
        let ops = vec![json!({"op": "remove",
            "path": format!("members[value eq {}]", quote(user_id))})];
        let path = format!("/Groups/{group_id}");
        self.call(Method::PATCH, &path, Some(&diff::patch_body(ops)))
            .await?;
        Ok(())
    }

    /// Reconcile: every group holding the user but not wanted loses it
    /// (grants made behind the connector's back).
    pub async fn strip_unwanted(&self, user_id: &str, wanted: &[String]) -> R<()> {
        let list = self.call(Method::GET, "/Groups?count=1000", None).await?;
        let groups = list
            .get("Resources")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for g in groups {
            let name = g.get("displayName").and_then(Value::as_str).unwrap_or("");
            if !wanted.iter().any(|w| w == name) && is_member(&g, user_id) {
                self.remove_member(&id_of(&g)?, user_id).await?;
            }
        }
        Ok(())
    }
}

fn is_member(group: &Value, user_id: &str) -> bool {
    group
        .get("members")
        .and_then(Value::as_array)
        .is_some_and(|m| {
            m.iter()
                .any(|x| x.get("value").and_then(Value::as_str) == Some(user_id))
        })
}

/// The person object of an event (empty for reconcile).
pub fn person(e: &Event) -> Map<String, Value> {
    e.person.clone().unwrap_or_default()
}
