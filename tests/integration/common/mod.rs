//! Starts targets in-process on OS-chosen loopback ports.

#![allow(dead_code)]

use scimulate::mock::profile::Profile;
use scimulate::serve::{self, ServeOptions, Serving, TargetAuth};
use serde_json::Value;
use std::path::{Path, PathBuf};

pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

pub struct Harness {
    pub serving: Serving,
    pub base: String,
    pub token: String,
    pub http: reqwest::Client,
}

pub async fn start(profile_yaml: &str) -> Harness {
    let profile = Profile::from_yaml(profile_yaml, "test.yaml").expect("profile");
    let serving = serve::start(vec![profile], &ServeOptions::default())
        .await
        .expect("serve");
    let (name, t) = serving.endpoints.targets.iter().next().expect("a target");
    let _ = name;
    let token = match &t.auth {
        TargetAuth::Bearer { token } => token.clone(),
        TargetAuth::Oauth2ClientCredentials { .. } | TargetAuth::Upstream => String::new(),
    };
    Harness {
        // The target's own listener: these tests are about the target, and
        // the proxy in front of it (base_url) is tested on its own.
        base: t.direct_url.clone(),
        token,
        http: reqwest::Client::new(),
        serving,
    }
}

pub async fn generic() -> Harness {
    start(scimulate::mock::profile::GENERIC_RFC_YAML).await
}

impl Harness {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut req = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req
                .header("content-type", "application/scim+json")
                .body(b.to_string());
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("body");
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, headers, json)
    }

    /// `GET /Users` with the given bearer token (a rotated, issued or
    /// expired one), answer unread.
    pub async fn get_users_as(&self, token: &str) -> reqwest::Response {
        self.http
            .get(self.url("/Users"))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    pub async fn create_user(&self, user_name: &str) -> Value {
        let (status, _, body) = self
            .send(
                reqwest::Method::POST,
                "/Users",
                Some(&serde_json::json!({"schemas": [USER], "userName": user_name})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body
    }

    pub async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let ep = &self.serving.endpoints.admin;
        let mut req = self
            .http
            .request(method, format!("{}{path}", ep.url))
            .bearer_auth(&ep.token);
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.expect("admin request");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

/// Starts a target from a parsed profile (a shipped one, adjusted by a test).
pub async fn start_profile(profile: Profile) -> Harness {
    let serving = serve::start(vec![profile], &ServeOptions::default())
        .await
        .expect("serve");
    let t = serving.endpoints.targets.values().next().expect("a target");
    let token = match &t.auth {
        TargetAuth::Bearer { token } => token.clone(),
        TargetAuth::Oauth2ClientCredentials { .. } | TargetAuth::Upstream => String::new(),
    };
    Harness {
        base: t.base_url.clone(),
        token,
        http: reqwest::Client::new(),
        serving,
    }
}

/// A connector file that starts `scimulate connector` with `defects`.
pub fn reference_connector_file(dir: &Path, defects: &[&str]) -> PathBuf {
    let mut command = vec![
        "{scimulate}",
        "connector",
        "--listen",
        "127.0.0.1:{port}",
        "--targets",
        "{targets_file}",
        "--workdir",
        "{workdir}",
    ];
    for d in defects {
        command.extend(["--defect", d]);
    }
    let quoted: Vec<String> = command.iter().map(|c| format!("{c:?}")).collect();
    let yaml = format!(
        "kind: connector\nname: reference\nstart:\n  command: [{}]\n  ready: {{ http: \"http://127.0.0.1:{{port}}/healthz\", timeout: 20s }}\nevents:\n  webhook: {{ url: \"http://127.0.0.1:{{port}}/events\" }}\nreload: sighup\naudit: {{ http: \"http://127.0.0.1:{{port}}/audit\" }}\n",
        quoted.join(", ")
    );
    let path = dir.join("connector.yaml");
    std::fs::write(&path, yaml).unwrap();
    path
}

/// Every check of a run report's first scenario: (check, target, passed,
/// message).
pub fn checks(report: &Value) -> Vec<(String, String, bool, String)> {
    report["scenarios"][0]["checks"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    (
                        c["check"].as_str().unwrap().to_owned(),
                        c["target"].as_str().unwrap().to_owned(),
                        c["passed"].as_bool().unwrap(),
                        c["message"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}
