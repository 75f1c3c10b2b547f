//! Exit statuses (SPEC §1, README "Exit status"). A leaf module: the
//! reports compute a status and the command line returns one, so both
//! import it from here rather than one from the other.

/// Every check passed.
pub const OK: u8 = 0;
/// A check failed.
pub const CHECK_FAILED: u8 = 1;
/// The input is wrong: a bad file or flag.
pub const BAD_INPUT: u8 = 2;
/// The harness could not do its job: port in use, I/O error, a process that would not start.
pub const HARNESS: u8 = 3;
/// Stopped by SIGINT (Ctrl-C): 128 + 2, as shells report it.
pub const INTERRUPTED: u8 = 130;
/// Stopped by SIGTERM: 128 + 15, as shells report it.
pub const TERMINATED: u8 = 143;

/// How a command that ran to its end came out. A failed check is an
/// outcome, not an error: the reports already said which check and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing failed (every check passed, or the command judges nothing).
    Passed,
    /// A check that counts failed.
    CheckFailed,
    /// The harness hit a problem during the run (a scenario that could not
    /// run, a resource it could not clean up); the verdict is incomplete.
    HarnessProblem,
    /// SIGINT stopped the command (after its cleanup and reports).
    Interrupted,
    /// SIGTERM stopped the command (after its cleanup and reports).
    Terminated,
}

impl Outcome {
    /// The exit status the process ends with.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Passed => OK,
            Outcome::CheckFailed => CHECK_FAILED,
            Outcome::HarnessProblem => HARNESS,
            Outcome::Interrupted => INTERRUPTED,
            Outcome::Terminated => TERMINATED,
        }
    }
}
