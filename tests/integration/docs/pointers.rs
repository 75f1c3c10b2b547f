//! Where users are sent: README and every `--help` point into docs/, every
//! link in them stays inside the repository, and the example connector of
//! docs/connectors.md passes the scenario that page runs it against.

use super::repo;
use clap::CommandFactory;
use serde_json::Value;
use std::process::Command;

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_scimulate"))
        .args(args)
        .output()
        .expect("scimulate runs");
    assert!(out.status.success(), "scimulate {args:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_help_points_into_docs_and_never_at_the_spec() {
    let mut commands = vec![vec!["--help".to_owned()]];
    for sub in scimulate::cli::Cli::command().get_subcommands() {
        let name = sub.get_name().to_owned();
        if name != "help" {
            commands.push(vec![name, "--help".to_owned()]);
        }
    }
    assert!(commands.len() > 5, "{commands:?}");
    for args in commands {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let text = help(&args);
        assert!(
            !text.contains("SPEC"),
            "scimulate {}: the help names SPEC, which users do not have:\n{text}",
            args.join(" ")
        );
        assert!(
            text.contains("docs/"),
            "scimulate {}: the help does not point into docs/:\n{text}",
            args.join(" ")
        );
    }
}

/// What `scimulate schema KIND` prints is read by users too: its
/// descriptions point into docs/, never at SPEC or the reference notes.
#[test]
fn no_schema_output_names_the_spec_or_the_reference_notes() {
    for kind in scimulate::schema::SchemaKind::ALL {
        let kind = kind.to_string();
        let text = help(&["schema", &kind]);
        assert!(
            text.contains("\"$schema\""),
            "scimulate schema {kind}: {text}"
        );
        for word in ["SPEC", "vendor-behaviour", "reference/"] {
            assert!(
                !text.contains(word),
                "scimulate schema {kind}: names `{word}`, which users do not have:\n{}",
                text.lines()
                    .filter(|l| l.contains(word))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
    }
}

/// Relative links of `text` (markdown `](target)`), without their anchors.
fn links(text: &str) -> Vec<String> {
    text.split("](")
        .skip(1)
        .filter_map(|s| s.split_once(')').map(|(l, _)| l))
        .filter(|l| !l.contains("://") && !l.starts_with('#') && !l.starts_with("mailto:"))
        .map(|l| l.split('#').next().unwrap().to_owned())
        .collect()
}

#[test]
fn the_docs_and_readme_link_only_to_files_in_the_repository() {
    let root = repo("").canonicalize().unwrap();
    let mut files = vec![repo("README.md")];
    for e in std::fs::read_dir(repo("docs")).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "md") {
            files.push(path);
        }
    }
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    assert!(
        readme.contains("docs/README.md"),
        "README.md points into docs/"
    );
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let shown = file
            .strip_prefix(&root)
            .unwrap_or(&file)
            .display()
            .to_string();
        for word in ["SPEC", "shared/", "vendor-behaviour.md"] {
            assert!(
                !text.contains(word),
                "{shown}: names `{word}`, which users do not have"
            );
        }
        for link in links(&text) {
            let target = file.parent().unwrap().join(&link);
            let resolved = target
                .canonicalize()
                .unwrap_or_else(|_| panic!("{shown}: link `{link}` leads nowhere"));
            assert!(
                resolved.starts_with(&root),
                "{shown}: link `{link}` leaves the repository"
            );
        }
    }
}

/// The text files under `dir`, recursively, without what tools generate
/// (node_modules, __pycache__, target) or hidden folders.
fn text_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if !name.starts_with('.')
                && !["node_modules", "__pycache__", "target"].contains(&name.as_str())
            {
                text_files(&path, out);
            }
        } else if std::fs::read_to_string(&path).is_ok() {
            out.push(path);
        }
    }
}

/// Whether `text` holds `word` with no letter either side (`SPEC`, not
/// `INSPECT`).
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphabetic())
            && !after.is_some_and(|c| c.is_ascii_alphabetic())
    })
}

/// The files users get beside the binary (scenarios, connector and
/// profile files, CI scripts and templates, their READMEs) cite docs/ or
/// the RFCs, never SPEC or the reference notes; their Markdown links stay
/// inside the repository.
#[test]
fn shipped_files_cite_docs_not_the_spec() {
    let root = repo("").canonicalize().unwrap();
    let mut files = Vec::new();
    for dir in ["scenarios", "connectors", "mock-targets", "ci"] {
        text_files(&repo(dir), &mut files);
    }
    assert!(files.len() > 50, "{} files", files.len());
    let mut wrong = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let shown = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .display()
            .to_string();
        for word in ["SPEC", "vendor-behaviour", "shared/reference"] {
            if has_word(&text, word) {
                wrong.push(format!("{shown}: names `{word}`"));
            }
        }
        if file.extension().is_some_and(|x| x == "md") {
            for link in links(&text) {
                let ok = file
                    .parent()
                    .unwrap()
                    .join(&link)
                    .canonicalize()
                    .is_ok_and(|p| p.starts_with(&root));
                if !ok {
                    wrong.push(format!(
                        "{shown}: link `{link}` leads nowhere in the repository"
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn has_word_ignores_longer_words() {
    assert!(has_word("see SPEC §4", "SPEC"));
    assert!(has_word("(SPEC)", "SPEC"));
    assert!(!has_word("INSPECT it", "SPEC"));
}

#[test]
fn the_example_connector_of_docs_connectors_passes_a_shipped_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let out = Command::new(env!("CARGO_BIN_EXE_scimulate"))
        .current_dir(dir.path())
        .arg("run")
        .arg(repo("scenarios/leaver-during-expired-token.yaml"))
        .arg("--connector")
        .arg(repo("docs/examples/minimal-connector.yaml"))
        .args(["--time-scale", "10", "--report"])
        .arg(format!("json:{}", json.display()))
        .output()
        .expect("scimulate runs");
    let report: Value = std::fs::read_to_string(&json)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let checks = report["scenarios"][0]["checks"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let state: Vec<&Value> = checks.iter().filter(|c| c["check"] == "state").collect();
    assert!(
        !state.is_empty() && state.iter().all(|c| c["passed"] == true),
        "the state check passes: {checks:#?}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The rest of what docs/connectors.md says it does: alerts, replay
    // order, audit, staying alive.
    assert_eq!(
        out.status.code(),
        Some(0),
        "every check passes: {checks:#?}\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    for name in ["alert", "replay", "audit", "connector_alive"] {
        assert!(
            checks
                .iter()
                .any(|c| c["check"] == name && c["passed"] == true),
            "{name} was judged and passed: {checks:#?}"
        );
    }
}
