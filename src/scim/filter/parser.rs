//! The filter parser (RFC 7644 §3.4.2.2, Figure 1), by recursive descent
//! with the RFC's precedence: grouping, then `not`, then `and`, then `or`.
//!
//! Errors say where (a character offset) and what was expected; nesting
//! and length are bounded so hostile input cannot exhaust the stack.

use super::ast::{CompValue, CompareOp, Filter};
use crate::scim::ScimError;
use crate::scim::path::AttrPath;

/// Longest filter accepted, in characters.
pub const MAX_FILTER_LEN: usize = 8192;
/// Deepest nesting of `( )`, `not ( )` and `[ ]` accepted.
pub const MAX_FILTER_DEPTH: usize = 64;

/// Where a filter stopped making sense, and what would have made sense.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid filter at position {position}: expected {expected}, found {found}")]
pub struct FilterError {
    /// 0-based character offset into the filter text.
    pub position: usize,
    pub expected: String,
    pub found: String,
}

impl From<FilterError> for ScimError {
    fn from(e: FilterError) -> Self {
        ScimError::invalid_filter(e.to_string())
    }
}

/// Parses a filter expression.
pub fn parse(text: &str) -> Result<Filter, FilterError> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() > MAX_FILTER_LEN {
        return Err(FilterError {
            position: MAX_FILTER_LEN,
            expected: format!("a filter of at most {MAX_FILTER_LEN} characters"),
            found: format!("{} characters", chars.len()),
        });
    }
    let mut p = Parser { chars, pos: 0 };
    let filter = p.or_expr(0)?;
    p.skip_ws();
    if p.pos < p.chars.len() {
        return Err(p.error("'and', 'or' or the end of the filter"));
    }
    Ok(filter)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

/// Characters that end an attribute path or keyword.
fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | '"')
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn error(&self, expected: &str) -> FilterError {
        FilterError {
            position: self.pos,
            expected: expected.to_owned(),
            found: self.describe_here(),
        }
    }

    fn describe_here(&self) -> String {
        match self.peek() {
            None => "the end of the filter".to_owned(),
            Some(c) if is_delimiter(c) => format!("'{c}'"),
            Some(_) => {
                let word: String = self.chars[self.pos..]
                    .iter()
                    .take_while(|c| !is_delimiter(**c))
                    .take(30)
                    .collect();
                format!("'{word}'")
            }
        }
    }

    /// The word at the cursor (up to a delimiter), without consuming it.
    fn word(&self) -> String {
        self.chars[self.pos..]
            .iter()
            .take_while(|c| !is_delimiter(**c))
            .collect()
    }

    /// Whether the word at the cursor is `expected`, ignoring ASCII case.
    /// Compares in place: every keyword and operator tried goes through
    /// here, and a copy of the word each time showed in the lookup profile.
    fn word_is(&self, expected: &str) -> bool {
        let mut word = self.chars[self.pos..]
            .iter()
            .take_while(|c| !is_delimiter(**c));
        let mut expected = expected.chars();
        loop {
            match (word.next(), expected.next()) {
                (None, None) => return true,
                (Some(a), Some(b)) if a.eq_ignore_ascii_case(&b) => {}
                _ => return false,
            }
        }
    }

    /// Consumes `keyword` (case-insensitive) if it is the next whole word.
    fn keyword(&mut self, keyword: &str) -> bool {
        let save = self.pos;
        self.skip_ws();
        if self.word_is(keyword) {
            self.pos += keyword.chars().count();
            true
        } else {
            self.pos = save;
            false
        }
    }

    fn expect_char(&mut self, c: char, expected: &str) -> Result<(), FilterError> {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(expected))
        }
    }

    fn enter(&self, depth: usize) -> Result<usize, FilterError> {
        if depth >= MAX_FILTER_DEPTH {
            Err(FilterError {
                position: self.pos,
                expected: format!("at most {MAX_FILTER_DEPTH} levels of nesting"),
                found: "deeper nesting".to_owned(),
            })
        } else {
            Ok(depth + 1)
        }
    }

    fn or_expr(&mut self, depth: usize) -> Result<Filter, FilterError> {
        let mut left = self.and_expr(depth)?;
        while self.keyword("or") {
            let right = self.and_expr(depth)?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and_expr(&mut self, depth: usize) -> Result<Filter, FilterError> {
        let mut left = self.unary(depth)?;
        while self.keyword("and") {
            let right = self.unary(depth)?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self, depth: usize) -> Result<Filter, FilterError> {
        self.skip_ws();
        if self.peek() == Some('(') {
            let depth = self.enter(depth)?;
            self.pos += 1;
            let inner = self.or_expr(depth)?;
            self.expect_char(')', "a closing ')'")?;
            return Ok(inner);
        }
        // `not` is a keyword only when a parenthesis follows; otherwise it
        // may begin an attribute name such as `notes`.
        let save = self.pos;
        if self.keyword("not") {
            self.skip_ws();
            if self.peek() == Some('(') {
                let depth = self.enter(depth)?;
                self.pos += 1;
                let inner = self.or_expr(depth)?;
                self.expect_char(')', "a closing ')'")?;
                return Ok(Filter::Not(Box::new(inner)));
            }
            self.pos = save;
        }
        self.attr_expr(depth)
    }

    fn attr_path(&mut self) -> Result<AttrPath, FilterError> {
        self.skip_ws();
        let start = self.pos;
        let text = self.word();
        if text.is_empty() {
            return Err(self.error("an attribute path, '(' or 'not ('"));
        }
        let path = AttrPath::parse(&text).map_err(|_| FilterError {
            position: start,
            expected: "an attribute path (e.g. userName, name.familyName or urn:…:User:userName)"
                .to_owned(),
            found: format!("'{text}'"),
        })?;
        self.pos += text.chars().count();
        Ok(path)
    }

    fn attr_expr(&mut self, depth: usize) -> Result<Filter, FilterError> {
        let path = self.attr_path()?;
        if self.peek() == Some('[') {
            let depth = self.enter(depth)?;
            self.pos += 1;
            let inner = self.or_expr(depth)?;
            self.expect_char(']', "a closing ']'")?;
            return Ok(Filter::ValuePath {
                path,
                filter: Box::new(inner),
            });
        }
        self.skip_ws();
        if self.word_is("pr") {
            self.pos += 2;
            return Ok(Filter::Present(path));
        }
        // Operators are case-insensitive (RFC 7644 §3.4.2.2).
        let Some(op) = CompareOp::ALL
            .into_iter()
            .find(|op| self.word_is(op.as_str()))
        else {
            return Err(self
                .error("a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le), 'pr' or '['"));
        };
        self.pos += op.as_str().len();
        let value = self.comp_value()?;
        Ok(Filter::Compare { path, op, value })
    }

    fn comp_value(&mut self) -> Result<CompValue, FilterError> {
        self.skip_ws();
        const EXPECTED: &str = "a value: a \"string\", a number, true, false or null";
        match self.peek() {
            Some('"') => self.string(),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number(),
            Some(_) => {
                let (value, len) = if self.word_is("true") {
                    (CompValue::Bool(true), 4)
                } else if self.word_is("false") {
                    (CompValue::Bool(false), 5)
                } else if self.word_is("null") {
                    (CompValue::Null, 4)
                } else {
                    return Err(self.error(EXPECTED));
                };
                self.pos += len;
                Ok(value)
            }
            None => Err(self.error(EXPECTED)),
        }
    }

    /// A JSON string (RFC 7159 §7), escapes included.
    fn string(&mut self) -> Result<CompValue, FilterError> {
        let start = self.pos;
        let mut end = self.pos + 1;
        loop {
            match self.chars.get(end) {
                None => {
                    return Err(FilterError {
                        position: start,
                        expected: "a closing '\"' for this string".to_owned(),
                        found: "the end of the filter".to_owned(),
                    });
                }
                Some('\\') => end += 2,
                Some('"') => break,
                Some(_) => end += 1,
            }
        }
        let body = &self.chars[start + 1..end];
        // Nothing to unescape or refuse: the characters are the value.
        if !body.iter().any(|c| *c == '\\' || c.is_control()) {
            self.pos = end + 1;
            return Ok(CompValue::String(body.iter().collect()));
        }
        let literal: String = self.chars[start..=end].iter().collect();
        let value: String = serde_json::from_str(&literal).map_err(|e| FilterError {
            position: start,
            expected: "a JSON string".to_owned(),
            found: format!("{literal} ({e})"),
        })?;
        self.pos = end + 1;
        Ok(CompValue::String(value))
    }

    /// A JSON number (RFC 7159 §6).
    fn number(&mut self) -> Result<CompValue, FilterError> {
        let start = self.pos;
        let literal = self.word();
        let number = literal
            .parse::<serde_json::Number>()
            .ok()
            .filter(|_| is_json_number(&literal))
            .ok_or_else(|| FilterError {
                position: start,
                expected: "a JSON number (e.g. 42, -1.5, 1e3)".to_owned(),
                found: format!("'{literal}'"),
            })?;
        self.pos += literal.chars().count();
        Ok(CompValue::Number(number))
    }
}

/// `number = [ minus ] int [ frac ] [ exp ]` exactly (no leading `+`,
/// zeros or bare dots, which Rust's parsers would accept).
fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(c) if c.is_ascii_digit() => {
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        let digits = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == digits {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let digits = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == digits {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn and_binds_tighter_than_or() {
        let f = parse(r#"a eq 1 or b eq 2 and c eq 3"#).unwrap();
        let Filter::Or(_, right) = f else {
            panic!("{f:?}")
        };
        assert!(matches!(*right, Filter::And(..)));
    }

    #[test]
    fn keywords_and_operators_are_case_insensitive() {
        let f = parse(r#"userName EQ "x" AND NOT (title Pr)"#).unwrap();
        assert!(matches!(f, Filter::And(..)));
    }

    #[test]
    fn not_without_parenthesis_starts_an_attribute_name() {
        assert!(matches!(parse("notes pr").unwrap(), Filter::Present(p) if p.name == "notes"));
    }

    #[test]
    fn json_numbers_only() {
        assert!(is_json_number("-1.5e3"));
        assert!(!is_json_number("01"));
        assert!(!is_json_number("1."));
        assert!(!is_json_number("+1"));
        assert!(parse("x eq 1.").is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("{}a pr{}", "(".repeat(1000), ")".repeat(1000));
        let e = parse(&deep).unwrap_err();
        assert!(e.expected.contains("nesting"), "{e}");
        let nots = format!("{}a pr{}", "not (".repeat(1000), ")".repeat(1000));
        assert!(parse(&nots).is_err());
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        let e = parse(r#"displayName eq "Zoë" xor"#).unwrap_err();
        assert_eq!(e.position, 21);
    }
}
