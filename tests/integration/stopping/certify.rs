//! `certify` and `serve` stopped by SIGTERM.

use super::{AFTER, Scimulate, until};
use rustix::process::Signal;
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::Instant;

/// `scimulate serve` as the server under test, `scimulate certify` against
/// it stopped by SIGTERM mid-run: exit 143, the report marks the session
/// interrupted and skips the checks not run, saying so, and the target
/// holds exactly what it held before. Then SIGTERM stops `serve`: exit 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_certify_with_its_cleanup_and_serve_cleanly() {
    let mut serve = Scimulate::spawn(&["serve", "--ready-file", "endpoints.json"]);
    let endpoints: Value = until("the endpoints file", || {
        std::fs::read_to_string(serve.path("endpoints.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
    })
    .await;
    let admin = endpoints["admin"]["url"].as_str().unwrap().to_owned();
    let admin_token = endpoints["admin"]["token"].as_str().unwrap().to_owned();
    let target = &endpoints["targets"]["generic-rfc"];
    let base = target["direct_url"].as_str().unwrap().to_owned();
    let token = target["auth"]["token"].as_str().unwrap().to_owned();
    let http = reqwest::Client::new();
    let held = || async {
        let state: Value = http
            .get(format!("{admin}/targets/generic-rfc/state"))
            .bearer_auth(&admin_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let n = |k: &str| state[k].as_array().map_or(0, Vec::len);
        (n("Users"), n("Groups"))
    };
    // Something that is not certify's, which it must leave alone.
    let (status, _) = {
        let r = http
            .post(format!("{base}/Users"))
            .bearer_auth(&token)
            .header("content-type", "application/scim+json")
            .body(r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"tenant@corp.example"}"#)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), ())
    };
    assert_eq!(status, 201);
    let before = held().await;
    assert_eq!(before, (1, 0));

    let mut certify = {
        let dir = tempfile::tempdir().unwrap();
        let out = std::fs::File::create(dir.path().join("stdout")).unwrap();
        let err = std::fs::File::create(dir.path().join("stderr")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_scimulate"))
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env("STOPPING_TEST_TOKEN", &token)
            .args([
                "certify",
                "--url",
                &base,
                "--token-env",
                "STOPPING_TEST_TOKEN",
                "--ledger",
                "ledger.jsonl",
                "--max-rps",
                "200",
                "--report",
                "json:report.json",
            ])
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap();
        Scimulate { child, dir }
    };
    until("certify to create resources", || {
        std::fs::read_to_string(certify.path("ledger.jsonl"))
            .is_ok_and(|t| t.lines().count() >= 10)
            .then_some(())
    })
    .await;
    let at = Instant::now();
    certify.signal(Signal::TERM);
    let code = certify.exit().await;
    eprintln!("certify stopped in {:?}", at.elapsed());
    assert_eq!(code, 143, "stderr:\n{}", certify.output("stderr"));
    let report = certify.report();
    assert_eq!(report["interrupted"], true, "{report}");
    let checks = report["checks"].as_array().unwrap();
    let not_run = checks
        .iter()
        .filter(|c| {
            c["outcome"] == "skipped"
                && c["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("not run: the session was interrupted"))
        })
        .count();
    let ran = checks.len() - not_run;
    assert!(ran > 0 && not_run > 0, "ran {ran}, not run {not_run}");
    assert_eq!(
        checks.len(),
        report["pack"]["selected"].as_array().unwrap().len(),
        "every selected check is accounted for"
    );
    assert_eq!(held().await, before, "certify left something behind");

    // serve starts no process of its own: only its own exit matters.
    let at = Instant::now();
    serve.signal(Signal::TERM);
    let code = serve.exit().await;
    assert_eq!(code, 0, "stderr:\n{}", serve.output("stderr"));
    assert!(at.elapsed() < AFTER, "serve took {:?}", at.elapsed());
    eprintln!("serve stopped in {:?}", at.elapsed());
}
