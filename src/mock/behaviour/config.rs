//! A profile's `behaviour:` (SPEC §2): the vendor knobs of
//! vendor-behaviour.md §5.1, by family. Every default is strict RFC
//! behaviour, so `behaviour: {}` is the reference target.

use super::conflict::ConflictPolicy;
use super::errors::ErrorStyle;
use super::filter::{EmptyFilterResult, FilterPolicy};
use super::lifecycle::{ActiveFalse, DeleteSemantics};
use super::paging::Pagination;
use super::patch::{BoolStrings, MemberLimits, PatchQuirks, PatchResponse, RemoveMembersWithValue};
use super::shape::{GroupMembers, MultiValued, Projection};
use serde::{Deserialize, Serialize};

/// Keys are the knob names of vendor-behaviour.md §5.1 (SPEC §2: "by name").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Behaviour {
    /// 400 for a request without a `User-Agent` header.
    #[serde(default)]
    pub require_user_agent: bool,
    /// Request bodies above this many bytes get 413 (default: the bulk
    /// `max_payload_size`, else 1 MiB).
    #[serde(
        default,
        rename = "payload_limit",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_payload_bytes: Option<usize>,
    #[serde(default, rename = "filter_support")]
    pub filter: FilterPolicy,
    #[serde(default)]
    pub empty_filter_result: EmptyFilterResult,
    #[serde(default)]
    pub pagination: Pagination,
    #[serde(default)]
    pub projection: Projection,
    #[serde(default, rename = "delete_semantics")]
    pub delete: DeleteSemantics,
    #[serde(default, rename = "active_false_semantics")]
    pub active_false: ActiveFalse,
    #[serde(default, rename = "conflict_policy")]
    pub conflict: ConflictPolicy,
    #[serde(default, rename = "error_body_style")]
    pub errors: ErrorStyle,
    #[serde(default)]
    pub patch_add_equals_replace: bool,
    #[serde(default)]
    pub patch_member_limits: MemberLimits,
    #[serde(default)]
    pub patch_bool_strings: BoolStrings,
    #[serde(default)]
    pub patch_remove_members_with_value: RemoveMembersWithValue,
    #[serde(default)]
    pub patch_response: PatchResponse,
    #[serde(default)]
    pub multi_valued: MultiValued,
    #[serde(default, rename = "group_members_in_get")]
    pub group_members: GroupMembers,
}

impl Behaviour {
    /// The `patch_*` knobs together.
    pub fn patch(&self) -> PatchQuirks {
        PatchQuirks {
            add_is_replace: self.patch_add_equals_replace,
            limits: self.patch_member_limits,
            bool_strings: self.patch_bool_strings,
            remove_members_with_value: self.patch_remove_members_with_value,
            response: self.patch_response,
        }
    }

    /// Every knob at its strict default: the handlers keep their fast paths.
    pub fn is_strict(&self) -> bool {
        *self == Behaviour::default()
    }

    /// Whether list answers need the vendor path (filter policy, paging,
    /// projection, served shape or hidden users).
    pub fn shapes_lists(&self) -> bool {
        self.filter != FilterPolicy::default()
            || self.empty_filter_result != EmptyFilterResult::default()
            || self.pagination != Pagination::default()
            || self.projection != Projection::default()
            || self.group_members != GroupMembers::default()
            || self.delete == DeleteSemantics::Soft404
            || self.active_false == ActiveFalse::Hide
    }

    /// Whether a served resource of this type differs from the stored one.
    pub fn reshapes(&self, kind: crate::scim::schema::ResourceTypeName) -> bool {
        kind == crate::scim::schema::ResourceTypeName::Group
            && self.group_members != GroupMembers::default()
    }

    /// The first value serde accepts but the knob cannot work with: the
    /// key, dotted when nested (to locate it), and what was expected.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        let positive = |key: &'static str, v: Option<usize>| {
            (v == Some(0)).then(|| (key, format!("{key}: expected a positive integer")))
        };
        positive("payload_limit", self.max_payload_bytes)
            .or_else(|| positive("max_nodes", self.filter.max_nodes))
            .or_else(|| positive("max_count", self.pagination.max_count))
            .or_else(|| positive("max_operations", self.patch_member_limits.max_operations))
            .or_else(|| {
                positive(
                    "max_member_changes",
                    self.patch_member_limits.max_member_changes,
                )
            })
            .or_else(|| {
                (self.filter.operators.as_ref().is_some_and(Vec::is_empty)).then(|| {
                    (
                        "operators",
                        "operators: expected at least one operator (omit the key for all)".into(),
                    )
                })
            })
            .or_else(|| {
                let status = self.patch_member_limits.status;
                (![400, 413].contains(&status)).then(|| {
                    (
                        "patch_member_limits.status",
                        format!("patch_member_limits.status: expected 400 or 413, found {status}"),
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
    #[case("{patch_member_limits: {status: 429}}", "patch_member_limits.status")]
    #[case("{filter_support: {operators: []}}", "operators")]
    #[case("{payload_limit: 0}", "payload_limit")]
    fn unusable_values_name_their_key(#[case] yaml: &str, #[case] key: &str) {
        let b: Behaviour = serde_saphyr::from_str(yaml).unwrap();
        assert_eq!(b.problem().map(|(k, _)| k), Some(key));
    }

    #[rstest]
    #[case("{delete_semantics: purge}")]
    #[case("{pagination: {style: pages}}")]
    #[case("{patch_add_equals_replace: yes please}")]
    #[case("{filtre: {}}")]
    fn bad_knobs_do_not_parse(#[case] yaml: &str) {
        assert!(serde_saphyr::from_str::<Behaviour>(yaml).is_err());
    }
}
