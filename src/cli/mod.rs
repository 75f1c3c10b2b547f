//! The command line (SPEC §1). `main` parses arguments, runs one command and
//! maps its outcome, or the error that stopped it, to the exit statuses of
//! [`crate::exit`].

mod certify;
mod check;
mod connector;
mod error;
mod gameday;
mod report;
mod run;
mod schema;
mod serve;

use crate::exit::{self, Outcome};
use clap::{Parser, Subcommand};
pub use error::CliError;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "scimulate",
    version,
    about = "SCIM 2.0 conformance and chaos test harness",
    after_help = "Documentation: docs/README.md in the scimulate repository (scenarios, \
                  connectors, faults, profiles, the mock target, reports and exit statuses)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run scenario files against a connector and judge it.
    ///
    /// Scenario format: docs/scenarios.md; connector contract: docs/connectors.md;
    /// reports and exit statuses: docs/reports.md.
    Run(run::RunArgs),
    /// Run mock SCIM targets until stopped (game days, manual testing).
    ///
    /// Endpoints file, admin API and Toxiproxy API: docs/mock-target.md;
    /// profiles: docs/profiles.md; faults: docs/faults.md.
    Serve(serve::ServeArgs),
    /// Play a game day: a scenario on the wall clock with steady-state
    /// hypotheses, safeguards and rollback, and a live board.
    ///
    /// The hypotheses are looked at before, during and after the method;
    /// a safeguard that fires stops the method and rolls back (every fault
    /// and toxic cleared, every proxy enabled); Ctrl-C does the same, then
    /// writes the report. The game-day file and a first game day step by
    /// step: docs/gamedays.md; the board: docs/mock-target.md.
    Gameday(gameday::GamedayArgs),
    /// The built-in reference connector, driven like any other.
    ///
    /// The contract it honours: docs/connectors.md.
    Connector(connector::ConnectorArgs),
    /// Conformance run against a live SCIM server.
    ///
    /// What it does and does not do, levels, safety and cleanup, the
    /// preflight, profiles, --load and the catalogue: docs/certify.md;
    /// reports and exit statuses: docs/reports.md.
    Certify(Box<certify::CertifyArgs>),
    /// Merge the JSON reports of a pack's partitions, or render one report again.
    ///
    /// The reports of every `run` or `certify --partition K/N` slice of one
    /// pack make one report, as if one machine had run the whole; a single
    /// JSON report is rendered in the formats asked for. The exit status is
    /// the one the merged run would have ended with (0 passed, 1 a check
    /// failed, 3 a harness error in a slice); reports that are not the
    /// slices of one pack, or a missing slice, are refused (exit 2).
    ///
    /// Report formats, merging and exit statuses: docs/reports.md.
    Report(report::ReportArgs),
    /// Validate profile, scenario and connector files without running anything.
    ///
    /// The formats: docs/scenarios.md, docs/profiles.md, docs/connectors.md.
    Check {
        /// Files or folders (default: ./mock-targets and ./scenarios).
        paths: Vec<PathBuf>,
    },
    /// Print the JSON Schema of a file or payload: scenario, profile,
    /// connector, report, event, alert, targets or endpoints.
    ///
    /// What each file and payload means: docs/README.md.
    Schema {
        /// scenario | profile | connector | report | event | alert | targets | endpoints
        kind: String,
    },
}

/// Runs the command line and returns the process exit status.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout with status 0; every
            // other parse error is bad input (2), which matches SPEC §1.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::BAD_INPUT
            } else {
                exit::OK
            });
        }
    };
    match run(cli) {
        Ok(outcome) => ExitCode::from(outcome.code()),
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

/// The async runtime of a command, and the stop it listens for (SIGINT,
/// SIGTERM) from now on: made before anything starts, so a signal while
/// targets or a connector start still stops them cleanly.
fn runtime_with_shutdown() -> Result<(tokio::runtime::Runtime, crate::shutdown::Shutdown), CliError>
{
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| CliError::Harness(format!("could not start the async runtime: {e}")))?;
    let shutdown = {
        let _entered = runtime.enter();
        crate::shutdown::Shutdown::on_signals().map_err(|e| {
            CliError::Harness(format!("could not listen for SIGINT and SIGTERM: {e}"))
        })?
    };
    Ok((runtime, shutdown))
}

/// Runs one parsed command. The commands that judge or report (`run`,
/// `certify`, `report`) finish with their report's outcome; the others
/// pass when they end.
pub fn run(cli: Cli) -> Result<Outcome, CliError> {
    let passed = |()| Outcome::Passed;
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Certify(args) => certify::run(*args),
        Command::Report(args) => report::run(args),
        Command::Serve(args) => serve::run(args).map(passed),
        Command::Gameday(args) => gameday::run(args),
        Command::Connector(args) => connector::run(args).map(passed),
        Command::Check { paths } => check::run(&paths, &mut std::io::stdout()).map(passed),
        Command::Schema { kind } => schema::run(&kind, &mut std::io::stdout()).map(passed),
    }
}
