//! A C file's bytes as text the weaver can read.
//!
//! Compilers take bytes, not text: drivers carry Windows-1252 quote marks
//! in comments, Latin-1 in strings, a UTF-8 byte order mark, a NUL in a
//! comment. The scan, the structure and tree-sitter read a *view* of the
//! file instead: UTF-8 text of the same length, byte for byte the file's,
//! except that
//!
//! - each byte of a sequence that is not UTF-8 is [`NOT_UTF8`], a control
//!   byte C has no use for: in a comment or a literal it is part of the
//!   comment or the literal, as the byte it stands for is; elsewhere the
//!   scan makes it an `Other` token, as it does any byte that is no C;
//! - a NUL is a space (compilers ignore it outside comments and literals);
//! - a UTF-8 byte order mark at the start is three spaces (compilers skip
//!   it; read as text, it would stand before a directive on the first line).
//!
//! Offsets are the same in the view and in the file, and the weaver edits
//! only where the two agree (identifiers, punctuation, line starts), so its
//! edits, made at offsets of the view, are applied to the file's own bytes
//! (`edit::apply`): a byte no edit touches comes out as it went in. What
//! the weaver copies from the file into the code it adds (a routine's
//! head) it copies from the file too, never from the view.

use std::borrow::Cow;

/// What a byte of a sequence that is not UTF-8 is in the view: ASCII's
/// "substitute" character.
pub const NOT_UTF8: u8 = 0x1A;

const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// The length of the file's UTF-8 byte order mark: 3, or 0 if it has none.
/// The weaver adds nothing before it.
pub fn byte_order_mark(bytes: &[u8]) -> usize {
    if bytes.starts_with(BYTE_ORDER_MARK) {
        BYTE_ORDER_MARK.len()
    } else {
        0
    }
}

/// The view of a file's bytes (see the module's comment): borrowed when the
/// file is UTF-8 with no NUL and no byte order mark, as nearly all are.
pub fn view(bytes: &[u8]) -> Cow<'_, str> {
    let mark = byte_order_mark(bytes);
    if mark == 0
        && !bytes.contains(&0)
        && let Ok(text) = std::str::from_utf8(bytes)
    {
        return Cow::Borrowed(text);
    }
    let mut text = String::with_capacity(bytes.len());
    text.push_str(&" ".repeat(mark));
    for chunk in bytes[mark..].utf8_chunks() {
        for piece in chunk.valid().split('\0') {
            text.push_str(piece);
            text.push(' ');
        }
        // One space too many: after the last piece there was no NUL.
        text.pop();
        text.extend(std::iter::repeat_n(
            char::from(NOT_UTF8),
            chunk.invalid().len(),
        ));
    }
    debug_assert_eq!(text.len(), bytes.len());
    Cow::Owned(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_text_is_its_own_view() {
        let text = "/* déjà vu */ int f(void);\r\n";
        assert!(matches!(view(text.as_bytes()), Cow::Borrowed(t) if t == text));
    }

    #[test]
    fn other_bytes_keep_their_offsets() {
        let bytes = b"\xEF\xBB\xBF/* l\x92objet \x93x\x94 */\x00 \"caf\xe9\" \xe2\x82\n\xC3\xA9";
        let view = view(bytes);
        assert_eq!(view.len(), bytes.len());
        assert_eq!(
            view.as_ref(),
            "   /* l\u{1A}objet \u{1A}x\u{1A} */  \"caf\u{1A}\" \u{1A}\u{1A}\né"
        );
        // Every ASCII byte other than NUL is where it was.
        for (index, &byte) in bytes.iter().enumerate() {
            if byte.is_ascii() && byte != 0 {
                assert_eq!(view.as_bytes()[index], byte, "byte {index}");
            }
        }
    }

    #[test]
    fn a_byte_order_mark_counts_only_at_the_start() {
        assert_eq!(byte_order_mark(b"\xEF\xBB\xBF#include"), 3);
        assert_eq!(byte_order_mark(b" \xEF\xBB\xBF"), 0);
        assert_eq!(view(b"a\xEF\xBB\xBF").as_ref(), "a\u{FEFF}");
    }
}
