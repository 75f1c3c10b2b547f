//! `partial_bulk` (SPEC §3.2): in `/Bulk`, every `fail_every`-th operation
//! (default 2) fails with a per-operation 500 while the others run, the
//! shape RFC 7644 §3.7.3 gives a failed operation in a BulkResponse.

use super::shaping::{fault, mark};
use crate::fault::FaultKind;
use crate::scim::ScimError;

/// Every second operation fails unless the fault says otherwise.
pub const DEFAULT_FAIL_EVERY: u64 = 2;

/// The error operation `index` (0-based) fails with, when it must fail;
/// the operation is then not run at all.
pub fn fails(index: usize) -> Option<ScimError> {
    let f = fault(FaultKind::PartialBulk)?;
    let every = f.spec.fail_every.unwrap_or(DEFAULT_FAIL_EVERY).max(1);
    if !(index as u64 + 1).is_multiple_of(every) {
        return None;
    }
    mark(FaultKind::PartialBulk);
    Some(ScimError::internal(
        "internal error while processing this operation",
    ))
}
