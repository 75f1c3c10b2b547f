//! The command line (SPEC §1). `main` parses arguments, runs one command and
//! maps its outcome to the exit statuses of [`exit`].

mod certify;
mod check;
pub mod exit;
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
    /// Run mock SCIM targets until stopped (game days, manual testing).
    Serve(serve::ServeArgs),
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

/// Runs one parsed command and returns its exit status (certify's
/// depends on its checks; the other commands succeed or err).
pub fn run_code(cli: Cli) -> Result<u8, CliError> {
    match cli.command {
        Command::Certify(args) => certify::run(*args),
        other => run(Cli { command: other }).map(|()| exit::OK),
    }
}

/// Runs one parsed command.
pub fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Certify(args) => certify::run(*args).and_then(|code| match code {
            exit::OK => Ok(()),
            // Callers of `run` only see errors; a failed check is reported
            // by the report itself.
            _ => Err(CliError::Harness(format!(
                "certify finished with exit status {code}"
            ))),
        }),
        Command::Serve(args) => serve::run(args),
        Command::Check { paths } => check::run(&paths, &mut std::io::stdout()),
        Command::Schema { kind } => schema::run(&kind, &mut std::io::stdout()),
    }
}
