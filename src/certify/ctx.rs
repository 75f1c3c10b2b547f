//! What every check gets: the client, the ledger (the only way to create
//! or delete), what discovery found, and helpers to make fixtures with the
//! run's prefix.

use super::client::{Client, Cred, Resp, SCIM_JSON};
use super::discovery::Discovered;
use super::ledger::Ledger;
use super::persona::Persona;
use super::verdict::{Fail, failed, skipped};
use crate::ensure;
use reqwest::Method;
use serde_json::{Map, Value, json};
use std::sync::atomic::{AtomicU64, Ordering};

pub const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const PATCH_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const LIST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const BULK_REQ_URN: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
pub const BULK_RESP_URN: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";
pub const SEARCH_URN: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

pub struct Ctx {
    pub client: Client,
    pub ledger: Ledger,
    pub found: Discovered,
    pub profile: Persona,
    /// Every name certify gives a resource starts with this.
    pub prefix: String,
    counter: AtomicU64,
    /// Users the filter checks share (read-only once made).
    pub filter_pair: tokio::sync::OnceCell<Result<Vec<Value>, Fail>>,
    /// Users the pagination and sorting checks share.
    pub page_set: tokio::sync::OnceCell<Result<Vec<Value>, Fail>>,
    /// `--load`: the rate and duration of the load check.
    pub load: Option<super::load_spec::LoadSpec>,
}

/// Shortens a server's body for a message (servers send anything).
pub fn brief(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 300 {
        format!("{}…", s.chars().take(300).collect::<String>())
    } else {
        s
    }
}

/// Query-string encoding of one parameter value.
pub fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

impl Ctx {
    pub fn new(
        client: Client,
        ledger: Ledger,
        found: Discovered,
        profile: Persona,
        run_id: &str,
    ) -> Ctx {
        Ctx {
            client,
            ledger,
            found,
            profile,
            prefix: format!("scimulate-cert-{run_id}-"),
            counter: AtomicU64::new(0),
            filter_pair: tokio::sync::OnceCell::new(),
            page_set: tokio::sync::OnceCell::new(),
            load: None,
        }
    }

    /// A fresh name with the run's prefix.
    pub fn name(&self, what: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!("{}{what}{n}", self.prefix)
    }

    pub fn user_name(&self) -> String {
        format!("{}@example.com", self.name("u"))
    }

    /// POST to /Users or /Groups; anything the server answers with an id is
    /// recorded before the next request, whatever the status, so even a
    /// resource created by a request that should have been refused is
    /// cleaned up.
    pub async fn post(&self, endpoint: &str, body: &Value) -> Result<Resp, Fail> {
        self.post_raw(endpoint, SCIM_JSON, body.to_string(), Cred::Normal)
            .await
    }

    pub async fn post_raw(
        &self,
        endpoint: &str,
        ct: &str,
        body: String,
        cred: Cred,
    ) -> Result<Resp, Fail> {
        self.create(endpoint, &format!("/{endpoint}"), (ct, body), cred, &[])
            .await
    }

    /// POST to `/{endpoint}{query}` with extra headers (a projection, a
    /// vendor's User-Agent), recorded like every create.
    pub async fn post_with(
        &self,
        endpoint: &str,
        query: &str,
        body: &Value,
        headers: &[(&str, &str)],
    ) -> Result<Resp, Fail> {
        let path = format!("/{endpoint}{query}");
        self.create(
            endpoint,
            &path,
            (SCIM_JSON, body.to_string()),
            Cred::Normal,
            headers,
        )
        .await
    }

    /// Every create's way out: announced in the ledger before it is sent,
    /// recorded when answered.
    async fn create(
        &self,
        endpoint: &str,
        path: &str,
        (ct, body): (&str, String),
        cred: Cred,
        headers: &[(&str, &str)],
    ) -> Result<Resp, Fail> {
        let intent = serde_json::from_str::<Value>(&body)
            .ok()
            .map(|v| self.intend(endpoint, &v))
            .transpose()?
            .flatten();
        let resp = self
            .client
            .raw(Method::POST, path, Some((ct, body)), cred, headers)
            .await
            .map_err(failed)?;
        self.record_answer(endpoint, intent, &resp)?;
        Ok(resp)
    }

    /// Any request, with `cred` for the credential and extra headers: what
    /// the other helpers do not send (no token, a stale If-Match, a
    /// vendor's User-Agent). Not for creates: `post_with` records those.
    pub async fn raw(
        &self,
        m: Method,
        path: &str,
        body: Option<&Value>,
        cred: Cred,
        headers: &[(&str, &str)],
    ) -> Result<Resp, Fail> {
        self.client
            .raw(
                m,
                path,
                body.map(|b| (SCIM_JSON, b.to_string())),
                cred,
                headers,
            )
            .await
            .map_err(failed)
    }

    /// Announces a create of `resource` in the ledger before it is sent;
    /// returns the name announced.
    pub fn intend(&self, endpoint: &str, resource: &Value) -> Result<Option<String>, Fail> {
        let key = if endpoint == "Groups" {
            "displayName"
        } else {
            "userName"
        };
        match resource.get(key).and_then(Value::as_str) {
            Some(name) if endpoint == "Users" || endpoint == "Groups" => {
                self.ledger
                    .intend(endpoint, name)
                    .map_err(|e| failed(format!("could not write the ledger: {e}")))?;
                Ok(Some(name.to_owned()))
            }
            _ => Ok(None),
        }
    }

    /// The answer to a create announced with `intend`: recorded if it
    /// created something, and in any case no longer unconfirmed (cleanup
    /// would otherwise look for it, pausing between rounds).
    pub fn record_answer(
        &self,
        endpoint: &str,
        intent: Option<String>,
        resp: &Resp,
    ) -> Result<(), Fail> {
        self.record(endpoint, resp)?;
        if let Some(name) = intent {
            self.ledger.answered(endpoint, &name);
        }
        Ok(())
    }

    pub fn record(&self, endpoint: &str, resp: &Resp) -> Result<(), Fail> {
        if !resp.is_success() {
            return Ok(());
        }
        let Some(id) = resp.body.get("id").and_then(Value::as_str) else {
            return Ok(());
        };
        if self.ledger.owns(endpoint, id) {
            return Ok(());
        }
        let name = resp
            .body
            .get(if endpoint == "Groups" {
                "displayName"
            } else {
                "userName"
            })
            .and_then(Value::as_str)
            .unwrap_or_default();
        self.ledger
            .created(endpoint, id, name)
            .map_err(|e| failed(format!("could not write the ledger: {e}")))
    }

    /// Records what a Bulk response says was created.
    pub fn record_bulk(&self, resp: &Resp) -> Result<(), Fail> {
        let ops = resp.body.get("Operations").and_then(Value::as_array);
        for op in ops.into_iter().flatten() {
            let Some(loc) = op.get("location").and_then(Value::as_str) else {
                continue;
            };
            let method = op.get("method").and_then(Value::as_str).unwrap_or("");
            if !method.eq_ignore_ascii_case("POST") {
                continue;
            }
            let mut parts = loc.trim_end_matches('/').rsplitn(3, '/');
            if let (Some(id), Some(ep)) = (parts.next(), parts.next())
                && (ep == "Users" || ep == "Groups")
                && !self.ledger.owns(ep, id)
            {
                self.ledger
                    .created(ep, id, "(bulk)")
                    .map_err(|e| failed(format!("could not write the ledger: {e}")))?;
            }
        }
        Ok(())
    }

    /// Creates a user with the run's prefix plus `extra` attributes; a
    /// fixture the check needs, so a refusal skips the check (USER-001
    /// judges creation itself). The server is free to ignore or alter what
    /// is POSTed (RFC 7644 §3.3): when it did not keep an attribute of
    /// `extra` as sent, the check that needs it is skipped, not failed.
    pub async fn new_user(&self, extra: Value) -> Result<Value, Fail> {
        let keep: Vec<String> = extra
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        let keep: Vec<&str> = keep.iter().map(String::as_str).collect();
        self.new_user_keeping(extra.clone(), &keep).await
    }

    /// `new_user`, requiring only the attributes named in `keep` to be kept
    /// as sent (the rest the check reads back from the server).
    pub async fn new_user_keeping(&self, extra: Value, keep: &[&str]) -> Result<Value, Fail> {
        let u = self.create_user(extra.clone()).await?;
        let mut held = u.clone();
        for k in keep {
            let Some(sent) = extra.get(*k) else { continue };
            if matches!(*k, "password" | "schemas" | "id" | "meta" | "groups") {
                continue;
            }
            if lookup(&held, k).is_null() && !lookup(&u, "id").is_null() {
                // The create answer may be partial: the stored resource decides.
                held = self.read_ok("Users", id_of(&u)).await?;
            }
            if let Some(why) = not_kept(sent, lookup(&held, k)) {
                return Err(skipped(format!(
                    "the server did not keep {k} as sent when the user was created ({why}); RFC \
                     7644 §3.3 lets it ignore or alter what is POSTed, and this check needs it"
                )));
            }
        }
        Ok(u)
    }

    /// Creates a user as `new_user` does, judging nothing of what was kept
    /// (for the checks that judge exactly that).
    pub async fn create_user(&self, extra: Value) -> Result<Value, Fail> {
        let body = self.user_body(extra);
        let r = self.post("Users", &body).await?;
        if r.status != 201 || r.body.get("id").and_then(Value::as_str).is_none() {
            return Err(skipped(format!(
                "could not create a test user: {} {}",
                r.status,
                brief(&r.body)
            )));
        }
        Ok(r.body)
    }

    pub fn user_body(&self, extra: Value) -> Value {
        let mut m = Map::new();
        m.insert("schemas".into(), json!([USER_URN]));
        m.insert("userName".into(), json!(self.user_name()));
        if let Value::Object(e) = extra {
            m.extend(e);
        }
        Value::Object(m)
    }

    pub async fn new_group(&self, members: &[&str]) -> Result<Value, Fail> {
        if !self.found.groups {
            return Err(skipped("the server serves no Groups (/ResourceTypes)"));
        }
        let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
        let mut body = json!({"schemas": [GROUP_URN], "displayName": self.name("g")});
        if !members.is_empty() {
            body["members"] = Value::Array(members);
        }
        let r = self.post("Groups", &body).await?;
        if r.status != 201 || r.body.get("id").and_then(Value::as_str).is_none() {
            return Err(skipped(format!(
                "could not create a test group: {} {}",
                r.status,
                brief(&r.body)
            )));
        }
        Ok(r.body)
    }

    /// DELETE, only of what this run created and only once.
    pub async fn delete(&self, endpoint: &str, id: &str) -> Result<Resp, Fail> {
        if !self.ledger.claim_delete(endpoint, id) {
            return Err(failed(format!(
                "harness refused to delete {endpoint}/{id}: not created by this run or already deleted"
            )));
        }
        let r = match self
            .client
            .call(Method::DELETE, &resource_path(endpoint, id), None)
            .await
        {
            Ok(r) => r,
            Err(e) => {
                self.ledger.unclaim(endpoint, id);
                return Err(failed(e));
            }
        };
        // 404 means it is gone too: nothing left to clean up. Any other
        // failure leaves it to the cleanup at the end.
        if r.is_success() || r.status == 404 {
            self.ledger
                .deleted(endpoint, id)
                .map_err(|e| failed(format!("could not write the ledger: {e}")))?;
        } else {
            self.ledger.unclaim(endpoint, id);
        }
        Ok(r)
    }

    /// Records a resource of this run as deleted by a request that did not
    /// go through `delete` (one that should have been refused), so cleanup
    /// does not look for it.
    pub fn gone(&self, endpoint: &str, id: &str) {
        if self.ledger.claim_delete(endpoint, id) {
            let _ = self.ledger.deleted(endpoint, id);
        }
    }

    pub async fn get(&self, path: &str) -> Result<Resp, Fail> {
        self.client.get(path).await.map_err(failed)
    }

    pub async fn read(&self, endpoint: &str, id: &str) -> Result<Resp, Fail> {
        self.get(&resource_path(endpoint, id)).await
    }

    /// GET that must answer 200 with an object.
    pub async fn read_ok(&self, endpoint: &str, id: &str) -> Result<Value, Fail> {
        let r = self.read(endpoint, id).await?;
        ensure!(
            r.status == 200,
            "GET /{endpoint}/{id} answered {}: {}",
            r.status,
            brief(&r.body)
        );
        ensure!(
            r.body.is_object(),
            "GET /{endpoint}/{id}: body is not a JSON object"
        );
        Ok(r.body)
    }

    pub async fn patch(&self, endpoint: &str, id: &str, ops: Value) -> Result<Resp, Fail> {
        let body = json!({"schemas": [PATCH_URN], "Operations": ops});
        self.send(Method::PATCH, &resource_path(endpoint, id), &body)
            .await
    }

    pub async fn put(&self, endpoint: &str, id: &str, body: &Value) -> Result<Resp, Fail> {
        self.send(Method::PUT, &resource_path(endpoint, id), body)
            .await
    }

    pub async fn send(&self, m: Method, path: &str, body: &Value) -> Result<Resp, Fail> {
        self.client.call(m, path, Some(body)).await.map_err(failed)
    }

    /// `GET /Users?filter=…` (the filter encoded) with more query text.
    pub async fn query(&self, endpoint: &str, filter: &str, more: &str) -> Result<Resp, Fail> {
        self.get(&format!("/{endpoint}?filter={}{more}", enc(filter)))
            .await
    }

    /// The ids in a ListResponse.
    pub fn ids(list: &Value) -> Vec<String> {
        list.get("Resources")
            .and_then(Value::as_array)
            .map(|rs| {
                rs.iter()
                    .filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A 200 ListResponse to a filter (errors otherwise).
    pub async fn list(&self, endpoint: &str, filter: &str) -> Result<Value, Fail> {
        let r = self.query(endpoint, filter, "").await?;
        ensure!(
            r.status == 200,
            "filter {filter:?} answered {}: {}",
            r.status,
            brief(&r.body)
        );
        Ok(r.body)
    }

    /// Marks a check that needs a persona's INTEROP shape.
    pub fn quoted(s: &str) -> String {
        serde_json::to_string(s).unwrap_or_default()
    }
}

/// An attribute of a resource by name, ignoring case (RFC 7643 §2.1).
pub fn lookup<'a>(v: &'a Value, name: &str) -> &'a Value {
    static NULL: Value = Value::Null;
    v.as_object()
        .and_then(|m| {
            m.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })
        .unwrap_or(&NULL)
}

/// Why `held` is not what was `sent`, if it is not: a simple value must be
/// the same (a string ignoring case: caseExact false may be altered); a
/// complex or multi-valued one must hold what was sent.
pub fn not_kept(sent: &Value, held: &Value) -> Option<String> {
    let same = match (sent, held) {
        (Value::String(a), Value::String(b)) => a.eq_ignore_ascii_case(b),
        (Value::Object(_) | Value::Array(_), _) => {
            super::compare::diff(sent, held).is_none() || super::compare::holds(held, sent)
        }
        _ => sent == held,
    };
    (!same).then(|| format!("sent {}, holds {}", brief(sent), brief(held)))
}

/// `/{endpoint}/{id}`, the id encoded.
pub fn resource_path(endpoint: &str, id: &str) -> String {
    format!("/{endpoint}/{}", enc_path(id))
}

pub fn enc_path(id: &str) -> String {
    // ids are opaque: percent-encode everything but unreserved characters.
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn id_of(v: &Value) -> &str {
    v.get("id").and_then(Value::as_str).unwrap_or("")
}

/// A SCIM error answer: status, Error schema, `status` as a string, and
/// `scimType` when one is given.
pub fn expect_error(r: &Resp, status: u16, scim_type: Option<&str>) -> Result<(), Fail> {
    ensure!(
        r.status == status,
        "expected {status}{}, got {}: {}",
        scim_type.map(|t| format!(" {t}")).unwrap_or_default(),
        r.status,
        brief(&r.body)
    );
    if let Some(t) = scim_type {
        let got = r.body.get("scimType").and_then(Value::as_str);
        ensure!(got == Some(t), "scimType: expected {t:?}, got {got:?}");
    }
    Ok(())
}
