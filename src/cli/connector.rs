//! `scimulate connector`: the built-in reference connector (SPEC §4.5).
//! Prints its bound address, re-reads the targets file on SIGHUP and stops
//! on SIGTERM or Ctrl-C; the queue stays in the work directory.

use super::CliError;
use crate::duration::HumanDuration;
use crate::refconn::{self, Defect, Defects};
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ConnectorArgs {
    /// Address to listen on (port 0: the OS picks one; it is printed).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// The targets file (docs/connectors.md).
    #[arg(long, env = "SCIMULATE_TARGETS_FILE")]
    pub targets: PathBuf,
    /// Where the queue and delivery state are kept.
    #[arg(long, env = "SCIMULATE_WORKDIR")]
    pub workdir: PathBuf,
    /// Failing longer than this raises `failed` (scenario time: divided by
    /// SCIMULATE_TIME_SCALE when that is set).
    #[arg(long, default_value = "30s")]
    pub failed_after: HumanDuration,
    /// Answers slower than this count as `latency` failures.
    #[arg(long, default_value = "2s")]
    pub latency_threshold: HumanDuration,
    /// Switch off one behaviour (repeatable): no-alerts,
    /// alert-on-first-failure, wrong-class, no-first-failure-at,
    /// wrong-pending, no-queue, memory-queue, fifo-replay, no-backoff,
    /// ignore-retry-after, retry-non-retryable, no-token-reload,
    /// no-correlation, no-read-after-write, no-healthy, audit-now.
    #[arg(long = "defect", value_name = "NAME")]
    pub defects: Vec<Defect>,
}

pub fn run(args: ConnectorArgs) -> Result<(), CliError> {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .try_init();
    let mut opts = refconn::Options::new(args.targets, args.workdir);
    opts.listen = args.listen;
    opts.failed_after = args.failed_after.0;
    opts.latency_threshold = args.latency_threshold.0;
    opts.defects = Defects::new(args.defects);
    if let Ok(name) = std::env::var("SCIMULATE_CONNECTOR_NAME") {
        opts.name = name;
    }
    // Scenario time runs X times faster: `failed` after --failed-after of
    // scenario time, and a shorter backoff cap (SPEC §5 "Time").
    if let Some(x) = std::env::var("SCIMULATE_TIME_SCALE")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|x| x.is_finite() && *x > 0.0)
    {
        opts.time_scale = x;
        opts.failed_after = opts.failed_after.div_f64(x);
    }
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| CliError::Harness(format!("could not start the async runtime: {e}")))?;
    runtime.block_on(async move {
        // Handlers first: a SIGHUP that arrives once /healthz answers must
        // reload, not end the process (the default action).
        use tokio::signal::unix::{SignalKind, signal};
        let sig = |k| signal(k).map_err(|e| CliError::Harness(format!("signals: {e}")));
        let mut hup = sig(SignalKind::hangup())?;
        let mut term = sig(SignalKind::terminate())?;
        let running = refconn::start(opts).await.map_err(|e| match e {
            refconn::StartError::Targets { .. } => CliError::BadInput(e.to_string()),
            _ => CliError::Harness(e.to_string()),
        })?;
        println!("listening on http://{}", running.addr);
        loop {
            tokio::select! {
                _ = hup.recv() => running.reload(),
                _ = term.recv() => break,
                _ = tokio::signal::ctrl_c() => break,
            }
        }
        running.shutdown().await;
        Ok(())
    })
}
