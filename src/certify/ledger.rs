//! What certify created, and the rule that it deletes only that, once.
//!
//! Every created resource goes to memory and, with `--ledger FILE`, to a
//! JSON-lines file that is appended and fsynced before the next request, so
//! `certify --cleanup --ledger FILE` can finish the job after a SIGKILL.

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};

/// One ledger line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// `created` or `deleted`.
    pub event: String,
    /// `Users` or `Groups`.
    pub endpoint: String,
    pub id: String,
    /// The userName or displayName, which carries the run's prefix.
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owned {
    pub endpoint: String,
    pub id: String,
    pub name: String,
    pub deleted: bool,
}

#[derive(Debug, Default)]
pub struct Ledger {
    file: Option<(PathBuf, Mutex<File>)>,
    owned: Mutex<Vec<Owned>>,
}

impl Ledger {
    pub fn in_memory() -> Ledger {
        Ledger::default()
    }

    /// Appends to `path` (created if absent, owner-only).
    pub fn open(path: &Path) -> io::Result<Ledger> {
        let mut opts = OpenOptions::new();
        opts.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let f = opts.open(path)?;
        Ok(Ledger {
            file: Some((path.to_owned(), Mutex::new(f))),
            owned: Mutex::new(Vec::new()),
        })
    }

    /// Loads a ledger file for `--cleanup`: the resources created and not
    /// yet deleted, oldest first.
    pub fn load(path: &Path) -> io::Result<Ledger> {
        let f = File::open(path)?;
        let mut owned: Vec<Owned> = Vec::new();
        for (n, line) in io::BufReader::new(f).lines().enumerate() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            // A torn last line (killed mid-write) is skipped, not fatal.
            let Ok(e) = serde_json::from_str::<Entry>(&line) else {
                eprintln!(
                    "ledger {}: line {} is not an entry; skipped",
                    path.display(),
                    n + 1
                );
                continue;
            };
            match e.event.as_str() {
                "created" => owned.push(Owned {
                    endpoint: e.endpoint,
                    id: e.id,
                    name: e.name,
                    deleted: false,
                }),
                "deleted" => {
                    if let Some(o) = owned
                        .iter_mut()
                        .find(|o| o.endpoint == e.endpoint && o.id == e.id)
                    {
                        o.deleted = true;
                    }
                }
                _ => {}
            }
        }
        let mut ledger = Ledger::open(path)?;
        ledger.owned = Mutex::new(owned);
        Ok(ledger)
    }

    fn append(&self, e: &Entry) -> io::Result<()> {
        if let Some((_, f)) = &self.file {
            let mut line = serde_json::to_string(e).map_err(io::Error::other)?;
            line.push('\n');
            let mut f = f.lock();
            f.write_all(line.as_bytes())?;
            f.sync_data()?;
        }
        Ok(())
    }

    /// Records a resource certify created (before any further request).
    pub fn created(&self, endpoint: &str, id: &str, name: &str) -> io::Result<()> {
        self.owned.lock().push(Owned {
            endpoint: endpoint.into(),
            id: id.into(),
            name: name.into(),
            deleted: false,
        });
        self.append(&Entry {
            event: "created".into(),
            endpoint: endpoint.into(),
            id: id.into(),
            name: name.into(),
        })
    }

    /// Claims the right to delete: true once for a resource certify
    /// created, false for anything else or a second time.
    pub fn claim_delete(&self, endpoint: &str, id: &str) -> bool {
        let mut owned = self.owned.lock();
        match owned
            .iter_mut()
            .find(|o| o.endpoint == endpoint && o.id == id && !o.deleted)
        {
            Some(o) => {
                o.deleted = true;
                true
            }
            None => false,
        }
    }

    /// Gives a claim back after a DELETE that did not happen (an error
    /// answer), so cleanup tries again at the end.
    pub fn unclaim(&self, endpoint: &str, id: &str) {
        if let Some(o) = self
            .owned
            .lock()
            .iter_mut()
            .find(|o| o.endpoint == endpoint && o.id == id && o.deleted)
        {
            o.deleted = false;
        }
    }

    /// Records a completed delete.
    pub fn deleted(&self, endpoint: &str, id: &str) -> io::Result<()> {
        let name = self
            .owned
            .lock()
            .iter()
            .find(|o| o.endpoint == endpoint && o.id == id)
            .map(|o| o.name.clone())
            .unwrap_or_default();
        self.append(&Entry {
            event: "deleted".into(),
            endpoint: endpoint.into(),
            id: id.into(),
            name,
        })
    }

    /// Whether certify created this resource.
    pub fn owns(&self, endpoint: &str, id: &str) -> bool {
        self.owned
            .lock()
            .iter()
            .any(|o| o.endpoint == endpoint && o.id == id)
    }

    /// What is still to delete; groups first, so members are never left
    /// referenced by a group that outlives them.
    pub fn pending(&self) -> Vec<Owned> {
        let mut v: Vec<Owned> = self
            .owned
            .lock()
            .iter()
            .filter(|o| !o.deleted)
            .cloned()
            .collect();
        v.sort_by_key(|o| o.endpoint != "Groups");
        v
    }

    pub fn created_count(&self) -> usize {
        self.owned.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resource_is_deleted_once_and_only_if_owned() {
        let l = Ledger::in_memory();
        l.created("Users", "1", "scimulate-cert-x-1").unwrap();
        assert!(!l.claim_delete("Users", "2"));
        assert!(l.claim_delete("Users", "1"));
        assert!(!l.claim_delete("Users", "1"));
        assert!(l.pending().is_empty());
        // A DELETE that failed goes back to cleanup.
        l.unclaim("Users", "1");
        assert_eq!(l.pending().len(), 1);
    }

    #[test]
    fn the_file_survives_and_reloads_without_deleted_entries() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ledger.jsonl");
        {
            let l = Ledger::open(&p).unwrap();
            l.created("Users", "1", "a").unwrap();
            l.created("Groups", "2", "g").unwrap();
            l.created("Users", "3", "b").unwrap();
            assert!(l.claim_delete("Users", "3"));
            l.deleted("Users", "3").unwrap();
        }
        // A torn line from a kill mid-write.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&p)
            .unwrap()
            .write_all(b"{\"event\":\"crea")
            .unwrap();
        let l = Ledger::load(&p).unwrap();
        let pending: Vec<_> = l.pending().into_iter().map(|o| o.id).collect();
        assert_eq!(pending, vec!["2", "1"]);
    }
}
