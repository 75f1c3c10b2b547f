//! One look at a game-day probe: what the targets hold and received right
//! now, measured against the probe. Looks read the targets' journals and
//! stores the way the judge's checks read the evidence, and reuse those
//! checks where one says the same (`no_twins`).

use super::super::live::SentLog;
use super::super::snapshot::holdings;
use super::super::upstream::Apps;
use crate::contract::event::EventKind;
use crate::judge::evidence::Holdings;
use crate::judge::{Accounts, People, judge_no_twins};
use crate::mock::state::TargetState;
use crate::scenario::Person;
use crate::scenario::gameday::{ProbeKind, ProbeRole, percent};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

/// What one look saw: for a hypothesis `ok` means it holds, for a
/// safeguard that it does not fire.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Look {
    pub ok: bool,
    pub value: Option<f64>,
    pub detail: String,
}

/// Everything the looks read, and what they remember between looks.
pub(crate) struct Looker {
    targets: Vec<Arc<TargetState>>,
    /// The real apps behind targets that front one: their accounts are
    /// read from the app, as the judge reads them.
    apps: Arc<Apps>,
    people: Arc<Vec<Person>>,
    sent: SentLog,
    /// Per probe (by its number), the requests of its window so far.
    windows: HashMap<usize, Window>,
}

/// A target's requests of the last window: when, and whether each failed
/// (answered 4xx or 5xx, or not answered at all).
#[derive(Default)]
struct Window {
    seen: u64,
    requests: VecDeque<(DateTime<Utc>, Option<u16>)>,
}

impl Looker {
    pub fn new(
        targets: Vec<Arc<TargetState>>,
        apps: Arc<Apps>,
        people: Arc<Vec<Person>>,
        sent: SentLog,
    ) -> Self {
        Looker {
            targets,
            apps,
            people,
            sent,
            windows: HashMap::new(),
        }
    }

    fn target(&self, name: &str) -> Option<&Arc<TargetState>> {
        self.targets.iter().find(|t| t.name == name)
    }

    /// What a target holds now: its real app's accounts if it fronts one.
    async fn held(&self, state: &TargetState) -> Result<Holdings, String> {
        match self.apps.get(&state.name) {
            Some(app) => app.holdings().await,
            None => Ok(holdings(state)),
        }
    }

    /// Looks at probe number `n` now. `Converged` is looked at by the game
    /// day itself, once the method is over. A real app that cannot be read
    /// breaks a hypothesis (it cannot be shown to hold) but does not fire a
    /// safeguard (nothing was seen going wrong).
    pub async fn look(
        &mut self,
        n: usize,
        kind: &ProbeKind,
        role: ProbeRole,
        now: DateTime<Utc>,
    ) -> Look {
        let look = match kind {
            ProbeKind::ErrorRate {
                target,
                limit,
                window,
            } => Ok(self.error_rate(n, target, *limit, *window, role, now)),
            ProbeKind::NoTwins { target } => self.no_twins(target.as_deref()).await,
            ProbeKind::NoActiveLeaver { within } => self.no_active_leaver(*within, now).await,
            ProbeKind::Converged => Ok(Look {
                ok: true,
                value: None,
                detail: "looked at once the method is over".into(),
            }),
        };
        look.unwrap_or_else(|why| Look {
            ok: role == ProbeRole::Safeguard,
            value: None,
            detail: format!("could not look: {why}"),
        })
    }

    fn error_rate(
        &mut self,
        n: usize,
        target: &str,
        limit: f64,
        window: Duration,
        role: ProbeRole,
        now: DateTime<Utc>,
    ) -> Look {
        let Some(state) = self.target(target).cloned() else {
            return Look {
                ok: false,
                value: None,
                detail: format!("no target {target}"),
            };
        };
        let w = self.windows.entry(n).or_default();
        for e in state.journal.since(w.seen) {
            w.seen = e.seq;
            w.requests
                .push_back((e.time, Some(e.status).filter(|s| *s != 0)));
        }
        let start = now - chrono::Duration::from_std(window).unwrap_or_default();
        while w.requests.front().is_some_and(|(t, _)| *t < start) {
            w.requests.pop_front();
        }
        let total = w.requests.len();
        let mut failed: BTreeMap<String, usize> = BTreeMap::new();
        for (_, status) in &w.requests {
            match status {
                Some(s) if *s < 400 => {}
                Some(s) => *failed.entry(s.to_string()).or_default() += 1,
                None => *failed.entry("no answer".into()).or_default() += 1,
            }
        }
        let errors: usize = failed.values().sum();
        let rate = if total == 0 {
            0.0
        } else {
            errors as f64 / total as f64
        };
        let ok = match role {
            ProbeRole::Hypothesis => rate < limit,
            ProbeRole::Safeguard => rate <= limit,
        };
        let by_status: Vec<String> = failed.iter().map(|(s, c)| format!("{c} × {s}")).collect();
        let over = crate::duration::HumanDuration(window);
        let detail = if total == 0 {
            format!("no request reached {target} in the last {over}")
        } else if errors == 0 {
            format!("{total} requests to {target} in the last {over}, none failed")
        } else {
            format!(
                "{errors} of {total} requests to {target} in the last {over} failed ({}): {}",
                percent(rate),
                by_status.join(", ")
            )
        };
        Look {
            ok,
            value: Some(rate),
            detail,
        }
    }

    async fn no_twins(&self, target: Option<&str>) -> Result<Look, String> {
        let mut twins = Vec::new();
        for state in &self.targets {
            if target.is_some_and(|t| t != state.name) {
                continue;
            }
            let held = self.held(state).await?;
            let verdict = judge_no_twins(0, &state.name, &self.people, &held.users);
            if !verdict.passed {
                twins.push(verdict.message);
            }
        }
        let scope = target.map_or("any target".to_owned(), str::to_owned);
        Ok(Look {
            ok: twins.is_empty(),
            value: None,
            detail: if twins.is_empty() {
                format!("nobody has two accounts in {scope}")
            } else {
                twins.join("; ")
            },
        })
    }

    /// Each person's latest event per target decides: a deprovision sent
    /// more than `within` ago leaves no active account of theirs there.
    async fn no_active_leaver(&self, within: Duration, now: DateTime<Utc>) -> Result<Look, String> {
        let due = now - chrono::Duration::from_std(within).unwrap_or_default();
        let mut latest: BTreeMap<(&str, String), (DateTime<Utc>, EventKind)> = BTreeMap::new();
        let sent = self.sent.lock().clone();
        for e in &sent {
            let Some(person) = e.person.as_deref() else {
                continue;
            };
            for (target, kind) in &e.kinds {
                latest.insert((person, target.clone()), (e.sent_at, *kind));
            }
        }
        let mut overdue: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let mut leavers = 0;
        for ((person, target), (at, kind)) in &latest {
            if *kind == EventKind::Deprovision && *at <= due {
                leavers += 1;
                overdue.entry(target.as_str()).or_default().push(person);
            }
        }
        let people = People::new(&self.people);
        let mut active = Vec::new();
        for (target, persons) in overdue {
            let Some(state) = self.target(target).cloned() else {
                continue;
            };
            let held = self.held(&state).await?;
            let accounts = Accounts::new(&held.users);
            for key in persons {
                let Some(person) = people.by_key(key) else {
                    continue;
                };
                let still = accounts
                    .of(person)
                    .into_iter()
                    .any(|i| accounts.value(i).get("active") != Some(&Value::Bool(false)));
                if still {
                    active.push(format!("{key} in {target}"));
                }
            }
        }
        let over = crate::duration::HumanDuration(within);
        Ok(Look {
            ok: active.is_empty(),
            value: None,
            detail: if active.is_empty() {
                format!("no leaver active more than {over} after leaving ({leavers} due)")
            } else {
                format!(
                    "{} still active more than {over} after leaving: {}",
                    active.len(),
                    active.join(", ")
                )
            },
        })
    }
}
