//! SCIM-level faults that change what the target holds or what reads see,
//! over real HTTP: accounts made behind the connector's back, case twins,
//! stale reads; profile quirks that stand from the start and survive reset;
//! and probabilistic SCIM-level faults repeating with the seed.

use crate::common::USER;
use crate::faulty::{ENTERPRISE, Faulty, assert_error, user};
use reqwest::Method;
use rstest::rstest;
use serde_json::{Value, json};

#[tokio::test]
async fn jit_twin_creates_the_account_a_login_would_and_posts_then_conflict() {
    let t = Faulty::generic().await;
    let fault = t
        .add(json!({"kind": "jit_twin", "users": ["dana.scully@fbi.test"]}))
        .await;
    assert_eq!(
        fault["effect"]["created"][0]["userName"],
        "dana.scully@fbi.test"
    );
    assert!(t.journal().await.is_empty(), "nobody sent a request");
    let users = t.users().await;
    assert_eq!(users.len(), 1);
    let twin = &users[0];
    assert_eq!(twin["userName"], "dana.scully@fbi.test");
    assert_eq!(twin["active"], true);
    assert_eq!(twin["displayName"], "Dana Scully");
    assert_eq!(twin["name"]["givenName"], "Dana");
    assert_eq!(twin["name"]["familyName"], "Scully");
    assert!(twin.get("externalId").is_none());

    // A connector that POSTs gets the strict 409; one that correlates by
    // userName finds the twin.
    let (status, body) = t
        .post_user(
            json!({"schemas": [USER], "userName": "Dana.Scully@fbi.test", "externalId": "e-1"}),
        )
        .await;
    assert_error(status, &body, 409, "uniqueness", "already taken");
    assert_eq!(
        t.last_entry().await,
        (json!("jit_twin"), json!("provision"))
    );
    assert_eq!(t.faults().await[0]["shaped_requests"], 1);
    assert_eq!(
        t.find(r#"userName eq "DANA.SCULLY@FBI.TEST""#).await,
        ["dana.scully@fbi.test"]
    );
    // Clearing the fault does not undo the login: the account is data.
    t.clear_all().await;
    assert_eq!(t.users().await.len(), 1);
}

#[tokio::test]
async fn manual_change_deletes_grants_and_edits_behind_the_connectors_back() {
    let t = Faulty::generic().await;
    let bob = t.create(user("bob@acme.test")).await;
    let carol = t.create(user("carol@acme.test")).await;
    let before = t.journal().await.len();

    let deleted = t
        .add(json!({"kind": "manual_change", "action": "delete", "users": ["BOB@acme.test", "nobody@x"]}))
        .await;
    assert_eq!(deleted["effect"]["deleted"][0]["id"], bob.as_str());
    assert_eq!(deleted["effect"]["not_found"], json!(["nobody@x"]));
    assert_eq!(t.get_user(&bob).await.0, 404);

    let granted = t
        .add(
            json!({"kind": "manual_change", "action": "grant_group", "users": ["carol@acme.test"],
            "group": "admins"}),
        )
        .await;
    assert_eq!(granted["effect"]["group"]["created"], true);
    let groups = t.groups().await;
    assert_eq!(groups[0]["displayName"], "admins");
    assert_eq!(groups[0]["members"][0]["value"], carol.as_str());
    let (_, carol_now) = t.get_user(&carol).await;
    assert_eq!(carol_now["groups"][0]["display"], "admins");

    t.add(
        json!({"kind": "manual_change", "action": "edit", "users": ["carol@acme.test"],
        "set": {"title": "Intern", "department": "Sales"}}),
    )
    .await;
    let (_, carol_now) = t.get_user(&carol).await;
    assert_eq!(carol_now["title"], "Intern");
    assert_eq!(carol_now[ENTERPRISE]["department"], "Sales");

    assert_eq!(t.journal().await.len(), before + 3, "only the three GETs");
    let listed = t.faults().await;
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[2]["effect"]["edited"][0]["id"], carol.as_str());
}

#[tokio::test]
async fn case_sensitive_username_lets_a_twin_in_and_filters_exactly() {
    let t = Faulty::generic().await;
    t.create(user("Bob@x.test")).await;
    t.add(json!({"kind": "case_sensitive_username"})).await;
    let (status, _) = t.post_user(user("bob@x.test")).await;
    assert_eq!(status, 201, "a twin");
    assert_eq!(
        t.last_entry().await,
        (json!("case_sensitive_username"), json!("provision"))
    );
    let (status, body) = t.post_user(user("bob@x.test")).await;
    assert_error(status, &body, 409, "uniqueness", "bob@x.test");
    assert_eq!(t.find(r#"userName eq "bob@x.test""#).await, ["bob@x.test"]);
    assert_eq!(
        t.find(r#"userName eq "BOB@x.test""#).await,
        Vec::<String>::new()
    );
    assert_eq!(t.find(r#"userName sw "Bob""#).await, ["Bob@x.test"]);
    assert_eq!(t.find(r#"userName co "OB@""#).await, Vec::<String>::new());
    assert_eq!(t.last_entry().await.0, "case_sensitive_username");
    assert_eq!(t.users().await.len(), 2);

    t.clear_all().await;
    assert_eq!(
        t.find(r#"userName eq "BOB@X.TEST""#).await,
        ["Bob@x.test", "bob@x.test"],
        "the strict target compares folded and sees both accounts"
    );
    let (status, _) = t.post_user(user("BOB@X.test")).await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn stale_reads_see_the_store_as_it_was_a_delay_ago() {
    let t = Faulty::generic().await;
    let old = t.create(user("old@x.test")).await;
    // A long lag: within the test nothing written after the switch is seen.
    t.add(json!({"kind": "stale_reads", "delay": "1h"})).await;
    let new = t.create(user("new@x.test")).await;
    assert_eq!(t.get_user(&new).await.0, 404, "created less than 1h ago");
    assert_eq!(t.last_entry().await, (json!("stale_reads"), json!("read")));
    assert_eq!(t.find(r#"userName pr"#).await, ["old@x.test"]);
    let (status, shown) = t
        .patch_user(
            &old,
            json!([{"op": "add", "path": "title", "value": "New"}]),
        )
        .await;
    assert_eq!(
        (status, &shown["title"]),
        (200, &json!("New")),
        "writes see the present"
    );
    let (_, stale) = t.get_user(&old).await;
    assert!(stale.get("title").is_none(), "{stale}");
    assert_eq!(stale["meta"]["version"], "W/\"1\"");
    let search = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": "userName eq \"new@x.test\""});
    let (_, found) = t.send(Method::POST, "/Users/.search", Some(&search)).await;
    assert_eq!(found["totalResults"], 0);
    t.send(Method::DELETE, &format!("/Users/{old}"), None).await;
    assert_eq!(
        t.get_user(&old).await.0,
        200,
        "the deletion is not seen yet"
    );
    // The admin state is the truth, not a read through the target.
    let names: Vec<Value> = t
        .users()
        .await
        .iter()
        .map(|u| u["userName"].clone())
        .collect();
    assert_eq!(names, [json!("new@x.test")]);

    t.clear_all().await;
    assert_eq!(t.get_user(&new).await.0, 200);
    assert_eq!(t.get_user(&old).await.0, 404);
}

#[tokio::test]
async fn a_stale_reads_window_ends_by_its_request_count() {
    let t = Faulty::generic().await;
    t.add(json!({"kind": "stale_reads", "delay": "1h", "for_requests": 1}))
        .await;
    let id = t.create(user("a@x.test")).await;
    assert_eq!(t.get_user(&id).await.0, 404, "the one stale read");
    assert_eq!(t.get_user(&id).await.0, 200, "the window has ended");
    assert_eq!(t.last_entry().await.0, Value::Null);
}

const QUIRKY: &str =
    "name: quirky\nquirks:\n  - soft_delete\n  - { kind: conflict, users: [taken@x.test] }\n";

#[tokio::test]
async fn profile_quirks_stand_from_the_start_and_survive_reset() {
    let t = Faulty::start(QUIRKY).await;
    let listed = t.faults().await;
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|f| f["standing"] == true));
    let (status, _) = t.post_user(user("taken@x.test")).await;
    assert_eq!(status, 409, "the quirk is on from the first request");

    t.add(json!({"kind": "server_error", "methods": ["GET"]}))
        .await;
    t.reset().await;
    let kinds: Vec<Value> = t.faults().await.iter().map(|f| f["kind"].clone()).collect();
    assert_eq!(
        kinds,
        [json!("soft_delete"), json!("conflict")],
        "run-time faults went"
    );
    assert!(t.journal().await.is_empty() && t.users().await.is_empty());
    let id = t.create(user("a@x.test")).await;
    t.send(Method::DELETE, &format!("/Users/{id}"), None).await;
    assert_eq!(
        t.get_user(&id).await.1["active"],
        false,
        "still soft-deleting"
    );

    // Clearing all faults clears those of the run; the profile stays.
    t.add(json!({"kind": "forbidden"})).await;
    t.clear_all().await;
    assert_eq!(t.faults().await.len(), 2);
}

#[tokio::test]
async fn the_legacy_patch_as_put_profile_loses_what_a_patch_omits() {
    let yaml = include_str!("../../mock-targets/legacy-patch-as-put.yaml");
    let t = Faulty::start(yaml).await;
    let id = t
        .create(json!({"schemas": [USER], "userName": "l@x.test", "title": "T", "nickName": "N"}))
        .await;
    let (status, shown) = t
        .patch_user(
            &id,
            json!([{"op": "replace", "path": "nickName", "value": "M"}]),
        )
        .await;
    assert_eq!((status, &shown["title"]), (200, &json!("T")));
    let stored = &t.users().await[0];
    assert_eq!(stored["nickName"], "M");
    assert!(stored.get("title").is_none(), "{stored}");
    let patches: Vec<Value> = t
        .journal()
        .await
        .into_iter()
        .filter(|e| e["method"] == "PATCH")
        .map(|e| e["fault"].clone())
        .collect();
    assert_eq!(patches, [json!("patch_as_put")]);
}

#[rstest]
#[case::quirk_kind(
    "quirks: [patch_as_pot]\n",
    "line 2",
    "unknown fault kind `patch_as_pot`"
)]
#[case::quirk_key(
    "quirks:\n  - { kind: conflict, userz: [a] }\n",
    "line 3 column 23",
    "unknown field `userz`"
)]
#[case::quirk_parameter(
    "quirks:\n  - { kind: conflict, delay: 1s }\n",
    "line 3 column 5",
    "delay: not a parameter of fault kind conflict"
)]
#[case::unknown_attribute(
    "quirks:\n  - { kind: schema_drift, attributes: [colour] }\n",
    "line 2",
    "quirks: [0]: attributes: 'colour'"
)]
fn bad_quirks_are_refused_with_a_place(
    #[case] quirks: &str,
    #[case] place: &str,
    #[case] expected: &str,
) {
    let yaml = format!("name: q\n{quirks}");
    let err = scimulate::mock::profile::Profile::from_yaml(&yaml, "q.yaml")
        .unwrap_err()
        .to_string();
    assert!(err.contains(expected), "{err}");
    assert!(err.contains(place), "{err}");
}

/// A probabilistic SCIM-level fault draws from the seed and the request:
/// the same seed gives the same answers run after run.
#[tokio::test]
async fn probabilistic_scim_faults_repeat_with_the_seed() {
    async fn statuses() -> Vec<u16> {
        let t = Faulty::generic().await;
        t.add(json!({"kind": "conflict", "probability": 0.5})).await;
        let mut out = Vec::new();
        for i in 0..30 {
            out.push(t.post_user(user(&format!("u{i}@x.test"))).await.0);
        }
        let created = out.iter().filter(|s| **s == 201).count();
        assert_eq!(t.users().await.len(), created);
        out
    }
    let first = statuses().await;
    assert_eq!(first, statuses().await);
    let refused = first.iter().filter(|s| **s == 409).count();
    assert!((4..26).contains(&refused), "about half: {first:?}");
}

#[tokio::test]
async fn metrics_name_the_scim_fault_that_shaped_the_answer() {
    let t = Faulty::generic().await;
    t.add(json!({"kind": "conflict"})).await;
    t.post_user(user("m@x.test")).await;
    let ep = &t.h.serving.endpoints.admin;
    let text =
        t.h.http
            .get(format!("{}/metrics", ep.url))
            .bearer_auth(&ep.token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
    assert!(
        text.lines()
            .any(|l| l.contains("fault=\"conflict\"") && l.contains("status=\"409\"")),
        "{text}"
    );
}
