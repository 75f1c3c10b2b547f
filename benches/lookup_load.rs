//! Load run for the store and the HTTP surface (issue #2):
//!
//! 1. 100k seeded users; `GET /Users?filter=userName eq "…"` over keep-alive
//!    HTTP/1.1 at 16 and 64 connections: throughput and p99. In the same
//!    run, a minimal axum handler answering a body of the same size on its
//!    own runtime: this machine's ceiling. Goal: at least half of it.
//! 2. The same lookups against 1k and 1M users (goal: within 10%).
//! 3. Memory per stored user: RSS with 1M users minus RSS with 1k users.
//!
//! `cargo bench --bench lookup_load`; results also go to
//! target/bench-results.json. LOAD_SECS (default 5) sets each measurement.

use axum::Router;
use axum::routing::get;
use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use scimulate::mock::journal::DEFAULT_CAPACITY;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

struct Server {
    child: Child,
    addr: SocketAddr,
    path_prefix: String,
    token: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn binary() -> PathBuf {
    option_env!("CARGO_BIN_EXE_scimulate")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/release/scimulate"))
}

/// Starts `scimulate serve` with `users` seeded users; waits (bounded) for
/// its ready file.
fn serve(users: usize) -> Server {
    let dir = tempfile::tempdir().expect("tempdir");
    let profile = dir.path().join("bench.yaml");
    std::fs::write(
        &profile,
        format!("name: bench\nseed: {{ users: {users} }}\n"),
    )
    .expect("profile");
    let ready = dir.path().join("endpoints.json");
    let child = Command::new(binary())
        .args([
            "serve",
            profile.to_str().unwrap(),
            "--ready-file",
            ready.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start scimulate serve (run `cargo bench`, which builds it)");
    let deadline = Instant::now() + Duration::from_secs(300);
    while !ready.exists() {
        assert!(Instant::now() < deadline, "serve did not become ready");
        std::thread::sleep(Duration::from_millis(50));
    }
    let endpoints: Value = serde_json::from_slice(&std::fs::read(&ready).unwrap()).unwrap();
    let target = &endpoints["targets"]["bench"];
    // The target's own listener: the bench measures the target, not the
    // network proxy in front of it.
    let base = target["direct_url"].as_str().unwrap();
    let rest = base.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    Server {
        child,
        addr: host.parse().unwrap(),
        path_prefix: format!("/{path}"),
        token: target["auth"]["token"].as_str().unwrap().to_owned(),
        _dir: dir,
    }
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

struct Result {
    rps: f64,
    p99_us: u64,
    body_bytes: usize,
}

/// `conns` keep-alive connections, each sending lookups back to back.
async fn load(
    addr: SocketAddr,
    conns: usize,
    secs: f64,
    make_path: Arc<dyn Fn(u64) -> String + Send + Sync>,
    token: Option<String>,
) -> Result {
    load_until(addr, conns, Budget::Seconds(secs), make_path, token).await
}

/// How long a load lasts: measured seconds after a short warm-up, or a
/// number of requests per connection (a warm-up of its own).
#[derive(Clone, Copy)]
enum Budget {
    Seconds(f64),
    Requests(u64),
}

async fn load_until(
    addr: SocketAddr,
    conns: usize,
    budget: Budget,
    make_path: Arc<dyn Fn(u64) -> String + Send + Sync>,
    token: Option<String>,
) -> Result {
    let warmup = Duration::from_millis(500);
    let start = Instant::now();
    let measure_from = start + warmup;
    let (secs, end, per_conn) = match budget {
        Budget::Seconds(secs) => (secs, measure_from + Duration::from_secs_f64(secs), u64::MAX),
        // Bounded all the same: a warm-up never runs for more than 10 min.
        Budget::Requests(n) => (0.0, start + Duration::from_secs(600), n),
    };
    let mut tasks = Vec::new();
    for c in 0..conns {
        let make_path = make_path.clone();
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let stream = TcpStream::connect(addr).await.expect("connect");
            stream.set_nodelay(true).unwrap();
            let (mut sender, conn) = http1::handshake(TokioIo::new(stream))
                .await
                .expect("handshake");
            tokio::spawn(conn);
            let mut hist = Histogram::<u64>::new(3).unwrap();
            let mut count = 0u64;
            let mut body_bytes = 0;
            // A seeded, per-connection sequence of users to look up.
            let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ c as u64;
            for _ in 0..per_conn {
                let now = Instant::now();
                if now >= end {
                    break;
                }
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let mut req = Request::get(make_path(state >> 33)).header("host", "bench");
                if let Some(t) = &token {
                    req = req.header("authorization", format!("Bearer {t}"));
                }
                let resp = sender
                    .send_request(req.body(Empty::<Bytes>::new()).unwrap())
                    .await
                    .expect("request");
                assert_eq!(resp.status(), 200);
                let body = resp.into_body().collect().await.unwrap().to_bytes();
                body_bytes = body.len();
                if now >= measure_from {
                    hist.record(now.elapsed().as_micros() as u64).unwrap();
                    count += 1;
                }
            }
            (count, hist, body_bytes)
        }));
    }
    let mut total = 0;
    let mut hist = Histogram::<u64>::new(3).unwrap();
    let mut body_bytes = 0;
    for t in tasks {
        let (n, h, b) = t.await.unwrap();
        total += n;
        hist.add(h).unwrap();
        body_bytes = b;
    }
    let secs = match budget {
        Budget::Seconds(_) => secs,
        Budget::Requests(_) => measure_from.elapsed().as_secs_f64(),
    };
    Result {
        rps: total as f64 / secs,
        p99_us: hist.value_at_quantile(0.99),
        body_bytes,
    }
}

/// Measured rounds per comparison; the median is kept.
const ROUNDS: usize = 5;

fn median(mut runs: Vec<Result>) -> Result {
    runs.sort_by(|a, b| a.rps.total_cmp(&b.rps));
    runs.swap_remove(runs.len() / 2)
}

/// Brings a server to its steady state before it is measured: its
/// journal keeps the last [`DEFAULT_CAPACITY`] requests, and until it is
/// full every request also pays for first-touch memory (the first five
/// seconds ran 15–20% slower than the next ones). Measuring that phase
/// against a ceiling with no journal would compare a start-up cost, not
/// throughput; the README says so.
///
/// Prints and returns what the cold server managed meanwhile, for the
/// record.
fn warm_up(rt: &tokio::runtime::Runtime, server: &Server, users: u64) -> Result {
    let conns = 16;
    let per_conn = (DEFAULT_CAPACITY as u64).div_ceil(conns as u64) + 1_000;
    let cold = rt.block_on(load_until(
        server.addr,
        conns,
        Budget::Requests(per_conn),
        lookup_path(server, users),
        Some(server.token.clone()),
    ));
    println!(
        "    warm-up, {users} users, 16 conns, journal filling: {:>9.0} req/s p99 {:>6} µs",
        cold.rps, cold.p99_us
    );
    cold
}

fn lookup_path(server: &Server, users: u64) -> Arc<dyn Fn(u64) -> String + Send + Sync> {
    let prefix = server.path_prefix.clone();
    Arc::new(move |r| {
        let k = r % users + 1;
        format!("{prefix}/Users?filter=userName%20eq%20%22user{k}%40example.com%22")
    })
}

/// A minimal axum server on its own 2-thread runtime, like `serve`'s.
fn ceiling(body: Vec<u8>) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let body = Bytes::from(body);
            let app = Router::new().route(
                "/Users",
                get(move || {
                    let body = body.clone();
                    async move { ([("content-type", "application/scim+json")], body) }
                }),
            );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` / `cargo test --benches`
    }
    let secs: f64 = std::env::var("LOAD_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5.0);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut report = serde_json::Map::new();

    // LOAD_ONLY=lookup: only scimulate's lookups at 16 connections
    // (LOAD_USERS users, default 100k), for profiling the server
    // (`perf record -p`).
    if std::env::var("LOAD_ONLY").as_deref() == Ok("lookup") {
        let users: u64 = std::env::var("LOAD_USERS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(100_000);
        let server = serve(users as usize);
        println!("serve pid {}", server.child.id());
        warm_up(&rt, &server, users);
        println!("warmed up");
        for _ in 0..ROUNDS {
            let r = rt.block_on(load(
                server.addr,
                16,
                secs,
                lookup_path(&server, users),
                Some(server.token.clone()),
            ));
            println!(
                "16 conns: scimulate {:>9.0} req/s p99 {:>6} µs",
                r.rps, r.p99_us
            );
        }
        return;
    }

    println!("== 100k users: userName eq over keep-alive, vs a minimal axum handler");
    let server = serve(100_000);
    let cold = warm_up(&rt, &server, 100_000);
    report.insert(
        "lookup_100k_16_conns_cold".into(),
        json!({"rps": cold.rps, "p99_us": cold.p99_us}),
    );
    let probe = rt.block_on(load(
        server.addr,
        1,
        0.5,
        lookup_path(&server, 100_000),
        Some(server.token.clone()),
    ));
    let ceiling_addr = ceiling(vec![b'x'; probe.body_bytes]);
    for conns in [16, 64] {
        // In turns, ROUNDS rounds, medians kept: drift on a shared machine
        // (the ceiling alone moved from 93k to 117k req/s between runs)
        // hits both sides alike.
        let mut reals = Vec::new();
        let mut ceils = Vec::new();
        let mut ratios = Vec::new();
        for _ in 0..ROUNDS {
            let real = rt.block_on(load(
                server.addr,
                conns,
                secs,
                lookup_path(&server, 100_000),
                Some(server.token.clone()),
            ));
            let ceil = rt.block_on(load(
                ceiling_addr,
                conns,
                secs,
                Arc::new(|_| "/Users".to_owned()),
                None,
            ));
            println!(
                "{conns:>3} conns: scimulate {:>9.0} req/s p99 {:>6} µs | ceiling {:>9.0} req/s p99 {:>6} µs | ratio {:.2}",
                real.rps,
                real.p99_us,
                ceil.rps,
                ceil.p99_us,
                real.rps / ceil.rps
            );
            ratios.push(real.rps / ceil.rps);
            reals.push(real);
            ceils.push(ceil);
        }
        ratios.sort_by(f64::total_cmp);
        let ratio = ratios[ROUNDS / 2];
        let (real, ceil) = (median(reals), median(ceils));
        println!(
            "{conns:>3} conns, median of {ROUNDS}: scimulate {:>9.0} req/s p99 {:>6} µs | ceiling {:>9.0} req/s | ratio {ratio:.2} (goal ≥ 0.50) | body {} B",
            real.rps, real.p99_us, ceil.rps, real.body_bytes
        );
        report.insert(
            format!("lookup_100k_{conns}_conns"),
            json!({"rps": real.rps, "p99_us": real.p99_us, "ceiling_rps": ceil.rps,
                   "ceiling_p99_us": ceil.p99_us, "ratio": ratio, "ratios": ratios,
                   "body_bytes": real.body_bytes}),
        );
    }
    drop(server);

    println!("== 1k vs 1M users (16 conns) and memory per user");
    // Both servers up at once; each warmed up, then measured in turns and
    // the median kept, so drift on a shared machine hits both alike.
    let small = serve(1_000);
    let small_rss = rss_kib(small.child.id());
    let big = serve(1_000_000);
    let big_rss = rss_kib(big.child.id());
    let run = |server: &Server, users: u64, secs: f64| {
        rt.block_on(load(
            server.addr,
            16,
            secs,
            lookup_path(server, users),
            Some(server.token.clone()),
        ))
    };
    warm_up(&rt, &small, 1_000);
    warm_up(&rt, &big, 1_000_000);
    let mut smalls = Vec::new();
    let mut bigs = Vec::new();
    for _ in 0..ROUNDS {
        smalls.push(run(&small, 1_000, secs));
        bigs.push(run(&big, 1_000_000, secs));
    }
    drop(small);
    drop(big);
    let (s, b) = (median(smalls), median(bigs));
    let change = (b.rps - s.rps) / s.rps;
    let per_user = (big_rss.saturating_sub(small_rss)) as f64 * 1024.0 / 999_000.0;
    println!(
        "1k users {:>9.0} req/s p99 {} µs | 1M users {:>9.0} req/s p99 {} µs | change {:+.1}% (goal within ±10%)",
        s.rps,
        s.p99_us,
        b.rps,
        b.p99_us,
        change * 100.0
    );
    println!(
        "RSS 1k users {small_rss} KiB, 1M users {big_rss} KiB: {per_user:.0} bytes per stored user"
    );
    report.insert(
        "lookup_1k_16_conns".into(),
        json!({"rps": s.rps, "p99_us": s.p99_us}),
    );
    report.insert(
        "lookup_1m_16_conns".into(),
        json!({"rps": b.rps, "p99_us": b.p99_us, "change": change}),
    );
    report.insert(
        "memory".into(),
        json!({"rss_1k_kib": small_rss, "rss_1m_kib": big_rss, "bytes_per_user": per_user}),
    );

    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-results.json");
    std::fs::write(
        &out,
        serde_json::to_vec_pretty(&Value::Object(report)).unwrap(),
    )
    .unwrap();
    println!("results: {}", out.display());
}
