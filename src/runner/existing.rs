//! `existing:` (SPEC §5): before the connector starts, each target is
//! seeded with the accounts its existing people already have, as if an
//! earlier provisioning had made them, and the source of truth counts those
//! people as joined. Nothing is journaled: the connector never sent it.

use crate::mock::state::TargetState;
use crate::scenario::truth::Truth;
use crate::scenario::{Person, Scenario};
use crate::scim::schema::ResourceTypeName;
use crate::scim::schema::core::{GROUP as CORE_GROUP, USER as CORE_USER};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Accounts stored per call: a hundred thousand people are never all
/// built before any is stored, so the peak stays near what is kept.
const CHUNK: usize = 10_000;

/// Seeds every target with its existing people's accounts and their group
/// memberships, and records them in `truth`. The error names the target
/// and what it refused.
pub(crate) fn seed(
    scenario: &Scenario,
    targets: &[&Arc<TargetState>],
    truth: &mut Truth,
) -> Result<(), String> {
    if scenario.existing.is_empty() {
        return Ok(());
    }
    let people: HashMap<&str, &Person> = scenario
        .people
        .iter()
        .map(|p| (p.key.as_str(), p))
        .collect();
    for entry in &scenario.existing {
        let who: Vec<&Person> = entry
            .people
            .iter()
            .filter_map(|k| people.get(k.as_str()).copied())
            .collect();
        for name in &entry.targets {
            let Some(target) = targets.iter().find(|t| &t.name == name) else {
                return Err(format!("existing: no running target `{name}`"));
            };
            seed_target(target, &who, &entry.groups)?;
        }
        for p in &who {
            truth.existing(p, &entry.targets, &entry.groups);
        }
    }
    Ok(())
}

/// One target's share: the users in chunks, then each group, created with
/// every seeded member. A group the target already holds (a profile's own
/// seed) is refused as a duplicate name, and the error says so.
fn seed_target(target: &TargetState, who: &[&Person], groups: &[String]) -> Result<(), String> {
    let refused =
        |e: crate::scim::ScimError| format!("existing: `{}` refused: {}", target.name, e.detail);
    let extensions: Vec<String> = target
        .schema(ResourceTypeName::User)
        .extensions
        .iter()
        .map(|(s, _)| s.id.clone())
        .collect();
    let mut ids = Vec::with_capacity(if groups.is_empty() { 0 } else { who.len() });
    for chunk in who.chunks(CHUNK) {
        let users = chunk
            .iter()
            .map(|p| account(&p.user, &extensions))
            .collect();
        let stored = target
            .seed(ResourceTypeName::User, users)
            .map_err(refused)?;
        if !groups.is_empty() {
            ids.extend(stored.into_iter().map(|s| s.id));
        }
    }
    if !groups.is_empty() {
        let members: Vec<Value> = ids.iter().map(|id| json!({"value": id})).collect();
        let bodies = groups
            .iter()
            .map(|g| json!({"schemas": [CORE_GROUP], "displayName": g, "members": members}))
            .collect();
        target
            .seed(ResourceTypeName::Group, bodies)
            .map_err(refused)?;
    }
    Ok(())
}

/// The account a person has in an app: their SCIM User, active, with the
/// schema extensions the app offers (an app without the enterprise
/// extension holds no department).
fn account(user: &Map<String, Value>, extensions: &[String]) -> Value {
    let mut body: Map<String, Value> = user
        .iter()
        .filter(|(k, _)| !k.starts_with("urn:") || extensions.iter().any(|e| e == *k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut schemas = vec![json!(CORE_USER)];
    schemas.extend(
        body.keys()
            .filter(|k| k.starts_with("urn:"))
            .map(|k| json!(k)),
    );
    body.insert("schemas".into(), Value::Array(schemas));
    body.insert("active".into(), json!(true));
    Value::Object(body)
}

/// How many accounts each target was seeded with, for the timeline.
pub(crate) fn counts(scenario: &Scenario) -> BTreeMap<&str, usize> {
    let mut out = BTreeMap::new();
    for e in &scenario.existing {
        for t in &e.targets {
            *out.entry(t.as_str()).or_default() += e.people.len();
        }
    }
    out
}
