//! Vendor behaviour (issue 3): the profile knobs of vendor-behaviour.md
//! §5.1 that make the strict target act like a real app, and the standing
//! rate limit. One family per file; the HTTP handlers and `ops` call these
//! through small hooks.

mod config;
pub mod conflict;
pub mod errors;
pub mod filter;
pub mod front;
pub mod hooks;
pub mod lifecycle;
pub mod paging;
pub mod patch;
pub mod rate_limit;
mod runtime;
pub mod shape;

pub use config::Behaviour;
pub use rate_limit::RateLimitConfig;
pub use runtime::Runtime;
