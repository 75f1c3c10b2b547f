//! The run folder's two files with credentials in them: `targets.json`,
//! the connector's targets file, and `endpoints.json`, the admin API and
//! every endpoint of the scenario's targets, for watching a scenario while
//! it runs (its journal, metrics and faults). Both are owner-only while
//! the scenario runs and have every secret masked once it is over: the
//! credentials die with the targets, and a run folder is kept to be read
//! and shared.

use crate::report::mask_json;
use crate::serve::Endpoints;
use serde_json::Value;
use std::path::Path;

pub(crate) const ENDPOINTS: &str = "endpoints.json";
pub(crate) const TARGETS: &str = "targets.json";

/// Writes `endpoints.json` into `run_dir` (owner-only).
pub(crate) fn write_endpoints(run_dir: &Path, endpoints: &Endpoints) -> Result<(), String> {
    let path = run_dir.join(ENDPOINTS);
    endpoints
        .write(&path)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Masks every secret in the run folder's credential files, in place; a
/// file that is not there (the connector never started) is skipped.
pub(crate) fn retire(run_dir: &Path, secrets: &[String]) -> Result<(), String> {
    for name in [TARGETS, ENDPOINTS] {
        let path = run_dir.join(name);
        let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(fail(&e)),
        };
        let mut value: Value = serde_json::from_str(&text).map_err(|e| fail(&e))?;
        mask_json(&mut value, secrets);
        crate::private_file::write_json(&path, &value).map_err(|e| fail(&e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retiring_masks_every_secret_and_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(TARGETS),
            r#"{"targets":[{"name":"a","auth":{"type":"bearer","token":"tok-1"}}]}"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join(ENDPOINTS),
            r#"{"admin":{"url":"http://127.0.0.1:1","token":"adm-2"}}"#,
        )
        .unwrap();
        retire(dir.path(), &["tok-1".into(), "adm-2".into()]).unwrap();
        let targets = std::fs::read_to_string(dir.path().join(TARGETS)).unwrap();
        let endpoints = std::fs::read_to_string(dir.path().join(ENDPOINTS)).unwrap();
        assert!(
            !targets.contains("tok-1") && targets.contains("\"name\": \"a\""),
            "{targets}"
        );
        assert!(
            !endpoints.contains("adm-2") && endpoints.contains("127.0.0.1:1"),
            "{endpoints}"
        );
    }

    #[test]
    fn a_folder_without_the_files_is_left_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        retire(dir.path(), &["s".into()]).unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
