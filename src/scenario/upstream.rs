//! `upstream:` targets of a scenario file (a real app fronted by
//! scimulate): their keys, and what a real app cannot take, refused at its
//! place in the file.

use super::file::{RawScenario, RawTarget};
use super::load::Loader;
use super::model::{Action, Existing, Step, TargetSpec, UpstreamTarget};
use crate::fault::FaultSpec;
use crate::located::Located;
use crate::mock::profile::{GENERIC_RFC_YAML, Profile};
use crate::mock::upstream::{self, UpstreamSpec};
use serde_saphyr::Spanned;
use std::path::Path;

impl Loader<'_> {
    /// `upstream: URL` with its `read_token_env` (required), `token_env`,
    /// `ca_file` and quirks (none that needs the store); the profile it
    /// runs under is the strict one.
    pub(super) fn upstream(
        &self,
        name: &str,
        url: &Spanned<String>,
        t: &RawTarget,
        quirks: &[FaultSpec],
        path: &Path,
    ) -> Result<(Profile, UpstreamTarget), Located> {
        let spec = UpstreamSpec::parse(&format!("{name}={}", url.value), None).map_err(|why| {
            let why = why.split_once(": ").map_or(why.as_str(), |(_, rest)| rest);
            self.err(url, format!("target `{name}`: upstream: {why}"))
        })?;
        let Some(var) = &t.read_token_env else {
            return Err(self.err(
                url,
                format!("target `{name}`: `upstream` needs `read_token_env: VAR`, the environment variable holding the token the judge reads the app's state with"),
            ));
        };
        let variable = |key: &str, var: &Spanned<String>| {
            let valid = !var.value.is_empty()
                && var
                    .value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_');
            if valid {
                Ok(var.value.clone())
            } else {
                Err(self.err(
                    var,
                    format!("target `{name}`: {key}: expected an environment variable name (letters, digits, '_')"),
                ))
            }
        };
        let read_token_env = variable("read_token_env", var)?;
        let token_env = t
            .token_env
            .as_ref()
            .map(|v| variable("token_env", v))
            .transpose()?;
        let ca_file = t.ca_file.as_ref().map(|f| {
            let folder = path.parent().unwrap_or(Path::new("."));
            folder.join(&f.value)
        });
        for q in quirks {
            upstream::refuses(q.kind, &spec.url)
                .map_err(|why| self.err(url, format!("target `{name}`: quirks: {why}")))?;
        }
        let strict = Profile::from_yaml(GENERIC_RFC_YAML, "generic-rfc.yaml")
            .map_err(|e| self.err(url, e.to_string()))?;
        let target = UpstreamTarget {
            url: spec.url,
            read_token_env,
            token_env,
            ca_file,
        };
        Ok((strict, target))
    }

    /// What a target fronting a real app cannot take: a fault that needs
    /// its store, a token rotation at the proxy, seeded accounts.
    pub(super) fn upstream_steps(
        &self,
        targets: &[TargetSpec],
        steps: &[Step],
        existing: &[Existing],
        raw: &RawScenario,
    ) -> Result<(), Located> {
        let upstream_of = |name: &str| {
            targets
                .iter()
                .find(|t| t.name == name)
                .and_then(|t| t.upstream.as_ref())
        };
        for step in steps {
            match &step.action {
                Action::Fault { target, spec } => {
                    if let Some(app) = upstream_of(target) {
                        upstream::refuses(spec.kind, &app.url)
                            .map_err(|why| self.err(step.place, format!("fault: {why}")))?;
                    }
                }
                Action::RotateToken { target } if upstream_of(target).is_some() => {
                    return Err(self.err(
                        step.place,
                        format!("rotate_token: target `{target}` fronts a real app, whose tokens are the app's to rotate"),
                    ));
                }
                _ => {}
            }
        }
        for (e, raw_e) in existing.iter().zip(&raw.existing) {
            if let Some(t) = e.targets.iter().find(|t| upstream_of(t).is_some()) {
                return Err(self.err(
                    raw_e,
                    format!("existing: target `{t}` fronts a real app: its accounts are the app's, scimulate cannot seed them (name the mock targets in `targets:`)"),
                ));
            }
        }
        Ok(())
    }
}
