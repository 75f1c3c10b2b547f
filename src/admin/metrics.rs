//! `GET /metrics`: every target's counters in one Prometheus text
//! exposition (format 0.0.4), encoded by `prometheus-client`. Each metric
//! name appears once with every target's samples under it, which is why
//! the targets' metrics are gathered by one collector at scrape time
//! rather than registered target by target.

use crate::mock::state::TargetState;
use crate::scim::schema::ResourceTypeName;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Registry;
use std::sync::Arc;

/// The exposition's Content-Type.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

struct Targets(Vec<Arc<TargetState>>);

// The collector trait asks for Debug; the targets' names say enough.
impl std::fmt::Debug for Targets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|t| &t.name))
            .finish()
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TargetLabel {
    target: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StoreLabels {
    target: String,
    resource_type: String,
}

impl Collector for Targets {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let mut requests = encoder.encode_descriptor(
            "scimulate_requests",
            "Requests a mock target received, by method, status (0: never answered) and the fault that shaped the answer.",
            None,
            MetricType::Counter,
        )?;
        for t in &self.0 {
            t.metrics.encode_requests(&t.name, &mut requests)?;
        }
        let mut latency = encoder.encode_descriptor(
            "scimulate_request_duration_seconds",
            "How long a mock target took to answer, from the request's arrival to the answer's last byte handed on, by outcome class (1xx to 5xx, dropped).",
            None,
            MetricType::Histogram,
        )?;
        for t in &self.0 {
            t.metrics.encode_latency(&t.name, &mut latency)?;
        }
        let mut journal = encoder.encode_descriptor(
            "scimulate_journal_entries",
            "Journal entries a mock target holds now (bounded: the oldest are dropped past the capacity).",
            None,
            MetricType::Gauge,
        )?;
        for t in &self.0 {
            let held = t.journal.len() as i64;
            ConstGauge::new(held).encode(journal.encode_family(&TargetLabel {
                target: t.name.clone(),
            })?)?;
        }
        let mut dropped = encoder.encode_descriptor(
            "scimulate_journal_dropped",
            "Journal entries a mock target dropped because its journal was full.",
            None,
            MetricType::Counter,
        )?;
        for t in &self.0 {
            let n = t.journal.dropped();
            prometheus_client::metrics::counter::ConstCounter::new(n).encode(
                dropped.encode_family(&TargetLabel {
                    target: t.name.clone(),
                })?,
            )?;
        }
        let mut stored = encoder.encode_descriptor(
            "scimulate_stored_resources",
            "Resources a mock target's store holds now, by resource type.",
            None,
            MetricType::Gauge,
        )?;
        for t in &self.0 {
            for (kind, name) in [
                (ResourceTypeName::User, "User"),
                (ResourceTypeName::Group, "Group"),
            ] {
                let labels = StoreLabels {
                    target: t.name.clone(),
                    resource_type: name.to_owned(),
                };
                ConstGauge::new(t.store.count(kind) as i64)
                    .encode(stored.encode_family(&labels)?)?;
            }
        }
        Ok(())
    }
}

/// The exposition of `targets`, in the order they were started.
pub fn exposition(targets: &[Arc<TargetState>]) -> String {
    let mut registry = Registry::default();
    registry.register_collector(Box::new(Targets(targets.to_vec())));
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::prometheus_text::encode(&mut out, &registry);
    out
}
