//! The judge (SPEC §5.1): every check computed from one [`Evidence`] value
//! (what the targets received and hold, what the connector reported and
//! how it fared), with its evidence in the message. [`judge`] is the one
//! entry point; the evidence can come from a run or from a file.

mod accounts;
mod alerts;
mod alive;
mod audit;
mod check;
mod cite;
pub mod evidence;
mod probes;
mod replay;
mod result;
mod retry;
mod settled;
mod slis;
mod state;
mod verdicts;

pub use accounts::{Accounts, Memberships, People};
pub use alerts::{judge_alert, judge_alert_resolved, judge_no_alert, undelivered_at};
pub use alive::judge_connector_alive;
pub use audit::judge_audit;
pub use check::{CheckName, CheckSpec, Expectation};
pub use cite::{CITED, cited, journal_entry};
pub use evidence::Evidence;
pub use probes::judge_probes;
pub use replay::{judge_replay, removes_access, replay_order};
pub use result::CheckResult;
pub use retry::{judge_honors_retry_after, judge_latency, judge_no_retry_storm};
pub use settled::judge_settled;
pub use slis::{Backlog, Percentiles, Slis, StatusCount, slis};
pub use state::{drifted_people, judge_no_twins, judge_state};
pub use verdicts::{judge, judge_check};
