//! `certify --load RATE[:DURATION]`: what the load check is asked to
//! hold. Its own file so the session context (`ctx.rs`) can carry it
//! without reaching into the check that plays it (`checks/load.rs`).

use std::time::Duration;

/// A `--load` value: requests per second, for how long.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoadSpec {
    pub rate: f64,
    pub duration: Duration,
}

impl Default for LoadSpec {
    fn default() -> Self {
        LoadSpec {
            rate: 25.0,
            duration: Duration::from_secs(60),
        }
    }
}

impl std::str::FromStr for LoadSpec {
    type Err = String;

    /// `25`, `25:60s`, `0.5:2m`.
    fn from_str(s: &str) -> Result<LoadSpec, String> {
        let expected = || {
            format!(
                "--load {s:?}: expected RATE[:DURATION], RATE requests per second above 0 and \
                 DURATION like 60s or 2m (e.g. 25 or 25:60s)"
            )
        };
        let (rate, duration) = match s.split_once(':') {
            Some((r, d)) => (r, Some(d)),
            None => (s, None),
        };
        let rate: f64 = rate.trim().parse().map_err(|_| expected())?;
        if !(rate.is_finite() && rate > 0.0 && rate <= 10_000.0) {
            return Err(expected());
        }
        let duration = match duration {
            None => LoadSpec::default().duration,
            Some(d) => {
                d.trim()
                    .parse::<crate::duration::HumanDuration>()
                    .map_err(|_| expected())?
                    .0
            }
        };
        if duration.is_zero() {
            return Err(expected());
        }
        Ok(LoadSpec { rate, duration })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_values_are_a_positive_rate_and_a_duration() {
        assert_eq!("25".parse::<LoadSpec>(), Ok(LoadSpec::default()));
        let s: LoadSpec = "50:2s".parse().unwrap();
        assert_eq!((s.rate, s.duration), (50.0, Duration::from_secs(2)));
        for bad in ["0", "fast", "-3", "25:", "25:soon", "25:0s", "NaN", "inf"] {
            let e = bad.parse::<LoadSpec>().unwrap_err();
            assert!(e.contains("expected RATE[:DURATION]"), "{bad}: {e}");
        }
    }
}
