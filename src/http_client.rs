//! One request on its own connection, over plain TCP or rustls (ring
//! provider), trusting a given CA or the system's roots. Certify sends a
//! few hundred requests at a polite rate, and the fronting target of a real
//! app (`mock/upstream`) forwards a connector's requests, so a connection
//! per request costs little and keeps this small; hyper's client connection
//! does the HTTP/1.1.
//!
//! Not reqwest: its TLS features need a process-wide default crypto
//! provider, and every plain-HTTP reqwest client in the project would then
//! panic without one (see Cargo.toml).

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderMap, HeaderValue};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, ServerName, pem::PemObject};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

pub struct Transport {
    tls: Arc<rustls::ClientConfig>,
    timeout: Duration,
}

pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Trust: the CA in `ca_pem`, else the system's roots.
fn tls_config(ca_pem: Option<&[u8]>) -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    match ca_pem {
        Some(pem) => {
            let certs = CertificateDer::pem_slice_iter(pem)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("the CA file: not a PEM certificate: {e}"))?;
            if certs.is_empty() {
                return Err("the CA file holds no certificate".into());
            }
            for c in certs {
                roots
                    .add(c)
                    .map_err(|e| format!("the CA file: unusable certificate: {e}"))?;
            }
        }
        None => {
            // Unreadable system certificates are skipped: an HTTPS server
            // they would have vouched for then fails its handshake, which
            // is reported as such.
            for c in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(c);
            }
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

impl Transport {
    pub fn new(ca_pem: Option<&[u8]>, timeout: Duration) -> Result<Transport, String> {
        Ok(Transport {
            tls: Arc::new(tls_config(ca_pem)?),
            timeout,
        })
    }

    /// Sends one request; the error says what failed, never with headers
    /// or query (they may carry secrets).
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        headers: HeaderMap,
        body: Option<Vec<u8>>,
    ) -> Result<Answer, String> {
        match tokio::time::timeout(self.timeout, self.send_inner(method, url, headers, body)).await
        {
            Ok(r) => r,
            Err(_) => Err(format!("timed out after {}s", self.timeout.as_secs())),
        }
    }

    async fn send_inner(
        &self,
        method: Method,
        url: &str,
        headers: HeaderMap,
        body: Option<Vec<u8>>,
    ) -> Result<Answer, String> {
        let u = reqwest::Url::parse(url).map_err(|e| format!("bad URL: {e}"))?;
        let https = match u.scheme() {
            "https" => true,
            "http" => false,
            s => return Err(format!("unsupported scheme {s}")),
        };
        let host = u.host_str().ok_or("URL without a host")?.to_owned();
        let port = u
            .port_or_known_default()
            .unwrap_or(if https { 443 } else { 80 });
        let target = match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_owned(),
        };
        let host_header = match u.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.clone(),
        };
        let connect_host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let tcp = TcpStream::connect((connect_host.as_str(), port))
            .await
            .map_err(|e| format!("could not connect: {}", e.kind()))?;
        let _ = tcp.set_nodelay(true);
        let mut req = Request::builder().method(method).uri(target);
        if let Some(h) = req.headers_mut() {
            *h = headers;
            h.insert(
                hyper::header::HOST,
                HeaderValue::from_str(&host_header).map_err(|_| "bad host")?,
            );
        }
        let req = req
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| format!("request: {e}"))?;
        if https {
            let name = ServerName::try_from(connect_host).map_err(|_| "bad TLS server name")?;
            let tls = tokio_rustls::TlsConnector::from(self.tls.clone())
                .connect(name, tcp)
                .await
                .map_err(|e| format!("TLS handshake failed: {e}"))?;
            exchange(tls, req).await
        } else {
            exchange(tcp, req).await
        }
    }
}

async fn exchange<S>(io: S, req: Request<Full<Bytes>>) -> Result<Answer, String>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(|e| format!("HTTP handshake: {e}"))?;
    let driver = tokio::spawn(async move {
        let _ = conn.await;
    });
    let result = async {
        let resp = sender
            .send_request(req)
            .await
            .map_err(|e| format!("transport error: {e}"))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("reading the body: {e}"))?
            .to_bytes();
        Ok(Answer {
            status,
            headers,
            body,
        })
    }
    .await;
    driver.abort();
    result
}
