//! Each toxic over real TCP, through the built-in proxy to a small
//! upstream on loopback. Durations are lower bounds (what the toxic must
//! at least do), never races; every wait is bounded.

use scimulate::netproxy::Registry;
use serde_json::{Value, json};
use std::io::ErrorKind;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

const BOUND: Duration = Duration::from_secs(10);

/// Echoes every byte back; closes when the client does.
async fn echo_upstream() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            tokio::spawn(async move {
                let (mut r, mut w) = s.split();
                let _ = tokio::io::copy(&mut r, &mut w).await;
            });
        }
    });
    addr
}

/// Sends `data` to each client, then closes (`close`) or waits for the
/// client to close.
async fn sending_upstream(data: Vec<u8>, close: bool) -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let data = data.clone();
            tokio::spawn(async move {
                let _ = s.write_all(&data).await;
                if !close {
                    let mut sink = Vec::new();
                    let _ = s.read_to_end(&mut sink).await;
                }
            });
        }
    });
    addr
}

async fn proxy(seed: u64, upstream: SocketAddr, toxics: &[Value]) -> (Registry, String) {
    let r = Registry::new(seed, Ipv4Addr::LOCALHOST.into());
    let p = r
        .create(&json!({"name": "p", "listen": "127.0.0.1:0", "upstream": upstream.to_string()}))
        .await
        .unwrap();
    for t in toxics {
        r.add_toxic("p", t).await.unwrap();
    }
    (r, p.listen)
}

async fn connect(addr: &str) -> TcpStream {
    timeout(BOUND, TcpStream::connect(addr))
        .await
        .unwrap()
        .unwrap()
}

/// Reads until EOF; returns the bytes and how many reads delivered data.
async fn read_all(s: &mut TcpStream) -> std::io::Result<(Vec<u8>, usize)> {
    let mut out = Vec::new();
    let mut reads = 0;
    let mut buf = [0u8; 4096];
    loop {
        let n = timeout(BOUND, s.read(&mut buf))
            .await
            .expect("bounded read")?;
        if n == 0 {
            return Ok((out, reads));
        }
        reads += 1;
        out.extend_from_slice(&buf[..n]);
    }
}

async fn echo_once(addr: &str, msg: &[u8]) -> Vec<u8> {
    let mut s = connect(addr).await;
    s.write_all(msg).await.unwrap();
    s.shutdown().await.unwrap();
    read_all(&mut s).await.map(|(b, _)| b).unwrap_or_default()
}

#[tokio::test]
async fn latency_delays_every_answer_by_at_least_its_latency() {
    let toxic = json!({"type": "latency", "attributes": {"latency": 300, "jitter": 0}});
    let (_r, addr) = proxy(1, echo_upstream().await, &[toxic]).await;
    let mut s = connect(&addr).await;
    for _ in 0..2 {
        let start = Instant::now();
        s.write_all(b"ping").await.unwrap();
        let mut buf = [0u8; 4];
        timeout(BOUND, s.read_exact(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&buf, b"ping");
        assert!(
            start.elapsed() >= Duration::from_millis(300),
            "{:?}",
            start.elapsed()
        );
    }
}

#[tokio::test]
async fn bandwidth_caps_throughput() {
    // 20 KB/s: 10 000 bytes cannot arrive in less than 500 ms.
    let toxic = json!({"type": "bandwidth", "attributes": {"rate": 20}});
    let (_r, addr) = proxy(1, sending_upstream(vec![7; 10_000], true).await, &[toxic]).await;
    let start = Instant::now();
    let mut s = connect(&addr).await;
    let (got, _) = read_all(&mut s).await.unwrap();
    assert_eq!(got.len(), 10_000);
    assert!(
        start.elapsed() >= Duration::from_millis(500),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn reset_peer_resets_the_connection() {
    let toxic = json!({"type": "reset_peer", "stream": "upstream", "attributes": {"timeout": 0}});
    let (_r, addr) = proxy(1, echo_upstream().await, &[toxic]).await;
    let mut s = connect(&addr).await;
    s.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
    let err = read_all(&mut s)
        .await
        .expect_err("a reset, not a clean close");
    assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
}

#[tokio::test]
async fn timeout_stops_data_and_closes_after_the_timeout() {
    let toxic = json!({"type": "timeout", "stream": "upstream", "attributes": {"timeout": 300}});
    let (_r, addr) = proxy(1, echo_upstream().await, &[toxic]).await;
    let mut s = connect(&addr).await;
    let start = Instant::now();
    s.write_all(b"hello").await.unwrap();
    let (got, _) = read_all(&mut s).await.unwrap();
    assert!(got.is_empty(), "data must not pass: {got:?}");
    assert!(
        start.elapsed() >= Duration::from_millis(300),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn timeout_zero_holds_the_connection_open_without_data() {
    let toxic = json!({"type": "timeout", "attributes": {"timeout": 0}});
    let (r, addr) = proxy(1, echo_upstream().await, &[toxic]).await;
    let mut s = connect(&addr).await;
    s.write_all(b"hello").await.unwrap();
    let mut buf = [0u8; 8];
    let waited = timeout(Duration::from_millis(400), s.read(&mut buf)).await;
    assert!(waited.is_err(), "neither data nor a close: {waited:?}");
    // Removing the toxic lets data flow again on the same connection.
    r.remove_toxic("p", "timeout_downstream").await.unwrap();
    s.write_all(b"again").await.unwrap();
    let mut buf = [0u8; 5];
    timeout(BOUND, s.read_exact(&mut buf))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&buf, b"again");
}

#[tokio::test]
async fn limit_data_closes_after_n_bytes() {
    let toxic = json!({"type": "limit_data", "attributes": {"bytes": 100}});
    let (_r, addr) = proxy(1, sending_upstream(vec![1; 1000], false).await, &[toxic]).await;
    let mut s = connect(&addr).await;
    let (got, _) = read_all(&mut s).await.unwrap();
    assert_eq!(got.len(), 100);
}

#[tokio::test]
async fn slicer_delivers_the_same_bytes_in_several_chunks() {
    let data: Vec<u8> = (0..200u8).collect();
    let toxic = json!({"type": "slicer",
                       "attributes": {"average_size": 10, "size_variation": 5, "delay": 5000}});
    let (_r, addr) = proxy(1, sending_upstream(data.clone(), true).await, &[toxic]).await;
    let mut s = connect(&addr).await;
    let (got, reads) = read_all(&mut s).await.unwrap();
    assert_eq!(got, data);
    assert!(reads >= 3, "arrived in {reads} reads");
}

#[tokio::test]
async fn slow_close_delays_the_close() {
    let toxic = json!({"type": "slow_close", "attributes": {"delay": 400}});
    let (_r, addr) = proxy(1, sending_upstream(b"bye".to_vec(), true).await, &[toxic]).await;
    let start = Instant::now();
    let mut s = connect(&addr).await;
    let (got, _) = read_all(&mut s).await.unwrap();
    assert_eq!(got, b"bye");
    assert!(
        start.elapsed() >= Duration::from_millis(400),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn a_disabled_proxy_refuses_and_drops_open_connections() {
    let (r, addr) = proxy(1, echo_upstream().await, &[]).await;
    let mut open = connect(&addr).await;
    open.write_all(b"hi").await.unwrap();
    let mut buf = [0u8; 2];
    timeout(BOUND, open.read_exact(&mut buf))
        .await
        .unwrap()
        .unwrap();
    r.update("p", &json!({"enabled": false})).await.unwrap();
    // The open connection ends (EOF or reset), the port refuses.
    let ended = read_all(&mut open).await.map(|(b, _)| b);
    assert!(ended.as_ref().map_or(true, |b| b.is_empty()), "{ended:?}");
    let err = timeout(BOUND, TcpStream::connect(&addr))
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    r.update("p", &json!({"enabled": true})).await.unwrap();
    assert_eq!(echo_once(&addr, b"back").await, b"back");
}

#[tokio::test]
async fn a_toxic_added_later_applies_to_open_connections() {
    let (r, addr) = proxy(1, echo_upstream().await, &[]).await;
    let mut s = connect(&addr).await;
    s.write_all(b"one").await.unwrap();
    let mut buf = [0u8; 3];
    timeout(BOUND, s.read_exact(&mut buf))
        .await
        .unwrap()
        .unwrap();
    r.add_toxic(
        "p",
        &json!({"type": "limit_data", "attributes": {"bytes": 2}}),
    )
    .await
    .unwrap();
    s.write_all(b"two").await.unwrap();
    let (got, _) = read_all(&mut s).await.unwrap();
    assert_eq!(got, b"tw");
}

/// Which of 16 consecutive connections a `limit_data` toxic with this
/// toxicity truncates.
async fn draws(seed: u64, toxicity: f64) -> Vec<bool> {
    let toxic = json!({"type": "limit_data", "toxicity": toxicity, "attributes": {"bytes": 2}});
    let (_r, addr) = proxy(seed, echo_upstream().await, &[toxic]).await;
    let mut out = Vec::new();
    for _ in 0..16 {
        let got = echo_once(&addr, b"hello").await;
        assert!(got == b"he" || got == b"hello", "{got:?}");
        out.push(got == b"he");
    }
    out
}

#[tokio::test]
async fn toxicity_is_drawn_per_connection_from_the_seed() {
    assert!(
        draws(3, 1.0).await.iter().all(|t| *t),
        "toxicity 1 always applies"
    );
    assert!(
        draws(3, 0.0).await.iter().all(|t| !*t),
        "toxicity 0 never applies"
    );
    let a = draws(42, 0.5).await;
    assert_eq!(
        a,
        draws(42, 0.5).await,
        "same seed, same connections affected"
    );
    assert!(a.iter().any(|t| *t) && a.iter().any(|t| !*t), "{a:?}");
    assert_ne!(a, draws(43, 0.5).await, "another seed draws differently");
}
