//! Faults that change what a read sees (SPEC §3.2): `stale_reads` (the
//! store as it was `delay` ago) and the filter half of
//! `case_sensitive_username` (userName compared exactly). Both send list
//! requests down the general path, since the indexes and pre-serialised
//! views describe the store as it is and compare userName folded.

use super::shaping::{active, fault, mark};
use crate::fault::{Delay, FaultKind, draw_counter};
use crate::mock::state::TargetState;
use crate::mock::store::Stored;
use crate::scim::ScimResult;
use crate::scim::filter::Filter;
use crate::scim::schema::ResourceSchema;
use crate::scim::schema::ResourceTypeName;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A stale read's lag when the fault names none.
pub const DEFAULT_DELAY: Duration = Duration::from_secs(1);

/// Whether a read fault shapes this request: the indexed fast path would
/// answer from the present, folded store, so it must be skipped.
pub fn reshaped() -> bool {
    active(FaultKind::StaleReads) || active(FaultKind::CaseSensitiveUsername)
}

/// The longest lag a `stale_reads` fault can ask for: how long history
/// must be kept.
pub fn retention(delay: Option<Delay>) -> Duration {
    match delay {
        Some(Delay::Fixed(d)) => d.0,
        Some(Delay::Range { max, .. }) => max.0,
        None => DEFAULT_DELAY,
    }
}

/// Keeps history from now on, as long as the longest lag of the
/// `stale_reads` faults (the one being switched on, with `delay`, included)
/// needs.
pub fn keep_history(state: &TargetState, delay: Option<Delay>) {
    let longest = state
        .faults
        .active(Instant::now())
        .iter()
        .filter(|f| f.spec.kind == FaultKind::StaleReads)
        .map(|f| retention(f.spec.delay))
        .max()
        .unwrap_or_default()
        .max(retention(delay));
    state.store.keep_history(Some(longest));
}

/// Stops keeping history once no `stale_reads` fault needs it, so the
/// strict target's writes pay nothing again.
pub fn release_history(state: &TargetState) {
    if !state.faults.has(FaultKind::StaleReads) {
        state.store.keep_history(None);
    }
}

/// The moment a stale read sees, when a `stale_reads` fault shapes it.
fn stale_at(state: &TargetState) -> Option<Instant> {
    let f = fault(FaultKind::StaleReads)?;
    let delay = match f.spec.delay {
        Some(Delay::Range { min, max }) => {
            let x = draw_counter(state.faults.seed(), f.id, f.shaped());
            min.0 + max.0.saturating_sub(min.0).mul_f64(x)
        }
        other => retention(other),
    };
    mark(FaultKind::StaleReads);
    // Before history began (the fault's start) nothing is known to undo.
    Some(
        Instant::now()
            .checked_sub(delay)
            .unwrap_or(f.activated_at)
            .max(f.activated_at),
    )
}

/// GET of one resource under `stale_reads`; `None` when no such fault
/// shapes the request.
pub fn get(state: &TargetState, kind: ResourceTypeName, id: &str) -> Option<ScimResult<Stored>> {
    let at = stale_at(state)?;
    Some(state.store.get_as_of(kind, id, at))
}

/// A User schema whose userName compares exactly.
fn case_exact_user_name(schema: &ResourceSchema) -> ResourceSchema {
    let mut core = (*schema.core).clone();
    if let Some(a) = core.attributes.iter_mut().find(|a| a.name == "userName") {
        a.case_exact = true;
    }
    ResourceSchema {
        core: Arc::new(core),
        ..schema.clone()
    }
}

/// Whether a filter compares `userName` anywhere (the only comparisons a
/// `case_sensitive_username` fault changes).
fn compares_user_name(filter: &Filter) -> bool {
    match filter {
        Filter::And(a, b) | Filter::Or(a, b) => compares_user_name(a) || compares_user_name(b),
        Filter::Not(inner) => compares_user_name(inner),
        Filter::Compare { path, .. } => path.name.eq_ignore_ascii_case("userName"),
        Filter::Present(_) | Filter::ValuePath { .. } => false,
    }
}

/// The resources a list or search selects under a read fault; `None` when
/// none shapes the request.
pub fn query(
    state: &TargetState,
    kind: ResourceTypeName,
    filter: Option<&Filter>,
) -> Option<Vec<Arc<Value>>> {
    let exact = kind == ResourceTypeName::User
        && active(FaultKind::CaseSensitiveUsername)
        && filter.is_some_and(compares_user_name);
    let at = stale_at(state);
    if !exact && at.is_none() {
        return None;
    }
    let schema = if exact {
        mark(FaultKind::CaseSensitiveUsername);
        Arc::new(case_exact_user_name(state.schema(kind)))
    } else {
        state.schema(kind).clone()
    };
    Some(match at {
        Some(at) => state.store.query_as_of(kind, filter, &schema, at),
        None => state.store.query_with(kind, filter, &schema),
    })
}

#[cfg(test)]
mod tests {
    use super::compares_user_name;
    use crate::scim::filter::parse;

    #[test]
    fn only_user_name_comparisons_are_reshaped() {
        let yes = |f: &str| compares_user_name(&parse(f).expect("filter"));
        assert!(yes(r#"userName eq "a""#));
        assert!(yes(r#"title pr and not (USERNAME sw "b")"#));
        assert!(!yes(r#"displayName eq "userName""#));
        assert!(!yes(r#"emails[value co "x"]"#));
    }
}
