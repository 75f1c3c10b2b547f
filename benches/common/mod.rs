//! What the load benches share: a `scimulate serve` child with seeded
//! users, keep-alive HTTP/1.1 load with a latency histogram, medians of
//! rounds taken in turns.

#![allow(dead_code)] // each bench uses its own part

use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use scimulate::mock::journal::DEFAULT_CAPACITY;
use serde_json::Value;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

/// `cargo bench -- --list` and `cargo test --benches` ask a bench to list
/// itself: it has nothing to list, and must not start a load.
pub fn listing() -> bool {
    std::env::args().any(|a| a == "--list")
}

/// LOAD_SECS: seconds each measurement lasts (default 5).
pub fn load_secs() -> f64 {
    std::env::var("LOAD_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5.0)
}

/// The load generator's runtime.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// A server of the bench's own (a ceiling, a relay) on a 2-thread runtime
/// of its own, like `serve`'s, so it competes for the cores as scimulate
/// does: `serve` gets a loopback listener and runs until the process ends.
/// Returns the listener's address.
pub fn on_own_runtime<F, Fut>(serve: F) -> SocketAddr
where
    F: FnOnce(tokio::net::TcpListener) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            serve(listener).await;
        });
    });
    rx.recv().unwrap()
}

pub struct Server {
    pub child: Child,
    /// The target's own listener (`direct_url`).
    pub addr: SocketAddr,
    /// The built-in network proxy in front of it (`base_url`): the path
    /// every connector in a scenario uses.
    pub proxied: SocketAddr,
    /// The Toxiproxy-compatible API driving that proxy.
    pub toxiproxy: String,
    pub path_prefix: String,
    pub token: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn binary() -> PathBuf {
    option_env!("CARGO_BIN_EXE_scimulate")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/release/scimulate"))
}

/// Starts `scimulate serve` with `users` seeded users; waits (bounded) for
/// its ready file.
pub fn serve(users: usize) -> Server {
    serve_binary(&binary(), users)
}

/// [`serve`] with another build of scimulate (a baseline to compare with).
pub fn serve_binary(binary: &Path, users: usize) -> Server {
    let dir = tempfile::tempdir().expect("tempdir");
    let profile = dir.path().join("bench.yaml");
    std::fs::write(
        &profile,
        format!("name: bench\nseed: {{ users: {users} }}\n"),
    )
    .expect("profile");
    let ready = dir.path().join("endpoints.json");
    let child = Command::new(binary)
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
    let split = |url: &str| {
        let rest = url.strip_prefix("http://").unwrap().to_owned();
        let (host, path) = rest.split_once('/').unwrap();
        (host.parse::<SocketAddr>().unwrap(), format!("/{path}"))
    };
    let (addr, path_prefix) = split(target["direct_url"].as_str().unwrap());
    let (proxied, _) = split(target["base_url"].as_str().unwrap());
    Server {
        child,
        addr,
        proxied,
        toxiproxy: endpoints["toxiproxy"]["url"].as_str().unwrap().to_owned(),
        path_prefix,
        token: target["auth"]["token"].as_str().unwrap().to_owned(),
        _dir: dir,
    }
}

pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

pub struct Result {
    pub rps: f64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub body_bytes: usize,
}

/// `conns` keep-alive connections, each sending lookups back to back.
pub async fn load(
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
pub enum Budget {
    Seconds(f64),
    Requests(u64),
}

pub async fn load_until(
    addr: SocketAddr,
    conns: usize,
    budget: Budget,
    make_path: Arc<dyn Fn(u64) -> String + Send + Sync>,
    token: Option<String>,
) -> Result {
    let make: MakeRequest = Arc::new(move |r| {
        let mut req = Request::get(make_path(r >> 33)).header("host", "bench");
        if let Some(t) = &token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        req.body(Full::new(Bytes::new())).unwrap()
    });
    drive(addr, conns, budget, make, StatusCode::OK).await
}

/// Makes a connection's next request from a seeded per-connection number.
pub type MakeRequest = Arc<dyn Fn(u64) -> Request<Full<Bytes>> + Send + Sync>;

/// `POST /Users` of a new user each time (`salt` keeps rounds apart), as
/// a connector provisioning joiners sends it.
pub fn create_request(server: &Server, salt: u64) -> MakeRequest {
    let path = format!("{}/Users", server.path_prefix);
    let token = server.token.clone();
    Arc::new(move |r| {
        let body = format!(
            r#"{{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new{salt}x{r:016x}@example.com","externalId":"e{salt}x{r:016x}","name":{{"givenName":"New","familyName":"User{r:x}"}},"displayName":"New User{r:x}","emails":[{{"value":"new{salt}x{r:016x}@example.com","type":"work","primary":true}}],"active":true}}"#
        );
        Request::post(path.as_str())
            .header("host", "bench")
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/scim+json")
            .body(Full::new(Bytes::from(body)))
            .unwrap()
    })
}

/// `conns` keep-alive connections, each creating users back to back.
pub async fn create_load(server: &Server, conns: usize, secs: f64, salt: u64) -> Result {
    let make = create_request(server, salt);
    drive(
        server.addr,
        conns,
        Budget::Seconds(secs),
        make,
        StatusCode::CREATED,
    )
    .await
}

/// `conns` keep-alive connections, each sending what `make` makes back to
/// back and expecting `status`.
pub async fn drive(
    addr: SocketAddr,
    conns: usize,
    budget: Budget,
    make: MakeRequest,
    status: StatusCode,
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
        let make = make.clone();
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
                let resp = sender.send_request(make(state)).await.expect("request");
                assert_eq!(resp.status(), status);
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
        p50_us: hist.value_at_quantile(0.5),
        p99_us: hist.value_at_quantile(0.99),
        body_bytes,
    }
}

/// Measured rounds per comparison; the median is kept.
pub const ROUNDS: usize = 5;

pub fn median(mut runs: Vec<Result>) -> Result {
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
pub fn warm_up(rt: &tokio::runtime::Runtime, server: &Server, users: u64) -> Result {
    warm_up_at(rt, server, server.addr, users)
}

/// [`warm_up`] over `addr`: the direct listener or the proxy in front.
pub fn warm_up_at(
    rt: &tokio::runtime::Runtime,
    server: &Server,
    addr: SocketAddr,
    users: u64,
) -> Result {
    let conns = 16;
    let per_conn = (DEFAULT_CAPACITY as u64).div_ceil(conns as u64) + 1_000;
    let cold = rt.block_on(load_until(
        addr,
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

pub fn lookup_path(server: &Server, users: u64) -> Arc<dyn Fn(u64) -> String + Send + Sync> {
    let prefix = server.path_prefix.clone();
    Arc::new(move |r| {
        let k = r % users + 1;
        format!("{prefix}/Users?filter=userName%20eq%20%22user{k}%40example.com%22")
    })
}
