//! Whole-resource comparison: what the server holds against what a write
//! should have produced. Server-managed parts (`meta`, member `display`
//! and `$ref`) are left out; unassigned, null and `[]` are the same
//! (RFC 7643 §2.5); attribute names compare case-insensitively (§2.1) and
//! multi-valued attributes as sets.

use serde_json::{Map, Value};

pub fn normalise(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let key = k.to_ascii_lowercase();
                if key == "meta" || key == "password" {
                    continue;
                }
                let n = if key == "members" {
                    members(v)
                } else {
                    normalise(v)
                };
                if !is_empty(&n) {
                    out.insert(key, n);
                }
            }
            let mut keys: Vec<_> = out.into_iter().collect();
            keys.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(keys.into_iter().collect())
        }
        Value::Array(a) => {
            let mut items: Vec<Value> = a.iter().map(normalise).filter(|x| !is_empty(x)).collect();
            items.sort_by_key(|x| x.to_string());
            Value::Array(items)
        }
        other => other.clone(),
    }
}

fn members(v: &Value) -> Value {
    let Value::Array(a) = v else {
        return normalise(v);
    };
    let mut ids: Vec<Value> = a.iter().filter_map(|m| m.get("value").cloned()).collect();
    ids.sort_by_key(|x| x.to_string());
    Value::Array(ids)
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

/// Whether `held` holds everything in `sent` (normalised as for `diff`):
/// each attribute of an object, each value of a multi-valued attribute
/// (a value held with more sub-attributes counts). The server may add.
pub fn holds(held: &Value, sent: &Value) -> bool {
    contains(&normalise(held), &normalise(sent))
}

fn contains(held: &Value, sent: &Value) -> bool {
    match (held, sent) {
        (Value::Object(h), Value::Object(s)) => s
            .iter()
            .all(|(k, sv)| h.get(k).is_some_and(|hv| contains(hv, sv))),
        (Value::Array(h), Value::Array(s)) => {
            s.iter().all(|sv| h.iter().any(|hv| contains(hv, sv)))
        }
        (Value::String(h), Value::String(s)) => h.eq_ignore_ascii_case(s),
        (h, s) => h == s,
    }
}

/// `None` when equal, else a short description of the differences.
pub fn diff(expected: &Value, actual: &Value) -> Option<String> {
    let (e, a) = (normalise(expected), normalise(actual));
    if e == a {
        return None;
    }
    let mut out = Vec::new();
    walk("", &e, &a, &mut out);
    if out.is_empty() {
        out.push("values differ".into());
    }
    out.truncate(6);
    Some(out.join("; "))
}

fn walk(path: &str, e: &Value, a: &Value, out: &mut Vec<String>) {
    match (e, a) {
        (Value::Object(em), Value::Object(am)) => {
            for (k, ev) in em {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match am.get(k) {
                    None => out.push(format!("{p}: expected {}, missing", short(ev))),
                    Some(av) => walk(&p, ev, av, out),
                }
            }
            for (k, av) in am {
                if !em.contains_key(k) {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    out.push(format!("{p}: unexpected {}", short(av)));
                }
            }
        }
        _ if e != a => out.push(format!("{path}: expected {}, got {}", short(e), short(a))),
        _ => {}
    }
}

/// A value in a difference, whole up to a length no attribute of a test
/// resource reaches (the reports cut long lines where they must; the JSON
/// report keeps what the server sent).
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > SHORT_LIMIT {
        format!("{}…", s.chars().take(SHORT_LIMIT).collect::<String>())
    } else {
        s
    }
}

const SHORT_LIMIT: usize = 2000;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn null_empty_and_absent_are_equal_and_meta_ignored() {
        let a = json!({"userName": "a", "title": null, "emails": [], "meta": {"version": "1"}});
        let b = json!({"USERNAME": "a"});
        assert_eq!(diff(&a, &b), None);
    }

    #[test]
    fn held_may_add_to_what_was_sent() {
        let sent = json!({"emails": [{"value": "a@x", "type": "work"}]});
        let held = json!({"emails": [{"value": "A@x", "type": "work", "primary": false}, {"value": "b@x"}]});
        assert!(holds(&held, &sent));
        assert!(!holds(&json!({"emails": [{"value": "a@x"}]}), &sent));
    }

    #[test]
    fn multi_valued_are_sets_and_differences_are_named() {
        let a = json!({"emails": [{"value": "x"}, {"value": "y"}], "members": [{"value": "1", "display": "d"}]});
        let b = json!({"emails": [{"value": "y"}, {"value": "x"}], "members": [{"value": "1"}]});
        assert_eq!(diff(&a, &b), None);
        let d = diff(&json!({"title": "a"}), &json!({"title": "b", "x": 1})).unwrap();
        assert!(d.contains("title") && d.contains("x: unexpected"), "{d}");
    }
}
