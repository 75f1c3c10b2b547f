//! Errors at a place in a file, the one shape every loader (profiles,
//! scenarios, connector files) and `scimulate check` report mistakes in:
//! the file, line and column and what is wrong, then the offending line
//! with a caret under the column.
//!
//! ```text
//! s.yaml: line 2 column 11: no target `x`: expected one of y; did you mean `y`?
//!  --> s.yaml:2:11
//!   |
//! 2 | targets: [x]
//!   |           ^ no target `x`: expected one of y; did you mean `y`?
//! ```

use std::fmt;

/// A place in a file: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub line: u64,
    pub column: u64,
}

/// An error in a file, at a place in it when one is known. [`Display`]
/// renders it (there is no other renderer).
///
/// [`Display`]: fmt::Display
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The file: a path, or a name such as `<built-in profile slack>`.
    pub origin: String,
    pub place: Option<Place>,
    pub message: String,
    /// What a near miss probably meant: "; did you mean `HINT`?".
    pub hint: Option<String>,
    excerpt: Excerpt,
}

/// What is shown below the summary line. Boxed slices rather than a Vec
/// and a String keep [`Located`] small enough to return by value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Excerpt {
    /// Nothing: the summary line says all there is.
    None,
    /// Lines of the file, the last one at the place, underlined there.
    Lines(Box<[String]>),
    /// The YAML parser's own drawing of its error, kept as it drew it:
    /// it shows lines after the place too and crops long ones.
    Drawn(Box<str>),
}

impl Located {
    /// An error in `origin` as a whole, at no particular place.
    pub fn new(origin: impl Into<String>, message: impl Into<String>) -> Located {
        Located {
            origin: origin.into(),
            place: None,
            message: message.into(),
            hint: None,
            excerpt: Excerpt::None,
        }
    }

    /// The same error at `place` (when given), said in the summary line
    /// only: no excerpt of the file.
    pub fn at(mut self, place: impl Into<Option<Place>>) -> Located {
        self.place = place.into();
        self
    }

    /// Adds "; did you mean `HINT`?" to the message.
    pub fn with_hint(mut self, hint: Option<&str>) -> Located {
        self.hint = hint.map(str::to_owned);
        self
    }

    /// Keeps the parser's drawing of its error below the summary line.
    pub(crate) fn drawn(mut self, drawing: &str) -> Located {
        self.excerpt = Excerpt::Drawn(drawing.into());
        self
    }

    /// The message with its hint, as the summary and the caret show it.
    fn full_message(&self) -> String {
        match &self.hint {
            Some(h) => format!("{}; did you mean `{h}`?", self.message),
            None => self.message.clone(),
        }
    }
}

impl std::error::Error for Located {}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = self.full_message();
        write!(f, "{}: ", self.origin)?;
        if let Some(Place { line, column }) = self.place {
            write!(f, "line {line} column {column}: ")?;
        }
        f.write_str(&message)?;
        match (&self.excerpt, self.place) {
            (Excerpt::Drawn(drawing), _) => write!(f, "\n{drawing}"),
            (Excerpt::Lines(lines), Some(Place { line, column })) => {
                // The gutter is as wide as the last (largest) line number.
                let width = line.to_string().len();
                let pad = " ".repeat(width);
                write!(f, "\n{pad}--> {}:{line}:{column}\n{pad} |", self.origin)?;
                let first = line + 1 - lines.len() as u64;
                for (n, text) in (first..).zip(lines.iter()) {
                    write!(f, "\n{n:>width$} | {text}")?;
                }
                let caret = " ".repeat(usize::try_from(column.saturating_sub(1)).unwrap_or(0));
                write!(f, "\n{pad} | {caret}^ {message}")
            }
            (Excerpt::None | Excerpt::Lines(_), _) => Ok(()),
        }
    }
}

/// A file's name and text, for errors that point into it.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    origin: &'a str,
    text: &'a str,
    above: usize,
}

impl<'a> Source<'a> {
    /// Errors in `text` name it `origin` and show the offending line alone.
    pub fn new(origin: &'a str, text: &'a str) -> Source<'a> {
        Source {
            origin,
            text,
            above: 0,
        }
    }

    /// Errors also show up to `lines` lines above the offending one.
    pub fn with_lines_above(self, lines: usize) -> Source<'a> {
        Source {
            above: lines,
            ..self
        }
    }

    pub fn origin(&self) -> &'a str {
        self.origin
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    /// An error at `place`, showing its line with a caret under the
    /// column; a place outside the text gives the summary line alone.
    pub fn error(&self, place: impl Into<Place>, message: impl Into<String>) -> Located {
        let place = place.into();
        let mut error = Located::new(self.origin, message).at(place);
        let lines: Vec<&str> = self.text.lines().collect();
        if let Some(last) = usize::try_from(place.line)
            .ok()
            .filter(|l| (1..=lines.len()).contains(l))
        {
            let first = last.saturating_sub(self.above).max(1);
            error.excerpt = Excerpt::Lines(
                lines[first - 1..last]
                    .iter()
                    .map(|l| (*l).to_owned())
                    .collect(),
            );
        }
        error
    }
}

/// Where `needle` first occurs at or after `from`; used to point at a
/// placeholder inside the scalar that holds it.
pub fn find_from(text: &str, from: Place, needle: &str) -> Option<Place> {
    let line = usize::try_from(from.line).unwrap_or(usize::MAX);
    let column = usize::try_from(from.column).unwrap_or(usize::MAX);
    for (i, l) in text.lines().enumerate().skip(line.saturating_sub(1)) {
        let start = if i + 1 == line {
            // Columns count characters; slice on the matching byte index.
            l.char_indices()
                .nth(column.saturating_sub(1))
                .map_or(l.len(), |(b, _)| b)
        } else {
            0
        };
        if let Some(at) = l[start..].find(needle) {
            return Some(Place {
                line: i as u64 + 1,
                column: l[..start + at].chars().count() as u64 + 1,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(line: u64, column: u64) -> Place {
        Place { line, column }
    }

    #[test]
    fn errors_at_a_place_show_the_line_with_a_caret() {
        let text = "name: a\ntargets: [x]\n";
        let err = Source::new("s.yaml", text).error(place(2, 11), "no target `x`");
        assert_eq!(
            err.to_string(),
            "s.yaml: line 2 column 11: no target `x`\n --> s.yaml:2:11\n  |\n2 | targets: [x]\n  |           ^ no target `x`"
        );
    }

    #[test]
    fn lines_above_are_shown_when_asked_for() {
        let text = "name: x\nreload: sighup\n";
        let err = Source::new("c.yaml", text)
            .with_lines_above(2)
            .error(place(2, 9), "no process");
        assert_eq!(
            err.to_string(),
            "c.yaml: line 2 column 9: no process\n --> c.yaml:2:9\n  |\n1 | name: x\n2 | reload: sighup\n  |         ^ no process"
        );
    }

    #[test]
    fn the_gutter_fits_the_widest_line_number() {
        let text = "a\n".repeat(9) + "b: [x]\n";
        let err = Source::new("s.yaml", &text)
            .with_lines_above(2)
            .error(place(10, 5), "no");
        assert_eq!(
            err.to_string(),
            "s.yaml: line 10 column 5: no\n  --> s.yaml:10:5\n   |\n 8 | a\n 9 | a\n10 | b: [x]\n   |     ^ no"
        );
    }

    #[test]
    fn the_hint_ends_the_summary_and_the_caret_label() {
        let err = Source::new("s.yaml", "a: bbo\n")
            .error(place(1, 4), "no person named `bbo`")
            .with_hint(Some("bob"));
        assert_eq!(
            err.to_string(),
            "s.yaml: line 1 column 4: no person named `bbo`; did you mean `bob`?\n --> s.yaml:1:4\n  |\n1 | a: bbo\n  |    ^ no person named `bbo`; did you mean `bob`?"
        );
    }

    #[test]
    fn a_place_outside_the_text_gives_the_summary_alone() {
        let source = Source::new("s.yaml", "a: 1\n");
        assert_eq!(
            source.error(place(3, 1), "gone").to_string(),
            "s.yaml: line 3 column 1: gone"
        );
        assert_eq!(
            source.error(place(0, 1), "gone").to_string(),
            "s.yaml: line 0 column 1: gone"
        );
    }

    #[test]
    fn without_a_place_or_excerpt_only_the_summary_is_written() {
        assert_eq!(
            Located::new("p.yaml", "base_path: bad").to_string(),
            "p.yaml: base_path: bad"
        );
        assert_eq!(
            Located::new("p.yaml", "schemas: bad")
                .at(place(4, 1))
                .to_string(),
            "p.yaml: line 4 column 1: schemas: bad"
        );
    }

    #[test]
    fn finds_a_needle_after_the_start_and_on_later_lines() {
        let text = "a: {x}\nb: [\"{y}\", \"{x}\"]\n";
        assert_eq!(find_from(text, place(1, 1), "{x}"), Some(place(1, 4)));
        assert_eq!(find_from(text, place(2, 6), "{x}"), Some(place(2, 13)));
        assert_eq!(find_from(text, place(2, 1), "{z}"), None);
    }
}
