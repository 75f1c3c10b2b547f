//! The journal entries a failed check's message rests on, for the reports
//! (`journal` of a check): the requests of the check's target that concern
//! a person the message names, or that have a method and path it names
//! (`POST /scim/v2/Users`), oldest first, at most [`CITED`].

use super::evidence::{Evidence, Request};
use super::result::CheckResult;
use serde_json::{Value, json};
use std::collections::HashSet;

/// At most this many entries per check: enough to see the pattern, small
/// enough for a 10,000-person failure.
pub const CITED: usize = 20;

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// The requests `result`'s message names; none for a passed check.
pub fn cited<'a>(e: &'a Evidence, result: &CheckResult) -> Vec<&'a Request> {
    if result.passed {
        return Vec::new();
    }
    let words: Vec<&str> = result
        .message
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | ':' | ';' | '"'))
        .filter(|w| !w.is_empty())
        .collect();
    let named: HashSet<&str> = words.iter().copied().collect();
    let routes: HashSet<(&str, &str)> = words
        .windows(2)
        .filter(|w| METHODS.contains(&w[0]) && w[1].starts_with('/'))
        .map(|w| (w[0], w[1]))
        .collect();
    e.requests_of(&result.target)
        .iter()
        .filter(|r| {
            r.person.as_deref().is_some_and(|p| named.contains(p))
                || routes.contains(&(r.method.as_str(), r.path.as_str()))
        })
        .take(CITED)
        .collect()
}

/// A request as the reports show a journal entry (docs/mock-target.md's
/// names), with its target.
pub fn journal_entry(target: &str, r: &Request) -> Value {
    let mut v = json!({
        "seq": r.seq,
        "time": r.at,
        "target": target,
        "method": r.method,
        "path": r.path,
        "status": r.status,
    });
    let map = v.as_object_mut().expect("an object");
    if let Some(q) = &r.query {
        map.insert("query".into(), json!(q));
    }
    if let Some(p) = &r.person {
        map.insert("person".into(), json!(p));
    }
    if !r.body.is_empty() {
        map.insert("body".into(), json!(r.body));
    }
    if let Some(d) = r.retry_after {
        map.insert("retry_after".into(), json!(d.as_secs_f64()));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::check::CheckName;
    use chrono::{TimeZone, Utc};
    use std::collections::BTreeMap;

    fn req(seq: u64, method: &str, path: &str, person: Option<&str>) -> Request {
        Request {
            seq,
            at: Utc.timestamp_opt(1_700_000_000 + seq as i64, 0).unwrap(),
            method: method.into(),
            path: path.into(),
            query: None,
            body: String::new(),
            status: 500,
            retry_after: None,
            person: person.map(str::to_owned),
        }
    }

    #[test]
    fn a_failure_cites_the_people_and_routes_it_names() {
        let e = Evidence {
            requests: BTreeMap::from([(
                "a".to_owned(),
                vec![
                    req(1, "POST", "/Users", Some("bob")),
                    req(2, "POST", "/Users", Some("dave")),
                    req(3, "DELETE", "/Users/9", Some("eve")),
                    req(4, "GET", "/Groups", None),
                    req(5, "PATCH", "/Groups/1", None),
                ],
            )]),
            ..Evidence::default()
        };
        let failed = CheckResult::new(
            2,
            CheckName::Replay,
            "a",
            false,
            "provision POST /Users (dave) came before deprovision of eve; PATCH /Groups/1 too"
                .into(),
        );
        let seqs: Vec<u64> = cited(&e, &failed).iter().map(|r| r.seq).collect();
        assert_eq!(seqs, [1, 2, 3, 5]);
        let passed = CheckResult {
            passed: true,
            ..failed
        };
        assert!(cited(&e, &passed).is_empty());
    }

    #[test]
    fn at_most_twenty_are_cited() {
        let list = (0..50).map(|i| req(i, "POST", "/Users", None)).collect();
        let e = Evidence {
            requests: BTreeMap::from([("a".to_owned(), list)]),
            ..Evidence::default()
        };
        let failed = CheckResult::new(0, CheckName::NoRetryStorm, "a", false, "POST /Users".into());
        assert_eq!(cited(&e, &failed).len(), CITED);
    }
}
