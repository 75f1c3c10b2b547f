//! `scimulate report FILE.json...`: one report from the JSON reports of
//! the partitions of one pack (`run`/`certify --partition K/N` on several
//! machines), or one JSON report rendered again in other formats. The exit
//! status is the one the merged run would have ended with.

use super::CliError;
use crate::exit::Outcome;
use crate::report::{
    ReportSpec, Source, check_specs, exit_status, merge, parse_report, refuse_har, write_reports,
};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// JSON reports written by `run` or `certify` (--report json:PATH): the
    /// reports of every partition of one pack, or one report to render
    /// again.
    #[arg(required = true, value_name = "FILE.json")]
    pub files: Vec<PathBuf>,
    /// terminal (default) | json | junit | html | markdown, each with an optional
    /// :PATH; repeatable.
    #[arg(long = "report", value_name = "FORMAT[:PATH]")]
    pub reports: Vec<ReportSpec>,
}

/// Reads every file (all problems at once), merges, writes, and exits as
/// the merged run would have.
pub fn run(args: ReportArgs) -> Result<Outcome, CliError> {
    let mut specs = args.reports.clone();
    if specs.is_empty() {
        specs.push(ReportSpec::default_terminal());
    }
    check_specs(&specs).map_err(CliError::BadInput)?;
    refuse_har(
        &specs,
        "a JSON report keeps only the requests its verdicts rest on, not every request",
    )
    .map_err(CliError::BadInput)?;
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for file in &args.files {
        let origin = file.display().to_string();
        let read = std::fs::read_to_string(file)
            .map_err(|e| format!("{origin}: cannot read: {e}"))
            .and_then(|text| parse_report(&text, &origin));
        match read {
            Ok(report) => sources.push(Source { origin, report }),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(CliError::BadInput(errors.join("\n")));
    }
    let report = merge(sources).map_err(CliError::BadInput)?;
    write_reports(&report, &specs)
        .map_err(|e| CliError::Harness(format!("could not write a report: {e}")))?;
    Ok(exit_status(&report))
}
