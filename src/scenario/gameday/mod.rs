//! Game-day files (`scimulate gameday`): a scenario played on the wall
//! clock with a steady state to hold (`hypotheses`), conditions that stop
//! it early (`safeguards`) and what is undone after (`rollback`). The
//! scenario part is loaded as any scenario; this reads the rest, and what
//! a game day without `connector:` cannot do, at its place in the file.

use super::file::{ErrorRateProbe, RawProbe, RawScenario};
use super::load::Loader;
use super::model::{Action, Scenario};
use crate::located::{Located, Place, Source};
use crate::yaml::{LoadError, closest};
use serde_json::Value;
use serde_saphyr::Spanned;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How often a probe is looked at unless it says `every`.
pub const DEFAULT_EVERY: Duration = Duration::from_secs(5);
/// The window of `error_rate` unless it says `window`.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(60);
/// How long `state: converged` waits, once the method is over, for the
/// targets to hold what the source of truth says.
pub const CONVERGE_TIMEOUT: Duration = Duration::from_secs(120);

/// The keys a game-day file adds to a scenario file.
pub(super) const GAMEDAY_KEYS: [&str; 4] = ["connector", "hypotheses", "safeguards", "rollback"];

#[derive(Debug, Clone)]
pub struct GameDay {
    pub scenario: Scenario,
    pub connector: GameDayConnector,
    /// The steady state, checked before the method, all along it, and
    /// (`state: converged`) once it is over.
    pub hypotheses: Vec<Probe>,
    /// Any one that fires stops the method and rolls back.
    pub safeguards: Vec<Probe>,
    pub rollback: Rollback,
}

/// Who provisions during the game day.
#[derive(Debug, Clone, PartialEq)]
pub enum GameDayConnector {
    /// `connector: reference`: the built-in reference connector.
    Reference,
    /// A connector file, relative paths taken from the game-day file's
    /// folder; scimulate starts (or drives) it as `run` does.
    File { path: PathBuf, place: Place },
    /// No `connector:`: it runs elsewhere, pointed at the endpoints file,
    /// and gets its events from its own source; scimulate sends none.
    Elsewhere,
}

/// When the faults and toxics are all cleared and the proxies enabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rollback {
    /// After the method, however it ended.
    Always,
    /// Only when a safeguard fired or the game day was stopped.
    OnAbort,
}

/// One hypothesis or safeguard.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub kind: ProbeKind,
    /// How often it is looked at.
    pub every: Duration,
    pub place: Place,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ProbeKind {
    /// No leaver of this game day still active in an app `within` after
    /// their leaver event was sent.
    NoActiveLeaver { within: Duration },
    /// The share of the target's requests answered with an error or not
    /// answered, over the last `window`: a hypothesis holds while it is
    /// below `limit`, a safeguard fires when it is above.
    ErrorRate {
        target: String,
        limit: f64,
        window: Duration,
    },
    /// Nobody has two accounts in the target (every target: `None`).
    NoTwins { target: Option<String> },
    /// Once the method is over, every target holds what the source of
    /// truth says (waited for, up to [`CONVERGE_TIMEOUT`]).
    Converged,
}

/// Whether a probe states what must hold or when to stop.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[schemars(inline)]
pub enum ProbeRole {
    Hypothesis,
    Safeguard,
}

impl Probe {
    /// The probe as a person reads it, in reports and on the board:
    /// `error_rate of slack below 5% over 1m`.
    pub fn describe(&self, role: ProbeRole) -> String {
        match &self.kind {
            ProbeKind::NoActiveLeaver { within } => {
                format!("no_active_leaver within {}", human(*within))
            }
            ProbeKind::ErrorRate {
                target,
                limit,
                window,
            } => format!(
                "error_rate of {target} {} {} over {}",
                match role {
                    ProbeRole::Hypothesis => "below",
                    ProbeRole::Safeguard => "above",
                },
                percent(*limit),
                human(*window)
            ),
            ProbeKind::NoTwins { target: Some(t) } => format!("no_twins in {t}"),
            ProbeKind::NoTwins { target: None } => "no_twins".to_owned(),
            ProbeKind::Converged => "state converged".to_owned(),
        }
    }

    /// The probe's name in reports: its key in the file.
    pub fn name(&self) -> &'static str {
        match self.kind {
            ProbeKind::NoActiveLeaver { .. } => "no_active_leaver",
            ProbeKind::ErrorRate { .. } => "error_rate",
            ProbeKind::NoTwins { .. } => "no_twins",
            ProbeKind::Converged => "state",
        }
    }
}

/// `0.05` as `5%`, `0.005` as `0.5%`.
pub fn percent(fraction: f64) -> String {
    let p = fraction * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}%")
    } else {
        format!("{}%", (p * 1000.0).round() / 1000.0)
    }
}

/// A duration as files write it, in its largest whole unit.
fn human(d: Duration) -> String {
    crate::duration::HumanDuration(d).to_string()
}

impl fmt::Display for Rollback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rollback::Always => "always",
            Rollback::OnAbort => "on_abort",
        })
    }
}

/// Loads and checks a game-day file.
pub fn load_gameday(path: &Path) -> Result<GameDay, LoadError> {
    let text = crate::yaml::read(path, "game-day")?;
    Ok(gameday_from_yaml(&text, path)?)
}

/// Parses and checks a game day; `path` names the file in errors.
pub fn gameday_from_yaml(text: &str, path: &Path) -> Result<GameDay, Located> {
    let origin = path.display().to_string();
    let mut raw: RawScenario = crate::yaml::parse(text, &origin)?;
    let loader = Loader {
        file: Source::new(&origin, text),
    };
    if let Some(kind) = raw.kind.take().filter(|k| k != "gameday") {
        return Err(Located::new(
            &origin,
            format!("kind '{kind}': expected `kind: gameday` in a game-day file"),
        ));
    }
    let connector = raw.connector.take();
    let hypotheses = raw.hypotheses.take();
    let safeguards = raw.safeguards.take();
    let rollback = raw.rollback.take();
    let scenario = loader.scenario(raw, path)?;
    let targets = scenario.target_names();
    let connector = match connector {
        None => GameDayConnector::Elsewhere,
        Some(c) if c.value == "reference" => GameDayConnector::Reference,
        Some(c) if c.value.trim().is_empty() => {
            return Err(loader.err(
                &c,
                "connector: expected `reference` or the path of a connector file",
            ));
        }
        Some(c) => GameDayConnector::File {
            path: path.parent().unwrap_or(Path::new(".")).join(&c.value),
            place: Place::from(&c),
        },
    };
    let hypotheses = match hypotheses {
        Some(list) => loader.probes(&list.value, ProbeRole::Hypothesis, &targets)?,
        None => Vec::new(),
    };
    let safeguards = match safeguards {
        Some(list) => loader.probes(&list.value, ProbeRole::Safeguard, &targets)?,
        None => Vec::new(),
    };
    let rollback = match rollback {
        None => Rollback::Always,
        Some(r) => match r.value.as_str() {
            "always" => Rollback::Always,
            "on_abort" => Rollback::OnAbort,
            other => {
                return Err(loader
                    .err(
                        &r,
                        format!("rollback: `{other}`: expected `always` or `on_abort`"),
                    )
                    .with_hint(closest(other, ["always", "on_abort"])));
            }
        },
    };
    let mut day = GameDay {
        scenario,
        connector,
        hypotheses,
        safeguards,
        rollback,
    };
    if day.connector == GameDayConnector::Elsewhere {
        loader.without_connector(&day)?;
        // The implicit final state: with no event sent, the source of
        // truth holds nothing to compare the apps with.
        day.scenario.checks.clear();
    }
    Ok(day)
}

impl Loader<'_> {
    /// A scenario file holding a game day's sections: refused at the first
    /// one, saying where they belong.
    pub(super) fn no_gameday_keys(&self, raw: &RawScenario) -> Result<(), Located> {
        let places: [(&str, Option<Place>); 4] = [
            ("connector", raw.connector.as_ref().map(Place::from)),
            ("hypotheses", raw.hypotheses.as_ref().map(Place::from)),
            ("safeguards", raw.safeguards.as_ref().map(Place::from)),
            ("rollback", raw.rollback.as_ref().map(Place::from)),
        ];
        debug_assert_eq!(places.map(|(k, _)| k), GAMEDAY_KEYS);
        match places.into_iter().find_map(|(k, p)| p.map(|p| (k, p))) {
            Some((key, place)) => Err(self.err(
                place,
                format!(
                    "`{key}` belongs in a game-day file, played by `scimulate gameday`, not `scimulate run` (give the file `kind: gameday`, or keep it in a `gamedays` folder)"
                ),
            )),
            None => Ok(()),
        }
    }

    fn probes(
        &self,
        list: &[Spanned<RawProbe>],
        role: ProbeRole,
        targets: &[String],
    ) -> Result<Vec<Probe>, Located> {
        list.iter().map(|p| self.probe(p, role, targets)).collect()
    }

    fn probe(
        &self,
        raw: &Spanned<RawProbe>,
        role: ProbeRole,
        targets: &[String],
    ) -> Result<Probe, Located> {
        let place = Place::from(raw);
        let section = match role {
            ProbeRole::Hypothesis => "hypotheses",
            ProbeRole::Safeguard => "safeguards",
        };
        let every = |e: Option<crate::duration::HumanDuration>| -> Result<Duration, Located> {
            match e {
                Some(d) if d.0.is_zero() => {
                    Err(self.err(place, format!("{section}: every: expected more than 0")))
                }
                Some(d) => Ok(d.0),
                None => Ok(DEFAULT_EVERY),
            }
        };
        let (kind, every) = match &raw.value {
            RawProbe::NoActiveLeaver(p) => {
                if p.within.0.is_zero() {
                    return Err(self.err(
                        place,
                        format!("{section}: no_active_leaver: within: expected more than 0"),
                    ));
                }
                (
                    ProbeKind::NoActiveLeaver { within: p.within.0 },
                    every(p.every)?,
                )
            }
            RawProbe::ErrorRate(p) => (self.error_rate(p, role, targets)?, every(p.every)?),
            RawProbe::NoTwins(p) => {
                let target = match p.as_ref().and_then(|p| p.target.as_ref()) {
                    Some(t) => Some(
                        self.known_targets(t, std::slice::from_ref(&t.value), targets)?
                            .remove(0),
                    ),
                    None => None,
                };
                (
                    ProbeKind::NoTwins { target },
                    every(p.as_ref().and_then(|p| p.every))?,
                )
            }
            RawProbe::State(word) => {
                if role == ProbeRole::Safeguard {
                    return Err(self.err(
                        word,
                        "safeguards: `state` is judged once the method is over; a safeguard acts during it (use `error_rate`, `no_active_leaver` or `no_twins`)",
                    ));
                }
                if word.value != "converged" {
                    return Err(self
                        .err(
                            word,
                            format!("hypotheses: state: `{}`: expected `converged`", word.value),
                        )
                        .with_hint(closest(&word.value, ["converged"])));
                }
                (ProbeKind::Converged, DEFAULT_EVERY)
            }
        };
        Ok(Probe { kind, every, place })
    }

    /// `error_rate: {target, below | above, window}`: a hypothesis says
    /// `below`, a safeguard `above`, each a percentage a rate can cross.
    fn error_rate(
        &self,
        p: &ErrorRateProbe,
        role: ProbeRole,
        targets: &[String],
    ) -> Result<ProbeKind, Located> {
        let target = self
            .known_targets(&p.target, std::slice::from_ref(&p.target.value), targets)?
            .remove(0);
        let (wanted, other, section) = match role {
            ProbeRole::Hypothesis => (&p.below, &p.above, "hypotheses"),
            ProbeRole::Safeguard => (&p.above, &p.below, "safeguards"),
        };
        let (key, other_key) = match role {
            ProbeRole::Hypothesis => ("below", "above"),
            ProbeRole::Safeguard => ("above", "below"),
        };
        if let Some(o) = other {
            let why = match role {
                ProbeRole::Hypothesis => {
                    "a hypothesis states what holds in the steady state: `below: 5%`"
                }
                ProbeRole::Safeguard => "a safeguard says when to stop: `above: 50%`",
            };
            return Err(self.err(o, format!("{section}: error_rate: `{other_key}`: {why}")));
        }
        let Some(limit) = wanted else {
            return Err(self.err(
                &p.target,
                format!("{section}: error_rate: expected `{key}: N%`, the threshold"),
            ));
        };
        let fraction = self.percentage(limit, section, key)?;
        let impossible = match role {
            // Nothing is below 0%; everything is at most 100%.
            ProbeRole::Hypothesis => fraction <= 0.0,
            ProbeRole::Safeguard => fraction >= 1.0,
        };
        if impossible {
            let why = match role {
                ProbeRole::Hypothesis => "no rate is below 0%, so it could never hold",
                ProbeRole::Safeguard => "no rate is above 100%, so it could never fire",
            };
            return Err(self.err(
                limit,
                format!("{section}: error_rate: {key}: {}: {why}", percent(fraction)),
            ));
        }
        let window = p.window.map_or(DEFAULT_WINDOW, |w| w.0);
        if window.is_zero() {
            return Err(self.err(
                &p.target,
                format!("{section}: error_rate: window: expected more than 0"),
            ));
        }
        Ok(ProbeKind::ErrorRate {
            target,
            limit: fraction,
            window,
        })
    }

    /// `5%` or `0.5%` as a fraction, between 0% and 100%.
    fn percentage(&self, value: &Spanned<Value>, section: &str, key: &str) -> Result<f64, Located> {
        let written = match &value.value {
            Value::String(s) => s.trim().to_owned(),
            other => other.to_string(),
        };
        let parsed = written
            .strip_suffix('%')
            .and_then(|n| n.trim().parse::<f64>().ok())
            .filter(|n| n.is_finite());
        let Some(p) = parsed else {
            return Err(self.err(
                value,
                format!(
                    "{section}: error_rate: {key}: `{written}`: expected a percentage such as `5%`"
                ),
            ));
        };
        if !(0.0..=100.0).contains(&p) {
            return Err(self.err(
                value,
                format!(
                    "{section}: error_rate: {key}: `{written}` is an impossible threshold: a rate is between 0% and 100%"
                ),
            ));
        }
        Ok(p / 100.0)
    }

    /// A game day without `connector:` sends no events (the connector
    /// gets them from its own source), so nothing may rest on them.
    fn without_connector(&self, day: &GameDay) -> Result<(), Located> {
        const WHY: &str = "a game day without `connector:` sends no events (the connector runs elsewhere and gets them from its own source); add `connector: reference` or the path of a connector file";
        for step in &day.scenario.steps {
            let what = match &step.action {
                Action::Lifecycle { event, .. } => Some(event.as_str()),
                Action::Reconcile { .. } => Some("reconcile"),
                Action::RestartConnector { .. } => Some("restart_connector"),
                _ => None,
            };
            if let Some(what) = what {
                return Err(self.err(step.place, format!("step `{what}`: {WHY}")));
            }
        }
        for check in &day.scenario.checks {
            if let Some(place) = check.place {
                return Err(self.err(place, format!("expect: `{}`: {WHY}", check.check.name())));
            }
        }
        for probe in day.hypotheses.iter().chain(&day.safeguards) {
            if matches!(
                probe.kind,
                ProbeKind::NoActiveLeaver { .. } | ProbeKind::Converged
            ) {
                return Err(self.err(
                    probe.place,
                    format!(
                        "`{}` rests on the game day's own leavers and joiners: {WHY}",
                        probe.name()
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
