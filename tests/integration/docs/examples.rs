//! The examples in docs/ are what scimulate accepts: every scenario, step
//! and check example loads, every connector file and profile example
//! loads, every fault object, alert, audit, event, targets, endpoints and
//! report example is read by scimulate's own parsers or validates against
//! its schema. A page whose example drifts from the code fails here.

use super::{doc, section_text};
use scimulate::fault::FaultSpec;
use scimulate::mock::behaviour::{Behaviour, RateLimitConfig};
use scimulate::mock::profile::Profile;
use scimulate::schema::SchemaKind;
use serde_json::Value;
use std::path::Path;

/// The fenced code blocks of `text` in `lang`.
fn blocks<'a>(text: &'a str, lang: &str) -> Vec<&'a str> {
    let fence = format!("```{lang}\n");
    text.match_indices(&fence)
        .map(|(at, _)| {
            let body = &text[at + fence.len()..];
            &body[..body.find("```").expect("a closed code block")]
        })
        .collect()
}

fn assert_valid(kind: SchemaKind, doc: &Value, what: &str) {
    let schema: Value = serde_json::from_str(kind.schema()).unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{what}: {errors:?}\n{doc:#}");
}

const PROBE_HEAD: &str = "name: probe\ntargets: {app-a: {profile: generic-rfc}, app-b: {profile: generic-rfc}}\npeople:\n  named: {bob: {}, carol: {}, dave: {}, gina: {}}\n";

fn indented(block: &str) -> String {
    block.lines().map(|l| format!("  {l}\n")).collect()
}

fn loads(yaml: &str, what: &str) {
    if let Err(e) = scimulate::scenario::from_yaml(yaml, Path::new("docs-example.yaml")) {
        panic!("{what} does not load:\n{e}");
    }
}

#[test]
fn the_scenario_examples_load() {
    let text = doc("scenarios.md");
    let all = blocks(&text, "yaml");
    loads(all[0], "docs/scenarios.md, the first example");
    let mut steps = 0;
    for block in blocks(section_text(&text, Some("Steps")), "yaml") {
        let yaml = format!("{PROBE_HEAD}steps:\n{}", indented(block));
        loads(&yaml, &format!("docs/scenarios.md, step example\n{block}"));
        steps += 1;
    }
    let mut checks = 0;
    for block in blocks(section_text(&text, Some("Checks")), "yaml") {
        let yaml = format!("{PROBE_HEAD}steps: []\nexpect:\n{}", indented(block));
        loads(&yaml, &format!("docs/scenarios.md, check example\n{block}"));
        checks += 1;
    }
    assert!(
        steps >= 11 && checks >= 9,
        "{steps} step and {checks} check examples"
    );
    // The targets, people and existing snippets, each in a scenario of its own.
    let people = "people:\n  generate: { count: 10 }\n  named: {bob: {}, carol: {}}\n";
    for block in blocks(section_text(&text, Some("The file")), "yaml") {
        let yaml = if block.starts_with("targets:") {
            format!("name: probe\n{block}steps: []\n")
        } else if block.starts_with("people:") {
            format!("name: probe\ntargets: {{app-a: {{profile: generic-rfc}}}}\n{block}steps: []\n")
        } else {
            let block = block.replace("p100000", "p10");
            format!(
                "name: probe\ntargets: {{app-a: {{profile: generic-rfc}}}}\n{people}{block}steps: []\n"
            )
        };
        loads(&yaml, &format!("docs/scenarios.md\n{block}"));
    }
}

/// docs/gamedays.md: its example game day loads; its error examples are
/// what the loader says of the lines they quote; and the shipped game day
/// the README walks through loads.
#[test]
fn the_game_day_examples_load_and_its_errors_are_the_loaders() {
    use scimulate::scenario::gameday::{GameDayConnector, gameday_from_yaml, load_gameday};
    let text = doc("gamedays.md");
    let yaml = blocks(&text, "yaml");
    let day = gameday_from_yaml(yaml[0], Path::new("docs-example.yaml"))
        .unwrap_or_else(|e| panic!("docs/gamedays.md, the example:\n{e}"));
    assert_eq!(day.connector, GameDayConnector::Reference);
    assert_eq!((day.hypotheses.len(), day.safeguards.len()), (4, 1));
    // Each error line quotes a probe; put it at line 12 of a game day with
    // the targets hr-app and slack, as the page shows, and compare.
    let head = "kind: gameday\nname: gd\nconnector: reference\ntargets:\n  hr-app: { profile: generic-rfc }\n  slack: { profile: generic-rfc }\npeople:\n  generate: { count: 3 }\nsteps:\n  - after: 1s\nhypotheses:\n";
    let probes = [
        "  - error_rate: { target: slack, below: 150%, window: 1m }\n",
        "  - error_rate: { target: slak, below: 5% }\n",
    ];
    let shown: Vec<&str> = blocks(&text, "text")[0].lines().collect();
    assert_eq!(shown.len(), probes.len());
    for (line, probe) in shown.iter().zip(probes) {
        let e = gameday_from_yaml(&format!("{head}{probe}"), Path::new("gd.yaml")).unwrap_err();
        let first = e.to_string().lines().next().unwrap().to_owned();
        assert_eq!(line.strip_prefix("error: ").unwrap(), first);
    }
    let shipped = load_gameday(Path::new("scenarios/gamedays/first-game-day.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(shipped.connector, GameDayConnector::Reference);
}

#[test]
fn the_connector_examples_are_what_scimulate_accepts() {
    let text = doc("connectors.md");
    for block in blocks(&text, "yaml") {
        if let Err(e) = scimulate::connector::from_yaml(block, "docs/connectors.md") {
            panic!("docs/connectors.md, connector file example:\n{e}");
        }
    }
    let mut seen = Vec::new();
    for block in blocks(&text, "json") {
        let value: Value = serde_json::from_str(block)
            .unwrap_or_else(|e| panic!("docs/connectors.md, JSON example: {e}\n{block}"));
        let labels = scimulate::contract::alert::Labels {
            target_label: "target",
            class_label: "class",
        };
        if block.contains("scimulate.alert/v1") || value.get("version").is_some() {
            scimulate::contract::alert::parse(block.as_bytes(), labels)
                .unwrap_or_else(|e| panic!("docs/connectors.md, alert example: {e}"));
            seen.push("alert");
        } else if value.is_array() {
            scimulate::contract::audit::parse(block.as_bytes())
                .unwrap_or_else(|e| panic!("docs/connectors.md, audit example: {e}"));
            seen.push("audit");
        } else if value.get("spec").is_some() {
            assert_valid(
                SchemaKind::Event,
                &value,
                "docs/connectors.md, event example",
            );
            seen.push("event");
        } else {
            assert_valid(
                SchemaKind::Targets,
                &value,
                "docs/connectors.md, targets example",
            );
            seen.push("targets");
        }
    }
    seen.sort_unstable();
    assert_eq!(seen, ["alert", "alert", "audit", "event", "targets"]);
}

#[test]
fn the_fault_profile_and_endpoint_examples_are_what_scimulate_accepts() {
    let faults = doc("faults.md");
    for block in blocks(&faults, "json") {
        let spec: FaultSpec = serde_json::from_str(block)
            .unwrap_or_else(|e| panic!("docs/faults.md, fault object: {e}\n{block}"));
        spec.validate()
            .unwrap_or_else(|e| panic!("docs/faults.md, fault object: {e}"));
    }
    for block in blocks(&faults, "yaml") {
        let yaml = format!("{PROBE_HEAD}steps:\n{}", indented(block));
        loads(&yaml, &format!("docs/faults.md, step example\n{block}"));
    }

    let profiles = doc("profiles.md");
    let all = blocks(&profiles, "yaml");
    if let Err(e) = Profile::from_yaml(all[0], "docs/profiles.md") {
        panic!("docs/profiles.md, the profile example:\n{e}");
    }
    for block in blocks(section_text(&profiles, Some("Behaviour knobs")), "yaml") {
        let b: Behaviour = serde_saphyr::from_str(block)
            .unwrap_or_else(|e| panic!("docs/profiles.md, knob example: {e}\n{block}"));
        assert_eq!(b.problem(), None, "docs/profiles.md, knob example\n{block}");
    }
    for block in blocks(section_text(&profiles, Some("Standing rate limit")), "yaml") {
        let body = block
            .trim()
            .strip_prefix("rate_limit:")
            .expect("a rate_limit example");
        serde_saphyr::from_str::<RateLimitConfig>(body)
            .unwrap_or_else(|e| panic!("docs/profiles.md, rate_limit example: {e}"));
    }

    let mock_target = doc("mock-target.md");
    let endpoints = blocks(&mock_target, "json");
    let value: Value = serde_json::from_str(endpoints[0]).unwrap();
    assert_valid(
        SchemaKind::Endpoints,
        &value,
        "docs/mock-target.md, endpoints file",
    );

    let reports = doc("reports.md");
    let report = blocks(&reports, "json");
    let value: Value = serde_json::from_str(report[0]).unwrap();
    assert_valid(SchemaKind::Report, &value, "docs/reports.md, JSON report");
}
