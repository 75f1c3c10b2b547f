//! The faults of the catalogue in front of a real app (an in-process
//! `scimulate serve` mock): the front-door ones answer without the app
//! seeing the request, the answer ones shape what it is sent and what it
//! answers, and clearing them forwards as before.

use crate::common::{self, USER};
use crate::upstream::{fronted, user};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

#[tokio::test]
async fn front_door_faults_answer_without_reaching_the_app_and_clearing_forwards_again() {
    let f = fronted().await;
    assert_eq!(f.send(Method::GET, "/Users", None).await.0, 200);
    assert_eq!(f.app_seen().await, 2);

    assert_eq!(
        f.fault(json!({"kind": "rate_limit", "retry_after": "7s"}))
            .await,
        201
    );
    let resp = f
        .http
        .get(format!("{}/Users", f.base))
        .bearer_auth(&f.app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "7");
    assert_eq!(f.app_seen().await, 2, "the app never saw it");
    assert_eq!(f.front_journal().await[1]["fault"], "rate_limit");

    f.clear().await;
    assert_eq!(f.send(Method::GET, "/Users", None).await.0, 200);
    assert_eq!(f.app_seen().await, 3, "forwarded again");

    assert_eq!(f.fault(json!({"kind": "server_error"})).await, 201);
    let (status, body) = f.send(Method::POST, "/Users", Some(user("bob"))).await;
    assert_eq!(status, 500, "{body}");
    assert_eq!(f.app_seen().await, 3, "the app never saw it");
    f.clear().await;

    assert_eq!(
        f.fault(json!({"kind": "latency", "delay": "400ms"})).await,
        201
    );
    let started = Instant::now();
    assert_eq!(f.send(Method::GET, "/Users", None).await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(f.app_seen().await, 4, "delayed, then forwarded");
    assert_eq!(f.front_journal().await.last().unwrap()["fault"], "latency");
    f.shutdown().await;
}

#[tokio::test]
async fn token_expired_refuses_the_tokens_seen_until_cleared_or_a_new_one_comes() {
    let f = fronted().await;
    assert_eq!(f.send(Method::GET, "/Users", None).await.0, 200);
    assert_eq!(f.fault(json!({"kind": "token_expired"})).await, 201);
    let resp = f
        .http
        .get(format!("{}/Users", f.base))
        .bearer_auth(&f.app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let challenge = resp.headers()["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.contains(r#"error="invalid_token""#),
        "{challenge}"
    );
    assert_eq!(f.app_seen().await, 2, "the app never saw it");
    assert_eq!(f.front_journal().await[1]["fault"], "token_expired");

    f.clear().await;
    assert_eq!(f.send(Method::GET, "/Users", None).await.0, 200, "cleared");

    // Expired again; the connector rotates its token at the app and
    // brings the new one: it passes.
    assert_eq!(f.fault(json!({"kind": "token_expired"})).await, 201);
    assert_eq!(f.send(Method::GET, "/Users", None).await.0, 401);
    let (_, rotated) = f
        .app
        .admin(Method::POST, "/targets/generic-rfc/tokens/rotate", None)
        .await;
    let new = rotated["token"].as_str().unwrap();
    assert_eq!(f.send_as(new, Method::GET, "/Users", None).await.0, 200);
    f.shutdown().await;
}

#[tokio::test]
async fn answer_faults_shape_what_the_app_is_sent_and_what_it_answers() {
    let f = fronted().await;
    // conflict: the named user's POST is refused at the front.
    assert_eq!(
        f.fault(json!({"kind": "conflict", "users": ["ann"]})).await,
        201
    );
    let (status, body) = f.send(Method::POST, "/Users", Some(user("ann"))).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["scimType"], "uniqueness");
    assert_eq!(
        f.send(Method::POST, "/Users", Some(user("bob"))).await.0,
        201
    );
    f.clear().await;

    // partial_bulk: the second operation never reaches the app and fails
    // at its place in the app's answer.
    assert_eq!(f.fault(json!({"kind": "partial_bulk"})).await, 201);
    let bulk = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
        "Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "c", "data": user("cat")},
            {"method": "POST", "path": "/Users", "bulkId": "d", "data": user("dan")},
            {"method": "POST", "path": "/Users", "bulkId": "e", "data": user("eve")},
        ]
    });
    let (status, answer) = f.send(Method::POST, "/Bulk", Some(bulk)).await;
    assert_eq!(status, 200, "{answer}");
    let ops = answer["Operations"].as_array().unwrap();
    let statuses: Vec<&str> = ops.iter().map(|o| o["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["201", "500", "201"], "{answer}");
    assert_eq!(ops[1]["bulkId"], "d");
    let (_, state) = f
        .app
        .admin(Method::GET, "/targets/generic-rfc/state", None)
        .await;
    let mut names: Vec<&str> = state["Users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userName"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["bob", "cat", "eve"], "dan never reached the app");
    assert_eq!(
        f.front_journal().await.last().unwrap()["fault"],
        "partial_bulk"
    );
    f.clear().await;

    // schema_drift: the dropped extension leaves the app's discovery, and
    // a write using it never reaches the app.
    let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    assert_eq!(
        f.fault(json!({"kind": "schema_drift", "drop_extension": enterprise}))
            .await,
        201
    );
    let ids = |v: &Value| -> Vec<String> {
        v["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, _, direct) = f.app.send(Method::GET, "/Schemas", None).await;
    assert!(ids(&direct).iter().any(|i| i == enterprise));
    let (status, through) = f.send(Method::GET, "/Schemas", None).await;
    assert_eq!(status, 200);
    assert!(!ids(&through).iter().any(|i| i == enterprise), "{through}");
    let before = f.app_seen().await;
    let mut drifted = user("fay");
    drifted["schemas"] = json!([USER, enterprise]);
    drifted[enterprise] = json!({"department": "x"});
    let (status, body) = f.send(Method::POST, "/Users", Some(drifted)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(f.app_seen().await, before, "the app never saw it");
    f.shutdown().await;
}

#[tokio::test]
async fn stale_reads_answers_a_resource_read_with_what_the_app_said_before_a_recent_write() {
    let f = fronted().await;
    let (_, ann) = f.send(Method::POST, "/Users", Some(user("ann"))).await;
    let ann_path = format!("/Users/{}", ann["id"].as_str().unwrap());
    // A lag no test run outlives: what is read is always from before.
    assert_eq!(
        f.fault(json!({"kind": "stale_reads", "delay": "10m"}))
            .await,
        201
    );
    // Before any write, reads are forwarded as they are.
    let (status, now) = f.send(Method::GET, &ann_path, None).await;
    assert_eq!((status, &now["userName"]), (200, &json!("ann")));

    let patch = json!({"schemas": [common::PATCH_OP],
        "Operations": [{"op": "replace", "path": "title", "value": "Boss"}]});
    let (status, patched) = f.send(Method::PATCH, &ann_path, Some(patch)).await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(
        patched["title"], "Boss",
        "the write itself is applied at once"
    );
    let (_, _, direct) = f.app.send(Method::GET, &ann_path, None).await;
    assert_eq!(direct["title"], "Boss", "the app holds the write");
    let (status, stale) = f.send(Method::GET, &ann_path, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        stale, now,
        "a read through the front sees ann as before the PATCH"
    );
    assert_eq!(
        f.front_journal().await.last().unwrap()["fault"],
        "stale_reads"
    );

    // A resource created a moment ago is not there yet.
    let (_, bob) = f.send(Method::POST, "/Users", Some(user("bob"))).await;
    let bob_path = format!("/Users/{}", bob["id"].as_str().unwrap());
    assert_eq!(f.send(Method::GET, &bob_path, None).await.0, 404);
    assert_eq!(f.app.send(Method::GET, &bob_path, None).await.0, 200);

    f.clear().await;
    let (_, fresh) = f.send(Method::GET, &ann_path, None).await;
    assert_eq!(fresh["title"], "Boss", "cleared: reads see the present");
    assert_eq!(f.send(Method::GET, &bob_path, None).await.0, 200);
    f.shutdown().await;
}

#[tokio::test]
async fn the_other_front_door_faults_never_reach_the_app_either() {
    let f = fronted().await;
    let seen = f.app_seen().await;
    for (kind, status) in [("forbidden", 403), ("unavailable", 503)] {
        assert_eq!(f.fault(json!({ "kind": kind })).await, 201);
        assert_eq!(
            f.send(Method::GET, "/Users", None).await.0,
            status,
            "{kind}"
        );
        f.clear().await;
    }

    // connection_drop: the connection is reset instead of answered.
    assert_eq!(f.fault(json!({"kind": "connection_drop"})).await, 201);
    let dropped = f
        .http
        .get(format!("{}/Users", f.base))
        .bearer_auth(&f.app.token)
        .send()
        .await;
    let err = dropped.expect_err("no answer");
    assert!(!err.is_timeout(), "a reset, not a hang: {err}");
    f.clear().await;

    // timeout: accepted and never answered; the client gives up.
    assert_eq!(f.fault(json!({"kind": "timeout"})).await, 201);
    let hung = f
        .http
        .get(format!("{}/Users", f.base))
        .bearer_auth(&f.app.token)
        .timeout(Duration::from_millis(500))
        .send()
        .await;
    assert!(hung.expect_err("no answer").is_timeout());
    f.clear().await;

    assert_eq!(f.app_seen().await, seen, "the app saw none of them");
    let faults: Vec<Value> = f
        .front_journal()
        .await
        .iter()
        .map(|e| e["fault"].clone())
        .collect();
    assert_eq!(
        faults,
        [
            json!("forbidden"),
            json!("unavailable"),
            json!("connection_drop"),
            json!("timeout")
        ]
    );
    assert_eq!(f.send(Method::GET, "/Users", None).await.0, 200);
    f.shutdown().await;
}
