//! The JSON Schemas (`scimulate schema KIND`) name fault kinds in several
//! places: the list of kinds, the kinds each parameter belongs to, the
//! kinds that need a parameter, and the parameters' descriptions. Each
//! must say what the catalogue says, so a kind added to the catalogue
//! cannot be forgotten there, and a place this test does not know fails it
//! rather than going unchecked.

use super::*;
use crate::schema::SchemaKind;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

type Names = BTreeSet<String>;

/// Every `enum` or `const` whose values are all fault kind names, by the
/// JSON pointer of the object holding it.
fn kind_lists(v: &Value, at: &str, out: &mut Vec<(String, Vec<String>)>) {
    match v {
        Value::Object(map) => {
            let listed = match (map.get("enum"), map.get("const")) {
                (Some(Value::Array(items)), _) => items.iter().collect(),
                (_, Some(one)) => vec![one],
                _ => vec![],
            };
            let names: Option<Vec<String>> = listed
                .iter()
                .map(|v| v.as_str().filter(|n| FaultKind::parse(n).is_some()))
                .map(|n| n.map(str::to_owned))
                .collect();
            if let Some(names) = names.filter(|n| !n.is_empty()) {
                out.push((at.to_owned(), names));
            }
            for (key, child) in map {
                kind_lists(child, &format!("{at}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                kind_lists(child, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn param(name: &str) -> Param {
    Param::ALL
        .into_iter()
        .find(|p| p.name() == name)
        .unwrap_or_else(|| panic!("'{name}' is not a parameter of the fault object"))
}

fn taking(p: Param) -> Names {
    CATALOGUE
        .iter()
        .filter(|k| k.takes.contains(&p))
        .map(|k| k.name.to_owned())
        .collect()
}

fn needing(p: Param) -> Names {
    CATALOGUE
        .iter()
        .filter(|k| k.needs.iter().any(|n| n.param == p))
        .map(|k| k.name.to_owned())
        .collect()
}

/// What one schema says about the kinds, gathered by place.
#[derive(Default)]
struct Said {
    all: Vec<Vec<String>>,
    taking: BTreeMap<&'static str, Names>,
    needing: BTreeMap<&'static str, Names>,
    described: BTreeMap<&'static str, Names>,
}

fn said(kind: SchemaKind) -> Said {
    let schema: Value = serde_json::from_str(kind.schema()).expect("schema is JSON");
    let mut lists = Vec::new();
    kind_lists(&schema, "", &mut lists);
    let mut said = Said::default();
    for (at, names) in lists {
        let steps: Vec<&str> = at.split('/').skip(1).collect();
        match steps.as_slice() {
            ["$defs", "faultKind"] => said.all.push(names),
            [
                "$defs",
                "faultFields",
                "dependentSchemas",
                p,
                "properties",
                "kind",
            ] => {
                said.taking
                    .insert(param(p).name(), names.into_iter().collect());
            }
            [
                "$defs",
                "faultFields",
                "allOf",
                i,
                "if",
                "properties",
                "kind",
            ] => {
                let then = &schema["$defs"]["faultFields"]["allOf"][i.parse::<usize>().unwrap()];
                for required in then["then"]["required"].as_array().into_iter().flatten() {
                    let p = param(required.as_str().expect("a field name"));
                    let to = said.needing.entry(p.name()).or_default();
                    to.extend(names.iter().cloned());
                }
            }
            _ => panic!(
                "{kind} schema: fault kinds listed at {at} ({names:?}), a place this test does \
                 not know: say what it must equal"
            ),
        }
    }
    let fields = schema["$defs"]["faultFields"]["properties"].as_object();
    for (field, property) in fields.into_iter().flatten() {
        let Some(p) = Param::ALL.into_iter().find(|p| p.name() == field) else {
            continue;
        };
        // "latency, stale_reads: a fixed duration, ..."
        let text = property["description"].as_str().unwrap_or_default();
        let head = text.split_once(':').map_or("", |(head, _)| head);
        let named = head
            .split([',', ' '])
            .filter(|w| FaultKind::parse(w).is_some())
            .map(str::to_owned)
            .collect::<Names>();
        if !named.is_empty() {
            said.described.insert(p.name(), named);
        }
    }
    said
}

#[test]
fn the_schemas_list_the_kinds_as_the_catalogue_declares_them() {
    let all: Vec<String> = FaultKind::ALL.iter().map(|k| k.to_string()).collect();
    let per_param = |of: fn(Param) -> Names| -> BTreeMap<&'static str, Names> {
        Param::ALL
            .into_iter()
            .map(|p| (p.name(), of(p)))
            .filter(|(_, kinds)| !kinds.is_empty())
            .collect()
    };
    let mut with_faults = Vec::new();
    for kind in SchemaKind::ALL {
        let said = said(kind);
        if said.all.is_empty() && said.taking.is_empty() && said.needing.is_empty() {
            continue;
        }
        with_faults.push(kind);
        assert!(!said.all.is_empty(), "{kind} schema: no $defs/faultKind");
        for listed in &said.all {
            assert_eq!(listed, &all, "{kind} schema: $defs/faultKind");
        }
        assert_eq!(
            said.taking,
            per_param(taking),
            "{kind} schema: the kinds each parameter belongs to (faultFields.dependentSchemas)"
        );
        assert_eq!(
            said.needing,
            per_param(needing),
            "{kind} schema: the kinds that need a parameter (faultFields.allOf)"
        );
        assert_eq!(
            said.described,
            per_param(taking),
            "{kind} schema: the kinds each parameter's description names"
        );
    }
    assert_eq!(with_faults, [SchemaKind::Scenario, SchemaKind::Profile]);
}
