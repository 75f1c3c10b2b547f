//! Request bodies: valid SCIM resources and messages, mutated or not, and
//! bodies no JSON writer makes (truncated, deeply nested, huge, not
//! UTF-8).

use super::words::{ENTERPRISE, GROUP, Target, USER, attr_path, filter, known_id, one};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use serde_json::{Value, json};

const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const SEARCH: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
const BULK: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

pub fn body(rng: &mut StdRng, t: &Target, target: &[u8]) -> Vec<u8> {
    let s = String::from_utf8_lossy(target);
    let mut value = match rng.random_range(0..100) {
        0..20 if s.contains("Groups") => group(rng, t),
        0..20 => user(rng),
        20..45 => patch(rng, t),
        45..52 => {
            json!({"schemas": [SEARCH], "filter": filter(rng, 0), "startIndex": any_json(rng, 0),
                         "count": any_json(rng, 0), "attributes": [attr_path(rng)], "sortBy": attr_path(rng)})
        }
        52..60 => bulk(rng, t),
        60..70 => any_json(rng, 0),
        _ => return raw_body(rng, t),
    };
    if rng.random_bool(0.1)
        && let Value::Object(map) = &mut value
    {
        map.insert(
            one(rng, &["schemas", "id", "meta", "Operations", "userName"]).to_owned(),
            any_json(rng, 0),
        );
    }
    let mut bytes = serde_json::to_vec(&value).unwrap_or_default();
    if rng.random_bool(0.1) && !bytes.is_empty() {
        bytes.truncate(rng.random_range(0..bytes.len()));
    }
    bytes
}

fn user(rng: &mut StdRng) -> Value {
    let name = format!("fz{}", rng.random_range(0..400u32));
    let mut u = json!({"schemas": [USER], "userName": name});
    if rng.random_bool(0.5) {
        u["emails"] = json!([{"value": format!("{name}@fuzz.test"), "type": one(rng, &["work", "home", "x"]), "primary": rng.random_bool(0.5)}]);
    }
    if rng.random_bool(0.3) {
        u["name"] = json!({"givenName": any_json(rng, 2), "familyName": "F"});
    }
    if rng.random_bool(0.2) {
        u["active"] = any_json(rng, 2);
    }
    if rng.random_bool(0.2) {
        u["schemas"] = json!([USER, ENTERPRISE]);
        u[ENTERPRISE] = json!({"department": "D", "manager": {"value": any_json(rng, 2)}});
    }
    u
}

fn group(rng: &mut StdRng, t: &Target) -> Value {
    let members: Vec<Value> = (0..rng.random_range(0..4))
        .map(|_| match rng.random_range(0..4) {
            0 | 1 => json!({"value": known_id(rng, t)}),
            2 => json!({"value": uuid::Uuid::from_u128(rng.random()).to_string(), "type": "User"}),
            _ => any_json(rng, 1),
        })
        .collect();
    json!({"schemas": [GROUP], "displayName": format!("fg{}", rng.random_range(0..100u32)), "members": members})
}

fn patch(rng: &mut StdRng, t: &Target) -> Value {
    let ops: Vec<Value> = (0..rng.random_range(0..5))
        .map(|_| {
            let op = one(
                rng,
                &["add", "replace", "remove", "Add", "REPLACE", "merge", ""],
            );
            let path = match rng.random_range(0..6) {
                0 => Value::Null,
                1 => json!(format!("members[value eq \"{}\"]", known_id(rng, t))),
                2 => json!(format!("emails[{}].value", filter(rng, 1))),
                3 => any_json(rng, 1),
                _ => json!(attr_path(rng)),
            };
            let value = match rng.random_range(0..5) {
                0 => json!([{"value": known_id(rng, t)}]),
                1 => json!({"active": false, "displayName": "x"}),
                _ => any_json(rng, 0),
            };
            let mut o = json!({"op": op, "path": path, "value": value});
            if rng.random_bool(0.2)
                && let Value::Object(map) = &mut o
            {
                map.remove(one(rng, &["op", "path", "value"]));
            }
            o
        })
        .collect();
    let key = one(rng, &["Operations", "operations", "Ops"]);
    json!({"schemas": [PATCH_OP], key: ops})
}

fn bulk(rng: &mut StdRng, t: &Target) -> Value {
    let ops: Vec<Value> = (0..rng.random_range(0..6))
        .map(|i| {
            let method = one(rng, &["POST", "PUT", "PATCH", "DELETE", "GET", "post", ""]);
            let path = match rng.random_range(0..4) {
                0 => "/Users".to_owned(),
                1 => format!("/Groups/{}", known_id(rng, t)),
                2 => format!("/Users/{}", known_id(rng, t)),
                _ => one(rng, &["", "Users", "/Users/%FF", "/Me", "/Bulk", "/Users/bulkId:b0"]).to_owned(),
            };
            let data = match rng.random_range(0..3) {
                0 => user(rng),
                1 => patch(rng, t),
                _ => any_json(rng, 1),
            };
            json!({"method": method, "path": path, "bulkId": format!("b{i}"), "data": data, "version": any_json(rng, 2)})
        })
        .collect();
    json!({"schemas": [BULK], "failOnErrors": any_json(rng, 2), "Operations": ops})
}

/// A JSON value of any type, smaller at depth.
fn any_json(rng: &mut StdRng, depth: usize) -> Value {
    match rng.random_range(0..if depth > 2 { 6 } else { 8 }) {
        0 => Value::Null,
        1 => json!(rng.random_bool(0.5)),
        2 => json!(rng.random_range(-5..1_000_000_000_000i64)),
        3 => json!(rng.random::<f64>() * 1e20),
        4 => json!(one(
            rng,
            &["", "true", "x", "😀", "\u{0}", "a\u{202e}b", "urn:x"]
        )),
        5 => json!(rng.random::<u64>()),
        6 => Value::Array(
            (0..rng.random_range(0..4))
                .map(|_| any_json(rng, depth + 1))
                .collect(),
        ),
        _ => Value::Object(
            (0..rng.random_range(0..4))
                .map(|_| (attr_path(rng), any_json(rng, depth + 1)))
                .collect(),
        ),
    }
}

/// Bodies serde_json cannot write: deep nesting, huge strings, bytes that
/// are not UTF-8, odd numbers, an empty body.
fn raw_body(rng: &mut StdRng, t: &Target) -> Vec<u8> {
    match rng.random_range(0..10) {
        0 => {
            let depth = *[50usize, 126, 127, 128, 129, 200, 5000, 100_000]
                .choose(rng)
                .unwrap_or(&10);
            let (open, close) = if rng.random_bool(0.5) {
                ("[", "]")
            } else {
                ("{\"a\":", "}")
            };
            format!(
                "{{\"schemas\":[\"{USER}\"],\"userName\":\"deep\",\"name\":{}1{}}}",
                open.repeat(depth),
                close.repeat(depth)
            )
            .into_bytes()
        }
        1 => {
            // A large string, now and then larger than the target takes;
            // the largest as a password, which is stored but never
            // returned (RFC 7643 §4.1.1), so that lists stay small.
            let (len, attr) = match rng.random_range(0..10) {
                0 => (t.max_payload + rng.random_range(1..4096), "displayName"),
                1 => (
                    rng.random_range(t.max_payload / 2..t.max_payload - 200),
                    "password",
                ),
                _ => (
                    rng.random_range(1000..20_000),
                    one(rng, &["userName", "displayName", "title", "password"]),
                ),
            };
            format!(
                "{{\"schemas\":[\"{USER}\"],\"userName\":\"big{}\",\"{attr}\":\"{}\"}}",
                rng.random_range(0..1000u32),
                "x".repeat(len)
            )
            .into_bytes()
        }
        2 => {
            let mut b = format!("{{\"schemas\":[\"{USER}\"],\"userName\":\"").into_bytes();
            b.extend(
                one(rng, &["\u{ff}", "\u{c3}\u{28}"])
                    .chars()
                    .map(|c| c as u8),
            );
            b.extend(b"\"}");
            b
        }
        3 => (0..rng.random_range(0..200))
            .map(|_| rng.random())
            .collect(),
        4 => Vec::new(),
        5 => format!(
            "{{\"schemas\":[\"{USER}\"],\"userName\":\"n\",\"active\":{}}}",
            one(
                rng,
                &["1e999", "-0", "NaN", "Infinity", "0x1", "01", "true false"]
            )
        )
        .into_bytes(),
        6 => format!(
            "{{\"schemas\":[\"{USER}\"],\"userName\":\"{}\",\"userName\":\"dup\"}}",
            one(rng, &["\\ud800", "\\udfff", "a\\u0000b", "\\uDBFF\\uDFFF"])
        )
        .into_bytes(),
        7 => format!("\u{feff}{{\"schemas\":[\"{USER}\"],\"userName\":\"bom\"}}").into_bytes(),
        8 => b"userName=x&schemas=y".to_vec(),
        _ => one(
            rng,
            &[
                "null",
                "[]",
                "\"x\"",
                "1",
                "{",
                "}",
                "{}",
                "{\"schemas\":null}",
                "{\"Operations\":{}}",
            ],
        )
        .into(),
    }
}
