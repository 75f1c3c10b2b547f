//! Scenario files (SPEC §5): joiner/mover/leaver timelines with faults,
//! and what to expect of the connector. This module loads and checks them;
//! the runner and the judge consume the checked [`Scenario`].

mod file;
pub mod gameday;
mod load;
mod model;
pub mod people;
pub mod truth;
mod upstream;

pub use file::{AlertField, ReplayOrder, Signal};
pub use load::{from_yaml, load};
pub use model::{
    Action, Check, DEFAULT_SETTLE_TIMEOUT, Existing, Expect, NetworkChange, Scenario, Step,
    TargetSpec, Timing, UpstreamTarget,
};
pub use people::Person;
