use super::*;
use crate::report::model::{CertifyCheck, CheckReport, ScenarioReport};
use chrono::{TimeZone, Utc};
use proptest::prelude::*;

fn at0() -> chrono::DateTime<Utc> {
    Utc.timestamp_opt(0, 0).unwrap()
}

/// `scenarios` failing scenarios of `failures` failed checks each, with
/// messages of `message_len` characters, and `passing` passing scenarios.
fn pack(scenarios: usize, failures: usize, message_len: usize, passing: usize) -> RunReport {
    let mut list: Vec<ScenarioReport> = (0..scenarios)
        .map(|i| {
            let checks = (0..failures)
                .map(|j| {
                    let message = format!("failure {i}.{j}: {}", "x".repeat(message_len));
                    CheckReport::new(j, "state", "app-a", false, &message)
                })
                .chain([CheckReport::new(failures, "no_twins", "app-a", true, "ok")])
                .collect();
            ScenarioReport::new(&format!("failing-{i}"), "s.yaml", checks)
        })
        .collect();
    list.extend((0..passing).map(|i| {
        ScenarioReport::new(
            &format!("passing-{i}"),
            "p.yaml",
            vec![CheckReport::new(0, "state", "app-a", true, "ok")],
        )
    }));
    RunReport::run(1, at0(), 0, list)
}

fn certify_pack(n: usize, with_cause: bool) -> RunReport {
    let checks = (0..n)
        .map(|i| CertifyCheck {
            id: format!("PATCH-{i:03}"),
            group: "patch".into(),
            rfc: "RFC 7644 §3.5.2".into(),
            title: format!("check number {i}"),
            quote: String::new(),
            level: [Level::Must, Level::Should, Level::Interop][i % 3],
            outcome: Outcome::Failed,
            message: format!("answered 500 to check {i}: {}", "y".repeat(400)),
            warning: false,
            cause: (with_cause && i % 2 == 1).then(|| format!("500 server error {}", i % 7)),
            baseline: None,
            duration_ms: None,
            exchanges: Vec::new(),
        })
        .collect();
    RunReport::certify(at0(), 0, checks, FailOn::Should)
}

#[test]
fn long_messages_are_cut_to_one_line_and_say_so() {
    let text = render(&pack(1, 1, REASON_LIMIT + 10, 0));
    assert!(text.contains("x…"), "{text}");
    assert!(!text.contains(&"x".repeat(REASON_LIMIT)));
    assert!(text.contains("Messages longer than 300 characters are cut"));
}

#[test]
fn a_failed_check_says_why_and_what_a_correct_connector_does() {
    let text = render(&pack(1, 1, 3, 2));
    assert!(
        text.contains("- ❌ **state\\[app\\-a\\]\\#0**: ` failure 0.0: xxx `\n  - a correct connector leaves the target holding exactly what the source of truth says\n"),
        "{text}"
    );
    assert!(
        text.contains("**3 scenarios**: 2 passed, 1 failed · **4 checks**: 3 passed, 1 failed")
    );
    assert!(text.contains("✅ 2 scenarios: passing\\-0 · passing\\-1"));
    assert!(!text.contains("Shortened"));
}

#[test]
fn a_huge_run_fits_a_pull_request_comment() {
    let text = render(&pack(3_000, 10, 1_000, 5_000));
    assert!(text.len() <= COMMENT_LIMIT, "{} bytes", text.len());
    assert!(text.contains("#### ❌ failing\\-0: 10 of 11 checks failed"));
    assert!(text.contains("failure 0.0: "));
    assert!(text.contains("more failures in"), "the rest is counted");
    assert!(text.contains("✅ 5000 scenarios \\(not named here\\)"));
    assert!(text.contains("Shortened to stay under GitHub's 65536-character comment limit"));
}

#[test]
fn a_huge_certify_session_fits_a_pull_request_comment() {
    let text = render(&certify_pack(6_000, true));
    assert!(text.len() <= COMMENT_LIMIT, "{} bytes", text.len());
    assert!(text.contains("#### MUST: 2000 failed"));
    assert!(text.contains("**PATCH\\-000** check number 0"));
    assert!(text.contains("- ❌ Probable cause of "));
    assert!(text.contains("more failures at INTEROP"));
    assert!(text.contains("Lists stop after 30 entries; the JSON report has everything."));
}

/// Text outside code spans, for checking what GitHub would link.
fn outside_code_spans(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let run = rest[start..].chars().take_while(|c| *c == '`').count();
        let after = &rest[start + run..];
        let fence = "`".repeat(run);
        // The closing run is exactly as long (markdown_code_span makes it so).
        let mut end = None;
        let mut from = 0;
        while let Some(i) = after[from..].find(&fence) {
            let i = from + i;
            let len = after[i..].chars().take_while(|c| *c == '`').count();
            if len == run {
                end = Some(i);
                break;
            }
            from = i + len;
        }
        match end {
            Some(i) => rest = &after[i + run..],
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn nothing_outside_a_code_span_can_become_a_link() {
    let mut r = pack(1, 1, 0, 0);
    r.subject = Some("https://scim.example.test/v2".into());
    if let Some(s) = r.scenarios.as_mut() {
        s[0].checks[0].message =
            "bob@acme.test: see https://x.test/a and www.example.com, `tick` ``".into();
    }
    let text = render(&r);
    let plain = outside_code_spans(&text);
    assert!(text.contains("bob@acme.test") && text.contains("https://x.test/a"));
    assert!(!plain.contains("://") && !plain.contains("www."), "{plain}");
    assert!(!plain.replace("\\@", "").contains('@'), "{plain}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, rng_seed: proptest::test_runner::RngSeed::Fixed(65_536), ..ProptestConfig::default() })]

    /// Any size of pack: never over the limit, the first failure always
    /// there, and a note whenever something was left out.
    #[test]
    fn any_pack_fits_and_shows_its_first_failure(
        scenarios in 1usize..2_000,
        failures in 1usize..40,
        message_len in 0usize..3_000,
        passing in 0usize..3_000,
    ) {
        let text = render(&pack(scenarios, failures, message_len, passing));
        prop_assert!(text.len() <= COMMENT_LIMIT, "{} bytes", text.len());
        prop_assert!(text.contains("#### ❌ failing\\-0:"));
        prop_assert!(text.contains("failure 0.0: "));
        let shown = text.matches("- ❌ **state").count();
        if shown < scenarios * failures {
            prop_assert!(text.contains("more failure"));
        }
    }

    #[test]
    fn any_certify_session_fits_and_shows_its_first_failure(n in 1usize..8_000, causes: bool) {
        let text = render(&certify_pack(n, causes));
        prop_assert!(text.len() <= COMMENT_LIMIT, "{} bytes", text.len());
        prop_assert!(text.contains("**PATCH\\-000** check number 0"));
    }
}
