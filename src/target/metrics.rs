//! Request counters for the admin API's `/metrics` (Prometheus text format).

use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::fmt::Write;

/// (method, status, fault) -> requests.
#[derive(Debug, Default)]
pub struct Metrics {
    counts: Mutex<BTreeMap<(String, u16, String), u64>>,
}

impl Metrics {
    pub fn count(&self, method: &str, status: u16, fault: Option<&str>) {
        let key = (method.to_owned(), status, fault.unwrap_or("").to_owned());
        *self.counts.lock().entry(key).or_default() += 1;
    }

    pub fn clear(&self) {
        self.counts.lock().clear();
    }

    /// Appends this target's samples of `scimulate_requests_total`.
    pub fn render(&self, target: &str, out: &mut String) {
        for ((method, status, fault), n) in self.counts.lock().iter() {
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
