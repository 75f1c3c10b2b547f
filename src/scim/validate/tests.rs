use super::*;
use crate::scim::schema::core;
use serde_json::json;

fn user() -> ResourceSchema {
    ResourceSchema::user()
}

#[test]
fn names_become_canonical_and_extensions_nest_under_their_urn() {
    let out = for_create(
        &json!({"schemas": [core::USER], "USERNAME": "a", "Name": {"GIVENNAME": "A"},
                 format!("{}:department", core::ENTERPRISE_USER): "Sales"}),
        &user(),
    )
    .unwrap();
    assert_eq!(
        out,
        json!({"schemas": [core::USER, core::ENTERPRISE_USER], "userName": "a",
               "name": {"givenName": "A"}, core::ENTERPRISE_USER: {"department": "Sales"}})
    );
}

#[test]
fn read_only_values_are_ignored_and_unassigned_values_dropped() {
    let out = for_create(
        &json!({"schemas": [core::USER], "userName": "a", "id": "mine", "meta": {"created": "x"},
                 "groups": [{"value": "g"}], "nickName": null, "emails": []}),
        &user(),
    )
    .unwrap();
    assert_eq!(out, json!({"schemas": [core::USER], "userName": "a"}));
}

#[test]
fn every_type_is_checked() {
    let bad = [
        json!({"active": "true"}),
        json!({"emails": {"value": "x"}}),
        json!({"userName": ["a"]}),
        json!({"x509Certificates": [{"value": "not base64!"}]}),
        json!({"meta": 1, "name": "Barbara"}),
    ];
    for extra in bad {
        let mut body = json!({"schemas": [core::USER], "userName": "a"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let e = for_create(&body, &user()).unwrap_err();
        assert_eq!(e.status, 400, "{extra}");
    }
    let dt = for_create(
        &json!({"schemas": [core::ENTERPRISE_USER, core::USER], "userName": "a",
                 core::ENTERPRISE_USER: {"manager": {"value": "m"}}}),
        &user(),
    );
    assert!(dt.is_ok());
}

#[test]
fn immutable_and_write_only_on_replace() {
    let group = ResourceSchema::group();
    let existing = json!({"schemas": [core::GROUP], "displayName": "G"});
    assert!(
        for_replace(
            &json!({"schemas": [core::GROUP], "displayName": "H"}),
            &existing,
            &group
        )
        .is_ok()
    );
    let with_pw = json!({"schemas": [core::USER], "userName": "a", "password": "p"});
    let out = for_replace(
        &json!({"schemas": [core::USER], "userName": "a"}),
        &with_pw,
        &user(),
    )
    .unwrap();
    assert_eq!(
        out["password"], "p",
        "a password the client cannot read back is kept"
    );
    let e = for_replace(&json!({"schemas": [core::USER]}), &with_pw, &user()).unwrap_err();
    assert_eq!(e.scim_type.map(|t| t.as_str()), Some("invalidValue"));
}
