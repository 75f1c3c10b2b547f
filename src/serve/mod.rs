//! Starting and stopping a set of mock targets with their admin API: what
//! `scimulate serve` runs, and what `run` will run around a connector.

mod endpoints;
mod network;

pub use endpoints::{AdminEndpoint, Endpoints, TargetAuth, TargetEndpoint, ToxiproxyEndpoint};

use crate::admin::{self, AdminState};
use crate::mock::http::oauth::TOKEN_PATH;
use crate::mock::profile::Profile;
use crate::mock::server::{self, RunningTarget, http_origin};
use crate::mock::tls::{RunCa, certificate_hosts};
use crate::mock::upstream::{self, UpstreamSpec};
use network::Network;
use std::collections::{BTreeMap, HashMap};
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

pub struct ServeOptions {
    pub listen: IpAddr,
    /// Seed for ids, probabilistic faults and toxicity draws.
    pub seed: u64,
    /// Serve HTTPS with a CA made for the run, whose certificate is written
    /// to this file (`ca_file` in the endpoints and targets files).
    pub tls_ca_file: Option<PathBuf>,
    /// A Toxiproxy server to front the targets with, instead of the
    /// built-in proxy.
    pub toxiproxy: Option<String>,
    /// A host name connectors use to reach the targets: the TLS
    /// certificate names it too.
    pub advertise: Option<String>,
    /// Real apps to front (`--upstream NAME=URL`), each a target after the
    /// mock targets.
    pub upstreams: Vec<UpstreamSpec>,
    /// The admin listener's port (the board's, `gameday --dashboard-port`);
    /// `None`: one the OS picks.
    pub admin_port: Option<u16>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            listen: IpAddr::from([127, 0, 0, 1]),
            seed: 0,
            tls_ca_file: None,
            toxiproxy: None,
            advertise: None,
            upstreams: Vec::new(),
            admin_port: None,
        }
    }
}

/// The run's CA, written where the options say, and an acceptor whose
/// certificate names every address the targets may be reached at.
fn tls_acceptor(options: &ServeOptions) -> io::Result<Option<(TlsAcceptor, String)>> {
    let Some(path) = &options.tls_ca_file else {
        return Ok(None);
    };
    let ca = RunCa::new()?;
    ca.write_pem(path).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("could not write the CA file {}: {e}", path.display()),
        )
    })?;
    let acceptor = ca.acceptor(&certificate_hosts(
        options.listen,
        options.advertise.as_deref(),
    ))?;
    Ok(Some((acceptor, path.display().to_string())))
}

/// Running targets and admin API; dropping it without `shutdown` stops the
/// servers too (their shutdown channel closes).
pub struct Serving {
    pub endpoints: Endpoints,
    pub admin_addr: SocketAddr,
    pub targets: Vec<RunningTarget>,
    /// What a game day shows on the board beyond the targets.
    pub bulletin: Arc<admin::Bulletin>,
    stop: watch::Sender<bool>,
    admin_task: JoinHandle<io::Result<()>>,
    network: Network,
}

/// Target names must be distinct: a second `generic-rfc` becomes
/// `generic-rfc-2`.
fn unique_names(profiles: &[Profile]) -> Vec<String> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    profiles
        .iter()
        .map(|p| {
            let n = seen.entry(p.name.as_str()).or_default();
            *n += 1;
            if *n == 1 {
                p.name.clone()
            } else {
                format!("{}-{n}", p.name)
            }
        })
        .collect()
}

fn admin_token() -> String {
    crate::mock::auth::random_secret(24)
}

/// Starts every target, then the admin API. Everything accepts
/// connections when this returns.
pub async fn start(profiles: Vec<Profile>, options: &ServeOptions) -> io::Result<Serving> {
    let names = unique_names(&profiles);
    start_named(names.into_iter().zip(profiles).collect(), options).await
}

/// Starts targets under the given names (a scenario's `app-a`, `app-b`),
/// then those fronting the options' real apps, then the admin API. Every
/// real app is asked first, before anything starts (`upstream::preflight`).
pub async fn start_named(
    named: Vec<(String, Profile)>,
    options: &ServeOptions,
) -> io::Result<Serving> {
    for spec in &options.upstreams {
        if named.iter().any(|(name, _)| *name == spec.name) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("upstream {}: a mock target has that name", spec.name),
            ));
        }
        upstream::preflight(spec).await.map_err(io::Error::other)?;
    }
    let (stop, stopped) = watch::channel(false);
    let tls = tls_acceptor(options)?;
    let mocks = named.len();
    let mut targets = Vec::with_capacity(named.len());
    for (i, (name, profile)) in named.into_iter().enumerate() {
        let name = &name;
        let seed = options.seed.wrapping_add(i as u64);
        targets.push(
            server::start(
                name,
                profile,
                options.listen,
                seed,
                tls.as_ref().map(|(acceptor, _)| acceptor.clone()),
                stopped.clone(),
            )
            .await?,
        );
    }
    for (i, spec) in options.upstreams.iter().enumerate() {
        let seed = options.seed.wrapping_add((mocks + i) as u64);
        targets.push(
            server::start_upstream(
                spec,
                options.listen,
                seed,
                tls.as_ref().map(|(acceptor, _)| acceptor.clone()),
                stopped.clone(),
            )
            .await?,
        );
    }

    // Every target is fronted by a proxy named after it: connectors use the
    // proxy's address, so network faults reach them (SPEC §3.5).
    let mut network =
        Network::start(options.listen, options.seed, options.toxiproxy.as_deref()).await?;
    let fronts = network.front(&targets, options.listen).await?;

    let mut target_endpoints = BTreeMap::new();
    for t in &targets {
        let state = &t.state;
        // The proxy forwards TCP, so TLS passes through it unchanged: the
        // proxied origin keeps the target's scheme.
        let direct = &t.origin;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let origin = fronts
            .get(&state.name)
            .map_or_else(|| direct.clone(), |listen| format!("{scheme}://{listen}"));
        let auth = if state.upstream.is_some() {
            TargetAuth::Upstream
        } else if state.auth.is_oauth() {
            TargetAuth::Oauth2ClientCredentials {
                token_url: format!("{origin}{TOKEN_PATH}"),
                client_id: state.auth.client_id().to_owned(),
                client_secret: state.auth.client_secret().to_owned(),
            }
        } else {
            TargetAuth::Bearer {
                token: state.auth.current_token().unwrap_or_default(),
            }
        };
        target_endpoints.insert(
            state.name.clone(),
            TargetEndpoint {
                base_url: format!("{origin}{}", &state.base_url[direct.len()..]),
                direct_url: state.base_url.clone(),
                auth,
                ca_file: tls.as_ref().map(|(_, path)| path.clone()),
                upstream: state.upstream.as_ref().map(|u| u.url().to_owned()),
            },
        );
    }

    let token = admin_token();
    let bulletin = Arc::new(admin::Bulletin::default());
    let admin_state = Arc::new(AdminState {
        token: token.clone(),
        targets: targets.iter().map(|t| t.state.clone()).collect(),
        base_urls: target_endpoints
            .iter()
            .map(|(n, e)| (n.clone(), e.base_url.clone()))
            .collect(),
        toxiproxy_url: Some(network.url()),
        stopping: Some(stopped.clone()),
        bulletin: bulletin.clone(),
    });
    let port = options.admin_port.unwrap_or(0);
    let listener = TcpListener::bind((options.listen, port))
        .await
        .map_err(|e| {
            io::Error::new(
                e.kind(),
                format!(
                    "could not listen on {}:{port} for the admin API and the board: {e}",
                    options.listen
                ),
            )
        })?;
    let admin_addr = listener.local_addr()?;
    let mut admin_stop = stopped.clone();
    let app = admin::router(admin_state);
    let admin_task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = admin_stop.wait_for(|s| *s).await;
            })
            .await
    });

    Ok(Serving {
        endpoints: Endpoints {
            admin: AdminEndpoint {
                url: http_origin(admin_addr),
                token,
            },
            toxiproxy: Some(ToxiproxyEndpoint { url: network.url() }),
            targets: target_endpoints,
        },
        admin_addr,
        targets,
        bulletin,
        stop,
        admin_task,
        network,
    })
}

impl Serving {
    /// Stops accepting, lets in-flight requests finish, and waits.
    pub async fn shutdown(self) -> io::Result<()> {
        let _ = self.stop.send(true);
        for t in self.targets {
            t.join().await?;
        }
        self.admin_task
            .await
            .map_err(|e| io::Error::other(format!("admin task failed: {e}")))??;
        self.network.shutdown().await
    }
}
