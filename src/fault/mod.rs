//! Faults (SPEC §3.2): what a target does wrong, when, and to which requests.

mod draw;
mod engine;
mod kind;
mod param;
mod request;
mod spec;

pub use draw::{DrawKey, draw, draw_counter};
pub use engine::{ActiveFault, FaultSet, FaultView};
pub use kind::{CATALOGUE, FaultKind, KindInfo, Shapes, Stage};
pub use param::{Need, Param};
pub use request::{Operation, RequestFacts};
pub use spec::{Delay, FaultSpec, ManualAction, Quirk, RetryAfter};
