//! The reference connector against healthy targets: joiner, mover, leaver,
//! an app dropped from `targets`, a duplicate event, a JIT twin adopted,
//! and a malformed event refused.

use crate::refconn_support::{person, rig, settled, until};
use serde_json::json;

#[tokio::test]
async fn refconn_joiner_mover_leaver_and_a_dropped_app() {
    let rig = rig(&["app-a", "app-b"], &[]).await;
    let bob = |extra| person("E1", "bob@acme.test", extra);
    let joiner = rig.event(
        "e1",
        "joiner",
        1,
        bob(json!({"title": "Engineer", "nickName": "Bobby",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Eng"}})),
        &["eng", "all"],
        &["app-a", "app-b"],
    );
    assert_eq!(rig.post_event(&joiner).await.0, 202);
    settled(&rig, "e1", "app-a").await;
    settled(&rig, "e1", "app-b").await;
    let u = rig
        .user("app-a", "bob@acme.test")
        .await
        .expect("account in app-a");
    assert_eq!(u["externalId"], "E1");
    assert_eq!(u["title"], "Engineer");
    let id = u["id"].as_str().unwrap().to_owned();
    for g in ["eng", "all"] {
        let members = rig.members("app-b", g).await.expect("group created");
        assert_eq!(members.len(), 1, "{g} in app-b");
        assert!(rig.members("app-a", g).await.unwrap().contains(&id), "{g}");
    }

    // Mover: title changes, nickName omitted (removed), group eng -> platform,
    // and app-b dropped (deprovisioned there).
    let mover = rig.event(
        "e2",
        "mover",
        2,
        bob(json!({"title": "Lead",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Platform"}})),
        &["platform", "all"],
        &["app-a"],
    );
    assert_eq!(rig.post_event(&mover).await.0, 202);
    settled(&rig, "e2", "app-a").await;
    settled(&rig, "e2", "app-b").await;
    let u = rig.user("app-a", "bob@acme.test").await.unwrap();
    assert_eq!(u["title"], "Lead");
    assert!(
        u.get("nickName").is_none(),
        "omitted attribute removed: {u}"
    );
    assert_eq!(
        u["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
        "Platform"
    );
    assert!(!rig.members("app-a", "eng").await.unwrap().contains(&id));
    assert!(
        rig.members("app-a", "platform")
            .await
            .unwrap()
            .contains(&id)
    );
    let in_b = rig.user("app-b", "bob@acme.test").await.unwrap();
    assert_eq!(in_b["active"], false, "dropped app deprovisioned: {in_b}");

    // A duplicate id changes nothing.
    let writes_before = rig.journal("app-a").await.len();
    let (status, _) = rig.post_event(&mover).await;
    assert!((200..300).contains(&status));
    let dup_marker = rig.event(
        "e3",
        "update",
        3,
        bob(json!({"title": "Lead"})),
        &["platform", "all"],
        &["app-a"],
    );
    rig.post_event(&dup_marker).await;
    settled(&rig, "e3", "app-a").await;
    let audit = rig.audit().await;
    assert_eq!(audit.iter().filter(|r| r["event_id"] == "e2").count(), 2);
    assert!(rig.journal("app-a").await.len() > writes_before);

    // Leaver: inactive.
    let leaver = rig.event(
        "e4",
        "leaver",
        4,
        bob(json!({"active": false})),
        &[],
        &["app-a"],
    );
    assert_eq!(rig.post_event(&leaver).await.0, 202);
    let r = settled(&rig, "e4", "app-a").await;
    assert_eq!(r["outcome"], "delivered");
    assert_eq!(r["operation"], "leaver");
    assert_eq!(
        rig.user("app-a", "bob@acme.test").await.unwrap()["active"],
        false
    );
    assert!(
        !rig.members("app-a", "platform")
            .await
            .unwrap()
            .contains(&id)
    );
    assert_eq!(rig.users("app-a").await.len(), 1, "no twins");
    assert!(
        rig.sink.store().alerts().is_empty(),
        "healthy targets raise nothing"
    );
}

#[tokio::test]
async fn refconn_a_jit_twin_is_adopted_not_twinned() {
    let rig = rig(&["app-a"], &[]).await;
    rig.admin(
        reqwest::Method::POST,
        "/targets/app-a/seed",
        Some(
            &json!({"Users": [{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "Carol@Acme.test", "displayName": "jit"}]}),
        ),
    )
    .await;
    let e = rig.event(
        "c1",
        "joiner",
        1,
        person("E2", "carol@acme.test", json!({})),
        &[],
        &["app-a"],
    );
    rig.post_event(&e).await;
    settled(&rig, "c1", "app-a").await;
    let users = rig.users("app-a").await;
    assert_eq!(users.len(), 1, "adopted, not twinned: {users:?}");
    assert_eq!(users[0]["externalId"], "E2");
    assert_eq!(users[0]["displayName"], "carol@acme.test");
}

#[tokio::test]
async fn refconn_a_malformed_event_is_refused_with_a_reason() {
    let rig = rig(&["app-a"], &[]).await;
    let (status, body) = rig
        .post_event(&json!({"spec": "scimulate.event/v1", "id": "x"}))
        .await;
    assert_eq!(status, 400);
    assert!(
        body["reason"].as_str().is_some_and(|r| !r.is_empty()),
        "{body}"
    );
    let mut no_person = rig.event("x2", "joiner", 1, json!({}), &[], &["app-a"]);
    no_person.as_object_mut().unwrap().remove("person");
    let (status, body) = rig.post_event(&no_person).await;
    assert_eq!(status, 400, "{body}");
    let _ = until("nothing", || async { Some(()) }).await;
}

#[tokio::test]
async fn refconn_a_jit_twin_spelled_otherwise_is_found_when_the_app_filters_case_exactly() {
    let rig = rig(&["app-a"], &[]).await;
    rig.fault("app-a", json!({"kind": "case_sensitive_username"}))
        .await;
    rig.admin(
        reqwest::Method::POST,
        "/targets/app-a/seed",
        Some(
            &json!({"Users": [{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "Dave@Acme.Test"}]}),
        ),
    )
    .await;
    let e = rig.event(
        "d1",
        "joiner",
        1,
        person("E3", "dave@acme.test", json!({})),
        &[],
        &["app-a"],
    );
    rig.post_event(&e).await;
    settled(&rig, "d1", "app-a").await;
    let users = rig.users("app-a").await;
    assert_eq!(users.len(), 1, "adopted, not twinned: {users:?}");
    assert_eq!(users[0]["externalId"], "E3");
}
