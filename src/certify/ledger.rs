//! What certify created, and the rule that it deletes only that, once.
//!
//! Every created resource goes to memory and, with `--ledger FILE`, to a
//! JSON-lines file that is appended and fsynced before the next request, so
//! `certify --cleanup --ledger FILE` can finish the job after a SIGKILL.
//! Each create is announced first (`intended`, with the run's unique name):
//! a kill between the server creating it and the answer being recorded
//! leaves an intent that cleanup resolves by that name.

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};

/// One ledger line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// `intended` (before the request), `created` or `deleted`.
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
    /// A DELETE was answered with success or 404 (or the ledger says so).
    pub deleted: bool,
    /// A DELETE is under way: a second one is refused. Released when the
    /// DELETE fails, and by cleanup (a cancelled run abandons its claims).
    pub claimed: bool,
}

#[derive(Debug, Default)]
pub struct Ledger {
    file: Option<(PathBuf, Mutex<File>)>,
    owned: Mutex<Vec<Owned>>,
    /// Announced creates no `created` line confirms yet: (endpoint, name).
    unconfirmed: Mutex<Vec<(String, String)>>,
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
            unconfirmed: Mutex::new(Vec::new()),
        })
    }

    /// Loads a ledger file for `--cleanup`: the resources created and not
    /// yet deleted, oldest first.
    pub fn load(path: &Path) -> io::Result<Ledger> {
        let f = File::open(path)?;
        let mut owned: Vec<Owned> = Vec::new();
        let mut intents: Vec<(String, String)> = Vec::new();
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
                "intended" => intents.push((e.endpoint, e.name)),
                "created" => owned.push(Owned {
                    endpoint: e.endpoint,
                    id: e.id,
                    name: e.name,
                    deleted: false,
                    claimed: false,
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
        intents.retain(|(endpoint, name)| {
            !owned
                .iter()
                .any(|o| &o.endpoint == endpoint && &o.name == name)
        });
        intents.dedup();
        let mut ledger = Ledger::open(path)?;
        ledger.owned = Mutex::new(owned);
        ledger.unconfirmed = Mutex::new(intents);
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

    /// Announces a create before it is sent: `name` is unique to this run,
    /// so cleanup can find the resource even if its answer is never seen.
    pub fn intend(&self, endpoint: &str, name: &str) -> io::Result<()> {
        self.unconfirmed
            .lock()
            .push((endpoint.to_owned(), name.to_owned()));
        self.append(&Entry {
            event: "intended".into(),
            endpoint: endpoint.into(),
            id: String::new(),
            name: name.into(),
        })
    }

    /// The answer to an announced create arrived: a success was recorded
    /// with `created`, anything else created nothing.
    pub fn answered(&self, endpoint: &str, name: &str) {
        self.unconfirmed
            .lock()
            .retain(|(e, n)| !(e == endpoint && n == name));
    }

    /// Announced creates that no `created` record confirms (their answer
    /// was never seen): (endpoint, name).
    pub fn unconfirmed(&self) -> Vec<(String, String)> {
        self.unconfirmed.lock().clone()
    }

    /// Records a resource certify created (before any further request).
    pub fn created(&self, endpoint: &str, id: &str, name: &str) -> io::Result<()> {
        self.unconfirmed
            .lock()
            .retain(|(e, n)| !(e == endpoint && n == name));
        self.owned.lock().push(Owned {
            endpoint: endpoint.into(),
            id: id.into(),
            name: name.into(),
            deleted: false,
            claimed: false,
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
            .find(|o| o.endpoint == endpoint && o.id == id && !o.deleted && !o.claimed)
        {
            Some(o) => {
                o.claimed = true;
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
            .find(|o| o.endpoint == endpoint && o.id == id && o.claimed && !o.deleted)
        {
            o.claimed = false;
        }
    }

    /// Releases every claim of a DELETE that never completed: called by
    /// cleanup once no check runs any more.
    pub fn release_claims(&self) {
        for o in self.owned.lock().iter_mut().filter(|o| !o.deleted) {
            o.claimed = false;
        }
    }

    /// Records a completed delete.
    pub fn deleted(&self, endpoint: &str, id: &str) -> io::Result<()> {
        let name = {
            let mut owned = self.owned.lock();
            let found = owned
                .iter_mut()
                .find(|o| o.endpoint == endpoint && o.id == id);
            match found {
                Some(o) => {
                    o.deleted = true;
                    o.name.clone()
                }
                None => String::new(),
            }
        };
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
    fn intents_without_a_created_line_are_unconfirmed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.jsonl");
        {
            let l = Ledger::open(&path).unwrap();
            l.intend("Users", "a").unwrap();
            l.created("Users", "1", "a").unwrap();
            l.intend("Groups", "g").unwrap();
        }
        let l = Ledger::load(&path).unwrap();
        assert_eq!(l.unconfirmed(), [("Groups".to_owned(), "g".to_owned())]);
    }

    #[test]
    fn a_resource_is_deleted_once_and_only_if_owned() {
        let l = Ledger::in_memory();
        l.created("Users", "1", "scimulate-cert-x-1").unwrap();
        assert!(!l.claim_delete("Users", "2"));
        assert!(l.claim_delete("Users", "1"));
        assert!(!l.claim_delete("Users", "1"));
        // Claimed is not deleted: until the DELETE is answered, cleanup
        // still owes it.
        assert_eq!(l.pending().len(), 1);
        // A DELETE that failed gives the claim back.
        l.unclaim("Users", "1");
        assert!(l.claim_delete("Users", "1"));
        // A cancelled run abandons its claim; cleanup releases it.
        l.release_claims();
        assert!(l.claim_delete("Users", "1"));
        l.deleted("Users", "1").unwrap();
        assert!(l.pending().is_empty());
        assert!(!l.claim_delete("Users", "1"), "deleted once only");
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
