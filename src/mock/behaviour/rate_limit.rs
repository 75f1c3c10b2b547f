//! The standing `rate_limit` of a profile (SPEC §2): a token bucket in front
//! of the target. Past the burst, requests get 429 with `Retry-After` as the
//! profile says (seconds, an HTTP-date, or none) until tokens refill; the
//! journal names the fault `rate_limit` (SPEC §3.3). Slack and Terraform
//! Enterprise publish such limits (vendor-behaviour.md §2.1).

use crate::fault::RetryAfter;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Tokens added per second (fractions allowed: 3 per minute is 0.05).
    pub requests_per_second: f64,
    /// The bucket's size: requests allowed at once after a quiet spell.
    /// Default: one second's worth, at least 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burst: Option<u32>,
    /// Absent: the whole seconds until the next token.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "retry_after_field"
    )]
    pub retry_after: Option<RetryAfter>,
    /// Only these methods are limited (e.g. Slack's write tier); absent: all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub methods: Option<Vec<String>>,
}

/// `RetryAfter` with an error that says which forms are accepted (the
/// untagged enum's own error names no form).
fn retry_after_field<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<RetryAfter>, D::Error> {
    RetryAfter::deserialize(d).map(Some).map_err(|_| {
        serde::de::Error::custom("expected a duration (e.g. 2s), {http_date: DURATION} or none")
    })
}

impl RateLimitConfig {
    pub fn capacity(&self) -> f64 {
        match self.burst {
            Some(b) => f64::from(b),
            None => self.requests_per_second.ceil().max(1.0),
        }
    }

    pub fn limits(&self, method: &str) -> bool {
        self.methods
            .as_ref()
            .is_none_or(|ms| ms.iter().any(|m| m.eq_ignore_ascii_case(method)))
    }

    /// What is wrong with the numbers, for the profile check.
    pub fn problem(&self) -> Option<String> {
        let rps = self.requests_per_second;
        if !rps.is_finite() || rps <= 0.0 {
            return Some(format!(
                "requests_per_second: expected a positive number, found {rps}"
            ));
        }
        if self.burst == Some(0) {
            return Some("burst: expected a positive integer".into());
        }
        // An HTTP-date is computed from now: keep it where dates exist.
        const MAX_WAIT: Duration = Duration::from_secs(365 * 86_400);
        let wait = match self.retry_after {
            Some(RetryAfter::Seconds(d)) | Some(RetryAfter::HttpDate { http_date: d }) => d.0,
            _ => Duration::ZERO,
        };
        if wait > MAX_WAIT {
            return Some(format!(
                "retry_after: expected at most 365 days, found {}",
                crate::duration::HumanDuration(wait)
            ));
        }
        const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];
        for m in self.methods.iter().flatten() {
            if !METHODS.iter().any(|k| k.eq_ignore_ascii_case(m)) {
                return Some(format!(
                    "methods: {m:?} is not one of {}",
                    METHODS.join(", ")
                ));
            }
        }
        None
    }
}

/// A token bucket driven by the caller's clock, so tests choose the time.
#[derive(Debug)]
pub struct TokenBucket {
    rate: f64,
    capacity: f64,
    tokens: f64,
    at: Instant,
}

impl TokenBucket {
    /// A full bucket at `now`.
    pub fn new(config: &RateLimitConfig, now: Instant) -> Self {
        TokenBucket {
            rate: config.requests_per_second,
            capacity: config.capacity(),
            tokens: config.capacity(),
            at: now,
        }
    }

    /// Takes a token, or says how long until one is there.
    pub fn take(&mut self, now: Instant) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity);
        self.at = now.max(self.at);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - self.tokens) / self.rate;
            Err(Duration::try_from_secs_f64(wait).unwrap_or(Duration::MAX))
        }
    }
}

/// The `Retry-After` a refusal carries: the profile's, or the wait until
/// the next token in whole seconds (at least 1).
pub fn retry_after(config: &RateLimitConfig, wait: Duration) -> RetryAfter {
    config.retry_after.unwrap_or_else(|| {
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        RetryAfter::Seconds(crate::duration::HumanDuration(Duration::from_secs(
            secs.clamp(1, 86_400),
        )))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(yaml: &str) -> RateLimitConfig {
        serde_saphyr::from_str(yaml).expect("rate limit")
    }

    #[test]
    fn the_burst_passes_then_the_rate_refills() {
        let c = config("{requests_per_second: 2, burst: 3}");
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(&c, t0);
        for _ in 0..3 {
            assert!(bucket.take(t0).is_ok());
        }
        let wait = bucket.take(t0).unwrap_err();
        assert_eq!(wait, Duration::from_millis(500));
        assert!(bucket.take(t0 + Duration::from_millis(499)).is_err());
        assert!(bucket.take(t0 + Duration::from_millis(1000)).is_ok());
    }

    #[test]
    fn refill_never_exceeds_the_burst() {
        let c = config("{requests_per_second: 10, burst: 2}");
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(&c, t0);
        let later = t0 + Duration::from_secs(60);
        assert!(bucket.take(later).is_ok());
        assert!(bucket.take(later).is_ok());
        assert!(bucket.take(later).is_err());
    }

    #[test]
    fn retry_after_defaults_to_the_wait_rounded_up() {
        let c = config("{requests_per_second: 0.1}");
        assert_eq!(c.capacity(), 1.0);
        match retry_after(&c, Duration::from_millis(9_100)) {
            RetryAfter::Seconds(d) => assert_eq!(d.0, Duration::from_secs(10)),
            other => panic!("{other:?}"),
        }
        let c = config("{requests_per_second: 1, retry_after: none}");
        assert!(matches!(
            retry_after(&c, Duration::ZERO),
            RetryAfter::None(_)
        ));
    }

    #[test]
    fn bad_numbers_are_named() {
        assert!(config("{requests_per_second: 0}").problem().is_some());
        assert!(
            config("{requests_per_second: 1, burst: 0}")
                .problem()
                .is_some()
        );
        assert!(
            config("{requests_per_second: 1, methods: [FETCH]}")
                .problem()
                .is_some()
        );
        assert!(
            config("{requests_per_second: 1, methods: [post]}")
                .problem()
                .is_none()
        );
        let far = "{requests_per_second: 1, retry_after: {http_date: 3000000000h}}";
        assert!(config(far).problem().is_some());
    }
}
