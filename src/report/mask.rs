//! Secrets never appear in reports (SPEC §1): before any report is
//! written, every token and client secret the run handed out is replaced
//! by `***` wherever it occurs in the model, in messages, evidence, alert
//! payloads and timelines alike, since servers and connectors under test
//! may echo them back in any of those.

use super::model::RunReport;
use aho_corasick::AhoCorasick;
use serde_json::Value;

const MASK: &str = "***";

/// Replaces every occurrence of each secret in `report` by `***`. Empty
/// secrets are ignored (they would match everywhere).
pub fn mask_secrets(report: &mut RunReport, secrets: &[String]) {
    if let Some(masker) = Masker::new(secrets) {
        masker.report(report);
    }
}

/// [`mask_secrets`] for any JSON document the run writes beside its
/// reports (a run folder's `evidence.json`): every string and key.
pub fn mask_json(value: &mut Value, secrets: &[String]) {
    if let Some(masker) = Masker::new(secrets) {
        masker.value(value);
    }
}

/// A writer that masks secrets in the JSON text passing through it, for a
/// document too large to hold twice (the evidence of a hundred thousand
/// people): each secret is matched as it stands in JSON text (escaped), so
/// the output equals [`mask_json`] applied before serialising.
pub struct MaskingWriter<W: std::io::Write> {
    inner: W,
    matcher: Option<AhoCorasick>,
    /// Bytes not yet passed on: a secret may straddle two writes.
    pending: Vec<u8>,
    longest: usize,
}

/// Bytes held back before matching: large enough that matching is cheap
/// per byte, small next to any document worth streaming.
const MASK_WINDOW: usize = 64 * 1024;

impl<W: std::io::Write> MaskingWriter<W> {
    pub fn new(inner: W, secrets: &[String]) -> Self {
        let patterns: Vec<String> = secrets
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| {
                // As serde_json writes it inside a string, quotes stripped.
                let quoted = serde_json::to_string(s).unwrap_or_default();
                quoted[1..quoted.len() - 1].to_owned()
            })
            .collect();
        let longest = patterns.iter().map(String::len).max().unwrap_or(0);
        let matcher = (!patterns.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                    .build(&patterns)
                    .ok()
            })
            .flatten();
        MaskingWriter {
            inner,
            matcher,
            pending: Vec::new(),
            longest,
        }
    }

    /// Passes on what can no longer be part of an unseen match: everything
    /// when `all`, else all but the last `longest - 1` bytes (a match that
    /// starts before that cut lies wholly in what is held).
    fn drain(&mut self, all: bool) -> std::io::Result<()> {
        let Some(matcher) = &self.matcher else {
            self.inner.write_all(&self.pending)?;
            self.pending.clear();
            return Ok(());
        };
        let cut = if all {
            self.pending.len()
        } else {
            self.pending
                .len()
                .saturating_sub(self.longest.saturating_sub(1))
        };
        let mut at = 0;
        for m in matcher.find_iter(&self.pending) {
            if m.start() >= cut {
                break;
            }
            self.inner.write_all(&self.pending[at..m.start()])?;
            self.inner.write_all(MASK.as_bytes())?;
            at = m.end();
        }
        let upto = cut.max(at);
        self.inner.write_all(&self.pending[at..upto])?;
        self.pending.drain(..upto);
        Ok(())
    }

    /// Passes on what is held and gives the inner writer back.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.drain(true)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: std::io::Write> std::io::Write for MaskingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if self.pending.len() >= MASK_WINDOW {
            self.drain(false)?;
        }
        Ok(buf.len())
    }

    /// Flushing keeps back what may still be the start of a secret.
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

struct Masker {
    matcher: AhoCorasick,
}

impl Masker {
    /// `None` when there is nothing to mask.
    fn new(secrets: &[String]) -> Option<Masker> {
        let patterns: Vec<&str> = secrets
            .iter()
            .map(String::as_str)
            .filter(|s| !s.is_empty())
            .collect();
        if patterns.is_empty() {
            return None;
        }
        // Longest first, so a secret that contains another is masked whole.
        let matcher = AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(&patterns)
            .ok()?;
        Some(Masker { matcher })
    }

    fn text(&self, s: &mut String) {
        if self.matcher.is_match(s.as_str()) {
            let replacements = vec![MASK; self.matcher.patterns_len()];
            *s = self.matcher.replace_all(s, &replacements);
        }
    }

    fn opt(&self, s: &mut Option<String>) {
        if let Some(s) = s {
            self.text(s);
        }
    }

    fn value(&self, v: &mut Value) {
        match v {
            Value::String(s) => self.text(s),
            Value::Array(items) => items.iter_mut().for_each(|i| self.value(i)),
            Value::Object(map) => {
                // Keys may carry secrets too (a header map keyed by value is
                // unlikely, but cheap to cover): rebuild only when one does.
                if map.keys().any(|k| self.matcher.is_match(k.as_str())) {
                    let old = std::mem::take(map);
                    for (mut k, mut item) in old {
                        self.text(&mut k);
                        self.value(&mut item);
                        map.insert(k, item);
                    }
                } else {
                    map.values_mut().for_each(|i| self.value(i));
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }

    fn report(&self, r: &mut RunReport) {
        self.opt(&mut r.subject);
        for e in &mut r.errors {
            self.opt(&mut e.during);
            self.text(&mut e.message);
        }
        for s in r.scenarios.iter_mut().flatten() {
            self.opt(&mut s.description);
            for e in &mut s.errors {
                self.opt(&mut e.during);
                self.text(&mut e.message);
            }
            for c in &mut s.checks {
                self.text(&mut c.message);
                self.opt(&mut c.skipped);
                if let Some(d) = &mut c.diff {
                    self.value(d);
                }
                c.journal.iter_mut().for_each(|j| self.value(j));
            }
            for a in &mut s.alerts {
                self.value(&mut a.payload);
            }
            for t in &mut s.timeline {
                self.text(&mut t.summary);
                if let Some(d) = &mut t.detail {
                    self.value(d);
                }
            }
        }
        for c in r.checks.iter_mut().flatten() {
            self.text(&mut c.message);
            for x in &mut c.exchanges {
                self.text(&mut x.path);
                self.opt(&mut x.request_body);
                self.opt(&mut x.response_body);
                self.opt(&mut x.error);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{
        CheckReport, HarnessError, ReceivedAlert, ScenarioReport, TimelineEntry, TimelineKind,
    };
    use chrono::{TimeZone, Utc};
    use serde_json::json;

    /// Streamed through the writer in pieces of every size, a document
    /// comes out as `mask_json` would have made it.
    #[test]
    fn the_masking_writer_equals_masking_the_value() {
        use std::io::Write;
        let secrets = vec![
            "tok-123".to_owned(),
            "tok-1234567".to_owned(),
            "se\"c".to_owned(),
        ];
        let mut doc = json!({"a": "Bearer tok-1234567 and tok-123", "tok-123": ["x se\"c y"],
            "long": "z".repeat(200_000) + "tok-123" + &"z".repeat(70_000)});
        let text = serde_json::to_vec(&doc).unwrap();
        mask_json(&mut doc, &secrets);
        let want = serde_json::to_vec(&doc).unwrap();
        for piece in [1, 7, 4096, 65_536, 1 << 20] {
            let mut w = MaskingWriter::new(Vec::new(), &secrets);
            for chunk in text.chunks(piece) {
                w.write_all(chunk).unwrap();
            }
            let got = w.finish().unwrap();
            assert!(got == want, "pieces of {piece}");
        }
    }

    #[test]
    fn secrets_are_masked_everywhere_in_the_model() {
        let mut check = CheckReport::new(0, "alert", "a", false, "401 for Bearer tok-123");
        check.journal = vec![json!({"headers": {"authorization": "Bearer tok-123"}, "tok-123": 1})];
        check.diff = Some(json!(["client_secret=sec-456"]));
        let mut s = ScenarioReport::new("s", "s.yaml", vec![check]);
        s.errors.push(HarnessError {
            during: Some("rotate tok-123".into()),
            message: "connector printed sec-456".into(),
        });
        s.alerts.push(ReceivedAlert {
            at_ms: 1,
            payload: json!({"message": "token tok-123 expired"}),
        });
        s.timeline.push(TimelineEntry {
            at_ms: 1,
            kind: TimelineKind::Request,
            target: None,
            summary: "GET with tok-123".into(),
            detail: Some(json!({"body": "sec-456"})),
        });
        let mut r = RunReport::run(0, Utc.timestamp_opt(0, 0).unwrap(), 0, vec![s]);
        mask_secrets(&mut r, &["tok-123".into(), "sec-456".into(), String::new()]);
        let json = serde_json::to_string(&r).unwrap();
        assert!(
            !json.contains("tok-123") && !json.contains("sec-456"),
            "{json}"
        );
        assert_eq!(r.scenarios()[0].checks[0].message, "401 for Bearer ***");
        assert_eq!(r.scenarios()[0].checks[0].journal[0]["***"], 1);
    }

    #[test]
    fn secrets_are_masked_in_certify_exchanges() {
        use crate::report::model::{CertifyCheck, Exchange, FailOn, Level, Outcome};
        let check = CertifyCheck {
            id: "SEC-001".into(),
            group: "security".into(),
            rfc: "RFC 7644 §2".into(),
            title: String::new(),
            quote: String::new(),
            level: Level::Must,
            outcome: Outcome::Failed,
            message: "m".into(),
            warning: false,
            cause: None,
            baseline: None,
            duration_ms: None,
            exchanges: vec![Exchange {
                method: "GET".into(),
                path: "/Users?access_token=tok-123".into(),
                credentials: Some("expired".into()),
                request_body: Some("tok-123".into()),
                status: None,
                response_body: Some("echo tok-123".into()),
                error: Some("no answer for tok-123".into()),
            }],
        };
        let mut r = RunReport::certify(
            Utc.timestamp_opt(0, 0).unwrap(),
            0,
            vec![check],
            FailOn::Should,
        );
        mask_secrets(&mut r, &["tok-123".into()]);
        let json = serde_json::to_string(&r).unwrap();
        assert!(!json.contains("tok-123"), "{json}");
        assert_eq!(
            r.certify_checks()[0].exchanges[0].path,
            "/Users?access_token=***"
        );
    }

    #[test]
    fn a_secret_inside_another_is_masked_whole() {
        let mut r = RunReport::run(
            0,
            Utc.timestamp_opt(0, 0).unwrap(),
            0,
            vec![ScenarioReport::new(
                "s",
                "s.yaml",
                vec![CheckReport::new(0, "c", "t", true, "abc and abcdef")],
            )],
        );
        mask_secrets(&mut r, &["abc".into(), "abcdef".into()]);
        assert_eq!(r.scenarios()[0].checks[0].message, "*** and ***");
    }

    #[test]
    fn secrets_are_masked_in_any_json_document() {
        let mut doc = json!({"requests": [{"body": "Bearer tok-123"}], "tok-123": ["sec-456", 7]});
        mask_json(&mut doc, &["tok-123".into(), "sec-456".into()]);
        assert_eq!(
            doc,
            json!({"requests": [{"body": "Bearer ***"}], "***": ["***", 7]})
        );
    }
}
