//! Gathering the judge's evidence at the end of a scenario: each target's
//! journal as requests tied to the people they concern, what each target
//! holds and should hold, the connector's alerts, audit and fate, and the
//! checks to judge. Nothing here judges. A target fronting a real app
//! holds what the app answers to the judge's read token (`upstream.rs`),
//! read straight from the app, not through the target.

use super::live::Live;
use super::snapshot::holdings;
use crate::connector::audit::AuditLimit;
use crate::contract::alert::Alert;
use crate::contract::event::EventKind;
use crate::judge::evidence::{
    Account, AlertRecord, AuditEvidence, ConnectorExit, ConnectorRecord, EVIDENCE_SPEC, Evidence,
    FaultWindow, Holdings, Request,
};
use crate::judge::{Accounts, Expectation, People};
use crate::mock::journal::JournalEntry;
use crate::scenario::Person;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// Everything the judge reads about the scenario `live` played; `exited`
/// is how the connector died during it, if it did. The journals and alerts
/// are read first, then the connector's audit, then what the targets hold,
/// which the connector may still have been writing. A real app whose
/// state cannot be read is a harness error (in `live.errors`), and the
/// judge sees it holding nothing.
pub(crate) async fn evidence(live: &mut Live<'_>, exited: Option<ConnectorExit>) -> Evidence {
    let (evidence, unreadable) = gather(live, exited).await;
    live.errors.extend(unreadable);
    evidence
}

async fn gather(live: &Live<'_>, exited: Option<ConnectorExit>) -> (Evidence, Vec<String>) {
    let people = &live.scenario.people;
    let index = People::new(people);
    let mut requests = BTreeMap::new();
    // A real app's journal entries wait for its state, read with the rest.
    let mut fronting = Vec::new();
    for t in &live.serving.targets {
        let target = &t.state;
        let entries = target.journal.since(0);
        if live.apps.get(&target.name).is_some() {
            fronting.push((target.name.clone(), entries));
            continue;
        }
        let owners = account_owners(&index, people, &holdings(target).users, &entries);
        let list = entries
            .iter()
            .map(|e| request(e, &index, &owners))
            .collect();
        requests.insert(target.name.clone(), list);
    }
    let faults = fault_windows(live);
    let alerts = alerts(live);
    let limit = AuditLimit::for_run(live.events.len(), live.serving.targets.len());
    let audit = live.connector.audit(limit).await.map(|r| match r {
        Ok(records) => AuditEvidence::Records(records),
        Err(e) => AuditEvidence::Unreadable(e.to_string()),
    });
    let mut state = BTreeMap::new();
    let mut expected = BTreeMap::new();
    let mut unreadable = Vec::new();
    for t in &live.serving.targets {
        let target = &t.state;
        let held = match live.apps.get(&target.name) {
            Some(app) => app.holdings().await.unwrap_or_else(|why| {
                unreadable.push(why);
                Holdings::default()
            }),
            None => holdings(target),
        };
        state.insert(target.name.clone(), held);
        expected.insert(target.name.clone(), live.truth.expected(&target.name));
    }
    for (name, entries) in fronting {
        let users = state.get(&name).map_or(&[][..], |h: &Holdings| &h.users);
        let owners = account_owners(&index, people, users, &entries);
        let list = entries
            .iter()
            .map(|e| request(e, &index, &owners))
            .collect();
        requests.insert(name, list);
    }
    let evidence = Evidence {
        spec: EVIDENCE_SPEC.to_owned(),
        scenario: live.scenario.name.clone(),
        started: Some(live.started_at),
        time_scale: live.scale,
        targets: live.scenario.target_names(),
        expect: live.scenario.checks.iter().map(Expectation::from).collect(),
        people: people.clone(),
        expected,
        state,
        requests,
        events: live.events.clone(),
        faults,
        rotations: live.rotations.clone(),
        alerts,
        audit,
        connector: ConnectorRecord {
            exited,
            hung: live.hung.clone(),
        },
        unsettled: live.unsettled.clone(),
        probes: Vec::new(),
    };
    (evidence, unreadable)
}

/// The fault windows, each ended where it ended.
fn fault_windows(live: &Live<'_>) -> Vec<FaultWindow> {
    let mut faults = live.faults.clone();
    // A fault bounded by a number of requests (or drawn away) that is no
    // longer active ended with the last request it shaped.
    for (target, kind, id, at) in &live.open_faults {
        let (Some(kind), Some(id), Some(state)) = (kind, id, live.target(target)) else {
            continue;
        };
        let active = state
            .faults
            .active(std::time::Instant::now())
            .iter()
            .any(|f| f.id == *id);
        if active || faults[*at].ended.is_some() {
            continue;
        }
        let started = faults[*at].started;
        faults[*at].ended = state
            .journal
            .since(0)
            .iter()
            .filter(|e| e.time >= started && e.fault.as_deref() == Some(kind.as_str()))
            .map(|e| e.time)
            .max();
    }
    faults
}

/// Which person owns each account id: accounts in the final state, and
/// accounts created along the way (answers to POST /Users).
fn account_owners(
    index: &People<'_>,
    people: &[Person],
    users: &[Account],
    entries: &[std::sync::Arc<JournalEntry>],
) -> BTreeMap<String, String> {
    let mut owners = BTreeMap::new();
    let accounts = Accounts::new(users);
    for p in people {
        for i in accounts.of(p) {
            if let Some(id) = accounts.keys(i).id {
                owners.insert(id, p.key.clone());
            }
        }
    }
    for e in entries {
        if e.method != "POST" || !e.path.ends_with("/Users") || !(200..300).contains(&e.status) {
            continue;
        }
        let Ok(created) = serde_json::from_slice::<Value>(&e.response_body) else {
            continue;
        };
        if let (Some(id), Some(key)) = (
            created.get("id").and_then(Value::as_str),
            index.owner_of(&created).map(|p| p.key.clone()),
        ) {
            owners.entry(id.to_owned()).or_insert(key);
        }
    }
    owners
}

/// A journal entry as the judge reads it, tied to the person it concerns:
/// through the account id in its path, or, for a create, through the body
/// it sent.
fn request(e: &JournalEntry, people: &People<'_>, owners: &BTreeMap<String, String>) -> Request {
    let body = String::from_utf8_lossy(&e.body).into_owned();
    let person = match users_id(&e.path) {
        Some(id) => owners.get(id).cloned(),
        None if e.method == "POST" && e.path.ends_with("/Users") => {
            serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|u| people.owner_of(&u))
                .map(|p| p.key.clone())
        }
        None => None,
    };
    Request {
        seq: e.seq,
        at: e.time,
        method: e.method.as_str().to_owned(),
        path: e.path.clone(),
        query: e.query.clone(),
        body,
        status: e.status,
        retry_after: e
            .retry_after
            .as_deref()
            .and_then(|v| retry_after(v, e.time)),
        person,
    }
}

/// The id in `…/Users/{id}`.
fn users_id(path: &str) -> Option<&str> {
    let (_, rest) = path.rsplit_once("/Users/")?;
    (!rest.is_empty() && !rest.contains('/')).then_some(rest)
}

/// `Retry-After` as a wait from `at`: delay-seconds or an HTTP-date.
fn retry_after(value: &str, at: DateTime<Utc>) -> Option<Duration> {
    if let Ok(secs) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = DateTime::parse_from_rfc2822(value.trim()).ok()?;
    (when.with_timezone(&Utc) - at).to_std().ok()
}

fn alerts(live: &Live<'_>) -> Vec<AlertRecord> {
    live.connector
        .alerts()
        .alerts()
        .into_iter()
        .map(|r| record(r.received_at, r.alert))
        .collect()
}

fn record(received_at: DateTime<Utc>, a: Alert) -> AlertRecord {
    let raw = serde_json::to_value(&a).unwrap_or(Value::Null);
    AlertRecord {
        received_at,
        target: a.target,
        status: a.status,
        class: Some(a.class),
        first_failure_at: a.first_failure_at,
        pending: a.pending.map(|p| {
            BTreeMap::from([
                (EventKind::Deprovision, p.deprovision),
                (EventKind::Provision, p.provision),
                (EventKind::Update, p.update),
            ])
        }),
        raw,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn retry_after_takes_seconds_or_a_date() {
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
        assert_eq!(retry_after("7", at), Some(Duration::from_secs(7)));
        assert_eq!(
            retry_after("Mon, 30 Nov 2026 12:00:05 GMT", at),
            Some(Duration::from_secs(5))
        );
        assert_eq!(retry_after("soon", at), None);
    }

    #[test]
    fn user_ids_are_read_from_paths() {
        assert_eq!(users_id("/scim/v2/Users/abc"), Some("abc"));
        assert_eq!(users_id("/scim/v2/Users"), None);
        assert_eq!(users_id("/scim/v2/Groups/g1"), None);
    }
}
