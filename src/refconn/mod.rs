//! The reference connector (SPEC §4.5): `scimulate connector`, a complete,
//! well-behaved SCIM provisioning connector, with `--defect` switches that
//! turn its behaviours off one at a time. [`start`] runs it in-process;
//! the command line (src/cli/connector.rs) adds signals.
//!
//! Rooms: `server` (HTTP in), `store` (the queue on disk and the audit),
//! `worker` (delivery order, retries), `apply` and `diff` (SCIM out),
//! `client` (credentials, classes), `health` (alert tiers), `context`
//! (what they share), `defect`, `run` (start and stop).

mod apply;
mod client;
mod context;
pub mod defect;
mod diff;
mod health;
mod run;
mod server;
mod store;
mod worker;

/// Sent on every request: some apps refuse requests without one (GitHub
/// EMU requires a User-Agent, vendor-behaviour.md §2.1).
pub const USER_AGENT: &str = concat!("scimulate-reference-connector/", env!("CARGO_PKG_VERSION"));

pub use defect::{Defect, Defects};
pub use run::{Options, Running, StartError, start};
