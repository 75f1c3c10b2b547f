//! Handing each target's journal to the HAR report at the end of a
//! scenario, while the targets still run: the entries are the journal's
//! own (shared, not copied), written out at once and let go.

use crate::report::{HarSink, TargetJournal};
use crate::serve::Serving;
use chrono::{DateTime, Utc};

pub(crate) fn pages(
    har: &mut dyn HarSink,
    scenario: &str,
    started: DateTime<Utc>,
    serving: &Serving,
    secrets: &[String],
) {
    let journals: Vec<_> = serving
        .targets
        .iter()
        .map(|t| (t, t.state.journal.since(0), t.state.journal.dropped()))
        .collect();
    let targets: Vec<TargetJournal<'_>> = journals
        .iter()
        .map(|(t, entries, dropped)| TargetJournal {
            name: &t.state.name,
            base_url: serving
                .endpoints
                .targets
                .get(&t.state.name)
                .map_or(t.state.base_url.as_str(), |e| e.base_url.as_str()),
            entries,
            dropped: *dropped,
        })
        .collect();
    har.scenario(scenario, started, &targets, secrets);
}
