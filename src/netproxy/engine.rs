//! TCP forwarding: one listener per enabled proxy; per accepted client a
//! connection to the upstream (an in-memory pipe when the upstream is a
//! target of this process, see `local`) and two pumps (client→upstream is the
//! `upstream` stream, upstream→client `downstream`), each running its
//! chunks through the toxics of its stream.
//!
//! While no toxic acts on a direction, its pump relays each chunk as soon
//! as it is read: a proxy with no toxic must cost the connector nothing.
//! Once one does, the pump reads and writes in separate futures so a
//! delayed chunk does not stop the next one being read (latency adds delay,
//! not a throughput cap); it stays so for the rest of the connection.
//! A toxic that ends the connection sends a [`Kill`] both pumps obey.

use super::chain::Chain;
use super::closing::Kill;
use super::local::LocalUpstreams;
use super::toxic::{Stream, Toxic};
use bytes::{Bytes, BytesMut};
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{
    AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream, ReadHalf, WriteHalf,
};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

/// What a proxy's connections share: its identity for toxicity draws and
/// its current toxics, which open connections follow.
pub struct Shared {
    name: String,
    seed: u64,
    pub toxics: watch::Sender<Arc<Vec<Toxic>>>,
    /// Connections accepted so far, across restarts: a connection's
    /// ordinal is its place in the run.
    accepted: AtomicU64,
    /// Upstreams reached in memory rather than over TCP.
    local: Arc<LocalUpstreams>,
}

impl Shared {
    pub fn new(
        name: &str,
        seed: u64,
        toxics: watch::Sender<Arc<Vec<Toxic>>>,
        local: Arc<LocalUpstreams>,
    ) -> Self {
        Shared {
            name: name.to_owned(),
            seed,
            toxics,
            accepted: AtomicU64::new(0),
            local,
        }
    }
}

/// One side of a connection the pumps write to and read from: a socket
/// half, or a half of an in-memory pipe to a target of this process.
pub(super) trait Half {
    /// Ends the connection abortively (a `reset_peer`): the peer of a
    /// socket sees RST rather than an orderly end. A pipe has no such
    /// thing; dropping it is its end.
    fn abort(self);
}

impl Half for OwnedReadHalf {
    fn abort(self) {
        // SO_LINGER 0: the close sends RST; set on both sockets (each pump
        // holds half of each) so both peers see the reset.
        let _ = self.as_ref().set_zero_linger();
    }
}

impl Half for OwnedWriteHalf {
    fn abort(self) {
        let _ = self.as_ref().set_zero_linger();
        // Dropping a write half would send FIN first, and the peer would
        // see a clean end before the reset.
        self.forget();
    }
}

impl Half for ReadHalf<DuplexStream> {
    fn abort(self) {}
}

impl Half for WriteHalf<DuplexStream> {
    fn abort(self) {}
}

/// The other end of a proxied connection.
enum Upstream {
    Tcp(TcpStream),
    Memory(DuplexStream),
}

/// A target of this process is reached in memory, anything else over TCP.
async fn connect(upstream: &str, local: &LocalUpstreams) -> io::Result<Upstream> {
    match local.connect(upstream).await {
        Some(pipe) => pipe.map(Upstream::Memory),
        None => TcpStream::connect(upstream).await.map(Upstream::Tcp),
    }
}

/// A listening proxy. [`Running::stop`] closes the listener and every
/// connection before it returns, so the port refuses from then on.
pub struct Running {
    pub addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Running {
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

pub async fn start(listen: &str, upstream: String, shared: Arc<Shared>) -> io::Result<Running> {
    let listener = TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(accept_loop(listener, upstream, shared, stopped));
    Ok(Running { addr, stop, task })
}

/// Resolves once stop is signalled or the sender is gone (the registry
/// was dropped without a shutdown).
async fn stopped(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}

async fn accept_loop(
    listener: TcpListener,
    upstream: String,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stopped(&mut stop) => break,
            accepted = listener.accept() => match accepted {
                Ok((client, _)) => {
                    let ordinal = shared.accepted.fetch_add(1, Ordering::Relaxed);
                    connections.spawn(connection(client, upstream.clone(), shared.clone(), ordinal, stop.clone()));
                }
                // Out of descriptors and the like: pause instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    // Every connection watches `stop` too and drops its sockets at once.
    while connections.join_next().await.is_some() {}
}

async fn connection(
    client: TcpStream,
    upstream: String,
    shared: Arc<Shared>,
    ordinal: u64,
    mut stop: watch::Receiver<bool>,
) {
    let server = tokio::select! {
        _ = stopped(&mut stop) => return,
        // An unreachable upstream closes the client, as in Toxiproxy.
        s = connect(&upstream, &shared.local) => match s { Ok(s) => s, Err(_) => return },
    };
    let _ = client.set_nodelay(true);
    let (client_read, client_write) = client.into_split();
    match server {
        Upstream::Tcp(server) => {
            let _ = server.set_nodelay(true);
            let (server_read, server_write) = server.into_split();
            let halves = (client_read, client_write, server_read, server_write);
            relay_both(halves, &shared, ordinal, stop).await;
        }
        Upstream::Memory(pipe) => {
            let (server_read, server_write) = tokio::io::split(pipe);
            let halves = (client_read, client_write, server_read, server_write);
            relay_both(halves, &shared, ordinal, stop).await;
        }
    }
}

/// Both directions of one connection, until both are over or the proxy
/// stops.
async fn relay_both<CR, CW, SR, SW>(
    (client_read, client_write, server_read, server_write): (CR, CW, SR, SW),
    shared: &Shared,
    ordinal: u64,
    mut stop: watch::Receiver<bool>,
) where
    CR: AsyncRead + Unpin + Half,
    CW: AsyncWrite + Unpin + Half,
    SR: AsyncRead + Unpin + Half,
    SW: AsyncWrite + Unpin + Half,
{
    let (kill, _) = watch::channel(Kill::None);
    let up = pump(
        Stream::Upstream,
        client_read,
        server_write,
        shared,
        ordinal,
        &kill,
    );
    let down = pump(
        Stream::Downstream,
        server_read,
        client_write,
        shared,
        ordinal,
        &kill,
    );
    let both = async { tokio::join!(up, down) };
    tokio::pin!(both);
    tokio::select! {
        _ = &mut both => return,
        _ = stopped(&mut stop) => { kill.send_replace(Kill::Close); }
    }
    both.await;
}

struct Chunk {
    arrived: Instant,
    data: Bytes,
}

const READ_SIZE: usize = 32 * 1024;

async fn read_loop<R: AsyncRead + Unpin>(reader: &mut R, tx: mpsc::Sender<Chunk>) {
    loop {
        let mut buf = BytesMut::with_capacity(READ_SIZE);
        // A read error (e.g. the peer reset) ends this direction like EOF.
        match reader.read_buf(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let chunk = Chunk {
                    arrived: Instant::now(),
                    data: buf.freeze(),
                };
                if tx.send(chunk).await.is_err() {
                    return;
                }
            }
        }
    }
}

async fn killed(rx: &mut watch::Receiver<Kill>) -> Kill {
    match rx.wait_for(|k| *k != Kill::None).await {
        Ok(k) => *k,
        Err(_) => Kill::Close,
    }
}

/// One direction. Returns when its source closed and the close was passed
/// on (half-close, so the other direction can finish), or when the
/// connection was killed.
async fn pump<R, W>(
    stream: Stream,
    mut reader: R,
    mut writer: W,
    shared: &Shared,
    ordinal: u64,
    kill: &watch::Sender<Kill>,
) where
    R: AsyncRead + Unpin + Half,
    W: AsyncWrite + Unpin + Half,
{
    let mut toxics = shared.toxics.subscribe();
    let mut chain = Chain::new(stream, shared.seed, &shared.name, ordinal);
    chain.update(&toxics.borrow_and_update(), Instant::now());
    let mut kill_rx = kill.subscribe();
    let how = match relay(
        &mut reader,
        &mut writer,
        &mut chain,
        &mut toxics,
        &mut kill_rx,
    )
    .await
    {
        Relayed::Ended(how) => how,
        Relayed::Toxic => {
            let (tx, rx) = mpsc::channel(16);
            let reading = read_loop(&mut reader, tx);
            tokio::pin!(reading);
            let writing = write_loop(rx, &mut writer, chain, toxics, kill_rx, kill);
            tokio::pin!(writing);
            let mut read_done = false;
            loop {
                tokio::select! {
                    _ = &mut reading, if !read_done => read_done = true,
                    how = &mut writing => break how,
                }
            }
        }
    };
    if how == Kill::Reset {
        writer.abort();
        reader.abort();
    }
}

enum Relayed {
    /// The direction is over: its source closed, or the connection was
    /// killed.
    Ended(Kill),
    /// A toxic now acts on this direction; nothing read is left unwritten.
    Toxic,
}

/// The path with no toxic: read a chunk, write it, read the next. No
/// channel, no timer, one buffer reused (measured: the chunk path cost a
/// request 76 µs at p50 on one connection, this one a few).
async fn relay<R: AsyncRead + Unpin, W: AsyncWrite + Unpin>(
    reader: &mut R,
    writer: &mut W,
    chain: &mut Chain,
    toxics: &mut watch::Receiver<Arc<Vec<Toxic>>>,
    kill_rx: &mut watch::Receiver<Kill>,
) -> Relayed {
    let mut buf = BytesMut::with_capacity(READ_SIZE);
    loop {
        if chain.is_active() {
            return Relayed::Toxic;
        }
        buf.clear();
        buf.reserve(READ_SIZE);
        tokio::select! {
            biased;
            how = killed(kill_rx) => return Relayed::Ended(how),
            Ok(()) = toxics.changed() => chain.update(&toxics.borrow_and_update(), Instant::now()),
            read = reader.read_buf(&mut buf) => match read {
                // A read error (e.g. the peer reset) ends this direction
                // like EOF; no toxic holds the close back.
                Ok(0) | Err(_) => {
                    let _ = writer.shutdown().await;
                    return Relayed::Ended(Kill::None);
                }
                Ok(_) => tokio::select! {
                    how = killed(kill_rx) => return Relayed::Ended(how),
                    // The receiver is gone: as in `write_loop`.
                    w = writer.write_all(&buf) => if w.is_err() { return Relayed::Ended(Kill::None) },
                },
            },
        }
    }
}

async fn write_loop<W: AsyncWrite + Unpin>(
    mut rx: mpsc::Receiver<Chunk>,
    writer: &mut W,
    mut chain: Chain,
    mut toxics: watch::Receiver<Arc<Vec<Toxic>>>,
    mut kill_rx: watch::Receiver<Kill>,
    kill: &watch::Sender<Kill>,
) -> Kill {
    let end = |how: Kill| {
        kill.send_if_modified(|k| {
            if *k == Kill::None {
                *k = how;
                true
            } else {
                false
            }
        });
        *kill.borrow()
    };
    loop {
        let deadline = chain.deadline();
        tokio::select! {
            biased;
            how = killed(&mut kill_rx) => return how,
            Ok(()) = toxics.changed() => chain.update(&toxics.borrow_and_update(), Instant::now()),
            _ = tokio::time::sleep_until(deadline.map_or_else(Instant::now, |(at, _)| at)), if deadline.is_some() => {
                return end(deadline.map_or(Kill::Close, |(_, how)| how));
            }
            chunk = rx.recv() => {
                let Some(chunk) = chunk else {
                    let delay = chain.close_delay();
                    tokio::select! {
                        how = killed(&mut kill_rx) => return how,
                        _ = tokio::time::sleep(delay) => {}
                    }
                    let _ = writer.shutdown().await;
                    return Kill::None;
                };
                let outcome = chain.apply(chunk.data, chunk.arrived);
                for piece in outcome.pieces {
                    // A piece nothing holds back goes out at once. A timer,
                    // even one already due, parks the runtime until its next
                    // millisecond tick: measured (strace of epoll_wait), that
                    // cost every request 2.5 ms through a proxy with no toxic.
                    if piece.due > Instant::now() {
                        tokio::select! {
                            how = killed(&mut kill_rx) => return how,
                            _ = tokio::time::sleep_until(piece.due) => {}
                        }
                    }
                    tokio::select! {
                        how = killed(&mut kill_rx) => return how,
                        // The receiver is gone: this direction is over, but the
                        // other one may still carry its last words (a server
                        // that answers 413 and closes without reading on).
                        r = writer.write_all(&piece.data) => if r.is_err() { return Kill::None },
                    }
                }
                if outcome.then != Kill::None {
                    return end(outcome.then);
                }
            }
        }
    }
}
