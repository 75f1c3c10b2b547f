//! scimulate: a SCIM 2.0 conformance and chaos test harness.
//!
//! The binary is a thin shell over [`cli::main`]; everything lives here so
//! tests can drive whole commands in-process.

pub mod admin;
pub mod certify;
pub mod cli;
pub mod connector;
pub mod contract;
pub mod duration;
pub mod exit;
pub mod fault;
pub mod http_client;
pub mod judge;
pub mod located;
pub mod mock;
pub mod netproxy;
pub mod partition;
pub mod private_file;
pub mod refconn;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod schema;
pub mod scim;
pub mod serve;
pub mod shutdown;
pub mod yaml;
