//! One target's listener: bind (port chosen by the OS), seed, serve until
//! told to stop, then finish in-flight requests (graceful shutdown).

use super::http::{self, Journaled};
use super::listener;
use super::profile::Profile;
use super::state::TargetState;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use tokio::io::DuplexStream;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

pub struct RunningTarget {
    pub state: Arc<TargetState>,
    pub addr: SocketAddr,
    /// `http://HOST:PORT`, or `https://` when the target serves TLS.
    pub origin: String,
    /// Where the network proxy in front hands over its connections as
    /// in-memory pipes, sparing them a second trip through loopback TCP.
    pub pipes: mpsc::Sender<DuplexStream>,
    task: JoinHandle<io::Result<()>>,
}

impl RunningTarget {
    /// Waits for the server task after shutdown was signalled.
    pub async fn join(self) -> io::Result<()> {
        self.task
            .await
            .map_err(|e| io::Error::other(format!("target task failed: {e}")))?
    }
}

/// Binds and starts a target that fronts a real app (`serve --upstream`):
/// the same listener, journal and faults as a mock target, forwarding to
/// the app. The app is not asked anything here (see `upstream::preflight`).
pub async fn start_upstream(
    spec: &super::upstream::UpstreamSpec,
    listen: IpAddr,
    seed: u64,
    tls: Option<TlsAcceptor>,
    shutdown: watch::Receiver<bool>,
) -> io::Result<RunningTarget> {
    let listener = TcpListener::bind((listen, 0)).await?;
    let addr = listener.local_addr()?;
    let origin = origin(addr, tls.is_some());
    let (state, upstream) = super::upstream::state(spec, &origin, seed)
        .map_err(|why| io::Error::other(format!("upstream {}: {why}", spec.name)))?;
    let state = Arc::new(state);
    let app = super::upstream::service(state.clone(), upstream);
    Ok(spawn(listener, addr, origin, state, app, tls, shutdown))
}

/// `http://HOST:PORT` for a bound address (IPv6 in brackets).
pub fn http_origin(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

/// The origin of a listener, `https://` when it serves TLS.
pub fn origin(addr: SocketAddr, tls: bool) -> String {
    if tls {
        format!("https://{addr}")
    } else {
        http_origin(addr)
    }
}

/// Binds, seeds and starts serving. The listener accepts before this
/// returns, so a ready file written afterwards never lies.
pub async fn start(
    name: &str,
    profile: Profile,
    listen: IpAddr,
    seed: u64,
    tls: Option<TlsAcceptor>,
    shutdown: watch::Receiver<bool>,
) -> io::Result<RunningTarget> {
    let listener = TcpListener::bind((listen, 0)).await?;
    let addr = listener.local_addr()?;
    let origin = origin(addr, tls.is_some());
    let base_url = format!("{origin}{}", profile.base_path);
    let state = Arc::new(TargetState::new(name, profile, &base_url, seed));
    let seeding = state.clone();
    tokio::task::spawn_blocking(move || seeding.seed_from_profile())
        .await
        .map_err(|e| io::Error::other(format!("seeding failed: {e}")))?
        .map_err(|e| io::Error::other(format!("seeding {name}: {}", e.detail)))?;
    // The profile's quirks are on from the first request.
    state
        .install_quirks()
        .map_err(|why| io::Error::other(format!("target {name}: {why}")))?;
    let app = http::service(state.clone());
    Ok(spawn(listener, addr, origin, state, app, tls, shutdown))
}

/// Serves `app` on `listener` until `shutdown`: the target as it runs.
fn spawn(
    listener: TcpListener,
    addr: SocketAddr,
    origin: String,
    state: Arc<TargetState>,
    app: Journaled,
    tls: Option<TlsAcceptor>,
    shutdown: watch::Receiver<bool>,
) -> RunningTarget {
    // A short queue: a pipe is served as soon as the accept loop turns.
    let (pipes, piped) = mpsc::channel(64);
    let task = tokio::spawn(listener::serve(listener, piped, app, tls, shutdown));
    RunningTarget {
        state,
        addr,
        origin,
        pipes,
        task,
    }
}
