//! The check groups, one file each. Each file's `checks()` is its part of
//! the catalogue: the definitions and the functions that run them.

pub mod bulk;
pub mod discovery;
pub mod entra;
pub mod errors;
pub mod etag;
pub mod filter;
pub mod filter_errors;
pub mod groups;
pub mod lifecycle;
pub mod load;
pub mod okta;
pub mod paging;
pub mod patch;
pub mod patch_errors;
pub mod projection;
pub mod resource_types;
pub mod schemas;
pub mod security;
pub mod user_state;
pub mod users;
