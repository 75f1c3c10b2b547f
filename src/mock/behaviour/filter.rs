//! `filter_support`: which filters a vendor understands (vendor-behaviour.md
//! §5.1). The strict default accepts every filter of RFC 7644 §3.4.2.2; a
//! restricted target refuses the rest with 400 `invalidFilter`, or
//! (Snowflake before BCR 2026_03) answers them with an empty 200 list, which
//! is the silent failure connectors must notice.

use crate::scim::filter::{CompareOp, Filter};
use crate::scim::path::AttrPath;
use serde::{Deserialize, Serialize};

/// An operator word a profile may allow: the comparison operators, `pr`,
/// and the logical `and`, `or`, `not`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OperatorWord {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
    Pr,
    And,
    Or,
    Not,
}

impl OperatorWord {
    fn of_compare(op: CompareOp) -> OperatorWord {
        match op {
            CompareOp::Eq => OperatorWord::Eq,
            CompareOp::Ne => OperatorWord::Ne,
            CompareOp::Co => OperatorWord::Co,
            CompareOp::Sw => OperatorWord::Sw,
            CompareOp::Ew => OperatorWord::Ew,
            CompareOp::Gt => OperatorWord::Gt,
            CompareOp::Ge => OperatorWord::Ge,
            CompareOp::Lt => OperatorWord::Lt,
            CompareOp::Le => OperatorWord::Le,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            OperatorWord::Eq => "eq",
            OperatorWord::Ne => "ne",
            OperatorWord::Co => "co",
            OperatorWord::Sw => "sw",
            OperatorWord::Ew => "ew",
            OperatorWord::Gt => "gt",
            OperatorWord::Ge => "ge",
            OperatorWord::Lt => "lt",
            OperatorWord::Le => "le",
            OperatorWord::Pr => "pr",
            OperatorWord::And => "and",
            OperatorWord::Or => "or",
            OperatorWord::Not => "not",
        }
    }
}

/// What a restricted target does with a filter it does not support.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unsupported {
    /// 400 `invalidFilter` (RFC 7644 §3.4.2.2).
    #[default]
    Error,
    /// 200 with an empty ListResponse, also for filters that do not parse.
    EmptyResult,
}

/// `empty_filter_result`: what a filter matching nothing answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmptyFilterResult {
    /// 200 with `totalResults: 0` (RFC 7644 §3.4.2; Entra ID quarantines a
    /// job that gets anything else).
    #[default]
    List,
    /// 404, which Okta tolerates and Entra ID does not.
    NotFound,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterPolicy {
    /// The operators understood; absent: all of them. With a list, value
    /// filters (`emails[type eq "work"]`) are unsupported too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operators: Option<Vec<OperatorWord>>,
    /// The attributes that may be filtered on (case-insensitive); absent: any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<String>>,
    /// At most this many comparisons and logical operators in one filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_nodes: Option<usize>,
    #[serde(default)]
    pub unsupported: Unsupported,
}

impl FilterPolicy {
    /// Why the target refuses `filter`, or `None` when it handles it.
    pub fn refusal(&self, filter: &Filter) -> Option<String> {
        if let Some(max) = self.max_nodes {
            let n = nodes(filter);
            if n > max {
                return Some(format!(
                    "the filter has {n} nodes; this target accepts at most {max}"
                ));
            }
        }
        self.walk(filter)
    }

    fn allows(&self, word: OperatorWord) -> Option<String> {
        match &self.operators {
            Some(words) if !words.contains(&word) => Some(format!(
                "operator {} is not supported by this target (supported: {})",
                word.as_str(),
                words
                    .iter()
                    .map(|w| w.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            _ => None,
        }
    }

    /// A URN-qualified path matches an allow-list entry written without it.
    fn attribute(&self, path: &AttrPath) -> Option<String> {
        let full = path.to_string();
        let short = match &path.sub {
            Some(sub) => format!("{}.{sub}", path.name),
            None => path.name.clone(),
        };
        match &self.attributes {
            Some(names)
                if !names
                    .iter()
                    .any(|n| n.eq_ignore_ascii_case(&full) || n.eq_ignore_ascii_case(&short)) =>
            {
                Some(format!(
                    "filtering on {full} is not supported by this target (filterable: {})",
                    names.join(", ")
                ))
            }
            _ => None,
        }
    }

    fn walk(&self, filter: &Filter) -> Option<String> {
        match filter {
            Filter::And(a, b) => self
                .allows(OperatorWord::And)
                .or_else(|| self.walk(a))
                .or_else(|| self.walk(b)),
            Filter::Or(a, b) => self
                .allows(OperatorWord::Or)
                .or_else(|| self.walk(a))
                .or_else(|| self.walk(b)),
            Filter::Not(inner) => self.allows(OperatorWord::Not).or_else(|| self.walk(inner)),
            Filter::Present(path) => self
                .allows(OperatorWord::Pr)
                .or_else(|| self.attribute(path)),
            Filter::Compare { path, op, .. } => self
                .allows(OperatorWord::of_compare(*op))
                .or_else(|| self.attribute(path)),
            Filter::ValuePath { path, filter } => {
                if self.operators.is_some() {
                    return Some(format!(
                        "value filters ({path}[...]) are not supported by this target"
                    ));
                }
                self.attribute(path).or_else(|| self.walk(filter))
            }
        }
    }
}

/// Comparisons, presence tests, value paths and logical operators.
fn nodes(filter: &Filter) -> usize {
    match filter {
        Filter::And(a, b) | Filter::Or(a, b) => 1 + nodes(a) + nodes(b),
        Filter::Not(inner) => 1 + nodes(inner),
        Filter::ValuePath { filter, .. } => 1 + nodes(filter),
        Filter::Present(_) | Filter::Compare { .. } => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::filter::parse;
    use rstest::rstest;

    fn policy(yaml: &str) -> FilterPolicy {
        serde_saphyr::from_str(yaml).expect("policy")
    }

    #[rstest]
    #[case::full_takes_anything("{}", r#"emails[type eq "work"] or title co "x""#, true)]
    #[case::eq_only("{operators: [eq]}", r#"userName eq "a""#, true)]
    #[case::eq_only_refuses_co("{operators: [eq]}", r#"userName co "a""#, false)]
    #[case::eq_only_refuses_and("{operators: [eq]}", r#"userName eq "a" and title eq "b""#, false)]
    #[case::eq_and("{operators: [eq, and]}", r#"userName eq "a" and title eq "b""#, true)]
    #[case::eq_and_refuses_or(
        "{operators: [eq, and]}",
        r#"userName eq "a" or title eq "b""#,
        false
    )]
    #[case::restricted_refuses_value_paths("{operators: [eq]}", r#"emails[type eq "w"]"#, false)]
    #[case::allow_list(
        "{operators: [eq], attributes: [userName, externalId]}",
        r#"USERNAME eq "a""#,
        true
    )]
    #[case::allow_list_refuses("{attributes: [userName]}", r#"title eq "a""#, false)]
    #[case::node_limit("{max_nodes: 3}", r#"a eq "1" and b eq "2""#, true)]
    #[case::node_limit_refuses("{max_nodes: 2}", r#"a eq "1" and b eq "2""#, false)]
    fn filters_are_accepted_or_refused(
        #[case] yaml: &str,
        #[case] filter: &str,
        #[case] accepted: bool,
    ) {
        let refusal = policy(yaml).refusal(&parse(filter).expect("filter"));
        assert_eq!(refusal.is_none(), accepted, "{filter}: {refusal:?}");
    }

    #[test]
    fn refusals_say_what_is_supported() {
        let why = policy("{operators: [eq, sw]}")
            .refusal(&parse(r#"userName co "a""#).unwrap())
            .unwrap();
        assert!(why.contains("co") && why.contains("eq, sw"), "{why}");
    }

    #[test]
    fn unknown_operator_words_are_rejected() {
        assert!(serde_saphyr::from_str::<FilterPolicy>("{operators: [regex]}").is_err());
    }
}
