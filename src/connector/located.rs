//! Semantic errors in the same shape as the YAML loader's (src/yaml.rs):
//! line and column, then the offending line underlined, so a rule serde
//! cannot express reads like any other mistake in the file.

/// `line L column C: message` plus a snippet of `text` with a caret under
/// the column. Lines and columns are 1-based; out-of-range ones still give
/// the first line of the message.
pub(crate) fn render(
    text: &str,
    origin: &str,
    line: usize,
    column: usize,
    message: &str,
) -> String {
    let mut out = format!("line {line} column {column}: {message}");
    let lines: Vec<&str> = text.lines().collect();
    if line == 0 || line > lines.len() {
        return out;
    }
    let first = line.saturating_sub(2).max(1);
    let width = line.to_string().len();
    let pad = " ".repeat(width);
    out.push_str(&format!("\n{pad}--> {origin}:{line}:{column}\n{pad} |"));
    for n in first..=line {
        out.push_str(&format!("\n{n:>width$} | {}", lines[n - 1]));
    }
    let caret_pad = " ".repeat(column.saturating_sub(1));
    out.push_str(&format!("\n{pad} | {caret_pad}^ {message}"));
    out
}

/// Where `needle` first occurs at or after (`line`, `column`), 1-based;
/// used to point at a placeholder inside the scalar that holds it.
pub(crate) fn find_from(
    text: &str,
    line: usize,
    column: usize,
    needle: &str,
) -> Option<(usize, usize)> {
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
            let col = l[..start + at].chars().count() + 1;
            return Some((i + 1, col));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caret_sits_under_the_column() {
        let text = "name: x\nreload: sighup\n";
        let r = render(text, "c.yaml", 2, 9, "no process");
        assert_eq!(
            r,
            "line 2 column 9: no process\n --> c.yaml:2:9\n  |\n1 | name: x\n2 | reload: sighup\n  |         ^ no process"
        );
    }

    #[test]
    fn finds_a_needle_after_the_start_and_on_later_lines() {
        let text = "a: {x}\nb: [\"{y}\", \"{x}\"]\n";
        assert_eq!(find_from(text, 1, 1, "{x}"), Some((1, 4)));
        assert_eq!(find_from(text, 2, 6, "{x}"), Some((2, 13)));
        assert_eq!(find_from(text, 2, 1, "{z}"), None);
    }
}
