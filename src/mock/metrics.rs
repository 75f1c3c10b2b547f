//! What a target counts for the admin API's `/metrics`: requests by
//! method, status and fault, and how long its answers took by outcome
//! class. The admin listener encodes every target's metrics into one
//! Prometheus exposition (`admin/metrics.rs`); this file only keeps them.

use parking_lot::{Mutex, RwLock};
use prometheus_client::encoding::{EncodeLabelSet, EncodeMetric, MetricEncoder};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::histogram::Histogram;

/// The outcome classes a latency is filed under: the status class, or
/// `dropped` for a request that got no answer (a network fault).
pub const CLASSES: [&str; 6] = ["1xx", "2xx", "3xx", "4xx", "5xx", "dropped"];

/// Latency bucket bounds in seconds: from 100 µs (an in-memory answer) to
/// 30 s (a fault's delay), about three per decade.
const BUCKETS: [f64; 16] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    10.0, 30.0,
];

/// One target's counters. (method, status, fault) -> requests: a target
/// sees a few dozen label sets at most, so a short list searched in place
/// beats a map, and counting an existing label set allocates nothing (it
/// runs per request).
#[derive(Debug)]
pub struct Metrics {
    counts: Mutex<Vec<(String, u16, String, u64)>>,
    /// One histogram per class of [`CLASSES`]; replaced whole on reset
    /// (a histogram cannot be emptied).
    latency: RwLock<[Histogram; CLASSES.len()]>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            counts: Mutex::default(),
            latency: RwLock::new(fresh_histograms()),
        }
    }
}

fn fresh_histograms() -> [Histogram; CLASSES.len()] {
    std::array::from_fn(|_| Histogram::new(BUCKETS))
}

/// The class index of a status: 0 is a request never answered.
fn class_of(status: u16) -> usize {
    match status {
        100..=199 => 0,
        200..=299 => 1,
        300..=399 => 2,
        400..=499 => 3,
        500..=599 => 4,
        _ => 5,
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    target: String,
    method: String,
    status: u16,
    fault: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ClassLabels {
    target: String,
    class: String,
}

impl Metrics {
    /// Counts one answered (or dropped, `status` 0) request and files how
    /// long it took.
    pub fn count(&self, method: &str, status: u16, fault: Option<&str>, seconds: f64) {
        let fault = fault.unwrap_or("");
        {
            let mut counts = self.counts.lock();
            match counts
                .iter_mut()
                .find(|(m, s, f, _)| *s == status && m == method && f == fault)
            {
                Some((_, _, _, n)) => *n += 1,
                None => counts.push((method.to_owned(), status, fault.to_owned(), 1)),
            }
        }
        self.latency.read()[class_of(status)].observe(seconds);
    }

    pub fn clear(&self) {
        self.counts.lock().clear();
        *self.latency.write() = fresh_histograms();
    }

    /// Requests counted so far, in every label set.
    pub fn total(&self) -> u64 {
        self.counts.lock().iter().map(|(_, _, _, n)| n).sum()
    }

    /// Adds this target's samples to `scimulate_requests_total`.
    pub fn encode_requests(
        &self,
        target: &str,
        encoder: &mut MetricEncoder,
    ) -> Result<(), std::fmt::Error> {
        let mut counts = self.counts.lock().clone();
        counts.sort();
        for (method, status, fault, n) in &counts {
            let labels = RequestLabels {
                target: target.to_owned(),
                method: method.clone(),
                status: *status,
                fault: fault.clone(),
            };
            ConstCounter::new(*n).encode(encoder.encode_family(&labels)?)?;
        }
        Ok(())
    }

    /// Adds this target's samples to `scimulate_request_duration_seconds`:
    /// one histogram per outcome class that has seen a request.
    pub fn encode_latency(
        &self,
        target: &str,
        encoder: &mut MetricEncoder,
    ) -> Result<(), std::fmt::Error> {
        let seen: Vec<usize> = {
            let counts = self.counts.lock();
            let mut seen: Vec<usize> = counts.iter().map(|(_, s, _, _)| class_of(*s)).collect();
            seen.sort_unstable();
            seen.dedup();
            seen
        };
        let latency = self.latency.read();
        for i in seen {
            let labels = ClassLabels {
                target: target.to_owned(),
                class: CLASSES[i].to_owned(),
            };
            latency[i].encode(encoder.encode_family(&labels)?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(200, "2xx")]
    #[case(204, "2xx")]
    #[case(101, "1xx")]
    #[case(304, "3xx")]
    #[case(429, "4xx")]
    #[case(503, "5xx")]
    #[case(0, "dropped")]
    fn a_status_falls_in_its_class(#[case] status: u16, #[case] class: &str) {
        assert_eq!(CLASSES[class_of(status)], class);
    }

    #[test]
    fn clearing_forgets_counts_and_latencies() {
        let m = Metrics::default();
        m.count("GET", 200, None, 0.001);
        m.count("POST", 429, Some("rate_limit"), 0.002);
        assert_eq!(m.total(), 2);
        m.clear();
        assert_eq!(m.total(), 0);
        m.count("GET", 200, None, 0.001);
        assert_eq!(m.total(), 1);
    }
}
