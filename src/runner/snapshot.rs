//! What a mock target holds right now, as the judge reads it: its users and
//! groups and what of a User it can hold. Read for `wait: settled` while
//! the scenario runs and once more for the evidence at its end.

use crate::judge::evidence::{Account, Holdings, UserSchema};
use crate::mock::state::TargetState;
use crate::scim::schema::ResourceTypeName;

pub(crate) fn holdings(state: &TargetState) -> Holdings {
    // The store's own JSON, shared: a stored resource is never changed in
    // place (a write stores a new one), so this stays a snapshot.
    let dump = |kind| -> Vec<Account> {
        state
            .store
            .dump(kind)
            .into_iter()
            .map(Account::from)
            .collect()
    };
    Holdings {
        users: dump(ResourceTypeName::User),
        groups: dump(ResourceTypeName::Group),
        user_schema: Some(UserSchema::of(state.schema(ResourceTypeName::User))),
    }
}
