use super::*;
use crate::fault::Operation;
use crate::mock::journal::mask_headers;
use axum::http::{HeaderMap, HeaderValue, Method, Version};
use bytes::Bytes;
use chrono::TimeZone;

const TOKEN: &str = "tok-planted-4711";

fn at(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(1_796_000_000_000 + ms).unwrap()
}

struct Req {
    method: Method,
    path: &'static str,
    query: Option<&'static str>,
    body: &'static str,
    status: u16,
    answer: &'static str,
    fault: Option<&'static str>,
}

fn entry(seq: u64, ms: i64, r: Req) -> Arc<JournalEntry> {
    let mut headers = HeaderMap::new();
    headers.insert(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {TOKEN}")).unwrap(),
    );
    headers.insert("host", HeaderValue::from_static("127.0.0.1:40001"));
    if !r.body.is_empty() {
        headers.insert(
            "content-type",
            HeaderValue::from_static("application/scim+json"),
        );
    }
    Arc::new(JournalEntry {
        seq,
        time: at(ms),
        method: r.method,
        path: r.path.into(),
        query: r.query.map(str::to_owned),
        headers: mask_headers(&headers),
        body: mask_body(Bytes::from_static(r.body.as_bytes())),
        status: r.status,
        response_body: Bytes::from_static(r.answer.as_bytes()),
        latency_ms: 12.3456,
        fault: r.fault.map(str::to_owned),
        operation: Some(Operation::Provision),
        retry_after: (r.status == 429).then(|| "5".to_owned()),
        version: Version::HTTP_11,
        response_content_type: (!r.answer.is_empty())
            .then(|| HeaderValue::from_static("application/scim+json")),
    })
}

fn create() -> Req {
    Req {
        method: Method::POST,
        path: "/scim/v2/Users",
        query: None,
        body: r#"{"userName":"bob@acme.test","password":"hunter2"}"#,
        status: 201,
        answer: r#"{"id":"u1","userName":"bob@acme.test"}"#,
        fault: None,
    }
}

fn journal() -> Vec<Arc<JournalEntry>> {
    vec![
        entry(1, 0, create()),
        entry(
            2,
            250,
            Req {
                method: Method::GET,
                path: "/scim/v2/Users",
                query: Some("filter=userName%20eq%20%22bob%40acme.test%22&count=1"),
                body: "",
                status: 429,
                // A server under test may echo the token back in any text.
                answer: r#"{"detail":"slow down, tok-planted-4711"}"#,
                fault: Some("rate_limit"),
            },
        ),
        entry(
            3,
            900,
            Req {
                status: 0,
                answer: "",
                fault: Some("connection_drop"),
                ..create()
            },
        ),
    ]
}

/// Two scenarios: the first with two targets (one that received nothing),
/// the second with one.
fn har() -> (Value, u64) {
    let a = journal();
    let mut w = HarWriter::new(Vec::new());
    let secrets = vec![TOKEN.to_owned()];
    w.scenario(
        "leaver-during-outage",
        at(-1000),
        &[
            TargetJournal {
                name: "app-a",
                base_url: "http://127.0.0.1:40001/scim/v2",
                entries: &a,
                dropped: 0,
            },
            TargetJournal {
                name: "app-b",
                base_url: "http://127.0.0.1:40002/scim/v2",
                entries: &[],
                dropped: 0,
            },
        ],
        &secrets,
    );
    let b = vec![entry(1, 5000, create())];
    w.scenario(
        "rehire",
        at(4000),
        &[TargetJournal {
            name: "app-a",
            base_url: "https://127.0.0.1:40003/scim/v2",
            entries: &b,
            dropped: 7,
        }],
        &[],
    );
    let n = w.entries();
    let bytes = w.finish().unwrap();
    (serde_json::from_slice(&bytes).expect("the HAR is JSON"), n)
}

#[test]
fn every_request_is_an_entry_on_its_scenario_and_targets_page() {
    let (har, written) = har();
    let log = &har["log"];
    assert_eq!(log["version"], "1.2");
    assert_eq!(log["creator"]["name"], "scimulate");
    let titles: Vec<&str> = log["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "leaver-during-outage / app-a",
            "leaver-during-outage / app-b",
            "rehire / app-a"
        ]
    );
    let refs: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pageref"].as_str().unwrap())
        .collect();
    assert_eq!(refs, ["page_1", "page_1", "page_1", "page_3"]);
    assert_eq!(written, 4);
    let e = &log["entries"][1];
    assert_eq!(
        e["request"]["url"],
        "http://127.0.0.1:40001/scim/v2/Users?filter=userName%20eq%20%22bob%40acme.test%22&count=1"
    );
    assert_eq!(
        e["request"]["queryString"][0],
        json!({"name": "filter", "value": "userName eq \"bob@acme.test\""})
    );
    assert_eq!(e["response"]["status"], 429);
    assert_eq!(e["response"]["statusText"], "Too Many Requests");
    assert_eq!(
        log["entries"][3]["request"]["url"],
        "https://127.0.0.1:40003/scim/v2/Users"
    );
    assert!(
        log["pages"][2]["comment"]
            .as_str()
            .unwrap()
            .contains("7 older ones are not here")
    );
}

#[test]
fn a_dropped_connection_is_status_0_with_a_comment() {
    let (har, _) = har();
    let r = &har["log"]["entries"][2]["response"];
    assert_eq!(r["status"], 0);
    assert_eq!(r["bodySize"], -1);
    assert_eq!(
        r["comment"],
        "no answer: the target reset the connection (fault connection_drop)"
    );
    assert_eq!(har["log"]["entries"][2]["_fault"], "connection_drop");
}

#[test]
fn no_secret_is_written() {
    let (har, _) = har();
    let text = har.to_string();
    assert!(!text.contains(TOKEN), "the planted token leaked");
    assert!(!text.contains("hunter2"), "a password leaked");
    assert!(text.contains("Bearer ***"));
    assert!(text.contains("slow down, ***"));
}

/// The first scenario's secrets still mask a later scenario's echo of them.
#[test]
fn earlier_secrets_mask_later_pages() {
    let a = journal();
    let mut w = HarWriter::new(Vec::new());
    let t = |entries| TargetJournal {
        name: "app-a",
        base_url: "http://h:1/scim/v2",
        entries,
        dropped: 0,
    };
    w.scenario("one", at(0), &[t(&[])], &[TOKEN.to_owned()]);
    w.scenario("two", at(0), &[t(&a)], &[]);
    let text = String::from_utf8(w.finish().unwrap()).unwrap();
    assert!(!text.contains(TOKEN));
}

#[test]
fn a_write_error_is_kept_and_returned() {
    struct Full;
    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::other("disk full"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let a = journal();
    let mut w = HarWriter::new(Full);
    w.scenario(
        "s",
        at(0),
        &[TargetJournal {
            name: "t",
            base_url: "http://h:1",
            entries: &a,
            dropped: 0,
        }],
        &[],
    );
    assert_eq!(w.finish().err().unwrap().to_string(), "disk full");
}

#[test]
fn a_small_har() {
    let (mut har, _) = har();
    har["log"]["creator"]["version"] = json!("[version]");
    insta::assert_json_snapshot!(har);
}

/// Tokens a target issues (its OAuth token endpoint) are masked in the
/// answer as the journal masks them when read, though nobody listed them.
#[test]
fn issued_tokens_are_masked_in_answers() {
    let issued = entry(
        1,
        0,
        Req {
            method: Method::POST,
            path: "/oauth/token",
            query: None,
            body: "grant_type=client_credentials&client_secret=cs-123456789",
            status: 200,
            answer: r#"{"access_token":"at-9876543210","token_type":"Bearer"}"#,
            fault: None,
        },
    );
    let mut w = HarWriter::new(Vec::new());
    w.scenario(
        "s",
        at(0),
        &[TargetJournal {
            name: "t",
            base_url: "http://h:1",
            entries: &[issued],
            dropped: 0,
        }],
        &[],
    );
    let text = String::from_utf8(w.finish().unwrap()).unwrap();
    assert!(!text.contains("at-9876543210") && !text.contains("cs-123456789"));
    assert!(text.contains(r#"\"access_token\":\"***\""#), "{text}");
}
