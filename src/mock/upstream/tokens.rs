//! `token_expired` in front of a real app: scimulate cannot expire the
//! app's tokens, so it refuses, at the proxy, every credential it had seen
//! when the fault was switched on, until the fault is cleared or the
//! connector brings one it had not seen (rotated at the proxy). Only a
//! keyed hash of each `Authorization` value is kept, never the secret.

use parking_lot::Mutex;
use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};

#[derive(Default)]
pub(super) struct Tokens {
    keys: RandomState,
    inner: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    seen: HashSet<u64>,
    expired: HashSet<u64>,
}

impl Tokens {
    fn key(&self, authorization: Option<&[u8]>) -> u64 {
        self.keys.hash_one(authorization.unwrap_or_default())
    }

    /// Notes a request's credential; false when it is one `token_expired`
    /// expired.
    pub(super) fn admit(&self, authorization: Option<&[u8]>) -> bool {
        let key = self.key(authorization);
        let mut inner = self.inner.lock();
        if inner.expired.contains(&key) {
            return false;
        }
        inner.seen.insert(key);
        true
    }

    pub(super) fn expire_seen(&self) {
        let mut inner = self.inner.lock();
        let seen = std::mem::take(&mut inner.seen);
        inner.expired.extend(seen);
    }

    pub(super) fn forgive(&self) {
        let mut inner = self.inner.lock();
        let expired = std::mem::take(&mut inner.expired);
        inner.seen.extend(expired);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seen_token_is_refused_until_forgiven_and_a_new_one_passes() {
        let t = Tokens::default();
        assert!(t.admit(Some(b"Bearer old")));
        t.expire_seen();
        assert!(!t.admit(Some(b"Bearer old")));
        assert!(t.admit(Some(b"Bearer new")), "a rotated token passes");
        t.forgive();
        assert!(t.admit(Some(b"Bearer old")));
    }
}
