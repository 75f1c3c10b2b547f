//! A target's accept loop: plain HTTP or HTTPS (`--tls`), graceful but
//! bounded shutdown, and a handle for each connection's service that lets
//! a fault reset the request's connection (`connection_drop`, SPEC §3.2).
//!
//! Our own loop rather than `axum::serve` because neither TLS nor a real
//! TCP reset (RST, not an orderly close) can be had through it.

use crate::mock::connection::ConnectionReset;
use crate::mock::http::Journaled;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::io;

use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, DuplexStream};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio_rustls::TlsAcceptor;

/// How long in-flight requests may take to finish once shutdown begins. A
/// request a `timeout` fault holds forever must not hold the run with it.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// How long a client may take over the TLS handshake before the
/// connection is dropped (a stalled handshake must not keep a task alive).
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves the target `app` on `listener`, and on the in-memory pipes the
/// network proxy in front of it hands over through `pipes`, until
/// `shutdown` turns true; then lets in-flight requests finish for at most
/// [`SHUTDOWN_GRACE`].
pub async fn serve(
    listener: TcpListener,
    mut pipes: mpsc::Receiver<DuplexStream>,
    app: Journaled,
    tls: Option<TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
) -> io::Result<()> {
    let graceful = GracefulShutdown::new();
    let mut piped = true;
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            pipe = pipes.recv(), if piped => {
                match pipe {
                    Some(pipe) => {
                        let reset = ConnectionReset::detached();
                        let (app, tls, watcher) = (app.clone(), tls.clone(), graceful.watcher());
                        tokio::spawn(handle(pipe, app, tls, reset, watcher));
                    }
                    None => piped = false,
                }
                continue;
            }
            _ = shutdown.wait_for(|stop| *stop) => break,
        };
        let stream = match accepted {
            Ok((stream, _peer)) => stream,
            Err(e) if is_per_connection(&e) => continue,
            Err(e) => {
                // Out of file descriptors and the like: wait for some to
                // close rather than spin (what axum::serve does too).
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let Ok(reset) = ConnectionReset::new(&stream) else {
            continue;
        };
        let (app, tls, watcher) = (app.clone(), tls.clone(), graceful.watcher());
        tokio::spawn(handle(stream, app, tls, reset, watcher));
    }
    drop(listener);
    drop(pipes);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(SHUTDOWN_GRACE) => {}
    }
    Ok(())
}

/// One connection, a socket or a pipe: TLS first when the target serves
/// HTTPS (through the proxy the client's TLS bytes arrive as they are).
async fn handle<IO>(
    io: IO,
    app: Journaled,
    tls: Option<TlsAcceptor>,
    reset: ConnectionReset,
    watcher: hyper_util::server::graceful::Watcher,
) where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    match tls {
        None => serve_connection(io, app, reset, watcher).await,
        Some(acceptor) => {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(io)).await {
                Ok(Ok(tls_stream)) => serve_connection(tls_stream, app, reset, watcher).await,
                // A failed handshake is the client's business
                // (e.g. it does not trust the run's CA).
                Ok(Err(e)) => tracing::debug!("TLS handshake failed: {e}"),
                Err(_) => tracing::debug!("TLS handshake timed out"),
            }
        }
    }
}

/// Errors that concern one connection only; the loop goes on at once.
fn is_per_connection(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

async fn serve_connection<IO>(
    io: IO,
    app: Journaled,
    reset: ConnectionReset,
    watcher: hyper_util::server::graceful::Watcher,
) where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = app.for_connection(reset.clone());
    let builder = auto::Builder::new(TokioExecutor::new());
    let connection = builder
        .serve_connection_with_upgrades(TokioIo::new(io), TowerToHyperService::new(service))
        .into_owned();
    let connection = watcher.watch(connection);
    tokio::select! {
        result = connection => {
            if let Err(e) = result {
                tracing::debug!("connection ended with an error: {e}");
            }
        }
        // Leaving the select drops the connection, closing hyper's socket.
        _ = reset.fired() => {}
    }
    reset.release();
}
