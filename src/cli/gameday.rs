//! `scimulate gameday FILE`: a game day against a connector, with its
//! board on the admin listener.

use super::CliError;
use super::run::{bad_input, connector_file, finish_har, open_har, report_specs};
use crate::connector::ConnectorFile;
use crate::exit::Outcome;
use crate::report::{HarSink, ReportSpec, exit_status, mask_secrets, write_reports};
use crate::runner::{self, RunOptions};
use crate::scenario::gameday::{GameDayConnector, load_gameday};
use clap::Args;
use std::net::IpAddr;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct GamedayArgs {
    /// The game-day file: a scenario with `hypotheses`, `safeguards` and
    /// `rollback` (docs/gamedays.md).
    pub file: PathBuf,
    /// terminal (default) | json | junit | html | markdown | har, each
    /// with an optional :PATH; repeatable.
    #[arg(long = "report", value_name = "FORMAT[:PATH]")]
    pub reports: Vec<ReportSpec>,
    /// Address every listener binds to (the board's too).
    #[arg(long, default_value = "127.0.0.1")]
    pub listen: IpAddr,
    /// The port of the admin listener, which serves the board at `/`
    /// (default: one the OS picks, printed when the game day starts).
    #[arg(long, value_name = "PORT")]
    pub dashboard_port: Option<u16>,
    /// Overrides the file's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Keep the newest N run folders in .scimulate/runs.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub keep_runs: usize,
    /// Leave in the real apps (`upstream:` targets) the accounts the game
    /// day's connector created; by default they are deleted when it ends
    /// (docs/upstream.md).
    #[arg(long)]
    pub keep: bool,
}

pub fn run(args: GamedayArgs) -> Result<Outcome, CliError> {
    let (specs, har_destination) = report_specs(&args.reports)?;
    if !args.file.is_file() {
        return Err(CliError::BadInput(format!(
            "{}: no such game-day file",
            args.file.display()
        )));
    }
    let day = load_gameday(&args.file).map_err(bad_input)?;
    let connector = match &day.connector {
        GameDayConnector::Reference => connector_file(None)?,
        GameDayConnector::File { path, .. } => connector_file(Some(path))?,
        GameDayConnector::Elsewhere => ConnectorFile::elsewhere(),
    };
    let (runtime, shutdown) = super::runtime_with_shutdown()?;
    let options = RunOptions {
        connector,
        seed: args.seed,
        // A game day runs on the wall clock: its hypotheses speak of
        // real minutes, and so do the people watching the board.
        time_scale: 1.0,
        toxiproxy: None,
        tls: false,
        listen: args.listen,
        advertise: None,
        runs_dir: PathBuf::from(".scimulate/runs"),
        keep_runs: Some(args.keep_runs),
        // What the connector created in a real app (`upstream:`) is
        // deleted when the game day ends, as after `run`.
        keep: args.keep,
        shutdown: shutdown.clone(),
        admin_port: args.dashboard_port,
    };
    let mut har = open_har(har_destination.as_ref())?;
    eprintln!(
        "game day {} ({}): {} hypotheses, {} safeguards, rollback: {}",
        day.scenario.name,
        args.file.display(),
        day.hypotheses.len(),
        day.safeguards.len(),
        day.rollback
    );
    let (mut report, secrets) = runtime.block_on(runner::gameday(
        &day,
        &options,
        har.as_mut().map(|h| h as &mut dyn HarSink),
    ));
    finish_har(har, har_destination.as_ref(), &mut report);
    mask_secrets(&mut report, &secrets);
    write_reports(&report, &specs)
        .map_err(|e| CliError::Harness(format!("could not write a report: {e}")))?;
    Ok(match shutdown.signal() {
        Some(signal) => signal.outcome(),
        None => exit_status(&report),
    })
}
