//! Switching faults on and off in a target: a fault is checked against
//! the target (its own rules, then those that need the target's schemas),
//! does what it does when switched on (SPEC §3.2), and lets go of what only
//! it needed when cleared. The profile's quirks are standing faults,
//! installed when the target starts and again after a reset.

use crate::fault::FaultSpec;
use crate::mock::faults::{self, drift, once};
use crate::mock::state::TargetState;
use std::time::Instant;

impl TargetState {
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
        if let Some(upstream) = &self.upstream {
            upstream.forgive_tokens();
            upstream.forget_history();
        }
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
        if let Some(upstream) = &self.upstream {
            crate::mock::upstream::refuses(spec.kind, upstream.url())?;
        }
        drift::validate(self, spec)?;
        once::validate(self, spec)
    }

    fn switch_on(&self, spec: FaultSpec, standing: bool) -> Result<u64, String> {
        self.check_fault(&spec)?;
        faults::on_switch(self, &spec);
        let id = self.faults.add(spec.clone(), Instant::now(), standing);
        let effect = once::apply(self, &spec);
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
