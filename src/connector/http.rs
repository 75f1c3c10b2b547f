//! The one HTTP client shape for calls to the connector: loopback targets,
//! so no proxy from the environment, and a bounded time per request.

use std::time::Duration;

pub(crate) fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(timeout)
        .build()
        // Building fails only when the TLS backend cannot start; without
        // one (default-features off) the plain builder cannot fail.
        .unwrap_or_else(|_| reqwest::Client::new())
}
