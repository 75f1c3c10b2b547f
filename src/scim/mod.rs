//! The SCIM core: schemas, resources, filters, PATCH and errors.
//!
//! No async and no network here: the mock target, `certify` and the judge
//! all build on these pure functions.

pub mod error;
pub mod filter;
pub mod message;
pub mod patch;
pub mod path;
pub mod query;
pub mod schema;
pub mod validate;

pub use error::{ScimError, ScimResult, ScimType};
