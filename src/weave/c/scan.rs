//! The lexical scan of a C file: one pass over its bytes that finds the
//! tokens, the preprocessor directives, the comments that span lines and the
//! attribute-like macros (`blank.rs`), without a grammar.
//!
//! Everything is found by position in the original text, so edits can be
//! made at the positions the scan gives. The scan never fails: text that is
//! not C still comes out as tokens (`Other` for bytes C has no use for), and
//! what makes no sense is judged later, by the structure and the weaver.

use std::ops::Range;

use super::blank::{
    Blanked, is_attribute, matching_paren, skip_blanks, skip_directive, skip_quoted,
};

/// One token. Offsets are bytes of the scanned text (which is at most
/// `u32::MAX` bytes long, see [`scan`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: u32,
    pub end: u32,
    pub kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Identifier,
    Number,
    /// A string or character literal, with its quotes.
    Literal,
    /// One byte of punctuation: `( ) [ ] { } ; , = . & * : ?` and the rest
    /// of the one-byte operators.
    Punctuation(u8),
    /// `->`.
    Arrow,
    /// Any other operator of two or three bytes (`==`, `+=`, `&&`, `...`).
    Operator,
    /// A whole preprocessor directive, continuation lines included; what it
    /// is, is in [`Scan::directives`].
    Directive,
    /// Bytes that are no C token (non-ASCII text, a stray `@`).
    Other,
}

impl Token {
    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn is(&self, byte: u8) -> bool {
        self.kind == Kind::Punctuation(byte)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// From the `#` to the end of its last line (the newline excluded).
    pub range: Range<usize>,
    pub kind: DirectiveKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectiveKind {
    /// `#if`, `#ifdef`, `#ifndef`; `never` for `#if 0`.
    If {
        never: bool,
    },
    /// `#elif` and its relatives; `never` for `#elif 0`.
    Elif {
        never: bool,
    },
    Else,
    Endif,
    Define(Define),
    /// `#include`; the path between the quotes of `#include "path"`.
    Include {
        quoted: Option<Range<usize>>,
    },
    /// `#pragma`, `#undef`, `#error`, `#line` and the rest.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Define {
    pub name: Range<usize>,
    /// The replacement text, from its first non-blank byte to the end of
    /// the directive; `None` when there is none.
    pub value: Option<Range<usize>>,
}

pub struct Scan {
    pub tokens: Vec<Token>,
    /// In the order of the text; each is also a `Directive` token.
    pub directives: Vec<Directive>,
    /// Attribute-like macros, left out of the tokens.
    pub blanked: Vec<Blanked>,
    /// Block comments (and `//` comments continued with `\`) that contain a
    /// newline: directives inserted at a line start must not land in one.
    pub multiline_comments: Vec<Range<usize>>,
    /// The byte where each line starts.
    pub line_starts: Vec<usize>,
}

/// The longest text the scan takes: no C file a driver is made of comes
/// near it, and offsets fit in 32 bits.
pub const MAX_LENGTH: usize = u32::MAX as usize;

/// Scans a whole file of at most [`MAX_LENGTH`] bytes (the callers refuse
/// longer ones).
pub fn scan(source: &str, extra_blank: &[String]) -> Scan {
    assert!(source.len() <= MAX_LENGTH, "scanned text too long");
    let bytes = source.as_bytes();
    let mut scan = Scan {
        tokens: Vec::with_capacity(source.len() / 5),
        directives: Vec::new(),
        blanked: Vec::new(),
        multiline_comments: Vec::new(),
        line_starts: line_starts(bytes),
    };
    let mut at = 0;
    let mut line_start = true;
    while at < bytes.len() {
        let byte = bytes[at];
        let start = at;
        let kind = match byte {
            b'\n' => {
                line_start = true;
                at += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\x0B' | b'\x0C' => {
                at += 1;
                continue;
            }
            // A line continuation outside a directive joins two lines.
            b'\\' if bytes.get(at + 1) == Some(&b'\n') => {
                at += 2;
                continue;
            }
            b'\\' if bytes.get(at + 1) == Some(&b'\r') && bytes.get(at + 2) == Some(&b'\n') => {
                at += 3;
                continue;
            }
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                at = line_comment_end(bytes, at);
                if bytes[start..at].contains(&b'\n') {
                    scan.multiline_comments.push(start..at);
                }
                continue;
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                at = block_comment_end(bytes, at);
                if bytes[start..at].contains(&b'\n') {
                    scan.multiline_comments.push(start..at);
                }
                continue;
            }
            b'#' if line_start => {
                at = skip_directive(bytes, at);
                scan.directives.push(Directive {
                    range: start..at,
                    kind: directive_kind(bytes, start, at),
                });
                Kind::Directive
            }
            b'"' | b'\'' => {
                at = skip_quoted(bytes, at);
                Kind::Literal
            }
            _ if byte.is_ascii_alphabetic() || byte == b'_' => {
                at = identifier_end(bytes, at);
                let word = &source[start..at];
                if is_attribute(word, extra_blank) {
                    line_start = false;
                    at = blank_attribute(source, word, start, at, &mut scan.blanked);
                    continue;
                }
                Kind::Identifier
            }
            _ if byte.is_ascii_digit()
                || (byte == b'.' && bytes.get(at + 1).is_some_and(u8::is_ascii_digit)) =>
            {
                at = number_end(bytes, at);
                Kind::Number
            }
            b'-' if bytes.get(at + 1) == Some(&b'>') => {
                at += 2;
                Kind::Arrow
            }
            _ if byte >= 0x80 => {
                // A run of non-ASCII bytes ends where a character does.
                while at < bytes.len() && bytes[at] >= 0x80 {
                    at += 1;
                }
                Kind::Other
            }
            _ if byte.is_ascii_punctuation() => {
                let length = operator_length(bytes, at);
                at += length;
                if length == 1 {
                    Kind::Punctuation(byte)
                } else {
                    Kind::Operator
                }
            }
            _ => {
                at += 1;
                Kind::Other
            }
        };
        line_start = false;
        scan.tokens.push(Token {
            start: start as u32,
            end: at as u32,
            kind,
        });
    }
    scan
}

impl Scan {
    /// The directive a `Directive` token is.
    pub fn directive(&self, token: &Token) -> &Directive {
        let index = self
            .directives
            .partition_point(|d| d.range.start < token.start as usize);
        &self.directives[index]
    }

    /// The index of the token that starts at `offset`, if one does.
    pub fn token_at(&self, offset: usize) -> Option<usize> {
        let index = self.tokens.partition_point(|t| (t.start as usize) < offset);
        (self.tokens.get(index)?.start as usize == offset).then_some(index)
    }

    /// Line (from 1) of a byte.
    pub fn line(&self, offset: usize) -> u32 {
        self.line_starts.partition_point(|&s| s <= offset) as u32
    }

    /// The start of the multi-line comment `offset` is inside of (not at
    /// its start).
    pub fn comment_around(&self, offset: usize) -> Option<usize> {
        let index = self
            .multiline_comments
            .partition_point(|c| c.start < offset);
        let comment = self.multiline_comments.get(index.checked_sub(1)?)?;
        (offset < comment.end).then_some(comment.start)
    }
}

fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = Vec::with_capacity(bytes.len() / 30 + 1);
    starts.push(0);
    starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
    starts
}

/// The bytes that continue an identifier, as a table: most of a file's
/// bytes are in identifiers, and one load a byte is the cheapest test.
const IDENTIFIER: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || b == b'_';
        byte += 1;
    }
    table
};

fn identifier_end(bytes: &[u8], at: usize) -> usize {
    bytes[at..]
        .iter()
        .position(|&b| !IDENTIFIER[b as usize])
        .map_or(bytes.len(), |length| at + length)
}

/// A preprocessing number: digits, letters, `_`, `.`, and a sign after an
/// exponent (`1e+5`, `0x1p-3`).
fn number_end(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() {
        let byte = bytes[at];
        let sign =
            (byte == b'+' || byte == b'-') && matches!(bytes[at - 1], b'e' | b'E' | b'p' | b'P');
        if sign || byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'.' {
            at += 1;
        } else {
            break;
        }
    }
    at
}

/// A `//` comment, with the lines a trailing `\` joins to it; ends before
/// the newline.
fn line_comment_end(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() {
        match bytes[at] {
            b'\n' if bytes[at - 1] == b'\\' => at += 1,
            b'\n' if bytes[at - 1] == b'\r' && at >= 2 && bytes[at - 2] == b'\\' => at += 1,
            b'\n' => return at,
            _ => at += 1,
        }
    }
    at
}

fn block_comment_end(bytes: &[u8], at: usize) -> usize {
    memchr::memmem::find(&bytes[at + 2..], b"*/").map_or(bytes.len(), |i| at + 2 + i + 2)
}

fn operator_length(bytes: &[u8], at: usize) -> usize {
    let first = bytes[at];
    let second = bytes.get(at + 1).copied().unwrap_or(0);
    let third = bytes.get(at + 2).copied().unwrap_or(0);
    match (first, second) {
        (b'<', b'<') | (b'>', b'>') if third == b'=' => 3,
        (b'.', b'.') if third == b'.' => 3,
        (
            b'=' | b'!' | b'<' | b'>' | b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'^',
            b'=',
        ) => 2,
        (b'&', b'&') | (b'|', b'|') | (b'+', b'+') | (b'-', b'-') | (b'<', b'<') | (b'>', b'>') => {
            2
        }
        (b'#', b'#') => 2,
        _ => 1,
    }
}

/// Records an attribute-like macro (with its parenthesised arguments, if
/// any) and returns where the scan goes on.
fn blank_attribute(
    source: &str,
    word: &str,
    start: usize,
    word_end: usize,
    blanked: &mut Vec<Blanked>,
) -> usize {
    let bytes = source.as_bytes();
    let mut end = word_end;
    let mut arguments = None;
    let after = skip_blanks(bytes, word_end);
    if bytes.get(after) == Some(&b'(')
        && let Some(close) = matching_paren(bytes, after)
    {
        arguments = Some(String::from_utf8_lossy(&bytes[after + 1..close]).into_owned());
        end = close + 1;
    }
    blanked.push(Blanked {
        name: word.to_string(),
        range: start..end,
        arguments,
    });
    end
}

/// What a directive is, from its text (`start` is at the `#`).
fn directive_kind(bytes: &[u8], start: usize, end: usize) -> DirectiveKind {
    let mut at = skip_horizontal(bytes, start + 1, end);
    let word_start = at;
    at = identifier_end(bytes, at).min(end);
    let word = &bytes[word_start..at];
    let rest_is_zero = || {
        let rest = &bytes[at..end];
        let trimmed: Vec<u8> = rest
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        trimmed == b"0"
    };
    match word {
        b"if" => DirectiveKind::If {
            never: rest_is_zero(),
        },
        b"ifdef" | b"ifndef" => DirectiveKind::If { never: false },
        b"elif" => DirectiveKind::Elif {
            never: rest_is_zero(),
        },
        b"elifdef" | b"elifndef" => DirectiveKind::Elif { never: false },
        b"else" => DirectiveKind::Else,
        b"endif" => DirectiveKind::Endif,
        b"include" => {
            let path = skip_horizontal(bytes, at, end);
            let quoted = (bytes.get(path) == Some(&b'"'))
                .then(|| {
                    let close = bytes[path + 1..end].iter().position(|&b| b == b'"')?;
                    Some(path + 1..path + 1 + close)
                })
                .flatten();
            DirectiveKind::Include { quoted }
        }
        b"define" => {
            let name_start = skip_horizontal(bytes, at, end);
            let name_end = identifier_end(bytes, name_start).min(end);
            if name_end == name_start {
                return DirectiveKind::Other;
            }
            let mut value_start = name_end;
            if bytes.get(name_end) == Some(&b'(') {
                value_start = bytes[name_end..end]
                    .iter()
                    .position(|&b| b == b')')
                    .map_or(end, |i| name_end + i + 1);
            }
            value_start = skip_horizontal(bytes, value_start, end);
            let mut value_end = end;
            while value_end > value_start && bytes[value_end - 1].is_ascii_whitespace() {
                value_end -= 1;
            }
            DirectiveKind::Define(Define {
                name: name_start..name_end,
                value: (value_end > value_start).then_some(value_start..value_end),
            })
        }
        _ => DirectiveKind::Other,
    }
}

/// Spaces, tabs and line continuations.
fn skip_horizontal(bytes: &[u8], mut at: usize, end: usize) -> usize {
    while at < end {
        match bytes[at] {
            b' ' | b'\t' | b'\x0B' | b'\x0C' | b'\r' | b'\n' => at += 1,
            b'\\' if matches!(bytes.get(at + 1), Some(b'\n' | b'\r')) => at += 1,
            _ => break,
        }
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(source: &str) -> Vec<&str> {
        scan(source, &[])
            .tokens
            .iter()
            .map(|t| &source[t.range()])
            .collect()
    }

    #[test]
    fn tokens_skip_comments_and_keep_literals_whole() {
        assert_eq!(
            texts("a->b /* x ( */ = \"(\\\"\" + '\\'' // )\n x==1.5e+3;"),
            [
                "a",
                "->",
                "b",
                "=",
                "\"(\\\"\"",
                "+",
                "'\\''",
                "x",
                "==",
                "1.5e+3",
                ";"
            ]
        );
    }

    #[test]
    fn attribute_macros_are_left_out_with_their_arguments() {
        let source = "_Dispatch_type_(IRP_MJ_READ)\nNTSTATUS NTAPI Read(_In_ PDEVICE_OBJECT d, _Inout_updates_bytes_(n) PVOID b);";
        assert_eq!(
            texts(source),
            [
                "NTSTATUS",
                "Read",
                "(",
                "PDEVICE_OBJECT",
                "d",
                ",",
                "PVOID",
                "b",
                ")",
                ";"
            ]
        );
        let scanned = scan(source, &[]);
        assert_eq!(scanned.blanked[0].name, "_Dispatch_type_");
        assert_eq!(scanned.blanked[0].arguments.as_deref(), Some("IRP_MJ_READ"));
        assert_eq!(&source[scanned.blanked[1].range.clone()], "NTAPI");
    }

    #[test]
    fn directives_are_one_token_each_and_say_what_they_are() {
        let source = "#define X _In_\n/* _In_ */ #if 0\n  # include \"a.h\"\n#define F(a, b) \\\n  g(a) \n#else\n#endif\nx";
        let scanned = scan(source, &[]);
        let kinds: Vec<&DirectiveKind> = scanned.directives.iter().map(|d| &d.kind).collect();
        assert!(
            matches!(kinds[0], DirectiveKind::Define(d) if &source[d.value.clone().unwrap()] == "_In_")
        );
        assert_eq!(kinds[1], &DirectiveKind::If { never: true });
        assert!(
            matches!(kinds[2], DirectiveKind::Include { quoted: Some(path) } if &source[path.clone()] == "a.h")
        );
        assert!(matches!(kinds[3], DirectiveKind::Define(d)
            if &source[d.name.clone()] == "F" && &source[d.value.clone().unwrap()] == "g(a)"));
        assert_eq!(kinds[4], &DirectiveKind::Else);
        assert_eq!(kinds[5], &DirectiveKind::Endif);
        assert_eq!(texts(source).last(), Some(&"x"));
        assert!(scanned.blanked.is_empty(), "directives are not blanked");
    }

    #[test]
    fn a_hash_after_a_token_is_no_directive() {
        assert_eq!(texts("a # b"), ["a", "#", "b"]);
    }

    #[test]
    fn multi_byte_text_stays_whole() {
        let source = "é \"\\é\" x /* é\n */ 'é";
        let scanned = scan(source, &[]);
        for token in &scanned.tokens {
            assert!(source.is_char_boundary(token.start as usize));
            assert!(source.is_char_boundary(token.end as usize));
        }
        assert_eq!(
            scanned.comment_around(source.find("*/").unwrap()),
            source.find("/*")
        );
    }
}
