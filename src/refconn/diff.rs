//! Desired state versus what a target holds: the SCIM body to send, the
//! minimal PATCH from the state last sent, and whether a read-back shows
//! everything (read-after-write, SPEC §4.5).

use serde_json::{Map, Value, json};

pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// The whole User to POST or PUT for a person's desired state.
pub fn user_body(person: &Map<String, Value>) -> Value {
    let mut body = person.clone();
    body.remove("id");
    body.remove("meta");
    let mut schemas = vec![json!(USER)];
    if body.contains_key(ENTERPRISE) {
        schemas.push(json!(ENTERPRISE));
    }
    body.insert("schemas".into(), Value::Array(schemas));
    Value::Object(body)
}

/// The PATCH operations that take `before` to `after`: changed attributes
/// replaced (complex ones merged by sub-attribute), omitted ones removed.
pub fn patch_ops(before: &Map<String, Value>, after: &Map<String, Value>) -> Vec<Value> {
    let mut replace = Map::new();
    let mut ops = Vec::new();
    for (k, v) in after {
        if before.get(k) == Some(v) {
            continue;
        }
        match (before.get(k), v) {
            (Some(Value::Object(old)), Value::Object(new)) => {
                for sub in old.keys().filter(|s| !new.contains_key(*s)) {
                    ops.push(json!({"op": "remove", "path": sub_path(k, sub)}));
                }
                replace.insert(k.clone(), v.clone());
            }
            _ => {
                replace.insert(k.clone(), v.clone());
            }
        }
    }
    for k in before.keys().filter(|k| !after.contains_key(*k)) {
        ops.push(json!({"op": "remove", "path": k}));
    }
    if !replace.is_empty() {
        ops.insert(0, json!({"op": "replace", "value": replace}));
    }
    ops
}

fn sub_path(attr: &str, sub: &str) -> String {
    if attr.starts_with("urn:") {
        format!("{attr}:{sub}")
    } else {
        format!("{attr}.{sub}")
    }
}

pub fn patch_body(ops: Vec<Value>) -> Value {
    json!({"schemas": [PATCH_OP], "Operations": ops})
}

/// Whether `actual` holds everything `want` says, and nothing of the
/// attributes `removed` (top-level names, or `attr.sub`).
pub fn holds(actual: &Value, want: &Map<String, Value>, removed: &[String]) -> bool {
    let Value::Object(a) = actual else {
        return false;
    };
    want.iter()
        .all(|(k, v)| get_ci(a, k).is_some_and(|got| contains(got, v)))
        && removed.iter().all(|path| !present(a, path))
}

/// Attribute names a person's earlier state had and the new one lacks.
pub fn removed_paths(before: &Map<String, Value>, after: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in before {
        match (v, after.get(k)) {
            (_, None) => out.push(k.clone()),
            (Value::Object(old), Some(Value::Object(new))) => out.extend(
                old.keys()
                    .filter(|s| !new.contains_key(*s))
                    .map(|s| sub_path(k, s)),
            ),
            _ => {}
        }
    }
    out
}

fn present(a: &Map<String, Value>, path: &str) -> bool {
    if let Some(v) = get_ci(a, path) {
        return !v.is_null();
    }
    let split = if path.starts_with("urn:") {
        path.rsplit_once(':')
    } else {
        path.split_once('.')
    };
    match split {
        Some((attr, sub)) => get_ci(a, attr)
            .and_then(Value::as_object)
            .and_then(|o| get_ci(o, sub))
            .is_some_and(|v| !v.is_null()),
        None => false,
    }
}

fn get_ci<'a>(o: &'a Map<String, Value>, k: &str) -> Option<&'a Value> {
    o.get(k).or_else(|| {
        o.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(k))
            .map(|(_, v)| v)
    })
}

/// `want` is in `got`: objects by their members, arrays element by element.
fn contains(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => w
            .iter()
            .all(|(k, v)| v.is_null() || get_ci(g, k).is_some_and(|gv| contains(gv, v))),
        (Value::Array(g), Value::Array(w)) => {
            w.iter().all(|wv| g.iter().any(|gv| contains(gv, wv)))
        }
        (g, w) => g == w,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn a_patch_replaces_changes_and_removes_what_was_omitted() {
        let before = obj(json!({"userName": "b", "title": "Eng", "nickName": "B",
            ENTERPRISE: {"department": "X", "employeeNumber": "1"}}));
        let after = obj(json!({"userName": "b", "title": "Lead",
            ENTERPRISE: {"employeeNumber": "1"}}));
        let ops = patch_ops(&before, &after);
        assert_eq!(ops[0]["value"]["title"], "Lead");
        assert!(ops.contains(&json!({"op": "remove", "path": "nickName"})));
        assert!(ops.contains(&json!({"op": "remove", "path": format!("{ENTERPRISE}:department")})));
        let removed = removed_paths(&before, &after);
        let back = json!({"userName": "b", "title": "Lead", "id": "1",
            ENTERPRISE: {"employeeNumber": "1"}});
        assert!(holds(&back, &after, &removed));
        let lost = json!({"userName": "b", "title": "Lead", "nickName": "B"});
        assert!(!holds(&lost, &after, &removed));
    }
}
