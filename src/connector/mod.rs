//! The connector contract (SPEC §4): the connector file, the targets file,
//! the connector's process, event delivery, the alert sink and the audit
//! fetch, tied together by [`Connector`] for the scenario runner.

pub mod file;
mod file_raw;
mod located;
pub mod placeholders;

pub use file::{ConnectorFile, from_yaml, load};
