//! The admin API (SPEC §3.4): a separate loopback listener with its own
//! bearer token, for game days, tools and the judge.

mod board;
mod bulletin;
mod feed;
mod metrics;
mod routes;

pub use bulletin::Bulletin;
pub use routes::{AdminState, router};
