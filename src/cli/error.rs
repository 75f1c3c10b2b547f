//! The errors that end a command before it could finish, each with the
//! exit status it maps to. A finished command's result is an
//! [`Outcome`](crate::exit::Outcome) instead, failed checks included.

use crate::exit::{BAD_INPUT, HARNESS};
use std::process::ExitCode;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A bad file or flag: exit 2.
    #[error("{0}")]
    BadInput(String),
    /// The harness could not do its job: exit 3.
    #[error("{0}")]
    Harness(String),
}

impl CliError {
    pub fn code(&self) -> u8 {
        match self {
            CliError::BadInput(_) => BAD_INPUT,
            CliError::Harness(_) => HARNESS,
        }
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code())
    }
}
