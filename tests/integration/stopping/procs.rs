//! What scimulate started, from /proc: its descendants and their process
//! groups, recorded before a signal and looked for again after.

use std::collections::BTreeSet;
use std::process::Child;

/// One process as /proc shows it.
#[derive(Debug, Clone)]
pub(super) struct Proc {
    pub pid: i32,
    pub ppid: i32,
    pub pgrp: i32,
    /// R, S, Z, …
    pub state: char,
    pub cmdline: String,
}

pub(super) fn processes() -> Vec<Proc> {
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in dir.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // The command name may hold spaces and parentheses: the fields
        // that matter come after the last ')'.
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
            continue;
        };
        let f: Vec<&str> = rest.split_whitespace().collect();
        let (Some(state), Some(ppid), Some(pgrp)) = (
            f.first().and_then(|s| s.chars().next()),
            f.get(1).and_then(|s| s.parse().ok()),
            f.get(2).and_then(|s| s.parse().ok()),
        ) else {
            continue;
        };
        let cmdline = std::fs::read(entry.path().join("cmdline"))
            .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
            .unwrap_or_default();
        out.push(Proc {
            pid,
            ppid,
            pgrp,
            state,
            cmdline,
        });
    }
    out
}

/// Every live descendant of `root`.
pub(super) fn descendants(root: i32) -> Vec<Proc> {
    let all = processes();
    let mut found: Vec<Proc> = Vec::new();
    let mut parents = vec![root];
    while let Some(parent) = parents.pop() {
        for p in all.iter().filter(|p| p.ppid == parent && p.state != 'Z') {
            parents.push(p.pid);
            found.push(p.clone());
        }
    }
    found
}

/// What scimulate started: the pids and the process groups (other than
/// scimulate's own, which is the test's).
#[derive(Debug, Default)]
pub(super) struct Started {
    pub pids: BTreeSet<i32>,
    pub groups: BTreeSet<i32>,
}

impl Started {
    pub fn record(&mut self, scimulate: &Child) {
        let own = processes()
            .into_iter()
            .find(|p| p.pid == scimulate.id() as i32)
            .map(|p| p.pgrp);
        for p in descendants(scimulate.id() as i32) {
            self.pids.insert(p.pid);
            if Some(p.pgrp) != own {
                self.groups.insert(p.pgrp);
            }
        }
    }

    /// The processes still alive (zombies aside) that scimulate started.
    pub fn alive(&self) -> Vec<Proc> {
        processes()
            .into_iter()
            .filter(|p| p.state != 'Z')
            .filter(|p| self.pids.contains(&p.pid) || self.groups.contains(&p.pgrp))
            .collect()
    }
}
