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
}

impl CheckName {
    pub const ALL: [CheckName; 12] = [
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
        }
    }
}

impl CheckName {
    /// What a correct connector would have done, for a report to show
    /// beside a failure of this check.
    pub fn correct_behaviour(self) -> &'static str {
        match self {
            CheckName::Alert => {
                "A correct connector raises an alert for the target with the expected class and status within the bound, once its requests fail for that reason."
            }
            CheckName::NoAlert => {
                "A correct connector stays quiet about a target whose trouble it rides out: no alert for failures it recovers from within the bound."
            }
            CheckName::AlertResolved => {
                "A correct connector sends a healthy alert for the target within the bound once its requests succeed again."
            }
            CheckName::Replay => {
                "A correct connector keeps what it could not deliver and, once the target recovers, sends every deprovisioning first, then the rest in the order the events occurred, never one person's events out of order."
            }
            CheckName::State => {
                "A correct connector leaves the target holding what the source of truth says: each joiner's account with its attributes and groups, each leaver's account gone or inactive."
            }
            CheckName::NoTwins => {
                "A correct connector looks a person's account up (by externalId, then userName) before creating one, so nobody ends up with two accounts."
            }
            CheckName::NoRetryStorm => {
                "A correct connector retries a failed write only after a growing backoff, and does not resend a write whose answer says it can never succeed."
            }
            CheckName::HonorsRetryAfter => {
                "A correct connector waits at least the Retry-After a target answered before sending it anything again."
            }
            CheckName::Latency => {
                "A correct connector delivers each event to the target within the scenario's bound."
            }
            CheckName::Settled => {
                "A correct connector finishes its work: after the events, the targets stop receiving requests and hold what the source of truth says."
            }
            CheckName::ConnectorAlive => {
                "A correct connector keeps running through every fault and answers every delivery: it neither crashes nor hangs."
            }
            CheckName::Audit => {
                "A correct connector's audit records every event it handled, with its outcome for each target."
            }
        }
    }

    /// The name as a report writes it, if this version knows it.
    pub fn parse(name: &str) -> Option<CheckName> {
        CheckName::ALL.into_iter().find(|c| c.as_str() == name)
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
