//! The connector contract (SPEC §4): the connector file, the targets file,
//! the connector's process, event delivery, the alert sink and the audit
//! fetch, tied together by [`Connector`] for the scenario runner.

pub mod alert;
pub mod alert_sink;
pub mod audit;
mod driver;
pub mod event;
pub mod events;
pub mod file;
mod file_raw;
mod http;
pub mod logs;
pub mod placeholders;
pub mod process;
pub mod secrets;
pub mod targets_file;

pub use alert::{AlertClass, AlertStatus};
pub use driver::{Connector, ConnectorError, ConnectorOptions, Reloaded, StopSignal};
pub use event::{EventKind, EventType};
pub use file::ConnectorFile;
pub use file_raw::{from_yaml, load};
