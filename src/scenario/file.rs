//! The scenario file as written (SPEC §5), before its names are checked
//! against each other. Unknown keys are refused everywhere; values that a
//! later check may reject carry their place in the file.

use crate::contract::alert::{AlertClass, AlertStatus};
use crate::duration::HumanDuration;
use crate::fault::Quirk;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use serde_saphyr::Spanned;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Optional `kind: scenario`, for files kept outside `scenarios/`.
    #[serde(default)]
    pub kind: Option<String>,
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub targets: Spanned<BTreeMap<String, RawTarget>>,
    #[serde(default)]
    pub people: RawPeople,
    /// Accounts the targets hold before the first step.
    #[serde(default)]
    pub existing: Vec<Spanned<RawExisting>>,
    pub steps: Vec<Spanned<RawStep>>,
    #[serde(default)]
    pub expect: Vec<Spanned<RawExpect>>,
    // A game-day file's own sections (`scimulate gameday`); a scenario
    // file refuses them at their place.
    /// `reference` or a connector file; none: the connector runs elsewhere.
    #[serde(default)]
    pub connector: Option<Spanned<String>>,
    #[serde(default)]
    pub hypotheses: Option<Spanned<Vec<Spanned<RawProbe>>>>,
    #[serde(default)]
    pub safeguards: Option<Spanned<Vec<Spanned<RawProbe>>>>,
    #[serde(default)]
    pub rollback: Option<Spanned<String>>,
}

/// One entry of a game day's `hypotheses` or `safeguards`: a map with the
/// probe's name as its key. Thresholds are kept as written (`5%`) and read
/// by the loader, which can say where one is impossible.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RawProbe {
    NoActiveLeaver(LeaverProbe),
    ErrorRate(Box<ErrorRateProbe>),
    NoTwins(#[serde(default)] Option<TwinsProbe>),
    State(Spanned<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaverProbe {
    pub within: HumanDuration,
    #[serde(default)]
    pub every: Option<HumanDuration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorRateProbe {
    pub target: Spanned<String>,
    #[serde(default)]
    pub below: Option<Spanned<Value>>,
    #[serde(default)]
    pub above: Option<Spanned<Value>>,
    #[serde(default)]
    pub window: Option<HumanDuration>,
    #[serde(default)]
    pub every: Option<HumanDuration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TwinsProbe {
    #[serde(default)]
    pub target: Option<Spanned<String>>,
    #[serde(default)]
    pub every: Option<HumanDuration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    /// A mock target of this profile; or `upstream`.
    #[serde(default)]
    pub profile: Option<Spanned<String>>,
    /// A real app's SCIM base URL, fronted by scimulate.
    #[serde(default)]
    pub upstream: Option<Spanned<String>>,
    /// With `upstream`: the environment variable holding the token the
    /// judge reads the app's state with.
    #[serde(default)]
    pub read_token_env: Option<Spanned<String>>,
    /// With `upstream`: the environment variable holding the token the
    /// connector uses for the app (a bearer token in its targets file).
    #[serde(default)]
    pub token_env: Option<Spanned<String>>,
    /// With `upstream`: the CA certificate (PEM) of the app's HTTPS.
    #[serde(default)]
    pub ca_file: Option<Spanned<String>>,
    /// Standing faults on top of the profile's own.
    #[serde(default)]
    pub quirks: Vec<Quirk>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPeople {
    #[serde(default)]
    pub generate: Option<Generate>,
    #[serde(default)]
    pub named: BTreeMap<String, Spanned<Map<String, Value>>>,
    /// The mail domain of generated user names (default `acme.test`).
    #[serde(default)]
    pub domain: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generate {
    pub count: usize,
}

/// People who already have accounts when the scenario starts, as if an
/// earlier provisioning had made them: the targets are seeded with them
/// and the source of truth counts them as joined.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExisting {
    pub people: Spanned<Names>,
    /// Default: every target.
    #[serde(default)]
    pub targets: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub groups: Vec<String>,
}

/// One name, a list of names, or `all`; a name may be a range of
/// generated people, `p1..p500`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Names {
    One(String),
    Many(Vec<String>),
}

impl Names {
    pub fn as_slice(&self) -> &[String] {
        match self {
            Names::One(n) => std::slice::from_ref(n),
            Names::Many(v) => v,
        }
    }
}

/// A step: at most one action, with its modifiers. Which modifiers go with
/// which action is checked after parsing, where the error can say so.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    #[serde(default)]
    pub after: Option<HumanDuration>,
    #[serde(default)]
    pub at: Option<HumanDuration>,
    // Lifecycle actions.
    #[serde(default)]
    pub joiner: Option<Spanned<Names>>,
    #[serde(default)]
    pub mover: Option<Spanned<Names>>,
    #[serde(default)]
    pub leaver: Option<Spanned<Names>>,
    #[serde(default)]
    pub rehire: Option<Spanned<Names>>,
    #[serde(default)]
    pub update: Option<Spanned<Names>>,
    #[serde(default)]
    pub targets: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub groups: Option<Vec<String>>,
    #[serde(default)]
    pub set: Option<Spanned<Map<String, Value>>>,
    // Harness actions.
    #[serde(default)]
    pub wait: Option<Spanned<String>>,
    #[serde(default)]
    pub timeout: Option<HumanDuration>,
    #[serde(default)]
    pub fault: Option<Spanned<Map<String, Value>>>,
    #[serde(default)]
    pub network: Option<Spanned<Map<String, Value>>>,
    #[serde(default)]
    pub rotate_token: Option<Spanned<String>>,
    #[serde(default)]
    pub reconcile: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub restart_connector: Option<RestartConnector>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestartConnector {
    #[serde(default)]
    pub signal: Signal,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum Signal {
    #[default]
    #[serde(rename = "TERM")]
    Term,
    #[serde(rename = "KILL")]
    Kill,
}

/// One `expect` entry (SPEC §5.1), a map with the check's name as its key.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RawExpect {
    Alert(AlertExpect),
    NoAlert(#[serde(default)] Option<NoAlertExpect>),
    AlertResolved(AlertResolvedExpect),
    Replay(ReplayExpect),
    State(StateExpect),
    NoTwins(#[serde(default)] Option<TargetOnly>),
    NoRetryStorm(#[serde(default)] Option<NoRetryStormExpect>),
    HonorsRetryAfter(#[serde(default)] Option<TargetOnly>),
    Latency(LatencyExpect),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertExpect {
    #[serde(default)]
    pub target: Option<String>,
    pub class: AlertClass,
    #[serde(default = "degraded")]
    pub status: AlertStatus,
    pub within: HumanDuration,
    /// Fields that must be present and right: `first_failure_at`, `pending`.
    #[serde(default)]
    pub fields: Vec<AlertField>,
}

fn degraded() -> AlertStatus {
    AlertStatus::Degraded
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoAlertExpect {
    #[serde(default)]
    pub target: Option<String>,
    /// Only alerts arriving within this time from the start count.
    #[serde(default)]
    pub within: Option<HumanDuration>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertResolvedExpect {
    #[serde(default)]
    pub target: Option<String>,
    pub within: HumanDuration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayExpect {
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub order: ReplayOrder,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplayOrder {
    #[default]
    DeprovisionFirst,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum StateExpect {
    Word(StateWord),
    Target {
        #[serde(default)]
        target: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateWord {
    Converged,
    Ignore,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetOnly {
    #[serde(default)]
    pub target: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoRetryStormExpect {
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub max: Option<u32>,
    #[serde(default)]
    pub backoff_floor: Option<HumanDuration>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencyExpect {
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub provision: Option<HumanDuration>,
    #[serde(default)]
    pub deprovision: Option<HumanDuration>,
}

/// Serialize too: the judge's evidence file lists the fields a check asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertField {
    FirstFailureAt,
    Pending,
}

/// The hand-written scenario schema names exactly the keys this loader
/// accepts, at each level of the file that has fixed keys.
#[cfg(test)]
mod schema_keys {
    use super::RawScenario;
    use crate::schema::SchemaKind;
    use crate::schema::drift::{UNKNOWN, assert_same_keys};

    const TARGETS: &str = "name: s\ntargets: {a: {profile: p}}\n";

    /// After the name and targets, `yaml` with `@` where the unknown key
    /// goes, and that place in the schema.
    #[rstest::rstest]
    #[case::file("steps: []\n@: 1", &[])]
    #[case::target("steps: []", &["targets", "*"])]
    #[case::people("steps: []\npeople: {@: 1}", &["people"])]
    #[case::generate("steps: []\npeople: {generate: {count: 1, @: 1}}", &["people", "generate"])]
    #[case::existing("steps: []\nexisting: [{people: all, @: 1}]", &["existing", "[]"])]
    #[case::step("steps: [{@: 1}]", &["steps", "[]"])]
    #[case::restart("steps: [{restart_connector: {@: 1}}]", &["steps", "[]", "restart_connector"])]
    #[case::expect("steps: []\nexpect: [{@: 1}]", &["expect", "[]"])]
    fn match_the_loader(#[case] yaml: &str, #[case] path: &[&str]) {
        let targets = if path == ["targets", "*"] {
            "name: s\ntargets: {a: {profile: p, @: 1}}\n"
        } else {
            TARGETS
        };
        let yaml = format!("{targets}{yaml}").replace('@', UNKNOWN);
        let refusal = serde_saphyr::from_str::<RawScenario>(&yaml)
            .expect_err("an unknown key is refused")
            .to_string();
        assert_same_keys(SchemaKind::Scenario, path, &refusal);
    }
}
