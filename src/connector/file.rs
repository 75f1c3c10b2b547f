//! The connector file (SPEC §4): how to start the connector under test,
//! feed it events and watch it. This is the checked form the runner uses;
//! it knows nothing of the file as written, which `file_raw` parses,
//! checks and turns into this.

use super::placeholders::{self, Values};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// How long readiness may take when `ready` gives no `timeout`.
pub const DEFAULT_READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one `exec` event delivery may take when no `timeout` is given.
pub const DEFAULT_EXEC_TIMEOUT: Duration = Duration::from_secs(30);

/// A checked connector file. Strings that may hold placeholders are
/// [`Template`]s: fill them with [`Values`] before use.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectorFile {
    pub name: String,
    /// `None`: drive an already running connector.
    pub start: Option<Start>,
    pub events: Events,
    pub reload: Reload,
    pub alerts: Alerts,
    pub audit: Option<Template>,
    /// The folder of the file: a relative program path in `command`
    /// (`./my-connector`) is taken from there, not from the empty workdir.
    pub base_dir: PathBuf,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Start {
    pub command: Vec<Template>,
    pub env: BTreeMap<String, Template>,
    /// `None`: ready as soon as the process runs.
    pub ready: Option<Ready>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Ready {
    /// Any 2xx answer to a GET.
    Http { url: Template, timeout: Duration },
    /// A line of its output containing this text.
    Log { text: String, timeout: Duration },
}

impl Ready {
    pub fn timeout(&self) -> Duration {
        match self {
            Ready::Http { timeout, .. } | Ready::Log { timeout, .. } => *timeout,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Events {
    Webhook {
        url: Template,
    },
    Exec {
        command: Vec<Template>,
        timeout: Duration,
    },
    /// None: the connector runs elsewhere and gets its events from its own
    /// source ([`ConnectorFile::elsewhere`]).
    Nowhere,
}

/// What tells the connector that the targets file changed.
#[derive(Debug, Clone, PartialEq)]
pub enum Reload {
    Sighup,
    /// An empty POST.
    Http(Template),
    /// The connector re-reads the file itself (at the latest after a 401).
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertFormat {
    Scimulate,
    Alertmanager,
}

/// The alert format the connector speaks, and for Alertmanager the label
/// names that carry the target and the class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alerts {
    pub format: AlertFormat,
    pub target_label: String,
    pub class_label: String,
}

impl Default for Alerts {
    fn default() -> Self {
        Alerts {
            format: AlertFormat::Scimulate,
            target_label: "target".into(),
            class_label: "class".into(),
        }
    }
}

/// A string that may hold placeholders; the file check guarantees every
/// placeholder in it is a known one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template(pub(crate) String);

impl Template {
    pub fn fill(&self, values: &Values) -> String {
        placeholders::fill(&self.0, values)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl ConnectorFile {
    /// A connector scimulate neither starts nor sends events to: it runs
    /// elsewhere, pointed at the endpoints file. Its alerts may still come
    /// to the sink.
    pub fn elsewhere() -> ConnectorFile {
        ConnectorFile {
            name: "elsewhere".into(),
            start: None,
            events: Events::Nowhere,
            reload: Reload::None,
            alerts: Alerts::default(),
            audit: None,
            base_dir: PathBuf::from("."),
        }
    }

    /// The program and arguments of `command` filled in; a relative program
    /// path with a `/` is resolved against [`Self::base_dir`], a bare name
    /// through `PATH`.
    pub fn command_line(&self, command: &[Template], values: &Values) -> (PathBuf, Vec<String>) {
        let mut parts = command.iter().map(|t| t.fill(values));
        let program = PathBuf::from(parts.next().unwrap_or_default());
        let program = if program.is_relative() && program.components().count() > 1 {
            self.base_dir.join(program)
        } else {
            program
        };
        (program, parts.collect())
    }
}
