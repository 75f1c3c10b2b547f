//! `serve --upstream`: a target fronting a real app, with an in-process
//! `scimulate serve` mock as the app. What goes through reaches the app and
//! comes back as it was; the front-door and answer faults act in between,
//! the store faults are refused; an app that does not answer or is not
//! SCIM stops `serve` before anything starts.

use crate::common::{self, Harness, USER};
use clap::Parser;
use reqwest::Method;
use scimulate::mock::upstream::UpstreamSpec;
use scimulate::serve::{self, ServeOptions, Serving, TargetAuth};
use serde_json::{Value, json};
use std::time::Duration;

/// Every wait in these tests is bounded by this.
pub(crate) const BOUND: Duration = Duration::from_secs(20);

/// The app (a mock target) and the target fronting it, named `hr`.
pub(crate) struct Fronted {
    pub(crate) app: Harness,
    pub(crate) front: Serving,
    /// The fronting target's SCIM base URL (its network proxy).
    pub(crate) base: String,
    pub(crate) http: reqwest::Client,
}

pub(crate) async fn fronted() -> Fronted {
    let app = common::generic().await;
    let spec = UpstreamSpec::parse(&format!("hr={}", app.base), None).unwrap();
    let front = serve::start(
        vec![],
        &ServeOptions {
            upstreams: vec![spec],
            ..ServeOptions::default()
        },
    )
    .await
    .expect("serve --upstream");
    let t = &front.endpoints.targets["hr"];
    assert!(matches!(t.auth, TargetAuth::Upstream));
    assert_eq!(t.upstream.as_deref(), Some(app.base.as_str()));
    Fronted {
        base: t.base_url.clone(),
        app,
        front,
        http: reqwest::Client::builder().timeout(BOUND).build().unwrap(),
    }
}

impl Fronted {
    /// A request through the fronting target with the app's own token.
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.send_as(&self.app.token, method, path, body).await
    }

    pub(crate) async fn send_as(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req
                .header("content-type", "application/scim+json")
                .body(b.to_string());
        }
        let resp = req.send().await.expect("an answer");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub(crate) async fn front_admin(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let ep = &self.front.endpoints.admin;
        let mut req = self
            .http
            .request(method, format!("{}{path}", ep.url))
            .bearer_auth(&ep.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("admin answer");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub(crate) async fn fault(&self, fault: Value) -> u16 {
        self.front_admin(Method::POST, "/targets/hr/faults", Some(fault))
            .await
            .0
    }

    pub(crate) async fn clear(&self) {
        let (status, _) = self
            .front_admin(Method::DELETE, "/targets/hr/faults", None)
            .await;
        assert_eq!(status, 204);
    }

    pub(crate) async fn front_journal(&self) -> Vec<Value> {
        let (_, j) = self
            .front_admin(Method::GET, "/targets/hr/journal", None)
            .await;
        j["entries"].as_array().unwrap().clone()
    }

    /// How many requests the app itself received.
    pub(crate) async fn app_seen(&self) -> usize {
        self.app_journal().await.len()
    }

    /// The requests the app itself received (the first is the preflight).
    pub(crate) async fn app_journal(&self) -> Vec<Value> {
        let (_, j) = self
            .app
            .admin(Method::GET, "/targets/generic-rfc/journal", None)
            .await;
        j["entries"].as_array().unwrap().clone()
    }

    pub(crate) async fn shutdown(self) {
        tokio::time::timeout(BOUND, self.front.shutdown())
            .await
            .expect("shutdown within the bound")
            .expect("clean shutdown");
    }
}

pub(crate) fn user(name: &str) -> Value {
    json!({"schemas": [USER], "userName": name})
}

#[tokio::test]
async fn a_request_through_the_fronting_target_reaches_the_app_and_comes_back_unchanged() {
    let f = fronted().await;
    let (status, created) = f.send(Method::POST, "/Users", Some(user("ann"))).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();

    // The app stored it, and answers the same document directly.
    let (status, _, direct) = f.app.send(Method::GET, &format!("/Users/{id}"), None).await;
    assert_eq!(status, 200);
    let (status, through) = f.send(Method::GET, &format!("/Users/{id}"), None).await;
    assert_eq!(status, 200);
    assert_eq!(through, direct, "the app's answer comes back as it was");
    // Query strings reach the app.
    let (_, list) = f
        .send(Method::GET, "/Users?filter=userName%20eq%20%22ann%22", None)
        .await;
    assert_eq!(list["totalResults"], 1, "{list}");

    // The connector's own Authorization reaches the app: a wrong one is the
    // app's to refuse, with its own answer.
    let (status, refused) = f
        .send_as("not-the-token", Method::GET, "/Users", None)
        .await;
    assert_eq!(status, 401, "{refused}");

    // The app saw the preflight, then each request (one of them direct).
    let app = f.app_journal().await;
    assert_eq!(app.len(), 6, "{app:?}");
    assert_eq!(app[0]["path"], "/scim/v2/ServiceProviderConfig");
    assert_eq!(app[1]["operation"], "provision");
    assert_eq!(app[4]["query"], "filter=userName%20eq%20%22ann%22");

    // Journaled at the front like a mock target's requests, secrets masked.
    let journal = f.front_journal().await;
    assert_eq!(journal.len(), 4);
    let post = &journal[0];
    assert_eq!(post["method"], "POST");
    assert_eq!(post["path"], "/scim/v2/Users");
    assert_eq!(post["status"], 201);
    assert_eq!(post["operation"], "provision");
    assert_eq!(post["fault"], Value::Null);
    assert_eq!(post["body"]["userName"], "ann");
    assert_eq!(post["response_body"]["id"], id);
    assert_eq!(post["headers"]["authorization"], "Bearer ***");
    assert!(
        !serde_json::to_string(&journal)
            .unwrap()
            .contains(&f.app.token),
        "the token is never journaled"
    );
    assert_eq!(journal[3]["status"], 401);

    let ep = &f.front.endpoints.admin;
    let metrics = f
        .http
        .get(format!("{}/metrics", ep.url))
        .bearer_auth(&ep.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(r#"target="hr",method="POST",status="201""#),
        "{metrics}"
    );
    f.shutdown().await;
}

#[tokio::test]
async fn a_store_fault_on_a_fronting_target_is_a_400_that_says_why() {
    let f = fronted().await;
    for kind in ["patch_as_put", "soft_delete", "ignore_deactivate"] {
        let (status, body) = f
            .front_admin(
                Method::POST,
                "/targets/hr/faults",
                Some(json!({"kind": kind})),
            )
            .await;
        assert_eq!(status, 400, "{kind}: {body}");
        let why = body["error"].as_str().unwrap();
        assert!(
            why.starts_with(&format!("{kind} cannot be switched on")),
            "{why}"
        );
        assert!(why.contains("fronts a real app"), "{why}");
    }
    let (status, body) = f
        .front_admin(
            Method::POST,
            "/targets/hr/faults",
            Some(json!({"kind": "manual_change", "users": ["ann"], "action": "delete"})),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (_, faults) = f.front_admin(Method::GET, "/targets/hr/faults", None).await;
    assert_eq!(faults["faults"], json!([]), "nothing was switched on");
    // The state and the tokens are the app's.
    let (status, body) = f.front_admin(Method::GET, "/targets/hr/state", None).await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = f
        .front_admin(Method::POST, "/targets/hr/tokens/rotate", None)
        .await;
    assert_eq!(status, 400);
    f.shutdown().await;
}

/// `scimulate serve ARGS...` in-process: its exit status and error.
async fn serve_cli(args: Vec<String>) -> Result<u8, (u8, String)> {
    tokio::task::spawn_blocking(move || {
        let cli = scimulate::cli::Cli::try_parse_from(
            ["scimulate", "serve"]
                .into_iter()
                .map(str::to_owned)
                .chain(args),
        )
        .map_err(|e| (scimulate::exit::BAD_INPUT, e.to_string()))?;
        scimulate::cli::run(cli)
            .map(|o| o.code())
            .map_err(|e| (e.code(), e.to_string()))
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn an_app_that_does_not_answer_or_is_not_scim_is_exit_3_before_anything_starts() {
    // Nothing listens on a port just closed.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let url = format!("http://{closed}/scim/v2");
    let (code, why) = serve_cli(vec!["--upstream".into(), format!("hr={url}")])
        .await
        .unwrap_err();
    assert_eq!(code, scimulate::exit::HARNESS, "{why}");
    assert!(why.contains(&url), "{why}");
    assert!(why.contains("connection refused"), "{why}");

    // An HTTP server with no SCIM at that URL.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "hello" }));
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let url = format!("http://{addr}/scim/v2");
    let (code, why) = serve_cli(vec!["--upstream".into(), format!("hr={url}")])
        .await
        .unwrap_err();
    assert_eq!(code, scimulate::exit::HARNESS, "{why}");
    assert!(why.contains("is not a SCIM service provider"), "{why}");
    assert!(why.contains("answered 404"), "{why}");
    server.abort();

    // Bad input is exit 2.
    for args in [
        vec!["--upstream".to_owned(), "hr".to_owned()],
        vec!["--upstream".to_owned(), "hr=ftp://127.0.0.1/x".to_owned()],
        vec![
            "--upstream".to_owned(),
            format!("hr={url}"),
            "--upstream-ca".to_owned(),
            "/nonexistent/ca.pem".to_owned(),
        ],
    ] {
        let (code, why) = serve_cli(args.clone()).await.unwrap_err();
        assert_eq!(code, scimulate::exit::BAD_INPUT, "{args:?}: {why}");
    }
}

#[tokio::test]
async fn an_https_app_is_reached_with_its_ca_file_and_refused_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("app-ca.pem");
    let profile = scimulate::mock::profile::Profile::from_yaml(
        scimulate::mock::profile::GENERIC_RFC_YAML,
        "generic-rfc.yaml",
    )
    .unwrap();
    let app = serve::start(
        vec![profile],
        &ServeOptions {
            tls_ca_file: Some(ca_file.clone()),
            ..ServeOptions::default()
        },
    )
    .await
    .unwrap();
    let t = &app.endpoints.targets["generic-rfc"];
    let TargetAuth::Bearer { token } = &t.auth else {
        panic!("bearer")
    };
    assert!(t.direct_url.starts_with("https://"));
    let arg = format!("hr={}", t.direct_url);

    // Without the CA the preflight's handshake fails, and says so.
    let without = UpstreamSpec::parse(&arg, None).unwrap();
    let why = serve::start(
        vec![],
        &ServeOptions {
            upstreams: vec![without],
            ..ServeOptions::default()
        },
    )
    .await
    .err()
    .expect("refused")
    .to_string();
    assert!(why.contains("TLS handshake failed"), "{why}");
    assert!(why.contains("--upstream-ca"), "{why}");

    let ca = std::fs::read(&ca_file).unwrap();
    let spec = UpstreamSpec::parse(&arg, Some(ca)).unwrap();
    let front = serve::start(
        vec![],
        &ServeOptions {
            upstreams: vec![spec],
            ..ServeOptions::default()
        },
    )
    .await
    .expect("serve --upstream over HTTPS");
    let base = &front.endpoints.targets["hr"].base_url;
    assert!(
        base.starts_with("http://"),
        "the front serves plain HTTP: {base}"
    );
    let resp = reqwest::Client::new()
        .post(format!("{base}/Users"))
        .bearer_auth(token)
        .header("content-type", "application/scim+json")
        .body(user("ann").to_string())
        .timeout(BOUND)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    tokio::time::timeout(BOUND, front.shutdown())
        .await
        .unwrap()
        .unwrap();
    tokio::time::timeout(BOUND, app.shutdown())
        .await
        .unwrap()
        .unwrap();
}
