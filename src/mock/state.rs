//! Everything one mock target holds while it runs.

use super::auth::Auth;
use super::journal::Journal;
use super::metrics::Metrics;
use super::store::{Store, Stored, seed_groups, seed_users};
use crate::fault::FaultSet;
use crate::mock::profile::{Profile, SchemaName};
use crate::scim::schema::ResourceTypeName;
use crate::scim::schema::{ResourceSchema, ResourceType, core};
use crate::scim::{ScimError, ScimResult, validate};
use serde_json::Value;
use std::sync::Arc;

/// Request bodies above this are refused with 413 when the profile sets no
/// bulk payload limit (RFC 7644 §3.7.4 asks for a limit; 1 MiB is common).
pub const DEFAULT_MAX_PAYLOAD: usize = 1 << 20;

pub struct TargetState {
    pub name: String,
    pub profile: Profile,
    /// The target's own SCIM base URL (`direct_url`).
    pub base_url: String,
    pub store: Store,
    pub auth: Auth,
    pub journal: Journal,
    pub metrics: Metrics,
    /// Faults switched on at run time (SPEC §3.2), drawing from the run's seed.
    pub faults: FaultSet,
    /// What the profile's behaviour knobs and rate limit remember.
    pub vendor: crate::mock::behaviour::Runtime,
    /// Set when the target fronts a real app (`serve --upstream`): requests
    /// are forwarded to it, and the store stays empty.
    pub upstream: Option<std::sync::Arc<dyn super::fronting::Fronting>>,
}

impl TargetState {
    pub fn new(name: &str, profile: Profile, base_url: &str, seed: u64) -> Self {
        let has = |s: SchemaName| profile.schemas.contains(&s);
        let users = ResourceSchema::new(
            ResourceType {
                extensions: if has(SchemaName::EnterpriseUser) {
                    vec![(core::ENTERPRISE_USER.into(), false)]
                } else {
                    vec![]
                },
                ..ResourceType::user()
            },
            core::user(),
            if has(SchemaName::EnterpriseUser) {
                vec![(core::enterprise_user(), false)]
            } else {
                vec![]
            },
        );
        let store = Store::new(
            base_url,
            seed,
            Arc::new(users),
            Arc::new(ResourceSchema::group()),
        );
        TargetState {
            name: name.to_owned(),
            auth: Auth::new(&profile.auth),
            vendor: crate::mock::behaviour::Runtime::new(&profile),
            profile,
            base_url: base_url.trim_end_matches('/').to_owned(),
            store,
            journal: Journal::default(),
            metrics: Metrics::default(),
            faults: FaultSet::new(seed),
            upstream: None,
        }
    }

    pub fn schema(&self, kind: ResourceTypeName) -> &Arc<ResourceSchema> {
        self.store.schema(kind)
    }

    pub fn serves(&self, kind: ResourceTypeName) -> bool {
        self.profile.resource_types.contains(&kind)
    }

    pub fn max_payload(&self) -> usize {
        if let Some(limit) = self.profile.behaviour.max_payload_bytes {
            return limit;
        }
        self.profile
            .features
            .bulk
            .as_ref()
            .map_or(DEFAULT_MAX_PAYLOAD, |b| b.max_payload_size)
    }

    /// Stores the profile's `seed:` accounts.
    pub fn seed_from_profile(&self) -> ScimResult<()> {
        let Some(seed) = &self.profile.seed else {
            return Ok(());
        };
        // In chunks, so a million seeded users never exist twice over
        // (generated, then stored) and the peak stays near what is kept.
        const CHUNK: usize = 10_000;
        for (kind, n, generate) in [
            (ResourceTypeName::User, seed.users, seed_users as fn(_) -> _),
            (ResourceTypeName::Group, seed.groups, seed_groups),
        ] {
            for first in (1..=n).step_by(CHUNK) {
                let last = (first + CHUNK - 1).min(n);
                self.seed(kind, generate(first..=last))?;
            }
        }
        Ok(())
    }

    /// Validates and stores resources as if they pre-existed.
    pub fn seed(&self, kind: ResourceTypeName, resources: Vec<Value>) -> ScimResult<Vec<Stored>> {
        if let Some(upstream) = &self.upstream {
            return Err(ScimError::invalid_value(format!(
                "this target fronts a real app ({}): accounts are created in the app, not seeded at the proxy",
                upstream.url()
            )));
        }
        if !self.serves(kind) && !resources.is_empty() {
            return Err(ScimError::invalid_value(format!(
                "this target does not serve {kind:?} resources"
            )));
        }
        let schema = self.schema(kind).clone();
        let valid = resources
            .iter()
            .enumerate()
            .map(|(i, r)| {
                validate::for_create(r, &schema).map_err(|e| {
                    ScimError::new(
                        e.status,
                        e.scim_type,
                        format!("{kind:?}[{i}]: {}", e.detail),
                    )
                })
            })
            .collect::<ScimResult<Vec<_>>>()?;
        self.store.seed(kind, valid)
    }
}
