//! `settled` (SPEC §5): a `wait: settled` step that gave up is a failed
//! check of its own, saying what was still unsettled.

use super::check::CheckName;
use super::evidence::Evidence;
use super::result::CheckResult;

/// One failed `settled` per step that gave up; nothing when none did.
pub fn judge_settled(index: usize, e: &Evidence) -> Vec<CheckResult> {
    e.unsettled
        .iter()
        .map(|u| {
            CheckResult::new(
                index,
                CheckName::Settled,
                "*",
                false,
                format!("wait: settled at step {} gave up: {}", u.step, u.why),
            )
        })
        .collect()
}
