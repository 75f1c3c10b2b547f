//! certify against mock targets with one quirk switched on: the check
//! that matches the misbehaviour fails, and every failure is one the
//! quirk explains (each row declares them). A target that only slows
//! certify down (rate limit) fails nothing.

use crate::common;

use rstest::rstest;
use scimulate::certify::{self, Options};
use scimulate::report::Outcome;
use std::collections::BTreeSet;
use std::future::pending;

fn profile_with(quirk: &str) -> String {
    scimulate::mock::profile::GENERIC_RFC_YAML.replace("quirks: []", &format!("quirks: [{quirk}]"))
}

/// The ids of failed checks that count (warnings aside).
async fn failures(quirk: &str) -> BTreeSet<String> {
    let h = common::start(&profile_with(quirk)).await;
    let mut opts = Options::new(&h.base);
    opts.token = Some(h.token.clone());
    let report = certify::certify(&opts, pending()).await.expect("session");
    assert!(report.errors.is_empty(), "{quirk}: {:?}", report.errors);
    let failed: BTreeSet<String> = report
        .certify_checks()
        .iter()
        .filter(|c| c.outcome == Outcome::Failed && !c.warning)
        .map(|c| c.id.clone())
        .collect();
    for c in report
        .certify_checks()
        .iter()
        .filter(|c| failed.contains(&c.id))
    {
        eprintln!("{quirk}: {} {}", c.id, c.message);
    }
    failed
}

/// Every check that reads back what it just wrote: what a server with
/// stale reads fails (certify judges state right after a write).
const READS_BACK: &[&str] = &[
    "USER-*", "GROUP-*", "PATCH-*", "FILTER-*", "PAGE-*", "SORT-*", "PROJ-*", "ETAG-*", "BULK-*",
    "ENTRA-*", "OKTA-*", "SEC-007", "SEC-008",
];

#[rstest]
#[case::patch_as_put("patch_as_put", &["PATCH-012", "PATCH-001", "PATCH-050"], &[
    "PATCH-001", "PATCH-002", "PATCH-003", "PATCH-004", "PATCH-005", "PATCH-006", "PATCH-007", "PATCH-008",
    "PATCH-009", "PATCH-010", "PATCH-011", "PATCH-013", "PATCH-014", "PATCH-015", "PATCH-016",
    "PATCH-017", "PATCH-018", "PATCH-019", "PATCH-020", "PATCH-021", "PATCH-022", "PATCH-023", "PATCH-024",
    "PATCH-040", "PATCH-051", "PATCH-052", "PATCH-053", "PATCH-054", "PATCH-056", "PATCH-057", "PATCH-058",
    "BULK-005", "ENTRA-NOPATH-DOTTED", "ENTRA-GROUP-204", "ENTRA-MEMBER-REMOVE-FLAG", "OKTA-GROUP-PUSH",
    "OKTA-DEACTIVATE", "OKTA-REACTIVATE"])]
#[case::case_sensitive_username("case_sensitive_username", &["FILTER-002", "FILTER-031", "USER-009"], &[
    "OKTA-CASE", "SORT-005"])]
#[case::soft_delete("soft_delete", &["USER-018", "USER-019", "USER-020", "USER-021", "PATCH-042"], &[
    "USER-022", "GROUP-006", "GROUP-012", "BULK-006", "GROUP-011"])]
#[case::ignore_deactivate("ignore_deactivate", &["PATCH-011", "USER-023", "OKTA-DEACTIVATE"], &[
    "USER-025", "FILTER-014", "FILTER-016", "FILTER-017", "ENTRA-BOOL-STR"])]
#[case::stale_reads("{kind: stale_reads, delay: 2s}", &["USER-005", "USER-013", "PATCH-001"], READS_BACK)]
// Dropping phoneNumbers fails nothing at MUST or SHOULD: a server is free
// to ignore POSTed content (RFC 7644 §3.3), so USER-026 is a MAY probe,
// skipped as not supported.
#[case::schema_drift("{kind: schema_drift, attributes: [phoneNumbers]}", &[], &[])]
#[case::rate_limited("{kind: rate_limit, probability: 0.005, retry_after: 1s}", &[], &[])]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certify_fault_fails_its_checks_and_only_those(
    #[case] quirk: &str,
    #[case] must_fail: &[&str],
    #[case] may_fail: &[&str],
) {
    let failed = failures(quirk).await;
    for id in must_fail {
        assert!(
            failed.contains(*id),
            "{quirk}: {id} did not fail; failed: {failed:?}"
        );
    }
    // An entry ending in `*` is a prefix: a whole group of checks.
    let explained = |id: &str| {
        must_fail
            .iter()
            .chain(may_fail)
            .any(|a| match a.strip_suffix('*') {
                Some(prefix) => id.starts_with(prefix),
                None => *a == id,
            })
    };
    let unexplained: Vec<&String> = failed.iter().filter(|id| !explained(id)).collect();
    assert!(
        unexplained.is_empty(),
        "{quirk}: failures it does not explain: {unexplained:?}"
    );
}

/// A server answering 429 with Retry-After is waited out, not failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certify_honours_retry_after() {
    let h = common::start(&profile_with(
        "{kind: rate_limit, for_requests: 2, retry_after: 1s}",
    ))
    .await;
    let mut opts = Options::new(&h.base);
    opts.token = Some(h.token.clone());
    opts.only = vec!["USER-001".into(), "USER-005".into()];
    let t = std::time::Instant::now();
    let report = certify::certify(&opts, pending()).await.expect("session");
    let failed: Vec<_> = report
        .certify_checks()
        .iter()
        .filter(|c| c.outcome == Outcome::Failed)
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
    assert!(
        t.elapsed() >= std::time::Duration::from_millis(900),
        "Retry-After not honoured: {:?}",
        t.elapsed()
    );
}
