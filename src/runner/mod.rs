//! `scimulate run` (SPEC §1, §5): for each scenario, start its targets and
//! the connector, play the steps, gather the evidence, hand it to the judge,
//! keep it in the run folder, and stop everything again. One scenario's
//! trouble never stops the next; SIGINT or SIGTERM does (`stop.rs`).

mod collect;
mod evidence_file;
mod existing;
mod gameday;
mod har;
mod live;
mod live_files;
mod run_dir;
mod settle;
mod snapshot;
mod stop;
mod upstream;

use crate::connector::{Connector, ConnectorFile, ConnectorOptions};
use crate::fault::Quirk;
use crate::judge::evidence::ConnectorExit;
use crate::netproxy::Client;
use crate::report::{
    CheckReport, HarSink, HarnessError, Progress, RunReport, ScenarioReport, TimelineKind,
};
use crate::scenario::Scenario;
use crate::scenario::gameday::GameDay;
use crate::scenario::truth::Truth;
use crate::serve::{self, ServeOptions, TargetAuth};
use crate::shutdown::Shutdown;
use chrono::Utc;
use futures_util::FutureExt;
use live::Live;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;

/// How one `run` is done.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub connector: ConnectorFile,
    /// Overrides every scenario's seed.
    pub seed: Option<u64>,
    /// Scenario seconds per wall second.
    pub time_scale: f64,
    pub toxiproxy: Option<String>,
    pub tls: bool,
    pub listen: IpAddr,
    /// The host connectors use to reach the targets, if not the listen
    /// address (`--advertise`).
    pub advertise: Option<String>,
    /// Each scenario gets a folder below this (the connector's workdir and
    /// targets file, kept for inspection).
    pub runs_dir: PathBuf,
    /// Run folders beyond this many of the newest are removed when the
    /// run starts (`--keep-runs`); `None` keeps them all.
    pub keep_runs: Option<usize>,
    /// Leave in the real apps (`upstream:` targets) the accounts the
    /// connector created (`--keep`); by default they are deleted when the
    /// scenario ends.
    pub keep: bool,
    /// SIGINT or SIGTERM: the scenario running stops (its faults cleared,
    /// its connector stopped, no judging) and the rest are not run.
    pub shutdown: Shutdown,
    /// The admin listener's port (the board's); `None`: the OS picks.
    pub admin_port: Option<u16>,
}

/// Runs every scenario in turn and reports on all of them; with `har`,
/// each scenario's requests go there as it ends (`--report har`).
pub async fn run(
    scenarios: &[Scenario],
    options: &RunOptions,
    progress: &mut dyn Progress,
    mut har: Option<&mut dyn HarSink>,
) -> (RunReport, Vec<String>) {
    let started_at = Utc::now();
    let clock = std::time::Instant::now();
    let mut reports = Vec::with_capacity(scenarios.len());
    let mut secrets = Vec::new();
    prune_runs(options);
    for (i, scenario) in scenarios.iter().enumerate() {
        if let Some(signal) = options.shutdown.signal() {
            // Listed, so that the report still accounts for the whole
            // selection (and partitions still merge).
            let stopped = reports
                .iter()
                .rev()
                .find(|r: &&ScenarioReport| r.interrupted);
            let during = stopped.map(|r| r.name.clone());
            reports.extend(
                scenarios[i..]
                    .iter()
                    .map(|s| stop::not_run(s, signal, during.as_deref())),
            );
            break;
        }
        progress.scenario_started(&scenario.name, i + 1, scenarios.len());
        let (report, mut used) =
            run_scenario(scenario, options, har.as_deref_mut(), &secrets).await;
        progress.scenario_finished(&report);
        reports.push(report);
        secrets.append(&mut used);
    }
    let seed = options
        .seed
        .or_else(|| scenarios.first().map(|s| s.seed))
        .unwrap_or(0);
    let duration_ms = u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX);
    let mut report = RunReport::run(seed, started_at, duration_ms, reports);
    report.interrupted = options.shutdown.is_requested();
    (report, secrets)
}

/// Removes the run folders beyond `--keep-runs`; a folder that cannot be
/// removed costs disk, not the run.
fn prune_runs(options: &RunOptions) {
    if let Some(keep) = options.keep_runs
        && let Err(e) = run_dir::prune(&options.runs_dir, keep)
    {
        eprintln!(
            "warning: could not remove old run folders in {}: {e}",
            options.runs_dir.display()
        );
    }
}

fn harness(scenario: &Scenario, during: &str, message: String) -> ScenarioReport {
    ScenarioReport::error(
        &scenario.name,
        &scenario.file.display().to_string(),
        HarnessError {
            during: Some(during.to_owned()),
            message,
        },
    )
}

/// Plays a game day (`scimulate gameday`): its scenario on the wall clock
/// with its hypotheses, safeguards and rollback. SIGINT or SIGTERM ends
/// it early: rolled back, then judged on what happened until then.
pub async fn gameday(
    day: &GameDay,
    options: &RunOptions,
    har: Option<&mut dyn HarSink>,
) -> (RunReport, Vec<String>) {
    let started_at = Utc::now();
    let clock = std::time::Instant::now();
    prune_runs(options);
    let (report, secrets) = play_scenario(&day.scenario, options, har, &[], Some(day)).await;
    let duration_ms = u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX);
    let seed = options.seed.unwrap_or(day.scenario.seed);
    let mut run = RunReport::run(seed, started_at, duration_ms, vec![report]);
    run.interrupted = options.shutdown.is_requested();
    (run, secrets)
}

/// Runs one scenario; returns its report and every secret it handed out
/// (for masking). With `har`, every request its targets received goes
/// there, masked with this scenario's secrets and `earlier` ones.
pub async fn run_scenario(
    scenario: &Scenario,
    options: &RunOptions,
    har: Option<&mut (dyn HarSink + '_)>,
    earlier: &[String],
) -> (ScenarioReport, Vec<String>) {
    play_scenario(scenario, options, har, earlier, None).await
}

/// A scenario, or with `day` the game day it is the method of.
async fn play_scenario(
    scenario: &Scenario,
    options: &RunOptions,
    har: Option<&mut (dyn HarSink + '_)>,
    earlier: &[String],
    day: Option<&GameDay>,
) -> (ScenarioReport, Vec<String>) {
    // The real apps' tokens and CAs, before anything starts.
    let apps = match upstream::Apps::prepare(scenario) {
        Ok(apps) => std::sync::Arc::new(apps),
        Err(e) => {
            return (
                harness(scenario, "preparing the upstream targets", e),
                vec![],
            );
        }
    };
    let stamp = Utc::now().format("%Y%m%dT%H%M%S%.3f").to_string();
    let run_dir = match run_dir::claim(&options.runs_dir, &stamp, &scenario.name) {
        Ok(dir) => dir,
        Err(e) => {
            return (
                harness(
                    scenario,
                    "preparing the run folder",
                    format!("{}: {e}", options.runs_dir.display()),
                ),
                vec![],
            );
        }
    };
    let named = scenario
        .targets
        .iter()
        .filter(|t| t.upstream.is_none())
        .map(|t| {
            let mut profile = t.profile.clone();
            profile.quirks.extend(t.quirks.iter().cloned().map(Quirk));
            (t.name.clone(), profile)
        })
        .collect();
    let serve_options = ServeOptions {
        listen: options.listen,
        seed: options.seed.unwrap_or(scenario.seed),
        tls_ca_file: options.tls.then(|| run_dir.join("ca.pem")),
        toxiproxy: options.toxiproxy.clone(),
        advertise: options.advertise.clone(),
        upstreams: apps.specs(),
        admin_port: options.admin_port,
    };
    let serving = match serve::start_named(named, &serve_options).await {
        Ok(s) => s,
        Err(e) => {
            return (
                harness(scenario, "starting the targets", e.to_string()),
                vec![],
            );
        }
    };
    let mut truth = Truth::new();
    let states: Vec<_> = serving.targets.iter().map(|t| &t.state).collect();
    if let Err(e) = existing::seed(scenario, &states, &mut truth) {
        let _ = serving.shutdown().await;
        return (
            harness(scenario, "seeding the existing accounts", e),
            vec![],
        );
    }
    let mut secrets = vec![serving.endpoints.admin.token.clone()];
    secrets.extend(apps.secrets());
    if let Err(message) = live_files::write_endpoints(&run_dir, &serving.endpoints) {
        let _ = serving.shutdown().await;
        return (
            harness(scenario, "writing the endpoints file", message),
            vec![],
        );
    }
    for t in serving.endpoints.targets.values() {
        match &t.auth {
            TargetAuth::Bearer { token } => secrets.push(token.clone()),
            TargetAuth::Oauth2ClientCredentials { client_secret, .. } => {
                secrets.push(client_secret.clone())
            }
            // The app's credentials are the connector's own.
            TargetAuth::Upstream => {}
        }
    }
    let mut targets = serving.endpoints.targets_file("").targets;
    targets.extend(apps.connector_targets(&serving));
    if let Some(host) = &options.advertise {
        for t in &mut targets {
            t.base_url = advertised(&t.base_url, host);
            if let crate::contract::targets_file::Auth::Oauth2ClientCredentials {
                token_url, ..
            } = &mut t.auth
            {
                *token_url = advertised(token_url, host);
            }
        }
    }
    let connector_options = ConnectorOptions {
        time_scale: Some(options.time_scale),
        shutdown: options.shutdown.clone(),
        ..ConnectorOptions::new(run_dir.to_path_buf())
    };
    if let Some(signal) = options.shutdown.signal() {
        let _ = serving.shutdown().await;
        let report = stop::interrupted(
            scenario,
            signal,
            "starting the connector",
            "before the connector started",
        );
        return (report, secrets);
    }
    let connector =
        match Connector::start(options.connector.clone(), targets, &connector_options).await {
            Ok(c) => c,
            Err(e) => {
                if let Some(har) = har {
                    let all = [earlier, &secrets[..]].concat();
                    har::pages(har, &scenario.name, Utc::now(), &serving, &all);
                }
                let cleaned = apps.clean_up(&serving, options.keep).await;
                let _ = serving.shutdown().await;
                // The credentials are dead now; a failure to mask them is
                // second to the connector's.
                let _ = live_files::retire(&run_dir, &secrets);
                let report = match options.shutdown.signal() {
                    Some(signal) => stop::interrupted(
                        scenario,
                        signal,
                        "starting the connector",
                        &format!("while the connector was getting ready: {e}"),
                    ),
                    None => harness(scenario, "starting the connector", e.to_string()),
                };
                let mut report = report;
                report.errors.extend(cleaned);
                report.refresh_passed();
                return (report, secrets);
            }
        };
    let proxy = serving
        .endpoints
        .toxiproxy
        .as_ref()
        .and_then(|t| Client::new(&t.url).ok());
    let mut live = Live {
        scenario,
        serving,
        connector,
        people: scenario
            .people
            .iter()
            .map(|p| (p.key.as_str(), p))
            .collect(),
        truth,
        scale: if options.time_scale > 0.0 {
            options.time_scale
        } else {
            1.0
        },
        started: tokio::time::Instant::now(),
        started_at: Utc::now(),
        events: Vec::new(),
        faults: Vec::new(),
        open_faults: Vec::new(),
        rotations: BTreeMap::new(),
        timeline: Vec::new(),
        unsettled: Vec::new(),
        errors: Vec::new(),
        proxy,
        hung: Vec::new(),
        sent_log: day.map(|_| live::SentLog::default()),
        apps,
    };
    for (target, n) in existing::counts(scenario) {
        live.note(
            TimelineKind::Step,
            Some(target),
            format!("existing: {n} accounts seeded before the connector started"),
        );
    }
    let (played, probes, stopped) = match day {
        Some(day) => {
            announce(day, &live, &run_dir);
            let method = gameday::method(&mut live, &options.shutdown, day).await;
            (method.played, method.traces, method.stopped)
        }
        None => (play(&mut live, &options.shutdown).await, Vec::new(), None),
    };
    let judged = match played {
        Played::Ended(exited) => {
            let judging = async {
                let mut evidence = collect::evidence(&mut live, exited).await;
                evidence.probes = probes;
                let results = crate::judge::judge(&evidence);
                (evidence, results)
            };
            if stopped.is_some() {
                // A game day stopped by a signal is judged all the same:
                // its report is what the person stopping it wants.
                Ok(judging.await)
            } else {
                tokio::select! {
                    done = judging => Ok(done),
                    signal = options.shutdown.requested() => Err((
                        signal,
                        "gathering the evidence".to_owned(),
                        "while the evidence was gathered and judged (every step had run)".to_owned(),
                    )),
                }
            }
        }
        Played::Stopped { signal, step } => Err((signal, step.clone(), format!("at {step}"))),
    };
    let (evidence, results) = match judged {
        Ok(done) => done,
        Err((signal, during, when)) => {
            secrets.extend(live.current_tokens());
            // What the targets received until the stop is part of the
            // record: the HAR gets its pages as for a scenario that ended.
            if let Some(har) = har {
                let all = [earlier, &secrets[..]].concat();
                har::pages(har, &scenario.name, live.started_at, &live.serving, &all);
            }
            let seed = options.seed.unwrap_or(scenario.seed);
            let report = stop::stop_live(live, signal, (&during, &when), seed, options.keep).await;
            let _ = live_files::retire(&run_dir, &secrets);
            return (report, secrets);
        }
    };
    // Tokens rotated during the run are secrets too.
    secrets.extend(live.current_tokens());
    if let Some(har) = har {
        let all = [earlier, &secrets[..]].concat();
        har::pages(har, &scenario.name, live.started_at, &live.serving, &all);
    }
    let ended = live.end(options.keep).await;
    let retired = live_files::retire(&run_dir, &secrets);
    let checks = results
        .into_iter()
        .map(|r| {
            let journal = crate::judge::cited(&evidence, &r)
                .into_iter()
                .map(|q| crate::judge::journal_entry(&r.target, q))
                .collect();
            CheckReport {
                journal,
                ..CheckReport::from(r)
            }
        })
        .collect();
    let mut report =
        ScenarioReport::new(&scenario.name, &scenario.file.display().to_string(), checks);
    report.traffic = crate::report::traffic(&evidence);
    report.slis = Some(crate::judge::slis(&evidence));
    report.description = scenario.description.clone();
    report.seed = Some(options.seed.unwrap_or(scenario.seed));
    report.duration_ms = Some(ended.duration_ms());
    report.timeline = ended.timeline;
    report.alerts = ended.alerts;
    report.interrupted = stopped.is_some();
    report.probes = crate::report::probes(&evidence);
    report.errors = ended.step_errors;
    if let Err(message) = retired {
        report.errors.push(HarnessError {
            during: Some("masking the run folder's credentials".into()),
            message,
        });
    }
    report.errors.extend(ended.dropped);
    report.errors.extend(ended.cleaned);
    if let Err(message) = evidence_file::write(&run_dir, &evidence, &secrets) {
        report.errors.push(HarnessError {
            during: Some("writing the evidence file".into()),
            message,
        });
    }
    report.refresh_passed();
    (report, secrets)
}

/// Tells the person running a game day where its board and endpoints are.
fn announce(day: &GameDay, live: &Live<'_>, run_dir: &std::path::Path) {
    // The admin token is a secret: it stays in the endpoints file (the
    // owner's alone), which the board's login field takes it from.
    let endpoints = run_dir.join("endpoints.json");
    eprintln!(
        "game day {}: the board is at {}/ (admin token: `admin.token` in {}; or open {}/#token=TOKEN)",
        day.scenario.name,
        live.serving.endpoints.admin.url,
        endpoints.display(),
        live.serving.endpoints.admin.url,
    );
    eprintln!(
        "  the endpoints file holds each target's URL and token, for a connector running elsewhere"
    );
    if day.connector == crate::scenario::gameday::GameDayConnector::Elsewhere {
        eprintln!(
            "  alerts: the connector may POST them to {}",
            live.connector.values().alert_url
        );
    }
}

/// `url` with its host replaced by `host` (the port and path kept).
fn advertised(url: &str, host: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let port = authority.rsplit_once(':').map(|(_, p)| p);
    match port {
        Some(port) => format!("{scheme}://{host}:{port}{path}"),
        None => format!("{scheme}://{host}{path}"),
    }
}

/// How playing the steps ended.
enum Played {
    /// Every step ran, or the connector died (how, if it did).
    Ended(Option<ConnectorExit>),
    /// A stop signal came; `step` says where, for the report.
    Stopped {
        signal: crate::shutdown::StopSignal,
        step: String,
    },
}

/// Plays the steps in order, watching the connector: if it dies (other
/// than when a step restarts it), the scenario stops there, and how it died
/// is returned. A stop signal abandons the step under way (an event in
/// flight, a wait), except a restart, which stops by itself: its new
/// process is stopped like any connector getting ready.
async fn play(live: &mut Live<'_>, shutdown: &Shutdown) -> Played {
    let steps = &live.scenario.steps;
    let stopped = |i: usize, signal| Played::Stopped {
        signal,
        step: format!(
            "step {} of {} (line {})",
            i + 1,
            steps.len(),
            steps[i].place.line
        ),
    };
    for (i, step) in steps.iter().enumerate() {
        let restarts = matches!(
            step.action,
            crate::scenario::Action::RestartConnector { .. }
        );
        let exited = live.connector.exited();
        if restarts {
            tokio::select! {
                () = live.wait_for_turn(step) => {}
                signal = shutdown.requested() => return stopped(i, signal),
            }
            live.step(i, step).await;
            if let Some(signal) = shutdown.signal() {
                return stopped(i, signal);
            }
            continue;
        }
        tokio::select! {
            _ = async { live.wait_for_turn(step).await; live.step(i, step).await; } => {}
            exit = exited => return Played::Ended(Some(dead(exit))),
            signal = shutdown.requested() => return stopped(i, signal),
        }
    }
    Played::Ended(live.connector.exited().now_or_never().map(dead))
}

fn dead(exit: crate::connector::process::Exit) -> ConnectorExit {
    ConnectorExit {
        at: Utc::now(),
        how: exit.to_string(),
        last_lines: exit.last_lines.into_iter().map(|l| l.text).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::advertised;

    #[test]
    fn advertised_urls_keep_port_and_path() {
        assert_eq!(
            advertised("http://127.0.0.1:40002/scim/v2", "scim.test"),
            "http://scim.test:40002/scim/v2"
        );
        assert_eq!(advertised("https://[::1]:9/x", "h"), "https://h:9/x");
    }
}
