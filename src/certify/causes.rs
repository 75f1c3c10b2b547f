//! Failures with one probable cause: when several checks fail because the
//! server gave the same error answer (one crash in its filter code, say,
//! hit by five filters), the reports list them under that answer once,
//! instead of as five unrelated findings.

use crate::report::{CertifyCheck, Outcome};
use std::collections::BTreeMap;

/// How many failures must share an answer before it is called a cause.
const AT_LEAST: usize = 2;

/// Sets `cause` on each failed check whose server answer (status and
/// error text, ids and numbers masked) another failed check shares.
pub fn link(checks: &mut [CertifyCheck]) {
    let mut by_answer: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, c) in checks.iter().enumerate() {
        if c.outcome == Outcome::Failed
            && let Some(key) = answer_of(&c.message)
        {
            by_answer.entry(key).or_default().push(i);
        }
    }
    for (answer, at) in by_answer {
        if at.len() < AT_LEAST {
            continue;
        }
        let cause = format!(
            "the server answered {answer} to each of these requests: one fault in the server, \
             probably, not {} separate ones",
            at.len()
        );
        for i in at {
            checks[i].cause = Some(cause.clone());
        }
    }
}

/// `500 "AttributeError: 'NoneType' …"` from a message that quotes a
/// server's error answer (`… answered 500: {…}`); `None` for a failure
/// about content rather than an error answer.
fn answer_of(message: &str) -> Option<String> {
    let (at, word) = ["answered ", "got "]
        .iter()
        .filter_map(|w| message.find(w).map(|i| (i, *w)))
        .min()?;
    let rest = &message[at + word.len()..];
    let status: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let code: u16 = status.parse().ok()?;
    if code < 400 {
        return None;
    }
    let after = rest[status.len()..].trim_start_matches([':', ' ']);
    let detail = serde_json::from_str::<serde_json::Value>(after)
        .ok()
        .and_then(|v| {
            let d = v.get("detail").and_then(|d| d.as_str()).map(str::to_owned);
            let t = v
                .get("scimType")
                .and_then(|t| t.as_str())
                .map(str::to_owned);
            match (t, d) {
                (None, None) => None,
                (t, d) => Some([t, d].into_iter().flatten().collect::<Vec<_>>().join(" ")),
            }
        })
        .unwrap_or_else(|| after.chars().take(160).collect());
    let detail = mask(&detail);
    match detail.trim() {
        // A bare 4xx says too little to tie failures together; a bare 5xx
        // (a crash, "not implemented") is the server's one answer.
        "" if code < 500 => None,
        "" => Some(format!("{code}")),
        d => Some(format!("{code} {d:?}")),
    }
}

/// Ids, names and numbers differ from request to request; the fault does
/// not. Runs of digits and hex, and this run's names, are masked.
fn mask(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_inclusive(|c: char| c.is_whitespace() || "\"'(),:;[]{}".contains(c)) {
        let core = word.trim_end_matches(|c: char| c.is_whitespace() || "\"'(),:;[]{}".contains(c));
        let tail = &word[core.len()..];
        let digits = core.chars().filter(char::is_ascii_digit).count();
        if core.contains("scimulate-cert-") || (digits >= 3 && digits * 3 >= core.len()) {
            out.push('…');
        } else {
            out.push_str(core);
        }
        out.push_str(tail);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Level;

    fn failed(id: &str, message: &str) -> CertifyCheck {
        CertifyCheck {
            id: id.into(),
            group: "filter".into(),
            rfc: String::new(),
            title: String::new(),
            quote: String::new(),
            level: Level::Must,
            outcome: Outcome::Failed,
            message: message.into(),
            warning: false,
            cause: None,
            baseline: None,
            duration_ms: None,
            exchanges: Vec::new(),
        }
    }

    #[test]
    fn one_crash_under_many_filters_is_one_cause() {
        let crash = r#"{"detail": "'NoneType' object has no attribute 'lower'", "status": "500"}"#;
        let mut checks = vec![
            failed(
                "FILTER-007",
                &format!("filter \"title eq \\\"a\\\" and nickName pr\" answered 500: {crash}"),
            ),
            failed(
                "FILTER-008",
                &format!("filter \"nickName gt 1\" answered 500: {crash}"),
            ),
            failed("FILTER-009", "filter x: returned none, expected user A"),
            failed("USER-030", "answered 400: {\"detail\": \"bad id 12345\"}"),
        ];
        link(&mut checks);
        let cause = checks[0].cause.clone().expect("linked");
        assert_eq!(checks[1].cause.as_ref(), Some(&cause));
        assert!(
            cause.contains("500") && cause.contains("NoneType"),
            "{cause}"
        );
        assert!(checks[2].cause.is_none() && checks[3].cause.is_none());
    }

    #[test]
    fn ids_and_run_names_do_not_keep_answers_apart() {
        let a = answer_of(r#"answered 404: {"detail": "User 2819c223-7f76 not found"}"#);
        let b = answer_of(r#"answered 404: {"detail": "User 99aa1234-0000 not found"}"#);
        assert_eq!(a, b);
        assert!(answer_of("answered 204 but changed the user").is_none());
        assert_eq!(
            answer_of("expected 400, got 501: {\"detail\": \"\"}"),
            Some("501".into())
        );
        assert!(answer_of("answered 400: {\"detail\": \"\"}").is_none());
    }
}
