//! The proxy in front of a target of this process reaches it through an
//! in-memory pipe, not loopback TCP, and the toxics act on that path as on
//! a socket. The upstream address named here has nothing listening on it,
//! so every byte that comes back went through the pipe.

use scimulate::netproxy::Registry;
use serde_json::json;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::timeout;

const BOUND: Duration = Duration::from_secs(10);
/// Port 1 on loopback: nothing listens there, a TCP connect is refused.
const NOBODY: &str = "127.0.0.1:1";

/// A proxy `p` whose upstream is registered as served in memory; the
/// receiver gets the target's end of each pipe.
async fn proxy() -> (Registry, String, mpsc::Receiver<DuplexStream>) {
    let r = Registry::new(7, Ipv4Addr::LOCALHOST.into());
    let (tx, rx) = mpsc::channel(8);
    r.local_upstreams().register(NOBODY.to_owned(), tx);
    let p = r
        .create(&json!({"name": "p", "listen": "127.0.0.1:0", "upstream": NOBODY}))
        .await
        .unwrap();
    (r, p.listen, rx)
}

/// Echoes every pipe it is handed.
fn echo(mut pipes: mpsc::Receiver<DuplexStream>) {
    tokio::spawn(async move {
        while let Some(pipe) = pipes.recv().await {
            tokio::spawn(async move {
                let (mut r, mut w) = tokio::io::split(pipe);
                let _ = tokio::io::copy(&mut r, &mut w).await;
            });
        }
    });
}

async fn round_trip(addr: &str, msg: &[u8]) -> (Vec<u8>, Duration) {
    let mut s = timeout(BOUND, TcpStream::connect(addr))
        .await
        .unwrap()
        .unwrap();
    let start = Instant::now();
    s.write_all(msg).await.unwrap();
    let mut got = vec![0u8; msg.len()];
    timeout(BOUND, s.read_exact(&mut got))
        .await
        .expect("bounded read")
        .unwrap();
    (got, start.elapsed())
}

#[tokio::test]
async fn a_target_of_this_process_is_reached_in_memory() {
    let (_r, addr, pipes) = proxy().await;
    echo(pipes);
    let (got, _) = round_trip(&addr, b"GET /scim/v2/Users HTTP/1.1\r\n\r\n").await;
    assert_eq!(got, b"GET /scim/v2/Users HTTP/1.1\r\n\r\n");
}

#[tokio::test]
async fn toxics_act_on_the_in_memory_path() {
    let (r, addr, pipes) = proxy().await;
    echo(pipes);
    r.add_toxic(
        "p",
        &json!({"name": "slow", "type": "latency", "stream": "downstream", "attributes": {"latency": 200}}),
    )
    .await
    .unwrap();
    let (got, took) = round_trip(&addr, b"ping").await;
    assert_eq!(got, b"ping");
    assert!(took >= Duration::from_millis(200), "took {took:?}");

    // limit_data closes the connection after the bytes it allows.
    r.add_toxic(
        "p",
        &json!({"name": "cut", "type": "limit_data", "stream": "downstream", "attributes": {"bytes": 3}}),
    )
    .await
    .unwrap();
    let mut s = TcpStream::connect(&addr).await.unwrap();
    s.write_all(b"abcdef").await.unwrap();
    let mut got = Vec::new();
    timeout(BOUND, s.read_to_end(&mut got))
        .await
        .expect("bounded read")
        .unwrap();
    assert_eq!(got, b"abc");
}

#[tokio::test]
async fn a_stopped_target_refuses_like_a_closed_port() {
    let (_r, addr, pipes) = proxy().await;
    drop(pipes);
    let mut s = TcpStream::connect(&addr).await.unwrap();
    let mut got = Vec::new();
    // The proxy closes the client at once, as for an unreachable upstream.
    let read = timeout(BOUND, s.read_to_end(&mut got))
        .await
        .expect("bounded read");
    assert!(read.is_err() || got.is_empty(), "{read:?} {got:?}");
}
