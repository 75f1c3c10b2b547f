//! The targets file (SPEC §4.1): which apps the connector provisions into,
//! with their credentials and where to send alerts. It holds secrets, so it
//! is owner-readable only, and it is replaced atomically (a connector that
//! re-reads it never sees half a file).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::io;
use std::path::Path;

/// Written by scimulate for the connector (docs/connectors.md): where each target is and how to authenticate. Rewritten atomically when a token rotates; readable by the owner only (it holds secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetsFile {
    pub targets: Vec<Target>,
    /// Where to POST alerts (docs/connectors.md).
    pub alert_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "target")]
pub struct Target {
    pub name: String,
    /// SCIM base URL (through the target's proxy when it has one).
    pub base_url: String,
    pub auth: Auth,
    /// With `--tls`: the PEM of the CA that signed the target's certificate.
    // Left out when absent, never written as null.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub ca_file: Option<String>,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[schemars(rename = "auth")]
pub enum Auth {
    Bearer {
        token: String,
    },
    Oauth2ClientCredentials {
        token_url: String,
        client_id: String,
        client_secret: String,
    },
    /// A real app fronted by scimulate (a scenario's `upstream:` target
    /// without `token_env`): the connector brings the credentials the app
    /// issued it; scimulate passes `Authorization` through unchanged.
    Upstream,
}

/// Debug output shows the kind of credential, never its value.
impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::Bearer { .. } => f.write_str("Bearer { token: *** }"),
            Auth::Oauth2ClientCredentials {
                token_url,
                client_id,
                ..
            } => write!(
                f,
                "Oauth2ClientCredentials {{ token_url: {token_url:?}, client_id: {client_id:?}, client_secret: *** }}"
            ),
            Auth::Upstream => f.write_str("Upstream"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TargetsFileError {
    #[error("no target named '{name}' in the targets file: expected one of {known}")]
    UnknownTarget { name: String, known: String },
    #[error("cannot write the targets file {path}: {source}")]
    Write { path: String, source: io::Error },
}

impl TargetsFile {
    /// Every token and client secret, for masking the connector's output.
    pub fn secrets(&self) -> Vec<String> {
        self.targets
            .iter()
            .filter_map(|t| match &t.auth {
                Auth::Bearer { token } => Some(token.clone()),
                Auth::Oauth2ClientCredentials { client_secret, .. } => Some(client_secret.clone()),
                Auth::Upstream => None,
            })
            .collect()
    }

    /// Replaces the target's secret: the bearer token, or for OAuth the
    /// client secret.
    pub fn rotate(&mut self, target: &str, secret: &str) -> Result<(), TargetsFileError> {
        let known = self
            .targets
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let t = self
            .targets
            .iter_mut()
            .find(|t| t.name == target)
            .ok_or_else(|| TargetsFileError::UnknownTarget {
                name: target.to_owned(),
                known,
            })?;
        match &mut t.auth {
            Auth::Bearer { token } => *token = secret.to_owned(),
            Auth::Oauth2ClientCredentials { client_secret, .. } => {
                *client_secret = secret.to_owned();
            }
            // The app's credentials are not scimulate's to rotate (a
            // scenario refuses `rotate_token` on such a target).
            Auth::Upstream => {}
        }
        Ok(())
    }

    /// Writes the file with mode 0600 through a temporary file in the same
    /// folder and a rename.
    pub fn write(&self, path: &Path) -> Result<(), TargetsFileError> {
        crate::private_file::write_json(path, self).map_err(|source| TargetsFileError::Write {
            path: path.display().to_string(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> TargetsFile {
        TargetsFile {
            targets: vec![
                Target {
                    name: "app-a".into(),
                    base_url: "http://127.0.0.1:1/scim/v2".into(),
                    auth: Auth::Bearer {
                        token: "tok-a".into(),
                    },
                    ca_file: None,
                },
                Target {
                    name: "app-b".into(),
                    base_url: "http://127.0.0.1:2/scim/v2".into(),
                    auth: Auth::Oauth2ClientCredentials {
                        token_url: "http://127.0.0.1:3/token".into(),
                        client_id: "id".into(),
                        client_secret: "cs-b".into(),
                    },
                    ca_file: Some("/ca.pem".into()),
                },
            ],
            alert_url: "http://127.0.0.1:4/alerts".into(),
        }
    }

    #[test]
    fn the_wire_form_is_the_one_of_the_spec() {
        let v = serde_json::to_value(file()).unwrap();
        assert_eq!(
            v["targets"][1]["auth"],
            serde_json::json!({"type": "oauth2_client_credentials", "token_url": "http://127.0.0.1:3/token", "client_id": "id", "client_secret": "cs-b"})
        );
        assert_eq!(v["targets"][0]["auth"]["type"], "bearer");
        assert!(v["targets"][0].get("ca_file").is_none());
        assert_eq!(v["targets"][1]["ca_file"], "/ca.pem");
    }

    #[test]
    fn a_reader_never_sees_half_a_file_while_it_is_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("targets.json");
        let mut f = file();
        f.write(&path).unwrap();
        let reader_path = path.clone();
        let reader = std::thread::spawn(move || {
            for _ in 0..300 {
                let bytes = std::fs::read(&reader_path).expect("always there");
                let parsed: TargetsFile = serde_json::from_slice(&bytes).expect("always whole");
                assert_eq!(parsed.targets.len(), 2);
            }
        });
        for i in 0..300 {
            f.rotate("app-a", &format!("tok-{i:0>width$}", width = i % 50))
                .unwrap();
            f.write(&path).unwrap();
        }
        reader.join().expect("the reader saw whole files only");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn rotation_replaces_the_secret_and_unknown_targets_are_named() {
        let mut f = file();
        f.rotate("app-a", "tok-2").unwrap();
        f.rotate("app-b", "cs-2").unwrap();
        assert_eq!(f.secrets(), ["tok-2", "cs-2"]);
        let err = f.rotate("app-z", "x").unwrap_err().to_string();
        assert!(
            err.contains("'app-z'") && err.contains("app-a, app-b"),
            "{err}"
        );
        assert!(!format!("{f:?}").contains("tok-2"));
    }
}
