//! Every check the judge knows (SPEC §5.1), by name, and the checks a
//! scenario's `expect` lists with what each is judged with, as the
//! evidence file holds them. Check names are spelled here and nowhere else
//! in the judge or the runner.

use crate::contract::alert::{AlertClass, AlertStatus};
use crate::duration::HumanDuration;
use crate::scenario::{AlertField, Check, Expect};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A check's name in reports and evidence files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckName {
    Alert,
    NoAlert,
    AlertResolved,
    Replay,
    State,
    NoTwins,
    NoRetryStorm,
    HonorsRetryAfter,
    Latency,
    /// A `wait: settled` step that gave up.
    Settled,
    ConnectorAlive,
    Audit,
    /// A game day's steady-state hypothesis.
    Hypothesis,
    /// A game day's safeguard.
    Safeguard,
}

impl CheckName {
    pub const ALL: [CheckName; 14] = [
        CheckName::Alert,
        CheckName::NoAlert,
        CheckName::AlertResolved,
        CheckName::Replay,
        CheckName::State,
        CheckName::NoTwins,
        CheckName::NoRetryStorm,
        CheckName::HonorsRetryAfter,
        CheckName::Latency,
        CheckName::Settled,
        CheckName::ConnectorAlive,
        CheckName::Audit,
        CheckName::Hypothesis,
        CheckName::Safeguard,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CheckName::Alert => "alert",
            CheckName::NoAlert => "no_alert",
            CheckName::AlertResolved => "alert_resolved",
            CheckName::Replay => "replay",
            CheckName::State => "state",
            CheckName::NoTwins => "no_twins",
            CheckName::NoRetryStorm => "no_retry_storm",
            CheckName::HonorsRetryAfter => "honors_retry_after",
            CheckName::Latency => "latency",
            CheckName::Settled => "settled",
            CheckName::ConnectorAlive => "connector_alive",
            CheckName::Audit => "audit",
            CheckName::Hypothesis => "hypothesis",
            CheckName::Safeguard => "safeguard",
        }
    }

    /// The check named `name`, if this version knows it.
    pub fn parse(name: &str) -> Option<CheckName> {
        CheckName::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// What a correct connector does, for the reports: one line that
    /// completes "a correct connector …" (docs/scenarios.md says it whole).
    pub fn correct_connector(self) -> &'static str {
        match self {
            CheckName::Alert => {
                "raises an alert for the target, of the right class and status, soon after its failures start"
            }
            CheckName::NoAlert => {
                "raises no alert for the target: a single transient failure is not worth one"
            }
            CheckName::AlertResolved => "sends a healthy alert once the target has recovered",
            CheckName::Replay => {
                "delivers every held-back event once the target is back, deprovisioning first, each person's writes in order"
            }
            CheckName::State => "leaves the target holding exactly what the source of truth says",
            CheckName::NoTwins => "never gives one person two accounts in a target",
            CheckName::NoRetryStorm => {
                "does not repeat a request the target refused for good, and backs off between retries"
            }
            CheckName::HonorsRetryAfter => {
                "waits out the Retry-After of a 429 or 503 before sending again"
            }
            CheckName::Latency => "writes each event to the target within the scenario's bound",
            CheckName::Settled => {
                "has the target match the source of truth, with nothing pending, before the wait gives up"
            }
            CheckName::ConnectorAlive => "keeps running and answering for the whole scenario",
            CheckName::Audit => {
                "keeps each replayed event's original occurred_at as original_at in its audit records"
            }
            CheckName::Hypothesis => {
                "keeps the game day's steady state: the hypothesis holds every time it is looked at"
            }
            CheckName::Safeguard => {
                "never lets the game day get so bad that a safeguard has to stop it"
            }
        }
    }
}

impl fmt::Display for CheckName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One check of `expect` with its parameters. Durations are written as
/// scenario files write them (`30s`), so a file keeps exactly what the
/// scenario said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "check", rename_all = "snake_case")]
pub enum CheckSpec {
    Alert {
        class: AlertClass,
        status: AlertStatus,
        within: HumanDuration,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        fields: Vec<AlertField>,
    },
    NoAlert {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        within: Option<HumanDuration>,
    },
    AlertResolved {
        within: HumanDuration,
    },
    /// Replays are judged in the one order SPEC §5.1 defines.
    Replay,
    State,
    NoTwins,
    NoRetryStorm {
        max: u32,
        backoff_floor: HumanDuration,
    },
    HonorsRetryAfter,
    Latency {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        provision: Option<HumanDuration>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        deprovision: Option<HumanDuration>,
    },
}

impl CheckSpec {
    pub fn name(&self) -> CheckName {
        match self {
            CheckSpec::Alert { .. } => CheckName::Alert,
            CheckSpec::NoAlert { .. } => CheckName::NoAlert,
            CheckSpec::AlertResolved { .. } => CheckName::AlertResolved,
            CheckSpec::Replay => CheckName::Replay,
            CheckSpec::State => CheckName::State,
            CheckSpec::NoTwins => CheckName::NoTwins,
            CheckSpec::NoRetryStorm { .. } => CheckName::NoRetryStorm,
            CheckSpec::HonorsRetryAfter => CheckName::HonorsRetryAfter,
            CheckSpec::Latency { .. } => CheckName::Latency,
        }
    }
}

impl From<&Check> for CheckSpec {
    fn from(check: &Check) -> Self {
        let human = |d: std::time::Duration| HumanDuration(d);
        match check {
            Check::Alert {
                class,
                status,
                within,
                fields,
            } => CheckSpec::Alert {
                class: *class,
                status: *status,
                within: human(*within),
                fields: fields.clone(),
            },
            Check::NoAlert { within } => CheckSpec::NoAlert {
                within: within.map(human),
            },
            Check::AlertResolved { within } => CheckSpec::AlertResolved {
                within: human(*within),
            },
            Check::Replay { .. } => CheckSpec::Replay,
            Check::State => CheckSpec::State,
            Check::NoTwins => CheckSpec::NoTwins,
            Check::NoRetryStorm { max, backoff_floor } => CheckSpec::NoRetryStorm {
                max: *max,
                backoff_floor: human(*backoff_floor),
            },
            Check::HonorsRetryAfter => CheckSpec::HonorsRetryAfter,
            Check::Latency {
                provision,
                deprovision,
            } => CheckSpec::Latency {
                provision: provision.map(human),
                deprovision: deprovision.map(human),
            },
        }
    }
}

/// One `expect` entry: its place in the list, the target it names (`None`:
/// each target of the scenario) and the check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expectation {
    pub index: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(flatten)]
    pub check: CheckSpec,
}

impl From<&Expect> for Expectation {
    fn from(e: &Expect) -> Self {
        Expectation {
            index: e.index,
            target: e.target.clone(),
            check: CheckSpec::from(&e.check),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ReplayOrder;
    use std::time::Duration;

    fn every_check() -> Vec<Check> {
        let s = Duration::from_secs;
        vec![
            Check::Alert {
                class: AlertClass::Authentication,
                status: AlertStatus::Degraded,
                within: s(2),
                fields: vec![AlertField::FirstFailureAt, AlertField::Pending],
            },
            Check::NoAlert { within: None },
            Check::NoAlert {
                within: Some(s(90)),
            },
            Check::AlertResolved { within: s(30) },
            Check::Replay {
                order: ReplayOrder::DeprovisionFirst,
            },
            Check::State,
            Check::NoTwins,
            Check::NoRetryStorm {
                max: 1,
                backoff_floor: Duration::from_millis(500),
            },
            Check::HonorsRetryAfter,
            Check::Latency {
                provision: Some(s(60)),
                deprovision: None,
            },
        ]
    }

    #[test]
    fn each_scenario_check_keeps_its_name() {
        for check in every_check() {
            assert_eq!(CheckSpec::from(&check).name().as_str(), check.name());
        }
    }

    #[test]
    fn names_serialise_as_they_print() {
        for name in CheckName::ALL {
            assert_eq!(
                serde_json::to_value(name).unwrap(),
                serde_json::json!(name.as_str())
            );
        }
    }

    #[test]
    fn expectations_read_back_as_written() {
        for (i, check) in every_check().iter().enumerate() {
            let e = Expectation {
                index: i,
                target: (i % 2 == 0).then(|| "app-a".to_owned()),
                check: CheckSpec::from(check),
            };
            let text = serde_json::to_string(&e).unwrap();
            assert_eq!(
                serde_json::from_str::<Expectation>(&text).unwrap(),
                e,
                "{text}"
            );
        }
        let e: Expectation = serde_json::from_str(
            r#"{"index": 3, "target": "a", "check": "no_retry_storm", "max": 1, "backoff_floor": "500ms"}"#,
        )
        .unwrap();
        assert_eq!(
            e.check,
            CheckSpec::NoRetryStorm {
                max: 1,
                backoff_floor: HumanDuration(Duration::from_millis(500))
            }
        );
    }
}
