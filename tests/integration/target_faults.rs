//! Faults switched on through the admin API, over real HTTP: what each kind
//! makes the target answer, what the store holds afterwards, what the
//! journal records, and that clearing a fault gives back the strict target.

use crate::common;

use crate::common::{Harness, USER};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const FAULTS: &str = "/targets/generic-rfc/faults";

async fn add_fault(h: &Harness, fault: Value) -> u64 {
    let (status, body) = h.admin(Method::POST, FAULTS, Some(&fault)).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["kind"], fault["kind"]);
    body["id"].as_u64().expect("the fault's id")
}

async fn journal(h: &Harness) -> Vec<Value> {
    let (_, j) = h
        .admin(Method::GET, "/targets/generic-rfc/journal", None)
        .await;
    j["entries"].as_array().unwrap().clone()
}

async fn post_user(h: &Harness, name: &str) -> (u16, reqwest::header::HeaderMap, Value) {
    h.send(
        Method::POST,
        "/Users",
        Some(&json!({"schemas": [USER], "userName": name})),
    )
    .await
}

async fn user_count(h: &Harness) -> usize {
    let (_, state) = h
        .admin(Method::GET, "/targets/generic-rfc/state", None)
        .await;
    state["Users"].as_array().unwrap().len()
}

#[tokio::test]
async fn forbidden_refuses_only_its_scope_and_stores_nothing() {
    let h = common::generic().await;
    add_fault(&h, json!({"kind": "forbidden", "methods": ["POST"]})).await;
    let (status, _, body) = post_user(&h, "alice").await;
    assert_eq!(status, 403);
    assert_eq!(
        body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    assert_eq!(body["status"], "403");
    let (status, _, _) = h.send(Method::GET, "/Users", None).await;
    assert_eq!(status, 200, "GET is outside the fault's scope");
    assert_eq!(user_count(&h).await, 0);
    let entries = journal(&h).await;
    assert_eq!(entries[0]["fault"], "forbidden");
    assert_eq!(entries[0]["operation"], "provision");
    assert_eq!(entries[1]["fault"], Value::Null);
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after_for_its_window() {
    let h = common::generic().await;
    add_fault(
        &h,
        json!({"kind": "rate_limit", "for_requests": 2, "retry_after": "7s"}),
    )
    .await;
    for name in ["a", "b"] {
        let (status, headers, body) = post_user(&h, name).await;
        assert_eq!(status, 429);
        assert_eq!(headers["retry-after"], "7");
        assert_eq!(body["status"], "429");
    }
    let (status, _, _) = post_user(&h, "c").await;
    assert_eq!(status, 201, "the window ended after two requests");
    assert_eq!(user_count(&h).await, 1);

    add_fault(&h, json!({"kind": "rate_limit", "retry_after": "none"})).await;
    let (status, headers, _) = post_user(&h, "d").await;
    assert_eq!(status, 429);
    assert!(headers.get("retry-after").is_none());
    h.admin(Method::DELETE, FAULTS, None).await;

    add_fault(
        &h,
        json!({"kind": "rate_limit", "retry_after": {"http_date": "2m"}}),
    )
    .await;
    let (status, headers, _) = post_user(&h, "e").await;
    assert_eq!(status, 429);
    let date = headers["retry-after"].to_str().unwrap();
    let when = chrono::DateTime::parse_from_rfc2822(&date.replace("GMT", "+0000"))
        .unwrap_or_else(|e| panic!("{date:?} is not an HTTP-date: {e}"));
    assert!(when > chrono::Utc::now() + chrono::Duration::seconds(60));
}

#[tokio::test]
async fn unavailable_and_server_error_answer_scim_errors() {
    let h = common::generic().await;
    let id = add_fault(&h, json!({"kind": "unavailable", "retry_after": "3s"})).await;
    let (status, headers, body) = h.send(Method::GET, "/Users", None).await;
    assert_eq!((status, &body["status"]), (503, &json!("503")));
    assert_eq!(headers["retry-after"], "3");
    let (status, _) = h
        .admin(Method::DELETE, &format!("{FAULTS}/{id}"), None)
        .await;
    assert_eq!(status, 204);

    add_fault(&h, json!({"kind": "server_error"})).await;
    let (status, headers, body) = post_user(&h, "x").await;
    assert_eq!(status, 500);
    assert_eq!(headers["content-type"], "application/scim+json");
    assert_eq!(body["status"], "500");
    assert_eq!(user_count(&h).await, 0);
    assert_eq!(journal(&h).await.last().unwrap()["fault"], "server_error");
}

#[tokio::test]
async fn latency_delays_the_answer_but_not_the_outcome() {
    let h = common::generic().await;
    add_fault(&h, json!({"kind": "latency", "delay": "300ms"})).await;
    let started = Instant::now();
    let (status, _, _) = post_user(&h, "slow").await;
    assert_eq!(status, 201);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let entry = journal(&h).await.pop().unwrap();
    assert_eq!(entry["fault"], "latency");
    assert!(entry["latency_ms"].as_f64().unwrap() >= 300.0);
    assert_eq!(user_count(&h).await, 1);
}

#[tokio::test]
async fn timeout_accepts_and_never_answers() {
    let h = common::generic().await;
    add_fault(&h, json!({"kind": "timeout", "methods": ["GET"]})).await;
    let result = h
        .http
        .get(h.url("/Users"))
        .bearer_auth(&h.token)
        .timeout(Duration::from_millis(400))
        .send()
        .await;
    assert!(result.unwrap_err().is_timeout());
    let entry = journal(&h).await.pop().unwrap();
    assert_eq!(entry["fault"], "timeout");
    assert_eq!(entry["status"], 0);
    let (status, _, _) = post_user(&h, "still-writes").await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn token_expired_refuses_the_current_token_until_rotation() {
    let h = common::generic().await;
    add_fault(&h, json!({"kind": "token_expired"})).await;
    let resp = h.get_users_as(&h.token).await;
    assert_eq!(resp.status().as_u16(), 401);
    let challenge = resp.headers()["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.contains(r#"error="invalid_token""#),
        "{challenge}"
    );
    let (_, rotated) = h
        .admin(Method::POST, "/targets/generic-rfc/tokens/rotate", None)
        .await;
    let fresh = rotated["token"].as_str().unwrap();
    let resp = h.get_users_as(fresh).await;
    assert_eq!(resp.status().as_u16(), 200);
    let entries = journal(&h).await;
    assert_eq!(entries[0]["fault"], "token_expired");
    assert_eq!(entries[1]["fault"], Value::Null);
}

#[tokio::test]
async fn scope_selects_resource_type_and_operation() {
    let h = common::generic().await;
    let alice = h.create_user("alice").await;
    add_fault(
        &h,
        json!({"kind": "unavailable", "resource_type": "User", "operation": "deprovision"}),
    )
    .await;
    let id = alice["id"].as_str().unwrap();
    let deactivate = json!({"schemas": [common::PATCH_OP],
        "Operations": [{"op": "replace", "path": "active", "value": false}]});
    let (status, _, _) = h
        .send(Method::PATCH, &format!("/Users/{id}"), Some(&deactivate))
        .await;
    assert_eq!(status, 503, "a PATCH that deactivates deprovisions");
    let refused = journal(&h).await.pop().unwrap();
    assert_eq!(
        (&refused["operation"], &refused["fault"]),
        (&json!("deprovision"), &json!("unavailable")),
        "the journal shows the attempted deprovisioning"
    );
    let rename = json!({"schemas": [common::PATCH_OP],
        "Operations": [{"op": "replace", "path": "displayName", "value": "A"}]});
    let (status, _, _) = h
        .send(Method::PATCH, &format!("/Users/{id}"), Some(&rename))
        .await;
    assert_eq!(status, 200);
    let (status, _, _) = h.send(Method::DELETE, &format!("/Users/{id}"), None).await;
    assert_eq!(status, 503);
    let (status, _, _) = h
        .send(
            Method::POST,
            "/Groups",
            Some(
                &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": "g"}),
            ),
        )
        .await;
    assert_eq!(status, 201, "Groups are outside the scope");
    assert_eq!(user_count(&h).await, 1, "the deletion never happened");
}

#[tokio::test]
async fn cleared_faults_give_back_the_strict_target() {
    let h = common::generic().await;
    add_fault(&h, json!({"kind": "server_error"})).await;
    add_fault(&h, json!({"kind": "forbidden"})).await;
    let (_, listed) = h.admin(Method::GET, FAULTS, None).await;
    assert_eq!(listed["faults"].as_array().unwrap().len(), 2);
    let (status, _) = h.admin(Method::DELETE, FAULTS, None).await;
    assert_eq!(status, 204);
    let (status, _, _) = post_user(&h, "ok").await;
    assert_eq!(status, 201);
    let (status, _) = h.admin(Method::DELETE, &format!("{FAULTS}/99"), None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn bad_fault_objects_are_refused_with_a_reason() {
    let h = common::generic().await;
    for (fault, expected) in [
        (json!({"kind": "rate_limit", "delay": "1s"}), "delay"),
        (json!({"kind": "no_such_kind"}), "no_such_kind"),
        (
            json!({"kind": "server_error", "probability": 1.5}),
            "probability",
        ),
        (json!({"kind": "latency", "colour": "red"}), "colour"),
    ] {
        let (status, body) = h.admin(Method::POST, FAULTS, Some(&fault)).await;
        assert_eq!(status, 400, "{fault}");
        let message = body["error"].as_str().unwrap();
        assert!(message.contains(expected), "{message}");
    }
    let resp = h
        .http
        .post(format!("{}{FAULTS}", h.serving.endpoints.admin.url))
        .body(r#"{"kind": "forbidden""#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401, "no admin token, no fault");
}

/// A probabilistic fault draws from the run's seed and the request, so the
/// same seed gives the same answers run after run.
#[tokio::test]
async fn probabilistic_faults_repeat_with_the_seed() {
    async fn statuses() -> Vec<u16> {
        let h = common::generic().await;
        add_fault(
            &h,
            json!({"kind": "server_error", "probability": 0.5, "methods": ["POST"]}),
        )
        .await;
        let mut out = Vec::new();
        for i in 0..40 {
            out.push(post_user(&h, &format!("u{i}")).await.0);
        }
        out
    }
    let first = statuses().await;
    assert_eq!(first, statuses().await);
    let failed = first.iter().filter(|s| **s == 500).count();
    assert!(
        (5..35).contains(&failed),
        "about half should fail: {first:?}"
    );
}

/// A Retry-After date beyond the calendar's end must not crash the target.
#[tokio::test]
async fn a_retry_after_date_far_in_the_future_is_answered_not_a_panic() {
    let h = common::generic().await;
    add_fault(
        &h,
        json!({"kind": "unavailable", "retry_after": {"http_date": "100000000000h"}}),
    )
    .await;
    let (status, headers, _) = h.send(Method::GET, "/Users", None).await;
    assert_eq!(status, 503);
    assert!(headers.contains_key("retry-after"));
}
