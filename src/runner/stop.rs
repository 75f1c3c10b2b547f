//! A scenario stopped by SIGINT or SIGTERM (docs/reports.md "Stopping"):
//! no more events, its faults cleared, its connector stopped (SIGTERM to
//! the process group, SIGKILL after the grace or at a second signal), its
//! targets shut down (what its connector created in a real app deleted,
//! unless `--keep`), and a report that says where it stopped. It is not
//! judged: checks on a run cut short would fail for the cut, not for the
//! connector. The scenarios after it are listed as not run.

use super::live::Live;
use crate::report::{HarnessError, ScenarioReport};
use crate::scenario::Scenario;
use crate::shutdown::StopSignal;

/// The scenario that was running, stopped `during` a phase ("step 2 of 4
/// (line 12)") and `when` within it: not judged, marked interrupted.
pub(crate) fn interrupted(
    scenario: &Scenario,
    signal: StopSignal,
    during: &str,
    when: &str,
) -> ScenarioReport {
    let mut report = ScenarioReport::error(
        &scenario.name,
        &scenario.file.display().to_string(),
        HarnessError {
            during: Some(during.to_owned()),
            message: format!("stopped by {} {when}; not judged", signal.name()),
        },
    );
    report.description = scenario.description.clone();
    report.interrupted = true;
    report
}

/// A scenario the stop left unrun.
pub(crate) fn not_run(
    scenario: &Scenario,
    signal: StopSignal,
    during: Option<&str>,
) -> ScenarioReport {
    let during = match during {
        Some(name) => format!(" during scenario {name}"),
        None => String::new(),
    };
    let mut report = ScenarioReport::error(
        &scenario.name,
        &scenario.file.display().to_string(),
        HarnessError {
            during: None,
            message: format!("not run: the run was stopped by {}{during}", signal.name()),
        },
    );
    report.description = scenario.description.clone();
    report
}

/// Stops a scenario under way: faults off first (the connector's last
/// requests meet none), then the connector, then the targets. The report
/// keeps what happened until then (timeline, alerts, step errors).
pub(crate) async fn stop_live(
    mut live: Live<'_>,
    signal: StopSignal,
    (during, when): (&str, &str),
    seed: u64,
    keep: bool,
) -> ScenarioReport {
    live.clear_all_faults().await;
    let scenario = live.scenario;
    let ended = live.end(keep).await;
    let stopped = match &ended.exit {
        Some(exit) => format!("the connector was stopped ({exit})"),
        None => "scimulate had not started the connector".to_owned(),
    };
    let mut report = interrupted(
        scenario,
        signal,
        during,
        &format!("{when}; events stopped, faults cleared, {stopped}"),
    );
    report.seed = Some(seed);
    report.duration_ms = Some(ended.duration_ms());
    report.timeline = ended.timeline;
    report.alerts = ended.alerts;
    report.errors.extend(ended.step_errors);
    report.errors.extend(ended.dropped);
    report.errors.extend(ended.cleaned);
    report.refresh_passed();
    report
}
