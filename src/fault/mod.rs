//! Faults (SPEC §3.2): what a target does wrong, when, and to which requests.

mod draw;
mod engine;
mod kind;
mod reach;
mod spec;

pub use draw::{DrawKey, draw, draw_counter};
pub use engine::{ActiveFault, FaultSet, FaultView, RequestFacts};
pub use kind::FaultKind;
pub use spec::{Delay, FaultSpec, ManualAction, Operation, Quirk, RetryAfter};
