//! Stopping (issue 19): SIGINT or SIGTERM sent to a real `scimulate run`
//! before its connector is ready, in the middle of a scenario (faults on,
//! an `exec` delivery under way) and while it gathers the evidence, twice
//! in a row, to `certify` in the middle of its checks and to `serve`
//! (`certify.rs`). Each time: the exit status of the signal (130, 143; `serve`
//! 0), a JSON report that parses and says what was interrupted, and no
//! process scimulate started alive once it has exited. The processes are
//! recorded from /proc (the descendants of scimulate and their process
//! groups) before the signal, and looked for again after.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use rustix::process::{Pid, Signal};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

mod certify;
mod procs;

use procs::{Started, descendants};

/// The longest any awaited condition may take.
const BOUND: Duration = Duration::from_secs(60);
/// What the issue allows: nothing scimulate started is alive this long
/// after the signal.
const AFTER: Duration = Duration::from_secs(6);

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Polls `look` until it gives a value; panics after [`BOUND`].
async fn until<T>(what: &str, mut look: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = look() {
            return v;
        }
        assert!(start.elapsed() < BOUND, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A `scimulate` process with its folder (its working directory, reports
/// and output).
struct Scimulate {
    child: Child,
    dir: tempfile::TempDir,
}

impl Scimulate {
    fn spawn(args: &[&str]) -> Scimulate {
        let dir = tempfile::tempdir().unwrap();
        let out = std::fs::File::create(dir.path().join("stdout")).unwrap();
        let err = std::fs::File::create(dir.path().join("stderr")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_scimulate"))
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .args(args)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("scimulate starts");
        Scimulate { child, dir }
    }

    /// `run` with a JSON report in its folder and the terminal report.
    fn run(paths: &[PathBuf], extra: &[&str]) -> Scimulate {
        let mut args: Vec<String> = vec!["run".into()];
        args.extend(paths.iter().map(|p| p.display().to_string()));
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        args.extend([
            "--report".into(),
            "json:report.json".into(),
            "--report".into(),
            "terminal".into(),
        ]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Scimulate::spawn(&args)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn output(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_default()
    }

    fn signal(&self, signal: Signal) {
        let pid = Pid::from_raw(self.child.id() as i32).unwrap();
        rustix::process::kill_process(pid, signal).unwrap();
    }

    /// Waits (bounded) for the exit; its status code.
    async fn exit(&mut self) -> i32 {
        let status = until("scimulate to exit", || self.child.try_wait().unwrap()).await;
        status.code().unwrap_or_else(|| {
            panic!(
                "scimulate died by a signal ({status:?}); stderr:\n{}",
                self.output("stderr")
            )
        })
    }

    fn report(&self) -> Value {
        let text = std::fs::read_to_string(self.path("report.json"))
            .unwrap_or_else(|e| panic!("no JSON report ({e}); stderr:\n{}", self.output("stderr")));
        serde_json::from_str(&text).expect("the JSON report parses")
    }

    /// The newest run folder's targets file, once written.
    fn targets_file(&self) -> Option<Value> {
        let runs = self.path(".scimulate/runs");
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(runs)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .collect();
        dirs.sort();
        let text = std::fs::read_to_string(dirs.last()?.join("targets.json")).ok()?;
        serde_json::from_str(&text).ok()
    }
}

impl Drop for Scimulate {
    /// A test that failed before its scimulate exited leaves none running.
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Sends `signal`, then checks what the issue asks: the exit status, the
/// time it took, and that nothing `started` is alive once scimulate has
/// exited. Returns the time from the signal to the exit.
async fn stop(s: &mut Scimulate, started: &Started, signal: Signal, expected: i32) -> Duration {
    assert!(!started.pids.is_empty(), "no process recorded");
    let at = Instant::now();
    s.signal(signal);
    let code = s.exit().await;
    let took = at.elapsed();
    assert_eq!(
        code,
        expected,
        "stdout:\n{}\nstderr:\n{}",
        s.output("stdout"),
        s.output("stderr")
    );
    let alive = started.alive();
    assert!(alive.is_empty(), "alive after scimulate exited: {alive:?}");
    assert!(took < AFTER, "the stop took {took:?}");
    eprintln!("stopped by {signal:?} in {took:?}; processes recorded: {started:?}");
    took
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The reference connector as a connector file, with `extra` lines (a
/// different readiness, an audit URL).
fn reference(dir: &Path, ready: &str, audit: &str) -> PathBuf {
    let yaml = format!(
        "kind: connector\nname: reference\nstart:\n  command: [\"{{scimulate}}\", connector, --listen, \"127.0.0.1:{{port}}\", --targets, \"{{targets_file}}\", --workdir, \"{{workdir}}\"]\n  ready: {ready}\nevents:\n  webhook: {{ url: \"http://127.0.0.1:{{port}}/events\" }}\nreload: sighup\naudit: {{ http: \"{audit}\" }}\n"
    );
    write(dir, "connector.yaml", &yaml)
}

const TWO_PEOPLE: &str = "kind: scenario\nname: NAME\nseed: 7\ntargets:\n  app-a: { profile: generic-rfc }\npeople:\n  named:\n    bob: { userName: bob@acme.test }\n    carol: { userName: carol@acme.test }\nsteps:\n  - joiner: [bob, carol]\n  - wait: settled\n    timeout: 20s\nexpect:\n  - no_twins: {}\n";

fn scenario(dir: &Path, name: &str) -> PathBuf {
    write(
        dir,
        &format!("{name}.yaml"),
        &TWO_PEOPLE.replace("NAME", name),
    )
}

fn scenarios(report: &Value) -> &Vec<Value> {
    report["scenarios"].as_array().expect("scenarios")
}

/// The harness error messages of a scenario, joined.
fn errors(scenario: &Value) -> String {
    scenario["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Before the connector is ready, SIGTERM: the connector (a shell that
/// ignores SIGTERM, as does everything it starts) is killed with its whole
/// process group after the grace, the scenario is marked interrupted, the
/// next one is listed as not run, exit 143.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_before_the_connector_is_ready_kills_its_group_after_the_grace() {
    let files = tempfile::tempdir().unwrap();
    let connector = write(
        files.path(),
        "stubborn.yaml",
        "kind: connector\nname: stubborn\nstart:\n  command: [sh, -c, \"trap '' TERM; while true; do sleep 1; done\"]\n  ready: { log: \"never printed\", timeout: 120s }\nevents:\n  webhook: { url: \"http://127.0.0.1:{port}/events\" }\n",
    );
    let first = scenario(files.path(), "first");
    let second = scenario(files.path(), "second");
    let connector = connector.display().to_string();
    let mut s = Scimulate::run(&[first, second], &["--connector", &connector]);
    // The shell and its `sleep` running: the connector has started and is
    // not ready.
    let mut started = Started::default();
    until("the connector's shell and its sleep", || {
        let d = descendants(s.child.id() as i32);
        (d.iter().any(|p| p.cmdline.starts_with("sleep")) && d.len() >= 2).then_some(())
    })
    .await;
    started.record(&s.child);
    assert!(!started.groups.is_empty(), "{started:?}");
    let at = Instant::now();
    s.signal(Signal::TERM);
    let code = s.exit().await;
    let took = at.elapsed();
    assert_eq!(code, 143, "stderr:\n{}", s.output("stderr"));
    assert!(started.alive().is_empty(), "alive: {:?}", started.alive());
    // SIGTERM is ignored: SIGKILL comes after the 5 s grace, not before.
    assert!(
        took >= Duration::from_secs(5) && took < AFTER,
        "the stop took {took:?}"
    );
    eprintln!("stopped a connector that ignores SIGTERM in {took:?}");
    let report = s.report();
    assert_eq!(report["interrupted"], true);
    let list = scenarios(&report);
    assert_eq!(list.len(), 2, "{report}");
    assert_eq!(list[0]["interrupted"], true, "{}", list[0]);
    assert_eq!(list[0]["checks"].as_array().map(Vec::len), Some(0));
    let why = errors(&list[0]);
    assert!(
        why.contains("SIGTERM") && why.contains("getting ready"),
        "{why}"
    );
    assert!(list[1].get("interrupted").is_none(), "{}", list[1]);
    assert!(errors(&list[1]).contains("not run"), "{}", list[1]);
    let terminal = s.output("stdout");
    assert!(terminal.contains("INTERRUPTED"), "{terminal}");
}

/// A second signal hurries the stop: the stubborn connector gets SIGKILL
/// at once instead of after the grace; the exit status is the first
/// signal's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_signal_hurries_the_stop_without_abandoning_it() {
    let files = tempfile::tempdir().unwrap();
    let connector = write(
        files.path(),
        "stubborn.yaml",
        "kind: connector\nname: stubborn\nstart:\n  command: [sh, -c, \"trap '' TERM; while true; do sleep 1; done\"]\n  ready: { log: \"never printed\", timeout: 120s }\nevents:\n  webhook: { url: \"http://127.0.0.1:{port}/events\" }\n",
    );
    let first = scenario(files.path(), "first");
    let connector = connector.display().to_string();
    let mut s = Scimulate::run(&[first], &["--connector", &connector]);
    let mut started = Started::default();
    until("the connector's shell and its sleep", || {
        let d = descendants(s.child.id() as i32);
        (d.iter().any(|p| p.cmdline.starts_with("sleep")) && d.len() >= 2).then_some(())
    })
    .await;
    started.record(&s.child);
    let at = Instant::now();
    s.signal(Signal::INT);
    // The first signal is being handled once scimulate says so.
    until("the stop to begin", || {
        s.output("stderr").contains("SIGINT received").then_some(())
    })
    .await;
    s.signal(Signal::TERM);
    let code = s.exit().await;
    let took = at.elapsed();
    assert_eq!(code, 130, "stderr:\n{}", s.output("stderr"));
    assert!(started.alive().is_empty(), "alive: {:?}", started.alive());
    assert!(took < Duration::from_secs(4), "not hurried: {took:?}");
    assert!(
        s.output("stderr").contains("received again: hurrying"),
        "{}",
        s.output("stderr")
    );
    let report = s.report();
    assert_eq!(scenarios(&report)[0]["interrupted"], true);
    eprintln!("hurried stop in {took:?}");
}

/// Mid-scenario, SIGINT: the mass termination at time scale 10 with the
/// built-in reference connector, stopped once the target holds accounts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_mid_scenario_stops_the_connector_and_writes_the_report() {
    let scenario = repo().join("scenarios/mass-termination.yaml");
    let mut s = Scimulate::run(&[scenario], &["--time-scale", "10"]);
    let targets = until("the targets file", || s.targets_file()).await;
    let target = &targets["targets"][0];
    let url = format!("{}/Users?count=1", target["base_url"].as_str().unwrap());
    let token = target["auth"]["token"].as_str().unwrap().to_owned();
    let http = reqwest::Client::new();
    let start = Instant::now();
    loop {
        let held = match http.get(&url).bearer_auth(&token).send().await {
            Ok(r) => r.json::<Value>().await.ok(),
            Err(_) => None,
        };
        if held.is_some_and(|v| v["totalResults"].as_u64().unwrap_or(0) > 0) {
            break;
        }
        assert!(start.elapsed() < BOUND, "no account was provisioned");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut started = Started::default();
    started.record(&s.child);
    assert!(
        started
            .alive()
            .iter()
            .any(|p| p.cmdline.contains(" connector ")),
        "the reference connector runs: {started:?}"
    );
    stop(&mut s, &started, Signal::INT, 130).await;
    let report = s.report();
    assert_eq!(report["interrupted"], true);
    let list = scenarios(&report);
    assert_eq!(list.len(), 1);
    let sc = &list[0];
    assert_eq!(sc["interrupted"], true, "{sc}");
    assert_eq!(sc["passed"], false);
    assert_eq!(sc["checks"].as_array().map(Vec::len), Some(0));
    let why = errors(sc);
    assert!(
        why.contains("SIGINT") && why.contains("at step") && why.contains("connector was stopped"),
        "{why}"
    );
    assert!(
        sc["timeline"].as_array().is_some_and(|t| !t.is_empty()),
        "the timeline until the stop is kept"
    );
}

/// A server that records each GET of `/audit` and never answers it: the
/// run is then gathering its evidence, for as long as the test likes.
async fn hanging_audit() -> (String, mpsc::UnboundedReceiver<()>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = Router::new()
        .route(
            "/audit",
            get(|State(tx): State<mpsc::UnboundedSender<()>>| async move {
                let _ = tx.send(());
                std::future::pending::<StatusCode>().await
            }),
        )
        .with_state(tx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/audit", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, rx)
}

/// While judging, SIGTERM: every step has run and scimulate is reading the
/// connector's audit (which never answers) when the signal comes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_while_judging_stops_the_connector_and_marks_the_scenario() {
    let files = tempfile::tempdir().unwrap();
    let (audit, mut asked) = hanging_audit().await;
    let connector = reference(
        files.path(),
        "{ http: \"http://127.0.0.1:{port}/healthz\", timeout: 20s }",
        &audit,
    );
    let first = scenario(files.path(), "judged");
    let connector = connector.display().to_string();
    let mut s = Scimulate::run(&[first], &["--connector", &connector]);
    tokio::time::timeout(BOUND, asked.recv())
        .await
        .expect("the audit is read within the bound")
        .expect("the audit server runs");
    let mut started = Started::default();
    started.record(&s.child);
    stop(&mut s, &started, Signal::TERM, 143).await;
    let report = s.report();
    let sc = &scenarios(&report)[0];
    assert_eq!(sc["interrupted"], true, "{sc}");
    let why = errors(sc);
    assert!(
        why.contains("SIGTERM") && why.contains("evidence was gathered"),
        "{why}"
    );
}

/// Mid-scenario with a SCIM fault and a network toxic on, SIGINT: both are
/// cleared before the connector is stopped (the timeline says so), and
/// every report asked for is written, JUnit included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_with_faults_on_clears_them_and_writes_every_report() {
    let files = tempfile::tempdir().unwrap();
    let faulted = write(
        files.path(),
        "faulted.yaml",
        "kind: scenario\nname: faulted\nseed: 7\ntargets:\n  app-a: { profile: generic-rfc }\npeople:\n  named:\n    bob: { userName: bob@acme.test }\nsteps:\n  - fault: { target: app-a, kind: unavailable, for: 10m }\n  - network: { target: app-a, toxic: { type: latency, attributes: { latency: 200, jitter: 0 } } }\n  - joiner: [bob]\n  - after: 10m\nexpect:\n  - no_twins: {}\n",
    );
    let mut s = Scimulate::run(&[faulted], &["--report", "junit:junit.xml"]);
    let targets = until("the targets file", || s.targets_file()).await;
    let target = &targets["targets"][0];
    let url = format!("{}/Users?count=1", target["base_url"].as_str().unwrap());
    let token = target["auth"]["token"].as_str().unwrap().to_owned();
    let http = reqwest::Client::new();
    // Both on: the target answers 503, and slowly.
    let start = Instant::now();
    loop {
        let asked = Instant::now();
        let status = http
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .map(|r| r.status().as_u16())
            .ok();
        if status == Some(503) && asked.elapsed() >= Duration::from_millis(200) {
            break;
        }
        assert!(start.elapsed() < BOUND, "the faults never came on");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut started = Started::default();
    started.record(&s.child);
    stop(&mut s, &started, Signal::INT, 130).await;
    let report = s.report();
    let sc = &scenarios(&report)[0];
    assert_eq!(sc["interrupted"], true, "{sc}");
    let timeline: Vec<&str> = sc["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["summary"].as_str().unwrap())
        .collect();
    let on = timeline.iter().position(|t| *t == "fault unavailable on");
    let cleared = timeline.iter().position(|t| *t == "fault (all) cleared");
    let network = timeline.iter().position(|t| *t == "network cleared");
    assert!(on.is_some() && cleared > on && network > on, "{timeline:?}");
    let why = errors(sc);
    assert!(why.contains("step 4 of 4"), "{why}");
    let junit = std::fs::read_to_string(s.path("junit.xml")).expect("the JUnit report");
    assert!(junit.contains("<error"), "{junit}");
}

/// An `exec` delivery under way when SIGTERM comes (a shell waiting on a
/// `sleep`): the whole process group of the command is killed, not only
/// the shell.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_an_exec_delivery_kills_its_group() {
    let files = tempfile::tempdir().unwrap();
    let connector = write(
        files.path(),
        "exec.yaml",
        "kind: connector\nname: slow-exec\nevents:\n  exec: { command: [sh, -c, \"sleep 300; true\"], timeout: 5m }\n",
    );
    let first = scenario(files.path(), "delivering");
    let connector = connector.display().to_string();
    let mut s = Scimulate::run(&[first], &["--connector", &connector]);
    until("the exec command and its sleep", || {
        let d = descendants(s.child.id() as i32);
        d.iter()
            .any(|p| p.cmdline.starts_with("sleep 300"))
            .then_some(())
    })
    .await;
    let mut started = Started::default();
    started.record(&s.child);
    stop(&mut s, &started, Signal::TERM, 143).await;
    let report = s.report();
    let sc = &scenarios(&report)[0];
    assert_eq!(sc["interrupted"], true, "{sc}");
    assert!(errors(sc).contains("step 1 of 2"), "{}", errors(sc));
}
