//! The judge (SPEC §5.1): each check computed from what the targets
//! received (journals), what they hold (state) and what the connector
//! reported (alerts), with its evidence in the message.

mod alerts;
pub mod evidence;
mod replay;
mod result;
mod retry;
mod state;

pub use alerts::{judge_alert, judge_alert_resolved, judge_no_alert, undelivered_at};
pub use replay::{judge_replay, removes_access};
pub use result::CheckResult;
pub use retry::{judge_honors_retry_after, judge_latency, judge_no_retry_storm};
pub use state::{accounts_of, judge_no_twins, judge_state};
