use super::*;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use bytes::Bytes;
use chrono::Utc;
use serde_json::json;
use std::collections::HashMap;

fn entry(seq: u64, method: Method, path: &str, status: u16, answer: Value) -> Arc<JournalEntry> {
    Arc::new(JournalEntry {
        retry_after: None,
        version: axum::http::Version::HTTP_11,
        response_content_type: None,
        seq,
        time: Utc::now(),
        method,
        path: path.into(),
        query: None,
        headers: String::new(),
        body: Bytes::new(),
        status,
        response_body: Bytes::from(answer.to_string()),
        latency_ms: 0.0,
        fault: None,
        operation: None,
    })
}

#[test]
fn only_what_the_connector_created_is_found() {
    let entries = vec![
        entry(1, Method::POST, "/scim/v2/Users", 201, json!({"id": "u1"})),
        // Refused, answered by a fault, or not a create: none of these.
        entry(2, Method::POST, "/scim/v2/Users", 409, json!({"id": "u9"})),
        entry(
            3,
            Method::POST,
            "/scim/v2/Users",
            429,
            json!({"detail": "slow"}),
        ),
        entry(4, Method::GET, "/scim/v2/Users", 200, json!({"id": "u8"})),
        entry(
            5,
            Method::PUT,
            "/scim/v2/Users/u1",
            200,
            json!({"id": "u1"}),
        ),
        entry(
            6,
            Method::POST,
            "/scim/v2/Users/.search",
            200,
            json!({"id": "u7"}),
        ),
        entry(7, Method::POST, "/scim/v2/Groups", 201, json!({"id": "g1"})),
        // The same id twice is deleted once.
        entry(8, Method::POST, "/scim/v2/Users", 201, json!({"id": "u1"})),
        entry(
            9,
            Method::POST,
            "/scim/v2/Bulk",
            200,
            json!({"Operations": [
                {"method": "POST", "status": "201", "location": "https://app/scim/v2/Users/u2"},
                {"method": "POST", "status": "409"},
                {"method": "PATCH", "status": "200", "location": "https://app/scim/v2/Users/u1"},
                {"method": "POST", "status": 201, "location": "https://app/scim/v2/Groups/g2"}
            ]}),
        ),
    ];
    assert_eq!(
        created(&entries),
        vec![
            ("Users", "u1".to_owned()),
            ("Groups", "g1".to_owned()),
            ("Users", "u2".to_owned()),
            ("Groups", "g2".to_owned()),
        ]
    );
}

/// An app of `users` users that answers at most 2 per page, only to the
/// token `read`, and has no Groups.
async fn app(users: usize) -> (String, tokio::task::JoinHandle<()>) {
    async fn list(
        State(n): State<usize>,
        headers: HeaderMap,
        Query(q): Query<HashMap<String, String>>,
    ) -> axum::response::Response {
        if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer read") {
            return (
                StatusCode::UNAUTHORIZED,
                axum::Json(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "401", "detail": "bad token"})),
            )
                .into_response();
        }
        let start: usize = q["startIndex"].parse().unwrap();
        let count: usize = q["count"].parse::<usize>().unwrap().min(2);
        let page: Vec<Value> = (start..=n)
            .take(count)
            .map(|i| json!({"id": format!("u{i}"), "userName": format!("p{i}")}))
            .collect();
        axum::Json(json!({"totalResults": n, "itemsPerPage": page.len(), "startIndex": start, "Resources": page}))
            .into_response()
    }
    let router = Router::new()
        .route("/scim/Users", get(list))
        .with_state(users);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/scim", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (url, task)
}

fn reader(url: &str, token: &str) -> App {
    App {
        name: "hr".into(),
        url: url.into(),
        read_token: token.into(),
        connector_token: None,
        ca_pem: None,
        transport: Transport::new(None, Duration::from_secs(10)).unwrap(),
    }
}

#[tokio::test]
async fn the_state_is_read_page_by_page_and_an_app_without_groups_holds_none() {
    let (url, task) = app(5).await;
    let held = reader(&url, "read").holdings().await.unwrap();
    let ids: Vec<String> = held
        .users
        .iter()
        .map(|u| u.value()["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["u1", "u2", "u3", "u4", "u5"]);
    assert!(held.groups.is_empty());
    task.abort();
}

#[tokio::test]
async fn a_refused_read_names_the_target_the_url_and_the_status() {
    let (url, task) = app(1).await;
    let e = reader(&url, "wrong").holdings().await.unwrap_err();
    assert_eq!(
        e,
        format!(
            "reading the state of target `hr`: GET {url}/Users?startIndex=1&count=200: answered 401: bad token"
        )
    );
    assert!(!e.contains("wrong"), "{e}");
    task.abort();
}

#[test]
fn a_missing_variable_is_named_and_no_value_is_shown() {
    let target = UpstreamTarget {
        url: "http://127.0.0.1:1/scim".into(),
        read_token_env: "SCIMULATE_TEST_UNSET_READ_TOKEN_7F3A".into(),
        token_env: None,
        ca_file: None,
    };
    let Err(e) = App::new("hr", &target) else {
        panic!("an unset variable was accepted")
    };
    assert_eq!(
        e,
        "target `hr`: read_token_env: the environment variable SCIMULATE_TEST_UNSET_READ_TOKEN_7F3A is not set (it should hold the token the judge reads the app's state with)"
    );
}
