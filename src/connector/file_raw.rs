//! The connector file as written, with source locations, and the rules
//! serde cannot express: each failure gives line, column and message.

use super::file::{
    AlertFormat, Alerts, ConnectorFile, DEFAULT_EXEC_TIMEOUT, DEFAULT_READY_TIMEOUT, Events, Ready,
    Reload, Start, Template,
};
use super::placeholders::{self, NAMES};
use crate::duration::HumanDuration;
use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

/// A located problem: line, column, message.
pub(crate) type Problem = (usize, usize, String);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFile {
    /// `check` tells file kinds apart by this key (SPEC §1).
    #[serde(default)]
    kind: Option<Spanned<String>>,
    name: Spanned<String>,
    #[serde(default)]
    start: Option<RawStart>,
    events: Spanned<RawEvents>,
    #[serde(default)]
    reload: Option<Spanned<RawReload>>,
    #[serde(default)]
    alerts: Option<RawAlerts>,
    #[serde(default)]
    audit: Option<RawAudit>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStart {
    command: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    env: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    ready: Option<Spanned<RawReady>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReady {
    #[serde(default)]
    http: Option<Spanned<String>>,
    #[serde(default)]
    log: Option<Spanned<String>>,
    #[serde(default)]
    timeout: Option<HumanDuration>,
}

/// Both ways are optional fields rather than an enum: "exactly one of"
/// is then a located message of ours instead of serde's enum wording.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvents {
    #[serde(default)]
    webhook: Option<RawWebhook>,
    #[serde(default)]
    exec: Option<RawExec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWebhook {
    url: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExec {
    command: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    timeout: Option<HumanDuration>,
}

#[derive(Debug)]
enum RawReload {
    Sighup,
    None,
    Http(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlerts {
    #[serde(default)]
    format: Option<AlertFormat>,
    #[serde(default)]
    labels: Option<RawLabels>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLabels {
    #[serde(default)]
    target: Option<Spanned<String>>,
    #[serde(default)]
    class: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAudit {
    http: Spanned<String>,
}

/// `reload` is a word or a one-key map; a hand-written visitor says
/// exactly that when it is neither (an untagged enum could not).
impl<'de> Deserialize<'de> for RawReload {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        const EXPECTED: &str = "expected sighup, none or { http: URL }";
        impl<'de> Visitor<'de> for V {
            type Value = RawReload;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(EXPECTED)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawReload, E> {
                match v {
                    "sighup" => Ok(RawReload::Sighup),
                    "none" => Ok(RawReload::None),
                    other => Err(E::custom(format!("unknown reload `{other}`: {EXPECTED}"))),
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawReload, A::Error> {
                let mut url = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key != "http" || url.is_some() {
                        return Err(de::Error::custom(format!(
                            "unexpected key `{key}` in reload: {EXPECTED}"
                        )));
                    }
                    url = Some(map.next_value::<String>()?);
                }
                url.map(RawReload::Http)
                    .ok_or_else(|| de::Error::custom(format!("empty reload map: {EXPECTED}")))
            }
        }
        d.deserialize_any(V)
    }
}

fn at<T>(s: &Spanned<T>) -> (usize, usize) {
    (
        usize::try_from(s.referenced.line()).unwrap_or(0),
        usize::try_from(s.referenced.column()).unwrap_or(0),
    )
}

/// Refuses an unknown placeholder in a string located at `(line, col)`,
/// pointing at the placeholder itself when it can be found.
fn placeholders_in(text: &str, value: &str, (line, col): (usize, usize)) -> Result<(), Problem> {
    let Some(bad) = placeholders::first_unknown(value) else {
        return Ok(());
    };
    let written = format!("{{{bad}}}");
    let (l, c) = super::located::find_from(text, line, col, &written).unwrap_or((line, col));
    // Edit distance misses swapped letters in short names ({prot}).
    let hint = crate::yaml::closest(bad, NAMES)
        .or_else(|| NAMES.into_iter().find(|n| same_letters(n, bad)))
        .map(|n| format!("; did you mean `{{{n}}}`?"))
        .unwrap_or_default();
    Err((
        l,
        c,
        format!(
            "unknown placeholder `{written}`: expected one of {}{hint}",
            NAMES.map(|n| format!("{{{n}}}")).join(", ")
        ),
    ))
}

fn same_letters(a: &str, b: &str) -> bool {
    let sorted = |s: &str| {
        let mut v: Vec<char> = s.chars().collect();
        v.sort_unstable();
        v
    };
    sorted(a) == sorted(b)
}

fn template(text: &str, s: &Spanned<String>) -> Result<Template, Problem> {
    placeholders_in(text, &s.value, at(s))?;
    Ok(Template(s.value.clone()))
}

fn url(text: &str, s: &Spanned<String>, what: &str) -> Result<Template, Problem> {
    let t = template(text, s)?;
    if !(t.0.starts_with("http://") || t.0.starts_with("https://")) {
        let (l, c) = at(s);
        return Err((
            l,
            c,
            format!("{what}: '{}': expected an http:// or https:// URL", t.0),
        ));
    }
    Ok(t)
}

fn command(text: &str, c: &Spanned<Vec<Spanned<String>>>) -> Result<Vec<Template>, Problem> {
    if c.value.first().is_none_or(|p| p.value.trim().is_empty()) {
        let (l, col) = at(c);
        return Err((
            l,
            col,
            "command: expected a list whose first item is the program, e.g. [\"./my-connector\", \"--port\", \"{port}\"] (no shell is used)".into(),
        ));
    }
    c.value.iter().map(|a| template(text, a)).collect()
}

impl RawFile {
    pub(crate) fn check(self, text: &str, base_dir: PathBuf) -> Result<ConnectorFile, Problem> {
        if let Some(kind) = &self.kind
            && kind.value != "connector"
        {
            let (l, c) = at(kind);
            return Err((l, c, format!("kind '{}': expected connector", kind.value)));
        }
        if self.name.value.trim().is_empty() {
            let (l, c) = at(&self.name);
            return Err((l, c, "name: expected a non-empty name".into()));
        }
        let start = self.start.map(|s| check_start(text, s)).transpose()?;
        let events = match &self.events.value {
            RawEvents {
                webhook: Some(w),
                exec: None,
            } => Events::Webhook {
                url: url(text, &w.url, "events.webhook.url")?,
            },
            RawEvents {
                webhook: None,
                exec: Some(e),
            } => Events::Exec {
                command: command(text, &e.command)?,
                timeout: e.timeout.map_or(DEFAULT_EXEC_TIMEOUT, |t| t.0),
            },
            _ => {
                let (l, c) = at(&self.events);
                return Err((
                    l,
                    c,
                    "events: expected exactly one of { webhook: { url } } or { exec: { command, timeout } }".into(),
                ));
            }
        };
        let reload = match &self.reload {
            None => Reload::None,
            Some(r) => match &r.value {
                RawReload::Sighup if start.is_none() => {
                    let (l, c) = at(r);
                    return Err((
                        l,
                        c,
                        "reload: sighup needs `start`: without it scimulate has no process to signal; expected { http: URL } or none".into(),
                    ));
                }
                RawReload::Sighup => Reload::Sighup,
                RawReload::None => Reload::None,
                RawReload::Http(u) => {
                    let spanned = Spanned {
                        value: u.clone(),
                        referenced: r.referenced,
                        defined: r.defined,
                    };
                    Reload::Http(url(text, &spanned, "reload.http")?)
                }
            },
        };
        let alerts = check_alerts(self.alerts)?;
        let audit = self
            .audit
            .map(|a| url(text, &a.http, "audit.http"))
            .transpose()?;
        Ok(ConnectorFile {
            name: self.name.value,
            start,
            events,
            reload,
            alerts,
            audit,
            base_dir,
        })
    }
}

fn check_start(text: &str, s: RawStart) -> Result<Start, Problem> {
    let command = command(text, &s.command)?;
    let mut env = BTreeMap::new();
    for (k, v) in &s.env {
        if k.is_empty() || k.contains(['=', '\0']) {
            let (l, c) = at(v);
            return Err((
                l,
                c,
                format!("env: '{k}' is not a variable name: expected a non-empty name without '='"),
            ));
        }
        env.insert(k.clone(), template(text, v)?);
    }
    let ready = match s.ready {
        None => None,
        Some(r) => {
            let timeout = r.value.timeout.map_or(DEFAULT_READY_TIMEOUT, |t| t.0);
            match (&r.value.http, &r.value.log) {
                (Some(u), None) => Some(Ready::Http {
                    url: url(text, u, "ready.http")?,
                    timeout,
                }),
                (None, Some(l)) if !l.value.is_empty() => Some(Ready::Log {
                    text: l.value.clone(),
                    timeout,
                }),
                _ => {
                    let (l, c) = at(&r);
                    return Err((
                        l,
                        c,
                        "ready: expected exactly one of { http: URL } or { log: TEXT } (non-empty), with an optional timeout".into(),
                    ));
                }
            }
        }
    };
    Ok(Start {
        command,
        env,
        ready,
    })
}

fn check_alerts(a: Option<RawAlerts>) -> Result<Alerts, Problem> {
    let mut alerts = Alerts::default();
    let Some(a) = a else { return Ok(alerts) };
    if let Some(f) = a.format {
        alerts.format = f;
    }
    if let Some(labels) = a.labels {
        for (slot, given) in [
            (&mut alerts.target_label, labels.target),
            (&mut alerts.class_label, labels.class),
        ] {
            if let Some(g) = given {
                if g.value.trim().is_empty() {
                    let (l, c) = at(&g);
                    return Err((
                        l,
                        c,
                        "alerts.labels: expected a non-empty label name".into(),
                    ));
                }
                *slot = g.value;
            }
        }
    }
    Ok(alerts)
}
