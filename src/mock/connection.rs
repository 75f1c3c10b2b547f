//! The handle on one accepted connection that lets a fault reset it
//! (`connection_drop`, SPEC §3.2): made by the accept loop, carried by each
//! connection's service, fired by the fault layer.

use parking_lot::Mutex;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::Notify;

/// Resets the connection a request came on: the peer sees "connection
/// reset by peer" instead of an answer. A service called without a socket
/// (tests calling it directly) has none.
#[derive(Clone)]
pub struct ConnectionReset(Arc<ResetInner>);

struct ResetInner {
    /// A duplicate of the connection's socket: SO_LINGER is set through it
    /// (the original belongs to hyper), and it is closed with the original
    /// so that the close sends RST.
    socket: Mutex<Option<OwnedFd>>,
    fired: Notify,
}

impl ConnectionReset {
    pub(super) fn new(stream: &TcpStream) -> io::Result<Self> {
        let socket = stream.as_fd().try_clone_to_owned()?;
        Ok(ConnectionReset(Arc::new(ResetInner {
            socket: Mutex::new(Some(socket)),
            fired: Notify::new(),
        })))
    }

    /// For a connection with no socket of its own (an in-memory pipe from
    /// the network proxy): a reset drops the connection, which the proxy
    /// passes on as the end of its upstream.
    pub(super) fn detached() -> Self {
        ConnectionReset(Arc::new(ResetInner {
            socket: Mutex::new(None),
            fired: Notify::new(),
        }))
    }

    /// Arms an abortive close and tells the connection task to drop the
    /// connection now.
    pub fn reset(&self) {
        if let Some(fd) = self.0.socket.lock().as_ref() {
            // Linger 0: close() discards unsent data and sends RST.
            let _ = socket2::SockRef::from(fd).set_linger(Some(Duration::ZERO));
        }
        self.0.fired.notify_one();
    }

    pub(super) async fn fired(&self) {
        self.0.fired.notified().await;
    }

    /// Closes the duplicate, so the socket really closes once hyper's copy
    /// is dropped too (a spawned request task may still hold this handle).
    pub(super) fn release(&self) {
        self.0.socket.lock().take();
    }
}
