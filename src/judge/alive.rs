//! `connector_alive` (SPEC §5.1): the connector's process stayed up and
//! kept answering for the whole scenario.

use super::check::CheckName;
use super::evidence::Evidence;
use super::result::CheckResult;

pub fn judge_connector_alive(index: usize, e: &Evidence) -> CheckResult {
    let result =
        |passed, message| CheckResult::new(index, CheckName::ConnectorAlive, "*", passed, message);
    let c = &e.connector;
    if let Some(exit) = &c.exited {
        let lines: Vec<String> = exit.last_lines.iter().map(|l| format!("  | {l}")).collect();
        return result(
            false,
            format!(
                "the connector exited at {} ({}); its last lines:\n{}",
                e.offset(exit.at),
                exit.how,
                lines.join("\n")
            ),
        );
    }
    if c.hung.is_empty() {
        return result(true, "the connector stayed up".into());
    }
    // An exec delivery killed at its timeout: the connector stopped
    // answering (SPEC §5.1), though no process of it exited.
    let hung: Vec<String> = c
        .hung
        .iter()
        .map(|h| format!("{} ({}): {}", h.event, h.summary, h.refusal))
        .collect();
    result(
        false,
        format!(
            "the connector stopped answering: {} event deliveries never finished:\n  {}",
            hung.len(),
            hung.join("\n  ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::evidence::{ConnectorExit, HungDelivery};
    use chrono::{TimeZone, Utc};

    fn evidence() -> Evidence {
        Evidence {
            started: Some(Utc.timestamp_millis_opt(1_700_000_000_000).unwrap()),
            ..Evidence::default()
        }
    }

    #[test]
    fn a_connector_that_stayed_up_passes() {
        let r = judge_connector_alive(2, &evidence());
        assert!(r.passed);
        assert_eq!(
            (r.index, r.check.as_str(), r.target.as_str()),
            (2, "connector_alive", "*")
        );
    }

    #[test]
    fn an_exit_says_when_how_and_its_last_lines() {
        let mut e = evidence();
        e.connector.exited = Some(ConnectorExit {
            at: Utc.timestamp_millis_opt(1_700_000_004_250).unwrap(),
            how: "exited with code 3".into(),
            last_lines: vec!["giving up".into(), "bye".into()],
        });
        let r = judge_connector_alive(0, &e);
        assert!(!r.passed);
        assert_eq!(
            r.message,
            "the connector exited at +4.2s (exited with code 3); its last lines:\n  | giving up\n  | bye"
        );
    }

    #[test]
    fn a_hung_delivery_fails_even_without_an_exit() {
        let mut e = evidence();
        e.connector.hung.push(HungDelivery {
            event: "evt-1".into(),
            summary: "joiner dave → app-a".into(),
            refusal: "timed out after 5s".into(),
        });
        let r = judge_connector_alive(0, &e);
        assert!(!r.passed);
        assert_eq!(
            r.message,
            "the connector stopped answering: 1 event deliveries never finished:\n  evt-1 (joiner dave → app-a): timed out after 5s"
        );
    }
}
