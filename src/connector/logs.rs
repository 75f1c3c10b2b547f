//! The connector's captured output: the last lines of stdout and stderr,
//! secrets masked, kept for error messages and the report.

use super::secrets::Secrets;
use parking_lot::Mutex;
use std::collections::VecDeque;
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};
use tokio::sync::watch;

/// Lines kept when nothing else is asked for.
pub const DEFAULT_KEPT_LINES: usize = 200;
/// A longer line is cut there: a connector printing megabytes without a
/// newline must not make scimulate hold them.
const MAX_LINE_BYTES: u64 = 8 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub stream: Stream,
    /// Secrets already masked.
    pub text: String,
}

impl std::fmt::Display for LogLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tag = match self.stream {
            Stream::Stdout => "out",
            Stream::Stderr => "err",
        };
        write!(f, "[{tag}] {}", self.text)
    }
}

/// A bounded ring of masked lines, plus a signal raised when a line holds
/// the text readiness waits for.
#[derive(Clone)]
pub struct Logs {
    inner: Arc<Mutex<VecDeque<LogLine>>>,
    capacity: usize,
    secrets: Secrets,
    ready_text: Option<Arc<str>>,
    seen_ready: watch::Sender<bool>,
}

impl Logs {
    pub fn new(capacity: usize, secrets: Secrets, ready_text: Option<String>) -> Self {
        Logs {
            inner: Arc::new(Mutex::new(VecDeque::new())),
            capacity: capacity.max(1),
            secrets,
            ready_text: ready_text.map(Into::into),
            seen_ready: watch::channel(false).0,
        }
    }

    /// The last lines, oldest first.
    pub fn tail(&self) -> Vec<LogLine> {
        self.inner.lock().iter().cloned().collect()
    }

    /// Raised once a line held the readiness text.
    pub(crate) fn ready_seen(&self) -> watch::Receiver<bool> {
        self.seen_ready.subscribe()
    }

    pub(crate) fn push(&self, stream: Stream, raw: &str) {
        let text = self.secrets.mask(raw).into_owned();
        {
            let mut ring = self.inner.lock();
            if ring.len() == self.capacity {
                ring.pop_front();
            }
            ring.push_back(LogLine { stream, text });
        }
        // After the line is stored: whoever wakes on readiness finds it.
        if self.ready_text.as_deref().is_some_and(|t| raw.contains(t)) {
            self.seen_ready.send_replace(true);
        }
    }

    /// Reads `from` line by line until it ends.
    pub(crate) async fn capture(self, stream: Stream, from: impl AsyncRead + Unpin) {
        let mut reader = BufReader::new(from);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match (&mut reader)
                .take(MAX_LINE_BYTES)
                .read_until(b'\n', &mut buf)
                .await
            {
                Ok(0) | Err(_) => return,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&buf);
                    self.push(stream, line.trim_end_matches(['\n', '\r']));
                }
            }
        }
    }
}

/// The lines as an indented block for an error message.
pub fn render_tail(lines: &[LogLine]) -> String {
    if lines.is_empty() {
        return "\n  (no output)".to_owned();
    }
    lines.iter().map(|l| format!("\n  {l}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keeps_the_last_lines_masked_and_spots_the_ready_text() {
        let logs = Logs::new(2, Secrets::new(["s3cret"]), Some("listening".into()));
        let ready = logs.ready_seen();
        let input: &[u8] = b"one\r\ntoken s3cret\nlistening on 1\n";
        logs.clone().capture(Stream::Stderr, input).await;
        let tail: Vec<String> = logs.tail().iter().map(ToString::to_string).collect();
        assert_eq!(tail, ["[err] token ***", "[err] listening on 1"]);
        assert!(*ready.borrow());
    }

    #[tokio::test]
    async fn a_line_without_end_is_cut_not_hoarded() {
        let logs = Logs::new(10, Secrets::default(), None);
        let long = vec![b'x'; 20_000];
        logs.clone().capture(Stream::Stdout, &long[..]).await;
        let tail = logs.tail();
        assert_eq!(tail.len(), 3);
        assert!(tail.iter().all(|l| l.text.len() <= 8192));
    }
}
