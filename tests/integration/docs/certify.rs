//! docs/certify.md against certify's code: the catalogue at its end is
//! generated from `scimulate::certify::catalogue()` (id, level, profile,
//! RFC section, title, quoted sentence, group) and must be what the code
//! gives now; `UPDATE_DOCS=1` rewrites it. The prose names every flag of
//! `scimulate certify` and every `--profile` value.

use super::{doc, repo};
use clap::CommandFactory;
use scimulate::certify::{Check, Persona, catalogue, catalogue::level_str};

const PAGE: &str = "certify.md";
const START: &str = "<!-- catalogue:start: generated from the code by tests/integration/docs/certify.rs; UPDATE_DOCS=1 cargo test --test integration docs::certify rewrites it -->";
const END: &str = "<!-- catalogue:end -->";

/// Text of a title or quote made safe for Markdown: no HTML, no emphasis.
fn md(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('*', "\\*")
        .replace('|', "\\|")
}

fn profile(p: Persona) -> &'static str {
    match p {
        Persona::Rfc => "",
        Persona::Idp => ", profile entra or okta",
        Persona::Entra => ", profile entra",
        Persona::Okta => ", profile okta",
    }
}

/// The catalogue as docs/certify.md shows it: groups in the order they
/// first run, each check with its level, profile, RFC section, title and
/// the sentence it rests on.
pub fn generated(checks: &[Check]) -> String {
    let mut groups: Vec<(&str, Vec<&Check>)> = Vec::new();
    for c in checks {
        match groups.iter_mut().find(|(g, _)| *g == c.group) {
            Some((_, list)) => list.push(c),
            None => groups.push((c.group, vec![c])),
        }
    }
    let mut s = format!(
        "{} checks in {} groups, in the order they run.\n",
        checks.len(),
        groups.len()
    );
    for (group, list) in groups {
        s.push_str(&format!("\n### `{group}` ({} checks)\n\n", list.len()));
        for c in list {
            s.push_str(&format!(
                "- **{}** {}{}, {}: {}\n  > \"{}\"\n",
                c.id,
                level_str(c.level),
                profile(c.persona),
                c.rfc,
                md(c.title),
                md(c.quote)
            ));
        }
    }
    s
}

/// The generated part of `text`: what lies between the markers.
fn between(text: &str) -> Option<(usize, usize)> {
    let start = text.find(START)? + START.len();
    let end = start + text[start..].find(END)?;
    Some((start, end))
}

#[test]
fn the_certify_catalogue_in_the_docs_is_the_codes() {
    let text = doc(PAGE);
    let (start, end) = between(&text).expect("docs/certify.md has the catalogue markers");
    let want = format!("\n{}\n", generated(&catalogue()));
    let have = &text[start..end];
    if have == want {
        return;
    }
    if std::env::var_os("UPDATE_DOCS").is_some() {
        let new = format!("{}{want}{}", &text[..start], &text[end..]);
        std::fs::write(repo("docs").join(PAGE), new).unwrap();
        return;
    }
    let first = have
        .lines()
        .zip(want.lines())
        .position(|(a, b)| a != b)
        .unwrap_or(have.lines().count().min(want.lines().count()));
    panic!(
        "docs/certify.md: the catalogue differs from the code's from generated line {}:\n  doc:  {:?}\n  code: {:?}\n\
         rerun with UPDATE_DOCS=1 to rewrite it, then read the diff",
        first + 1,
        have.lines().nth(first),
        want.lines().nth(first)
    );
}

/// A changed check shows as a difference: the comparison is not vacuous.
#[test]
fn a_changed_check_changes_the_generated_catalogue() {
    let all = catalogue();
    let mut changed = all.clone();
    changed[0] = changed[0].title("another title");
    assert_ne!(generated(&all), generated(&changed));
    let fewer = &all[1..];
    assert_ne!(generated(&all), generated(fewer));
    assert!(generated(&all).contains(&format!("**{}** MUST", all[0].id)));
}

/// Whether `text` names `--flag` as a whole word (not as the start of a
/// longer flag such as `--token-env` for `--token`).
fn names_flag(text: &str, long: &str) -> bool {
    let flag = format!("--{long}");
    text.match_indices(&flag).any(|(i, _)| {
        let after = text[i + flag.len()..].chars().next();
        !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
    })
}

#[test]
fn names_flag_takes_whole_flags_only() {
    assert!(names_flag("use `--token-env VAR`", "token-env"));
    assert!(!names_flag("use `--token-env VAR`", "token"));
    assert!(names_flag("`--load`, `--token X`", "token"));
}

#[test]
fn the_certify_page_names_every_flag_and_profile() {
    let text = doc(PAGE);
    let prose = &text[..between(&text).unwrap().0];
    let cli = scimulate::cli::Cli::command();
    let certify = cli
        .find_subcommand("certify")
        .expect("a certify subcommand");
    let mut missing = Vec::new();
    for arg in certify.get_arguments() {
        if let Some(long) = arg.get_long()
            && long != "help"
            && !names_flag(prose, long)
        {
            missing.push(format!("--{long}"));
        }
        if arg.get_long() == Some("profile") {
            for v in arg.get_possible_values() {
                if !prose.contains(&format!("`--profile {}`", v.get_name())) {
                    missing.push(format!("--profile {}", v.get_name()));
                }
            }
        }
    }
    for level in ["MUST", "SHOULD", "INTEROP", "MAY"] {
        if !prose.contains(&format!("`{level}`")) {
            missing.push(level.to_owned());
        }
    }
    assert!(
        missing.is_empty(),
        "docs/certify.md does not document: {}",
        missing.join(", ")
    );
}
