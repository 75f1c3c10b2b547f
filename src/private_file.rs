//! Files that hold secrets (the endpoints file, the connector's targets
//! file): written owner-readable only (mode 0600), through a temporary
//! file in the same folder and a rename, so a reader never sees half of
//! one and a rewrite never exposes the secrets to others.

use serde::Serialize;
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Writes `value` as pretty JSON to `path`, atomically and owner-only.
pub fn write_json(path: &Path, value: &impl Serialize) -> io::Result<()> {
    // A name of its own per write: two writers never share a temp file.
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let json = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other("not a file path"))?
        .to_string_lossy();
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp)?;
        file.write_all(&json)?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
