//! The filter printer: canonical text that [`super::parse`] reads back to
//! the same tree. Parentheses are added exactly where precedence or
//! left-to-right grouping needs them.

use super::ast::{CompValue, Filter};
use std::fmt;

impl fmt::Display for CompValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompValue::Null => f.write_str("null"),
            CompValue::Bool(b) => write!(f, "{b}"),
            CompValue::Number(n) => write!(f, "{n}"),
            CompValue::String(s) => {
                let quoted = serde_json::to_string(s).map_err(|_| fmt::Error)?;
                f.write_str(&quoted)
            }
        }
    }
}

fn grouped(f: &mut fmt::Formatter<'_>, filter: &Filter, parens: bool) -> fmt::Result {
    if parens {
        write!(f, "({filter})")
    } else {
        write!(f, "{filter}")
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // `a or b or c` parses as ((a or b) or c): a right-hand `or`
            // needs parentheses to keep its shape.
            Filter::Or(a, b) => {
                grouped(f, a, false)?;
                f.write_str(" or ")?;
                grouped(f, b, matches!(**b, Filter::Or(..)))
            }
            Filter::And(a, b) => {
                grouped(f, a, matches!(**a, Filter::Or(..)))?;
                f.write_str(" and ")?;
                grouped(f, b, matches!(**b, Filter::Or(..) | Filter::And(..)))
            }
            Filter::Not(inner) => write!(f, "not ({inner})"),
            Filter::Present(path) => write!(f, "{path} pr"),
            Filter::Compare { path, op, value } => write!(f, "{path} {} {value}", op.as_str()),
            Filter::ValuePath { path, filter } => write!(f, "{path}[{filter}]"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;

    #[test]
    fn prints_canonically() {
        let f = parse(r#"USERNAME Eq "a\"b" or (x pr AND y gt 1.5)"#).unwrap();
        assert_eq!(f.to_string(), r#"USERNAME eq "a\"b" or x pr and y gt 1.5"#);
        let g = parse(r#"a pr and (b pr or c pr)"#).unwrap();
        assert_eq!(g.to_string(), "a pr and (b pr or c pr)");
        let h = parse(r#"emails[type eq "work" and not (value ew ".org")]"#).unwrap();
        assert_eq!(
            h.to_string(),
            r#"emails[type eq "work" and not (value ew ".org")]"#
        );
    }
}
