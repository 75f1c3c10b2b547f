//! `--max-rps`: requests are spaced at least 1/N seconds apart, whatever
//! the number of concurrent callers, so a real tenant never sees a burst.

use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

#[derive(Debug)]
pub struct Limiter {
    interval: Option<Duration>,
    next: Mutex<Option<Instant>>,
}

impl Limiter {
    /// `None` or 0: no limit.
    pub fn new(max_rps: Option<f64>) -> Limiter {
        let interval = max_rps
            .filter(|r| r.is_finite() && *r > 0.0)
            .map(|r| Duration::from_secs_f64(1.0 / r));
        Limiter {
            interval,
            next: Mutex::new(None),
        }
    }

    /// Waits until a request may go out: after the last one by the
    /// interval, and never before a hold-off (Retry-After) has passed,
    /// with or without a rate.
    pub async fn acquire(&self) {
        let wait_until = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let slot = match *next {
                Some(t) if t > now => t,
                _ => now,
            };
            *next = Some(slot + self.interval.unwrap_or(Duration::ZERO));
            (slot > now).then_some(slot)
        };
        if let Some(t) = wait_until {
            tokio::time::sleep_until(t).await;
        }
    }

    /// Pushes every later request back (a 429's Retry-After applies to
    /// the whole server, not only to the request that got it).
    pub async fn hold_off(&self, pause: Duration) {
        let mut next = self.next.lock().await;
        let until = Instant::now() + pause;
        if next.is_none_or(|t| t < until) {
            *next = Some(until);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Real time, short intervals: tokio's paused clock needs its
    // test-util feature, which the project does not enable.
    #[tokio::test]
    async fn spaces_requests() {
        let l = Limiter::new(Some(100.0));
        let start = Instant::now();
        for _ in 0..11 {
            l.acquire().await;
        }
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(100), "{took:?}");
        assert!(took < Duration::from_millis(1000), "{took:?}");
    }

    #[tokio::test]
    async fn unlimited_does_not_wait() {
        let l = Limiter::new(None);
        let start = Instant::now();
        for _ in 0..1000 {
            l.acquire().await;
        }
        assert!(start.elapsed() < Duration::from_millis(100));
    }

    #[tokio::test]
    async fn hold_off_delays_the_next_request() {
        let l = Limiter::new(Some(1000.0));
        l.hold_off(Duration::from_millis(200)).await;
        let start = Instant::now();
        l.acquire().await;
        assert!(start.elapsed() >= Duration::from_millis(190));
    }

    #[tokio::test]
    async fn hold_off_applies_without_a_rate() {
        let l = Limiter::new(None);
        l.hold_off(Duration::from_millis(200)).await;
        let start = Instant::now();
        l.acquire().await;
        assert!(start.elapsed() >= Duration::from_millis(190));
    }

    #[test]
    fn nonsense_rates_mean_no_limit() {
        assert!(Limiter::new(Some(0.0)).interval.is_none());
        assert!(Limiter::new(Some(f64::NAN)).interval.is_none());
        assert!(Limiter::new(Some(-3.0)).interval.is_none());
    }
}
