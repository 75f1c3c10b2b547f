//! The requests: each one drawn from its own seeded generator, so request
//! N of seed S is the same bytes whatever ran before it. Methods, request
//! targets, headers and bodies, from valid SCIM to garbage; the request
//! says when it is not valid HTTP/1.1 (RFC 9112) or its target not a valid
//! URI (RFC 3986), the only requests hyper may refuse before the target.

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const SEARCH: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
const BULK: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

/// The longest request target hyper reads (the `http` crate's limit);
/// longer ones get its 414.
const MAX_URI: usize = u16::MAX as usize - 1;

/// What a request is sent to.
pub struct Target {
    pub addr: std::net::SocketAddr,
    pub base_path: String,
    pub token: String,
    pub max_payload: usize,
    pub user_ids: Vec<String>,
    pub group_ids: Vec<String>,
}

/// One generated request.
pub struct Fuzzed {
    pub bytes: Vec<u8>,
    pub method: Vec<u8>,
    pub target: Vec<u8>,
    pub head: bool,
    /// Why hyper may answer the request itself, before the target sees it:
    /// it is not valid HTTP/1.1, its target is not a valid URI, or it is
    /// beyond hyper's limits (a target over 64 KiB, a head over about
    /// 408 KiB, more than 100 headers).
    pub refusable: Option<&'static str>,
    /// Sent on a connection of its own: its framing may leave bytes
    /// behind that a next request would be read with.
    pub fresh: bool,
}

impl Fuzzed {
    /// A GET or HEAD with `If-None-Match`, which a 304 may answer.
    pub fn conditional_get(&self) -> bool {
        let head_end = self
            .bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or(self.bytes.len());
        let head = String::from_utf8_lossy(&self.bytes[..head_end]).to_ascii_lowercase();
        (self.method == b"GET" || self.head) && head.contains("\nif-none-match:")
    }
}

/// The generator of request `index` under `seed`.
pub fn rng_for(seed: u64, index: u64) -> StdRng {
    StdRng::seed_from_u64(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// One item, each with its weight.
fn weighted<'a, T>(rng: &mut StdRng, items: &'a [(u32, T)]) -> &'a T {
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

fn one<'a>(rng: &mut StdRng, items: &[&'a str]) -> &'a str {
    items.choose(rng).copied().unwrap_or("")
}

/// Bytes RFC 3986 allows in a request target as they are.
fn uri_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&b)
}

fn percent_encode(text: &[u8]) -> Vec<u8> {
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

pub fn generate(rng: &mut StdRng, t: &Target) -> Fuzzed {
    let mut refusable = None;
    let mut fresh = false;
    if rng.random_bool(0.02) {
        return garbage(rng);
    }
    let mut method: Vec<u8> = match *weighted(
        rng,
        &[
            (25, "GET"),
            (18, "POST"),
            (10, "PUT"),
            (20, "PATCH"),
            (8, "DELETE"),
            (5, "HEAD"),
            (3, "OPTIONS"),
            (1, "TRACE"),
            (1, "get"),
            (1, "PROPFIND"),
            (1, "M-SEARCH"),
            (1, "LONG"),
            (1, "BAD"),
        ],
    ) {
        "LONG" => vec![b'X'; rng.random_range(16..2000)],
        "BAD" => {
            refusable = Some("a method that is not a token");
            one(rng, &["G ET", "GE\x01T", "\"GET\"", "(PATCH)", "GET\t"]).into()
        }
        m => m.into(),
    };
    let (target, bad_target) = match rng.random_range(0..300) {
        // Half the requests name a route with a method it serves, so that
        // the bodies, headers and parameters reach the handlers.
        150.. => {
            let (m, target) = coherent(rng, t);
            method = m.into();
            let bad = refusal(&target);
            (target, bad)
        }
        // The asterisk form (RFC 9112 §3.2.4), OPTIONS's only.
        0 => (
            b"*".to_vec(),
            (method != b"OPTIONS").then_some("the asterisk form with a method other than OPTIONS"),
        ),
        // The authority form (RFC 9112 §3.2.3), CONNECT's only.
        1 => (
            t.addr.to_string().into_bytes(),
            (method != b"CONNECT").then_some("the authority form with a method other than CONNECT"),
        ),
        2 => {
            method = b"CONNECT".to_vec();
            (t.addr.to_string().into_bytes(), None)
        }
        _ => request_target(rng, t),
    };
    let head = method == b"HEAD";
    refusable = refusable.or(bad_target);
    let version = match *weighted(rng, &[(96, "HTTP/1.1"), (2, "HTTP/1.0"), (2, "BAD")]) {
        "BAD" => {
            refusable = Some("not an HTTP/1 version");
            one(
                rng,
                &[
                    "HTTP/2.0",
                    "HTTP/1.2",
                    "HTTP/9.9",
                    "http/1.1",
                    "HTTPS/1.1",
                    "HTTP/1",
                ],
            )
        }
        v => v,
    };
    let eol: &[u8] = if rng.random_bool(0.01) {
        refusable = Some("bare LF line ends");
        b"\n"
    } else {
        b"\r\n"
    };
    let body = if rng.random_bool(match method.as_slice() {
        b"POST" | b"PUT" | b"PATCH" => 0.95,
        _ => 0.1,
    }) {
        Some(body(rng, t, &target))
    } else {
        None
    };
    let mut lines: Vec<Vec<u8>> = Vec::new();
    match rng.random_range(0..100) {
        0 => {}
        1 => lines.push(b"Host: \xff\xfe".to_vec()),
        2 => lines.push(format!("Host: {}\r\nHost: elsewhere", t.addr).into_bytes()),
        _ => lines.push(format!("Host: {}", t.addr).into_bytes()),
    }
    let (headers, bad_headers) = headers(rng, t, body.is_some());
    lines.extend(headers);
    refusable = refusable.or(bad_headers);
    if rng.random_bool(0.05) {
        lines.push(b"Connection: close".to_vec());
    }
    // The framing of the body.
    let mut payload = Vec::new();
    match (body, rng.random_range(0..100)) {
        (None, _) => {}
        (Some(_), 0..2) => {
            // Declared larger than the target takes, and never sent: the
            // target must refuse it on the header alone.
            let length = t.max_payload + rng.random_range(1..1_000_000);
            lines.push(format!("Content-Length: {length}").into_bytes());
            fresh = true;
        }
        (Some(b), 2..10) => {
            if version == "HTTP/1.0" {
                // RFC 9112 §6.1: chunked is HTTP/1.1's.
                refusable = refusable.or(Some("chunked framing in an HTTP/1.0 request"));
            }
            lines.push(b"Transfer-Encoding: chunked".to_vec());
            payload = chunked(rng, &b);
        }
        (Some(b), 10..12) => {
            // Shorter than the body: the rest is a second "request".
            let length = rng.random_range(0..=b.len());
            lines.push(format!("Content-Length: {length}").into_bytes());
            payload = b;
            fresh = true;
        }
        (Some(b), _) => {
            lines.push(format!("Content-Length: {}", b.len()).into_bytes());
            payload = b;
        }
    }
    let mut bytes = Vec::with_capacity(payload.len() + 512);
    bytes.extend(&method);
    bytes.push(b' ');
    bytes.extend(&target);
    bytes.push(b' ');
    bytes.extend(version.as_bytes());
    bytes.extend(eol);
    for line in lines {
        bytes.extend(line);
        bytes.extend(eol);
    }
    bytes.extend(eol);
    bytes.extend(payload);
    Fuzzed {
        bytes,
        method,
        target,
        head,
        fresh: fresh || refusable.is_some(),
        refusable,
    }
}

/// Not a request at all: random bytes, then an empty line. Not empty
/// lines alone: a server ignores those and waits for the request (RFC 9112
/// §2.2).
fn garbage(rng: &mut StdRng) -> Fuzzed {
    let mut bytes: Vec<u8> = (0..rng.random_range(1..300))
        .map(|_| rng.random())
        .collect();
    if matches!(bytes[0], b'\r' | b'\n') {
        bytes[0] = b'#';
    }
    bytes.extend(b"\r\n\r\n");
    Fuzzed {
        bytes,
        method: b"(garbage)".to_vec(),
        target: Vec::new(),
        head: false,
        refusable: Some("random bytes"),
        fresh: true,
    }
}

fn chunked(rng: &mut StdRng, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let n = rng.random_range(1..=rest.len().min(70_000));
        out.extend(format!("{n:x}\r\n").bytes());
        out.extend(&rest[..n]);
        out.extend(b"\r\n");
        rest = &rest[n..];
    }
    out.extend(b"0\r\n\r\n");
    out
}

fn known_id(rng: &mut StdRng, t: &Target) -> String {
    let ids = if rng.random_bool(0.5) {
        &t.user_ids
    } else {
        &t.group_ids
    };
    ids.choose(rng).cloned().unwrap_or_default()
}

/// Why hyper may refuse a request target itself, if it may.
fn refusal(path: &[u8]) -> Option<&'static str> {
    if path.is_empty() || !path.iter().all(|&b| uri_char(b)) {
        Some("a request target with characters a URI may not hold")
    } else if path[0] != b'/' && !path.starts_with(b"http://") {
        Some("a request target that is not a path (RFC 9112 §3.2)")
    } else if path.len() > MAX_URI {
        Some("a request target longer than hyper reads")
    } else {
        None
    }
}

/// A method and a route that serves it, with a known id where the route
/// takes one.
fn coherent(rng: &mut StdRng, t: &Target) -> (&'static str, Vec<u8>) {
    let base = &t.base_path;
    let kind = one(rng, &["Users", "Groups"]);
    let id = match (kind, rng.random_bool(0.9)) {
        ("Users", true) => t.user_ids.choose(rng).cloned().unwrap_or_default(),
        (_, true) => t.group_ids.choose(rng).cloned().unwrap_or_default(),
        _ => uuid::Uuid::from_u128(rng.random()).to_string(),
    };
    let (method, path) = match rng.random_range(0..20) {
        0..3 => ("GET", format!("{base}/{kind}")),
        3..6 => ("POST", format!("{base}/{kind}")),
        6..8 => (one(rng, &["GET", "HEAD"]), format!("{base}/{kind}/{id}")),
        8..10 => ("PUT", format!("{base}/{kind}/{id}")),
        10..14 => ("PATCH", format!("{base}/{kind}/{id}")),
        14 => ("DELETE", format!("{base}/{kind}/{id}")),
        15 => ("POST", format!("{base}/{kind}/.search")),
        16 => ("POST", format!("{base}/.search")),
        17 => ("POST", format!("{base}/Bulk")),
        _ => {
            let what = one(
                rng,
                &[
                    "ServiceProviderConfig",
                    "Schemas",
                    "ResourceTypes",
                    "ResourceTypes/User",
                    "ResourceTypes/Group",
                    "Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
                    "Schemas/urn:ietf:params:scim:schemas:core:2.0:Group",
                ],
            );
            ("GET", format!("{base}/{what}"))
        }
    };
    let mut path = path.into_bytes();
    if rng.random_bool(0.5) {
        path.extend(query(rng));
    }
    (method, path)
}

fn request_target(rng: &mut StdRng, t: &Target) -> (Vec<u8>, Option<&'static str>) {
    let base: &str = match rng.random_range(0..100) {
        0..90 => &t.base_path,
        90..93 => "",
        93..95 => "/scim",
        95..97 => "//scim/v2",
        _ => "/SCIM/V2",
    };
    let mut path = base.as_bytes().to_vec();
    let endpoint = *weighted(
        rng,
        &[
            (35, "/Users"),
            (25, "/Groups"),
            (3, "/users"),
            (4, "/Schemas"),
            (3, "/ResourceTypes"),
            (3, "/ServiceProviderConfig"),
            (5, "/Bulk"),
            (4, "/.search"),
            (3, "/Users/.search"),
            (2, "/Me"),
            (2, "/oauth/token"),
            (2, ""),
            (2, "/"),
            (1, "/Nope"),
        ],
    );
    path.extend(endpoint.as_bytes());
    if rng.random_bool(0.5) {
        path.push(b'/');
        let segment: Vec<u8> = match rng.random_range(0..22) {
            0..8 => known_id(rng, t).into_bytes(),
            8 => uuid::Uuid::from_u128(rng.random()).to_string().into_bytes(),
            9 => b"%FF".to_vec(),
            10 => b"%C3%28".to_vec(),
            11 => b"%ED%A0%80".to_vec(),
            12 => b"%00".to_vec(),
            13 => b"%2F..%2F".to_vec(),
            14 => one(rng, &["..", ".", "%2e%2e", "%2E", "./.."]).into(),
            15 => vec![b'a'; rng.random_range(200..20_000)],
            16 => one(rng, &["%", "%G1", "%F", "%%", "%2"]).into(),
            17 => percent_encode(
                one(
                    rng,
                    &[USER, GROUP, ENTERPRISE, "User", "Group", "naïve", "😀", " "],
                )
                .as_bytes(),
            ),
            18 => percent_encode(
                &(0..rng.random_range(1..40))
                    .map(|_| rng.random())
                    .collect::<Vec<u8>>(),
            ),
            19 => b"".to_vec(),
            20 => format!(
                "{}/{}",
                known_id(rng, t),
                one(rng, &["x", "", ".search", "members"])
            )
            .into_bytes(),
            _ => one(rng, &["Users", ".search", "me", "*", "~"]).into(),
        };
        path.extend(segment);
    }
    if rng.random_bool(0.05) {
        path.extend(one(rng, &["/", "//", "/./", "/../", "/..", "?"]).as_bytes());
    }
    if rng.random_bool(0.4) {
        path.extend(query(rng));
    }
    if rng.random_bool(0.01) {
        path.extend(vec![b'z'; rng.random_range(10_000..300_000)]);
    }
    if rng.random_bool(0.005) {
        // Absolute form (RFC 9112 §3.2.2).
        let mut absolute = format!("http://{}", t.addr).into_bytes();
        absolute.extend(path);
        path = absolute;
    }
    let bad = refusal(&path);
    (path, bad)
}

/// `?name=value&…`: the list and search parameters (RFC 7644 §3.4.2),
/// with odd values, encoded or not.
fn query(rng: &mut StdRng) -> Vec<u8> {
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

fn attr_path(rng: &mut StdRng) -> String {
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
fn filter(rng: &mut StdRng, depth: usize) -> String {
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

fn headers(rng: &mut StdRng, t: &Target, has_body: bool) -> (Vec<Vec<u8>>, Option<&'static str>) {
    let mut refusable = None;
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let token = &t.token;
    let auth: Option<Vec<u8>> = match rng.random_range(0..100) {
        0..80 => Some(format!("Authorization: Bearer {token}").into_bytes()),
        80..84 => None,
        84..87 => Some(b"Authorization: Bearer wrong".to_vec()),
        87..89 => Some(b"Authorization: Basic dXNlcjpwYXNz".to_vec()),
        89..91 => Some(b"Authorization: Bearer".to_vec()),
        91..93 => Some(format!("authorization: bearer {token}").into_bytes()),
        93..95 => Some(b"Authorization: Bearer \xff\xfe".to_vec()),
        95..97 => Some(
            format!("Authorization: Bearer {token}\r\nAuthorization: Bearer other").into_bytes(),
        ),
        _ => Some(
            format!(
                "Authorization: Bearer {}",
                "t".repeat(rng.random_range(1000..60_000))
            )
            .into_bytes(),
        ),
    };
    lines.extend(auth);
    if has_body || rng.random_bool(0.2) {
        let ct: Option<&[u8]> = match rng.random_range(0..100) {
            0..70 => Some(b"application/scim+json"),
            70..78 => Some(b"application/json; charset=utf-8"),
            78..81 => Some(b"APPLICATION/SCIM+JSON"),
            81..84 => Some(b"text/plain"),
            84..86 => Some(b"application/x-www-form-urlencoded"),
            86..88 => Some(b"application/scim+json; charset=latin1; x"),
            88..90 => Some(b""),
            90..92 => Some(b";;;"),
            92..94 => Some(b"application/scim+json\xff"),
            _ => None,
        };
        if let Some(ct) = ct {
            let mut line = b"Content-Type: ".to_vec();
            line.extend(ct);
            lines.push(line);
        }
    }
    if rng.random_bool(0.3) {
        let accept = one(
            rng,
            &[
                "application/scim+json",
                "application/json",
                "*/*",
                "text/html",
                "image/png;q=0.1",
                "garbage,,;;",
            ],
        );
        lines.push(format!("Accept: {accept}").into_bytes());
    }
    if rng.random_bool(0.1) {
        let name = one(rng, &["If-Match", "If-None-Match"]);
        let value = one(
            rng,
            &[
                "*",
                "W/\"1\"",
                "\"x\"",
                "W/",
                "garbage",
                "",
                "W/\"1\", W/\"2\"",
            ],
        );
        lines.push(format!("{name}: {value}").into_bytes());
    }
    match rng.random_range(0..100) {
        0..3 => lines.push(format!("X-Big: {}", "b".repeat(rng.random_range(1000..120_000))).into_bytes()),
        3..5 => lines.push(b"Expect: 100-continue".to_vec()),
        5..7 => lines.push(b"Content-Encoding: gzip".to_vec()),
        7..9 => lines.push(b"X-HTTP-Method-Override: DELETE".to_vec()),
        9..11 => lines.push(b"User-Agent: \xc3\x28 fuzz".to_vec()),
        15..17 if has_body => lines.push(b"Content-Type: text/plain".to_vec()),
        17..19 => lines.push(b"Upgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA".to_vec()),
        11 => {
            refusable = Some("more headers than a server reads");
            lines.extend((0..rng.random_range(100..300)).map(|i| format!("X-H{i}: v").into_bytes()));
        }
        12 => {
            refusable = Some("a header line without a name and colon");
            lines.push(one(rng, &["NoColonHere", ": empty name", "Bad Name: x", "X-Ctl: a\x01b", "\tX: folded"]).into());
        }
        13 => {
            refusable = Some("a header over the server's head limit");
            lines.push(format!("X-Huge: {}", "h".repeat(rng.random_range(500_000..900_000))).into_bytes());
        }
        14 if has_body => {
            refusable = Some("conflicting body framing");
            lines.push(one(rng, &["Content-Length: 5", "Content-Length: -1", "Content-Length: x", "Transfer-Encoding: gzip"]).into());
        }
        _ => {}
    }
    (lines, refusable)
}

fn body(rng: &mut StdRng, t: &Target, target: &[u8]) -> Vec<u8> {
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
