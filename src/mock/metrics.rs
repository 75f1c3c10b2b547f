//! Request counters for the admin API's `/metrics` (Prometheus text format).

use parking_lot::Mutex;
use std::fmt::Write;

/// (method, status, fault) -> requests. A target sees a few dozen label
/// sets at most, so a short list searched in place beats a map, and
/// counting an existing label set allocates nothing (it runs per request).
#[derive(Debug, Default)]
pub struct Metrics {
    counts: Mutex<Vec<(String, u16, String, u64)>>,
}

impl Metrics {
    pub fn count(&self, method: &str, status: u16, fault: Option<&str>) {
        let fault = fault.unwrap_or("");
        let mut counts = self.counts.lock();
        match counts
            .iter_mut()
            .find(|(m, s, f, _)| *s == status && m == method && f == fault)
        {
            Some((_, _, _, n)) => *n += 1,
            None => counts.push((method.to_owned(), status, fault.to_owned(), 1)),
        }
    }

    pub fn clear(&self) {
        self.counts.lock().clear();
    }

    /// Appends this target's samples of `scimulate_requests_total`.
    pub fn render(&self, target: &str, out: &mut String) {
        let mut counts = self.counts.lock().clone();
        counts.sort();
        for (method, status, fault, n) in &counts {
            let _ = writeln!(
                out,
                "scimulate_requests_total{{target=\"{}\",method=\"{}\",status=\"{status}\",fault=\"{}\"}} {n}",
                escape(target),
                escape(method),
                escape(fault),
            );
        }
    }
}

/// Label values escape `\`, `"` and newlines (Prometheus exposition format).
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The header every exposition starts with.
pub const HEADER: &str = "# HELP scimulate_requests_total Requests a mock target received, by method, status and the fault that shaped the answer.\n# TYPE scimulate_requests_total counter\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_one_sample_per_label_set() {
        let m = Metrics::default();
        m.count("GET", 200, None);
        m.count("GET", 200, None);
        m.count("POST", 429, Some("rate_limit"));
        let mut out = String::new();
        m.render("app\"a", &mut out);
        assert_eq!(
            out,
            "scimulate_requests_total{target=\"app\\\"a\",method=\"GET\",status=\"200\",fault=\"\"} 2\n\
             scimulate_requests_total{target=\"app\\\"a\",method=\"POST\",status=\"429\",fault=\"rate_limit\"} 1\n"
        );
    }
}
