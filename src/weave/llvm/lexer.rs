//! The tokenizer for LLVM IR text.
//!
//! It follows LLVM's own lexer (`LLLexer.cpp`) closely enough that every
//! token the weaver looks at has the right extent: quoted names with
//! escapes (`@"\01@KeAcquireSpinLock@8"`), strings, metadata (`!12`,
//! `!DILocation`, `!"text"`), attribute groups (`#0`), debug records
//! (`#dbg_value`), labels (`entry:`, `12:`, `"a b":`) and punctuation.
//! Comments are skipped. Tokens are byte ranges into the text, so the
//! weaver can copy any operand verbatim and edit exactly where it means to.
//!
//! LLVM's text has no raw newline inside a token (strings escape them as
//! `\0A`), so a line can be tokenized on its own; the weaver tokenizes one
//! line (or one multi-line instruction) at a time and never holds the
//! tokens of a whole module.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `%x`, `%"x y"`, `%12`: a local value, a named type or a block.
    Local,
    /// `@x`, `@"\01_F@8"`, `@12`.
    Global,
    /// `!12`, `!dbg`, `!DILocation`, `!llvm.dbg.cu`.
    Metadata,
    /// `!"text"`.
    MetadataString,
    /// `#0`.
    AttributeGroup,
    /// `#dbg_value`, `#dbg_declare`, ...: a debug record (clang 19).
    Record,
    /// `$name`: a comdat.
    Comdat,
    /// `name:`, `12:`, `"a b":`: a block label, or a field name in
    /// metadata (`line:`).
    Label,
    /// Keywords, types, attributes: `call`, `i32`, `ptr`, `x86_fastcallcc`.
    Word,
    Integer,
    Float,
    /// `"text"` or `c"text"`.
    String,
    /// `(`, `)`, `[`, `]`, `{`, `}`, `<`, `>`, `,`, `=`, `*`, `!`, `|`,
    /// `...` and any other single character.
    Punct,
    /// A quote that is never closed.
    Unterminated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub start: u32,
    pub end: u32,
    /// The first token on its line: instructions start on a new line.
    pub first_on_line: bool,
}

impl Token {
    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        &source[self.range()]
    }

    /// Whether this is punctuation `c`.
    pub fn is(&self, source: &str, c: u8) -> bool {
        self.kind == Kind::Punct
            && self.end == self.start + 1
            && source.as_bytes()[self.start as usize] == c
    }

    pub fn is_word(&self, source: &str, word: &str) -> bool {
        self.kind == Kind::Word && self.text(source) == word
    }
}

/// Characters of names, after LLVM: `[-a-zA-Z$._0-9]`.
#[inline]
pub fn is_name_char(byte: u8) -> bool {
    // A table: most bytes of the lines the weaver reads are in names.
    NAME_CHARS[usize::from(byte)]
}

const NAME_CHARS: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'$' | b'.' | b'_');
        byte += 1;
    }
    table
};

fn is_name_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || matches!(byte, b'-' | b'$' | b'.' | b'_')
}

/// Appends the tokens of `source[range]` to `tokens`. Offsets are offsets
/// into `source`. A token starts a line when only blanks precede it on its
/// line, or when `line_start` says the range begins a line.
pub fn tokenize(source: &str, range: Range<usize>, tokens: &mut Vec<Token>) {
    let bytes = source.as_bytes();
    let end = range.end;
    let mut at = range.start;
    let mut first_on_line = at == 0 || bytes[at - 1] == b'\n' || only_blanks_before(bytes, at);
    while at < end {
        let byte = bytes[at];
        match byte {
            b'\n' => {
                first_on_line = true;
                at += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                at += 1;
                continue;
            }
            b';' => {
                while at < end && bytes[at] != b'\n' {
                    at += 1;
                }
                continue;
            }
            _ => {}
        }
        let start = at;
        let kind = match byte {
            b'%' | b'@' | b'$' => {
                at += 1;
                if at < end && bytes[at] == b'"' {
                    match closing_quote(bytes, at, end) {
                        Some(close) => at = close + 1,
                        None => {
                            at = end;
                            push(tokens, Kind::Unterminated, start, at, first_on_line);
                            first_on_line = false;
                            continue;
                        }
                    }
                } else {
                    while at < end && is_name_char(bytes[at]) {
                        at += 1;
                    }
                }
                match byte {
                    b'%' => Kind::Local,
                    b'@' => Kind::Global,
                    _ => Kind::Comdat,
                }
            }
            b'!' => {
                at += 1;
                if at < end && bytes[at] == b'"' {
                    match closing_quote(bytes, at, end) {
                        Some(close) => {
                            at = close + 1;
                            Kind::MetadataString
                        }
                        None => {
                            at = end;
                            Kind::Unterminated
                        }
                    }
                } else if at < end && (is_name_char(bytes[at]) || bytes[at] == b'\\') {
                    while at < end && (is_name_char(bytes[at]) || bytes[at] == b'\\') {
                        at += 1;
                    }
                    Kind::Metadata
                } else {
                    Kind::Punct
                }
            }
            b'#' => {
                at += 1;
                if at < end && bytes[at].is_ascii_digit() {
                    while at < end && bytes[at].is_ascii_digit() {
                        at += 1;
                    }
                    Kind::AttributeGroup
                } else {
                    while at < end && is_name_char(bytes[at]) {
                        at += 1;
                    }
                    if at == start + 1 {
                        Kind::Punct
                    } else {
                        Kind::Record
                    }
                }
            }
            b'"' => match closing_quote(bytes, at, end) {
                Some(close) => {
                    at = close + 1;
                    if at < end && bytes[at] == b':' {
                        at += 1;
                        Kind::Label
                    } else {
                        Kind::String
                    }
                }
                None => {
                    at = end;
                    Kind::Unterminated
                }
            },
            b'c' if at + 1 < end && bytes[at + 1] == b'"' => {
                match closing_quote(bytes, at + 1, end) {
                    Some(close) => {
                        at = close + 1;
                        Kind::String
                    }
                    None => {
                        at = end;
                        Kind::Unterminated
                    }
                }
            }
            b'.' if source[at..end].starts_with("...") => {
                at += 3;
                Kind::Punct
            }
            b'0'..=b'9' => number(bytes, &mut at, end),
            b'-' | b'+' if at + 1 < end && bytes[at + 1].is_ascii_digit() => {
                at += 1;
                number(bytes, &mut at, end)
            }
            _ if is_name_start(byte) => {
                while at < end && is_name_char(bytes[at]) {
                    at += 1;
                }
                if at < end && bytes[at] == b':' {
                    at += 1;
                    Kind::Label
                } else {
                    Kind::Word
                }
            }
            _ => {
                // One character, whole (a multi-byte character stays whole
                // so that every token boundary is a character boundary).
                at += source[at..].chars().next().map_or(1, char::len_utf8);
                Kind::Punct
            }
        };
        push(tokens, kind, start, at, first_on_line);
        first_on_line = false;
    }
}

fn only_blanks_before(bytes: &[u8], at: usize) -> bool {
    bytes[..at]
        .iter()
        .rev()
        .take_while(|&&b| b != b'\n')
        .all(|&b| b == b' ' || b == b'\t' || b == b'\r')
}

fn push(tokens: &mut Vec<Token>, kind: Kind, start: usize, end: usize, first_on_line: bool) {
    tokens.push(Token {
        kind,
        start: start as u32,
        end: end as u32,
        first_on_line,
    });
}

/// The closing quote of a string that opens at `open`. LLVM escapes a
/// quote inside a string as `\22`, so the next quote closes it.
fn closing_quote(bytes: &[u8], open: usize, end: usize) -> Option<usize> {
    bytes[open + 1..end]
        .iter()
        .position(|&b| b == b'"' || b == b'\n')
        .map(|i| open + 1 + i)
        .filter(|&i| bytes[i] == b'"')
}

/// Integers, floats (`1.5e+00`), hexadecimal (`0x1F`, `0xK...` floats),
/// and numbered labels (`12:`). `at` is on the first digit.
fn number(bytes: &[u8], at: &mut usize, end: usize) -> Kind {
    if bytes[*at] == b'0' && *at + 1 < end && bytes[*at + 1] == b'x' {
        *at += 2;
        while *at < end && bytes[*at].is_ascii_alphanumeric() {
            *at += 1;
        }
        return Kind::Integer;
    }
    while *at < end && bytes[*at].is_ascii_digit() {
        *at += 1;
    }
    if *at < end && bytes[*at] == b':' {
        *at += 1;
        return Kind::Label;
    }
    let mut kind = Kind::Integer;
    if *at < end && bytes[*at] == b'.' {
        kind = Kind::Float;
        *at += 1;
        while *at < end && bytes[*at].is_ascii_digit() {
            *at += 1;
        }
    }
    if *at < end && (bytes[*at] == b'e' || bytes[*at] == b'E') {
        let mut next = *at + 1;
        if next < end && (bytes[next] == b'+' || bytes[next] == b'-') {
            next += 1;
        }
        if next < end && bytes[next].is_ascii_digit() {
            kind = Kind::Float;
            *at = next;
            while *at < end && bytes[*at].is_ascii_digit() {
                *at += 1;
            }
        }
    }
    // A label may start with digits and go on with letters (`1.x:`).
    if *at < end && is_name_char(bytes[*at]) {
        let mut next = *at;
        while next < end && is_name_char(bytes[next]) {
            next += 1;
        }
        if next < end && bytes[next] == b':' {
            *at = next + 1;
            return Kind::Label;
        }
    }
    kind
}

/// The index of the token that closes the group opened at `open` (`(`,
/// `[`, `{` or `<`), or `None` if the group is not closed.
pub fn matching(source: &str, tokens: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (index, token) in tokens.iter().enumerate().skip(open) {
        if token.kind != Kind::Punct || token.end != token.start + 1 {
            continue;
        }
        match source.as_bytes()[token.start as usize] {
            b'(' | b'[' | b'{' | b'<' => depth += 1,
            b')' | b']' | b'}' | b'>' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(index);
                }
            }
            _ => {}
        }
    }
    None
}

/// How much deeper in brackets the text is after these tokens: positive
/// while an instruction goes on to the next line.
pub fn depth_change(source: &str, tokens: &[Token]) -> isize {
    let bytes = source.as_bytes();
    tokens
        .iter()
        .filter(|t| t.kind == Kind::Punct && t.end == t.start + 1)
        .map(|t| match bytes[t.start as usize] {
            b'(' | b'[' | b'{' | b'<' => 1,
            b')' | b']' | b'}' | b'>' => -1,
            _ => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_table_is_llvms_name_characters() {
        for byte in 0..=255u8 {
            assert_eq!(
                is_name_char(byte),
                byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'$' | b'.' | b'_'),
                "{byte:#x}"
            );
        }
    }

    fn kinds(text: &str) -> Vec<(Kind, &str)> {
        let mut tokens = Vec::new();
        tokenize(text, 0..text.len(), &mut tokens);
        tokens.iter().map(|t| (t.kind, t.text(text))).collect()
    }

    #[test]
    fn quoted_premangled_names_are_one_token() {
        let text = r#"call x86_fastcallcc void @"\01@KeAcquireInStackQueuedSpinLock@8"(ptr inreg noundef %12, ptr inreg noundef %7), !dbg !132"#;
        let tokens = kinds(text);
        assert!(tokens.contains(&(Kind::Global, r#"@"\01@KeAcquireInStackQueuedSpinLock@8""#)));
        assert!(tokens.contains(&(Kind::Metadata, "!dbg")));
        assert!(tokens.contains(&(Kind::Metadata, "!132")));
        assert_eq!(tokens[1], (Kind::Word, "x86_fastcallcc"));
    }

    #[test]
    fn labels_numbers_records_and_comments() {
        assert_eq!(
            kinds("21:                                               ; preds = %2"),
            [(Kind::Label, "21:")]
        );
        assert_eq!(kinds("for.body:"), [(Kind::Label, "for.body:")]);
        assert_eq!(kinds(r#""a b":"#), [(Kind::Label, r#""a b":"#)]);
        assert_eq!(
            kinds("    #dbg_value(i32 %x, !10, !DIExpression(), !12)")[..2],
            [(Kind::Record, "#dbg_value"), (Kind::Punct, "(")]
        );
        assert_eq!(
            kinds("store i32 -1073741808, ptr %3, align 4 #0"),
            [
                (Kind::Word, "store"),
                (Kind::Word, "i32"),
                (Kind::Integer, "-1073741808"),
                (Kind::Punct, ","),
                (Kind::Word, "ptr"),
                (Kind::Local, "%3"),
                (Kind::Punct, ","),
                (Kind::Word, "align"),
                (Kind::Integer, "4"),
                (Kind::AttributeGroup, "#0"),
            ]
        );
        assert_eq!(
            kinds(r#"@s = constant [3 x i8] c"a;\00", !x !{!"y"} ; comment"#)[6..],
            [
                (Kind::Word, "i8"),
                (Kind::Punct, "]"),
                (Kind::String, r#"c"a;\00""#),
                (Kind::Punct, ","),
                (Kind::Metadata, "!x"),
                (Kind::Punct, "!"),
                (Kind::Punct, "{"),
                (Kind::MetadataString, r#"!"y""#),
                (Kind::Punct, "}"),
            ]
        );
        assert_eq!(
            kinds("double 1.000000e+00, 0x3FF0000000000000, ...")
                .iter()
                .map(|t| t.0)
                .collect::<Vec<_>>(),
            [
                Kind::Word,
                Kind::Float,
                Kind::Punct,
                Kind::Integer,
                Kind::Punct,
                Kind::Punct
            ]
        );
    }

    #[test]
    fn first_on_line_marks_line_starts() {
        let text = "  invoke void @f()\n          to label %8 unwind label %18\n";
        let mut tokens = Vec::new();
        tokenize(text, 0..text.len(), &mut tokens);
        let starts: Vec<&str> = tokens
            .iter()
            .filter(|t| t.first_on_line)
            .map(|t| t.text(text))
            .collect();
        assert_eq!(starts, ["invoke", "to"]);
    }

    #[test]
    fn groups_match_across_nesting() {
        let text = "call void bitcast (void (...)* @F to void (%struct.X*)*)(%struct.X* %1)";
        let mut tokens = Vec::new();
        tokenize(text, 0..text.len(), &mut tokens);
        let open = tokens.iter().position(|t| t.is(text, b'(')).unwrap();
        let close = matching(text, &tokens, open).unwrap();
        assert_eq!(tokens[close + 1].text(text), "(");
        assert_eq!(depth_change(text, &tokens), 0);
        assert_eq!(kinds("@\"open"), [(Kind::Unterminated, "@\"open")]);
    }
}
