//! Discovery runs before any check: what /ServiceProviderConfig,
//! /ResourceTypes and /Schemas advertise decides what is skipped.

use super::client::{Client, Resp};
use serde_json::Value;

/// A feature a check needs the server to advertise in
/// /ServiceProviderConfig (or, for `Groups`, in /ResourceTypes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Nothing,
    Patch,
    Bulk,
    Filter,
    Sort,
    Etag,
    Groups,
    ExpiredToken,
    /// `--load` was given (the load check runs only then).
    Load,
}

#[derive(Debug, Clone, Default)]
pub struct Discovered {
    pub spc: Option<Resp>,
    pub resource_types: Option<Resp>,
    pub schemas: Option<Resp>,
    pub patch: bool,
    pub bulk: bool,
    pub bulk_max_ops: u64,
    pub filter: bool,
    pub filter_max: u64,
    pub sort: bool,
    pub etag: bool,
    pub groups: bool,
    pub expired_token: bool,
    pub load: bool,
}

fn supported(spc: &Value, feature: &str) -> bool {
    spc.get(feature)
        .and_then(|f| f.get("supported"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// A Resources array from a ListResponse or a bare array (both are seen).
pub fn resources(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.clone(),
        _ => v
            .get("Resources")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
    }
}

/// Fetches the three discovery documents. An error means the server
/// could not be reached at all (the harness cannot do its job).
pub async fn discover(client: &Client) -> Result<Discovered, String> {
    let spc = client.get("/ServiceProviderConfig").await?;
    let rts = client.get("/ResourceTypes").await.ok();
    let schemas = client.get("/Schemas").await.ok();
    let body = if spc.status == 200 {
        spc.body.clone()
    } else {
        Value::Null
    };
    let groups = match &rts {
        // Served, however the endpoint is written (DISC-014 judges how).
        Some(r) if r.status == 200 => resources(&r.body).iter().any(|t| {
            t.get("endpoint").and_then(Value::as_str).is_some_and(|e| {
                let e = e.to_ascii_lowercase();
                e == "groups" || e.ends_with("/groups")
            })
        }),
        // Without /ResourceTypes, try the endpoint itself.
        _ => client
            .get("/Groups?count=0")
            .await
            .is_ok_and(|r| r.status == 200),
    };
    let bulk = &body["bulk"];
    Ok(Discovered {
        patch: supported(&body, "patch"),
        bulk: supported(&body, "bulk"),
        bulk_max_ops: bulk
            .get("maxOperations")
            .and_then(Value::as_u64)
            .unwrap_or(0),
        filter: supported(&body, "filter"),
        filter_max: body["filter"]
            .get("maxResults")
            .and_then(Value::as_u64)
            .unwrap_or(0),
        sort: supported(&body, "sort"),
        etag: supported(&body, "etag"),
        groups,
        expired_token: client.has_expired_token(),
        load: false,
        spc: Some(spc),
        resource_types: rts,
        schemas,
    })
}

impl Discovered {
    /// `None` when the check can run, else why it is skipped (a missing
    /// expired token is the run's choice, not the server's advertisement).
    pub fn missing(&self, needs: Needs) -> Option<&'static str> {
        let (ok, why) = match needs {
            Needs::Nothing => (true, ""),
            Needs::Patch => (
                self.patch,
                "not advertised: patch.supported is not true in /ServiceProviderConfig",
            ),
            Needs::Bulk => (
                self.bulk,
                "not advertised: bulk.supported is not true in /ServiceProviderConfig",
            ),
            Needs::Filter => (
                self.filter,
                "not advertised: filter.supported is not true in /ServiceProviderConfig",
            ),
            Needs::Sort => (
                self.sort,
                "not advertised: sort.supported is not true in /ServiceProviderConfig",
            ),
            Needs::Etag => (
                self.etag,
                "not advertised: etag.supported is not true in /ServiceProviderConfig",
            ),
            Needs::Groups => (
                self.groups,
                "not advertised: no Group resource type in /ResourceTypes",
            ),
            Needs::Load => (self.load, "not run: no --load RATE[:DURATION] given"),
            Needs::ExpiredToken => (
                self.expired_token,
                "not run: no expired token to send (--expired-token-env)",
            ),
        };
        (!ok).then_some(why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_reasons_name_who_decided() {
        let d = Discovered::default();
        assert!(d.missing(Needs::Nothing).is_none());
        assert!(
            d.missing(Needs::Patch)
                .unwrap()
                .starts_with("not advertised: ")
        );
        // No expired token is this run's choice: nothing the server advertises.
        let why = d.missing(Needs::ExpiredToken).unwrap();
        assert!(why.starts_with("not run: ") && why.contains("--expired-token-env"));
        let with = Discovered {
            expired_token: true,
            ..Discovered::default()
        };
        assert!(with.missing(Needs::ExpiredToken).is_none());
    }
}
