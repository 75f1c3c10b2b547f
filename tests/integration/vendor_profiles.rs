//! The shipped vendor profiles over real HTTP: each starts, and shows the
//! two or three behaviours it imitates (mock-targets/*.yaml say where each
//! is documented). The strict reference stays strict.

use crate::common;

use crate::common::{Harness, PATCH_OP, USER};
use reqwest::Method;
use rstest::rstest;
use scimulate::mock::profile::Profile;
use serde_json::{Value, json};
use std::path::Path;

const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

fn shipped(name: &str) -> Profile {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("mock-targets")
        .join(format!("{name}.yaml"));
    Profile::from_file(&path).expect("a shipped profile")
}

async fn start(name: &str) -> Harness {
    common::start_profile(shipped(name)).await
}

fn user(name: &str, emails: &[&str]) -> Value {
    let emails: Vec<Value> = emails.iter().map(|e| json!({"value": e})).collect();
    json!({"schemas": [USER], "userName": name, "emails": emails})
}

fn patch(ops: Value) -> Value {
    json!({"schemas": [PATCH_OP], "Operations": ops})
}

fn filtered(filter: &str) -> String {
    format!(
        "/Users?filter={}",
        form_urlencoded::byte_serialize(filter.as_bytes()).collect::<String>()
    )
}

async fn create(h: &Harness, body: &Value) -> String {
    let (status, _, created) = h.send(Method::POST, "/Users", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().expect("id").to_owned()
}

async fn journal(h: &Harness, target: &str) -> Vec<Value> {
    let (_, j) = h
        .admin(Method::GET, &format!("/targets/{target}/journal"), None)
        .await;
    j["entries"].as_array().expect("entries").clone()
}

#[rstest]
#[case("generic-rfc")]
#[case("slack")]
#[case("github-emu")]
#[case("aws-iam-identity-center")]
#[case("terraform-enterprise")]
#[case("atlassian")]
#[case("snowflake-pre-2026-03")]
#[case("snowflake-2026-03")]
#[tokio::test]
async fn every_shipped_profile_serves_its_discovery(#[case] name: &str) {
    let h = start(name).await;
    let resp = h
        .http
        .get(h.url("/ServiceProviderConfig"))
        .bearer_auth(&h.token)
        .header("user-agent", "scimulate-test")
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status().as_u16(), 200, "{name}");
}

#[tokio::test]
async fn aws_accepts_only_eq_pages_by_cursor_and_keeps_one_email() {
    let h = start("aws-iam-identity-center").await;
    for n in ["a", "b", "c"] {
        create(&h, &user(n, &[&format!("{n}@example.com")])).await;
    }
    let (status, _, body) = h
        .send(Method::GET, &filtered(r#"userName co "a""#), None)
        .await;
    assert_eq!(
        (status, body["scimType"].as_str()),
        (400, Some("invalidFilter"))
    );
    let (status, _, body) = h
        .send(Method::GET, &filtered(r#"userName eq "a""#), None)
        .await;
    assert_eq!((status, body["totalResults"].as_u64()), (200, Some(1)));

    // startIndex is ignored: the first page starts at the first user.
    let (_, _, first) = h
        .send(Method::GET, "/Users?count=2&startIndex=3", None)
        .await;
    assert_eq!(first["Resources"][0]["userName"], "a");
    assert_eq!(first["itemsPerPage"], 2);
    assert!(first.get("startIndex").is_none());
    let next = first["nextCursor"].as_str().expect("nextCursor").to_owned();
    let (_, _, second) = h
        .send(Method::GET, &format!("/Users?count=2&cursor={next}"), None)
        .await;
    assert_eq!(second["Resources"][0]["userName"], "c");
    assert!(second.get("nextCursor").is_none());
    let (status, _, _) = h.send(Method::GET, "/Users?cursor=forged", None).await;
    assert_eq!(status, 400);

    let (status, _, _) = h
        .send(
            Method::POST,
            "/Users",
            Some(&user("d", &["d@x.com", "d2@x.com"])),
        )
        .await;
    assert_eq!(status, 400);
    let (status, _, body) = h.send(Method::GET, "/Users/no-such-id", None).await;
    assert_eq!(status, 404);
    assert_eq!(body["status"], "404");
    assert_eq!(
        body["schema"],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    assert!(body["exceptionRequestId"].is_string() && body["timeStamp"].is_string());
}

#[tokio::test]
async fn aws_limits_member_changes_and_serves_empty_members() {
    let h = start("aws-iam-identity-center").await;
    let uid = create(&h, &user("m", &[])).await;
    let (status, _, group) = h
        .send(
            Method::POST,
            "/Groups",
            Some(&json!({"schemas": [GROUP], "displayName": "g", "members": [{"value": uid}]})),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(group["members"], json!([]), "{group}");
    let path = format!("/Groups/{}", group["id"].as_str().unwrap());
    let many: Vec<Value> = (0..101)
        .map(|i| json!({"value": format!("u{i}")}))
        .collect();
    let over = patch(json!([{"op": "add", "path": "members", "value": many}]));
    let (status, _, _) = h.send(Method::PATCH, &path, Some(&over)).await;
    assert_eq!(status, 400);
    let replace_all = patch(json!([{"op": "replace", "path": "members", "value": []}]));
    let (status, _, _) = h.send(Method::PATCH, &path, Some(&replace_all)).await;
    assert_eq!(status, 400);
    // The member is still there: only the view is empty.
    let (_, _, u) = h.send(Method::GET, &format!("/Users/{uid}"), None).await;
    assert_eq!(u["groups"][0]["display"], "g");
}

#[tokio::test]
async fn slack_deactivates_on_delete_and_counts_deactivated_emails() {
    let h = start("slack").await;
    let id = create(&h, &user("leaver", &["leaver@example.com"])).await;
    let (status, _, _) = h.send(Method::DELETE, &format!("/Users/{id}"), None).await;
    assert_eq!(status, 204);
    let (status, _, body) = h.send(Method::GET, &format!("/Users/{id}"), None).await;
    assert_eq!((status, &body["active"]), (200, &json!(false)));
    let (_, _, list) = h.send(Method::GET, "/Users", None).await;
    assert_eq!(list["totalResults"], 1);
    let (status, _, body) = h
        .send(
            Method::POST,
            "/Users",
            Some(&user("rejoiner", &["leaver@example.com"])),
        )
        .await;
    assert_eq!(
        (status, body["scimType"].as_str()),
        (409, Some("uniqueness"))
    );
}

#[tokio::test]
async fn slack_answers_429_with_retry_after_past_the_write_burst() {
    let mut profile = shipped("slack");
    // The shipped burst, with a rate so small that no token refills while
    // the test runs: the bucket is driven by request count alone.
    profile
        .rate_limit
        .as_mut()
        .expect("a rate limit")
        .requests_per_second = 1e-6;
    let h = common::start_profile(profile).await;
    for i in 0..20 {
        create(&h, &user(&format!("u{i}"), &[])).await;
    }
    let (status, headers, body) = h
        .send(Method::POST, "/Users", Some(&user("one-too-many", &[])))
        .await;
    assert_eq!(status, 429, "{body}");
    let retry: u64 = headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .expect("seconds");
    assert!(retry >= 1);
    // Reads are in another tier.
    let (status, _, _) = h.send(Method::GET, "/Users", None).await;
    assert_eq!(status, 200);
    let refused = journal(&h, "slack").await;
    let last_post = refused
        .iter()
        .rev()
        .find(|e| e["method"] == "POST")
        .expect("a POST");
    assert_eq!(
        (last_post["status"].as_u64(), &last_post["fault"]),
        (Some(429), &json!("rate_limit"))
    );
}

#[tokio::test]
async fn snowflake_before_2026_03_hides_bad_filters_and_lists_a_synthetic_user() {
    let h = start("snowflake-pre-2026-03").await;
    create(&h, &user("real", &[])).await;
    for filter in [
        r#"userName regex "x""#,
        r#"userName co "re""#,
        "userName eq",
    ] {
        let (status, _, body) = h.send(Method::GET, &filtered(filter), None).await;
        assert_eq!(
            (status, body["totalResults"].as_u64()),
            (200, Some(0)),
            "{filter}"
        );
    }
    let (_, _, list) = h.send(Method::GET, "/Users", None).await;
    assert_eq!(list["totalResults"], 1);
    assert_eq!(list["Resources"][0]["userName"], "synthesis_user");
    assert_eq!(list["Resources"][0]["active"], false);
    let (_, _, found) = h
        .send(Method::GET, &filtered(r#"userName eq "real""#), None)
        .await;
    assert_eq!(found["Resources"][0]["userName"], "real");
}

#[rstest]
#[case(r#"userName co "re""#, 400)]
#[case(r#"userName eq "real" and active eq true"#, 400)]
#[case("userName eq", 400)]
#[case(r#"userName sw "re""#, 200)]
#[tokio::test]
async fn snowflake_2026_03_refuses_what_it_does_not_support(
    #[case] filter: &str,
    #[case] expected: u16,
) {
    let h = start("snowflake-2026-03").await;
    create(&h, &user("real", &[])).await;
    let (status, _, body) = h.send(Method::GET, &filtered(filter), None).await;
    assert_eq!(status, expected, "{body}");
    if expected == 400 {
        assert_eq!(body["scimType"], "invalidFilter");
    } else {
        assert_eq!(body["totalResults"], 1);
    }
    let (_, _, list) = h.send(Method::GET, "/Users", None).await;
    assert_eq!(list["Resources"][0]["userName"], "real");
}

#[tokio::test]
async fn terraform_enterprise_adds_as_replace_limits_bodies_and_reserves_owners() {
    let h = start("terraform-enterprise").await;
    let id = create(&h, &user("t", &["old@example.com"])).await;
    let add =
        patch(json!([{"op": "Add", "path": "emails", "value": [{"value": "new@example.com"}]}]));
    let (status, _, body) = h
        .send(Method::PATCH, &format!("/Users/{id}"), Some(&add))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["emails"], json!([{"value": "new@example.com"}]));

    let big = json!({"schemas": [USER], "userName": "big", "title": "x".repeat(1_100_000)});
    let (status, _, _) = h.send(Method::POST, "/Users", Some(&big)).await;
    assert_eq!(status, 413);

    let (status, _, body) = h
        .send(
            Method::POST,
            "/Groups",
            Some(&json!({"schemas": [GROUP], "displayName": "owners"})),
        )
        .await;
    assert_eq!(
        (status, body["scimType"].as_str()),
        (409, Some("uniqueness"))
    );

    // An existing account with the email is linked: 201 with its id.
    let (status, _, linked) = h
        .send(
            Method::POST,
            "/Users",
            Some(&user("t-sso", &["new@example.com"])),
        )
        .await;
    assert_eq!((status, linked["id"].as_str()), (201, Some(id.as_str())));
    assert_eq!(linked["userName"], "t-sso");
}

#[tokio::test]
async fn github_emu_needs_a_user_agent_and_deletes_for_good() {
    let h = start("github-emu").await;
    let without = h
        .http
        .get(h.url("/Users"))
        .bearer_auth(&h.token)
        .send()
        .await
        .unwrap();
    assert_eq!(without.status().as_u16(), 400);
    let send = |method: Method, path: String, body: Option<Value>| {
        let mut req = h
            .http
            .request(method, h.url(&path))
            .bearer_auth(&h.token)
            .header("user-agent", "Okta SCIM Client 1.0.0");
        if let Some(b) = body {
            req = req
                .header("content-type", "application/scim+json")
                .body(b.to_string());
        }
        req.send()
    };
    let created = send(Method::POST, "/Users".into(), Some(user("octo", &[])))
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let id = created.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let off = patch(json!([{"op": "replace", "value": {"active": false}}]));
    let r = send(Method::PATCH, format!("/Users/{id}"), Some(off))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let listed = send(Method::GET, "/Users".into(), None).await.unwrap();
    assert_eq!(listed.json::<Value>().await.unwrap()["totalResults"], 1);
    let r = send(Method::DELETE, format!("/Users/{id}"), None)
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let r = send(Method::GET, format!("/Users/{id}"), None)
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
}

#[rstest]
#[case::by_delete(true)]
#[case::by_deactivation(false)]
#[tokio::test]
async fn atlassian_answers_404_after_deactivation(#[case] by_delete: bool) {
    let h = start("atlassian").await;
    let id = create(&h, &user("gone", &[])).await;
    let path = format!("/Users/{id}");
    if by_delete {
        let (status, _, _) = h.send(Method::DELETE, &path, None).await;
        assert_eq!(status, 204);
    } else {
        let off = patch(json!([{"op": "replace", "path": "active", "value": false}]));
        let (status, _, _) = h.send(Method::PATCH, &path, Some(&off)).await;
        assert_eq!(status, 200);
    }
    let on = patch(json!([{"op": "replace", "path": "active", "value": true}]));
    for (method, body) in [
        (Method::GET, None),
        (Method::PATCH, Some(&on)),
        (Method::DELETE, None),
    ] {
        let (status, _, _) = h.send(method.clone(), &path, body).await;
        assert_eq!(status, 404, "{method}");
    }
    let (_, _, list) = h.send(Method::GET, "/Users", None).await;
    assert_eq!(list["totalResults"], 0);
    // A re-create is a new record.
    let again = create(&h, &user("gone", &[])).await;
    assert_ne!(again, id);
}

#[tokio::test]
async fn generic_rfc_stays_strict() {
    let h = common::generic().await;
    for n in ["a", "b", "c"] {
        create(
            &h,
            &user(n, &[&format!("{n}@x.com"), &format!("{n}2@x.com")]),
        )
        .await;
    }
    let (status, _, body) = h
        .send(Method::GET, &filtered(r#"userName co "b""#), None)
        .await;
    assert_eq!((status, body["totalResults"].as_u64()), (200, Some(1)));
    let (status, _, body) = h
        .send(Method::GET, &filtered(r#"userName regex "b""#), None)
        .await;
    assert_eq!(
        (status, body["scimType"].as_str()),
        (400, Some("invalidFilter"))
    );
    let (_, _, page) = h
        .send(
            Method::GET,
            "/Users?startIndex=3&count=2&attributes=userName",
            None,
        )
        .await;
    assert_eq!(
        (page["startIndex"].as_u64(), page["itemsPerPage"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(page["Resources"][0]["userName"], "c");
    assert!(page["Resources"][0].get("emails").is_none());
    let id = page["Resources"][0]["id"].as_str().unwrap().to_owned();
    let (status, _, _) = h.send(Method::DELETE, &format!("/Users/{id}"), None).await;
    assert_eq!(status, 204);
    let (status, _, body) = h.send(Method::GET, &format!("/Users/{id}"), None).await;
    assert_eq!((status, &body["status"]), (404, &json!("404")));
    assert!(body.get("schema").is_none());
    let add = patch(json!([{"op": "add", "path": "emails", "value": [{"value": "z@x.com"}]}]));
    let (_, _, list) = h
        .send(Method::GET, &filtered(r#"userName eq "a""#), None)
        .await;
    let a = list["Resources"][0]["id"].as_str().unwrap().to_owned();
    let (status, _, body) = h
        .send(Method::PATCH, &format!("/Users/{a}"), Some(&add))
        .await;
    assert_eq!(
        (status, body["emails"].as_array().map(Vec::len)),
        (200, Some(3))
    );
}
