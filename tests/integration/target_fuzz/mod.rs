//! Every answer of a target is SCIM (issue 19): seeded malformed requests,
//! sent as raw bytes over loopback TCP to four targets of this process
//! (the strict `generic-rfc`, `generic-rfc` taking bodies up to 4 MiB, and
//! the vendor-shaped `atlassian` and `aws-iam-identity-center`, whose
//! error bodies carry AWS's stray keys), each answer judged on its own.
//! With no fault set, an answer is one of:
//!
//! - a SCIM answer: `application/scim+json`, a JSON object with `schemas`
//!   (2xx), or no body (204, HEAD);
//! - a SCIM error (RFC 7644 §3.12): `application/scim+json`, `schemas`
//!   holding the Error URN, `status` the HTTP status as a string; a 5xx
//!   only where the RFC asks for 501 (`/Me`, a feature the profile lacks);
//! - for a request that is not HTTP/1.1 at all (a broken request line or
//!   header, a target no URI may be) or over hyper's limits (a target over
//!   64 KiB, a head over about 400 KiB, more than 100 headers), hyper's own
//!   400, 414 or 431 with an empty body: it never reached the target;
//! - on the OAuth token endpoint, RFC 6749's JSON.
//!
//! Never a framework's plain text, never a hang, never a dropped
//! connection. `FUZZ_REQUESTS` (default 20,000) and `FUZZ_SEED` change the
//! run; `FUZZ_ONLY=N` sends request N alone, to replay a failure.

mod bodies;
mod requests;
mod wire;
mod words;

use requests::Fuzzed;
use scimulate::mock::profile::Profile;
use scimulate::serve::{self, ServeOptions, TargetAuth};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;
use wire::{Answer, Connection};
use words::Target;

const DEFAULT_REQUESTS: u64 = 20_000;
const DEFAULT_SEED: u64 = 0x5c1a_f022;
/// Requests in flight at once, each on its own connection.
const WORKERS: u64 = 8;
const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const TOKEN_PATH: &str = "/oauth/token";

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => {
            let v = v.trim();
            let parsed = match v.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => v.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("{name}={v:?} is not a number"))
        }
        Err(_) => default,
    }
}

/// A profile's targets, with a few users and groups the requests can name.
async fn targets(serving: &serve::Serving) -> Vec<Target> {
    let http = reqwest::Client::new();
    let mut out = Vec::new();
    for running in &serving.targets {
        let state = &running.state;
        let endpoint = &serving.endpoints.targets[&state.name];
        let TargetAuth::Bearer { token } = &endpoint.auth else {
            panic!("the fuzzed profiles use bearer tokens");
        };
        let base = &endpoint.direct_url;
        let mut target = Target {
            addr: running.addr,
            base_path: state.profile.base_path.trim_end_matches('/').to_owned(),
            token: token.clone(),
            max_payload: state.max_payload(),
            user_ids: Vec::new(),
            group_ids: Vec::new(),
        };
        for (kind, body) in (0..6)
            .map(|i| ("Users", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": format!("seed{i}@fuzz.test")})))
            .chain((0..2).map(|i| ("Groups", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": format!("seed-group-{i}")}))))
        {
            let created: Value = http
                .post(format!("{base}/{kind}"))
                .bearer_auth(token)
                .header("content-type", "application/scim+json")
                .body(body.to_string())
                .send()
                .await
                .expect("seeding request")
                .json()
                .await
                .expect("a created resource");
            let id = created["id"].as_str().expect("an id").to_owned();
            match kind {
                "Users" => target.user_ids.push(id),
                _ => target.group_ids.push(id),
            }
        }
        out.push(target);
    }
    out
}

/// The part of a request target before `?`, from the path on (an
/// absolute-form target loses its scheme and authority).
fn path_of(target: &[u8]) -> &[u8] {
    let path = target.split(|&b| b == b'?').next().unwrap_or(b"");
    match path.strip_prefix(b"http://") {
        Some(rest) => rest
            .iter()
            .position(|&b| b == b'/')
            .map_or(b"", |i| &rest[i..]),
        None => path,
    }
}

fn is_scim_json(answer: &Answer) -> bool {
    answer.header("content-type").is_some_and(|ct| {
        ct.split(';')
            .next()
            .is_some_and(|e| e.trim().eq_ignore_ascii_case("application/scim+json"))
    })
}

/// Where RFC 7644 itself asks for 501: `/Me` (§3.11), and a feature the
/// target does not offer (§3.5.2 PATCH, §3.7 Bulk, §3.4.2.2 filtering).
/// `detail` is the error's (none for HEAD).
fn rfc_501(profile: &Profile, fuzzed: &Fuzzed, detail: &str) -> bool {
    let path = String::from_utf8_lossy(path_of(&fuzzed.target));
    path.ends_with("/Me")
        || (profile.features.bulk.is_none() && detail.contains("/Bulk"))
        || (!profile.features.patch && detail.contains("PATCH"))
        || (profile.features.filter.is_none() && detail.contains("filtering"))
}

/// Why `answer` is not one a target may give to `fuzzed`, if it is not.
fn judge(profile: &Profile, fuzzed: &Fuzzed, answer: &Answer) -> Result<(), String> {
    let status = answer.status;
    let hyper_refusal = answer.header("content-type").is_none()
        && answer.body.is_empty()
        && matches!(status, 400 | 414 | 431);
    if hyper_refusal {
        return match fuzzed.refusable {
            Some(_) => Ok(()),
            None => Err(format!(
                "a bodyless {status} from the HTTP layer for a well-formed request"
            )),
        };
    }
    if fuzzed.method == b"POST" && path_of(&fuzzed.target) == TOKEN_PATH.as_bytes() {
        // RFC 6749 §5.1/§5.2, not SCIM: the token endpoint speaks OAuth.
        let body: Value = serde_json::from_slice(&answer.body)
            .map_err(|e| format!("the token endpoint's answer is not JSON: {e}"))?;
        return if body["error"].is_string() || body["access_token"].is_string() {
            Ok(())
        } else {
            Err("the token endpoint's answer is not RFC 6749's".to_owned())
        };
    }
    if status == 204 || (status == 304 && fuzzed.conditional_get()) {
        return match answer.body.is_empty() {
            true => Ok(()),
            false => Err(format!("a {status} with a body")),
        };
    }
    if !is_scim_json(answer) {
        return Err(format!(
            "Content-Type {:?}, not application/scim+json",
            answer.header("content-type")
        ));
    }
    if fuzzed.head {
        return match answer.body.is_empty() {
            true if status < 500 || (status == 501 && rfc_501(profile, fuzzed, "")) => Ok(()),
            true => Err(format!("a {status} to a HEAD request")),
            false => Err(format!("a body with a {status} to HEAD")),
        };
    }
    let body: Value =
        serde_json::from_slice(&answer.body).map_err(|e| format!("the body is not JSON: {e}"))?;
    let schemas: Vec<&str> = body["schemas"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    match status {
        200..=299 if !schemas.is_empty() => Ok(()),
        200..=299 => Err(format!("a {status} whose body has no schemas")),
        400..=499 | 501 => {
            if !schemas.contains(&ERROR_URN) {
                return Err(format!("a {status} whose body is not a SCIM error"));
            }
            if body["status"] != json!(status.to_string()) {
                return Err(format!(
                    "a {status} whose error says status {}",
                    body["status"]
                ));
            }
            if status == 501 && !rfc_501(profile, fuzzed, body["detail"].as_str().unwrap_or("")) {
                return Err("a 501 where RFC 7644 does not ask for one".to_owned());
            }
            Ok(())
        }
        _ => Err(format!("status {status} with no fault set")),
    }
}

/// The request as text a person can read: bytes that are not printable
/// escaped, long runs cut.
fn show(bytes: &[u8]) -> String {
    const LIMIT: usize = 3000;
    let text: String = bytes
        .iter()
        .take(LIMIT)
        .flat_map(|&b| std::ascii::escape_default(b))
        .map(char::from)
        .collect();
    if bytes.len() > LIMIT {
        format!("{text}… ({} bytes in all)", bytes.len())
    } else {
        text
    }
}

/// Sends request `index` (on `reuse` when it may share a connection) and
/// judges the answer; the connection comes back when it can carry another.
async fn one(
    seed: u64,
    index: u64,
    targets: &[Target],
    profiles: &[Profile],
    reuse: Option<Connection>,
) -> Result<(Option<Connection>, u16), String> {
    let mut rng = requests::rng_for(seed, index);
    let pick = index as usize % targets.len();
    let fuzzed = requests::generate(&mut rng, &targets[pick]);
    let fail = |why: String| {
        format!(
            "request {index} of seed {seed:#x} to {} ({}): {why}\n\
             replay: FUZZ_SEED={seed:#x} FUZZ_ONLY={index} cargo test --test integration target_fuzz\n\
             request: {}",
            profiles[pick].name,
            fuzzed.refusable.unwrap_or("well-formed"),
            show(&fuzzed.bytes)
        )
    };
    let mut connection = match reuse {
        Some(c) if !fuzzed.fresh => c,
        _ => Connection::open(targets[pick].addr)
            .await
            .map_err(|e| fail(format!("cannot connect: {e}")))?,
    };
    let answer = tokio::time::timeout(
        wire::EXCHANGE_TIMEOUT,
        connection.exchange(&fuzzed.bytes, fuzzed.head),
    )
    .await
    .map_err(|_| fail(format!("no answer within {:?}", wire::EXCHANGE_TIMEOUT)))?
    .map_err(&fail)?;
    judge(&profiles[pick], &fuzzed, &answer).map_err(|why| {
        fail(format!(
            "{why}\nanswer: {} {:?}\n{}",
            answer.status,
            answer.headers,
            show(&answer.body)
        ))
    })?;
    Ok((
        (!answer.closes && !fuzzed.fresh).then_some(connection),
        answer.status,
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_to_any_request_is_scim() {
    let requests = env_u64("FUZZ_REQUESTS", DEFAULT_REQUESTS);
    let seed = env_u64("FUZZ_SEED", DEFAULT_SEED);
    let only = std::env::var("FUZZ_ONLY")
        .ok()
        .map(|_| env_u64("FUZZ_ONLY", 0));
    let names = [
        "generic-rfc",
        "generic-rfc",
        "atlassian",
        "aws-iam-identity-center",
    ];
    let mut profiles: Vec<Profile> = names
        .iter()
        .map(|name| Profile::resolve(name).expect("a shipped profile"))
        .collect();
    // Bodies larger than axum's own default limit (2 MiB).
    if let Some(bulk) = &mut profiles[1].features.bulk {
        bulk.max_payload_size = 4 << 20;
    }
    let serving = serve::start(profiles.clone(), &ServeOptions::default())
        .await
        .expect("serve");
    let targets = Arc::new(targets(&serving).await);
    let profiles = Arc::new(profiles);
    let started = Instant::now();
    println!("target_fuzz: seed {seed:#x}, {requests} requests");

    let indices: Vec<u64> = match only {
        Some(i) => vec![i],
        None => (0..requests).collect(),
    };
    let indices = Arc::new(indices);
    let mut workers = tokio::task::JoinSet::new();
    for w in 0..WORKERS {
        let (targets, profiles, indices) = (targets.clone(), profiles.clone(), indices.clone());
        workers.spawn(async move {
            let mut connections: Vec<Option<Connection>> = targets.iter().map(|_| None).collect();
            let mut statuses = BTreeMap::new();
            for &index in indices.iter().skip(w as usize).step_by(WORKERS as usize) {
                let pick = index as usize % targets.len();
                let reuse = connections[pick].take();
                let (kept, status) = one(seed, index, &targets, &profiles, reuse).await?;
                connections[pick] = kept;
                *statuses.entry(status).or_insert(0u64) += 1;
            }
            Ok::<_, String>(statuses)
        });
    }
    let mut failures = Vec::new();
    let mut statuses = BTreeMap::new();
    while let Some(done) = workers.join_next().await {
        match done.expect("a worker task") {
            Ok(counted) => counted
                .into_iter()
                .for_each(|(s, n)| *statuses.entry(s).or_insert(0) += n),
            Err(why) => failures.push(why),
        }
    }
    let elapsed = started.elapsed();
    println!(
        "target_fuzz: {} requests in {:.1} s; answers by status: {statuses:?}",
        indices.len(),
        elapsed.as_secs_f64()
    );
    serving.shutdown().await.expect("shutdown");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
