//! The judge (SPEC §5.1): each check computed from what the targets
//! received (journals), what they hold (state) and what the connector
//! reported (alerts), with its evidence in the message.

mod result;
mod state;

pub use result::CheckResult;
pub use state::{accounts_of, judge_no_twins, judge_state};
