//! A profile's `behaviour:` (SPEC §2): the vendor knobs of
//! vendor-behaviour.md §5.1, by family. Every default is strict RFC
//! behaviour, so `behaviour: {}` is the reference target.

use super::conflict::ConflictPolicy;
use super::errors::ErrorStyle;
use super::filter::FilterPolicy;
use super::lifecycle::{ActiveFalse, DeleteSemantics};
use super::paging::Pagination;
use super::patch::PatchQuirks;
use super::shape::{GroupMembers, MultiValued, Projection};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Behaviour {
    /// 400 for a request without a `User-Agent` header.
    #[serde(default)]
    pub require_user_agent: bool,
    /// Request bodies above this many bytes get 413 (default: the bulk
    /// `max_payload_size`, else 1 MiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_payload_bytes: Option<usize>,
    #[serde(default)]
    pub filter: FilterPolicy,
    #[serde(default)]
    pub pagination: Pagination,
    #[serde(default)]
    pub projection: Projection,
    #[serde(default)]
    pub delete: DeleteSemantics,
    #[serde(default)]
    pub active_false: ActiveFalse,
    #[serde(default)]
    pub conflict: ConflictPolicy,
    #[serde(default)]
    pub errors: ErrorStyle,
    #[serde(default)]
    pub patch: PatchQuirks,
    #[serde(default)]
    pub multi_valued: MultiValued,
    #[serde(default)]
    pub group_members: GroupMembers,
}

impl Behaviour {
    /// Every knob at its strict default: the handlers keep their fast paths.
    pub fn is_strict(&self) -> bool {
        *self == Behaviour::default()
    }

    /// Whether list answers need the vendor path (filter policy, paging,
    /// projection, served shape or hidden users).
    pub fn shapes_lists(&self) -> bool {
        self.filter != FilterPolicy::default()
            || self.pagination != Pagination::default()
            || self.projection != Projection::default()
            || self.group_members != GroupMembers::default()
            || self.delete == DeleteSemantics::Soft404
            || self.active_false == ActiveFalse::Hide
    }

    /// Whether a served resource of this type differs from the stored one.
    pub fn reshapes(&self, kind: crate::target::profile::ResourceTypeName) -> bool {
        kind == crate::target::profile::ResourceTypeName::Group
            && self.group_members != GroupMembers::default()
    }

    /// The first value serde accepts but the knob cannot work with: the
    /// key (to locate it) and what was expected.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        let positive = |key: &'static str, v: Option<usize>| {
            (v == Some(0)).then(|| (key, format!("{key}: expected a positive integer")))
        };
        positive("max_payload_bytes", self.max_payload_bytes)
            .or_else(|| positive("max_nodes", self.filter.max_nodes))
            .or_else(|| positive("max_count", self.pagination.max_count))
            .or_else(|| positive("max_operations", self.patch.max_operations))
            .or_else(|| positive("max_member_changes", self.patch.max_member_changes))
            .or_else(|| {
                (self.filter.operators.as_ref().is_some_and(Vec::is_empty)).then(|| {
                    (
                        "operators",
                        "operators: expected at least one operator (omit the key for all)".into(),
                    )
                })
            })
            .or_else(|| {
                (![400, 413].contains(&self.patch.over_limit_status)).then(|| {
                    (
                        "over_limit_status",
                        format!(
                            "over_limit_status: expected 400 or 413, found {}",
                            self.patch.over_limit_status
                        ),
                    )
                })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[test]
    fn an_empty_behaviour_is_strict() {
        let b: Behaviour = serde_saphyr::from_str("{}").unwrap();
        assert!(b.is_strict() && !b.shapes_lists() && b.problem().is_none());
    }

    #[rstest]
    #[case("{pagination: {max_count: 0}}", "max_count")]
    #[case("{patch: {over_limit_status: 429}}", "over_limit_status")]
    #[case("{filter: {operators: []}}", "operators")]
    #[case("{max_payload_bytes: 0}", "max_payload_bytes")]
    fn unusable_values_name_their_key(#[case] yaml: &str, #[case] key: &str) {
        let b: Behaviour = serde_saphyr::from_str(yaml).unwrap();
        assert_eq!(b.problem().map(|(k, _)| k), Some(key));
    }

    #[rstest]
    #[case("{delete: purge}")]
    #[case("{pagination: {style: pages}}")]
    #[case("{patch: {add_is_replace: yes please}}")]
    #[case("{filtre: {}}")]
    fn bad_knobs_do_not_parse(#[case] yaml: &str) {
        assert!(serde_saphyr::from_str::<Behaviour>(yaml).is_err());
    }
}
