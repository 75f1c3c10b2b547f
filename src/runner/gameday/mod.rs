//! `scimulate gameday` (docs/gamedays.md): a scenario played on the wall
//! clock while its hypotheses are looked at before, during and after the
//! method, its safeguards stop the method when one fires, and the rollback
//! clears every fault and toxic. The scenario runner does the rest (targets,
//! connector, evidence, judging); this is the part around its steps.

mod looks;
mod sampler;

use super::live::Live;
use super::{Played, play};
use crate::judge::evidence::{ProbeRole, ProbeTrace};
use crate::report::TimelineKind;
use crate::scenario::gameday::{CONVERGE_TIMEOUT, GameDay, ProbeKind, Rollback};
use crate::shutdown::{Shutdown, StopSignal};
use chrono::Utc;
use looks::{Look, Looker};
use sampler::{Sampler, record};
use tokio::sync::watch;

/// How the method ended.
pub(crate) struct Method {
    pub played: Played,
    /// Each probe's state over time.
    pub traces: Vec<ProbeTrace>,
    /// A stop signal ended the game day: it is still judged (on what
    /// happened until then) and its report says it was stopped.
    pub stopped: Option<StopSignal>,
}

/// Plays the game day's method with its probes looked at all along, then
/// rolls back as `rollback` says and looks at `state: converged`.
pub(crate) async fn method(live: &mut Live<'_>, shutdown: &Shutdown, day: &GameDay) -> Method {
    let sent = live.sent_log.clone().unwrap_or_default();
    let looker = Looker::new(
        live.serving
            .targets
            .iter()
            .map(|t| t.state.clone())
            .collect(),
        live.apps.clone(),
        live.scenario.people.clone(),
        sent,
    );
    let probes = day
        .hypotheses
        .iter()
        .map(|p| (ProbeRole::Hypothesis, p.clone()))
        .chain(
            day.safeguards
                .iter()
                .map(|p| (ProbeRole::Safeguard, p.clone())),
        )
        .collect();
    let mut sampler = Sampler::new(
        looker,
        probes,
        live.serving.bulletin.clone(),
        live.connector.alerts().clone(),
        live.started_at,
        day.scenario.name.clone(),
    );
    // Before the method: the steady state must hold, or there is nothing
    // to learn from disturbing it.
    let fired_before = sampler.look_due().await;
    let steady = sampler.steady() && fired_before.is_none();
    let traces = sampler.traces.clone();
    let (stop_tx, stop_rx) = watch::channel(false);
    let (fired_tx, mut fired_rx) = watch::channel(None);
    let task = tokio::spawn(sampler.run(stop_rx, fired_tx));

    let mut stopped = None;
    let mut aborted = false;
    let played = if !steady {
        let broken: Vec<String> = traces
            .lock()
            .iter()
            .filter(|t| t.spans.last().is_some_and(|s| !s.ok))
            .map(|t| format!("{} ({})", t.description, t.spans[0].detail))
            .collect();
        live.note(
            TimelineKind::Step,
            None,
            format!(
                "the steady state did not hold before the method, so the method was not run: {}",
                broken.join("; ")
            ),
        );
        Played::Ended(None)
    } else {
        let fired = async {
            // A sampler that ended without a fire (it cannot, before it is
            // told to stop) must not pass for one.
            if fired_rx.wait_for(Option::is_some).await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            played = play(live, shutdown) => played,
            () = fired => {
                aborted = true;
                Played::Ended(None)
            }
        }
    };
    if aborted {
        let which = traces
            .lock()
            .iter()
            .find(|t| t.fired_at.is_some())
            .map(|t| t.description.clone())
            .unwrap_or_default();
        live.note(
            TimelineKind::Step,
            None,
            format!("safeguard fired: {which}; the method stopped"),
        );
    }
    let played = match played {
        Played::Stopped { signal, step } => {
            stopped = Some(signal);
            live.note(
                TimelineKind::Step,
                None,
                format!("stopped by {} at {step}", signal.name()),
            );
            Played::Ended(None)
        }
        ended => ended,
    };
    if stopped.is_some() || aborted || day.rollback == Rollback::Always {
        live.rollback().await;
    }
    live.serving.bulletin.gameday(serde_json::json!({
        "name": day.scenario.name, "phase": "after the method",
    }));
    // `state: converged`, once the method is over (not after a stop: the
    // person stopping wants the report, not another wait).
    let converged: Vec<usize> = day
        .hypotheses
        .iter()
        .enumerate()
        .filter(|(_, p)| p.kind == ProbeKind::Converged)
        .map(|(n, _)| n)
        .collect();
    if !converged.is_empty() && stopped.is_none() {
        let look = match super::settle::wait(&live.watch(), CONVERGE_TIMEOUT).await {
            Ok(()) => Look {
                ok: true,
                value: None,
                detail: "every target holds what the source of truth says".into(),
            },
            Err(why) => Look {
                ok: false,
                value: None,
                detail: why.into(),
            },
        };
        let now = Utc::now();
        let mut all = traces.lock();
        for n in converged {
            record(&mut all[n], &look, now);
        }
    }
    let _ = stop_tx.send(true);
    let _ = task.await;
    let traces = traces.lock().clone();
    live.serving.bulletin.gameday(serde_json::json!({
        "name": day.scenario.name, "phase": "over",
    }));
    Method {
        played,
        traces,
        stopped,
    }
}
