//! `scimulate check [PATHS...]`: validate files without running anything.
//!
//! Each file's kind comes from a top-level `kind:` key, or else from the
//! folder it sits in (SPEC §1): profiles (`mock-targets/`), scenarios
//! (`scenarios/`), game days (`gamedays/`, such as `scenarios/gamedays/`)
//! and connector files (`connectors/`).

use super::CliError;
use crate::located::{Located, Place};
use crate::mock::profile::Profile;
use crate::scenario;
use std::path::{Path, PathBuf};

/// What kind of scimulate file a path holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    Profile,
    Scenario,
    GameDay,
    Connector,
}

/// Checks every file (folders are expanded to their `*.yaml`/`*.yml`
/// files). Returns one line per valid file; the first error found ends
/// the check after every file has been read, so one run lists them all.
pub fn run(paths: &[PathBuf], out: &mut dyn std::io::Write) -> Result<(), CliError> {
    let defaults = [
        PathBuf::from("mock-targets"),
        PathBuf::from("scenarios"),
        PathBuf::from("scenarios/gamedays"),
    ];
    let paths = if paths.is_empty() {
        &defaults[..]
    } else {
        paths
    };
    let mut files = Vec::new();
    for p in paths {
        // A default folder that is not there is not an error.
        if paths == defaults && !p.exists() {
            continue;
        }
        expand(p, &mut files)?;
    }
    let mut errors = Vec::new();
    for file in &files {
        match check_file(file) {
            Ok(kind) => {
                let _ = writeln!(out, "ok: {} ({})", file.display(), kind_name(kind));
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(CliError::BadInput(errors.join("\n")))
    }
}

fn kind_name(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Profile => "profile",
        FileKind::Scenario => "scenario",
        FileKind::GameDay => "game day",
        FileKind::Connector => "connector",
    }
}

/// A file, or a folder's `*.yaml`/`*.yml` files in name order.
pub(crate) fn expand(path: &Path, files: &mut Vec<PathBuf>) -> Result<(), CliError> {
    if path.is_dir() {
        let entries = std::fs::read_dir(path).map_err(|e| {
            CliError::BadInput(format!("{}: cannot read folder: {e}", path.display()))
        })?;
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
            .collect();
        found.sort();
        files.extend(found);
        Ok(())
    } else if path.is_file() {
        files.push(path.to_owned());
        Ok(())
    } else {
        Err(CliError::BadInput(format!(
            "{}: no such file or folder",
            path.display()
        )))
    }
}

/// Why a file did not pass.
#[derive(Debug, thiserror::Error)]
enum FileError {
    /// Read before its kind is known, so the message names none.
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Invalid(#[from] Located),
}

/// Reads, recognises and loads one file.
fn check_file(path: &Path) -> Result<FileKind, FileError> {
    let text = std::fs::read_to_string(path).map_err(|source| FileError::Read {
        path: path.to_owned(),
        source,
    })?;
    let origin = path.display().to_string();
    let kind = detect_kind(&origin, path, &text)?;
    match kind {
        FileKind::Profile => Profile::from_yaml(&text, &origin).map(|_| ()),
        FileKind::Scenario => scenario::from_yaml(&text, path).map(|_| ()),
        FileKind::GameDay => scenario::gameday::gameday_from_yaml(&text, path).map(|_| ()),
        FileKind::Connector => crate::connector::from_yaml(&text, &origin).map(|_| ()),
    }?;
    Ok(kind)
}

/// A top-level `kind:` key wins; otherwise the parent folder's name.
fn detect_kind(origin: &str, path: &Path, text: &str) -> Result<FileKind, Located> {
    let declared = text.lines().enumerate().find_map(|(i, l)| {
        l.strip_prefix("kind:")
            .map(|k| (i as u64 + 1, k.trim().trim_matches(['"', '\''])))
    });
    let by_folder = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str());
    match (declared, by_folder) {
        (Some((_, "profile")), _) | (None, Some("mock-targets")) => Ok(FileKind::Profile),
        (Some((_, "scenario")), _) | (None, Some("scenarios")) => Ok(FileKind::Scenario),
        (Some((_, "gameday")), _) | (None, Some("gamedays")) => Ok(FileKind::GameDay),
        (Some((_, "connector")), _) | (None, Some("connectors")) => Ok(FileKind::Connector),
        // Column 7: the value, after `kind: `.
        (Some((line, other)), _) => Err(Located::new(
            origin,
            format!("unknown kind '{other}': expected profile, scenario, gameday or connector"),
        )
        .at(Place { line, column: 7 })),
        (None, _) => Err(Located::new(
            origin,
            "cannot tell what kind of file this is: expected a top-level `kind:` key (profile, scenario, gameday, connector) or a file under mock-targets/, scenarios/, gamedays/ or connectors/",
        )),
    }
}
