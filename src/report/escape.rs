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

/// A fenced code block holding `text` verbatim: the fence is one backtick
/// longer than the longest run of backticks inside, so the text cannot
/// close it (CommonMark §4.5); Markdown and HTML are not read inside.
pub(crate) fn markdown_code_block(text: &str) -> String {
    let text = terminal(text);
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}text\n{}\n{fence}\n", text.trim_end_matches('\n'))
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
    #[case("no ticks", "```text\nno ticks\n```\n")]
    #[case("a ``` b", "````text\na ``` b\n````\n")]
    #[case("`````", "``````text\n`````\n``````\n")]
    fn markdown_blocks_cannot_be_closed_from_inside(#[case] text: &str, #[case] block: &str) {
        assert_eq!(markdown_code_block(text), block);
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
        fn a_code_block_has_its_fence_only_at_its_ends(text in "[`a\n]{0,40}") {
            let block = markdown_code_block(&text);
            let fence: String = block.chars().take_while(|c| *c == '`').collect();
            let lines: Vec<&str> = block.lines().collect();
            for line in &lines[1..lines.len() - 1] {
                proptest::prop_assert!(!line.trim_start().starts_with(&fence), "{:?}", block);
            }
            proptest::prop_assert_eq!(*lines.last().unwrap(), fence.as_str());
        }

        #[test]
        fn terminal_text_has_no_control_characters_but_newline_and_tab(text in "\\PC*|[\u{0}-\u{1f}\u{7f}-\u{9f}\u{202e}a]{0,40}") {
            proptest::prop_assert!(terminal(&text).chars().all(|c| c == '\n' || c == '\t' || !(c.is_control() || is_bidi_control(c))));
        }
    }
}
