//! The mock SCIM target: a service provider that behaves like RFC 7644 says.

pub mod auth;
pub mod behaviour;
pub mod connection;
pub mod faults;
pub mod fronting;
pub mod http;
pub mod journal;
pub mod listener;
pub mod metrics;
pub mod ops;
pub mod profile;
pub mod profile_file;
pub mod server;
pub mod state;
pub mod store;
pub mod tls;
pub mod upstream;
