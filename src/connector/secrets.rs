//! The secrets scimulate hands to a connector (tokens, client secrets),
//! so that everything it prints is masked before anyone stores it.

use aho_corasick::{AhoCorasick, MatchKind};
use parking_lot::RwLock;
use std::borrow::Cow;
use std::sync::Arc;

/// A shared, growing set of secrets. Cloning shares the set: a token added
/// on rotation is masked from then on in every log already being captured.
#[derive(Clone, Default)]
pub struct Secrets(Arc<RwLock<Inner>>);

#[derive(Default)]
struct Inner {
    values: Vec<String>,
    matcher: Option<AhoCorasick>,
}

/// Never print the values, not even in a debug dump.
impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({} values)", self.0.read().values.len())
    }
}

impl Secrets {
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(values: I) -> Self {
        let s = Secrets::default();
        for v in values {
            s.add(v);
        }
        s
    }

    /// Adds a secret; empty strings are ignored (they would match everywhere).
    pub fn add(&self, value: impl Into<String>) {
        let value = value.into();
        let mut inner = self.0.write();
        if value.is_empty() || inner.values.contains(&value) {
            return;
        }
        inner.values.push(value);
        // Longest first wins where one secret contains another.
        inner.matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&inner.values)
            .ok();
    }

    /// `text` with every secret replaced by `***`.
    pub fn mask<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let inner = self.0.read();
        match &inner.matcher {
            Some(m) if m.is_match(text) => {
                Cow::Owned(m.replace_all(text, &vec!["***"; inner.values.len()]))
            }
            _ => Cow::Borrowed(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_every_occurrence_and_the_longest_overlap() {
        let s = Secrets::new(["tok", "tok-long-secret", ""]);
        assert_eq!(s.mask("a tok-long-secret b tok c"), "a *** b *** c");
        assert!(matches!(s.mask("nothing here"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_secret_added_later_is_masked_through_every_clone() {
        let s = Secrets::default();
        let shared = s.clone();
        s.add("rotated");
        assert_eq!(shared.mask("token=rotated"), "token=***");
        assert_eq!(format!("{shared:?}"), "Secrets(1 values)");
    }
}
