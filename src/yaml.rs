//! Loading scimulate's YAML files (profiles, scenarios, connector files)
//! with one error style: the file, line and column, the offending text
//! underlined, what was expected, and a "did you mean" for a near-miss key.

use serde::de::DeserializeOwned;

/// Parses `text`; errors name `origin` (the file) and where in it.
pub fn parse<T: DeserializeOwned>(text: &str, origin: &str) -> Result<T, String> {
    serde_saphyr::from_str(text).map_err(|e| describe(&e.to_string(), origin))
}

/// Rewrites a serde-saphyr message for `origin`, adding a suggestion when
/// serde reports an unknown key together with the expected ones.
fn describe(message: &str, origin: &str) -> String {
    let mut out = message
        .trim_start_matches("error: ")
        .replace("--> <input>:", &format!("--> {origin}:"));
    if let Some(hint) = did_you_mean(message) {
        // The first line carries the summary; the hint belongs to it.
        match out.find('\n') {
            Some(end) => out.insert_str(end, &hint),
            None => out.push_str(&hint),
        }
    }
    out
}

/// `; did you mean `name`?` for "unknown field `naem`, expected one of
/// name, seed" (serde quotes the expected names in backquotes, serde-saphyr
/// does not).
fn did_you_mean(message: &str) -> Option<String> {
    let first_line = message.lines().next()?;
    let after = first_line.split_once("unknown field `")?.1;
    let (unknown, rest) = after.split_once('`')?;
    let expected = rest.split_once("expected")?.1;
    let expected = expected.trim().trim_start_matches("one of").trim();
    // serde-saphyr lists them bare ("name, targets"), serde quotes them.
    let candidates = expected
        .split(", ")
        .map(|c| c.trim().trim_matches('`'))
        .filter(|c| !c.is_empty());
    let best = closest(unknown, candidates)?;
    Some(format!("; did you mean `{best}`?"))
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

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
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
    #[case("name", "naem", 2)]
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
        let first = err.lines().next().unwrap();
        assert!(first.contains("line 2 column 1"), "{err}");
        assert!(first.ends_with("did you mean `targets`?"), "{err}");
        assert!(err.contains("--> s.yaml:2:1"), "{err}");
    }

    #[test]
    fn other_errors_are_left_as_they_are() {
        let err = parse::<Small>("name: [a\n", "s.yaml").unwrap_err();
        assert!(!err.contains("did you mean"), "{err}");
        assert!(err.contains("s.yaml"), "{err}");
    }
}
