//! One scenario while it runs: its targets, its connector, the source of
//! truth, and what happened when (the evidence the judge reads later).

use super::settle::Watch;
use crate::connector::events::{Outcome, Refusal};
use crate::connector::{Connector, StopSignal};
use crate::contract::alert::AlertClass;
use crate::contract::event::Event;
use crate::fault::{FaultKind, FaultSpec};
use crate::judge::evidence::{EventRecord, FaultWindow, HungDelivery, Unsettled};
use crate::mock::state::TargetState;
use crate::netproxy::Client;
use crate::report::{HarnessError, ReceivedAlert, TimelineEntry, TimelineKind};
use crate::scenario::truth::{SentEvent, Truth};
use crate::scenario::{Action, NetworkChange, Person, Scenario, Signal, Step, Timing};
use crate::serve::Serving;
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// The events sent so far, shared with a game day's probes.
pub(crate) type SentLog = Arc<parking_lot::Mutex<Vec<EventRecord>>>;

pub(crate) struct Live<'a> {
    pub scenario: &'a Scenario,
    pub serving: Serving,
    pub connector: Connector,
    /// The scenario's people by key: a step may name thousands of them.
    pub people: HashMap<&'a str, &'a Person>,
    pub truth: Truth,
    pub scale: f64,
    pub started: Instant,
    pub started_at: DateTime<Utc>,
    /// Every event sent, its `occurred_at` included (for `audit`).
    pub events: Vec<EventRecord>,
    pub faults: Vec<FaultWindow>,
    /// (target, kind, fault id, index in `faults`) of faults still on.
    pub open_faults: Vec<(String, Option<FaultKind>, Option<u64>, usize)>,
    pub rotations: BTreeMap<String, Vec<DateTime<Utc>>>,
    pub timeline: Vec<TimelineEntry>,
    /// `wait: settled` steps that gave up.
    pub unsettled: Vec<Unsettled>,
    pub errors: Vec<String>,
    pub proxy: Option<Client>,
    /// Deliveries the connector never finished (an `exec` command killed
    /// at its timeout): it stopped answering, for `connector_alive`.
    pub hung: Vec<HungDelivery>,
    /// A game day's probes read the events sent while it runs.
    pub sent_log: Option<SentLog>,
    /// The real apps the `upstream:` targets front: the judge reads their
    /// state from them, not from the fronting targets.
    pub apps: Arc<super::upstream::Apps>,
}

/// What is left of a scenario once its connector has stopped, the
/// accounts it created in real apps are gone (unless kept) and its targets
/// have shut down: what its report is made of besides the verdicts.
pub(crate) struct Ended {
    pub started_at: DateTime<Utc>,
    pub timeline: Vec<TimelineEntry>,
    pub alerts: Vec<ReceivedAlert>,
    /// The steps that could not be done, as the report lists them.
    pub step_errors: Vec<HarnessError>,
    /// More alerts came than the sink keeps.
    pub dropped: Option<HarnessError>,
    /// What the cleanup of the real apps could not delete.
    pub cleaned: Vec<HarnessError>,
    /// How the connector ended; `None` when scimulate had not started it.
    pub exit: Option<crate::connector::process::Exit>,
}

impl Ended {
    /// From the start until now.
    pub fn duration_ms(&self) -> u64 {
        u64::try_from((Utc::now() - self.started_at).num_milliseconds()).unwrap_or(0)
    }
}

impl Live<'_> {
    /// Every target's current token: those rotated during the run are
    /// secrets too.
    pub fn current_tokens(&self) -> Vec<String> {
        self.serving
            .targets
            .iter()
            .filter_map(|t| t.state.auth.current_token())
            .collect()
    }

    /// Ends the scenario, judged or stopped alike: the connector's alerts
    /// are taken, the connector is stopped (so it creates nothing more),
    /// what it created in real apps is deleted unless `keep`, and the
    /// targets shut down.
    pub async fn end(self, keep: bool) -> Ended {
        let Live {
            serving,
            mut connector,
            timeline,
            errors,
            started_at,
            apps,
            ..
        } = self;
        let alerts = received_alerts(&connector, started_at);
        let dropped = dropped_alerts(&connector);
        let exit = connector.stop().await;
        let cleaned = apps.clean_up(&serving, keep).await;
        let _ = serving.shutdown().await;
        Ended {
            started_at,
            timeline,
            alerts,
            step_errors: errors
                .into_iter()
                .map(|message| HarnessError {
                    during: Some("a step".into()),
                    message,
                })
                .collect(),
            dropped,
            cleaned,
            exit,
        }
    }

    pub fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    pub(crate) fn note(&mut self, kind: TimelineKind, target: Option<&str>, summary: String) {
        self.timeline.push(TimelineEntry {
            at_ms: self.elapsed_ms(),
            kind,
            target: target.map(str::to_owned),
            summary,
            detail: None,
        });
    }

    pub fn target(&self, name: &str) -> Option<&Arc<TargetState>> {
        self.serving
            .targets
            .iter()
            .map(|t| &t.state)
            .find(|s| s.name == name)
    }

    /// Scenario time as wall time (`--time-scale`).
    pub fn wall(&self, d: Duration) -> Duration {
        d.div_f64(self.scale)
    }

    /// What `wait: settled` watches.
    pub(crate) fn watch(&self) -> Watch<'_> {
        Watch {
            targets: self.serving.targets.iter().map(|t| &*t.state).collect(),
            apps: &self.apps,
            people: &self.scenario.people,
            truth: &self.truth,
            runs_only_per_event: self.connector.runs_only_per_event(),
        }
    }

    /// Waits for the step's time to come.
    pub async fn wait_for_turn(&self, step: &Step) {
        match step.timing {
            Timing::Next => {}
            Timing::After(d) => tokio::time::sleep(self.wall(d)).await,
            Timing::At(d) => tokio::time::sleep_until(self.started + self.wall(d)).await,
        }
    }

    /// Runs one step; a step that cannot be done is a harness error of the
    /// scenario, noted and skipped.
    pub async fn step(&mut self, index: usize, step: &Step) {
        let outcome = match &step.action {
            Action::Pause => Ok(()),
            Action::Lifecycle {
                event,
                people,
                targets,
                groups,
                set,
            } => {
                for key in people {
                    let Some(person) = self.people.get(key.as_str()).copied() else {
                        continue;
                    };
                    let sent = self.truth.lifecycle(
                        *event,
                        person,
                        targets.as_deref(),
                        groups.as_deref(),
                        set,
                    );
                    self.send(sent).await;
                }
                Ok(())
            }
            Action::Reconcile { targets } => {
                let sent = self.truth.reconcile(targets);
                self.send(sent).await;
                Ok(())
            }
            Action::WaitSettled { timeout } => {
                match super::settle::wait(&self.watch(), *timeout).await {
                    Ok(()) => Ok(()),
                    Err(super::settle::NotSettled::Differs(why)) => {
                        self.note(
                            TimelineKind::Step,
                            None,
                            format!("wait: settled gave up: {why}"),
                        );
                        self.unsettled.push(Unsettled {
                            step: index + 1,
                            why,
                        });
                        Ok(())
                    }
                    // A real app's state could not be read: the harness
                    // failed, not the connector.
                    Err(super::settle::NotSettled::Unreadable(why)) => {
                        Err(format!("wait: settled: {why}"))
                    }
                }
            }
            Action::Fault { target, spec } => self.fault(target, spec),
            Action::ClearFault { target, kind } => self.clear(target, *kind),
            Action::Network { target, change } => self.network(target, change).await,
            Action::RotateToken { target } => self.rotate(target).await,
            Action::RestartConnector { signal } => {
                let signal = match signal {
                    Signal::Term => StopSignal::Term,
                    Signal::Kill => StopSignal::Kill,
                };
                self.note(
                    TimelineKind::Step,
                    None,
                    format!("restart connector ({signal:?})"),
                );
                self.connector
                    .restart(signal)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
        };
        if let Err(why) = outcome {
            self.errors.push(format!(
                "step {} (line {}): {why}",
                index + 1,
                step.place.line
            ));
        }
    }

    async fn send(&mut self, sent: SentEvent) {
        let now = Utc::now();
        let mut body = sent.body.clone();
        body["occurred_at"] = json!(now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
        let record = EventRecord {
            id: sent.id.clone(),
            person: sent.person.clone(),
            sent_at: now,
            kinds: sent.kinds.clone(),
        };
        if let Some(log) = &self.sent_log {
            log.lock().push(record.clone());
        }
        self.events.push(record);
        let summary = format!(
            "{} {} → {}",
            sent.event_type.as_str(),
            sent.person.as_deref().unwrap_or("(all)"),
            sent.kinds.keys().cloned().collect::<Vec<_>>().join(", ")
        );
        self.note(TimelineKind::Event, None, summary.clone());
        match serde_json::from_value::<Event>(body) {
            Ok(event) => {
                let delivery = self.connector.deliver(&event).await;
                if let Outcome::NotAccepted(refusal) = &delivery.outcome {
                    if matches!(refusal, Refusal::TimedOut { .. }) {
                        self.hung.push(HungDelivery {
                            event: sent.id.clone(),
                            summary: summary.clone(),
                            refusal: refusal.to_string(),
                        });
                    }
                    self.note(
                        TimelineKind::Step,
                        None,
                        format!("{} not accepted: {refusal}", sent.id),
                    );
                }
            }
            Err(e) => self
                .errors
                .push(format!("event {} could not be built: {e}", sent.id)),
        }
    }

    fn fault(&mut self, target: &str, spec: &FaultSpec) -> Result<(), String> {
        let state = self
            .target(target)
            .ok_or_else(|| format!("no target {target}"))?
            .clone();
        let mut spec = spec.clone();
        // Fault windows are scenario time.
        if let Some(d) = spec.for_duration.as_mut() {
            d.0 = d.0.div_f64(self.scale);
        }
        let id = state.add_fault(spec.clone())?;
        let now = Utc::now();
        self.faults.push(FaultWindow {
            target: target.to_owned(),
            class: spec.kind.alert_class(),
            started: now,
            ended: spec
                .for_duration
                .map(|d| now + chrono::Duration::from_std(d.0).unwrap_or_default()),
        });
        self.open_faults.push((
            target.to_owned(),
            Some(spec.kind),
            Some(id),
            self.faults.len() - 1,
        ));
        self.note(
            TimelineKind::Fault,
            Some(target),
            format!("fault {} on", spec.kind),
        );
        Ok(())
    }

    /// Ends the windows of the matching faults still open on `target`.
    fn end_windows(
        &mut self,
        target: &str,
        kind: Option<FaultKind>,
        network: bool,
    ) -> Vec<Option<u64>> {
        let now = Utc::now();
        let mut ids = Vec::new();
        let faults = &mut self.faults;
        self.open_faults.retain(|(t, k, id, at)| {
            let matches = t == target
                && if network {
                    k.is_none()
                } else {
                    k.is_some() && (kind.is_none() || *k == kind)
                };
            if matches {
                if faults[*at].ended.is_none_or(|end| end > now) {
                    faults[*at].ended = Some(now);
                }
                ids.push(*id);
            }
            !matches
        });
        ids
    }

    fn clear(&mut self, target: &str, kind: Option<FaultKind>) -> Result<(), String> {
        let state = self
            .target(target)
            .ok_or_else(|| format!("no target {target}"))?
            .clone();
        for id in self.end_windows(target, kind, false).into_iter().flatten() {
            state.clear_fault(id);
        }
        self.note(
            TimelineKind::Fault,
            Some(target),
            format!(
                "fault {} cleared",
                kind.map_or("(all)".to_owned(), |k| k.to_string())
            ),
        );
        Ok(())
    }

    async fn rotate(&mut self, target: &str) -> Result<(), String> {
        let state = self
            .target(target)
            .ok_or_else(|| format!("no target {target}"))?
            .clone();
        let token = state.auth.rotate();
        // A rotation clears `token_expired` (SPEC §5).
        for id in self
            .end_windows(target, Some(FaultKind::TokenExpired), false)
            .into_iter()
            .flatten()
        {
            state.clear_fault(id);
        }
        self.rotations
            .entry(target.to_owned())
            .or_default()
            .push(Utc::now());
        self.note(TimelineKind::Step, Some(target), "token rotated".into());
        self.connector
            .rotate(target, &token)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    async fn network(&mut self, target: &str, change: &NetworkChange) -> Result<(), String> {
        let client = self
            .proxy
            .clone()
            .ok_or("no network proxy fronts the targets")?;
        let e = |e: crate::netproxy::ClientError| e.to_string();
        match change {
            NetworkChange::Toxic(toxic) => {
                let toxic =
                    serde_json::from_value(toxic.clone()).map_err(|e| format!("toxic: {e}"))?;
                client.add_toxic(target, &toxic).await.map_err(e)?;
                self.open_network(target, "toxic added");
            }
            NetworkChange::Enabled(false) => {
                client.set_enabled(target, false).await.map_err(e)?;
                self.open_network(target, "proxy disabled");
            }
            NetworkChange::Enabled(true) => {
                client.set_enabled(target, true).await.map_err(e)?;
                self.end_windows(target, None, true);
            }
            NetworkChange::Clear => {
                for t in client.toxics(target).await.map_err(e)? {
                    client.remove_toxic(target, &t.name).await.map_err(e)?;
                }
                client.set_enabled(target, true).await.map_err(e)?;
                self.end_windows(target, None, true);
                self.note(TimelineKind::Fault, Some(target), "network cleared".into());
            }
        }
        Ok(())
    }

    /// Turns off every fault still on, SCIM and network (a stop: the
    /// connector's last requests meet none). A network proxy that does not
    /// answer within 5 s is left as it is: its target is shut down next.
    pub async fn clear_all_faults(&mut self) {
        let mut scim: Vec<String> = Vec::new();
        let mut network: Vec<String> = Vec::new();
        for (target, kind, _, _) in &self.open_faults {
            let list = if kind.is_some() {
                &mut scim
            } else {
                &mut network
            };
            if !list.contains(target) {
                list.push(target.clone());
            }
        }
        for target in scim {
            let _ = self.clear(&target, None);
        }
        for target in network {
            let clear = self.network(&target, &NetworkChange::Clear);
            let _ = tokio::time::timeout(Duration::from_secs(5), clear).await;
        }
    }

    /// A game day's rollback: every fault on every target cleared, the
    /// ones added through the admin API or the board too, every toxic
    /// removed and every proxy enabled. A proxy that does not answer
    /// within 5 s is named in the scenario's errors.
    pub async fn rollback(&mut self) {
        self.clear_all_faults().await;
        let mut faults = 0;
        for t in &self.serving.targets {
            faults += t.state.faults.clear_run_time();
        }
        let (mut toxics, mut enabled) = (0, 0);
        if let Some(client) = self.proxy.clone() {
            let names: Vec<String> = self
                .serving
                .targets
                .iter()
                .map(|t| t.state.name.clone())
                .collect();
            for name in names {
                let clear = async {
                    let mut removed = 0;
                    for t in client.toxics(&name).await? {
                        client.remove_toxic(&name, &t.name).await?;
                        removed += 1;
                    }
                    let was_enabled = client.get_proxy(&name).await?.enabled;
                    if !was_enabled {
                        client.set_enabled(&name, true).await?;
                    }
                    Ok::<_, crate::netproxy::ClientError>((removed, !was_enabled))
                };
                match tokio::time::timeout(Duration::from_secs(5), clear).await {
                    Ok(Ok((n, again))) => {
                        toxics += n;
                        enabled += usize::from(again);
                    }
                    Ok(Err(e)) => self
                        .errors
                        .push(format!("rollback: the proxy of {name}: {e}")),
                    Err(_) => self.errors.push(format!(
                        "rollback: the proxy of {name} did not answer within 5s"
                    )),
                }
            }
            for (target, kind, _, _) in self.open_faults.clone() {
                if kind.is_none() {
                    self.end_windows(&target, None, true);
                }
            }
        }
        self.note(
            TimelineKind::Fault,
            None,
            format!(
                "rollback: every fault cleared ({faults} more than the steps had set), {toxics} toxics removed, every proxy enabled ({enabled} had been disabled)"
            ),
        );
    }

    fn open_network(&mut self, target: &str, what: &str) {
        self.faults.push(FaultWindow {
            target: target.to_owned(),
            class: Some(AlertClass::Connectivity),
            started: Utc::now(),
            ended: None,
        });
        self.open_faults
            .push((target.to_owned(), None, None, self.faults.len() - 1));
        self.note(TimelineKind::Fault, Some(target), what.to_owned());
    }
}

/// The alerts the sink kept, as the report shows them.
fn received_alerts(connector: &Connector, started_at: chrono::DateTime<Utc>) -> Vec<ReceivedAlert> {
    connector
        .alerts()
        .received()
        .into_iter()
        .map(|r| ReceivedAlert {
            at_ms: u64::try_from((r.received_at - started_at).num_milliseconds()).unwrap_or(0),
            payload: serde_json::from_str(&r.raw)
                .unwrap_or(serde_json::Value::String(r.raw.to_string())),
        })
        .collect()
}

/// A harness error when the alert sink kept only part of what came: the
/// alert checks saw the first alerts alone.
fn dropped_alerts(connector: &Connector) -> Option<HarnessError> {
    let store = connector.alerts();
    let dropped = store.dropped();
    (dropped > 0).then(|| HarnessError {
        during: Some("receiving alerts".into()),
        message: format!(
            "the connector sent more alerts than the sink keeps: the first {} were kept and {dropped} more dropped, so the alert checks saw only those (limits: docs/connectors.md)",
            store.kept()
        ),
    })
}
