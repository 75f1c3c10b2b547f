//! Looking at a game day's probes again and again while it runs, each at
//! its own `every`, keeping each one's state over time (spans of equal
//! outcome), telling the board, and saying when a safeguard fires.

use super::looks::{Look, Looker};
use crate::admin::Bulletin;
use crate::connector::alert_sink::AlertStore;
use crate::judge::evidence::{ProbeRole, ProbeSpan, ProbeTrace};
use crate::scenario::gameday::{Probe, ProbeKind};
use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How often the board is told of new alerts when no probe is due.
const ALERT_POLL: Duration = Duration::from_millis(250);
/// The newest spans of each probe the board draws.
const BOARD_SPANS: usize = 120;

/// The traces, shared between the sampler and the game day that reads
/// them at its end (and records `state: converged` itself).
pub(crate) type Traces = Arc<Mutex<Vec<ProbeTrace>>>;

pub(crate) struct Sampler {
    looker: Looker,
    /// Each probe with its role and when it is next due.
    probes: Vec<(ProbeRole, Probe, tokio::time::Instant)>,
    pub traces: Traces,
    bulletin: Arc<Bulletin>,
    alerts: AlertStore,
    alerts_told: usize,
    started_at: DateTime<Utc>,
    name: String,
}

impl Sampler {
    pub fn new(
        looker: Looker,
        probes: Vec<(ProbeRole, Probe)>,
        bulletin: Arc<Bulletin>,
        alerts: AlertStore,
        started_at: DateTime<Utc>,
        name: String,
    ) -> Sampler {
        let now = tokio::time::Instant::now();
        let traces = probes
            .iter()
            .map(|(role, p)| ProbeTrace {
                role: *role,
                name: p.name().to_owned(),
                target: match &p.kind {
                    ProbeKind::ErrorRate { target, .. } => Some(target.clone()),
                    ProbeKind::NoTwins { target } => target.clone(),
                    _ => None,
                },
                description: p.describe(*role),
                line: p.place.line,
                spans: Vec::new(),
                fired_at: None,
            })
            .collect();
        Sampler {
            looker,
            probes: probes.into_iter().map(|(r, p)| (r, p, now)).collect(),
            traces: Arc::new(Mutex::new(traces)),
            bulletin,
            alerts,
            alerts_told: 0,
            started_at,
            name,
        }
    }

    /// Looks at every probe that is due (all of them the first time);
    /// returns the number of a safeguard that fired at this look.
    pub async fn look_due(&mut self) -> Option<usize> {
        let now = tokio::time::Instant::now();
        let wall = Utc::now();
        let mut fired = None;
        for n in 0..self.probes.len() {
            let (role, probe, due) = &self.probes[n];
            if *due > now || probe.kind == ProbeKind::Converged {
                continue;
            }
            let (role, kind, every) = (*role, probe.kind.clone(), probe.every);
            let look = self.looker.look(n, &kind, role, wall).await;
            self.probes[n].2 = now + every;
            let first_fire = record(&mut self.traces.lock()[n], &look, wall);
            if role == ProbeRole::Safeguard && first_fire {
                fired = fired.or(Some(n));
            }
        }
        self.tell_board("method");
        fired
    }

    /// Whether every hypothesis looked at so far held at its last look.
    pub fn steady(&self) -> bool {
        self.traces
            .lock()
            .iter()
            .filter(|t| t.role == ProbeRole::Hypothesis)
            .all(|t| t.spans.last().is_none_or(|s| s.ok))
    }

    /// The board's view of every probe and of the game day's phase.
    pub fn tell_board(&mut self, phase: &str) {
        let received = self.alerts.received();
        for r in received.iter().skip(self.alerts_told) {
            let payload: Value =
                serde_json::from_str(&r.raw).unwrap_or_else(|_| Value::String(r.raw.to_string()));
            self.bulletin.alert(json!({
                "at_ms": (r.received_at - self.started_at).num_milliseconds().max(0),
                "alert": payload,
            }));
        }
        self.alerts_told = received.len();
        let views = self
            .traces
            .lock()
            .iter()
            .map(|t| board_view(t, self.started_at))
            .collect();
        self.bulletin.probes(views);
        self.bulletin
            .gameday(json!({"name": self.name, "phase": phase}));
    }

    /// Looks at each probe when it is due until `stop` turns true; tells
    /// `fired` the number of the first safeguard that fires.
    pub async fn run(
        mut self,
        mut stop: watch::Receiver<bool>,
        fired: watch::Sender<Option<usize>>,
    ) {
        loop {
            let next = self
                .probes
                .iter()
                .filter(|(_, p, _)| p.kind != ProbeKind::Converged)
                .map(|(_, _, due)| *due)
                .min();
            let wake = next.map_or(tokio::time::Instant::now() + ALERT_POLL, |d| {
                d.min(tokio::time::Instant::now() + ALERT_POLL)
            });
            tokio::select! {
                () = tokio::time::sleep_until(wake) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
            if let Some(n) = self.look_due().await
                && fired.borrow().is_none()
            {
                let _ = fired.send(Some(n));
            }
        }
    }
}

/// Adds a look to its trace; true when it is a safeguard firing for the
/// first time.
pub(crate) fn record(trace: &mut ProbeTrace, look: &Look, at: DateTime<Utc>) -> bool {
    let worst = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    match trace.spans.last_mut() {
        Some(span) if span.ok == look.ok => {
            span.to = at;
            span.looks += 1;
            span.worst = worst(span.worst, look.value);
        }
        _ => trace.spans.push(ProbeSpan {
            from: at,
            to: at,
            ok: look.ok,
            looks: 1,
            worst: look.value,
            detail: look.detail.clone(),
        }),
    }
    if trace.role == ProbeRole::Safeguard && !look.ok && trace.fired_at.is_none() {
        trace.fired_at = Some(at);
        return true;
    }
    false
}

/// A probe as the board shows it: its state now and its newest spans.
fn board_view(t: &ProbeTrace, started_at: DateTime<Utc>) -> Value {
    let ms = |at: DateTime<Utc>| (at - started_at).num_milliseconds().max(0);
    let state = match (t.role, t.spans.last()) {
        (_, None) => "waiting",
        (ProbeRole::Safeguard, _) if t.fired_at.is_some() => "fired",
        (ProbeRole::Hypothesis, Some(s)) if s.ok => "holds",
        (ProbeRole::Hypothesis, Some(_)) => "violated",
        (ProbeRole::Safeguard, Some(_)) => "armed",
    };
    let skip = t.spans.len().saturating_sub(BOARD_SPANS);
    json!({
        "role": t.role,
        "name": t.name,
        "target": t.target,
        "description": t.description,
        "state": state,
        "detail": t.spans.last().map(|s| s.detail.clone()),
        "spans": t.spans.iter().skip(skip).map(|s| json!({
            "from_ms": ms(s.from), "to_ms": ms(s.to), "ok": s.ok, "looks": s.looks,
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace(role: ProbeRole) -> ProbeTrace {
        ProbeTrace {
            role,
            name: "error_rate".into(),
            target: Some("app-a".into()),
            description: "error_rate of app-a".into(),
            line: 3,
            spans: vec![],
            fired_at: None,
        }
    }

    fn look(ok: bool, value: f64) -> Look {
        Look {
            ok,
            value: Some(value),
            detail: format!("{value}"),
        }
    }

    #[test]
    fn equal_looks_make_one_span_and_a_change_starts_the_next() {
        let mut t = trace(ProbeRole::Hypothesis);
        let t0 = Utc::now();
        for (i, (ok, v)) in [
            (true, 0.0),
            (true, 0.02),
            (false, 0.3),
            (false, 0.1),
            (true, 0.0),
        ]
        .into_iter()
        .enumerate()
        {
            record(
                &mut t,
                &look(ok, v),
                t0 + chrono::Duration::seconds(i as i64),
            );
        }
        let shape: Vec<(bool, u32, Option<f64>)> =
            t.spans.iter().map(|s| (s.ok, s.looks, s.worst)).collect();
        assert_eq!(
            shape,
            [
                (true, 2, Some(0.02)),
                (false, 2, Some(0.3)),
                (true, 1, Some(0.0))
            ]
        );
        assert_eq!(
            t.spans[1].detail, "0.3",
            "a span keeps what its first look saw"
        );
        assert_eq!(t.spans[1].to, t0 + chrono::Duration::seconds(3));
    }

    #[test]
    fn a_safeguard_fires_once() {
        let mut t = trace(ProbeRole::Safeguard);
        let t0 = Utc::now();
        assert!(!record(&mut t, &look(true, 0.1), t0));
        assert!(record(&mut t, &look(false, 0.9), t0));
        assert!(!record(&mut t, &look(false, 0.9), t0), "told once");
        assert_eq!(t.fired_at, Some(t0));
    }
}
