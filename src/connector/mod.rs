//! Driving a connector under test (SPEC §4): its connector file, its
//! process, event delivery, the alert sink and the audit fetch, tied
//! together by [`Connector`] for the scenario runner. The words both sides
//! of the contract share (events, alerts, audit records, the targets file)
//! are in `crate::contract`.

pub mod alert_sink;
pub mod audit;
mod driver;
pub mod events;
pub mod file;
mod file_raw;
mod http;
pub mod logs;
pub mod placeholders;
pub mod process;
pub mod secrets;

pub use driver::{Connector, ConnectorError, ConnectorOptions, Reloaded, StopSignal};
pub use file::ConnectorFile;
pub use file_raw::{from_yaml, load};
