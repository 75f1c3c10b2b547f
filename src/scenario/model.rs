//! A scenario after loading: every name resolved and checked, ready for the
//! runner. Built by [`super::load`] from the file as written.

use super::file::{AlertField, ReplayOrder, Signal};
use super::people::Person;
use crate::contract::alert::{AlertClass, AlertStatus};
use crate::contract::event::EventType;
use crate::fault::{FaultKind, FaultSpec};
use crate::located::Place;
use crate::mock::profile::Profile;
use serde_json::{Map, Value};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// `wait: settled` gives up after this unless the step says otherwise.
pub const DEFAULT_SETTLE_TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub file: PathBuf,
    pub description: Option<String>,
    pub seed: u64,
    pub tags: Vec<String>,
    pub targets: Vec<TargetSpec>,
    /// Shared with the evidence, which holds them too.
    pub people: Arc<Vec<Person>>,
    /// Accounts the targets hold before the first step.
    pub existing: Vec<Existing>,
    pub steps: Vec<Step>,
    /// Every check to judge, the implicit final `state` included.
    pub checks: Vec<Expect>,
}

impl Scenario {
    pub fn person(&self, key: &str) -> Option<&Person> {
        self.people.iter().find(|p| p.key == key)
    }

    pub fn target_names(&self) -> Vec<String> {
        self.targets.iter().map(|t| t.name.clone()).collect()
    }
}

/// People with accounts before the scenario starts: seeded into `targets`
/// (with membership of `groups`) and counted by the source of truth as
/// joined there, so the connector has to find them rather than create them.
#[derive(Debug, Clone, PartialEq)]
pub struct Existing {
    pub people: Vec<String>,
    pub targets: Vec<String>,
    pub groups: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct TargetSpec {
    pub name: String,
    /// A mock target's profile; for an upstream target, the strict one.
    pub profile: Profile,
    /// The scenario's quirks for this target, on top of the profile's.
    pub quirks: Vec<FaultSpec>,
    /// Set when the target fronts a real app (`upstream: URL`).
    pub upstream: Option<UpstreamTarget>,
}

/// `targets: { NAME: { upstream: URL, read_token_env: VAR, token_env: VAR, ca_file: FILE } }`.
#[derive(Debug, Clone, PartialEq)]
pub struct UpstreamTarget {
    /// The app's SCIM base URL, without a trailing slash.
    pub url: String,
    /// The environment variable holding the judge's read token.
    pub read_token_env: String,
    /// The environment variable holding the connector's token for the
    /// app, written into its targets file as a bearer token; `None`: the
    /// connector brings its own credentials (`auth: {type: upstream}`).
    pub token_env: Option<String>,
    /// The app's CA certificate, relative paths taken from the scenario
    /// file's folder.
    pub ca_file: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct Step {
    pub timing: Timing,
    pub action: Action,
    /// Where the step stands in the file, for messages about it.
    pub place: Place,
}

/// When a step runs, in scenario time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    /// Right after the previous step.
    Next,
    /// This long after the previous step.
    After(Duration),
    /// This long after the scenario started.
    At(Duration),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A joiner, mover, leaver, rehire or update for each person named.
    Lifecycle {
        event: EventType,
        people: Vec<String>,
        /// The apps the people are assigned to from now; `None` keeps what
        /// they had (a joiner without targets is assigned to every target).
        targets: Option<Vec<String>>,
        groups: Option<Vec<String>>,
        /// Attribute changes (mover, update), by person-file key.
        set: Map<String, Value>,
    },
    /// `after`/`at` alone.
    Pause,
    WaitSettled {
        timeout: Duration,
    },
    Fault {
        target: String,
        spec: Box<FaultSpec>,
    },
    /// `fault: {target, clear: KIND | all}`; `None` clears every fault.
    ClearFault {
        target: String,
        kind: Option<FaultKind>,
    },
    Network {
        target: String,
        change: NetworkChange,
    },
    RotateToken {
        target: String,
    },
    Reconcile {
        targets: Vec<String>,
    },
    RestartConnector {
        signal: Signal,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum NetworkChange {
    /// A Toxiproxy toxic, as its JSON.
    Toxic(Value),
    Enabled(bool),
    /// Remove every toxic and enable the proxy.
    Clear,
}

/// One check to judge (SPEC §5.1). `index` is its place in `expect`; the
/// implicit final state check comes after the last entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Expect {
    pub index: usize,
    /// `None`: judged for each target.
    pub target: Option<String>,
    pub check: Check,
    pub place: Option<Place>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    Alert {
        class: AlertClass,
        status: AlertStatus,
        within: Duration,
        fields: Vec<AlertField>,
    },
    NoAlert {
        within: Option<Duration>,
    },
    AlertResolved {
        within: Duration,
    },
    Replay {
        order: ReplayOrder,
    },
    State,
    NoTwins,
    NoRetryStorm {
        max: u32,
        backoff_floor: Duration,
    },
    HonorsRetryAfter,
    Latency {
        provision: Option<Duration>,
        deprovision: Option<Duration>,
    },
}

impl Check {
    /// The check's name in files and reports.
    pub fn name(&self) -> &'static str {
        match self {
            Check::Alert { .. } => "alert",
            Check::NoAlert { .. } => "no_alert",
            Check::AlertResolved { .. } => "alert_resolved",
            Check::Replay { .. } => "replay",
            Check::State => "state",
            Check::NoTwins => "no_twins",
            Check::NoRetryStorm { .. } => "no_retry_storm",
            Check::HonorsRetryAfter => "honors_retry_after",
            Check::Latency { .. } => "latency",
        }
    }
}
