//! `pagination`: how a vendor pages list answers (vendor-behaviour.md §5.1).
//! The strict default is RFC 7644 §3.4.2.4 index paging; vendors cap `count`, page only by cursor (RFC 9865
//! `cursor`/`nextCursor`, ignoring `startIndex`, like AWS IAM Identity
//! Center), do not page at all, or answer an unfiltered list with one
//! synthetic sample user (Snowflake before BCR 2026_03).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::ops::Range;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageStyle {
    /// `startIndex` and `count` (RFC 7644 §3.4.2.4).
    #[default]
    Index,
    /// `cursor` and `count` only (RFC 9865); `startIndex` is ignored.
    Cursor,
    /// Every match in one answer; `startIndex` and `count` are ignored.
    None,
    /// Index paging, but an unfiltered `GET /Users` answers only the
    /// synthetic sample user.
    SyntheticUser,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pagination {
    #[serde(default)]
    pub style: PageStyle,
    /// A larger `count` is read as this (the RFC lets a server return fewer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_count: Option<usize>,
}

/// What the client asked for.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    /// 1-based, already clamped to at least 1.
    pub start_index: usize,
    pub count: Option<usize>,
    /// The `cursor` parameter: `Some("")` asks for the first page.
    pub cursor: Option<String>,
}

/// Which matches to send and the paging fields of the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub range: Range<usize>,
    /// `startIndex` of the answer; absent in cursor paging (RFC 9865 §2.2).
    pub start_index: Option<usize>,
    pub next_cursor: Option<String>,
    pub previous_cursor: Option<String>,
}

/// Cursors are opaque to clients (RFC 9865 §2); this one is an offset.
fn encode(offset: usize) -> String {
    format!("c{offset}")
}

fn decode(cursor: &str, total: usize) -> Result<usize, String> {
    if cursor.is_empty() {
        return Ok(0);
    }
    cursor
        .strip_prefix('c')
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| *n <= total)
        .ok_or_else(|| format!("invalidCursor: {cursor:?} is not a cursor this target issued"))
}

impl Pagination {
    /// The page of `total` matches to answer; `default_size` is the
    /// target's page size. An unknown cursor is an error (RFC 9865 §2.3).
    pub fn page(
        &self,
        total: usize,
        req: &PageRequest,
        default_size: usize,
    ) -> Result<Page, String> {
        let size = req
            .count
            .unwrap_or(default_size)
            .min(self.max_count.unwrap_or(usize::MAX));
        match self.style {
            PageStyle::Index | PageStyle::SyntheticUser => {
                let start = req.start_index.saturating_sub(1).min(total);
                Ok(Page {
                    range: start..start.saturating_add(size).min(total),
                    start_index: Some(req.start_index),
                    next_cursor: None,
                    previous_cursor: None,
                })
            }
            PageStyle::Cursor => {
                let start = decode(req.cursor.as_deref().unwrap_or(""), total)?;
                let end = start.saturating_add(size).min(total);
                Ok(Page {
                    range: start..end,
                    start_index: None,
                    next_cursor: (end < total && size > 0).then(|| encode(end)),
                    previous_cursor: (start > 0).then(|| encode(start.saturating_sub(size))),
                })
            }
            PageStyle::None => Ok(Page {
                range: 0..total,
                start_index: Some(1),
                next_cursor: None,
                previous_cursor: None,
            }),
        }
    }

    /// Whether an unfiltered list of this resource type answers only the
    /// synthetic user.
    pub fn synthetic(&self, users: bool, filtered: bool) -> bool {
        self.style == PageStyle::SyntheticUser && users && !filtered
    }
}

/// Snowflake's sample user before BCR 2026_03: `id "1"`, `userName
/// "synthesis_user"`, inactive (docs.snowflake.com bcr-2276, H).
pub fn synthetic_user(location: &str) -> Value {
    json!({
        "schemas": [crate::scim::schema::core::USER],
        "id": "1",
        "userName": "synthesis_user",
        "active": false,
        "meta": {"resourceType": "User", "location": location},
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn req(start_index: usize, count: Option<usize>, cursor: Option<&str>) -> PageRequest {
        PageRequest {
            start_index,
            count,
            cursor: cursor.map(str::to_owned),
        }
    }

    fn pagination(style: PageStyle, max_count: Option<usize>) -> Pagination {
        Pagination { style, max_count }
    }

    #[rstest]
    #[case::index(PageStyle::Index, None, req(3, Some(2), None), 2..4)]
    #[case::index_capped(PageStyle::Index, Some(3), req(1, Some(50), None), 0..3)]
    #[case::index_past_the_end(PageStyle::Index, None, req(99, Some(5), None), 10..10)]
    #[case::cursor_ignores_start_index(PageStyle::Cursor, None, req(5, Some(4), None), 0..4)]
    #[case::cursor_follows_the_cursor(PageStyle::Cursor, None, req(1, Some(4), Some("c4")), 4..8)]
    #[case::none_ignores_both(PageStyle::None, None, req(5, Some(1), None), 0..10)]
    fn pages(
        #[case] style: PageStyle,
        #[case] max: Option<usize>,
        #[case] request: PageRequest,
        #[case] expected: Range<usize>,
    ) {
        let page = pagination(style, max).page(10, &request, 100).unwrap();
        assert_eq!(page.range, expected);
    }

    #[test]
    fn cursors_chain_to_the_end_and_back() {
        let p = pagination(PageStyle::Cursor, Some(4));
        let first = p.page(10, &req(1, Some(100), Some("")), 100).unwrap();
        assert_eq!((first.range.clone(), first.start_index), (0..4, None));
        let next = first.next_cursor.clone().unwrap();
        let second = p.page(10, &req(1, None, Some(&next)), 100).unwrap();
        assert_eq!(second.range, 4..8);
        assert_eq!(second.previous_cursor.as_deref(), Some("c0"));
        let last = p
            .page(10, &req(1, None, second.next_cursor.as_deref()), 100)
            .unwrap();
        assert_eq!((last.range, last.next_cursor), (8..10, None));
    }

    #[rstest]
    #[case("x1")]
    #[case("c11")]
    #[case("c-1")]
    fn foreign_cursors_are_refused(#[case] cursor: &str) {
        let p = pagination(PageStyle::Cursor, None);
        assert!(p.page(10, &req(1, None, Some(cursor)), 100).is_err());
    }

    #[test]
    fn only_unfiltered_user_lists_are_synthetic() {
        let p = pagination(PageStyle::SyntheticUser, None);
        assert!(p.synthetic(true, false));
        assert!(!p.synthetic(true, true));
        assert!(!p.synthetic(false, false));
    }
}
