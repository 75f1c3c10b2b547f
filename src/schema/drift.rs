//! Test support for the hand-written schemas (scenario, profile,
//! connector): the keys a loader accepts at one place of its file, read
//! from serde's refusal of an unknown key ("unknown field `…`, expected one
//! of a, b"), against the property names the schema allows at the same
//! place. A key added to one side only fails the loader's test.

use super::SchemaKind;
use serde_json::Value;
use std::collections::BTreeSet;

/// The key no loader knows, to be put where the accepted keys are wanted.
pub(crate) const UNKNOWN: &str = "zz_unknown_key";

/// The keys serde lists as expected in `refusal`, the error of a document
/// holding [`UNKNOWN`] at the place of interest (a field of a struct, or a
/// variant of an externally tagged enum).
pub(crate) fn loader_keys(refusal: &str) -> BTreeSet<String> {
    let (at, lead) = ["field", "variant"]
        .iter()
        .map(|what| format!("unknown {what} `{UNKNOWN}`, "))
        .find_map(|lead| refusal.find(&lead).map(|at| (at, lead)))
        .unwrap_or_else(|| panic!("not a refusal of {UNKNOWN}: {refusal}"));
    let line = refusal[at + lead.len()..]
        .lines()
        .next()
        .unwrap_or_default();
    if line.starts_with("there are no") {
        return BTreeSet::new();
    }
    let names = line
        .strip_prefix("expected one of ")
        .or_else(|| line.strip_prefix("expected "))
        .unwrap_or_else(|| panic!("no expected keys in: {line}"));
    names
        .split(", ")
        .map(|n| n.trim().trim_matches('`').to_owned())
        .collect()
}

/// The property names `kind`'s schema allows at `path`: property names,
/// with `[]` for an array's items and `*` for a map's values. A level's
/// names are those of its `properties` and of its `allOf`, `anyOf` and
/// `oneOf` branches, with local `$ref`s followed.
pub(crate) fn schema_keys(kind: SchemaKind, path: &[&str]) -> BTreeSet<String> {
    let root: Value = serde_json::from_str(kind.schema()).expect("schema is JSON");
    let mut node = &root;
    for step in path {
        let branches = branches(&root, node);
        node = branches
            .iter()
            .find_map(|b| match *step {
                "[]" => b.get("items"),
                "*" => b.get("additionalProperties").filter(|v| v.is_object()),
                name => b.get("properties").and_then(|p| p.get(name)),
            })
            .unwrap_or_else(|| panic!("{kind} schema: nothing at {step} of {path:?}"));
    }
    branches(&root, node)
        .iter()
        .filter_map(|b| b.get("properties").and_then(Value::as_object))
        .flat_map(|p| p.keys().cloned())
        .collect()
}

/// `node` and, recursively, its `$ref` target and combinator branches.
fn branches<'a>(root: &'a Value, node: &'a Value) -> Vec<&'a Value> {
    let mut out = vec![node];
    if let Some(r) = node.get("$ref").and_then(Value::as_str) {
        let target = r
            .strip_prefix('#')
            .and_then(|p| root.pointer(p))
            .unwrap_or_else(|| panic!("unresolved $ref {r}"));
        out.extend(branches(root, target));
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for b in node
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out.extend(branches(root, b));
        }
    }
    out
}

/// Fails when the loader's keys (from `refusal`) and the schema's at
/// `path` differ, naming the keys on one side only.
pub(crate) fn assert_same_keys(kind: SchemaKind, path: &[&str], refusal: &str) {
    let loader = loader_keys(refusal);
    let schema = schema_keys(kind, path);
    assert!(
        !loader.is_empty(),
        "{kind} at {path:?}: no keys in {refusal}"
    );
    let only_loader: Vec<_> = loader.difference(&schema).collect();
    let only_schema: Vec<_> = schema.difference(&loader).collect();
    assert!(
        only_loader.is_empty() && only_schema.is_empty(),
        "{kind} at {path:?}: keys the loader accepts but the schema does not name: {only_loader:?}; \
         keys the schema names but the loader refuses: {only_schema:?}"
    );
}
