//! Behaviour knobs no shipped profile shows, over real HTTP, each from a
//! small inline profile: PATCH answers and member removal, string
//! booleans, deactivation that deletes, ignored projection, no paging,
//! node limits, integer error status, payload limits and Retry-After forms.

use crate::common;

use crate::common::{Harness, PATCH_OP, USER};
use reqwest::Method;
use rstest::rstest;
use serde_json::{Value, json};

const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

async fn with(behaviour: &str) -> Harness {
    common::start(&format!("name: knobs\nbehaviour: {behaviour}\n")).await
}

fn patch(ops: Value) -> Value {
    json!({"schemas": [PATCH_OP], "Operations": ops})
}

/// A group holding two new users; returns the group's path and the users' ids.
async fn group_of_two(h: &Harness) -> (String, String, String) {
    let a = h.create_user("a").await["id"].as_str().unwrap().to_owned();
    let b = h.create_user("b").await["id"].as_str().unwrap().to_owned();
    let (status, _, g) = h
        .send(
            Method::POST,
            "/Groups",
            Some(&json!({"schemas": [GROUP], "displayName": "g",
                         "members": [{"value": a}, {"value": b}]})),
        )
        .await;
    assert_eq!(status, 201, "{g}");
    (format!("/Groups/{}", g["id"].as_str().unwrap()), a, b)
}

#[rstest]
#[case::listed("{}", 1)]
#[case::rfc_literal("{patch_remove_members_with_value: all}", 0)]
#[tokio::test]
async fn member_removal_with_a_value_list(#[case] behaviour: &str, #[case] left: usize) {
    let h = with(behaviour).await;
    let (path, a, _) = group_of_two(&h).await;
    let remove = patch(json!([{"op": "Remove", "path": "members", "value": [{"value": a}]}]));
    let (status, _, _) = h.send(Method::PATCH, &path, Some(&remove)).await;
    assert_eq!(status, 200);
    let (_, _, g) = h.send(Method::GET, &path, None).await;
    assert_eq!(g["members"].as_array().map_or(0, Vec::len), left, "{g}");
}

#[tokio::test]
async fn member_removal_with_a_value_list_can_be_refused() {
    let h = with("{patch_remove_members_with_value: reject}").await;
    let (path, a, _) = group_of_two(&h).await;
    let remove = patch(json!([{"op": "remove", "path": "members", "value": [{"value": a}]}]));
    let (status, _, body) = h.send(Method::PATCH, &path, Some(&remove)).await;
    assert_eq!(
        (status, body["scimType"].as_str()),
        (400, Some("invalidValue"))
    );
}

#[rstest]
#[case::strict("{}", 400)]
#[case::entra_legacy("{patch_bool_strings: accept}", 200)]
#[tokio::test]
async fn string_booleans(#[case] behaviour: &str, #[case] expected: u16) {
    let h = with(behaviour).await;
    let id = h.create_user("s").await["id"].as_str().unwrap().to_owned();
    let off = patch(json!([{"op": "Replace", "path": "active", "value": "False"}]));
    let (status, _, body) = h
        .send(Method::PATCH, &format!("/Users/{id}"), Some(&off))
        .await;
    assert_eq!(status, expected, "{body}");
    if expected == 200 {
        assert_eq!(body["active"], false);
    }
}

#[tokio::test]
async fn patch_can_answer_204() {
    let h = with("{patch_response: no_content}").await;
    let id = h.create_user("p").await["id"].as_str().unwrap().to_owned();
    let title = patch(json!([{"op": "add", "path": "title", "value": "Boss"}]));
    let (status, _, body) = h
        .send(Method::PATCH, &format!("/Users/{id}"), Some(&title))
        .await;
    assert_eq!((status, body), (204, Value::Null));
    let (_, _, user) = h.send(Method::GET, &format!("/Users/{id}"), None).await;
    assert_eq!(user["title"], "Boss");
}

#[rstest]
#[case::too_many_ops("{patch_member_limits: {max_operations: 1, status: 413}}", 413)]
#[case::strict("{}", 200)]
#[tokio::test]
async fn operation_limits(#[case] behaviour: &str, #[case] expected: u16) {
    let h = with(behaviour).await;
    let id = h.create_user("o").await["id"].as_str().unwrap().to_owned();
    let two = patch(json!([{"op": "add", "path": "title", "value": "a"},
                           {"op": "add", "path": "nickName", "value": "b"}]));
    let (status, _, _) = h
        .send(Method::PATCH, &format!("/Users/{id}"), Some(&two))
        .await;
    assert_eq!(status, expected);
}

#[tokio::test]
async fn deactivation_can_delete_the_account() {
    let h = with("{active_false_semantics: delete}").await;
    let id = h.create_user("d").await["id"].as_str().unwrap().to_owned();
    let off = patch(json!([{"op": "replace", "value": {"active": false}}]));
    let (status, _, body) = h
        .send(Method::PATCH, &format!("/Users/{id}"), Some(&off))
        .await;
    assert_eq!((status, &body["active"]), (200, &json!(false)));
    let (status, _, _) = h.send(Method::GET, &format!("/Users/{id}"), None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn projection_can_be_ignored() {
    let h = with("{projection: ignored}").await;
    let user = json!({"schemas": [USER], "userName": "p", "title": "T"});
    let (_, _, created) = h
        .send(Method::POST, "/Users?attributes=userName", Some(&user))
        .await;
    assert_eq!(created["title"], "T");
    let (_, _, list) = h
        .send(Method::GET, "/Users?excludedAttributes=title", None)
        .await;
    assert_eq!(list["Resources"][0]["title"], "T");
}

#[tokio::test]
async fn paging_can_be_absent() {
    let h = with("{pagination: {style: none}}").await;
    for n in ["a", "b", "c"] {
        h.create_user(n).await;
    }
    let (_, _, list) = h
        .send(Method::GET, "/Users?startIndex=2&count=1", None)
        .await;
    assert_eq!(
        (list["itemsPerPage"].as_u64(), list["startIndex"].as_u64()),
        (Some(3), Some(1))
    );
}

#[rstest]
#[case::within(r#"userName eq "a" or userName eq "b""#, 200)]
#[case::over(r#"userName eq "a" or userName eq "b" or userName eq "c""#, 400)]
#[tokio::test]
async fn filter_node_limit(#[case] filter: &str, #[case] expected: u16) {
    let h = with("{filter_support: {max_nodes: 3}}").await;
    let q: String = form_urlencoded::byte_serialize(filter.as_bytes()).collect();
    let (status, _, body) = h
        .send(Method::GET, &format!("/Users?filter={q}"), None)
        .await;
    assert_eq!(status, expected, "{body}");
}

#[tokio::test]
async fn error_status_can_be_an_integer() {
    let h = with("{error_body_style: {status: integer}}").await;
    let (status, _, body) = h.send(Method::GET, "/Users/nobody", None).await;
    assert_eq!((status, &body["status"]), (404, &json!(404)));
}

#[tokio::test]
async fn payload_limit() {
    let h = with("{payload_limit: 1000}").await;
    let user = json!({"schemas": [USER], "userName": "x", "title": "t".repeat(2000)});
    let (status, _, _) = h.send(Method::POST, "/Users", Some(&user)).await;
    assert_eq!(status, 413);
    h.create_user("small").await;
}

#[rstest]
#[case::seconds("retry_after: 7s", Some("7"))]
#[case::none("retry_after: none", None)]
#[tokio::test]
async fn retry_after_forms(#[case] retry_after: &str, #[case] expected: Option<&str>) {
    // A rate so small no token refills during the test.
    let h = common::start(&format!(
        "name: limited\nrate_limit: {{ requests_per_second: 0.000001, burst: 2, {retry_after} }}\n"
    ))
    .await;
    for _ in 0..2 {
        let (status, _, _) = h.send(Method::GET, "/Users", None).await;
        assert_eq!(status, 200);
    }
    let (status, headers, body) = h.send(Method::GET, "/Users", None).await;
    assert_eq!((status, body["status"].as_str()), (429, Some("429")));
    assert_eq!(
        headers.get("retry-after").map(|v| v.to_str().unwrap()),
        expected
    );
}

#[tokio::test]
async fn retry_after_as_an_http_date() {
    let h = common::start(
        "name: limited\nrate_limit: { requests_per_second: 0.000001, burst: 1, retry_after: { http_date: 1m } }\n",
    )
    .await;
    h.send(Method::GET, "/Users", None).await;
    let (status, headers, _) = h.send(Method::GET, "/Users", None).await;
    assert_eq!(status, 429);
    let date = headers["retry-after"].to_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc2822(date).is_ok(), "{date}");
}

#[rstest]
#[case::rfc("{}", 200)]
#[case::okta_tolerated("{empty_filter_result: not_found}", 404)]
#[tokio::test]
async fn a_filter_matching_nothing(#[case] behaviour: &str, #[case] expected: u16) {
    let h = with(behaviour).await;
    h.create_user("someone").await;
    let q: String = form_urlencoded::byte_serialize(br#"userName eq "nobody""#).collect();
    let (status, _, _) = h
        .send(Method::GET, &format!("/Users?filter={q}"), None)
        .await;
    assert_eq!(status, expected);
    let (status, _, _) = h.send(Method::GET, "/Users", None).await;
    assert_eq!(status, 200);
}
