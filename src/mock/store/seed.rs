//! Pre-existing accounts for a profile's `seed:` (SPEC §2): the accounts an
//! app already holds before the connector arrives (bulk loads, manual
//! accounts), generated deterministically so runs repeat.

use crate::scim::schema::core;
use serde_json::{Value, json};
use std::ops::RangeInclusive;

/// Users `user{i}@example.com` for each `i`, active, with a name and a
/// work email, and no `externalId` (nobody provisioned them).
pub fn seed_users(numbers: RangeInclusive<usize>) -> Vec<Value> {
    numbers
        .map(|i| {
            json!({
                "schemas": [core::USER],
                "userName": format!("user{i}@example.com"),
                "name": {"givenName": "User", "familyName": format!("Number{i}")},
                "displayName": format!("User Number{i}"),
                "emails": [{"value": format!("user{i}@example.com"), "type": "work", "primary": true}],
                "active": true,
            })
        })
        .collect()
}

/// Empty groups `group{i}` for each `i`.
pub fn seed_groups(numbers: RangeInclusive<usize>) -> Vec<Value> {
    numbers
        .map(|i| json!({"schemas": [core::GROUP], "displayName": format!("group{i}")}))
        .collect()
}
