//! `audit` (SPEC §5.1): every replayed record keeps its event's original
//! `occurred_at` (to the millisecond, as it was sent).

use super::check::CheckName;
use super::evidence::{AuditEvidence, Evidence};
use super::result::CheckResult;
use chrono::SecondsFormat;

pub fn judge_audit(index: usize, audit: &AuditEvidence, e: &Evidence) -> CheckResult {
    let result = |passed, message| CheckResult::new(index, CheckName::Audit, "*", passed, message);
    let records = match audit {
        AuditEvidence::Records(r) => r,
        AuditEvidence::Unreadable(why) => {
            return result(false, format!("the audit could not be read: {why}"));
        }
    };
    let mut wrong = Vec::new();
    let mut replayed = 0;
    for r in records.iter().filter(|r| r.replayed) {
        replayed += 1;
        let Some(sent) = e.events.iter().find(|ev| ev.id == r.event_id) else {
            wrong.push(format!(
                "{} on {}: no such event was sent",
                r.event_id, r.target
            ));
            continue;
        };
        if (r.original_at - sent.sent_at).num_milliseconds().abs() > 0 {
            wrong.push(format!(
                "{} on {}: original_at {} but the event occurred at {}",
                r.event_id,
                r.target,
                r.original_at.to_rfc3339_opts(SecondsFormat::Millis, true),
                sent.sent_at.to_rfc3339_opts(SecondsFormat::Millis, true)
            ));
        }
    }
    let passed = wrong.is_empty();
    let message = if passed {
        format!("{replayed} replayed records keep their original event time")
    } else {
        format!(
            "replayed records lost their original time:\n  {}",
            wrong.join("\n  ")
        )
    };
    result(passed, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::audit::{AuditOutcome, AuditRecord};
    use crate::judge::evidence::EventRecord;
    use chrono::{TimeZone, Utc};

    fn evidence() -> Evidence {
        let mut e = Evidence::default();
        e.events.push(EventRecord {
            id: "evt-1".into(),
            person: Some("dave".into()),
            // Sent with microseconds: the event carries milliseconds.
            sent_at: Utc.timestamp_micros(1_700_000_000_123_456).unwrap(),
            kinds: Default::default(),
        });
        e
    }

    fn record(event: &str, original_ms: i64, replayed: bool) -> AuditRecord {
        AuditRecord {
            event_id: event.into(),
            target: "app-a".into(),
            operation: "joiner".into(),
            original_at: Utc.timestamp_millis_opt(original_ms).unwrap(),
            executed_at: None,
            outcome: AuditOutcome::Delivered,
            replayed,
        }
    }

    #[test]
    fn replays_that_keep_the_event_time_to_the_millisecond_pass() {
        let audit = AuditEvidence::Records(vec![
            record("evt-1", 1_700_000_000_123, true),
            record("evt-9", 0, false),
        ]);
        let r = judge_audit(3, &audit, &evidence());
        assert!(r.passed, "{}", r.message);
        assert_eq!(
            r.message,
            "1 replayed records keep their original event time"
        );
    }

    #[test]
    fn a_replay_stamped_with_another_time_or_event_fails() {
        let audit = AuditEvidence::Records(vec![
            record("evt-1", 1_700_000_005_000, true),
            record("evt-7", 0, true),
        ]);
        let r = judge_audit(3, &audit, &evidence());
        assert!(!r.passed);
        assert_eq!(
            r.message,
            "replayed records lost their original time:\n  \
             evt-1 on app-a: original_at 2023-11-14T22:13:25.000Z but the event occurred at 2023-11-14T22:13:20.123Z\n  \
             evt-7 on app-a: no such event was sent"
        );
    }

    #[test]
    fn an_unreadable_audit_fails_and_says_why() {
        let r = judge_audit(
            0,
            &AuditEvidence::Unreadable("HTTP 500".into()),
            &evidence(),
        );
        assert!(!r.passed);
        assert_eq!(r.message, "the audit could not be read: HTTP 500");
    }
}
