//! Everything one mock target holds while it runs.

use super::auth::Auth;
use super::faults;
use super::journal::Journal;
use super::metrics::Metrics;
use super::store::{Store, Stored, seed_groups, seed_users};
use crate::fault::{FaultSet, FaultSpec};
use crate::mock::profile::{Profile, SchemaName};
use crate::scim::schema::ResourceTypeName;
use crate::scim::schema::{ResourceSchema, ResourceType, Schema, core};
use crate::scim::{ScimError, ScimResult, validate};
use serde_json::Value;
use std::sync::Arc;
use std::time::Instant;

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

    /// The schemas `/Schemas` lists: the profile's resource schemas and the
    /// three that describe the service provider itself.
    pub fn served_schemas(&self) -> Vec<Schema> {
        let mut out = Vec::new();
        for name in &self.profile.schemas {
            out.push(match name {
                SchemaName::CoreUser => core::user(),
                SchemaName::EnterpriseUser => core::enterprise_user(),
                SchemaName::CoreGroup => core::group(),
            });
        }
        // A `schema_drift` fault may have dropped an extension.
        out.retain(|s| !faults::drift::hides(&s.id));
        out.extend([
            core::service_provider_config(),
            core::resource_type(),
            core::schema(),
        ]);
        out
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

    /// Empty store, journal and counters, run-time faults cleared; a fresh
    /// token is not issued (the connector's credentials stay valid). The
    /// profile's quirks are installed afresh, as when the target started:
    /// they are the profile, not the run.
    pub fn reset(&self) {
        self.store.reset();
        self.journal.clear();
        self.metrics.clear();
        self.faults.clear_matching(None);
        self.vendor.reset();
        self.store.keep_history(None);
        if let Err(why) = self.install_quirks() {
            // The same quirks installed when the target started.
            tracing::warn!(target = %self.name, "reinstalling quirks after reset: {why}");
        }
    }

    /// Installs the profile's `quirks` as standing faults.
    pub fn install_quirks(&self) -> Result<(), String> {
        for (i, quirk) in self.profile.quirks.iter().enumerate() {
            self.switch_on(quirk.0.clone(), true)
                .map_err(|why| format!("quirks[{i}]: {why}"))?;
        }
        Ok(())
    }

    /// Switches a fault on from now; returns its id, or why it cannot be.
    pub fn add_fault(&self, spec: FaultSpec) -> Result<u64, String> {
        self.switch_on(spec, false)
    }

    /// Why this target cannot take the fault, if it cannot: its own checks,
    /// then those that need the target's schemas.
    pub fn check_fault(&self, spec: &FaultSpec) -> Result<(), String> {
        spec.validate()?;
        faults::drift::validate(self, spec)?;
        faults::once::validate(self, spec)
    }

    fn switch_on(&self, spec: FaultSpec, standing: bool) -> Result<u64, String> {
        self.check_fault(&spec)?;
        faults::on_switch(self, &spec);
        let id = self.faults.add(spec.clone(), Instant::now(), standing);
        let effect = faults::once::apply(self, &spec);
        match (effect, self.faults.get(id)) {
            (Ok(Some(effect)), Some(fault)) => fault.set_effect(effect),
            (Err(why), _) => {
                self.faults.clear(id);
                return Err(why);
            }
            _ => {}
        }
        Ok(id)
    }

    /// Clears one fault; false when there is no such id.
    pub fn clear_fault(&self, id: u64) -> bool {
        let cleared = self.faults.clear(id);
        faults::on_clear(self);
        cleared
    }

    /// Clears the faults switched on at run time; the profile's standing
    /// quirks stay (they are the profile's behaviour, not a fault of the
    /// run). Returns how many were cleared.
    pub fn clear_faults(&self) -> usize {
        let n = self.faults.clear_run_time();
        faults::on_clear(self);
        n
    }
}
