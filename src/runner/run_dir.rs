//! Each scenario run's own folder under the runs folder (targets file,
//! connector workdir and queue, CA): named by start time and scenario, and
//! claimed atomically, so runs started in the same millisecond (CI shards,
//! `--defect` matrices run side by side in one checkout) never share one.
//! Two connectors sharing a workdir read each other's targets file and
//! queue: one app then saw every request twice.

//!
//! A claimed folder is held in use for as long as its [`RunDir`] lives: an
//! exclusive lock on its `.in-use` file. [`prune`], at the start of a run,
//! removes run folders older than the newest N (`--keep-runs`) and never
//! one that another run holds.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The file each run folder's lock is taken on.
const IN_USE: &str = ".in-use";

/// A folder without a lock file this young may be one a run has just
/// made and not yet locked: left alone.
const UNLOCKED_GRACE: Duration = Duration::from_secs(600);

/// A claimed run folder, in use until dropped.
#[derive(Debug)]
pub struct RunDir {
    path: PathBuf,
    _lock: File,
}

impl std::ops::Deref for RunDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for RunDir {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

/// How many same-named folders a runs folder may hold before giving up: a
/// bound, not an expected number.
const MAX_SUFFIX: u32 = 10_000;

/// Creates `<runs_dir>/<stamp>-<scenario>`, or with `-2`, `-3`… appended
/// when that name is taken, and returns it. `create_dir` either makes the
/// folder or fails, so exactly one caller gets each name.
pub fn claim(runs_dir: &Path, stamp: &str, scenario: &str) -> io::Result<RunDir> {
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
            Ok(()) => {
                let lock = File::create(dir.join(IN_USE))?;
                lock.lock()?;
                return Ok(RunDir {
                    path: dir,
                    _lock: lock,
                });
            }
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

/// What [`prune`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    pub removed: usize,
    /// Older than the newest `keep`, but held by a run still going.
    pub in_use: usize,
}

/// Removes the run folders of `runs_dir` older than its newest `keep`
/// (their names start with their start time, so name order is age order).
/// A folder a live run holds is skipped, and so is anything not named like
/// a run folder. A missing runs folder has nothing to prune.
pub fn prune(runs_dir: &Path, keep: usize) -> io::Result<Pruned> {
    let entries = match std::fs::read_dir(runs_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Pruned::default()),
        Err(e) => return Err(e),
    };
    let mut folders: Vec<(String, PathBuf)> = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type()?.is_dir() && is_run_folder(&name) {
            folders.push((name, entry.path()));
        }
    }
    folders.sort_by(|a, b| b.0.cmp(&a.0));
    let mut pruned = Pruned::default();
    for (_, dir) in folders.into_iter().skip(keep) {
        if held(&dir)? {
            pruned.in_use += 1;
            continue;
        }
        std::fs::remove_dir_all(&dir)?;
        pruned.removed += 1;
    }
    Ok(pruned)
}

/// Whether a live run holds `dir`: its lock is taken, or it has no lock
/// file yet and is young enough to be one a run is still setting up.
fn held(dir: &Path) -> io::Result<bool> {
    match File::open(dir.join(IN_USE)) {
        Ok(file) => match file.try_lock() {
            Ok(()) => Ok(false),
            Err(std::fs::TryLockError::WouldBlock) => Ok(true),
            Err(std::fs::TryLockError::Error(e)) => Err(e),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let modified = std::fs::metadata(dir)?.modified()?;
            let age = SystemTime::now()
                .duration_since(modified)
                .unwrap_or_default();
            Ok(age < UNLOCKED_GRACE)
        }
        Err(e) => Err(e),
    }
}

/// `20261130T202028.359-<scenario>`: eight digits, `T`, six digits, a
/// dot, three digits, a dash.
fn is_run_folder(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() > 20
        && b[..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'T'
        && b[9..15].iter().all(u8::is_ascii_digit)
        && b[15] == b'.'
        && b[16..19].iter().all(u8::is_ascii_digit)
        && b[19] == b'-'
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn runs_started_in_the_same_millisecond_get_folders_of_their_own() {
        let runs = tempfile::tempdir().unwrap();
        let stamp = "20261130T202028.359";
        let claimed: Vec<RunDir> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| claim(runs.path(), stamp, "forbidden-token").unwrap()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let distinct: HashSet<&Path> = claimed.iter().map(|d| &**d).collect();
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

    /// An old folder as a run of an earlier version left it: no lock file,
    /// last changed an hour ago.
    fn old_folder(runs: &Path, name: &str) -> PathBuf {
        let dir = runs.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("targets.json"), "{}").unwrap();
        let hour_ago = SystemTime::now() - Duration::from_secs(3600);
        File::open(&dir).unwrap().set_modified(hour_ago).unwrap();
        dir
    }

    #[test]
    fn pruning_keeps_the_newest_and_what_is_in_use_and_what_is_not_a_run() {
        let runs = tempfile::tempdir().unwrap();
        let names = [
            "20261101T000000.000-a",
            "20261102T000000.000-b",
            "20261103T000000.000-c",
            "20261104T000000.000-d",
        ];
        for n in names {
            old_folder(runs.path(), n);
        }
        // The oldest is held by a run still going; it stays.
        let live = claim(runs.path(), "20261001T000000.000", "live").unwrap();
        std::fs::create_dir(runs.path().join("notes")).unwrap();
        std::fs::write(runs.path().join("20260101T000000.000-file"), "x").unwrap();

        let pruned = prune(runs.path(), 2).unwrap();
        assert_eq!(
            pruned,
            Pruned {
                removed: 2,
                in_use: 1
            }
        );
        let mut left: Vec<String> = std::fs::read_dir(runs.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "20260101T000000.000-file",
                "20261001T000000.000-live",
                "20261103T000000.000-c",
                "20261104T000000.000-d",
                "notes"
            ]
        );
        // Once its run ends, the folder is old like any other.
        drop(live);
        assert_eq!(
            prune(runs.path(), 2).unwrap(),
            Pruned {
                removed: 1,
                in_use: 0
            }
        );
        assert_eq!(
            prune(runs.path(), 0).unwrap(),
            Pruned {
                removed: 2,
                in_use: 0
            }
        );
    }

    #[test]
    fn a_folder_just_made_and_not_yet_locked_is_left_alone() {
        let runs = tempfile::tempdir().unwrap();
        std::fs::create_dir(runs.path().join("20261101T000000.000-new")).unwrap();
        assert_eq!(
            prune(runs.path(), 0).unwrap(),
            Pruned {
                removed: 0,
                in_use: 1
            }
        );
    }

    #[test]
    fn no_runs_folder_is_nothing_to_prune() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            prune(&dir.path().join("none"), 3).unwrap(),
            Pruned::default()
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
