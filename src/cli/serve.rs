//! `scimulate serve [PROFILE...]`: run mock targets until stopped.

use super::exit::CliError;
use crate::target::profile::Profile;
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
    /// Write the endpoints JSON (SPEC §3.4) here once all listeners accept.
    #[arg(long)]
    pub ready_file: Option<PathBuf>,
}

pub fn run(args: ServeArgs) -> Result<(), CliError> {
    let names = if args.profiles.is_empty() {
        vec!["generic-rfc".to_owned()]
    } else {
        args.profiles.clone()
    };
    let _profiles = names
        .iter()
        .map(|n| Profile::resolve(n).map_err(|e| CliError::BadInput(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    Err(CliError::Harness(
        "serve is wired once the target server lands".into(),
    ))
}
