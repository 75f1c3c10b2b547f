//! The strict target over real HTTP: ETags, authentication, OAuth, lists,
//! Bulk, the journal and the admin API.

use crate::common;

use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn etags_make_reads_conditional_and_writes_safe() {
    let h = common::generic().await;
    let user = h.create_user("etag").await;
    let path = format!("/Users/{}", user["id"].as_str().unwrap());
    let (_, headers, _) = h.send(Method::GET, &path, None).await;
    let etag = headers["etag"].to_str().unwrap().to_owned();
    assert_eq!(etag, "W/\"1\"");

    let resp = h
        .http
        .get(h.url(&path))
        .bearer_auth(&h.token)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 304);

    let put = json!({"schemas": [common::USER], "userName": "etag", "displayName": "E"});
    let stale = h
        .http
        .put(h.url(&path))
        .bearer_auth(&h.token)
        .header("if-match", "W/\"9\"")
        .header("content-type", "application/scim+json")
        .body(put.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status().as_u16(), 412);
    let fresh = h
        .http
        .put(h.url(&path))
        .bearer_auth(&h.token)
        .header("if-match", &etag)
        .header("content-type", "application/scim+json")
        .body(put.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status().as_u16(), 200);
    assert_eq!(fresh.headers()["etag"], "W/\"2\"");
}

#[tokio::test]
async fn tokens_are_required_and_rotation_refuses_the_old_one() {
    let h = common::generic().await;
    let resp = h.http.get(h.url("/Users")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    assert_eq!(
        resp.headers()["www-authenticate"],
        r#"Bearer realm="scimulate""#
    );

    let (status, body) = h
        .admin(Method::POST, "/targets/generic-rfc/tokens/rotate", None)
        .await;
    assert_eq!(status, 200);
    let new = body["token"].as_str().unwrap().to_owned();
    let old = h.get_users_as(&h.token).await;
    assert_eq!(old.status().as_u16(), 401);
    assert!(
        old.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains(r#"error="invalid_token""#)
    );
    let ok = h.get_users_as(&new).await;
    assert_eq!(ok.status().as_u16(), 200);
}

#[tokio::test]
async fn oauth_client_credentials_issue_working_tokens() {
    let h = common::start(
        "name: oauth-app\nauth: { type: oauth2_client_credentials, token_ttl: 10m }\n",
    )
    .await;
    let ep = &h.serving.endpoints.targets["oauth-app"];
    let scimulate::serve::TargetAuth::Oauth2ClientCredentials {
        token_url,
        client_id,
        client_secret,
    } = &ep.auth
    else {
        panic!("oauth target expected");
    };
    let bad = h
        .http
        .post(token_url)
        .basic_auth(client_id, Some("wrong"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 401);
    let resp = h
        .http
        .post(token_url)
        .basic_auth(client_id, Some(client_secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 600);
    let token = body["access_token"].as_str().unwrap();
    let list = h.get_users_as(token).await;
    assert_eq!(list.status().as_u16(), 200);

    // The token answer and the client secret are journaled masked.
    let (_, journal) = h
        .admin(Method::GET, "/targets/oauth-app/journal", None)
        .await;
    let text = journal.to_string();
    assert!(text.contains("\"access_token\":\"***\""), "{text}");
    assert!(
        !text.contains(token) && !text.contains(client_secret.as_str()),
        "secrets leaked: {text}"
    );
}

#[tokio::test]
async fn lists_filter_sort_page_and_project() {
    let h = common::generic().await;
    for name in ["carol", "alice", "Bob", "dave"] {
        h.create_user(name).await;
    }
    let (_, _, page) = h
        .send(
            Method::GET,
            "/Users?sortBy=userName&startIndex=2&count=2&attributes=userName",
            None,
        )
        .await;
    assert_eq!(page["totalResults"], 4);
    assert_eq!(page["itemsPerPage"], 2);
    assert_eq!(page["startIndex"], 2);
    let names: Vec<&str> = page["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["userName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Bob", "carol"]);
    assert!(
        page["Resources"][0].get("meta").is_none(),
        "attributes=userName drops meta"
    );

    let (_, _, found) = h.send(Method::GET, "/Users?filter=userName%20sw%20%22A%22%20or%20userName%20eq%20%22DAVE%22&sortBy=userName&sortOrder=descending", None).await;
    let names: Vec<&str> = found["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["userName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["dave", "alice"]);

    let search = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                        "filter": "userName eq \"bob\"", "excludedAttributes": ["meta"]});
    let (status, _, found) = h.send(Method::POST, "/Users/.search", Some(&search)).await;
    assert_eq!(status, 200);
    assert_eq!(found["totalResults"], 1);
    assert!(found["Resources"][0].get("meta").is_none());

    // maxResults (200 in generic-rfc) caps count.
    let (_, _, capped) = h.send(Method::GET, "/Users?count=100000", None).await;
    assert_eq!(capped["itemsPerPage"], 4);
}

#[tokio::test]
async fn bulk_resolves_bulk_ids_and_enforces_its_limits() {
    let h = common::start("name: small-bulk\nfeatures: { bulk: { max_operations: 3 } }\n").await;
    let body = json!({
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
    "Operations": [
        {"method": "POST", "path": "/Users", "bulkId": "u1", "data": {"schemas": [common::USER], "userName": "bulk1"}},
        {"method": "POST", "path": "/Groups", "bulkId": "g1", "data": {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "G",
            "members": [{"value": "bulkId:u1"}]}},
        {"method": "DELETE", "path": "/Users/nope"},
    ]});
    let (status, _, resp) = h.send(Method::POST, "/Bulk", Some(&body)).await;
    assert_eq!(status, 200, "{resp}");
    let ops = resp["Operations"].as_array().unwrap();
    assert_eq!(ops[0]["status"], "201");
    assert_eq!(ops[1]["status"], "201");
    assert_eq!(ops[2]["status"], "404");
    let (_, _, groups) = h.send(Method::GET, "/Groups", None).await;
    let user_id = ops[0]["location"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    assert_eq!(groups["Resources"][0]["members"][0]["value"], user_id);

    let mut too_many = body.clone();
    too_many["Operations"]
        .as_array_mut()
        .unwrap()
        .push(json!({"method": "DELETE", "path": "/Users/x"}));
    let (status, _, err) = h.send(Method::POST, "/Bulk", Some(&too_many)).await;
    assert_eq!(status, 413);
    assert!(
        err["detail"]
            .as_str()
            .unwrap()
            .contains("maxOperations (3)")
    );
}

#[tokio::test]
async fn concurrent_patches_to_one_user_never_lose_an_update() {
    let h = common::generic().await;
    let user = h.create_user("busy").await;
    let path = format!("/Users/{}", user["id"].as_str().unwrap());
    let mut tasks = Vec::new();
    for i in 0..32 {
        let http = h.http.clone();
        let url = h.url(&path);
        let token = h.token.clone();
        tasks.push(tokio::spawn(async move {
            let body = json!({"schemas": [common::PATCH_OP], "Operations": [
                {"op": "add", "path": "emails", "value": [{"value": format!("u{i}@example.com")}]}]});
            http.patch(url).bearer_auth(token).header("content-type", "application/scim+json")
                .body(body.to_string()).send().await.unwrap().status().as_u16()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    let (_, _, end) = h.send(Method::GET, &path, None).await;
    assert_eq!(end["emails"].as_array().unwrap().len(), 32);
    assert_eq!(end["meta"]["version"], "W/\"33\"");
}

#[tokio::test]
async fn journal_records_every_request_with_secrets_masked() {
    let h = common::generic().await;
    let body = json!({"schemas": [common::USER], "userName": "leaver", "password": "hunter2"});
    let (_, _, user) = h.send(Method::POST, "/Users", Some(&body)).await;
    let path = format!("/Users/{}", user["id"].as_str().unwrap());
    let deactivate = json!({"schemas": [common::PATCH_OP], "Operations": [{"op": "Replace", "path": "active", "value": false}]});
    h.send(Method::PATCH, &path, Some(&deactivate)).await;
    h.send(Method::DELETE, &path, None).await;
    let _ = h.http.get(h.url("/Users")).send().await.unwrap(); // refused: journaled too

    let (status, journal) = h
        .admin(Method::GET, "/targets/generic-rfc/journal", None)
        .await;
    assert_eq!(status, 200);
    let entries = journal["entries"].as_array().unwrap();
    let summary: Vec<Value> = entries
        .iter()
        .map(|e| json!([e["seq"], e["method"], e["status"], e["operation"]]))
        .collect();
    assert_eq!(
        summary,
        vec![
            json!([1, "POST", 201, "provision"]),
            json!([2, "PATCH", 200, "deprovision"]),
            json!([3, "DELETE", 204, "deprovision"]),
            json!([4, "GET", 401, "read"]),
        ]
    );
    assert_eq!(entries[0]["body"]["password"], "***");
    assert_eq!(entries[0]["headers"]["authorization"], "Bearer ***");
    let text = journal.to_string();
    assert!(
        !text.contains("hunter2") && !text.contains(&h.token),
        "secrets leaked"
    );
    let (_, later) = h
        .admin(Method::GET, "/targets/generic-rfc/journal?since=3", None)
        .await;
    assert_eq!(later["entries"].as_array().unwrap().len(), 1);
}

/// The live feed streams each new journal entry and each fault switched
/// on or off, to the admin token only; the board page needs no token.
#[tokio::test]
async fn the_live_feed_streams_requests_and_faults_and_the_board_needs_no_token() {
    let h = common::generic().await;
    let ep = &h.serving.endpoints.admin;
    let refused = h
        .http
        .get(format!("{}/events", ep.url))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    let board = h.http.get(format!("{}/", ep.url)).send().await.unwrap();
    assert_eq!(board.status().as_u16(), 200);
    assert!(
        board.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("connect-src 'self'")
    );
    assert!(board.text().await.unwrap().contains("scimulate board"));
    let (status, network) = h.admin(Method::GET, "/network", None).await;
    assert_eq!(status, 200, "{network}");
    let proxy = &network["proxies"]["generic-rfc"];
    assert_eq!(proxy["enabled"], true, "{network}");
    assert_eq!(proxy["toxics"], json!([]), "{network}");

    let mut feed = h
        .http
        .get(format!("{}/events", ep.url))
        .bearer_auth(&ep.token)
        .send()
        .await
        .unwrap();
    assert_eq!(feed.headers()["content-type"], "text/event-stream");
    let mut text = String::new();
    let mut next = async |text: &mut String, want: &str| {
        let bounded = tokio::time::timeout(std::time::Duration::from_secs(10), async {
            while !text.contains(want) {
                let chunk = feed.chunk().await.unwrap().expect("the feed stays open");
                text.push_str(&String::from_utf8_lossy(&chunk));
            }
        });
        bounded
            .await
            .unwrap_or_else(|_| panic!("no {want} in the feed: {text}"));
    };
    next(&mut text, "event: hello").await;
    h.send(
        Method::GET,
        "/Users?filter=userName%20eq%20%22feed%22",
        None,
    )
    .await;
    next(&mut text, "event: journal").await;
    assert!(text.contains(r#""path":"/scim/v2/Users""#), "{text}");
    let fault = json!({"kind": "server_error"});
    h.admin(Method::POST, "/targets/generic-rfc/faults", Some(&fault))
        .await;
    next(&mut text, "event: fault_on").await;
    h.admin(Method::DELETE, "/targets/generic-rfc/faults", None)
        .await;
    next(&mut text, "event: fault_off").await;
    // A feed still open does not hold the listener up: stopping ends it.
    let stopped = tokio::time::timeout(std::time::Duration::from_secs(10), h.serving.shutdown())
        .await
        .expect("serving stops within 10 s with a live feed open");
    stopped.unwrap();
    let rest = tokio::time::timeout(std::time::Duration::from_secs(10), feed.chunk())
        .await
        .expect("the feed ends when the listener stops");
    assert!(matches!(rest, Ok(None) | Err(_)), "{rest:?}");
}

/// The exposition a scraper reads: each metric described once, every
/// target's samples under it, latencies by outcome class, and the journal
/// and store sizes as they are now.
#[tokio::test]
async fn metrics_count_time_and_size_every_target() {
    let h = common::generic().await;
    h.send(Method::GET, "/Users", None).await;
    h.send(Method::GET, "/Users/nope", None).await;
    let seed = json!({"Users": [{"schemas": [common::USER], "userName": "m.one"}]});
    h.admin(Method::POST, "/targets/generic-rfc/seed", Some(&seed))
        .await;
    let ep = &h.serving.endpoints.admin;
    let answer = h
        .http
        .get(format!("{}/metrics", ep.url))
        .bearer_auth(&ep.token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = answer.text().await.unwrap();
    let types: Vec<&str> = text.lines().filter(|l| l.starts_with("# TYPE ")).collect();
    assert_eq!(
        types,
        [
            "# TYPE scimulate_requests_total counter",
            "# TYPE scimulate_request_duration_seconds histogram",
            "# TYPE scimulate_journal_entries gauge",
            "# TYPE scimulate_journal_dropped_total counter",
            "# TYPE scimulate_stored_resources gauge",
        ],
        "{text}"
    );
    for line in [
        r#"scimulate_requests_total{target="generic-rfc",method="GET",status="404",fault=""} 1"#,
        r#"scimulate_request_duration_seconds_count{target="generic-rfc",class="2xx"} 1"#,
        r#"scimulate_request_duration_seconds_count{target="generic-rfc",class="4xx"} 1"#,
        r#"scimulate_request_duration_seconds_bucket{target="generic-rfc",class="4xx",le="+Inf"} 1"#,
        r#"scimulate_journal_entries{target="generic-rfc"} 2"#,
        r#"scimulate_journal_dropped_total{target="generic-rfc"} 0"#,
        r#"scimulate_stored_resources{target="generic-rfc",resource_type="User"} 1"#,
    ] {
        assert!(text.lines().any(|l| l == line), "no {line} in\n{text}");
    }
    assert!(
        !text.contains("class=\"5xx\""),
        "a class no request fell in has no histogram: {text}"
    );
}

#[tokio::test]
async fn admin_api_needs_its_token_and_seeds_resets_and_counts() {
    let h = common::generic().await;
    let ep = &h.serving.endpoints.admin;
    assert!(ep.url.starts_with("http://127.0.0.1:"));
    let refused = h
        .http
        .get(format!("{}/targets", ep.url))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    let wrong = h
        .http
        .get(format!("{}/targets", ep.url))
        .bearer_auth(&h.token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        wrong.status().as_u16(),
        401,
        "a target token is not the admin token"
    );

    let (_, targets) = h.admin(Method::GET, "/targets", None).await;
    assert_eq!(targets["targets"][0]["name"], "generic-rfc");
    assert_eq!(targets["targets"][0]["direct_url"], h.base.as_str());
    let proxied = targets["targets"][0]["base_url"].as_str().unwrap();
    assert_ne!(proxied, h.base, "base_url goes through the target's proxy");
    assert!(proxied.ends_with("/scim/v2"), "{proxied}");

    let seed =
        json!({"Users": [{"schemas": [common::USER], "userName": "jit.twin", "password": "p"}]});
    let (status, created) = h
        .admin(Method::POST, "/targets/generic-rfc/seed", Some(&seed))
        .await;
    assert_eq!(status, 201, "{created}");
    let (_, state) = h
        .admin(Method::GET, "/targets/generic-rfc/state", None)
        .await;
    assert_eq!(state["Users"][0]["userName"], "jit.twin");
    assert_eq!(state["Users"][0]["password"], "***");
    assert_eq!(state["Groups"], json!([]));

    h.send(Method::GET, "/Users", None).await;
    let metrics = h
        .http
        .get(format!("{}/metrics", ep.url))
        .bearer_auth(&ep.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(
            r#"scimulate_requests_total{target="generic-rfc",method="GET",status="200",fault=""} 1"#
        ),
        "{metrics}"
    );

    let (status, _) = h
        .admin(Method::POST, "/targets/generic-rfc/reset", None)
        .await;
    assert_eq!(status, 204);
    let (_, state) = h
        .admin(Method::GET, "/targets/generic-rfc/state", None)
        .await;
    assert_eq!(state["Users"], json!([]));
    let (_, journal) = h
        .admin(Method::GET, "/targets/generic-rfc/journal", None)
        .await;
    assert_eq!(journal["entries"], json!([]));
    let (status, _) = h.admin(Method::GET, "/targets/nope/state", None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn profile_seed_creates_indexed_users() {
    let h = common::start("name: seeded\nseed: { users: 1000, groups: 2 }\n").await;
    let (_, _, found) = h
        .send(
            Method::GET,
            "/Users?filter=userName%20eq%20%22USER777@example.com%22",
            None,
        )
        .await;
    assert_eq!(found["totalResults"], 1);
    assert_eq!(found["Resources"][0]["userName"], "user777@example.com");
    let (_, _, groups) = h.send(Method::GET, "/Groups?count=0", None).await;
    assert_eq!(groups["totalResults"], 2);
    assert_eq!(groups["Resources"], json!([]));
}

/// Indexed lookups answer from stored JSON; the answer must be exactly the
/// one the general path (filter evaluation, projection) gives. `and id pr`
/// keeps the same matches but sends the request down the general path.
#[tokio::test]
async fn indexed_lookups_answer_exactly_like_the_general_path() {
    let h = common::generic().await;
    let alice = h.create_user("alice").await;
    h.create_user("Bob").await;
    for (name, ext) in [("carol", "shared"), ("dave", "shared"), ("eve", "e")] {
        let mut user = json!({"schemas": [common::USER], "userName": name, "externalId": ext});
        if name == "eve" {
            // A stored password: the default view differs from what is stored.
            user["password"] = json!("s3cret");
        }
        let (status, _, _) = h.send(Method::POST, "/Users", Some(&user)).await;
        assert_eq!(status, 201);
    }
    let (status, _, _) = h
        .send(
            Method::POST,
            "/Groups",
            Some(
                &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": "admins", "members": [{"value": alice["id"]}]}),
            ),
        )
        .await;
    assert_eq!(status, 201);
    let alice_id = alice["id"].as_str().unwrap();
    for filter in [
        "userName eq \"ALICE\"".to_owned(),
        "userName eq \"bob\"".to_owned(),
        "userName eq \"nobody\"".to_owned(),
        "externalId eq \"shared\"".to_owned(),
        "externalId eq \"e\"".to_owned(),
        format!("id eq \"{alice_id}\""),
    ] {
        let fast = urlencode(&filter);
        let general = urlencode(&format!("{filter} and id pr"));
        let (s1, _, a) = h
            .send(Method::GET, &format!("/Users?filter={fast}"), None)
            .await;
        let (s2, _, b) = h
            .send(Method::GET, &format!("/Users?filter={general}"), None)
            .await;
        assert_eq!((s1, s2), (200, 200));
        assert_eq!(a, b, "{filter}");
    }
    // alice is in a group: her `groups` is derived, and still served.
    let (_, _, page) = h
        .send(
            Method::GET,
            &format!("/Users?filter={}", urlencode("userName eq \"alice\"")),
            None,
        )
        .await;
    assert_eq!(page["Resources"][0]["groups"][0]["display"], "admins");
    let (_, _, page) = h
        .send(
            Method::GET,
            &format!(
                "/Users?filter={}&count=1",
                urlencode("externalId eq \"shared\"")
            ),
            None,
        )
        .await;
    assert_eq!(page["totalResults"], 2);
    assert_eq!(page["itemsPerPage"], 1);
    assert_eq!(page["Resources"][0]["userName"], "carol");
    let (_, _, page) = h
        .send(
            Method::GET,
            &format!("/Users?filter={}", urlencode("userName eq \"eve\"")),
            None,
        )
        .await;
    assert_eq!(page["Resources"][0]["userName"], "eve");
    assert!(page["Resources"][0].get("password").is_none());
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A body over the limit is refused before it is read to its end, so the
/// answer closes the connection: a client must not send its next request
/// after the unread rest (RFC 9110 §15.5.14).
#[tokio::test]
async fn an_oversized_body_is_refused_and_the_connection_is_not_reused() {
    let h = common::generic().await;
    let big = json!({"schemas": [common::USER], "userName": "big", "title": "x".repeat(2 << 20)});
    for _ in 0..10 {
        let resp = h
            .http
            .post(h.url("/Users"))
            .bearer_auth(&h.token)
            .header("content-type", "application/scim+json")
            .body(big.to_string())
            .send()
            .await
            .expect("answered");
        assert_eq!(resp.status().as_u16(), 413);
        assert_eq!(resp.headers()["connection"], "close");
        let (status, _, _) = h.send(Method::GET, "/Users", None).await;
        assert_eq!(status, 200, "the next request on the same client works");
    }
}
