//! The HTML report of a real run (docs/reports.md, `html`): made from the
//! JSON report alone, so `scimulate report` renders the same bytes; its
//! timeline, replay order, SLIs and a failed check's journal entries come
//! from what the run saw. The page in a real browser is
//! `ci/browser-reports.sh`.

use crate::common;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn scimulate(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_scimulate"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("scimulate runs")
}

/// Runs the expired-token scenario with the reference connector and
/// `defects`; gives the JSON report and the HTML file's path.
fn run(dir: &Path, defects: &[&str]) -> (Value, std::path::PathBuf) {
    let connector = common::reference_connector_file(dir, defects);
    let json = dir.join("run.json");
    let html = dir.join("run.html");
    let out = Command::new(env!("CARGO_BIN_EXE_scimulate"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .args([
            "run",
            "scenarios/leaver-during-expired-token.yaml",
            "--time-scale",
            "10",
            "--connector",
        ])
        .arg(&connector)
        .arg("--report")
        .arg(format!("json:{}", json.display()))
        .arg("--report")
        .arg(format!("html:{}", html.display()))
        .output()
        .expect("scimulate runs");
    let text = std::fs::read_to_string(&json).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (serde_json::from_str(&text).unwrap(), html)
}

/// (person, effect) of the replay after app-a recovered.
fn replay_order(report: &Value) -> Vec<(String, String)> {
    let targets = report["scenarios"][0]["traffic"]["targets"]
        .as_array()
        .unwrap();
    let app_a = targets.iter().find(|t| t["target"] == "app-a").unwrap();
    app_a["replay"][0]["writes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["person"].as_str().unwrap().to_owned(),
                w["effect"].as_str().unwrap().to_owned(),
            )
        })
        .filter(|(p, _)| p == "bob" || p == "dave")
        .collect()
}

#[test]
fn the_html_of_a_failing_run_is_made_from_its_json_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (report, html) = run(dir.path(), &["fifo-replay"]);
    let again = dir.path().join("again.html");
    let out = scimulate(
        dir.path(),
        &[
            "report",
            dir.path().join("run.json").to_str().unwrap(),
            "--report",
            &format!("html:{}", again.display()),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "the run failed, so does its report"
    );
    let first = std::fs::read(&html).unwrap();
    assert!(
        first == std::fs::read(&again).unwrap(),
        "scimulate report wrote other bytes than the run"
    );
    let page = String::from_utf8(first).unwrap();
    assert!(page.contains(r#"data-testid="timeline""#));
    assert!(page.contains(r#"data-outcome="failed""#));

    // The replay came in the order the events occurred (the defect), and
    // the failed replay check cites the journal entries of both people.
    assert_eq!(
        replay_order(&report)[..2],
        [
            ("dave".to_owned(), "provision".to_owned()),
            ("bob".to_owned(), "deprovision".to_owned())
        ]
    );
    let checks = report["scenarios"][0]["checks"].as_array().unwrap();
    let replay = checks.iter().find(|c| c["check"] == "replay").unwrap();
    assert_eq!(replay["passed"], false);
    let people: Vec<&str> = replay["journal"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|j| j["person"].as_str())
        .collect();
    assert!(
        people.contains(&"bob") && people.contains(&"dave"),
        "{people:?}"
    );
    let slis = &report["scenarios"][0]["slis"];
    assert!(slis["operations"].as_u64().unwrap() >= 5, "{slis}");
    assert!(
        slis["errors_by_status"]["401"]["count"].as_u64().unwrap() >= 1,
        "{slis}"
    );
}

#[test]
fn a_correct_connector_replays_the_deprovisioning_first() {
    let dir = tempfile::tempdir().unwrap();
    let (report, _) = run(dir.path(), &[]);
    assert_eq!(report["passed"], true, "{report}");
    assert_eq!(
        replay_order(&report)[0],
        ("bob".to_owned(), "deprovision".to_owned())
    );
    let slis = &report["scenarios"][0]["slis"];
    assert_eq!(slis["success_rate"], 1.0, "{slis}");
    assert!(slis.get("drifted").is_none(), "{slis}");
    // A passed check cites nothing.
    let checks = report["scenarios"][0]["checks"].as_array().unwrap();
    assert!(checks.iter().all(|c| c.get("journal").is_none()));
}

/// Runs certify in a thread of its own (it owns its runtime).
async fn certify(args: Vec<String>) -> u8 {
    tokio::task::spawn_blocking(move || {
        let cli = <scimulate::cli::Cli as clap::Parser>::try_parse_from(
            std::iter::once("scimulate".to_owned()).chain(args),
        )
        .expect("flags parse");
        match scimulate::cli::run(cli) {
            Ok(o) => o.code(),
            Err(e) => panic!("certify failed: {e}"),
        }
    })
    .await
    .unwrap()
}

/// A certify check keeps the requests it sent and the answers it got;
/// the HTML shows them under the check, with the RFC sentence.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certify_checks_carry_their_requests_and_answers() {
    use scimulate::serve::{self, ServeOptions, TargetAuth};
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("mock-targets/legacy-patch-as-put.yaml")).unwrap();
    let profile = scimulate::mock::profile::Profile::from_yaml(&text, "legacy.yaml").unwrap();
    let serving = serve::start(vec![profile], &ServeOptions::default())
        .await
        .unwrap();
    let t = serving.endpoints.targets.values().next().unwrap();
    let TargetAuth::Bearer { token } = &t.auth else {
        panic!("bearer expected")
    };
    let (json, html) = (dir.path().join("c.json"), dir.path().join("c.html"));
    let args = vec![
        "certify".to_owned(),
        "--url".into(),
        t.direct_url.clone(),
        "--token".into(),
        token.clone(),
        "--only".into(),
        "PATCH-001,USER-001".into(),
        "--report".into(),
        format!("json:{}", json.display()),
        "--report".into(),
        format!("html:{}", html.display()),
    ];
    assert_eq!(
        certify(args).await,
        1,
        "PATCH-001 fails on a PATCH-as-PUT app"
    );
    let text = std::fs::read_to_string(&json).unwrap();
    assert!(!text.contains(token.as_str()), "the token is in the report");
    let report: Value = serde_json::from_str(&text).unwrap();
    let checks = report["checks"].as_array().unwrap();
    let patch = checks.iter().find(|c| c["id"] == "PATCH-001").unwrap();
    assert_eq!(patch["outcome"], "failed");
    let exchanges = patch["exchanges"].as_array().unwrap();
    let sent = exchanges
        .iter()
        .find(|x| x["method"] == "PATCH")
        .expect("the PATCH it sent");
    assert!(
        sent["request_body"]
            .as_str()
            .unwrap()
            .contains("Operations"),
        "{sent}"
    );
    assert_eq!(sent["status"], 200);
    assert!(
        sent["response_body"].as_str().unwrap().contains("\"id\""),
        "{sent}"
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains(r#"id="check-PATCH-001" data-testid="check" data-outcome="failed""#));
    assert!(page.contains("Requests and answers ("));
    assert!(page.contains("<blockquote>Each PATCH operation object MUST"));
    serving.shutdown().await.unwrap();
}
