//! A scenario's targets that front a real app (`upstream:`): what the run
//! needs of each app (its tokens, read from the environment, and its CA),
//! the judge's reads of the app's state, and the cleanup at the end.
//!
//! The reads and the cleanup go straight to the app with the run's own
//! tokens, never through the fronting target: they are not the
//! connector's traffic, so no journal records them and no fault meets
//! them.

use crate::contract::targets_file::{Auth, Target};
use crate::http_client::{Answer, Transport};
use crate::judge::evidence::{Account, Holdings};
use crate::mock::journal::JournalEntry;
use crate::mock::upstream::UpstreamSpec;
use crate::report::HarnessError;
use crate::scenario::{Scenario, UpstreamTarget};
use crate::serve::Serving;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// How long the app may take over one read or delete.
const TIMEOUT: Duration = Duration::from_secs(30);
/// Resources asked for per page: an app may answer fewer (its own cap),
/// and the reading goes on from where its answer ended.
const PAGE: usize = 200;
/// Pages read at most per resource type: a bound on an app whose paging
/// never ends (a million accounts at the page size).
const MAX_PAGES: usize = 5_000;

/// One app a scenario target fronts, with what the run uses to reach it.
pub(crate) struct App {
    pub name: String,
    pub url: String,
    read_token: String,
    /// The connector's token (`token_env`), if the scenario gives one.
    connector_token: Option<String>,
    ca_pem: Option<Vec<u8>>,
    transport: Transport,
}

/// Every app of a scenario, in the order of its targets.
#[derive(Default)]
pub(crate) struct Apps(Vec<App>);

/// The value of the environment variable `var`, named by `key` of target
/// `name`; the error names the variable, never a value.
fn token(name: &str, key: &str, var: &str, holds: &str) -> Result<String, String> {
    match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => Ok(v.trim().to_owned()),
        Ok(_) => Err(format!(
            "target `{name}`: {key}: the environment variable {var} is empty (it should hold {holds})"
        )),
        Err(std::env::VarError::NotPresent) => Err(format!(
            "target `{name}`: {key}: the environment variable {var} is not set (it should hold {holds})"
        )),
        Err(std::env::VarError::NotUnicode(_)) => Err(format!(
            "target `{name}`: {key}: the environment variable {var} is not valid UTF-8"
        )),
    }
}

impl App {
    fn new(name: &str, t: &UpstreamTarget) -> Result<App, String> {
        let read_token = token(
            name,
            "read_token_env",
            &t.read_token_env,
            "the token the judge reads the app's state with",
        )?;
        let connector_token = t
            .token_env
            .as_deref()
            .map(|var| {
                token(
                    name,
                    "token_env",
                    var,
                    "the token the connector uses for the app",
                )
            })
            .transpose()?;
        let ca_pem = match &t.ca_file {
            Some(path) => Some(
                std::fs::read(path)
                    .map_err(|e| format!("target `{name}`: ca_file {}: {e}", path.display()))?,
            ),
            None => None,
        };
        let transport =
            Transport::new(ca_pem.as_deref(), TIMEOUT).map_err(|why| match &t.ca_file {
                Some(path) => format!("target `{name}`: ca_file {}: {why}", path.display()),
                None => format!("target `{name}`: {why}"),
            })?;
        Ok(App {
            name: name.to_owned(),
            url: t.url.clone(),
            read_token,
            connector_token,
            ca_pem,
            transport,
        })
    }

    fn headers(token: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static("application/scim+json, application/json"),
        );
        if let Ok(mut v) = HeaderValue::from_str(&format!("Bearer {token}")) {
            v.set_sensitive(true);
            headers.insert(header::AUTHORIZATION, v);
        }
        headers
    }

    /// What the app holds now, read with the read token: every User and
    /// Group, page by page. An app without Groups (404 or 501 on
    /// `/Groups`) holds none. The error names the target, the URL and
    /// what the app answered.
    pub async fn holdings(&self) -> Result<Holdings, String> {
        let users = self.list("Users").await?;
        let groups = match self.list("Groups").await {
            Err(Unreadable::Absent) => Vec::new(),
            other => other?,
        };
        Ok(Holdings {
            users: users.into_iter().map(Account::from).collect(),
            groups: groups.into_iter().map(Account::from).collect(),
            // The app's own schema is not read: every attribute counts.
            user_schema: None,
        })
    }

    async fn list(&self, kind: &str) -> Result<Vec<Value>, Unreadable> {
        let mut all: Vec<Value> = Vec::new();
        for _ in 0..MAX_PAGES {
            let url = format!(
                "{}/{kind}?startIndex={}&count={PAGE}",
                self.url,
                all.len() + 1
            );
            let fail = |why: String| {
                Unreadable::Failed(format!(
                    "reading the state of target `{}`: GET {url}: {why}",
                    self.name
                ))
            };
            let answer = self
                .transport
                .send(Method::GET, &url, App::headers(&self.read_token), None)
                .await
                .map_err(fail)?;
            if kind == "Groups" && matches!(answer.status, 404 | 501) {
                return Err(Unreadable::Absent);
            }
            if answer.status != 200 {
                return Err(fail(format!(
                    "answered {}{}",
                    answer.status,
                    detail(&answer)
                )));
            }
            let page: Value = serde_json::from_slice(&answer.body)
                .map_err(|e| fail(format!("answered 200 with a body that is not JSON: {e}")))?;
            let total = page
                .get("totalResults")
                .and_then(Value::as_u64)
                .ok_or_else(|| {
                    fail("answered 200 without totalResults (expected a SCIM ListResponse)".into())
                })?;
            let resources = match page.get("Resources") {
                Some(Value::Array(list)) => list.clone(),
                None | Some(Value::Null) => Vec::new(),
                Some(_) => {
                    return Err(fail(
                        "answered a ListResponse whose Resources is not a list".into(),
                    ));
                }
            };
            let got = resources.len();
            all.extend(resources);
            let total = usize::try_from(total).unwrap_or(usize::MAX);
            if all.len() >= total {
                return Ok(all);
            }
            if got == 0 {
                return Err(fail(format!(
                    "answered an empty page at startIndex {} while totalResults is {total}",
                    all.len() + 1
                )));
            }
        }
        Err(Unreadable::Failed(format!(
            "reading the state of target `{}`: {}/{kind} still had more after {MAX_PAGES} pages",
            self.name, self.url
        )))
    }

    /// Deletes one account this run created; `Ok` when it is gone (404:
    /// it already was).
    async fn delete(&self, kind: &str, id: &str) -> Result<(), String> {
        let token = self.connector_token.as_ref().unwrap_or(&self.read_token);
        let url = format!("{}/{kind}/{}", self.url, encode(id));
        let answer = self
            .transport
            .send(Method::DELETE, &url, App::headers(token), None)
            .await
            .map_err(|why| format!("DELETE {url}: {why}"))?;
        match answer.status {
            200..=299 | 404 => Ok(()),
            status => Err(format!("DELETE {url} answered {status}{}", detail(&answer))),
        }
    }
}

/// Why a list could not be read.
enum Unreadable {
    /// The app serves no such resource type (Groups only).
    Absent,
    Failed(String),
}

impl From<Unreadable> for String {
    fn from(u: Unreadable) -> String {
        match u {
            Unreadable::Absent => "the app serves no such resource type".into(),
            Unreadable::Failed(why) => why,
        }
    }
}

/// `: DETAIL` of a SCIM error answer, shortened; empty otherwise.
fn detail(answer: &Answer) -> String {
    serde_json::from_slice::<Value>(&answer.body)
        .ok()
        .and_then(|v| v.get("detail").and_then(Value::as_str).map(str::to_owned))
        .map(|d| format!(": {}", d.chars().take(200).collect::<String>()))
        .unwrap_or_default()
}

/// An id as a path segment.
fn encode(id: &str) -> String {
    form_urlencoded::byte_serialize(id.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

impl Apps {
    /// The apps of `scenario`'s `upstream:` targets, their tokens read from
    /// the environment and their CA files read; the error names the
    /// target and the variable or file.
    pub fn prepare(scenario: &Scenario) -> Result<Apps, String> {
        scenario
            .targets
            .iter()
            .filter_map(|t| t.upstream.as_ref().map(|u| App::new(&t.name, u)))
            .collect::<Result<Vec<_>, _>>()
            .map(Apps)
    }

    pub fn get(&self, name: &str) -> Option<&App> {
        self.0.iter().find(|a| a.name == name)
    }

    /// What `serve` fronts.
    pub fn specs(&self) -> Vec<UpstreamSpec> {
        self.0
            .iter()
            .map(|a| UpstreamSpec {
                name: a.name.clone(),
                url: a.url.clone(),
                ca_pem: a.ca_pem.clone(),
            })
            .collect()
    }

    /// The tokens read from the environment, for masking.
    pub fn secrets(&self) -> Vec<String> {
        self.0
            .iter()
            .flat_map(|a| std::iter::once(a.read_token.clone()).chain(a.connector_token.clone()))
            .collect()
    }

    /// The connector's targets-file entries of the apps: the fronting
    /// target's address with the connector's token, or `upstream` when the
    /// connector brings its own.
    pub fn connector_targets(&self, serving: &Serving) -> Vec<Target> {
        self.0
            .iter()
            .filter_map(|a| {
                let t = serving.endpoints.targets.get(&a.name)?;
                let auth = match &a.connector_token {
                    Some(token) => Auth::Bearer {
                        token: token.clone(),
                    },
                    None => Auth::Upstream,
                };
                Some(Target {
                    name: a.name.clone(),
                    base_url: t.base_url.clone(),
                    auth,
                    ca_file: t.ca_file.clone(),
                })
            })
            .collect()
    }

    /// Deletes from each app exactly the accounts this scenario's
    /// connector created in it (found in its fronting target's journal);
    /// what could not be deleted, or might have been missed, is a harness
    /// error naming the ids and why. With `keep`, nothing is deleted.
    pub async fn clean_up(&self, serving: &Serving, keep: bool) -> Vec<HarnessError> {
        let mut errors = Vec::new();
        if keep {
            return errors;
        }
        for app in &self.0 {
            let Some(front) = serving.targets.iter().find(|t| t.state.name == app.name) else {
                continue;
            };
            let entries = front.state.journal.since(0);
            let mut trouble = Vec::new();
            if let Some(first) = entries.first()
                && first.seq > 1
            {
                trouble.push(format!(
                    "the journal dropped its oldest {} requests: accounts created by them were not looked for",
                    first.seq - 1
                ));
            }
            // Groups first, so that no user is deleted while a group of
            // this run still lists it.
            let created = created(&entries);
            let in_order = created
                .iter()
                .filter(|(k, _)| *k == "Groups")
                .chain(created.iter().filter(|(k, _)| *k == "Users"));
            for (kind, id) in in_order {
                if let Err(why) = app.delete(kind, id).await {
                    trouble.push(format!("{kind}/{id}: {why}"));
                }
            }
            if !trouble.is_empty() {
                errors.push(HarnessError {
                    during: Some(format!("cleaning up target `{}`", app.name)),
                    message: format!(
                        "{} ({}): of the {} accounts this scenario's connector created, these may be left behind: {}",
                        app.name,
                        app.url,
                        created.len(),
                        trouble.join("; ")
                    ),
                });
            }
        }
        errors
    }
}

/// The accounts a connector created, in the order it created them, as
/// (`Users` or `Groups`, id): POSTs answered 201 with an `id`, and the
/// POST operations of a `/Bulk` answered 201 with a `location`.
fn created(entries: &[Arc<JournalEntry>]) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    let mut push = |kind, id: String| {
        if !out.iter().any(|(k, i)| *k == kind && *i == id) {
            out.push((kind, id));
        }
    };
    for e in entries {
        if e.method != "POST" {
            continue;
        }
        let path = e.path.trim_end_matches('/');
        let Ok(answer) = serde_json::from_slice::<Value>(&e.response_body) else {
            continue;
        };
        if let Some(kind) = kind_of(path)
            && e.status == 201
        {
            if let Some(id) = answer.get("id").and_then(Value::as_str) {
                push(kind, id.to_owned());
            }
        } else if path.ends_with("/Bulk") && (200..300).contains(&e.status) {
            let ops = answer.get("Operations").and_then(Value::as_array);
            for op in ops.into_iter().flatten() {
                let posted = op
                    .get("method")
                    .and_then(Value::as_str)
                    .is_some_and(|m| m.eq_ignore_ascii_case("POST"));
                let made = op
                    .get("status")
                    .is_some_and(|s| s.as_str() == Some("201") || s.as_u64() == Some(201));
                let location = op.get("location").and_then(Value::as_str);
                if let (true, true, Some(location)) = (posted, made, location)
                    && let Some((kind, id)) = location
                        .trim_end_matches('/')
                        .rsplit_once('/')
                        .and_then(|(head, id)| Some((kind_of(head)?, id)))
                {
                    push(kind, id.to_owned());
                }
            }
        }
    }
    out
}

/// `Users` or `Groups` for a path ending in one of them.
fn kind_of(path: &str) -> Option<&'static str> {
    if path.ends_with("/Users") {
        Some("Users")
    } else if path.ends_with("/Groups") {
        Some("Groups")
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
