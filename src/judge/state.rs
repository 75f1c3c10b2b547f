//! `state` and `no_twins` (SPEC §5.1): does the target hold exactly what
//! the source of truth says, and does nobody have two accounts in it?
//! Judged from the target's state as the admin API returns it.

use super::accounts::{Accounts, Held, Memberships, People};
use super::check::CheckName;
use super::evidence::UserSchema;
use super::result::CheckResult;
use crate::scenario::Person;
use crate::scenario::truth::Expected;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

fn is_active(account: &Value) -> bool {
    // SCIM's default for a missing `active` is unspecified; an app that
    // omits it is taken at its word that the account exists and works.
    account
        .get("active")
        .and_then(Value::as_bool)
        .unwrap_or(true)
}

/// `state`: every person the target concerns is as expected; the message
/// lists every difference. With the target's User schema, attributes and
/// extensions it does not have are not judged: an app cannot hold them.
pub fn judge_state(
    index: usize,
    target: &str,
    people: &[Person],
    expected: &BTreeMap<String, Expected>,
    (users, groups): (&[impl Held], &[impl Held]),
    schema: Option<&UserSchema>,
) -> CheckResult {
    let (diff, _) = differences(people, expected, (users, groups), schema);
    let passed = diff.is_empty();
    let message = if passed {
        format!(
            "{target} holds what the source of truth says ({} people)",
            expected.len()
        )
    } else {
        format!(
            "{target} differs from the source of truth:\n  {}",
            diff.join("\n  ")
        )
    };
    CheckResult::new(index, CheckName::State, target, passed, message)
}

/// How many people differ from the source of truth on each target (the
/// SLI of drifted accounts): the people `state` names.
pub fn drifted_people(e: &super::Evidence) -> BTreeMap<String, u64> {
    let none = BTreeMap::new();
    e.state
        .iter()
        .map(|(target, held)| {
            let (_, drifted) = differences(
                &e.people,
                e.expected.get(target).unwrap_or(&none),
                (&held.users, &held.groups),
                held.user_schema.as_ref(),
            );
            (target.clone(), drifted as u64)
        })
        .collect()
}

/// Every difference between what the target holds and what it should,
/// and how many people they concern.
fn differences(
    people: &[Person],
    expected: &BTreeMap<String, Expected>,
    (users, groups): (&[impl Held], &[impl Held]),
    schema: Option<&UserSchema>,
) -> (Vec<String>, usize) {
    let mut diff = Vec::new();
    let mut drifted = 0;
    let (people, accounts, memberships) = (
        People::new(people),
        Accounts::new(users),
        Memberships::new(groups),
    );
    for (key, want) in expected {
        let Some(person) = people.by_key(key) else {
            continue;
        };
        let before = diff.len();
        differences_of(
            key,
            person,
            want,
            &accounts,
            &memberships,
            schema,
            &mut diff,
        );
        if diff.len() > before {
            drifted += 1;
        }
    }
    (diff, drifted)
}

/// One person's differences.
fn differences_of(
    key: &str,
    person: &Person,
    want: &Expected,
    accounts: &Accounts<'_, impl Held>,
    memberships: &Memberships<'_>,
    schema: Option<&UserSchema>,
    diff: &mut Vec<String>,
) {
    // Parsed here and dropped when this person is judged.
    let accounts: Vec<_> = accounts
        .of(person)
        .into_iter()
        .map(|i| accounts.value(i))
        .collect();
    let live: Vec<&Value> = accounts
        .iter()
        .map(|a| &**a)
        .filter(|a| is_active(a))
        .collect();
    match want {
        Expected::Gone => {
            for a in &live {
                diff.push(format!(
                    "{key}: should be absent or inactive, but account {} ({}) is active",
                    a.get("id").and_then(Value::as_str).unwrap_or("?"),
                    person.user_name()
                ));
            }
        }
        Expected::Active {
            user,
            groups: want_groups,
        } => {
            let Some(account) = live.first() else {
                diff.push(if accounts.is_empty() {
                    format!("{key}: no account for {}", person.user_name())
                } else {
                    format!(
                        "{key}: account for {} is inactive, should be active",
                        person.user_name()
                    )
                });
                return;
            };
            let held = held_by(user, schema);
            compare(key, "", &held, account, diff);
            let id = account
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default();
            compare_groups(key, id, want_groups, memberships, diff);
        }
    }
}

/// The part of the truth's user an app with `schema` can hold.
fn held_by(user: &Map<String, Value>, schema: Option<&UserSchema>) -> Map<String, Value> {
    let Some(schema) = schema else {
        return user.clone();
    };
    user.iter()
        .filter(|(name, _)| {
            if name.starts_with("urn:") {
                schema.has_extension(name)
            } else {
                schema.has_attribute(name)
            }
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Compares every attribute the truth gives with the account's.
fn compare(
    key: &str,
    prefix: &str,
    want: &Map<String, Value>,
    have: &Value,
    diff: &mut Vec<String>,
) {
    for (name, w) in want {
        if name == "active" {
            continue;
        }
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        // Attribute names are case-insensitive in SCIM (RFC 7643 §2.1).
        let h = have.as_object().and_then(|o| {
            o.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        });
        match (w, h) {
            (Value::Object(sub), Some(h)) => compare(key, &path, sub, h, diff),
            (Value::Array(items), Some(Value::Array(got))) => {
                for item in items {
                    let value = item.get("value").unwrap_or(item);
                    if !got
                        .iter()
                        .any(|g| same(g.get("value").unwrap_or(g), value, true))
                    {
                        diff.push(format!(
                            "{key}: {path}: {value} missing (found {})",
                            Value::Array(got.clone())
                        ));
                    }
                }
            }
            (w, Some(h)) if same(h, w, name == "userName") => {}
            (w, Some(h)) => diff.push(format!("{key}: {path}: expected {w}, found {h}")),
            (w, None) => diff.push(format!("{key}: {path}: expected {w}, missing")),
        }
    }
}

fn same(have: &Value, want: &Value, case_insensitive: bool) -> bool {
    match (have, want) {
        (Value::String(h), Value::String(w)) if case_insensitive => h.eq_ignore_ascii_case(w),
        _ => have == want,
    }
}

/// The person is in exactly the groups the truth says, among the groups
/// the target holds (members of no scenario person are not judged).
fn compare_groups(
    key: &str,
    id: &str,
    want: &[String],
    groups: &Memberships<'_>,
    diff: &mut Vec<String>,
) {
    for g in groups.groups_of(id) {
        let name = Memberships::name(g);
        if !want.iter().any(|w| w.eq_ignore_ascii_case(name)) {
            diff.push(format!("{key}: member of group {name}, should not be"));
        }
    }
    for w in want {
        match groups.holds(w, id) {
            None => diff.push(format!("{key}: group {w} does not exist")),
            Some(false) => diff.push(format!("{key}: not a member of group {w}")),
            Some(true) => {}
        }
    }
}

/// `no_twins`: no person has two accounts in the target.
pub fn judge_no_twins(
    index: usize,
    target: &str,
    people: &[Person],
    users: &[impl Held],
) -> CheckResult {
    let accounts = Accounts::new(users);
    let twins: Vec<String> = people
        .iter()
        .filter_map(|p| {
            let found = accounts.of(p);
            (found.len() > 1).then(|| {
                let ids: Vec<String> = found
                    .iter()
                    .map(|&i| {
                        let k = accounts.keys(i);
                        format!(
                            "{} (userName {}, externalId {})",
                            k.id.as_deref().unwrap_or("?"),
                            k.user_name.as_deref().unwrap_or("-"),
                            k.external_id.as_deref().unwrap_or("-")
                        )
                    })
                    .collect();
                format!("{} has {} accounts: {}", p.key, found.len(), ids.join(", "))
            })
        })
        .collect();
    let passed = twins.is_empty();
    let message = if passed {
        format!("nobody has two accounts in {target}")
    } else {
        format!("twins in {target}:\n  {}", twins.join("\n  "))
    };
    CheckResult::new(index, CheckName::NoTwins, target, passed, message)
}

#[cfg(test)]
mod tests;
