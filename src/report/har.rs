//! The HAR report (SPEC §8.2): an HTTP Archive 1.2 file of every request
//! each target received, one page per scenario and target, that a
//! browser's developer tools open.
//!
//! Unlike the other reports it is not made from the run model: the JSON
//! report keeps only the journal entries a verdict rests on, and a mass
//! termination sends tens of thousands of requests. So the runner hands
//! each scenario's journals to a [`HarWriter`] as the scenario ends, and
//! the writer streams them out at once, masked, holding nothing but the
//! pages (a few lines per scenario and target). The entries come before
//! the pages in the file, which JSON allows: the pages are complete only
//! at the end of the run.
//!
//! Secrets: the journal already shows `Authorization` and cookies as
//! `Bearer ***` and secret members of bodies as `***`; answers are masked
//! here as the journal masks them when read; and every token and secret
//! the run handed out is masked in the text as it is written
//! ([`MaskingWriter`]), as in every other report.

use super::mask::MaskingWriter;
use super::spec::Destination;
use crate::mock::journal::{JournalEntry, mask_body};
use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;

/// One target's journal at the end of a scenario.
pub struct TargetJournal<'a> {
    pub name: &'a str,
    /// The URL the connector was given for the target: the origin of
    /// every request's URL.
    pub base_url: &'a str,
    /// Every request the target received, oldest first.
    pub entries: &'a [Arc<JournalEntry>],
    /// Older requests the journal no longer held (it keeps the newest
    /// 200,000).
    pub dropped: u64,
}

/// Where the runner hands each scenario's journals.
pub trait HarSink {
    /// Adds a page per target of `scenario`, with its requests. `secrets`
    /// are those the run has handed out so far.
    fn scenario(
        &mut self,
        scenario: &str,
        started: DateTime<Utc>,
        targets: &[TargetJournal<'_>],
        secrets: &[String],
    );
}

/// Writes a HAR file as the scenarios end. A write error is kept and
/// returned by [`HarWriter::finish`]; nothing more is written after it.
pub struct HarWriter<W: Write> {
    out: W,
    pages: Vec<Value>,
    /// Every secret seen so far: a later page may echo an earlier one.
    secrets: Vec<String>,
    entries: u64,
    error: Option<io::Error>,
}

impl<W: Write> HarWriter<W> {
    /// Starts the file: everything up to the first entry.
    pub fn new(out: W) -> Self {
        let mut w = HarWriter {
            out,
            pages: Vec::new(),
            secrets: Vec::new(),
            entries: 0,
            error: None,
        };
        let creator = json!({"name": "scimulate", "version": env!("CARGO_PKG_VERSION")});
        let head = format!(r#"{{"log":{{"version":"1.2","creator":{creator},"entries":["#);
        w.attempt(|out, _| out.write_all(head.as_bytes()));
        w
    }

    /// How many entries were written.
    pub fn entries(&self) -> u64 {
        self.entries
    }

    /// Runs `write` unless an earlier write failed; keeps its error.
    fn attempt(&mut self, write: impl FnOnce(&mut W, &[String]) -> io::Result<()>) {
        if self.error.is_none()
            && let Err(e) = write(&mut self.out, &self.secrets)
        {
            self.error = Some(e);
        }
    }

    /// Ends the file with the pages and gives the writer back, or the first
    /// error any write met.
    pub fn finish(mut self) -> io::Result<W> {
        let pages = std::mem::take(&mut self.pages);
        self.attempt(|out, secrets| {
            let mut masked = MaskingWriter::new(&mut *out, secrets);
            masked.write_all(b"\n],\"pages\":[")?;
            for (i, page) in pages.iter().enumerate() {
                masked.write_all(if i == 0 { b"\n" } else { b",\n" })?;
                serde_json::to_writer(&mut masked, page)?;
            }
            masked.write_all(b"\n]}}\n")?;
            masked.finish()?;
            out.flush()
        });
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.out),
        }
    }
}

impl<W: Write> HarSink for HarWriter<W> {
    fn scenario(
        &mut self,
        scenario: &str,
        started: DateTime<Utc>,
        targets: &[TargetJournal<'_>],
        secrets: &[String],
    ) {
        for s in secrets {
            if !s.is_empty() && !self.secrets.contains(s) {
                self.secrets.push(s.clone());
            }
        }
        let mut first = self.entries == 0;
        let mut written = 0;
        let first_page = self.pages.len();
        for (i, t) in targets.iter().enumerate() {
            let id = format!("page_{}", first_page + i + 1);
            let mut page = json!({
                "startedDateTime": iso(started),
                "id": id,
                "title": format!("{scenario} / {}", t.name),
                "pageTimings": {},
            });
            if t.dropped > 0 {
                page["comment"] = Value::String(format!(
                    "the target's journal kept its newest {} requests; {} older ones are not here",
                    t.entries.len(),
                    t.dropped
                ));
            }
            self.pages.push(page);
            let origin = origin(t.base_url);
            self.attempt(|out, secrets| {
                let mut masked = MaskingWriter::new(&mut *out, secrets);
                for e in t.entries {
                    masked.write_all(if first { b"\n" } else { b",\n" })?;
                    first = false;
                    serde_json::to_writer(&mut masked, &entry(e, &id, origin))?;
                    written += 1;
                }
                masked.finish().map(drop)
            });
        }
        self.entries += written;
    }
}

/// Where a run's HAR file goes as it is written: standard output, or a
/// temporary file beside PATH that [`HarOutput::commit`] renames over it,
/// so nobody reads half a HAR file.
pub struct HarOutput {
    inner: BufWriter<Box<dyn Write + Send>>,
    /// (temporary file, PATH)
    rename: Option<(PathBuf, PathBuf)>,
}

impl HarOutput {
    pub fn open(destination: &Destination) -> io::Result<HarOutput> {
        let (inner, rename): (Box<dyn Write + Send>, _) = match destination {
            Destination::Stdout => (Box::new(io::stdout()), None),
            Destination::File(path) => {
                let tmp = super::write::temporary_beside(path)?;
                (Box::new(File::create(&tmp)?), Some((tmp, path.clone())))
            }
        };
        Ok(HarOutput {
            inner: BufWriter::with_capacity(256 * 1024, inner),
            rename,
        })
    }

    /// Flushes, and puts the file in its place.
    pub fn commit(mut self) -> io::Result<()> {
        self.inner.flush()?;
        let Some((tmp, path)) = self.rename.take() else {
            return Ok(());
        };
        let result = std::fs::rename(&tmp, &path);
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }
}

impl Drop for HarOutput {
    /// A file never committed (the run failed to write it) is removed.
    fn drop(&mut self) {
        if let Some((tmp, _)) = &self.rename {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

impl Write for HarOutput {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `http://127.0.0.1:4000` of `http://127.0.0.1:4000/scim/v2`.
fn origin(base_url: &str) -> &str {
    let after_scheme = base_url.find("://").map_or(0, |i| i + 3);
    match base_url[after_scheme..].find('/') {
        Some(i) => &base_url[..after_scheme + i],
        None => base_url,
    }
}

fn header(name: &str, value: &str) -> Value {
    json!({"name": name, "value": value})
}

/// One request and its answer as a HAR entry.
fn entry(e: &JournalEntry, page: &str, origin: &str) -> Value {
    let query = e.query.as_deref().unwrap_or("");
    let url = if query.is_empty() {
        format!("{origin}{}", e.path)
    } else {
        format!("{origin}{}?{query}", e.path)
    };
    let version = format!("{:?}", e.version);
    let headers: Vec<(&str, &str)> = e
        .headers
        .lines()
        .filter_map(|l| l.split_once(": "))
        .collect();
    let mut request = json!({
        "method": e.method.as_str(),
        "url": url,
        "httpVersion": version,
        "cookies": [],
        "headers": headers.iter().map(|(n, v)| header(n, v)).collect::<Vec<_>>(),
        "queryString": form_urlencoded::parse(query.as_bytes())
            .map(|(n, v)| header(&n, &v))
            .collect::<Vec<_>>(),
        "headersSize": -1,
        "bodySize": e.body.len(),
    });
    if !e.body.is_empty() {
        let mime = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            .map_or("", |(_, v)| v);
        request["postData"] = json!({
            "mimeType": mime,
            "text": String::from_utf8_lossy(&e.body),
        });
    }
    let latency = (e.latency_ms * 1000.0).round() / 1000.0;
    let mut entry = json!({
        "pageref": page,
        "startedDateTime": iso(e.time),
        "time": latency,
        "request": request,
        "response": response(e, &version),
        "cache": {},
        "timings": {"send": 0, "wait": latency, "receive": 0},
        "_seq": e.seq,
    });
    if let Some(op) = e.operation {
        entry["_operation"] = json!(op);
    }
    if let Some(fault) = &e.fault {
        entry["_fault"] = json!(fault);
        entry["comment"] = json!(format!("shaped by the fault {fault}"));
    }
    entry
}

fn response(e: &JournalEntry, version: &str) -> Value {
    if e.status == 0 {
        // Never answered: HAR's way is status 0 and no content.
        let why = match e.fault.as_deref() {
            Some("connection_drop") => {
                "no answer: the target reset the connection (fault connection_drop)".to_owned()
            }
            Some("timeout") => {
                "no answer: the target held the request until the client gave up (fault timeout)"
                    .to_owned()
            }
            Some(other) => format!("no answer (fault {other})"),
            None => "no answer".to_owned(),
        };
        return json!({
            "status": 0,
            "statusText": "",
            "httpVersion": version,
            "cookies": [],
            "headers": [],
            "content": {"size": 0, "mimeType": ""},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
            "comment": why,
        });
    }
    let body = mask_body(e.response_body.clone());
    let mime = e
        .response_content_type
        .as_ref()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    let mut headers = Vec::new();
    if !mime.is_empty() {
        headers.push(header("content-type", &mime));
    }
    if let Some(r) = &e.retry_after {
        headers.push(header("retry-after", r));
    }
    let mut content = json!({"size": body.len(), "mimeType": mime});
    if !body.is_empty() {
        match std::str::from_utf8(&body) {
            Ok(text) => content["text"] = json!(text),
            Err(_) => {
                content["text"] = json!(base64::engine::general_purpose::STANDARD.encode(&body));
                content["encoding"] = json!("base64");
            }
        }
    }
    let reason = axum::http::StatusCode::from_u16(e.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    json!({
        "status": e.status,
        "statusText": reason,
        "httpVersion": version,
        "cookies": [],
        "headers": headers,
        "content": content,
        "redirectURL": "",
        "headersSize": -1,
        "bodySize": body.len(),
    })
}

#[cfg(test)]
mod tests;
