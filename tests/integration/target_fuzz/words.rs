//! The SCIM words requests are made of, well or badly formed: attribute
//! paths, filters, ids the targets hold, and the draws they take.

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// What a request is sent to.
pub struct Target {
    pub addr: std::net::SocketAddr,
    pub base_path: String,
    pub token: String,
    pub max_payload: usize,
    pub user_ids: Vec<String>,
    pub group_ids: Vec<String>,
}

/// One item, each with its weight.
pub fn weighted<'a, T>(rng: &mut StdRng, items: &'a [(u32, T)]) -> &'a T {
    let total: u32 = items.iter().map(|(w, _)| w).sum();
    let mut roll = rng.random_range(0..total);
    for (w, item) in items {
        if roll < *w {
            return item;
        }
        roll -= w;
    }
    &items[items.len() - 1].1
}

pub fn one<'a>(rng: &mut StdRng, items: &[&'a str]) -> &'a str {
    items.choose(rng).copied().unwrap_or("")
}

pub fn known_id(rng: &mut StdRng, t: &Target) -> String {
    let ids = if rng.random_bool(0.5) {
        &t.user_ids
    } else {
        &t.group_ids
    };
    ids.choose(rng).cloned().unwrap_or_default()
}

pub fn attr_path(rng: &mut StdRng) -> String {
    let mut text = one(
        rng,
        &[
            "userName",
            "name.familyName",
            "emails",
            "emails.value",
            "meta.lastModified",
            "members",
            "members.value",
            "displayName",
            "id",
            "externalId",
            "active",
            "groups",
            "urn:ietf:params:scim:schemas:core:2.0:User:userName",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
            "shoeSize",
            "1abc",
            "a.b.c",
            "",
            " ",
            "emails[type eq \"work\"]",
            "userName,displayName",
            ",,",
            "$ref",
            "name.",
            ".x",
            "urn:",
            "urn:x",
        ],
    )
    .to_owned();
    mutate(rng, &mut text);
    text
}

/// A filter, well or badly formed (RFC 7644 §3.4.2.2).
pub fn filter(rng: &mut StdRng, depth: usize) -> String {
    let mut text = match rng.random_range(0..12) {
        0..5 | 11 if depth < 4 => {
            let op = one(
                rng,
                &[
                    "eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "EQ", "zz", "",
                ],
            );
            let value = one(
                rng,
                &[
                    "\"bjensen\"",
                    "\"\"",
                    "42",
                    "-1.5e300",
                    "1e999",
                    "true",
                    "null",
                    "\"unterminated",
                    "\"\\u00\"",
                    "\"\\ud800\"",
                    "\"a\\\"b\"",
                    "2026-01-01T00:00:00Z",
                    "\"2026-13-45T99:00:00Z\"",
                    "x",
                ],
            );
            format!("{} {op} {value}", attr_path(rng))
        }
        5 => format!("{} pr", attr_path(rng)),
        6 if depth < 4 => format!("{} and {}", filter(rng, depth + 1), filter(rng, depth + 1)),
        7 if depth < 4 => format!("{} or {}", filter(rng, depth + 1), filter(rng, depth + 1)),
        8 if depth < 4 => format!("not ({})", filter(rng, depth + 1)),
        9 if depth < 4 => format!("emails[{}]", filter(rng, depth + 1)),
        10 => {
            let n = *[10usize, 63, 64, 65, 500, 5000].choose(rng).unwrap_or(&10);
            format!("{}userName pr{}", "(".repeat(n), ")".repeat(n))
        }
        11 if depth == 0 && rng.random_bool(0.2) => {
            // Around the filter parser's length limit (8,192 characters).
            format!(
                "userName eq \"{}\"",
                "a".repeat(rng.random_range(8100..8300))
            )
        }
        _ => one(
            rng,
            &[
                "",
                " ",
                "()",
                "[",
                "and",
                "not",
                "userName eq \"a\" and",
                "😀 eq 1",
            ],
        )
        .to_owned(),
    };
    if depth == 0 {
        mutate(rng, &mut text);
    }
    text
}

/// Sometimes deletes, duplicates or swaps a character.
fn mutate(rng: &mut StdRng, text: &mut String) {
    if text.is_empty() || !rng.random_bool(0.2) {
        return;
    }
    let chars: Vec<char> = text.chars().collect();
    let i = rng.random_range(0..chars.len());
    let mut out = chars.clone();
    match rng.random_range(0..3) {
        0 => {
            out.remove(i);
        }
        1 => out.insert(i, chars[i]),
        _ => {
            let j = rng.random_range(0..chars.len());
            out.swap(i, j);
        }
    }
    *text = out.into_iter().collect();
}

/// `?name=value&…`: the list and search parameters (RFC 7644 §3.4.2),
/// with odd values, encoded or not.
pub fn query(rng: &mut StdRng) -> Vec<u8> {
    let mut path = vec![b'?'];
    let n = rng.random_range(0..5);
    for i in 0..n {
        if i > 0 {
            path.push(b'&');
        }
        let name = *weighted(
            rng,
            &[
                (6, "filter"),
                (3, "attributes"),
                (3, "excludedAttributes"),
                (3, "startIndex"),
                (3, "count"),
                (2, "sortBy"),
                (2, "sortOrder"),
                (1, "cursor"),
                (1, "FILTER"),
                (1, "x"),
                (1, ""),
            ],
        );
        let value: Vec<u8> = match name {
            "filter" | "FILTER" => filter(rng, 0).into_bytes(),
            "attributes" | "excludedAttributes" | "sortBy" => attr_path(rng).into_bytes(),
            "startIndex" | "count" => one(
                rng,
                &[
                    "1",
                    "0",
                    "-1",
                    "10",
                    "2147483648",
                    "9223372036854775807",
                    "-9223372036854775808",
                    "99999999999999999999",
                    "1.5",
                    "1e3",
                    "",
                    " 5",
                    "ten",
                    "0x10",
                ],
            )
            .into(),
            "sortOrder" => one(rng, &["ascending", "DESCENDING", "up", ""]).into(),
            _ => one(rng, &["", "abc", "\u{0}", "%%"]).into(),
        };
        path.extend(name.as_bytes());
        if rng.random_bool(0.95) {
            path.push(b'=');
        }
        match rng.random_range(0..10) {
            0 => path.extend(&value), // raw: may hold characters a URI may not
            1 => path.extend(value.iter().map(|&b| if b == b' ' { b'+' } else { b })),
            _ => path.extend(percent_encode(&value)),
        }
    }
    path
}

pub fn percent_encode(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for &b in text {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b);
        } else {
            out.extend(format!("%{b:02X}").bytes());
        }
    }
    out
}
