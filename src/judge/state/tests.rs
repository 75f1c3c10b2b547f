use super::*;
use crate::contract::event::EventType;
use crate::scenario::people::make_person;
use crate::scenario::truth::Truth;
use crate::scim::schema::core::ENTERPRISE_USER;
use serde_json::json;

fn people() -> Vec<Person> {
    ["bob", "carol"]
        .iter()
        .enumerate()
        .map(|(i, k)| make_person(k, i + 1, &Map::new(), 3, "acme.test"))
        .collect()
}

/// The account a faithful connector would have written for `p`.
fn account(id: &str, p: &Person, active: bool) -> Value {
    let mut u = p.user.clone();
    u.insert("id".into(), json!(id));
    u.insert("active".into(), json!(active));
    u.insert("meta".into(), json!({"resourceType": "User"}));
    Value::Object(u)
}

fn joined(people: &[Person]) -> Truth {
    let mut t = Truth::new();
    for p in people {
        t.lifecycle(
            EventType::Joiner,
            p,
            Some(&["a".to_owned()]),
            Some(&["eng".to_owned()]),
            &Map::new(),
        );
    }
    t
}

fn eng(ids: &[&str]) -> Vec<Value> {
    let members: Vec<Value> = ids.iter().map(|i| json!({"value": i})).collect();
    vec![json!({"id": "g1", "displayName": "eng", "members": members})]
}

#[test]
fn a_faithful_target_passes() {
    let ps = people();
    let t = joined(&ps);
    let users = vec![account("u1", &ps[0], true), account("u2", &ps[1], true)];
    let r = judge_state(
        4,
        "a",
        &ps,
        &t.expected("a"),
        (&users, &eng(&["u1", "u2"])),
        None,
    );
    assert!(r.passed, "{}", r.message);
    assert_eq!(
        (r.index, r.check.as_str(), r.target.as_str()),
        (4, "state", "a")
    );
}

#[test]
fn a_leaver_left_active_fails_and_says_who() {
    let ps = people();
    let mut t = joined(&ps);
    t.lifecycle(EventType::Leaver, &ps[0], None, None, &Map::new());
    let users = vec![account("u1", &ps[0], true), account("u2", &ps[1], true)];
    let r = judge_state(0, "a", &ps, &t.expected("a"), (&users, &eng(&["u2"])), None);
    assert!(!r.passed);
    assert!(
        r.message
            .contains("bob: should be absent or inactive, but account u1"),
        "{}",
        r.message
    );
    // Deactivated or deleted both pass.
    let deactivated = vec![account("u1", &ps[0], false), account("u2", &ps[1], true)];
    assert!(
        judge_state(
            0,
            "a",
            &ps,
            &t.expected("a"),
            (&deactivated, &eng(&["u2"])),
            None
        )
        .passed
    );
    let deleted = vec![account("u2", &ps[1], true)];
    assert!(
        judge_state(
            0,
            "a",
            &ps,
            &t.expected("a"),
            (&deleted, &eng(&["u2"])),
            None
        )
        .passed
    );
}

#[test]
fn attributes_lost_by_patch_as_put_are_each_named() {
    let ps = people();
    let t = joined(&ps);
    let mut lossy = account("u1", &ps[0], true);
    let obj = lossy.as_object_mut().unwrap();
    obj.remove("title");
    obj.remove(ENTERPRISE_USER);
    let users = vec![lossy, account("u2", &ps[1], true)];
    let r = judge_state(
        0,
        "a",
        &ps,
        &t.expected("a"),
        (&users, &eng(&["u1", "u2"])),
        None,
    );
    assert!(!r.passed);
    assert!(r.message.contains("bob: title: expected"), "{}", r.message);
    assert!(
        r.message
            .contains(&format!("bob: {ENTERPRISE_USER}: expected")),
        "{}",
        r.message
    );
}

#[test]
fn a_missing_joiner_and_wrong_groups_fail() {
    let ps = people();
    let t = joined(&ps);
    let users = vec![account("u1", &ps[0], true)];
    let r = judge_state(0, "a", &ps, &t.expected("a"), (&users, &eng(&[])), None);
    assert!(!r.passed);
    assert!(r.message.contains("carol: no account for"), "{}", r.message);
    assert!(
        r.message.contains("bob: not a member of group eng"),
        "{}",
        r.message
    );
    let extra = vec![json!({"displayName": "admins", "members": [{"value": "u1"}]})];
    let r = judge_state(
        0,
        "a",
        &ps,
        &t.expected("a"),
        (
            &[account("u1", &ps[0], true), account("u2", &ps[1], true)],
            &[eng(&["u1", "u2"]), extra].concat(),
        ),
        None,
    );
    assert!(
        r.message
            .contains("bob: member of group admins, should not be"),
        "{}",
        r.message
    );
}

#[test]
fn user_names_compare_case_insensitively() {
    let ps = people();
    let t = joined(&ps[..1]);
    let mut upper = account("u1", &ps[0], true);
    upper["userName"] = json!(ps[0].user_name().to_uppercase());
    let r = judge_state(
        0,
        "a",
        &ps,
        &t.expected("a"),
        (&[upper], &eng(&["u1"])),
        None,
    );
    assert!(r.passed, "{}", r.message);
}

#[test]
fn attributes_the_app_cannot_hold_are_not_judged() {
    let ps = people();
    let t = joined(&ps[..1]);
    // An app without the enterprise extension (Terraform Enterprise).
    let mut plain = account("u1", &ps[0], true);
    plain.as_object_mut().unwrap().remove(ENTERPRISE_USER);
    let core_only = UserSchema::of(&crate::scim::schema::ResourceSchema::new(
        crate::scim::schema::ResourceType::user(),
        crate::scim::schema::core::user(),
        vec![],
    ));
    let held = judge_state(
        0,
        "a",
        &ps,
        &t.expected("a"),
        (&[plain.clone()], &eng(&["u1"])),
        Some(&core_only),
    );
    assert!(held.passed, "{}", held.message);
    // An app that has the extension must hold it.
    let full = UserSchema::of(&crate::scim::schema::ResourceSchema::user());
    let r = judge_state(
        0,
        "a",
        &ps,
        &t.expected("a"),
        (&[plain], &eng(&["u1"])),
        Some(&full),
    );
    assert!(
        !r.passed && r.message.contains(ENTERPRISE_USER),
        "{}",
        r.message
    );
}

#[test]
fn twins_are_found_by_external_id_or_user_name() {
    let ps = people();
    let connector_made = account("u1", &ps[0], true);
    let mut jit = json!({"id": "u9", "userName": ps[0].user_name().to_uppercase(), "active": true});
    let users = vec![connector_made.clone(), account("u2", &ps[1], true)];
    assert!(judge_no_twins(1, "a", &ps, &users).passed);
    let with_twin = vec![connector_made, jit.take(), account("u2", &ps[1], true)];
    let r = judge_no_twins(1, "a", &ps, &with_twin);
    assert!(!r.passed);
    assert!(
        r.message.contains("bob has 2 accounts: u1"),
        "{}",
        r.message
    );
    assert!(r.message.contains("u9 (userName"), "{}", r.message);
}
