//! `scimulate run [PATHS...]`: scenarios against a connector (SPEC §1).

use super::CliError;
use crate::connector::{self, ConnectorFile};
use crate::exit::Outcome;
use crate::partition::{Digest, Partition};
use crate::report::{
    Baseline, Destination, HarOutput, HarSink, HarWriter, HarnessError, Pack, ReportSpec, Style,
    TerminalProgress, apply_baseline, check_specs, exit_status, har_spec, mask_secrets,
    partition_summary, write_reports,
};
use crate::runner::{self, RunOptions};
use crate::scenario::{self, Scenario};
use clap::Args;
use std::io::IsTerminal;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// Where a local copy of the reference connector's file is looked for.
const REFERENCE: &str = "connectors/reference.yaml";

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario files or folders (default: ./scenarios).
    pub paths: Vec<PathBuf>,
    /// The connector file (default: the built-in reference connector).
    #[arg(long)]
    pub connector: Option<PathBuf>,
    /// terminal (default) | json | junit | html | markdown | har, each
    /// with an optional :PATH; repeatable.
    #[arg(long = "report", value_name = "FORMAT[:PATH]")]
    pub reports: Vec<ReportSpec>,
    /// Overrides every scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Scenario seconds per wall second (60: a 10 min outage takes 10 s).
    #[arg(long, default_value_t = 1.0)]
    pub time_scale: f64,
    /// Run the scenarios whose name matches (`*` and `?` wildcards).
    #[arg(long)]
    pub only: Option<String>,
    /// A JSON report: fail only on checks that passed there.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Drive this Toxiproxy server instead of the built-in proxy.
    #[arg(long, value_name = "URL")]
    pub toxiproxy: Option<String>,
    /// Run the scenarios carrying one of these tags; `!TAG` skips those
    /// carrying TAG.
    #[arg(long, value_delimiter = ',')]
    pub tags: Vec<String>,
    /// Targets serve HTTPS with a CA made for the run.
    #[arg(long)]
    pub tls: bool,
    /// Address every listener binds to.
    #[arg(long, default_value = "127.0.0.1")]
    pub listen: IpAddr,
    /// The host name connectors should use to reach the targets (written
    /// into the targets file instead of the listen address).
    #[arg(long, value_name = "HOST")]
    pub advertise: Option<String>,
    /// Run the K-th of N slices of the selected scenarios (after PATHS,
    /// --only and --tags), e.g. 2/4 on the second of four CI machines.
    /// The slices are disjoint, cover the selection and are the same on
    /// every machine; `scimulate report` merges their JSON reports. A slice
    /// left empty (N larger than the selection) runs nothing and passes.
    #[arg(long, value_name = "K/N")]
    pub partition: Option<Partition>,
    /// Keep the newest N run folders in .scimulate/runs (one per scenario
    /// run: targets file, connector workdir, evidence.json); older ones are
    /// removed when a run starts. A folder another run still uses is never
    /// removed.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub keep_runs: usize,
    /// Leave in the real apps of `upstream:` targets the accounts the
    /// connector created; by default each scenario deletes them when it
    /// ends (docs/upstream.md).
    #[arg(long)]
    pub keep: bool,
}

/// `*` any run of characters, `?` one character.
pub(crate) fn glob_match(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n)
}

fn scenario_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let defaults = [PathBuf::from("scenarios")];
    let paths = if paths.is_empty() {
        &defaults[..]
    } else {
        paths
    };
    let mut files = Vec::new();
    for p in paths {
        super::check::expand(p, &mut files)?;
    }
    Ok(files)
}

/// The reference connector's file, built in: it starts `{scimulate}
/// connector`, so it works from any folder.
const REFERENCE_YAML: &str = include_str!("../../connectors/reference.yaml");

pub(super) fn connector_file(path: Option<&Path>) -> Result<ConnectorFile, CliError> {
    match path {
        Some(path) if !path.is_file() => Err(CliError::BadInput(format!(
            "{}: no such connector file",
            path.display()
        ))),
        Some(path) => connector::load(path).map_err(bad_input),
        // A local connectors/reference.yaml (edited, e.g. with a --defect)
        // wins over the built-in one.
        None if Path::new(REFERENCE).is_file() => {
            connector::load(Path::new(REFERENCE)).map_err(bad_input)
        }
        None => connector::from_yaml(REFERENCE_YAML, "<built-in reference connector>")
            .map_err(bad_input),
    }
}

pub(super) fn bad_input(e: impl std::error::Error) -> CliError {
    CliError::BadInput(e.to_string())
}

/// The tag of scenarios that measure rather than gate (a directory-sized
/// game day): skipped in a folder unless `--tags` names it.
pub(crate) const BENCHMARK: &str = "benchmark";

/// `--tags a,b` keeps the scenarios carrying a or b; `!slow` drops those
/// carrying slow (SPEC §1: "e.g. skip `slow`").
pub(crate) fn wanted_by_tags(wanted: &[String], tags: &[String]) -> bool {
    let (skip, keep): (Vec<&String>, Vec<&String>) =
        wanted.iter().partition(|t| t.starts_with('!'));
    let skipped = skip.iter().any(|t| tags.iter().any(|s| s == &t[1..]));
    let kept = keep.is_empty() || keep.iter().any(|t| tags.contains(t));
    kept && !skipped
}

/// Every file loads, or every problem is reported at once (exit 2).
fn load_scenarios(args: &RunArgs) -> Result<Vec<Scenario>, CliError> {
    let mut scenarios = Vec::new();
    let mut errors = Vec::new();
    for file in scenario_files(&args.paths)? {
        match scenario::load(&file) {
            Ok(s) => scenarios.push(s),
            Err(e) => errors.push(e.to_string()),
        }
    }
    if !errors.is_empty() {
        return Err(CliError::BadInput(errors.join("\n")));
    }
    scenarios.retain(|s| args.only.as_deref().is_none_or(|g| glob_match(g, &s.name)));
    scenarios.retain(|s| wanted_by_tags(&args.tags, &s.tags));
    // A benchmark takes minutes: found in a folder, it runs only when
    // asked for by tag; named as a file, it runs.
    let named: Vec<&PathBuf> = args.paths.iter().filter(|p| p.is_file()).collect();
    scenarios.retain(|s| {
        !s.tags.iter().any(|t| t == BENCHMARK)
            || args.tags.iter().any(|t| t == BENCHMARK)
            || named.iter().any(|p| **p == s.file)
    });
    Ok(scenarios)
}

/// The selection's identity: the names in run order, and a digest of each
/// name with its file's text (line endings aside, which a checkout may
/// change), so that reports of packs that differ only inside a file are
/// still told apart.
fn pack_of(scenarios: &[Scenario]) -> Result<Pack, CliError> {
    let mut digest = Digest::default();
    for s in scenarios {
        let text = std::fs::read(&s.file)
            .map_err(|e| CliError::BadInput(format!("{}: cannot read: {e}", s.file.display())))?;
        let text: Vec<u8> = text.into_iter().filter(|&b| b != b'\r').collect();
        digest.update(s.name.as_bytes());
        digest.update(&[0]);
        digest.update(&(text.len() as u64).to_le_bytes());
        digest.update(&text);
    }
    Ok(Pack::new(
        scenarios.iter().map(|s| s.name.clone()).collect(),
        digest.hex(),
    ))
}

pub fn run(args: RunArgs) -> Result<Outcome, CliError> {
    if !(args.time_scale > 0.0 && args.time_scale.is_finite()) {
        return Err(CliError::BadInput(format!(
            "--time-scale {}: expected a positive number",
            args.time_scale
        )));
    }
    let (specs, har_destination) = report_specs(&args.reports)?;
    let baseline = match &args.baseline {
        Some(p) => Some(Baseline::load(p).map_err(|e| CliError::BadInput(e.to_string()))?),
        None => None,
    };
    let scenarios = load_scenarios(&args)?;
    if scenarios.is_empty() {
        return Err(CliError::BadInput(
            "no scenario to run: the paths hold none, or --only/--tags left none (a scenario tagged `benchmark` runs only under `--tags benchmark` or named as a file)".into(),
        ));
    }
    // What the whole selection is, before any slicing: every partition
    // records the same, so that their reports merge into the whole run's.
    let mut pack = pack_of(&scenarios)?;
    pack.seed = args.seed;
    pack.time_scale = Some(args.time_scale);
    let seed = args.seed.unwrap_or(scenarios[0].seed);
    let scenarios = match args.partition {
        Some(p) => {
            let slice = p.pick(scenarios, |s| &s.name);
            let line = partition_summary(p, slice.len(), Some(pack.selected.len()), "scenario");
            eprintln!("{line}");
            slice
        }
        None => scenarios,
    };
    let (runtime, shutdown) = super::runtime_with_shutdown()?;
    let options = RunOptions {
        connector: connector_file(args.connector.as_deref())?,
        seed: args.seed,
        time_scale: args.time_scale,
        toxiproxy: args.toxiproxy.clone(),
        tls: args.tls,
        listen: args.listen,
        advertise: args.advertise.clone(),
        runs_dir: PathBuf::from(".scimulate/runs"),
        keep_runs: Some(args.keep_runs),
        keep: args.keep,
        shutdown: shutdown.clone(),
        admin_port: None,
    };
    let stderr = std::io::stderr();
    let is_terminal = stderr.is_terminal();
    let mut progress = TerminalProgress::new(stderr, Style::detect(is_terminal), is_terminal);
    let mut har = open_har(har_destination.as_ref())?;
    let (mut report, secrets) = runtime.block_on(runner::run(
        &scenarios,
        &options,
        &mut progress,
        har.as_mut().map(|h| h as &mut dyn HarSink),
    ));
    finish_har(har, har_destination.as_ref(), &mut report);
    report.seed = Some(seed);
    report.pack = Some(pack);
    report.partition = args.partition;
    mask_secrets(&mut report, &secrets);
    if let Some(b) = &baseline {
        apply_baseline(&mut report, b).map_err(|e| CliError::BadInput(e.to_string()))?;
    }
    write_reports(&report, &specs)
        .map_err(|e| CliError::Harness(format!("could not write a report: {e}")))?;
    // Stopped by a signal: 130 or 143 (after the reports), whatever the
    // checks judged before it said.
    Ok(match shutdown.signal() {
        Some(signal) => signal.outcome(),
        None => exit_status(&report),
    })
}

/// The reports asked for (the terminal one when none is), checked, and
/// where the HAR report goes if one is asked for.
pub(super) fn report_specs(
    asked: &[ReportSpec],
) -> Result<(Vec<ReportSpec>, Option<Destination>), CliError> {
    let specs = if asked.is_empty() {
        vec![
            "terminal"
                .parse::<ReportSpec>()
                .map_err(CliError::BadInput)?,
        ]
    } else {
        asked.to_vec()
    };
    check_specs(&specs).map_err(CliError::BadInput)?;
    let har = har_spec(&specs)
        .map_err(CliError::BadInput)?
        .map(|s| s.destination.clone());
    Ok((specs, har))
}

/// Opens the HAR report's file before the run, so a path that cannot be
/// written fails before anything starts.
pub(super) fn open_har(
    destination: Option<&Destination>,
) -> Result<Option<HarWriter<HarOutput>>, CliError> {
    destination
        .map(|d| {
            HarOutput::open(d).map(HarWriter::new).map_err(|e| {
                CliError::Harness(format!(
                    "could not write the har report to {}: {e}",
                    place(d)
                ))
            })
        })
        .transpose()
}

/// Closes the HAR report; a failure to is a harness error of the report.
pub(super) fn finish_har(
    har: Option<HarWriter<HarOutput>>,
    destination: Option<&Destination>,
    report: &mut crate::report::RunReport,
) {
    if let (Some(har), Some(d)) = (har, destination)
        && let Err(e) = har.finish().and_then(HarOutput::commit)
    {
        report.errors.push(HarnessError {
            during: Some("writing the HAR report".into()),
            message: format!("{}: {e}", place(d)),
        });
        report.refresh_passed();
    }
}

pub(super) fn place(d: &Destination) -> String {
    match d {
        Destination::Stdout => "standard output".to_owned(),
        Destination::File(p) => p.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{glob_match, wanted_by_tags};

    #[rstest]
    #[case(&[], &["slow"], true)]
    #[case(&["slow"], &["slow"], true)]
    #[case(&["slow"], &[], false)]
    #[case(&["!slow"], &["slow"], false)]
    #[case(&["!slow"], &["network"], true)]
    #[case(&["!slow"], &[], true)]
    #[case(&["network", "!slow"], &["network", "slow"], false)]
    #[case(&["network", "!slow"], &["network"], true)]
    fn tags_pick_and_skip(#[case] wanted: &[&str], #[case] tags: &[&str], #[case] run: bool) {
        let own = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(wanted_by_tags(&own(wanted), &own(tags)), run);
    }
    use rstest::rstest;

    #[rstest]
    #[case("*", "anything", true)]
    #[case("leaver-*", "leaver-during-expired-token", true)]
    #[case("leaver-*", "joiner-429", false)]
    #[case("*token*", "leaver-during-expired-token", true)]
    #[case("a?c", "abc", true)]
    #[case("a?c", "ac", false)]
    #[case("exact", "exact", true)]
    fn globs(#[case] pattern: &str, #[case] name: &str, #[case] matches: bool) {
        assert_eq!(glob_match(pattern, name), matches);
    }
}
