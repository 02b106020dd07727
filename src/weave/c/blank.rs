//! Blanking attribute-like macros before tree-sitter parses a driver.
//!
//! WDK code is full of macros that tree-sitter-c cannot know: SAL
//! annotations (`_In_`, `_IRQL_requires_max_(DISPATCH_LEVEL)`),
//! `_Dispatch_type_(IRP_MJ_READ)`, `__drv_*`, `NTAPI`, `FASTCALL`, and
//! Microsoft's `__try`/`__except`. Overwriting them with spaces keeps every
//! byte offset valid, so the tree's positions are the positions of the
//! original text, which is what the weaver edits. Newlines are kept, so
//! lines do not move either.

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
];

/// A blanked macro: its name and where it was (with its arguments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blanked {
    pub name: String,
    pub range: Range<usize>,
    /// The text between the parentheses, if it had arguments.
    pub arguments: Option<String>,
}

pub struct Blanking {
    /// The text with the macros overwritten by spaces, same length.
    pub text: String,
    pub blanked: Vec<Blanked>,
}

/// Whether a word is an attribute-like macro: SAL 2 (`_In_`, `_Out_opt_`,
/// `_IRQL_requires_(...)`: underscore, capital, underscore at the end),
/// SAL 1 (`__in`, `__out_opt`, `__in_bcount(...)`), driver annotations
/// (`__drv_*`), `DECLSPEC_*`, or one of `extra` or the default words.
pub fn is_attribute(word: &str, extra: &[String]) -> bool {
    let sal2 = word.len() > 2
        && word.starts_with('_')
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
    sal2 || sal1
        || word.starts_with("__drv_")
        || word.starts_with("DECLSPEC_")
        || DEFAULT_WORDS.contains(&word)
        || extra.iter().any(|w| w == word)
}

/// Blanks every attribute-like macro outside comments, strings and
/// preprocessor lines.
pub fn blank(source: &str, extra: &[String]) -> Blanking {
    let bytes = source.as_bytes();
    let mut text = bytes.to_vec();
    let mut blanked = Vec::new();
    let mut at = 0;
    let mut line_start = true;
    while at < bytes.len() {
        let byte = bytes[at];
        match byte {
            b'\n' => {
                line_start = true;
                at += 1;
            }
            b' ' | b'\t' | b'\r' | b'\x0C' => at += 1,
            b'/' if bytes.get(at + 1) == Some(&b'/') => at = skip_line(bytes, at),
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                at = find(bytes, at + 2, b"*/").map_or(bytes.len(), |end| end + 2);
            }
            b'#' if line_start => at = skip_directive(bytes, at),
            b'"' | b'\'' => {
                line_start = false;
                at = skip_quoted(bytes, at);
            }
            _ if byte.is_ascii_alphabetic() || byte == b'_' => {
                line_start = false;
                let start = at;
                while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_') {
                    at += 1;
                }
                let word = &source[start..at];
                if !is_attribute(word, extra) {
                    continue;
                }
                let mut end = at;
                let mut arguments = None;
                let after = skip_blanks(bytes, at);
                if bytes.get(after) == Some(&b'(')
                    && let Some(close) = matching_paren(bytes, after)
                {
                    arguments = Some(source[after + 1..close].to_string());
                    end = close + 1;
                }
                for byte in &mut text[start..end] {
                    if *byte != b'\n' && *byte != b'\r' {
                        *byte = b' ';
                    }
                }
                blanked.push(Blanked {
                    name: word.to_string(),
                    range: start..end,
                    arguments,
                });
                at = end;
            }
            _ => {
                line_start = false;
                at += 1;
            }
        }
    }
    Blanking {
        // Only ASCII bytes were replaced by ASCII spaces.
        text: String::from_utf8(text).expect("blanking keeps UTF-8 valid"),
        blanked,
    }
}

fn skip_blanks(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && bytes[at].is_ascii_whitespace() {
        at += 1;
    }
    at
}

fn skip_line(bytes: &[u8], at: usize) -> usize {
    bytes[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| at + i)
}

/// A preprocessor line with its continuations.
fn skip_directive(bytes: &[u8], mut at: usize) -> usize {
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

fn skip_quoted(bytes: &[u8], mut at: usize) -> usize {
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

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

/// The `)` that closes the `(` at `open`, skipping strings and comments.
fn matching_paren(bytes: &[u8], open: usize) -> Option<usize> {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The words left after blanking, and that nothing moved.
    fn words_after(source: &str) -> Vec<String> {
        let blanking = blank(source, &[]);
        assert_eq!(blanking.text.len(), source.len());
        let newlines = |t: &str| t.match_indices('\n').map(|(i, _)| i).collect::<Vec<_>>();
        assert_eq!(
            newlines(&blanking.text),
            newlines(source),
            "lines stay where they were"
        );
        blanking
            .text
            .split_whitespace()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn sal_and_conventions_become_spaces_of_the_same_length() {
        let source = "_Dispatch_type_(IRP_MJ_READ)\nNTSTATUS NTAPI Read(_In_ PDEVICE_OBJECT d, _Inout_updates_bytes_(n) PVOID b);";
        assert_eq!(
            words_after(source),
            ["NTSTATUS", "Read(", "PDEVICE_OBJECT", "d,", "PVOID", "b);"]
        );
        let blanking = blank(source, &[]);
        assert_eq!(blanking.blanked[0].name, "_Dispatch_type_");
        assert_eq!(
            blanking.blanked[0].arguments.as_deref(),
            Some("IRP_MJ_READ")
        );
        assert_eq!(&source[blanking.blanked[1].range.clone()], "NTAPI");
    }

    #[test]
    fn comments_strings_directives_and_lookalikes_are_left_alone() {
        let source =
            "#define X _In_\n/* _In_ */ \"_In_\" __int64 __inline_x _Out_writes_(a\n(b)) y;";
        assert_eq!(
            words_after(source),
            [
                "#define",
                "X",
                "_In_",
                "/*",
                "_In_",
                "*/",
                "\"_In_\"",
                "__int64",
                "__inline_x",
                "y;"
            ]
        );
    }

    #[test]
    fn seh_blocks_become_plain_blocks() {
        let source =
            "__try { f(); } __except (EXCEPTION_EXECUTE_HANDLER) { g(); } __finally { h(); }";
        assert_eq!(
            words_after(source),
            ["{", "f();", "}", "{", "g();", "}", "{", "h();", "}"]
        );
    }
}
