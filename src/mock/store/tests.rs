use super::*;
use serde_json::json;
use std::thread;

fn store() -> Store {
    Store::new(
        "http://127.0.0.1:1/scim/v2",
        1,
        Arc::new(ResourceSchema::user()),
        Arc::new(ResourceSchema::group()),
    )
}

fn user(name: &str) -> Value {
    json!({"schemas": [crate::scim::schema::core::USER], "userName": name})
}

#[test]
fn create_stamps_id_meta_and_version() {
    let s = store();
    let u = s.create(ResourceTypeName::User, user("bjensen")).unwrap();
    assert_eq!(u.version, 1);
    assert_eq!(u.value["id"], json!(u.id));
    assert_eq!(u.value["meta"]["resourceType"], "User");
    assert_eq!(u.value["meta"]["version"], "W/\"1\"");
    assert_eq!(
        u.value["meta"]["location"],
        format!("http://127.0.0.1:1/scim/v2/Users/{}", u.id)
    );
    assert_eq!(u.value["meta"]["created"], u.value["meta"]["lastModified"]);
}

#[test]
fn user_name_is_unique_case_insensitively() {
    let s = store();
    s.create(ResourceTypeName::User, user("BJensen")).unwrap();
    let err = s
        .create(ResourceTypeName::User, user("bjensen"))
        .unwrap_err();
    assert_eq!(err.status, 409);
    assert_eq!(err.scim_type, Some(crate::scim::ScimType::Uniqueness));
}

#[test]
fn renaming_onto_a_taken_user_name_is_refused_but_keeping_ones_own_is_not() {
    let s = store();
    let a = s.create(ResourceTypeName::User, user("a")).unwrap();
    s.create(ResourceTypeName::User, user("b")).unwrap();
    let err = s
        .modify(ResourceTypeName::User, &a.id, IfMatch::Any, |_| {
            Ok(user("B"))
        })
        .unwrap_err();
    assert_eq!(err.status, 409);
    let same = s
        .modify(ResourceTypeName::User, &a.id, IfMatch::Any, |_| {
            Ok(user("A"))
        })
        .unwrap();
    assert_eq!(same.version, 2);
}

/// RFC 7644 §3.5.2.1: an operation that changes nothing "SHALL NOT
/// change the modify timestamp"; its version (the ETag) stays too.
#[test]
fn a_change_that_changes_nothing_leaves_meta_and_version_alone() {
    let s = store();
    let a = s.create(ResourceTypeName::User, user("a")).unwrap();
    let same = s
        .modify(ResourceTypeName::User, &a.id, IfMatch::Any, |v| {
            Ok(v.clone())
        })
        .unwrap();
    assert_eq!(same.version, 1);
    assert_eq!(same.value["meta"], a.value["meta"]);
    let mut renamed = user("a2");
    renamed["id"] = json!(a.id);
    let changed = s
        .modify(ResourceTypeName::User, &a.id, IfMatch::Any, |_| Ok(renamed))
        .unwrap();
    assert_eq!(changed.version, 2);
    assert_eq!(changed.value["meta"]["version"], "W/\"2\"");
}

#[test]
fn if_match_must_name_the_current_version() {
    let s = store();
    let a = s.create(ResourceTypeName::User, user("a")).unwrap();
    let stale = s
        .modify(
            ResourceTypeName::User,
            &a.id,
            IfMatch::Tags("W/\"7\"".into()),
            |v| Ok(v.clone()),
        )
        .unwrap_err();
    assert_eq!(stale.status, 412);
    s.modify(
        ResourceTypeName::User,
        &a.id,
        IfMatch::Tags("W/\"1\"".into()),
        |v| Ok(v.clone()),
    )
    .unwrap();
    s.delete(ResourceTypeName::User, &a.id, IfMatch::Tags("*".into()))
        .unwrap();
    assert_eq!(
        s.get(ResourceTypeName::User, &a.id).unwrap_err().status,
        404
    );
}

#[test]
fn concurrent_writes_to_one_resource_never_lose_an_update() {
    let s = Arc::new(store());
    let a = s.create(ResourceTypeName::User, user("a")).unwrap();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let s = s.clone();
            let id = a.id.clone();
            thread::spawn(move || {
                for i in 0..50 {
                    s.modify(ResourceTypeName::User, &id, IfMatch::Any, |v| {
                        let mut v = v.clone();
                        let mut emails = v["emails"].as_array().cloned().unwrap_or_default();
                        emails.push(json!({"value": format!("{t}-{i}@x")}));
                        v["emails"] = Value::Array(emails);
                        Ok(v)
                    })
                    .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let end = s.get(ResourceTypeName::User, &a.id).unwrap();
    assert_eq!(end.value["emails"].as_array().unwrap().len(), 400);
    assert_eq!(end.version, 401);
}

#[test]
fn group_members_are_resolved_and_users_see_their_groups() {
    let s = store();
    let u = s.create(ResourceTypeName::User, user("a")).unwrap();
    let g = s
        .create(
            ResourceTypeName::Group,
            json!({"displayName": "Admins", "members": [{"value": u.id}]}),
        )
        .unwrap();
    let member = &g.value["members"][0];
    assert_eq!(member["type"], "User");
    assert_eq!(
        member["$ref"],
        format!("http://127.0.0.1:1/scim/v2/Users/{}", u.id)
    );
    let seen = s.get(ResourceTypeName::User, &u.id).unwrap();
    assert_eq!(seen.value["groups"][0]["value"], json!(g.id));
    assert_eq!(seen.value["groups"][0]["display"], "Admins");

    // Members the target does not hold are kept as sent (no referential
    // integrity is required by RFC 7644).
    let dangling = s
        .create(
            ResourceTypeName::Group,
            json!({"displayName": "X", "members": [{"value": "later"}]}),
        )
        .unwrap();
    assert_eq!(dangling.value["members"], json!([{"value": "later"}]));

    // Deleting the user removes it from the group and bumps the group's version.
    s.delete(ResourceTypeName::User, &u.id, IfMatch::Any)
        .unwrap();
    let after = s.get(ResourceTypeName::Group, &g.id).unwrap();
    assert!(after.value.get("members").is_none());
    assert_eq!(after.version, 2);
}

#[test]
fn indexed_and_scanned_queries_agree() {
    let s = store();
    s.seed(ResourceTypeName::User, seed_users(1..=50)).unwrap();
    let by_index = filter::parse(r#"userName eq "USER7@example.com""#).unwrap();
    let by_scan = filter::parse(r#"displayName eq "User Number7""#).unwrap();
    let a = s.query(ResourceTypeName::User, Some(&by_index));
    let b = s.query(ResourceTypeName::User, Some(&by_scan));
    assert_eq!(a.len(), 1);
    assert_eq!(a, b);
    // The index narrows; the whole filter still decides.
    let narrowed = filter::parse(r#"userName eq "user7@example.com" and active eq false"#).unwrap();
    assert!(s.query(ResourceTypeName::User, Some(&narrowed)).is_empty());
    assert_eq!(s.query(ResourceTypeName::User, None).len(), 50);
}

#[test]
fn default_views_serve_plain_indexed_lookups_only() {
    let s = store();
    let u = s.create(ResourceTypeName::User, user("bjensen")).unwrap();
    let f = |text: &str| filter::parse(text).unwrap();
    // What the lookup lends, copied out.
    let views = |text: &str| {
        s.lookup_default_views(ResourceTypeName::User, &f(text), |views| {
            views.iter().map(|v| v.to_vec()).collect::<Vec<_>>()
        })
    };
    let found =
        views("userName eq \"BJENSEN\"").expect("a plain indexed lookup takes the fast path");
    assert_eq!(found.len(), 1);
    let served: Value = serde_json::from_slice(&found[0]).unwrap();
    assert_eq!(served, *u.value);
    assert_eq!(u.default_view.as_deref(), Some(&found[0][..]));
    assert_eq!(views("userName eq \"nobody\""), Some(vec![]));
    // Not a lone equality on an indexed attribute.
    for other in [
        "userName eq \"bjensen\" and active eq true",
        "displayName eq \"x\"",
        "userName sw \"b\"",
    ] {
        assert_eq!(views(other), None, "{other}");
    }
    // A stored password is not part of the default view.
    let mut secret = user("withpw");
    secret["password"] = json!("p");
    s.create(ResourceTypeName::User, secret).unwrap();
    assert_eq!(views("userName eq \"withpw\""), None);
    // A group member's `groups` is derived: served by the general path.
    s.create(
        ResourceTypeName::Group,
        json!({"schemas": [crate::scim::schema::core::GROUP], "displayName": "g",
               "members": [{"value": u.id}]}),
    )
    .unwrap();
    assert_eq!(views("userName eq \"bjensen\""), None);
    assert!(
        s.get(ResourceTypeName::User, &u.id)
            .unwrap()
            .default_view
            .is_none()
    );
}
