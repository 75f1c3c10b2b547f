//! What a mock target holds right now, as the judge reads it: its users and
//! groups and what of a User it can hold. Read for `wait: settled` while
//! the scenario runs and once more for the evidence at its end.

use crate::judge::evidence::{Holdings, UserSchema};
use crate::mock::state::TargetState;
use crate::scim::schema::ResourceTypeName;
use serde_json::Value;
use std::sync::Arc;

pub(crate) fn holdings(state: &TargetState) -> Holdings {
    let dump = |kind| {
        state
            .store
            .query(kind, None)
            .into_iter()
            .collect::<Vec<Arc<Value>>>()
    };
    Holdings {
        users: dump(ResourceTypeName::User),
        groups: dump(ResourceTypeName::Group),
        user_schema: Some(UserSchema::of(state.schema(ResourceTypeName::User))),
    }
}
