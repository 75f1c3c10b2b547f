//! Fronting targets with network proxies (SPEC §3.5): the built-in
//! Toxiproxy-compatible proxy, or a Toxiproxy server given by URL, gets one
//! proxy per target, named after it, driven through the same client either
//! way.

use crate::mock::server::RunningTarget;
use crate::netproxy::{ApiServer, Client, ClientError, LocalUpstreams, NewProxy, Registry};
use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

pub(crate) enum Network {
    /// The built-in proxy reaches the targets of this process in memory.
    BuiltIn {
        api: ApiServer,
        local: Arc<LocalUpstreams>,
    },
    /// A user's Toxiproxy: the proxies made for this run are deleted at
    /// shutdown, the server itself is left alone.
    External { client: Client, made: Vec<String> },
}

fn io_err(e: ClientError) -> io::Error {
    io::Error::other(e.to_string())
}

impl Network {
    /// Starts the built-in API on `listen` (port chosen by the OS), or
    /// connects to the server at `url`.
    pub(crate) async fn start(listen: IpAddr, seed: u64, url: Option<&str>) -> io::Result<Network> {
        Ok(match url {
            Some(url) => Network::External {
                client: Client::new(url).map_err(io::Error::other)?,
                made: Vec::new(),
            },
            None => {
                let registry = Arc::new(Registry::new(seed, listen));
                let local = registry.local_upstreams();
                let api = ApiServer::start(SocketAddr::new(listen, 0), registry).await?;
                Network::BuiltIn { api, local }
            }
        })
    }

    pub(crate) fn url(&self) -> String {
        match self {
            Network::BuiltIn { api, .. } => api.url(),
            Network::External { client, .. } => client.url().to_owned(),
        }
    }

    fn client(&self) -> io::Result<Client> {
        match self {
            Network::BuiltIn { api, .. } => Client::new(&api.url()).map_err(io::Error::other),
            Network::External { client, .. } => Ok(client.clone()),
        }
    }

    /// One proxy per target, named after it, listening on `listen` (port
    /// chosen by the proxy's host). Returns each target's proxy address.
    pub(crate) async fn front(
        &mut self,
        targets: &[RunningTarget],
        listen: IpAddr,
    ) -> io::Result<HashMap<String, String>> {
        let client = self.client()?;
        let mut addrs = HashMap::new();
        for t in targets {
            if let Network::BuiltIn { local, .. } = self {
                local.register(t.addr.to_string(), t.pipes.clone());
            }
            let proxy = NewProxy {
                name: t.state.name.clone(),
                listen: SocketAddr::new(listen, 0).to_string(),
                upstream: t.addr.to_string(),
                enabled: Some(true),
            };
            let made = match client.create_proxy(&proxy).await {
                // A proxy of that name left behind by an earlier run on a
                // shared Toxiproxy: this run's target replaces it.
                Err(e) if e.status() == Some(409) => {
                    client.delete_proxy(&proxy.name).await.map_err(io_err)?;
                    client.create_proxy(&proxy).await
                }
                other => other,
            }
            .map_err(io_err)?;
            if let Network::External { made: names, .. } = self {
                names.push(made.name.clone());
            }
            addrs.insert(made.name, made.listen);
        }
        Ok(addrs)
    }

    pub(crate) async fn shutdown(self) -> io::Result<()> {
        match self {
            Network::BuiltIn { api, .. } => api.shutdown().await,
            Network::External { client, made } => {
                for name in made {
                    // Best effort: the user may have deleted it already.
                    let _ = client.delete_proxy(&name).await;
                }
                Ok(())
            }
        }
    }
}
