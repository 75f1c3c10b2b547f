//! Reports (SPEC §7): one run model ([`RunReport`]) that the runner and
//! certify fill, and reporters that each make one format from it: JSON
//! (the model itself, the source of every other report), JUnit XML,
//! terminal, Markdown and HTML (`html.rs` with its template `report.html`:
//! a timeline from [`ScenarioReport::timeline`], `traffic` and `alerts`);
//! HAR is streamed by the runner from the targets' journals (`har.rs`).
//!
//! The runner's part, in order: fill the model, [`mask_secrets`] with every
//! token and secret the run handed out, [`apply_baseline`] when
//! `--baseline` is given, [`write_reports`], and exit with [`exit_status`].
//! `scimulate report` reads JSON reports back ([`parse_report`]), [`merge`]s
//! the partitions of one pack and writes the result the same way.

mod baseline;
mod escape;
pub mod har;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
mod mask;
mod merge;
mod model;
mod probes;
mod progress;
mod read;
mod spec;
mod status;
pub mod terminal;
mod traffic;
mod write;

pub use baseline::{Baseline, BaselineError, apply as apply_baseline};
pub use har::{HarOutput, HarSink, HarWriter, TargetJournal};
pub use mask::{MaskingWriter, mask_json, mask_secrets};
pub use merge::{Source, merge};
pub use model::{
    BaselineMark, CertifyCheck, CheckReport, Exchange, FailOn, HarnessError, Level, Outcome, Pack,
    REPORT_SPEC, ReceivedAlert, ReportKind, RunReport, ScenarioReport, TimelineEntry, TimelineKind,
    partition_summary,
};
pub use probes::{ProbeReport, ProbeSpanReport, probes};
pub use progress::{NoProgress, Progress, TerminalProgress};
pub use read::parse as parse_report;
pub use spec::{Destination, ReportFormat, ReportSpec, check_specs, har_spec, refuse_har};
pub use status::exit_status;
pub use terminal::{Style, group_line as certify_group_line};
pub use traffic::{Traffic, traffic};
pub use write::{render, write_reports, write_reports_to};
