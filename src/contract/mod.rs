//! The connector contract's words (SPEC §4): what scimulate sends a
//! connector (lifecycle events, the targets file) and what a connector
//! sends back (alerts, the audit). Both sides use them: the harness in
//! `connector/`, `judge/` and `scenario/`, the reference connector in
//! `refconn/`. A leaf: it imports nothing of the crate but `private_file`
//! and `schema` (what the derived JSON Schemas share).

pub mod alert;
pub mod alert_wire;
pub mod audit;
pub mod event;
pub mod targets_file;
