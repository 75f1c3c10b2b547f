//! A target that fronts a real SCIM app (`serve --upstream NAME=URL`):
//! the same journal, metrics and fault engine as a mock target (the
//! journal layer of `mock/http` wraps it), but its one route forwards every
//! request to the app (`forward`) instead of answering from a store.
//!
//! The faults that act at the front door or on answers apply; the ones
//! that need to own the store cannot, and are refused when switched on
//! ([`refuses`]). Before serving, the app must answer
//! `GET /ServiceProviderConfig` with a SCIM document (`preflight`).

mod answer;
mod forward;
mod preflight;
mod stale;
mod tokens;

pub use preflight::preflight;

use crate::fault::{FaultKind, Stage};
use crate::http_client::Transport;
use crate::mock::fronting::Fronting;
use crate::mock::http::Journaled;
use crate::mock::profile::{GENERIC_RFC_YAML, Profile};
use crate::mock::state::TargetState;
use axum::Router;
use std::sync::Arc;
use std::time::Duration;
use tokens::Tokens;

/// How long the app may take over one request before the connector is
/// answered 504: longer than any connector's own timeout should be, so the
/// connector, not the proxy, gives up first.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(120);

/// What a fronting target knows of the app behind it.
pub struct Upstream {
    /// The app's SCIM base URL, as given (no trailing slash).
    pub url: String,
    /// `scheme://host:port` of the app: a request's path and query are
    /// appended as they came (the fronting target serves the same base path).
    origin: String,
    transport: Transport,
    tokens: Tokens,
    /// What the app answered before recent writes (`stale_reads`).
    history: stale::History,
}

/// An `--upstream NAME=URL` (or a file's `upstream:` target): where the
/// app is and the CA that signed its certificate, if it is not one the
/// system trusts.
#[derive(Debug, Clone)]
pub struct UpstreamSpec {
    pub name: String,
    pub url: String,
    /// The PEM of `--upstream-ca` (or `ca_file:`).
    pub ca_pem: Option<Vec<u8>>,
}

impl UpstreamSpec {
    /// Reads `NAME=URL`; the error says what was expected.
    pub fn parse(arg: &str, ca_pem: Option<Vec<u8>>) -> Result<UpstreamSpec, String> {
        let Some((name, url)) = arg.split_once('=') else {
            return Err(format!(
                "--upstream {arg:?}: expected NAME=URL (e.g. hr-app=https://hr.example/scim/v2)"
            ));
        };
        let valid_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid_name {
            return Err(format!(
                "--upstream {arg:?}: the target name {name:?} must be letters, digits, '-' or '_'"
            ));
        }
        split_url(url).map_err(|why| format!("--upstream {arg:?}: {why}"))?;
        Ok(UpstreamSpec {
            name: name.to_owned(),
            url: url.trim_end_matches('/').to_owned(),
            ca_pem,
        })
    }
}

/// `(origin, base path)` of an http(s) URL; the base path has no trailing
/// slash and may be empty (the app serves SCIM at its root).
fn split_url(url: &str) -> Result<(String, String), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("{url:?} is not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("{url:?}: expected an http:// or https:// URL"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(format!(
            "{url:?}: the SCIM base URL takes no query or fragment"
        ));
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| format!("{url:?}: the URL names no host"))?;
    let origin = match parsed.port() {
        Some(port) => format!("{}://{host}:{port}", parsed.scheme()),
        None => format!("{}://{host}", parsed.scheme()),
    };
    Ok((origin, parsed.path().trim_end_matches('/').to_owned()))
}

impl Upstream {
    /// The client for the app; fails on an unusable CA file.
    pub fn new(spec: &UpstreamSpec) -> Result<Upstream, String> {
        let (origin, _) = split_url(&spec.url)?;
        Ok(Upstream {
            url: spec.url.clone(),
            origin,
            transport: Transport::new(spec.ca_pem.as_deref(), UPSTREAM_TIMEOUT)?,
            tokens: Tokens::default(),
            history: stale::History::default(),
        })
    }
}

impl Fronting for Upstream {
    fn url(&self) -> &str {
        &self.url
    }

    /// Every credential seen so far is refused until the fault is cleared
    /// or the connector brings a new one.
    fn expire_seen_tokens(&self) {
        self.tokens.expire_seen();
    }

    fn forgive_tokens(&self) {
        self.tokens.forgive();
    }

    fn forget_history(&self) {
        self.history.clear();
    }
}

/// Why a fault of `kind` cannot be switched on in a target that fronts a
/// real app, if it cannot.
pub fn refuses(kind: FaultKind, url: &str) -> Result<(), String> {
    let usable: Vec<&str> = FaultKind::ALL
        .iter()
        .filter(|k| applies(**k))
        .map(|k| k.as_str())
        .collect();
    let why = match kind.info().stage {
        Stage::FrontDoor | Stage::Answer => return Ok(()),
        Stage::Store => "it changes what the app stores or how it compares stored values",
        Stage::Once => "it changes the app's accounts behind the connector's back",
    };
    Err(format!(
        "{kind} cannot be switched on for this target: it fronts a real app ({url}) whose store \
         scimulate does not own, and {why}. Faults that apply to an upstream target: {}",
        usable.join(", ")
    ))
}

/// The kinds a fronting target applies: those that act at the front door
/// or on answers.
fn applies(kind: FaultKind) -> bool {
    matches!(kind.info().stage, Stage::FrontDoor | Stage::Answer)
}

/// The profile a fronting target runs under: the strict one's SCIM
/// schemas (for checking `schema_drift`'s attribute names), named after
/// the target and serving the app's base path.
fn profile(spec: &UpstreamSpec) -> Result<Profile, String> {
    let (_, base_path) = split_url(&spec.url)?;
    let mut profile =
        Profile::from_yaml(GENERIC_RFC_YAML, "generic-rfc.yaml").map_err(|e| e.to_string())?;
    profile.name = spec.name.clone();
    profile.base_path = if base_path.is_empty() {
        "/".to_owned()
    } else {
        base_path
    };
    // The app's own limit applies, not the mock's: a body is read whole
    // only to journal it and let the faults see it.
    profile.behaviour.max_payload_bytes = Some(64 << 20);
    Ok(profile)
}

/// The state of a fronting target whose own listener is `origin`, and
/// the app behind it (which the state also holds, as [`Fronting`]).
pub fn state(
    spec: &UpstreamSpec,
    origin: &str,
    seed: u64,
) -> Result<(TargetState, Arc<Upstream>), String> {
    let upstream = Arc::new(Upstream::new(spec)?);
    let profile = profile(spec)?;
    let base_url = format!("{origin}{}", profile.base_path.trim_end_matches('/'));
    let mut state = TargetState::new(&spec.name, profile, &base_url, seed);
    state.upstream = Some(upstream.clone());
    Ok((state, upstream))
}

/// The whole fronting target as a service: the journal around one route
/// that forwards everything to `upstream`.
pub fn service(state: Arc<TargetState>, upstream: Arc<Upstream>) -> Journaled {
    let routes = Router::new()
        .fallback(forward::forward)
        .with_state(forward::Front {
            state: state.clone(),
            upstream,
        });
    Journaled::new(state, routes)
}

#[cfg(test)]
mod tests;
