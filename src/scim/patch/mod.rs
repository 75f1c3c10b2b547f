//! The PATCH engine (RFC 7644 §3.5.2).

mod apply;
mod request;

pub use apply::apply;
pub use request::{PATCH_OP_URN, PatchOpKind, PatchOperation, PatchPath, PatchRequest};
