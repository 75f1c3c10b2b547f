//! `scimulate certify` (SPEC §6): a conformance run against a live SCIM
//! server. The catalogue defines every check once; the runner discovers
//! what the server advertises, runs the checks, and cleans up everything it
//! created (and nothing else), also when interrupted.

pub mod catalogue;
mod causes;
pub mod check;
mod checks;
pub mod client;
mod compare;
pub mod ctx;
pub mod discovery;
pub mod ledger;
pub mod limiter;
mod load_spec;
pub mod persona;
pub mod preflight;
mod probe;
mod progress;
pub mod rfc;
pub mod runner;
pub mod verdict;

pub use catalogue::{all as catalogue, write_list};
pub use check::Check;
pub use load_spec::LoadSpec;
pub use persona::Persona;
pub use runner::{Options, SessionError, certify, cleanup_ledger};
pub use verdict::Fail;
