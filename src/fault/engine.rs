//! The active faults of one target: adding, listing, clearing, and deciding
//! which fault (if any) shapes a request.

use super::FaultKind;
use super::draw::{DrawKey, draw, request_fingerprint};
use super::request::RequestFacts;
use super::spec::FaultSpec;
use parking_lot::Mutex;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// A fault switched on at `activated_at`, with the counters its window and
/// its draws need.
#[derive(Debug)]
pub struct ActiveFault {
    pub id: u64,
    pub spec: FaultSpec,
    pub activated_at: Instant,
    /// Whether it came from the profile's `quirks` (cleared faults return to
    /// the profile's standing behaviour, not to nothing).
    pub standing: bool,
    shaped: Mutex<u64>,
    occurrences: Mutex<HashMap<u64, u64>>,
    /// What a fault applied once when switched on did (`jit_twin`,
    /// `manual_change`): nobody sent a request for it, so the fault list is
    /// where it shows.
    effect: Mutex<Option<Value>>,
}

/// The fault as the admin API lists it: the object plus its id.
#[derive(Debug, Clone, Serialize)]
pub struct FaultView {
    pub id: u64,
    #[serde(flatten)]
    pub spec: FaultSpec,
    pub shaped_requests: u64,
    /// A profile quirk rather than a fault of the run.
    pub standing: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effect: Option<Value>,
}

impl ActiveFault {
    fn expired(&self, now: Instant) -> bool {
        let by_time = self
            .spec
            .for_duration
            .is_some_and(|d| now.duration_since(self.activated_at) >= d.0);
        let by_count = self
            .spec
            .for_requests
            .is_some_and(|n| *self.shaped.lock() >= n);
        by_time || by_count
    }

    fn in_scope(&self, req: &RequestFacts<'_>) -> bool {
        self.spec.covers_method(req.method)
            && self
                .spec
                .resource_type
                .is_none_or(|rt| req.resource_type == Some(rt))
            && self.spec.operation.is_none_or(|op| op == req.operation)
            && self
                .spec
                .kind
                .info()
                .can_shape(req, self.spec.users.as_deref())
    }

    /// Decides whether this fault shapes the request, counting the request's
    /// occurrence for the draw and, when it does, the window's requests.
    fn decide(&self, seed: u64, req: &RequestFacts<'_>, now: Instant) -> bool {
        if self.expired(now) || !self.in_scope(req) {
            return false;
        }
        if let Some(p) = self.spec.probability {
            let key = DrawKey {
                method: req.method,
                path: req.path,
                body: req.body,
            };
            let n = {
                let mut occ = self.occurrences.lock();
                let slot = occ.entry(request_fingerprint(key)).or_insert(0);
                let n = *slot;
                *slot += 1;
                n
            };
            if draw(seed, self.id, key, n) >= p {
                return false;
            }
        }
        let mut shaped = self.shaped.lock();
        if self.spec.for_requests.is_some_and(|limit| *shaped >= limit) {
            return false;
        }
        *shaped += 1;
        true
    }

    /// How many requests this fault has shaped so far.
    pub fn shaped(&self) -> u64 {
        *self.shaped.lock()
    }

    pub fn view(&self) -> FaultView {
        FaultView {
            id: self.id,
            spec: self.spec.clone(),
            shaped_requests: *self.shaped.lock(),
            standing: self.standing,
            effect: self.effect.lock().clone(),
        }
    }

    /// Records what the fault did when it was switched on.
    pub fn set_effect(&self, effect: Value) {
        *self.effect.lock() = Some(effect);
    }

    /// Time left in the window, if it is bounded by time.
    pub fn remaining(&self, now: Instant) -> Option<Duration> {
        self.spec
            .for_duration
            .map(|d| d.0.saturating_sub(now.duration_since(self.activated_at)))
    }
}

/// The faults of one target, in the order they were switched on.
#[derive(Debug)]
pub struct FaultSet {
    seed: u64,
    next_id: Mutex<u64>,
    faults: Mutex<Vec<std::sync::Arc<ActiveFault>>>,
}

impl FaultSet {
    pub fn new(seed: u64) -> Self {
        FaultSet {
            seed,
            next_id: Mutex::new(1),
            faults: Mutex::new(Vec::new()),
        }
    }

    /// Switches a fault on from `now`; returns its id.
    pub fn add(&self, spec: FaultSpec, now: Instant, standing: bool) -> u64 {
        let id = {
            let mut next = self.next_id.lock();
            let id = *next;
            *next += 1;
            id
        };
        let fault = ActiveFault {
            id,
            spec,
            activated_at: now,
            standing,
            shaped: Mutex::new(0),
            occurrences: Mutex::new(HashMap::new()),
            effect: Mutex::new(None),
        };
        self.faults.lock().push(std::sync::Arc::new(fault));
        id
    }

    /// The fault with this id, if it is still in the set.
    pub fn get(&self, id: u64) -> Option<std::sync::Arc<ActiveFault>> {
        self.faults.lock().iter().find(|f| f.id == id).cloned()
    }

    /// Whether any fault of this kind is in the set (window open or not).
    pub fn has(&self, kind: FaultKind) -> bool {
        self.faults.lock().iter().any(|f| f.spec.kind == kind)
    }

    /// Clears every fault switched on at run time, keeping the profile's
    /// standing quirks; returns how many were cleared.
    pub fn clear_run_time(&self) -> usize {
        let mut faults = self.faults.lock();
        let before = faults.len();
        faults.retain(|f| f.standing);
        before - faults.len()
    }

    /// Whether no fault was ever switched on or every one was cleared: the
    /// check the strict target's hot path makes.
    pub fn is_empty(&self) -> bool {
        self.faults.lock().is_empty()
    }

    /// The faults whose window is still open.
    pub fn active(&self, now: Instant) -> Vec<FaultView> {
        self.faults
            .lock()
            .iter()
            .filter(|f| !f.expired(now))
            .map(|f| f.view())
            .collect()
    }

    /// Clears one fault; false when there is no such id.
    pub fn clear(&self, id: u64) -> bool {
        let mut faults = self.faults.lock();
        let before = faults.len();
        faults.retain(|f| f.id != id);
        faults.len() != before
    }

    /// Clears every fault of a kind, or all when `kind` is `None`; returns how many.
    pub fn clear_matching(&self, kind: Option<super::FaultKind>) -> usize {
        let mut faults = self.faults.lock();
        let before = faults.len();
        faults.retain(|f| kind.is_some_and(|k| f.spec.kind != k));
        before - faults.len()
    }

    /// Every fault (in order) that shapes this request. Each fault counts
    /// the request against its own window and draw, so the answer for a
    /// given seed does not depend on which other faults are active.
    pub fn shaping(
        &self,
        req: &RequestFacts<'_>,
        now: Instant,
    ) -> Vec<std::sync::Arc<ActiveFault>> {
        let faults: Vec<_> = self.faults.lock().clone();
        faults
            .into_iter()
            .filter(|f| f.decide(self.seed, req, now))
            .collect()
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fault::{FaultKind, Operation};
    use crate::scim::schema::ResourceTypeName;
    use serde_json::json;

    fn spec(v: serde_json::Value) -> FaultSpec {
        serde_json::from_value(v).expect("spec")
    }

    fn req<'a>(method: &'a str, body: &'a [u8], op: Operation) -> RequestFacts<'a> {
        RequestFacts {
            method,
            path: "/scim/v2/Users",
            body,
            resource_type: Some(ResourceTypeName::User),
            operation: op,
        }
    }

    #[test]
    fn scope_narrows_by_method_resource_type_and_operation() {
        let set = FaultSet::new(1);
        let t0 = Instant::now();
        set.add(spec(json!({"kind": "server_error", "methods": ["POST"], "resource_type": "User", "operation": "provision"})), t0, false);
        assert_eq!(
            set.shaping(&req("POST", b"", Operation::Provision), t0)
                .len(),
            1
        );
        assert!(
            set.shaping(&req("GET", b"", Operation::Read), t0)
                .is_empty()
        );
        assert!(
            set.shaping(&req("POST", b"", Operation::Update), t0)
                .is_empty()
        );
        let group = RequestFacts {
            resource_type: Some(ResourceTypeName::Group),
            ..req("POST", b"", Operation::Provision)
        };
        assert!(set.shaping(&group, t0).is_empty());
    }

    #[test]
    fn a_request_count_window_ends_after_that_many_shaped_requests() {
        let set = FaultSet::new(1);
        let t0 = Instant::now();
        set.add(
            spec(json!({"kind": "unavailable", "for_requests": 2})),
            t0,
            false,
        );
        let shaped: Vec<bool> = (0..4)
            .map(|_| {
                !set.shaping(&req("GET", b"", Operation::Read), t0)
                    .is_empty()
            })
            .collect();
        assert_eq!(shaped, [true, true, false, false]);
        assert!(set.active(t0).is_empty());
    }

    #[test]
    fn a_time_window_ends_at_its_duration() {
        let set = FaultSet::new(1);
        let t0 = Instant::now();
        set.add(
            spec(json!({"kind": "unavailable", "for": "30s"})),
            t0,
            false,
        );
        assert_eq!(
            set.shaping(
                &req("GET", b"", Operation::Read),
                t0 + Duration::from_secs(29)
            )
            .len(),
            1
        );
        assert!(
            set.shaping(
                &req("GET", b"", Operation::Read),
                t0 + Duration::from_secs(30)
            )
            .is_empty()
        );
    }

    #[test]
    fn the_window_ends_at_its_first_bound() {
        let set = FaultSet::new(1);
        let t0 = Instant::now();
        set.add(
            spec(json!({"kind": "unavailable", "for": "1h", "for_requests": 1})),
            t0,
            false,
        );
        assert_eq!(set.shaping(&req("GET", b"", Operation::Read), t0).len(), 1);
        assert!(
            set.shaping(&req("GET", b"", Operation::Read), t0)
                .is_empty()
        );
    }

    #[test]
    fn a_kind_counts_only_the_requests_it_can_shape() {
        let set = FaultSet::new(1);
        let t0 = Instant::now();
        set.add(
            spec(json!({"kind": "patch_as_put", "for_requests": 1})),
            t0,
            false,
        );
        let get = req("GET", b"", Operation::Read);
        let patch = req("PATCH", b"", Operation::Update);
        assert!(set.shaping(&get, t0).is_empty(), "a GET is not a PATCH");
        assert_eq!(set.shaping(&patch, t0).len(), 1, "the window is intact");
        assert!(set.shaping(&patch, t0).is_empty(), "and now used up");
    }

    #[test]
    fn a_stale_reads_window_ends_at_its_duration_and_spares_writes() {
        let set = FaultSet::new(1);
        let t0 = Instant::now();
        set.add(
            spec(json!({"kind": "stale_reads", "delay": "1h", "for": "30s"})),
            t0,
            false,
        );
        let read = req("GET", b"", Operation::Read);
        assert!(
            set.shaping(&req("POST", b"", Operation::Provision), t0)
                .is_empty()
        );
        let at = |s| t0 + Duration::from_secs(s);
        assert_eq!(set.shaping(&read, at(29)).len(), 1);
        assert!(set.shaping(&read, at(30)).is_empty());
        assert!(set.active(at(30)).is_empty());
    }

    #[test]
    fn faults_for_named_users_shape_only_their_posts() {
        let set = FaultSet::new(1);
        let t0 = Instant::now();
        set.add(
            spec(json!({"kind": "conflict", "users": ["Bob@x"], "for_requests": 1})),
            t0,
            false,
        );
        let post = |body: &'static [u8]| req("POST", body, Operation::Provision);
        assert!(
            set.shaping(&post(br#"{"userName":"carol@x"}"#), t0)
                .is_empty()
        );
        assert!(set.shaping(&post(b"not json"), t0).is_empty());
        assert_eq!(set.shaping(&post(br#"{"USERNAME":"bob@X"}"#), t0).len(), 1);
        assert!(set.active(t0).is_empty(), "the one request was bob's");
    }

    #[test]
    fn one_shot_kinds_shape_only_colliding_posts_and_standing_faults_survive_clear() {
        let set = FaultSet::new(1);
        let t0 = Instant::now();
        set.add(spec(json!({"kind": "jit_twin", "users": ["a"]})), t0, true);
        set.add(
            spec(json!({"kind": "manual_change", "action": "delete", "users": ["a"]})),
            t0,
            false,
        );
        let kinds = |body: &'static [u8]| -> Vec<FaultKind> {
            set.shaping(&req("POST", body, Operation::Provision), t0)
                .iter()
                .map(|f| f.spec.kind)
                .collect()
        };
        assert_eq!(kinds(br#"{"userName":"b"}"#), []);
        assert_eq!(kinds(br#"{"userName":"A"}"#), [FaultKind::JitTwin]);
        assert_eq!(set.clear_run_time(), 1);
        let left = set.active(t0);
        assert_eq!(left.len(), 1);
        assert!(left[0].standing && left[0].spec.kind == FaultKind::JitTwin);
    }

    fn answers(seed: u64, order: &[&[u8]]) -> Vec<bool> {
        let set = FaultSet::new(seed);
        let t0 = Instant::now();
        set.add(
            spec(json!({"kind": "server_error", "probability": 0.5})),
            t0,
            false,
        );
        order
            .iter()
            .map(|b| {
                !set.shaping(&req("POST", b, Operation::Provision), t0)
                    .is_empty()
            })
            .collect()
    }

    #[test]
    fn probabilistic_answers_depend_on_the_seed_not_on_interleaving() {
        let bodies: Vec<Vec<u8>> = (0..40)
            .map(|i| format!("{{\"userName\":\"u{i}\"}}").into_bytes())
            .collect();
        let forward: Vec<&[u8]> = bodies.iter().map(Vec::as_slice).collect();
        let a = answers(42, &forward);
        assert_eq!(a, answers(42, &forward), "same seed, same answers");
        assert_ne!(a, answers(43, &forward), "another seed, other answers");
        // Reversed arrival order: each request still gets its own answer.
        let reversed: Vec<&[u8]> = forward.iter().rev().copied().collect();
        let mut b = answers(42, &reversed);
        b.reverse();
        assert_eq!(a, b);
        let hits = a.iter().filter(|x| **x).count();
        assert!((8..32).contains(&hits), "about half of 40, got {hits}");
    }

    #[test]
    fn repeats_of_one_request_draw_afresh() {
        let same: &[u8] = b"same";
        let a = answers(42, &[same; 30]);
        assert!(a.contains(&true) && a.contains(&false), "{a:?}");
    }

    #[test]
    fn clearing_by_id_kind_and_all() {
        let set = FaultSet::new(1);
        let t0 = Instant::now();
        let a = set.add(FaultSpec::of(FaultKind::Latency), t0, false);
        set.add(FaultSpec::of(FaultKind::ServerError), t0, false);
        set.add(FaultSpec::of(FaultKind::ServerError), t0, false);
        assert!(set.clear(a));
        assert!(!set.clear(a));
        assert_eq!(set.clear_matching(Some(FaultKind::ServerError)), 2);
        set.add(FaultSpec::of(FaultKind::Timeout), t0, false);
        assert_eq!(set.clear_matching(None), 1);
        assert!(set.active(t0).is_empty());
    }
}
