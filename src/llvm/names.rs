//! Names in LLVM IR: quoting, escapes, and the i686 Windows decorations.
//!
//! On i686 Windows, clang writes the decorated symbol of a `__fastcall` or
//! `__stdcall` function into the IR itself, behind `\01` (which tells the
//! back end not to decorate it again): `@"\01@KeAcquireSpinLockRaiseToDpc@4"`
//! (fastcall), `@"\01_DispatchRead@8"` (stdcall). Rules and roles name the
//! C function, so the weaver matches on the undecorated name.

/// The name of a `@global` or `%local` token, without the sigil and with
/// quotes and escapes decoded (`@"\01_F@8"` is `\u{1}_F@8`).
pub fn decode(token: &str) -> String {
    let body = &token[1..];
    match body.strip_prefix('"').and_then(|b| b.strip_suffix('"')) {
        Some(quoted) => unescape(quoted),
        None => body.to_string(),
    }
}

/// LLVM string escapes: `\\` and `\XX` (two hexadecimal digits).
pub fn unescape(text: &str) -> String {
    let bytes = text.as_bytes();
    // Most names and paths have no escapes: copied as they are.
    if memchr::memchr(b'\\', bytes).is_none() {
        return text.to_string();
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'\\' {
            if bytes.get(at + 1) == Some(&b'\\') {
                out.push(b'\\');
                at += 2;
                continue;
            }
            if let Some(hex) = text.get(at + 1..at + 3)
                && let Ok(value) = u8::from_str_radix(hex, 16)
            {
                out.push(value);
                at += 3;
                continue;
            }
        }
        out.push(bytes[at]);
        at += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The C name behind a symbol: `\01@Name@8` (fastcall), `\01_Name@8`
/// (stdcall) and `Name@@8` (vectorcall) become `Name`; anything else is
/// its own C name.
pub fn undecorated(symbol: &str) -> &str {
    let Some(decorated) = symbol.strip_prefix('\u{1}') else {
        return vectorcall(symbol).unwrap_or(symbol);
    };
    let stripped = decorated
        .strip_prefix('@')
        .or_else(|| decorated.strip_prefix('_'))
        .and_then(strip_byte_count);
    if let Some(name) = stripped {
        return name;
    }
    vectorcall(decorated).unwrap_or(decorated)
}

/// `Name@8` → `Name`.
fn strip_byte_count(text: &str) -> Option<&str> {
    let (name, count) = text.rsplit_once('@')?;
    (!name.is_empty() && !count.is_empty() && count.bytes().all(|b| b.is_ascii_digit()))
        .then_some(name)
}

fn vectorcall(text: &str) -> Option<&str> {
    let (name, count) = text.rsplit_once("@@")?;
    (!name.is_empty() && !count.is_empty() && count.bytes().all(|b| b.is_ascii_digit()))
        .then_some(name)
}

/// A name as IR writes it after a sigil: bare when LLVM allows, quoted and
/// escaped otherwise.
pub fn quote(name: &str) -> String {
    let bare = !name.is_empty()
        && !name.as_bytes()[0].is_ascii_digit()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'$' | b'.' | b'_'));
    if bare {
        return name.to_string();
    }
    format!("\"{}\"", escape(name))
}

/// Escapes text for an IR string: `"`, `\` and anything outside printable
/// ASCII become `\XX`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// [`escape`], written at the end of `out`.
pub fn escape_into(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        if byte == b'"' || byte == b'\\' || !(0x20..0x7f).contains(&byte) {
            out.push('\\');
            out.push(HEX[usize::from(byte >> 4)] as char);
            out.push(HEX[usize::from(byte & 0xf)] as char);
        } else {
            out.push(byte as char);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decorations_are_removed() {
        assert_eq!(
            decode(r#"@"\01@KeAcquireInStackQueuedSpinLock@8""#),
            "\u{1}@KeAcquireInStackQueuedSpinLock@8"
        );
        assert_eq!(
            undecorated(&decode(r#"@"\01@KeAcquireInStackQueuedSpinLock@8""#)),
            "KeAcquireInStackQueuedSpinLock"
        );
        assert_eq!(
            undecorated(&decode(r#"@"\01_DispatchRead@8""#)),
            "DispatchRead"
        );
        assert_eq!(
            undecorated("KeEnterCriticalRegion"),
            "KeEnterCriticalRegion"
        );
        assert_eq!(undecorated("F@@16"), "F");
        assert_eq!(undecorated("\u{1}plain"), "plain");
        assert_eq!(decode("%0"), "0");
    }

    #[test]
    fn quoting_round_trips() {
        assert_eq!(quote("slic.site.3"), "slic.site.3");
        assert_eq!(quote("\u{1}@F@4"), r#""\01@F@4""#);
        assert_eq!(decode(&format!("@{}", quote("a \"b\\"))), "a \"b\\");
        assert_eq!(unescape(r"a\0Ab\5C"), "a\nb\\");
    }
}
