//! A raw HTTP/1.1 client: the request goes out byte for byte as generated
//! (so a malformed request line or header reaches the server as it is),
//! and the answer is read off the socket and parsed here.

use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// How long one exchange may take before it counts as a hang.
pub const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(15);
/// The longest answer head accepted from the target.
const MAX_HEAD: usize = 64 * 1024;

/// An answer as it came off the wire.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    /// Names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The server said it closes the connection (or HTTP/1.0 without
    /// keep-alive): the next request needs a new one.
    pub closes: bool,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One connection to a target, reused while the server keeps it open.
pub struct Connection {
    reader: BufReader<OwnedReadHalf>,
    writer: Option<OwnedWriteHalf>,
}

impl Connection {
    pub async fn open(addr: std::net::SocketAddr) -> std::io::Result<Connection> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (read, write) = stream.into_split();
        Ok(Connection {
            reader: BufReader::new(read),
            writer: Some(write),
        })
    }

    /// Sends `request` and reads the answer to it. The request is written
    /// by a task of its own while the answer is read, so a server that
    /// answers before reading a large body (413) is heard, not deadlocked.
    pub async fn exchange(&mut self, request: &[u8], head: bool) -> Result<Answer, String> {
        let mut writer = self.writer.take().ok_or("connection already used up")?;
        let bytes = request.to_vec();
        let sending = tokio::spawn(async move {
            let sent = writer.write_all(&bytes).await;
            let _ = writer.flush().await;
            (writer, sent)
        });
        let answer = read_answer(&mut self.reader, head).await;
        match sending.await {
            Ok((writer, Ok(()))) => self.writer = Some(writer),
            // The server stopped reading (it answered early and closes):
            // only a failure when no answer came either.
            Ok((_, Err(e))) if answer.is_err() => {
                return Err(format!(
                    "{}; writing the request failed: {e}",
                    answer.unwrap_err()
                ));
            }
            Ok((_, Err(_))) => {}
            Err(e) => return Err(format!("the writing task failed: {e}")),
        }
        answer
    }
}

/// Reads one final answer (1xx interim answers skipped).
async fn read_answer(reader: &mut BufReader<OwnedReadHalf>, head: bool) -> Result<Answer, String> {
    loop {
        let (status, version_10, headers) = read_head(reader).await?;
        if (100..200).contains(&status) {
            continue;
        }
        let get = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let connection = get("connection").unwrap_or("").to_ascii_lowercase();
        let closes =
            connection.contains("close") || (version_10 && !connection.contains("keep-alive"));
        let body = if head || status == 204 || status == 304 {
            Vec::new()
        } else if get("transfer-encoding")
            .is_some_and(|t| t.to_ascii_lowercase().contains("chunked"))
        {
            read_chunked(reader).await?
        } else if let Some(length) = get("content-length") {
            let length: usize = length
                .trim()
                .parse()
                .map_err(|_| format!("the answer's Content-Length {length:?} is not a number"))?;
            let mut body = vec![0; length];
            reader
                .read_exact(&mut body)
                .await
                .map_err(|e| format!("the answer's body ended early: {e}"))?;
            body
        } else {
            let mut body = Vec::new();
            reader
                .read_to_end(&mut body)
                .await
                .map_err(|e| format!("reading the answer's body to its end: {e}"))?;
            body
        };
        return Ok(Answer {
            status,
            headers,
            body,
            closes,
        });
    }
}

type Head = (u16, bool, Vec<(String, String)>);

async fn read_head(reader: &mut BufReader<OwnedReadHalf>) -> Result<Head, String> {
    let mut lines = Vec::new();
    let mut size = 0;
    loop {
        let mut line = Vec::new();
        let n = reader
            .read_until(b'\n', &mut line)
            .await
            .map_err(|e| format!("reading the answer: {e}"))?;
        if n == 0 {
            return Err(if lines.is_empty() {
                "the connection closed without an answer".to_owned()
            } else {
                "the connection closed inside the answer's head".to_owned()
            });
        }
        size += n;
        if size > MAX_HEAD {
            return Err(format!("the answer's head exceeds {MAX_HEAD} bytes"));
        }
        let line =
            String::from_utf8(line).map_err(|_| "the answer's head is not UTF-8".to_owned())?;
        let line = line.trim_end_matches(['\r', '\n']).to_owned();
        if line.is_empty() {
            break;
        }
        lines.push(line);
    }
    let status_line = &lines[0];
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    if !version.starts_with("HTTP/1.") {
        return Err(format!("not an HTTP/1 status line: {status_line:?}"));
    }
    let status = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no status code in {status_line:?}"))?;
    let mut headers = Vec::new();
    for line in &lines[1..] {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("an answer header without ':': {line:?}"))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    Ok((status, version == "HTTP/1.0", headers))
}

async fn read_chunked(reader: &mut BufReader<OwnedReadHalf>) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let mut size_line = String::new();
        reader
            .read_line(&mut size_line)
            .await
            .map_err(|e| format!("reading a chunk size: {e}"))?;
        let hex = size_line.trim().split(';').next().unwrap_or("");
        let size = usize::from_str_radix(hex, 16)
            .map_err(|_| format!("a bad chunk size line {size_line:?}"))?;
        if size == 0 {
            // Trailers, up to the empty line.
            loop {
                let mut line = String::new();
                let n = reader
                    .read_line(&mut line)
                    .await
                    .map_err(|e| format!("reading trailers: {e}"))?;
                if n == 0 || line.trim().is_empty() {
                    return Ok(body);
                }
            }
        }
        let start = body.len();
        body.resize(start + size + 2, 0);
        reader
            .read_exact(&mut body[start..])
            .await
            .map_err(|e| format!("a chunk ended early: {e}"))?;
        body.truncate(start + size);
    }
}
