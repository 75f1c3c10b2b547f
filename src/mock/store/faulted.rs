//! What faults ask of the store beyond the strict target: views of the past
//! for `stale_reads`, and the count of accounts sharing a userName up to
//! case for `case_sensitive_username`.

use super::history::History;
use super::{Record, Store, Stored, not_found};
use crate::scim::ScimResult;
use crate::scim::filter::{self, Filter};
use crate::scim::schema::ResourceSchema;
use crate::scim::schema::ResourceTypeName;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};

impl Store {
    /// Starts keeping earlier versions for `retention` (or changes how long
    /// they are kept); `None` stops and forgets them.
    pub fn keep_history(&self, retention: Option<Duration>) {
        let mut inner = self.inner.write();
        for kind in [ResourceTypeName::User, ResourceTypeName::Group] {
            let table = inner.table_mut(kind);
            match (retention, &mut table.history) {
                (None, history) => *history = None,
                (Some(r), Some(history)) => history.set_retention(r),
                (Some(r), history) => *history = Some(History::new(r)),
            }
        }
    }

    /// A resource as it was at `at` (404 when it did not exist then).
    pub fn get_as_of(&self, kind: ResourceTypeName, id: &str, at: Instant) -> ScimResult<Stored> {
        let inner = self.inner.read();
        let record = inner
            .table(kind)
            .get_as_of(id, at)
            .ok_or_else(|| not_found(kind, id))?;
        Ok(self.render(&inner, kind, id, &record))
    }

    /// The resources matching `filter` as they were at `at`, in creation
    /// order. No index helps here: only a fault takes this path.
    pub fn query_as_of(
        &self,
        kind: ResourceTypeName,
        filter: Option<&Filter>,
        schema: &ResourceSchema,
        at: Instant,
    ) -> Vec<Arc<Value>> {
        let inner = self.inner.read();
        inner
            .table(kind)
            .iter_as_of(at)
            .into_iter()
            .map(|(id, r): (&str, &Record)| self.render(&inner, kind, id, r).value.arc())
            .filter(|v| filter.is_none_or(|f| filter::matches(f, v, schema)))
            .collect()
    }

    /// How many accounts hold this userName, compared case-insensitively.
    pub fn user_name_holders(&self, user_name: &str) -> usize {
        self.inner.read().users.all_by_user_name(user_name).len()
    }
}
