//! What the behaviour knobs remember while a target runs: the rate-limit
//! bucket and the users a `soft_404` delete hid.

use super::rate_limit::TokenBucket;
use crate::mock::profile::Profile;
use parking_lot::{Mutex, RwLock};
use std::collections::HashSet;
use std::time::Instant;

#[derive(Debug, Default)]
pub struct Runtime {
    pub(super) bucket: Option<Mutex<TokenBucket>>,
    /// User ids answered 404 although the account is kept, deactivated.
    pub(super) hidden: RwLock<HashSet<String>>,
}

impl Runtime {
    pub fn new(profile: &Profile) -> Self {
        Runtime {
            bucket: profile
                .rate_limit
                .as_ref()
                .map(|c| Mutex::new(TokenBucket::new(c, Instant::now()))),
            hidden: RwLock::default(),
        }
    }

    pub fn is_hidden(&self, id: &str) -> bool {
        self.hidden.read().contains(id)
    }

    /// Forgets hidden users (admin reset empties the store too).
    pub fn reset(&self) {
        self.hidden.write().clear();
    }
}
