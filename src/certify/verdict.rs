//! What a check concludes: passed with a message, failed, or could not be
//! judged. Every check and the context's helpers speak this, so it depends
//! on nothing else in certify.

/// What a check function returns: `Ok(message)` when it passed.
pub type Verdict = Result<String, Fail>;

/// Why a check did not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fail {
    /// The server did something the check's level forbids.
    Failed(String),
    /// The check could not be judged (feature absent, precondition unmet).
    Skipped(String),
}

pub fn failed(msg: impl Into<String>) -> Fail {
    Fail::Failed(msg.into())
}

pub fn skipped(msg: impl Into<String>) -> Fail {
    Fail::Skipped(msg.into())
}

/// `ensure!(cond, "message {}", x)`: fail the check unless `cond`.
#[macro_export]
#[doc(hidden)]
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err($crate::certify::verdict::Fail::Failed(format!($($msg)+)));
        }
    };
}
