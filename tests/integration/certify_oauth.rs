//! certify with OAuth2 client credentials against a target whose tokens
//! live shorter than the run (mock-targets/oauth-short-lived.yaml, its
//! lifetime cut from 10 s to 2 s to keep the test short): the client renews
//! the token, so no check fails with 401 and cleanup deletes everything.

use crate::common;

use scimulate::certify::client::OAuth;
use scimulate::certify::{self, Options};
use scimulate::report::{Level, Outcome};
use scimulate::serve::TargetAuth;
use std::future::pending;

const TTL_MS: u64 = 2_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certify_outlives_short_lived_oauth_tokens() {
    let yaml = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/mock-targets/oauth-short-lived.yaml"
    ))
    .expect("profile");
    assert!(yaml.contains("token_ttl: 10s"), "the profile changed");
    let h = common::start(&yaml.replace("token_ttl: 10s", "token_ttl: 2s")).await;
    let target = h.serving.endpoints.targets.values().next().expect("target");
    let TargetAuth::Oauth2ClientCredentials {
        token_url,
        client_id,
        client_secret,
    } = &target.auth
    else {
        panic!("not an OAuth target");
    };
    let mut opts = Options::new(&h.base);
    opts.oauth = Some(OAuth {
        token_url: token_url.clone(),
        client_id: client_id.clone(),
        client_secret: client_secret.clone(),
        scope: None,
    });
    // Slowed down so that the run lasts several token lifetimes.
    opts.max_rps = Some(100.0);
    let report = certify::certify(&opts, pending()).await.expect("session");
    let checks = report.certify_checks();
    let refused: Vec<String> = checks
        .iter()
        .filter(|c| c.outcome == Outcome::Failed && c.message.contains("401"))
        .map(|c| format!("{} {}", c.id, c.message))
        .collect();
    assert!(refused.is_empty(), "failed with 401: {refused:#?}");
    assert!(
        report.duration_ms > 3 * TTL_MS,
        "the run took {} ms: too short to outlive a token",
        report.duration_ms
    );
    let must_failed: Vec<&str> = checks
        .iter()
        .filter(|c| c.outcome == Outcome::Failed && c.level == Level::Must)
        .map(|c| c.id.as_str())
        .collect();
    assert!(must_failed.is_empty(), "MUST failed: {must_failed:?}");
    // Cleanup ran with a live token too.
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let (_, state) = h
        .admin(
            reqwest::Method::GET,
            "/targets/oauth-short-lived/state",
            None,
        )
        .await;
    let left = |k: &str| state[k].as_array().map(Vec::len).unwrap_or(0);
    assert_eq!((left("Users"), left("Groups")), (0, 0), "left: {state}");
    // The client secret never reaches the report.
    let json = serde_json::to_string(&report).expect("json");
    assert!(!json.contains(client_secret.as_str()));
}
