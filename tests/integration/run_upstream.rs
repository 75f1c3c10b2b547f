//! `scimulate run` with an `upstream:` target: an in-process `scimulate
//! serve` mock plays the real app (its own bearer token), `scimulate run`
//! (a process of its own, for its environment) fronts it and drives the
//! reference connector through the front. The judge reads the app's state
//! with the read token, straight from the app; the accounts the run's
//! connector created are deleted at the end (not with `--keep`, and also
//! when SIGTERM stops the scenario), and the account the app held before
//! is never touched. What the cleanup cannot delete, an app that does not
//! answer, a missing variable and a refused read are exit 3, each saying
//! what and where; an HTTPS app is reached with its own `ca_file`.

use crate::common::{self, Harness};
use reqwest::Method;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Every `scimulate run` here ends within this, or the test fails.
const BOUND: Duration = Duration::from_secs(120);

/// The account the app holds before any run: never the run's to delete.
const ZED: &str = "zed@acme.test";

struct Ran {
    code: Option<i32>,
    report: Value,
    stderr: String,
    /// The scenario's evidence file, if the run wrote one.
    evidence: Option<Value>,
}

/// The app, holding [`ZED`].
async fn app() -> Harness {
    let app = common::generic().await;
    app.create_user(ZED).await;
    app
}

/// The userNames the app holds now, read with its own token.
async fn held(app: &Harness) -> Vec<String> {
    let (status, _, body) = app.send(Method::GET, "/Users?count=1000", None).await;
    assert_eq!(status, 200, "{body}");
    let mut names: Vec<String> = body["Resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|u| u["userName"].as_str().map(str::to_owned))
        .collect();
    names.sort();
    names
}

/// The users an app (a `scimulate serve` of one target) stores, from its
/// admin API.
async fn stored(serving: &scimulate::serve::Serving) -> Vec<Value> {
    let name = serving.endpoints.targets.keys().next().unwrap();
    let admin = &serving.endpoints.admin;
    let state: Value = reqwest::Client::new()
        .get(format!("{}/targets/{name}/state", admin.url))
        .bearer_auth(&admin.token)
        .send()
        .await
        .expect("the app's admin API answers")
        .json()
        .await
        .unwrap();
    state["Users"].as_array().cloned().unwrap_or_default()
}

/// A scenario whose one target `hr` fronts `url`; `target` adds keys to it.
fn scenario(dir: &Path, url: &str, target: &str, steps: &str, expect: &str) -> PathBuf {
    let text = format!(
        "name: up\nseed: 7\ntargets:\n  hr: {{ upstream: \"{url}\", read_token_env: UPRUN_READ, token_env: UPRUN_TOKEN{target} }}\npeople:\n  named:\n    ann: {{ userName: ann@acme.test, department: Sales }}\n    bob: {{ userName: bob@acme.test }}\nsteps:\n{steps}expect:\n{expect}"
    );
    let path = dir.join("up.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

/// `scimulate run` of `file` in `dir` with the environment `env`, the
/// reference connector with `defects`, and `extra` flags.
async fn run(
    dir: &Path,
    file: &Path,
    env: &[(&str, &str)],
    defects: &[&str],
    extra: &[&str],
) -> Ran {
    let connector = common::reference_connector_file(dir, defects);
    let json = dir.join("report.json");
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_scimulate"));
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("UPRUN_READ")
        .env_remove("UPRUN_TOKEN")
        .envs(env.iter().copied())
        .arg("run")
        .arg(file)
        .args(["--time-scale", "4", "--report"])
        .arg(format!("json:{}", json.display()))
        .arg("--connector")
        .arg(&connector)
        .args(extra)
        .kill_on_drop(true);
    let out = tokio::time::timeout(BOUND, cmd.output())
        .await
        .expect("scimulate run ended within the bound")
        .expect("scimulate run started");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = std::fs::read_to_string(&json)
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap_or_else(|_| panic!("no report (exit {:?}): {stderr}", out.status.code()));
    let evidence = std::fs::read_dir(dir.join(".scimulate/runs"))
        .ok()
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path().join("evidence.json"))
        .find(|p| p.is_file())
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap());
    Ran {
        code: out.status.code(),
        report,
        stderr,
        evidence,
    }
}

fn checks(report: &Value) -> Vec<(String, bool, String)> {
    report["scenarios"][0]["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["check"].as_str().unwrap_or("?").to_owned(),
                c["passed"] == true,
                c["message"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

fn errors(report: &Value) -> String {
    report["scenarios"][0]["errors"].to_string()
}

/// The requests the judge saw reach the fronting target `hr`.
fn front_requests(evidence: &Value) -> &Vec<Value> {
    evidence["requests"]["hr"]
        .as_array()
        .expect("hr's requests")
}

const JOIN_AND_LEAVE: &str = "  - joiner: [ann, bob]\n  - wait: settled\n    timeout: 20s\n  - leaver: bob\n  - wait: settled\n    timeout: 20s\n";
const CONVERGED: &str = "  - state: converged\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_off_the_app_is_judged_by_its_own_state_and_left_as_it_was() {
    let app = app().await;
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), &app.base, "", JOIN_AND_LEAVE, CONVERGED);
    let env = [("UPRUN_READ", &*app.token), ("UPRUN_TOKEN", &*app.token)];
    let ran = run(dir.path(), &file, &env, &[], &[]).await;
    assert_eq!(ran.code, Some(0), "{}\n{}", ran.stderr, ran.report);
    let checks = checks(&ran.report);
    assert!(
        checks.iter().any(|(c, passed, _)| c == "state" && *passed),
        "{checks:?}"
    );
    // The judge's state is the app's: ann as the connector made her there,
    // and zed, whom the app held before (the judge read everything).
    let evidence = ran.evidence.expect("evidence.json");
    let users = evidence["state"]["hr"]["users"].as_array().unwrap();
    let names: Vec<&str> = users
        .iter()
        .filter_map(|u| u["userName"].as_str())
        .collect();
    assert!(
        names.contains(&"ann@acme.test") && names.contains(&ZED),
        "{names:?}"
    );
    // Both `wait: settled` found the app as the source of truth says (the
    // waits read the app too).
    assert_eq!(
        evidence["unsettled"],
        json!([]),
        "{}",
        evidence["unsettled"]
    );
    // The connector's traffic went through the front and was journaled;
    // the judge's reads (startIndex/count pages) went straight to the app.
    let front = front_requests(&evidence);
    assert!(
        front
            .iter()
            .any(|r| r["method"] == "POST" && r["status"] == 201),
        "{front:?}"
    );
    // (The reference connector pages too, but asks for two attributes.)
    const JUDGE_READ: &str = "startIndex=1&count=200";
    let paged = |q: &Value| q.as_str() == Some(JUDGE_READ);
    assert!(!front.iter().any(|r| paged(&r["query"])), "{front:?}");
    let at_app = app.serving.targets[0].state.journal.since(0);
    assert!(
        at_app.iter().any(|e| e.method == "GET"
            && e.path.ends_with("/Users")
            && e.query.as_deref() == Some(JUDGE_READ)),
        "the app never saw the judge's read"
    );
    // And the groups, read the same way.
    assert!(
        at_app
            .iter()
            .any(|e| e.path.ends_with("/Groups") && e.query.as_deref() == Some(JUDGE_READ))
    );
    // Nothing of the run is left; what the app held before is.
    assert_eq!(held(&app).await, [ZED]);
    // The tokens are masked in what the run folder keeps.
    let token_seen = std::fs::read_dir(dir.path().join(".scimulate/runs"))
        .unwrap()
        .filter_map(Result::ok)
        .flat_map(|d| std::fs::read_dir(d.path()).unwrap().filter_map(Result::ok))
        .filter(|f| f.path().is_file())
        .any(|f| std::fs::read_to_string(f.path()).is_ok_and(|t| t.contains(&app.token)));
    assert!(!token_seen, "a run folder file holds the app's token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_keep_the_accounts_the_run_created_stay() {
    let app = app().await;
    let dir = tempfile::tempdir().unwrap();
    let steps = "  - joiner: [ann, bob]\n  - wait: settled\n";
    let file = scenario(dir.path(), &app.base, "", steps, CONVERGED);
    let env = [("UPRUN_READ", &*app.token), ("UPRUN_TOKEN", &*app.token)];
    let ran = run(dir.path(), &file, &env, &[], &["--keep"]).await;
    assert_eq!(ran.code, Some(0), "{}\n{}", ran.stderr, ran.report);
    assert_eq!(held(&app).await, ["ann@acme.test", "bob@acme.test", ZED]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_at_the_front_is_answered_there_and_judged() {
    let app = app().await;
    let dir = tempfile::tempdir().unwrap();
    let steps = "  - fault: { target: hr, kind: rate_limit, methods: [POST], for_requests: 2, retry_after: 1s }\n  - joiner: [ann, bob]\n  - wait: settled\n";
    let expect = "  - honors_retry_after: { target: hr }\n  - state: converged\n";
    let file = scenario(dir.path(), &app.base, "", steps, expect);
    let env = [("UPRUN_READ", &*app.token), ("UPRUN_TOKEN", &*app.token)];
    let ran = run(dir.path(), &file, &env, &[], &[]).await;
    assert_eq!(ran.code, Some(0), "{}\n{}", ran.stderr, ran.report);
    let checks = checks(&ran.report);
    assert!(
        checks
            .iter()
            .any(|(c, passed, _)| c == "honors_retry_after" && *passed),
        "{checks:?}"
    );
    let evidence = ran.evidence.expect("evidence.json");
    let limited = front_requests(&evidence)
        .iter()
        .filter(|r| r["status"] == 429)
        .count();
    assert_eq!(limited, 2, "{evidence}");
    // The app never saw the requests the front answered.
    let at_app = app.serving.targets[0].state.journal.since(0);
    assert!(at_app.iter().all(|e| e.status != 429));
    assert_eq!(held(&app).await, [ZED]);
}

/// bob leaves while the app is unavailable at the front; the fault clears
/// 3 s later. A connector that queues replays the leaver; one that drops a
/// failed event leaves bob active in the app, and the state check, read
/// from the app, says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connector_that_drops_the_leaver_fails_state_against_the_apps_real_state() {
    let steps = "  - joiner: [ann, bob]\n  - wait: settled\n  - fault: { target: hr, kind: unavailable }\n  - leaver: bob\n  - after: 3s\n    fault: { target: hr, clear: all }\n  - wait: settled\n    timeout: 20s\n";
    for (defects, code) in [(&["no-queue"][..], 1), (&[][..], 0)] {
        let app = app().await;
        let dir = tempfile::tempdir().unwrap();
        let file = scenario(dir.path(), &app.base, "", steps, CONVERGED);
        let env = [("UPRUN_READ", &*app.token), ("UPRUN_TOKEN", &*app.token)];
        let ran = run(dir.path(), &file, &env, defects, &[]).await;
        assert_eq!(
            ran.code,
            Some(code),
            "{defects:?}: {}\n{}",
            ran.stderr,
            ran.report
        );
        let state = checks(&ran.report)
            .into_iter()
            .find(|(c, _, _)| c == "state")
            .expect("a state check");
        assert_eq!(state.1, code == 0, "{defects:?}: {state:?}");
        if code == 1 {
            assert!(state.2.contains("bob"), "{}", state.2);
        }
        assert_eq!(held(&app).await, [ZED], "{defects:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_that_does_not_answer_is_a_harness_error_with_a_diagnosis() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://{closed}/scim/v2");
    let file = scenario(dir.path(), &url, "", JOIN_AND_LEAVE, CONVERGED);
    let env = [("UPRUN_READ", "r"), ("UPRUN_TOKEN", "t")];
    let ran = run(dir.path(), &file, &env, &[], &[]).await;
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    let errors = errors(&ran.report);
    assert!(
        errors.contains(&format!("upstream hr ({url}) does not answer"))
            && errors.contains("is the app running"),
        "{errors}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_read_token_variable_is_named_and_nothing_starts() {
    let app = app().await;
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), &app.base, "", JOIN_AND_LEAVE, CONVERGED);
    let ran = run(dir.path(), &file, &[("UPRUN_TOKEN", &app.token)], &[], &[]).await;
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    let errors = errors(&ran.report);
    assert!(
        errors.contains(
            "target `hr`: read_token_env: the environment variable UPRUN_READ is not set"
        ),
        "{errors}"
    );
    assert!(!errors.contains(&app.token) && !ran.stderr.contains(&app.token));
    // Nothing reached the app: not even the preflight.
    assert_eq!(
        app.serving.targets[0].state.journal.len(),
        1,
        "only zed's creation"
    );
}

/// The judge reads with the read token, not the connector's: a read token
/// the app refuses is a harness error naming the target, URL and status,
/// though the connector's own token works; the cleanup still runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_the_app_refuses_names_the_target_the_url_and_the_status() {
    let app = app().await;
    let dir = tempfile::tempdir().unwrap();
    let steps = "  - joiner: [ann]\n  - after: 2s\n";
    let file = scenario(dir.path(), &app.base, "", steps, CONVERGED);
    let env = [
        ("UPRUN_READ", "not-the-apps-token"),
        ("UPRUN_TOKEN", &*app.token),
    ];
    let ran = run(dir.path(), &file, &env, &[], &[]).await;
    assert_eq!(ran.code, Some(3), "{}\n{}", ran.stderr, ran.report);
    let errors = errors(&ran.report);
    assert!(
        errors.contains(&format!(
            "reading the state of target `hr`: GET {}/Users?startIndex=1&count=200: answered 401",
            app.base
        )),
        "{errors}"
    );
    assert!(!errors.contains("not-the-apps-token"), "{errors}");
    // ann was created with the connector's token and deleted with it.
    assert_eq!(held(&app).await, [ZED]);
}

/// Without `token_env`, the connector's targets file says `auth: upstream`
/// and the reference connector, which has no credentials of its own for
/// the app, creates nothing there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_token_env_the_targets_file_says_upstream() {
    let app = app().await;
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "name: up\ntargets:\n  hr: {{ upstream: \"{}\", read_token_env: UPRUN_READ }}\npeople:\n  named:\n    ann: {{ userName: ann@acme.test }}\nsteps:\n  - joiner: ann\n  - after: 1s\nexpect:\n  - state: converged\n",
        app.base
    );
    let file = dir.path().join("up.yaml");
    std::fs::write(&file, text).unwrap();
    let ran = run(dir.path(), &file, &[("UPRUN_READ", &app.token)], &[], &[]).await;
    assert_eq!(ran.code, Some(1), "{}\n{}", ran.stderr, ran.report);
    let targets = std::fs::read_dir(dir.path().join(".scimulate/runs"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|d| d.path().join("targets.json"))
        .find(|p| p.is_file())
        .expect("targets.json");
    let targets: Value = serde_json::from_str(&std::fs::read_to_string(targets).unwrap()).unwrap();
    assert_eq!(targets["targets"][0]["name"], "hr");
    assert_eq!(targets["targets"][0]["auth"], json!({"type": "upstream"}));
    assert_eq!(held(&app).await, [ZED]);
}

/// An app that serves HTTPS with its own CA: the preflight, the
/// connector's requests through the front, the judge's reads and the
/// cleanup all trust `ca_file` (relative to the scenario file), and nothing
/// else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_app_is_reached_with_its_own_ca_file() {
    use scimulate::mock::profile::{GENERIC_RFC_YAML, Profile};
    use scimulate::serve::{ServeOptions, TargetAuth};
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("certs/app-ca.pem");
    std::fs::create_dir_all(ca.parent().unwrap()).unwrap();
    let profile = Profile::from_yaml(GENERIC_RFC_YAML, "generic-rfc.yaml").unwrap();
    let serving = scimulate::serve::start(
        vec![profile],
        &ServeOptions {
            tls_ca_file: Some(ca.clone()),
            ..ServeOptions::default()
        },
    )
    .await
    .expect("an https app");
    let t = serving.endpoints.targets.values().next().unwrap();
    assert!(t.direct_url.starts_with("https://"), "{}", t.direct_url);
    let TargetAuth::Bearer { token } = &t.auth else {
        panic!("a bearer app")
    };
    let env = [
        ("UPRUN_READ", token.as_str()),
        ("UPRUN_TOKEN", token.as_str()),
    ];
    let with_ca = scenario(
        dir.path(),
        &t.direct_url,
        ", ca_file: certs/app-ca.pem",
        JOIN_AND_LEAVE,
        CONVERGED,
    );
    let ran = run(dir.path(), &with_ca, &env, &[], &[]).await;
    assert_eq!(ran.code, Some(0), "{}\n{}", ran.stderr, ran.report);
    let evidence = ran.evidence.expect("evidence.json");
    let judged = evidence["state"]["hr"]["users"].as_array().unwrap();
    assert!(
        judged.iter().any(|u| u["userName"] == "ann@acme.test"),
        "{judged:?}"
    );
    let left = stored(&serving).await;
    assert!(left.is_empty(), "{left:?}");
    // Without the CA file the app's certificate is not trusted: the
    // preflight says so, and nothing starts.
    let without = scenario(dir.path(), &t.direct_url, "", JOIN_AND_LEAVE, CONVERGED);
    let ran = run(dir.path(), &without, &env, &[], &[]).await;
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    let errors = errors(&ran.report);
    assert!(errors.contains("TLS"), "{errors}");
}

/// SIGTERM in the middle of the scenario: not judged, exit 143, and the
/// accounts the connector had created are deleted all the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scenario_stopped_by_sigterm_still_cleans_up() {
    let app = app().await;
    let dir = tempfile::tempdir().unwrap();
    let steps = "  - joiner: [ann, bob]\n  - wait: settled\n  - after: 400s\n";
    let file = scenario(dir.path(), &app.base, "", steps, CONVERGED);
    let connector = common::reference_connector_file(dir.path(), &[]);
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_scimulate"))
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env("UPRUN_READ", &app.token)
        .env("UPRUN_TOKEN", &app.token)
        .arg("run")
        .arg(&file)
        .args([
            "--time-scale",
            "4",
            "--report",
            "json:report.json",
            "--connector",
        ])
        .arg(&connector)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("scimulate run started");
    let until = tokio::time::Instant::now() + BOUND;
    while held(&app).await.len() < 3 {
        assert!(
            tokio::time::Instant::now() < until,
            "the joiners never reached the app"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let pid = rustix::process::Pid::from_raw(child.id().unwrap() as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
    let status = tokio::time::timeout(BOUND, child.wait())
        .await
        .expect("scimulate run ended within the bound")
        .unwrap();
    assert_eq!(status.code(), Some(143));
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    assert_eq!(report["scenarios"][0]["interrupted"], true, "{report}");
    assert_eq!(held(&app).await, [ZED]);
}

/// An app that refuses the cleanup's DELETEs: what is left behind is a
/// harness error (exit 3) listing the ids and what the app answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_cleanup_could_not_delete_is_reported_never_silent() {
    let app = app().await;
    let (status, body) = app
        .admin(
            Method::POST,
            "/targets/generic-rfc/faults",
            Some(&json!({"kind": "forbidden", "methods": ["DELETE"]})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let dir = tempfile::tempdir().unwrap();
    let steps = "  - joiner: [ann]\n  - wait: settled\n";
    let file = scenario(dir.path(), &app.base, "", steps, CONVERGED);
    let env = [("UPRUN_READ", &*app.token), ("UPRUN_TOKEN", &*app.token)];
    let ran = run(dir.path(), &file, &env, &[], &[]).await;
    assert_eq!(ran.code, Some(3), "{}\n{}", ran.stderr, ran.report);
    let ann = stored(&app.serving)
        .await
        .iter()
        .find(|u| u["userName"] == "ann@acme.test")
        .and_then(|u| u["id"].as_str().map(str::to_owned))
        .expect("ann is still in the app");
    let errors = errors(&ran.report);
    assert!(
        errors.contains("cleaning up target `hr`")
            && errors.contains(&format!(
                "of the 1 accounts this scenario's connector created, these may be left behind: Users/{ann}: DELETE {}/Users/{ann} answered 403",
                app.base
            )),
        "{errors}"
    );
    // The checks were judged all the same.
    assert!(
        checks(&ran.report)
            .iter()
            .any(|(c, ok, _)| c == "state" && *ok)
    );
}
