//! `scimulate gameday` as a user runs it (issue 18): hypotheses that hold
//! for a correct connector and break for one that loses a leaver, a
//! safeguard that stops the method and rolls back, Ctrl-C that rolls back
//! and still reports, a game day whose connector runs elsewhere, and bad
//! files refused with their place.

use crate::common;
use rustix::process::{Pid, Signal};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The longest any awaited condition may take.
const BOUND: Duration = Duration::from_secs(60);

struct Day {
    dir: tempfile::TempDir,
    file: PathBuf,
}

/// A game-day file in a fresh folder; `CONNECTOR` in `yaml` becomes the
/// reference connector with `defects`, or the line goes when `None`.
fn day(yaml: &str, defects: Option<&[&str]>) -> Day {
    let dir = tempfile::tempdir().unwrap();
    let yaml = match defects {
        Some(defects) => {
            let conn = common::reference_connector_file(dir.path(), defects);
            yaml.replace("CONNECTOR", &conn.display().to_string())
        }
        None => yaml
            .lines()
            .filter(|l| !l.contains("CONNECTOR"))
            .map(|l| format!("{l}\n"))
            .collect(),
    };
    let file = dir.path().join("day.yaml");
    std::fs::write(&file, yaml).unwrap();
    Day { dir, file }
}

fn command(d: &Day, extra: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scimulate"));
    cmd.current_dir(d.dir.path())
        .env("NO_COLOR", "1")
        .arg("gameday")
        .arg(&d.file)
        .args(["--report", "terminal", "--report", "json:report.json"])
        .args(extra);
    cmd
}

/// Plays the game day to its end: exit code, JSON report, stderr.
fn play(d: &Day) -> (Option<i32>, Value, String) {
    let out = command(d, &[]).output().expect("scimulate runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let text = std::fs::read_to_string(d.dir.path().join("report.json"))
        .unwrap_or_else(|e| panic!("no report ({e}); exit {:?}: {stderr}", out.status.code()));
    (
        out.status.code(),
        serde_json::from_str(&text).unwrap(),
        stderr,
    )
}

/// The verdict of the probe checks, by description: (check, passed, message).
fn probe_checks(report: &Value) -> Vec<(String, bool, String)> {
    common::checks(report)
        .into_iter()
        .filter(|(check, ..)| check == "hypothesis" || check == "safeguard")
        .map(|(check, _, passed, message)| (check, passed, message))
        .collect()
}

fn timeline(report: &Value) -> Vec<String> {
    report["scenarios"][0]["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["summary"].as_str().unwrap().to_owned())
        .collect()
}

const LEAVER: &str = "kind: gameday
name: leaver-during-expired-token
connector: CONNECTOR
targets:
  app-a: { profile: generic-rfc }
people:
  generate: { count: 3 }
existing:
  - people: p1..p2
steps:
  - fault: { target: app-a, kind: token_expired }
  - leaver: p1
  - after: 1s
    rotate_token: app-a
  - after: 5s
hypotheses:
  - no_active_leaver: { within: 3s, every: 250ms }
  - no_twins: { every: 250ms }
";

#[test]
fn a_leaver_lost_in_an_outage_breaks_the_hypothesis_and_a_correct_connector_keeps_it() {
    let good = day(LEAVER, Some(&[]));
    let (code, report, stderr) = play(&good);
    let probes = probe_checks(&report);
    assert_eq!(code, Some(0), "{probes:?}\n{stderr}");
    assert_eq!(probes.len(), 2);
    assert!(probes.iter().all(|(_, passed, _)| *passed), "{probes:?}");
    assert!(
        probes[0]
            .2
            .starts_with("no_active_leaver within 3s: held at all"),
        "{}",
        probes[0].2
    );
    // Looked at before the method and every 250 ms through its 6 s.
    let spans = &report["scenarios"][0]["probes"][0]["spans"];
    let looks = spans[0]["looks"].as_u64().unwrap();
    assert!(looks >= 20, "{spans}");
    assert!(
        stderr.contains("the board is at http://127.0.0.1:"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("#token=") || stderr.contains("#token=TOKEN"),
        "no secret printed: {stderr}"
    );

    let lossy = day(LEAVER, Some(&["no-queue"]));
    let (code, report, _) = play(&lossy);
    let probes = probe_checks(&report);
    assert_eq!(code, Some(1));
    let (_, passed, message) = &probes[0];
    assert!(!passed, "{message}");
    assert!(
        message.contains("1 still active more than 3s after leaving: p1 in app-a"),
        "{message}"
    );
    assert!(probes[1].1, "nobody got two accounts: {probes:?}");
    let spans = report["scenarios"][0]["probes"][0]["spans"]
        .as_array()
        .unwrap();
    assert_eq!(
        spans
            .iter()
            .map(|s| s["ok"].as_bool().unwrap())
            .collect::<Vec<_>>(),
        [true, false],
        "held until the leaver was 3 s overdue, then broke: {spans:?}"
    );
}

const STORM: &str = "kind: gameday
name: safeguard-stops-the-method
connector: CONNECTOR
targets:
  app-a: { profile: generic-rfc }
  app-b: { profile: generic-rfc }
people:
  generate: { count: 3 }
steps:
  - fault: { target: app-a, kind: server_error, for: 60s }
  - joiner: [p1, p2]
  - after: 30s
    leaver: p1
hypotheses:
  - error_rate: { target: app-b, below: 5%, window: 10s, every: 250ms }
safeguards:
  - error_rate: { target: app-a, above: 50%, window: 5s, every: 250ms }
  - error_rate: { target: app-b, above: 50%, window: 5s, every: 250ms }
rollback: on_abort
";

#[test]
fn a_safeguard_that_fires_stops_the_method_and_rolls_back() {
    let d = day(STORM, Some(&[]));
    let clock = Instant::now();
    let (code, report, stderr) = play(&d);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        clock.elapsed() < Duration::from_secs(25),
        "the method stopped long before its 30 s step: {:?}",
        clock.elapsed()
    );
    let probes = probe_checks(&report);
    let fired: Vec<&(String, bool, String)> = probes.iter().filter(|p| !p.1).collect();
    assert_eq!(fired.len(), 1, "{probes:?}");
    assert_eq!(fired[0].0, "safeguard");
    assert!(
        fired[0]
            .2
            .starts_with("error_rate of app-a above 50% over 5s fired at +"),
        "{}",
        fired[0].2
    );
    assert!(fired[0].2.contains("× 500"), "{}", fired[0].2);
    assert!(
        probes
            .iter()
            .any(|p| p.0 == "safeguard" && p.1 && p.2.contains("app-b"))
    );
    assert!(
        probes.iter().any(|p| p.0 == "hypothesis" && p.1),
        "app-b stayed healthy"
    );
    let lines = timeline(&report);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("safeguard fired: error_rate of app-a")),
        "{lines:?}"
    );
    assert!(
        !lines.iter().any(|l| l.starts_with("leaver p1")),
        "the method stopped: {lines:?}"
    );
    let rollback = lines
        .iter()
        .find(|l| l.starts_with("rollback:"))
        .expect("rolled back");
    assert!(
        rollback.contains("every proxy enabled (0 had been disabled)"),
        "{rollback}"
    );
    assert!(
        lines.iter().any(|l| l == "fault (all) cleared"),
        "the step's fault ended at the rollback: {lines:?}"
    );
    let fired_at = report["scenarios"][0]["probes"][1]["fired_at_ms"]
        .as_u64()
        .unwrap();
    assert!(fired_at < 10_000, "{fired_at}");
}

const LONG: &str = "kind: gameday
name: stopped-by-ctrl-c
connector: CONNECTOR
targets:
  app-a: { profile: generic-rfc }
people:
  generate: { count: 2 }
steps:
  - joiner: p1
  - fault: { target: app-a, kind: rate_limit }
  - after: 120s
    leaver: p1
hypotheses:
  - no_twins: { every: 250ms }
rollback: on_abort
";

/// The run folder's endpoints file once the game day has written it.
fn endpoints(dir: &Path) -> Option<Value> {
    let runs = dir.join(".scimulate/runs");
    let run = std::fs::read_dir(runs).ok()?.next()?.ok()?.path();
    let text = std::fs::read_to_string(run.join("endpoints.json")).ok()?;
    serde_json::from_str(&text).ok()
}

fn until<T>(what: &str, mut look: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = look() {
            return v;
        }
        assert!(start.elapsed() < BOUND, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_rolls_back_every_fault_and_toxic_then_reports() {
    let d = day(LONG, Some(&[]));
    let mut child = command(&d, &[])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let dir = d.dir.path().to_owned();
    let endpoints =
        tokio::task::spawn_blocking(move || until("the endpoints file", || endpoints(&dir)))
            .await
            .unwrap();
    let admin = endpoints["admin"]["url"].as_str().unwrap().to_owned();
    let token = endpoints["admin"]["token"].as_str().unwrap().to_owned();
    let toxiproxy = endpoints["toxiproxy"]["url"].as_str().unwrap().to_owned();
    let http = reqwest::Client::new();
    // A fault from the board's form and a toxic from the Toxiproxy API,
    // beside the step's own: the rollback clears them all.
    let added = http
        .post(format!("{admin}/targets/app-a/faults"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"kind": "latency", "delay": "10ms"}))
        .send()
        .await
        .unwrap();
    assert!(
        added.status().is_success(),
        "{}",
        added.text().await.unwrap()
    );
    let toxic = http
        .post(format!("{toxiproxy}/proxies/app-a/toxics"))
        .json(&serde_json::json!({"name": "slow", "type": "latency", "attributes": {"latency": 5}}))
        .send()
        .await
        .unwrap();
    assert!(
        toxic.status().is_success(),
        "{}",
        toxic.text().await.unwrap()
    );
    // And app-a cut off: its proxy disabled.
    let cut = http
        .post(format!("{toxiproxy}/proxies/app-a"))
        .json(&serde_json::json!({"enabled": false}))
        .send()
        .await
        .unwrap();
    assert!(cut.status().is_success(), "{}", cut.text().await.unwrap());
    // The method has reached its long pause: the step's fault is on.
    until_async(|| async {
        let faults: Value = http
            .get(format!("{admin}/targets/app-a/faults"))
            .bearer_auth(&token)
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        let kinds = faults.to_string();
        kinds.contains("rate_limit").then_some(())
    })
    .await;
    // The board's own view of the game day: its probe, looked at already.
    let board = until_async(|| async {
        let v: Value = http
            .get(format!("{admin}/gameday"))
            .bearer_auth(&token)
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        (v["probes"][0]["state"] == "holds").then_some(v)
    })
    .await;
    assert_eq!(board["gameday"]["name"], "stopped-by-ctrl-c");
    assert_eq!(board["probes"][0]["description"], "no_twins");

    rustix::process::kill_process(Pid::from_child(&child), Signal::INT).unwrap();
    let status = tokio::task::spawn_blocking(move || {
        let start = Instant::now();
        loop {
            if let Some(s) = child.try_wait().unwrap() {
                return s;
            }
            assert!(start.elapsed() < BOUND, "still running after SIGINT");
            std::thread::sleep(Duration::from_millis(50));
        }
    })
    .await
    .unwrap();
    assert_eq!(status.code(), Some(130));
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(d.dir.path().join("report.json")).unwrap())
            .unwrap();
    let scenario = &report["scenarios"][0];
    assert_eq!(scenario["interrupted"], true);
    let lines = timeline(&report);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("stopped by SIGINT at step 3 of 3")),
        "{lines:?}"
    );
    let rollback = lines
        .iter()
        .find(|l| l.starts_with("rollback:"))
        .expect("rolled back");
    assert!(
        rollback.contains(
            "(1 more than the steps had set), 1 toxics removed, every proxy enabled (1 had been disabled)"
        ),
        "{rollback}"
    );
    // Judged all the same, on what happened until the stop.
    let probes = probe_checks(&report);
    assert_eq!(probes.len(), 1);
    assert!(probes[0].1, "{probes:?}");
}

async fn until_async<T, F: std::future::Future<Output = Option<T>>>(
    mut look: impl FnMut() -> F,
) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = look().await {
            return v;
        }
        assert!(start.elapsed() < BOUND, "timed out");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

const ELSEWHERE: &str = "kind: gameday
name: connector-elsewhere
targets:
  app-a: { profile: generic-rfc }
steps:
  - fault: { target: app-a, kind: forbidden }
  - after: 4s
  - fault: { target: app-a, clear: all }
hypotheses:
  - error_rate: { target: app-a, below: 20%, window: 1m, every: 250ms }
  - no_twins: { every: 250ms }
";

#[tokio::test(flavor = "multi_thread")]
async fn a_connector_running_elsewhere_is_watched_through_the_endpoints_file() {
    let d = day(ELSEWHERE, None);
    let child = command(&d, &[])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let dir = d.dir.path().to_owned();
    let endpoints =
        tokio::task::spawn_blocking(move || until("the endpoints file", || endpoints(&dir)))
            .await
            .unwrap();
    let target = &endpoints["targets"]["app-a"];
    let url = target["base_url"].as_str().unwrap();
    let token = target["auth"]["token"].as_str().unwrap();
    // The connector running elsewhere: once the step has switched the
    // fault on, its requests meet it.
    let http = reqwest::Client::new();
    let get = || async {
        http.get(format!("{url}/Users?count=1"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    until_async(|| async { (get().await == 403).then_some(()) }).await;
    for _ in 0..2 {
        assert_eq!(get().await, 403);
    }
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("alerts: the connector may POST them to http://127.0.0.1:"),
        "{stderr}"
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(d.dir.path().join("report.json")).unwrap())
            .unwrap();
    let probes = probe_checks(&report);
    assert!(
        !probes[0].1 && probes[0].2.contains("3 × 403"),
        "{probes:?}"
    );
    assert!(probes[1].1, "{probes:?}");
    // Without events there is nothing for the source of truth to hold.
    let checks: Vec<String> = common::checks(&report).into_iter().map(|c| c.0).collect();
    assert!(!checks.contains(&"state".to_owned()), "{checks:?}");
}

#[rstest::rstest]
#[case::impossible_threshold(
    "hypotheses:\n  - error_rate: { target: app-a, below: 150% }\n",
    "day.yaml: line 8 column 41: hypotheses: error_rate: below: `150%` is an impossible threshold"
)]
#[case::unknown_target(
    "safeguards:\n  - error_rate: { target: app-b, above: 50% }\n",
    "day.yaml: line 8 column 27: no target named `app-b`: expected one of app-a"
)]
fn bad_game_day_files_are_refused_with_their_place(#[case] sections: &str, #[case] said: &str) {
    let d = day(
        &format!(
            "kind: gameday\nname: bad\ntargets:\n  app-a: {{ profile: generic-rfc }}\nsteps:\n  - after: 1s\n{sections}"
        ),
        None,
    );
    let out = command(&d, &[]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(said), "{stderr}");
    // And `run` refuses a game day, saying where it belongs.
    let out = Command::new(env!("CARGO_BIN_EXE_scimulate"))
        .current_dir(d.dir.path())
        .args(["run", "day.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("belongs in a game-day file, played by `scimulate gameday`"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A game day whose app is real (an in-process `scimulate serve` plays it,
/// fronted through `upstream:`): the leaver probe reads the app itself,
/// with the read token, so it holds for a correct connector and breaks
/// for one that drops the leaver it could not deliver during a 429 storm.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn against_a_real_app_the_probes_read_the_apps_own_state() {
    let app = common::generic().await;
    let yaml = format!(
        "kind: gameday
name: real-app
connector: CONNECTOR
targets:
  hr: {{ upstream: \"{}\", read_token_env: GAMEDAY_READ, token_env: GAMEDAY_TOKEN }}
people:
  generate: {{ count: 2 }}
steps:
  - joiner: [p1, p2]
  - wait: settled
    timeout: 20s
  - fault: {{ target: hr, kind: rate_limit, for: 2s, retry_after: 1s }}
  - leaver: p1
  - after: 6s
hypotheses:
  - no_active_leaver: {{ within: 4s, every: 250ms }}
",
        app.base
    );
    for (defects, holds) in [(&[][..], true), (&["no-queue"][..], false)] {
        let d = day(&yaml, Some(defects));
        let mut cmd = command(&d, &[]);
        cmd.env("GAMEDAY_READ", &app.token)
            .env("GAMEDAY_TOKEN", &app.token);
        let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let report: Value = serde_json::from_str(
            &std::fs::read_to_string(d.dir.path().join("report.json"))
                .unwrap_or_else(|e| panic!("{e}: {stderr}")),
        )
        .unwrap();
        let probes = probe_checks(&report);
        assert_eq!(probes.len(), 1, "{report}");
        assert_eq!(probes[0].1, holds, "{defects:?}: {probes:?}\n{stderr}");
        if !holds {
            assert!(probes[0].2.contains("p1 in hr"), "{}", probes[0].2);
        }
    }
}
