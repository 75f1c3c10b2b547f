//! One judged check: the identity SPEC §5 gives it (scenario, expect
//! index, check, target), whether it passed, and the evidence in words.

use super::check::CheckName;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    pub index: usize,
    pub check: String,
    pub target: String,
    pub passed: bool,
    pub message: String,
}

impl CheckResult {
    pub fn new(
        index: usize,
        check: CheckName,
        target: &str,
        passed: bool,
        message: String,
    ) -> Self {
        CheckResult {
            index,
            check: check.as_str().to_owned(),
            target: target.to_owned(),
            passed,
            message,
        }
    }
}
