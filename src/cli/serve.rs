//! `scimulate serve [PROFILE...]`: run mock targets until stopped.

use super::CliError;
use crate::mock::profile::Profile;
use crate::mock::upstream::UpstreamSpec;
use crate::serve::{self, ServeOptions};
use crate::shutdown::Shutdown;
use clap::Args;
use std::net::IpAddr;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Profile names or files (default: generic-rfc). A name resolves to
    /// ./mock-targets/NAME.yaml, then to the built-in profiles.
    pub profiles: Vec<String>,
    /// Address every listener binds to.
    #[arg(long, default_value = "127.0.0.1")]
    pub listen: IpAddr,
    /// Write the endpoints JSON (docs/mock-target.md) here once all listeners accept.
    #[arg(long)]
    pub ready_file: Option<PathBuf>,
    /// Seed for resource ids, probabilistic faults and toxicity draws.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Front the targets with proxies on this Toxiproxy server instead of
    /// the built-in one (e.g. http://127.0.0.1:8474).
    #[arg(long, value_name = "URL")]
    pub toxiproxy: Option<String>,
    /// Targets serve HTTPS with a certificate from a CA made for this run;
    /// the CA's PEM is written beside the ready file (`NAME.ca.pem`, or in
    /// the temporary directory without one) and named as `ca_file`.
    #[arg(long)]
    pub tls: bool,
    /// Front a real SCIM app (repeatable): a target NAME that forwards to
    /// URL, the app's SCIM base URL, with faults and a journal in between
    /// (docs/upstream.md). With only upstreams, no mock target starts.
    #[arg(long, value_name = "NAME=URL")]
    pub upstream: Vec<String>,
    /// The CA certificate (PEM) that signed the upstream apps' HTTPS
    /// certificates, when the system does not trust it.
    #[arg(long, value_name = "FILE", requires = "upstream")]
    pub upstream_ca: Option<PathBuf>,
}

/// The `--upstream` apps, with `--upstream-ca` read; bad input otherwise.
fn upstreams(args: &ServeArgs) -> Result<Vec<UpstreamSpec>, CliError> {
    let ca_pem =
        match &args.upstream_ca {
            Some(path) => Some(std::fs::read(path).map_err(|e| {
                CliError::BadInput(format!("--upstream-ca {}: {e}", path.display()))
            })?),
            None => None,
        };
    let specs = args
        .upstream
        .iter()
        .map(|arg| UpstreamSpec::parse(arg, ca_pem.clone()).map_err(CliError::BadInput))
        .collect::<Result<Vec<_>, _>>()?;
    for (i, spec) in specs.iter().enumerate() {
        if specs[..i].iter().any(|s| s.name == spec.name) {
            return Err(CliError::BadInput(format!(
                "--upstream {}: two upstream targets have that name",
                spec.name
            )));
        }
        // An unusable CA file is the user's to fix, before anything starts.
        crate::mock::upstream::Upstream::new(spec)
            .map_err(|why| CliError::BadInput(format!("--upstream-ca: {why}")))?;
    }
    Ok(specs)
}

/// Where `--tls` writes the run's CA certificate.
fn ca_file_for(ready_file: Option<&std::path::Path>) -> PathBuf {
    match ready_file {
        Some(ready) => {
            let mut name = ready.file_name().unwrap_or_default().to_os_string();
            name.push(".ca.pem");
            ready.with_file_name(name)
        }
        None => std::env::temp_dir().join(format!("scimulate-{}.ca.pem", std::process::id())),
    }
}

pub fn run(args: ServeArgs) -> Result<(), CliError> {
    let upstreams = upstreams(&args)?;
    let names = if args.profiles.is_empty() && upstreams.is_empty() {
        vec!["generic-rfc".to_owned()]
    } else {
        args.profiles.clone()
    };
    let profiles = names
        .iter()
        .map(|n| Profile::resolve(n).map_err(|e| CliError::BadInput(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    // Listening from before the targets start: a signal while they start
    // still stops them cleanly.
    let (runtime, shutdown) = super::runtime_with_shutdown()?;
    runtime.block_on(serve_until_stopped(profiles, upstreams, args, shutdown))
}

/// Serves until SIGINT or SIGTERM (what CI and process supervisors send),
/// then stops every listener; a stop asked for is a clean end (exit 0).
async fn serve_until_stopped(
    profiles: Vec<Profile>,
    upstreams: Vec<UpstreamSpec>,
    args: ServeArgs,
    shutdown: Shutdown,
) -> Result<(), CliError> {
    let options = ServeOptions {
        listen: args.listen,
        seed: args.seed,
        tls_ca_file: args.tls.then(|| ca_file_for(args.ready_file.as_deref())),
        toxiproxy: args.toxiproxy.clone(),
        advertise: None,
        upstreams,
        admin_port: None,
    };
    if let Some(ca) = &options.tls_ca_file {
        eprintln!(
            "TLS: targets serve HTTPS; CA certificate in {}",
            ca.display()
        );
    }
    let serving = serve::start(profiles, &options)
        .await
        .map_err(|e| CliError::Harness(format!("could not start the targets: {e}")))?;
    if let Some(path) = &args.ready_file {
        serving.endpoints.write(path).map_err(|e| {
            CliError::Harness(format!(
                "could not write the ready file {}: {e}",
                path.display()
            ))
        })?;
    }
    eprintln!("admin API: {}", serving.endpoints.admin.url);
    if let Some(t) = &serving.endpoints.toxiproxy {
        eprintln!("toxiproxy API: {}", t.url);
    }
    for (name, t) in &serving.endpoints.targets {
        match &t.upstream {
            Some(app) => eprintln!("target {name}: {} (fronting {app})", t.base_url),
            None => eprintln!("target {name}: {}", t.base_url),
        }
    }
    if args.ready_file.is_none() {
        eprintln!("(credentials are in the endpoints file: pass --ready-file FILE)");
    }
    shutdown.requested().await;
    serving
        .shutdown()
        .await
        .map_err(|e| CliError::Harness(format!("shutdown failed: {e}")))
}
