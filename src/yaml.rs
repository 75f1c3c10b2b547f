//! Loading scimulate's YAML files (profiles, scenarios, connector files):
//! reading them, parsing them into [`Located`] errors (the file, line and
//! column, the offending text underlined, what was expected), and the "did
//! you mean" for a near-miss key or name.

use crate::located::{Located, Place};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// A file that could not be loaded: unreadable, or wrong at a place in it.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// `what` names the kind of file: "scenario", "connector file", …
    #[error("{path}: cannot read {what}: {source}")]
    Read {
        path: PathBuf,
        what: &'static str,
        source: std::io::Error,
    },
    #[error(transparent)]
    Invalid(#[from] Located),
}

/// Reads the file at `path`; `what` ("scenario", …) names it in the error.
pub fn read(path: &Path, what: &'static str) -> Result<String, LoadError> {
    std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.to_owned(),
        what,
        source,
    })
}

/// How many YAML nodes (scalars, sequences, mappings) a file may hold.
/// serde-saphyr's default, 250,000, refused a scenario of 100,000 named
/// people (some ten nodes each) at its 25,000th person; this admits
/// 100,000 people of twenty attributes, and still bounds what an alias
/// bomb can expand to. The parser's other limits stay as they are:
/// nesting depth, aliases and anchors, 64 MiB of scalar text.
pub const MAX_NODES: usize = 5_000_000;

/// How many parser events a file may produce: every node, the end of every
/// sequence and mapping, and comments.
const MAX_EVENTS: usize = 4 * MAX_NODES;

/// Parses `text`; errors name `origin` (the file) and say where in it.
pub fn parse<T: DeserializeOwned>(text: &str, origin: &str) -> Result<T, Located> {
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_nodes: MAX_NODES,
            max_events: MAX_EVENTS,
        },
    };
    serde_saphyr::from_str_with_options(text, options)
        .map_err(|e| from_parser(&e.to_string(), origin))
}

impl<T> From<&serde_saphyr::Spanned<T>> for Place {
    fn from(s: &serde_saphyr::Spanned<T>) -> Self {
        Place {
            line: s.referenced.line(),
            column: s.referenced.column(),
        }
    }
}

/// serde-saphyr's rendered error as a [`Located`]: its first line (`line L
/// column C: message`) gives the place and message, and a suggestion when
/// serde reports an unknown key together with the expected ones; the rest
/// is its drawing of the place, kept as drawn with `origin` named in it.
fn from_parser(rendered: &str, origin: &str) -> Located {
    let hint = did_you_mean(rendered);
    let text = rendered
        .trim_start_matches("error: ")
        .replace("--> <input>:", &format!("--> {origin}:"));
    let (first, drawing) = match text.split_once('\n') {
        Some((first, drawing)) => (first, Some(drawing)),
        None => (text.as_str(), None),
    };
    let (place, message) = match split_place(first).or_else(|| split_trailing_place(first)) {
        Some((place, message)) => (Some(place), message),
        None => (None, first),
    };
    let error = Located::new(origin, message).at(place).with_hint(hint);
    match drawing {
        Some(d) => error.drawn(d),
        None => error,
    }
}

/// `line L column C: message` split into its place and message, only when
/// the place reads back exactly as written (the summary is re-rendered).
fn split_place(first: &str) -> Option<(Place, &str)> {
    let (line, rest) = first.strip_prefix("line ")?.split_once(" column ")?;
    let (column, message) = rest.split_once(": ")?;
    let place = Place {
        line: line.parse().ok()?,
        column: column.parse().ok()?,
    };
    let written = &first[..first.len() - message.len()];
    (written == format!("line {} column {}: ", place.line, place.column))
        .then_some((place, message))
}

/// `message at line L, column C` (the form serde-saphyr gives an empty
/// document, "unexpected end of input") split into its place and message,
/// only when the place reads back exactly as written.
fn split_trailing_place(first: &str) -> Option<(Place, &str)> {
    let (message, at) = first.rsplit_once(" at line ")?;
    let (line, column) = at.split_once(", column ")?;
    let place = Place {
        line: line.parse().ok()?,
        column: column.parse().ok()?,
    };
    (at == format!("{}, column {}", place.line, place.column)).then_some((place, message))
}

/// `name` for "unknown field `naem`, expected one of name, seed" or
/// "unknown variant …" (serde quotes the expected names in backquotes,
/// serde-saphyr does not).
pub fn did_you_mean(message: &str) -> Option<&str> {
    let first_line = message.lines().next()?;
    let after = first_line
        .split_once("unknown field `")
        .or_else(|| first_line.split_once("unknown variant `"))?
        .1;
    let (unknown, rest) = after.split_once('`')?;
    let expected = rest.split_once("expected")?.1;
    let expected = expected.trim().trim_start_matches("one of").trim();
    // serde-saphyr lists them bare ("name, targets"), serde quotes them.
    let candidates = expected
        .split(", ")
        .map(|c| c.trim().trim_matches('`'))
        .filter(|c| !c.is_empty());
    closest(unknown, candidates)
}

/// The candidate nearest to `word` by edit distance, if near enough to be a
/// typo (at most a third of the word, and at least one edit allowed).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance over characters where swapping two neighbours counts as
/// one edit (optimal string alignment): `bbo` is one slip from `bob`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Small {
        name: String,
        #[serde(default)]
        targets: Vec<String>,
    }

    #[rstest]
    #[case("", "", 0)]
    #[case("kitten", "sitting", 3)]
    #[case("name", "naem", 1)]
    #[case("bob", "bbo", 1)]
    #[case("targets", "target", 1)]
    fn distances(#[case] a: &str, #[case] b: &str, #[case] d: usize) {
        assert_eq!(edit_distance(a, b), d);
        assert_eq!(edit_distance(b, a), d);
    }

    #[test]
    fn near_misses_get_a_suggestion_far_ones_do_not() {
        assert_eq!(closest("taregts", ["name", "targets"]), Some("targets"));
        assert_eq!(closest("xyz", ["name", "targets"]), None);
    }

    #[test]
    fn unknown_keys_say_where_and_suggest_the_key_meant() {
        let err = parse::<Small>("name: a\ntarget: [x]\n", "s.yaml").unwrap_err();
        assert_eq!(err.place, Some(Place { line: 2, column: 1 }));
        assert_eq!(err.hint.as_deref(), Some("targets"));
        let err = err.to_string();
        let first = err.lines().next().unwrap();
        assert!(first.starts_with("s.yaml: line 2 column 1: unknown field `target`"));
        assert!(first.ends_with("did you mean `targets`?"), "{err}");
        assert!(err.contains("--> s.yaml:2:1"), "{err}");
    }

    #[test]
    fn other_errors_are_left_as_they_are() {
        let err = parse::<Small>("name: [a\n", "s.yaml").unwrap_err();
        assert_eq!(err.hint, None);
        let err = err.to_string();
        assert!(!err.contains("did you mean"), "{err}");
        assert!(err.starts_with("s.yaml: "), "{err}");
    }

    #[test]
    fn an_empty_file_is_refused_at_its_start() {
        for text in ["", "\r", "# only a comment\n"] {
            let err = parse::<Small>(text, "e.yaml").unwrap_err();
            assert!(err.place.is_some(), "{text:?}: {err}");
            assert!(err.to_string().starts_with("e.yaml: line "), "{err}");
        }
    }

    #[rstest]
    #[case("unexpected end of input at line 2, column 1", Some((2, 1, "unexpected end of input")))]
    #[case("at line 2, column 1", None)]
    #[case("odd at line 02, column 1", None)]
    #[case("odd at line 2, column 1x", None)]
    fn trailing_places_are_split_off_only_when_they_read_back(
        #[case] first: &str,
        #[case] split: Option<(u64, u64, &str)>,
    ) {
        let got = split_trailing_place(first).map(|(p, m)| (p.line, p.column, m));
        assert_eq!(got, split);
    }

    #[rstest]
    #[case("line 4 column 1: missing field", Some((4, 1, "missing field")))]
    #[case("line 04 column 1: odd", None)]
    #[case("line 4, column 1: other form", None)]
    #[case("unexpected end of file", None)]
    fn places_are_split_off_only_when_they_read_back(
        #[case] first: &str,
        #[case] split: Option<(u64, u64, &str)>,
    ) {
        let got = split_place(first).map(|(p, m)| (p.line, p.column, m));
        assert_eq!(got, split);
    }

    /// serde-saphyr's default budget (250,000 nodes) refused a scenario
    /// of 100,000 people at the 25,000th.
    #[test]
    fn files_of_more_than_250_000_nodes_load() {
        let items = "- 1\n".repeat(260_000);
        let parsed: Vec<u8> = parse(&items, "big.yaml").expect("260,000 nodes load");
        assert_eq!(parsed.len(), 260_000);
    }
}
