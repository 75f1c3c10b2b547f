//! The network path connectors use. In every scenario a connector talks to
//! a target's `base_url`, which is the built-in network proxy in front of
//! the target's own listener (`direct_url`). This bench measures both
//! paths side by side in one run, 100k seeded users, `userName eq` lookups
//! over keep-alive HTTP/1.1:
//!
//! 1. 16 connections: throughput through the proxy against direct
//!    (goal: at least 0.8).
//! 2. 1 connection: the p50 the proxy adds (goal: at most 50 µs).
//! 3. A `latency` toxic of 100 ms on the downstream: the p50 it adds
//!    (goal: 100 ms ± 2 ms).
//!
//! `cargo bench --bench proxy_path`; LOAD_SECS (default 5) sets each
//! measurement; results also go to target/bench-proxy-path.json.
//! `LOAD_ONLY=proxy` runs only the 16-connection load through the proxy,
//! after printing the server's pid and `warmed up` (for `perf record -p`).

mod common;

use common::{ROUNDS, Server, load, lookup_path, median, serve, warm_up, warm_up_at};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

const USERS: u64 = 100_000;

fn measure(
    rt: &tokio::runtime::Runtime,
    server: &Server,
    addr: SocketAddr,
    conns: usize,
    secs: f64,
) -> common::Result {
    rt.block_on(load(
        addr,
        conns,
        secs,
        lookup_path(server, USERS),
        Some(server.token.clone()),
    ))
}

/// One request to the Toxiproxy-compatible API; panics on anything but 2xx
/// (a bench with a toxic that did not take would measure nothing).
fn toxiproxy(api: &str, method: &str, path: &str, body: &str) {
    let addr = api.strip_prefix("http://").expect("http API");
    let mut s = TcpStream::connect(addr).expect("connect to the Toxiproxy API");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    let status = answer.split(' ').nth(1).unwrap_or("");
    assert!(status.starts_with('2'), "{method} {path}: {answer}");
}

/// Median of `ROUNDS` rounds on each path, taken in turns so drift on a
/// shared machine hits both alike.
fn side_by_side(
    rt: &tokio::runtime::Runtime,
    server: &Server,
    relay: Option<SocketAddr>,
    conns: usize,
    secs: f64,
) -> (common::Result, common::Result, Option<common::Result>) {
    let mut direct = Vec::new();
    let mut proxied = Vec::new();
    let mut relayed = Vec::new();
    for _ in 0..ROUNDS {
        let d = measure(rt, server, server.addr, conns, secs);
        let p = measure(rt, server, server.proxied, conns, secs);
        print!(
            "{conns:>3} conns: direct {:>8.0} req/s p50 {:>6} µs | proxy {:>8.0} req/s p50 {:>6} µs",
            d.rps, d.p50_us, p.rps, p.p50_us
        );
        if let Some(addr) = relay {
            let r = measure(rt, server, addr, conns, secs);
            print!(" | bare relay {:>8.0} req/s p50 {:>6} µs", r.rps, r.p50_us);
            relayed.push(r);
        }
        println!();
        direct.push(d);
        proxied.push(p);
    }
    let relayed = (!relayed.is_empty()).then(|| median(relayed));
    (median(direct), median(proxied), relayed)
}

/// The least any user-space TCP proxy can cost: tokio's
/// `copy_bidirectional` per connection, on a 2-thread runtime of its own
/// (like `serve`'s), in front of the same direct listener. Ours is
/// measured against it too, so a gap the machine imposes is told apart
/// from one ours adds.
fn bare_relay(upstream: SocketAddr) -> SocketAddr {
    common::on_own_runtime(move |listener| async move {
        loop {
            let (mut client, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let mut server = tokio::net::TcpStream::connect(upstream).await.unwrap();
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
            });
        }
    })
}

fn main() {
    if common::listing() {
        return;
    }
    let (secs, rt) = (common::load_secs(), common::runtime());
    let server = serve(USERS as usize);
    warm_up(&rt, &server, USERS);
    warm_up_at(&rt, &server, server.proxied, USERS);
    if std::env::var("LOAD_ONLY").as_deref() == Ok("proxy") {
        println!("serve pid {}\nwarmed up", server.child.id());
        for _ in 0..ROUNDS {
            let p = measure(&rt, &server, server.proxied, 16, secs);
            println!(
                "16 conns: proxy {:>8.0} req/s p50 {:>6} µs",
                p.rps, p.p50_us
            );
        }
        return;
    }
    let mut report = serde_json::Map::new();

    let relay = bare_relay(server.addr);
    warm_up_at(&rt, &server, relay, USERS);
    println!(
        "== 16 connections: through the proxy (base_url) against direct (direct_url) and a bare relay"
    );
    let (d, p, r) = side_by_side(&rt, &server, Some(relay), 16, secs);
    let r = r.expect("relay measured");
    let ratio = p.rps / d.rps;
    println!(
        "16 conns, median of {ROUNDS}: direct {:.0} req/s | proxy {:.0} req/s | ratio {ratio:.2} (goal ≥ 0.80) | bare relay {:.0} req/s, ratio {:.2}",
        d.rps,
        p.rps,
        r.rps,
        r.rps / d.rps
    );
    report.insert(
        "conns_16".into(),
        json!({"direct_rps": d.rps, "proxy_rps": p.rps, "ratio": ratio,
               "direct_p99_us": d.p99_us, "proxy_p99_us": p.p99_us,
               "bare_relay_rps": r.rps, "bare_relay_ratio": r.rps / d.rps}),
    );

    println!("== 1 connection: latency the proxy adds");
    let (d, p, _) = side_by_side(&rt, &server, None, 1, secs);
    let added = p.p50_us as i64 - d.p50_us as i64;
    println!(
        "1 conn, median of {ROUNDS}: direct p50 {} µs ({:.0} req/s) | proxy p50 {} µs ({:.0} req/s) | added {added} µs (goal ≤ 50 µs)",
        d.p50_us, d.rps, p.p50_us, p.rps
    );
    report.insert(
        "conns_1".into(),
        json!({"direct_p50_us": d.p50_us, "proxy_p50_us": p.p50_us, "added_p50_us": added,
               "direct_rps": d.rps, "proxy_rps": p.rps}),
    );

    println!("== a latency toxic of 100 ms (downstream), 1 connection");
    toxiproxy(
        &server.toxiproxy,
        "POST",
        "/proxies/bench/toxics",
        r#"{"name":"bench_latency","type":"latency","stream":"downstream","attributes":{"latency":100}}"#,
    );
    // Two seconds a round: about 20 requests at 100 ms each.
    let (d, p, _) = side_by_side(&rt, &server, None, 1, secs.min(2.0));
    toxiproxy(
        &server.toxiproxy,
        "DELETE",
        "/proxies/bench/toxics/bench_latency",
        "",
    );
    let added_ms = (p.p50_us as f64 - d.p50_us as f64) / 1000.0;
    println!(
        "latency 100 ms: direct p50 {} µs | proxy p50 {} µs | added {added_ms:.2} ms (goal 100 ± 2 ms)",
        d.p50_us, p.p50_us
    );
    report.insert(
        "latency_100ms".into(),
        json!({"direct_p50_us": d.p50_us, "proxy_p50_us": p.p50_us, "added_ms": added_ms}),
    );

    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-proxy-path.json");
    std::fs::write(
        &out,
        serde_json::to_vec_pretty(&Value::Object(report)).unwrap(),
    )
    .unwrap();
    println!("results: {}", out.display());
}
