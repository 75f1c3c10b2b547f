//! Shared by the `refconn_*` tests: mock targets from `serve::start`, an
//! alert sink, a targets file, the reference connector in-process, and
//! waits on observable conditions, each bounded by a deadline.

#![allow(dead_code)]

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use scimulate::connector::alert_sink::AlertSink;
use scimulate::connector::file::Alerts;
use scimulate::contract::targets_file::TargetsFile;
use scimulate::mock::profile::{GENERIC_RFC_YAML, Profile};
use scimulate::refconn::{self, Defect, Defects, Options, Running};
use scimulate::serve::{self, ServeOptions, Serving};
use serde_json::{Value, json};
use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

pub const WAIT: Duration = Duration::from_secs(20);

pub struct Rig {
    pub serving: Serving,
    pub sink: AlertSink,
    pub dir: tempfile::TempDir,
    pub targets: TargetsFile,
    pub targets_path: PathBuf,
    pub http: reqwest::Client,
    pub connector: Option<Running>,
    pub defects: Vec<Defect>,
    pub base: DateTime<Utc>,
    pub tweak: fn(&mut Options),
}

/// Targets named `names`, each a generic-rfc target.
pub async fn rig(names: &[&str], defects: &[Defect]) -> Rig {
    let specs: Vec<_> = names.iter().map(|n| (*n, GENERIC_RFC_YAML)).collect();
    rig_with(&specs, defects, |_| {}).await
}

/// Targets from (name, profile YAML); `tweak` adjusts the connector's options.
pub async fn rig_with(specs: &[(&str, &str)], defects: &[Defect], tweak: fn(&mut Options)) -> Rig {
    let profiles = specs
        .iter()
        .map(|(n, yaml)| {
            let mut p = Profile::from_yaml(yaml, "test.yaml").expect("profile");
            p.name = (*n).to_owned();
            p
        })
        .collect();
    let serving = serve::start(profiles, &ServeOptions::default())
        .await
        .expect("targets start");
    let sink = AlertSink::start(Alerts::default()).await.expect("sink");
    let dir = tempfile::tempdir().expect("tempdir");
    let targets = serving.endpoints.targets_file(&sink.url());
    let targets_path = dir.path().join("targets.json");
    targets.write(&targets_path).expect("targets file");
    let mut rig = Rig {
        serving,
        sink,
        dir,
        targets,
        targets_path,
        http: reqwest::Client::builder().no_proxy().build().unwrap(),
        connector: None,
        defects: defects.to_vec(),
        base: "2026-11-22T10:00:00Z".parse().unwrap(),
        tweak,
    };
    rig.start_connector().await;
    rig
}

impl Rig {
    pub fn options(&self) -> Options {
        let mut o = Options::new(self.targets_path.clone(), self.dir.path().join("work"));
        o.defects = Defects::new(self.defects.clone());
        o.failed_after = Duration::from_secs(60);
        (self.tweak)(&mut o);
        o
    }

    pub async fn start_connector(&mut self) {
        let running = refconn::start(self.options())
            .await
            .expect("connector starts");
        self.connector = Some(running);
    }

    pub async fn stop_connector(&mut self) {
        if let Some(c) = self.connector.take() {
            c.shutdown().await;
        }
    }

    fn url(&self, path: &str) -> String {
        let addr = self.connector.as_ref().expect("running").addr;
        format!("http://{addr}{path}")
    }

    pub async fn post_event(&self, event: &Value) -> (u16, Value) {
        let r = self
            .http
            .post(self.url("/events"))
            .json(event)
            .send()
            .await
            .expect("event POST");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn audit(&self) -> Vec<Value> {
        let r = self
            .http
            .get(self.url("/audit"))
            .send()
            .await
            .expect("audit");
        r.json().await.expect("audit json")
    }

    /// An event `secs` after the rig's base time.
    pub fn event(
        &self,
        id: &str,
        kind: &str,
        secs: i64,
        person: Value,
        groups: &[&str],
        targets: &[&str],
    ) -> Value {
        let at = self.base + ChronoDuration::seconds(secs);
        json!({"spec": "scimulate.event/v1", "id": id, "type": kind,
            "occurred_at": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "person": person, "groups": groups, "targets": targets})
    }

    pub async fn admin(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Value {
        let ep = &self.serving.endpoints.admin;
        let mut req = self
            .http
            .request(method, format!("{}{path}", ep.url))
            .bearer_auth(&ep.token);
        if let Some(b) = body {
            req = req.json(b);
        }
        let r = req.send().await.expect("admin");
        assert!(r.status().is_success(), "admin {path}: {}", r.status());
        r.json().await.unwrap_or(Value::Null)
    }

    pub async fn state(&self, target: &str) -> Value {
        self.admin(
            reqwest::Method::GET,
            &format!("/targets/{target}/state"),
            None,
        )
        .await
    }

    pub async fn journal(&self, target: &str) -> Vec<Value> {
        let j = self
            .admin(
                reqwest::Method::GET,
                &format!("/targets/{target}/journal"),
                None,
            )
            .await;
        j["entries"].as_array().cloned().unwrap_or_default()
    }

    pub async fn fault(&self, target: &str, fault: Value) -> Value {
        self.admin(
            reqwest::Method::POST,
            &format!("/targets/{target}/faults"),
            Some(&fault),
        )
        .await
    }

    pub async fn clear_faults(&self, target: &str) {
        self.admin(
            reqwest::Method::DELETE,
            &format!("/targets/{target}/faults"),
            None,
        )
        .await;
    }

    /// Rotates the target's token, rewrites the targets file and reloads
    /// (what `rotate_token` and SIGHUP do in a run).
    pub async fn rotate(&mut self, target: &str) {
        self.rotate_file_only(target).await;
        if let Some(c) = &self.connector {
            c.reload();
        }
    }

    /// Rotates and rewrites the targets file, no reload (`reload: none`).
    pub async fn rotate_file_only(&mut self, target: &str) {
        let t = self
            .admin(
                reqwest::Method::POST,
                &format!("/targets/{target}/tokens/rotate"),
                None,
            )
            .await;
        let token = t["token"].as_str().expect("a token").to_owned();
        self.targets.rotate(target, &token).expect("known target");
        self.targets
            .write(&self.targets_path)
            .expect("targets file");
    }

    pub async fn users(&self, target: &str) -> Vec<Value> {
        self.state(target).await["Users"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub async fn user(&self, target: &str, user_name: &str) -> Option<Value> {
        self.users(target).await.into_iter().find(|u| {
            u["userName"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(user_name))
        })
    }

    /// The members' user ids of the group named `name`.
    pub async fn members(&self, target: &str, name: &str) -> Option<Vec<String>> {
        let state = self.state(target).await;
        let g = state["Groups"]
            .as_array()?
            .iter()
            .find(|g| g["displayName"] == name)?
            .clone();
        Some(
            g["members"]
                .as_array()
                .map(|m| {
                    m.iter()
                        .filter_map(|x| x["value"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        )
    }
}

/// Polls `check` until it answers `Some`, or panics naming `what` at the
/// deadline. The condition is what the test observes (target state, the
/// audit, the alerts); the poll interval is not a synchronisation.
pub async fn until<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if tokio::time::Instant::now() >= deadline {
            panic!("gave up after {WAIT:?} waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub fn person(x: &str, user_name: &str, extra: Value) -> Value {
    let mut p = json!({"externalId": x, "userName": user_name, "active": true,
        "displayName": user_name});
    if let (Some(p), Some(e)) = (p.as_object_mut(), extra.as_object()) {
        p.extend(e.clone());
    }
    p
}

/// The audit record of (event, target), once settled.
pub async fn settled(rig: &Rig, event: &str, target: &str) -> Value {
    until(&format!("audit record of {event} on {target}"), || async {
        rig.audit()
            .await
            .into_iter()
            .find(|r| r["event_id"] == event && r["target"] == target)
    })
    .await
}
