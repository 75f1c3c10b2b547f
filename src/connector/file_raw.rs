//! The connector file as written, with source locations, and loading it:
//! parse, check the rules serde cannot express (each failure a
//! [`Located`] error at its line and column), and build the checked
//! [`ConnectorFile`].

use super::file::{
    AlertFormat, Alerts, ConnectorFile, DEFAULT_EXEC_TIMEOUT, DEFAULT_READY_TIMEOUT, Events, Ready,
    Reload, Start, Template,
};
use super::placeholders::{self, NAMES};
use crate::duration::HumanDuration;
use crate::located::{Located, Place, Source, find_from};
use crate::yaml::LoadError;
use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Reads and checks a connector file; errors name the file, line and column.
pub fn load(path: &Path) -> Result<ConnectorFile, LoadError> {
    let text = crate::yaml::read(path, "connector file")?;
    Ok(from_yaml(&text, &path.display().to_string())?)
}

/// Parses and checks connector YAML; `origin` names the file in errors and
/// its folder becomes [`ConnectorFile::base_dir`].
pub fn from_yaml(text: &str, origin: &str) -> Result<ConnectorFile, Located> {
    let raw: RawFile = crate::yaml::parse(text, origin)?;
    let base_dir = Path::new(origin)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // Absolute, because the connector runs with its workdir as cwd.
    let base_dir = std::path::absolute(base_dir).unwrap_or_else(|_| base_dir.to_owned());
    // Errors show two lines above the offending one: a nested key with its parent.
    raw.check(&Source::new(origin, text).with_lines_above(2), base_dir)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
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

/// Refuses an unknown placeholder in a string located at `at`, pointing at
/// the placeholder itself when it can be found.
fn placeholders_in(file: &Source, value: &str, at: Place) -> Result<(), Located> {
    let Some(bad) = placeholders::first_unknown(value) else {
        return Ok(());
    };
    let written = format!("{{{bad}}}");
    let place = find_from(file.text(), at, &written).unwrap_or(at);
    // Edit distance misses swapped letters in short names ({prot}).
    let hint = crate::yaml::closest(bad, NAMES)
        .or_else(|| NAMES.into_iter().find(|n| same_letters(n, bad)))
        .map(|n| format!("{{{n}}}"));
    Err(file
        .error(
            place,
            format!(
                "unknown placeholder `{written}`: expected one of {}",
                NAMES.map(|n| format!("{{{n}}}")).join(", ")
            ),
        )
        .with_hint(hint.as_deref()))
}

fn same_letters(a: &str, b: &str) -> bool {
    let sorted = |s: &str| {
        let mut v: Vec<char> = s.chars().collect();
        v.sort_unstable();
        v
    };
    sorted(a) == sorted(b)
}

fn template(file: &Source, s: &Spanned<String>) -> Result<Template, Located> {
    placeholders_in(file, &s.value, Place::from(s))?;
    Ok(Template(s.value.clone()))
}

fn url(file: &Source, s: &Spanned<String>, what: &str) -> Result<Template, Located> {
    let t = template(file, s)?;
    if !(t.0.starts_with("http://") || t.0.starts_with("https://")) {
        return Err(file.error(
            s,
            format!("{what}: '{}': expected an http:// or https:// URL", t.0),
        ));
    }
    Ok(t)
}

fn command(file: &Source, c: &Spanned<Vec<Spanned<String>>>) -> Result<Vec<Template>, Located> {
    if c.value.first().is_none_or(|p| p.value.trim().is_empty()) {
        return Err(file.error(
            c,
            "command: expected a list whose first item is the program, e.g. [\"./my-connector\", \"--port\", \"{port}\"] (no shell is used)",
        ));
    }
    c.value.iter().map(|a| template(file, a)).collect()
}

impl RawFile {
    fn check(self, file: &Source, base_dir: PathBuf) -> Result<ConnectorFile, Located> {
        if let Some(kind) = &self.kind
            && kind.value != "connector"
        {
            return Err(file.error(kind, format!("kind '{}': expected connector", kind.value)));
        }
        if self.name.value.trim().is_empty() {
            return Err(file.error(&self.name, "name: expected a non-empty name"));
        }
        let start = self.start.map(|s| check_start(file, s)).transpose()?;
        let events = match &self.events.value {
            RawEvents {
                webhook: Some(w),
                exec: None,
            } => Events::Webhook {
                url: url(file, &w.url, "events.webhook.url")?,
            },
            RawEvents {
                webhook: None,
                exec: Some(e),
            } => Events::Exec {
                command: command(file, &e.command)?,
                timeout: e.timeout.map_or(DEFAULT_EXEC_TIMEOUT, |t| t.0),
            },
            _ => {
                return Err(file.error(
                    &self.events,
                    "events: expected exactly one of { webhook: { url } } or { exec: { command, timeout } }",
                ));
            }
        };
        let reload = match &self.reload {
            None => Reload::None,
            Some(r) => match &r.value {
                RawReload::Sighup if start.is_none() => {
                    return Err(file.error(
                        r,
                        "reload: sighup needs `start`: without it scimulate has no process to signal; expected { http: URL } or none",
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
                    Reload::Http(url(file, &spanned, "reload.http")?)
                }
            },
        };
        let alerts = check_alerts(file, self.alerts)?;
        let audit = self
            .audit
            .map(|a| url(file, &a.http, "audit.http"))
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

fn check_start(file: &Source, s: RawStart) -> Result<Start, Located> {
    let command = command(file, &s.command)?;
    let mut env = BTreeMap::new();
    for (k, v) in &s.env {
        if k.is_empty() || k.contains(['=', '\0']) {
            return Err(file.error(
                v,
                format!("env: '{k}' is not a variable name: expected a non-empty name without '='"),
            ));
        }
        env.insert(k.clone(), template(file, v)?);
    }
    let ready = match s.ready {
        None => None,
        Some(r) => {
            let timeout = r.value.timeout.map_or(DEFAULT_READY_TIMEOUT, |t| t.0);
            match (&r.value.http, &r.value.log) {
                (Some(u), None) => Some(Ready::Http {
                    url: url(file, u, "ready.http")?,
                    timeout,
                }),
                (None, Some(l)) if !l.value.is_empty() => Some(Ready::Log {
                    text: l.value.clone(),
                    timeout,
                }),
                _ => {
                    return Err(file.error(
                        &r,
                        "ready: expected exactly one of { http: URL } or { log: TEXT } (non-empty), with an optional timeout",
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

fn check_alerts(file: &Source, a: Option<RawAlerts>) -> Result<Alerts, Located> {
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
                    return Err(file.error(&g, "alerts.labels: expected a non-empty label name"));
                }
                *slot = g.value;
            }
        }
    }
    Ok(alerts)
}

/// The hand-written connector schema names exactly the keys this loader
/// accepts, at every level of the file.
#[cfg(test)]
mod schema_keys {
    use super::RawFile;
    use crate::schema::SchemaKind;
    use crate::schema::drift::{UNKNOWN, assert_same_keys};

    /// `yaml` with `@` where the unknown key goes, and that place in the schema.
    #[rstest::rstest]
    #[case::file("@: 1\nname: c\nevents: {webhook: {url: u}}", &[])]
    #[case::start("name: c\nstart: {command: [x], @: 1}\nevents: {webhook: {url: u}}", &["start"])]
    #[case::ready("name: c\nstart: {command: [x], ready: {@: 1}}\nevents: {webhook: {url: u}}", &["start", "ready"])]
    #[case::events("name: c\nevents: {@: 1}", &["events"])]
    #[case::webhook("name: c\nevents: {webhook: {url: u, @: 1}}", &["events", "webhook"])]
    #[case::exec("name: c\nevents: {exec: {command: [x], @: 1}}", &["events", "exec"])]
    #[case::alerts("name: c\nevents: {webhook: {url: u}}\nalerts: {@: 1}", &["alerts"])]
    #[case::labels("name: c\nevents: {webhook: {url: u}}\nalerts: {labels: {@: 1}}", &["alerts", "labels"])]
    #[case::audit("name: c\nevents: {webhook: {url: u}}\naudit: {http: u, @: 1}", &["audit"])]
    fn match_the_loader(#[case] yaml: &str, #[case] path: &[&str]) {
        let yaml = yaml.replace('@', UNKNOWN);
        let refusal = serde_saphyr::from_str::<RawFile>(&yaml)
            .expect_err("an unknown key is refused")
            .to_string();
        assert_same_keys(SchemaKind::Connector, path, &refusal);
    }
}
