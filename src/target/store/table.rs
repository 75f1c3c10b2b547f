//! One resource type's records and the indexes that make lookups by `id`,
//! `userName` and `externalId` cost the same at 1M resources as at 10.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// A stored resource: the JSON as served (with `id` and `meta`), its
/// creation sequence (list order) and its version (the ETag, RFC 7644 §3.14).
#[derive(Debug, Clone)]
pub struct Record {
    pub seq: u64,
    pub version: u64,
    pub value: Arc<Value>,
}

/// Records of one resource type.
#[derive(Debug, Default)]
pub(crate) struct Table {
    by_id: HashMap<String, Record>,
    /// Creation order, so lists page stably (RFC 7644 §3.4.2.4).
    order: BTreeMap<u64, String>,
    /// Lower-cased `userName` -> id: userName is caseExact=false and unique
    /// (RFC 7643 §4.1.1), so one key per account.
    by_user_name: HashMap<String, String>,
    /// `externalId` -> ids: caseExact and not unique (RFC 7643 §3.1).
    by_external_id: HashMap<String, BTreeSet<String>>,
    next_seq: u64,
}

fn user_name_key(value: &Value) -> Option<String> {
    value
        .get("userName")
        .and_then(Value::as_str)
        .map(str::to_lowercase)
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
        self.by_user_name
            .get(&user_name.to_lowercase())
            .map(String::as_str)
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
    pub fn insert(&mut self, id: String, value: Value) -> Record {
        self.next_seq += 1;
        let record = Record {
            seq: self.next_seq,
            version: 1,
            value: Arc::new(value),
        };
        self.index(&id, &record.value);
        self.order.insert(record.seq, id.clone());
        self.by_id.insert(id, record.clone());
        record
    }

    /// Replaces a resource's JSON and bumps its version.
    pub fn update(&mut self, id: &str, value: Value) -> Option<Record> {
        let old = self.by_id.get(id)?.clone();
        self.unindex(id, &old.value);
        let record = Record {
            seq: old.seq,
            version: old.version + 1,
            value: Arc::new(value),
        };
        self.index(id, &record.value);
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

    fn index(&mut self, id: &str, value: &Value) {
        if let Some(key) = user_name_key(value) {
            self.by_user_name.insert(key, id.to_owned());
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
            if self.by_user_name.get(&key).is_some_and(|held| held == id) {
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
        );
        t.insert("b".into(), json!({"userName": "other", "externalId": "x1"}));
        assert_eq!(t.id_by_user_name("bjensen"), Some("a"));
        assert_eq!(t.ids_by_external_id("x1").count(), 2);
        assert_eq!(
            t.ids_by_external_id("X1").count(),
            0,
            "externalId is caseExact"
        );

        let r = t.update("a", json!({"userName": "babs"})).unwrap();
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
            t.insert(id.into(), json!({}));
        }
        t.update("c", json!({"x": 1}));
        let ids: Vec<_> = t.iter().map(|r| r.seq).collect();
        assert_eq!(ids, vec![1, 2, 3]);
    }
}
