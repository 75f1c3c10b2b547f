//! What a target does below HTTP: `connection_drop` resets the connection
//! (TCP RST), `--tls` serves HTTPS with a certificate from the run's own CA,
//! and shutdown is not held up by a request a fault never answers.

use crate::common;

use crate::common::Harness;
use reqwest::Method;
use rustls::pki_types::{CertificateDer, ServerName};
use scimulate::mock::profile::{GENERIC_RFC_YAML, Profile};
use scimulate::serve::{self, ServeOptions, TargetAuth};
use serde_json::{Value, json};
use std::io::ErrorKind;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// Every wait in this file ends within this.
const BOUND: Duration = Duration::from_secs(10);

fn host_port(base_url: &str) -> String {
    let rest = base_url.split_once("://").expect("scheme").1;
    rest.split('/').next().expect("authority").to_owned()
}

/// Sends one HTTP/1.1 request and reads until the server closes: the
/// answer's bytes, or the error the read ended with.
async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    path: &str,
    token: &str,
) -> Result<String, std::io::Error> {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    tokio::time::timeout(BOUND, stream.read_to_end(&mut answer))
        .await
        .expect("the server answered or closed within the bound")?;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

fn path_of(h: &Harness, suffix: &str) -> String {
    let after_scheme = h.base.split_once("://").unwrap().1;
    let base_path = &after_scheme[after_scheme.find('/').unwrap()..];
    format!("{base_path}{suffix}")
}

#[tokio::test]
async fn connection_drop_resets_the_connection_within_its_scope_and_window() {
    let h = common::generic().await;
    let (status, body) = h
        .admin(
            Method::POST,
            "/targets/generic-rfc/faults",
            Some(&json!({"kind": "connection_drop", "methods": ["GET"], "for_requests": 1})),
        )
        .await;
    assert_eq!(status, 201, "{body}");

    let addr = host_port(&h.base);
    let stream = TcpStream::connect(&addr).await.expect("connect");
    let err = exchange(stream, &path_of(&h, "/Users"), &h.token)
        .await
        .expect_err("the connection is reset, not answered");
    assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");

    // The window was one request: the next GET is answered as strictly as ever.
    let stream = TcpStream::connect(&addr).await.expect("connect");
    let answer = exchange(stream, &path_of(&h, "/Users"), &h.token)
        .await
        .expect("answered");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let (_, journal) = h
        .admin(Method::GET, "/targets/generic-rfc/journal", None)
        .await;
    let entries = journal["entries"].as_array().unwrap();
    assert_eq!(entries[0]["fault"], "connection_drop");
    assert_eq!(entries[0]["status"], 0, "never answered");
    assert_eq!(entries[1]["fault"], Value::Null);
    assert_eq!(entries[1]["status"], 200);
}

#[tokio::test]
async fn connection_drop_reaches_http_clients_as_a_connection_error() {
    let h = common::generic().await;
    let (status, _) = h
        .admin(
            Method::POST,
            "/targets/generic-rfc/faults",
            Some(&json!({"kind": "connection_drop", "operation": "provision"})),
        )
        .await;
    assert_eq!(status, 201);
    let result = h
        .http
        .post(h.url("/Users"))
        .bearer_auth(&h.token)
        .header("content-type", "application/scim+json")
        .body(json!({"schemas": [common::USER], "userName": "x"}).to_string())
        .timeout(BOUND)
        .send()
        .await;
    let err = result.expect_err("no answer arrives");
    assert!(!err.is_timeout(), "a reset, not a hang: {err}");
    let (_, state) = h
        .admin(Method::GET, "/targets/generic-rfc/state", None)
        .await;
    assert_eq!(state["Users"], json!([]), "nothing was stored");
    // Reads are outside the fault's scope.
    let (status, _, _) = h.send(Method::GET, "/Users", None).await;
    assert_eq!(status, 200);
}

async fn start_tls(dir: &std::path::Path) -> (serve::Serving, String, String, String) {
    let profile = Profile::from_yaml(GENERIC_RFC_YAML, "generic-rfc.yaml").expect("profile");
    let ca_file = dir.join("ca.pem");
    let options = ServeOptions {
        tls_ca_file: Some(ca_file.clone()),
        ..ServeOptions::default()
    };
    let serving = serve::start(vec![profile], &options).await.expect("serve");
    let t = &serving.endpoints.targets["generic-rfc"];
    assert_eq!(t.ca_file.as_deref(), Some(ca_file.to_str().unwrap()));
    let TargetAuth::Bearer { token } = &t.auth else {
        panic!("bearer")
    };
    let (base, token, ca) = (
        t.base_url.clone(),
        token.clone(),
        std::fs::read_to_string(&ca_file).expect("the CA file was written"),
    );
    (serving, base, token, ca)
}

fn connector_trusting(ca_pem: Option<&str>) -> tokio_rustls::TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    if let Some(pem) = ca_pem {
        let der: Vec<u8> = {
            use base64::Engine;
            let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
            base64::engine::general_purpose::STANDARD
                .decode(body)
                .expect("PEM body")
        };
        roots.add(CertificateDer::from(der)).expect("a CA");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

#[tokio::test]
async fn tls_targets_serve_https_that_verifies_against_the_run_ca() {
    let dir = tempfile::tempdir().unwrap();
    let (serving, base, token, ca) = start_tls(dir.path()).await;
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let addr = host_port(&base);
    let base_path = &base[base.find("/scim").unwrap()..];

    for name in ["localhost", "127.0.0.1"] {
        let tcp = TcpStream::connect(&addr).await.unwrap();
        let tls = connector_trusting(Some(&ca))
            .connect(ServerName::try_from(name.to_owned()).unwrap(), tcp)
            .await
            .unwrap_or_else(|e| panic!("the certificate verifies for {name}: {e}"));
        let answer = exchange(tls, &format!("{base_path}/ServiceProviderConfig"), &token)
            .await
            .expect("answered");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"));
    }

    // A client that does not trust the run's CA cannot talk to the target.
    let tcp = TcpStream::connect(&addr).await.unwrap();
    let refused = connector_trusting(None)
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await;
    assert!(refused.is_err(), "an unknown CA must not verify");

    // Plain HTTP on the TLS port is not served.
    let tcp = TcpStream::connect(&addr).await.unwrap();
    let plain = exchange(tcp, &format!("{base_path}/Users"), &token).await;
    assert!(
        plain.map_or(true, |a| !a.starts_with("HTTP/1.1 200")),
        "plain HTTP must not be answered on an HTTPS target"
    );
    tokio::time::timeout(BOUND, serving.shutdown())
        .await
        .expect("shutdown within the bound")
        .expect("clean shutdown");
}

#[tokio::test]
async fn oauth_token_urls_use_https_under_tls() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = GENERIC_RFC_YAML.replace(
        "auth: { type: bearer, token_ttl: 1h }",
        "auth: { type: oauth2_client_credentials, token_ttl: 10m }",
    );
    let profile = Profile::from_yaml(&yaml, "oauth.yaml").expect("profile");
    let options = ServeOptions {
        tls_ca_file: Some(dir.path().join("ca.pem")),
        ..ServeOptions::default()
    };
    let serving = serve::start(vec![profile], &options).await.expect("serve");
    let t = serving.endpoints.targets.values().next().unwrap();
    let TargetAuth::Oauth2ClientCredentials { token_url, .. } = &t.auth else {
        panic!("oauth target")
    };
    assert!(token_url.starts_with("https://127.0.0.1:"), "{token_url}");
}

#[tokio::test]
async fn shutdown_is_not_held_by_a_request_a_fault_never_answers() {
    let h = common::generic().await;
    let (status, _) = h
        .admin(
            Method::POST,
            "/targets/generic-rfc/faults",
            Some(&json!({"kind": "timeout"})),
        )
        .await;
    assert_eq!(status, 201);
    let hung = {
        let http = h.http.clone();
        let url = h.url("/Users");
        let token = h.token.clone();
        tokio::spawn(async move { http.get(url).bearer_auth(token).send().await })
    };
    // The request has arrived once the journal holds it.
    let deadline = tokio::time::Instant::now() + BOUND;
    loop {
        let (_, journal) = h
            .admin(Method::GET, "/targets/generic-rfc/journal", None)
            .await;
        if !journal["entries"].as_array().unwrap().is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the request never reached the target"
        );
        tokio::task::yield_now().await;
    }
    tokio::time::timeout(BOUND, h.serving.shutdown())
        .await
        .expect("shutdown ends within the bound despite the hung request")
        .expect("clean shutdown");
    hung.abort();
}

#[tokio::test]
async fn every_listener_binds_loopback_by_default() {
    let h = common::generic().await;
    let e = &h.serving.endpoints;
    let mut urls = vec![e.admin.url.clone()];
    urls.extend(e.toxiproxy.iter().map(|t| t.url.clone()));
    for t in e.targets.values() {
        urls.push(t.base_url.clone());
        urls.push(t.direct_url.clone());
    }
    assert!(urls.len() >= 4, "{urls:?}");
    for url in urls {
        assert!(
            url.starts_with("http://127.0.0.1:"),
            "{url} is not on loopback"
        );
    }
}
