//! Loading a scenario file: parse it, then check every name it uses
//! against the rest of the file (people, targets, profiles, fault kinds),
//! so a typo is an error at its line and column, never a surprise mid-run.

use super::file::{Names, RawExpect, RawScenario, RawStep, StateExpect, StateWord};
use super::model::{
    Action, Check, DEFAULT_SETTLE_TIMEOUT, Existing, Expect, NetworkChange, Scenario, Step,
    TargetSpec, Timing,
};
use super::people::{CORE_KEYS, ENTERPRISE_KEYS, Person, is_person_key, make_person};
use crate::contract::event::EventType;
use crate::fault::{FaultKind, FaultSpec};
use crate::located::{Located, Place, Source};
use crate::mock::profile::Profile;
use crate::yaml::{LoadError, closest, did_you_mean};
use serde_json::{Map, Value};
use serde_saphyr::Spanned;
use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

/// `no_retry_storm` defaults (SPEC §5.1).
const DEFAULT_STORM_MAX: u32 = 3;
const DEFAULT_BACKOFF_FLOOR: Duration = Duration::from_millis(100);
const DEFAULT_DOMAIN: &str = "acme.test";

/// Loads and checks a scenario file.
pub fn load(path: &Path) -> Result<Scenario, LoadError> {
    let text = crate::yaml::read(path, "scenario")?;
    Ok(from_yaml(&text, path)?)
}

/// Parses and checks a scenario; `path` names the file in errors.
pub fn from_yaml(text: &str, path: &Path) -> Result<Scenario, Located> {
    let origin = path.display().to_string();
    let raw: RawScenario = crate::yaml::parse(text, &origin)?;
    Loader {
        file: Source::new(&origin, text),
    }
    .scenario(raw, path)
}

/// The people's keys, looked up once per name rather than by a scan: a
/// step may name ten thousand of a hundred thousand people.
struct Keys {
    all: Vec<String>,
    set: HashSet<String>,
    /// How many generated people (`p1` … `pN`) there are.
    generated: usize,
}

impl Keys {
    fn of(people: &[Person], generated: usize) -> Keys {
        let all: Vec<String> = people.iter().map(|p| p.key.clone()).collect();
        Keys {
            set: all.iter().cloned().collect(),
            all,
            generated,
        }
    }
}

/// `pA..pB` as its bounds; `None` when `name` is not written as a range,
/// an error when it is one but its bounds are not numbers.
fn person_range(name: &str) -> Option<Result<(usize, usize), String>> {
    let (first, last) = name.split_once("..")?;
    let bound = |b: &str| {
        b.strip_prefix('p')
            .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
            .and_then(|n| n.parse::<usize>().ok())
    };
    Some(match (bound(first), bound(last)) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(format!(
            "range `{name}`: expected pA..pB of generated people, e.g. p1..p500"
        )),
    })
}

pub(super) struct Loader<'a> {
    pub(super) file: Source<'a>,
}

impl Loader<'_> {
    pub(super) fn err(&self, place: impl Into<Place>, message: impl Into<String>) -> Located {
        self.file.error(place, message)
    }

    pub(super) fn scenario(&self, raw: RawScenario, path: &Path) -> Result<Scenario, Located> {
        self.no_gameday_keys(&raw)?;
        if let Some(kind) = raw.kind.as_deref().filter(|k| *k != "scenario") {
            let why = if kind == "gameday" {
                "a game-day file, played by `scimulate gameday`, not `scimulate run`"
            } else {
                "expected `kind: scenario` in a scenario file"
            };
            return Err(Located::new(
                self.file.origin(),
                format!("kind '{kind}': {why}"),
            ));
        }
        if raw.name.value.trim().is_empty() {
            return Err(self.err(&raw.name, "name: expected a non-empty scenario name"));
        }
        let seed = raw.seed.unwrap_or(0);
        let targets = self.targets(&raw, path)?;
        let target_names: Vec<String> = targets.iter().map(|t| t.name.clone()).collect();
        let people = self.people(&raw, seed)?;
        let keys = Keys::of(&people, raw.people.generate.map_or(0, |g| g.count));
        let existing = self.existing(&raw, &keys, &target_names)?;
        let mut steps = Vec::with_capacity(raw.steps.len());
        for step in &raw.steps {
            steps.push(self.step(step, &keys, &target_names)?);
        }
        let checks = self.checks(&raw.expect, &target_names)?;
        self.upstream_steps(&targets, &steps, &existing, &raw)?;
        Ok(Scenario {
            name: raw.name.value,
            file: path.to_owned(),
            description: raw.description,
            seed,
            tags: raw.tags,
            targets,
            people: std::sync::Arc::new(people),
            existing,
            steps,
            checks,
        })
    }

    /// `existing:`: who has an account where before the first step. A
    /// person stands in one entry: their groups are wanted in every app
    /// they are assigned to, as an event would say.
    fn existing(
        &self,
        raw: &RawScenario,
        people: &Keys,
        targets: &[String],
    ) -> Result<Vec<Existing>, Located> {
        let mut out = Vec::with_capacity(raw.existing.len());
        let mut placed: HashSet<String> = HashSet::new();
        for entry in &raw.existing {
            let e = &entry.value;
            let who = self.people_named(&e.people, people)?;
            let chosen = match &e.targets {
                Some(t) if t.value.is_empty() => {
                    return Err(self.err(t, "existing: targets: expected at least one target"));
                }
                Some(t) => self.known_targets(t, &t.value, targets)?,
                None => targets.to_vec(),
            };
            if let Some(twice) = who.iter().find(|key| !placed.insert((*key).clone())) {
                return Err(self.err(
                    &e.people,
                    format!("existing: `{twice}` is named more than once: expected each person once in existing"),
                ));
            }
            out.push(Existing {
                people: who,
                targets: chosen,
                groups: e.groups.clone(),
            });
        }
        Ok(out)
    }

    fn targets(&self, raw: &RawScenario, path: &Path) -> Result<Vec<TargetSpec>, Located> {
        if raw.targets.value.is_empty() {
            return Err(self.err(&raw.targets, "targets: expected at least one target"));
        }
        let mut out = Vec::new();
        for (name, t) in &raw.targets.value {
            if !valid_name(name) {
                return Err(self.err(
                    &raw.targets,
                    format!("target `{name}`: expected letters, digits, '-', '_' or '.'"),
                ));
            }
            let quirks: Vec<FaultSpec> = t.quirks.iter().map(|q| q.0.clone()).collect();
            let (profile, upstream) = match (&t.profile, &t.upstream) {
                (Some(profile), None) => {
                    if let Some(extra) = t
                        .read_token_env
                        .as_ref()
                        .or(t.token_env.as_ref())
                        .or(t.ca_file.as_ref())
                    {
                        return Err(self.err(
                            extra,
                            format!("target `{name}`: `read_token_env`, `token_env` and `ca_file` go with `upstream: URL`, not with a profile"),
                        ));
                    }
                    let resolved = Profile::resolve(&profile.value)
                        .map_err(|e| self.err(profile, format!("target `{name}`: {e}")))?;
                    (resolved, None)
                }
                (None, Some(url)) => {
                    let (strict, upstream) = self.upstream(name, url, t, &quirks, path)?;
                    (strict, Some(upstream))
                }
                (Some(profile), Some(_)) => {
                    return Err(self.err(
                        profile,
                        format!("target `{name}`: expected `profile: NAME` (a mock) or `upstream: URL` (a real app), not both"),
                    ));
                }
                (None, None) => {
                    return Err(self.err(
                        &raw.targets,
                        format!("target `{name}`: expected `profile: NAME` (a mock) or `upstream: URL` (a real app)"),
                    ));
                }
            };
            out.push(TargetSpec {
                name: name.clone(),
                profile,
                quirks,
                upstream,
            });
        }
        Ok(out)
    }

    fn people(&self, raw: &RawScenario, seed: u64) -> Result<Vec<Person>, Located> {
        let domain = raw.people.domain.as_deref().unwrap_or(DEFAULT_DOMAIN);
        let generated = raw.people.generate.map_or(0, |g| g.count);
        let mut people = Vec::new();
        for (i, (key, attrs)) in raw.people.named.iter().enumerate() {
            if is_generated_key(key) {
                return Err(self.err(
                    attrs,
                    format!("person `{key}`: names p1, p2, … are kept for generated people"),
                ));
            }
            self.person_keys(&attrs.value, attrs, &format!("person `{key}`"))?;
            people.push(make_person(key, i + 1, &attrs.value, seed, domain));
        }
        let named = people.len();
        for n in 1..=generated {
            let key = format!("p{n}");
            people.push(make_person(&key, named + n, &Map::new(), seed, domain));
        }
        Ok(people)
    }

    /// Every key is a person attribute with a string value (`manager` may
    /// be an id); a near miss gets a suggestion.
    fn person_keys<T>(
        &self,
        attrs: &Map<String, Value>,
        place: &Spanned<T>,
        what: &str,
    ) -> Result<(), Located> {
        for (k, v) in attrs {
            if !is_person_key(k) {
                let all = CORE_KEYS.iter().chain(ENTERPRISE_KEYS.iter()).copied();
                return Err(self
                    .err(
                        place,
                        format!(
                            "{what}: unknown attribute `{k}`: expected a SCIM User attribute ({}) or an enterprise one by its short name ({})",
                            CORE_KEYS.join(", "),
                            ENTERPRISE_KEYS.join(", ")
                        ),
                    )
                    .with_hint(closest(k, all)));
            }
            if !v.is_string() {
                return Err(self.err(place, format!("{what}: `{k}`: expected a string")));
            }
        }
        Ok(())
    }

    fn step(
        &self,
        step: &Spanned<RawStep>,
        people: &Keys,
        targets: &[String],
    ) -> Result<Step, Located> {
        let s = &step.value;
        let here = Place::from(step);
        let timing = match (s.after, s.at) {
            (Some(_), Some(_)) => {
                return Err(self.err(here, "a step takes `after` or `at`, not both"));
            }
            (Some(d), None) => Timing::After(d.0),
            (None, Some(d)) => Timing::At(d.0),
            (None, None) => Timing::Next,
        };
        let actions = action_names(s);
        if actions.len() > 1 {
            return Err(self.err(
                here,
                format!(
                    "a step takes one action, found {}: split it into several steps",
                    actions.join(" and ")
                ),
            ));
        }
        let action = match actions.first().copied() {
            None if timing == Timing::Next => {
                return Err(self.err(
                    here,
                    "a step needs an action (joiner, mover, leaver, rehire, update, wait, fault, network, rotate_token, reconcile, restart_connector) or `after`/`at` to pause",
                ));
            }
            None => Action::Pause,
            Some(name) => self.action(name, s, here, people, targets)?,
        };
        self.modifiers(&action, s, here)?;
        Ok(Step {
            timing,
            action,
            place: here,
        })
    }

    fn action(
        &self,
        name: &str,
        s: &RawStep,
        here: Place,
        people: &Keys,
        targets: &[String],
    ) -> Result<Action, Located> {
        let lifecycle = |event: EventType, names: &Spanned<Names>| -> Result<Action, Located> {
            let who = self.people_named(names, people)?;
            let step_targets = match &s.targets {
                Some(t) => Some(self.known_targets(t, &t.value, targets)?),
                None if event == EventType::Joiner => Some(targets.to_vec()),
                None => None,
            };
            let set = match &s.set {
                Some(set) => {
                    self.person_keys(&set.value, set, "set")?;
                    set.value.clone()
                }
                None => Map::new(),
            };
            Ok(Action::Lifecycle {
                event,
                people: who,
                targets: step_targets,
                groups: s.groups.clone(),
                set,
            })
        };
        match name {
            "joiner" => lifecycle(EventType::Joiner, s.joiner.as_ref().expect("named")),
            "mover" => lifecycle(EventType::Mover, s.mover.as_ref().expect("named")),
            "leaver" => lifecycle(EventType::Leaver, s.leaver.as_ref().expect("named")),
            "rehire" => lifecycle(EventType::Rehire, s.rehire.as_ref().expect("named")),
            "update" => lifecycle(EventType::Update, s.update.as_ref().expect("named")),
            "wait" => {
                let wait = s.wait.as_ref().expect("named");
                if wait.value != "settled" {
                    return Err(
                        self.err(wait, format!("wait: `{}`: expected `settled`", wait.value))
                    );
                }
                Ok(Action::WaitSettled {
                    timeout: s.timeout.map_or(DEFAULT_SETTLE_TIMEOUT, |d| d.0),
                })
            }
            "fault" => self.fault(s.fault.as_ref().expect("named"), targets),
            "network" => self.network(s.network.as_ref().expect("named"), targets),
            "rotate_token" => {
                let t = s.rotate_token.as_ref().expect("named");
                let target = self.known_targets(t, std::slice::from_ref(&t.value), targets)?;
                Ok(Action::RotateToken {
                    target: target[0].clone(),
                })
            }
            "reconcile" => {
                let r = s.reconcile.as_ref().expect("named");
                let chosen = if r.value.is_empty() {
                    targets.to_vec()
                } else {
                    self.known_targets(r, &r.value, targets)?
                };
                Ok(Action::Reconcile { targets: chosen })
            }
            "restart_connector" => Ok(Action::RestartConnector {
                signal: s.restart_connector.expect("named").signal,
            }),
            other => Err(self.err(here, format!("unknown action `{other}`"))),
        }
    }

    /// Modifiers that do not belong to the step's action are errors, not
    /// silently ignored.
    fn modifiers(&self, action: &Action, s: &RawStep, here: Place) -> Result<(), Located> {
        let event = match action {
            Action::Lifecycle { event, .. } => Some(*event),
            _ => None,
        };
        let allowed = |m: &str| match (m, event) {
            (
                "targets" | "groups",
                Some(EventType::Joiner | EventType::Rehire | EventType::Mover),
            ) => true,
            ("set", Some(EventType::Mover | EventType::Update)) => true,
            ("timeout", _) => matches!(action, Action::WaitSettled { .. }),
            _ => false,
        };
        let present = [
            ("targets", s.targets.is_some()),
            ("groups", s.groups.is_some()),
            ("set", s.set.is_some()),
            ("timeout", s.timeout.is_some()),
        ];
        for (m, is_there) in present {
            if is_there && !allowed(m) {
                let what = event.map_or_else(
                    || action_label(action).to_owned(),
                    |e| e.as_str().to_owned(),
                );
                return Err(self.err(here, format!("`{m}` does not go with `{what}`")));
            }
        }
        Ok(())
    }

    fn people_named(&self, names: &Spanned<Names>, people: &Keys) -> Result<Vec<String>, Located> {
        let list = names.value.as_slice();
        if list.len() == 1 && list[0] == "all" {
            return Ok(people.all.clone());
        }
        if list.is_empty() {
            return Err(self.err(names, "expected a person's name, a list of names, or `all`"));
        }
        let mut out = Vec::with_capacity(list.len());
        for n in list {
            if let Some(range) = person_range(n) {
                let (first, last) = range.map_err(|why| self.err(names, why))?;
                if first == 0 || first > last || last > people.generated {
                    return Err(self.err(
                        names,
                        format!(
                            "range `{n}`: expected pA..pB with 1 <= A <= B <= {}, the people of people.generate",
                            people.generated
                        ),
                    ));
                }
                out.extend((first..=last).map(|i| format!("p{i}")));
                continue;
            }
            if !people.set.contains(n.as_str()) {
                return Err(self
                    .err(
                        names,
                        format!("no person named `{n}`: expected one of people.named, p1…pN of people.generate, a range pA..pB, or `all`"),
                    )
                    .with_hint(closest(n, people.all.iter().map(String::as_str))));
            }
            out.push(n.clone());
        }
        Ok(out)
    }

    pub(super) fn known_targets<T>(
        &self,
        place: &Spanned<T>,
        names: &[String],
        targets: &[String],
    ) -> Result<Vec<String>, Located> {
        for n in names {
            if !targets.contains(n) {
                return Err(self
                    .err(
                        place,
                        format!(
                            "no target named `{n}`: expected one of {}",
                            targets.join(", ")
                        ),
                    )
                    .with_hint(closest(n, targets.iter().map(String::as_str))));
            }
        }
        Ok(names.to_vec())
    }

    /// `fault: {target, <fault object>}` or `fault: {target, clear: KIND | all}`.
    fn fault(
        &self,
        f: &Spanned<Map<String, Value>>,
        targets: &[String],
    ) -> Result<Action, Located> {
        let mut object = f.value.clone();
        let target = self.step_target(f, &mut object, "fault", targets)?;
        if let Some(clear) = object.remove("clear") {
            if !object.is_empty() {
                return Err(self.err(f, "fault: `clear` takes only `target` beside it"));
            }
            let kind = match clear.as_str() {
                Some("all") => None,
                Some(k) => Some(FaultKind::parse(k).ok_or_else(|| {
                    self.err(
                        f,
                        format!("fault: clear: unknown fault kind `{k}`: expected a kind or `all`"),
                    )
                })?),
                None => return Err(self.err(f, "fault: clear: expected a fault kind or `all`")),
            };
            return Ok(Action::ClearFault { target, kind });
        }
        let spec: FaultSpec = serde_json::from_value(Value::Object(object)).map_err(|e| {
            let message = e.to_string();
            self.err(f, format!("fault: {message}"))
                .with_hint(did_you_mean(&message))
        })?;
        spec.validate()
            .map_err(|e| self.err(f, format!("fault: {e}")))?;
        Ok(Action::Fault {
            target,
            spec: Box::new(spec),
        })
    }

    /// `network: {target, toxic: {...}}`, `{target, enabled: bool}` or `{target, clear: true}`.
    fn network(
        &self,
        n: &Spanned<Map<String, Value>>,
        targets: &[String],
    ) -> Result<Action, Located> {
        let mut object = n.value.clone();
        let target = self.step_target(n, &mut object, "network", targets)?;
        let change = match (
            object.remove("toxic"),
            object.remove("enabled"),
            object.remove("clear"),
        ) {
            (Some(toxic @ Value::Object(_)), None, None) => NetworkChange::Toxic(toxic),
            (None, Some(Value::Bool(enabled)), None) => NetworkChange::Enabled(enabled),
            (None, None, Some(Value::Bool(true))) => NetworkChange::Clear,
            _ => {
                return Err(self.err(
                    n,
                    "network: expected one of `toxic: {type, attributes, …}`, `enabled: true|false` or `clear: true` beside `target`",
                ));
            }
        };
        if let Some(extra) = object.keys().next() {
            return Err(self.err(n, format!("network: unknown key `{extra}`")));
        }
        Ok(Action::Network { target, change })
    }

    fn step_target(
        &self,
        place: &Spanned<Map<String, Value>>,
        object: &mut Map<String, Value>,
        what: &str,
        targets: &[String],
    ) -> Result<String, Located> {
        let Some(Value::String(target)) = object.remove("target") else {
            return Err(self.err(place, format!("{what}: expected `target: NAME`")));
        };
        self.known_targets(place, std::slice::from_ref(&target), targets)?;
        Ok(target)
    }

    fn checks(
        &self,
        expect: &[Spanned<RawExpect>],
        targets: &[String],
    ) -> Result<Vec<Expect>, Located> {
        let mut out = Vec::new();
        let mut final_state = true;
        for (index, e) in expect.iter().enumerate() {
            let (target, check) = match &e.value {
                RawExpect::Alert(a) => (
                    a.target.clone(),
                    Check::Alert {
                        class: a.class,
                        status: a.status,
                        within: a.within.0,
                        fields: a.fields.clone(),
                    },
                ),
                RawExpect::NoAlert(a) => {
                    let a = a.clone().unwrap_or(super::file::NoAlertExpect {
                        target: None,
                        within: None,
                    });
                    (
                        a.target,
                        Check::NoAlert {
                            within: a.within.map(|d| d.0),
                        },
                    )
                }
                RawExpect::AlertResolved(a) => (
                    a.target.clone(),
                    Check::AlertResolved { within: a.within.0 },
                ),
                RawExpect::Replay(r) => (r.target.clone(), Check::Replay { order: r.order }),
                RawExpect::State(StateExpect::Word(StateWord::Ignore)) => {
                    final_state = false;
                    continue;
                }
                RawExpect::State(StateExpect::Word(StateWord::Converged)) => (None, Check::State),
                RawExpect::State(StateExpect::Target { target }) => (target.clone(), Check::State),
                RawExpect::NoTwins(t) => (t.clone().and_then(|t| t.target), Check::NoTwins),
                RawExpect::NoRetryStorm(s) => {
                    let s = s.clone();
                    (
                        s.as_ref().and_then(|s| s.target.clone()),
                        Check::NoRetryStorm {
                            max: s.as_ref().and_then(|s| s.max).unwrap_or(DEFAULT_STORM_MAX),
                            backoff_floor: s
                                .and_then(|s| s.backoff_floor)
                                .map_or(DEFAULT_BACKOFF_FLOOR, |d| d.0),
                        },
                    )
                }
                RawExpect::HonorsRetryAfter(t) => {
                    (t.clone().and_then(|t| t.target), Check::HonorsRetryAfter)
                }
                RawExpect::Latency(l) => {
                    if l.provision.is_none() && l.deprovision.is_none() {
                        return Err(
                            self.err(e, "latency: expected `provision`, `deprovision` or both")
                        );
                    }
                    (
                        l.target.clone(),
                        Check::Latency {
                            provision: l.provision.map(|d| d.0),
                            deprovision: l.deprovision.map(|d| d.0),
                        },
                    )
                }
            };
            if let Some(t) = &target {
                self.known_targets(e, std::slice::from_ref(t), targets)?;
            }
            out.push(Expect {
                index,
                target,
                check,
                place: Some(Place::from(e)),
            });
        }
        if final_state {
            // SPEC §5: `state: converged` is judged at the end unless turned off.
            out.push(Expect {
                index: expect.len(),
                target: None,
                check: Check::State,
                place: None,
            });
        }
        Ok(out)
    }
}

fn action_names(s: &RawStep) -> Vec<&'static str> {
    [
        ("joiner", s.joiner.is_some()),
        ("mover", s.mover.is_some()),
        ("leaver", s.leaver.is_some()),
        ("rehire", s.rehire.is_some()),
        ("update", s.update.is_some()),
        ("wait", s.wait.is_some()),
        ("fault", s.fault.is_some()),
        ("network", s.network.is_some()),
        ("rotate_token", s.rotate_token.is_some()),
        ("reconcile", s.reconcile.is_some()),
        ("restart_connector", s.restart_connector.is_some()),
    ]
    .into_iter()
    .filter_map(|(n, there)| there.then_some(n))
    .collect()
}

fn action_label(action: &Action) -> &'static str {
    match action {
        Action::Lifecycle { event, .. } => event.as_str(),
        Action::Pause => "a pause",
        Action::WaitSettled { .. } => "wait",
        Action::Fault { .. } | Action::ClearFault { .. } => "fault",
        Action::Network { .. } => "network",
        Action::RotateToken { .. } => "rotate_token",
        Action::Reconcile { .. } => "reconcile",
        Action::RestartConnector { .. } => "restart_connector",
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn is_generated_key(key: &str) -> bool {
    key.strip_prefix('p')
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}
