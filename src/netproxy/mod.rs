//! A network proxy that speaks Toxiproxy's HTTP API (SPEC §3.5), and an
//! async client that drives it or a real Toxiproxy server.
//!
//! `api` is the HTTP surface, `registry` the named proxies, `error` the
//! API's one error, `engine` the TCP forwarding, `local` the upstreams served in memory, `toxic` the toxic objects,
//! `timing`/`closing` the two families of toxic behaviour, `client` the
//! client, `model` the JSON both share.

mod api;
mod chain;
mod client;
mod closing;
mod engine;
mod error;
mod local;
mod model;
mod registry;
mod timing;
mod toxic;

pub use api::{ApiServer, router};
pub use client::{Client, ClientError};
pub use error::ApiError;
pub use local::{Acceptor, LocalUpstreams};
pub use model::{ApiErrorBody, NewProxy, NewToxic, ProxyJson, ToxicJson, VERSION};
pub use registry::Registry;
