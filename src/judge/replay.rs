//! `replay` (SPEC §5.1): once a target recovers, what could not be
//! delivered reaches it, deprovisioning first, then the rest in original
//! order, and nobody's own events out of order.

use super::check::CheckName;
use super::evidence::{EventRecord, Evidence, Instant, Request};
use super::result::CheckResult;
use crate::contract::event::EventKind;
use std::collections::BTreeMap;

/// Whether a write removes access: a DELETE, or a body that sets `active`
/// to false (as a PUT, a path PATCH or a path-less PATCH value).
pub fn removes_access(r: &Request) -> bool {
    if r.method == "DELETE" {
        return true;
    }
    let compact: String = r.body.chars().filter(|c| !c.is_whitespace()).collect();
    compact.contains(r#""active":false"#)
        || compact.contains(r#""active":"false""#)
        || compact.contains(r#""active":"False""#)
        || (compact.to_ascii_lowercase().contains(r#""path":"active""#)
            && (compact.contains(r#""value":false"#) || compact.contains(r#""value":"False""#)))
}

/// One person's undelivered events during an outage.
struct Pending<'a> {
    person: String,
    events: Vec<&'a EventRecord>,
    rank: EventKind,
    /// Writes for the person after recovery, in arrival order.
    writes: Vec<&'a Request>,
}

impl Pending<'_> {
    fn first_event(&self) -> (Instant, &str) {
        let e = self.events[0];
        (e.sent_at, e.id.as_str())
    }
}

pub fn judge_replay(index: usize, target: &str, e: &Evidence) -> CheckResult {
    let result =
        |passed, message| CheckResult::new(index, CheckName::Replay, target, passed, message);
    let outages: Vec<(Instant, Instant)> = e
        .faults
        .iter()
        .filter(|f| f.target == target)
        .filter_map(|f| f.ended.map(|end| (f.started, end)))
        .collect();
    if outages.is_empty() {
        return result(
            false,
            format!("no outage of {target} ended, so nothing was replayed to judge"),
        );
    }
    let requests = e.requests_of(target);
    let mut problems = Vec::new();
    let mut replayed = 0;
    for (start, end) in outages {
        let pending = undelivered(e, target, requests, start, end);
        replayed += pending.len();
        check_effects(e, target, requests, (start, end), &pending, &mut problems);
        check_rank_order(e, &pending, &mut problems);
        check_original_order(e, &pending, &mut problems);
        check_own_order(e, &pending, &mut problems);
    }
    if problems.is_empty() {
        result(
            true,
            format!("{replayed} people's undelivered events reached {target} in the right order"),
        )
    } else {
        result(false, problems.join("\n"))
    }
}

/// The replay order of `target`, for the reports: for each outage that
/// ended, when it ended and the writes after it for the people whose
/// events it held back, in arrival order, each with that person's net
/// effect (`Deprovision` or `Provision`).
pub fn replay_order<'a>(
    e: &'a Evidence,
    target: &str,
) -> Vec<(Instant, Vec<(&'a Request, EventKind)>)> {
    let requests = e.requests_of(target);
    e.faults
        .iter()
        .filter(|f| f.target == target)
        .filter_map(|f| f.ended.map(|end| (f.started, end)))
        .map(|(start, end)| {
            let mut writes: Vec<(&Request, EventKind)> =
                undelivered(e, target, requests, start, end)
                    .into_iter()
                    .flat_map(|p| p.writes.into_iter().map(move |w| (w, p.rank)))
                    .collect();
            writes.sort_by_key(|(w, _)| (w.at, w.seq));
            (end, writes)
        })
        .collect()
}

/// The people whose events for `target` were sent during the outage and
/// not written before it ended, with their writes after it.
fn undelivered<'a>(
    e: &'a Evidence,
    target: &str,
    requests: &'a [Request],
    start: Instant,
    end: Instant,
) -> Vec<Pending<'a>> {
    let mut by_person: BTreeMap<String, Vec<&EventRecord>> = BTreeMap::new();
    for ev in &e.events {
        let (Some(_), Some(person)) = (ev.kinds.get(target), &ev.person) else {
            continue;
        };
        if ev.sent_at < start || ev.sent_at >= end {
            continue;
        }
        let delivered = requests.iter().any(|r| {
            r.is_write()
                && r.succeeded()
                && r.at >= ev.sent_at
                && r.at < end
                && r.person.as_ref() == Some(person)
        });
        if !delivered {
            by_person.entry(person.clone()).or_default().push(ev);
        }
    }
    let mut out: Vec<Pending> = by_person
        .into_iter()
        .map(|(person, mut events)| {
            events.sort_by(|a, b| (a.sent_at, &a.id).cmp(&(b.sent_at, &b.id)));
            let last = events.last().and_then(|ev| ev.kinds.get(target)).copied();
            // The net effect: removing access if the last word is a
            // deprovisioning, giving or changing access otherwise.
            let rank = match last {
                Some(EventKind::Deprovision) => EventKind::Deprovision,
                _ => EventKind::Provision,
            };
            let writes = requests
                .iter()
                .filter(|r| r.is_write() && r.at >= end && r.person.as_ref() == Some(&person))
                .collect();
            Pending {
                person,
                events,
                rank,
                writes,
            }
        })
        .collect();
    out.sort_by(|a, b| a.first_event().cmp(&b.first_event()));
    out
}

/// Every undelivered person's effect reached the target: a successful write
/// after recovery, unless the net effect was to remove access from somebody
/// the target never held (a joiner and leaver inside one outage).
fn check_effects(
    e: &Evidence,
    target: &str,
    requests: &[Request],
    (start, end): (Instant, Instant),
    pending: &[Pending],
    problems: &mut Vec<String>,
) {
    for p in pending {
        if p.writes.iter().any(|w| w.succeeded()) {
            continue;
        }
        let held_before = requests.iter().any(|r| {
            r.at < start
                && r.method == "POST"
                && r.succeeded()
                && r.person.as_ref() == Some(&p.person)
        });
        if p.rank == EventKind::Deprovision && !held_before {
            continue;
        }
        let ids: Vec<&str> = p.events.iter().map(|ev| ev.id.as_str()).collect();
        problems.push(format!(
            "{} of {} ({}) sent during the outage never reached {target} after recovery at {}",
            rank_word(p.rank),
            p.person,
            ids.join(", "),
            e.offset(end)
        ));
    }
}

fn rank_word(rank: EventKind) -> &'static str {
    match rank {
        EventKind::Deprovision => "deprovision",
        EventKind::Provision => "provision",
        EventKind::Update => "update",
        EventKind::Reconcile => "reconcile",
    }
}

/// Every write for a deprovision-ranked person before any write for a
/// provision-ranked one.
fn check_rank_order(e: &Evidence, pending: &[Pending], problems: &mut Vec<String>) {
    let last_deprovision = pending
        .iter()
        .filter(|p| p.rank == EventKind::Deprovision)
        .flat_map(|p| p.writes.iter().map(move |w| (w.at, p.person.as_str())))
        .max();
    let first_provision = pending
        .iter()
        .filter(|p| p.rank != EventKind::Deprovision)
        .flat_map(|p| p.writes.iter().map(move |w| (w.at, p.person.as_str(), *w)))
        .min_by_key(|(at, _, _)| *at);
    if let (Some((dep_at, dep_person)), Some((prov_at, prov_person, w))) =
        (last_deprovision, first_provision)
        && prov_at < dep_at
    {
        problems.push(format!(
            "provision {} {} ({prov_person}) at {} came before deprovision of {dep_person} at {}",
            w.method,
            w.path,
            e.offset(prov_at),
            e.offset(dep_at)
        ));
    }
}

/// Among people of one rank, their first writes follow the original order
/// of their first undelivered events.
fn check_original_order(e: &Evidence, pending: &[Pending], problems: &mut Vec<String>) {
    for rank in [EventKind::Deprovision, EventKind::Provision] {
        let firsts: Vec<(&Pending, Instant)> = pending
            .iter()
            .filter(|p| (p.rank == EventKind::Deprovision) == (rank == EventKind::Deprovision))
            .filter_map(|p| p.writes.first().map(|w| (p, w.at)))
            .collect();
        for pair in firsts.windows(2) {
            let ((earlier, earlier_at), (later, later_at)) = (pair[0], pair[1]);
            if later_at < earlier_at {
                problems.push(format!(
                    "{} of {} (event {} at {}) was written at {}, before {} of {} (event {} at {}) written at {}: original order not kept",
                    rank_word(later.rank),
                    later.person,
                    later.events[0].id,
                    e.offset(later.events[0].sent_at),
                    e.offset(later_at),
                    rank_word(earlier.rank),
                    earlier.person,
                    earlier.events[0].id,
                    e.offset(earlier.events[0].sent_at),
                    e.offset(earlier_at)
                ));
            }
        }
    }
}

/// A person's own writes keep their events' order: the last write says what
/// the last event asked (a leaver after a joiner ends deactivated, a rehire
/// after a leaver ends active).
fn check_own_order(e: &Evidence, pending: &[Pending], problems: &mut Vec<String>) {
    for p in pending.iter().filter(|p| p.events.len() > 1) {
        let Some(last_write) = p.writes.iter().rev().find(|w| w.succeeded()) else {
            continue;
        };
        let ends_removed = removes_access(last_write);
        if ends_removed != (p.rank == EventKind::Deprovision) {
            let ids: Vec<&str> = p.events.iter().map(|ev| ev.id.as_str()).collect();
            problems.push(format!(
                "{}'s events ({}) end in a {}, but the last write ({} {} at {}) {}",
                p.person,
                ids.join(", "),
                rank_word(p.rank),
                last_write.method,
                last_write.path,
                e.offset(last_write.at),
                if ends_removed {
                    "removes access"
                } else {
                    "does not remove access"
                }
            ));
        }
    }
}

#[cfg(test)]
mod tests;
