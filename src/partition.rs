//! `--partition K/N`: the K-th of N slices of a selection (the scenarios of
//! `run`, the checks of `certify`), so that a CI matrix can split one pack
//! across N machines and `scimulate report` can merge their reports.
//!
//! How items are dealt: the selected names are sorted (by their bytes, so no
//! locale or platform enters) and dealt round-robin, the first name to slice
//! 1, the second to slice 2, and so on. Every machine given the same
//! selection computes the same slices; they are disjoint and cover the
//! selection by construction; and their sizes differ by at most one. A hash
//! of each name alone would be as machine-independent but not balanced:
//! 34 scenarios hashed into 4 slices easily give one slice twice the work of
//! another, and the slowest slice is the one CI waits for. What round-robin
//! gives up, a scenario keeping its slice when others are added, no merge
//! needs: the slices of one run always share one selection, and the report
//! records it (see `report::Pack`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The K-th of N slices, 1 ≤ K ≤ N.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "RawPartition")]
#[schemars(rename = "partition")]
pub struct Partition {
    /// This slice, from 1.
    #[schemars(range(min = 1))]
    k: u32,
    /// How many slices the selection is split into.
    #[schemars(range(min = 1))]
    n: u32,
}

/// A partition as read from a report, before its bounds are checked.
#[derive(Deserialize, JsonSchema)]
struct RawPartition {
    k: u32,
    n: u32,
}

impl TryFrom<RawPartition> for Partition {
    type Error = PartitionError;

    fn try_from(raw: RawPartition) -> Result<Self, Self::Error> {
        Partition::new(raw.k, raw.n)
    }
}

/// A `--partition` value (or a report's partition) that is not K/N with
/// 1 ≤ K ≤ N; the message says what was expected and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected K/N with 1 ≤ K ≤ N (e.g. 2/4, the second of four slices), got {given} ({why})")]
pub struct PartitionError {
    given: String,
    why: &'static str,
}

impl Partition {
    /// Everything: one slice of one.
    pub const WHOLE: Partition = Partition { k: 1, n: 1 };

    pub fn new(k: u32, n: u32) -> Result<Partition, PartitionError> {
        let why = if n == 0 {
            "N must be at least 1"
        } else if k == 0 {
            "K counts from 1"
        } else if k > n {
            "K is greater than N"
        } else {
            return Ok(Partition { k, n });
        };
        Err(PartitionError {
            given: format!("{k}/{n}"),
            why,
        })
    }

    /// This slice, from 1.
    pub fn k(self) -> u32 {
        self.k
    }

    /// How many slices there are.
    pub fn n(self) -> u32 {
        self.n
    }

    /// One slice of one: the whole selection.
    pub fn is_whole(self) -> bool {
        self.n == 1
    }

    /// The items of this slice, in the order given. `name` is what an item
    /// is dealt by: a scenario's name, a check's id. Items with equal names
    /// are dealt in the order given.
    pub fn pick<T>(self, items: Vec<T>, name: impl Fn(&T) -> &str) -> Vec<T> {
        let names: Vec<&str> = items.iter().map(&name).collect();
        let slices = deal(&names, self.n);
        items
            .into_iter()
            .zip(slices)
            .filter(|(_, slice)| *slice == self.k)
            .map(|(item, _)| item)
            .collect()
    }

    /// How many of `total` items this slice holds.
    pub fn size(self, total: usize) -> usize {
        let (k, n) = (self.k as usize, self.n as usize);
        // Dealt round-robin: slice k gets positions k-1, k-1+n, k-1+2n, …
        if total >= k { (total - k) / n + 1 } else { 0 }
    }
}

/// The slice (1 to `n`) of each name, by the rule in the module comment.
fn deal(names: &[&str], n: u32) -> Vec<u32> {
    let mut order: Vec<usize> = (0..names.len()).collect();
    // A stable sort: equal names keep their given order.
    order.sort_by(|&a, &b| names[a].cmp(names[b]));
    let mut slices = vec![0; names.len()];
    for (dealt, &i) in order.iter().enumerate() {
        slices[i] = (dealt % n as usize) as u32 + 1;
    }
    slices
}

impl FromStr for Partition {
    type Err = PartitionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = |why| PartitionError {
            given: text.to_owned(),
            why,
        };
        let (k, n) = text.split_once('/').ok_or_else(|| err("no '/'"))?;
        let number = |s: &str| {
            let s = s.trim();
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err("K and N must be whole numbers"));
            }
            s.parse::<u32>().map_err(|_| err("too large a number"))
        };
        let (k, n) = (number(k)?, number(n)?);
        Partition::new(k, n).map_err(|e| err(e.why))
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

/// FNV-1a, 64 bits: a fixed, machine-independent digest (std's hashers
/// promise neither). For telling packs apart, not for security.
#[derive(Debug, Clone, Copy)]
pub struct Digest(u64);

impl Default for Digest {
    fn default() -> Self {
        Digest(0xcbf2_9ce4_8422_2325)
    }
}

impl Digest {
    pub fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// Sixteen hexadecimal digits.
    pub fn hex(self) -> String {
        format!("{:016x}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;
    use std::collections::BTreeSet;

    #[rstest]
    #[case("1/1", 1, 1)]
    #[case("2/4", 2, 4)]
    #[case("4/4", 4, 4)]
    #[case(" 3 / 8 ", 3, 8)]
    fn parses(#[case] text: &str, #[case] k: u32, #[case] n: u32) {
        assert_eq!(text.parse::<Partition>(), Ok(Partition { k, n }));
    }

    #[rstest]
    #[case("3/2", "got 3/2 (K is greater than N)")]
    #[case("0/4", "got 0/4 (K counts from 1)")]
    #[case("1/0", "got 1/0 (N must be at least 1)")]
    #[case("0/0", "got 0/0 (N must be at least 1)")]
    #[case("a/b", "got a/b (K and N must be whole numbers)")]
    #[case("-1/4", "got -1/4 (K and N must be whole numbers)")]
    #[case("+1/4", "got +1/4 (K and N must be whole numbers)")]
    #[case("1/", "got 1/ (K and N must be whole numbers)")]
    #[case("1", "got 1 (no '/')")]
    #[case("", "got  (no '/')")]
    #[case("1/99999999999", "got 1/99999999999 (too large a number)")]
    fn refuses(#[case] text: &str, #[case] got: &str) {
        let message = text.parse::<Partition>().unwrap_err().to_string();
        assert_eq!(
            message,
            format!("expected K/N with 1 ≤ K ≤ N (e.g. 2/4, the second of four slices), {got}")
        );
    }

    #[test]
    fn a_report_cannot_hold_a_partition_out_of_bounds() {
        let p: Partition = serde_json::from_str(r#"{"k":2,"n":3}"#).unwrap();
        assert_eq!(p.to_string(), "2/3");
        assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"k":2,"n":3}"#);
        let e = serde_json::from_str::<Partition>(r#"{"k":4,"n":3}"#).unwrap_err();
        assert!(
            e.to_string().contains("got 4/3 (K is greater than N)"),
            "{e}"
        );
    }

    #[test]
    fn slices_are_dealt_from_the_sorted_names() {
        let names = vec!["d", "b", "a", "c", "e"];
        let pick = |k| Partition::new(k, 2).unwrap().pick(names.clone(), |s| s);
        // Sorted a b c d e: a, c, e to slice 1, b, d to slice 2; each
        // slice keeps the given order.
        assert_eq!(pick(1), ["a", "c", "e"]);
        assert_eq!(pick(2), ["d", "b"]);
    }

    #[test]
    fn equal_names_are_dealt_in_the_order_given() {
        let items = vec![("x", 1), ("x", 2), ("x", 3)];
        let p = |k| Partition::new(k, 2).unwrap().pick(items.clone(), |i| i.0);
        assert_eq!(p(1), [("x", 1), ("x", 3)]);
        assert_eq!(p(2), [("x", 2)]);
    }

    #[test]
    fn more_slices_than_items_leaves_the_last_ones_empty() {
        let p = Partition::new(3, 4).unwrap();
        assert!(p.pick(vec!["a", "b"], |s| s).is_empty());
        assert_eq!(p.size(2), 0);
    }

    /// The FNV-1a test vectors of its authors: the digest is the same on
    /// every machine and in every version.
    #[test]
    fn the_digest_is_fnv1a_64() {
        let hex = |s: &str| {
            let mut d = Digest::default();
            d.update(s.as_bytes());
            d.hex()
        };
        assert_eq!(hex(""), "cbf29ce484222325");
        assert_eq!(hex("a"), "af63dc4c8601ec8c");
        assert_eq!(hex("foobar"), "85944171f73967e8");
    }

    fn names() -> impl Strategy<Value = Vec<String>> {
        prop::collection::vec("[a-z]{0,3}", 0..40)
    }

    proptest! {
        /// Whatever the names (duplicates included) and N: the slices are
        /// disjoint, cover every item, keep the given order, and are
        /// balanced to within one item; `size` says how many each holds.
        #[test]
        fn slices_partition_the_items(names in names(), n in 1u32..10) {
            let items: Vec<(usize, String)> = names.into_iter().enumerate().collect();
            let mut seen = BTreeSet::new();
            let mut sizes = Vec::new();
            for k in 1..=n {
                let p = Partition::new(k, n).unwrap();
                let slice = p.pick(items.clone(), |i| i.1.as_str());
                prop_assert_eq!(slice.len(), p.size(items.len()));
                prop_assert!(slice.windows(2).all(|w| w[0].0 < w[1].0));
                for (i, _) in &slice {
                    prop_assert!(seen.insert(*i), "item {} in two slices", i);
                }
                sizes.push(slice.len());
            }
            prop_assert_eq!(seen.len(), items.len());
            let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            prop_assert!(max - min <= 1, "{:?}", sizes);
        }

        /// The slice of an item depends on the names alone, not on the
        /// order they were given in (two machines may list files apart).
        #[test]
        fn the_slice_of_a_name_does_not_depend_on_the_order(
            names in prop::collection::btree_set("[a-z]{1,4}", 0..30),
            n in 1u32..8,
            seed in any::<u64>(),
        ) {
            let sorted: Vec<String> = names.into_iter().collect();
            let mut shuffled = sorted.clone();
            // A fixed shuffle from the seed.
            let mut s = seed;
            for i in (1..shuffled.len()).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                shuffled.swap(i, (s >> 33) as usize % (i + 1));
            }
            for k in 1..=n {
                let p = Partition::new(k, n).unwrap();
                let a: BTreeSet<String> = p.pick(sorted.clone(), |s| s).into_iter().collect();
                let b: BTreeSet<String> = p.pick(shuffled.clone(), |s| s).into_iter().collect();
                prop_assert_eq!(a, b);
            }
        }
    }
}
