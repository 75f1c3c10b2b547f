//! SCIM-level faults that change what writes do, over real HTTP: what the
//! target answers, what the store holds afterwards, what the journal names,
//! and that clearing the fault gives back the strict target.

use crate::common;

use crate::common::USER;
use crate::faulty::{ENTERPRISE, ERROR, Faulty, GROUP, assert_error, user};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn conflict_refuses_named_users_with_409_and_creates_nothing() {
    let t = Faulty::generic().await;
    t.add(json!({"kind": "conflict", "users": ["bob@acme.test"]}))
        .await;
    let (status, body) = t.post_user(user("Bob@ACME.test")).await;
    assert_error(status, &body, 409, "uniqueness", "Bob@ACME.test");
    assert_eq!(
        t.last_entry().await,
        (json!("conflict"), json!("provision"))
    );
    assert!(t.users().await.is_empty(), "nothing was created");
    let (status, _) = t.post_user(user("carol@acme.test")).await;
    assert_eq!(status, 201, "other users are not named");
    assert_eq!(t.last_entry().await.0, Value::Null);

    t.clear_all().await;
    t.create(user("bob@acme.test")).await;
    assert_eq!(t.users().await.len(), 2);
}

#[tokio::test]
async fn conflict_without_users_refuses_every_post_in_scope() {
    let t = Faulty::generic().await;
    t.add(json!({"kind": "conflict", "resource_type": "Group"}))
        .await;
    let group = json!({"schemas": [GROUP], "displayName": "admins"});
    let (status, body) = t.send(Method::POST, "/Groups", Some(&group)).await;
    assert_error(status, &body, 409, "uniqueness", "already exists");
    assert!(t.groups().await.is_empty());
    t.create(user("dave@acme.test")).await;
}

fn full_user() -> Value {
    json!({"schemas": [USER, ENTERPRISE], "userName": "fox@fbi.test", "externalId": "x-7",
        "displayName": "Fox Mulder", "title": "Agent", "active": true,
        "emails": [{"value": "fox@fbi.test", "type": "work", "primary": true}],
        ENTERPRISE: {"department": "X-Files"}})
}

#[tokio::test]
async fn patch_as_put_answers_the_correct_patch_but_stores_only_what_it_carried() {
    let t = Faulty::generic().await;
    let id = t.create(full_user()).await;
    t.add(json!({"kind": "patch_as_put"})).await;
    let patch = json!({"schemas": [common::PATCH_OP],
        "Operations": [{"op": "replace", "path": "title", "value": "Lead"}]});
    let (status, headers, shown) =
        t.h.send(Method::PATCH, &format!("/Users/{id}"), Some(&patch))
            .await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(headers["content-type"], "application/scim+json");
    assert_eq!(headers["etag"], "W/\"2\"", "the version that was stored");
    // The lie: the answer is what a correct PATCH gives.
    assert_eq!(shown["title"], "Lead");
    assert_eq!(shown["externalId"], "x-7");
    assert_eq!(shown["displayName"], "Fox Mulder");
    assert_eq!(shown[ENTERPRISE]["department"], "X-Files");
    assert_eq!(
        t.last_entry().await,
        (json!("patch_as_put"), json!("update"))
    );
    // The truth: a later GET shows the loss.
    let (status, stored) = t.get_user(&id).await;
    assert_eq!(status, 200);
    let mut keys: Vec<&str> = stored
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["id", "meta", "schemas", "title", "userName"],
        "{stored}"
    );
    assert_eq!(stored["schemas"], json!([USER]));
    assert_eq!(stored["title"], "Lead");
    assert_eq!(stored["meta"]["version"], shown["meta"]["version"]);

    t.clear_all().await;
    let (status, _) = t
        .patch_user(
            &id,
            json!([{"op": "add", "path": "displayName", "value": "F"}]),
        )
        .await;
    assert_eq!(status, 200);
    let (_, stored) = t.get_user(&id).await;
    assert_eq!(
        (&stored["title"], &stored["displayName"]),
        (&json!("Lead"), &json!("F")),
        "the strict target keeps what the PATCH did not name"
    );
}

#[tokio::test]
async fn patch_as_put_keeps_only_the_values_a_group_patch_adds() {
    let t = Faulty::generic().await;
    let a = t.create(user("a@x.test")).await;
    let b = t.create(user("b@x.test")).await;
    let g = json!({"schemas": [GROUP], "displayName": "g", "members": [{"value": a}]});
    let (_, group) = t.send(Method::POST, "/Groups", Some(&g)).await;
    let gid = group["id"].as_str().unwrap();
    t.add(json!({"kind": "patch_as_put", "resource_type": "Group"}))
        .await;
    let add_b = json!({"schemas": [common::PATCH_OP],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": b}]}]});
    let (status, shown) = t
        .send(Method::PATCH, &format!("/Groups/{gid}"), Some(&add_b))
        .await;
    assert_eq!(status, 200);
    assert_eq!(shown["members"].as_array().unwrap().len(), 2, "{shown}");
    let stored = &t.groups().await[0];
    let members: Vec<&str> = stored["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["value"].as_str().unwrap())
        .collect();
    assert_eq!(members, [b.as_str()], "a lost its membership");
    assert_eq!(stored["displayName"], "g");
}

#[tokio::test]
async fn ignore_deactivate_answers_inactive_but_keeps_the_account_active() {
    let t = Faulty::generic().await;
    let id = t.create(full_user()).await;
    t.add(json!({"kind": "ignore_deactivate"})).await;
    let (status, shown) = t
        .patch_user(
            &id,
            json!([{"op": "replace", "path": "active", "value": false}]),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(shown["active"], false);
    assert_eq!(
        t.last_entry().await,
        (json!("ignore_deactivate"), json!("deprovision"))
    );
    assert_eq!(t.get_user(&id).await.1["active"], true);

    // A PUT's other changes land; only the deactivation is dropped.
    let mut put = full_user();
    put["active"] = json!(false);
    put["title"] = json!("Former agent");
    let (status, shown) = t
        .send(Method::PUT, &format!("/Users/{id}"), Some(&put))
        .await;
    assert_eq!((status, &shown["active"]), (200, &json!(false)));
    let stored = &t.users().await[0];
    assert_eq!(
        (&stored["active"], &stored["title"]),
        (&json!(true), &json!("Former agent"))
    );

    // With patch_as_put too, the account keeps being active.
    t.add(json!({"kind": "patch_as_put"})).await;
    let (status, shown) = t
        .patch_user(&id, json!([{"op": "replace", "value": {"active": false}}]))
        .await;
    assert_eq!((status, &shown["active"]), (200, &json!(false)));
    let stored = &t.users().await[0];
    assert_eq!(stored["active"], true);
    assert!(stored.get("title").is_none(), "and loses what it omitted");

    t.clear_all().await;
    t.patch_user(&id, json!([{"op": "replace", "value": {"active": false}}]))
        .await;
    assert_eq!(t.get_user(&id).await.1["active"], false);
}

#[tokio::test]
async fn soft_delete_answers_204_but_only_deactivates() {
    let t = Faulty::generic().await;
    let id = t.create(user("gone@x.test")).await;
    t.add(json!({"kind": "soft_delete"})).await;
    let (status, headers, body) =
        t.h.send(Method::DELETE, &format!("/Users/{id}"), None)
            .await;
    assert_eq!((status, body), (204, Value::Null));
    assert!(headers.get("content-type").is_none());
    assert_eq!(
        t.last_entry().await,
        (json!("soft_delete"), json!("deprovision"))
    );
    let (status, still) = t.get_user(&id).await;
    assert_eq!((status, &still["active"]), (200, &json!(false)));
    assert_eq!(
        t.find(r#"userName eq "gone@x.test""#).await,
        ["gone@x.test"]
    );

    t.clear_all().await;
    let (status, _) = t.send(Method::DELETE, &format!("/Users/{id}"), None).await;
    assert_eq!(status, 204);
    assert_eq!(t.get_user(&id).await.0, 404);
    assert!(t.users().await.is_empty());
}

#[tokio::test]
async fn schema_drift_rejects_requires_and_drops() {
    let t = Faulty::generic().await;
    let id = t.create(user("before@x.test")).await;
    t.add(
        json!({"kind": "schema_drift", "attributes": ["title"], "require": ["externalId"],
        "drop_extension": ENTERPRISE}),
    )
    .await;
    let (status, body) = t
        .post_user(json!({"schemas": [USER], "userName": "a", "externalId": "1", "TITLE": "x"}))
        .await;
    assert_error(status, &body, 400, "invalidValue", "'title'");
    assert_eq!(
        t.last_entry().await,
        (json!("schema_drift"), json!("provision"))
    );
    let (status, body) = t.post_user(user("b")).await;
    assert_error(status, &body, 400, "invalidValue", "'externalId'");
    let (status, body) = t
        .post_user(
            json!({"schemas": [USER, ENTERPRISE], "userName": "c", "externalId": "3",
            ENTERPRISE: {"department": "d"}}),
        )
        .await;
    assert_error(status, &body, 400, "invalidValue", ENTERPRISE);
    let (status, _) = t
        .post_user(json!({"schemas": [USER], "userName": "d", "externalId": "4"}))
        .await;
    assert_eq!(status, 201);
    let (status, body) = t
        .patch_user(&id, json!([{"op": "replace", "value": {"title": "x"}}]))
        .await;
    assert_error(status, &body, 400, "invalidValue", "'title'");
    // A key with a multi-byte character where the URN would end is just
    // another key (and nothing panics).
    let (status, _) = t
        .patch_user(&id, json!([{"op": "add", "value": {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:Useé": 1}}]))
        .await;
    assert_eq!(status, 400);
    let department = format!("{ENTERPRISE}:department");
    let (status, body) = t
        .patch_user(
            &id,
            json!([{"op": "add", "path": department, "value": "d"}]),
        )
        .await;
    assert_error(status, &body, 400, "invalidValue", ENTERPRISE);
    let (status, _) = t
        .patch_user(
            &id,
            json!([{"op": "replace", "path": "displayName", "value": "D"}]),
        )
        .await;
    assert_eq!(status, 200, "attributes that did not drift still change");
    let users = t.users().await;
    assert_eq!(users.len(), 2);
    assert!(users.iter().all(|u| u.get("title").is_none()));

    // Discovery no longer shows the extension.
    let (_, schemas) = t.send(Method::GET, "/Schemas", None).await;
    let ids: Vec<&str> = schemas["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&ENTERPRISE) && ids.contains(&USER), "{ids:?}");
    let (status, _) = t
        .send(Method::GET, &format!("/Schemas/{ENTERPRISE}"), None)
        .await;
    assert_eq!(status, 404);
    let (_, user_type) = t.send(Method::GET, "/ResourceTypes/User", None).await;
    assert_eq!(user_type["schemaExtensions"], json!([]));
    assert_eq!(t.last_entry().await.0, "schema_drift");

    t.clear_all().await;
    let (status, _) = t
        .send(Method::GET, &format!("/Schemas/{ENTERPRISE}"), None)
        .await;
    assert_eq!(status, 200);
    let (status, _) = t
        .post_user(json!({"schemas": [USER], "userName": "e", "title": "x"}))
        .await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn partial_bulk_fails_every_nth_operation_with_a_scim_error() {
    let t = Faulty::generic().await;
    t.add(json!({"kind": "partial_bulk", "fail_every": 2}))
        .await;
    let operations: Vec<Value> = (0..4)
        .map(|i| {
            json!({"method": "POST", "path": "/Users", "bulkId": format!("b{i}"),
            "data": user(&format!("u{i}@x.test"))})
        })
        .collect();
    let bulk = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
        "Operations": operations});
    let (status, body) = t.send(Method::POST, "/Bulk", Some(&bulk)).await;
    assert_eq!(status, 200);
    let results = body["Operations"].as_array().unwrap();
    let statuses: Vec<&str> = results
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["201", "500", "201", "500"]);
    let failed = &results[1];
    assert_eq!(failed["method"], "POST");
    assert_eq!(failed["bulkId"], "b1");
    assert_eq!(failed["response"]["schemas"][0], ERROR);
    assert_eq!(failed["response"]["status"], "500");
    assert_eq!(t.last_entry().await.0, "partial_bulk");
    let mut names: Vec<String> = t
        .users()
        .await
        .iter()
        .map(|u| u["userName"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["u0@x.test", "u2@x.test"]);

    t.clear_all().await;
    let (_, body) = t.send(Method::POST, "/Bulk", Some(&bulk)).await;
    let statuses: Vec<&str> = body["Operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    // u0 and u2 exist now: the strict answer is a 409 for them.
    assert_eq!(statuses, ["409", "201", "409", "201"]);
}

#[tokio::test]
async fn bad_scim_fault_parameters_are_refused_naming_the_field() {
    let t = Faulty::generic().await;
    for (fault, expected) in [
        (
            json!({"kind": "schema_drift", "attributes": ["colour"]}),
            "attributes: 'colour'",
        ),
        (
            json!({"kind": "schema_drift", "drop_extension": "urn:x"}),
            "drop_extension",
        ),
        (
            json!({"kind": "partial_bulk", "fail_every": 0}),
            "fail_every",
        ),
        (json!({"kind": "stale_reads", "delay": "soon"}), "delay"),
        (json!({"kind": "jit_twin"}), "users"),
        (
            json!({"kind": "manual_change", "action": "edit", "users": ["a"], "set": {"colour": 1}}),
            "set: 'colour'",
        ),
        (
            json!({"kind": "manual_change", "action": "fire", "users": ["a"]}),
            "fire",
        ),
    ] {
        let (status, body) = t.add_raw(&fault).await;
        assert_eq!(status, 400, "{fault}: {body}");
        let message = body["error"].as_str().unwrap();
        assert!(
            message.contains(expected),
            "{message:?} should contain {expected:?}"
        );
    }
    assert!(t.faults().await.is_empty());
}
