//! The command line (SPEC §1). `main` parses arguments, runs one command and
//! maps its outcome to the exit statuses of [`exit`].

mod certify;
mod check;
mod connector;
pub mod exit;
mod run;
mod schema;
mod serve;

use clap::{Parser, Subcommand};
use exit::CliError;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "scimulate",
    version,
    about = "SCIM 2.0 conformance and chaos test harness"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run scenario files against a connector and judge it.
    Run(run::RunArgs),
    /// Run mock SCIM targets until stopped (game days, manual testing).
    Serve(serve::ServeArgs),
    /// The built-in reference connector (SPEC §4.5).
    Connector(connector::ConnectorArgs),
    /// Conformance run against a live SCIM server (SPEC §6).
    Certify(Box<certify::CertifyArgs>),
    /// Validate profile, scenario and connector files without running anything.
    Check {
        /// Files or folders (default: ./mock-targets and ./scenarios).
        paths: Vec<PathBuf>,
    },
    /// Print the JSON Schema of a file or payload: scenario, profile,
    /// connector, report, event, alert, targets or endpoints.
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
    match run_code(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

/// Runs one parsed command and returns its exit status: 0, or the status
/// a command that judges (`run`, `certify`) ended with; errors carry
/// theirs.
pub fn run_code(cli: Cli) -> Result<u8, CliError> {
    match run(cli) {
        Ok(()) => Ok(exit::OK),
        Err(CliError::Exit(code)) => Ok(code),
        Err(e) => Err(e),
    }
}

/// Runs one parsed command.
pub fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Run(args) => run::run(args),
        // A failed check is reported by the report itself; the status says
        // which kind of outcome it was.
        Command::Certify(args) => match certify::run(*args)? {
            exit::OK => Ok(()),
            code => Err(CliError::Exit(code)),
        },
        Command::Serve(args) => serve::run(args),
        Command::Connector(args) => connector::run(args),
        Command::Check { paths } => check::run(&paths, &mut std::io::stdout()),
        Command::Schema { kind } => schema::run(&kind, &mut std::io::stdout()),
    }
}
