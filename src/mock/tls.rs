//! HTTPS for targets (`--tls`, SPEC §1 and §4.1): a certificate authority
//! made for the run, and a server certificate it signs for the names
//! connectors use to reach the targets. Many connectors refuse plain HTTP,
//! and a CA of the run's own lets them verify the chain instead of turning
//! verification off.

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::io;
use std::path::Path;
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;

/// A certificate authority that lives as long as the run.
pub struct RunCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

fn tls_error(what: &str, e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("{what}: {e}"))
}

impl RunCa {
    /// A fresh CA with a new key (never reused across runs).
    pub fn new() -> io::Result<Self> {
        let mut params = CertificateParams::default();
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, "scimulate run CA");
        name.push(DnType::OrganizationName, "scimulate");
        params.distinguished_name = name;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().map_err(|e| tls_error("generating the CA key", e))?;
        let issuer = CertifiedIssuer::self_signed(params, key)
            .map_err(|e| tls_error("signing the CA certificate", e))?;
        Ok(RunCa { issuer })
    }

    /// The CA certificate in PEM, what connectors are given as `ca_file`.
    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// Writes the CA certificate (public: no key) to `path`.
    pub fn write_pem(&self, path: &Path) -> io::Result<()> {
        std::fs::write(path, self.pem())
    }

    /// A TLS acceptor whose certificate, signed by this CA, names `hosts`
    /// (DNS names or IP addresses) as subject alternative names.
    pub fn acceptor(&self, hosts: &[String]) -> io::Result<TlsAcceptor> {
        let mut params = CertificateParams::new(hosts.to_vec())
            .map_err(|e| tls_error("naming the server certificate", e))?;
        params
            .distinguished_name
            .push(DnType::CommonName, hosts.first().map_or("scimulate", |h| h));
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        let key = KeyPair::generate().map_err(|e| tls_error("generating the server key", e))?;
        let cert = params
            .signed_by(&key, &self.issuer)
            .map_err(|e| tls_error("signing the server certificate", e))?;
        let chain = vec![cert.der().clone(), self.issuer.der().clone()];
        let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        server_acceptor(chain, private)
    }
}

fn server_acceptor(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> io::Result<TlsAcceptor> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error("choosing TLS versions", e))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| tls_error("loading the server certificate", e))?;
    // HTTP/1.1 only: what SCIM clients speak, and what the journal layer
    // and connection resets are written for.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// The names a target's certificate must carry so that a connector can
/// reach it by loopback address, by `localhost`, or by the advertised host.
pub fn certificate_hosts(listen: std::net::IpAddr, advertise: Option<&str>) -> Vec<String> {
    let mut hosts = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    for extra in [Some(listen.to_string()), advertise.map(str::to_owned)]
        .into_iter()
        .flatten()
    {
        if !hosts.contains(&extra) {
            hosts.push(extra);
        }
    }
    hosts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ca_pem_is_a_certificate_and_holds_no_key() {
        let ca = RunCa::new().expect("ca");
        let pem = ca.pem();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
        assert!(!pem.contains("PRIVATE KEY"));
    }

    #[test]
    fn each_run_gets_its_own_ca() {
        let a = RunCa::new().expect("ca").pem();
        let b = RunCa::new().expect("ca").pem();
        assert_ne!(a, b);
    }

    #[test]
    fn hosts_cover_loopback_and_the_advertised_name_once() {
        let hosts = certificate_hosts("127.0.0.1".parse().unwrap(), Some("scim.test"));
        assert_eq!(hosts, ["localhost", "127.0.0.1", "::1", "scim.test"]);
    }

    #[test]
    fn an_acceptor_is_made_for_those_hosts() {
        let ca = RunCa::new().expect("ca");
        ca.acceptor(&certificate_hosts("127.0.0.1".parse().unwrap(), None))
            .expect("acceptor");
    }
}
