//! Loading scimulate's YAML files (profiles, scenarios, connector files)
//! with one error style: the file, line and column, the offending text
//! underlined, what was expected, and a "did you mean" for a near-miss key.

use serde::de::DeserializeOwned;

/// Parses `text`; errors start with `origin` (the file) and say where in it.
pub fn parse<T: DeserializeOwned>(text: &str, origin: &str) -> Result<T, String> {
    serde_saphyr::from_str(text)
        .map_err(|e| format!("{origin}: {}", describe(&e.to_string(), origin)))
}

/// A place in a YAML file (1-based line and column), for errors that
/// serde cannot find: an unknown person, a target nobody declared, …
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub line: u64,
    pub column: u64,
}

impl<T> From<&serde_saphyr::Spanned<T>> for Place {
    fn from(s: &serde_saphyr::Spanned<T>) -> Self {
        Place {
            line: s.referenced.line(),
            column: s.referenced.column(),
        }
    }
}

/// Renders an error at `place` the way serde-saphyr renders parse errors:
/// a summary line, the location, and the line itself with a caret.
pub fn error_at(text: &str, origin: &str, place: Place, message: &str) -> String {
    let Place { line, column } = place;
    let mut out = format!("{origin}: line {line} column {column}: {message}");
    let Some(source) = usize::try_from(line)
        .ok()
        .and_then(|l| l.checked_sub(1))
        .and_then(|l| text.lines().nth(l))
    else {
        return out;
    };
    let width = line.to_string().len();
    let pad = " ".repeat(width);
    let caret = " ".repeat(usize::try_from(column.saturating_sub(1)).unwrap_or(0));
    out.push_str(&format!(
        "\n{pad}--> {origin}:{line}:{column}\n{pad} |\n{line} | {source}\n{pad} | {caret}^ {message}"
    ));
    out
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
/// name, seed" or "unknown variant …" (serde quotes the expected names in
/// backquotes, serde-saphyr does not).
pub fn did_you_mean(message: &str) -> Option<String> {
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
        let first = err.lines().next().unwrap();
        assert!(first.contains("line 2 column 1"), "{err}");
        assert!(first.ends_with("did you mean `targets`?"), "{err}");
        assert!(err.contains("--> s.yaml:2:1"), "{err}");
    }

    #[test]
    fn errors_at_a_place_show_the_line_with_a_caret() {
        let text = "name: a\ntargets: [x]\n";
        let err = error_at(
            text,
            "s.yaml",
            Place {
                line: 2,
                column: 11,
            },
            "no target `x`",
        );
        assert_eq!(
            err,
            "s.yaml: line 2 column 11: no target `x`\n --> s.yaml:2:11\n  |\n2 | targets: [x]\n  |           ^ no target `x`"
        );
    }

    #[test]
    fn other_errors_are_left_as_they_are() {
        let err = parse::<Small>("name: [a\n", "s.yaml").unwrap_err();
        assert!(!err.contains("did you mean"), "{err}");
        assert!(err.contains("s.yaml"), "{err}");
    }
}
