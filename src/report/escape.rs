//! Escaping text that came from servers and connectors under test before
//! it reaches a terminal or a Markdown renderer: a message may hold
//! anything, including escape sequences that would drive the terminal or
//! Markdown and HTML that would restyle (or hide) a PR comment.

/// Visible stand-ins for control characters and bidirectional overrides
/// (which can make text read differently from what it is); newlines and
/// tabs stay, carriage returns are dropped before a newline.
pub(crate) fn terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' => out.push(c),
            '\r' if chars.peek() == Some(&'\n') => {}
            c if c.is_control() || is_bidi_control(c) => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

/// Inline Markdown (text and table cells): every ASCII punctuation
/// character is backslash-escaped (CommonMark allows it for all of them,
/// and GFM tables read `\|` as a literal pipe), so nothing in the text can
/// open a link, emphasis, code span or HTML tag. Line breaks become spaces
/// (a table row is one line).
pub(crate) fn markdown_inline(text: &str) -> String {
    let text = terminal(text);
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(' '),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// An inline code span holding `text` on one line (line breaks become
/// ` · `): nothing inside is read as Markdown or HTML, and, unlike escaped
/// text, nothing inside becomes a link (GitHub links e-mail addresses and
/// URLs in plain text however they are escaped). The fence is one backtick
/// longer than the longest run inside, with a space inside each end, which
/// CommonMark strips.
pub(crate) fn markdown_code_span(text: &str) -> String {
    let text = terminal(text);
    let one_line: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let text = one_line.join(" · ").replace('\t', " ");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    format!("{fence} {text} {fence}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("plain", "plain")]
    #[case("a\nb\tc", "a\nb\tc")]
    #[case("a\r\nb", "a\nb")]
    #[case("\u{1b}[31mred\u{1b}[0m", "\\u{1b}[31mred\\u{1b}[0m")]
    #[case("bell\u{7}", "bell\\u{7}")]
    #[case("x\u{202e}gnp.exe", "x\\u{202e}gnp.exe")]
    fn terminal_text(#[case] text: &str, #[case] escaped: &str) {
        assert_eq!(terminal(text), escaped);
    }

    #[rstest]
    #[case("a | b", "a \\| b")]
    #[case("`code`", "\\`code\\`")]
    #[case(
        "<img src=x onerror=alert(1)>",
        "\\<img src\\=x onerror\\=alert\\(1\\)\\>"
    )]
    #[case(
        "**bold** [link](http://x)",
        "\\*\\*bold\\*\\* \\[link\\]\\(http\\:\\/\\/x\\)"
    )]
    #[case("line1\nline2", "line1 line2")]
    #[case("@team ping", "\\@team ping")]
    fn markdown_inline_text(#[case] text: &str, #[case] escaped: &str) {
        assert_eq!(markdown_inline(text), escaped);
    }

    #[rstest]
    #[case("bob@acme.test", "` bob@acme.test `")]
    #[case("a\n  b\n\nc", "` a · b · c `")]
    #[case("x `y` z", "`` x `y` z ``")]
    #[case("``", "``` `` ```")]
    fn code_spans_hold_one_line(#[case] text: &str, #[case] span: &str) {
        assert_eq!(markdown_code_span(text), span);
    }

    proptest::proptest! {
        #[test]
        fn inline_markdown_is_one_line_with_every_punctuation_escaped(text in "\\PC*|[|`*_<>\\[\\]\n\\\\]{0,40}") {
            let out = markdown_inline(&text);
            proptest::prop_assert!(!out.contains('\n'));
            let mut escaped = false;
            for c in out.chars() {
                if c.is_ascii_punctuation() && !escaped {
                    proptest::prop_assert_eq!(c, '\\', "unescaped {:?} in {:?}", c, out);
                    escaped = true;
                } else {
                    escaped = false;
                }
            }
        }

        #[test]
        fn a_code_span_cannot_be_closed_from_inside(text in "[`a \n]{0,40}") {
            let span = markdown_code_span(&text);
            let fence: String = span.chars().take_while(|c| *c == '`').collect();
            let inner = &span[fence.len()..span.len() - fence.len()];
            proptest::prop_assert!(!span.contains('\n'));
            proptest::prop_assert!(span.ends_with(&fence));
            // No run of backticks inside is as long as the fence.
            proptest::prop_assert!(inner.split(|c| c != '`').all(|run| run.len() < fence.len()), "{:?}", span);
        }

        #[test]
        fn terminal_text_has_no_control_characters_but_newline_and_tab(text in "\\PC*|[\u{0}-\u{1f}\u{7f}-\u{9f}\u{202e}a]{0,40}") {
            proptest::prop_assert!(terminal(&text).chars().all(|c| c == '\n' || c == '\t' || !(c.is_control() || is_bidi_control(c))));
        }
    }
}
