//! Each scenario run's own folder under the runs folder (targets file,
//! connector workdir and queue, CA): named by start time and scenario, and
//! claimed atomically, so runs started in the same millisecond (CI shards,
//! `--defect` matrices run side by side in one checkout) never share one.
//! Two connectors sharing a workdir read each other's targets file and
//! queue: one app then saw every request twice.

use std::io;
use std::path::{Path, PathBuf};

/// How many same-named folders a runs folder may hold before giving up: a
/// bound, not an expected number.
const MAX_SUFFIX: u32 = 10_000;

/// Creates `<runs_dir>/<stamp>-<scenario>`, or with `-2`, `-3`… appended
/// when that name is taken, and returns it. `create_dir` either makes the
/// folder or fails, so exactly one caller gets each name.
pub fn claim(runs_dir: &Path, stamp: &str, scenario: &str) -> io::Result<PathBuf> {
    std::fs::create_dir_all(runs_dir)?;
    let base = format!("{stamp}-{scenario}");
    for n in 1..=MAX_SUFFIX {
        let name = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        let dir = runs_dir.join(name);
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "{}: {MAX_SUFFIX} run folders named {base} already",
            runs_dir.display()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn runs_started_in_the_same_millisecond_get_folders_of_their_own() {
        let runs = tempfile::tempdir().unwrap();
        let stamp = "20261130T202028.359";
        let claimed: Vec<PathBuf> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| claim(runs.path(), stamp, "forbidden-token").unwrap()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let distinct: HashSet<&PathBuf> = claimed.iter().collect();
        assert_eq!(distinct.len(), 8, "{claimed:?}");
        assert!(claimed.iter().all(|d| d.is_dir()));
        assert!(
            claimed
                .iter()
                .any(|d| d.ends_with("20261130T202028.359-forbidden-token"))
        );
        assert!(
            claimed
                .iter()
                .any(|d| d.ends_with("20261130T202028.359-forbidden-token-8"))
        );
    }

    #[test]
    fn a_runs_folder_that_cannot_be_made_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-folder");
        std::fs::write(&file, "x").unwrap();
        assert!(claim(&file, "t", "s").is_err());
    }
}
