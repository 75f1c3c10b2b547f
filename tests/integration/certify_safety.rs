//! certify on a tenant that already holds 1,000 users and some groups
//! that are not its own: after a full run, after a run cancelled halfway
//! (cleanup by the signal path) and after a run killed without cleanup
//! followed by `certify --cleanup --ledger`, every pre-existing resource is
//! exactly as it was and nothing certify created is left.

use crate::common;

use crate::common::Harness;
use reqwest::Method;
use scimulate::certify::{self, Options};
use serde_json::{Value, json};
use std::future::pending;
use std::time::Duration;

const TARGET: &str = "generic-rfc";

async fn seeded() -> Harness {
    let h = common::generic().await;
    let users: Vec<Value> = (0..1000)
        .map(|i| {
            json!({"schemas": [common::USER], "userName": format!("tenant-user-{i}@corp.example"),
                   "displayName": format!("Tenant User {i}"), "active": i % 7 != 0,
                   "emails": [{"value": format!("tenant-user-{i}@corp.example"), "type": "work"}]})
        })
        .collect();
    let (s, b) = h
        .admin(
            Method::POST,
            &format!("/targets/{TARGET}/seed"),
            Some(&json!({"Users": users})),
        )
        .await;
    assert!(s < 300, "{s} {b}");
    let state = state(&h).await;
    let ids: Vec<String> = state["Users"]
        .as_array()
        .unwrap()
        .iter()
        .take(30)
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect();
    let groups: Vec<Value> = (0..10)
        .map(|g| {
            let members: Vec<Value> = ids[g * 3..g * 3 + 3].iter().map(|id| json!({"value": id})).collect();
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": format!("Tenant Group {g}"), "members": members})
        })
        .collect();
    let (s, b) = h
        .admin(
            Method::POST,
            &format!("/targets/{TARGET}/seed"),
            Some(&json!({"Groups": groups})),
        )
        .await;
    assert!(s < 300, "{s} {b}");
    h
}

async fn state(h: &Harness) -> Value {
    let (s, v) = h
        .admin(Method::GET, &format!("/targets/{TARGET}/state"), None)
        .await;
    assert_eq!(s, 200);
    v
}

fn count(v: &Value, kind: &str) -> usize {
    v[kind].as_array().map(Vec::len).unwrap_or(0)
}

fn options(h: &Harness) -> Options {
    let mut o = Options::new(&h.base);
    o.token = Some(h.token.clone());
    o
}

/// The tenant is exactly as before: same users and groups, same content.
fn assert_untouched(before: &Value, after: &Value) {
    assert_eq!(count(before, "Users"), 1000);
    assert_eq!(count(before, "Groups"), 10);
    assert_eq!(count(after, "Users"), 1000, "users left behind or lost");
    assert_eq!(count(after, "Groups"), 10, "groups left behind or lost");
    assert!(before == after, "a pre-existing resource changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certify_full_run_leaves_the_tenant_untouched() {
    let h = seeded().await;
    let before = state(&h).await;
    let report = certify::certify(&options(&h), pending())
        .await
        .expect("session");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.certify_checks().len() >= 150);
    assert_untouched(&before, &state(&h).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certify_cancelled_halfway_cleans_up() {
    let h = seeded().await;
    let before = state(&h).await;
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(&h);
    o.ledger = Some(dir.path().join("ledger.jsonl"));
    // Cancel once the run has created something (bounded wait).
    let ledger = o.ledger.clone().unwrap();
    let cancel = async move {
        for _ in 0..400 {
            if std::fs::read_to_string(&ledger).is_ok_and(|t| t.lines().count() >= 40) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("certify created nothing within 2 s");
    };
    let report = certify::certify(&o, cancel).await.expect("session");
    assert!(report.interrupted);
    // Every check is listed; those the cancel left unrun are skipped,
    // saying so.
    assert_eq!(report.certify_checks().len(), certify::catalogue().len());
    let n = report
        .certify_checks()
        .iter()
        .filter(|c| {
            !c.message
                .starts_with("not run: the session was interrupted")
        })
        .count();
    assert!(
        n > 0 && n < certify::catalogue().len(),
        "cancelled after {n} checks"
    );
    assert!(
        report
            .errors
            .iter()
            .any(|e| e.message.contains("interrupted")),
        "{:?}",
        report.errors
    );
    assert_untouched(&before, &state(&h).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certify_killed_run_is_cleaned_up_from_the_ledger() {
    let h = seeded().await;
    let before = state(&h).await;
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.jsonl");
    let mut o = options(&h);
    o.ledger = Some(ledger.clone());
    // No cleanup at all: what a SIGKILL leaves.
    o.skip_cleanup = true;
    let watch = ledger.clone();
    let kill = async move {
        for _ in 0..400 {
            if std::fs::read_to_string(&watch).is_ok_and(|t| t.lines().count() >= 60) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("certify created nothing within 2 s");
    };
    certify::certify(&o, kill).await.expect("session");
    let left = state(&h).await;
    let leftovers = count(&left, "Users") + count(&left, "Groups") - 1010;
    assert!(
        leftovers > 0,
        "the killed run should have left resources behind"
    );

    let mut c = options(&h);
    c.ledger = Some(ledger.clone());
    let (deleted, refused) = certify::cleanup_ledger(&c).await.expect("cleanup");
    assert!(refused.is_empty(), "{refused:?}");
    assert_eq!(deleted, leftovers);
    assert_untouched(&before, &state(&h).await);
    // A second cleanup finds nothing left to do.
    let (again, refused) = certify::cleanup_ledger(&c).await.expect("cleanup");
    assert_eq!((again, refused.len()), (0, 0));
}

/// DELETEs that fail mid-run (500) are left to the final cleanup, which
/// removes them: nothing of certify's stays, the tenant is untouched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certify_failed_deletes_are_retried_by_cleanup() {
    let h = seeded().await;
    let before = state(&h).await;
    let fault = json!({"kind": "server_error", "methods": ["DELETE"], "for_requests": 5});
    let (s, b) = h
        .admin(
            Method::POST,
            &format!("/targets/{TARGET}/faults"),
            Some(&fault),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let report = certify::certify(&options(&h), pending())
        .await
        .expect("session");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(
        report
            .certify_checks()
            .iter()
            .any(|c| c.outcome == scimulate::report::Outcome::Failed),
        "the 500s should fail some checks"
    );
    assert_untouched(&before, &state(&h).await);
}
