//! The stored encoding: what is stored is what is read back, the indexes
//! read what the value holds, and writes through the store stamp `meta`.

use super::*;
use crate::mock::store::{IfMatch, Store};
use crate::scim::filter;
use crate::scim::schema::{ResourceSchema, ResourceTypeName, core};
use proptest::prelude::*;
use serde_json::{Map, json};

/// Any JSON value, a few levels deep, with keys that include the indexed
/// ones (so `userName` and `externalId` appear with every kind of value).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("userName".to_owned()),
        Just("externalId".to_owned()),
        Just("id".to_owned()),
        "[a-zA-Zé\"]{1,8}",
    ]
}

fn object() -> impl Strategy<Value = Value> {
    prop::collection::vec((key(), json_value()), 0..8)
        .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>()))
}

proptest! {
    #[test]
    fn what_is_stored_is_what_is_read_back(value in object()) {
        let json = encode(&value);
        prop_assert_eq!(parse(&json), value.clone());
        // Compact and exactly sized: what serde_json writes, nothing more.
        prop_assert_eq!(&json[..], &serde_json::to_vec(&value).unwrap()[..]);
        let lazy = StoredJson::lazy(json.clone());
        prop_assert_eq!(&*lazy, &value);
        prop_assert_eq!(&*lazy.arc(), &value);
        let record = Record { seq: 1, version: 1, json, is_default_view: false };
        prop_assert_eq!(record.value(), value.clone());
        prop_assert!(record.default_view().is_none());
    }

    #[test]
    fn the_indexes_read_from_the_json_what_the_value_holds(value in object()) {
        prop_assert_eq!(IndexKeys::of_json(&encode(&value)), IndexKeys::of_value(&value));
    }

    /// Through the store: a created user reads back as created, by id and
    /// through the userName index (both its parsed value and the bytes a
    /// lookup lends), and each real change bumps `meta.version` and the
    /// ETag while the id, `created` and the creation order stay.
    #[test]
    fn a_stored_user_reads_back_and_each_write_bumps_its_version(
        name in "[a-z]{1,10}",
        title in ".{0,20}",
        titles in prop::collection::vec("[a-z]{1,6}", 1..4),
    ) {
        let s = store();
        let mut body = json!({"schemas": [core::USER], "userName": name, "externalId": "e-1", "title": title});
        let created = s.create(ResourceTypeName::User, body.clone()).unwrap();
        let got = s.get(ResourceTypeName::User, &created.id).unwrap();
        prop_assert_eq!(&*got.value, &*created.value);
        prop_assert_eq!(got.default_view.as_deref().map(parse), Some((*created.value).clone()));
        let f = filter::parse(&format!("userName eq \"{}\"", name.to_uppercase())).unwrap();
        let lent = s.lookup_default_views(ResourceTypeName::User, &f, |v| v.iter().map(|b| parse(b)).collect::<Vec<_>>());
        prop_assert_eq!(lent, Some(vec![(*created.value).clone()]));
        let ext = filter::parse("externalId eq \"e-1\"").unwrap();
        prop_assert_eq!(s.query(ResourceTypeName::User, Some(&ext)).len(), 1);

        let mut version = 1;
        for t in titles {
            body["title"] = json!(t);
            let changed = body.clone();
            let after = s.modify(ResourceTypeName::User, &created.id, IfMatch::Any, |_| Ok(changed)).unwrap();
            if after.version == version {
                // The same title again changes nothing (RFC 7644 §3.5.2.1).
                continue;
            }
            version += 1;
            prop_assert_eq!(after.version, version);
            prop_assert_eq!(&after.value["meta"]["version"], &json!(format!("W/\"{version}\"")));
            prop_assert_eq!(&after.value["meta"]["created"], &created.value["meta"]["created"]);
            prop_assert_eq!(&after.value["id"], &json!(created.id));
            prop_assert_eq!(&after.value["title"], &json!(t));
            let read = s.get(ResourceTypeName::User, &created.id).unwrap();
            prop_assert_eq!(&*read.value, &*after.value);
            prop_assert_eq!(read.etag(), format!("W/\"{version}\""));
        }
        // A changed externalId leaves the index under its old value.
        body["externalId"] = json!("e-2");
        let moved = body.clone();
        s.modify(ResourceTypeName::User, &created.id, IfMatch::Any, |_| Ok(moved)).unwrap();
        prop_assert!(s.query(ResourceTypeName::User, Some(&ext)).is_empty());
        // The fast path trusts the index alone.
        let old = s.lookup_default_views(ResourceTypeName::User, &ext, |v| v.len());
        prop_assert_eq!(old, Some(0));
        let ext2 = filter::parse("externalId eq \"e-2\"").unwrap();
        prop_assert_eq!(s.query(ResourceTypeName::User, Some(&ext2)).len(), 1);
        prop_assert_eq!(s.dump(ResourceTypeName::User).len(), 1);
        prop_assert_eq!(parse(&s.dump(ResourceTypeName::User)[0]), (*s.get(ResourceTypeName::User, &created.id).unwrap().value).clone());
    }
}

fn store() -> Store {
    Store::new(
        "http://127.0.0.1:1/scim/v2",
        1,
        std::sync::Arc::new(ResourceSchema::user()),
        std::sync::Arc::new(ResourceSchema::group()),
    )
}

/// `parse` falls back to `Null` only for JSON serde_json cannot read back;
/// a stored value comes from parsed JSON and is no deeper, so the deepest
/// body a request can carry reads back whole.
#[test]
fn the_deepest_parsable_value_reads_back() {
    let mut text = String::from(r#"{"userName":"deep","x":"#);
    let depth = (1..200)
        .find(|d| {
            let t = format!("{}{}{}", text, "[".repeat(*d), "]".repeat(*d) + "}");
            serde_json::from_str::<Value>(&t).is_err()
        })
        .unwrap()
        - 1;
    text.push_str(&"[".repeat(depth));
    text.push_str(&"]".repeat(depth));
    text.push('}');
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(parse(&encode(&value)), value);
    assert_eq!(
        IndexKeys::of_json(&encode(&value)).user_name.as_deref(),
        Some("deep")
    );
}

#[test]
fn a_users_groups_are_served_but_not_stored_and_the_dump_shows_them() {
    let s = store();
    let u = s
        .create(
            ResourceTypeName::User,
            json!({"schemas": [core::USER], "userName": "a"}),
        )
        .unwrap();
    let g = s
        .create(
            ResourceTypeName::Group,
            json!({"schemas": [core::GROUP], "displayName": "Eng", "members": [{"value": u.id}]}),
        )
        .unwrap();
    let served = s.get(ResourceTypeName::User, &u.id).unwrap();
    assert_eq!(served.value["groups"][0]["display"], "Eng");
    assert_eq!(served.value["groups"][0]["value"], json!(g.id));
    assert!(
        served.default_view.is_none(),
        "the stored bytes lack groups"
    );
    let dumped = parse(&s.dump(ResourceTypeName::User)[0]);
    assert_eq!(dumped, *served.value);
    // Renaming the group renames what its members show.
    let mut renamed = (*g.value).clone();
    renamed["displayName"] = json!("Ops");
    s.modify(ResourceTypeName::Group, &g.id, IfMatch::Any, |_| {
        Ok(renamed)
    })
    .unwrap();
    let served = s.get(ResourceTypeName::User, &u.id).unwrap();
    assert_eq!(served.value["groups"][0]["display"], "Ops");
}

#[test]
fn a_page_of_everything_parses_only_the_page() {
    let s = store();
    s.seed(
        ResourceTypeName::User,
        crate::mock::store::seed_users(1..=25),
    )
    .unwrap();
    let (total, page) = s.page(ResourceTypeName::User, 20, 10);
    assert_eq!(total, 25);
    let names: Vec<&str> = page.iter().filter_map(|u| u["userName"].as_str()).collect();
    assert_eq!(
        names,
        [
            "user21@example.com",
            "user22@example.com",
            "user23@example.com",
            "user24@example.com",
            "user25@example.com"
        ]
    );
    assert_eq!(page, s.query(ResourceTypeName::User, None)[20..]);
}
