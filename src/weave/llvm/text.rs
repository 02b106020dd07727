//! Lines of IR text as bytes: where a line starts and ends, and what kind
//! of line it is when its bytes alone tell.
//!
//! The weaver never numbers the lines of a module: a diagnostic is a byte
//! range, and the caller's source map turns it into `file:line:column`
//! only when one is shown.

use std::ops::Range;

use memchr::{memchr, memrchr};

/// The line that holds byte `at`, with its newline.
pub fn line_at(source: &str, at: usize) -> Range<usize> {
    let bytes = source.as_bytes();
    let at = at.min(bytes.len());
    let start = memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
    start..line_end(bytes, at)
}

/// Where the line that holds `at` ends: after its newline, or at the end.
pub fn line_end(bytes: &[u8], at: usize) -> usize {
    memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i + 1)
}

/// The lines of `source[range]`, each with its newline.
pub fn lines(source: &str, range: Range<usize>) -> impl Iterator<Item = Range<usize>> + '_ {
    let bytes = &source.as_bytes()[..range.end];
    let mut at = range.start;
    std::iter::from_fn(move || {
        if at >= bytes.len() {
            return None;
        }
        let start = at;
        at = line_end(bytes, at);
        Some(start..at)
    })
}

/// The line before the one that starts at `start`, if `start` is after
/// `floor`.
pub fn previous_line(source: &str, start: usize, floor: usize) -> Option<Range<usize>> {
    if start <= floor {
        return None;
    }
    let bytes = source.as_bytes();
    let begin = memrchr(b'\n', &bytes[floor..start - 1]).map_or(floor, |i| floor + i + 1);
    Some(begin..start)
}

/// The part of a line that is text: without the indentation and the line
/// end, for a diagnostic to underline.
pub fn text_of(source: &str, line: Range<usize>) -> Range<usize> {
    let text = &source[line.clone()];
    let start = line.start + (text.len() - text.trim_start().len());
    let end = line.start + text.trim_end().len();
    start..end.max(start)
}

/// `bytes` after its leading spaces and tabs.
pub fn skip_blanks(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// Whether the text after an instruction goes on with it: the next line
/// starts (after blanks) with `to ` or `unwind ` (an `invoke`).
pub fn continues(rest: &[u8]) -> bool {
    let rest = skip_blanks(rest);
    rest.starts_with(b"to ") || rest.starts_with(b"unwind ")
}

/// The number a name of digits stands for.
pub fn number_of(name: &[u8]) -> Option<usize> {
    if name.is_empty() || !name.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(name).ok()?.parse().ok()
}

pub fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// What a body line is, when its bytes alone tell. Only a shortcut:
/// `Other` lines are tokenized, and every other answer is what the tokens
/// would say.
#[derive(Debug, PartialEq, Eq)]
pub enum Quick {
    /// Blank, or only a comment.
    Nothing,
    /// A debug record (`#dbg_value(...)`).
    Record,
    /// A block label (`entry:`, `12:`) of this many bytes without the
    /// colon, and its number when it is one.
    Label(usize, Option<usize>),
    /// An instruction the weaver has nothing to do with: indented, naming
    /// no global (`@`: an API could be one), without quotes or colons (no
    /// label, no string), with balanced brackets (it does not go on to the
    /// next line), and not a `ret`, `phi`, call or invoke. `Some(n)` when
    /// it defines `%n`.
    Plain(Option<usize>),
    Other,
}

pub fn quick_line(line: &[u8]) -> Quick {
    let rest = skip_blanks(line);
    let indent = line.len() - rest.len();
    match rest.first() {
        None | Some(b'\n' | b';') => return Quick::Nothing,
        Some(b'\r') if rest.get(1).is_none_or(|&b| b == b'\n') => return Quick::Nothing,
        Some(b'#') if indent > 0 && rest.starts_with(b"#dbg_") && !rest.contains(&b'"') => {
            return Quick::Record;
        }
        Some(b'#' | b'\r') => return Quick::Other,
        Some(_) if indent == 0 => return quick_label(line),
        Some(_) => {}
    }
    let mut depth = 0i32;
    let mut code = rest;
    for (index, &byte) in rest.iter().enumerate() {
        match byte {
            b'@' | b'"' | b':' => return Quick::Other,
            b'(' | b'[' | b'{' | b'<' => depth += 1,
            b')' | b']' | b'}' | b'>' => depth -= 1,
            b';' => {
                code = &rest[..index];
                break;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Quick::Other;
    }
    let (number, operation) = match code.strip_prefix(b"%") {
        Some(named) => {
            let name_end = named.iter().position(|&b| b == b' ').unwrap_or(named.len());
            let Some(operation) = named[name_end..].strip_prefix(b" = ") else {
                return Quick::Other;
            };
            (number_of(&named[..name_end]), operation)
        }
        None => (None, code),
    };
    let word_end = operation
        .iter()
        .position(|&b| matches!(b, b' ' | b'\n' | b'\r'))
        .unwrap_or(operation.len());
    match &operation[..word_end] {
        b"ret" | b"phi" | b"call" | b"tail" | b"musttail" | b"notail" | b"invoke" | b"callbr" => {
            Quick::Other
        }
        _ => Quick::Plain(number),
    }
}

/// A line that starts with no indentation: a label such as `for.body:` or
/// `12:`, with nothing but a comment after it.
fn quick_label(line: &[u8]) -> Quick {
    let name_end = line
        .iter()
        .position(|&b| !super::lexer::is_name_char(b))
        .unwrap_or(line.len());
    let name = &line[..name_end];
    // The tokenizer reads a name that starts with a digit as a number
    // unless it is all digits, `$` as a comdat and `...` as punctuation;
    // those are left to it.
    let number = number_of(name);
    if name.is_empty()
        || (name[0].is_ascii_digit() && number.is_none())
        || name[0] == b'$'
        || name.starts_with(b"...")
    {
        return Quick::Other;
    }
    if line.get(name_end) != Some(&b':') {
        return Quick::Other;
    }
    let after = &line[name_end + 1..];
    let blank = after
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | b'\r'))
        .is_none_or(|i| matches!(after[i], b'\n' | b';'));
    if blank {
        Quick::Label(name_end, number)
    } else {
        Quick::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_like_lines_with_their_newlines() {
        for text in ["", "\n", "a", "a\n", "a\nb", "\n\n\n", "ab\n\ncd\nlast"] {
            assert_eq!(
                lines(text, 0..text.len())
                    .map(|r| &text[r])
                    .collect::<Vec<_>>(),
                text.split_inclusive('\n').collect::<Vec<_>>(),
                "{text:?}"
            );
        }
        let text = "one\ntwo\nthree";
        assert_eq!(line_at(text, 5), 4..8);
        assert_eq!(line_at(text, 4), 4..8);
        assert_eq!(line_at(text, 3), 0..4);
        assert_eq!(line_at(text, 13), 8..13);
        assert_eq!(previous_line(text, 8, 0), Some(4..8));
        assert_eq!(previous_line(text, 4, 0), Some(0..4));
        assert_eq!(previous_line(text, 4, 4), None);
        assert_eq!(previous_line(text, 8, 4), Some(4..8));
    }

    #[test]
    fn lines_are_told_from_their_bytes() {
        let quick = |line: &str| quick_line(line.as_bytes());
        assert_eq!(
            quick("  %5 = load ptr, ptr %4, align 8, !dbg !123\n"),
            Quick::Plain(Some(5))
        );
        assert_eq!(
            quick("  store i32 0, ptr %3, align 4\n"),
            Quick::Plain(None)
        );
        assert_eq!(quick("  %x = add i32 %a, 1 ; [\n"), Quick::Plain(None));
        assert_eq!(quick("\n"), Quick::Nothing);
        assert_eq!(quick("  ; a comment\n"), Quick::Nothing);
        assert_eq!(
            quick("21:                                               ; preds = %2\n"),
            Quick::Label(2, Some(21))
        );
        assert_eq!(quick("for.body:\n"), Quick::Label(8, None));
        assert_eq!(
            quick("    #dbg_value(i32 %x, !10, !DIExpression(), !12)\n"),
            Quick::Record
        );
        // Globals, calls, rets, PHIs, quotes, open brackets: tokenized.
        for line in [
            "  store ptr @F, ptr %8, align 8\n",
            "  call void %12(ptr %1)\n",
            "  %3 = tail call i32 %f()\n",
            "  ret i32 %23, !dbg !161\n",
            "  %12 = phi i32 [ %2, %6 ], [ 0, %4 ]\n",
            "  switch i32 %x, label %d [\n",
            "  foo:\n",
            "\"a b\":\n",
            "1x:\n",
            "$c:\n",
            "foo: bar\n",
            "    #dbg_value(metadata !\"x\", !10, !DIExpression(), !12)\n",
        ] {
            assert_eq!(quick(line), Quick::Other, "{line}");
        }
    }
}
