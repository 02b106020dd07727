//! Attribute-like macros: the words tree-sitter-c cannot know and the
//! weaver looks through.
//!
//! WDK code is full of macros that are no C: SAL annotations (`_In_`,
//! `_IRQL_requires_max_(DISPATCH_LEVEL)`), `_Dispatch_type_(IRP_MJ_READ)`,
//! `__drv_*`, `NTAPI`, `FASTCALL`, and Microsoft's `__try`/`__except`. The
//! scan (`scan.rs`) leaves them out of its tokens and records them here;
//! the text given to tree-sitter has them overwritten with spaces, which
//! keeps every byte offset (and line) of the original, which is what the
//! weaver edits. The byte helpers below are the scan's too.

use std::ops::Range;

/// Words blanked by default, with their parenthesised arguments if any.
pub const DEFAULT_WORDS: &[&str] = &[
    "NTAPI",
    "FASTCALL",
    "NTKERNELAPI",
    "NTHALAPI",
    "NTSYSAPI",
    "NTSYSCALLAPI",
    "FORCEINLINE",
    "CALLBACK",
    "WINAPI",
    "EXTERN_C",
    "__forceinline",
    "__inline",
    "__try",
    "__except",
    "__finally",
    "__leave",
    "__declspec",
    "__stdcall",
    "__fastcall",
    "__cdecl",
    "__checkReturn",
    // ntdef.h's parameter markers, defined empty, on every routine of
    // older WDM code: `NTSTATUS Dispatch(IN PDEVICE_OBJECT DeviceObject,
    // IN OUT PIRP Irp)`, `PVOID Context OPTIONAL`.
    "IN",
    "OUT",
    "OPTIONAL",
];

/// A blanked macro: its name and where it was (with its arguments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blanked {
    pub name: String,
    pub range: Range<usize>,
    /// The text between the parentheses, if it had arguments.
    pub arguments: Option<String>,
}

/// Whether a word is an attribute-like macro: SAL 2 (`_In_`, `_Out_opt_`,
/// `_IRQL_requires_(...)`: underscore, capital, underscore at the end),
/// SAL 1 (`__in`, `__out_opt`, `__in_bcount(...)`), driver annotations
/// (`__drv_*`), `DECLSPEC_*`, or one of `extra` or the default words.
pub fn is_attribute(word: &str, extra: &[String]) -> bool {
    // Every built-in kind starts with `_` or with the capital of a default
    // word: most identifiers are answered by their first byte.
    let builtin = match word.as_bytes().first() {
        Some(b'_') => {
            let sal2 = word.len() > 2
                && word.ends_with('_')
                && word[1..].starts_with(|c: char| c.is_ascii_uppercase());
            let sal1 = ["__in", "__out", "__inout", "__deref"]
                .iter()
                .any(|prefix| {
                    word == *prefix
                        || word
                            .strip_prefix(prefix)
                            .is_some_and(|rest| rest.starts_with('_'))
                });
            sal2 || sal1 || word.starts_with("__drv_") || DEFAULT_WORDS.contains(&word)
        }
        Some(b'N' | b'F' | b'C' | b'W' | b'E' | b'I' | b'O') => DEFAULT_WORDS.contains(&word),
        Some(b'D') => word.starts_with("DECLSPEC_"),
        _ => false,
    };
    builtin || extra.iter().any(|w| w == word)
}

pub(super) fn skip_blanks(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && bytes[at].is_ascii_whitespace() {
        at += 1;
    }
    at
}

/// A preprocessor line with its continuations.
pub(super) fn skip_directive(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() {
        match bytes[at] {
            b'\\' if bytes.get(at + 1) == Some(&b'\n') => at += 2,
            b'\\' if bytes.get(at + 1) == Some(&b'\r') => at += 3,
            b'\n' => return at,
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                at = find(bytes, at + 2, b"*/").map_or(bytes.len(), |end| end + 2);
            }
            _ => at += 1,
        }
    }
    at
}

pub(super) fn skip_quoted(bytes: &[u8], mut at: usize) -> usize {
    let quote = bytes[at];
    at += 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'\n' => return at,
            b if b == quote => return at + 1,
            _ => at += 1,
        }
    }
    at.min(bytes.len())
}

pub(super) fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

/// The `)` that closes the `(` at `open`, skipping strings and comments.
pub(super) fn matching_paren(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut at = open;
    while at < bytes.len() {
        match bytes[at] {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(at);
                }
            }
            b'"' | b'\'' => {
                at = skip_quoted(bytes, at);
                continue;
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                at = find(bytes, at + 2, b"*/").map_or(bytes.len(), |end| end + 2);
                continue;
            }
            _ => {}
        }
        at += 1;
    }
    None
}
