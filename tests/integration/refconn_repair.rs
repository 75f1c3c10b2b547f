//! Apps that mangle writes or drift: PATCH applied as PUT (repaired by
//! read-after-write, not with `no-read-after-write`), deactivation ignored,
//! reconcile after manual changes, and correlation switched off.

use crate::refconn_support;

use crate::refconn_support::{Rig, person, rig, settled, until};
use scimulate::refconn::Defect;
use serde_json::json;

/// Carol (E2) joins app-a, as event c1.
async fn carol_joins(rig: &Rig) {
    rig.post_event(&rig.event(
        "c1",
        "joiner",
        1,
        person("E2", "carol@acme.test", json!({})),
        &[],
        &["app-a"],
    ))
    .await;
}

/// A reconcile of app-a, as event r1, waited for until settled; gives the
/// status the connector answered the event with.
async fn reconcile(rig: &Rig) -> u16 {
    let mut event = rig.event("r1", "reconcile", 5, json!({}), &[], &["app-a"]);
    event.as_object_mut().unwrap().remove("person");
    let status = rig.post_event(&event).await.0;
    settled(rig, "r1", "app-a").await;
    status
}

async fn patch_as_put(defects: &[Defect]) -> serde_json::Value {
    let rig = rig(&["app-a"], defects).await;
    let p = |title: &str| {
        person(
            "E1",
            "bob@acme.test",
            json!({"title": title, "nickName": "Bobby",
            "name": {"givenName": "Bob", "familyName": "Ng"}}),
        )
    };
    rig.post_event(&rig.event("e1", "joiner", 1, p("Engineer"), &[], &["app-a"]))
        .await;
    settled(&rig, "e1", "app-a").await;
    rig.fault("app-a", json!({"kind": "patch_as_put"})).await;
    rig.post_event(&rig.event("e2", "mover", 2, p("Lead"), &[], &["app-a"]))
        .await;
    settled(&rig, "e2", "app-a").await;
    assert!(
        rig.journal("app-a")
            .await
            .iter()
            .any(|e| e["method"] == "PATCH"),
        "the change went as a PATCH"
    );
    rig.user("app-a", "bob@acme.test").await.expect("account")
}

#[tokio::test]
async fn refconn_patch_as_put_is_repaired_unless_read_after_write_is_off() {
    let u = patch_as_put(&[]).await;
    assert_eq!(u["title"], "Lead");
    assert_eq!(u["nickName"], "Bobby", "{u}");
    assert_eq!(u["externalId"], "E1", "{u}");
    assert_eq!(u["name"]["familyName"], "Ng", "{u}");
    let trusting = patch_as_put(&[Defect::NoReadAfterWrite]).await;
    assert_eq!(trusting["title"], "Lead");
    assert!(
        trusting.get("nickName").is_none(),
        "lost and not repaired: {trusting}"
    );
}

#[tokio::test]
async fn refconn_an_ignored_deactivation_still_takes_access_away() {
    let rig = rig(&["app-a"], &[]).await;
    let bob = person("E1", "bob@acme.test", json!({}));
    rig.post_event(&rig.event("e1", "joiner", 1, bob, &["eng"], &["app-a"]))
        .await;
    settled(&rig, "e1", "app-a").await;
    rig.fault("app-a", json!({"kind": "ignore_deactivate"}))
        .await;
    let gone = person("E1", "bob@acme.test", json!({"active": false}));
    rig.post_event(&rig.event("e2", "leaver", 2, gone, &[], &["app-a"]))
        .await;
    assert_eq!(settled(&rig, "e2", "app-a").await["outcome"], "delivered");
    let u = rig.user("app-a", "bob@acme.test").await;
    assert!(u.as_ref().is_none_or(|u| u["active"] == false), "{u:?}");
}

#[tokio::test]
async fn refconn_reconcile_repairs_deleted_accounts_and_unwanted_grants() {
    let rig = rig(&["app-a"], &[]).await;
    for (i, (x, n)) in [("E1", "bob@acme.test"), ("E2", "carol@acme.test")]
        .iter()
        .enumerate()
    {
        let id = format!("j{i}");
        rig.post_event(&rig.event(
            &id,
            "joiner",
            1,
            person(x, n, json!({"title": "Eng"})),
            &["eng"],
            &["app-a"],
        ))
        .await;
        settled(&rig, &id, "app-a").await;
    }
    rig.fault(
        "app-a",
        json!({"kind": "manual_change", "action": "delete", "users": ["bob@acme.test"]}),
    )
    .await;
    rig.fault(
        "app-a",
        json!({"kind": "manual_change", "action": "grant_group",
        "users": ["carol@acme.test"], "group": "admins"}),
    )
    .await;
    until("the manual changes", || async {
        let gone = rig.user("app-a", "bob@acme.test").await.is_none();
        let granted = rig
            .members("app-a", "admins")
            .await
            .is_some_and(|m| !m.is_empty());
        (gone && granted).then_some(())
    })
    .await;
    assert_eq!(reconcile(&rig).await, 202);
    let bob = rig
        .user("app-a", "bob@acme.test")
        .await
        .expect("bob re-created");
    assert_eq!(
        (bob["externalId"].clone(), bob["title"].clone()),
        (json!("E1"), json!("Eng"))
    );
    let bob_id = bob["id"].as_str().unwrap().to_owned();
    assert!(rig.members("app-a", "eng").await.unwrap().contains(&bob_id));
    assert_eq!(
        rig.members("app-a", "admins").await.unwrap_or_default(),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn refconn_without_correlation_a_jit_account_is_not_adopted_and_the_conflict_is_parked() {
    let rig = rig(&["app-a"], &[Defect::NoCorrelation]).await;
    rig.admin(
        reqwest::Method::POST,
        "/targets/app-a/seed",
        Some(
            &json!({"Users": [{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "carol@acme.test"}]}),
        ),
    )
    .await;
    carol_joins(&rig).await;
    assert_eq!(settled(&rig, "c1", "app-a").await["outcome"], "parked");
    let posts = rig
        .journal("app-a")
        .await
        .iter()
        .filter(|e| e["method"] == "POST")
        .count();
    assert_eq!(posts, 3, "the first try and two retries, no storm");
    let users = rig.users("app-a").await;
    assert!(
        users[0].get("externalId").is_none(),
        "not adopted: {users:?}"
    );
}

#[tokio::test]
async fn refconn_retry_non_retryable_defect_storms() {
    let rig = rig(&["app-a"], &[Defect::RetryNonRetryable, Defect::NoBackoff]).await;
    rig.fault("app-a", json!({"kind": "forbidden"})).await;
    carol_joins(&rig).await;
    until("more than three identical 403s", || async {
        let n = rig
            .journal("app-a")
            .await
            .iter()
            .filter(|e| e["status"] == 403)
            .count();
        (n > 5).then_some(())
    })
    .await;
}

#[tokio::test]
async fn refconn_an_account_deleted_behind_its_back_is_not_found_then_reconciled() {
    let rig = rig(&["app-a"], &[]).await;
    let bob = |title: &str| person("E1", "bob@acme.test", json!({"title": title}));
    rig.post_event(&rig.event("e1", "joiner", 1, bob("Eng"), &[], &["app-a"]))
        .await;
    settled(&rig, "e1", "app-a").await;
    rig.fault(
        "app-a",
        json!({"kind": "manual_change", "action": "delete", "users": ["bob@acme.test"]}),
    )
    .await;
    until("bob deleted", || async {
        rig.user("app-a", "bob@acme.test")
            .await
            .is_none()
            .then_some(())
    })
    .await;
    rig.post_event(&rig.event("e2", "mover", 2, bob("Lead"), &[], &["app-a"]))
        .await;
    assert_eq!(settled(&rig, "e2", "app-a").await["outcome"], "parked");
    let a = rig
        .sink
        .store()
        .wait_for(
            |a| a.alert.status == scimulate::contract::alert::AlertStatus::Degraded,
            refconn_support::WAIT,
        )
        .await
        .expect("degraded");
    assert_eq!(
        a.alert.class,
        scimulate::contract::alert::AlertClass::NotFound
    );
    assert_eq!(
        a.alert.pending.unwrap().update,
        1,
        "the parked mover is still pending"
    );
    let not_found = rig
        .journal("app-a")
        .await
        .iter()
        .filter(|e| e["status"] == 404)
        .count();
    assert_eq!(not_found, 3, "the first try and two retries");
    reconcile(&rig).await;
    assert_eq!(
        rig.user("app-a", "bob@acme.test")
            .await
            .expect("re-created")["title"],
        "Lead"
    );
}

#[tokio::test]
async fn refconn_a_standing_conflict_is_parked_and_alerted_as_conflict() {
    let rig = rig(&["app-a"], &[]).await;
    rig.fault(
        "app-a",
        json!({"kind": "conflict", "users": ["carol@acme.test"]}),
    )
    .await;
    carol_joins(&rig).await;
    assert_eq!(settled(&rig, "c1", "app-a").await["outcome"], "parked");
    let a = rig
        .sink
        .store()
        .wait_for(
            |a| a.alert.status == scimulate::contract::alert::AlertStatus::Degraded,
            refconn_support::WAIT,
        )
        .await
        .expect("degraded");
    assert_eq!(
        a.alert.class,
        scimulate::contract::alert::AlertClass::Conflict
    );
    let posts = rig
        .journal("app-a")
        .await
        .iter()
        .filter(|e| e["method"] == "POST")
        .count();
    assert_eq!(posts, 3, "no storm");
}

/// A reconcile that comes right after a request was parked re-sends it,
/// but not sooner than the backoff floor after its last failure: the
/// target cannot tell that from a retry storm (SPEC §5.1, `no_retry_storm`).
/// The pack's forbidden-token scenario failed when its reconcile fell
/// within 100 ms of the park.
#[tokio::test]
async fn refconn_a_parked_request_is_not_resent_within_the_backoff_floor() {
    let rig = rig(&["app-a"], &[]).await;
    rig.fault(
        "app-a",
        json!({"kind": "forbidden", "operation": "provision"}),
    )
    .await;
    carol_joins(&rig).await;
    assert_eq!(settled(&rig, "c1", "app-a").await["outcome"], "parked");
    rig.clear_faults("app-a").await;
    reconcile(&rig).await;

    let posts: Vec<(chrono::DateTime<chrono::Utc>, u64)> = rig
        .journal("app-a")
        .await
        .iter()
        .filter(|e| e["method"] == "POST" && e["body"]["userName"] == "carol@acme.test")
        .map(|e| {
            let at = e["time"].as_str().unwrap().parse().unwrap();
            (at, e["status"].as_u64().unwrap())
        })
        .collect();
    let last_refused = posts.iter().rposition(|(_, s)| *s == 403).expect("a 403");
    let (refused_at, _) = posts[last_refused];
    let (resent_at, status) = posts
        .get(last_refused + 1)
        .expect("re-sent by the reconcile");
    assert_eq!(*status, 201);
    let gap = (*resent_at - refused_at).num_milliseconds();
    assert!(gap >= 100, "re-sent {gap} ms after its last 403");
}
