//! `scimulate certify` as a user runs it: flags, reports, exit statuses,
//! secrets kept out of output, and SIGINT answered with cleanup.

use crate::common;

use clap::Parser;
use scimulate::cli::Cli;
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn run(args: &[&str]) -> Result<u8, u8> {
    let cli = Cli::try_parse_from(std::iter::once("scimulate").chain(args.iter().copied()))
        .map_err(|_| scimulate::exit::BAD_INPUT)?;
    // The error is printed: a failing test then says why certify gave up.
    scimulate::cli::run(cli).map(|o| o.code()).map_err(|e| {
        eprintln!("certify failed: {e}");
        e.code()
    })
}

/// Runs certify in a thread of its own (it owns its runtime).
async fn certify(args: Vec<String>) -> Result<u8, u8> {
    tokio::task::spawn_blocking(move || {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        run(&a)
    })
    .await
    .unwrap()
}

#[test]
fn certify_list_prints_every_check() {
    let out = Command::new(env!("CARGO_BIN_EXE_scimulate"))
        .args(["certify", "--list"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    // A line per check, and under it the sentence it rests on, quoted.
    let heads: Vec<&str> = text.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(heads.len(), scimulate::certify::catalogue().len());
    assert_eq!(text.lines().count(), 2 * heads.len());
    let patch = text
        .lines()
        .position(|l| l.starts_with("PATCH-012 "))
        .expect("PATCH-012 listed");
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[patch].contains("RFC 7644 §3.5.2") && lines[patch].contains("PATCH is not a PUT")
    );
    assert!(
        lines[patch + 1]
            .trim_start()
            .starts_with("\"Each PATCH operation object MUST")
    );
}

#[test]
fn certify_bad_input_is_exit_2() {
    assert_eq!(
        run(&[
            "certify",
            "--url",
            "http://127.0.0.1:9/scim",
            "--only",
            "NOPE-1"
        ]),
        Err(2)
    );
    assert_eq!(run(&["certify", "--url", "ftp://x"]), Err(2));
    assert_eq!(
        run(&[
            "certify",
            "--url",
            "http://127.0.0.1:9",
            "--token-env",
            "SCIMULATE_CERT_UNSET_VAR"
        ]),
        Err(2)
    );
    assert_eq!(
        run(&[
            "certify",
            "--url",
            "http://127.0.0.1:9",
            "--header",
            "no colon"
        ]),
        Err(2)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certify_unreachable_server_is_exit_3() {
    // A port that was free a moment ago: nothing answers there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = certify(vec![
        "certify".into(),
        "--url".into(),
        format!("http://127.0.0.1:{port}/scim/v2"),
    ])
    .await;
    assert_eq!(r, Err(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certify_reports_and_exit_status_follow_the_checks() {
    let h = common::generic().await;
    let dir = tempfile::tempdir().unwrap();
    let json_path = dir.path().join("certify.json");
    let junit_path = dir.path().join("certify.xml");
    let args = vec![
        "certify".to_owned(),
        "--url".into(),
        h.base.clone(),
        "--token".into(),
        h.token.clone(),
        "--header".into(),
        "User-Agent: scimulate-certify-test".into(),
        "--max-rps".into(),
        "500".into(),
        "--report".into(),
        format!("json:{}", json_path.display()),
        "--report".into(),
        format!("junit:{}", junit_path.display()),
    ];
    assert_eq!(certify(args).await, Ok(0));
    let text = std::fs::read_to_string(&json_path).unwrap();
    assert!(!text.contains(&h.token), "the token is in the report");
    let report: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["kind"], "certify");
    let checks = report["checks"].as_array().unwrap();
    assert!(checks.len() >= 150);
    for c in checks {
        for k in ["id", "group", "rfc", "level", "outcome", "message"] {
            assert!(c.get(k).is_some(), "{k} missing in {c}");
        }
    }
    assert!(
        std::fs::read_to_string(&junit_path)
            .unwrap()
            .contains("<testsuites")
    );

    // --only narrows the run; a failing MUST gives exit 1.
    let broken = common::start(
        &scimulate::mock::profile::GENERIC_RFC_YAML.replace("quirks: []", "quirks: [patch_as_put]"),
    )
    .await;
    let only = vec![
        "certify".to_owned(),
        "--url".into(),
        broken.base.clone(),
        "--token".into(),
        broken.token.clone(),
        "--only".into(),
        "PATCH-012,USER-001".into(),
        "--report".into(),
        format!("json:{}", json_path.display()),
    ];
    assert_eq!(certify(only.clone()).await, Ok(1));
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    let ids: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["USER-001", "PATCH-012"]);
    // A SHOULD-only gate still fails on a MUST.
    let mut must = only;
    must.extend(["--fail-on".to_owned(), "must".into()]);
    assert_eq!(certify(must).await, Ok(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certify_sigint_cleans_up_before_exit() {
    // A slow target (every answer delayed) so the signal lands mid-run.
    let h = common::start(
        &scimulate::mock::profile::GENERIC_RFC_YAML
            .replace("quirks: []", "quirks: [{kind: latency, delay: 20ms}]"),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.jsonl");
    let child = Command::new(env!("CARGO_BIN_EXE_scimulate"))
        .args([
            "certify",
            "--url",
            &h.base,
            "--token-env",
            "SCIMULATE_CERT_SIGINT_TOKEN",
            "--ledger",
        ])
        .arg(&ledger)
        .env("SCIMULATE_CERT_SIGINT_TOKEN", &h.token)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !std::fs::read_to_string(&ledger).is_ok_and(|t| t.lines().count() >= 10) {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "certify created nothing"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let pid = rustix::process::Pid::from_raw(child.id() as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
    let status = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        status.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let (_, state) = h
        .admin(reqwest::Method::GET, "/targets/generic-rfc/state", None)
        .await;
    assert_eq!(
        state["Users"].as_array().map(Vec::len),
        Some(0),
        "left behind: {state}"
    );
    assert_eq!(
        state["Groups"].as_array().map(Vec::len),
        Some(0),
        "left behind: {state}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certify_speaks_https_with_ca_file() {
    use scimulate::serve::{self, ServeOptions, TargetAuth};
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    let options = ServeOptions {
        tls_ca_file: Some(ca.clone()),
        ..ServeOptions::default()
    };
    let profile = scimulate::mock::profile::Profile::from_yaml(
        scimulate::mock::profile::GENERIC_RFC_YAML,
        "t.yaml",
    )
    .unwrap();
    let serving = serve::start(vec![profile], &options).await.unwrap();
    let t = serving.endpoints.targets.values().next().unwrap();
    assert!(t.direct_url.starts_with("https://"), "{}", t.direct_url);
    let TargetAuth::Bearer { token } = &t.auth else {
        panic!("bearer expected")
    };
    let args = vec![
        "certify".to_owned(),
        "--url".into(),
        t.direct_url.clone(),
        "--token".into(),
        token.clone(),
        "--ca-file".into(),
        ca.display().to_string(),
        "--only".into(),
        "DISC-001,USER-001,USER-017".into(),
        "--report".into(),
        format!("json:{}", dir.path().join("r.json").display()),
    ];
    assert_eq!(certify(args).await, Ok(0));
    // Without the CA the handshake fails: the harness cannot do its job.
    let args = vec![
        "certify".to_owned(),
        "--url".into(),
        t.direct_url.clone(),
        "--token".into(),
        token.clone(),
    ];
    assert_eq!(certify(args).await, Err(3));
}

/// base64url tokens may begin with '-'; `--token` still takes them as its
/// value (one generated token in 64 did, and was read as a flag).
#[test]
fn a_token_that_begins_with_a_hyphen_is_still_the_token() {
    let cli = Cli::try_parse_from([
        "scimulate",
        "certify",
        "--url",
        "http://127.0.0.1:9/scim/v2",
        "--token",
        "-Zq3v_x",
    ])
    .expect("parses");
    let scimulate::cli::Command::Certify(args) = cli.command else {
        panic!("certify expected")
    };
    assert_eq!(args.token.as_deref(), Some("-Zq3v_x"));
}

/// SPEC §8.6: a wrong base path or a refused token is a diagnosis and
/// exit 3 before any check, with nothing created on the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certify_preflight_diagnoses_and_creates_nothing() {
    let h = common::generic().await;
    let wrong_path = h.base.trim_end_matches("/v2").to_owned();
    assert_ne!(wrong_path, h.base);
    let r = certify(vec![
        "certify".into(),
        "--url".into(),
        wrong_path,
        "--token".into(),
        h.token.clone(),
    ])
    .await;
    assert_eq!(r, Err(3));
    let r = certify(vec![
        "certify".into(),
        "--url".into(),
        h.base.clone(),
        "--token".into(),
        "not-the-token".into(),
    ])
    .await;
    assert_eq!(r, Err(3));
    // --load values that are not a rate: bad input, before any request.
    for load in ["0", "fast"] {
        let r = certify(vec![
            "certify".into(),
            "--url".into(),
            h.base.clone(),
            "--token".into(),
            h.token.clone(),
            format!("--load={load}"),
        ])
        .await;
        assert_eq!(r, Err(2), "--load {load}");
    }
    let (_, _, users) = h.send(reqwest::Method::GET, "/Users?count=0", None).await;
    assert_eq!(users["totalResults"], 0, "{users}");
}

/// The diagnosis itself: what was sent, what came back, what is wrong.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certify_preflight_says_what_is_probably_wrong() {
    let h = common::generic().await;
    let wrong = h.base.trim_end_matches("/v2").to_owned();
    let mut opts = scimulate::certify::Options::new(&wrong);
    opts.token = Some(h.token.clone());
    let e = scimulate::certify::certify(&opts, std::future::pending())
        .await
        .expect_err("preflight stops the run");
    let scimulate::certify::SessionError::Harness(text) = e else {
        panic!("not a harness problem: {e:?}");
    };
    assert!(text.starts_with("preflight: wrong base path"), "{text}");
    assert!(
        text.contains(&format!("{} answers /ServiceProviderConfig", h.base)),
        "{text}"
    );
    assert!(!text.contains(&h.token), "the token is in the diagnosis");
    let mut opts = scimulate::certify::Options::new(&h.base);
    opts.token = Some("not-the-token".into());
    let Err(scimulate::certify::SessionError::Harness(text)) =
        scimulate::certify::certify(&opts, std::future::pending()).await
    else {
        panic!("a refused token must stop the run");
    };
    assert!(
        text.contains("refused the credentials") && text.contains("got:      401"),
        "{text}"
    );
}
