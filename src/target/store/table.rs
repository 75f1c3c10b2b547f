//! One resource type's records and the indexes that make lookups by `id`,
//! `userName` and `externalId` cost the same at 1M resources as at 10.

use bytes::Bytes;
use compact_str::CompactString;
use foldhash::HashMap;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A stored resource: the JSON as served (with `id` and `meta`), its
/// creation sequence (list order) and its version (the ETag, RFC 7644 §3.14).
#[derive(Debug, Clone)]
pub struct Record {
    pub seq: u64,
    pub version: u64,
    pub value: Arc<Value>,
    /// The compact JSON of `value`, when that is exactly what a request
    /// without `attributes`/`excludedAttributes` returns: lookups then
    /// answer with these bytes instead of projecting and serialising.
    pub default_view: Option<Bytes>,
}

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
    /// `externalId` -> ids: caseExact and not unique (RFC 7643 §3.1).
    by_external_id: HashMap<String, BTreeSet<String>>,
    next_seq: u64,
}

fn user_name_key(value: &Value) -> Option<CompactString> {
    value.get("userName").and_then(Value::as_str).map(fold)
}

/// userName as compared (caseExact=false): lower-cased, as the filter
/// evaluator does.
fn fold(user_name: &str) -> CompactString {
    if user_name.is_ascii() {
        CompactString::from(user_name).to_ascii_lowercase()
    } else {
        CompactString::from(user_name.to_lowercase())
    }
}

fn external_id(value: &Value) -> Option<&str> {
    value.get("externalId").and_then(Value::as_str)
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

    pub fn ids_by_external_id(&self, external_id: &str) -> impl Iterator<Item = &str> {
        self.by_external_id
            .get(external_id)
            .into_iter()
            .flat_map(|ids| ids.iter().map(String::as_str))
    }

    /// Every record in creation order.
    pub fn iter(&self) -> impl Iterator<Item = &Record> {
        self.order.values().filter_map(|id| self.by_id.get(id))
    }

    /// Inserts a new resource (its `id` must be set and free).
    pub fn insert(&mut self, id: String, value: Value, default_view: Option<Bytes>) -> Record {
        self.next_seq += 1;
        let record = Record {
            seq: self.next_seq,
            version: 1,
            value: Arc::new(value),
            default_view,
        };
        self.index(&id, &record);
        self.order.insert(record.seq, id.clone());
        self.by_id.insert(id, record.clone());
        record
    }

    /// Replaces a resource's JSON and bumps its version.
    pub fn update(
        &mut self,
        id: &str,
        value: Value,
        default_view: Option<Bytes>,
    ) -> Option<Record> {
        let old = self.by_id.get(id)?.clone();
        self.unindex(id, &old.value);
        let record = Record {
            seq: old.seq,
            version: old.version + 1,
            value: Arc::new(value),
            default_view,
        };
        self.index(id, &record);
        self.by_id.insert(id.to_owned(), record.clone());
        Some(record)
    }

    pub fn remove(&mut self, id: &str) -> Option<Record> {
        let record = self.by_id.remove(id)?;
        self.unindex(id, &record.value);
        self.order.remove(&record.seq);
        Some(record)
    }

    pub fn clear(&mut self) {
        *self = Table::default();
    }

    fn index(&mut self, id: &str, record: &Record) {
        let value = &record.value;
        if let Some(key) = user_name_key(value) {
            self.by_user_name
                .insert(key, (id.to_owned(), record.clone()));
        }
        if let Some(ext) = external_id(value) {
            self.by_external_id
                .entry(ext.to_owned())
                .or_default()
                .insert(id.to_owned());
        }
    }

    fn unindex(&mut self, id: &str, value: &Value) {
        if let Some(key) = user_name_key(value) {
            if self
                .by_user_name
                .get(&key)
                .is_some_and(|(held, _)| held == id)
            {
                self.by_user_name.remove(&key);
            }
        }
        if let Some(ext) = external_id(value) {
            if let Some(ids) = self.by_external_id.get_mut(ext) {
                ids.remove(id);
                if ids.is_empty() {
                    self.by_external_id.remove(ext);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn indexes_follow_updates_and_removals() {
        let mut t = Table::default();
        t.insert(
            "a".into(),
            json!({"userName": "BJensen", "externalId": "x1"}),
            None,
        );
        t.insert(
            "b".into(),
            json!({"userName": "other", "externalId": "x1"}),
            None,
        );
        assert_eq!(t.id_by_user_name("bjensen"), Some("a"));
        assert_eq!(t.ids_by_external_id("x1").count(), 2);
        assert_eq!(
            t.ids_by_external_id("X1").count(),
            0,
            "externalId is caseExact"
        );

        let r = t.update("a", json!({"userName": "babs"}), None).unwrap();
        assert_eq!(r.version, 2);
        assert_eq!(t.id_by_user_name("bjensen"), None);
        assert_eq!(t.id_by_user_name("BABS"), Some("a"));
        assert_eq!(t.ids_by_external_id("x1").collect::<Vec<_>>(), vec!["b"]);

        t.remove("b");
        assert_eq!(t.ids_by_external_id("x1").count(), 0);
        assert_eq!(t.iter().count(), 1);
    }

    #[test]
    fn iteration_is_in_creation_order_even_after_updates() {
        let mut t = Table::default();
        for id in ["c", "a", "b"] {
            t.insert(id.into(), json!({}), None);
        }
        t.update("c", json!({"x": 1}), None);
        let ids: Vec<_> = t.iter().map(|r| r.seq).collect();
        assert_eq!(ids, vec![1, 2, 3]);
    }
}
