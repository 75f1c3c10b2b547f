//! certify against the strict mock target (generic-rfc): every MUST check
//! passes, and the session leaves nothing behind.

use crate::common;

use scimulate::certify::{self, Options};
use scimulate::report::{Level, Outcome};
use std::future::pending;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certify_strict_target_passes_every_must_check() {
    let h = common::generic().await;
    let mut opts = Options::new(&h.base);
    opts.token = Some(h.token.clone());
    let t = std::time::Instant::now();
    let report = certify::certify(&opts, pending()).await.expect("session");
    let checks = report.certify_checks();
    let failed: Vec<String> = checks
        .iter()
        .filter(|c| c.outcome == Outcome::Failed)
        .map(|c| {
            format!(
                "{} [{:?}{}] {}",
                c.id,
                c.level,
                if c.warning { " warning" } else { "" },
                c.message
            )
        })
        .collect();
    let skipped: Vec<String> = checks
        .iter()
        .filter(|c| c.outcome == Outcome::Skipped)
        .map(|c| format!("{} {}", c.id, c.message))
        .collect();
    eprintln!(
        "{} checks in {:?}; failed:\n  {}\nskipped:\n  {}",
        checks.len(),
        t.elapsed(),
        failed.join("\n  "),
        skipped.join("\n  ")
    );
    let must_failed: Vec<&String> = failed.iter().filter(|f| f.contains("[Must")).collect();
    assert!(
        must_failed.is_empty(),
        "MUST checks failed: {must_failed:#?}"
    );
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    // Nothing certify made is left.
    let (_, state) = h
        .admin(
            reqwest::Method::GET,
            &format!("/targets/{}/state", "generic-rfc"),
            None,
        )
        .await;
    let users = state["Users"].as_array().map(Vec::len).unwrap_or(0);
    let groups = state["Groups"].as_array().map(Vec::len).unwrap_or(0);
    assert_eq!((users, groups), (0, 0), "left behind: {state}");
    assert!(
        checks
            .iter()
            .any(|c| c.level == Level::Must && c.outcome == Outcome::Passed)
    );
}

/// A create answered with an error is no longer "unconfirmed": cleanup
/// looks for unconfirmed creates five times, 200 ms apart, so one left over
/// (OKTA-DUP's 409 used to be) costs every run at least 800 ms of waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answered_creates_do_not_hold_up_cleanup() {
    let h = common::generic().await;
    let mut opts = Options::new(&h.base);
    opts.token = Some(h.token.clone());
    opts.only = vec!["OKTA-DUP".into(), "OKTA-PASSWORD".into(), "PROJ-010".into()];
    let report = certify::certify(&opts, pending()).await.expect("session");
    let outcomes: Vec<(&str, Outcome)> = report
        .certify_checks()
        .iter()
        .map(|c| (c.id.as_str(), c.outcome))
        .collect();
    assert!(
        outcomes.iter().all(|(_, o)| *o == Outcome::Passed),
        "{outcomes:?}"
    );
    assert!(
        report.duration_ms < 800,
        "took {} ms: cleanup waited for a create that was answered",
        report.duration_ms
    );
}
