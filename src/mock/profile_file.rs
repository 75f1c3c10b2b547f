//! Loading a profile (SPEC §2): from YAML text, a file, or a name that
//! resolves to `./mock-targets/NAME.yaml` or a built-in profile, with the
//! rules serde cannot express checked, the profile's quirks among them (a
//! quirk is checked as a target of that profile would check it).

use crate::located::{Located, Place};
use crate::mock::profile::{GENERIC_RFC_YAML, Profile, SchemaName};
use crate::scim::schema::ResourceTypeName;
use crate::yaml::LoadError;
use std::path::Path;

/// Why a profile could not be resolved. The message names the file and,
/// for YAML and schema errors, the line and column.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// Unreadable, or wrong at a place in it.
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(
        "no profile named '{name}': looked for {tried} and among the built-in profiles ({builtin})"
    )]
    NotFound {
        name: String,
        tried: String,
        builtin: String,
    },
}

impl Profile {
    /// Parses a profile from YAML; `origin` names the file in errors.
    pub fn from_yaml(text: &str, origin: &str) -> Result<Profile, Located> {
        let profile: Profile = crate::yaml::parse(text, origin)?;
        profile.check(text, origin)?;
        Ok(profile)
    }

    /// Rules serde cannot express; errors point at the top-level key. The
    /// key is found by searching the text, so the place is said but the
    /// line is not shown.
    fn check(&self, text: &str, origin: &str) -> Result<(), Located> {
        let invalid = |key: &str, problem: String| {
            Err(Located::new(origin, format!("{key}: {problem}"))
                .at(locate_top_level_key(text, key)))
        };
        // A knob's key is nested: point at its first occurrence.
        let invalid_at = |key: &str, problem: String| {
            Err(Located::new(origin, format!("behaviour: {problem}")).at(locate_key(text, key)))
        };
        let bp = &self.base_path;
        if !bp.starts_with('/') || (bp.ends_with('/') && bp.len() > 1) {
            return invalid(
                "base_path",
                format!(
                    "'{bp}': expected a path that starts with '/' and does not end with '/' (e.g. /scim/v2)"
                ),
            );
        }
        if self.page_size_default == 0 {
            return invalid("page_size_default", "expected a positive integer".into());
        }
        if let Some((key, problem)) = self.behaviour.problem() {
            return invalid_at(key, problem);
        }
        if let Some(problem) = self.rate_limit.as_ref().and_then(|r| r.problem()) {
            return invalid("rate_limit", problem);
        }
        let has = |rt, schema| !self.resource_types.contains(&rt) || self.schemas.contains(&schema);
        if !has(ResourceTypeName::User, SchemaName::CoreUser) {
            return invalid("schemas", "resource type User needs core-user".into());
        }
        if !has(ResourceTypeName::Group, SchemaName::CoreGroup) {
            return invalid("schemas", "resource type Group needs core-group".into());
        }
        if let Err(why) = crate::mock::faults::check_quirks(self) {
            return invalid("quirks", why);
        }
        Ok(())
    }

    /// Loads a profile file.
    pub fn from_file(path: &Path) -> Result<Profile, LoadError> {
        let text = crate::yaml::read(path, "profile")?;
        Ok(Profile::from_yaml(&text, &path.display().to_string())?)
    }

    /// Resolves a profile argument (SPEC §1): an existing file path, else
    /// `./mock-targets/NAME.yaml`, else a profile built into the binary.
    pub fn resolve(arg: &str) -> Result<Profile, ProfileError> {
        let as_path = Path::new(arg);
        if as_path.is_file() {
            return Ok(Profile::from_file(as_path)?);
        }
        let local = Path::new("mock-targets").join(format!("{arg}.yaml"));
        if local.is_file() {
            return Ok(Profile::from_file(&local)?);
        }
        match builtin(arg) {
            Some(text) => Profile::from_yaml(text, &format!("<built-in profile {arg}>"))
                .map_err(|e| LoadError::from(e).into()),
            None => Err(ProfileError::NotFound {
                name: arg.to_owned(),
                tried: local.display().to_string(),
                builtin: BUILTIN
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }
}

/// Where a top-level `key:` is in YAML text.
pub(crate) fn locate_top_level_key(text: &str, key: &str) -> Option<Place> {
    text.lines().enumerate().find_map(|(i, line)| {
        let rest = line.strip_prefix(key)?;
        rest.trim_start().starts_with(':').then_some(Place {
            line: i as u64 + 1,
            column: 1,
        })
    })
}

/// Where a `key:` is anywhere in YAML text (block or flow style); a dotted
/// `outer.inner` finds `inner` at or after `outer`.
pub(crate) fn locate_key(text: &str, dotted: &str) -> Option<Place> {
    let mut from = (0, 0);
    for key in dotted.split('.') {
        from = text
            .lines()
            .enumerate()
            .skip(from.0)
            .find_map(|(i, line)| {
                let code = line.split('#').next().unwrap_or("");
                let start = if i == from.0 { from.1 } else { 0 };
                code.match_indices(key).find_map(|(at, _)| {
                    let before = code[..at].chars().next_back();
                    let boundary = before.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
                    let after = code[at + key.len()..].trim_start();
                    (at >= start && boundary && after.starts_with(':')).then_some((i, at))
                })
            })?;
    }
    Some(Place {
        line: from.0 as u64 + 1,
        column: from.1 as u64 + 1,
    })
}

/// Profiles built into the binary, so `serve slack` works anywhere.
const BUILTIN: &[(&str, &str)] = &[
    ("generic-rfc", GENERIC_RFC_YAML),
    ("slack", include_str!("../../mock-targets/slack.yaml")),
    (
        "github-emu",
        include_str!("../../mock-targets/github-emu.yaml"),
    ),
    (
        "aws-iam-identity-center",
        include_str!("../../mock-targets/aws-iam-identity-center.yaml"),
    ),
    (
        "terraform-enterprise",
        include_str!("../../mock-targets/terraform-enterprise.yaml"),
    ),
    (
        "atlassian",
        include_str!("../../mock-targets/atlassian.yaml"),
    ),
    (
        "snowflake-pre-2026-03",
        include_str!("../../mock-targets/snowflake-pre-2026-03.yaml"),
    ),
    (
        "snowflake-2026-03",
        include_str!("../../mock-targets/snowflake-2026-03.yaml"),
    ),
];

fn builtin(name: &str) -> Option<&'static str> {
    BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_shipped_generic_rfc_profile_loads() {
        let p = Profile::from_yaml(GENERIC_RFC_YAML, "generic-rfc.yaml").expect("valid");
        assert_eq!(p.name, "generic-rfc");
        assert_eq!(p.base_path, "/scim/v2");
        assert!(p.features.patch && p.features.etag && p.features.sort);
        assert_eq!(p.features.filter.as_ref().map(|f| f.max_results), Some(200));
        assert!(p.quirks.is_empty());
    }

    #[test]
    fn unknown_keys_are_rejected_with_line_and_column() {
        let err = Profile::from_yaml(
            "name: x\nfeatures: { patch: true, sorrt: true }\n",
            "p.yaml",
        )
        .unwrap_err();
        insta::assert_snapshot!(err.to_string());
    }

    #[test]
    fn bad_durations_name_the_expected_form() {
        let err = Profile::from_yaml(
            "name: x\nauth: { type: bearer, token_ttl: 10 minutes }\n",
            "p.yaml",
        )
        .unwrap_err();
        insta::assert_snapshot!(err.to_string());
    }

    #[test]
    fn bad_base_path_is_rejected() {
        let err = Profile::from_yaml("name: x\nbase_path: scim/\n", "p.yaml").unwrap_err();
        insta::assert_snapshot!(err.to_string());
    }

    #[test]
    fn unknown_profile_names_say_where_they_were_looked_for() {
        let err = Profile::resolve("no-such-profile").unwrap_err();
        insta::assert_snapshot!(err.to_string());
    }

    #[test]
    fn nested_keys_are_located_below_their_parent() {
        let text = "name: x\nbehaviour:\n  error_body_style: { status: integer }\n  patch_member_limits:\n    status: 429 # status: no\n";
        let at = |line, column| Some(Place { line, column });
        assert_eq!(locate_key(text, "status"), at(3, 23));
        assert_eq!(locate_key(text, "patch_member_limits.status"), at(5, 5));
        assert_eq!(locate_key(text, "patch_member_limits.nothing"), None);
    }

    #[test]
    fn every_built_in_profile_loads() {
        for (name, text) in BUILTIN {
            let p = Profile::from_yaml(text, name).expect("valid");
            assert_eq!(&p.name, name);
        }
    }

    #[test]
    fn oauth_profiles_parse() {
        let p = Profile::from_yaml(
            "name: x\nauth: { type: oauth2_client_credentials, token_ttl: 10m }\n",
            "p.yaml",
        )
        .expect("valid");
        assert_eq!(p.auth.token_ttl(), Some(Duration::from_secs(600)));
    }
}
