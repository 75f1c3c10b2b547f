//! The PATCH requests of RFC 7644 §3.5.2.1–3 applied to sample resources,
//! the errors §3.5.2 names, and property tests (no panics, atomicity,
//! add-then-remove gives back the resource).

use proptest::prelude::*;
use rstest::rstest;
use scimulate::scim::ScimResult;
use scimulate::scim::patch::{PATCH_OP_URN, PatchRequest, apply};
use scimulate::scim::schema::ResourceSchema;
use serde_json::{Value, json};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn user() -> Value {
    json!({
        "schemas": [USER],
        "id": "2819c223",
        "userName": "bjensen",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        "addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood"}],
        "active": true
    })
}

fn group() -> Value {
    json!({
        "schemas": [GROUP],
        "id": "acbf3ae7",
        "displayName": "Tour Guides",
        "members": [
            {"value": "2819c223-7f76-453a-919d-413861904646", "display": "Babs Jensen"},
            {"value": "902c246b-6245-4190-8e05-00816be7344a", "display": "Mandy Pepperidge"}
        ]
    })
}

fn patch(resource: &Value, ops: Value, schema: &ResourceSchema) -> ScimResult<Value> {
    let req = PatchRequest::from_json(&json!({"schemas": [PATCH_OP_URN], "Operations": ops}))?;
    apply(resource, &req, schema)
}

fn member_ids(g: &Value) -> Vec<&str> {
    g["members"]
        .as_array()
        .map(|m| m.iter().map(|v| v["value"].as_str().unwrap()).collect())
        .unwrap_or_default()
}

#[test]
fn rfc_3_5_2_1_add_members() {
    let out = patch(&group(), json!([{"op": "add", "path": "members",
        "value": [{"display": "Babs Jensen", "$ref": "https://example.com/v2/Users/2819c223", "value": "2819c223"}]}]),
        &ResourceSchema::group()).unwrap();
    assert_eq!(member_ids(&out).len(), 3);
    assert_eq!(member_ids(&out)[2], "2819c223");
}

#[test]
fn rfc_3_5_2_1_add_without_path() {
    let out = patch(&user(), json!([{"op": "add", "value": {
        "emails": [{"value": "babs@jensen.org", "type": "home"}, {"value": "b@new.org", "type": "other"}],
        "nickName": "Babs"}}]), &ResourceSchema::user()).unwrap();
    assert_eq!(out["nickName"], "Babs");
    // An equal value is not added twice; a new one is.
    assert_eq!(out["emails"].as_array().unwrap().len(), 3);
}

#[rstest]
#[case::one_member(json!([{"op": "remove", "path": "members[value eq \"2819c223-7f76-453a-919d-413861904646\"]"}]), vec!["902c246b-6245-4190-8e05-00816be7344a"])]
#[case::all_members(json!([{"op": "remove", "path": "members"}]), vec![])]
#[case::remove_then_add(json!([
    {"op": "remove", "path": "members"},
    {"op": "add", "path": "members", "value": [{"value": "2819c223-7f76-453a-919d-413861904646"}, {"value": "9067729b"}]}]),
    vec!["2819c223-7f76-453a-919d-413861904646", "9067729b"])]
#[case::replace_members(json!([{"op": "replace", "path": "members", "value": [{"value": "9067729b"}]}]), vec!["9067729b"])]
#[case::rfc_literal_value_list(json!([{"op": "Remove", "path": "members", "value": [{"value": "902c246b-6245-4190-8e05-00816be7344a"}]}]), vec!["2819c223-7f76-453a-919d-413861904646"])]
fn rfc_3_5_2_2_and_3_members(#[case] ops: Value, #[case] expected: Vec<&str>) {
    let out = patch(&group(), ops, &ResourceSchema::group()).unwrap();
    assert_eq!(member_ids(&out), expected);
}

#[test]
fn rfc_3_5_2_2_remove_with_complex_filter_and_sub_attribute() {
    let s = ResourceSchema::user();
    let out = patch(
        &user(),
        json!([{"op": "remove", "path": "emails[type eq \"work\" and value ew \"example.com\"]"}]),
        &s,
    )
    .unwrap();
    assert_eq!(
        out["emails"],
        json!([{"value": "babs@jensen.org", "type": "home"}])
    );
    let out = patch(
        &user(),
        json!([{"op": "remove", "path": "addresses[type eq \"work\"].locality"}]),
        &s,
    )
    .unwrap();
    assert!(out["addresses"][0].get("locality").is_none());
    assert_eq!(
        out["addresses"][0]["streetAddress"],
        "100 Universal City Plaza"
    );
}

#[test]
fn rfc_3_5_2_3_replace_forms() {
    let s = ResourceSchema::user();
    let out = patch(&user(), json!([{"op": "replace", "path": "addresses[type eq \"work\"]",
        "value": {"type": "work", "streetAddress": "911 Universal City Plaza", "locality": "Hollywood"}}]), &s).unwrap();
    assert_eq!(
        out["addresses"][0]["streetAddress"],
        "911 Universal City Plaza"
    );
    let out = patch(
        &user(),
        json!([{"op": "replace", "path": "addresses[type eq \"work\"].streetAddress",
        "value": "1010 Broadway Ave"}]),
        &s,
    )
    .unwrap();
    assert_eq!(out["addresses"][0]["streetAddress"], "1010 Broadway Ave");
    assert_eq!(out["addresses"][0]["locality"], "Hollywood");
    let out = patch(&user(), json!([{"op": "replace", "value": {"emails": [{"value": "only@x.org"}], "nickName": "Babs"}}]), &s).unwrap();
    assert_eq!(out["emails"], json!([{"value": "only@x.org"}]));
    // Replacing a complex attribute leaves sub-attributes not given alone.
    let out = patch(
        &user(),
        json!([{"op": "replace", "path": "name", "value": {"givenName": "Babs"}}]),
        &s,
    )
    .unwrap();
    assert_eq!(
        out["name"],
        json!({"givenName": "Babs", "familyName": "Jensen"})
    );
}

#[test]
fn entra_id_style_operations() {
    let s = ResourceSchema::user();
    let out = patch(&user(), json!([
        {"op": "Replace", "path": "active", "value": false},
        {"op": "Add", "path": format!("{ENTERPRISE}:department"), "value": "Sales"},
        {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "b.jensen@example.com"},
        {"op": "add", "value": {format!("{ENTERPRISE}:employeeNumber"): "42", "USERNAME": "babs"}}
    ]), &s).unwrap();
    assert_eq!(out["active"], false);
    assert_eq!(
        out[ENTERPRISE],
        json!({"department": "Sales", "employeeNumber": "42"})
    );
    assert_eq!(out["emails"][0]["value"], "b.jensen@example.com");
    assert_eq!(out["userName"], "babs");
    assert_eq!(out["schemas"], json!([USER, ENTERPRISE]));
}

#[test]
fn a_new_primary_value_demotes_the_old_one() {
    let out = patch(&user(), json!([{"op": "add", "path": "emails", "value": [{"value": "new@x.org", "primary": true}]}]),
        &ResourceSchema::user()).unwrap();
    let primaries: Vec<_> = out["emails"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["primary"] == true)
        .collect();
    assert_eq!(primaries.len(), 1);
    assert_eq!(primaries[0]["value"], "new@x.org");
}

#[rstest]
#[case::no_target_filter(json!([{"op": "replace", "path": "emails[type eq \"fax\"].value", "value": "x"}]), 400, "noTarget")]
#[case::no_target_without_path(json!([{"op": "remove"}]), 400, "noTarget")]
#[case::invalid_path_unknown(json!([{"op": "add", "path": "shoeSize", "value": 1}]), 400, "invalidPath")]
#[case::invalid_path_syntax(json!([{"op": "add", "path": "emails[type eq \"work\"", "value": "x"}]), 400, "invalidPath")]
#[case::invalid_value_type(json!([{"op": "replace", "path": "active", "value": "False"}]), 400, "invalidValue")]
#[case::invalid_value_two_primaries(json!([{"op": "replace", "path": "emails", "value": [{"value": "a@x", "primary": true}, {"value": "b@x", "primary": true}]}]), 400, "invalidValue")]
#[case::mutability_read_only(json!([{"op": "replace", "path": "meta.created", "value": "2020-01-01T00:00:00Z"}]), 400, "mutability")]
#[case::mutability_required(json!([{"op": "remove", "path": "userName"}]), 400, "mutability")]
#[case::invalid_syntax_op(json!([{"op": "upsert", "path": "nickName", "value": "x"}]), 400, "invalidSyntax")]
fn errors_named_by_3_5_2(#[case] ops: Value, #[case] status: u16, #[case] scim_type: &str) {
    let e = patch(&user(), ops, &ResourceSchema::user()).unwrap_err();
    assert_eq!(
        (e.status, e.scim_type.map(|t| t.as_str())),
        (status, Some(scim_type)),
        "{}",
        e.detail
    );
}

#[test]
fn atomic_a_failing_operation_discards_the_earlier_ones() {
    let before = user();
    let e = patch(
        &before,
        json!([
        {"op": "replace", "path": "nickName", "value": "changed"},
        {"op": "replace", "path": "id", "value": "stolen"}]),
        &ResourceSchema::user(),
    )
    .unwrap_err();
    assert_eq!(e.scim_type.map(|t| t.as_str()), Some("mutability"));
    assert!(e.detail.starts_with("Operations[1]"), "{}", e.detail);
    assert_eq!(before, user());
}

fn op_strategy() -> impl Strategy<Value = Value> {
    let paths = prop::sample::select(vec![
        "userName",
        "nickName",
        "active",
        "name",
        "name.givenName",
        "emails",
        "emails[type eq \"work\"]",
        "emails[type eq \"work\"].value",
        "addresses[type eq \"home\"].locality",
        "members",
        "id",
        "meta",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        "x[",
        "emails[",
        "]",
        "",
    ]);
    let values = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i32>().prop_map(Value::from),
        "[a-z@.]{0,8}".prop_map(Value::from),
        Just(json!([{"value": "p@x.org", "type": "work", "primary": true}])),
        Just(json!({"givenName": "G", "department": "D"})),
    ];
    (
        prop::sample::select(vec!["add", "replace", "remove", "Add", "bogus"]),
        paths,
        proptest::option::of(values),
    )
        .prop_map(|(op, path, value)| {
            let mut o = json!({"op": op});
            if !path.is_empty() {
                o["path"] = json!(path);
            }
            if let Some(v) = value {
                o["value"] = v;
            }
            o
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, rng_seed: proptest::test_runner::RngSeed::Fixed(11), ..ProptestConfig::default() })]

    #[test]
    fn patch_never_panics_and_failures_leave_the_resource_alone(ops in prop::collection::vec(op_strategy(), 1..5)) {
        let before = user();
        let schema = ResourceSchema::user();
        match patch(&before, Value::Array(ops.clone()), &schema) {
            Ok(after) => {
                // Whatever succeeds is still a valid resource.
                prop_assert!(after.get("userName").is_some());
            }
            Err(e) => {
                prop_assert!(e.status == 400, "{}", e.detail);
                prop_assert_eq!(&before, &user());
            }
        }
    }

    #[test]
    fn adding_then_removing_a_value_gives_back_the_resource(local in "[a-z]{1,8}", kind in "(work|home|other)") {
        let schema = ResourceSchema::user();
        let start = patch(&user(), json!([{"op": "replace", "path": "nickName", "value": "n"}]), &schema).unwrap();
        let email = format!("{local}@added.example");
        let added = patch(&start, json!([{"op": "add", "path": "emails", "value": [{"value": email, "type": kind}]}]), &schema).unwrap();
        prop_assert_ne!(&added, &start);
        let removed = patch(&added, json!([{"op": "remove", "path": format!("emails[value eq \"{email}\"]")}]), &schema).unwrap();
        prop_assert_eq!(removed, start);
    }
}
