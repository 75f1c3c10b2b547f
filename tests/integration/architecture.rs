//! ARCHITECTURE.md's layer table is the rule for imports in `src/`: a part
//! imports only parts on lower floors, never a sibling on its own floor,
//! never one above. This test reads the table from the document and every
//! `crate::PART` path from the code, so the two cannot drift apart.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Part name -> floor, from the `## Layers` table of ARCHITECTURE.md.
fn floors(doc: &str) -> BTreeMap<String, u32> {
    let section = doc
        .split("\n## ")
        .find(|s| s.starts_with("Layers"))
        .expect("ARCHITECTURE.md has a '## Layers' section");
    let mut floors = BTreeMap::new();
    for line in section.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | floor | parts |  ->  ["", floor, parts, ""]
        let [_, floor, parts, _] = cells.as_slice() else {
            continue;
        };
        let Ok(floor) = floor.parse::<u32>() else {
            continue;
        };
        for part in parts.split(',') {
            let part = part.trim().trim_matches('`');
            assert!(
                floors.insert(part.to_owned(), floor).is_none(),
                "{part} is on two floors"
            );
        }
    }
    assert!(!floors.is_empty(), "the layer table has no rows");
    floors
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The part a file of `src/` belongs to: its first path component.
fn part_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next().unwrap().as_os_str();
    first.to_string_lossy().trim_end_matches(".rs").to_owned()
}

/// Every `crate::NAME` in the code (comments left out), with its line.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + "crate::".len()..];
            // `$crate::` in a macro is a path too; `scimulate_crate::` is not.
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push((i + 1, name));
            }
        }
    }
    out
}

#[test]
fn imports_follow_the_layer_table() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let floors = floors(&doc);
    let src = root.join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    // `#[macro_export]` macros live at the crate root (`crate::ensure!`):
    // they are called through `crate::` but are no part.
    let macros: Vec<String> = files
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            text.lines()
                .filter_map(|l| l.trim().strip_prefix("macro_rules! "))
                .map(|l| l.trim_end_matches(['{', ' ']).to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    let mut wrong = Vec::new();
    for file in &files {
        let part = part_of(&src, file);
        if part == "lib" || part == "main" {
            continue;
        }
        let Some(&floor) = floors.get(&part) else {
            wrong.push(format!(
                "{}: part `{part}` is not in ARCHITECTURE.md's layer table",
                file.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for (line, used) in crate_paths(&text) {
            if used == part || macros.contains(&used) {
                continue;
            }
            let Some(&used_floor) = floors.get(&used) else {
                wrong.push(format!(
                    "{}:{line}: `crate::{used}` is not in the layer table",
                    file.display()
                ));
                continue;
            };
            if used_floor >= floor {
                let why = if used_floor == floor {
                    "a sibling on the same floor"
                } else {
                    "a higher floor"
                };
                wrong.push(format!(
                    "{}:{line}: `{part}` (floor {floor}) imports `{used}` (floor {used_floor}), {why}",
                    file.display()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against ARCHITECTURE.md:\n  {}",
        wrong.join("\n  ")
    );
}

#[test]
fn every_part_of_the_crate_is_in_the_table() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let floors = floors(&std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap());
    let lib = std::fs::read_to_string(root.join("src/lib.rs")).unwrap();
    let declared: Vec<&str> = lib
        .lines()
        .filter_map(|l| {
            l.strip_prefix("pub mod ")
                .or_else(|| l.strip_prefix("mod "))
        })
        .map(|l| l.trim_end_matches(';'))
        .collect();
    assert!(!declared.is_empty());
    for part in &declared {
        assert!(
            floors.contains_key(*part),
            "src/lib.rs declares `{part}`, which ARCHITECTURE.md's layer table does not place"
        );
    }
    for part in floors.keys() {
        assert!(
            declared.contains(&part.as_str()),
            "ARCHITECTURE.md places `{part}`, which src/lib.rs does not declare"
        );
    }
}

#[test]
fn the_path_reader_sees_paths_and_skips_comments() {
    let text = "use crate::scim::ScimError;\n// crate::cli is a comment\nlet x = $crate::report::Level;\nfoo_crate::bar";
    assert_eq!(
        crate_paths(text),
        [(1, "scim".to_owned()), (3, "report".to_owned())]
    );
}
