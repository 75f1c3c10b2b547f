//! The connector contract (SPEC §4): the connector file, the targets file,
//! the connector's process, event delivery, the alert sink and the audit
//! fetch, tied together by [`Connector`] for the scenario runner.

pub mod alert_sink;
pub mod audit;
mod driver;
pub mod events;
pub mod file;
mod file_raw;
mod http;
mod located;
pub mod logs;
pub mod placeholders;
pub mod process;
pub mod secrets;

pub use driver::{Connector, ConnectorError, ConnectorOptions, Reloaded, StopSignal};
pub use file::{ConnectorFile, from_yaml, load};
