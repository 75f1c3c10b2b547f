//! Mock target profiles (SPEC §2): what a service provider supports and how
//! it authenticates. Unknown keys are rejected, so a typo in a profile is
//! an error naming its line and column, not a silent default; loading and
//! the rules serde cannot express are in `profile_file`.

use crate::duration::HumanDuration;
use crate::fault::Quirk;
pub use crate::mock::behaviour::{Behaviour, RateLimitConfig};
use crate::scim::schema::ResourceTypeName;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The strict reference profile, built into the binary.
pub const GENERIC_RFC_YAML: &str = include_str!("../../mock-targets/generic-rfc.yaml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Optional `kind: profile`, which lets `scimulate check` recognise a
    /// profile kept outside `mock-targets/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ProfileKind>,
    pub name: String,
    #[serde(default = "default_resource_types")]
    pub resource_types: Vec<ResourceTypeName>,
    #[serde(default = "default_schemas")]
    pub schemas: Vec<SchemaName>,
    #[serde(default)]
    pub auth: AuthConfig,
    #[serde(default)]
    pub features: Features,
    #[serde(default = "default_page_size")]
    pub page_size_default: usize,
    #[serde(default = "default_base_path")]
    pub base_path: String,
    /// Vendor knobs (vendor-behaviour.md §5.1); `{}` is strict RFC.
    #[serde(default)]
    pub behaviour: Behaviour,
    /// A standing token-bucket limit (SPEC §2), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimitConfig>,
    /// Standing faults (SPEC §2, §3.2): bare kind names or fault objects,
    /// switched on when the target starts and kept across resets.
    #[serde(default)]
    pub quirks: Vec<Quirk>,
    #[serde(default)]
    pub seed: Option<SeedConfig>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProfileKind {
    Profile,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SchemaName {
    CoreUser,
    EnterpriseUser,
    CoreGroup,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum AuthConfig {
    /// A static bearer token that expires after `token_ttl`.
    Bearer { token_ttl: Option<HumanDuration> },
    /// OAuth 2.0 client credentials (RFC 6749 §4.4): tokens come from the
    /// target's token endpoint and live `token_ttl`.
    Oauth2ClientCredentials { token_ttl: Option<HumanDuration> },
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig::Bearer { token_ttl: None }
    }
}

impl AuthConfig {
    /// How long an issued token stays valid; `None` is forever.
    pub fn token_ttl(&self) -> Option<Duration> {
        match self {
            AuthConfig::Bearer { token_ttl }
            | AuthConfig::Oauth2ClientCredentials { token_ttl } => token_ttl.map(|d| d.0),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Features {
    #[serde(default = "yes")]
    pub patch: bool,
    #[serde(default)]
    pub bulk: Option<BulkFeature>,
    #[serde(default)]
    pub filter: Option<FilterFeature>,
    #[serde(default = "yes")]
    pub sort: bool,
    #[serde(default = "yes")]
    pub etag: bool,
    #[serde(default)]
    pub change_password: bool,
}

impl Default for Features {
    fn default() -> Self {
        Features {
            patch: true,
            bulk: Some(BulkFeature::default()),
            filter: Some(FilterFeature::default()),
            sort: true,
            etag: true,
            change_password: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkFeature {
    #[serde(default = "default_bulk_ops")]
    pub max_operations: usize,
    #[serde(default = "default_bulk_payload")]
    pub max_payload_size: usize,
}

impl Default for BulkFeature {
    fn default() -> Self {
        BulkFeature {
            max_operations: default_bulk_ops(),
            max_payload_size: default_bulk_payload(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterFeature {
    #[serde(default = "default_max_results")]
    pub max_results: usize,
}

impl Default for FilterFeature {
    fn default() -> Self {
        FilterFeature {
            max_results: default_max_results(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedConfig {
    /// Pre-existing accounts generated deterministically (`userN@example.com`).
    #[serde(default)]
    pub users: usize,
    #[serde(default)]
    pub groups: usize,
}

fn yes() -> bool {
    true
}
fn default_resource_types() -> Vec<ResourceTypeName> {
    vec![ResourceTypeName::User, ResourceTypeName::Group]
}
fn default_schemas() -> Vec<SchemaName> {
    vec![
        SchemaName::CoreUser,
        SchemaName::EnterpriseUser,
        SchemaName::CoreGroup,
    ]
}
fn default_page_size() -> usize {
    100
}
fn default_base_path() -> String {
    "/scim/v2".into()
}
fn default_bulk_ops() -> usize {
    1000
}
fn default_bulk_payload() -> usize {
    1_048_576
}
fn default_max_results() -> usize {
    200
}

/// The hand-written profile schema names exactly the keys this loader
/// accepts, at each level of the file that the schema spells out.
#[cfg(test)]
mod schema_keys {
    use super::Profile;
    use crate::schema::SchemaKind;
    use crate::schema::drift::{UNKNOWN, assert_same_keys};

    /// After the name, `yaml` with `@` where the unknown key goes, and that
    /// place in the schema.
    #[rstest::rstest]
    #[case::file("@: 1", &[])]
    #[case::features("features: {@: 1}", &["features"])]
    #[case::bulk("features: {bulk: {@: 1}}", &["features", "bulk"])]
    #[case::filter("features: {filter: {@: 1}}", &["features", "filter"])]
    #[case::rate_limit("rate_limit: {requests_per_second: 1, burst: 1, @: 1}", &["rate_limit"])]
    #[case::seed("seed: {@: 1}", &["seed"])]
    fn match_the_loader(#[case] yaml: &str, #[case] path: &[&str]) {
        let yaml = format!("name: p\n{yaml}").replace('@', UNKNOWN);
        let refusal = serde_saphyr::from_str::<Profile>(&yaml)
            .expect_err("an unknown key is refused")
            .to_string();
        assert_same_keys(SchemaKind::Profile, path, &refusal);
    }
}
