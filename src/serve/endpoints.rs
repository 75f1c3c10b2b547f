//! The endpoints file (SPEC §3.4): where the admin API and each target
//! listen, and their credentials. It holds secrets, so it is written
//! owner-readable only, and atomically, so a reader never sees half of it.

use crate::contract::targets_file::{Auth, Target, TargetsFile};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io;
use std::path::Path;

// Written, never read back: `deny_unknown_fields` is said to schemars
// alone, so the schema refuses keys a reader would not know; a `None` is
// left out, never written as null, hence `with` the inner type.

/// Written by `serve --ready-file` once every listener accepts (docs/mock-target.md): the admin API, the Toxiproxy API and each target, with credentials. Owner-readable only.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Endpoints {
    pub admin: AdminEndpoint,
    /// The Toxiproxy API fronting the targets (built-in or `--toxiproxy`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "ToxiproxyEndpoint")]
    pub toxiproxy: Option<ToxiproxyEndpoint>,
    /// By target name.
    pub targets: BTreeMap<String, TargetEndpoint>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields, inline)]
pub struct AdminEndpoint {
    pub url: String,
    /// Bearer token of the admin API.
    pub token: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields, inline)]
pub struct ToxiproxyEndpoint {
    pub url: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields, rename = "target")]
pub struct TargetEndpoint {
    /// Where connectors go (the target's proxy).
    pub base_url: String,
    /// The target's own listener.
    pub direct_url: String,
    pub auth: TargetAuth,
    /// With `--tls`: the CA's PEM file.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub ca_file: Option<String>,
    /// With `--upstream NAME=URL`: the real app's SCIM base URL, which this
    /// target forwards to.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub upstream: Option<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[schemars(deny_unknown_fields, inline)]
pub enum TargetAuth {
    Bearer {
        token: String,
    },
    Oauth2ClientCredentials {
        token_url: String,
        client_id: String,
        client_secret: String,
    },
    /// A target fronting a real app: the connector uses the credentials the
    /// app issued it, which pass through unchanged.
    Upstream,
}

impl Endpoints {
    /// The targets file of this `serve` run (their `base_url`, which goes through
    /// the fault proxy when there is one) with `alert_url`. A target fronting a
    /// real app is left out: its credentials are the app's, not the run's.
    pub fn targets_file(&self, alert_url: &str) -> TargetsFile {
        use TargetAuth as A;
        let targets = self
            .targets
            .iter()
            .filter_map(|(name, t)| {
                let auth = match &t.auth {
                    A::Bearer { token } => Auth::Bearer {
                        token: token.clone(),
                    },
                    A::Oauth2ClientCredentials {
                        token_url,
                        client_id,
                        client_secret,
                    } => Auth::Oauth2ClientCredentials {
                        token_url: token_url.clone(),
                        client_id: client_id.clone(),
                        client_secret: client_secret.clone(),
                    },
                    A::Upstream => return None,
                };
                Some(Target {
                    name: name.clone(),
                    base_url: t.base_url.clone(),
                    auth,
                    ca_file: t.ca_file.clone(),
                })
            })
            .collect();
        TargetsFile {
            targets,
            alert_url: alert_url.to_owned(),
        }
    }

    /// Writes the file with mode 0600 through a temporary file and a
    /// rename in the same directory.
    pub fn write(&self, path: &Path) -> io::Result<()> {
        crate::private_file::write_json(path, self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_owner_only_and_complete() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("endpoints.json");
        let e = Endpoints {
            admin: AdminEndpoint {
                url: "http://127.0.0.1:1".into(),
                token: "t".into(),
            },
            toxiproxy: None,
            targets: BTreeMap::from([(
                "a".to_owned(),
                TargetEndpoint {
                    base_url: "http://127.0.0.1:2/scim/v2".into(),
                    direct_url: "http://127.0.0.1:2/scim/v2".into(),
                    auth: TargetAuth::Bearer { token: "s".into() },
                    ca_file: None,
                    upstream: None,
                },
            )]),
        };
        e.write(&path).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(
            v["targets"]["a"]["auth"],
            serde_json::json!({"type": "bearer", "token": "s"})
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    #[test]
    fn a_serve_run_becomes_a_targets_file() {
        let endpoints = Endpoints {
            admin: AdminEndpoint {
                url: "http://127.0.0.1:1".into(),
                token: "admin".into(),
            },
            toxiproxy: None,
            targets: [(
                "app-a".to_owned(),
                TargetEndpoint {
                    base_url: "http://127.0.0.1:2/scim/v2".into(),
                    direct_url: "http://127.0.0.1:3/scim/v2".into(),
                    auth: TargetAuth::Bearer { token: "t".into() },
                    ca_file: Some("/ca.pem".into()),
                    upstream: None,
                },
            )]
            .into(),
        };
        let f = endpoints.targets_file("http://127.0.0.1:4/alerts");
        assert_eq!(
            f.targets,
            [Target {
                name: "app-a".into(),
                base_url: "http://127.0.0.1:2/scim/v2".into(),
                auth: Auth::Bearer { token: "t".into() },
                ca_file: Some("/ca.pem".into()),
            }]
        );
        assert_eq!(f.secrets(), ["t"], "the admin token is not the connector's");
    }
}
