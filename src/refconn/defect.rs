//! `--defect NAME`: each switches off exactly one behaviour of the reference
//! connector, so the harness can prove that the check guarding it bites
//! (SPEC §4.5). The table below is the one place a defect is defined.

use std::collections::BTreeSet;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Defect {
    /// Never POSTs an alert. Fails `alert`, `alert_resolved`.
    NoAlerts,
    /// Raises `degraded` on the first failing request. Fails `no_alert`
    /// (a single transient failure becomes noise).
    AlertOnFirstFailure,
    /// Reports every failure under another class. Fails `alert` (class).
    WrongClass,
    /// Leaves `first_failure_at` out. Fails `alert` with `fields: [first_failure_at]`.
    NoFirstFailureAt,
    /// Reports one more event of each kind than is pending. Fails `alert`
    /// with `fields: [pending]`.
    WrongPending,
    /// Drops an event after its first failure instead of queueing it.
    /// Fails `replay`, `state`.
    NoQueue,
    /// Keeps the queue in memory only: a restart loses what was accepted.
    /// Fails `state` (and `replay`) after `restart_connector`.
    MemoryQueue,
    /// Replays in plain original order, no deprovisioning first.
    /// Fails `replay` with `order: deprovision_first`.
    FifoReplay,
    /// Retries at once, no backoff. Fails `no_retry_storm` (backoff floor).
    NoBackoff,
    /// Retries 429/503 on its own backoff, not after `Retry-After`.
    /// Fails `honors_retry_after`.
    IgnoreRetryAfter,
    /// Retries 400/403/404/409 without end, at the backoff floor. Fails
    /// `no_retry_storm` (max).
    RetryNonRetryable,
    /// Never re-reads the targets file (neither on SIGHUP nor after a 401).
    /// Fails `replay`, `state`, `alert_resolved` after a token rotation.
    NoTokenReload,
    /// Does not look for an existing account: always POSTs, no adoption on
    /// 409. Fails `no_twins` / `state` with JIT twins and pre-existing accounts.
    NoCorrelation,
    /// Trusts PATCH answers: no GET after a write, no repair. Fails `state`
    /// with `patch_as_put` and `ignore_deactivate`.
    NoReadAfterWrite,
    /// Never reports recovery. Fails `alert_resolved`.
    NoHealthy,
    /// Audits the execution time as the original time. Fails `audit`.
    AuditNow,
}

pub const ALL: [(&str, Defect); 16] = [
    ("no-alerts", Defect::NoAlerts),
    ("alert-on-first-failure", Defect::AlertOnFirstFailure),
    ("wrong-class", Defect::WrongClass),
    ("no-first-failure-at", Defect::NoFirstFailureAt),
    ("wrong-pending", Defect::WrongPending),
    ("no-queue", Defect::NoQueue),
    ("memory-queue", Defect::MemoryQueue),
    ("fifo-replay", Defect::FifoReplay),
    ("no-backoff", Defect::NoBackoff),
    ("ignore-retry-after", Defect::IgnoreRetryAfter),
    ("retry-non-retryable", Defect::RetryNonRetryable),
    ("no-token-reload", Defect::NoTokenReload),
    ("no-correlation", Defect::NoCorrelation),
    ("no-read-after-write", Defect::NoReadAfterWrite),
    ("no-healthy", Defect::NoHealthy),
    ("audit-now", Defect::AuditNow),
];

impl Defect {
    pub fn name(self) -> &'static str {
        ALL.iter()
            .find(|(_, d)| *d == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }
}

impl fmt::Display for Defect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Defect {
    type Err = String;
    fn from_str(s: &str) -> Result<Defect, String> {
        ALL.iter()
            .find(|(n, _)| *n == s)
            .map(|(_, d)| *d)
            .ok_or_else(|| {
                format!(
                    "unknown defect '{s}': expected one of {}",
                    ALL.map(|(n, _)| n).join(", ")
                )
            })
    }
}

/// Where a defect shows (issue #5's matrix): the shipped scenarios
/// (`scenarios/NAME.yaml`) that expose it, the check that must fail there,
/// and every check it may fail. Anything else failing is a second fault in
/// the connector or the harness, not this defect.
#[derive(Debug, Clone, Copy)]
pub struct Exposure {
    pub scenarios: &'static [&'static str],
    pub designated: &'static str,
    pub may_fail: &'static [&'static str],
}

/// A connector that never converges also fails `settled` (its wait ran
/// out), and `state` may be judged more than once.
const LOST_WORK: &[&str] = &["replay", "state", "settled"];

impl Defect {
    pub fn exposure(self) -> Exposure {
        let e = |scenarios, designated, may_fail| Exposure {
            scenarios,
            designated,
            may_fail,
        };
        const EXPIRED_TOKEN: &[&str] = &["leaver-during-expired-token"];
        match self {
            Defect::NoAlerts => e(EXPIRED_TOKEN, "alert", &["alert", "alert_resolved"]),
            Defect::AlertOnFirstFailure => e(&["single-transient-503"], "no_alert", &["no_alert"]),
            Defect::WrongClass => e(EXPIRED_TOKEN, "alert", &["alert", "alert_resolved"]),
            Defect::NoFirstFailureAt => e(
                &[
                    "joiner-and-leaver-in-one-outage",
                    "outage-reaches-failed-then-recovers",
                ],
                "alert",
                &["alert"],
            ),
            Defect::WrongPending => e(&["joiner-and-leaver-in-one-outage"], "alert", &["alert"]),
            Defect::NoQueue => e(EXPIRED_TOKEN, "replay", LOST_WORK),
            Defect::MemoryQueue => e(&["connector-restart-keeps-the-queue"], "state", LOST_WORK),
            Defect::FifoReplay => e(EXPIRED_TOKEN, "replay", &["replay"]),
            Defect::NoBackoff => e(
                &["server-errors", "outage-reaches-failed-then-recovers"],
                "no_retry_storm",
                &["no_retry_storm"],
            ),
            Defect::IgnoreRetryAfter => e(
                &["joiners-during-429-storm"],
                "honors_retry_after",
                &["honors_retry_after", "no_retry_storm"],
            ),
            Defect::RetryNonRetryable => e(
                &["forbidden-token", "conflict-on-create"],
                "no_retry_storm",
                &["no_retry_storm"],
            ),
            Defect::NoTokenReload => e(
                EXPIRED_TOKEN,
                "state",
                &["replay", "state", "settled", "alert_resolved"],
            ),
            Defect::NoCorrelation => e(
                &["just-in-time-twin"],
                "no_twins",
                &["no_twins", "state", "settled"],
            ),
            Defect::NoReadAfterWrite => e(
                &["patch-as-put-attribute-loss", "app-ignores-deactivation"],
                "state",
                &["state", "settled"],
            ),
            Defect::NoHealthy => e(
                &["outage-reaches-failed-then-recovers"],
                "alert_resolved",
                &["alert_resolved"],
            ),
            Defect::AuditNow => e(EXPIRED_TOKEN, "audit", &["audit"]),
        }
    }
}

/// The defects switched on for one run.
#[derive(Debug, Clone, Default)]
pub struct Defects(BTreeSet<Defect>);

impl Defects {
    pub fn new(list: impl IntoIterator<Item = Defect>) -> Defects {
        Defects(list.into_iter().collect())
    }

    pub fn has(&self, d: Defect) -> bool {
        self.0.contains(&d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back_and_unknown_ones_list_the_choices() {
        for (name, d) in ALL {
            assert_eq!(name.parse::<Defect>().unwrap(), d);
            assert_eq!(d.to_string(), name);
        }
        let err = "nope".parse::<Defect>().unwrap_err();
        assert!(
            err.contains("no-alerts") && err.contains("audit-now"),
            "{err}"
        );
    }

    #[test]
    fn every_exposure_names_shipped_scenarios_and_its_own_designated_check() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for (name, d) in ALL {
            let x = d.exposure();
            assert!(!x.scenarios.is_empty(), "{name} names no scenario");
            assert!(x.may_fail.contains(&x.designated), "{name}");
            for s in x.scenarios {
                let path = root.join("scenarios").join(format!("{s}.yaml"));
                assert!(path.is_file(), "{name}: no {}", path.display());
            }
        }
    }
}
