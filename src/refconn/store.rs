//! What the connector has accepted and what became of it, per (event,
//! target). Two append-only JSON-lines files in the work directory, each
//! line fsync'd before it counts: `events.jsonl` (every accepted event) and
//! `outcomes.jsonl` (every settled delivery). On start both are read back,
//! so a restart (SIGTERM or SIGKILL) loses nothing that was accepted.

use crate::contract::alert::Pending;
use crate::contract::audit::{AuditOutcome, AuditRecord};
use crate::contract::event::{Event, EventKind, EventType};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, Write};
use std::path::Path;
use std::sync::Arc;

const EVENTS: &str = "events.jsonl";
const OUTCOMES: &str = "outcomes.jsonl";

/// One event's work for one target.
#[derive(Debug, Clone)]
pub struct Item {
    pub event: Arc<Event>,
    pub target: String,
    pub kind: EventKind,
    /// The person it concerns (see [`person_key`]).
    pub person: String,
    pub settled: Option<Settled>,
    /// The target's recovery count when the item was accepted: delivered
    /// after a later recovery means delivered after an outage (replayed).
    pub recoveries_mark: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settled {
    pub event_id: String,
    pub target: String,
    pub outcome: AuditOutcome,
    pub executed_at: Option<DateTime<Utc>>,
    pub replayed: bool,
}

/// The items of one person (or one reconcile) to apply together: the last
/// carries the desired state, the earlier ones are folded into it.
#[derive(Debug, Clone)]
pub struct Batch {
    pub items: Vec<usize>,
}

/// Externally a person is their `externalId`, or else their userName.
pub fn person_key(e: &Event) -> String {
    if e.kind == EventType::Reconcile {
        return format!("\u{0}reconcile:{}", e.id);
    }
    let p = e.person.as_ref();
    let field = |k: &str| p.and_then(|p| p.get(k)).and_then(|v| v.as_str());
    match (field("externalId"), field("userName")) {
        (Some(x), _) => format!("x:{x}"),
        (None, Some(u)) => format!("u:{}", u.to_lowercase()),
        _ => format!("\u{0}anonymous:{}", e.id),
    }
}

pub struct Store {
    events_file: Option<File>,
    outcomes_file: Option<File>,
    ids: HashSet<String>,
    pub items: Vec<Item>,
    /// The targets of each person's latest event.
    last_targets: HashMap<String, Vec<String>>,
    /// Every group a person was ever told on a target.
    told_groups: HashMap<(String, String), BTreeSet<String>>,
    /// Each person's latest event.
    latest: HashMap<String, Arc<Event>>,
    /// (person, target) → the account id this connector provisioned or
    /// adopted there. Not persisted: after a restart correlation finds it.
    pub account_ids: HashMap<(String, String), String>,
    /// Indexes into `items`, kept with it: each pick, alert and delivery
    /// looked through every item ever accepted, which made a mass
    /// termination quadratic in the connector.
    index: Index,
}

#[derive(Default)]
struct Index {
    /// Target → its items not settled yet, in acceptance order.
    unsettled: HashMap<String, BTreeSet<usize>>,
    /// Target → its items set aside after a non-retryable answer.
    parked: HashMap<String, Vec<usize>>,
    /// (person, target) → every item of that person there.
    of_person: HashMap<(String, String), Vec<usize>>,
    /// Target → the people with pending items there, each under the
    /// original order of their first pending item: `[0]` those whose net
    /// pending effect removes access, `[1]` the others. A pick takes the
    /// first of either instead of grouping the whole backlog.
    queue: HashMap<String, [BTreeSet<(Order, String)>; 2]>,
    /// (person, target) → where the person stands in `queue`.
    queued: HashMap<(String, String), (usize, Order)>,
}

/// An item's place in the original order: the event's time, then its id.
type Order = (DateTime<Utc>, String);

fn append(file: &mut Option<File>, value: &impl Serialize) -> io::Result<()> {
    let Some(f) = file else { return Ok(()) };
    let mut line = serde_json::to_vec(value).map_err(io::Error::other)?;
    line.push(b'\n');
    f.write_all(&line)?;
    f.sync_data()
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

/// Every parseable line; a torn last line (killed mid-write, before the
/// answer) is skipped, since nothing was promised for it.
fn read_lines<T: serde::de::DeserializeOwned>(path: &Path) -> io::Result<Vec<T>> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    for line in io::BufReader::new(file).lines() {
        if let Ok(v) = serde_json::from_str(&line?) {
            out.push(v);
        }
    }
    Ok(out)
}

impl Store {
    /// Opens (and reads back) the files in `dir`; `None` keeps everything
    /// in memory (the `memory-queue` defect).
    pub fn open(dir: Option<&Path>) -> io::Result<Store> {
        let mut store = Store {
            events_file: None,
            outcomes_file: None,
            ids: HashSet::new(),
            items: Vec::new(),
            last_targets: HashMap::new(),
            told_groups: HashMap::new(),
            latest: HashMap::new(),
            account_ids: HashMap::new(),
            index: Index::default(),
        };
        if let Some(dir) = dir {
            std::fs::create_dir_all(dir)?;
            let events: Vec<Event> = read_lines(&dir.join(EVENTS))?;
            for e in events {
                if store.ids.insert(e.id.clone()) {
                    store.expand(Arc::new(e), &|_| 0);
                }
            }
            let settled: Vec<Settled> = read_lines(&dir.join(OUTCOMES))?;
            let mut at: HashMap<(&str, &str), usize> = HashMap::new();
            for (idx, i) in store.items.iter().enumerate() {
                at.entry((i.event.id.as_str(), i.target.as_str()))
                    .or_insert(idx);
            }
            let found: Vec<(usize, Settled)> = settled
                .into_iter()
                .filter_map(|s| Some((*at.get(&(s.event_id.as_str(), s.target.as_str()))?, s)))
                .collect();
            for (idx, s) in found {
                store.mark_settled(idx, s);
            }
            store.events_file = Some(open_append(&dir.join(EVENTS))?);
            store.outcomes_file = Some(open_append(&dir.join(OUTCOMES))?);
        }
        Ok(store)
    }

    /// Accepts an event: persisted first, then expanded into items.
    /// `Ok(false)`: the id was already accepted, nothing changes.
    /// `mark` gives each target's recovery count now.
    pub fn accept(&mut self, event: Event, mark: &dyn Fn(&str) -> u64) -> io::Result<bool> {
        if self.ids.contains(&event.id) {
            return Ok(false);
        }
        append(&mut self.events_file, &event)?;
        self.ids.insert(event.id.clone());
        self.expand(Arc::new(event), mark);
        Ok(true)
    }

    fn expand(&mut self, event: Arc<Event>, mark: &dyn Fn(&str) -> u64) {
        let person = person_key(&event);
        let item = |target: &str, kind: EventKind| Item {
            event: event.clone(),
            target: target.to_owned(),
            kind,
            person: person.clone(),
            settled: None,
            recoveries_mark: mark(target),
        };
        if event.kind == EventType::Reconcile {
            for t in &event.targets {
                self.push(item(t, EventKind::Reconcile));
            }
            return;
        }
        let previous = self.last_targets.get(&person).cloned().unwrap_or_default();
        let kind = event.kind.kind();
        for t in &event.targets {
            self.push(item(t, kind));
        }
        // Dropped since the previous event, and for a leaver every app it
        // was assigned: deprovision there.
        for t in previous.iter().filter(|t| !event.targets.contains(t)) {
            self.push(item(t, EventKind::Deprovision));
        }
        for t in &event.targets {
            self.told_groups
                .entry((person.clone(), t.clone()))
                .or_default()
                .extend(event.groups.iter().cloned());
        }
        self.last_targets
            .insert(person.clone(), event.targets.clone());
        self.latest.insert(person, event);
    }

    fn push(&mut self, item: Item) {
        let idx = self.items.len();
        let ix = &mut self.index;
        ix.unsettled
            .entry(item.target.clone())
            .or_default()
            .insert(idx);
        ix.of_person
            .entry((item.person.clone(), item.target.clone()))
            .or_default()
            .push(idx);
        let key = (item.person.clone(), item.target.clone());
        self.items.push(item);
        self.requeue(key);
    }

    /// Puts the person back in the target's queue after their pending
    /// items changed: under their first pending item, in the part their
    /// last one decides; out of it when nothing is pending.
    fn requeue(&mut self, key: (String, String)) {
        let pending: Vec<usize> = self.index.of_person[&key]
            .iter()
            .copied()
            .filter(|&idx| self.items[idx].settled.is_none())
            .collect();
        let first = pending.iter().map(|&i| self.original_order(i)).min();
        let last = pending
            .iter()
            .max_by_key(|&&i| self.original_order(i))
            .map(|&i| self.items[i].kind);
        let entry = first.map(|(at, id)| {
            let part = usize::from(last != Some(EventKind::Deprovision));
            (part, (at, id.to_owned()))
        });
        let ix = &mut self.index;
        let queue = ix.queue.entry(key.1.clone()).or_default();
        if let Some((part, order)) = ix.queued.remove(&key) {
            queue[part].remove(&(order, key.0.clone()));
        }
        if let Some((part, order)) = entry {
            queue[part].insert((order.clone(), key.0.clone()));
            ix.queued.insert(key, (part, order));
        }
    }

    fn mark_settled(&mut self, idx: usize, s: Settled) {
        let item = &mut self.items[idx];
        let ix = &mut self.index;
        if let Some(set) = ix.unsettled.get_mut(&item.target) {
            set.remove(&idx);
        }
        if s.outcome == AuditOutcome::Parked {
            ix.parked.entry(item.target.clone()).or_default().push(idx);
        }
        item.settled = Some(s);
        let key = (item.person.clone(), item.target.clone());
        self.requeue(key);
    }

    /// Records how an item ended, persisted.
    pub fn settle(&mut self, idx: usize, outcome: AuditOutcome, replayed: bool) -> io::Result<()> {
        let Some(item) = self.items.get(idx) else {
            return Ok(());
        };
        if item.settled.is_some() {
            // Settled once; the index must not count it twice.
            return Ok(());
        }
        let executed_at = match outcome {
            AuditOutcome::Delivered | AuditOutcome::Superseded => Some(Utc::now()),
            AuditOutcome::Parked | AuditOutcome::Dropped => None,
        };
        let s = Settled {
            event_id: item.event.id.clone(),
            target: item.target.clone(),
            outcome,
            executed_at,
            replayed,
        };
        self.mark_settled(idx, s.clone());
        append(&mut self.outcomes_file, &s)
    }

    pub fn pending(&self, target: &str) -> impl Iterator<Item = (usize, &Item)> {
        self.index
            .unsettled
            .get(target)
            .into_iter()
            .flatten()
            .map(|&idx| (idx, &self.items[idx]))
    }

    /// Events not yet delivered to `target`, by kind (reconciles aside),
    /// those set aside (parked) included, as SPEC §4.3 counts them.
    pub fn pending_counts(&self, target: &str) -> Pending {
        let mut p = Pending::default();
        let parked = self.index.parked.get(target).into_iter().flatten();
        let undelivered = self
            .pending(target)
            .map(|(_, i)| i)
            .chain(parked.map(|&idx| &self.items[idx]));
        for i in undelivered {
            match i.kind {
                EventKind::Deprovision => p.deprovision += 1,
                EventKind::Provision => p.provision += 1,
                EventKind::Update => p.update += 1,
                EventKind::Reconcile => {}
            }
        }
        p
    }

    /// The next batch for `target`: people whose net pending effect removes
    /// access first (unless `fifo`), then by original order of their first
    /// pending event; one person's items stay together and in order.
    pub fn pick(&self, target: &str, fifo: bool) -> Option<Batch> {
        let [removing, others] = self.index.queue.get(target)?;
        let (first_removing, first_other) = (removing.first(), others.first());
        let (_, person) = if fifo {
            first_removing.into_iter().chain(first_other).min()?
        } else {
            first_removing.or(first_other)?
        };
        let mut items: Vec<usize> = self.index.of_person[&(person.clone(), target.to_owned())]
            .iter()
            .copied()
            .filter(|&idx| self.items[idx].settled.is_none())
            .collect();
        items.sort_by_key(|&i| self.original_order(i));
        Some(Batch { items })
    }

    fn original_order(&self, idx: usize) -> (DateTime<Utc>, &str) {
        let e = &self.items[idx].event;
        (e.occurred_at, e.id.as_str())
    }

    /// Every group the person was ever told on the target.
    pub fn told_groups(&self, person: &str, target: &str) -> BTreeSet<String> {
        self.told_groups
            .get(&(person.to_owned(), target.to_owned()))
            .cloned()
            .unwrap_or_default()
    }

    /// The person's event last delivered to `target` (the state the app
    /// was last told), if any.
    pub fn last_delivered(&self, person: &str, target: &str) -> Option<Arc<Event>> {
        self.index
            .of_person
            .get(&(person.to_owned(), target.to_owned()))
            .into_iter()
            .flatten()
            .map(|&idx| &self.items[idx])
            .filter(|i| {
                i.settled
                    .as_ref()
                    .is_some_and(|s| s.outcome == AuditOutcome::Delivered)
            })
            .max_by_key(|i| (i.event.occurred_at, i.event.id.clone()))
            .map(|i| i.event.clone())
    }

    /// Everybody's latest event that concerns `target` (assigned there, or
    /// dropped from it), for reconcile.
    pub fn people_of(&self, target: &str) -> Vec<(String, Arc<Event>, bool)> {
        let mut out: Vec<_> = self
            .latest
            .iter()
            .filter(|(p, _)| {
                self.index
                    .of_person
                    .contains_key(&((*p).clone(), target.to_owned()))
            })
            .map(|(p, e)| {
                let assigned = e.targets.iter().any(|t| t == target)
                    && e.kind.kind() != EventKind::Deprovision;
                (p.clone(), e.clone(), assigned)
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// The audit of SPEC §4.4: one record per settled (event, target).
    pub fn audit(&self, executed_as_original: bool) -> Vec<AuditRecord> {
        self.items
            .iter()
            .filter_map(|i| {
                let s = i.settled.as_ref()?;
                let original_at = match (executed_as_original, s.executed_at) {
                    (true, Some(t)) => t,
                    _ => i.event.occurred_at,
                };
                Some(AuditRecord {
                    event_id: i.event.id.clone(),
                    target: i.target.clone(),
                    operation: i.event.kind.as_str().to_owned(),
                    original_at,
                    executed_at: s.executed_at,
                    outcome: s.outcome,
                    replayed: s.replayed,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(id: &str, kind: EventType, at: &str, x: &str, targets: &[&str]) -> Event {
        let person = json!({"externalId": x, "userName": format!("{x}@acme.test")});
        Event::new(
            id,
            kind,
            at.parse().unwrap(),
            person.as_object().cloned(),
            vec![],
            targets.iter().map(|t| t.to_string()).collect(),
        )
    }

    #[test]
    fn deprovisioning_people_come_first_and_a_restart_keeps_everything() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(Some(dir.path())).unwrap();
        let a = ["app-a"];
        let t = |n: u32| format!("2026-11-22T10:00:0{n}.000Z");
        assert!(
            s.accept(event("e1", EventType::Joiner, &t(1), "bob", &a), &|_| 0)
                .unwrap()
        );
        assert!(
            s.accept(event("e2", EventType::Joiner, &t(2), "dave", &a), &|_| 0)
                .unwrap()
        );
        assert!(
            s.accept(event("e3", EventType::Leaver, &t(3), "bob", &a), &|_| 0)
                .unwrap()
        );
        assert!(
            !s.accept(event("e3", EventType::Leaver, &t(3), "bob", &a), &|_| 0)
                .unwrap()
        );
        let first = s.pick("app-a", false).unwrap();
        assert_eq!(
            first.items,
            [0, 2],
            "bob's joiner and leaver, folded, first"
        );
        let fifo = s.pick("app-a", true).unwrap();
        assert_eq!(fifo.items, [0, 2], "bob's first event is earliest anyway");
        s.settle(0, AuditOutcome::Superseded, false).unwrap();
        s.settle(2, AuditOutcome::Delivered, true).unwrap();
        drop(s);
        let s = Store::open(Some(dir.path())).unwrap();
        assert_eq!(s.items.len(), 3);
        assert_eq!(s.pick("app-a", false).unwrap().items, [1]);
        assert_eq!(s.pending_counts("app-a").provision, 1);
        let audit = s.audit(false);
        assert_eq!(audit.len(), 2);
        assert!(audit[1].replayed);
    }

    #[test]
    fn a_dropped_app_is_a_deprovision_there() {
        let mut s = Store::open(None).unwrap();
        let at = "2026-11-22T10:00:01.000Z";
        s.accept(
            event("e1", EventType::Joiner, at, "bob", &["a", "b"]),
            &|_| 0,
        )
        .unwrap();
        s.accept(event("e2", EventType::Mover, at, "bob", &["a"]), &|_| 0)
            .unwrap();
        let kinds: Vec<_> = s
            .items
            .iter()
            .map(|i| (i.target.as_str(), i.kind))
            .collect();
        assert_eq!(kinds[3], ("b", EventKind::Deprovision));
    }

    /// The pick as it was before the queue: group every pending item by
    /// person, take the least (part, first original order). The queue
    /// must pick what this scan picks.
    fn pick_by_scan(s: &Store, target: &str, fifo: bool) -> Option<Vec<usize>> {
        let mut people: Vec<Vec<usize>> = Vec::new();
        for (idx, item) in s.items.iter().enumerate() {
            if item.target != target || item.settled.is_some() {
                continue;
            }
            match people
                .iter_mut()
                .find(|v| s.items[v[0]].person == item.person)
            {
                Some(v) => v.push(idx),
                None => people.push(vec![idx]),
            }
        }
        let mut items = people.into_iter().min_by_key(|v| {
            let by_order = |i: &&usize| s.original_order(**i);
            let last = v.iter().max_by_key(by_order).map(|i| s.items[*i].kind);
            let rank = u8::from(fifo || last != Some(EventKind::Deprovision));
            (
                rank,
                v.iter().min_by_key(by_order).map(|i| s.original_order(*i)),
            )
        })?;
        items.sort_by_key(|a| s.original_order(*a));
        Some(items)
    }

    #[derive(Debug, Clone)]
    enum Step {
        Accept {
            kind: u8,
            person: u8,
            second: u8,
            targets: u8,
        },
        Settle {
            target: bool,
            pick_fifo: bool,
            outcome: u8,
        },
    }

    fn step() -> impl proptest::strategy::Strategy<Value = Step> {
        use proptest::prelude::*;
        prop_oneof![
            (0u8..4, 0u8..5, 0u8..60, 1u8..4).prop_map(|(kind, person, second, targets)| {
                Step::Accept {
                    kind,
                    person,
                    second,
                    targets,
                }
            }),
            (any::<bool>(), any::<bool>(), 0u8..3).prop_map(|(target, pick_fifo, outcome)| {
                Step::Settle {
                    target,
                    pick_fifo,
                    outcome,
                }
            }),
        ]
    }

    proptest::proptest! {
        /// Events of a few people arriving out of order, to one or two
        /// targets, settled as picked: every pick agrees with the scan.
        #[test]
        fn the_queue_picks_what_a_scan_of_every_item_picks(
            steps in proptest::collection::vec(step(), 1..60),
        ) {
            let mut s = Store::open(None).unwrap();
            let kinds = [EventType::Joiner, EventType::Mover, EventType::Leaver, EventType::Joiner];
            for (n, st) in steps.into_iter().enumerate() {
                match st {
                    Step::Accept { kind, person, second, targets } => {
                        let ts: Vec<&str> = match targets { 1 => vec!["a"], 2 => vec!["b"], _ => vec!["a", "b"] };
                        let at = format!("2026-11-22T10:{:02}:{:02}.000Z", second / 60, second % 60);
                        let kind = kinds[kind as usize];
                        let ts = if kind == EventType::Leaver { vec![] } else { ts };
                        s.accept(event(&format!("e{n}"), kind, &at, &format!("p{person}"), &ts), &|_| 0).unwrap();
                    }
                    Step::Settle { target, pick_fifo, outcome } => {
                        let t = if target { "a" } else { "b" };
                        let picked = s.pick(t, pick_fifo).map(|b| b.items);
                        proptest::prop_assert_eq!(&picked, &pick_by_scan(&s, t, pick_fifo));
                        let outcome = [AuditOutcome::Delivered, AuditOutcome::Parked, AuditOutcome::Dropped][outcome as usize];
                        for idx in picked.unwrap_or_default() {
                            s.settle(idx, outcome, false).unwrap();
                        }
                    }
                }
                for t in ["a", "b"] {
                    for fifo in [false, true] {
                        proptest::prop_assert_eq!(s.pick(t, fifo).map(|b| b.items), pick_by_scan(&s, t, fifo));
                    }
                    let counted = s.pending_counts(t);
                    // No reconcile among these events: every undelivered item counts.
                    let by_scan = s
                        .items
                        .iter()
                        .filter(|i| {
                            i.target == t
                                && i.settled
                                    .as_ref()
                                    .is_none_or(|x| x.outcome == AuditOutcome::Parked)
                        })
                        .count() as u64;
                    proptest::prop_assert_eq!(
                        counted.deprovision + counted.provision + counted.update,
                        by_scan
                    );
                }
            }
        }
    }
}
