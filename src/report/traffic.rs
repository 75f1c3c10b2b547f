//! The requests each target received, as the reports draw them: counted
//! by outcome class in time buckets (a 10,000-event run is a hundred
//! buckets, not ten thousand marks), and the replay order after each
//! outage. Made from the evidence by the runner; the JSON report carries
//! it so the HTML report is made from the JSON alone.

use crate::contract::alert::AlertClass;
use crate::contract::event::EventKind;
use crate::judge::evidence::{Evidence, Instant, Request};
use crate::judge::replay_order;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// At most this many buckets per target.
const MAX_BUCKETS: u64 = 120;
/// Bucket widths to choose from, in milliseconds.
const WIDTHS: [u64; 14] = [
    100, 250, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000,
    1_800_000,
];
/// At most this many replayed writes per outage.
pub const MAX_REPLAYED: usize = 200;

/// The outcome classes, in the order reports draw them.
pub const CLASSES: [&str; 10] = [
    "2xx", "401", "403", "404", "409", "429", "4xx", "5xx", "dropped", "other",
];

/// A request's outcome class: `2xx`; the 4xx statuses a connector must
/// tell apart (401, 403, 404, 409, 429), any other 4xx; `5xx`; `dropped`
/// (never answered: reset, or held by a fault); `other` (1xx, 3xx).
pub fn class(status: u16) -> &'static str {
    match status {
        0 => "dropped",
        200..=299 => "2xx",
        401 => "401",
        403 => "403",
        404 => "404",
        409 => "409",
        429 => "429",
        400..=499 => "4xx",
        500..=599 => "5xx",
        _ => "other",
    }
}

/// The requests each target of a scenario received, and the faults it was under.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "traffic")]
pub struct Traffic {
    /// The width of every bucket, in milliseconds.
    pub bucket_ms: u64,
    pub targets: Vec<TargetTraffic>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "targetTraffic")]
pub struct TargetTraffic {
    pub target: String,
    /// Requests by outcome class (2xx, 401, 403, 404, 409, 429, 4xx, 5xx, dropped, other) over the whole scenario.
    pub total: BTreeMap<String, u64>,
    /// The buckets that received requests, in time order.
    pub buckets: Vec<Bucket>,
    /// The faults and network changes the target was under, from on to off.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<FaultSpan>,
    /// After each outage of the target that ended: the writes for the people whose events it held back, in arrival order (at most 200 per outage).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replay: Vec<Replay>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "faultSpan")]
pub struct FaultSpan {
    /// Milliseconds since the scenario started.
    pub start_ms: u64,
    /// Absent: it lasted to the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u64")]
    pub end_ms: Option<u64>,
    /// The alert class its symptom maps to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "AlertClass")]
    pub class: Option<AlertClass>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "bucket")]
pub struct Bucket {
    /// Milliseconds since the scenario started.
    pub start_ms: u64,
    /// Requests by outcome class.
    pub counts: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "replay")]
pub struct Replay {
    /// When the outage ended, in milliseconds since the scenario started.
    pub recovered_ms: u64,
    pub writes: Vec<ReplayedWrite>,
    /// Writes after the first 200, not listed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub more: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "replayedWrite")]
pub struct ReplayedWrite {
    pub at_ms: u64,
    pub seq: u64,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub person: String,
    /// The person's net effect: deprovision (sent first by a correct connector) or provision.
    pub effect: String,
}

/// The traffic of the scenario `e` holds the evidence of; `None` when no
/// target received a request.
pub fn traffic(e: &Evidence) -> Option<Traffic> {
    let start = e.started?;
    let ms = |at: Instant| u64::try_from((at - start).num_milliseconds()).unwrap_or(0);
    let last = e.requests.values().flatten().map(|r| ms(r.at)).max()?;
    let bucket_ms = WIDTHS
        .into_iter()
        .find(|w| last / w < MAX_BUCKETS)
        .unwrap_or_else(|| last / MAX_BUCKETS + 1);
    let targets = e
        .requests
        .iter()
        .map(|(target, requests)| {
            let mut total = BTreeMap::new();
            let mut buckets: BTreeMap<u64, BTreeMap<String, u64>> = BTreeMap::new();
            for r in requests {
                let c = class(r.status).to_owned();
                *total.entry(c.clone()).or_insert(0) += 1;
                let b = ms(r.at) / bucket_ms * bucket_ms;
                *buckets.entry(b).or_default().entry(c).or_insert(0) += 1;
            }
            TargetTraffic {
                target: target.clone(),
                total,
                buckets: buckets
                    .into_iter()
                    .map(|(start_ms, counts)| Bucket { start_ms, counts })
                    .collect(),
                faults: e
                    .faults
                    .iter()
                    .filter(|f| &f.target == target)
                    .map(|f| FaultSpan {
                        start_ms: ms(f.started),
                        end_ms: f.ended.map(ms),
                        class: f.class,
                    })
                    .collect(),
                replay: replay_order(e, target)
                    .into_iter()
                    .filter(|(_, writes)| !writes.is_empty())
                    .map(|(end, writes)| replay(ms(end), &writes, ms))
                    .collect(),
            }
        })
        .collect();
    Some(Traffic { bucket_ms, targets })
}

fn replay(
    recovered_ms: u64,
    writes: &[(&Request, EventKind)],
    ms: impl Fn(Instant) -> u64,
) -> Replay {
    Replay {
        recovered_ms,
        writes: writes
            .iter()
            .take(MAX_REPLAYED)
            .map(|(w, effect)| ReplayedWrite {
                at_ms: ms(w.at),
                seq: w.seq,
                method: w.method.clone(),
                path: w.path.clone(),
                status: w.status,
                person: w.person.clone().unwrap_or_default(),
                effect: match effect {
                    EventKind::Deprovision => "deprovision",
                    _ => "provision",
                }
                .to_owned(),
            })
            .collect(),
        more: writes.len().saturating_sub(MAX_REPLAYED) as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::evidence::FaultWindow;
    use chrono::{TimeZone, Utc};
    use rstest::rstest;

    #[rstest]
    #[case(0, "dropped")]
    #[case(201, "2xx")]
    #[case(401, "401")]
    #[case(400, "4xx")]
    #[case(429, "429")]
    #[case(503, "5xx")]
    #[case(302, "other")]
    fn classes(#[case] status: u16, #[case] want: &str) {
        assert_eq!(class(status), want);
    }

    fn at(ms: i64) -> Instant {
        Utc.timestamp_millis_opt(1_700_000_000_000 + ms).unwrap()
    }

    fn req(seq: u64, ms: i64, method: &str, status: u16, person: &str) -> Request {
        Request {
            seq,
            at: at(ms),
            method: method.into(),
            path: "/Users".into(),
            query: None,
            body: String::new(),
            status,
            retry_after: None,
            person: Some(person.into()),
        }
    }

    #[test]
    fn requests_are_counted_in_buckets_by_class() {
        let e = Evidence {
            started: Some(at(0)),
            requests: BTreeMap::from([(
                "a".to_owned(),
                vec![
                    req(1, 10, "POST", 201, "bob"),
                    req(2, 90, "POST", 503, "bob"),
                    req(3, 150, "POST", 0, "bob"),
                    req(4, 11_000, "POST", 201, "bob"),
                ],
            )]),
            ..Evidence::default()
        };
        let t = traffic(&e).unwrap();
        // 11 s in at most 120 buckets: 100 ms.
        assert_eq!(t.bucket_ms, 100);
        let a = &t.targets[0];
        assert_eq!(
            a.total,
            BTreeMap::from([("2xx".into(), 2), ("5xx".into(), 1), ("dropped".into(), 1)])
        );
        let starts: Vec<u64> = a.buckets.iter().map(|b| b.start_ms).collect();
        assert_eq!(starts, [0, 100, 11_000]);
        assert_eq!(
            a.buckets[0].counts,
            BTreeMap::from([("2xx".into(), 1), ("5xx".into(), 1)])
        );
    }

    #[test]
    fn a_long_run_gets_wide_buckets() {
        let e = Evidence {
            started: Some(at(0)),
            requests: BTreeMap::from([("a".to_owned(), vec![req(1, 3_600_000, "GET", 200, "x")])]),
            ..Evidence::default()
        };
        assert_eq!(traffic(&e).unwrap().bucket_ms, 60_000);
        assert_eq!(traffic(&Evidence::default()), None);
    }

    #[test]
    fn the_replay_order_lists_the_writes_after_recovery() {
        use crate::judge::evidence::EventRecord;
        let event = |id: &str, person: &str, ms: i64, kind: EventKind| EventRecord {
            id: id.into(),
            person: Some(person.into()),
            sent_at: at(ms),
            kinds: BTreeMap::from([("a".to_owned(), kind)]),
        };
        let e = Evidence {
            started: Some(at(0)),
            events: vec![
                event("e1", "dave", 1_000, EventKind::Provision),
                event("e2", "bob", 2_000, EventKind::Deprovision),
            ],
            faults: vec![FaultWindow {
                target: "a".into(),
                class: None,
                started: at(500),
                ended: Some(at(5_000)),
            }],
            requests: BTreeMap::from([(
                "a".to_owned(),
                vec![
                    req(1, 1_100, "POST", 503, "dave"),
                    req(2, 6_000, "POST", 201, "dave"),
                    req(3, 6_500, "DELETE", 204, "bob"),
                ],
            )]),
            ..Evidence::default()
        };
        let replay = &traffic(&e).unwrap().targets[0].replay;
        assert_eq!(replay.len(), 1);
        assert_eq!(replay[0].recovered_ms, 5_000);
        let order: Vec<(&str, &str)> = replay[0]
            .writes
            .iter()
            .map(|w| (w.person.as_str(), w.effect.as_str()))
            .collect();
        assert_eq!(order, [("dave", "provision"), ("bob", "deprovision")]);
    }
}
