//! Exit statuses (SPEC §1), in one place so every command maps its outcome
//! the same way and the README can document them.

use std::process::ExitCode;

/// Every check passed.
pub const OK: u8 = 0;
/// A check failed.
pub const CHECK_FAILED: u8 = 1;
/// The input is wrong: a bad file or flag.
pub const BAD_INPUT: u8 = 2;
/// The harness could not do its job: port in use, I/O error, a process that would not start.
pub const HARNESS: u8 = 3;

/// An error that ends a command, with the exit status it maps to.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    BadInput(String),
    #[error("{0}")]
    Harness(String),
    /// The command did its job and its outcome is this status (a check
    /// failed: 1); the reports already said why.
    #[error("exit status {0}")]
    Exit(u8),
}

impl CliError {
    pub fn code(&self) -> u8 {
        match self {
            CliError::BadInput(_) => BAD_INPUT,
            CliError::Harness(_) => HARNESS,
            CliError::Exit(code) => *code,
        }
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code())
    }
}
