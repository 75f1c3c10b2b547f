//! The real `scimulate connector` process, started from
//! connectors/reference.yaml by the harness's own connector driver: events
//! over the webhook, a token rotation reloaded by SIGHUP, a SIGKILL restart
//! that loses nothing, and the audit. Every wait is bounded.

use scimulate::connector::{Connector, ConnectorOptions, StopSignal};
use scimulate::contract::alert::AlertStatus;
use scimulate::contract::event::{Event, EventType};
use scimulate::mock::profile::{GENERIC_RFC_YAML, Profile};
use scimulate::serve::{self, ServeOptions};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

const BOUND: Duration = Duration::from_secs(20);

fn event(id: &str, kind: EventType, secs: i64, x: &str, user: &str, active: bool) -> Event {
    let at = "2026-11-22T10:00:00Z"
        .parse::<chrono::DateTime<chrono::Utc>>()
        .unwrap()
        + chrono::Duration::seconds(secs);
    let person = json!({"externalId": x, "userName": user, "active": active});
    Event::new(
        id,
        kind,
        at,
        person.as_object().cloned(),
        vec!["eng".into()],
        vec!["app-a".into()],
    )
}

async fn until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + BOUND;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "gave up waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn refconn_the_binary_reloads_on_sighup_and_survives_sigkill() {
    let mut profile = Profile::from_yaml(GENERIC_RFC_YAML, "generic-rfc.yaml").unwrap();
    profile.name = "app-a".into();
    let serving = serve::start(vec![profile], &ServeOptions::default())
        .await
        .unwrap();
    let admin = serving.endpoints.admin.clone();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let call = |method: reqwest::Method, path: &str, body: Option<Value>| {
        let mut req = http
            .request(method, format!("{}{path}", admin.url))
            .bearer_auth(&admin.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        async move {
            req.send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap_or(Value::Null)
        }
    };
    let user = |name: &'static str| {
        let call = &call;
        async move {
            let state = call(reqwest::Method::GET, "/targets/app-a/state", None).await;
            state["Users"]
                .as_array()
                .and_then(|u| u.iter().find(|u| u["userName"] == name).cloned())
        }
    };

    let file = scimulate::connector::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("connectors/reference.yaml"),
    )
    .expect("connectors/reference.yaml loads");
    let dir = tempfile::tempdir().unwrap();
    let mut options = ConnectorOptions::new(dir.path());
    options.scimulate = env!("CARGO_BIN_EXE_scimulate").into();
    let targets = serving.endpoints.targets_file("http://unused").targets;
    let token = targets[0].clone();
    let mut c = tokio::time::timeout(BOUND, Connector::start(file, targets, &options))
        .await
        .expect("bounded")
        .expect("the reference connector starts and is ready");

    assert!(
        c.deliver(&event(
            "b1",
            EventType::Joiner,
            1,
            "E1",
            "bob@acme.test",
            true
        ))
        .await
        .accepted()
    );
    until("bob provisioned", || async {
        user("bob@acme.test").await.is_some()
    })
    .await;

    // The token expires; bob leaves; a rotation reaches it by SIGHUP.
    call(
        reqwest::Method::POST,
        "/targets/app-a/faults",
        Some(json!({"kind": "token_expired"})),
    )
    .await;
    assert!(
        c.deliver(&event(
            "b2",
            EventType::Leaver,
            2,
            "E1",
            "bob@acme.test",
            false
        ))
        .await
        .accepted()
    );
    let degraded = c
        .alerts()
        .wait_for(|a| a.alert.status == AlertStatus::Degraded, BOUND)
        .await;
    assert!(degraded.is_some(), "degraded after the 401");
    // Queued across a SIGKILL, then the rotation.
    assert!(
        c.deliver(&event(
            "d1",
            EventType::Joiner,
            3,
            "E2",
            "dave@acme.test",
            true
        ))
        .await
        .accepted()
    );
    c.restart(StopSignal::Kill).await.expect("restarted");
    let rotated = call(reqwest::Method::POST, "/targets/app-a/tokens/rotate", None).await;
    let new_token = rotated["token"].as_str().unwrap().to_owned();
    c.rotate("app-a", &new_token)
        .await
        .expect("rotation reloaded");
    until("bob deactivated", || async {
        user("bob@acme.test")
            .await
            .is_some_and(|u| u["active"] == false)
    })
    .await;
    until("dave provisioned after the restart", || async {
        user("dave@acme.test").await.is_some()
    })
    .await;
    let audit = c
        .audit(scimulate::connector::audit::AuditLimit::for_run(10, 1))
        .await
        .expect("an audit URL")
        .expect("audit parses");
    let b2 = audit
        .iter()
        .find(|r| r.event_id == "b2")
        .expect("b2 audited");
    assert_eq!(
        b2.original_at,
        "2026-11-22T10:00:02Z"
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
    );
    let logs: String = c.logs().iter().map(|l| l.text.clone()).collect();
    let old = match &token.auth {
        scimulate::contract::targets_file::Auth::Bearer { token } => token.clone(),
        _ => unreachable!(),
    };
    assert!(
        !logs.contains(&old) && !logs.contains(&new_token),
        "no token in the output"
    );
    c.stop().await;
}
