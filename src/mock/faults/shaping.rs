//! The SCIM-level faults shaping the request being handled, reachable from
//! the handlers and `ops` without threading them through every signature.
//!
//! The journal layer decides which faults shape a request (counting their
//! windows and draws once), then runs the handler inside this task-local
//! scope. Handlers run inline in that task, so `fault(kind)` finds the
//! decision; outside a scope (no fault in scope, admin seeding, unit tests)
//! it finds nothing and the strict code path runs. Whatever a hook actually
//! changed is marked, so the journal names the fault that shaped the answer
//! rather than every fault that was merely in scope.

use crate::fault::{ActiveFault, FaultKind};
use parking_lot::Mutex;
use std::future::Future;
use std::sync::Arc;

pub struct Shaping {
    faults: Vec<Arc<ActiveFault>>,
    applied: Mutex<Option<FaultKind>>,
}

tokio::task_local! {
    static SHAPING: Arc<Shaping>;
}

impl Shaping {
    /// `None` when no SCIM-level fault shapes the request: the handler then
    /// runs without a scope at all.
    pub fn new(faults: Vec<Arc<ActiveFault>>) -> Option<Arc<Shaping>> {
        (!faults.is_empty()).then(|| {
            Arc::new(Shaping {
                faults,
                applied: Mutex::new(None),
            })
        })
    }
}

/// Runs `future` with `shaping` in scope; returns its output and the first
/// fault a hook marked as applied.
pub async fn scoped<F: Future>(
    shaping: Option<Arc<Shaping>>,
    future: F,
) -> (F::Output, Option<FaultKind>) {
    match shaping {
        None => (future.await, None),
        Some(s) => {
            let out = SHAPING.scope(s.clone(), future).await;
            let applied = *s.applied.lock();
            (out, applied)
        }
    }
}

/// The first fault of `kind` shaping the current request.
pub fn fault(kind: FaultKind) -> Option<Arc<ActiveFault>> {
    SHAPING
        .try_with(|s| s.faults.iter().find(|f| f.spec.kind == kind).cloned())
        .ok()
        .flatten()
}

/// Whether a fault of `kind` shapes the current request.
pub fn active(kind: FaultKind) -> bool {
    SHAPING
        .try_with(|s| s.faults.iter().any(|f| f.spec.kind == kind))
        .unwrap_or(false)
}

/// Records that a fault of `kind` changed the answer (the first one wins:
/// the journal has one `fault` per request).
pub fn mark(kind: FaultKind) {
    let _ = SHAPING.try_with(|s| {
        let mut applied = s.applied.lock();
        if applied.is_none() {
            *applied = Some(kind);
        }
    });
}
