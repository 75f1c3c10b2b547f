//! The requests: each one drawn from its own seeded generator, so request
//! N of seed S is the same bytes whatever ran before it. Methods, request
//! targets, headers and bodies, from valid SCIM to garbage; the request
//! says when it is not valid HTTP/1.1 (RFC 9112) or its target not a valid
//! URI (RFC 3986), the only requests hyper may refuse before the target.

use super::bodies::body;
use super::words::{
    ENTERPRISE, GROUP, Target, USER, known_id, one, percent_encode, query, weighted,
};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

/// The longest request target hyper reads (the `http` crate's limit);
/// longer ones get its 414.
const MAX_URI: usize = u16::MAX as usize - 1;

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

/// Bytes RFC 3986 allows in a request target as they are.
fn uri_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&b)
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
