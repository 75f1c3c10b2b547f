//! `scimulate certify` (SPEC §1, §6): flags in, a session run, reports
//! out, the exit status from the report. Secrets are read here (from the
//! environment where the flags say so) and never printed.

use super::CliError;
use crate::certify::{self, Options, Persona, SessionError};
use crate::exit::Outcome;
use crate::partition::Partition;
use crate::report::{
    FailOn, ReportSpec, check_specs, exit_status, partition_summary, refuse_har, write_reports,
};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct CertifyArgs {
    /// Base URL of the SCIM server (e.g. https://example.com/scim/v2).
    #[arg(long, required_unless_present = "list")]
    pub url: Option<String>,
    /// Bearer token (prefer --token-env: a flag shows in the process list).
    /// A token may begin with '-' (base64url): it is still the value.
    #[arg(long, allow_hyphen_values = true, conflicts_with_all = ["token_env", "oauth_token_url"])]
    pub token: Option<String>,
    /// Environment variable holding the bearer token.
    #[arg(long, value_name = "VAR", conflicts_with = "oauth_token_url")]
    pub token_env: Option<String>,
    /// OAuth2 token endpoint (client credentials grant).
    #[arg(long, value_name = "URL", requires_all = ["client_id", "client_secret_env"])]
    pub oauth_token_url: Option<String>,
    #[arg(long)]
    pub client_id: Option<String>,
    /// Environment variable holding the OAuth2 client secret.
    #[arg(long, value_name = "VAR")]
    pub client_secret_env: Option<String>,
    #[arg(long)]
    pub oauth_scope: Option<String>,
    /// Environment variable holding an expired token (else those checks are skipped).
    #[arg(long, value_name = "VAR")]
    pub expired_token_env: Option<String>,
    /// Extra header on every request, 'NAME: VALUE'; repeatable.
    #[arg(long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// Trust this CA (PEM) for HTTPS.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Never send more than N requests per second.
    #[arg(long, value_name = "N")]
    pub max_rps: Option<f64>,
    /// Record every created resource here (append, fsync).
    #[arg(long, value_name = "FILE")]
    pub ledger: Option<PathBuf>,
    /// Delete exactly what --ledger FILE recorded, then exit.
    #[arg(long, requires = "ledger")]
    pub cleanup: bool,
    /// Request shapes to send and whose INTEROP checks count.
    #[arg(long, value_enum, default_value = "rfc")]
    pub profile: ProfileArg,
    /// Run only these check ids.
    #[arg(long, value_delimiter = ',', value_name = "ID[,ID...]")]
    pub only: Vec<String>,
    /// Print the catalogue and exit (with --only or --partition: the
    /// checks they select).
    #[arg(long)]
    pub list: bool,
    /// Run the K-th of N slices of the selected checks (after --only), e.g.
    /// 2/4 on the second of four CI machines. The slices are disjoint,
    /// cover the selection and are the same on every machine; each runs
    /// discovery first and deletes what it created. `scimulate report`
    /// merges their JSON reports.
    #[arg(long, value_name = "K/N", conflicts_with = "cleanup")]
    pub partition: Option<Partition>,
    /// Provisioning load: the --profile's traffic (lookups, creates, updates,
    /// deactivations, deletes of its own users) at RATE requests per second
    /// for DURATION (default 25:60s, Entra's bar for gallery apps); reports
    /// the rate held, p50/p99 latency, errors and 429s as check LOAD-001.
    #[arg(long, value_name = "RATE[:DURATION]", num_args = 0..=1, default_missing_value = "25:60s")]
    pub load: Option<String>,
    /// Which failed levels give exit 1.
    #[arg(long, value_enum, default_value = "should")]
    pub fail_on: FailOnArg,
    /// FORMAT[:PATH]; repeatable (default: terminal).
    #[arg(long = "report", value_name = "FORMAT[:PATH]", value_parser = parse_report)]
    pub reports: Vec<ReportSpec>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ProfileArg {
    Rfc,
    Entra,
    Okta,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FailOnArg {
    Must,
    Should,
}

fn parse_report(s: &str) -> Result<ReportSpec, String> {
    s.parse::<ReportSpec>().map_err(|e| e.to_string())
}

fn env(var: &str, flag: &str) -> Result<String, CliError> {
    std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| CliError::BadInput(format!("{flag} {var}: the variable is not set")))
}

fn header(h: &str) -> Result<(String, String), CliError> {
    let (n, v) = h
        .split_once(':')
        .ok_or_else(|| CliError::BadInput(format!("--header {h:?}: expected 'NAME: VALUE'")))?;
    Ok((n.trim().to_owned(), v.trim().to_owned()))
}

fn map_err(e: SessionError) -> CliError {
    match e {
        SessionError::BadInput(m) => CliError::BadInput(m),
        SessionError::Harness(m) => CliError::Harness(m),
    }
}

/// Builds the session's options: secrets resolved, files read.
async fn options(args: &CertifyArgs) -> Result<Options, CliError> {
    let url = args.url.clone().unwrap_or_default();
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(CliError::BadInput(format!(
            "--url {url:?}: expected an http:// or https:// URL"
        )));
    }
    let mut o = Options::new(&url);
    o.headers = args
        .headers
        .iter()
        .map(|h| header(h))
        .collect::<Result<_, _>>()?;
    if let Some(p) = &args.ca_file {
        o.ca_pem = Some(
            std::fs::read(p)
                .map_err(|e| CliError::BadInput(format!("--ca-file {}: {e}", p.display())))?,
        );
    }
    if let Some(r) = args.max_rps
        && !(r.is_finite() && r > 0.0)
    {
        return Err(CliError::BadInput(
            "--max-rps: expected a positive number".into(),
        ));
    }
    o.max_rps = args.max_rps;
    o.progress = true;
    o.ledger = args.ledger.clone();
    o.only = args.only.clone();
    if let Some(l) = &args.load {
        let spec: certify::LoadSpec = l.parse().map_err(CliError::BadInput)?;
        o.load = Some(spec);
        // --only without the load check still runs it: --load asked for it.
        if !o.only.is_empty() && !o.only.iter().any(|id| id.eq_ignore_ascii_case("LOAD-001")) {
            o.only.push("LOAD-001".into());
        }
    }
    o.partition = args.partition;
    o.profile = match args.profile {
        ProfileArg::Rfc => Persona::Rfc,
        ProfileArg::Entra => Persona::Entra,
        ProfileArg::Okta => Persona::Okta,
    };
    o.fail_on = match args.fail_on {
        FailOnArg::Must => FailOn::Must,
        FailOnArg::Should => FailOn::Should,
    };
    o.token = match (&args.token, &args.token_env) {
        (Some(t), _) => Some(t.clone()),
        (None, Some(v)) => Some(env(v, "--token-env")?),
        _ => None,
    };
    if let Some(v) = &args.expired_token_env {
        o.expired_token = Some(env(v, "--expired-token-env")?);
    }
    if let Some(token_url) = &args.oauth_token_url {
        let secret = env(
            args.client_secret_env.as_deref().unwrap_or(""),
            "--client-secret-env",
        )?;
        o.oauth = Some(certify::client::OAuth {
            token_url: token_url.clone(),
            client_id: args.client_id.clone().unwrap_or_default(),
            client_secret: secret,
            scope: args.oauth_scope.clone(),
        });
    }
    Ok(o)
}

/// The checks `--only` and `--partition` select, in catalogue order.
fn selection(args: &CertifyArgs) -> Result<Vec<certify::Check>, CliError> {
    let selected = certify::catalogue::select(&args.only).map_err(CliError::BadInput)?;
    Ok(match args.partition {
        Some(p) => p.pick(selected, |c| c.id),
        None => selected,
    })
}

pub fn run(args: CertifyArgs) -> Result<Outcome, CliError> {
    if args.list {
        let selected = selection(&args)?;
        certify::catalogue::write_list_of(&selected, &mut std::io::stdout())
            .map_err(|e| CliError::Harness(format!("could not print the list: {e}")))?;
        return Ok(Outcome::Passed);
    }
    if let Some(p) = args.partition
        && !args.cleanup
    {
        let all = certify::catalogue::select(&args.only).map_err(CliError::BadInput)?;
        let line = partition_summary(p, p.size(all.len()), Some(all.len()), "check");
        eprintln!("{line}");
    }
    let mut specs = args.reports.clone();
    if specs.is_empty() {
        specs.push(ReportSpec::default_terminal());
    }
    check_specs(&specs).map_err(CliError::BadInput)?;
    refuse_har(
        &specs,
        "certify sends its requests to a live server, which keeps no journal of them",
    )
    .map_err(CliError::BadInput)?;
    let (runtime, shutdown) = super::runtime_with_shutdown()?;
    let outcome = runtime.block_on(async {
        let opts = options(&args).await?;
        if args.cleanup {
            let (deleted, refused) = certify::cleanup_ledger(&opts).await.map_err(map_err)?;
            eprintln!("certify --cleanup: deleted {deleted} resource(s)");
            for r in &refused {
                eprintln!("  not deleted: {r}");
            }
            return Ok(if refused.is_empty() {
                Outcome::Passed
            } else {
                Outcome::HarnessProblem
            });
        }
        // A signal stops the checks; what the run created is deleted
        // whatever further signals come (only SIGKILL abandons that).
        let stop = shutdown.requested();
        let cancel = async move {
            stop.await;
            eprintln!("certify: stopping; deleting what this run created");
        };
        let report = certify::certify(&opts, cancel).await.map_err(map_err)?;
        write_reports(&report, &specs)
            .map_err(|e| CliError::Harness(format!("could not write a report: {e}")))?;
        Ok(exit_status(&report))
    });
    // Stopped by a signal: 130 or 143, after the cleanup and the reports
    // (`--cleanup` itself runs to its end: stopping it would leave what
    // it is there to delete).
    match shutdown.signal() {
        Some(signal) => outcome.map(|_| signal.outcome()),
        None => outcome,
    }
}
