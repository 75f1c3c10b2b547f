//! The user documentation (docs/) against the code: where a document lists
//! what the code defines (fault kinds, checks, step actions, profiles,
//! behaviour knobs, admin and Toxiproxy routes, report formats, exit
//! statuses), both must name the same things. The names come from the code
//! itself (the catalogue, the loader's own refusals, the route tables), so
//! a new kind, check or knob fails here until it is documented. `certify`
//! holds docs/certify.md's generated catalogue to the code's. `examples`
//! loads every example of the pages with scimulate's own parsers; `pointers`
//! holds the rest: the README and every `--help` point into docs/ and never
//! at files users do not have, and the example connector really runs.

mod certify;
mod examples;
mod pointers;

use scimulate::fault::CATALOGUE;
use scimulate::judge::CheckName;
use scimulate::mock::behaviour::{Behaviour, RateLimitConfig};
use scimulate::report::ReportFormat;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn doc(name: &str) -> String {
    let path = repo("docs").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The names of the headings of `level` (`##`, `###`) written as one code
/// span, e.g. "## `token_expired`", within the part of `text` that starts
/// at the heading `within` (up to the next heading of its level or higher),
/// or in all of `text` when `within` is `None`.
fn headings(text: &str, level: &str, within: Option<&str>) -> BTreeSet<String> {
    section_text(text, within)
        .lines()
        .filter_map(|l| l.strip_prefix(level)?.strip_prefix(' '))
        .filter_map(|h| h.trim().strip_prefix('`')?.strip_suffix('`'))
        .map(str::to_owned)
        .collect()
}

/// The part of `text` under the heading whose text is `title` (any level),
/// up to the next heading of that level or higher; all of `text` for `None`.
fn section_text<'a>(text: &'a str, title: Option<&str>) -> &'a str {
    let Some(title) = title else { return text };
    let mut start = None;
    let mut depth = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let hashes = line.bytes().take_while(|b| *b == b'#').count();
        if hashes > 0 && line[hashes..].starts_with(' ') {
            match start {
                None if line[hashes..].trim() == title => {
                    start = Some(offset + line.len());
                    depth = hashes;
                }
                Some(s) if hashes <= depth => return &text[s..offset],
                _ => {}
            }
        }
        offset += line.len();
    }
    let s = start.unwrap_or_else(|| panic!("no heading `{title}`"));
    &text[s..]
}

/// The text under the heading "`name`" of `level`, to the next heading of
/// that level or higher.
fn entry<'a>(text: &'a str, level: &str, name: &str) -> &'a str {
    let heading = format!("{level} `{name}`\n");
    let at = text
        .find(&heading)
        .unwrap_or_else(|| panic!("no heading {heading:?}"))
        + heading.len();
    let rest = &text[at..];
    let end = rest
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .find(|&i| {
            let hashes = rest[i..].bytes().take_while(|b| *b == b'#').count();
            hashes > 0 && hashes <= level.len() && rest[i + hashes..].starts_with(' ')
        })
        .unwrap_or(rest.len());
    &rest[..end]
}

/// The names in backticks after "expected" in a serde or loader refusal:
/// "unknown field `zz`, expected one of `a`, `b`" gives a and b.
fn expected_names(message: &str) -> Vec<String> {
    let Some((_, after)) = message.split_once("expected") else {
        return Vec::new();
    };
    let after = after.lines().next().unwrap_or_default();
    if after.contains('`') {
        return after
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect();
    }
    // The loader's own wording: "expected one of a, b, c".
    let list = after.trim().strip_prefix("one of").unwrap_or(after);
    list.split(',').map(|n| n.trim().to_owned()).collect()
}

fn load_error(yaml: &str) -> String {
    scimulate::scenario::from_yaml(yaml, Path::new("probe.yaml"))
        .expect_err("the probe is refused")
        .to_string()
}

const SCENARIO_HEAD: &str = "name: probe\ntargets: {app-a: {profile: generic-rfc}}\n";

fn missing(documented: &BTreeSet<String>, wanted: &[String]) -> Vec<String> {
    wanted
        .iter()
        .filter(|w| !documented.contains(*w))
        .cloned()
        .collect()
}

#[test]
fn every_fault_kind_has_a_section_with_its_parameters_and_alert_class() {
    let text = doc("faults.md");
    let documented = headings(&text, "##", None);
    let kinds: BTreeSet<String> = CATALOGUE.iter().map(|k| k.name.to_owned()).collect();
    assert_eq!(
        documented, kinds,
        "docs/faults.md has one `## \\`kind\\`` section per fault kind of the catalogue (src/fault/kind.rs), no more"
    );
    for info in CATALOGUE {
        let section = entry(&text, "##", info.name);
        for param in info.takes {
            let name = format!("`{}`", param.name());
            assert!(
                section.contains(&name),
                "docs/faults.md, `{}`: parameter {name} is not described",
                info.name
            );
        }
        let class = match info.class {
            Some(c) => format!(
                "Alert class: `{}`",
                serde_json::to_value(c).unwrap().as_str().unwrap()
            ),
            None => "Alert class: none".to_owned(),
        };
        assert!(
            section.contains(&class),
            "docs/faults.md, `{}`: expected the line \"{class}\"",
            info.name
        );
    }
}

#[test]
fn every_check_is_documented_with_an_example() {
    let text = doc("scenarios.md");
    // What `expect` accepts, as the loader itself says it.
    let refusal = load_error(&format!(
        "{SCENARIO_HEAD}steps: []\nexpect: [{{zz_no_check: {{}}}}]"
    ));
    let accepted = expected_names(&refusal);
    assert!(accepted.len() > 5, "the loader lists its checks: {refusal}");
    let documented = headings(&text, "###", Some("Checks"));
    assert_eq!(
        missing(&documented, &accepted),
        Vec::<String>::new(),
        "checks the scenario loader accepts without a `### \\`name\\`` section under ## Checks in docs/scenarios.md"
    );
    for check in &accepted {
        let example = format!("- {check}:");
        assert!(
            entry(&text, "###", check).contains(&example),
            "docs/scenarios.md, `{check}`: no example (a line `{example} …`)"
        );
    }
    // Every check a report can name (the ones judged without `expect` too),
    // and nothing else.
    let judged: BTreeSet<String> = CheckName::ALL
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    assert_eq!(
        documented, judged,
        "docs/scenarios.md documents exactly the checks the judge knows (src/judge/check.rs)"
    );
}

#[test]
fn every_step_action_and_step_key_is_documented_with_an_example() {
    let text = doc("scenarios.md");
    // "a step needs an action (joiner, mover, …) or `after`/`at` to pause"
    let refusal = load_error(&format!("{SCENARIO_HEAD}steps: [{{}}]"));
    let listed = refusal
        .split_once("an action (")
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(list, _)| list)
        .unwrap_or_else(|| panic!("the loader lists the actions: {refusal}"));
    let actions: Vec<String> = listed.split(", ").map(str::to_owned).collect();
    let documented = headings(&text, "###", Some("Steps"));
    assert_eq!(
        documented,
        actions.iter().cloned().collect::<BTreeSet<_>>(),
        "docs/scenarios.md has one `### \\`action\\`` section per step action under ## Steps, no more"
    );
    for action in &actions {
        let example = format!("{action}:");
        assert!(
            entry(&text, "###", action).contains(&example),
            "docs/scenarios.md, `{action}`: no example (a line with `{example}`)"
        );
    }
    // Every key a step may have (modifiers included), as the loader says.
    let refusal = load_error(&format!("{SCENARIO_HEAD}steps: [{{zz_no_key: 1}}]"));
    let keys = expected_names(&refusal);
    assert!(keys.contains(&"after".to_owned()), "{refusal}");
    let steps = section_text(&text, Some("Steps"));
    for key in keys {
        assert!(
            steps.contains(&format!("`{key}`")),
            "docs/scenarios.md, ## Steps: the step key `{key}` is not described"
        );
    }
    // And every top-level key of a scenario file.
    let refusal = load_error(&format!("{SCENARIO_HEAD}steps: []\nzz_no_key: 1"));
    for key in expected_names(&refusal) {
        assert!(
            text.contains(&format!("`{key}`")),
            "docs/scenarios.md: the scenario key `{key}` is not described"
        );
    }
}

fn shipped_profiles() -> BTreeSet<String> {
    std::fs::read_dir(repo("mock-targets"))
        .unwrap()
        .filter_map(|e| {
            let path = e.unwrap().path();
            (path.extension()? == "yaml").then(|| path.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect()
}

#[test]
fn every_shipped_profile_is_documented_with_its_sources() {
    let text = doc("profiles.md");
    let documented = headings(&text, "###", Some("Shipped profiles"));
    assert_eq!(
        documented,
        shipped_profiles(),
        "docs/profiles.md has one `### \\`name\\`` section under ## Shipped profiles per file in mock-targets/, no more"
    );
    for name in shipped_profiles() {
        let section = entry(&text, "###", &name);
        assert!(
            section.contains("Source"),
            "docs/profiles.md, `{name}`: no Source(s) line"
        );
    }
}

/// Every key and value word `Behaviour` (src/mock/behaviour) accepts at
/// `path`, by asking serde what it expected instead of a probe: the knobs,
/// their fields, and the words of their enums, to a depth of two.
fn knob_names(path: &[String], depth: usize, out: &mut Vec<(Vec<String>, String)>) {
    let wrap = |inner: Value| {
        path.iter()
            .rev()
            .fold(inner, |v, key| serde_json::json!({ key.as_str(): v }))
    };
    for probe in [
        serde_json::json!({"zz_probe": 1}),
        serde_json::json!("zz_probe"),
        serde_json::json!(["zz_probe"]),
    ] {
        let Err(e) = serde_json::from_value::<Behaviour>(wrap(probe.clone())) else {
            continue;
        };
        let message = e.to_string();
        if !message.contains("unknown") {
            continue;
        }
        for name in expected_names(&message) {
            out.push((path.to_vec(), name.clone()));
            if depth > 0 && probe.is_object() {
                let mut deeper = path.to_vec();
                deeper.push(name);
                knob_names(&deeper, depth - 1, out);
            }
        }
        return;
    }
}

#[test]
fn every_behaviour_knob_and_its_values_are_documented() {
    let text = doc("profiles.md");
    let mut names = Vec::new();
    knob_names(&[], 2, &mut names);
    let knobs: Vec<String> = names
        .iter()
        .filter(|(p, _)| p.is_empty())
        .map(|(_, n)| n.clone())
        .collect();
    assert!(knobs.len() > 10, "serde lists the knobs: {knobs:?}");
    let documented = headings(&text, "###", Some("Behaviour knobs"));
    assert_eq!(
        documented,
        knobs.iter().cloned().collect::<BTreeSet<_>>(),
        "docs/profiles.md has one `### \\`knob\\`` section under ## Behaviour knobs per knob of src/mock/behaviour, no more"
    );
    for (path, name) in names.iter().filter(|(p, _)| !p.is_empty()) {
        let section = entry(&text, "###", &path[0]);
        assert!(
            section.contains(&format!("`{name}`")),
            "docs/profiles.md, `{}`: `{name}` (at {}) is not described",
            path[0],
            path.join(".")
        );
    }
    // The standing rate limit's fields.
    let e = serde_json::from_value::<RateLimitConfig>(serde_json::json!({"zz_probe": 1}))
        .unwrap_err()
        .to_string();
    let fields = expected_names(&e);
    assert!(fields.contains(&"burst".to_owned()), "{e}");
    let rate_limit = section_text(&text, Some("Standing rate limit"));
    for f in fields {
        assert!(
            rate_limit.contains(&format!("`{f}`")),
            "docs/profiles.md, ## Standing rate limit: `{f}` is not described"
        );
    }
}

/// `METHOD path` for every `.route("path", get(..).post(..))` of a router
/// in `file`, read from the source (axum cannot list its routes).
fn routes_in(file: &str) -> BTreeSet<String> {
    let source = std::fs::read_to_string(repo(file)).unwrap();
    let mut out = BTreeSet::new();
    for chunk in source.split(".route(").skip(1) {
        let path = chunk.split('"').nth(1).unwrap();
        // The method chain runs to the call's closing parenthesis.
        let mut depth = 1;
        let mut end = chunk.len();
        for (i, c) in chunk.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let chain = &chunk[..end];
        for method in ["get", "post", "put", "patch", "delete"] {
            let called = chain.match_indices(&format!("{method}(")).any(|(i, _)| {
                i == 0 || !chain[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_')
            });
            if called {
                out.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    assert!(!out.is_empty(), "{file}: no routes found");
    out
}

/// `METHOD /path` written in code spans in `text`.
fn documented_routes(text: &str) -> BTreeSet<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| {
            ["GET /", "POST /", "PUT /", "PATCH /", "DELETE /"]
                .iter()
                .any(|m| s.starts_with(m))
        })
        .map(|s| s.split('?').next().unwrap().to_owned())
        .collect()
}

#[test]
fn every_admin_and_toxiproxy_route_is_documented_and_no_other() {
    let text = doc("mock-target.md");
    for (file, section) in [
        ("src/admin/routes.rs", "Admin API"),
        ("src/netproxy/api.rs", "Toxiproxy API"),
    ] {
        let code = routes_in(file);
        let docs = documented_routes(section_text(&text, Some(section)));
        assert_eq!(
            docs, code,
            "docs/mock-target.md, ## {section}: the routes (`METHOD /path` code spans) differ from {file}'s router"
        );
    }
    // The toxic types the built-in proxy knows, with their attributes.
    let source = std::fs::read_to_string(repo("src/netproxy/toxic.rs")).unwrap();
    let table = source
        .split_once("const TYPES")
        .and_then(|(_, rest)| rest.split_once("];"))
        .expect("src/netproxy/toxic.rs declares TYPES")
        .0;
    let toxics = section_text(&text, Some("Toxics"));
    for line in table.lines().filter(|l| l.trim_start().starts_with("(\"")) {
        let words: Vec<&str> = line.split('"').skip(1).step_by(2).collect();
        let (toxic, attributes) = words.split_first().unwrap();
        let heading = format!("### `{toxic}`");
        assert!(
            toxics.contains(&heading),
            "docs/mock-target.md, ## Toxics: no {heading}"
        );
        let section = entry(toxics, "###", toxic);
        for a in attributes {
            assert!(
                section.contains(&format!("`{a}`")),
                "docs/mock-target.md, toxic `{toxic}`: attribute `{a}` is not described"
            );
        }
    }
}

#[test]
fn every_report_format_and_exit_status_is_documented() {
    let text = doc("reports.md");
    let documented = headings(&text, "##", None);
    for format in ReportFormat::ALL {
        assert!(
            documented.contains(format.as_str()),
            "docs/reports.md: no `## \\`{format}\\`` section"
        );
    }
    let statuses = section_text(&text, Some("Exit status"));
    for code in [
        scimulate::exit::OK,
        scimulate::exit::CHECK_FAILED,
        scimulate::exit::BAD_INPUT,
        scimulate::exit::HARNESS,
        scimulate::exit::INTERRUPTED,
        scimulate::exit::TERMINATED,
    ] {
        assert!(
            statuses.contains(&format!("| {code} |")),
            "docs/reports.md, ## Exit status: no row for {code}"
        );
    }
}
