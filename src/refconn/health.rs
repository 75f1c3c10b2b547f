//! Health of one target, counted per request (SPEC §4.5): a single
//! transient failure raises nothing; two consecutive failures, or any
//! authentication failure, raise `degraded`; failing longer than
//! `failed_after` raises `failed`; the next success raises `healthy`,
//! carrying the class and first failure of the trouble it ends.

use crate::contract::alert::{AlertClass, AlertStatus};
use chrono::{DateTime, Utc};
use std::time::{Duration, Instant};

/// An alert to send, before `pending` is counted.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub status: AlertStatus,
    pub class: AlertClass,
    pub first_failure_at: DateTime<Utc>,
    pub message: String,
}

#[derive(Debug)]
pub struct Health {
    /// Failures in a row needed for `degraded` (1 with the
    /// `alert-on-first-failure` defect).
    threshold: u32,
    failed_after: Duration,
    consecutive: u32,
    first_failure: Option<(DateTime<Utc>, Instant)>,
    class: AlertClass,
    message: String,
    reported: AlertStatus,
    /// Recoveries from a reported outage so far (see `Item::recoveries_mark`).
    pub recoveries: u64,
}

impl Health {
    pub fn new(threshold: u32, failed_after: Duration) -> Health {
        Health {
            threshold: threshold.max(1),
            failed_after,
            consecutive: 0,
            first_failure: None,
            class: AlertClass::Connectivity,
            message: String::new(),
            reported: AlertStatus::Healthy,
            recoveries: 0,
        }
    }

    /// A failed request, `sent` when it left: the first failing request's
    /// time is when it was sent (a timeout is noticed much later).
    pub fn failure(
        &mut self,
        class: AlertClass,
        message: &str,
        sent: (DateTime<Utc>, Instant),
    ) -> Option<Draft> {
        let (at, _) = *self.first_failure.get_or_insert(sent);
        self.consecutive += 1;
        self.class = class;
        self.message = message.to_owned();
        if self.reported == AlertStatus::Healthy
            && (self.consecutive >= self.threshold || class == AlertClass::Authentication)
        {
            self.reported = AlertStatus::Degraded;
            return Some(self.draft(AlertStatus::Degraded, at));
        }
        self.tick()
    }

    /// `failed` once the trouble has lasted `failed_after`; called on every
    /// failure and while waiting.
    pub fn tick(&mut self) -> Option<Draft> {
        let (at, since) = self.first_failure?;
        if self.reported == AlertStatus::Degraded && since.elapsed() >= self.failed_after {
            self.reported = AlertStatus::Failed;
            return Some(self.draft(AlertStatus::Failed, at));
        }
        None
    }

    /// A request that worked. A read proves nothing against trouble that
    /// only writes meet (a refused attribute, a conflict, a missing account,
    /// a permission, a rate limit on writes such as Slack's write tier): the
    /// lookups around each retry must not reset it.
    pub fn success(&mut self, write: bool) -> Option<Draft> {
        let write_only = matches!(
            self.class,
            AlertClass::SchemaMismatch
                | AlertClass::Conflict
                | AlertClass::NotFound
                | AlertClass::Authorization
                | AlertClass::RateLimit
        );
        if self.consecutive > 0 && write_only && !write {
            return None;
        }
        let first = self.first_failure.take();
        self.consecutive = 0;
        let was = std::mem::replace(&mut self.reported, AlertStatus::Healthy);
        match (was, first) {
            (AlertStatus::Healthy, _) | (_, None) => None,
            (_, Some((at, _))) => {
                self.recoveries += 1;
                let mut d = self.draft(AlertStatus::Healthy, at);
                d.message = format!("recovered from: {}", self.message);
                Some(d)
            }
        }
    }

    fn draft(&self, status: AlertStatus, at: DateTime<Utc>) -> Draft {
        Draft {
            status,
            class: self.class,
            first_failure_at: at,
            message: self.message.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> (DateTime<Utc>, Instant) {
        (Utc::now(), Instant::now())
    }

    #[test]
    fn reads_between_rate_limited_writes_do_not_hide_the_limit() {
        let mut h = Health::new(2, Duration::from_secs(30));
        assert_eq!(h.failure(AlertClass::RateLimit, "429", now()), None);
        // The lookup before the retry works: writes are still limited.
        assert_eq!(h.success(false), None);
        let d = h.failure(AlertClass::RateLimit, "429", now());
        assert!(d.is_some_and(|d| d.status == AlertStatus::Degraded));
        // A write that works ends it.
        assert!(
            h.success(true)
                .is_some_and(|d| d.status == AlertStatus::Healthy)
        );
    }

    #[test]
    fn one_blip_is_silent_two_degrade_and_recovery_carries_the_trouble() {
        let mut h = Health::new(2, Duration::from_secs(30));
        assert_eq!(h.failure(AlertClass::ServerError, "503", now()), None);
        assert_eq!(h.success(true), None);
        assert_eq!(h.failure(AlertClass::ServerError, "503", now()), None);
        let d = h.failure(AlertClass::ServerError, "503", now()).unwrap();
        assert_eq!(d.status, AlertStatus::Degraded);
        let first = d.first_failure_at;
        let ok = h.success(true).unwrap();
        assert_eq!(
            (ok.status, ok.class, ok.first_failure_at),
            (AlertStatus::Healthy, AlertClass::ServerError, first)
        );
        assert_eq!(h.recoveries, 1);
    }

    #[test]
    fn reads_between_refused_writes_do_not_hide_a_conflict() {
        let mut h = Health::new(2, Duration::from_secs(30));
        assert_eq!(h.failure(AlertClass::Conflict, "409", now()), None);
        assert_eq!(h.success(false), None);
        let d = h.failure(AlertClass::Conflict, "409", now()).unwrap();
        assert_eq!(
            (d.status, d.class),
            (AlertStatus::Degraded, AlertClass::Conflict)
        );
        assert_eq!(h.success(false), None, "a read is no recovery");
        assert_eq!(h.success(true).unwrap().status, AlertStatus::Healthy);
    }

    #[test]
    fn authentication_degrades_at_once_and_fails_after_the_limit() {
        let mut h = Health::new(2, Duration::ZERO);
        let d = h.failure(AlertClass::Authentication, "401", now()).unwrap();
        assert_eq!(d.status, AlertStatus::Degraded);
        assert_eq!(h.tick().unwrap().status, AlertStatus::Failed);
        assert_eq!(h.tick(), None);
    }
}
