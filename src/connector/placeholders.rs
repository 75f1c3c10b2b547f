//! Placeholders of SPEC §4 (`{port}`, `{targets_file}`, …): which names
//! exist, checking a template for unknown ones, and filling them in.
//!
//! A placeholder is `{` + a lowercase identifier + `}`; any other brace
//! (JSON in an argument, `${VAR}`-like text) is left alone, so a connector
//! file can still pass such text through.

use std::path::PathBuf;

/// Every placeholder name, in the order the spec lists them.
pub const NAMES: [&str; 6] = [
    "scimulate",
    "name",
    "port",
    "targets_file",
    "alert_url",
    "workdir",
];

/// The values placeholders stand for in one run of a connector.
#[derive(Debug, Clone, PartialEq)]
pub struct Values {
    /// The running scimulate binary.
    pub scimulate: PathBuf,
    pub name: String,
    /// A free loopback port picked for the connector to listen on.
    pub port: u16,
    pub targets_file: PathBuf,
    pub alert_url: String,
    pub workdir: PathBuf,
    /// `--time-scale`, passed on as `SCIMULATE_TIME_SCALE` when given.
    pub time_scale: Option<f64>,
}

impl Values {
    fn get(&self, name: &str) -> Option<String> {
        Some(match name {
            "scimulate" => self.scimulate.display().to_string(),
            "name" => self.name.clone(),
            "port" => self.port.to_string(),
            "targets_file" => self.targets_file.display().to_string(),
            "alert_url" => self.alert_url.clone(),
            "workdir" => self.workdir.display().to_string(),
            _ => return None,
        })
    }

    /// The same values as environment variables (SPEC §4).
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = vec![
            ("SCIMULATE_CONNECTOR_NAME".to_owned(), self.name.clone()),
            ("SCIMULATE_PORT".to_owned(), self.port.to_string()),
            (
                "SCIMULATE_TARGETS_FILE".to_owned(),
                self.targets_file.display().to_string(),
            ),
            ("SCIMULATE_ALERT_URL".to_owned(), self.alert_url.clone()),
            (
                "SCIMULATE_WORKDIR".to_owned(),
                self.workdir.display().to_string(),
            ),
        ];
        if let Some(x) = self.time_scale {
            env.push(("SCIMULATE_TIME_SCALE".to_owned(), x.to_string()));
        }
        env
    }
}

/// The placeholder names used in `text`, in order of appearance.
fn names(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.match_indices('{').filter_map(move |(at, _)| {
        let rest = &text[at + 1..];
        let end = rest.find('}')?;
        let name = &rest[..end];
        let is_ident = name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        is_ident.then_some((at, name))
    })
}

/// The first placeholder in `text` that is not one of [`NAMES`].
pub(crate) fn first_unknown(text: &str) -> Option<&str> {
    names(text).map(|(_, n)| n).find(|n| !NAMES.contains(n))
}

/// `text` with every known placeholder replaced by its value; unknown ones
/// cannot occur (the file check refused them) and are kept as written.
pub fn fill(text: &str, values: &Values) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (at, name) in names(text) {
        if let Some(v) = values.get(name) {
            out.push_str(&text[last..at]);
            out.push_str(&v);
            last = at + name.len() + 2;
        }
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Values {
        Values {
            scimulate: "/bin/scimulate".into(),
            name: "acme".into(),
            port: 4242,
            targets_file: "/w/targets.json".into(),
            alert_url: "http://127.0.0.1:9/alerts".into(),
            workdir: "/w".into(),
            time_scale: None,
        }
    }

    #[test]
    fn fills_every_name_and_leaves_other_braces() {
        let t =
            "{scimulate} {name}:{port} {targets_file} {alert_url} {workdir} {\"a\":1} ${HOME} {";
        assert_eq!(
            fill(t, &values()),
            "/bin/scimulate acme:4242 /w/targets.json http://127.0.0.1:9/alerts /w {\"a\":1} ${HOME} {"
        );
    }

    #[test]
    fn reports_the_first_unknown_name() {
        assert_eq!(first_unknown("127.0.0.1:{port}/{prot}/{x}"), Some("prot"));
        assert_eq!(first_unknown("{port} {\"json\": 1} {A}"), None);
    }

    #[test]
    fn env_carries_the_same_values_and_the_time_scale_when_given() {
        let mut v = values();
        assert!(!v.env().iter().any(|(k, _)| k == "SCIMULATE_TIME_SCALE"));
        v.time_scale = Some(60.0);
        let env = v.env();
        assert!(env.contains(&("SCIMULATE_PORT".into(), "4242".into())));
        assert!(env.contains(&("SCIMULATE_TIME_SCALE".into(), "60".into())));
    }
}
