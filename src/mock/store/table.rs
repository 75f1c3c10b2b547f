//! One resource type's records and the indexes that make lookups by `id`,
//! `userName` and `externalId` cost the same at 1M resources as at 10.

use super::history::History;
use super::record::{IndexKeys, Record};
use bytes::Bytes;
use compact_str::CompactString;
use foldhash::HashMap;
use serde_json::Value;
use std::collections::BTreeMap;
use std::collections::hash_map::Entry;

/// Records of one resource type.
#[derive(Debug, Default)]
pub(crate) struct Table {
    by_id: HashMap<String, Record>,
    /// Creation order, so lists page stably (RFC 7644 §3.4.2.4).
    order: BTreeMap<u64, String>,
    /// Lower-cased `userName` -> id and a copy of the record: userName is
    /// caseExact=false and unique (RFC 7643 §4.1.1), so one key per
    /// account. The copy (a few words: the JSON is shared) saves the
    /// `by_id` probe on the most frequent lookup, which at 1M users is a
    /// handful of cache misses.
    /// Keys are stored inline up to 24 bytes (most userNames), so probing
    /// does not chase a pointer either.
    by_user_name: HashMap<CompactString, (String, Record)>,
    /// Further accounts whose userName folds to a key already held (`Bob@x`
    /// beside `bob@x`): only a `case_sensitive_username` fault lets such
    /// twins in. Kept apart so the index above stays one probe per lookup.
    user_name_twins: HashMap<CompactString, Vec<String>>,
    /// `externalId` -> ids, sorted: caseExact and not unique (RFC 7643
    /// §3.1). Almost always one id: a one-element `Vec` is one small
    /// allocation where a `BTreeSet` node is a quarter of a kilobyte.
    by_external_id: HashMap<String, Vec<String>>,
    next_seq: u64,
    /// Earlier versions, kept only while a `stale_reads` fault needs them.
    pub(super) history: Option<History>,
}

/// userName as compared (caseExact=false): lower-cased, as the filter
/// evaluator does.
fn fold(user_name: &str) -> CompactString {
    if user_name.is_ascii() {
        // In place: a short name stays inline, with no allocation at all.
        let mut folded = CompactString::from(user_name);
        folded.make_ascii_lowercase();
        folded
    } else {
        CompactString::from(user_name.to_lowercase())
    }
}

impl Table {
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn get(&self, id: &str) -> Option<&Record> {
        self.by_id.get(id)
    }

    /// The id holding this userName, compared case-insensitively.
    pub fn id_by_user_name(&self, user_name: &str) -> Option<&str> {
        self.by_user_name(user_name).map(|(id, _)| id)
    }

    /// The id and record holding this userName, compared case-insensitively.
    pub fn by_user_name(&self, user_name: &str) -> Option<(&str, &Record)> {
        self.by_user_name
            .get(&fold(user_name))
            .map(|(id, record)| (id.as_str(), record))
    }

    /// Every id and record whose userName folds to this one's: the holder,
    /// then its case twins in the order they came.
    pub fn all_by_user_name(&self, user_name: &str) -> Vec<(&str, &Record)> {
        let key = fold(user_name);
        let mut out: Vec<(&str, &Record)> = self
            .by_user_name
            .get(&key)
            .map(|(id, record)| (id.as_str(), record))
            .into_iter()
            .collect();
        if let Some(twins) = (!self.user_name_twins.is_empty())
            .then(|| self.user_name_twins.get(&key))
            .flatten()
        {
            out.extend(
                twins
                    .iter()
                    .filter_map(|id| Some((id.as_str(), self.by_id.get(id)?))),
            );
        }
        out
    }

    /// Whether another account shares this userName up to case.
    pub fn has_twins(&self, user_name: &str) -> bool {
        !self.user_name_twins.is_empty() && self.user_name_twins.contains_key(&fold(user_name))
    }

    pub fn ids_by_external_id(&self, external_id: &str) -> impl Iterator<Item = &str> {
        self.by_external_id
            .get(external_id)
            .into_iter()
            .flat_map(|ids| ids.iter().map(String::as_str))
    }

    /// Every id and record in creation order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Record)> {
        self.order
            .values()
            .filter_map(|id| Some((id.as_str(), self.by_id.get(id)?)))
    }

    /// Inserts a new resource (its `id` must be set and free): `value` is
    /// what `json` encodes, read for the indexes.
    pub fn insert(
        &mut self,
        id: String,
        value: &Value,
        json: Bytes,
        is_default_view: bool,
    ) -> Record {
        self.next_seq += 1;
        let record = Record {
            seq: self.next_seq,
            version: 1,
            json,
            is_default_view,
        };
        self.index(&id, &record, IndexKeys::of_value(value));
        self.order.insert(record.seq, id.clone());
        self.remember(&id, None);
        self.by_id.insert(id, record.clone());
        record
    }

    /// Replaces a resource's JSON and bumps its version; `value` is what
    /// `json` encodes.
    pub fn update(
        &mut self,
        id: &str,
        value: &Value,
        json: Bytes,
        is_default_view: bool,
    ) -> Option<Record> {
        let old = self.by_id.get(id)?.clone();
        self.unindex(id, &old.keys());
        self.remember(id, Some(old.clone()));
        let record = Record {
            seq: old.seq,
            version: old.version + 1,
            json,
            is_default_view,
        };
        self.index(id, &record, IndexKeys::of_value(value));
        self.by_id.insert(id.to_owned(), record.clone());
        Some(record)
    }

    pub fn remove(&mut self, id: &str) -> Option<Record> {
        let record = self.by_id.remove(id)?;
        self.unindex(id, &record.keys());
        self.order.remove(&record.seq);
        self.remember(id, Some(record.clone()));
        Some(record)
    }

    /// Empties the table; history, when kept, starts afresh.
    pub fn clear(&mut self) {
        let history = self.history.as_ref().map(History::emptied);
        *self = Table::default();
        self.history = history;
    }

    /// The record `id` had before this change, for stale reads.
    fn remember(&mut self, id: &str, before: Option<Record>) {
        if let Some(history) = &mut self.history {
            history.push(id, before);
        }
    }

    /// The record `id` had at `at`, when history reaches back that far.
    pub fn get_as_of(&self, id: &str, at: std::time::Instant) -> Option<Record> {
        match self.history.as_ref().and_then(|h| h.before(id, at)) {
            Some(before) => before.clone(),
            None => self.by_id.get(id).cloned(),
        }
    }

    /// Every id and record as it was at `at`, in creation order.
    pub fn iter_as_of(&self, at: std::time::Instant) -> Vec<(&str, &Record)> {
        let Some(history) = &self.history else {
            return self.iter().collect();
        };
        let earlier = history.earliest_after(at);
        let mut out: Vec<(&str, &Record)> = self
            .iter()
            .filter(|(id, _)| !earlier.contains_key(id))
            .collect();
        out.extend(
            earlier
                .into_iter()
                .filter_map(|(id, before)| Some((id, before?))),
        );
        out.sort_by_key(|(_, r)| r.seq);
        out
    }

    fn index(&mut self, id: &str, record: &Record, keys: IndexKeys) {
        if let Some(key) = keys.user_name.as_deref().map(fold) {
            // One probe, as before twins existed.
            match self.by_user_name.entry(key) {
                Entry::Occupied(held) if held.get().0 != id => {
                    let key = held.key().clone();
                    self.user_name_twins
                        .entry(key)
                        .or_default()
                        .push(id.to_owned());
                }
                Entry::Occupied(mut held) => {
                    held.insert((id.to_owned(), record.clone()));
                }
                Entry::Vacant(slot) => {
                    slot.insert((id.to_owned(), record.clone()));
                }
            }
        }
        if let Some(ext) = keys.external_id {
            let ids = self.by_external_id.entry(ext).or_default();
            if let Err(at) = ids.binary_search_by(|held| held.as_str().cmp(id)) {
                ids.insert(at, id.to_owned());
            }
        }
    }

    /// Removes a twin of `key` (`id`, or the first) and returns its id.
    fn take_twin(&mut self, key: &CompactString, id: Option<&str>) -> Option<String> {
        let twins = self.user_name_twins.get_mut(key)?;
        let at = match id {
            Some(id) => twins.iter().position(|t| t == id)?,
            None => 0,
        };
        let taken = (at < twins.len()).then(|| twins.remove(at));
        if twins.is_empty() {
            self.user_name_twins.remove(key);
        }
        taken
    }

    fn unindex(&mut self, id: &str, keys: &IndexKeys) {
        if let Some(key) = keys.user_name.as_deref().map(fold) {
            if self
                .by_user_name
                .get(&key)
                .is_some_and(|(held, _)| held == id)
            {
                self.by_user_name.remove(&key);
                // A twin, if any, becomes the holder.
                if let Some(next) = self.take_twin(&key, None)
                    && let Some(record) = self.by_id.get(&next).cloned()
                {
                    self.by_user_name.insert(key, (next, record));
                }
            } else {
                self.take_twin(&key, Some(id));
            }
        }
        if let Some(ext) = keys.external_id.as_deref()
            && let Some(ids) = self.by_external_id.get_mut(ext)
        {
            if let Ok(at) = ids.binary_search_by(|held| held.as_str().cmp(id)) {
                ids.remove(at);
            }
            if ids.is_empty() {
                self.by_external_id.remove(ext);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::record::encode;
    use super::*;
    use serde_json::json;

    fn ins(t: &mut Table, id: &str, v: Value) -> Record {
        t.insert(id.into(), &v, encode(&v), true)
    }

    fn upd(t: &mut Table, id: &str, v: Value) -> Option<Record> {
        t.update(id, &v, encode(&v), true)
    }

    #[test]
    fn indexes_follow_updates_and_removals() {
        let mut t = Table::default();
        ins(
            &mut t,
            "a",
            json!({"userName": "BJensen", "externalId": "x1"}),
        );
        ins(
            &mut t,
            "b",
            json!({"userName": "other", "externalId": "x1"}),
        );
        assert_eq!(t.id_by_user_name("bjensen"), Some("a"));
        assert_eq!(t.ids_by_external_id("x1").count(), 2);
        assert_eq!(
            t.ids_by_external_id("X1").count(),
            0,
            "externalId is caseExact"
        );

        let r = upd(&mut t, "a", json!({"userName": "babs"})).unwrap();
        assert_eq!(r.version, 2);
        assert_eq!(t.id_by_user_name("bjensen"), None);
        assert_eq!(t.id_by_user_name("BABS"), Some("a"));
        assert_eq!(t.ids_by_external_id("x1").collect::<Vec<_>>(), vec!["b"]);

        t.remove("b");
        assert_eq!(t.ids_by_external_id("x1").count(), 0);
        assert_eq!(t.iter().count(), 1);
    }

    #[test]
    fn case_twins_are_all_found_and_the_holder_is_replaced_when_it_goes() {
        let mut t = Table::default();
        ins(&mut t, "a", json!({"userName": "Bob@x"}));
        ins(&mut t, "b", json!({"userName": "bob@x"}));
        let ids = |t: &Table| -> Vec<String> {
            t.all_by_user_name("BOB@X")
                .into_iter()
                .map(|(id, _)| id.to_owned())
                .collect()
        };
        assert_eq!(ids(&t), ["a", "b"]);
        assert!(t.has_twins("bob@x"));
        upd(&mut t, "b", json!({"userName": "bob@x", "title": "t"}));
        assert_eq!(ids(&t), ["a", "b"]);
        t.remove("a");
        assert_eq!(ids(&t), ["b"]);
        assert!(!t.has_twins("bob@x"));
        assert_eq!(t.id_by_user_name("BOB@x"), Some("b"));
    }

    #[test]
    fn iteration_is_in_creation_order_even_after_updates() {
        let mut t = Table::default();
        for id in ["c", "a", "b"] {
            ins(&mut t, id, json!({}));
        }
        upd(&mut t, "c", json!({"x": 1}));
        let ids: Vec<_> = t.iter().map(|(_, r)| r.seq).collect();
        assert_eq!(ids, vec![1, 2, 3]);
    }
}
