//! Reading a JSON report back (`--baseline`, `scimulate report`): the spec
//! marker first, so a JSON file of another kind gets that plain answer
//! rather than a complaint about some missing field; then the shape, with
//! the line and column where it went wrong.

use super::model::{REPORT_SPEC, ReportKind, RunReport};

/// Parses a JSON report; `origin` names the file in errors, which say what
/// was found and what was expected.
pub fn parse(text: &str, origin: &str) -> Result<RunReport, String> {
    let invalid = |what: String| format!("{origin}: {what}");
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        invalid(format!(
            "line {} column {}: not JSON: {}; expected a scimulate JSON report (--report json)",
            e.line(),
            e.column(),
            without_place(&e)
        ))
    })?;
    match value.get("spec").and_then(|s| s.as_str()) {
        Some(REPORT_SPEC) => {}
        found => {
            return Err(invalid(format!(
                "expected a scimulate JSON report with \"spec\": \"{REPORT_SPEC}\", found {}",
                found.map_or_else(|| "no spec".to_owned(), |s| format!("\"{s}\""))
            )));
        }
    }
    serde_json::from_str(text).map_err(|e| {
        invalid(format!(
            "line {} column {}: {}: expected the shape of a scimulate JSON report (see `scimulate schema report`)",
            e.line(),
            e.column(),
            without_place(&e)
        ))
    })
}

/// serde_json's message without its own " at line L column C", which
/// the caller puts first.
fn without_place(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_owned()
}

pub(crate) fn kind_name(kind: ReportKind) -> &'static str {
    match kind {
        ReportKind::Run => "run",
        ReportKind::Certify => "certify",
    }
}
