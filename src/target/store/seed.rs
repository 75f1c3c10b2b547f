//! Pre-existing accounts for a profile's `seed:` (SPEC §2): the accounts an
//! app already holds before the connector arrives (bulk loads, manual
//! accounts), generated deterministically so runs repeat.

use crate::scim::schema::core;
use serde_json::{Value, json};

/// `n` users: `user1@example.com` … `user{n}@example.com`, active, with a
/// name and a work email, and no `externalId` (nobody provisioned them).
pub fn seed_users(n: usize) -> Vec<Value> {
    (1..=n)
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

/// `n` empty groups: `group1` … `group{n}`.
pub fn seed_groups(n: usize) -> Vec<Value> {
    (1..=n)
        .map(|i| json!({"schemas": [core::GROUP], "displayName": format!("group{i}")}))
        .collect()
}
