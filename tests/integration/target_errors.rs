//! Bad input gets a SCIM error body (RFC 7644 §3.12) with the right status
//! and scimType, never a panic or a plain-text answer.

use crate::common;

use reqwest::Method;
use serde_json::{Value, json};

const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

async fn raw(
    h: &common::Harness,
    method: Method,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, String, Value) {
    let resp = h
        .http
        .request(method, h.url(path))
        .bearer_auth(&h.token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = resp.text().await.unwrap();
    (
        status,
        ct,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn every_kind_of_bad_input_gets_a_scim_error() {
    let h = common::generic().await;
    let user = h.create_user("bjensen").await;
    let id = user["id"].as_str().unwrap().to_owned();
    let huge = format!(
        r#"{{"schemas":["{}"],"userName":"big","displayName":"{}"}}"#,
        common::USER,
        "x".repeat(2 << 20)
    );
    let cases: Vec<(&str, Method, String, &str, Vec<u8>)> = vec![
        ("malformed JSON", Method::POST, "/Users".into(), "application/scim+json", b"{\"userName\": ".to_vec()),
        ("not an object", Method::POST, "/Users".into(), "application/scim+json", b"[1]".to_vec()),
        ("wrong schemas", Method::POST, "/Users".into(), "application/scim+json",
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "userName": "x"}).to_string().into_bytes()),
        ("missing schemas", Method::POST, "/Users".into(), "application/scim+json",
            json!({"userName": "x"}).to_string().into_bytes()),
        ("unknown attribute", Method::POST, "/Users".into(), "application/scim+json",
            json!({"schemas": [common::USER], "userName": "x", "shoeSize": 44}).to_string().into_bytes()),
        ("wrong type", Method::POST, "/Users".into(), "application/scim+json",
            json!({"schemas": [common::USER], "userName": "x", "active": "yes"}).to_string().into_bytes()),
        ("missing required", Method::POST, "/Users".into(), "application/scim+json",
            json!({"schemas": [common::USER], "displayName": "x"}).to_string().into_bytes()),
        ("duplicate userName", Method::POST, "/Users".into(), "application/scim+json",
            json!({"schemas": [common::USER], "userName": "BJENSEN"}).to_string().into_bytes()),
        ("wrong content type", Method::POST, "/Users".into(), "text/plain", b"hello".to_vec()),
        ("oversized body", Method::POST, "/Users".into(), "application/scim+json", huge.into_bytes()),
        ("invalid filter", Method::GET, "/Users?filter=userName%20eq".into(), "application/scim+json", vec![]),
        ("unknown filter attribute", Method::GET, "/Users?filter=shoeSize%20gt%2040".into(), "application/scim+json", vec![]),
        ("ordering a boolean", Method::GET, "/Users?filter=active%20gt%20true".into(), "application/scim+json", vec![]),
        ("bad count", Method::GET, "/Users?count=many".into(), "application/scim+json", vec![]),
        ("readOnly attribute by PATCH", Method::PATCH, format!("/Users/{id}"), "application/scim+json",
            json!({"schemas": [common::PATCH_OP], "Operations": [{"op": "replace", "path": "id", "value": "new"}]}).to_string().into_bytes()),
        ("PATCH filter matching nothing", Method::PATCH, format!("/Users/{id}"), "application/scim+json",
            json!({"schemas": [common::PATCH_OP], "Operations": [{"op": "replace", "path": "emails[type eq \"home\"].value", "value": "a@b"}]}).to_string().into_bytes()),
        ("PATCH bad path", Method::PATCH, format!("/Users/{id}"), "application/scim+json",
            json!({"schemas": [common::PATCH_OP], "Operations": [{"op": "add", "path": "emails[type eq", "value": "a@b"}]}).to_string().into_bytes()),
        ("PATCH removing a required attribute", Method::PATCH, format!("/Users/{id}"), "application/scim+json",
            json!({"schemas": [common::PATCH_OP], "Operations": [{"op": "remove", "path": "userName"}]}).to_string().into_bytes()),
        ("unknown id", Method::GET, "/Users/does-not-exist".into(), "application/scim+json", vec![]),
        ("unknown endpoint", Method::GET, "/Widgets".into(), "application/scim+json", vec![]),
        ("wrong method", Method::DELETE, "/Users".into(), "application/scim+json", vec![]),
        ("/Me", Method::GET, "/Me".into(), "application/scim+json", vec![]),
    ];
    let mut seen = Vec::new();
    for (name, method, path, ct, body) in cases {
        let (status, content_type, json) = raw(&h, method, &path, ct, body).await;
        assert!(
            content_type.starts_with("application/scim+json"),
            "{name}: {content_type}"
        );
        assert_eq!(json["schemas"], json!([ERROR_URN]), "{name}: {json}");
        assert_eq!(json["status"], json!(status.to_string()), "{name}");
        seen.push(json!({"case": name, "status": status, "scimType": json.get("scimType"), "detail": json["detail"]}));
    }
    insta::assert_json_snapshot!(seen);
    // Nothing above changed the stored user.
    let (status, _, now) = h.send(Method::GET, &format!("/Users/{id}"), None).await;
    assert_eq!(status, 200);
    assert_eq!(now["meta"]["version"], user["meta"]["version"]);
}

/// A path segment that percent-decodes to bytes that are not UTF-8 names
/// nothing: a SCIM 404, where axum's own extractor answered plain text.
#[rstest::rstest]
#[case::get_user(Method::GET, "/Users/%FF")]
#[case::put_user(Method::PUT, "/Users/%C3%28")]
#[case::patch_group(Method::PATCH, "/Groups/%FF%FE")]
#[case::delete_group(Method::DELETE, "/Groups/%80")]
#[case::schema(Method::GET, "/Schemas/%FF")]
#[case::resource_type(Method::GET, "/ResourceTypes/%E2%82")]
#[tokio::test]
async fn an_id_that_is_not_utf8_gets_a_scim_404(#[case] method: Method, #[case] path: &str) {
    let h = common::generic().await;
    let body = json!({"schemas": [common::USER], "userName": "x"})
        .to_string()
        .into_bytes();
    let (status, ct, v) = raw(&h, method, path, "application/scim+json", body).await;
    assert_eq!(status, 404, "{v}");
    assert!(ct.starts_with("application/scim+json"), "{ct}");
    assert_eq!(v["schemas"][0], ERROR_URN, "{v}");
    assert_eq!(v["status"], "404");
    assert!(v["detail"].as_str().unwrap().contains("UTF-8"), "{v}");
}

/// A target whose `maxPayloadSize` is above axum's default body limit
/// (2 MiB) takes a body of that size: the journal enforces the profile's
/// limit, and nothing behind it a lower one of its own.
#[tokio::test]
async fn a_body_up_to_the_profiles_max_payload_is_read_whole() {
    let yaml = scimulate::mock::profile::GENERIC_RFC_YAML.replace(
        "bulk: { max_operations: 1000 }",
        "bulk: { max_operations: 1000, max_payload_size: 8388608 }",
    );
    let h = common::start(&yaml).await;
    let body = json!({"schemas": [common::USER], "userName": "large",
                      "displayName": "d".repeat(3 << 20)});
    let (status, _, v) = h.send(Method::POST, "/Users", Some(&body)).await;
    assert_eq!(status, 201, "{v}");
    let too_large = json!({"schemas": [common::USER], "userName": "larger",
                           "displayName": "d".repeat(9 << 20)});
    let (status, _, v) = h.send(Method::POST, "/Users", Some(&too_large)).await;
    assert_eq!((status, v["status"].as_str()), (413, Some("413")), "{v}");
    // The token endpoint reads its form as whole: an OAuth answer, not
    // a framework's plain text.
    let origin = h.base.trim_end_matches("/scim/v2");
    let resp = h
        .http
        .post(format!("{origin}/oauth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&x={}",
            "y".repeat(3 << 20)
        ))
        .send()
        .await
        .unwrap();
    let ct = resp.headers()["content-type"].to_str().unwrap().to_owned();
    let text = resp.text().await.unwrap();
    assert!(ct.starts_with("application/json"), "{ct}: {text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert!(v["error"].is_string(), "{v}");
}

/// A request whose Content-Length is over the limit is refused with a SCIM
/// 413 on its head alone: the client need not send the body first.
#[tokio::test]
async fn a_declared_oversize_body_is_refused_before_it_is_sent() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let h = common::generic().await;
    let addr = h.serving.targets[0].addr;
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /scim/v2/Users HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/scim+json\r\nContent-Length: {}\r\n\r\n",
        h.token,
        (1 << 20) + 1
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        socket.read_to_end(&mut answer),
    )
    .await
    .expect("an answer without the body being sent")
    .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413 "), "{answer}");
    assert!(answer.contains("application/scim+json"), "{answer}");
    assert!(answer.contains(r#""status":"413""#), "{answer}");
}
